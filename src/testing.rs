//! Test support: [`kata::test`](crate::test) runs an async test once per configured
//! backend, each time in a fresh database that is dropped afterwards, and
//! [`assert_num_queries`] counts statements like Django's `assertNumQueries`.
//!
//! Backends: SQLite always (a temporary file); PostgreSQL when `KATA_TEST_POSTGRES` holds
//! a server URL (`postgres://postgres@127.0.0.1:5432/postgres`); MySQL or MariaDB when
//! `KATA_TEST_MYSQL` does (`mysql://root@127.0.0.1:3306/test`). Each test creates its own
//! database on the server with the URL's user. `KATA_TEST_REQUIRE=all` (or a list such as
//! `postgres,mysql`) turns a backend that is not configured into a failure instead of a
//! skip. Every test prints one line naming the backends it ran on.
//!
//! ```
//! # use kata::prelude::*;
//! # #[derive(Model)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
//! #[kata::test]
//! async fn starts_empty(db: Db) {
//!     db.create_tables(&[Tag::meta()]).await.unwrap();
//!     assert_eq!(Tag::objects().acount(&db).await.unwrap(), 0);
//! }
//! ```

use std::fmt::Debug;
use std::future::Future;
use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};

pub use crate::db::CapturedQuery;
use crate::db::{Db, Executor};
use crate::driver::Backend;

/// What a test body may return: `()` or a `Result` whose error is `Debug`.
pub trait TestOutcome {
    /// `Err` with a message when the test failed.
    fn into_outcome(self) -> Result<(), String>;
}

impl TestOutcome for () {
    fn into_outcome(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: Debug> TestOutcome for Result<(), E> {
    fn into_outcome(self) -> Result<(), String> {
        self.map_err(|e| format!("{e:?}"))
    }
}

/// The backends this test run can use, with their server URLs.
#[derive(Debug, Clone)]
struct Target {
    backend: Backend,
    server_url: Option<String>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn required() -> Vec<Backend> {
    let Some(value) = env("KATA_TEST_REQUIRE") else { return Vec::new() };
    let all = [Backend::Sqlite, Backend::Postgres, Backend::MySql];
    if value.trim() == "all" {
        return all.to_vec();
    }
    all.into_iter().filter(|b| value.split(',').any(|v| v.trim() == b.name())).collect()
}

fn compiled(backend: Backend) -> bool {
    backend.is_enabled()
}

/// The configured backends, or a panic naming what `KATA_TEST_REQUIRE` wants and is missing.
fn targets(only: Option<&str>) -> Vec<Target> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    let required = required();
    for (backend, var) in [
        (Backend::Sqlite, None),
        (Backend::Postgres, Some("KATA_TEST_POSTGRES")),
        (Backend::MySql, Some("KATA_TEST_MYSQL")),
    ] {
        if let Some(only) = only
            && !only.split(',').any(|b| b.trim() == backend.name())
        {
            continue;
        }
        let server_url = var.and_then(env);
        let configured = compiled(backend) && (var.is_none() || server_url.is_some());
        if configured {
            out.push(Target { backend, server_url });
        } else if required.contains(&backend) {
            missing.push(match (compiled(backend), var) {
                (false, _) => format!("{backend} (build with `--features {backend}` or `--all-features`)"),
                (true, Some(var)) => format!("{backend} (set {var})"),
                (true, None) => backend.name().to_owned(),
            });
        }
    }
    if !missing.is_empty() {
        panic!("KATA_TEST_REQUIRE wants backends that are not configured: {}", missing.join(", "));
    }
    out
}

static NEXT_DATABASE: AtomicU64 = AtomicU64::new(0);

fn fresh_name(test: &str) -> String {
    let n = NEXT_DATABASE.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let stem: String = test
        .rsplit("::")
        .next()
        .unwrap_or("test")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(24)
        .collect();
    format!("kata_{stem}_{}_{n}_{nanos}", std::process::id()).to_lowercase()
}

/// `url` with its database (the path) replaced by `database`.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..].find('/').map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{}", &base[..host_end], database);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A database made for one test or benchmark run: a temporary SQLite file, or a
/// `CREATE DATABASE` on the server of `server_url` (as that URL's user), removed again by
/// [`remove`](Self::remove). `#[kata::test]` makes one per backend for every test;
/// benchmarks and other harnesses can use it directly.
///
/// ```
/// use kata::testing::FreshDatabase;
/// # async fn demo() -> kata::Result<()> {
/// let fresh = FreshDatabase::create(kata::Backend::Sqlite, None, "demo").await?;
/// fresh.db().execute_unprepared("CREATE TABLE t (x INTEGER)").await?;
/// fresh.remove().await; // the file is gone
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug)]
pub struct FreshDatabase {
    db: Db,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    File(std::path::PathBuf),
    Server { admin: Db, drop_sql: String },
}

