//! The one error type of kata.

//!
//! This module depends on nothing else in kata: every layer may return its errors.

use std::fmt;

/// How many rows `aget` reads at most to report `MultipleObjectsReturned`, as Django.
pub(crate) const MAX_GET_RESULTS: usize = 21;

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
    #[error("get() returned more than one {model}: it returned {count}{}", if *.count >= MAX_GET_RESULTS { " or more" } else { "" })]
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
    /// A raw query (`araw`, `raw_query`) returned another number of columns than the type
    /// it is decoded into reads by position: list the columns in the SELECT in the order
    /// the message gives.
    #[error("the raw query returned {found} columns, but {target} reads {expected} by position")]
    ColumnCount {
        /// What the rows are decoded into, for people: a model with its columns in order, or
        /// a tuple type.
        target: String,
        /// How many columns it reads.
        expected: usize,
        /// How many the query returned.
        found: usize,
    },
    /// No connection became free within the pool's acquire timeout.
    #[error("timed out waiting for a database connection")]
    PoolTimedOut,
    /// The query cannot be built as asked (for example `select_for_update` outside a
    /// transaction, or a lookup the backend cannot run); nothing was sent.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    /// A relation declared on a model cannot be followed, for example a through model
    /// without exactly one foreign key to each side. A declaration problem, never an
    /// empty result.
    #[error("{model}.{relation} cannot be followed: {reason}")]
    Relation {
        /// The model that declares the relation.
        model: &'static str,
        /// The relation field.
        relation: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The transaction cannot run this: it has ended, or a failed statement broke it.
    #[error(transparent)]
    Transaction(#[from] TransactionError),
    /// The connection settings cannot work: a bad URL, a backend whose cargo feature is
    /// off, or an option the backend does not have.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A value read from the database does not fit the Rust type.
    #[error("could not decode {what}")]
    Decode {
        /// What was being decoded, for people (a column, a model field, a choice).
        what: String,
        /// The driver's or the conversion's own error, when there is one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    },
    /// A column of a model's row holds a type that the field's Rust type cannot decode (for
    /// example Django's `integer` key read as `i64` on PostgreSQL): `fits` names the Rust
    /// type that reads it, when there is one. `Db::check_models` finds these at start-up.
    #[error(
        "could not decode {model}.{field}: column `{column}` holds SQL type {sql_type}{}: {source}",
        match .fits { Some(ty) => format!(", which {ty} reads (use {ty} for the field)"), None => String::new() }
    )]
    FieldType {
        /// The model's name.
        model: &'static str,
        /// The field.
        field: &'static str,
        /// Its column.
        column: &'static str,
        /// The SQL type the database sent, as the driver names it (`INT4`).
        sql_type: String,
        /// The Rust type that fits that SQL type.
        fits: Option<&'static str>,
        /// The driver's own error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The live database does not match the models (`Db::check_models`, `manage check`):
    /// one line per difference, naming the table, column or constraint (and for a type
    /// mismatch the model, the field and the Rust type that fits).
    #[error("the database does not match the models: {}", .0.join("; "))]
    SchemaDrift(Vec<String>),
    /// An I/O error outside the database (for example creating a SQLite file's folder).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Any other error from the database or the driver.
    #[error(transparent)]
    Database(sqlx::Error),
    /// A migration cannot be loaded, planned or applied: a missing dependency, a conflict,
    /// an irreversible operation, a model change that needs a decision, or a statement that
    /// failed (saying how far the migration got where DDL is not transactional).
    #[error("migration error: {0}")]
    Migration(String),
    /// Two or more migrations are leaves (nothing depends on them): branches that were
    /// merged in version control, each with its own new migration. `makemigrations` and
    /// `migrate` refuse to guess an order; `makemigrations --merge` writes a migration
    /// that depends on all of them.
    #[error(
        "conflicting migrations: {} are all leaves (nothing depends on them); run `makemigrations --merge` \
         to write a migration that follows them all",
        leaves.join(" and ")
    )]
    MigrationConflict {
        /// The leaf migrations, by name.
        leaves: Vec<String>,
    },
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

