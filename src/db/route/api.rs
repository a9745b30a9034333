//! The public face of routing: `Db::using`, `Db::databases`/`replicas` and the
//! `DbBuilder` settings for replicas, named databases, routers and replica health.

use super::*;

impl Db {
    /// A handle on the same `Db` whose every statement runs on the database named
    /// `alias` (Django's `using=`): [`PRIMARY`](crate::PRIMARY) (`"default"`), a replica or
    /// an extra database. Transactions opened on it run there too. An alias the `Db` does
    /// not hold is [`ConfigError::UnknownDatabase`].
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::builder("sqlite::memory:").database("archive", "sqlite::memory:").connect().await?;
    /// let archive = db.using("archive")?;
    /// archive.create_tables(&[Tag::meta()]).await?;
    /// Tag::objects().acreate(&archive, [Tag::name.set("old")]).await?;
    /// assert_eq!(Tag::objects().acount(&archive).await?, 1);
    /// assert!(Tag::objects().acount(&db).await.is_err()); // no such table on the primary
    /// assert!(db.using("nope").is_err());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn using(&self, alias: &str) -> Result<Db> {
        match &self.routing {
            Some(routing) => {
                let (index, pool) = routing.pin(alias)?;
                Ok(Db {
                    pool,
                    shared: self.shared.clone(),
                    routing: Some(routing.clone()),
                    pinned: Some(index),
                })
            }
            None if alias == PRIMARY => Ok(self.clone()),
            None => Err(unknown(alias, vec![PRIMARY])),
        }
    }

    /// The aliases of the databases this `Db` holds, the primary (`"default"`) first.
    ///
    /// ```
    /// # async fn demo() -> kata::Result<()> {
    /// let db = kata::Db::builder("sqlite::memory:").replica("replica", "sqlite::memory:").connect().await?;
    /// assert_eq!(db.databases(), ["default", "replica"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn databases(&self) -> Vec<&str> {
        match &self.routing {
            Some(routing) => routing.aliases(),
            None => vec![PRIMARY],
        }
    }

    /// The aliases of the read replicas.
    ///
    /// ```
    /// # async fn demo() -> kata::Result<()> {
    /// let db = kata::Db::builder("sqlite::memory:")
    ///     .replica("r1", "sqlite::memory:")
    ///     .database("reports", "sqlite::memory:")
    ///     .connect()
    ///     .await?;
    /// assert_eq!(db.replicas(), ["r1"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn replicas(&self) -> Vec<&str> {
        match &self.routing {
            Some(routing) => {
                routing.databases.iter().filter(|d| d.replica).map(|d| d.alias.as_str()).collect()
            }
            None => Vec::new(),
        }
    }

    /// Takes the replica `alias` out of service after its connection failed with `err`.
    pub(crate) fn replica_failed(&self, alias: &str, err: &Error) {
        let Some(routing) = &self.routing else { return };
        if let Some(database) = routing.databases.iter().find(|d| d.alias == alias)
            && database.set_usable(false)
        {
            tracing::warn!(
                target: "kata::query",
                db = %database.alias,
                error = %err,
                "replica connection lost: skipped, the primary serves its reads"
            );
        }
    }

    /// The `Db` that a multi-statement write with `route` opens its transaction on, when it
    /// is not this one: the database pinned by the route, or the one a router names.
    pub(crate) fn for_writes(&self, route: &Route) -> Result<Option<Db>> {
        let Some(routing) = &self.routing else { return Ok(None) };
        let named = match (&route.using, &routing.router) {
            (Some(alias), _) => Some(alias.as_ref()),
            (None, Some(router)) if self.pinned.is_none() => router.db_for_write(route.model),
            _ => None,
        };
        match named {
            Some(alias) if Some(routing.index_of(alias)?) != self.pinned => self.using(alias).map(Some),
            _ => Ok(None),
        }
    }

    /// Notes a write by this task (a transaction's), for read-your-writes.
    pub(crate) fn note_write(&self) {
        if let Some(routing) = &self.routing {
            routing.note_write();
        }
    }
}

impl DbBuilder {
    fn routing(&mut self) -> &mut RoutingConfig {
        self.routing.get_or_insert_with(Default::default)
    }