impl FreshDatabase {
    /// Makes the database on `backend`; `label` goes into its name (`kata_<label>_...`).
    /// A server backend needs `server_url`: without one this is `Error::BackendDisabled`.
    pub async fn create(backend: Backend, server_url: Option<&str>, label: &str) -> crate::Result<Self> {
        let name = fresh_name(label);
        match (crate::dialect::of(backend).embedded(), server_url) {
            (true, _) => {
                let dir = std::env::temp_dir().join("kata-tests");
                std::fs::create_dir_all(&dir)?;
                let path = dir.join(format!("{name}.db"));
                let db = Db::connect(&format!("sqlite://{}?mode=rwc", path.display())).await?;
                Ok(FreshDatabase { db, cleanup: Cleanup::File(path) })
            }
            (_, Some(server)) => {
                let admin = Db::builder(server).max_connections(1).connect().await?;
                let (create_sql, drop_sql) = crate::dialect::of(admin.backend()).create_drop_database(&name);
                admin.execute_unprepared(&create_sql).await?;
                match Db::connect(&with_database(server, &name)).await {
                    Ok(db) => Ok(FreshDatabase { db, cleanup: Cleanup::Server { admin, drop_sql } }),
                    Err(e) => {
                        let _ = admin.execute_unprepared(&drop_sql).await;
                        Err(e)
                    }
                }
            }
            (false, None) => Err(crate::ConfigError::Unsupported {
                backend: backend.name(),
                option: "a test database without a server URL".into(),
            }
            .into()),
        }
    }

    /// The pool on the new database (kata's defaults).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Closes the pool (and every clone of it) and removes the database.
    pub async fn remove(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::Server { admin, drop_sql } => {
                let _ = admin.execute_unprepared(&drop_sql).await;
                admin.close().await;
            }
        }
    }
}

/// Runs a test body once per configured backend. Called by `#[kata::test]`.
#[doc(hidden)]
pub fn run<R, F>(name: &str, only: Option<&str>, body: F)
where
    R: TestOutcome,
    F: Fn(Db) -> Pin<Box<dyn Future<Output = R>>>,
{
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(rt) => rt,
        Err(e) => panic!("kata::test {name}: cannot start a tokio runtime: {e}"),
    };
    let mut ran = Vec::new();
    for target in targets(only) {
        let backend = target.backend;
        let created = FreshDatabase::create(backend, target.server_url.as_deref(), name);
        let fresh = match runtime.block_on(created) {
            Ok(fresh) => fresh,
            Err(e) => panic!("kata::test {name}: cannot create a {backend} test database: {e}"),
        };
        let db = fresh.db().clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| runtime.block_on(body(db))));
        runtime.block_on(fresh.remove());
        match outcome {
            Ok(result) => {
                if let Err(message) = result.into_outcome() {
                    panic!("kata::test {name} failed on {backend}: {message}");
                }
            }
            Err(panic) => {
                say(&format!("kata::test {name}: FAILED on {backend}"));
                resume_unwind(panic);
            }
        }
        ran.push(backend.name());
    }
    if ran.is_empty() {
        say(&format!("kata::test {name}: skipped (needs {})", only.unwrap_or("a backend")));
    } else {
        say(&format!("kata::test {name}: ran on {}", ran.join(", ")));
    }
}

