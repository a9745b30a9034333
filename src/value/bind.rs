//! A [`Value`] as a bind parameter (alone, as PostgreSQL's array of an `IN` list, or as a
//! typed NULL) and read back from a row by column type.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::{ColumnType, FieldType, Value};
use crate::driver::{Args, RowRef, bind_native};
use crate::error::{Error, Result};

impl Value {
    /// Binds this value as the next parameter.
    pub(crate) fn bind(&self, args: &mut Args) -> Result<()> {
        match self {
            Value::Null(ty) => bind_null(*ty, args),
            Value::Bool(v) => bind_native(v, args),
            Value::SmallInt(v) => bind_native(v, args),
            Value::Int(v) => bind_native(v, args),
            Value::BigInt(v) => bind_native(v, args),
            Value::Float(v) => bind_native(v, args),
            Value::Double(v) => bind_native(v, args),
            Value::Text(v) => bind_native(v, args),
            Value::Bytes(v) => bind_native(v, args),
            Value::TimestampTz(v) => bind_native(v, args),
            Value::Date(v) => bind_native(v, args),
            Value::Timestamp(v) => bind_native(v, args),
            Value::Time(v) => bind_native(v, args),
            Value::Json(v) => bind_native(v, args),
            #[cfg(feature = "rust_decimal")]
            Value::Decimal(v) => crate::driver::bind_decimal(*v, args),
            #[cfg(feature = "uuid")]
            Value::Uuid(v) => bind_native(v, args),
            Value::Duration(v) => crate::driver::bind_duration(*v, args),
            Value::IpAddr(v) => crate::driver::bind_ip(*v, args),
            Value::UnsignedSmallInt(v) => {
                crate::driver::bind_unsigned(u64::from(*v), ColumnType::UnsignedSmallInt, args)
            }
            Value::UnsignedInt(v) => {
                crate::driver::bind_unsigned(u64::from(*v), ColumnType::UnsignedInt, args)
            }
            Value::UnsignedBigInt(v) => crate::driver::bind_unsigned(*v, ColumnType::UnsignedBigInt, args),
            Value::Array(v) => v.bind(args),
        }
    }

    /// The length in characters, for text values.
    pub(crate) fn char_len(&self) -> Option<usize> {
        match self {
            Value::Text(s) => Some(s.chars().count()),
            _ => None,
        }
    }

    /// Binds a list of values of one column type as a single array parameter (PostgreSQL's
    /// `col = ANY($1)`).
    pub(crate) fn bind_array(ty: ColumnType, values: &[Value], args: &mut Args) -> Result<()> {
        use crate::driver::bind_array;
        macro_rules! collect {
            ($variant:ident) => {
                bind_array(
                    gather(values, |v| match v {
                        Value::$variant(x) => Some(x.clone()),
                        _ => None,
                    })?,
                    args,
                )
            };
        }
        match ty {
            ColumnType::Bool => collect!(Bool),
            ColumnType::SmallInt => collect!(SmallInt),
            ColumnType::Integer => collect!(Int),
            ColumnType::BigInt => collect!(BigInt),
            ColumnType::Float => collect!(Float),
            ColumnType::Double => collect!(Double),
            ColumnType::Text => collect!(Text),
            ColumnType::Bytes => collect!(Bytes),
            ColumnType::TimestampTz => collect!(TimestampTz),
            ColumnType::Date => collect!(Date),
            ColumnType::Timestamp => collect!(Timestamp),
            ColumnType::Time => collect!(Time),
            ColumnType::Json => collect!(Json),
            #[cfg(feature = "rust_decimal")]
            ColumnType::Decimal { .. } => collect!(Decimal),
            #[cfg(feature = "uuid")]
            ColumnType::Uuid => collect!(Uuid),
            ColumnType::Duration => {
                let out = gather(values, |v| match v {
                    Value::Duration(x) => Some(*x),
                    _ => None,
                })?;
                crate::driver::bind_duration_array(out, args)
            }
            ColumnType::IpAddr => {
                let out = gather(values, |v| match v {
                    Value::IpAddr(x) => Some(*x),
                    _ => None,
                })?;
                crate::driver::bind_ip_array(out, args)
            }
            ColumnType::UnsignedSmallInt | ColumnType::UnsignedInt | ColumnType::UnsignedBigInt => {
                let out = gather(values, |v| match v {
                    Value::UnsignedSmallInt(x) => Some(u64::from(*x)),
                    Value::UnsignedInt(x) => Some(u64::from(*x)),
                    Value::UnsignedBigInt(x) => Some(*x),
                    _ => None,
                })?;
                crate::driver::bind_unsigned_array(out, ty, args)
            }
            // `is_in` refuses arrays before any SQL; other lists are of a feature that is off.
            #[allow(unreachable_patterns)]
            _ => Err(Error::Internal("a list of a type without array parameters")),
        }
    }
}

