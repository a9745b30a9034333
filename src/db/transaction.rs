//! Transactions: `db.atomic(async |tx| ..)`, nested savepoints, `on_commit`, isolation
//! levels, retries, and the guard style `db.begin()` / `tx.commit()`.
//!
//! A `Transaction` is a cheap handle (an `Arc`) on one connection with an open transaction.
//! Closures receive it by value, so their futures borrow nothing from kata and are `Send`
//! whenever the work inside is: `atomic` can run in `tokio::spawn` and web handlers.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use tokio::sync::Mutex;

use crate::db::executor::Conn;
use crate::db::{Conflict, Db, Retry, Shared};
use crate::dialect::IsolationLevel;
use crate::driver::{Backend, TxConn};
use crate::error::{Error, Result, TransactionError};

/// A database transaction (or a savepoint inside one). Every query takes `&tx` exactly as
/// it takes `&db`, and runs inside the transaction.
///
/// Prefer [`Db::atomic`]: `Ok` commits, `Err` or a panic rolls back. In guard style,
/// [`commit`](Transaction::commit) makes the work permanent and dropping every handle without
/// committing rolls it back.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// db.create_tables(&[Tag::meta()]).await?;
/// let tag = db.atomic(async |tx| {
///     let tag = Tag::objects().acreate(&tx, Tag { id: 0, name: "kept".into() }).await?;
///     // An inner block that fails rolls back to its savepoint only.
///     let inner: kata::Result<()> = tx.atomic(async |sp| {
///         Tag::objects().acreate(&sp, Tag { id: 0, name: "undone".into() }).await?;
///         Err(kata::Error::InvalidQuery("changed my mind".into()))
///     }).await;
///     assert!(inner.is_err());
///     Ok::<_, kata::Error>(tag)
/// }).await?;
/// assert_eq!(Tag::objects().values_list(Tag::name).alist(&db).await?, vec!["kept".to_string()]);
///
/// let tx = db.begin().await?;
/// Tag::objects().acreate(&tx, Tag { id: 0, name: "draft".into() }).await?;
/// drop(tx); // rolled back
/// assert_eq!(Tag::objects().acount(&db).await?, 1);
/// # let _ = tag; Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Clone, Debug)]
pub struct Transaction {
    inner: Arc<Inner>,
    /// The savepoint this handle runs in; 0 for the transaction itself.
    savepoint: u32,
}

struct Inner {
    db: Db,
    conn: Mutex<TxState>,
    /// Callbacks to run after the outermost commit, with the savepoint they were registered in.
    on_commit: std::sync::Mutex<Vec<(u32, Callback)>>,
    next_savepoint: AtomicU32,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transaction").field("backend", &self.db.backend()).finish_non_exhaustive()
    }
}

enum Callback {
    Sync(Box<dyn FnOnce() + Send>),
    Async(Pin<Box<dyn Future<Output = ()> + Send>>),
}

/// The connection of a transaction, and whether a failed statement broke it.
#[doc(hidden)]
#[derive(Debug)]
pub struct TxState {
    pub(crate) conn: Option<TxConn>,
    pub(crate) broken: bool,
}

/// Options for a transaction: [`Db::transaction`].
///
/// ```
/// # use kata::prelude::*;
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// let n = db.transaction().read_only().atomic(async |tx| {
///     Ok::<_, kata::Error>(tx.backend().name().len())
/// }).await?;
/// # let _ = n; Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct TransactionBuilder {
    db: Db,
    isolation: Option<IsolationLevel>,
    read_only: bool,
}

