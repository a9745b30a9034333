//! The `Executor` trait: what runs a query, a pool or a transaction.

use std::future::Future;

use crate::db::raw::{self, Params, RawRow};
use crate::db::route::{Route, Target};
use crate::db::run;
use crate::db::transaction::TxState;
use crate::db::{Db, Shared};
use crate::dialect::Dialect;
use crate::driver::{Backend, PoolConn, Raw, TxConn};
use crate::error::{Error, Result, TransactionError};

mod sealed {
    /// Only kata's own types run queries: the hidden methods are kata's to change.
    pub trait Sealed {}
    impl Sealed for crate::Db {}
    impl Sealed for crate::Transaction {}
    impl Sealed for super::ExecRef<'_> {}
    impl<E: super::Executor> Sealed for &E {}
}

/// Something queries run on: a [`Db`] (each query takes a pooled connection) or a
/// [`Transaction`](crate::Transaction) (every query runs inside it). Every async
/// operation in kata takes `&impl Executor`, so the same code works in and out of a
/// transaction.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
/// async fn tag_count(ex: &impl Executor) -> kata::Result<i64> {
///     Tag::objects().acount(ex).await
/// }
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// db.create_tables(&[Tag::meta()]).await?;
/// assert_eq!(tag_count(&db).await?, 0);
/// let tx = db.begin().await?;
/// assert_eq!(tag_count(&tx).await?, 0);
/// tx.commit().await?;
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
///
/// The trait is sealed: [`Db`], [`Transaction`](crate::Transaction) and references to
/// them implement it, and nothing else can.
pub trait Executor: sealed::Sealed + Send + Sync {
    /// The backend queries run on.
    ///
    /// ```
    /// # use kata::Executor as _;
    /// # async fn demo() -> kata::Result<()> {
    /// let db = kata::Db::connect("sqlite::memory:").await?;
    /// assert_eq!(kata::Executor::backend(&db), kata::Backend::Sqlite);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    fn backend(&self) -> Backend {
        self.__shared().dialect.backend()
    }

    /// Runs hand-written SQL and decodes each row by column position into `T`: a field
    /// type for one column or a tuple of them (Django's `connection.cursor()`; for whole
    /// models see [`QuerySet::araw`](crate::QuerySet::araw)). Works the same on a [`Db`]
    /// and inside a [`Transaction`](crate::Transaction).
    ///
    /// Write each placeholder as `?` on every backend (kata numbers them `$1`, `$2`, ... on
    /// PostgreSQL; a `?` inside a string, a quoted name or a comment is left alone; on
    /// PostgreSQL write its `?` JSON operators as `??`), and give one value per
    /// placeholder, in order: `()`, a tuple such as `(5,)`, an array or a `Vec`
    /// ([`Params`](crate::Params)). Values are always bound, never written into the SQL.
    /// A placeholder count that differs from the values is `Error::InvalidQuery`, rows of
    /// another width than `T` are [`Error::ColumnCount`](crate::Error::ColumnCount), both
    /// before anything is decoded. The statement is logged and counted like every other.
    ///
    /// ```
    /// use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::connect("sqlite::memory:").await?;
    /// db.raw_execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)", ()).await?;
    /// db.raw_execute("INSERT INTO note (body) VALUES (?), (?)", ("first", "second")).await?;
    /// let notes: Vec<(i64, String)> =
    ///     db.raw_query("SELECT id, body FROM note WHERE id > ? ORDER BY id", (1,)).await?;
    /// assert_eq!(notes, [(2, "second".to_string())]);
    /// let n: Vec<i64> = db.raw_query("SELECT COUNT(*) FROM note", ()).await?;
    /// assert_eq!(n, [2]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    fn raw_query<T: RawRow>(
        &self,
        sql: &str,
        params: impl Params,
    ) -> impl Future<Output = Result<Vec<T>>> + Send {
        let stmt = raw::statement(self.__dialect(), sql, params);
        async move {
            // Django's `Manager.raw` reads through `db_for_read`: a replica when there is one.
            run::fetch_all(self, stmt?.routed(Route::read(None, None)), |row| {
                raw::check_width(row, T::WIDTH, T::__describe)?;
                T::__decode(row)
            })
            .await
        }
    }

    /// Runs a hand-written statement that returns no rows and gives how many rows it
    /// touched (Django's `cursor.execute(..)` then `cursor.rowcount`). Placeholders and
    /// values as in [`raw_query`](Self::raw_query).
    ///
    /// ```
    /// use kata::prelude::*;
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::connect("sqlite::memory:").await?;
    /// db.raw_execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)", ()).await?;
    /// db.raw_execute("INSERT INTO note (body) VALUES (?), (?), (?)", ["a", "b", "c"]).await?;
    /// let changed = db.atomic(async |tx| tx.raw_execute("UPDATE note SET body = ? WHERE id >= ?", ("z", 2)).await).await?;
    /// assert_eq!(changed, 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    fn raw_execute(&self, sql: &str, params: impl Params) -> impl Future<Output = Result<u64>> + Send {
        let stmt = raw::statement(self.__dialect(), sql, params);
        async move { Ok(run::execute(self, stmt?).await?.rows_affected) }
    }

    /// The SQL dialect of the server.
    #[doc(hidden)]
    fn __dialect(&self) -> &'static dyn Dialect {
        self.__shared().dialect
    }

    /// A connection for one statement (or one stream of rows), on the database `route`
    /// leads to.
    #[doc(hidden)]
    fn __acquire(&self, route: &Route) -> impl Future<Output = Result<Conn<'_>>> + Send;

    /// State shared with the pool: query counting, capabilities.
    #[doc(hidden)]
    fn __shared(&self) -> &Shared;

    /// The pool, when this is one (not a transaction): multi-statement writes open their
    /// own transaction on it.
    #[doc(hidden)]
    fn __db(&self) -> Option<&Db>;

    /// The executor as a concrete reference, for type-erased loaders.
    #[doc(hidden)]
    fn __exec_ref(&self) -> ExecRef<'_>;
}

