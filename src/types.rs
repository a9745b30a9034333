//! Field types that pull a dependency, each behind the cargo feature of the same name (as
//! in sqlx): `rust_decimal::Decimal` (Django's `DecimalField`) and `uuid::Uuid`
//! (`UUIDField`); and those whose storage differs per backend (durations, unsigned integers). How a backend stores them is the driver's and the dialect's business;
//! this module holds their `FieldType` impls, their validation, and SQLite's text form of a
//! decimal.

use crate::error::ValidationErrors;
use crate::value::{ColumnType, FieldType, Value};

#[cfg(feature = "rust_decimal")]
mod decimal {
    use rust_decimal::Decimal;

    use crate::driver::{Args, RowRef, bind_decimal, decode_decimal};
    use crate::error::{Error, Result};
    use crate::value::{ColumnType, FieldType, Ordered, Value};

    /// `rust_decimal::Decimal`, Django's `DecimalField`: state its precision on the field,
    /// `#[kata(max_digits = 10, decimal_places = 2)]`. Values read back are normalized
    /// (`1.50` reads as `1.5`, equal to it) on every backend.
    impl FieldType for Decimal {
        type Inner = Decimal;
        const COLUMN_TYPE: ColumnType = ColumnType::Decimal { max_digits: 0, decimal_places: 0 };
        fn decode(row: RowRef<'_>, index: usize) -> Result<Self> {
            decode_decimal(row, index)
        }
        fn bind(&self, args: &mut Args) -> Result<()> {
            bind_decimal(*self, args)
        }
        fn to_value(&self) -> Value {
            Value::Decimal(*self)
        }
        fn into_value(self) -> Value {
            Value::Decimal(self)
        }
        fn from_value(value: &Value) -> Option<Self> {
            match value {
                Value::Decimal(v) => Some(*v),
                _ => None,
            }
        }
    }
    impl Ordered for Decimal {}
    /// Exact arithmetic, `Sum` and `Avg` on PostgreSQL, MySQL and MariaDB; refused on
    /// SQLite, where a decimal is kept as text (see the README's backend table).
    impl crate::value::Numeric for Decimal {
        type Sum = Decimal;
        type Avg = Decimal;
    }

    /// Digits before the point, in SQLite's text form; 29 hold every `Decimal`.
    const WHOLE: usize = 29;
    /// Digits after the point; rust_decimal's largest scale.
    const FRACTION: usize = 28;

    /// SQLite's text form of a decimal, which sorts as the numbers do under SQLite's binary
    /// collation: `P` or `N` for the sign, 29 digits, `.`, 28 digits, each digit of a negative
    /// number replaced by its nine's complement (so a larger magnitude sorts first). Fixed
    /// width and canonical, so `=`, `<`, `ORDER BY`, `MIN` and `MAX` are exact.
    pub(crate) fn to_sortable(value: Decimal) -> String {
        let negative = value.is_sign_negative() && !value.is_zero();
        let scale = value.scale();
        let mantissa = value.mantissa().unsigned_abs();
        let unit = 10u128.pow(scale);
        let whole = mantissa / unit;
        let fraction = mantissa % unit;
        let mut digits = format!("{whole:0WHOLE$}.");
        if scale > 0 {
            digits.push_str(&format!("{fraction:0width$}", width = scale as usize));
        }
        while digits.len() < WHOLE + 1 + FRACTION {
            digits.push('0');
        }
        let mut out = String::with_capacity(digits.len() + 1);
        out.push(if negative { 'N' } else { 'P' });
        out.extend(digits.chars().map(|c| match c.to_digit(10) {
            Some(d) if negative => char::from(b'0' + (9 - d as u8)),
            _ => c,
        }));
        out
    }

