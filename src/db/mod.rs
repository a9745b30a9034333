//! Connecting: the `Db` handle over a sqlx pool, its builder, the `Executor` trait,
//! transactions, and running statements. This layer knows statements and rows; it never
//! names a query set, a relation or a model.

mod executor;
pub(crate) mod raw;
mod retry;
pub(crate) mod route;
pub(crate) mod run;
mod transaction;

use std::any::{Any, TypeId};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

pub use executor::{ExecRef, Executor};
pub use raw::{Param, Params, RawRow};
pub use retry::{Conflict, Retry};
pub(crate) use route::Route;
pub use route::{ModelInfo, PRIMARY, Router};
pub(crate) use run::Statement;
pub use transaction::{Transaction, TransactionBuilder};
pub(crate) use transaction::{atomically, begin_nested};

use crate::dialect::{self, Dialect};
use crate::driver::{Backend, Pool, PoolSettings};
use crate::error::Result;

/// A connection pool to one database: the handle every query takes (`&db`).
///
/// Cloning is cheap and shares the pool. Connect with [`Db::connect`] or, to set pool
/// options (Django's `CONN_MAX_AGE` and `MAX_CONNS`), with [`Db::builder`].
///
/// ```
/// # async fn demo() -> kata::Result<()> {
/// let db = kata::Db::connect("sqlite::memory:").await?;
/// let db = kata::Db::builder("sqlite::memory:")
///     .max_connections(8)
///     .max_lifetime(std::time::Duration::from_secs(600))
///     .connect()
///     .await?;
/// # let _ = db; Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct Db {
    /// The pool of the primary, or of the database this handle is pinned to.
    pub(crate) pool: Pool,
    pub(crate) shared: Arc<Shared>,
    /// The other databases and the choice between them; `None` when there is only one.
    pub(crate) routing: Option<Arc<route::Routing>>,
    /// The database this handle is pinned to ([`Db::using`]), an index into `routing`.
    pub(crate) pinned: Option<usize>,
}

/// State shared by a `Db`, its clones and its transactions.
#[doc(hidden)]
pub struct Shared {
    /// The SQL dialect of the server behind the pool.
    pub(crate) dialect: &'static dyn Dialect,
    /// Statements run, for `testing::assert_num_queries`.
    pub(crate) queries: AtomicU64,
    /// The statements run while any capture (`testing::capture_queries`) is open; emptied
    /// when the last one closes.
    pub(crate) captured: std::sync::Mutex<Vec<CapturedQuery>>,
    /// How many captures are open (changed only with `captured` locked).
    pub(crate) capturing: AtomicUsize,
    /// The URL the pool was opened with, for [`Db::url`].
    pub(crate) url: String,
    /// The server is reached through a transaction-mode pooler
    /// ([`DbBuilder::transaction_pooler`]): a statement outside a transaction runs in one
    /// of its own (`db::run`).
    pub(crate) transaction_pooler: bool,
    /// State that layers above this one keep per pool (the models a pool knows, for
    /// example), one value per type.
    extensions: std::sync::RwLock<Vec<(TypeId, Arc<dyn Any + Send + Sync>)>>,
}

impl std::fmt::Debug for Shared {
    /// Everything but the URL, which may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("dialect", &self.dialect)
            .field("queries", &self.queries)
            .field("capturing", &self.capturing)
            .finish_non_exhaustive()
    }
}

impl Shared {
    fn new(dialect: &'static dyn Dialect, url: String, transaction_pooler: bool) -> Self {
        Shared {
            dialect,
            transaction_pooler,
            queries: AtomicU64::new(0),
            captured: std::sync::Mutex::new(Vec::new()),
            capturing: AtomicUsize::new(0),
            url,
            extensions: std::sync::RwLock::new(Vec::new()),
        }
    }

