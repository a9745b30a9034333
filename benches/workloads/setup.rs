//! A fresh database per backend and bench run, and the sqlx pool kata runs on.
//!
//! Every implementation (kata, hand-written sqlx, and SeaORM in `benches/peers`) runs on
//! the same sqlx pool: the one inside the `kata::Db`, so pool settings (size, no ping
//! before acquire) and connection options are identical by construction.

use kata::testing::FreshDatabase;
use kata::{Backend, Db};

/// The hand-written side's handle: the sqlx pool inside the `Db`.
#[derive(Debug, Clone)]
pub enum RawPool {
    /// SQLite.
    Sqlite(sqlx::SqlitePool),
    /// PostgreSQL.
    Postgres(sqlx::PgPool),
    /// MySQL or MariaDB.
    MySql(sqlx::MySqlPool),
}

impl RawPool {
    /// Whether this is PostgreSQL (`$n` placeholders, arrays).
    pub fn is_postgres(&self) -> bool {
        matches!(self, RawPool::Postgres(_))
    }
}

/// One backend, with a database made for this bench run.
#[derive(Debug)]
pub struct Target {
    /// Which backend.
    pub backend: Backend,
    /// kata's handle.
    pub db: Db,
    /// The same pool, for hand-written sqlx.
    pub raw: RawPool,
    /// INSERT ... RETURNING works (SQLite, PostgreSQL, MariaDB; not MySQL).
    pub returning: bool,
    fresh: FreshDatabase,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The backends to run: SQLite always; PostgreSQL and MySQL when `KATA_BENCH_POSTGRES` /
/// `KATA_BENCH_MYSQL` (or the test suite's `KATA_TEST_POSTGRES` / `KATA_TEST_MYSQL`) hold a
/// server URL. `KATA_BENCH_BACKENDS=sqlite,postgres` narrows the list.
pub fn configured() -> Vec<(Backend, Option<String>)> {
    let only = env("KATA_BENCH_BACKENDS");
    let wanted = |b: Backend| only.as_deref().is_none_or(|o| o.split(',').any(|x| x.trim() == b.name()));
    let mut out = Vec::new();
    if wanted(Backend::Sqlite) {
        out.push((Backend::Sqlite, None));
    }
    let servers = [
        (Backend::Postgres, "KATA_BENCH_POSTGRES", "KATA_TEST_POSTGRES"),
        (Backend::MySql, "KATA_BENCH_MYSQL", "KATA_TEST_MYSQL"),
    ];
    for (backend, bench_var, test_var) in servers {
        if let Some(url) = env(bench_var).or_else(|| env(test_var))
            && wanted(backend)
        {
            out.push((backend, Some(url)));
        }
    }
    out
}

impl Target {
    /// Makes a fresh database on `backend` (a temporary file for SQLite, `CREATE DATABASE`
    /// on a server) and creates the users/posts/comments tables in it.
    pub async fn provision(backend: Backend, server_url: Option<&str>) -> kata::Result<Target> {
        // A temporary SQLite file, or CREATE DATABASE kata_bench_... on the server; kata's
        // default pool (10 connections, no ping before acquire). Benchmarks run one query at
        // a time, so one connection does all the work.
        let fresh = FreshDatabase::create(backend, server_url, "bench").await?;
        let db = fresh.db().clone();
        let raw = match backend {
            Backend::Sqlite => db.as_sqlite().cloned().map(RawPool::Sqlite),
            Backend::Postgres => db.as_postgres().cloned().map(RawPool::Postgres),
            _ => db.as_mysql().cloned().map(RawPool::MySql),
        }
        .ok_or(kata::ConfigError::BackendDisabled { backend: backend.name(), feature: backend.feature() })?;
        let returning = match &raw {
            RawPool::MySql(pool) => {
                let version: String = sqlx::query_scalar("SELECT VERSION()").fetch_one(pool).await?;
                version.contains("MariaDB")
            }
            _ => true,
        };
        super::create_tables(&db).await?;
        Ok(Target { backend, db, raw, returning, fresh })
    }

    /// Closes the pool and removes the database.
    pub async fn teardown(self) {
        self.fresh.remove().await;
    }
}