/// Why a transaction refused a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransactionError {
    /// It was committed or rolled back already.
    #[error("the transaction has already ended")]
    Ended,
    /// An earlier statement in it failed; nothing more can run in it until it ends or
    /// rolls back to a savepoint (PostgreSQL refuses everything after an error; kata does
    /// the same on every backend, as Django does).
    #[error(
        "an earlier statement of this transaction failed: nothing more can run in it until it ends \
         (catch errors inside `tx.atomic(..)` to keep the transaction usable)"
    )]
    Broken,
    /// `commit` found the transaction broken by a failed statement, so it rolled back.
    #[error(
        "the transaction was rolled back: a statement in it failed (catch errors inside \
         `tx.atomic(..)` to keep the rest)"
    )]
    RolledBack,
}

/// Why the connection settings cannot work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The URL's scheme names no database kata knows.
    #[error("unsupported database URL scheme `{scheme}`: use sqlite:, postgres: or mysql:")]
    UnsupportedScheme {
        /// The scheme as given.
        scheme: String,
    },
    /// The URL could not be parsed.
    #[error("invalid database URL")]
    InvalidUrl(#[source] sqlx::Error),
    /// The URL names a backend whose cargo feature is not enabled.
    #[error("the `{backend}` backend is not enabled: turn on kata's `{feature}` feature")]
    BackendDisabled {
        /// The backend's name.
        backend: &'static str,
        /// The cargo feature that enables it.
        feature: &'static str,
    },
    /// The backend does not have an option that was asked for.
    #[error("{backend} does not support {option}")]
    Unsupported {
        /// The backend's name.
        backend: &'static str,
        /// The option, for people.
        option: String,
    },
    /// A query, a router or [`Db::using`](crate::Db::using) named a database that the
    /// `Db` does not hold (Django's `ConnectionDoesNotExist`).
    #[error("no database `{alias}`: the Db holds {known}")]
    UnknownDatabase {
        /// The alias as asked for.
        alias: String,
        /// The aliases the `Db` holds, for people.
        known: String,
    },
    /// A replica or an extra database is on another backend than the primary: kata renders
    /// one dialect per `Db`.
    #[error("database `{alias}` is {found}, but the primary is {expected}")]
    MixedBackends {
        /// The alias of the database.
        alias: String,
        /// The primary's backend.
        expected: &'static str,
        /// This database's backend.
        found: &'static str,
    },
}

impl ConfigError {
    /// Wraps a URL parse error.
    pub(crate) fn url(err: sqlx::Error) -> Error {
        Error::Config(ConfigError::InvalidUrl(err))
    }
}

/// A relation was read that the query did not load: what [`HasOne::get`](crate::HasOne::get)
/// returns instead of guessing. Converts into [`Error::NotLoaded`], so `?` works in a
/// function that returns `kata::Result`.
///
/// ```
/// let e = kata::NotLoaded { model: "User", relation: "profile" };
/// assert!(matches!(kata::Error::from(e), kata::Error::NotLoaded { relation: "profile", .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{model}.{relation} is not loaded: add select_related/prefetch_related to the query")]
pub struct NotLoaded {
    /// The model's name.
    pub model: &'static str,
    /// The relation field.
    pub relation: &'static str,
}

impl From<NotLoaded> for Error {
    fn from(e: NotLoaded) -> Self {
        Error::NotLoaded { model: e.model, relation: e.relation }
    }
}

/// One rule broken by one field.
///
/// Serialised as `{"field": "username", "code": "max_length", "message": "...",
/// "params": {"max_length": 150}}`: `params` holds the rule's limits, so a client need not
/// read them out of the message (empty for rules without one).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct FieldError {
    /// The field's path, for example `username` (`[2].username` in a bulk operation).
    pub field: String,
    /// A machine-readable code: `max_length`, `email`, `required`, `null`, `invalid`, a
    /// decimal's `max_digits`, the validators' `min_value`, `max_value`, `min_length`, `url`,
    /// `slug`, `regex`, or a custom validator's own.
    pub code: &'static str,
    /// A message for people.
    pub message: String,
    /// The rule's parameters, by name: `max_length` for `max_length`.
    pub params: serde_json::Map<String, serde_json::Value>,
}

