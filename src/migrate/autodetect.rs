//! The autodetector (Django's `MigrationAutodetector`): the operations that take the state
//! the migrations leave to the state of the models, in an order that respects foreign
//! keys. Renames happen only when asked ([`Hints`]); a new NOT NULL column without a
//! default needs a one-off default, as `makemigrations` asks in Django.

use crate::error::{Error, Result};
use crate::migrate::operation::Operation;
use crate::migrate::state::{ProjectState, Table};
use crate::model::DefaultValue;

/// What the autodetector cannot guess: renames and one-off defaults.
///
/// ```
/// let hints = kata::migrate::Hints::default().rename_field("post", "body", "text");
/// assert_eq!(hints.rename_fields.len(), 1);
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Hints {
    /// Tables renamed: (old, new).
    pub rename_models: Vec<(String, String)>,
    /// Columns renamed: (table, old, new), the table by its new name.
    pub rename_fields: Vec<(String, String, String)>,
    /// One-off defaults for new NOT NULL columns: (table, column, value).
    pub defaults: Vec<(String, String, DefaultValue)>,
}

impl Hints {
    /// The table `old` is now `new`.
    pub fn rename_model(mut self, old: &str, new: &str) -> Self {
        self.rename_models.push((old.to_owned(), new.to_owned()));
        self
    }

    /// The column `old` of `table` is now `new`.
    pub fn rename_field(mut self, table: &str, old: &str, new: &str) -> Self {
        self.rename_fields.push((table.to_owned(), old.to_owned(), new.to_owned()));
        self
    }

    /// The rows that exist get `value` in the new column `table.column`.
    pub fn one_off_default(mut self, table: &str, column: &str, value: DefaultValue) -> Self {
        self.defaults.push((table.to_owned(), column.to_owned(), value));
        self
    }
}

