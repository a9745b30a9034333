//! The one place that names sqlx's per-backend types: pools, connections, transactions,
//! rows and bind arguments, each an enum with one variant per enabled backend feature.
//!
//! Everything above this module works with these enums and never matches on a backend or
//! checks a cargo feature; what differs in *SQL* between backends is asked of the
//! [`Dialect`](crate::dialect::Dialect) instead. The per-backend arms are written once, by
//! the `each!` macro below, so a new operation is one generic body, not three copies.

use std::str::FromStr as _;
use std::time::Duration;

use futures_core::stream::BoxStream;
use futures_util::TryStreamExt as _;
use sqlx::SqlStr;

use crate::error::{ConfigError, Error, Result};

mod unsigned;
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
    let backend = match row {
        #[cfg(feature = "sqlite")]
        RowRef::Sqlite(_) => Backend::Sqlite,
        #[cfg(feature = "postgres")]
        RowRef::Postgres(_) => Backend::Postgres,
        #[cfg(feature = "mysql")]
        RowRef::MySql(_) => Backend::MySql,
        RowRef::__Phantom(_, never) => match never {},
    };
    let name = each_row!(row, |r| r.try_get_raw(index).ok().map(|v| v.type_info().name().to_owned()))?;
    Some((backend, name))
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

/// Binds a decimal: natively where the backend has a decimal type, as kata's
/// order-preserving text on SQLite (which has none; see `types.rs`).
#[cfg(feature = "rust_decimal")]
pub(crate) fn bind_decimal(value: rust_decimal::Decimal, args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(crate::types::decimal_to_sortable(value)),
        #[cfg(feature = "postgres")]
        Args::Postgres(a) => a.add(value),
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(value),
    }
    .map_err(encode_error)
}

/// Binds a NULL of a decimal column.
pub(crate) fn bind_null_decimal(args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(None::<String>),
        #[cfg(all(feature = "postgres", feature = "rust_decimal"))]
        Args::Postgres(a) => a.add(None::<rust_decimal::Decimal>),
        #[cfg(all(feature = "postgres", not(feature = "rust_decimal")))]
        Args::Postgres(a) => a.add(None::<String>),
        #[cfg(all(feature = "mysql", feature = "rust_decimal"))]
        Args::MySql(a) => a.add(None::<rust_decimal::Decimal>),
        #[cfg(all(feature = "mysql", not(feature = "rust_decimal")))]
        Args::MySql(a) => a.add(None::<String>),
    }
    .map_err(encode_error)
}

/// Decodes a decimal column (SQLite's text form, or the backend's own type), normalized so
/// that every backend reads the same value the same way.
#[cfg(feature = "rust_decimal")]
pub(crate) fn decode_decimal(row: RowRef<'_>, index: usize) -> Result<rust_decimal::Decimal> {
    use sqlx::Row as _;
    let value = match row {
        #[cfg(feature = "sqlite")]
        RowRef::Sqlite(r) => crate::types::decimal_from_sortable(&r.try_get::<String, _>(index)?)?,
        #[cfg(feature = "postgres")]
        RowRef::Postgres(r) => r.try_get(index)?,
        #[cfg(feature = "mysql")]
        RowRef::MySql(r) => r.try_get(index)?,
        RowRef::__Phantom(_, never) => match never {},
    };
    Ok(value.normalize())
}

/// A duration in whole microseconds, what every backend stores; a finer or larger one is
/// refused rather than rounded.
fn duration_micros(value: chrono::TimeDelta) -> Result<i64> {
    match value.num_microseconds() {
        Some(micros) if value.subsec_nanos() % 1_000 == 0 => Ok(micros),
        Some(_) => {
            Err(encode_error("a duration is stored to the microsecond; this one has nanoseconds".into()))
        }
        None => Err(encode_error("a duration beyond about 292,000 years cannot be stored".into())),
    }
}

#[cfg(feature = "postgres")]
fn interval(micros: i64) -> sqlx::postgres::types::PgInterval {
    sqlx::postgres::types::PgInterval { months: 0, days: 0, microseconds: micros }
}

