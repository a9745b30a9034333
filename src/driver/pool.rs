//! Pools, connections and transactions per backend: connecting with `DbBuilder`'s settings,
//! acquiring, beginning, and running one statement on a connection.

use std::str::FromStr as _;
use std::time::Duration;

use futures_core::stream::BoxStream;
use futures_util::TryStreamExt as _;
use sqlx::SqlStr;

use super::{Args, Backend, Row, RowRef, mismatch};
use crate::error::{ConfigError, Result};

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

    /// A pooled connection. sqlx's acquire future (about 3 KB) is boxed: every kata future
    /// that runs a statement would otherwise carry it inline and copy it at each move, which
    /// costs more than the one allocation (`benches/README.md`, "Future sizes").
    pub(crate) async fn acquire(&self) -> Result<PoolConn> {
        Ok(match self {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(p) => PoolConn::Sqlite(Box::pin(p.acquire()).await?),
            #[cfg(feature = "postgres")]
            Pool::Postgres(p) => PoolConn::Postgres(Box::pin(p.acquire()).await?),
            #[cfg(feature = "mysql")]
            Pool::MySql(p) => PoolConn::MySql(Box::pin(p.acquire()).await?),
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
