//! Connecting: the `Db` handle over a sqlx pool, its builder, and DDL.

pub(crate) mod ddl;
pub(crate) mod errors;
mod executor;
pub(crate) mod run;
mod transaction;

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub use executor::{Conn, ExecRef, Executor};
pub(crate) use transaction::atomically;
pub use transaction::{Conflict, IsolationLevel, Retry, Transaction, TransactionBuilder};

use crate::backend::Backend;
use crate::error::{Error, Result};

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
    pub(crate) pool: Pool,
    pub(crate) shared: Arc<Shared>,
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

/// State shared by a `Db`, its clones and its transactions.
#[doc(hidden)]
#[derive(Default)]
pub struct Shared {
    /// Statements run, for `testing::assert_num_queries`.
    pub(crate) queries: AtomicU64,
    /// When capturing, the SQL of each statement run.
    pub(crate) captured: std::sync::Mutex<Option<Vec<String>>>,
    pub(crate) capturing: std::sync::atomic::AtomicBool,
    /// INSERT ... RETURNING works (SQLite, PostgreSQL, MariaDB; not MySQL).
    pub(crate) returning: bool,
    /// The MySQL backend is MariaDB.
    pub(crate) mariadb: bool,
    /// The URL the pool was opened with, for [`Db::url`].
    pub(crate) url: String,
    /// The models whose tables this pool knows (for delete counts).
    pub(crate) models: std::sync::RwLock<Vec<&'static crate::ModelMeta>>,
}

