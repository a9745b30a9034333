//! Field types: how a Rust value maps to a column, a bind parameter and back.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::driver::{Args, RowRef, bind_native, decode_native};
use crate::error::{Error, Result};

mod array;
mod bind;
mod key;

pub use array::{ArrayItem, ArrayOf, ArrayValue};

use bind::bind_null;
pub(crate) use key::Key;

/// The storage class of a column; the DDL generator maps it to each backend's type.
///
/// ```
/// use kata::{ColumnType, FieldType};
/// assert_eq!(<i64 as FieldType>::COLUMN_TYPE, ColumnType::BigInt);
/// assert_eq!(<Option<String> as FieldType>::COLUMN_TYPE, ColumnType::Text);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColumnType {
    /// `BOOLEAN`.
    Bool,
    /// `SMALLINT` (i16).
    SmallInt,
    /// `INTEGER` (i32).
    Integer,
    /// `BIGINT` (i64).
    BigInt,
    /// `REAL` (f32).
    Float,
    /// `DOUBLE PRECISION` (f64).
    Double,
    /// `TEXT`, or `VARCHAR(n)` when the field has a `max_length`.
    Text,
    /// `BLOB` / `BYTEA`.
    Bytes,
    /// A UTC timestamp: `TIMESTAMPTZ` on PostgreSQL, `DATETIME(6)` on MySQL, text on SQLite.
    TimestampTz,
    /// `DATE`.
    Date,
    /// A timestamp without time zone.
    Timestamp,
    /// `TIME`.
    Time,
    /// JSON: `JSONB` on PostgreSQL, `JSON` on MySQL, text on SQLite.
    Json,
    /// An exact decimal (Django's `DecimalField`): `NUMERIC(p, s)` on PostgreSQL,
    /// `DECIMAL(p, s)` on MySQL and MariaDB, an order-preserving text on SQLite (see the
    /// README's backend table). `max_digits` is 0 until the field states it.
    Decimal {
        /// Digits in all (Django's `max_digits`), at most 28.
        max_digits: u8,
        /// Digits after the point (Django's `decimal_places`).
        decimal_places: u8,
    },
    /// A UUID: `UUID` on PostgreSQL, `BINARY(16)` on MySQL and MariaDB, a 16-byte `BLOB` on
    /// SQLite.
    Uuid,
    /// A span of time to the microsecond (Django's `DurationField`): `INTERVAL` on
    /// PostgreSQL, `BIGINT` microseconds elsewhere, as Django stores it.
    Duration,
    /// An IPv4 or IPv6 address (Django's `GenericIPAddressField`): `INET` on PostgreSQL,
    /// `VARCHAR(39)` holding its canonical text elsewhere.
    IpAddr,
    /// `u16` (Django's `PositiveSmallIntegerField`, to 65535): `SMALLINT UNSIGNED` on MySQL
    /// and MariaDB, `INTEGER` with a `CHECK` of its range elsewhere.
    UnsignedSmallInt,
    /// `u32` (Django's `PositiveIntegerField`, to 4294967295): `INT UNSIGNED` on MySQL and
    /// MariaDB, `BIGINT` with a `CHECK` of its range elsewhere.
    UnsignedInt,
    /// `u64` (Django's `PositiveBigIntegerField`): `BIGINT UNSIGNED` on MySQL and MariaDB (to
    /// `u64::MAX`); `BIGINT` with `CHECK (col >= 0)` elsewhere, which holds up to `i64::MAX`
    /// (a larger value is refused before any SQL).
    UnsignedBigInt,
    /// A PostgreSQL array (Django's `ArrayField`, a `Vec<T>` field): `INTEGER[]`, `TEXT[]`,
    /// ... Other backends have none, and refuse it with `ConfigError::Unsupported`.
    Array(ArrayOf),
}

impl ColumnType {
    /// The greatest value of an unsigned integer type; `None` for every other type.
    ///
    /// ```
    /// use kata::ColumnType;
    /// assert_eq!(ColumnType::UnsignedSmallInt.unsigned_max(), Some(65_535));
    /// assert_eq!(ColumnType::BigInt.unsigned_max(), None);
    /// ```
    pub const fn unsigned_max(self) -> Option<u64> {
        match self {
            ColumnType::UnsignedSmallInt => Some(u16::MAX as u64),
            ColumnType::UnsignedInt => Some(u32::MAX as u64),
            ColumnType::UnsignedBigInt => Some(u64::MAX),
            _ => None,
        }
    }

