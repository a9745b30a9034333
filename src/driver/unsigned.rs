//! Unsigned integers per backend: MySQL and MariaDB have `UNSIGNED` columns and sqlx binds
//! `u16`/`u32`/`u64` natively there; PostgreSQL has no unsigned types (the next wider signed
//! one holds the value) and SQLite one 64-bit signed integer. A `u64` above `i64::MAX` fits
//! neither of those two, and is refused before any SQL.

use super::{Args, RowRef, encode_error};
use crate::error::{Error, Result};
use crate::value::ColumnType;

/// `value` as the signed integer PostgreSQL and SQLite store it in.
// Unused when MySQL is the only backend compiled in.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
fn signed(value: u64) -> Result<i64> {
    i64::try_from(value).map_err(|_| {
        encode_error(
            format!(
                "{value} does not fit this backend's BIGINT, which holds a u64 up to {} \
                 (MySQL and MariaDB hold up to u64::MAX)",
                i64::MAX
            )
            .into(),
        )
    })
}

/// Binds an unsigned integer of column type `ty` (`UnsignedSmallInt`, `UnsignedInt` or
/// `UnsignedBigInt`).
pub(crate) fn bind_unsigned(value: u64, ty: ColumnType, args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    let _ = ty;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(signed(value)?),
        #[cfg(feature = "postgres")]
        Args::Postgres(a) => match ty {
            // An INTEGER column: the parameter must be INT4 for PostgreSQL to compare and
            // store it as it does a column value.
            ColumnType::UnsignedSmallInt => a.add(i32::try_from(value).map_err(|e| encode_error(e.into()))?),
            _ => a.add(signed(value)?),
        },
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(value),
    }
    .map_err(encode_error)
}

/// Binds a NULL of an unsigned column of type `ty`.
pub(crate) fn bind_null_unsigned(ty: ColumnType, args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    let _ = ty;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(None::<i64>),
        #[cfg(feature = "postgres")]
        Args::Postgres(a) => match ty {
            ColumnType::UnsignedSmallInt => a.add(None::<i32>),
            _ => a.add(None::<i64>),
        },
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(None::<u64>),
    }
    .map_err(encode_error)
}

/// PostgreSQL's `= ANY($1)` list of unsigned integers, as the column's signed type.
pub(crate) fn bind_unsigned_array(values: Vec<Option<u64>>, ty: ColumnType, args: &mut Args) -> Result<()> {
    #[cfg(feature = "postgres")]
    #[allow(irrefutable_let_patterns)] // the only variant when PostgreSQL is the one backend
    if let Args::Postgres(a) = args {
        use sqlx::Arguments as _;
        if ty == ColumnType::UnsignedSmallInt {
            let mut out = Vec::with_capacity(values.len());
            for v in values {
                out.push(v.map(|v| i32::try_from(v).map_err(|e| encode_error(e.into()))).transpose()?);
            }
            return a.add(out).map_err(encode_error);
        }
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            out.push(v.map(signed).transpose()?);
        }
        return a.add(out).map_err(encode_error);
    }
    let _ = (values, ty, args);
    Err(Error::Internal("an array parameter bound for a backend without arrays"))
}

/// Decodes an unsigned integer: read as the widest integer the backend's value holds (an
/// unsigned one on MySQL and MariaDB, or a signed one for an expression such as `COALESCE`
/// with a signed operand), then checked to fit `T`.
pub(crate) fn decode_unsigned<T: TryFrom<u64>>(row: RowRef<'_>, index: usize) -> Result<T>
where
    <T as TryFrom<u64>>::Error: std::error::Error + Send + Sync + 'static,
{
    use sqlx::Row as _;
    let wide: i128 = match row {
        #[cfg(feature = "sqlite")]
        RowRef::Sqlite(r) => r.try_get::<i64, _>(index)?.into(),
        #[cfg(feature = "postgres")]
        RowRef::Postgres(r) => match r.try_get::<i64, _>(index) {
            Ok(v) => v.into(),
            Err(sqlx::Error::ColumnDecode { .. }) => r.try_get::<i32, _>(index)?.into(),
            Err(e) => return Err(e.into()),
        },
        #[cfg(feature = "mysql")]
        RowRef::MySql(r) => match r.try_get::<u64, _>(index) {
            Ok(v) => v.into(),
            Err(sqlx::Error::ColumnDecode { .. }) => r.try_get::<i64, _>(index)?.into(),
            Err(e) => return Err(e.into()),
        },
        RowRef::__Phantom(_, never) => match never {},
    };
    let what = || format!("column {index}: {wide} as {}", std::any::type_name::<T>());
    let unsigned = u64::try_from(wide).map_err(|e| Error::decode(what(), e))?;
    T::try_from(unsigned).map_err(|e| Error::decode(what(), e))
}