/// Binds a duration: an `INTERVAL` on PostgreSQL, microseconds elsewhere (as Django).
pub(crate) fn bind_duration(value: chrono::TimeDelta, args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    let micros = duration_micros(value)?;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(micros),
        #[cfg(feature = "postgres")]
        Args::Postgres(a) => a.add(interval(micros)),
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(micros),
    }
    .map_err(encode_error)
}

/// Binds a NULL of a duration column.
pub(crate) fn bind_null_duration(args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(None::<i64>),
        #[cfg(feature = "postgres")]
        Args::Postgres(a) => a.add(None::<sqlx::postgres::types::PgInterval>),
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(None::<i64>),
    }
    .map_err(encode_error)
}

/// PostgreSQL's `= ANY($1)` list of durations.
pub(crate) fn bind_duration_array(values: Vec<Option<chrono::TimeDelta>>, args: &mut Args) -> Result<()> {
    #[cfg(feature = "postgres")]
    #[allow(irrefutable_let_patterns)] // the only variant when PostgreSQL is the one backend
    if let Args::Postgres(a) = args {
        use sqlx::Arguments as _;
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            out.push(v.map(duration_micros).transpose()?.map(interval));
        }
        return a.add(out).map_err(encode_error);
    }
    let _ = (values, args);
    Err(Error::Internal("an array parameter bound for a backend without arrays"))
}

/// Decodes a duration column.
pub(crate) fn decode_duration(row: RowRef<'_>, index: usize) -> Result<chrono::TimeDelta> {
    use sqlx::Row as _;
    let micros: i64 = match row {
        #[cfg(feature = "sqlite")]
        RowRef::Sqlite(r) => r.try_get(index)?,
        #[cfg(feature = "postgres")]
        RowRef::Postgres(r) => {
            let i: sqlx::postgres::types::PgInterval = r.try_get(index)?;
            // kata writes days and months as 0; one written by hand counts a day as 24 hours
            // and refuses months, whose length varies.
            if i.months != 0 {
                return Err(Error::decode_msg(format!(
                    "column {index}: an interval with months is no fixed duration"
                )));
            }
            i64::from(i.days)
                .checked_mul(86_400_000_000)
                .and_then(|d| d.checked_add(i.microseconds))
                .ok_or_else(|| Error::decode_msg(format!("column {index}: the interval overflows")))?
        }
        #[cfg(feature = "mysql")]
        RowRef::MySql(r) => r.try_get(index)?,
        RowRef::__Phantom(_, never) => match never {},
    };
    Ok(chrono::TimeDelta::microseconds(micros))
}

/// Binds an IP address: `INET` on PostgreSQL (feature `ipnet`), its canonical text elsewhere.
pub(crate) fn bind_ip(value: std::net::IpAddr, args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(value.to_string()),
        #[cfg(all(feature = "postgres", feature = "ipnet"))]
        Args::Postgres(a) => a.add(value),
        #[cfg(all(feature = "postgres", not(feature = "ipnet")))]
        Args::Postgres(a) => a.add(value.to_string()),
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(value.to_string()),
    }
    .map_err(encode_error)
}

/// Binds a NULL of an IP address column.
pub(crate) fn bind_null_ip(args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(None::<String>),
        #[cfg(all(feature = "postgres", feature = "ipnet"))]
        Args::Postgres(a) => a.add(None::<std::net::IpAddr>),
        #[cfg(all(feature = "postgres", not(feature = "ipnet")))]
        Args::Postgres(a) => a.add(None::<String>),
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(None::<String>),
    }
    .map_err(encode_error)
}