    /// Called by generated code: the column type of a field with its `max_digits` and
    /// `decimal_places`, checked when the model's metadata is built (at compile time).
    #[doc(hidden)]
    pub const fn __field(self, decimal: Option<(u8, u8)>) -> ColumnType {
        match (self, decimal) {
            (ColumnType::Decimal { .. }, Some((max_digits, decimal_places))) => {
                assert!(
                    max_digits >= 1 && max_digits <= 28,
                    "`max_digits` must be between 1 and 28 (what rust_decimal holds exactly)"
                );
                assert!(decimal_places <= max_digits, "`decimal_places` must not exceed `max_digits`");
                ColumnType::Decimal { max_digits, decimal_places }
            }
            (ColumnType::Decimal { max_digits: 0, .. }, None) => {
                panic!(
                    "a Decimal field needs `#[kata(max_digits = .., decimal_places = ..)]`, as Django's DecimalField"
                )
            }
            (_, Some(_)) => panic!("`max_digits` and `decimal_places` apply to Decimal fields only"),
            (ty, None) => ty,
        }
    }
}

/// A dynamically typed value: what a filter, an update or a default binds.
///
/// Values are always sent as bind parameters, never spliced into SQL text.
///
/// ```
/// use kata::{FieldType, Value};
/// assert_eq!("ann".to_string().into_value(), Value::Text("ann".into()));
/// assert_eq!(None::<i64>.into_value(), Value::Null(kata::ColumnType::BigInt));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// SQL `NULL` of a column type.
    Null(ColumnType),
    /// A boolean.
    Bool(bool),
    /// A 16-bit integer.
    SmallInt(i16),
    /// A 32-bit integer.
    Int(i32),
    /// A 64-bit integer.
    BigInt(i64),
    /// A 32-bit float.
    Float(f32),
    /// A 64-bit float.
    Double(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Bytes(Vec<u8>),
    /// A UTC timestamp.
    TimestampTz(DateTime<Utc>),
    /// A date.
    Date(NaiveDate),
    /// A timestamp without time zone.
    Timestamp(NaiveDateTime),
    /// A time of day.
    Time(NaiveTime),
    /// A JSON document.
    Json(serde_json::Value),
    /// An exact decimal.
    #[cfg(feature = "rust_decimal")]
    Decimal(rust_decimal::Decimal),
    /// A UUID.
    #[cfg(feature = "uuid")]
    Uuid(uuid::Uuid),
    /// A span of time.
    Duration(chrono::TimeDelta),
    /// An IP address.
    IpAddr(std::net::IpAddr),
    /// A 16-bit unsigned integer.
    UnsignedSmallInt(u16),
    /// A 32-bit unsigned integer.
    UnsignedInt(u32),
    /// A 64-bit unsigned integer.
    UnsignedBigInt(u64),
    /// A PostgreSQL array.
    Array(ArrayValue),
}

