//! `squashmigrations` (Django's `squashmigrations` and `MigrationOptimizer`): one migration
//! standing for a range of them, with their operations folded where the result is the same
//! schema: a column added to a table made in the range goes into its `CreateModel`, a
//! column added then removed disappears, successive renames and alterations become one.

use crate::error::{Error, Result};
use crate::migrate::make::Draft;
use crate::migrate::migration::{Migration, ordered};
use crate::migrate::operation::Operation;
use crate::migrate::state::{ProjectState, Table};

/// The migration that replaces `from` (default: the first) to `to`, in order, with their
/// operations optimised (unless `optimize` is false). Migrations that depended on any of
/// them depend on it; the runner counts it applied where all of them are.
///
/// ```
/// use kata::migrate::prelude::*;
/// use kata::migrate::squash;
/// let initial = Migration::from_operations("0001_initial", vec![], vec![
///     Operation::create_model(Table::new("tag", vec![Column::new("id", BigInt).primary_key().auto()])),
/// ]);
/// let add = Migration::from_operations("0002_tag_name", vec!["0001_initial".into()], vec![
///     Operation::add_field("tag", Column::new("name", Text).default(DefaultValue::Str(""))),
/// ]);
/// let draft = squash(&[initial, add], None, "0002_tag_name", None, true)?;
/// assert_eq!(draft.name, "0001_initial_squashed_0002_tag_name");
/// assert_eq!(draft.replaces, ["0001_initial", "0002_tag_name"]);
/// assert_eq!(draft.operations.len(), 1); // the column went into the CreateModel
/// # Ok::<(), kata::Error>(())
/// ```
pub fn squash(
    migrations: &[Migration],
    from: Option<&str>,
    to: &str,
    name: Option<&str>,
    optimize: bool,
) -> Result<Draft> {
    let graph = ordered(migrations)?;
    let position = |name: &str| {
        graph
            .iter()
            .position(|m| m.name() == name)
            .ok_or_else(|| Error::Migration(format!("no migration named {name}")))
    };
    let start = match from {
        Some(from) => position(from)?,
        None => 0,
    };
    let end = position(to)?;
    if start > end {
        return Err(Error::Migration(format!(
            "{} comes after {to}: squash from the earlier migration to the later one",
            graph[start].name()
        )));
    }
    let range = &graph[start..=end];
    if range.len() < 2 {
        return Err(Error::Migration(format!("{to}: squashing one migration changes nothing")));
    }
    let mut replaces: Vec<String> = Vec::new();
    let mut dependencies: Vec<String> = Vec::new();
    let mut operations = Vec::new();
    for m in range {
        let inner = m.replaces();
        if inner.is_empty() {
            replaces.push(m.name().to_owned());
        } else {
            replaces.extend(inner.into_iter().map(str::to_owned));
        }
        for d in m.dependencies() {
            if !range.iter().any(|r| r.name() == d) && !dependencies.iter().any(|x| x == d) {
                dependencies.push(d.to_owned());
            }
        }
        operations.extend(m.operations());
    }
    if let Some(op) = operations.iter().find(|op| matches!(op, Operation::RunRust(_))) {
        return Err(Error::Migration(format!(
            "{}: a data migration in Rust cannot be copied into a squashed migration; squash the \
             migrations before it and after it separately",
            op.describe()
        )));
    }
    let operations = if optimize { optimize_operations(operations) } else { operations };
    Ok(Draft {
        name: match name {
            Some(n) => format!("{}_{n}", number_of(range[0].name())),
            None => format!("{}_squashed_{}", range[0].name(), to),
        },
        dependencies,
        replaces,
        operations,
    })
}

fn number_of(name: &str) -> String {
    name.chars().take_while(char::is_ascii_digit).collect()
}

/// The tables an operation reads or changes, foreign-key targets included; `None` for
/// hand-written SQL, which may touch anything.
fn tables(op: &Operation) -> Option<Vec<&str>> {
    let mut out: Vec<&str> = Vec::new();
    fn fk<'a>(c: &'a crate::migrate::state::Column, out: &mut Vec<&'a str>) {
        if let Some(fk) = &c.foreign_key {
            out.push(fk.table.as_str());
        }
    }
    match op {
        Operation::CreateModel(t) => {
            out.push(&t.name);
            for c in &t.columns {
                fk(c, &mut out);
            }
        }
        Operation::RenameModel { old, new } => out.extend([old.as_str(), new.as_str()]),
        Operation::AddField { table, column, .. } | Operation::AlterField { table, column } => {
            out.push(table);
            fk(column, &mut out);
        }
        Operation::DeleteModel { table }
        | Operation::RemoveField { table, .. }
        | Operation::RenameField { table, .. }
        | Operation::AddIndex { table, .. }
        | Operation::RemoveIndex { table, .. }
        | Operation::AddUnique { table, .. }
        | Operation::RemoveUnique { table, .. }
        | Operation::AddCheck { table, .. }
        | Operation::RemoveCheck { table, .. } => out.push(table),
        _ => return None,
    }
    Some(out)
}