/// A `Db` or a `Transaction`, by reference: what type-erased code (prefetch loaders) runs
/// queries on.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum ExecRef<'a> {
    Db(&'a Db),
    Transaction(&'a crate::db::Transaction),
}

impl Executor for ExecRef<'_> {
    async fn __acquire(&self, route: &Route) -> Result<Conn<'_>> {
        match self {
            ExecRef::Db(db) => db.__acquire(route).await,
            ExecRef::Transaction(tx) => tx.__acquire(route).await,
        }
    }

    fn __shared(&self) -> &Shared {
        match self {
            ExecRef::Db(db) => db.__shared(),
            ExecRef::Transaction(tx) => tx.__shared(),
        }
    }

    fn __db(&self) -> Option<&Db> {
        match self {
            ExecRef::Db(db) => Some(db),
            ExecRef::Transaction(_) => None,
        }
    }

    fn __exec_ref(&self) -> ExecRef<'_> {
        *self
    }
}

/// A connection lent to one statement: a pooled connection (and which database it is on,
/// and why), or the transaction's.
#[doc(hidden)]
#[derive(Debug)]
pub enum Conn<'e> {
    Pool(PoolConn, Target<'e>),
    Transaction(tokio::sync::MutexGuard<'e, TxState>),
    /// A transaction of the statement's own, behind a transaction-mode pooler.
    Own(TxConn),
}

impl<'e> Conn<'e> {
    /// Where the statement runs, for the query log.
    pub(crate) fn target(&self) -> Target<'e> {
        match self {
            Conn::Pool(_, target) => *target,
            Conn::Transaction(_) => Target::TRANSACTION,
            Conn::Own(_) => Target::POOLER,
        }
    }

    /// Records that a statement failed: inside a transaction, that breaks it until it ends
    /// or rolls back to a savepoint (PostgreSQL refuses everything after an error anyway;
    /// kata does the same on every backend, as Django does).
    pub(crate) fn note_failure(&mut self, err: &Error) {
        if let (
            Conn::Transaction(state),
            Error::Database(sqlx::Error::Database(_)) | Error::Integrity { .. },
        ) = (self, err)
        {
            state.broken = true;
        }
    }

    /// Clears and returns the broken flag, for a read-only probe after a failure.
    pub(crate) fn take_broken(&mut self) -> bool {
        match self {
            Conn::Transaction(state) => std::mem::take(&mut state.broken),
            _ => false,
        }
    }

    /// Restores the broken flag after a probe.
    pub(crate) fn restore_broken(&mut self, broken: bool) {
        if let Conn::Transaction(state) = self {
            state.broken |= broken;
        }
    }

    /// Commits the statement's own transaction, if it has one: after the statement
    /// succeeded. (Dropped instead, after a failure, it rolls back.)
    pub(crate) async fn finish(self) -> Result<()> {
        match self {
            Conn::Own(tx) => tx.commit().await,
            _ => Ok(()),
        }
    }

    pub(crate) fn raw(&mut self) -> Result<Raw<'_>> {
        match self {
            Conn::Pool(c, _) => Ok(c.raw()),
            Conn::Own(tx) => Ok(tx.raw()),
            Conn::Transaction(state) => {
                if state.broken {
                    return Err(TransactionError::Broken.into());
                }
                match state.conn.as_mut() {
                    Some(tx) => Ok(tx.raw()),
                    None => Err(TransactionError::Ended.into()),
                }
            }
        }
    }
}

impl Executor for Db {
    async fn __acquire(&self, route: &Route) -> Result<Conn<'_>> {
        // One database (the common case): the only branch routing costs.
        match &self.routing {
            None => match &route.using {
                Some(alias) if &**alias != crate::db::PRIMARY => {
                    Err(crate::db::route::unknown(alias, vec![crate::db::PRIMARY]))
                }
                _ => Ok(Conn::Pool(self.pool.acquire().await?, Target::ONLY)),
            },
            Some(routing) => routing.acquire(route, self.pinned).await,
        }
    }

    fn __shared(&self) -> &Shared {
        &self.shared
    }

    fn __db(&self) -> Option<&Db> {
        Some(self)
    }

    fn __exec_ref(&self) -> ExecRef<'_> {
        ExecRef::Db(self)
    }
}

impl<E: Executor> Executor for &E {
    fn __acquire(&self, route: &Route) -> impl Future<Output = Result<Conn<'_>>> + Send {
        (**self).__acquire(route)
    }

    fn __shared(&self) -> &Shared {
        (**self).__shared()
    }

    fn __db(&self) -> Option<&Db> {
        (**self).__db()
    }

    fn __exec_ref(&self) -> ExecRef<'_> {
        (**self).__exec_ref()
    }
}