/// What a custom validator (`#[kata(validators(path::to::fn))]`, Django's `validators=[..]`)
/// returns when a value breaks its rule: Django's `ValidationError(message, code=..,
/// params=..)`. A validator may also return `Err(String)` or `Err(&str)`: code `invalid`.
///
/// ```
/// use kata::ValidationError;
/// fn even(n: &i64) -> Result<(), ValidationError> {
///     if n % 2 == 0 { Ok(()) } else { Err(ValidationError::new("even", format!("{n} is not even")).param("value", *n)) }
/// }
/// assert_eq!(even(&3).unwrap_err().code, "even");
/// assert_eq!(ValidationError::from("no").code, "invalid");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct ValidationError {
    /// A machine-readable code (`invalid` unless the validator names one).
    pub code: &'static str,
    /// A message for people.
    pub message: String,
    /// The rule's parameters, by name.
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl ValidationError {
    /// A violation with its code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        ValidationError { code, message: message.into(), params: serde_json::Map::new() }
    }

    /// Adds a parameter of the rule (see [`FieldError::params`]).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.params.insert(name.into(), value.into());
        self
    }
}

impl From<String> for ValidationError {
    /// Code `invalid`, with the message.
    fn from(message: String) -> Self {
        ValidationError::new("invalid", message)
    }
}

impl From<&str> for ValidationError {
    /// Code `invalid`, with the message.
    fn from(message: &str) -> Self {
        ValidationError::new("invalid", message)
    }
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
        self.add_with(field, code, message, serde_json::Map::new());
    }

    /// Records one violation with its rule's parameters (see [`FieldError::params`]).
    ///
    /// ```
    /// let mut errors = kata::ValidationErrors::default();
    /// let mut params = serde_json::Map::new();
    /// params.insert("max_length".into(), 150.into());
    /// errors.add_with("username", "max_length", "at most 150 characters", params);
    /// let e = errors.iter().next().unwrap();
    /// assert_eq!(e.params["max_length"], 150);
    /// ```
    pub fn add_with(
        &mut self,
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
        params: serde_json::Map<String, serde_json::Value>,
    ) {
        self.errors.push(FieldError { field: field.into(), code, message: message.into(), params });
    }

    /// Records one violation that a validator returned (see [`ValidationError`]).
    ///
    /// ```
    /// let mut errors = kata::ValidationErrors::default();
    /// errors.add_error("price", kata::ValidationError::new("even", "must be even").param("value", 3));
    /// let e = errors.iter().next().unwrap();
    /// assert_eq!((e.field.as_str(), e.code, e.params["value"].as_i64()), ("price", "even", Some(3)));
    /// ```
    pub fn add_error(&mut self, field: impl Into<String>, error: ValidationError) {
        self.add_with(field, error.code, error.message, error.params);
    }

    /// Records every violation of `other`, with `prefix` before each field path (`[2].`
    /// for the third row of a bulk operation).
    pub(crate) fn extend_prefixed(&mut self, prefix: &str, other: ValidationErrors) {
        for mut e in other.errors {
            e.field.insert_str(0, prefix);
            self.errors.push(e);
        }
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

impl From<ValidationErrors> for Error {
    /// `Error::Validation`, whether or not `errors` is empty (see
    /// [`ValidationErrors::into_result`] for `Ok` when it is).
    fn from(errors: ValidationErrors) -> Self {
        Error::Validation(errors)
    }
}

impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl Error {
    /// A decoding error with its cause.
    pub(crate) fn decode(
        what: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Decode { what: what.into(), source: Some(source.into()) }
    }

    /// A decoding error with no further cause.
    pub(crate) fn decode_msg(what: impl Into<String>) -> Self {
        Error::Decode { what: what.into(), source: None }
    }

    /// The violations of a [`Error::Validation`], without a `match`; `None` for other errors.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Tag { #[kata(primary_key)] id: i64, #[kata(max_length = 3)] name: String }
    /// let err = Tag { id: 1, name: "toolong".into() }.validate().unwrap_err();
    /// let errors = err.validation_errors().expect("a validation error");
    /// assert_eq!(errors.fields().collect::<Vec<_>>(), ["name"]);
    /// assert!(kata::Error::PoolTimedOut.validation_errors().is_none());
    /// ```
    pub fn validation_errors(&self) -> Option<&ValidationErrors> {
        match self {
            Error::Validation(errors) => Some(errors),
            _ => None,
        }
    }

    /// True for `Integrity` errors of the given kind.
    ///
    /// ```
    /// let e = kata::Error::PoolTimedOut;
    /// assert!(!e.is_integrity(kata::IntegrityKind::Unique));
    /// ```
    pub fn is_integrity(&self, kind: IntegrityKind) -> bool {
        matches!(self, Error::Integrity { kind: k, .. } if *k == kind)
    }
}
