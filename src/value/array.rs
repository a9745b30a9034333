//! PostgreSQL arrays (Django's `ArrayField`): a `Vec<T>` field of booleans, integers,
//! floats or texts. Other backends have no array column; kata refuses such a field there
//! with `ConfigError::Unsupported` before any SQL (creating its table, writing or reading
//! it), as Django's `ArrayField` exists for PostgreSQL only.

use super::{ColumnType, FieldType, Value};
use crate::driver::{Args, RowRef};
use crate::error::Result;

/// The element type of an array column ([`ColumnType::Array`]).
///
/// ```
/// use kata::{ArrayOf, ColumnType, FieldType};
/// assert_eq!(<Vec<i32> as FieldType>::COLUMN_TYPE, ColumnType::Array(ArrayOf::Integer));
/// assert_eq!(<Option<Vec<String>> as FieldType>::COLUMN_TYPE, ColumnType::Array(ArrayOf::Text));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArrayOf {
    /// `BOOLEAN[]` (`Vec<bool>`).
    Bool,
    /// `SMALLINT[]` (`Vec<i16>`).
    SmallInt,
    /// `INTEGER[]` (`Vec<i32>`).
    Integer,
    /// `BIGINT[]` (`Vec<i64>`).
    BigInt,
    /// `REAL[]` (`Vec<f32>`).
    Float,
    /// `DOUBLE PRECISION[]` (`Vec<f64>`).
    Double,
    /// `TEXT[]` (`Vec<String>`).
    Text,
}

impl ArrayOf {
    /// The element type of arrays of `ty`, if kata has such arrays.
    ///
    /// ```
    /// use kata::{ArrayOf, ColumnType};
    /// assert_eq!(ArrayOf::of(ColumnType::BigInt), Some(ArrayOf::BigInt));
    /// assert_eq!(ArrayOf::of(ColumnType::Json), None);
    /// ```
    pub const fn of(ty: ColumnType) -> Option<ArrayOf> {
        Some(match ty {
            ColumnType::Bool => ArrayOf::Bool,
            ColumnType::SmallInt => ArrayOf::SmallInt,
            ColumnType::Integer => ArrayOf::Integer,
            ColumnType::BigInt => ArrayOf::BigInt,
            ColumnType::Float => ArrayOf::Float,
            ColumnType::Double => ArrayOf::Double,
            ColumnType::Text => ArrayOf::Text,
            _ => return None,
        })
    }
}

/// The value of an array column: one vector per element type.
///
/// ```
/// use kata::{ArrayValue, FieldType, Value};
/// assert_eq!(vec![1, 2].into_value(), Value::Array(ArrayValue::Integer(vec![1, 2])));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ArrayValue {
    /// Booleans.
    Bool(Vec<bool>),
    /// 16-bit integers.
    SmallInt(Vec<i16>),
    /// 32-bit integers.
    Integer(Vec<i32>),
    /// 64-bit integers.
    BigInt(Vec<i64>),
    /// 32-bit floats.
    Float(Vec<f32>),
    /// 64-bit floats.
    Double(Vec<f64>),
    /// Texts.
    Text(Vec<String>),
}

/// One arm per element type: `body` written once, with `v` the vector of that type.
macro_rules! each_array {
    ($value:expr, |$v:ident| $body:expr) => {
        match $value {
            ArrayValue::Bool($v) => $body,
            ArrayValue::SmallInt($v) => $body,
            ArrayValue::Integer($v) => $body,
            ArrayValue::BigInt($v) => $body,
            ArrayValue::Float($v) => $body,
            ArrayValue::Double($v) => $body,
            ArrayValue::Text($v) => $body,
        }
    };
}

impl ArrayValue {
    /// Binds the array as the next parameter (PostgreSQL only).
    pub(crate) fn bind(&self, args: &mut Args) -> Result<()> {
        each_array!(self, |v| ArrayItem::bind_slice(v.as_slice(), args))
    }

    /// Decodes column `index` as an array of `of`, `None` for NULL.
    pub(crate) fn decode(row: RowRef<'_>, index: usize, of: ArrayOf) -> Result<Option<ArrayValue>> {
        Ok(match of {
            ArrayOf::Bool => bool::decode_vec(row, index)?.map(ArrayValue::Bool),
            ArrayOf::SmallInt => i16::decode_vec(row, index)?.map(ArrayValue::SmallInt),
            ArrayOf::Integer => i32::decode_vec(row, index)?.map(ArrayValue::Integer),
            ArrayOf::BigInt => i64::decode_vec(row, index)?.map(ArrayValue::BigInt),
            ArrayOf::Float => f32::decode_vec(row, index)?.map(ArrayValue::Float),
            ArrayOf::Double => f64::decode_vec(row, index)?.map(ArrayValue::Double),
            ArrayOf::Text => String::decode_vec(row, index)?.map(ArrayValue::Text),
        })
    }

