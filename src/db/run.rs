//! Runs statements on an executor: the one place that talks to sqlx.
//!
//! Every statement is counted (for `assert_num_queries`) and emits a `tracing` event on
//! the `kata::query` target with its SQL, its duration and the rows it returned or touched.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use futures_core::Stream;
use futures_util::TryStreamExt as _;
use sqlx::{AssertSqlSafe, SqlSafeStr as _, SqlStr};

use crate::backend::{Args, RowRef};
use crate::db::Executor;
use crate::db::executor::{Conn, Raw};
use crate::error::{Error, Result};
use crate::query::sql::Statement;

/// What a statement that returns no rows did.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Done {
    pub(crate) rows_affected: u64,
    /// The key the database assigned to the last inserted row (SQLite, MySQL).
    pub(crate) last_insert_id: Option<i64>,
}

/// What the query log needs of a statement once it has run. Only a `tracing` subscriber
/// listening to `kata::query` and `testing::assert_num_queries` read the SQL afterwards;
/// when neither does (the common case) the SQL string is moved into sqlx rather than
/// copied, and no clock is read.
struct Trace {
    /// The SQL, kept when someone listens.
    sql: Option<Arc<str>>,
    /// When the statement started, kept when a subscriber wants the event.
    started: Option<Instant>,
}

/// Hands `sql` to sqlx, keeping a shared copy of it only when it will be logged.
fn prepare(ex: &(impl Executor + ?Sized), sql: String) -> (SqlStr, Trace) {
    let traced = tracing::enabled!(target: "kata::query", tracing::Level::DEBUG);
    if traced || ex.__shared().capturing.load(Ordering::Relaxed) {
        let sql: Arc<str> = sql.into();
        let text = AssertSqlSafe(Arc::clone(&sql)).into_sql_str();
        (text, Trace { sql: Some(sql), started: traced.then(Instant::now) })
    } else {
        (AssertSqlSafe(sql).into_sql_str(), Trace { sql: None, started: None })
    }
}

/// Counts the statement, records its SQL when capturing, and emits the `tracing` event.
fn log(ex: &(impl Executor + ?Sized), trace: &Trace, rows: u64) {
    // A statement that began before capturing did has no SQL kept: it is still counted.
    ex.__shared()
        .record(trace.sql.as_deref().unwrap_or("(SQL not kept: the statement began before capturing)"));
    if let (Some(sql), Some(started)) = (trace.sql.as_deref(), trace.started) {
        tracing::debug!(
            target: "kata::query",
            sql,
            elapsed_us = started.elapsed().as_micros() as u64,
            rows,
            backend = ex.backend().name(),
        );
    }
}

fn mismatch() -> Error {
    Error::Internal("statement built for another backend")
}

