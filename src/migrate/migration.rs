//! A migration (a named list of operations with the migrations it follows) and the
//! ordering of a set of them (Django's `MigrationLoader` and its graph).

use std::borrow::Cow;
use std::sync::Arc;

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
/// assert_eq!(MIGRATION.operations().len(), 1);
/// assert_eq!(MIGRATION.name(), "0001_initial");
/// ```
#[derive(Debug, Clone)]
pub struct Migration {
    name: Cow<'static, str>,
    dependencies: Deps,
    operations: Ops,
}

#[derive(Debug, Clone)]
enum Deps {
    Static(&'static [&'static str]),
    Owned(Vec<String>),
}

#[derive(Debug, Clone)]
enum Ops {
    Fn(fn() -> Vec<Operation>),
    Owned(Arc<Vec<Operation>>),
}

impl Migration {
    /// A migration (what generated files call).
    pub const fn new(
        name: &'static str,
        dependencies: &'static [&'static str],
        operations: fn() -> Vec<Operation>,
    ) -> Self {
        Migration {
            name: Cow::Borrowed(name),
            dependencies: Deps::Static(dependencies),
            operations: Ops::Fn(operations),
        }
    }

    /// A migration built at run time (what `makemigrations --dry-run` and tests hold).
    ///
    /// ```
    /// use kata::migrate::Migration;
    /// let m = Migration::from_operations("0002_empty", vec!["0001_initial".into()], Vec::new());
    /// assert_eq!(m.dependencies(), ["0001_initial"]);
    /// ```
    pub fn from_operations(name: &str, dependencies: Vec<String>, operations: Vec<Operation>) -> Self {
        Migration {
            name: Cow::Owned(name.to_owned()),
            dependencies: Deps::Owned(dependencies),
            operations: Ops::Owned(Arc::new(operations)),
        }
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The migrations that must be applied first.
    pub fn dependencies(&self) -> Vec<&str> {
        match &self.dependencies {
            Deps::Static(d) => d.to_vec(),
            Deps::Owned(d) => d.iter().map(String::as_str).collect(),
        }
    }

    /// The operations.
    pub fn operations(&self) -> Vec<Operation> {
        match &self.operations {
            Ops::Fn(f) => f(),
            Ops::Owned(ops) => ops.as_ref().clone(),
        }
    }
}

/// Migrations in an order where each comes after its dependencies (ties by name), after
/// checking that names are unique, dependencies exist and there is one leaf.
pub(crate) fn ordered(migrations: &[Migration]) -> Result<Vec<Migration>> {
    let mut pending: Vec<Migration> = migrations.to_vec();
    pending.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in pending.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(Error::Migration(format!("two migrations are named {}", pair[0].name)));
        }
    }
    for m in &pending {
        if let Some(dep) = m.dependencies().into_iter().find(|d| !pending.iter().any(|o| o.name == *d)) {
            return Err(Error::Migration(format!(
                "migration {} depends on {dep}, which does not exist",
                m.name
            )));
        }
    }
    let mut out: Vec<Migration> = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let ready =
            pending.iter().position(|m| m.dependencies().iter().all(|d| out.iter().any(|o| o.name == *d)));
        let Some(i) = ready else {
            let names: Vec<&str> = pending.iter().map(Migration::name).collect();
            return Err(Error::Migration(format!("the dependencies of {} form a cycle", names.join(", "))));
        };
        out.push(pending.remove(i));
    }
    let leaves: Vec<&str> = out
        .iter()
        .filter(|m| !out.iter().any(|o| o.dependencies().contains(&m.name())))
        .map(Migration::name)
        .collect();
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
        for op in m.operations() {
            op.state_forwards(&mut state)
                .map_err(|e| Error::Migration(format!("in migration {}: {e}", m.name)))?;
        }
    }
    Ok(state)
}
