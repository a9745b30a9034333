//! The runner (Django's `MigrationExecutor` and `MigrationRecorder`): the history table
//! `kata_migrations`, plans to a target, and applying or unapplying migrations each in a
//! transaction where DDL is transactional, under a lock so that concurrent migrators
//! apply each migration once.

use crate::db::{Db, Executor, Transaction, run};
use crate::dialect::{Dialect, MigrationLock, quote};
use crate::error::{Error, Result};
use crate::migrate::ddl;
use crate::migrate::migration::{Migration, graph, ordered};
use crate::migrate::operation::{Operation, RunRust};
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
    /// As given (squashed migrations with the ones they replace).
    all: Vec<Migration>,
    /// In order, squashed migrations standing for the ones they replace.
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
        Ok(Migrator { db, all: migrations.to_vec(), migrations: ordered(migrations)? })
    }

    fn dialect(&self) -> &'static dyn Dialect {
        self.db.shared.dialect
    }

    /// The migrations, in the order they apply (a squashed migration in place of the
    /// ones it replaces).
    pub fn migrations(&self) -> &[Migration] {
        &self.migrations
    }

    /// Whether `migration` is applied according to the history `applied` (a squashed
    /// migration is when every migration it replaces is).
    ///
    /// ```
    /// # use kata::migrate::{Migration, Migrator};
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = kata::Db::connect("sqlite::memory:").await?;
    /// let squashed = Migration::from_operations("0001_a_squashed_0002_b", vec![], vec![])
    ///     .replacing(vec!["0001_a".into(), "0002_b".into()]);
    /// let migrator = Migrator::new(&db, std::slice::from_ref(&squashed))?;
    /// assert!(migrator.is_applied(&squashed, &["0001_a".into(), "0002_b".into()]));
    /// assert!(!migrator.is_applied(&squashed, &["0001_a".into()]));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn is_applied(&self, migration: &Migration, applied: &[String]) -> bool {
        migration.is_applied(applied)
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
        Ok(self.plan_with_graph(target).await?.1)
    }

    /// The migrations as they apply to this database's history (a squashed migration, or
    /// the ones it replaces when only some of those are applied) and the plan over them.
    pub(crate) async fn plan_with_graph(&self, target: &Target) -> Result<(Vec<Migration>, Vec<Step>)> {
        let applied = self.applied().await?;
        let graph = graph(&self.all, &applied)?;
        let wanted: Vec<&str> = match target {
            Target::Latest => graph.iter().map(Migration::name).collect(),
            Target::Zero => Vec::new(),
            Target::Name(name) => {
                let Some(pos) = graph.iter().position(|m| m.name() == name) else {
                    return Err(Error::Migration(format!("no migration named {name}")));
                };
                ancestors(&graph, pos)
            }
        };
        let mut steps: Vec<Step> = graph
            .iter()
            .rev()
            .filter(|m| m.is_applied(&applied) && !wanted.contains(&m.name()))
            .map(|m| Step { migration: m.clone(), backwards: true })
            .collect();
        steps.extend(
            graph
                .iter()
                .filter(|m| wanted.contains(&m.name()) && !m.is_applied(&applied))
                .map(|m| Step { migration: m.clone(), backwards: false }),
        );
        Ok((graph, steps))
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
        let (graph, plan) = self.plan_with_graph(target).await?;
        for step in plan {
            let (actions, atomic) = if fake {
                (Vec::new(), true)
            } else {
                let before = state_before(&graph, step.migration.name())?;
                let actions = statements(&step.migration, before, step.backwards, self.dialect())?;
                let atomic = !step.migration.operations().iter().any(|op| op.non_atomic(self.dialect()));
                (actions, atomic)
            };
            let applied = if atomic {
                self.run_step(&step, &actions).await?
            } else {
                self.run_step_outside_transaction(&step, &actions).await?
            };
            if applied {
                done.push(step.migration.name().to_owned());
            }
        }
        Ok(done)
    }

    /// Applies one step under the lock; false when another migrator did it first.
    async fn run_step(&self, step: &Step, actions: &[Action]) -> Result<bool> {
        let own = match self.dialect().migration_connection() {
            Some((setup, check)) if !self.db.url().contains(":memory:") && !actions.is_empty() => {
                // A pool of one connection: the setup applies to the transaction's connection.
                let own = Db::builder(self.db.url()).max_connections(1).connect().await?;
                own.execute_unprepared(setup).await?;
                Some((own, Some(check)))
            }
            // A lock that outlives the transaction (MySQL's `GET_LOCK`) is taken on a
            // connection of its own, closed afterwards: a failed statement that breaks the
            // transaction cannot leave the lock held by a pooled connection.
            _ if matches!(
                self.dialect().migration_lock(),
                MigrationLock::Session { unlock: Some(_), .. }
            ) =>
            {
                Some((Db::builder(self.db.url()).max_connections(1).connect().await?, None))
            }
            _ => None,
        };
        let result = match &own {
            Some((db, check)) => self.run_step_on(db, step, actions, *check).await,
            None => self.run_step_on(self.db, step, actions, None).await,
        };
        if let Some((db, _)) = own {
            db.close().await;
        }
        result
    }

    async fn run_step_on(
        &self,
        db: &Db,
        step: &Step,
        actions: &[Action],
        check: Option<&str>,
    ) -> Result<bool> {
        let dialect = self.dialect();
        let name = step.migration.name();
        let tx = db.begin().await?;
        let unlock = match dialect.migration_lock() {
            MigrationLock::WriteTransaction => {
                let history = quote(dialect, HISTORY_TABLE);
                run::execute_raw(&tx, &format!("DELETE FROM {history} WHERE 1 = 0")).await?;
                None
            }
            MigrationLock::Session { lock, unlock } => {
                take_lock(&tx, lock).await?;
                unlock
            }
        };
        let recorded = match recorded(&tx, dialect, &step.migration).await {
            Ok(recorded) => recorded,
            Err(e) => {
                if let Some(unlock) = unlock {
                    release_lock(&tx, unlock).await;
                }
                return Err(e);
            }
        };
        let is_applied = step.migration.is_applied(&recorded);
        if is_applied == step.backwards {
            let transactional = dialect.transactional_ddl();
            let mut result = self.run_actions(&tx, Some(&tx), name, actions, transactional).await;
            if let (Ok(()), Some(check)) = (&result, check) {
                let broken = tx.raw_query::<i64>(check, ()).await?.first().copied().unwrap_or(0);
                if broken > 0 {
                    result = Err(Error::Migration(format!(
                        "{name} leaves {broken} rows whose foreign key points at no row; it was rolled back"
                    )));
                }
            }
            if result.is_ok() {
                result = record(&tx, dialect, step, &recorded).await;
            }
            if let Some(unlock) = unlock {
                release_lock(&tx, unlock).await;
            }
            if let Err(e) = result {
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

    /// A migration that cannot run in a transaction (a concurrent index build on
    /// PostgreSQL): on a connection of its own holding the session lock, each statement
    /// committed on its own, the history written after the last.
    async fn run_step_outside_transaction(&self, step: &Step, actions: &[Action]) -> Result<bool> {
        let name = step.migration.name();
        if actions.iter().any(|a| matches!(a, Action::Rust(_))) {
            return Err(Error::Migration(format!(
                "{name} builds an index concurrently, outside a transaction, and holds a data migration, which \
                 needs one: move the data migration to a migration of its own"
            )));
        }
        let Some((lock, unlock)) = self.dialect().migration_session_lock() else {
            return Err(Error::Internal("a non-atomic migration on a backend without a session lock"));
        };
        let db = Db::builder(self.db.url()).max_connections(1).connect().await?;
        let result = async {
            take_lock(&db, lock).await?;
            let recorded = recorded(&db, self.dialect(), &step.migration).await?;
            if step.migration.is_applied(&recorded) != step.backwards {
                return Ok(false);
            }
            self.run_actions(&db, None, name, actions, false).await?;
            record(&db, self.dialect(), step, &recorded).await?;
            Ok(true)
        }
        .await;
        let _ = db.raw_query::<Option<i64>>(unlock, ()).await;
        db.close().await;
        result
    }

    /// Runs the statements and data migrations of `name`; `tx` is the transaction a data
    /// migration gets.
    async fn run_actions<E: Executor>(
        &self,
        ex: &E,
        tx: Option<&Transaction>,
        name: &str,
        actions: &[Action],
        transactional: bool,
    ) -> Result<()> {
        for (i, action) in actions.iter().enumerate() {
            let (result, what) = match action {
                Action::Sql(statement) => (run::execute_raw(ex, statement).await, statement.clone()),
                Action::Rust(run) => {
                    let result = match tx {
                        Some(tx) => (run.forwards)(tx).await,
                        None => Err(Error::Internal("a data migration outside a transaction")),
                    };
                    (result, format!("data migration {}", run.name))
                }
            };
            if let Err(e) = result {
                let how_far = if transactional {
                    String::from("it was rolled back; nothing of it stays")
                } else {
                    format!(
                        "{} ran it outside a transaction: statements 1 to {i} of {} stayed applied and the migration \
                         is not recorded; undo them by hand (or finish the migration and record it with --fake)",
                        self.dialect().backend(),
                        actions.len()
                    )
                };
                return Err(Error::Migration(format!(
                    "{name} failed at statement {} of {} ({what}): {e}; {how_far}",
                    i + 1,
                    actions.len()
                )));
            }
        }
        Ok(())
    }
}

/// One thing a migration does: a statement, or a data migration's function.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    Sql(String),
    Rust(RunRust),
}

async fn take_lock<E: Executor>(ex: &E, lock: &str) -> Result<()> {
    let got = ex.raw_query::<Option<i64>>(lock, ()).await?;
    if got.first().copied().flatten() != Some(1) {
        return Err(Error::Migration(String::from("could not take the migration lock")));
    }
    Ok(())
}

/// Which of the migration's name and the names it replaces the history holds.
async fn recorded<E: Executor>(ex: &E, dialect: &dyn Dialect, m: &Migration) -> Result<Vec<String>> {
    let count = format!(
        "SELECT COUNT(*) FROM {} WHERE {} = ?",
        quote(dialect, HISTORY_TABLE),
        quote(dialect, "name")
    );
    let mut out = Vec::new();
    for n in std::iter::once(m.name()).chain(m.replaces()) {
        if ex.raw_query::<i64>(&count, (n,)).await?.first().copied().unwrap_or(0) > 0 {
            out.push(n.to_owned());
        }
    }
    Ok(out)
}

/// Writes the step into the history: a squashed migration is recorded (and unrecorded)
/// with the migrations it replaces, as Django does.
async fn record<E: Executor>(ex: &E, dialect: &dyn Dialect, step: &Step, recorded: &[String]) -> Result<()> {
    let history = quote(dialect, HISTORY_TABLE);
    let name_col = quote(dialect, "name");
    for n in std::iter::once(step.migration.name()).chain(step.migration.replaces()) {
        let sql = match (step.backwards, recorded.iter().any(|r| r == n)) {
            (false, false) => format!("INSERT INTO {history} ({name_col}) VALUES (?)"),
            (true, true) => format!("DELETE FROM {history} WHERE {name_col} = ?"),
            _ => continue,
        };
        ex.raw_execute(&sql, (n,)).await?;
    }
    Ok(())
}

/// `graph[pos]` and every migration it depends on, directly or not.
fn ancestors(graph: &[Migration], pos: usize) -> Vec<&str> {
    let mut out = vec![graph[pos].name()];
    let mut i = 0;
    while i < out.len() {
        if let Some(m) = graph.iter().find(|m| m.name() == out[i]) {
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

/// Releases a session lock on the transaction's connection, even when a failed DDL
/// statement marked the transaction broken: a lock left behind would hold the pooled
/// connection's session lock and make the next migrator wait out the lock's timeout.
async fn release_lock(tx: &crate::Transaction, unlock: &str) {
    let Ok(args) = crate::driver::Args::new(tx.backend()) else { return };
    // The result is ignored: the lock is session-bound and the session ends with the
    // connection if the release fails.
    let _ = run::probe(tx, run::Statement { sql: unlock.to_owned(), args, route: Default::default() }).await;
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
    let actions = statements(m, state_before(ordered, name)?, backwards, dialect)?;
    Ok(actions
        .into_iter()
        .map(|a| match a {
            Action::Sql(sql) => sql,
            Action::Rust(run) => format!("-- Rust data migration {} (not SQL: it runs in Rust)", run.name),
        })
        .collect())
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
) -> Result<Vec<Action>> {
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
            out.extend(actions(&reverse, &states[i + 1], dialect)?);
        }
    } else {
        for (i, op) in ops.iter().enumerate() {
            out.extend(actions(op, &states[i], dialect)?);
        }
    }
    Ok(out)
}

fn actions(op: &Operation, before: &ProjectState, dialect: &dyn Dialect) -> Result<Vec<Action>> {
    Ok(match op {
        Operation::RunRust(run) => vec![Action::Rust(*run)],
        _ => op.sql(before, dialect)?.into_iter().map(Action::Sql).collect(),
    })
}