impl Db {
    /// A transaction with options (isolation level, read-only).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let tx = db.transaction().read_only().begin().await?;
    /// assert_eq!(Tag::objects().acount(&tx).await?, 0);
    /// tx.commit().await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn transaction(&self) -> TransactionBuilder {
        TransactionBuilder { db: self.clone(), isolation: None, read_only: false }
    }

    /// Starts a transaction; see [`Transaction`]. On SQLite it begins with
    /// `BEGIN IMMEDIATE`, so two writers queue on the busy timeout instead of failing.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let tx = db.begin().await?;
    /// Tag::objects().acreate(&tx, [Tag::name.set("kept")]).await?;
    /// tx.commit().await?;
    /// let tx = db.begin().await?;
    /// Tag::objects().acreate(&tx, [Tag::name.set("dropped")]).await?;
    /// drop(tx); // no commit: rolled back
    /// assert_eq!(Tag::objects().values_list(Tag::name).alist(&db).await?, ["kept"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn begin(&self) -> Result<Transaction> {
        self.transaction().begin().await
    }

    /// Runs `work` in a transaction: `Ok` commits (then runs the `on_commit` callbacks),
    /// `Err` rolls back and is returned, a panic rolls back and goes on unwinding.
    ///
    /// The closure gets the transaction by value (a cheap handle): pass `&tx` to queries.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// // Django: with transaction.atomic(): Tag.objects.create(name="kept")
    /// let tag = db.atomic(async |tx| Tag::objects().acreate(&tx, [Tag::name.set("kept")]).await).await?;
    /// let failed: kata::Result<()> = db.atomic(async |tx| {
    ///     Tag::objects().acreate(&tx, [Tag::name.set("undone")]).await?;
    ///     Err(kata::Error::InvalidQuery("changed my mind".into()))
    /// }).await;
    /// assert!(failed.is_err());
    /// assert_eq!(Tag::objects().values_list(Tag::name).alist(&db).await?, [tag.name]); // only "kept"
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn atomic<T, E, F>(&self, work: F) -> std::result::Result<T, E>
    where
        F: AsyncFnOnce(Transaction) -> std::result::Result<T, E>,
        E: From<Error>,
    {
        self.transaction().atomic(work).await
    }
}