/// A Rust type that can be a model field: it knows its column type, how to bind itself as a
/// parameter and how to decode itself from a row.
///
/// kata implements it for `bool`, `i16`, `i32`, `i64`, `u16`, `u32`, `u64`, `f32`, `f64`, `String`, `Vec<u8>`,
/// chrono's `DateTime<Utc>`, `NaiveDate`, `NaiveDateTime`, `NaiveTime` and `TimeDelta`,
/// `serde_json::Value` and [`Json<T>`](crate::Json), `rust_decimal::Decimal` (feature
/// `rust_decimal`), `uuid::Uuid` (feature `uuid`), `std::net::IpAddr` (feature `ipnet`),
/// PostgreSQL arrays `Vec<T>` of an [`ArrayItem`], and `Option` of each (a nullable column).
///
/// # Your own types
///
/// A newtype of your own (an `Email`, a `Money` in cents) becomes a field type with public
/// items only: implement `FieldType` by delegating to a supported type ([`RowRef`] and
/// [`Args`] are opaque; hand them to that type's `decode` and `bind`), pick its
/// [`ColumnType`], and give its [`Value`]. Then opt in to what it supports:
///
/// - lookups, with the marker traits: [`Text`] (`contains`, `icontains`, `regex`, ...),
///   [`Ordered`] (`gt`, `range`, `Min`, `Max`), [`Numeric`] and [`Integral`] (arithmetic);
/// - the field rules: `max_length`, `email`, `min_length`, `url`, `slug` and `regex` read
///   [`as_text`](FieldType::as_text) and [`char_len`](FieldType::char_len);
///   `min_value`/`max_value` need [`Bounded`](crate::Bounded) (a `to_value` that is a
///   number); custom `validators(..)` run on assignments through
///   [`from_value`](FieldType::from_value);
/// - ModelSchema: `serde`'s `Serialize` and `Deserialize`, `schemars::JsonSchema` (through
///   [`kata::schemars`](crate::schemars); make it inline, so that a field's `maxLength` or
///   `format` sits beside its `type`), and `Default` for the schema's `Default` impl (or
///   `#[model_schema(.., no_default)]`).
///
/// ```
/// use kata::{Args, ColumnType, FieldType, Result, RowRef, Value};
///
/// /// An e-mail address, stored as text.
/// #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
/// #[serde(transparent)]
/// pub struct Email(pub String);
///
/// impl FieldType for Email {
///     type Inner = Email;
///     const COLUMN_TYPE: ColumnType = ColumnType::Text;
///     fn decode(row: RowRef<'_>, index: usize) -> Result<Self> {
///         String::decode(row, index).map(Email)
///     }
///     fn bind(&self, args: &mut Args) -> Result<()> {
///         self.0.bind(args)
///     }
///     fn to_value(&self) -> Value {
///         Value::Text(self.0.clone())
///     }
///     fn into_value(self) -> Value {
///         Value::Text(self.0)
///     }
///     fn from_value(value: &Value) -> Option<Self> {
///         String::from_value(value).map(Email)
///     }
///     fn char_len(&self) -> Option<usize> {
///         Some(self.0.chars().count())
///     }
///     fn as_text(&self) -> Option<&str> {
///         Some(&self.0)
///     }
/// }
/// impl kata::Text for Email {}
/// impl kata::Ordered for Email {}
///
/// impl kata::schemars::JsonSchema for Email {
///     fn inline_schema() -> bool {
///         true
///     }
///     fn schema_name() -> std::borrow::Cow<'static, str> {
///         "Email".into()
///     }
///     fn json_schema(_: &mut kata::schemars::SchemaGenerator) -> kata::schemars::Schema {
///         kata::schemars::json_schema!({ "type": "string", "format": "email" })
///     }
/// }
///
/// use kata::prelude::*;
///
/// #[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
/// #[model_schema(ContactOut, fields = "__all__")]
/// struct Contact {
///     #[kata(primary_key, auto)]
///     id: i64,
///     #[kata(max_length = 254, email)]
///     address: Email,
/// }
///
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// db.create_tables(&[Contact::meta()]).await?;
/// let mut ann = Contact { id: 0, address: Email("ann@example.com".into()) };
/// ann.asave(&db).await?;
/// let found = Contact::objects().filter(Contact::address.iendswith("EXAMPLE.COM")).alist(&db).await?;
/// assert_eq!(found, [ann.clone()]);
/// assert!(Contact { id: 0, address: Email("nope".into()) }.validate().is_err());
/// assert_eq!(serde_json::to_value(ContactOut::from(&ann)).unwrap()["address"], "ann@example.com");
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
///
/// `tests/custom_field_type.rs` in kata's repository does the same for a `Money` in cents,
/// on every backend.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a kata field type",
    label = "unsupported field type",
    note = "kata supports bool, i16, i32, i64, u16, u32, u64, f32, f64, String, Vec<u8>, chrono's DateTime<Utc>, NaiveDate, NaiveDateTime, NaiveTime and Duration, serde_json::Value, kata::Json<T>, rust_decimal::Decimal, uuid::Uuid and std::net::IpAddr (with their features), Vec<T> of bool, i16, i32, i64, f32, f64 or String (PostgreSQL arrays), Option of each, and types that implement `kata::FieldType`"
)]
pub trait FieldType: Sized + Send + Sync + 'static {
    /// The non-null type: `T` for `Option<T>`, `Self` otherwise. Lookup values have this type.
    type Inner: FieldType;
    /// The column's storage class.
    const COLUMN_TYPE: ColumnType;
    /// Whether the column is nullable (true only for `Option`).
    const NULLABLE: bool = false;
    /// Decodes column `index` of a row.
    fn decode(row: RowRef<'_>, index: usize) -> Result<Self>;
    /// Binds the value as the next statement parameter.
    fn bind(&self, args: &mut Args) -> Result<()>;
    /// A dynamic copy of the value.
    fn to_value(&self) -> Value;
    /// Converts into a dynamic value without copying.
    fn into_value(self) -> Value;
    /// Reads a [`Value`] of this type back: the inverse of [`into_value`](Self::into_value),
    /// `None` for a value of another type. kata calls it to run a field's custom validators
    /// (`#[kata(validators(..))]`) on a value given as an assignment (`Model::field.set(..)`
    /// holds a `Value`); with the default (`None`) they run on models and schemas only.
    ///
    /// ```
    /// use kata::{FieldType, Value};
    /// assert_eq!(i64::from_value(&Value::BigInt(7)), Some(7));
    /// assert_eq!(i64::from_value(&Value::Text("7".into())), None);
    /// assert_eq!(<Option<String>>::from_value(&Value::Null(kata::ColumnType::Text)), Some(None));
    /// ```
    fn from_value(value: &Value) -> Option<Self> {
        let _ = value;
        None
    }
    /// The length in characters, for text; used by `max_length` validation.
    fn char_len(&self) -> Option<usize> {
        None
    }
    /// The text, for text fields; used by `email` validation.
    fn as_text(&self) -> Option<&str> {
        None
    }
    /// SQL's NULL as a value of this type: `Some(None)` for an `Option`, `None` for types
    /// that cannot hold it (what an aggregate over no rows returns).
    #[doc(hidden)]
    fn __null() -> Option<Self> {
        None
    }
}

