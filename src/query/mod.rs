//! `QuerySet<M>`: Django's lazy query builder. Builders are sync and cheap; terminal
//! operations are async and take an executor.

mod bulk_insert;
mod decode;
mod delete;
mod functions;
mod get_or_create;
mod hooks;
mod insert;
mod integrity;
mod json;
mod loader;
mod model_ext;
mod raw;
mod read;
pub(crate) use decode::decode_named;
mod select;
mod selection;
pub(crate) mod sql;
mod update;
pub(crate) mod using;

use std::marker::PhantomData;
use std::sync::Arc;

pub use bulk_insert::BulkInsert;
pub use delete::Deleted;
pub use insert::{Insert, InsertSource};
pub(crate) use integrity::{for_model, name_foreign_key};
pub use model_ext::ModelExt;
pub(crate) use select::Grouping;
pub use selection::{Annotated, Columns, Selection, ValuesQuerySet};
pub use update::Update;
pub(crate) use update::assignments_as_q;

use crate::error::Result;
use crate::expr::{Node, OrderBy, OrderKey, Q};
use crate::model::{Model, ModelMeta};
pub(crate) use loader::BoxFuture;
pub use loader::{JoinLoader, PrefetchLoader};
use sql::SqlWriter;

/// How many rows `aget` reads at most to report `MultipleObjectsReturned`, as Django.
pub(crate) const MAX_GET_RESULTS: usize = 21;

/// A lazy query over model `M`: `User::objects()` is every row, and each builder method
/// returns a narrowed copy. Nothing runs until a terminal `a*` method is awaited.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, is_active: bool }
/// # async fn demo() -> kata::Result<()> {
/// # let db = Db::connect("sqlite::memory:").await?;
/// # db.create_tables(&[User::meta()]).await?;
/// let page = User::objects()
///     .filter(User::is_active.eq(true))
///     .exclude(User::username.startswith("test_"))
///     .order_by([User::username.asc(), User::id.desc()])
///     .offset(20)
///     .limit(10)
///     .alist(&db)
///     .await?;
/// # assert!(page.is_empty());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub struct QuerySet<M> {
    pub(crate) filter: Option<Node>,
    pub(crate) order: Vec<OrderKey>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: Option<u64>,
    pub(crate) distinct: bool,
    pub(crate) lock: Option<Lock>,
    /// A builder call that Django refuses on this query (a filter after a slice): the
    /// terminal operation returns it as `Error::InvalidQuery` before any SQL.
    pub(crate) refused: Option<&'static str>,
    /// `select_related` JOINs.
    pub(crate) joins: Vec<Arc<dyn JoinLoader<M>>>,
    /// `prefetch_related` loaders, run after the main query.
    pub(crate) prefetches: Vec<Arc<dyn PrefetchLoader<M>>>,
    /// The database pinned with `using`, by alias.
    pub(crate) using: Option<Arc<str>>,
    _marker: PhantomData<fn() -> M>,
}

/// `SELECT ... FOR UPDATE` options.
#[derive(Debug, Clone, Default)]
pub(crate) struct Lock {
    nowait: bool,
    skip_locked: bool,
    of: Vec<&'static ModelMeta>,
    /// kata's own read of the latest committed rows (`Dialect::latest_rows_read`) rather
    /// than the user's `select_for_update`.
    latest: bool,
}

impl<M> Clone for QuerySet<M> {
    fn clone(&self) -> Self {
        QuerySet {
            filter: self.filter.clone(),
            order: self.order.clone(),
            limit: self.limit,
            offset: self.offset,
            distinct: self.distinct,
            lock: self.lock.clone(),
            refused: self.refused,
            joins: self.joins.clone(),
            prefetches: self.prefetches.clone(),
            using: self.using.clone(),
            _marker: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for QuerySet<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuerySet")
            .field("filter", &self.filter)
            .field("order", &self.order)
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .field("distinct", &self.distinct)
            .field("lock", &self.lock)
            .field("refused", &self.refused)
            .field("select_related", &self.joins.len())
            .field("prefetch_related", &self.prefetches.len())
            .field("using", &self.using)
            .finish()
    }
}

impl<M: Model> Default for QuerySet<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Model> QuerySet<M> {
    /// Every row of `M` (what `M::objects()` returns).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, active) in [("ann", true), ("bob", false), ("cy", true)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::is_active.set(active)]).await?;
    /// # }
    /// let query: QuerySet<User> = QuerySet::new();
    /// assert_eq!(query.acount(&db).await?, 3);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn new() -> Self {
        QuerySet {
            filter: None,
            order: Vec::new(),
            limit: None,
            offset: None,
            distinct: false,
            lock: None,
            refused: None,
            joins: Vec::new(),
            prefetches: Vec::new(),
            using: None,
            _marker: PhantomData,
        }
    }

