//! The operations a migration is made of (Django's `django.db.migrations.operations`):
//! each changes the schema state (`state_forwards`) and has DDL for every backend, forwards
//! and backwards.

use crate::dialect::Dialect;
use crate::driver::Backend;
use crate::error::{Error, Result};
pub use crate::migrate::data::{DataFn, RunRust};
use crate::migrate::ddl::{self, ColumnChange};
use crate::migrate::state::{Check, Column, Index, ProjectState, Table};
use crate::model::DefaultValue;

/// One schema change.
///
/// ```
/// use kata::ColumnType;
/// use kata::migrate::{Column, Operation, ProjectState, Table};
/// let mut state = ProjectState::default();
/// Operation::create_model(Table::new("tag", vec![Column::new("id", ColumnType::BigInt).primary_key().auto()]))
///     .state_forwards(&mut state)?;
/// Operation::add_field("tag", Column::new("name", ColumnType::Text).max_length(50)).state_forwards(&mut state)?;
/// assert!(state.table("tag").unwrap().column("name").is_some());
/// # Ok::<(), kata::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Operation {
    /// A new table.
    CreateModel(Table),
    /// Drops a table.
    DeleteModel {
        /// The table.
        table: String,
    },
    /// Renames a table (its rows stay).
    RenameModel {
        /// The old name.
        old: String,
        /// The new name.
        new: String,
    },
    /// A new column.
    AddField {
        /// The table.
        table: String,
        /// The column.
        column: Column,
        /// A default for the rows that exist, not kept afterwards (Django's
        /// `preserve_default=False`).
        once: Option<DefaultValue>,
    },
    /// Drops a column.
    RemoveField {
        /// The table.
        table: String,
        /// The column.
        column: String,
    },
    /// Changes a column (type, null, default, max_length, unique, index, foreign key).
    AlterField {
        /// The table.
        table: String,
        /// The column as it becomes.
        column: Column,
    },
    /// Renames a column (its values stay).
    RenameField {
        /// The table.
        table: String,
        /// The old name.
        old: String,
        /// The new name.
        new: String,
    },
    /// A new index.
    AddIndex {
        /// The table.
        table: String,
        /// The index.
        index: Index,
        /// Built without blocking writes where the backend can (PostgreSQL's `CREATE
        /// INDEX CONCURRENTLY`, which runs outside a transaction: the migration holding it
        /// is not atomic there); an ordinary build elsewhere.
        concurrently: bool,
    },
    /// Drops an index.
    RemoveIndex {
        /// The table.
        table: String,
        /// Its name.
        name: String,
        /// Dropped without blocking (PostgreSQL's `DROP INDEX CONCURRENTLY`), as `AddIndex`.
        concurrently: bool,
    },
    /// A new unique-together constraint.
    AddUnique {
        /// The table.
        table: String,
        /// Its columns.
        columns: Vec<String>,
    },
    /// Drops a unique-together constraint.
    RemoveUnique {
        /// The table.
        table: String,
        /// Its columns.
        columns: Vec<String>,
    },
    /// A new check constraint (Django's `AddConstraint` of a `CheckConstraint`).
    AddCheck {
        /// The table.
        table: String,
        /// The check.
        check: Check,
    },
    /// Drops a check constraint (`RemoveConstraint`).
    RemoveCheck {
        /// The table.
        table: String,
        /// Its name.
        name: String,
    },
    /// Hand-written SQL, with the SQL that undoes it.
    RunSql(RunSql),
    /// A data migration written in Rust (Django's `RunPython`).
    RunRust(RunRust),
}

/// Hand-written SQL: for every backend or one, with its reverse (none: irreversible).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RunSql {
    /// Forwards.
    pub sql: String,
    /// Backwards, if the SQL can be undone.
    pub reverse: Option<String>,
    /// The one backend it runs on (`None`: all).
    pub backend: Option<Backend>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

impl Operation {
    /// `CreateModel`.
    pub fn create_model(table: Table) -> Self {
        Operation::CreateModel(table)
    }

    /// `DeleteModel`.
    pub fn delete_model(table: &str) -> Self {
        Operation::DeleteModel { table: table.to_owned() }
    }

    /// `RenameModel`.
    pub fn rename_model(old: &str, new: &str) -> Self {
        Operation::RenameModel { old: old.to_owned(), new: new.to_owned() }
    }

    /// `AddField`.
    pub fn add_field(table: &str, column: Column) -> Self {
        Operation::AddField { table: table.to_owned(), column, once: None }
    }