/// PostgreSQL's `= ANY($1)` list of addresses.
pub(crate) fn bind_ip_array(values: Vec<Option<std::net::IpAddr>>, args: &mut Args) -> Result<()> {
    #[cfg(all(feature = "postgres", feature = "ipnet"))]
    #[allow(irrefutable_let_patterns)] // the only variant when PostgreSQL is the one backend
    if let Args::Postgres(a) = args {
        use sqlx::Arguments as _;
        return a.add(values).map_err(encode_error);
    }
    let _ = (values, args);
    Err(Error::Internal("an array parameter bound for a backend without arrays"))
}

/// Decodes an IP address column.
#[cfg(feature = "ipnet")]
pub(crate) fn decode_ip(row: RowRef<'_>, index: usize) -> Result<std::net::IpAddr> {
    use sqlx::Row as _;
    let text: String = match row {
        #[cfg(feature = "sqlite")]
        RowRef::Sqlite(r) => r.try_get(index)?,
        #[cfg(feature = "postgres")]
        RowRef::Postgres(r) => return r.try_get(index).map_err(Error::from),
        #[cfg(feature = "mysql")]
        RowRef::MySql(r) => r.try_get(index)?,
        RowRef::__Phantom(_, never) => match never {},
    };
    text.parse().map_err(|e| Error::decode(format!("column {index} as an IP address"), e))
}

// ---------------------------------------------------------------------------------------
// Pools, connections, transactions
// ---------------------------------------------------------------------------------------

/// Pool and connection settings, as `DbBuilder` collected them.
#[derive(Debug, Clone)]
pub(crate) struct PoolSettings {
    pub(crate) max_connections: Option<u32>,
    pub(crate) min_connections: Option<u32>,
    pub(crate) max_lifetime: Option<Option<Duration>>,
    pub(crate) idle_timeout: Option<Option<Duration>>,
    pub(crate) acquire_timeout: Option<Duration>,
    pub(crate) busy_timeout: Duration,
    /// PostgreSQL reached through a transaction-mode pooler (PgBouncer): no named prepared
    /// statements, no `options` startup parameter.
    pub(crate) transaction_pooler: bool,
}

impl PoolSettings {
    fn options<DB: sqlx::Database>(&self) -> sqlx::pool::PoolOptions<DB> {
        // No ping before every acquire: it costs a round trip per query; a connection
        // that died is replaced when a query on it fails.
        let mut options = sqlx::pool::PoolOptions::<DB>::new().test_before_acquire(false);
        if let Some(n) = self.max_connections {
            options = options.max_connections(n);
        }
        if let Some(n) = self.min_connections {
            options = options.min_connections(n);
        }
        if let Some(d) = self.max_lifetime {
            options = options.max_lifetime(d);
        }
        if let Some(d) = self.idle_timeout {
            options = options.idle_timeout(d);
        }
        if let Some(d) = self.acquire_timeout {
            options = options.acquire_timeout(d);
        }
        options
    }
}

/// The sqlx pool behind a `Db`.
#[derive(Clone, Debug)]
pub(crate) enum Pool {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
    #[cfg(feature = "mysql")]
    MySql(sqlx::MySqlPool),
}

