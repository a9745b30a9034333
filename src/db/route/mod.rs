//! Several databases behind one `Db` (Django's `DATABASES` and database routers): a
//! primary, read replicas and named extra databases, and the choice of one for each
//! statement.
//!
//! The rules, in order: a statement inside a transaction runs on the transaction's
//! connection; a database pinned with `using` serves it; a [`Router`] that names one
//! serves it; a write goes to the primary; a read goes to the primary while the task wrote
//! within the read-your-writes window, else to a replica that is up and not lagging, else
//! to the primary. A `Db` with no other database skips all of it: one `Option` check.
//!
//! Read-your-writes is kept per tokio task (`tokio::task::try_id`): the reads of the task
//! (a web request's handler, a spawned job) that wrote stay on the primary; other tasks'
//! reads keep using the replicas. Outside any task (`block_on`), all such code shares one
//! entry. The state is a small map of recent writers, pruned as it grows.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, SqlSafeStr as _};

use crate::db::executor::Conn;
use crate::db::{Db, DbBuilder};
use crate::driver::{Args, Pool, PoolConn, PoolSettings};
use crate::error::{ConfigError, Error, Result};
use crate::value::FieldType;

mod api;

/// The alias of the primary database (Django's `"default"`).
pub const PRIMARY: &str = "default";

/// What a statement asks of routing: whether it only reads, the model it is about and a
/// database pinned by the query. The default is a write to the primary: anything not
/// marked as a read goes there.
#[doc(hidden)]
#[derive(Debug, Clone, Default)]
pub struct Route {
    pub(crate) read: bool,
    pub(crate) model: Option<ModelInfo>,
    pub(crate) using: Option<Arc<str>>,
}

impl Route {
    /// A read of `model` (or of hand-written SQL when `None`), pinned when `using` is set.
    pub(crate) fn read(model: Option<ModelInfo>, using: Option<Arc<str>>) -> Route {
        Route { read: true, model, using }
    }

    /// A write of `model`, pinned when `using` is set.
    pub(crate) fn write(model: Option<ModelInfo>, using: Option<Arc<str>>) -> Route {
        Route { read: false, model, using }
    }
}

/// The model a [`Router`] is asked about: its Rust name and its table.
///
/// ```
/// let m = kata::ModelInfo::new("User", "auth_user");
/// assert_eq!((m.name, m.table), ("User", "auth_user"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModelInfo {
    /// The model's Rust name.
    pub name: &'static str,
    /// Its table.
    pub table: &'static str,
}

impl ModelInfo {
    /// The model named `name`, on `table`.
    ///
    /// ```
    /// let m = kata::ModelInfo::new("Event", "analytics_event");
    /// assert_eq!(m.table, "analytics_event");
    /// ```
    pub const fn new(name: &'static str, table: &'static str) -> ModelInfo {
        ModelInfo { name, table }
    }
}

/// Decides which database serves a model's reads and writes (Django's database routers:
/// `db_for_read`, `db_for_write`). Return an alias, or `None` to leave the choice to kata
/// (writes to the primary, reads to a replica). `model` is `None` for hand-written SQL.
/// A database a router names serves the statement as a pinned one would: no fallback.
///
/// ```
/// use kata::prelude::*;
/// use kata::{ModelInfo, Router};
///
/// /// Analytics tables live in their own database.
/// #[derive(Debug)]
/// struct Analytics;
/// impl Router for Analytics {
///     fn db_for_read(&self, model: Option<ModelInfo>) -> Option<&str> {
///         model.filter(|m| m.table.starts_with("analytics_")).map(|_| "analytics")
///     }
///     fn db_for_write(&self, model: Option<ModelInfo>) -> Option<&str> {
///         self.db_for_read(model)
///     }
/// }
/// # #[derive(Model, Debug)] #[kata(table = "analytics_hit")] struct Hit { #[kata(primary_key, auto)] id: i64, path: String }
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::builder("sqlite::memory:")
///     .database("analytics", "sqlite::memory:")
///     .router(Analytics)
///     .connect()
///     .await?;
/// db.using("analytics")?.create_tables(&[Hit::meta()]).await?;
/// Hit::objects().acreate(&db, [Hit::path.set("/")]).await?; // lands in "analytics"
/// assert_eq!(Hit::objects().acount(&db).await?, 1);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub trait Router: Send + Sync + 'static {
    /// The database that reads `model`, or `None` for kata's choice.
    ///
    /// ```
    /// # use kata::{ModelInfo, Router};
    /// struct Nothing;
    /// impl Router for Nothing {}
    /// assert_eq!(Nothing.db_for_read(Some(ModelInfo::new("User", "auth_user"))), None);
    /// ```
    fn db_for_read(&self, model: Option<ModelInfo>) -> Option<&str> {
        let _ = model;
        None
    }

    /// The database that writes `model`, or `None` for the primary.
    ///
    /// ```
    /// # use kata::{ModelInfo, Router};
    /// struct Nothing;
    /// impl Router for Nothing {}
    /// assert_eq!(Nothing.db_for_write(None), None);
    /// ```
    fn db_for_write(&self, model: Option<ModelInfo>) -> Option<&str> {
        let _ = model;
        None
    }
}

