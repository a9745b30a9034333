//! Driver errors into `kata::Error`, naming the broken constraint on every backend.

use sqlx::error::ErrorKind;

use crate::driver;
use crate::error::{Error, IntegrityKind};

/// Constraint names come from the driver where it gives them (PostgreSQL), and from the
/// backend's own message otherwise (SQLite, MySQL, MariaDB), asked of its dialect.
impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::PoolTimedOut => Error::PoolTimedOut,
            sqlx::Error::Database(db) => {
                let kind = match db.kind() {
                    ErrorKind::UniqueViolation => IntegrityKind::Unique,
                    ErrorKind::ForeignKeyViolation => IntegrityKind::ForeignKey,
                    ErrorKind::NotNullViolation => IntegrityKind::NotNull,
                    ErrorKind::CheckViolation => IntegrityKind::Check,
                    _ => return Error::Database(sqlx::Error::Database(db)),
                };
                let message = db.message().to_owned();
                let constraint = db
                    .constraint()
                    .map(str::to_owned)
                    .or_else(|| driver::postgres_table_column(&*db))
                    .unwrap_or_else(|| match driver::backend_of(&*db) {
                        Some(backend) => super::of(backend).constraint_from_message(kind, &message),
                        None => String::new(),
                    });
                Error::Integrity { kind, constraint, message }
            }
            sqlx::Error::ColumnDecode { index, source } => Error::decode(format!("column {index}"), source),
            sqlx::Error::Decode(source) => Error::decode("a value", source),
            other => Error::Database(other),
        }
    }
}