impl Pool {
    /// Opens a pool for `url`, and tells which backend answered (MySQL or MariaDB is
    /// asked of the server). A `lazy` pool (a read replica's) connects on first use, so a
    /// server that is down does not stop the others from opening; its MySQL flavour is not
    /// asked (the primary's is used).
    pub(crate) async fn connect(url: &str, settings: &PoolSettings, lazy: bool) -> Result<(Pool, Backend)> {
        let scheme = url.split(':').next().unwrap_or_default();
        let backend = match scheme {
            "sqlite" => Backend::Sqlite,
            "postgres" | "postgresql" => Backend::Postgres,
            "mysql" | "mariadb" => Backend::MySql,
            _ => return Err(ConfigError::UnsupportedScheme { scheme: scheme.to_owned() }.into()),
        };
        if settings.transaction_pooler && backend != Backend::Postgres {
            let option = "transaction_pooler (a PostgreSQL pooler such as PgBouncer)".into();
            return Err(ConfigError::Unsupported { backend: backend.name(), option }.into());
        }
        match backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => {
                use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
                let mut options = SqliteConnectOptions::from_str(url)
                    .map_err(ConfigError::url)?
                    .foreign_keys(true)
                    .busy_timeout(settings.busy_timeout)
                    .with_regexp();
                let in_memory = url.contains(":memory:") || url.contains("mode=memory");
                if !in_memory {
                    options = options.journal_mode(SqliteJournalMode::Wal);
                }
                let pool = match lazy {
                    true => settings.options().connect_lazy_with(options),
                    false => settings.options().connect_with(options).await?,
                };
                Ok((Pool::Sqlite(pool), Backend::Sqlite))
            }
            #[cfg(feature = "postgres")]
            Backend::Postgres => {
                use sqlx::postgres::PgConnectOptions;
                // UTC sessions, so that date parts of a DateTime<Utc> mean the same everywhere.
                let mut options = PgConnectOptions::from_str(url).map_err(ConfigError::url)?;
                if settings.transaction_pooler {
                    // A server connection serves many clients, one transaction at a time:
                    // a statement prepared under a name on one would be missing (or another
                    // client's) on the next, so statements stay unnamed; and PgBouncer
                    // refuses an `options` startup parameter, so the session's time zone
                    // is the `TimeZone` parameter sqlx sends (UTC), which PgBouncer carries
                    // to every server connection the client gets.
                    options = options.statement_cache_capacity(0).extra_float_digits(None);
                } else {
                    options = options.options([("timezone", "UTC")]);
                }
                let pool = match lazy {
                    true => settings.options().connect_lazy_with(options),
                    false => settings.options().connect_with(options).await?,
                };
                Ok((Pool::Postgres(pool), Backend::Postgres))
            }
            #[cfg(feature = "mysql")]
            Backend::MySql | Backend::MariaDb => {
                use sqlx::mysql::MySqlConnectOptions;
                let url = url.replacen("mariadb:", "mysql:", 1);
                let options = MySqlConnectOptions::from_str(&url)
                    .map_err(ConfigError::url)?
                    .charset("utf8mb4")
                    .timezone(Some(String::from("+00:00")));
                if lazy {
                    return Ok((Pool::MySql(settings.options().connect_lazy_with(options)), Backend::MySql));
                }
                let pool: sqlx::MySqlPool = settings.options().connect_with(options).await?;
                let version: String =
                    sqlx::query_scalar(sqlx::AssertSqlSafe("SELECT VERSION()")).fetch_one(&pool).await?;
                let backend = if version.contains("MariaDB") { Backend::MariaDb } else { Backend::MySql };
                Ok((Pool::MySql(pool), backend))
            }
            #[allow(unreachable_patterns)]
            other => {
                Err(ConfigError::BackendDisabled { backend: other.name(), feature: other.feature() }.into())
            }
        }
    }

    pub(crate) async fn acquire(&self) -> Result<PoolConn> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(p) => PoolConn::Sqlite(p.acquire().await?),
            #[cfg(feature = "postgres")]
            Pool::Postgres(p) => PoolConn::Postgres(p.acquire().await?),
            #[cfg(feature = "mysql")]
            Pool::MySql(p) => PoolConn::MySql(p.acquire().await?),
        })
    }

    /// Starts a transaction, with `begin` instead of the driver's own `BEGIN` when given.
    ///
    /// Cancel-safe: sqlx 0.9's MySQL driver (and its PostgreSQL driver before 0.9.1) counts
    /// a transaction as open only once `BEGIN` has answered, so a caller dropped while
    /// waiting (a timeout, a cancelled request) leaves the server inside a transaction that
    /// nothing rolls back, and the pool hands that connection to the next caller, whose
    /// writes then never commit. The `BEGIN` runs on a task of its own, which finishes even
    /// when the caller is gone; the transaction it opened is then dropped there, which
    /// rolls it back (tests/fault_injection.rs).
    pub(crate) async fn begin(&self, begin: Option<String>) -> Result<TxConn> {
        let pool = self.clone();
        match tokio::spawn(async move { pool.begin_here(begin).await }).await {
            Ok(result) => result,
            Err(_) => Err(crate::Error::Internal("the task that began a transaction panicked")),
        }
    }

    async fn begin_here(&self, begin: Option<String>) -> Result<TxConn> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(p) => TxConn::Sqlite(match begin {
                Some(sql) => p.begin_with(sqlx::AssertSqlSafe(sql)).await?,
                None => p.begin().await?,
            }),
            #[cfg(feature = "postgres")]
            Pool::Postgres(p) => TxConn::Postgres(match begin {
                Some(sql) => p.begin_with(sqlx::AssertSqlSafe(sql)).await?,
                None => p.begin().await?,
            }),
            #[cfg(feature = "mysql")]
            Pool::MySql(p) => TxConn::MySql(match begin {
                Some(sql) => p.begin_with(sqlx::AssertSqlSafe(sql)).await?,
                None => p.begin().await?,
            }),
        })
    }

    pub(crate) async fn close(&self) {
        each!(self, Pool, |p| p.close().await)
    }
}

