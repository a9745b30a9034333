//! Runs statements on an executor: the one place that talks to sqlx.
//!
//! Every statement is counted (for `assert_num_queries`) and emits a `tracing` event on
//! the `kata::query` target with its SQL, its duration and its outcome: the rows it
//! returned or touched, or the error it failed with (a failed statement is counted and
//! captured too, as Django's query log keeps it).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use futures_core::Stream;
use sqlx::{AssertSqlSafe, SqlSafeStr as _, SqlStr};

use crate::db::Executor;
use crate::db::executor::Conn;
use crate::db::route::{Route, Target};
pub(crate) use crate::driver::Done;
use crate::driver::{Args, RowRef};
use crate::error::Result;

/// One statement: SQL text, its parameters, and what routing needs to know of it (by
/// default a write, which goes to the primary).
#[derive(Debug)]
pub(crate) struct Statement {
    pub(crate) sql: String,
    pub(crate) args: Args,
    pub(crate) route: Route,
}

impl Statement {
    /// The statement with `route` (a read, a model, a pinned database).
    pub(crate) fn routed(mut self, route: Route) -> Statement {
        self.route = route;
        self
    }
}

/// What the query log needs of a statement once it has run. Only a `tracing` subscriber
/// listening to `kata::query` and an open capture (`testing::capture_queries`,
/// `assert_num_queries`) read the SQL and the duration afterwards; when neither does (the
/// common case) the SQL string is moved into sqlx rather than copied, and no clock is read.
struct Trace {
    /// The SQL, kept when someone listens.
    sql: Option<Arc<str>>,
    /// When the statement started, kept when someone listens.
    started: Option<Instant>,
    /// Whether a `tracing` subscriber wants the event.
    traced: bool,
}

/// Hands `sql` to sqlx, keeping a shared copy of it only when it will be logged.
fn prepare(ex: &(impl Executor + ?Sized), sql: String) -> (SqlStr, Trace) {
    let traced = tracing::enabled!(target: "kata::query", tracing::Level::DEBUG);
    if traced || ex.__shared().capturing.load(Ordering::Relaxed) > 0 {
        let sql: Arc<str> = sql.into();
        let text = AssertSqlSafe(Arc::clone(&sql)).into_sql_str();
        (text, Trace { sql: Some(sql), started: Some(Instant::now()), traced })
    } else {
        (AssertSqlSafe(sql).into_sql_str(), Trace { sql: None, started: None, traced })
    }
}

/// Counts the statement, records it when capturing, and emits the `tracing` event with
/// its outcome: `outcome="ok"` and the rows, or `outcome="error"` and the error, and where
/// it ran: `db` (the database's alias) and `route` (why there).
fn log(
    ex: &(impl Executor + ?Sized),
    trace: &Trace,
    target: Target<'_>,
    outcome: std::result::Result<u64, &crate::Error>,
) {
    let elapsed = trace.started.map(|started| started.elapsed());
    // A statement that began before capturing did has no SQL kept: it is still counted.
    ex.__shared().record_outcome(trace.sql.as_deref(), elapsed, outcome);
    if let (true, Some(sql), Some(elapsed)) = (trace.traced, trace.sql.as_deref(), elapsed) {
        let elapsed_us = elapsed.as_micros() as u64;
        let backend = ex.backend().name();
        let (db, route) = (target.alias, target.why);
        match outcome {
            Ok(rows) => {
                tracing::debug!(target: "kata::query", sql, elapsed_us, rows, backend, db, route, outcome = "ok")
            }
            Err(error) => tracing::debug!(
                target: "kata::query",
                sql,
                elapsed_us,
                backend,
                db,
                route,
                outcome = "error",
                error = %error,
            ),
        }
    }
}

/// A connection for one statement with values.
///
/// Behind a transaction-mode pooler ([`DbBuilder::transaction_pooler`](crate::DbBuilder::transaction_pooler)),
/// a statement outside a transaction gets a transaction of its own: sqlx parses the
/// (unnamed) statement and binds its values in two exchanges, and only an open
/// transaction keeps the pooler from handing the second to another server connection.
/// (Such a statement runs on the primary: routing applies to pools without the pooler.)
async fn acquire_for_statement<'e, E: Executor + ?Sized>(ex: &'e E, route: &Route) -> Result<Conn<'e>> {
    match ex.__db() {
        Some(db) if db.shared.transaction_pooler => Ok(Conn::Own(db.pool.begin(None).await?)),
        _ => ex.__acquire(route).await,
    }
}