impl std::fmt::Debug for Shared {
    /// Everything but the URL, which may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("queries", &self.queries)
            .field("capturing", &self.capturing)
            .field("returning", &self.returning)
            .field("mariadb", &self.mariadb)
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn known_models(&self) -> Vec<&'static crate::ModelMeta> {
        self.models.read().map(|m| m.clone()).unwrap_or_default()
    }

    pub(crate) fn register(&self, models: &[&'static crate::ModelMeta]) {
        if let Ok(mut known) = self.models.write() {
            for meta in models {
                if !known.iter().any(|k| std::ptr::eq(*k, *meta)) {
                    known.push(meta);
                }
            }
        }
    }

    pub(crate) fn record(&self, sql: &str) {
        self.queries.fetch_add(1, Ordering::Relaxed);
        if self.capturing.load(Ordering::Relaxed)
            && let Ok(mut captured) = self.captured.lock()
            && let Some(list) = captured.as_mut()
        {
            list.push(sql.to_owned());
        }
    }
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
            max_connections: None,
            min_connections: None,
            max_lifetime: None,
            idle_timeout: None,
            acquire_timeout: None,
            busy_timeout: Duration::from_secs(5),
        }
    }

    /// Which database this is.
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
        match self.pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(_) => Backend::Sqlite,
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => Backend::Postgres,
            #[cfg(feature = "mysql")]
            Pool::MySql(_) => Backend::MySql,
        }
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

    /// Tells the pool about models whose tables exist already (created by migrations), so
    /// that `adelete` can report what cascades delete. `create_tables` does this itself.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64 }
    /// # #[derive(Model, Debug)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "cascade")] author: ForeignKey<User> }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// for sql in db.create_tables_sql(&[User::meta(), Post::meta()]) {
    ///     db.execute_unprepared(&sql).await?; // as a migration would
    /// }
    /// db.register_models(&[User::meta(), Post::meta()]);
    /// # let ann = User::objects().acreate(&db, Vec::new()).await?;
    /// # Post::objects().acreate(&db, [Post::author.set(&ann)]).await?;
    /// let deleted = User::objects().adelete(&db).await?;
    /// assert_eq!(deleted.count("Post"), 1); // the cascade is counted: the Db knows Post
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn register_models(&self, models: &[&'static crate::ModelMeta]) {
        let all = crate::db::ddl::with_through_tables(models);
        self.shared.register(&all);
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
        match &self.pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(p) => p.close().await,
            #[cfg(feature = "postgres")]
            Pool::Postgres(p) => p.close().await,
            #[cfg(feature = "mysql")]
            Pool::MySql(p) => p.close().await,
        }
    }

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
        #[allow(unreachable_patterns)]
        match &self.pool {
            Pool::Sqlite(p) => Some(p),
            _ => None,
        }
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
        #[allow(unreachable_patterns)]
        match &self.pool {
            Pool::Postgres(p) => Some(p),
            _ => None,
        }
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
        #[allow(unreachable_patterns)]
        match &self.pool {
            Pool::MySql(p) => Some(p),
            _ => None,
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
    max_connections: Option<u32>,
    min_connections: Option<u32>,
    max_lifetime: Option<Duration>,
    idle_timeout: Option<Duration>,
    acquire_timeout: Option<Duration>,
    busy_timeout: Duration,
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
        self.max_connections = Some(n);
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
        self.min_connections = Some(n);
        self
    }
    /// How long a connection lives before it is replaced (Django's `CONN_MAX_AGE`).
    ///
    /// ```
    /// use std::time::Duration;
    /// # use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::builder("sqlite::memory:").max_lifetime(Duration::from_secs(600)).connect().await?;
    /// let options = db.as_sqlite().unwrap().options();
    /// assert_eq!(options.get_max_lifetime(), Some(Duration::from_secs(600)));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn max_lifetime(mut self, d: Duration) -> Self {
        self.max_lifetime = Some(d);
        self
    }
    /// How long a connection may sit idle before it is closed.
    ///
    /// ```
    /// use std::time::Duration;
    /// # use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::builder("sqlite::memory:").idle_timeout(Duration::from_secs(60)).connect().await?;
    /// let options = db.as_sqlite().unwrap().options();
    /// assert_eq!(options.get_idle_timeout(), Some(Duration::from_secs(60)));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = Some(d);
        self
    }
    /// How long a query waits for a free connection before [`Error::PoolTimedOut`].
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
        self.acquire_timeout = Some(d);
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
        self.busy_timeout = d;
        self
    }

    fn pool_options<DB: sqlx::Database>(&self) -> sqlx::pool::PoolOptions<DB> {
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

    /// Opens the pool.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::builder("sqlite::memory:").connect().await?;
    /// assert_eq!(db.url(), "sqlite::memory:");
    /// let bad = Db::builder("oracle://db").connect().await;
    /// assert!(matches!(bad, Err(kata::Error::InvalidQuery(_)))); // unsupported scheme
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn connect(self) -> Result<Db> {
        let scheme = self.url.split(':').next().unwrap_or_default();
        let (pool, returning) = match scheme {
            "sqlite" => self.connect_sqlite().await?,
            "postgres" | "postgresql" => self.connect_postgres().await?,
            "mysql" | "mariadb" => self.connect_mysql().await?,
            _ => {
                return Err(Error::InvalidQuery(format!(
                    "unsupported database URL scheme `{scheme}`: use sqlite:, postgres: or mysql:"
                )));
            }
        };
        // Only MariaDB among the MySQL family has RETURNING, so the flag also tells them apart.
        let mariadb = returning && scheme != "sqlite" && !scheme.starts_with("postgres");
        Ok(Db { pool, shared: Arc::new(Shared { returning, mariadb, url: self.url, ..Shared::default() }) })
    }

    #[cfg(feature = "sqlite")]
    async fn connect_sqlite(&self) -> Result<(Pool, bool)> {
        use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
        let mut options = SqliteConnectOptions::from_str(&self.url)?
            .foreign_keys(true)
            .busy_timeout(self.busy_timeout)
            .with_regexp();
        let in_memory = self.url.contains(":memory:") || self.url.contains("mode=memory");
        if !in_memory {
            options = options.journal_mode(SqliteJournalMode::Wal);
        }
        let pool = self.pool_options().connect_with(options).await?;
        Ok((Pool::Sqlite(pool), true))
    }

    #[cfg(not(feature = "sqlite"))]
    async fn connect_sqlite(&self) -> Result<(Pool, bool)> {
        Err(Error::BackendDisabled(Backend::Sqlite))
    }

    #[cfg(feature = "postgres")]
    async fn connect_postgres(&self) -> Result<(Pool, bool)> {
        use sqlx::postgres::PgConnectOptions;
        // UTC sessions, so that date parts of a DateTime<Utc> mean the same everywhere.
        let options = PgConnectOptions::from_str(&self.url)?.options([("timezone", "UTC")]);
        let pool = self.pool_options().connect_with(options).await?;
        Ok((Pool::Postgres(pool), true))
    }

    #[cfg(not(feature = "postgres"))]
    async fn connect_postgres(&self) -> Result<(Pool, bool)> {
        Err(Error::BackendDisabled(Backend::Postgres))
    }

    #[cfg(feature = "mysql")]
    async fn connect_mysql(&self) -> Result<(Pool, bool)> {
        use sqlx::mysql::MySqlConnectOptions;
        let url = self.url.replacen("mariadb:", "mysql:", 1);
        let options =
            MySqlConnectOptions::from_str(&url)?.charset("utf8mb4").timezone(Some(String::from("+00:00")));
        let pool: sqlx::MySqlPool = self.pool_options().connect_with(options).await?;
        // MariaDB (10.5+) has INSERT ... RETURNING; MySQL does not.
        let version: String =
            sqlx::query_scalar(sqlx::AssertSqlSafe("SELECT VERSION()")).fetch_one(&pool).await?;
        let returning = version.contains("MariaDB");
        Ok((Pool::MySql(pool), returning))
    }

    #[cfg(not(feature = "mysql"))]
    async fn connect_mysql(&self) -> Result<(Pool, bool)> {
        Err(Error::BackendDisabled(Backend::MySql))
    }
}