/// Where one statement ran and why: the `db` and `route` fields of its `kata::query` event.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub(crate) alias: &'a str,
    pub(crate) why: &'static str,
}

impl Target<'_> {
    /// Whether a replica serves this read by kata's own choice (not pinned, not a
    /// router's): then another database may serve it instead.
    pub(crate) fn replica_read(&self) -> bool {
        self.why == "replica"
    }

    /// A `Db` with one database.
    pub(crate) const ONLY: Target<'static> = Target { alias: PRIMARY, why: "only" };
    /// A statement in a transaction.
    pub(crate) const TRANSACTION: Target<'static> = Target { alias: "transaction", why: "transaction" };
    /// A statement in a transaction of its own behind a transaction-mode pooler.
    pub(crate) const POOLER: Target<'static> = Target { alias: PRIMARY, why: "pooler" };
}

/// The routing settings a [`DbBuilder`] collects.
#[derive(Clone, Default)]
pub(crate) struct RoutingConfig {
    /// Alias, URL and whether it is a replica, in the order given.
    databases: Vec<(String, String, bool)>,
    router: Option<Arc<dyn Router>>,
    read_your_writes: Option<Duration>,
    max_lag: Option<Duration>,
    check_every: Option<Duration>,
    replica_timeout: Option<Duration>,
}

impl std::fmt::Debug for RoutingConfig {
    /// Aliases only: URLs may hold passwords.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let aliases: Vec<&str> = self.databases.iter().map(|(a, _, _)| a.as_str()).collect();
        f.debug_struct("RoutingConfig")
            .field("databases", &aliases)
            .field("router", &self.router.is_some())
            .field("read_your_writes", &self.read_your_writes)
            .field("max_lag", &self.max_lag)
            .finish_non_exhaustive()
    }
}

/// The databases of a `Db` beyond its primary, and the state of the choice.
pub(crate) struct Routing {
    /// Every database; the primary first.
    databases: Vec<Database>,
    /// Indexes of the replicas in `databases`.
    replicas: Vec<usize>,
    router: Option<Arc<dyn Router>>,
    read_your_writes: Option<Duration>,
    max_lag: Option<Duration>,
    check_every: Duration,
    dialect: &'static dyn crate::dialect::Dialect,
    /// Round-robin position over the replicas.
    next: AtomicUsize,
    /// When each task last wrote, for read-your-writes.
    writers: Mutex<HashMap<Option<tokio::task::Id>, Instant>>,
}

impl std::fmt::Debug for Routing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let aliases: Vec<&str> = self.databases.iter().map(|d| d.alias.as_str()).collect();
        f.debug_struct("Routing").field("databases", &aliases).finish_non_exhaustive()
    }
}

struct Database {
    alias: String,
    pool: Pool,
    replica: bool,
    health: Mutex<Health>,
    /// A health check is running (the others use the last answer meanwhile).
    checking: AtomicBool,
}

#[derive(Clone, Copy)]
struct Health {
    usable: bool,
    checked: Option<Instant>,
}

/// Clears `checking` however the check ends, a cancelled future included.
struct CheckGuard<'a>(&'a AtomicBool);

impl Drop for CheckGuard<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

