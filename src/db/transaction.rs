//! Transactions: a `Transaction` is an `Executor`, so every query can run inside one.

use tokio::sync::Mutex;

use crate::backend::Backend;
use crate::db::executor::{Conn, Raw};
use crate::db::{Db, Pool, Shared};
use crate::error::{Error, Result};

/// A database transaction. Queries take `&tx` exactly as they take `&db`.
///
/// [`commit`](Transaction::commit) makes the work permanent; dropping the transaction
/// without committing rolls it back.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// db.create_tables(&[Tag::meta()]).await?;
/// let tx = db.begin().await?;
/// Tag::objects().acreate(&tx, Tag { id: 0, name: "draft".into() }).await?;
/// drop(tx); // rolled back
/// assert_eq!(Tag::objects().acount(&db).await?, 0);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug)]
pub struct Transaction {
    db: Db,
    conn: Mutex<Option<TxConn>>,
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
            TxConn::Sqlite(t) => Raw::Sqlite(&mut **t),
            #[cfg(feature = "postgres")]
            TxConn::Postgres(t) => Raw::Postgres(&mut **t),
            #[cfg(feature = "mysql")]
            TxConn::MySql(t) => Raw::MySql(&mut **t),
        }
    }
}

impl Db {
    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Transaction> {
        let conn = match &self.pool {
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin().await?),
            #[cfg(feature = "postgres")]
            Pool::Postgres(p) => TxConn::Postgres(p.begin().await?),
            #[cfg(feature = "mysql")]
            Pool::MySql(p) => TxConn::MySql(p.begin().await?),
        };
        self.shared.record("BEGIN");
        Ok(Transaction { db: self.clone(), conn: Mutex::new(Some(conn)) })
    }
}

impl Transaction {
    /// Commits the work.
    pub async fn commit(self) -> Result<()> {
        let conn = self.conn.lock().await.take();
        self.db.shared.record("COMMIT");
        match conn {
            #[cfg(feature = "sqlite")]
            Some(TxConn::Sqlite(t)) => t.commit().await?,
            #[cfg(feature = "postgres")]
            Some(TxConn::Postgres(t)) => t.commit().await?,
            #[cfg(feature = "mysql")]
            Some(TxConn::MySql(t)) => t.commit().await?,
            None => return Err(Error::InvalidQuery("the transaction has already ended".into())),
        }
        Ok(())
    }

    /// Rolls the work back (dropping the transaction does the same).
    pub async fn rollback(self) -> Result<()> {
        let conn = self.conn.lock().await.take();
        self.db.shared.record("ROLLBACK");
        match conn {
            #[cfg(feature = "sqlite")]
            Some(TxConn::Sqlite(t)) => t.rollback().await?,
            #[cfg(feature = "postgres")]
            Some(TxConn::Postgres(t)) => t.rollback().await?,
            #[cfg(feature = "mysql")]
            Some(TxConn::MySql(t)) => t.rollback().await?,
            None => {}
        }
        Ok(())
    }
}

impl crate::db::Executor for Transaction {
    fn backend(&self) -> Backend {
        self.db.backend()
    }

    async fn __acquire(&self) -> Result<Conn<'_>> {
        Ok(Conn::Transaction(self.conn.lock().await))
    }

    fn __shared(&self) -> &Shared {
        &self.db.shared
    }

    fn __db(&self) -> Option<&Db> {
        None
    }
}
