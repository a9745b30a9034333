//! The one error type of kata.

use std::fmt;

use crate::backend::Backend;

/// `Result<T, kata::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in kata. Each variant maps naturally to an HTTP status:
/// `DoesNotExist` to 404, `Integrity` to 409, `Validation` to 422, `PoolTimedOut` to 503.
///
/// ```
/// # async fn demo() -> kata::Result<()> {
/// # use kata::prelude::*;
/// # #[derive(Model, Debug, Clone, PartialEq)]
/// # struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
/// let db = Db::connect("sqlite::memory:").await?;
/// db.create_tables(&[Tag::meta()]).await?;
/// match Tag::objects().aget(&db, Tag::id.eq(7)).await {
///     Err(kata::Error::DoesNotExist { model }) => assert_eq!(model, "Tag"),
///     other => panic!("expected DoesNotExist, got {other:?}"),
/// }
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `aget` (or a similar single-row operation) matched no row.
    #[error("{model} matching query does not exist")]
    DoesNotExist {
        /// The model's name.
        model: &'static str,
    },
    /// `aget` matched more than one row.
    #[error("get() returned more than one {model}: it returned {count}{}", if *.count >= crate::query::MAX_GET_RESULTS { " or more" } else { "" })]
    MultipleObjectsReturned {
        /// The model's name.
        model: &'static str,
        /// How many rows matched, counted up to 21 as Django does.
        count: usize,
    },
    /// The database refused a write because it broke a constraint.
    #[error("{kind} constraint `{constraint}` failed: {message}")]
    Integrity {
        /// Which kind of constraint.
        kind: IntegrityKind,
        /// The constraint's name (for not-null violations, `table.column`).
        constraint: String,
        /// The database's own message.
        message: String,
    },
    /// A value broke a rule stated on the model (for example `max_length`); nothing was sent.
    #[error("{0}")]
    Validation(ValidationErrors),
    /// The operation needs a saved model (one with a primary key).
    #[error("{model} has not been saved yet: {operation} needs its primary key")]
    Unsaved {
        /// The model's name.
        model: &'static str,
        /// What was attempted.
        operation: &'static str,
    },
    /// A relation was read that no `select_related`/`prefetch_related` loaded (for example
    /// when converting to a schema with `nested(..)`); kata never loads it behind your back.
    #[error("{model}.{relation} is not loaded: add select_related/prefetch_related to the query")]
    NotLoaded {
        /// The model's name.
        model: &'static str,
        /// The relation field.
        relation: &'static str,
    },
    /// No connection became free within the pool's acquire timeout.
    #[error("timed out waiting for a database connection")]
    PoolTimedOut,
    /// The query cannot be built as asked (for example `select_for_update` outside a
    /// transaction, or an operation the backend does not support).
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// A value read from the database does not fit the Rust type.
    #[error("could not decode a value: {0}")]
    Decode(String),
    /// The URL names a backend whose cargo feature is not enabled.
    #[error("the `{0}` backend is not enabled: turn on kata's `{0}` feature")]
    BackendDisabled(Backend),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    /// Any other error from the database or the driver.
    #[error(transparent)]
    Database(sqlx::Error),
    /// A bug in kata; please report it.
    #[error("internal error: {0}")]
    Internal(&'static str),
}

/// The kind of constraint behind an [`Error::Integrity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IntegrityKind {
    /// A unique constraint or primary key.
    Unique,
    /// A foreign key.
    ForeignKey,
    /// A NOT NULL column.
    NotNull,
    /// A CHECK constraint.
    Check,
}

impl fmt::Display for IntegrityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IntegrityKind::Unique => "unique",
            IntegrityKind::ForeignKey => "foreign key",
            IntegrityKind::NotNull => "not null",
            IntegrityKind::Check => "check",
        })
    }
}

/// A migration error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// A migration file could not be read or parsed.
    #[error("migration {name}: {message}")]
    Invalid {
        /// The migration's name.
        name: String,
        /// What is wrong.
        message: String,
    },
}

/// One rule broken by one field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// The field's path, for example `username`.
    pub field: String,
    /// A machine-readable code: `max_length`, `email`, `required`, `null`, `choice`.
    pub code: &'static str,
    /// A message for people.
    pub message: String,
}

/// Every rule a value broke, each with its field. Empty means valid.
///
/// ```
/// let mut errors = kata::ValidationErrors::default();
/// errors.add("username", "max_length", "at most 150 characters");
/// assert_eq!(errors.len(), 1);
/// assert_eq!(errors.fields().collect::<Vec<_>>(), ["username"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct ValidationErrors {
    errors: Vec<FieldError>,
}

impl ValidationErrors {
    /// Records one violation.
    pub fn add(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError { field: field.into(), code, message: message.into() });
    }
    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
    /// How many violations were recorded.
    pub fn len(&self) -> usize {
        self.errors.len()
    }
    /// The violations, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.errors.iter()
    }
    /// The names of the fields that broke a rule.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.errors.iter().map(|e| e.field.as_str())
    }
    /// `Ok(())` when empty, `Err(Error::Validation(self))` otherwise.
    pub fn into_result(self) -> Result<()> {
        if self.is_empty() { Ok(()) } else { Err(Error::Validation(self)) }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("validation failed: ")?;
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        crate::db::errors::classify(err)
    }
}

impl Error {
    /// True for `Integrity` errors of the given kind.
    ///
    /// ```
    /// let e = kata::Error::PoolTimedOut;
    /// assert!(!e.is_integrity(kata::IntegrityKind::Unique));
    /// ```
    pub fn is_integrity(&self, kind: IntegrityKind) -> bool {
        matches!(self, Error::Integrity { kind: k, .. } if *k == kind)
    }

    /// True when the database refused the work because of another transaction: a
    /// serialization failure, deadlock or lock timeout (PostgreSQL 40001/40P01/55P03, MySQL 1213/1205), or a
    /// busy or locked database (SQLite). Running the transaction again may succeed.
    ///
    /// ```
    /// assert!(!kata::Error::PoolTimedOut.is_conflict());
    /// ```
    pub fn is_conflict(&self) -> bool {
        let Error::Database(sqlx::Error::Database(db)) = self else { return false };
        let code = db.code();
        match code.as_deref() {
            // Serialization failure, deadlock, and (PostgreSQL) lock not available.
            Some("40001" | "40P01" | "55P03") => true,
            // SQLite: BUSY, BUSY_SNAPSHOT, LOCKED, LOCKED_SHAREDCACHE.
            Some("5" | "517" | "6" | "262") => true,
            _ => {
                db.message().contains("Lock wait timeout exceeded") || db.message().contains("Deadlock found")
            }
        }
    }
}