/// Writes past libtest's output capture, so the backends show in every test log.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Runs `work` and asserts that it ran exactly `expected` statements on `db` (its
/// transactions included), like Django's `assertNumQueries`. On failure the message lists
/// the SQL that ran.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
/// # async fn demo() -> kata::Result<()> {
/// # let db = Db::connect("sqlite::memory:").await?;
/// # db.create_tables(&[Tag::meta()]).await?;
/// let tags = kata::testing::assert_num_queries(&db, 1, Tag::objects().alist(&db)).await?;
/// # let _ = tags; Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub async fn assert_num_queries<F: Future>(db: &Db, expected: u64, work: F) -> F::Output {
    let before = db.query_count();
    let (output, captured) = capture_queries(db, work).await;
    let ran = db.query_count() - before;
    if ran != expected {
        let list: Vec<String> =
            captured.iter().enumerate().map(|(i, q)| format!("  {}. {}", i + 1, q.sql)).collect();
        panic!("expected {expected} queries, {ran} ran:\n{}", list.join("\n"));
    }
    output
}

/// Runs `work` and returns its output with every statement that ran on `ex`'s pool
/// meanwhile (its transactions included), each with its SQL, duration and row count:
/// Django's `CaptureQueriesContext`. The SQL and the clock are kept only while a capture
/// is open, so queries outside one pay nothing for it. Captures may nest or overlap: each
/// sees every statement of the pool that ran while it was open.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
/// # async fn demo() -> kata::Result<()> {
/// # let db = Db::connect("sqlite::memory:").await?;
/// # db.create_tables(&[Tag::meta()]).await?;
/// let (tags, queries) = kata::testing::capture_queries(&db, async {
///     Tag::objects().acreate(&db, [Tag::name.set("a")]).await?;
///     Tag::objects().alist(&db).await
/// })
/// .await;
/// assert_eq!(tags?.len(), 1);
/// assert_eq!(queries.len(), 2);
/// assert!(queries[1].sql.starts_with("SELECT"));
/// assert_eq!(queries[1].rows, 1);
/// let total: std::time::Duration = queries.iter().map(|q| q.duration).sum();
/// # let _ = total; Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub async fn capture_queries<F: Future>(ex: &impl Executor, work: F) -> (F::Output, Vec<CapturedQuery>) {
    /// Closes the capture even when `work` panics or the future is dropped.
    struct Open<'a> {
        shared: &'a crate::db::Shared,
        start: usize,
        closed: bool,
    }
    impl Drop for Open<'_> {
        fn drop(&mut self) {
            if !self.closed {
                self.shared.close_capture(self.start);
            }
        }
    }
    let shared = ex.__shared();
    let mut open = Open { shared, start: shared.open_capture(), closed: false };
    let output = work.await;
    open.closed = true;
    let captured = shared.close_capture(open.start);
    (output, captured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_database_replaces_the_path_and_keeps_the_query() {
        assert_eq!(with_database("postgres://u@h:5432/postgres", "t1"), "postgres://u@h:5432/t1");
        assert_eq!(
            with_database("mysql://root@h:3306/test?ssl-mode=disabled", "t2"),
            "mysql://root@h:3306/t2?ssl-mode=disabled"
        );
        assert_eq!(with_database("postgres://h", "t3"), "postgres://h/t3");
    }

    #[test]
    fn fresh_names_are_distinct_and_safe() {
        let a = fresh_name("tests::some-test::name");
        let b = fresh_name("tests::some-test::name");
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    }
}
