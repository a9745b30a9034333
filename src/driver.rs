//! The one place that names sqlx's per-backend types: pools, connections, transactions,
//! rows and bind arguments, each an enum with one variant per enabled backend feature.
//!
//! Everything above this module works with these enums and never matches on a backend or
//! checks a cargo feature; what differs in *SQL* between backends is asked of the
//! [`Dialect`](crate::dialect::Dialect) instead. The per-backend arms are written once, by
//! the `each!` macro below, so a new operation is one generic body, not three copies.

use crate::error::{ConfigError, Error, Result};

mod arrays;
mod unsigned;
pub(crate) use arrays::{bind_null_pg_array, bind_pg_array, decode_pg_array};
pub(crate) use unsigned::{bind_null_unsigned, bind_unsigned, bind_unsigned_array, decode_unsigned};

/// Which database a [`Db`](crate::Db) or [`Transaction`](crate::Transaction) talks to.
///
/// ```
/// # async fn demo() -> kata::Result<()> {
/// let db = kata::Db::connect("sqlite::memory:").await?;
/// assert_eq!(db.backend(), kata::Backend::Sqlite);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// SQLite 3.35 or later (embedded; the default feature).
    Sqlite,
    /// PostgreSQL 12 or later (feature `postgres`).
    Postgres,
    /// MySQL 8 or later (feature `mysql`).
    MySql,
    /// MariaDB 10.5 or later (feature `mysql`: the same driver as MySQL, its own SQL
    /// dialect). A `mysql://` URL connects to either; kata asks the server which it is.
    MariaDb,
}

impl Backend {
    /// The lower-case name used in logs and in `KATA_TEST_*` variables.
    ///
    /// ```
    /// assert_eq!(kata::Backend::Postgres.name(), "postgres");
    /// assert_eq!(kata::Backend::MariaDb.name(), "mariadb");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::MySql => "mysql",
            Backend::MariaDb => "mariadb",
        }
    }

    /// The cargo feature that enables this backend's driver.
    ///
    /// ```
    /// assert_eq!(kata::Backend::MariaDb.feature(), "mysql");
    /// ```
    pub fn feature(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::MySql | Backend::MariaDb => "mysql",
        }
    }

    /// Whether this build of kata has the backend's driver (its cargo feature is on).
    ///
    /// ```
    /// assert!(kata::Backend::Sqlite.is_enabled());
    /// ```
    pub fn is_enabled(self) -> bool {
        match self {
            Backend::Sqlite => cfg!(feature = "sqlite"),
            Backend::Postgres => cfg!(feature = "postgres"),
            Backend::MySql | Backend::MariaDb => cfg!(feature = "mysql"),
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One arm per enabled backend over an enum of this module: `each!(value, Enum, |x| body)`
/// writes `body` once, typed for each backend's `x`.
macro_rules! each {
    ($value:expr, $enum:ident, |$x:ident| $body:expr) => {
        match $value {
            #[cfg(feature = "sqlite")]
            $enum::Sqlite($x) => $body,
            #[cfg(feature = "postgres")]
            $enum::Postgres($x) => $body,
            #[cfg(feature = "mysql")]
            $enum::MySql($x) => $body,
        }
    };
}

/// The same, for a connection and the arguments of one statement, which must be of one
/// backend: `each_pair!(raw, args, |conn, args| body)`.
macro_rules! each_pair {
    ($raw:expr, $args:expr, |$c:ident, $a:ident| $body:expr) => {
        match ($raw, $args) {
            #[cfg(feature = "sqlite")]
            (Raw::Sqlite($c), Args::Sqlite($a)) => $body,
            #[cfg(feature = "postgres")]
            (Raw::Postgres($c), Args::Postgres($a)) => $body,
            #[cfg(feature = "mysql")]
            (Raw::MySql($c), Args::MySql($a)) => $body,
            #[allow(unreachable_patterns)]
            _ => return Err(mismatch()),
        }
    };
}

fn mismatch() -> Error {
    Error::Internal("statement built for another backend")
}

// ---------------------------------------------------------------------------------------
// Values: bind arguments and rows
// ---------------------------------------------------------------------------------------

/// The bind parameters of one statement, in the backend's own wire format: what
/// [`FieldType::bind`](crate::FieldType::bind) appends to. Opaque: a field type of your
/// own binds by handing it to a supported type's `bind` (see [`FieldType`](crate::FieldType)).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Args {
    #[doc(hidden)]
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::sqlite::SqliteArguments),
    #[doc(hidden)]
    #[cfg(feature = "postgres")]
    Postgres(sqlx::postgres::PgArguments),
    #[doc(hidden)]
    #[cfg(feature = "mysql")]
    MySql(sqlx::mysql::MySqlArguments),
}