impl TransactionBuilder {
    /// Sets the isolation level (PostgreSQL and MySQL).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// use kata::IsolationLevel;
    /// let n = db
    ///     .transaction()
    ///     .isolation(IsolationLevel::Serializable) // SQLite has no other level
    ///     .atomic(async |tx| Tag::objects().acount(&tx).await)
    ///     .await?;
    /// assert_eq!(n, 0);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn isolation(mut self, level: IsolationLevel) -> Self {
        self.isolation = Some(level);
        self
    }

    /// Makes the transaction read-only (on SQLite: a deferred transaction that takes no
    /// write lock up front).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// // On SQLite a read-only transaction takes no write lock, so it does not wait for writers.
    /// let writer = db.begin().await?;
    /// let n = db.transaction().read_only().atomic(async |tx| Tag::objects().acount(&tx).await).await?;
    /// assert_eq!(n, 0);
    /// writer.commit().await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    fn begin_sql(&self) -> Result<Option<String>> {
        self.db.shared.dialect.begin(self.isolation, self.read_only)
    }

    /// Starts the transaction (guard style).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let tx = db.transaction().begin().await?;
    /// Tag::objects().acreate(&tx, [Tag::name.set("rust")]).await?;
    /// tx.commit().await?;
    /// assert_eq!(Tag::objects().acount(&db).await?, 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn begin(self) -> Result<Transaction> {
        let begin = self.begin_sql()?;
        let db = self.db;
        let started = db.shared.clock();
        let conn = db.pool.begin(begin).await?;
        db.shared.record(Some("BEGIN"), started.map(|s| s.elapsed()), 0);
        db.note_write();
        Ok(Transaction {
            inner: Arc::new(Inner {
                db,
                conn: Mutex::new(TxState { conn: Some(conn), broken: false }),
                on_commit: std::sync::Mutex::new(Vec::new()),
                next_savepoint: AtomicU32::new(0),
            }),
            savepoint: 0,
        })
    }

    /// Runs `work` in a transaction with these options; see [`Db::atomic`].
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let tag = db
    ///     .transaction()
    ///     .atomic(async |tx| Tag::objects().acreate(&tx, [Tag::name.set("rust")]).await)
    ///     .await?;
    /// assert_eq!(Tag::objects().aget(&db, Tag::id.eq(tag.id)).await?.name, "rust");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn atomic<T, E, F>(self, work: F) -> std::result::Result<T, E>
    where
        F: AsyncFnOnce(Transaction) -> std::result::Result<T, E>,
        E: From<Error>,
    {
        let tx = self.begin().await?;
        let result = work(tx.clone()).await;
        tx.finish(result).await
    }

    /// Like [`atomic`](Self::atomic), but runs `work` again, in a fresh transaction, when it
    /// fails with a conflict (serialization failure, deadlock, lock timeout), up to the
    /// retry's attempts; then gives up with the last error.
    ///
    /// Each attempt runs a clone of `work`. An async closure is `Clone` when what it
    /// captures is, as references are, so `async |tx| ..` may borrow local data. (Taking an
    /// `AsyncFn` instead would make the future fail to be `Send` in `tokio::spawn` as soon
    /// as the closure borrows anything: rustc reports "implementation of `Send` is not
    /// general enough" for the future an `AsyncFn` lends.)
    ///
    /// ```
    /// # use kata::prelude::*;
    /// use kata::{IsolationLevel, Retry};
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::connect("sqlite::memory:").await?;
    /// let answer = db
    ///     .transaction()
    ///     .isolation(IsolationLevel::Serializable)
    ///     .atomic_with(Retry::on_conflict(5), async |_tx| Ok::<_, kata::Error>(42))
    ///     .await?;
    /// assert_eq!(answer, 42);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn atomic_with<T, E, F>(self, retry: Retry, work: F) -> std::result::Result<T, E>
    where
        F: AsyncFnOnce(Transaction) -> std::result::Result<T, E> + Clone,
        E: From<Error> + Conflict,
    {
        let mut wait = retry.backoff;
        let mut attempt = 1;
        loop {
            let result = async {
                let tx = self.clone().begin().await?;
                let result = work.clone()(tx.clone()).await;
                tx.finish(result).await
            }
            .await;
            match result {
                Err(e) if e.is_conflict() && attempt < retry.attempts => {
                    tracing::debug!(target: "kata::query", attempt, "transaction conflict; retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(1));
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

impl Transaction {
    /// The database's backend.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// let tx = db.begin().await?;
    /// assert_eq!(tx.backend(), kata::Backend::Sqlite);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn backend(&self) -> Backend {
        self.inner.db.backend()
    }

    /// Commits the transaction, then runs the `on_commit` callbacks in the order they were
    /// registered. On a savepoint handle, releases the savepoint.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let tx = db.begin().await?;
    /// Tag::objects().acreate(&tx, [Tag::name.set("rust")]).await?;
    /// tx.on_commit(|| println!("saved"));
    /// tx.commit().await?; // then prints "saved"
    /// assert_eq!(Tag::objects().acount(&db).await?, 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn commit(self) -> Result<()> {
        if self.savepoint != 0 {
            return self.savepoint_sql("RELEASE SAVEPOINT").await;
        }
        let (conn, broken) = {
            let mut state = self.inner.conn.lock().await;
            (state.conn.take(), std::mem::take(&mut state.broken))
        };
        if broken {
            self.drop_callbacks_from(0);
            let started = self.inner.db.shared.clock();
            let rolled_back = match conn {
                Some(conn) => conn.rollback().await,
                None => Ok(()),
            };
            self.inner.db.shared.record(Some("ROLLBACK"), started.map(|s| s.elapsed()), 0);
            rolled_back?;
            return Err(TransactionError::RolledBack.into());
        }
        let started = self.inner.db.shared.clock();
        let committed = match conn {
            Some(conn) => conn.commit().await,
            None => Err(TransactionError::Ended.into()),
        };
        self.inner.db.shared.record(Some("COMMIT"), started.map(|s| s.elapsed()), 0);
        committed?;
        self.inner.db.note_write();
        let callbacks = match self.inner.on_commit.lock() {
            Ok(mut list) => std::mem::take(&mut *list),
            Err(_) => Vec::new(),
        };
        for (_, callback) in callbacks {
            match callback {
                Callback::Sync(f) => f(),
                Callback::Async(f) => f.await,
            }
        }
        Ok(())
    }

    /// Rolls back (dropping every handle does the same); `on_commit` callbacks are dropped.
    /// On a savepoint handle, rolls back to the savepoint.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let tx = db.begin().await?;
    /// Tag::objects().acreate(&tx, [Tag::name.set("rust")]).await?;
    /// tx.rollback().await?;
    /// assert_eq!(Tag::objects().acount(&db).await?, 0);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn rollback(self) -> Result<()> {
        if self.savepoint != 0 {
            self.drop_callbacks_from(self.savepoint);
            return self.savepoint_sql("ROLLBACK TO SAVEPOINT").await;
        }
        let conn = self.inner.conn.lock().await.conn.take();
        self.drop_callbacks_from(0);
        let started = self.inner.db.shared.clock();
        let rolled_back = match conn {
            Some(conn) => conn.rollback().await,
            None => Ok(()),
        };
        self.inner.db.shared.record(Some("ROLLBACK"), started.map(|s| s.elapsed()), 0);
        rolled_back
    }

    /// `SAVEPOINT` / `RELEASE` / `ROLLBACK TO`: run directly on the connection, since a
    /// rollback to a savepoint is exactly what repairs a broken transaction.
    async fn savepoint_sql(&self, verb: &str) -> Result<()> {
        let sql = format!("{verb} kata_sp_{}", self.savepoint);
        let mut state = self.inner.conn.lock().await;
        let Some(conn) = state.conn.as_mut() else { return Err(TransactionError::Ended.into()) };
        let started = self.inner.db.shared.clock();
        conn.raw().execute_raw(sqlx::SqlSafeStr::into_sql_str(sqlx::AssertSqlSafe(sql.clone()))).await?;
        self.inner.db.shared.record(Some(&sql), started.map(|s| s.elapsed()), 0);
        if verb.starts_with("ROLLBACK") {
            state.broken = false;
        }
        Ok(())
    }

    fn drop_callbacks_from(&self, savepoint: u32) {
        if let Ok(mut list) = self.inner.on_commit.lock() {
            list.retain(|(registered_in, _)| savepoint != 0 && *registered_in < savepoint);
        }
    }

    /// Runs `work` inside a savepoint of this transaction: `Ok` releases it, `Err` rolls
    /// back to it (the outer work stays) and is returned. Nests to any depth.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// // Django: with transaction.atomic(): ...; with transaction.atomic(): ... (a savepoint)
    /// db.atomic(async |tx| {
    ///     Tag::objects().acreate(&tx, [Tag::name.set("outer")]).await?;
    ///     let inner: kata::Result<()> = tx.atomic(async |sp| {
    ///         Tag::objects().acreate(&sp, [Tag::name.set("inner")]).await?;
    ///         Err(kata::Error::InvalidQuery("undo the inner block".into()))
    ///     }).await;
    ///     assert!(inner.is_err());
    ///     Ok::<_, kata::Error>(())
    /// }).await?;
    /// assert_eq!(Tag::objects().values_list(Tag::name).alist(&db).await?, ["outer"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn atomic<T, E, F>(&self, work: F) -> std::result::Result<T, E>
    where
        F: AsyncFnOnce(Transaction) -> std::result::Result<T, E>,
        E: From<Error>,
    {
        let id = self.inner.next_savepoint.fetch_add(1, Ordering::Relaxed) + 1;
        let savepoint = Transaction { inner: Arc::clone(&self.inner), savepoint: id };
        savepoint.savepoint_sql("SAVEPOINT").await?;
        let result = work(savepoint.clone()).await;
        savepoint.finish(result).await
    }

    /// A savepoint inside this transaction, as a transaction of its own: `finish` releases
    /// or rolls back to it. What `atomic` does, without a closure.
    pub(crate) async fn savepoint(&self) -> Result<Transaction> {
        let id = self.inner.next_savepoint.fetch_add(1, Ordering::Relaxed) + 1;
        let savepoint = Transaction { inner: Arc::clone(&self.inner), savepoint: id };
        savepoint.savepoint_sql("SAVEPOINT").await?;
        Ok(savepoint)
    }

    /// Commits (or releases) on `Ok`, rolls back on `Err` and returns the work's result. A
    /// failed rollback is not reported: the work's error is what the caller needs, and the
    /// pool closes a connection whose rollback failed.
    pub(crate) async fn finish<T, E: From<Error>>(
        self,
        result: std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        match result {
            Ok(value) => {
                self.commit().await?;
                Ok(value)
            }
            Err(e) => {
                let _ = self.rollback().await;
                Err(e)
            }
        }
    }

    /// Runs `callback` after the outermost transaction commits (Django's
    /// `transaction.on_commit`). It never runs if the transaction, or the savepoint it was
    /// registered in, rolls back.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// let (sent, received) = std::sync::mpsc::channel();
    /// db.atomic(async |tx| {
    ///     let sent = sent.clone();
    ///     tx.on_commit(move || sent.send("committed").unwrap()); // Django: transaction.on_commit(f)
    ///     Ok::<_, kata::Error>(())
    /// }).await?;
    /// let _ = db.atomic(async |tx| {
    ///     let sent = sent.clone();
    ///     tx.on_commit(move || sent.send("rolled back").unwrap());
    ///     Err::<(), _>(kata::Error::InvalidQuery("roll back".into()))
    /// }).await;
    /// assert_eq!(received.try_iter().collect::<Vec<_>>(), ["committed"]); // the second never ran
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn on_commit(&self, callback: impl FnOnce() + Send + 'static) {
        self.push_callback(Callback::Sync(Box::new(callback)));
    }

    /// Like [`on_commit`](Self::on_commit), for async work: awaited after the commit, in
    /// registration order with the sync callbacks.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// let (sent, mut received) = tokio::sync::mpsc::unbounded_channel();
    /// db.atomic(async |tx| {
    ///     tx.on_commit_async(async move { sent.send("sent after commit").unwrap() });
    ///     Ok::<_, kata::Error>(())
    /// }).await?;
    /// assert_eq!(received.recv().await, Some("sent after commit"));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn on_commit_async(&self, callback: impl Future<Output = ()> + Send + 'static) {
        self.push_callback(Callback::Async(Box::pin(callback)));
    }

    fn push_callback(&self, callback: Callback) {
        if let Ok(mut list) = self.inner.on_commit.lock() {
            list.push((self.savepoint, callback));
        }
    }

    /// True inside a savepoint (`tx.atomic(..)`), false for the transaction itself.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// db.atomic(async |tx| {
    ///     assert!(!tx.is_savepoint());
    ///     tx.atomic(async |sp| {
    ///         assert!(sp.is_savepoint());
    ///         Ok::<_, kata::Error>(())
    ///     }).await
    /// }).await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn is_savepoint(&self) -> bool {
        self.savepoint != 0
    }
}