/// The values of an `IN` list as the element type `pick` reads (NULL as `None`); a value of
/// another type is an internal error (a list is built from one field's type).
fn gather<T>(values: &[Value], pick: impl Fn(&Value) -> Option<T>) -> Result<Vec<Option<T>>> {
    values
        .iter()
        .map(|v| match v {
            Value::Null(_) => Ok(None),
            v => pick(v).map(Some).ok_or(Error::Internal("mixed value types in one IN list")),
        })
        .collect()
}

pub(super) fn bind_null(ty: ColumnType, args: &mut Args) -> Result<()> {
    match ty {
        ColumnType::Bool => bind_native(&None::<bool>, args),
        ColumnType::SmallInt => bind_native(&None::<i16>, args),
        ColumnType::Integer => bind_native(&None::<i32>, args),
        ColumnType::BigInt => bind_native(&None::<i64>, args),
        ColumnType::Float => bind_native(&None::<f32>, args),
        ColumnType::Double => bind_native(&None::<f64>, args),
        ColumnType::Text => bind_native(&None::<String>, args),
        ColumnType::Bytes => bind_native(&None::<Vec<u8>>, args),
        ColumnType::TimestampTz => bind_native(&None::<DateTime<Utc>>, args),
        ColumnType::Date => bind_native(&None::<NaiveDate>, args),
        ColumnType::Timestamp => bind_native(&None::<NaiveDateTime>, args),
        ColumnType::Time => bind_native(&None::<NaiveTime>, args),
        ColumnType::Json => bind_native(&None::<serde_json::Value>, args),
        ColumnType::Decimal { .. } => crate::driver::bind_null_decimal(args),
        #[cfg(feature = "uuid")]
        ColumnType::Uuid => bind_native(&None::<uuid::Uuid>, args),
        #[cfg(not(feature = "uuid"))]
        ColumnType::Uuid => bind_native(&None::<Vec<u8>>, args),
        ColumnType::Duration => crate::driver::bind_null_duration(args),
        ColumnType::IpAddr => crate::driver::bind_null_ip(args),
        ColumnType::UnsignedSmallInt | ColumnType::UnsignedInt | ColumnType::UnsignedBigInt => {
            crate::driver::bind_null_unsigned(ty, args)
        }
        ColumnType::Array(of) => super::ArrayValue::bind_null(of, args),
    }
}

impl Value {
    /// Decodes column `index` as a value of column type `ty`.
    pub(crate) fn decode(row: RowRef<'_>, index: usize, ty: ColumnType, nullable: bool) -> Result<Value> {
        macro_rules! read {
            ($t:ty, $variant:ident) => {
                match <Option<$t>>::decode(row, index)? {
                    Some(v) => Value::$variant(v),
                    None if nullable => Value::Null(ty),
                    None => return Err(Error::decode_msg(format!("column {index}: unexpected NULL"))),
                }
            };
        }
        Ok(match ty {
            ColumnType::Bool => read!(bool, Bool),
            ColumnType::SmallInt => read!(i16, SmallInt),
            ColumnType::Integer => read!(i32, Int),
            ColumnType::BigInt => read!(i64, BigInt),
            ColumnType::Float => read!(f32, Float),
            ColumnType::Double => read!(f64, Double),
            ColumnType::Text => read!(String, Text),
            ColumnType::Bytes => read!(Vec<u8>, Bytes),
            ColumnType::TimestampTz => read!(DateTime<Utc>, TimestampTz),
            ColumnType::Date => read!(NaiveDate, Date),
            ColumnType::Timestamp => read!(NaiveDateTime, Timestamp),
            ColumnType::Time => read!(NaiveTime, Time),
            ColumnType::Json => read!(serde_json::Value, Json),
            #[cfg(feature = "rust_decimal")]
            ColumnType::Decimal { .. } => read!(rust_decimal::Decimal, Decimal),
            #[cfg(feature = "uuid")]
            ColumnType::Uuid => read!(uuid::Uuid, Uuid),
            ColumnType::Duration => read!(chrono::TimeDelta, Duration),
            #[cfg(feature = "ipnet")]
            ColumnType::IpAddr => read!(std::net::IpAddr, IpAddr),
            ColumnType::UnsignedSmallInt => read!(u16, UnsignedSmallInt),
            ColumnType::UnsignedInt => read!(u32, UnsignedInt),
            ColumnType::UnsignedBigInt => read!(u64, UnsignedBigInt),
            ColumnType::Array(of) => match super::ArrayValue::decode(row, index, of)? {
                Some(v) => Value::Array(v),
                None if nullable => Value::Null(ty),
                None => return Err(Error::decode_msg(format!("column {index}: unexpected NULL"))),
            },
            #[allow(unreachable_patterns)]
            _ => return Err(Error::decode_msg(format!("column {index}: a type whose cargo feature is off"))),
        })
    }
}