    /// The pool's value of type `T`, created with `T::default()` on first use.
    pub(crate) fn extension<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        let id = TypeId::of::<T>();
        let found = self.extensions.read().ok().and_then(|list| {
            list.iter().find(|(t, _)| *t == id).and_then(|(_, v)| Arc::clone(v).downcast::<T>().ok())
        });
        if let Some(value) = found {
            return value;
        }
        let value = Arc::new(T::default());
        if let Ok(mut list) = self.extensions.write() {
            if let Some((_, existing)) = list.iter().find(|(t, _)| *t == id)
                && let Ok(existing) = Arc::clone(existing).downcast::<T>()
            {
                return existing;
            }
            list.push((id, value.clone()));
        }
        value
    }

    /// Counts one statement and, while a capture is open, keeps its SQL, duration and
    /// row count (`None` for a statement that began before the capture did).
    pub(crate) fn record(&self, sql: Option<&str>, duration: Option<Duration>, rows: u64) {
        self.record_outcome(sql, duration, Ok(rows));
    }

    /// Counts one statement, which returned or touched `rows` or failed with an error,
    /// and keeps it while a capture is open.
    pub(crate) fn record_outcome(
        &self,
        sql: Option<&str>,
        duration: Option<Duration>,
        outcome: std::result::Result<u64, &crate::Error>,
    ) {
        self.queries.fetch_add(1, Ordering::Relaxed);
        if self.capturing.load(Ordering::Relaxed) > 0
            && let Ok(mut captured) = self.captured.lock()
            && self.capturing.load(Ordering::Relaxed) > 0
        {
            captured.push(CapturedQuery {
                sql: sql.unwrap_or("(SQL not kept: the statement began before capturing)").to_owned(),
                duration: duration.unwrap_or_default(),
                rows: *outcome.as_ref().unwrap_or(&0),
                error: outcome.err().map(ToString::to_string),
            });
        }
    }

    /// The time now when a capture is open (for statements run outside `run`), else `None`.
    pub(crate) fn clock(&self) -> Option<std::time::Instant> {
        (self.capturing.load(Ordering::Relaxed) > 0).then(std::time::Instant::now)
    }

    /// Opens a capture: the position in `captured` its statements start at.
    pub(crate) fn open_capture(&self) -> usize {
        match self.captured.lock() {
            Ok(mut captured) => {
                if self.capturing.load(Ordering::Relaxed) == 0 {
                    captured.clear();
                }
                self.capturing.fetch_add(1, Ordering::Relaxed);
                captured.len()
            }
            Err(_) => 0,
        }
    }

    /// Closes the capture opened at `start` and returns what it saw.
    pub(crate) fn close_capture(&self, start: usize) -> Vec<CapturedQuery> {
        match self.captured.lock() {
            Ok(mut captured) => {
                let seen = captured.get(start..).map(<[CapturedQuery]>::to_vec).unwrap_or_default();
                if self.capturing.fetch_sub(1, Ordering::Relaxed) == 1 {
                    captured.clear();
                }
                seen
            }
            Err(_) => Vec::new(),
        }
    }
}

/// One statement that ran while [`testing::capture_queries`](crate::testing::capture_queries)
/// was capturing (an entry of Django's `CaptureQueriesContext.captured_queries`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CapturedQuery {
    /// The SQL text as sent, placeholders and all (values are bound, so not in it).
    pub sql: String,
    /// How long it took: from sending it until its last row was read, or until the
    /// database reported its effect.
    pub duration: Duration,
    /// The rows it returned, or touched for a statement that returns none (0 when it
    /// failed).
    pub rows: u64,
    /// The error it failed with, `None` when it succeeded.
    pub error: Option<String>,
}

impl Db {
    /// Connects with default pool settings. The URL picks the backend:
    /// `sqlite::memory:`, `sqlite://path.db?mode=rwc`, `postgres://...`, `mysql://...`.
    ///
    /// ```
    /// # async fn demo() -> kata::Result<()> {
    /// let db = kata::Db::connect("sqlite::memory:").await?;
    /// assert_eq!(db.backend(), kata::Backend::Sqlite);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn connect(url: &str) -> Result<Db> {
        Db::builder(url).connect().await
    }

    /// A builder for pool settings.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::builder("sqlite::memory:").max_connections(4).connect().await?;
    /// assert_eq!(db.as_sqlite().unwrap().options().get_max_connections(), 4);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn builder(url: &str) -> DbBuilder {
        DbBuilder {
            url: url.to_owned(),
            settings: PoolSettings {
                max_connections: None,
                min_connections: None,
                max_lifetime: None,
                idle_timeout: None,
                acquire_timeout: None,
                busy_timeout: Duration::from_secs(5),
                transaction_pooler: false,
            },
            routing: None,
        }
    }

    /// Which database this is: MariaDB and MySQL are told apart when the pool connects.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::connect("sqlite::memory:").await?;
    /// assert_eq!(db.backend(), kata::Backend::Sqlite);
    /// assert_eq!(db.backend().name(), "sqlite");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn backend(&self) -> Backend {
        self.shared.dialect.backend()
    }

    /// The URL this pool was opened with, as given to [`Db::connect`] or [`Db::builder`]:
    /// to open a second pool on the same database, for example one with other pool
    /// settings, or in a test that reads back what a transaction left "from another
    /// connection". It may hold a password, so do not log it. For `sqlite::memory:` a
    /// second pool opens a different, empty database.
    ///
    /// ```
    /// # async fn demo() -> kata::Result<()> {
    /// let db = kata::Db::connect("sqlite::memory:").await?;
    /// assert_eq!(db.url(), "sqlite::memory:");
    /// let one = kata::Db::builder(db.url()).max_connections(1).connect().await?;
    /// # let _ = one; Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn url(&self) -> &str {
        &self.shared.url
    }

    /// How many statements this pool has run (all clones and transactions included).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let before = db.query_count();
    /// Tag::objects().acount(&db).await?;
    /// db.atomic(async |tx| Tag::objects().acount(&tx).await).await?; // BEGIN, SELECT, COMMIT
    /// assert_eq!(db.query_count(), before + 4);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn query_count(&self) -> u64 {
        self.shared.queries.load(Ordering::Relaxed)
    }

    /// Closes every connection, waiting for the ones in use to come back.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// db.close().await;
    /// assert!(Tag::objects().acount(&db).await.is_err()); // the pool is closed
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn close(&self) {
        match &self.routing {
            Some(routing) => routing.close().await,
            None => self.pool.close().await,
        }
    }

    /// Runs SQL that takes no parameters, such as DDL written by hand. Never pass text
    /// that a user typed: kata cannot bind values here.
    ///
    /// ```
    /// # async fn demo() -> kata::Result<()> {
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Note { #[kata(primary_key)] id: i64 }
    /// let db = kata::Db::connect("sqlite::memory:").await?;
    /// db.execute_unprepared("CREATE TABLE note (id INTEGER PRIMARY KEY); INSERT INTO note VALUES (1)")
    ///     .await?;
    /// assert_eq!(Note::objects().values_list(Note::id).alist(&db).await?, [1]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn execute_unprepared(&self, sql: &str) -> Result<()> {
        run::execute_raw(self, sql).await
    }
}