/// The sqlx pools behind a `Db`, for hand-written sqlx queries beside kata.
impl crate::Db {
    /// The sqlx SQLite pool, for hand-written queries beside kata.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let pool: &sqlx::SqlitePool = db.as_sqlite().unwrap();
    /// let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tag").fetch_one(pool).await?;
    /// assert_eq!(n, 0);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    #[cfg(feature = "sqlite")]
    pub fn as_sqlite(&self) -> Option<&sqlx::SqlitePool> {
        self.pool.as_sqlite()
    }

    /// The sqlx PostgreSQL pool, for hand-written queries beside kata.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// assert!(db.as_postgres().is_none()); // a SQLite pool
    /// # assert!(db.as_sqlite().is_some());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    #[cfg(feature = "postgres")]
    pub fn as_postgres(&self) -> Option<&sqlx::PgPool> {
        self.pool.as_postgres()
    }

    /// The sqlx MySQL pool, for hand-written queries beside kata.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// assert!(db.as_mysql().is_none()); // a SQLite pool
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    #[cfg(feature = "mysql")]
    pub fn as_mysql(&self) -> Option<&sqlx::MySqlPool> {
        self.pool.as_mysql()
    }
}

impl Pool {
    #[cfg(feature = "sqlite")]
    pub(crate) fn as_sqlite(&self) -> Option<&sqlx::SqlitePool> {
        #[allow(unreachable_patterns)]
        match self {
            Pool::Sqlite(p) => Some(p),
            _ => None,
        }
    }

    #[cfg(feature = "postgres")]
    pub(crate) fn as_postgres(&self) -> Option<&sqlx::PgPool> {
        #[allow(unreachable_patterns)]
        match self {
            Pool::Postgres(p) => Some(p),
            _ => None,
        }
    }

    #[cfg(feature = "mysql")]
    pub(crate) fn as_mysql(&self) -> Option<&sqlx::MySqlPool> {
        #[allow(unreachable_patterns)]
        match self {
            Pool::MySql(p) => Some(p),
            _ => None,
        }
    }
}

/// A connection taken from the pool for one statement or stream.
#[doc(hidden)]
#[derive(Debug)]
pub enum PoolConn {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::pool::PoolConnection<sqlx::Sqlite>),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::pool::PoolConnection<sqlx::Postgres>),
    #[cfg(feature = "mysql")]
    MySql(sqlx::pool::PoolConnection<sqlx::MySql>),
}

impl PoolConn {
    pub(crate) fn raw(&mut self) -> Raw<'_> {
        match self {
            #[cfg(feature = "sqlite")]
            PoolConn::Sqlite(c) => Raw::Sqlite(c),
            #[cfg(feature = "postgres")]
            PoolConn::Postgres(c) => Raw::Postgres(c),
            #[cfg(feature = "mysql")]
            PoolConn::MySql(c) => Raw::MySql(c),
        }
    }
}