impl Args {
    pub(crate) fn new(backend: Backend) -> Result<Self> {
        match backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => Ok(Args::Sqlite(Default::default())),
            #[cfg(feature = "postgres")]
            Backend::Postgres => Ok(Args::Postgres(Default::default())),
            #[cfg(feature = "mysql")]
            Backend::MySql | Backend::MariaDb => Ok(Args::MySql(Default::default())),
            #[allow(unreachable_patterns)]
            other => {
                Err(ConfigError::BackendDisabled { backend: other.name(), feature: other.feature() }.into())
            }
        }
    }

    /// How many parameters have been bound so far.
    pub(crate) fn len(&self) -> usize {
        use sqlx::Arguments as _;
        each!(self, Args, |a| a.len())
    }
}

/// A row being decoded, borrowed from the driver: what
/// [`FieldType::decode`](crate::FieldType::decode) reads a column of. Opaque: a field type
/// of your own decodes by asking a supported type to read the column (see
/// [`FieldType`](crate::FieldType)).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum RowRef<'r> {
    #[doc(hidden)]
    #[cfg(feature = "sqlite")]
    Sqlite(&'r sqlx::sqlite::SqliteRow),
    #[doc(hidden)]
    #[cfg(feature = "postgres")]
    Postgres(&'r sqlx::postgres::PgRow),
    #[doc(hidden)]
    #[cfg(feature = "mysql")]
    MySql(&'r sqlx::mysql::MySqlRow),
    #[doc(hidden)]
    #[allow(dead_code)] // keeps the lifetime used when no backend feature is on
    __Phantom(std::marker::PhantomData<&'r ()>, std::convert::Infallible),
}

/// Matches a [`RowRef`], with the never-built phantom arm.
macro_rules! each_row {
    ($row:expr, |$r:ident| $body:expr) => {
        match $row {
            #[cfg(feature = "sqlite")]
            RowRef::Sqlite($r) => $body,
            #[cfg(feature = "postgres")]
            RowRef::Postgres($r) => $body,
            #[cfg(feature = "mysql")]
            RowRef::MySql($r) => $body,
            RowRef::__Phantom(_, never) => match never {},
        }
    };
}

/// A row owned by the caller, as a stream of rows yields it.
#[derive(Debug)]
pub(crate) enum Row {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::sqlite::SqliteRow),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::postgres::PgRow),
    #[cfg(feature = "mysql")]
    MySql(sqlx::mysql::MySqlRow),
}

impl Row {
    #[inline]
    pub(crate) fn as_ref(&self) -> RowRef<'_> {
        match self {
            #[cfg(feature = "sqlite")]
            Row::Sqlite(r) => RowRef::Sqlite(r),
            #[cfg(feature = "postgres")]
            Row::Postgres(r) => RowRef::Postgres(r),
            #[cfg(feature = "mysql")]
            Row::MySql(r) => RowRef::MySql(r),
        }
    }
}

/// Implemented by every Rust type that sqlx can encode and decode on each enabled backend.
///
/// The per-backend halves are empty traits when a backend's feature is off, so one bound
/// works for any feature combination.
#[doc(hidden)]
pub trait Native: SqliteNative + PostgresNative + MySqlNative + Send + Sync + 'static {}
impl<T: SqliteNative + PostgresNative + MySqlNative + Send + Sync + 'static> Native for T {}

macro_rules! native_trait {
    ($feature:literal, $name:ident, $db:ty) => {
        #[cfg(feature = $feature)]
        #[doc(hidden)]
        pub trait $name: for<'r> sqlx::Decode<'r, $db> + for<'q> sqlx::Encode<'q, $db> + sqlx::Type<$db> {}
        #[cfg(feature = $feature)]
        impl<T: for<'r> sqlx::Decode<'r, $db> + for<'q> sqlx::Encode<'q, $db> + sqlx::Type<$db>> $name
            for T
        {
        }
        #[cfg(not(feature = $feature))]
        #[doc(hidden)]
        pub trait $name {}
        #[cfg(not(feature = $feature))]
        impl<T> $name for T {}
    };
}
native_trait!("sqlite", SqliteNative, sqlx::Sqlite);
native_trait!("postgres", PostgresNative, sqlx::Postgres);
native_trait!("mysql", MySqlNative, sqlx::MySql);

/// Element types PostgreSQL can bind as one array parameter (empty without the feature).
#[cfg(feature = "postgres")]
pub(crate) trait ArrayElement: sqlx::postgres::PgHasArrayType + PostgresNative + Send + Sync {}
#[cfg(feature = "postgres")]
impl<T: sqlx::postgres::PgHasArrayType + PostgresNative + Send + Sync> ArrayElement for T {}
#[cfg(not(feature = "postgres"))]
pub(crate) trait ArrayElement {}
#[cfg(not(feature = "postgres"))]
impl<T> ArrayElement for T {}

/// Decodes column `index` of `row` as `T` through sqlx.
#[doc(hidden)]
pub fn decode_native<T: Native>(row: RowRef<'_>, index: usize) -> Result<T> {
    use sqlx::Row as _;
    each_row!(row, |r| r.try_get::<T, _>(index)).map_err(Error::from)
}

/// How many columns `row` has.
pub(crate) fn column_count(row: RowRef<'_>) -> usize {
    use sqlx::Row as _;
    each_row!(row, |r| r.columns().len())
}