    /// `AddField` with a default for the rows that exist only.
    pub fn add_field_once(table: &str, column: Column, once: DefaultValue) -> Self {
        Operation::AddField { table: table.to_owned(), column, once: Some(once) }
    }

    /// `RemoveField`.
    pub fn remove_field(table: &str, column: &str) -> Self {
        Operation::RemoveField { table: table.to_owned(), column: column.to_owned() }
    }

    /// `AlterField`.
    pub fn alter_field(table: &str, column: Column) -> Self {
        Operation::AlterField { table: table.to_owned(), column }
    }

    /// `RenameField`.
    pub fn rename_field(table: &str, old: &str, new: &str) -> Self {
        Operation::RenameField { table: table.to_owned(), old: old.to_owned(), new: new.to_owned() }
    }

    /// `AddIndex`.
    pub fn add_index(table: &str, index: Index) -> Self {
        Operation::AddIndex { table: table.to_owned(), index, concurrently: false }
    }

    /// `AddIndexConcurrently` (Django's, from `django.contrib.postgres.operations`): the
    /// index is built without blocking writes on PostgreSQL (`CREATE INDEX CONCURRENTLY`,
    /// outside a transaction); an ordinary `AddIndex` on the other backends.
    ///
    /// ```
    /// use kata::migrate::prelude::*;
    /// fn table() -> Vec<Operation> {
    ///     vec![Operation::create_model(Table::new("tag", vec![Column::new("id", BigInt).primary_key().auto(), Column::new("name", Text)]))]
    /// }
    /// fn index() -> Vec<Operation> { vec![Operation::add_index_concurrently("tag", Index::new("tag_name_idx", &["name"]))] }
    /// let m = [Migration::new("0001_initial", &[], table), Migration::new("0002_index", &["0001_initial"], index)];
    /// let sql = kata::migrate::sqlmigrate(&m, "0002_index", false, Backend::Postgres)?;
    /// assert_eq!(sql, [r#"CREATE INDEX CONCURRENTLY "tag_name_idx" ON "tag" ("name")"#]);
    /// # Ok::<(), kata::Error>(())
    /// ```
    pub fn add_index_concurrently(table: &str, index: Index) -> Self {
        Operation::AddIndex { table: table.to_owned(), index, concurrently: true }
    }

    /// `RemoveIndex`.
    pub fn remove_index(table: &str, name: &str) -> Self {
        Operation::RemoveIndex { table: table.to_owned(), name: name.to_owned(), concurrently: false }
    }

    /// `RemoveIndexConcurrently`: `DROP INDEX CONCURRENTLY` on PostgreSQL, as
    /// [`Operation::add_index_concurrently`].
    pub fn remove_index_concurrently(table: &str, name: &str) -> Self {
        Operation::RemoveIndex { table: table.to_owned(), name: name.to_owned(), concurrently: true }
    }

    /// A data migration in Rust (Django's `RunPython`); `backwards` undoes it (`None`:
    /// irreversible). The functions get the migration's transaction.
    ///
    /// ```
    /// use kata::migrate::prelude::*;
    /// use kata::migrate::DataFuture;
    /// use kata::Executor as _;
    /// fn fill_slugs(tx: &kata::Transaction) -> DataFuture<'_> {
    ///     Box::pin(async move {
    ///         tx.raw_execute("UPDATE post SET slug = lower(title) WHERE slug = ''", ()).await?;
    ///         Ok(())
    ///     })
    /// }
    /// let op = Operation::run_rust("fill_slugs", fill_slugs, None);
    /// assert_eq!(op.describe(), "Rust data migration fill_slugs");
    /// ```
    pub fn run_rust(name: &'static str, forwards: DataFn, backwards: Option<DataFn>) -> Self {
        Operation::RunRust(RunRust { name, forwards, backwards })
    }

    /// Whether the operation must run outside a transaction on `dialect` (a concurrent
    /// index build on PostgreSQL).
    pub(crate) fn non_atomic(&self, dialect: &dyn Dialect) -> bool {
        matches!(
            self,
            Operation::AddIndex { concurrently: true, .. }
                | Operation::RemoveIndex { concurrently: true, .. }
        ) && dialect.concurrent_index_build()
    }

    /// `AddConstraint` of a unique-together group.
    pub fn add_unique(table: &str, columns: &[&str]) -> Self {
        Operation::AddUnique { table: table.to_owned(), columns: strings(columns) }
    }