/// Runs `stmt` and decodes every row.
pub(crate) async fn fetch_all<E, T, F>(ex: &E, stmt: Statement, mut decode: F) -> Result<Vec<T>>
where
    E: Executor + ?Sized,
    T: Send,
    F: FnMut(RowRef<'_>) -> Result<T> + Send,
{
    let Statement { sql, args } = stmt;
    let (text, trace) = prepare(ex, sql);
    let mut conn = ex.__acquire().await?;
    let result = fetch_all_on(&mut conn, text, args, &mut decode).await;
    match &result {
        Ok(out) => log(ex, &trace, out.len() as u64),
        Err(e) => conn.note_failure(e),
    }
    result
}

async fn fetch_all_on<T, F>(conn: &mut Conn<'_>, text: SqlStr, args: Args, decode: &mut F) -> Result<Vec<T>>
where
    T: Send,
    F: FnMut(RowRef<'_>) -> Result<T> + Send,
{
    let mut out = Vec::new();
    {
        match (conn.raw()?, args) {
            #[cfg(feature = "sqlite")]
            (Raw::Sqlite(c), Args::Sqlite(a)) => {
                // SQLite steps the statement on sqlx's worker thread and hands rows over a
                // bounded channel. Receiving a batch first and decoding it afterwards keeps
                // the two threads from waking each other for every row (measured: 12-14 %
                // faster at 100-1,000 rows); the batch bounds the extra memory.
                const BATCH: usize = 1024;
                let mut rows = sqlx::query_with(text, a).fetch(c);
                let mut batch = Vec::new();
                loop {
                    while batch.len() < BATCH {
                        match rows.try_next().await? {
                            Some(row) => batch.push(row),
                            None => break,
                        }
                    }
                    let last = batch.len() < BATCH;
                    out.reserve(batch.len());
                    for row in batch.drain(..) {
                        out.push(decode(RowRef::Sqlite(&row))?);
                    }
                    if last {
                        break;
                    }
                }
            }
            #[cfg(feature = "postgres")]
            (Raw::Postgres(c), Args::Postgres(a)) => {
                let mut rows = sqlx::query_with(text, a).fetch(c);
                while let Some(row) = rows.try_next().await? {
                    out.push(decode(RowRef::Postgres(&row))?);
                }
            }
            #[cfg(feature = "mysql")]
            (Raw::MySql(c), Args::MySql(a)) => {
                let mut rows = sqlx::query_with(text, a).fetch(c);
                while let Some(row) = rows.try_next().await? {
                    out.push(decode(RowRef::MySql(&row))?);
                }
            }
            #[allow(unreachable_patterns)]
            _ => return Err(mismatch()),
        }
    }
    Ok(out)
}

/// Whether `stmt` returns a row, even inside a transaction that a failed statement broke:
/// used only to read which constraint that failure broke (SQLite does not say).
pub(crate) async fn probe<E: Executor + ?Sized>(ex: &E, stmt: Statement) -> Result<bool> {
    let Statement { sql, args } = stmt;
    let mut conn = ex.__acquire().await?;
    let broken = conn.take_broken();
    let result = fetch_all_on(&mut conn, AssertSqlSafe(sql).into_sql_str(), args, &mut |_| Ok(())).await;
    conn.restore_broken(broken);
    Ok(!result?.is_empty())
}

/// Runs `stmt` and decodes its first row, if any.
pub(crate) async fn fetch_optional<E, T, F>(ex: &E, stmt: Statement, decode: F) -> Result<Option<T>>
where
    E: Executor + ?Sized,
    T: Send,
    F: FnMut(RowRef<'_>) -> Result<T> + Send,
{
    Ok(fetch_all(ex, stmt, decode).await?.into_iter().next())
}

/// Runs `stmt` for its effect.
pub(crate) async fn execute<E: Executor + ?Sized>(ex: &E, stmt: Statement) -> Result<Done> {
    let Statement { sql, args } = stmt;
    let (text, trace) = prepare(ex, sql);
    let mut conn = ex.__acquire().await?;
    let result = execute_on(&mut conn, text, args).await;
    match &result {
        Ok(done) => log(ex, &trace, done.rows_affected),
        Err(e) => conn.note_failure(e),
    }
    result
}

async fn execute_on(conn: &mut Conn<'_>, text: SqlStr, args: Args) -> Result<Done> {
    let done = {
        match (conn.raw()?, args) {
            #[cfg(feature = "sqlite")]
            (Raw::Sqlite(c), Args::Sqlite(a)) => {
                let r = sqlx::query_with(text, a).execute(c).await?;
                Done { rows_affected: r.rows_affected(), last_insert_id: Some(r.last_insert_rowid()) }
            }
            #[cfg(feature = "postgres")]
            (Raw::Postgres(c), Args::Postgres(a)) => {
                let r = sqlx::query_with(text, a).execute(c).await?;
                Done { rows_affected: r.rows_affected(), last_insert_id: None }
            }
            #[cfg(feature = "mysql")]
            (Raw::MySql(c), Args::MySql(a)) => {
                let r = sqlx::query_with(text, a).execute(c).await?;
                let id = i64::try_from(r.last_insert_id()).ok().filter(|id| *id != 0);
                Done { rows_affected: r.rows_affected(), last_insert_id: id }
            }
            #[allow(unreachable_patterns)]
            _ => return Err(mismatch()),
        }
    };
    Ok(done)
}

/// Runs SQL with no parameters (DDL), possibly several statements.
pub(crate) async fn execute_raw<E: Executor + ?Sized>(ex: &E, sql: &str) -> Result<()> {
    let (text, trace) = prepare(ex, sql.to_owned());
    let mut conn = ex.__acquire().await?;
    let result = execute_raw_on(&mut conn, text).await;
    match &result {
        Ok(()) => log(ex, &trace, 0),
        Err(e) => conn.note_failure(e),
    }
    result
}

async fn execute_raw_on(conn: &mut Conn<'_>, text: SqlStr) -> Result<()> {
    use sqlx::Executor as _;
    match conn.raw()? {
        #[cfg(feature = "sqlite")]
        Raw::Sqlite(c) => {
            c.execute(sqlx::raw_sql(text)).await?;
        }
        #[cfg(feature = "postgres")]
        Raw::Postgres(c) => {
            c.execute(sqlx::raw_sql(text)).await?;
        }
        #[cfg(feature = "mysql")]
        Raw::MySql(c) => {
            c.execute(sqlx::raw_sql(text)).await?;
        }
    }
    Ok(())
}

/// Streams the rows of `stmt`, decoding each as it arrives; memory stays flat.
pub(crate) fn fetch_stream<'e, E, T, F>(
    ex: &'e E,
    stmt: Statement,
    mut decode: F,
) -> impl Stream<Item = Result<T>> + Send + 'e
where
    E: Executor + ?Sized,
    T: Send + 'e,
    F: FnMut(RowRef<'_>) -> Result<T> + Send + 'e,
{
    async_stream::try_stream! {
        let Statement { sql, args } = stmt;
        let (text, trace) = prepare(ex, sql);
        let mut conn = ex.__acquire().await?;
        let mut count = 0u64;
        let mut failure = None;
        {
            match (conn.raw()?, args) {
                #[cfg(feature = "sqlite")]
                (Raw::Sqlite(c), Args::Sqlite(a)) => {
                    let mut rows = sqlx::query_with(text, a).fetch(c);
                    loop {
                        match rows.try_next().await {
                            Ok(Some(row)) => {
                                count += 1;
                                yield decode(RowRef::Sqlite(&row))?;
                            }
                            Ok(None) => break,
                            Err(e) => {
                                failure = Some(Error::from(e));
                                break;
                            }
                        }
                    }
                }
                #[cfg(feature = "postgres")]
                (Raw::Postgres(c), Args::Postgres(a)) => {
                    let mut rows = sqlx::query_with(text, a).fetch(c);
                    loop {
                        match rows.try_next().await {
                            Ok(Some(row)) => {
                                count += 1;
                                yield decode(RowRef::Postgres(&row))?;
                            }
                            Ok(None) => break,
                            Err(e) => {
                                failure = Some(Error::from(e));
                                break;
                            }
                        }
                    }
                }
                #[cfg(feature = "mysql")]
                (Raw::MySql(c), Args::MySql(a)) => {
                    let mut rows = sqlx::query_with(text, a).fetch(c);
                    loop {
                        match rows.try_next().await {
                            Ok(Some(row)) => {
                                count += 1;
                                yield decode(RowRef::MySql(&row))?;
                            }
                            Ok(None) => break,
                            Err(e) => {
                                failure = Some(Error::from(e));
                                break;
                            }
                        }
                    }
                }
                #[allow(unreachable_patterns)]
                _ => Err(mismatch())?,
            }
        }
        if let Some(e) = failure {
            conn.note_failure(&e);
            Err(e)?;
        }
        log(ex, &trace, count);
    }
}
