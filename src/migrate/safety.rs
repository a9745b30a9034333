//! Operations that block writes while they run (what squawk and Atlas lint for, beyond
//! Django's checks): index builds on a table that exists, flagged with the safe form where
//! kata has one; and a NOT NULL column without a default added to a table that has rows.

use crate::db::{Db, Executor as _};
use crate::dialect::quote;
use crate::migrate::operation::Operation;
use crate::migrate::state::ProjectState;

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