    /// Adds a read replica named `alias` (Django: an entry of `DATABASES` that a router
    /// sends reads to). Reads outside transactions go to the replicas in turn; writes,
    /// transactions and `select_for_update` go to the primary. A replica is opened lazily
    /// with the primary's pool settings, and must be the same backend.
    ///
    /// ```no_run
    /// # async fn demo() -> kata::Result<()> {
    /// let db = kata::Db::builder("postgres://app@primary/app")
    ///     .replica("replica1", "postgres://app@replica1/app")
    ///     .replica("replica2", "postgres://app@replica2/app")
    ///     .connect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn replica(mut self, alias: &str, url: &str) -> Self {
        self.routing().databases.push((alias.to_owned(), url.to_owned(), true));
        self
    }

    /// Adds another database named `alias`, used only when a query pins it
    /// ([`Db::using`], [`QuerySet::using`](crate::QuerySet::using)) or a [`Router`] names
    /// it (Django's other `DATABASES` entries). It opens with the primary's pool settings
    /// and must be the same backend.
    ///
    /// ```
    /// # async fn demo() -> kata::Result<()> {
    /// let db = kata::Db::builder("sqlite::memory:").database("archive", "sqlite::memory:").connect().await?;
    /// assert_eq!(db.databases(), ["default", "archive"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn database(mut self, alias: &str, url: &str) -> Self {
        self.routing().databases.push((alias.to_owned(), url.to_owned(), false));
        self
    }

    /// Routes by model with `router` (Django's `DATABASE_ROUTERS`); see [`Router`].
    ///
    /// ```
    /// # async fn demo() -> kata::Result<()> {
    /// #[derive(Debug)]
    /// struct Primary;
    /// impl kata::Router for Primary {
    ///     fn db_for_read(&self, _model: Option<kata::ModelInfo>) -> Option<&str> { Some(kata::PRIMARY) }
    /// }
    /// let db = kata::Db::builder("sqlite::memory:")
    ///     .replica("replica", "sqlite::memory:")
    ///     .router(Primary)
    ///     .connect()
    ///     .await?;
    /// # let _ = db; Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn router(mut self, router: impl Router) -> Self {
        self.routing().router = Some(Arc::new(router));
        self
    }

    /// Read-your-writes: after a task writes (or commits a transaction), its reads stay on
    /// the primary for `window`, so it sees what it wrote however far the replicas lag.
    /// Kept per tokio task. Default: off.
    ///
    /// ```
    /// # async fn demo() -> kata::Result<()> {
    /// use std::time::Duration;
    /// let db = kata::Db::builder("sqlite::memory:")
    ///     .replica("replica", "sqlite::memory:")
    ///     .read_your_writes(Duration::from_secs(2))
    ///     .connect()
    ///     .await?;
    /// # let _ = db; Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn read_your_writes(mut self, window: Duration) -> Self {
        self.routing().read_your_writes = Some(window);
        self
    }

    /// Skips a replica that lags more than `limit` behind the primary (PostgreSQL: the age
    /// of the last transaction it replayed, while it has WAL left to replay), asked again
    /// every [`replica_check_interval`](Self::replica_check_interval). Default: no limit.
    ///
    /// ```
    /// # async fn demo() -> kata::Result<()> {
    /// use std::time::Duration;
    /// let db = kata::Db::builder("sqlite::memory:")
    ///     .replica("replica", "sqlite::memory:")
    ///     .replica_max_lag(Duration::from_secs(5))
    ///     .connect()
    ///     .await?;
    /// # let _ = db; Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn replica_max_lag(mut self, limit: Duration) -> Self {
        self.routing().max_lag = Some(limit);
        self
    }

    /// How often a replica's lag is asked again, and how long one found down is left
    /// alone before it is tried again. Default: 1 second.
    ///
    /// ```
    /// # async fn demo() -> kata::Result<()> {
    /// use std::time::Duration;
    /// let db = kata::Db::builder("sqlite::memory:")
    ///     .replica("replica", "sqlite::memory:")
    ///     .replica_check_interval(Duration::from_millis(200))
    ///     .connect()
    ///     .await?;
    /// # let _ = db; Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn replica_check_interval(mut self, every: Duration) -> Self {
        self.routing().check_every = Some(every);
        self
    }

    /// How long a read waits for a replica's connection before the primary serves it
    /// instead (a replica that is down refuses connections; one that is saturated makes
    /// reads wait). Default: 1 second.
    ///
    /// ```
    /// # async fn demo() -> kata::Result<()> {
    /// use std::time::Duration;
    /// let db = kata::Db::builder("sqlite::memory:")
    ///     .replica("replica", "sqlite::memory:")
    ///     .replica_timeout(Duration::from_millis(300))
    ///     .connect()
    ///     .await?;
    /// # let _ = db; Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn replica_timeout(mut self, timeout: Duration) -> Self {
        self.routing().replica_timeout = Some(timeout);
        self
    }
}