/// The backend a row came from (MySQL for MySQL and MariaDB rows alike) and sqlx's name
/// of the SQL type of its column `index` (`INT4`, `BIGINT`, `TEXT`), as held by the value.
pub(crate) fn value_type(row: RowRef<'_>, index: usize) -> Option<(Backend, String)> {
    use sqlx::{Row as _, TypeInfo as _, ValueRef as _};
    let name = each_row!(row, |r| r.try_get_raw(index).ok().map(|v| v.type_info().name().to_owned()))?;
    Some((row_backend(row), name))
}

/// The driver a row came from (MySQL for MySQL and MariaDB rows alike).
pub(crate) fn row_backend(row: RowRef<'_>) -> Backend {
    match row {
        #[cfg(feature = "sqlite")]
        RowRef::Sqlite(_) => Backend::Sqlite,
        #[cfg(feature = "postgres")]
        RowRef::Postgres(_) => Backend::Postgres,
        #[cfg(feature = "mysql")]
        RowRef::MySql(_) => Backend::MySql,
        RowRef::__Phantom(_, never) => match never {},
    }
}

/// The driver a statement's arguments are for (MySQL for MySQL and MariaDB alike).
pub(crate) fn args_backend(args: &Args) -> Backend {
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(_) => Backend::Sqlite,
        #[cfg(feature = "postgres")]
        Args::Postgres(_) => Backend::Postgres,
        #[cfg(feature = "mysql")]
        Args::MySql(_) => Backend::MySql,
    }
}

/// Whether column `index` of `row` is NULL.
pub(crate) fn is_null(row: RowRef<'_>, index: usize) -> Result<bool> {
    use sqlx::{Row as _, ValueRef as _};
    each_row!(row, |r| r.try_get_raw(index).map(|v| v.is_null())).map_err(Error::from)
}

pub(crate) fn encode_error(e: sqlx::error::BoxDynError) -> Error {
    Error::Database(sqlx::Error::Encode(e))
}

/// Binds `value` as the next parameter through sqlx.
#[doc(hidden)]
pub fn bind_native<T: Native>(value: &T, args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    each!(args, Args, |a| a.add(value)).map_err(encode_error)
}

/// Binds a `&'static str` (the stored text of a `Choices` value) as the next parameter.
/// [`bind_native`] cannot take it: its bound also asks for decoding, and a `&'static str`
/// cannot be decoded from a borrowed row.
pub(crate) fn bind_static_str(value: &'static str, args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    each!(args, Args, |a| a.add(value)).map_err(encode_error)
}

/// Binds `values` as one array parameter (PostgreSQL's `col = ANY($1)`); only the
/// dialects that say `binds_lists_as_arrays` ask for it.
pub(crate) fn bind_array<T: ArrayElement>(values: Vec<Option<T>>, args: &mut Args) -> Result<()> {
    match args {
        #[cfg(feature = "postgres")]
        Args::Postgres(a) => {
            use sqlx::Arguments as _;
            a.add(values).map_err(encode_error)
        }
        #[allow(unreachable_patterns)]
        _ => {
            let _ = values;
            Err(Error::Internal("an array parameter bound for a backend without arrays"))
        }
    }
}

mod field_types;
#[cfg(feature = "ipnet")]
pub(crate) use field_types::decode_ip;
#[cfg(feature = "rust_decimal")]
pub(crate) use field_types::{bind_decimal, decode_decimal};
pub(crate) use field_types::{
    bind_duration, bind_duration_array, bind_ip, bind_ip_array, bind_null_decimal, bind_null_duration,
    bind_null_ip, decode_duration,
};

// ---------------------------------------------------------------------------------------
// Pools, connections, transactions
// ---------------------------------------------------------------------------------------

mod pool;
pub(crate) use pool::*;

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// Which backend raised a database error, read from the error's own type.
pub(crate) fn backend_of(err: &dyn sqlx::error::DatabaseError) -> Option<Backend> {
    #[cfg(feature = "sqlite")]
    if err.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        return Some(Backend::Sqlite);
    }
    #[cfg(feature = "postgres")]
    if err.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
        return Some(Backend::Postgres);
    }
    #[cfg(feature = "mysql")]
    if err.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>().is_some() {
        return Some(Backend::MySql);
    }
    let _ = err;
    None
}

/// MySQL's and MariaDB's error number (1213 for a deadlock), which says more than the
/// SQLSTATE they give.
pub(crate) fn mysql_error_number(err: &dyn sqlx::error::DatabaseError) -> Option<u16> {
    #[cfg(feature = "mysql")]
    {
        err.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>().map(|e| e.number())
    }
    #[cfg(not(feature = "mysql"))]
    {
        let _ = err;
        None
    }
}

/// PostgreSQL names the table and column of a not-null violation in fields of its own.
pub(crate) fn postgres_table_column(err: &dyn sqlx::error::DatabaseError) -> Option<String> {
    #[cfg(feature = "postgres")]
    {
        let pg = err.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?;
        Some(format!("{}.{}", pg.table()?, pg.column()?))
    }
    #[cfg(not(feature = "postgres"))]
    {
        let _ = err;
        None
    }
}