    /// `RemoveConstraint` of a unique-together group.
    pub fn remove_unique(table: &str, columns: &[&str]) -> Self {
        Operation::RemoveUnique { table: table.to_owned(), columns: strings(columns) }
    }

    /// `AddConstraint` of a check: every row must satisfy `sql` (a portable boolean
    /// expression, written as-is). On SQLite the table is rebuilt with it.
    ///
    /// ```
    /// use kata::migrate::prelude::*;
    /// fn ops() -> Vec<Operation> {
    ///     vec![
    ///         Operation::create_model(Table::new("post", vec![Column::new("id", BigInt).primary_key().auto(), Column::new("views", BigInt)])),
    ///         Operation::add_check("post", "post_views_positive", "views >= 0"),
    ///     ]
    /// }
    /// let m = [Migration::new("0001_initial", &[], ops)];
    /// let sql = kata::migrate::sqlmigrate(&m, "0001_initial", false, Backend::Postgres)?;
    /// assert_eq!(sql[1], r#"ALTER TABLE "post" ADD CONSTRAINT "post_views_positive" CHECK (views >= 0)"#);
    /// # Ok::<(), kata::Error>(())
    /// ```
    pub fn add_check(table: &str, name: &str, sql: &str) -> Self {
        Operation::AddCheck { table: table.to_owned(), check: Check::new(name, sql) }
    }

    /// `RemoveConstraint` of a check, by name.
    pub fn remove_check(table: &str, name: &str) -> Self {
        Operation::RemoveCheck { table: table.to_owned(), name: name.to_owned() }
    }

    /// `RunSQL` on every backend; `reverse` undoes it (`None`: irreversible).
    pub fn run_sql(sql: &str, reverse: Option<&str>) -> Self {
        Operation::RunSql(RunSql { sql: sql.to_owned(), reverse: reverse.map(str::to_owned), backend: None })
    }

    /// `RunSQL` on one backend only.
    pub fn run_sql_on(backend: Backend, sql: &str, reverse: Option<&str>) -> Self {
        Operation::RunSql(RunSql {
            sql: sql.to_owned(),
            reverse: reverse.map(str::to_owned),
            backend: Some(backend),
        })
    }

    /// Applies the operation to a schema state.
    pub fn state_forwards(&self, state: &mut ProjectState) -> Result<()> {
        match self {
            Operation::CreateModel(t) => {
                if state.tables.contains_key(&t.name) {
                    return Err(Error::InvalidQuery(format!(
                        "table `{}` exists already in the migration state",
                        t.name
                    )));
                }
                state.tables.insert(t.name.clone(), t.clone());
            }
            Operation::DeleteModel { table } => {
                state.tables.remove(table).ok_or_else(|| missing(table))?;
            }
            Operation::RenameModel { old, new } => {
                let mut t = state.tables.remove(old).ok_or_else(|| missing(old))?;
                t.name.clone_from(new);
                state.tables.insert(new.clone(), t);
                for other in state.tables.values_mut() {
                    for c in &mut other.columns {
                        if let Some(fk) = c.foreign_key.as_mut().filter(|fk| fk.table == *old) {
                            fk.table.clone_from(new);
                        }
                    }
                }
            }
            Operation::AddField { table, column, .. } => {
                let t = state.table_mut(table)?;
                if t.column(&column.name).is_some() {
                    return Err(Error::InvalidQuery(format!(
                        "column `{table}.{}` exists already",
                        column.name
                    )));
                }
                t.columns.push(column.clone());
            }
            Operation::RemoveField { table, column } => {
                let t = state.table_mut(table)?;
                let before = t.columns.len();
                t.columns.retain(|c| c.name != *column);
                if t.columns.len() == before {
                    return Err(missing(&format!("{table}.{column}")));
                }
                t.unique_together.retain(|g| !g.contains(column));
                t.indexes.retain(|i| !i.columns.contains(column));
            }
            Operation::AlterField { table, column } => {
                let t = state.table_mut(table)?;
                let c =
                    t.column_mut(&column.name).ok_or_else(|| missing(&format!("{table}.{}", column.name)))?;
                *c = column.clone();
            }
            Operation::RenameField { table, old, new } => {
                let t = state.table_mut(table)?;
                let c = t.column_mut(old).ok_or_else(|| missing(&format!("{table}.{old}")))?;
                c.name.clone_from(new);
                for name in t
                    .unique_together
                    .iter_mut()
                    .flatten()
                    .chain(t.indexes.iter_mut().flat_map(|i| &mut i.columns))
                {
                    if name == old {
                        name.clone_from(new);
                    }
                }
                for other in state.tables.values_mut() {
                    for c in &mut other.columns {
                        if let Some(fk) =
                            c.foreign_key.as_mut().filter(|fk| fk.table == *table && fk.column == *old)
                        {
                            fk.column.clone_from(new);
                        }
                    }
                }
            }
            Operation::AddIndex { table, index, .. } => state.table_mut(table)?.indexes.push(index.clone()),
            Operation::RemoveIndex { table, name, .. } => {
                let t = state.table_mut(table)?;
                t.indexes.retain(|i| i.name != *name);
            }
            Operation::AddUnique { table, columns } => {
                state.table_mut(table)?.unique_together.push(columns.clone())
            }
            Operation::RemoveUnique { table, columns } => {
                state.table_mut(table)?.unique_together.retain(|g| g != columns);
            }
            Operation::AddCheck { table, check } => {
                let t = state.table_mut(table)?;
                if t.checks.iter().any(|c| c.name == check.name) {
                    return Err(Error::InvalidQuery(format!(
                        "check `{}` exists already on {table}",
                        check.name
                    )));
                }
                t.checks.push(check.clone());
            }
            Operation::RemoveCheck { table, name } => {
                let t = state.table_mut(table)?;
                let before = t.checks.len();
                t.checks.retain(|c| c.name != *name);
                if t.checks.len() == before {
                    return Err(missing(&format!("{table}.{name}")));
                }
            }
            Operation::RunSql(_) | Operation::RunRust(_) => {}
        }
        Ok(())
    }