macro_rules! native_field_type {
    ($($ty:ty => $column:ident, $variant:ident;)*) => {$(
        impl FieldType for $ty {
            type Inner = $ty;
            const COLUMN_TYPE: ColumnType = ColumnType::$column;
            #[inline]
            fn decode(row: RowRef<'_>, index: usize) -> Result<Self> {
                decode_native(row, index)
            }
            #[inline]
            fn bind(&self, args: &mut Args) -> Result<()> {
                bind_native(self, args)
            }
            fn to_value(&self) -> Value {
                Value::$variant(self.clone())
            }
            fn into_value(self) -> Value {
                Value::$variant(self)
            }
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    Value::$variant(v) => Some(v.clone()),
                    _ => None,
                }
            }
        }
    )*};
}

native_field_type! {
    bool => Bool, Bool;
    i16 => SmallInt, SmallInt;
    i32 => Integer, Int;
    i64 => BigInt, BigInt;
    f32 => Float, Float;
    f64 => Double, Double;
    Vec<u8> => Bytes, Bytes;
    DateTime<Utc> => TimestampTz, TimestampTz;
    NaiveDate => Date, Date;
    NaiveDateTime => Timestamp, Timestamp;
    NaiveTime => Time, Time;
    serde_json::Value => Json, Json;
}