    /// Reads SQLite's text form back.
    pub(crate) fn from_sortable(text: &str) -> Result<Decimal> {
        let bad = || Error::decode_msg(format!("{text:?} is not kata's text form of a decimal"));
        let mut chars = text.chars();
        let negative = match chars.next() {
            Some('N') => true,
            Some('P') => false,
            _ => return Err(bad()),
        };
        let mut digits = String::with_capacity(text.len());
        for c in chars {
            match c.to_digit(10) {
                Some(d) if negative => digits.push(char::from(b'0' + (9 - d as u8))),
                Some(_) => digits.push(c),
                None if c == '.' => digits.push(c),
                None => return Err(bad()),
            }
        }
        let (whole, fraction) = digits.split_once('.').ok_or_else(bad)?;
        let whole = whole.trim_start_matches('0');
        let fraction = fraction.trim_end_matches('0');
        let text = format!(
            "{}{}.{}",
            if negative { "-" } else { "" },
            if whole.is_empty() { "0" } else { whole },
            fraction
        );
        text.trim_end_matches('.').parse::<Decimal>().map_err(|e| Error::decode("a decimal", e))
    }

    /// `(digits before the point, digits after it)` of the value, trailing zeros dropped.
    pub(super) fn digits(value: Decimal) -> (u32, u32) {
        let value = value.normalize();
        let places = value.scale();
        let mantissa = value.mantissa().unsigned_abs();
        let all = if mantissa == 0 { 0 } else { mantissa.ilog10() + 1 };
        (all.saturating_sub(places), places)
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use std::str::FromStr;

        #[test]
        fn sortable_text_sorts_as_the_numbers_and_reads_back() {
            let numbers = [
                Decimal::MIN,
                Decimal::from_str("-12.5").unwrap(),
                Decimal::from_str("-12.25").unwrap(),
                Decimal::from_str("-1").unwrap(),
                Decimal::from_str("-0.0000000000000000000000000001").unwrap(),
                Decimal::ZERO,
                Decimal::from_str("0.0000000000000000000000000001").unwrap(),
                Decimal::from_str("1.50").unwrap(),
                Decimal::from_str("99999999.99").unwrap(),
                Decimal::MAX,
            ];
            let texts: Vec<String> = numbers.iter().map(|d| to_sortable(*d)).collect();
            let mut sorted = texts.clone();
            sorted.sort();
            assert_eq!(sorted, texts);
            for (d, t) in numbers.iter().zip(&texts) {
                assert_eq!(t.len(), 1 + WHOLE + 1 + FRACTION);
                assert_eq!(from_sortable(t).unwrap(), *d, "{t}");
            }
            assert_eq!(
                to_sortable(Decimal::from_str("1.5").unwrap()),
                to_sortable(Decimal::from_str("1.500").unwrap())
            );
            assert_eq!(to_sortable(-Decimal::ZERO), to_sortable(Decimal::ZERO));
            assert!(from_sortable("12.5").is_err());
        }

        #[test]
        fn digits_count_whole_and_fraction() {
            assert_eq!(digits(Decimal::from_str("123.4500").unwrap()), (3, 2));
            assert_eq!(digits(Decimal::from_str("0.05").unwrap()), (0, 2));
            assert_eq!(digits(Decimal::ZERO), (0, 0));
            assert_eq!(digits(Decimal::from_str("-1000").unwrap()), (4, 0));
        }
    }
}

#[cfg(feature = "rust_decimal")]
pub(crate) use decimal::{from_sortable as decimal_from_sortable, to_sortable as decimal_to_sortable};

#[cfg(feature = "uuid")]
mod uuid_type {
    use uuid::Uuid;

    use crate::driver::{Args, RowRef, bind_native, decode_native};
    use crate::error::Result;
    use crate::value::{ColumnType, FieldType, Ordered, Value};

    /// `uuid::Uuid`, Django's `UUIDField`; `#[kata(default = uuid4)]` gives a new random
    /// UUID to inserts that leave it out, like Django's `default=uuid.uuid4`.
    impl FieldType for Uuid {
        type Inner = Uuid;
        const COLUMN_TYPE: ColumnType = ColumnType::Uuid;
        fn decode(row: RowRef<'_>, index: usize) -> Result<Self> {
            decode_native(row, index)
        }
        fn bind(&self, args: &mut Args) -> Result<()> {
            bind_native(self, args)
        }
        fn to_value(&self) -> Value {
            Value::Uuid(*self)
        }
        fn into_value(self) -> Value {
            Value::Uuid(self)
        }
        fn from_value(value: &Value) -> Option<Self> {
            match value {
                Value::Uuid(v) => Some(*v),
                _ => None,
            }
        }
    }
    /// Ordered by their bytes on every backend.
    impl Ordered for Uuid {}
}