/// What `a` followed by `b` can become, if they fold.
fn reduce(a: &Operation, b: &Operation) -> Option<Vec<Operation>> {
    use Operation as O;
    match (a, b) {
        (O::CreateModel(t), O::DeleteModel { table }) if t.name == *table => Some(Vec::new()),
        (O::CreateModel(t), O::RenameModel { old, new }) if t.name == *old => {
            let mut t = t.clone();
            t.name.clone_from(new);
            Some(vec![O::CreateModel(t)])
        }
        (O::CreateModel(t), b) if table_of(b) == Some(t.name.as_str()) => {
            // Replayed on the new table alone: the CreateModel of the table as it becomes.
            let mut state = ProjectState::default();
            state.tables.insert(t.name.clone(), t.clone());
            b.state_forwards(&mut state).ok()?;
            let t: Table = state.tables.remove(&t.name)?;
            Some(vec![O::CreateModel(t)])
        }
        (O::AddField { table, column, .. }, O::RemoveField { table: t2, column: c2 })
            if table == t2 && column.name == *c2 =>
        {
            Some(Vec::new())
        }
        (O::AddField { table, column, once }, O::AlterField { table: t2, column: c2 })
            if table == t2 && column.name == c2.name =>
        {
            Some(vec![O::AddField { table: table.clone(), column: c2.clone(), once: *once }])
        }
        (O::AddField { table, column, once }, O::RenameField { table: t2, old, new })
            if table == t2 && column.name == *old =>
        {
            let mut column = column.clone();
            column.name.clone_from(new);
            Some(vec![O::AddField { table: table.clone(), column, once: *once }])
        }
        (O::AlterField { table, column }, O::AlterField { table: t2, column: c2 })
            if table == t2 && column.name == c2.name =>
        {
            Some(vec![b.clone()])
        }
        (O::AlterField { table, column }, O::RemoveField { table: t2, column: c2 })
            if table == t2 && column.name == *c2 =>
        {
            Some(vec![b.clone()])
        }
        (O::RenameField { table, old, new }, O::RenameField { table: t2, old: o2, new: n2 })
            if table == t2 && new == o2 =>
        {
            Some(if old == n2 { Vec::new() } else { vec![Operation::rename_field(table, old, n2)] })
        }
        (O::RenameModel { old, new }, O::RenameModel { old: o2, new: n2 }) if new == o2 => {
            Some(if old == n2 { Vec::new() } else { vec![Operation::rename_model(old, n2)] })
        }
        (O::AddIndex { table, index, .. }, O::RemoveIndex { table: t2, name, .. })
            if table == t2 && index.name == *name =>
        {
            Some(Vec::new())
        }
        (O::AddCheck { table, check }, O::RemoveCheck { table: t2, name })
            if table == t2 && check.name == *name =>
        {
            Some(Vec::new())
        }
        (O::AddUnique { table, columns }, O::RemoveUnique { table: t2, columns: c2 })
            if table == t2 && columns == c2 =>
        {
            Some(Vec::new())
        }
        _ => None,
    }
}

/// The one table an operation on a table's columns, indexes or uniques changes.
fn table_of(op: &Operation) -> Option<&str> {
    match op {
        Operation::AddField { table, .. }
        | Operation::RemoveField { table, .. }
        | Operation::AlterField { table, .. }
        | Operation::RenameField { table, .. }
        | Operation::AddIndex { table, .. }
        | Operation::RemoveIndex { table, .. }
        | Operation::AddUnique { table, .. }
        | Operation::RemoveUnique { table, .. }
        | Operation::AddCheck { table, .. }
        | Operation::RemoveCheck { table, .. } => Some(table),
        _ => None,
    }
}

/// Folds pairs of operations (see [`reduce`]) until none folds. A pair folds only when no
/// operation between them touches their tables (nor runs hand-written SQL), so moving
/// the later one up to the earlier one changes nothing else.
pub(crate) fn optimize_operations(mut ops: Vec<Operation>) -> Vec<Operation> {
    'again: loop {
        for i in 0..ops.len() {
            let Some(mine) = tables(&ops[i]) else { continue };
            for j in i + 1..ops.len() {
                let Some(theirs) = tables(&ops[j]) else { break };
                if let Some(folded) = reduce(&ops[i], &ops[j]) {
                    let between_ok = ops[i + 1..j].iter().all(|op| match tables(op) {
                        Some(t) => !t.iter().any(|t| mine.contains(t) || theirs.contains(t)),
                        None => false,
                    });
                    if between_ok {
                        ops.remove(j);
                        ops.splice(i..=i, folded);
                        continue 'again;
                    }
                }
                if theirs.iter().any(|t| mine.contains(t)) {
                    break;
                }
            }
        }
        return ops;
    }
}
