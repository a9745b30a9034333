//! PostgreSQL arrays (`Vec<T>` fields): bound and read through sqlx's `PgHasArrayType`.
//! Other backends have no array type: binding or reading one there is
//! `ConfigError::Unsupported`, the same error the dialect gives before any SQL.

use super::{Args, ArrayElement, Backend, RowRef, args_backend, row_backend};
use crate::error::{ConfigError, Error, Result};

/// The error of a backend without arrays.
fn unsupported(backend: Backend) -> Error {
    let option = "array fields (Vec<T>, Django's ArrayField, which is PostgreSQL's)".into();
    ConfigError::Unsupported { backend: backend.name(), option }.into()
}

/// Binds `values` as one array parameter.
pub(crate) fn bind_pg_array<T: ArrayElement>(values: &[T], args: &mut Args) -> Result<()> {
    #[cfg(feature = "postgres")]
    #[allow(irrefutable_let_patterns)] // the only variant when PostgreSQL is the one backend
    if let Args::Postgres(a) = args {
        use sqlx::Arguments as _;
        return a.add(values).map_err(super::encode_error);
    }
    let _ = values;
    Err(unsupported(args_backend(args)))
}

/// Binds a NULL array of `T`.
pub(crate) fn bind_null_pg_array<T: ArrayElement>(args: &mut Args) -> Result<()> {
    #[cfg(feature = "postgres")]
    #[allow(irrefutable_let_patterns)] // the only variant when PostgreSQL is the one backend
    if let Args::Postgres(a) = args {
        use sqlx::Arguments as _;
        return a.add(None::<Vec<T>>).map_err(super::encode_error);
    }
    Err(unsupported(args_backend(args)))
}

/// Reads column `index` as an array of `T`; `None` for NULL.
pub(crate) fn decode_pg_array<T: ArrayElement>(row: RowRef<'_>, index: usize) -> Result<Option<Vec<T>>> {
    #[cfg(feature = "postgres")]
    #[allow(irrefutable_let_patterns)] // the only variant when PostgreSQL is the one backend
    if let RowRef::Postgres(r) = row {
        use sqlx::Row as _;
        return Ok(r.try_get::<Option<Vec<T>>, _>(index)?);
    }
    let _ = index;
    Err(unsupported(row_backend(row)))
}