impl FieldType for String {
    type Inner = String;
    const COLUMN_TYPE: ColumnType = ColumnType::Text;
    #[inline]
    fn decode(row: RowRef<'_>, index: usize) -> Result<Self> {
        decode_native(row, index)
    }
    #[inline]
    fn bind(&self, args: &mut Args) -> Result<()> {
        bind_native(self, args)
    }
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
    fn into_value(self) -> Value {
        Value::Text(self)
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(v) => Some(v.clone()),
            _ => None,
        }
    }
    fn char_len(&self) -> Option<usize> {
        Some(self.chars().count())
    }
    fn as_text(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: FieldType> FieldType for Option<T> {
    type Inner = T;
    const COLUMN_TYPE: ColumnType = T::COLUMN_TYPE;
    const NULLABLE: bool = true;
    #[inline]
    fn decode(row: RowRef<'_>, index: usize) -> Result<Self> {
        if is_null(row, index)? { Ok(None) } else { T::decode(row, index).map(Some) }
    }
    #[inline]
    fn bind(&self, args: &mut Args) -> Result<()> {
        match self {
            Some(v) => v.bind(args),
            None => bind_null(T::COLUMN_TYPE, args),
        }
    }
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null(T::COLUMN_TYPE),
        }
    }
    fn into_value(self) -> Value {
        match self {
            Some(v) => v.into_value(),
            None => Value::Null(T::COLUMN_TYPE),
        }
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null(_) => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
    fn char_len(&self) -> Option<usize> {
        self.as_ref().and_then(T::char_len)
    }
    fn as_text(&self) -> Option<&str> {
        self.as_ref().and_then(T::as_text)
    }
    fn __null() -> Option<Self> {
        Some(None)
    }
}

pub(crate) use crate::driver::is_null;

/// Field types whose values have an order: `gt`, `gte`, `lt`, `lte`, `range`, `Min`, `Max`.
pub trait Ordered: FieldType {}
/// Text field types: `contains`, `icontains`, `startswith`, `regex`, ... and `iexact`.
pub trait Text: FieldType {}
/// Numeric field types: arithmetic in `F` expressions, `Sum` and `Avg`.
pub trait Numeric: FieldType {
    /// The type `Sum` returns: `i64` for integers, `f64` for floats, `Decimal` for decimals.
    type Sum: FieldType;
    /// The type `Avg` returns: `f64`, or `Decimal` for decimals (as Django's `Avg` of a
    /// `DecimalField`).
    type Avg: FieldType;
}
/// Integer field types: `%`, the bitwise operators and shifts in `F` expressions.
pub trait Integral: Numeric {}
/// Field types with a date part: the `year`, `month` and `day` transforms.
pub trait DateLike: FieldType {}
/// Field types with a time part: the `hour`, `minute` and `second` transforms.
pub trait TimeLike: FieldType {}

/// Integer types that a database can assign as an `auto` primary key.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an `auto` primary key",
    label = "`auto` needs an integer field",
    note = "use i16, i32 or i64 for a database-assigned key"
)]
pub trait AutoKey: FieldType + Copy + PartialEq {
    /// Converts the key the database assigned.
    fn from_i64(value: i64) -> Result<Self>;
    /// The value that marks a model not yet saved (zero).
    fn unsaved() -> Self;
}

macro_rules! markers {
    (ordered: $($o:ty),*; text: $($t:ty),*; numeric: $($n:ty => $s:ty),*; date: $($d:ty),*; time: $($h:ty),*;) => {
        $(impl Ordered for $o {})*
        $(impl Text for $t {})*
        $(impl Numeric for $n { type Sum = $s; type Avg = f64; })*
        $(impl DateLike for $d {})*
        $(impl TimeLike for $h {})*
    };
}
markers! {
    ordered: i16, i32, i64, u16, u32, u64, f32, f64, String, DateTime<Utc>, NaiveDate, NaiveDateTime, NaiveTime;
    text: String;
    numeric: i16 => i64, i32 => i64, i64 => i64, u16 => i64, u32 => i64, f32 => f64, f64 => f64;
    date: DateTime<Utc>, NaiveDate, NaiveDateTime;
    time: DateTime<Utc>, NaiveDateTime, NaiveTime;
}
impl Integral for i16 {}
impl Integral for i32 {}
impl Integral for i64 {}
impl Integral for u16 {}
impl Integral for u32 {}

macro_rules! auto_key {
    ($($ty:ty),*) => {$(
        impl AutoKey for $ty {
            fn from_i64(value: i64) -> Result<Self> {
                <$ty>::try_from(value).map_err(|e| Error::decode(format!(
                    "the database-assigned key {value} as {}", stringify!($ty)
                ), e))
            }
            fn unsaved() -> Self {
                0
            }
        }
    )*};
}
auto_key!(i16, i32, i64);