    /// The operation that undoes this one, given the state it applies to; an error for
    /// irreversible SQL.
    pub fn reverse(&self, before: &ProjectState) -> Result<Operation> {
        let table_of = |name: &str| before.table(name).cloned().ok_or_else(|| missing(name));
        let column_of = |table: &str, name: &str| {
            before
                .table(table)
                .and_then(|t| t.column(name))
                .cloned()
                .ok_or_else(|| missing(&format!("{table}.{name}")))
        };
        Ok(match self {
            Operation::CreateModel(t) => Operation::delete_model(&t.name),
            Operation::DeleteModel { table } => Operation::CreateModel(table_of(table)?),
            Operation::RenameModel { old, new } => Operation::rename_model(new, old),
            Operation::AddField { table, column, .. } => Operation::remove_field(table, &column.name),
            Operation::RemoveField { table, column } => {
                let old = column_of(table, column)?;
                let once = (!old.nullable && old.default.is_none()).then(|| blank_default(&old));
                Operation::AddField { table: table.clone(), column: old, once: once.flatten() }
            }
            Operation::AlterField { table, column } => {
                Operation::alter_field(table, column_of(table, &column.name)?)
            }
            Operation::RenameField { table, old, new } => Operation::rename_field(table, new, old),
            Operation::AddIndex { table, index, concurrently } => Operation::RemoveIndex {
                table: table.clone(),
                name: index.name.clone(),
                concurrently: *concurrently,
            },
            Operation::RemoveIndex { table, name, concurrently } => {
                let index = table_of(table)?
                    .indexes
                    .into_iter()
                    .find(|i| i.name == *name)
                    .ok_or_else(|| missing(name))?;
                Operation::AddIndex { table: table.clone(), index, concurrently: *concurrently }
            }
            Operation::AddUnique { table, columns } => {
                Operation::RemoveUnique { table: table.clone(), columns: columns.clone() }
            }
            Operation::RemoveUnique { table, columns } => {
                Operation::AddUnique { table: table.clone(), columns: columns.clone() }
            }
            Operation::AddCheck { table, check } => Operation::remove_check(table, &check.name),
            Operation::RemoveCheck { table, name } => {
                let check = table_of(table)?
                    .checks
                    .into_iter()
                    .find(|c| c.name == *name)
                    .ok_or_else(|| missing(name))?;
                Operation::AddCheck { table: table.clone(), check }
            }
            Operation::RunSql(run) => match &run.reverse {
                Some(reverse) => Operation::RunSql(RunSql {
                    sql: reverse.clone(),
                    reverse: Some(run.sql.clone()),
                    backend: run.backend,
                }),
                None => {
                    return Err(Error::InvalidQuery(format!(
                        "the SQL `{}` has no reverse: it cannot be unapplied",
                        run.sql
                    )));
                }
            },
            Operation::RunRust(run) => match run.backwards {
                Some(backwards) => Operation::RunRust(RunRust {
                    name: run.name,
                    forwards: backwards,
                    backwards: Some(run.forwards),
                }),
                None => {
                    return Err(Error::InvalidQuery(format!(
                        "the data migration {} has no backwards function: it cannot be unapplied",
                        run.name
                    )));
                }
            },
        })
    }