impl crate::db::Executor for Transaction {
    async fn __acquire(&self, _route: &crate::db::Route) -> Result<Conn<'_>> {
        // Everything in a transaction runs on its connection, whatever the route.
        Ok(Conn::Transaction(self.inner.conn.lock().await))
    }

    fn __shared(&self) -> &Shared {
        &self.inner.db.shared
    }

    fn __db(&self) -> Option<&Db> {
        None
    }

    fn __exec_ref(&self) -> crate::db::ExecRef<'_> {
        crate::db::ExecRef::Transaction(self)
    }
}

/// A transaction of its own for a write that must be all or nothing even inside the
/// caller's transaction: a new one on a pool, a savepoint in a transaction. End it with
/// `finish`.
pub(crate) async fn begin_nested(ex: &impl crate::db::Executor) -> Result<Transaction> {
    match ex.__exec_ref() {
        crate::db::ExecRef::Db(db) => db.begin().await,
        crate::db::ExecRef::Transaction(tx) => tx.savepoint().await,
    }
}

/// Runs `$body` with `$x` bound to an executor, all or nothing: in a new transaction when
/// `$ex` is a pool, inside the caller's transaction otherwise. For kata's own writes of
/// several statements (cascading deletes, `get_or_create`, related managers' `aset`). A
/// macro, not a function, because `$body` runs on `&Transaction` in one branch and on the
/// caller's executor in the other.
macro_rules! atomically {
    // A multi-statement write of one model: the transaction opens on the database routing
    // gives the model's writes (a router's choice or a pinned database), not always the
    // primary.
    ($ex:expr, for $route:expr, |$x:ident| $body:expr) => {{
        match $ex.__db() {
            Some(db) => {
                let routed = db.for_writes(&$route)?;
                let tx = $crate::db::Db::begin(routed.as_ref().unwrap_or(db)).await?;
                let result = {
                    let $x = &tx;
                    $body
                };
                tx.finish(result).await
            }
            None => {
                let $x = $ex;
                $body
            }
        }
    }};
    ($ex:expr, |$x:ident| $body:expr) => {{
        match $ex.__db() {
            Some(db) => {
                let tx = $crate::db::Db::begin(db).await?;
                let result = {
                    let $x = &tx;
                    $body
                };
                tx.finish(result).await
            }
            None => {
                let $x = $ex;
                $body
            }
        }
    }};
}
pub(crate) use atomically;