/// The driver transaction behind a `Transaction`.
#[doc(hidden)]
#[derive(Debug)]
pub enum TxConn {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
    #[cfg(feature = "mysql")]
    MySql(sqlx::Transaction<'static, sqlx::MySql>),
}

impl TxConn {
    pub(crate) fn raw(&mut self) -> Raw<'_> {
        match self {
            #[cfg(feature = "sqlite")]
            TxConn::Sqlite(t) => Raw::Sqlite(t),
            #[cfg(feature = "postgres")]
            TxConn::Postgres(t) => Raw::Postgres(t),
            #[cfg(feature = "mysql")]
            TxConn::MySql(t) => Raw::MySql(t),
        }
    }

    pub(crate) async fn commit(self) -> Result<()> {
        each!(self, TxConn, |t| t.commit().await)?;
        Ok(())
    }

    pub(crate) async fn rollback(self) -> Result<()> {
        each!(self, TxConn, |t| t.rollback().await)?;
        Ok(())
    }
}

/// A borrowed driver connection: a pooled one or a transaction's.
#[derive(Debug)]
pub(crate) enum Raw<'c> {
    #[cfg(feature = "sqlite")]
    Sqlite(&'c mut sqlx::SqliteConnection),
    #[cfg(feature = "postgres")]
    Postgres(&'c mut sqlx::PgConnection),
    #[cfg(feature = "mysql")]
    MySql(&'c mut sqlx::MySqlConnection),
}

/// What a statement that returns no rows did.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Done {
    pub(crate) rows_affected: u64,
    /// The key the database assigned to the last inserted row (SQLite, MySQL, MariaDB).
    pub(crate) last_insert_id: Option<i64>,
}

/// How many rows SQLite hands over before kata decodes any.
///
/// SQLite steps the statement on sqlx's worker thread and hands rows over a bounded
/// channel: receiving a batch first and decoding it afterwards keeps the two threads from
/// waking each other for every row (measured: 12-14 % faster at 100-1,000 rows; the batch
/// bounds the extra memory). The other drivers decode each row as it arrives.
#[cfg(feature = "sqlite")]
const SQLITE_BATCH: usize = 1024;

/// Every row of `rows`, each decoded by `decode`; with `batch > 1`, rows are received in
/// batches of that many before any of them is decoded (see [`SQLITE_BATCH`]).
async fn collect<R, T>(
    mut rows: BoxStream<'_, std::result::Result<R, sqlx::Error>>,
    batch: usize,
    mut decode: impl FnMut(&R) -> Result<T>,
) -> Result<Vec<T>> {
    let mut out = Vec::new();
    if batch <= 1 {
        while let Some(row) = rows.try_next().await? {
            out.push(decode(&row)?);
        }
        return Ok(out);
    }
    let mut received = Vec::new();
    loop {
        while received.len() < batch {
            match rows.try_next().await? {
                Some(row) => received.push(row),
                None => break,
            }
        }
        let last = received.len() < batch;
        out.reserve(received.len());
        for row in received.drain(..) {
            out.push(decode(&row)?);
        }
        if last {
            return Ok(out);
        }
    }
}

/// The rows of one statement, as the driver streams them.
pub(crate) enum Rows<'c> {
    #[cfg(feature = "sqlite")]
    Sqlite(BoxStream<'c, std::result::Result<sqlx::sqlite::SqliteRow, sqlx::Error>>),
    #[cfg(feature = "postgres")]
    Postgres(BoxStream<'c, std::result::Result<sqlx::postgres::PgRow, sqlx::Error>>),
    #[cfg(feature = "mysql")]
    MySql(BoxStream<'c, std::result::Result<sqlx::mysql::MySqlRow, sqlx::Error>>),
}

impl Rows<'_> {
    /// The next row, if any.
    #[inline]
    pub(crate) async fn next(&mut self) -> Result<Option<Row>> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Rows::Sqlite(s) => s.try_next().await?.map(Row::Sqlite),
            #[cfg(feature = "postgres")]
            Rows::Postgres(s) => s.try_next().await?.map(Row::Postgres),
            #[cfg(feature = "mysql")]
            Rows::MySql(s) => s.try_next().await?.map(Row::MySql),
        })
    }
}

