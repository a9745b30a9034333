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

impl Error {
    /// True when the database refused the work because of another transaction: a
    /// serialization failure, deadlock or lock timeout, or a busy or locked database.
    /// Running the transaction again may succeed, and
    /// [`Retry::on_conflict`](crate::Retry::on_conflict) does.
    ///
    /// Each backend's dialect decides: PostgreSQL 40001 (serialization failure), 40P01
    /// (deadlock), 55P03 (lock not available); MySQL and MariaDB 1213 (deadlock, which is
    /// also how a Galera cluster reports a certification conflict: "WSREP detected
    /// deadlock/conflict"), 1205 (lock wait timeout) and 3572 (`NOWAIT`); SQLite BUSY and
    /// LOCKED.
    ///
    /// ```
    /// assert!(!kata::Error::PoolTimedOut.is_conflict());
    /// ```
    pub fn is_conflict(&self) -> bool {
        let Error::Database(sqlx::Error::Database(db)) = self else { return false };
        let Some(backend) = driver::backend_of(&**db) else { return false };
        super::of(backend).is_conflict(db.code().as_deref(), driver::mysql_error_number(&**db))
    }
}