    /// The DDL of the operation on `dialect`, from the state `before` it.
    pub(crate) fn sql(&self, before: &ProjectState, dialect: &dyn Dialect) -> Result<Vec<String>> {
        let mut after = before.clone();
        self.state_forwards(&mut after)?;
        let pair = |name: &str| -> Result<(&Table, &Table)> {
            Ok((
                before.table(name).ok_or_else(|| missing(name))?,
                after.table(name).ok_or_else(|| missing(name))?,
            ))
        };
        Ok(match self {
            Operation::CreateModel(t) => ddl::create_table(t, dialect),
            Operation::DeleteModel { table } => vec![ddl::drop_table(table, false, dialect)],
            Operation::RenameModel { old, new } => {
                let mut out = vec![ddl::rename_table(old, new, dialect)];
                let from = before.table(old).ok_or_else(|| missing(old))?;
                let to = after.table(new).ok_or_else(|| missing(new))?;
                // The constraints keep their old names until re-made under the new ones.
                out.extend(ddl::alter_table(from, to, ColumnChange::None, dialect));
                out
            }
            Operation::AddField { table, column, once } => {
                let (from, to) = pair(table)?;
                ddl::alter_table(from, to, ColumnChange::Add(column, *once), dialect)
            }
            Operation::RemoveField { table, column } => {
                let (from, to) = pair(table)?;
                ddl::alter_table(from, to, ColumnChange::Remove(column), dialect)
            }
            Operation::AlterField { table, column } => {
                let (from, to) = pair(table)?;
                ddl::alter_table(from, to, ColumnChange::Alter(column), dialect)
            }
            Operation::RenameField { table, old, new } => {
                let (from, to) = pair(table)?;
                ddl::alter_table(from, to, ColumnChange::Rename(old, new), dialect)
            }
            Operation::AddIndex { table, index, concurrently: true } if dialect.concurrent_index_build() => {
                vec![ddl::create_index_concurrently(table, index, dialect)]
            }
            Operation::RemoveIndex { name, concurrently: true, .. } if dialect.concurrent_index_build() => {
                vec![ddl::drop_index_concurrently(name, dialect)]
            }
            Operation::AddIndex { table, .. }
            | Operation::RemoveIndex { table, .. }
            | Operation::AddUnique { table, .. }
            | Operation::RemoveUnique { table, .. }
            | Operation::AddCheck { table, .. }
            | Operation::RemoveCheck { table, .. } => {
                let (from, to) = pair(table)?;
                ddl::alter_table(from, to, ColumnChange::None, dialect)
            }
            Operation::RunSql(run) => match run.backend {
                Some(b) if b != dialect.backend() => Vec::new(),
                _ => vec![run.sql.clone()],
            },
            // Not SQL: the runner calls the function.
            Operation::RunRust(_) => Vec::new(),
        })
    }
}

/// A value for the NOT NULL column a backwards `RemoveField` brings back (its values are
/// gone): zero, false or empty.
fn blank_default(column: &Column) -> Option<DefaultValue> {
    use crate::value::ColumnType as T;
    Some(match column.ty {
        T::Bool => DefaultValue::Bool(false),
        T::SmallInt | T::Integer | T::BigInt | T::UnsignedSmallInt | T::UnsignedInt | T::UnsignedBigInt => {
            DefaultValue::Int(0)
        }
        T::Float | T::Double => DefaultValue::Float(0.0),
        T::Text => DefaultValue::Str(""),
        // PostgreSQL's literal of an empty array.
        T::Array(_) => DefaultValue::Str("{}"),
        T::TimestampTz | T::Timestamp | T::Date | T::Time => DefaultValue::Now,
        T::Bytes | T::Json | T::Decimal { .. } | T::Uuid | T::Duration | T::IpAddr => return None,
    })
}

fn missing(name: &str) -> Error {
    Error::InvalidQuery(format!("`{name}` does not exist in the migration state"))
}