impl<'c> Raw<'c> {
    /// Starts `text` with `args` and streams its rows.
    pub(crate) fn fetch(self, text: SqlStr, args: Args) -> Result<Rows<'c>> {
        Ok(match (self, args) {
            #[cfg(feature = "sqlite")]
            (Raw::Sqlite(c), Args::Sqlite(a)) => Rows::Sqlite(sqlx::query_with(text, a).fetch(c)),
            #[cfg(feature = "postgres")]
            (Raw::Postgres(c), Args::Postgres(a)) => Rows::Postgres(sqlx::query_with(text, a).fetch(c)),
            #[cfg(feature = "mysql")]
            (Raw::MySql(c), Args::MySql(a)) => Rows::MySql(sqlx::query_with(text, a).fetch(c)),
            #[allow(unreachable_patterns)]
            _ => return Err(mismatch()),
        })
    }

    /// Runs `text` with `args` and decodes every row with `decode`.
    ///
    /// The loop is written once and compiled per backend, so that each row is decoded
    /// straight from the driver's own row type (this is the hottest loop of kata).
    pub(crate) async fn fetch_all<T, F>(self, text: SqlStr, args: Args, decode: &mut F) -> Result<Vec<T>>
    where
        T: Send,
        F: FnMut(RowRef<'_>) -> Result<T> + Send,
    {
        Ok(match (self, args) {
            #[cfg(feature = "sqlite")]
            (Raw::Sqlite(c), Args::Sqlite(a)) => {
                collect(sqlx::query_with(text, a).fetch(c), SQLITE_BATCH, |r| decode(RowRef::Sqlite(r)))
                    .await?
            }
            #[cfg(feature = "postgres")]
            (Raw::Postgres(c), Args::Postgres(a)) => {
                collect(sqlx::query_with(text, a).fetch(c), 1, |r| decode(RowRef::Postgres(r))).await?
            }
            #[cfg(feature = "mysql")]
            (Raw::MySql(c), Args::MySql(a)) => {
                collect(sqlx::query_with(text, a).fetch(c), 1, |r| decode(RowRef::MySql(r))).await?
            }
            #[allow(unreachable_patterns)]
            _ => return Err(mismatch()),
        })
    }

    /// Runs `text` with `args` for its effect.
    pub(crate) async fn execute(self, text: SqlStr, args: Args) -> Result<Done> {
        Ok(each_pair!(self, args, |c, a| {
            let r = sqlx::query_with(text, a).execute(c).await?;
            Done { rows_affected: r.rows_affected(), last_insert_id: last_insert_id(&r) }
        }))
    }

    /// Runs SQL with no parameters (DDL, `SAVEPOINT`), possibly several statements.
    pub(crate) async fn execute_raw(self, text: SqlStr) -> Result<()> {
        use sqlx::Executor as _;
        each!(self, Raw, |c| c.execute(sqlx::raw_sql(text)).await.map(|_| ()))?;
        Ok(())
    }
}

trait LastInsertId {
    fn id(&self) -> Option<i64>;
}
#[cfg(feature = "sqlite")]
impl LastInsertId for sqlx::sqlite::SqliteQueryResult {
    fn id(&self) -> Option<i64> {
        Some(self.last_insert_rowid())
    }
}
#[cfg(feature = "postgres")]
impl LastInsertId for sqlx::postgres::PgQueryResult {
    fn id(&self) -> Option<i64> {
        None
    }
}
#[cfg(feature = "mysql")]
impl LastInsertId for sqlx::mysql::MySqlQueryResult {
    fn id(&self) -> Option<i64> {
        i64::try_from(self.last_insert_id()).ok().filter(|id| *id != 0)
    }
}
fn last_insert_id(result: &impl LastInsertId) -> Option<i64> {
    result.id()
}

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