mod duration {
    use chrono::TimeDelta;

    use crate::driver::{Args, RowRef, bind_duration, decode_duration};
    use crate::error::Result;
    use crate::value::{ColumnType, FieldType, Ordered, Value};

    /// `chrono::Duration` (`TimeDelta`), Django's `DurationField`, to the microsecond:
    /// `INTERVAL` on PostgreSQL, `BIGINT` microseconds on SQLite, MySQL and MariaDB.
    /// Negative durations are kept; a finer value is refused rather than rounded.
    impl FieldType for TimeDelta {
        type Inner = TimeDelta;
        const COLUMN_TYPE: ColumnType = ColumnType::Duration;
        fn decode(row: RowRef<'_>, index: usize) -> Result<Self> {
            decode_duration(row, index)
        }
        fn bind(&self, args: &mut Args) -> Result<()> {
            bind_duration(*self, args)
        }
        fn to_value(&self) -> Value {
            Value::Duration(*self)
        }
        fn into_value(self) -> Value {
            Value::Duration(self)
        }
        fn from_value(value: &Value) -> Option<Self> {
            match value {
                Value::Duration(v) => Some(*v),
                _ => None,
            }
        }
    }
    impl Ordered for TimeDelta {}
}

mod unsigned {
    use crate::driver::{Args, RowRef, bind_unsigned, decode_unsigned};
    use crate::error::Result;
    use crate::value::{ColumnType, FieldType, Value};

    macro_rules! unsigned_field_type {
        ($($ty:ty => $variant:ident, $django:literal;)*) => {$(
            #[doc = concat!("`", stringify!($ty), "`, Django's `", $django, "`: an `UNSIGNED` column on MySQL and")]
            /// MariaDB, a wider signed one with a `CHECK` of the range on PostgreSQL and SQLite
            /// (see [`ColumnType`]).
            impl FieldType for $ty {
                type Inner = $ty;
                const COLUMN_TYPE: ColumnType = ColumnType::$variant;
                fn decode(row: RowRef<'_>, index: usize) -> Result<Self> {
                    decode_unsigned(row, index)
                }
                fn bind(&self, args: &mut Args) -> Result<()> {
                    bind_unsigned(u64::from(*self), ColumnType::$variant, args)
                }
                fn to_value(&self) -> Value {
                    Value::$variant(*self)
                }
                fn into_value(self) -> Value {
                    Value::$variant(self)
                }
                fn from_value(value: &Value) -> Option<Self> {
                    match value {
                        Value::$variant(v) => Some(*v),
                        _ => None,
                    }
                }
            }
        )*};
    }
    unsigned_field_type! {
        u16 => UnsignedSmallInt, "PositiveSmallIntegerField";
        u32 => UnsignedInt, "PositiveIntegerField";
        u64 => UnsignedBigInt, "PositiveBigIntegerField";
    }
}

#[cfg(feature = "ipnet")]
mod ip {
    use std::net::IpAddr;

    use crate::driver::{Args, RowRef, bind_ip, decode_ip};
    use crate::error::Result;
    use crate::value::{ColumnType, FieldType, Value};

    /// `std::net::IpAddr`, Django's `GenericIPAddressField` (IPv4 and IPv6): `INET` on
    /// PostgreSQL, the address's canonical text (RFC 5952 for IPv6) in a `VARCHAR(39)`
    /// elsewhere, so equality agrees everywhere. Not [`Ordered`](crate::Ordered): text and
    /// `INET` order addresses differently.
    impl FieldType for IpAddr {
        type Inner = IpAddr;
        const COLUMN_TYPE: ColumnType = ColumnType::IpAddr;
        fn decode(row: RowRef<'_>, index: usize) -> Result<Self> {
            decode_ip(row, index)
        }
        fn bind(&self, args: &mut Args) -> Result<()> {
            bind_ip(*self, args)
        }
        fn to_value(&self) -> Value {
            Value::IpAddr(*self)
        }
        fn into_value(self) -> Value {
            Value::IpAddr(self)
        }
        fn from_value(value: &Value) -> Option<Self> {
            match value {
                Value::IpAddr(v) => Some(*v),
                _ => None,
            }
        }
    }
}