    /// Every row (Django's `all()`): the same query, for readability.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, active) in [("ann", true), ("bob", false), ("cy", true)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::is_active.set(active)]).await?;
    /// # }
    /// // Django: User.objects.all()
    /// assert_eq!(User::objects().all().acount(&db).await?, 3);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn all(self) -> Self {
        self
    }

    /// Keeps the rows that match `q` (ANDed with earlier filters).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, active) in [("ann", true), ("bob", false), ("cy", true)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::is_active.set(active)]).await?;
    /// # }
    /// // Django: User.objects.filter(is_active=True).filter(username__startswith="a")
    /// let names = User::objects()
    ///     .filter(User::is_active.eq(true))
    ///     .filter(User::username.startswith("a"))
    ///     .values_list(User::username)
    ///     .alist(&db)
    ///     .await?;
    /// assert_eq!(names, ["ann"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    ///
    /// After a slice (`limit`/`offset`) a filter is refused, as in Django ("Cannot filter a
    /// query once a slice has been taken"): the terminal operation returns
    /// `Error::InvalidQuery` before any SQL. (`Q::all()`, which filters nothing, is
    /// accepted: `sliced.aget(&db, Q::all())` is Django's `qs[a:b].get()`.)
    pub fn filter(mut self, q: Q<M>) -> Self {
        if matches!(q.node, Node::Bool(true)) {
            return self;
        }
        if self.is_sliced() {
            return self.refuse("cannot filter a query once a slice has been taken (limit/offset)");
        }
        self.filter = Some(match self.filter.take() {
            None => q.node,
            Some(prev) => (Q::<M>::from_node(prev) & q).node,
        });
        self
    }

    /// Drops the rows that match `q` (rows where `q` is unknown because of NULLs stay).
    /// Refused after a slice, as [`filter`](Self::filter) is.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, city: Option<String> }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, city) in [("ann", Some("Paris")), ("bob", Some("Rome")), ("cy", None)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::city.set(city.map(String::from))]).await?;
    /// # }
    /// // Django: User.objects.exclude(city="Paris")
    /// let query = User::objects().exclude(User::city.eq("Paris")).order_by([User::username.asc()]);
    /// assert_eq!(query.values_list(User::username).alist(&db).await?, ["bob", "cy"]); // cy: no city, kept
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn exclude(self, q: Q<M>) -> Self {
        self.filter(!q)
    }

    /// Orders by these keys, replacing any earlier ordering. Refused after a slice, as in
    /// Django ("Cannot reorder a query once a slice has been taken"): the terminal
    /// operation returns `Error::InvalidQuery` before any SQL.
    ///
    /// An aggregate (`Count(..).desc()`) orders only a grouped query (`annotate`,
    /// `values_list` with an aggregate); on a query of whole models it is
    /// `Error::InvalidQuery`, as Django refuses it. A grouped `values_list` is grouped by
    /// the ordering's columns too, and a `distinct()` query selects them (Django's
    /// "Interaction with order_by()").
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, active) in [("ann", true), ("bob", false), ("cy", true)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::is_active.set(active)]).await?;
    /// # }
    /// // Django: User.objects.order_by("-is_active", "username")
    /// let query = User::objects().order_by([User::is_active.desc(), User::username.asc()]);
    /// assert_eq!(query.values_list(User::username).alist(&db).await?, ["ann", "cy", "bob"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn order_by(mut self, keys: impl IntoIterator<Item = OrderBy<M>>) -> Self {
        if self.is_sliced() {
            return self.refuse("cannot reorder a query once a slice has been taken (limit/offset)");
        }
        self.order = keys.into_iter().map(OrderKey::from).collect();
        self
    }

    /// Reverses the ordering (by primary key when none was given). Refused after a slice,
    /// as in Django.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, active) in [("ann", true), ("bob", false), ("cy", true)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::is_active.set(active)]).await?;
    /// # }
    /// // Django: User.objects.order_by("username").reverse()
    /// let query = User::objects().order_by([User::username.asc()]).reverse();
    /// assert_eq!(query.values_list(User::username).alist(&db).await?, ["cy", "bob", "ann"]);
    /// // Unordered: the last key first.
    /// assert_eq!(User::objects().reverse().values_list(User::id).alist(&db).await?, [3, 2, 1]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn reverse(mut self) -> Self {
        if self.is_sliced() {
            return self.refuse("cannot reverse a query once a slice has been taken (limit/offset)");
        }
        if self.order.is_empty() {
            self.order = pk_order(M::meta());
        }
        for key in &mut self.order {
            key.descending = !key.descending;
            key.nulls = key.nulls.map(crate::expr::Nulls::flipped);
        }
        self
    }

    /// At most `n` rows (`qs[..n]`). Slices compose as Django's do: the limit counts from
    /// the query's offset and never widens an earlier slice, so `offset(2).limit(3).limit(5)`
    /// is `qs[2:5]` (`qs[2:5][:5]`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, active) in [("ann", true), ("bob", false), ("cy", true)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::is_active.set(active)]).await?;
    /// # }
    /// // Django: User.objects.order_by("username")[:2]
    /// let first_two = User::objects().order_by([User::username.asc()]).limit(2);
    /// assert_eq!(first_two.clone().values_list(User::username).alist(&db).await?, ["ann", "bob"]);
    /// // A slice of a slice narrows it: qs[:2][:5] is still two rows.
    /// assert_eq!(first_two.clone().limit(5).acount(&db).await?, 2);
    /// // A filter after a slice is refused, as in Django: filter first, then slice.
    /// let late = first_two.filter(User::is_active.eq(true)).alist(&db).await;
    /// assert!(matches!(late, Err(kata::Error::InvalidQuery(_))));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(self.limit.map_or(n, |limit| limit.min(n)));
        self
    }

    /// Skips the first `n` rows (`qs[n..]`). Slices compose as Django's do: an offset counts
    /// from the earlier offset and stays within the earlier limit, so `limit(5).offset(4)`
    /// is one row (`qs[:5][4:]`) and `offset(2).offset(2)` starts at the fifth row.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, active) in [("ann", true), ("bob", false), ("cy", true)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::is_active.set(active)]).await?;
    /// # }
    /// // Django: User.objects.order_by("username")[1:2]
    /// let second = User::objects().order_by([User::username.asc()]).offset(1).limit(1);
    /// assert_eq!(second.values_list(User::username).alist(&db).await?, ["bob"]);
    /// // Django: [:2][1:] is the second row too; [1:][1:] the third.
    /// let by_name = || User::objects().order_by([User::username.asc()]);
    /// assert_eq!(by_name().limit(2).offset(1).values_list(User::username).alist(&db).await?, ["bob"]);
    /// assert_eq!(by_name().offset(1).offset(1).values_list(User::username).alist(&db).await?, ["cy"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn offset(mut self, n: u64) -> Self {
        let start = self.offset.unwrap_or(0);
        // Within an earlier limit, the new start is at most its end (an empty slice).
        let skipped = self.limit.map_or(n, |limit| limit.min(n));
        self.offset = Some(start.saturating_add(skipped));
        if let Some(limit) = &mut self.limit {
            *limit -= skipped;
        }
        self
    }

    /// Drops duplicate rows (`SELECT DISTINCT`). The ordering's expressions are selected
    /// too, as Django does (its "Interaction with order_by()"), so ordering by a column that
    /// is not selected gives the same rows on every backend. Refused after a slice, as in
    /// Django.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, active) in [("ann", true), ("bob", false), ("cy", true)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::is_active.set(active)]).await?;
    /// # }
    /// // Django: User.objects.values_list("is_active").distinct()
    /// let flags = User::objects().distinct().values_list(User::is_active).alist(&db).await?;
    /// assert_eq!(flags.len(), 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn distinct(mut self) -> Self {
        if self.is_sliced() {
            return self.refuse("cannot make a query distinct once a slice has been taken (limit/offset)");
        }
        self.distinct = true;
        self
    }

    /// Locks the selected rows until the transaction ends (`SELECT ... FOR UPDATE`). Only
    /// inside a transaction: outside one it is an error, as in Django. On SQLite, whose
    /// transactions kata begins with `BEGIN IMMEDIATE` (the whole database is locked for
    /// writing), it adds nothing.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Job { #[kata(primary_key, auto)] id: i64, done: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Job::meta()]).await?;
    /// # Job::objects().acreate(&db, [Job::done.set(false)]).await?;
    /// // Django: with transaction.atomic(): Job.objects.select_for_update().filter(done=False)
    /// let pending = db.atomic(async |tx| {
    ///     let jobs = Job::objects().filter(Job::done.eq(false)).select_for_update().alist(&tx).await?;
    ///     Ok::<_, kata::Error>(jobs.len())
    /// }).await?;
    /// assert_eq!(pending, 1);
    /// // Outside a transaction it is refused, as in Django.
    /// assert!(Job::objects().select_for_update().alist(&db).await.is_err());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn select_for_update(mut self) -> Self {
        self.lock.get_or_insert_with(Lock::default);
        self
    }

    /// With `select_for_update`: fail at once instead of waiting for a locked row
    /// (PostgreSQL, MySQL 8, MariaDB 10.6+).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Job { #[kata(primary_key, auto)] id: i64, done: bool }
    /// // Django: Job.objects.select_for_update(nowait=True).filter(done=False)
    /// async fn claim(tx: &Transaction) -> kata::Result<Vec<Job>> {
    ///     Job::objects().filter(Job::done.eq(false)).select_for_update().nowait().alist(tx).await
    /// }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Job::meta()]).await?;
    /// // SQLite has no row locks, so the option is refused there; the servers run it.
    /// let tx = db.begin().await?;
    /// assert!(matches!(claim(&tx).await, Err(kata::Error::InvalidQuery(_))));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn nowait(mut self) -> Self {
        self.lock.get_or_insert_with(Lock::default).nowait = true;
        self
    }

    /// With `select_for_update`: skip rows another transaction has locked, e.g. to hand
    /// each queued job to one worker (PostgreSQL, MySQL 8, MariaDB 10.6+).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Job { #[kata(primary_key, auto)] id: i64, done: bool }
    /// // Django: Job.objects.select_for_update(skip_locked=True).filter(done=False)
    /// async fn claim(tx: &Transaction) -> kata::Result<Vec<Job>> {
    ///     Job::objects().filter(Job::done.eq(false)).select_for_update().skip_locked().alist(tx).await
    /// }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Job::meta()]).await?;
    /// // SQLite has no row locks, so the option is refused there; the servers run it.
    /// let tx = db.begin().await?;
    /// assert!(matches!(claim(&tx).await, Err(kata::Error::InvalidQuery(_))));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn skip_locked(mut self) -> Self {
        self.lock.get_or_insert_with(Lock::default).skip_locked = true;
        self
    }

    /// With `select_for_update`: lock only the rows of these models' tables (PostgreSQL,
    /// MySQL 8; not MariaDB).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Job { #[kata(primary_key, auto)] id: i64, done: bool }
    /// // Django: Job.objects.select_for_update(of=("self",)).filter(done=False)
    /// async fn claim(tx: &Transaction) -> kata::Result<Vec<Job>> {
    ///     Job::objects().filter(Job::done.eq(false)).select_for_update().of([Job::meta()]).alist(tx).await
    /// }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Job::meta()]).await?;
    /// // SQLite has no row locks, so the option is refused there; the servers run it.
    /// let tx = db.begin().await?;
    /// assert!(matches!(claim(&tx).await, Err(kata::Error::InvalidQuery(_))));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn of(mut self, models: impl IntoIterator<Item = &'static ModelMeta>) -> Self {
        self.lock.get_or_insert_with(Lock::default).of.extend(models);
        self
    }

    /// Refuses a lock the executor or backend cannot take.
    pub(crate) fn check_lock(&self, ex: &impl crate::db::Executor) -> Result<()> {
        let Some(lock) = &self.lock else { return Ok(()) };
        if ex.__db().is_some() {
            return Err(crate::Error::InvalidQuery(
                "select_for_update needs a transaction: run the query inside `db.atomic(..)` or on `db.begin()`".into(),
            ));
        }
        if lock.nowait && lock.skip_locked {
            return Err(crate::Error::InvalidQuery("nowait and skip_locked cannot be used together".into()));
        }
        let support = ex.__dialect().lock_support();
        let name = ex.backend().name();
        if !support.for_update && (lock.nowait || lock.skip_locked || !lock.of.is_empty()) {
            return Err(crate::Error::InvalidQuery(format!(
                "{name} has no row locks: nowait, skip_locked and of are not supported (the transaction already holds the database's write lock)"
            )));
        }
        if !support.wait_options && (lock.nowait || lock.skip_locked) {
            return Err(crate::Error::InvalidQuery(format!("{name} does not support nowait or skip_locked")));
        }
        if !support.of && !lock.of.is_empty() {
            return Err(crate::Error::InvalidQuery(format!(
                "{name} does not support select_for_update().of(..)"
            )));
        }
        Ok(())
    }

    /// A read that sees the latest committed rows even inside a transaction whose
    /// snapshot is older, with the dialect's locking read where it needs one (InnoDB's
    /// `LOCK IN SHARE MODE`): what `aget_or_create` reads after losing a race.
    pub(crate) fn latest_rows(mut self) -> Self {
        self.lock = Some(Lock { latest: true, ..Lock::default() });
        self
    }

    /// `FOR UPDATE ...`, after LIMIT/OFFSET; nothing on SQLite.
    pub(crate) fn write_lock(&self, w: &mut SqlWriter) {
        let Some(lock) = &self.lock else { return };
        if lock.latest {
            if let Some(clause) = w.dialect.latest_rows_read() {
                w.push(clause);
            }
            return;
        }
        if !w.dialect.lock_support().for_update {
            return;
        }
        w.push(" FOR UPDATE");
        for (i, meta) in lock.of.iter().enumerate() {
            w.push(if i == 0 { " OF " } else { ", " });
            w.ident(meta.table);
        }
        if lock.nowait {
            w.push(" NOWAIT");
        }
        if lock.skip_locked {
            w.push(" SKIP LOCKED");
        }
    }

    pub(crate) fn is_sliced(&self) -> bool {
        self.limit.is_some() || self.offset.is_some()
    }

    /// Keeps the first refused builder call, to be returned by the terminal operation.
    fn refuse(mut self, why: &'static str) -> Self {
        self.refused.get_or_insert(why);
        self
    }

    /// `Error::InvalidQuery` for a builder call Django refuses (a filter after a slice).
    pub(crate) fn check_refused(&self) -> Result<()> {
        match self.refused {
            Some(why) => Err(crate::Error::InvalidQuery(why.into())),
            None => Ok(()),
        }
    }

    /// Whether the query is known to select no row without asking the database (a filter
    /// that cannot match, such as `is_in([])`, or an empty slice), as Django's
    /// `EmptyResultSet`: the terminal operations then answer without a round trip. A
    /// refused builder call is still reported.
    pub(crate) fn is_empty_result(&self) -> Result<bool> {
        self.check_refused()?;
        Ok(self.limit == Some(0) || self.filter.as_ref().is_some_and(Node::is_never))
    }
}

