//! The runner (Django's `MigrationExecutor` and `MigrationRecorder`): the history table
//! `kata_migrations`, plans to a target, and applying or unapplying migrations each in a
//! transaction where DDL is transactional, under a lock so that concurrent migrators
//! apply each migration once.

use crate::db::{Db, Executor, run};
use crate::dialect::{Dialect, MigrationLock, quote};
use crate::error::{Error, Result};
use crate::migrate::ddl;
use crate::migrate::migration::{Migration, ordered};
use crate::migrate::operation::Operation;
use crate::migrate::state::{Column, ProjectState, Table};
use crate::model::DefaultValue;
use crate::value::ColumnType;

/// The history table's name (Django's `django_migrations`).
pub const HISTORY_TABLE: &str = "kata_migrations";

/// Where to migrate to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every migration.
    Latest,
    /// None: every migration unapplied.
    Zero,
    /// This migration and the ones it depends on, and none after it.
    Name(String),
}

/// One step of a plan.
#[derive(Debug, Clone)]
pub struct Step {
    /// The migration.
    pub migration: Migration,
    /// Unapply rather than apply.
    pub backwards: bool,
}

/// Applies and unapplies an application's migrations on a database.
///
/// ```
/// use kata::migrate::prelude::*;
/// use kata::migrate::{Migrator, Target};
/// fn initial() -> Vec<Operation> {
///     vec![Operation::create_model(Table::new("tag", vec![Column::new("id", BigInt).primary_key().auto()]))]
/// }
/// const M1: Migration = Migration::new("0001_initial", &[], initial);
/// # async fn demo() -> kata::Result<()> {
/// let db = kata::Db::connect("sqlite::memory:").await?;
/// let migrator = Migrator::new(&db, &[M1])?;
/// assert_eq!(migrator.migrate(&Target::Latest, false).await?, ["0001_initial"]);
/// assert_eq!(migrator.applied().await?, ["0001_initial"]);
/// migrator.migrate(&Target::Zero, false).await?;
/// assert!(migrator.applied().await?.is_empty());
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug)]
pub struct Migrator<'a> {
    db: &'a Db,
    migrations: Vec<Migration>,
}

fn history_table() -> Table {
    Table::new(
        HISTORY_TABLE,
        vec![
            Column::new("id", ColumnType::BigInt).primary_key().auto(),
            Column::new("name", ColumnType::Text).max_length(255).unique(),
            Column::new("applied", ColumnType::TimestampTz).default(DefaultValue::Now),
        ],
    )
}

impl<'a> Migrator<'a> {
    /// A migrator for these migrations (checked: unique names, known dependencies, one leaf).
    pub fn new(db: &'a Db, migrations: &[Migration]) -> Result<Self> {
        Ok(Migrator { db, migrations: ordered(migrations)? })
    }