/// A typed JSON column (Django's `JSONField` with a shape): any `Serialize +
/// DeserializeOwned` type, stored as `serde_json::Value` is (`JSONB` on PostgreSQL, `JSON`
/// on MySQL and MariaDB, text on SQLite), and read back into `T`. Serialises, deserialises
/// and describes itself in JSON Schema exactly as `T`.
///
/// ```
/// use kata::Json;
/// use kata::prelude::*;
///
/// #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema, Debug, Clone, PartialEq)]
/// struct Settings { theme: String, tags: Vec<String> }
///
/// #[derive(Model, Debug, Clone, PartialEq)]
/// struct Profile { #[kata(primary_key, auto)] id: i64, settings: Json<Settings> }
///
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// db.create_tables(&[Profile::meta()]).await?;
/// let settings = Json(Settings { theme: "dark".into(), tags: vec!["ünï".into()] });
/// let mut p = Profile { id: 0, settings: settings.clone() };
/// p.asave(&db).await?;
/// assert_eq!(Profile::objects().aget(&db, Profile::id.eq(p.id)).await?.settings, settings);
/// assert_eq!(p.settings.theme, "dark"); // Json<T> derefs to T
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(transparent)]
pub struct Json<T>(pub T);

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> FieldType for Json<T>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
{
    type Inner = Json<T>;
    const COLUMN_TYPE: ColumnType = ColumnType::Json;
    fn decode(row: crate::RowRef<'_>, index: usize) -> crate::Result<Self> {
        let value = serde_json::Value::decode(row, index)?;
        serde_json::from_value(value)
            .map(Json)
            .map_err(|e| crate::Error::decode(format!("column {index} as {}", std::any::type_name::<T>()), e))
    }
    fn bind(&self, args: &mut crate::Args) -> crate::Result<()> {
        let value = serde_json::to_value(&self.0).map_err(|e| crate::driver::encode_error(Box::new(e)))?;
        value.bind(args)
    }
    /// The JSON document; a value that cannot be serialised (a map with non-string keys)
    /// is `null` here, and an error where it is written through [`bind`](Self::bind).
    fn to_value(&self) -> Value {
        Value::Json(serde_json::to_value(&self.0).unwrap_or(serde_json::Value::Null))
    }
    fn into_value(self) -> Value {
        self.to_value()
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Json(v) => serde_json::from_value(v.clone()).ok().map(Json),
            _ => None,
        }
    }
}

/// Checks a value against its column's precision: a decimal's `max_digits` and
/// `decimal_places`, with Django's codes (`max_digits`, `max_decimal_places`,
/// `max_whole_digits`). Other values pass.
pub(crate) fn check_value(ty: ColumnType, value: &Value, field: &str, errors: &mut ValidationErrors) {
    #[cfg(feature = "rust_decimal")]
    if let (ColumnType::Decimal { max_digits, decimal_places }, Value::Decimal(d)) = (ty, value) {
        let (whole, places) = decimal::digits(*d);
        let (max_digits, decimal_places) = (u32::from(max_digits), u32::from(decimal_places));
        let mut params = serde_json::Map::new();
        params.insert("max_digits".into(), max_digits.into());
        params.insert("decimal_places".into(), decimal_places.into());
        if whole + places > max_digits {
            errors.add_with(field, "max_digits", format!("at most {max_digits} digits in total"), params);
        } else if places > decimal_places {
            let message = format!("at most {decimal_places} decimal places");
            errors.add_with(field, "max_decimal_places", message, params);
        } else if whole > max_digits - decimal_places {
            let message = format!("at most {} digits before the decimal point", max_digits - decimal_places);
            errors.add_with(field, "max_whole_digits", message, params);
        }
    }
    let _ = (ty, value, field, errors);
}

/// Called by generated code: checks a field's value against its column type's precision
/// (a decimal's `max_digits` and `decimal_places`).
#[doc(hidden)]
pub fn validate_column<T: FieldType>(value: &T, ty: ColumnType, field: &str, errors: &mut ValidationErrors) {
    if matches!(ty, ColumnType::Decimal { .. }) {
        check_value(ty, &value.to_value(), field, errors);
    }
}