impl Routing {
    /// Opens the pools of the other databases (replicas lazily: one that is down does
    /// not stop the `Db` from opening).
    pub(crate) async fn open(
        primary: Pool,
        config: RoutingConfig,
        settings: &PoolSettings,
        backend: crate::driver::Backend,
    ) -> Result<Routing> {
        let mut databases = vec![Database::new(PRIMARY.to_owned(), primary, false)];
        let mut replicas = Vec::new();
        let mut replica_settings = settings.clone();
        replica_settings.acquire_timeout = Some(config.replica_timeout.unwrap_or(Duration::from_secs(1)));
        for (alias, url, replica) in config.databases {
            if databases.iter().any(|d| d.alias == alias) {
                return Err(ConfigError::Unsupported {
                    backend: backend.name(),
                    option: format!("two databases named `{alias}`"),
                }
                .into());
            }
            let (pool, found) = match replica {
                true => Pool::connect(&url, &replica_settings, true).await?,
                false => Pool::connect(&url, settings, false).await?,
            };
            if found.feature() != backend.feature() || (found != backend && !replica) {
                return Err(ConfigError::MixedBackends {
                    alias,
                    expected: backend.name(),
                    found: found.name(),
                }
                .into());
            }
            if replica {
                replicas.push(databases.len());
            }
            databases.push(Database::new(alias, pool, replica));
        }
        Ok(Routing {
            databases,
            replicas,
            router: config.router,
            read_your_writes: config.read_your_writes,
            max_lag: config.max_lag,
            check_every: config.check_every.unwrap_or(Duration::from_secs(1)),
            dialect: crate::dialect::of(backend),
            next: AtomicUsize::new(0),
            writers: Mutex::new(HashMap::new()),
        })
    }

    /// The index of the database named `alias`.
    fn index_of(&self, alias: &str) -> Result<usize> {
        self.databases.iter().position(|d| d.alias == alias).ok_or_else(|| unknown(alias, self.aliases()))
    }

    fn aliases(&self) -> Vec<&str> {
        self.databases.iter().map(|d| d.alias.as_str()).collect()
    }

    /// A connection for a statement with `route` on a `Db` pinned to `pinned`, and where
    /// it came from.
    pub(crate) async fn acquire<'a>(&'a self, route: &Route, pinned: Option<usize>) -> Result<Conn<'a>> {
        let chosen = match (&route.using, pinned) {
            (Some(alias), _) => Some((self.index_of(alias)?, "using")),
            (None, Some(index)) => Some((index, "using")),
            (None, None) => None,
        };
        let chosen = match (chosen, &self.router) {
            (Some(c), _) => Some(c),
            (None, Some(router)) => {
                let named = match route.read {
                    true => router.db_for_read(route.model),
                    false => router.db_for_write(route.model),
                };
                match named {
                    Some(alias) => Some((self.index_of(alias)?, "router")),
                    None => None,
                }
            }
            (None, None) => None,
        };
        if let Some((index, why)) = chosen {
            if !route.read && index == 0 {
                self.note_write();
            }
            return self.take(index, why).await;
        }
        if !route.read {
            self.note_write();
            return self.take(0, "write").await;
        }
        if self.replicas.is_empty() {
            return self.take(0, "read").await;
        }
        if self.wrote_recently() {
            return self.take(0, "read-your-writes").await;
        }
        match self.replica().await {
            Some((index, conn)) => {
                Ok(Conn::Pool(conn, Target { alias: &self.databases[index].alias, why: "replica" }))
            }
            None => self.take(0, "replica unavailable").await,
        }
    }

    async fn take(&self, index: usize, why: &'static str) -> Result<Conn<'_>> {
        let database = &self.databases[index];
        Ok(Conn::Pool(database.pool.acquire().await?, Target { alias: &database.alias, why }))
    }

    /// A connection to a replica that is up and not lagging, trying each in turn from the
    /// next in round-robin order.
    async fn replica(&self) -> Option<(usize, PoolConn)> {
        let n = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        for k in 0..n {
            let index = self.replicas[(start + k) % n];
            let database = &self.databases[index];
            if !self.healthy(database).await {
                continue;
            }
            match database.pool.acquire().await {
                Ok(conn) => return Some((index, conn)),
                Err(e) => {
                    if database.set_usable(false) {
                        tracing::warn!(
                            target: "kata::query",
                            db = %database.alias,
                            error = %e,
                            "replica unreachable: skipped, the primary serves its reads"
                        );
                    }
                }
            }
        }
        None
    }

    /// Whether `database` may serve reads, checking it again when its last check is old
    /// and it was down, or when a lag limit is set.
    async fn healthy(&self, database: &Database) -> bool {
        let health = database.health();
        let due = health.checked.is_none_or(|at| at.elapsed() >= self.check_every)
            && (self.max_lag.is_some() || !health.usable);
        if !due || database.checking.swap(true, Ordering::AcqRel) {
            return health.usable;
        }
        let _guard = CheckGuard(&database.checking);
        let lag = self.lag(database).await;
        let usable = match (&lag, self.max_lag) {
            (Ok(lag), Some(max)) => *lag <= max,
            (Ok(_), None) => true,
            (Err(_), _) => false,
        };
        let was = database.health().usable;
        database.set_usable(usable);
        if was && !usable {
            match lag {
                Ok(lag) => tracing::warn!(
                    target: "kata::query",
                    db = %database.alias,
                    lag_ms = lag.as_millis() as u64,
                    max_lag_ms = self.max_lag.unwrap_or_default().as_millis() as u64,
                    "replica lags beyond the limit: skipped, the primary serves its reads"
                ),
                Err(e) => tracing::warn!(
                    target: "kata::query",
                    db = %database.alias,
                    error = %e,
                    "replica unreachable: skipped, the primary serves its reads"
                ),
            }
        } else if !was && usable {
            tracing::info!(target: "kata::query", db = %database.alias, "replica serves reads again");
        }
        usable
    }

    /// How far behind its primary `database` is (zero where the dialect cannot say).
    async fn lag(&self, database: &Database) -> Result<Duration> {
        let mut conn = database.pool.acquire().await?;
        let args = Args::new(self.dialect.backend())?;
        let sql = match (self.max_lag, self.dialect.replica_lag_sql()) {
            (Some(_), Some(sql)) => sql,
            _ => {
                // A round trip, so that a pooled connection to a server that went away
                // does not pass for a live one.
                conn.raw().fetch_all(AssertSqlSafe("SELECT 1").into_sql_str(), args, &mut |_| Ok(())).await?;
                return Ok(Duration::ZERO);
            }
        };
        let rows = conn
            .raw()
            .fetch_all(AssertSqlSafe(sql).into_sql_str(), args, &mut |row| f64::decode(row, 0))
            .await?;
        let seconds = rows.first().copied().unwrap_or(0.0);
        Ok(Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::MAX))
    }

    /// Records that this task wrote, for read-your-writes.
    pub(crate) fn note_write(&self) {
        let Some(window) = self.read_your_writes else { return };
        if let Ok(mut writers) = self.writers.lock() {
            if writers.len() >= 1024 {
                writers.retain(|_, at| at.elapsed() < window);
            }
            writers.insert(tokio::task::try_id(), Instant::now());
        }
    }

    /// Whether this task wrote within the read-your-writes window.
    fn wrote_recently(&self) -> bool {
        let Some(window) = self.read_your_writes else { return false };
        let task = tokio::task::try_id();
        match self.writers.lock() {
            Ok(mut writers) => match writers.get(&task) {
                Some(at) if at.elapsed() < window => true,
                Some(_) => {
                    writers.remove(&task);
                    false
                }
                None => false,
            },
            Err(_) => true,
        }
    }

    /// The pool and index of `alias`, for a pinned `Db`.
    fn pin(&self, alias: &str) -> Result<(usize, Pool)> {
        let index = self.index_of(alias)?;
        Ok((index, self.databases[index].pool.clone()))
    }

    /// Closes every pool.
    pub(crate) async fn close(&self) {
        for database in &self.databases {
            database.pool.close().await;
        }
    }
}