pub(crate) fn pk_order(meta: &'static ModelMeta) -> Vec<OrderKey> {
    meta.primary_key
        .iter()
        .map(|&i| OrderKey { node: Node::Column(meta, i), descending: false, nulls: None })
        .collect()
}

impl<M: Model> QuerySet<M> {
    /// Decodes one row of `select_models`: the model, then its joined relations.
    pub(crate) fn decode_row(&self, row: crate::driver::RowRef<'_>) -> Result<M> {
        self.decode_from(&mut crate::model::RowReader::new(row))
    }

    /// Decodes the model and its joined relations from where `reader` stands.
    #[inline]
    pub(crate) fn decode_from(&self, reader: &mut crate::model::RowReader<'_>) -> Result<M> {
        let mut model = decode::decode_named::<M>(reader)?;
        for join in &self.joins {
            join.load(&mut model, reader)?;
        }
        Ok(model)
    }
}

/// A query set as a subquery's rows (Django's `Subquery(queryset)` / `Exists(queryset)`):
/// its filter and its ordering. Slices, `distinct()` and locks have no meaning there and are
/// refused before any SQL.
impl<N> crate::expr::SubquerySource<N> for QuerySet<N> {
    fn __parts(self) -> crate::expr::SubqueryParts {
        let refused = if self.limit.is_some() || self.offset.is_some() {
            Some("a Subquery takes the first row of its query set: slice it no further")
        } else if self.distinct {
            Some("a Subquery's query set cannot be distinct()")
        } else if self.lock.is_some() {
            Some("a Subquery's query set cannot lock rows")
        } else {
            self.refused
        };
        let filter = match refused {
            Some(reason) => Node::Refused(reason),
            None => self.filter.unwrap_or(Node::Bool(true)),
        };
        crate::expr::SubqueryParts::new(filter, self.order)
    }
}
