//! A migration (a named list of operations with the migrations it follows) and the
//! ordering of a set of them (Django's `MigrationLoader` and its graph).

use crate::error::{Error, Result};
use crate::migrate::operation::Operation;
use crate::migrate::state::ProjectState;

/// One migration file: its name (`0002_add_slug`), the migrations it follows, and its
/// operations. A migration file holds one as a `const`:
///
/// ```
/// use kata::migrate::prelude::*;
/// pub const MIGRATION: Migration = Migration::new("0001_initial", &[], operations);
/// fn operations() -> Vec<Operation> {
///     vec![Operation::create_model(Table::new("tag", vec![Column::new("id", BigInt).primary_key().auto()]))]
/// }
/// assert_eq!((MIGRATION.operations)().len(), 1);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// The name, unique in the application (`0001_initial`).
    pub name: &'static str,
    /// The migrations that must be applied first.
    pub dependencies: &'static [&'static str],
    /// Builds the operations.
    pub operations: fn() -> Vec<Operation>,
}

impl Migration {
    /// A migration (what generated files call).
    pub const fn new(
        name: &'static str,
        dependencies: &'static [&'static str],
        operations: fn() -> Vec<Operation>,
    ) -> Self {
        Migration { name, dependencies, operations }
    }
}

/// Migrations in an order where each comes after its dependencies (ties by name), after
/// checking that names are unique, dependencies exist and there is one leaf.
pub(crate) fn ordered(migrations: &[Migration]) -> Result<Vec<Migration>> {
    let mut pending: Vec<Migration> = migrations.to_vec();
    pending.sort_by_key(|m| m.name);
    for pair in pending.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(Error::Migration(format!("two migrations are named {}", pair[0].name)));
        }
    }
    for m in &pending {
        if let Some(dep) = m.dependencies.iter().find(|d| !pending.iter().any(|o| o.name == **d)) {
            return Err(Error::Migration(format!("migration {} depends on {dep}, which does not exist", m.name)));
        }
    }
    let mut out: Vec<Migration> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let Some(i) = pending.iter().position(|m| m.dependencies.iter().all(|d| out.iter().any(|o| o.name == *d))) else {
            let names: Vec<&str> = pending.iter().map(|m| m.name).collect();
            return Err(Error::Migration(format!("the dependencies of {} form a cycle", names.join(", "))));
        };
        out.push(pending.remove(i));
    }
    let leaves: Vec<&str> =
        out.iter().filter(|m| !out.iter().any(|o| o.dependencies.contains(&m.name))).map(|m| m.name).collect();
    if leaves.len() > 1 {
        return Err(Error::Migration(format!(
            "conflicting migrations: {} are all leaves; make one depend on the other",
            leaves.join(" and ")
        )));
    }
    Ok(out)
}

/// The schema state after all these migrations.
pub(crate) fn replay(migrations: &[Migration]) -> Result<ProjectState> {
    let mut state = ProjectState::default();
    for m in migrations {
        for op in (m.operations)() {
            op.state_forwards(&mut state).map_err(|e| Error::Migration(format!("in migration {}: {e}", m.name)))?;
        }
    }
    Ok(state)
}