/// Pool settings for [`Db::builder`].
///
/// kata turns off sqlx's ping before every acquire (a round trip per query); a connection
/// that died is replaced when a query on it fails.
#[derive(Debug, Clone)]
pub struct DbBuilder {
    url: String,
    settings: PoolSettings,
    /// Replicas, other databases and the router, when any was given.
    routing: Option<route::RoutingConfig>,
}

impl DbBuilder {
    /// The most connections the pool opens (Django's `MAX_CONNS`). Default: 10.
    ///
    /// ```
    /// use std::time::Duration;
    /// # use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::builder("sqlite::memory:").max_connections(8).connect().await?;
    /// let options = db.as_sqlite().unwrap().options();
    /// assert_eq!(options.get_max_connections(), 8);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn max_connections(mut self, n: u32) -> Self {
        self.settings.max_connections = Some(n);
        self
    }
    /// Connections kept open even when idle. Default: 0.
    ///
    /// ```
    /// use std::time::Duration;
    /// # use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::builder("sqlite::memory:").min_connections(1).connect().await?;
    /// let options = db.as_sqlite().unwrap().options();
    /// assert_eq!(options.get_min_connections(), 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn min_connections(mut self, n: u32) -> Self {
        self.settings.min_connections = Some(n);
        self
    }
    /// How long a connection lives before it is replaced (Django's `CONN_MAX_AGE`);
    /// `None` keeps connections for ever (`CONN_MAX_AGE = None`). Default: 30 minutes.
    ///
    /// ```
    /// use std::time::Duration;
    /// # use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::builder("sqlite::memory:").max_lifetime(Duration::from_secs(600)).connect().await?;
    /// let options = db.as_sqlite().unwrap().options();
    /// assert_eq!(options.get_max_lifetime(), Some(Duration::from_secs(600)));
    /// let forever = Db::builder("sqlite::memory:").max_lifetime(None).connect().await?;
    /// assert_eq!(forever.as_sqlite().unwrap().options().get_max_lifetime(), None);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn max_lifetime(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.settings.max_lifetime = Some(d.into());
        self
    }
    /// How long a connection may sit idle before it is closed; `None` never closes idle
    /// connections. Default: 10 minutes.
    ///
    /// ```
    /// use std::time::Duration;
    /// # use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::builder("sqlite::memory:").idle_timeout(Duration::from_secs(60)).connect().await?;
    /// let options = db.as_sqlite().unwrap().options();
    /// assert_eq!(options.get_idle_timeout(), Some(Duration::from_secs(60)));
    /// let kept = Db::builder("sqlite::memory:").idle_timeout(None).connect().await?;
    /// assert_eq!(kept.as_sqlite().unwrap().options().get_idle_timeout(), None);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn idle_timeout(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.settings.idle_timeout = Some(d.into());
        self
    }
    /// How long a query waits for a free connection before [`Error::PoolTimedOut`](crate::Error::PoolTimedOut).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// use std::time::Duration;
    /// let db = Db::builder("sqlite::memory:")
    ///     .max_connections(1)
    ///     .acquire_timeout(Duration::from_millis(50))
    ///     .connect()
    ///     .await?;
    /// let tx = db.begin().await?; // holds the only connection
    /// let err = db.execute_unprepared("SELECT 1").await.unwrap_err();
    /// assert!(matches!(err, kata::Error::PoolTimedOut));
    /// # drop(tx);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn acquire_timeout(mut self, d: Duration) -> Self {
        self.settings.acquire_timeout = Some(d);
        self
    }
    /// SQLite only: how long a writer waits for a lock before "database is locked".
    /// Default: 5 seconds.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// use std::time::{Duration, Instant};
    /// # let path = std::env::temp_dir().join(format!("kata-doc-busy-{}.db", std::process::id()));
    /// let url = format!("sqlite://{}?mode=rwc", path.display()); // a file: WAL, several connections
    /// let db = Db::builder(&url).busy_timeout(Duration::from_millis(50)).connect().await?;
    /// let writer = db.begin().await?; // BEGIN IMMEDIATE: holds the write lock
    /// let start = Instant::now();
    /// assert!(db.begin().await.is_err()); // a second writer gives up after 50 ms
    /// assert!(start.elapsed() < Duration::from_secs(5));
    /// # drop(writer);
    /// # db.close().await;
    /// # for suffix in ["", "-wal", "-shm"] { let _ = std::fs::remove_file(format!("{}{suffix}", path.display())); }
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn busy_timeout(mut self, d: Duration) -> Self {
        self.settings.busy_timeout = d;
        self
    }

    /// PostgreSQL only: the URL is a pooler in transaction mode (PgBouncer's
    /// `pool_mode = transaction`, or another such as PgCat or Supavisor), which hands each
    /// transaction, and each statement outside one, to whichever server connection is free.
    ///
    /// kata then prepares no named statements: sqlx's statement cache is off, so every
    /// statement is parsed again, unnamed. sqlx parses a statement and binds its values
    /// in two exchanges, and between them the pooler may hand the client another server
    /// connection, where another client's unnamed statement waits (PostgreSQL: "bind
    /// message supplies 1 parameters, but prepared statement \"\" requires 9"); so a
    /// statement with values that runs outside a transaction runs in a transaction of its
    /// own, which keeps one server connection from `BEGIN` to `COMMIT` (four round trips
    /// instead of one with the cache). Statements inside [`atomic`](crate::Db::atomic) run
    /// as usual, and hand-written SQL without values (`execute_unprepared`) is sent as one
    /// simple query, outside any transaction (`CREATE DATABASE` must be). kata also sends
    /// no `options` startup parameter, which PgBouncer refuses: sessions are still UTC,
    /// from the `TimeZone` parameter that sqlx sends and PgBouncer carries to every server
    /// connection.
    ///
    /// PostgreSQL only: on another backend [`connect`](Self::connect) fails with
    /// [`ConfigError::Unsupported`](crate::ConfigError::Unsupported). Default: off.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// let url = "postgres://postgres@127.0.0.1:6432/app"; // PgBouncer
    /// let builder = Db::builder(url).transaction_pooler(true);
    /// # let _ = builder;
    /// let not_postgres = Db::builder("sqlite::memory:").transaction_pooler(true).connect().await;
    /// assert!(matches!(not_postgres, Err(kata::Error::Config(kata::ConfigError::Unsupported { .. }))));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn transaction_pooler(mut self, on: bool) -> Self {
        self.settings.transaction_pooler = on;
        self
    }

    /// Opens the pool. An unknown URL scheme, a malformed URL or a backend whose cargo
    /// feature is off is an [`Error::Config`](crate::Error::Config).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::builder("sqlite::memory:").connect().await?;
    /// assert_eq!(db.url(), "sqlite::memory:");
    /// let bad = Db::builder("oracle://db").connect().await;
    /// assert!(matches!(bad, Err(kata::Error::Config(kata::ConfigError::UnsupportedScheme { .. }))));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn connect(self) -> Result<Db> {
        let (pool, backend) = Pool::connect(&self.url, &self.settings, false).await?;
        let routing = match self.routing {
            Some(config) => match route::Routing::open(pool.clone(), config, &self.settings, backend).await {
                Ok(routing) => Some(Arc::new(routing)),
                Err(e) => {
                    pool.close().await;
                    return Err(e);
                }
            },
            None => None,
        };
        let shared = Arc::new(Shared::new(dialect::of(backend), self.url, self.settings.transaction_pooler));
        Ok(Db { pool, shared, routing, pinned: None })
    }
}