/// Runs `stmt` and decodes every row.
pub(crate) async fn fetch_all<E, T, F>(ex: &E, stmt: Statement, mut decode: F) -> Result<Vec<T>>
where
    E: Executor + ?Sized,
    T: Send,
    F: FnMut(RowRef<'_>) -> Result<T> + Send,
{
    let Statement { sql, args, route } = stmt;
    let (text, trace) = prepare(ex, sql);
    let mut conn = acquire_for_statement(ex, &route).await?;
    // A read that a replica chose for itself is run again elsewhere when the replica's
    // connection turns out dead (a replica that went down since its connection was pooled);
    // only then are the text and the values kept for a second attempt.
    let spare = conn.target().replica_read().then(|| (text.clone(), args.clone()));
    let mut decoded = 0u64;
    let result = fetch_all_on(&mut conn, text, args, &mut |row| {
        decoded += 1;
        decode(row)
    })
    .await;
    let result = match (result, spare) {
        (Err(e), Some((text, args))) if decoded == 0 && crate::db::route::connection_lost(&e) => {
            log(ex, &trace, conn.target(), Err(&e));
            if let Some(db) = ex.__db() {
                db.replica_failed(conn.target().alias, &e);
            }
            drop(conn);
            conn = acquire_for_statement(ex, &route).await?;
            fetch_all_on(&mut conn, text, args, &mut decode).await
        }
        (result, _) => result,
    };
    match &result {
        Ok(out) => log(ex, &trace, conn.target(), Ok(out.len() as u64)),
        Err(e) => {
            conn.note_failure(e);
            log(ex, &trace, conn.target(), Err(e));
        }
    }
    if result.is_ok() {
        conn.finish().await?;
    }
    result
}

async fn fetch_all_on<T, F>(conn: &mut Conn<'_>, text: SqlStr, args: Args, decode: &mut F) -> Result<Vec<T>>
where
    T: Send,
    F: FnMut(RowRef<'_>) -> Result<T> + Send,
{
    conn.raw()?.fetch_all(text, args, decode).await
}

/// Whether `stmt` returns a row, even inside a transaction that a failed statement broke:
/// used only to read which constraint that failure broke (SQLite does not say).
pub(crate) async fn probe<E: Executor + ?Sized>(ex: &E, stmt: Statement) -> Result<bool> {
    let Statement { sql, args, route } = stmt;
    let mut conn = ex.__acquire(&route).await?;
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
    let Statement { sql, args, route } = stmt;
    let (text, trace) = prepare(ex, sql);
    let mut conn = acquire_for_statement(ex, &route).await?;
    let result = execute_on(&mut conn, text, args).await;
    match &result {
        Ok(done) => log(ex, &trace, conn.target(), Ok(done.rows_affected)),
        Err(e) => {
            conn.note_failure(e);
            log(ex, &trace, conn.target(), Err(e));
        }
    }
    if result.is_ok() {
        conn.finish().await?;
    }
    result
}

async fn execute_on(conn: &mut Conn<'_>, text: SqlStr, args: Args) -> Result<Done> {
    conn.raw()?.execute(text, args).await
}

/// Runs SQL with no parameters (DDL), possibly several statements.
pub(crate) async fn execute_raw<E: Executor + ?Sized>(ex: &E, sql: &str) -> Result<()> {
    let (text, trace) = prepare(ex, sql.to_owned());
    let mut conn = ex.__acquire(&Route::default()).await?;
    let result = execute_raw_on(&mut conn, text).await;
    match &result {
        Ok(()) => log(ex, &trace, conn.target(), Ok(0)),
        Err(e) => {
            conn.note_failure(e);
            log(ex, &trace, conn.target(), Err(e));
        }
    }
    result
}

async fn execute_raw_on(conn: &mut Conn<'_>, text: SqlStr) -> Result<()> {
    conn.raw()?.execute_raw(text).await
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
        let Statement { sql, args, route } = stmt;
        let (text, trace) = prepare(ex, sql);
        let mut conn = acquire_for_statement(ex, &route).await?;
        let mut count = 0u64;
        let mut failure = None;
        {
            let mut rows = conn.raw()?.fetch(text, args)?;
            loop {
                match rows.next().await {
                    Ok(Some(row)) => {
                        count += 1;
                        yield decode(row.as_ref())?;
                    }
                    Ok(None) => break,
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
        }
        if let Some(e) = failure {
            conn.note_failure(&e);
            log(ex, &trace, conn.target(), Err(&e));
            Err(e)?;
        }
        log(ex, &trace, conn.target(), Ok(count));
        conn.finish().await?;
    }
}