/// The operations from `from` (the migrations' state) to `to` (the models' state).
///
/// ```
/// use kata::ColumnType;
/// use kata::migrate::{Column, Hints, ProjectState, Table, autodetect};
/// let mut models = ProjectState::default();
/// models.tables.insert("tag".into(), Table::new("tag", vec![Column::new("id", ColumnType::BigInt).primary_key().auto()]));
/// let ops = autodetect(&ProjectState::default(), &models, &Hints::default())?;
/// assert_eq!(ops[0].describe(), "Create table tag");
/// # Ok::<(), kata::Error>(())
/// ```
pub fn autodetect(from: &ProjectState, to: &ProjectState, hints: &Hints) -> Result<Vec<Operation>> {
    let mut ops = Vec::new();
    let mut state = from.clone();
    let push = |op: Operation, state: &mut ProjectState, ops: &mut Vec<Operation>| -> Result<()> {
        op.state_forwards(state)?;
        ops.push(op);
        Ok(())
    };
    for (old, new) in &hints.rename_models {
        if state.table(old).is_none() || to.table(new).is_none() || to.table(old).is_some() {
            return Err(Error::Migration(format!(
                "cannot rename table {old} to {new}: {old} must exist only in the migrations and {new} only in the models"
            )));
        }
        push(Operation::rename_model(old, new), &mut state, &mut ops)?;
    }
    for (table, old, new) in &hints.rename_fields {
        let exists = |s: &ProjectState, c: &str| s.table(table).and_then(|t| t.column(c)).is_some();
        if !exists(&state, old) || !exists(to, new) || exists(to, old) {
            return Err(Error::Migration(format!(
                "cannot rename {table}.{old} to {new}: {old} must exist only in the migrations and {new} only in the models"
            )));
        }
        push(Operation::rename_field(table, old, new), &mut state, &mut ops)?;
    }

    let added: Vec<&Table> = to.tables.values().filter(|t| state.table(&t.name).is_none()).collect();
    for name in dependency_order(added.iter().map(|t| t.name.clone()).collect(), to) {
        if let Some(t) = to.table(&name) {
            push(Operation::CreateModel(t.clone()), &mut state, &mut ops)?;
        }
    }

    let common: Vec<String> = to.tables.keys().filter(|n| from_has(&state, n)).cloned().collect();
    for name in &common {
        let (Some(old), Some(new)) = (state.table(name).cloned(), to.table(name)) else { continue };
        for group in old.unique_together.iter().filter(|g| !new.unique_together.contains(g)) {
            push(
                Operation::RemoveUnique { table: name.clone(), columns: group.clone() },
                &mut state,
                &mut ops,
            )?;
        }
        for index in old.indexes.iter().filter(|i| !new.indexes.contains(i)) {
            push(Operation::remove_index(name, &index.name), &mut state, &mut ops)?;
        }
        for column in old.columns.iter().filter(|c| new.column(&c.name).is_none()) {
            push(Operation::remove_field(name, &column.name), &mut state, &mut ops)?;
        }
        for column in new.columns.iter().filter(|c| old.column(&c.name).is_none()) {
            let once =
                hints.defaults.iter().find(|(t, c, _)| t == name && *c == column.name).map(|(_, _, d)| *d);
            if !column.nullable && column.default.is_none() && !column.auto && once.is_none() {
                return Err(Error::Migration(format!(
                    "the new column {name}.{} is NOT NULL without a default: the rows that exist need a value; \
                     give a one-off default (makemigrations --default {name}.{}=VALUE), or make the field an Option \
                     or give it #[kata(default = ...)]",
                    column.name, column.name
                )));
            }
            let op = Operation::AddField { table: name.clone(), column: column.clone(), once };
            push(op, &mut state, &mut ops)?;
        }
        for column in &new.columns {
            if old.column(&column.name).is_some_and(|o| o != column) {
                push(Operation::alter_field(name, column.clone()), &mut state, &mut ops)?;
            }
        }
        for group in new.unique_together.iter().filter(|g| !old.unique_together.contains(g)) {
            push(Operation::AddUnique { table: name.clone(), columns: group.clone() }, &mut state, &mut ops)?;
        }
        for index in new.indexes.iter().filter(|i| !old.indexes.contains(i)) {
            push(Operation::add_index(name, index.clone()), &mut state, &mut ops)?;
        }
    }

    let removed: Vec<String> = state.tables.keys().filter(|n| to.table(n).is_none()).cloned().collect();
    let mut order = dependency_order(removed, &state);
    order.reverse();
    for name in order {
        push(Operation::delete_model(&name), &mut state, &mut ops)?;
    }
    Ok(ops)
}

fn from_has(state: &ProjectState, name: &str) -> bool {
    state.table(name).is_some()
}

/// `names` ordered so that a table comes after the tables (among `names`) its foreign
/// keys point at; ties by name. A cycle keeps its remaining tables in name order.
fn dependency_order(mut names: Vec<String>, state: &ProjectState) -> Vec<String> {
    names.sort();
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    while !names.is_empty() {
        let ready = names.iter().position(|n| {
            state.dependencies(n).iter().all(|d| !names.contains(d) || out.contains(d) || d == n)
        });
        out.push(names.remove(ready.unwrap_or(0)));
    }
    out
}

/// A pair of a dropped and an added table (or column) with the same shape: what the
/// caller may mean as a rename, to suggest the hint.
pub(crate) fn rename_suggestions(from: &ProjectState, to: &ProjectState) -> Vec<String> {
    let mut out = Vec::new();
    for old in from.tables.values().filter(|t| to.table(&t.name).is_none()) {
        for new in to.tables.values().filter(|t| from.table(&t.name).is_none()) {
            let same = old.columns.len() == new.columns.len()
                && old.columns.iter().zip(&new.columns).all(|(a, b)| a.name == b.name && a.ty == b.ty);
            if same {
                out.push(format!("--rename-model {}={}", old.name, new.name));
            }
        }
    }
    for (name, new) in &to.tables {
        let Some(old) = from.table(name) else { continue };
        for gone in old.columns.iter().filter(|c| new.column(&c.name).is_none()) {
            for came in new.columns.iter().filter(|c| old.column(&c.name).is_none() && c.ty == gone.ty) {
                out.push(format!("--rename-field {name}.{}={}", gone.name, came.name));
            }
        }
    }
    out
}
