//! Operations that block writes while they run (what squawk and Atlas lint for, beyond
//! Django's checks): index builds on a table that exists, flagged with the safe form where
//! kata has one; and a NOT NULL column without a default added to a table that has rows.

use crate::db::{Db, Executor as _};
use crate::dialect::quote;
use crate::migrate::operation::Operation;
use crate::migrate::state::{ProjectState, narrows};

/// Why `op` blocks writes to its table while it runs on PostgreSQL (an index build that is
/// not concurrent on a table that exists), with the safe form where there is one.
pub(crate) fn blocking(op: &Operation, before: &ProjectState) -> Option<String> {
    match op {
        Operation::AddIndex { table, index, concurrently: false } => Some(format!(
            "builds index {} on {table} while blocking writes to it (PostgreSQL); the safe form is \
             Operation::add_index_concurrently(..), CREATE INDEX CONCURRENTLY outside a transaction",
            index.name
        )),
        Operation::RemoveIndex { table, name, concurrently: false } => Some(format!(
            "drops index {name} of {table} while blocking it (PostgreSQL); the safe form is \
             Operation::remove_index_concurrently(..)"
        )),
        Operation::AddUnique { table, columns } => Some(format!(
            "builds the unique index of ({}) on {table} while blocking writes to it (PostgreSQL)",
            columns.join(", ")
        )),
        Operation::AddCheck { table, check } => Some(format!(
            "checks every row of {table} for {} while blocking writes to it (PostgreSQL; on a large table, \
             add it NOT VALID and VALIDATE it in a later migration with Operation::run_sql_on)",
            check.name
        )),
        Operation::AddField { table, column, .. } if column.unique || column.index => Some(format!(
            "builds the index of {table}.{} while blocking writes to {table} (PostgreSQL); to build it \
             without blocking, add the column without the index, then Operation::add_index_concurrently(..) \
             in a migration of its own",
            column.name
        )),
        Operation::AlterField { table, column } => {
            let old = before.table(table)?.column(&column.name)?;
            ((column.unique && !old.unique) || (column.index && !old.index)).then(|| {
                format!(
                    "builds the index of {table}.{} while blocking writes to {table} (PostgreSQL); the \
                     non-blocking form is Operation::add_index_concurrently(..) in a migration of its own",
                    column.name
                )
            })
        }
        _ => None,
    }
}

/// For `migrate --plan`, which knows the database: a NOT NULL column without a default
/// added to a table that has rows fails; say so with the row count.
pub(crate) async fn fails_on_rows(db: &Db, op: &Operation) -> Option<String> {
    let Operation::AddField { table, column, once: None } = op else { return None };
    if column.nullable || column.default.is_some() || column.auto {
        return None;
    }
    let sql = format!("SELECT COUNT(*) FROM {}", quote(db.shared.dialect, table));
    let rows = db.raw_query::<i64>(&sql, ()).await.ok()?.first().copied()?;
    (rows > 0).then(|| {
        format!(
            "fails: {table} has {rows} rows and the new NOT NULL column {} has no default; give it a \
             one-off default (Operation::add_field_once, makemigrations --default {table}.{}=VALUE)",
            column.name, column.name
        )
    })
}

impl Operation {
    /// A one-line description, as `showmigrations` and `--plan` print it.
    pub fn describe(&self) -> String {
        match self {
            Operation::CreateModel(t) => format!("Create table {}", t.name),
            Operation::DeleteModel { table } => format!("Delete table {table}"),
            Operation::RenameModel { old, new } => format!("Rename table {old} to {new}"),
            Operation::AddField { table, column, .. } => format!("Add field {} to {table}", column.name),
            Operation::RemoveField { table, column } => format!("Remove field {column} from {table}"),
            Operation::AlterField { table, column } => format!("Alter field {} on {table}", column.name),
            Operation::RenameField { table, old, new } => format!("Rename field {old} on {table} to {new}"),
            Operation::AddIndex { table, index, concurrently } => {
                format!(
                    "Create index {} on {table}{}",
                    index.name,
                    if *concurrently { " concurrently" } else { "" }
                )
            }
            Operation::RemoveIndex { table, name, concurrently } => {
                format!(
                    "Remove index {name} from {table}{}",
                    if *concurrently { " concurrently" } else { "" }
                )
            }
            Operation::AddUnique { table, columns } => {
                format!("Add unique ({}) to {table}", columns.join(", "))
            }
            Operation::RemoveUnique { table, columns } => {
                format!("Remove unique ({}) from {table}", columns.join(", "))
            }
            Operation::AddCheck { table, check } => format!("Add check {} to {table}", check.name),
            Operation::RemoveCheck { table, name } => format!("Remove check {name} from {table}"),
            Operation::RunSql(_) => String::from("Raw SQL operation"),
            Operation::RunRust(run) => format!("Rust data migration {}", run.name),
        }
    }

    /// Why the operation loses data or may fail on existing rows, if it does: dropping a
    /// table or a column, narrowing a type, NOT NULL on a nullable column, a new NOT NULL
    /// column without a default. `before` is the state it applies to.
    pub fn danger(&self, before: &ProjectState) -> Option<String> {
        match self {
            Operation::DeleteModel { table } => Some(format!("drops table {table} and its rows")),
            Operation::RemoveField { table, column } => {
                Some(format!("drops column {table}.{column} and its values"))
            }
            Operation::AddField { table, column, once }
                if !column.nullable && column.default.is_none() && once.is_none() && !column.auto =>
            {
                Some(format!(
                    "adds NOT NULL column {table}.{} without a default: fails if {table} has rows",
                    column.name
                ))
            }
            Operation::AlterField { table, column } => {
                let old = before.table(table)?.column(&column.name)?;
                if narrows(old, column) {
                    Some(format!(
                        "narrows {table}.{}: values that do not fit are lost or refused",
                        column.name
                    ))
                } else if old.nullable && !column.nullable && column.default.is_none() {
                    Some(format!("makes {table}.{} NOT NULL: fails if a row holds NULL", column.name))
                } else {
                    None
                }
            }
            _ => None,
        }
    }
}