    /// Binds a NULL array of `of`.
    pub(crate) fn bind_null(of: ArrayOf, args: &mut Args) -> Result<()> {
        use crate::driver::bind_null_pg_array as null;
        match of {
            ArrayOf::Bool => null::<bool>(args),
            ArrayOf::SmallInt => null::<i16>(args),
            ArrayOf::Integer => null::<i32>(args),
            ArrayOf::BigInt => null::<i64>(args),
            ArrayOf::Float => null::<f32>(args),
            ArrayOf::Double => null::<f64>(args),
            ArrayOf::Text => null::<String>(args),
        }
    }

    /// Feeds the elements to a hasher, for values used as keys.
    pub(crate) fn hash_into(&self, state: &mut impl std::hash::Hasher) {
        use std::hash::Hash as _;
        std::mem::discriminant(self).hash(state);
        each_array!(self, |v| v.iter().for_each(|x| x.hash_item(state)))
    }
}

mod sealed {
    pub trait Sealed {}
}

/// The element types of a `Vec<T>` array field: `bool`, `i16`, `i32`, `i64`, `f32`, `f64`
/// and `String`. (`Vec<u8>` is a byte string, not an array.) Sealed: PostgreSQL arrays of
/// other types are not in kata yet.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the element of an array field",
    label = "not an array element type",
    note = "a Vec<T> field is a PostgreSQL array of bool, i16, i32, i64, f32, f64 or String (Vec<u8> is a byte string)"
)]
pub trait ArrayItem: FieldType + Clone + sealed::Sealed {
    /// The array's element type.
    const OF: ArrayOf;
    /// Wraps a vector of this type.
    #[doc(hidden)]
    fn wrap(values: Vec<Self>) -> ArrayValue;
    /// The vector of this type inside `value`, if it holds this type.
    #[doc(hidden)]
    fn unwrap(value: &ArrayValue) -> Option<Vec<Self>>;
    /// Binds `values` as one array parameter.
    #[doc(hidden)]
    fn bind_slice(values: &[Self], args: &mut Args) -> Result<()>;
    /// Reads column `index` as an array of this type, `None` for NULL.
    #[doc(hidden)]
    fn decode_vec(row: RowRef<'_>, index: usize) -> Result<Option<Vec<Self>>>;
    /// Feeds the element to a hasher (a float by its bits).
    #[doc(hidden)]
    fn hash_item(&self, state: &mut impl std::hash::Hasher);
}

macro_rules! array_items {
    ($($ty:ty => $variant:ident, |$x:ident| $hashed:expr;)*) => {$(
        impl sealed::Sealed for $ty {}
        impl ArrayItem for $ty {
            const OF: ArrayOf = ArrayOf::$variant;
            fn wrap(values: Vec<Self>) -> ArrayValue {
                ArrayValue::$variant(values)
            }
            fn unwrap(value: &ArrayValue) -> Option<Vec<Self>> {
                match value {
                    ArrayValue::$variant(v) => Some(v.clone()),
                    _ => None,
                }
            }
            fn bind_slice(values: &[Self], args: &mut Args) -> Result<()> {
                crate::driver::bind_pg_array(values, args)
            }
            fn decode_vec(row: RowRef<'_>, index: usize) -> Result<Option<Vec<Self>>> {
                crate::driver::decode_pg_array(row, index)
            }
            fn hash_item(&self, state: &mut impl std::hash::Hasher) {
                let $x = self;
                std::hash::Hash::hash(&$hashed, state)
            }
        }
    )*};
}
array_items! {
    bool => Bool, |x| x;
    i16 => SmallInt, |x| x;
    i32 => Integer, |x| x;
    i64 => BigInt, |x| x;
    f32 => Float, |x| x.to_bits();
    f64 => Double, |x| x.to_bits();
    String => Text, |x| x;
}

/// `Vec<T>` of an [`ArrayItem`], Django's `ArrayField`: an array column on PostgreSQL
/// (`INTEGER[]`, `TEXT[]`, ...), with the lookups `contains`, `contained_by`, `overlap`,
/// `len` and `at`, and `ArrayAgg`. Refused with `ConfigError::Unsupported` on other
/// backends, before any SQL.
impl<T: ArrayItem> FieldType for Vec<T> {
    type Inner = Vec<T>;
    const COLUMN_TYPE: ColumnType = ColumnType::Array(T::OF);
    fn decode(row: RowRef<'_>, index: usize) -> Result<Self> {
        T::decode_vec(row, index)?
            .ok_or_else(|| crate::Error::decode_msg(format!("column {index}: unexpected NULL")))
    }
    fn bind(&self, args: &mut Args) -> Result<()> {
        T::bind_slice(self, args)
    }
    fn to_value(&self) -> Value {
        Value::Array(T::wrap(self.clone()))
    }
    fn into_value(self) -> Value {
        Value::Array(T::wrap(self))
    }
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Array(array) => T::unwrap(array),
            _ => None,
        }
    }
}