impl Database {
    fn new(alias: String, pool: Pool, replica: bool) -> Database {
        Database {
            alias,
            pool,
            replica,
            health: Mutex::new(Health { usable: true, checked: None }),
            checking: AtomicBool::new(false),
        }
    }

    fn health(&self) -> Health {
        self.health.lock().map(|h| *h).unwrap_or(Health { usable: false, checked: None })
    }

    /// Sets whether the database serves reads; true when that takes it out of service.
    fn set_usable(&self, usable: bool) -> bool {
        match self.health.lock() {
            Ok(mut health) => {
                let was = health.usable;
                *health = Health { usable, checked: Some(Instant::now()) };
                was && !usable
            }
            Err(_) => false,
        }
    }
}

/// Whether `err` says the connection is gone (its server went down or dropped it) rather
/// than that the statement failed: an I/O or protocol error, or SQLSTATE class 08
/// (connection exception) or 57 (operator intervention: the server is shutting down).
pub(crate) fn connection_lost(err: &Error) -> bool {
    match err {
        Error::Database(sqlx::Error::Io(_) | sqlx::Error::Protocol(_) | sqlx::Error::PoolTimedOut) => true,
        Error::Database(sqlx::Error::Database(e)) => {
            e.code().is_some_and(|code| code.starts_with("08") || code.starts_with("57"))
        }
        Error::PoolTimedOut => true,
        _ => false,
    }
}

/// The error for a database the `Db` does not hold.
pub(crate) fn unknown(alias: &str, known: Vec<&str>) -> Error {
    ConfigError::UnknownDatabase { alias: alias.to_owned(), known: known.join(", ") }.into()
}