    fn dialect(&self) -> &'static dyn Dialect {
        self.db.shared.dialect
    }

    /// The migrations, in the order they apply.
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    async fn ensure_history(&self) -> Result<()> {
        if self.history_exists().await {
            return Ok(());
        }
        let sql = ddl::create_table(&history_table(), self.dialect());
        for statement in &sql {
            if let Err(e) = run::execute_raw(self.db, statement).await {
                // Another migrator may have created it in the meantime.
                if !self.history_exists().await {
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    async fn history_exists(&self) -> bool {
        let sql = format!("SELECT COUNT(*) FROM {}", quote(self.dialect(), HISTORY_TABLE));
        self.db.raw_query::<i64>(&sql, ()).await.is_ok()
    }

    /// The names of the applied migrations, in the order they were applied.
    pub async fn applied(&self) -> Result<Vec<String>> {
        self.ensure_history().await?;
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {}",
            quote(self.dialect(), "name"),
            quote(self.dialect(), HISTORY_TABLE),
            quote(self.dialect(), "id")
        );
        self.db.raw_query::<String>(&sql, ()).await
    }

    /// The steps that take the database to `target`.
    pub async fn plan(&self, target: &Target) -> Result<Vec<Step>> {
        let applied = self.applied().await?;
        let wanted: Vec<&str> = match target {
            Target::Latest => self.migrations.iter().map(Migration::name).collect(),
            Target::Zero => Vec::new(),
            Target::Name(name) => {
                let Some(pos) = self.migrations.iter().position(|m| m.name() == name) else {
                    return Err(Error::Migration(format!("no migration named {name}")));
                };
                self.ancestors(pos)
            }
        };
        let mut steps: Vec<Step> = self
            .migrations
            .iter()
            .rev()
            .filter(|m| applied.iter().any(|a| a == m.name()) && !wanted.contains(&m.name()))
            .map(|m| Step { migration: m.clone(), backwards: true })
            .collect();
        steps.extend(
            self.migrations
                .iter()
                .filter(|m| wanted.contains(&m.name()) && !applied.iter().any(|a| a == m.name()))
                .map(|m| Step { migration: m.clone(), backwards: false }),
        );
        Ok(steps)
    }

    fn ancestors(&self, pos: usize) -> Vec<&str> {
        let mut out = vec![self.migrations[pos].name()];
        let mut i = 0;
        while i < out.len() {
            if let Some(m) = self.migrations.iter().find(|m| m.name() == out[i]) {
                for d in m.dependencies() {
                    if !out.contains(&d) {
                        out.push(d);
                    }
                }
            }
            i += 1;
        }
        out
    }

    fn state_before(&self, name: &str) -> Result<ProjectState> {
        state_before(&self.migrations, name)
    }

    /// The SQL of one migration on this database's backend, forwards or backwards
    /// (Django's `sqlmigrate`). Nothing runs.
    pub fn sql(&self, name: &str, backwards: bool) -> Result<Vec<String>> {
        sql_of(&self.migrations, name, backwards, self.dialect())
    }

    /// Migrates to `target`, returning the names applied or unapplied. With `fake`, only
    /// the history changes.
    pub async fn migrate(&self, target: &Target, fake: bool) -> Result<Vec<String>> {
        let mut done = Vec::new();
        for step in self.plan(target).await? {
            let sql = if fake {
                Vec::new()
            } else {
                let before = self.state_before(step.migration.name())?;
                statements(&step.migration, before, step.backwards, self.dialect())?
            };
            if self.run_step(&step, &sql).await? {
                done.push(step.migration.name().to_owned());
            }
        }
        Ok(done)
    }

    /// Applies one step under the lock; false when another migrator did it first.
    async fn run_step(&self, step: &Step, sql: &[String]) -> Result<bool> {
        let own = match self.dialect().migration_connection() {
            Some((setup, check)) if !self.db.url().contains(":memory:") && !sql.is_empty() => {
                // A pool of one connection: the setup applies to the transaction's connection.
                let own = Db::builder(self.db.url()).max_connections(1).connect().await?;
                own.execute_unprepared(setup).await?;
                Some((own, check))
            }
            _ => None,
        };
        let result = match &own {
            Some((db, check)) => self.run_step_on(db, step, sql, Some(check)).await,
            None => self.run_step_on(self.db, step, sql, None).await,
        };
        if let Some((db, _)) = own {
            db.close().await;
        }
        result
    }

    async fn run_step_on(&self, db: &Db, step: &Step, sql: &[String], check: Option<&str>) -> Result<bool> {
        let dialect = self.dialect();
        let name = step.migration.name();
        let tx = db.begin().await?;
        let history = quote(dialect, HISTORY_TABLE);
        let name_col = quote(dialect, "name");
        let unlock = match dialect.migration_lock() {
            MigrationLock::WriteTransaction => {
                run::execute_raw(&tx, &format!("DELETE FROM {history} WHERE 1 = 0")).await?;
                None
            }
            MigrationLock::Session { lock, unlock } => {
                let got = tx.raw_query::<Option<i64>>(lock, ()).await?;
                if got.first().copied().flatten() != Some(1) {
                    return Err(Error::Migration(String::from("could not take the migration lock")));
                }
                unlock
            }
        };
        let count = format!("SELECT COUNT(*) FROM {history} WHERE {name_col} = ?");
        let is_applied = match tx.raw_query::<i64>(&count, (name,)).await {
            Ok(rows) => rows.first().copied().unwrap_or(0) > 0,
            Err(e) => {
                if let Some(unlock) = unlock {
                    release_lock(&tx, unlock).await;
                }
                return Err(e);
            }
        };
        if is_applied == step.backwards {
            let mut result = self.run_statements(&tx, name, sql).await;
            if let (Ok(()), Some(check)) = (&result, check) {
                let broken = tx.raw_query::<i64>(check, ()).await?.first().copied().unwrap_or(0);
                if broken > 0 {
                    result = Err(Error::Migration(format!(
                        "{name} leaves {broken} rows whose foreign key points at no row; it was rolled back"
                    )));
                }
            }
            let record = match (&result, step.backwards) {
                (Err(_), _) => Ok(0),
                (Ok(()), false) => {
                    tx.raw_execute(&format!("INSERT INTO {history} ({name_col}) VALUES (?)"), (name,)).await
                }
                (Ok(()), true) => {
                    tx.raw_execute(&format!("DELETE FROM {history} WHERE {name_col} = ?"), (name,)).await
                }
            };
            if let Some(unlock) = unlock {
                release_lock(&tx, unlock).await;
            }
            if let Err(e) = result.and(record.map(|_| ())) {
                let _ = tx.rollback().await;
                return Err(e);
            }
            tx.commit().await?;
            return Ok(true);
        }
        if let Some(unlock) = unlock {
            release_lock(&tx, unlock).await;
        }
        tx.commit().await?;
        Ok(false)
    }

    async fn run_statements(&self, tx: &crate::Transaction, name: &str, sql: &[String]) -> Result<()> {
        let transactional = self.dialect().transactional_ddl();
        for (i, statement) in sql.iter().enumerate() {
            if let Err(e) = run::execute_raw(tx, statement).await {
                let how_far = if transactional {
                    String::from("it was rolled back; nothing of it stays")
                } else {
                    format!(
                        "{} has no transactional DDL: statements 1 to {i} of {} stayed applied and the migration is not \
                         recorded; undo them by hand (or finish the migration and record it with --fake)",
                        self.dialect().backend(),
                        sql.len()
                    )
                };
                return Err(Error::Migration(format!(
                    "{name} failed at statement {} of {} ({statement}): {e}; {how_far}",
                    i + 1,
                    sql.len()
                )));
            }
        }
        Ok(())
    }
}

/// Releases a session lock on the transaction's connection, even when a failed DDL
/// statement marked the transaction broken: a lock left behind would hold the pooled
/// connection's session lock and make the next migrator wait out the lock's timeout.
async fn release_lock(tx: &crate::Transaction, unlock: &str) {
    let Ok(args) = crate::driver::Args::new(tx.backend()) else { return };
    // The result is ignored: the lock is session-bound and the session ends with the
    // connection if the release fails.
    let _ = run::probe(tx, run::Statement { sql: unlock.to_owned(), args }).await;
}

/// The state before migration `name` (every migration before it, in order, applied).
fn state_before(ordered: &[Migration], name: &str) -> Result<ProjectState> {
    let pos = ordered.iter().position(|m| m.name() == name).unwrap_or(ordered.len());
    crate::migrate::migration::replay(&ordered[..pos])
}

fn sql_of(ordered: &[Migration], name: &str, backwards: bool, dialect: &dyn Dialect) -> Result<Vec<String>> {
    let Some(m) = ordered.iter().find(|m| m.name() == name) else {
        return Err(Error::Migration(format!("no migration named {name}")));
    };
    statements(m, state_before(ordered, name)?, backwards, dialect)
}

/// The SQL of migration `name` on `backend`, forwards or backwards (Django's
/// `sqlmigrate`), without a database.
///
/// ```
/// use kata::migrate::prelude::*;
/// fn initial() -> Vec<Operation> {
///     vec![Operation::create_model(Table::new("tag", vec![Column::new("id", BigInt).primary_key().auto()]))]
/// }
/// let m = [Migration::new("0001_initial", &[], initial)];
/// let sql = kata::migrate::sqlmigrate(&m, "0001_initial", true, Backend::Postgres)?;
/// assert_eq!(sql, [r#"DROP TABLE "tag""#]);
/// # Ok::<(), kata::Error>(())
/// ```
pub fn sqlmigrate(
    migrations: &[Migration],
    name: &str,
    backwards: bool,
    backend: crate::Backend,
) -> Result<Vec<String>> {
    sql_of(&ordered(migrations)?, name, backwards, crate::dialect::of(backend))
}

/// The statements of migration `m` from the state `before` it, forwards or backwards.
fn statements(
    m: &Migration,
    before: ProjectState,
    backwards: bool,
    dialect: &dyn Dialect,
) -> Result<Vec<String>> {
    let ops = m.operations();
    let mut states = vec![before];
    for op in &ops {
        let mut next = states[states.len() - 1].clone();
        op.state_forwards(&mut next)
            .map_err(|e| Error::Migration(format!("in migration {}: {e}", m.name())))?;
        for table in next.tables.values() {
            crate::migrate::check_names(table, &table.name, dialect)?;
        }
        states.push(next);
    }
    let mut out = Vec::new();
    if backwards {
        for (i, op) in ops.iter().enumerate().rev() {
            let reverse: Operation =
                op.reverse(&states[i]).map_err(|e| Error::Migration(format!("{}: {e}", m.name())))?;
            out.extend(reverse.sql(&states[i + 1], dialect)?);
        }
    } else {
        for (i, op) in ops.iter().enumerate() {
            out.extend(op.sql(&states[i], dialect)?);
        }
    }
    Ok(out)
}
