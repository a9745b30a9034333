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
    replaces: Deps,
    operations: Ops,
}

#[derive(Debug, Clone)]
enum Deps {
    Static(&'static [&'static str]),
    Owned(Vec<String>),
}

impl Deps {
    fn names(&self) -> Vec<&str> {
        match self {
            Deps::Static(d) => d.to_vec(),
            Deps::Owned(d) => d.iter().map(String::as_str).collect(),
        }
    }
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
            replaces: Deps::Static(&[]),
            operations: Ops::Fn(operations),
        }
    }

    /// A squashed migration (what `squashmigrations` writes): it stands for the migrations
    /// it `replaces`. While their files are still there, the runner uses it when none or
    /// all of them are applied (and counts it applied when all are), and uses them when
    /// only some are.
    ///
    /// ```
    /// use kata::migrate::prelude::*;
    /// fn operations() -> Vec<Operation> { Vec::new() }
    /// const M: Migration =
    ///     Migration::squashed("0001_initial_squashed_0003_tag", &[], &["0001_initial", "0002_a", "0003_tag"], operations);
    /// assert_eq!(M.replaces(), ["0001_initial", "0002_a", "0003_tag"]);
    /// ```
    pub const fn squashed(
        name: &'static str,
        dependencies: &'static [&'static str],
        replaces: &'static [&'static str],
        operations: fn() -> Vec<Operation>,
    ) -> Self {
        Migration {
            name: Cow::Borrowed(name),
            dependencies: Deps::Static(dependencies),
            replaces: Deps::Static(replaces),
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
            replaces: Deps::Static(&[]),
            operations: Ops::Owned(Arc::new(operations)),
        }
    }

    /// The same migration, standing for the migrations `replaces` (see [`Migration::squashed`]).
    ///
    /// ```
    /// use kata::migrate::Migration;
    /// let m = Migration::from_operations("0001_squashed_0002", Vec::new(), Vec::new())
    ///     .replacing(vec!["0001_a".into(), "0002_b".into()]);
    /// assert_eq!(m.replaces(), ["0001_a", "0002_b"]);
    /// ```
    pub fn replacing(mut self, replaces: Vec<String>) -> Self {
        self.replaces = Deps::Owned(replaces);
        self
    }

    /// The name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The migrations that must be applied first.
    pub fn dependencies(&self) -> Vec<&str> {
        self.dependencies.names()
    }

    /// The migrations this one replaces (empty unless it is a squashed migration).
    pub fn replaces(&self) -> Vec<&str> {
        self.replaces.names()
    }

    /// The operations.
    pub fn operations(&self) -> Vec<Operation> {
        match &self.operations {
            Ops::Fn(f) => f(),
            Ops::Owned(ops) => ops.as_ref().clone(),
        }
    }

    /// Whether the history `applied` counts this migration applied: recorded itself, or
    /// (a squashed migration) every migration it replaces recorded.
    pub(crate) fn is_applied(&self, applied: &[String]) -> bool {
        let recorded = |n: &str| applied.iter().any(|a| a == n);
        recorded(&self.name) || {
            let replaces = self.replaces();
            !replaces.is_empty() && replaces.iter().all(|r| recorded(r))
        }
    }
}

/// Migrations in an order where each comes after its dependencies (ties by name), after
/// checking that names are unique, dependencies exist and there is one leaf. Squashed
/// migrations stand for the ones they replace (as when none of those is applied).
pub(crate) fn ordered(migrations: &[Migration]) -> Result<Vec<Migration>> {
    let out = graph(migrations, &[])?;
    let leaves = leaves(&out);
    if leaves.len() > 1 {
        return Err(Error::MigrationConflict { leaves });
    }
    Ok(out)
}

/// The migrations nothing depends on.
pub(crate) fn leaves(ordered: &[Migration]) -> Vec<String> {
    ordered
        .iter()
        .filter(|m| !ordered.iter().any(|o| o.dependencies().contains(&m.name())))
        .map(|m| m.name().to_owned())
        .collect()
}

/// The migrations in dependency order (ties by name), squashed ones resolved against the
/// history `applied`, without the one-leaf check.
pub(crate) fn graph(migrations: &[Migration], applied: &[String]) -> Result<Vec<Migration>> {
    let mut pending: Vec<Migration> = migrations.to_vec();
    pending.sort_by(|a, b| a.name.cmp(&b.name));
    for pair in pending.windows(2) {
        if pair[0].name == pair[1].name {
            return Err(Error::Migration(format!("two migrations are named {}", pair[0].name)));
        }
    }
    let mut pending = resolve_squashed(pending, applied);
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
    Ok(out)
}

/// Django's loader for squashed migrations: a squashed migration replaces the migrations it
/// stands for when none or all of them are applied (dependencies on them then point at it);
/// when only some are, it is left out and they run.
fn resolve_squashed(mut migrations: Vec<Migration>, applied: &[String]) -> Vec<Migration> {
    let squashes: Vec<(String, Vec<String>)> = migrations
        .iter()
        .filter(|m| !m.replaces().is_empty())
        .map(|m| (m.name().to_owned(), m.replaces().into_iter().map(str::to_owned).collect()))
        .collect();
    for (name, replaces) in squashes {
        let done = replaces.iter().filter(|r| applied.contains(r)).count();
        if done > 0
            && done < replaces.len()
            && replaces.iter().all(|r| migrations.iter().any(|m| m.name == *r))
        {
            migrations.retain(|m| m.name != name);
            continue;
        }
        migrations.retain(|m| !replaces.iter().any(|r| *r == m.name));
        for m in &mut migrations {
            let deps = m.dependencies();
            if deps.iter().any(|d| replaces.iter().any(|r| r == d)) {
                let mut remapped: Vec<String> = Vec::new();
                for d in deps {
                    let d = if replaces.iter().any(|r| r == d) { name.as_str() } else { d };
                    if !remapped.iter().any(|r| r == d) {
                        remapped.push(d.to_owned());
                    }
                }
                m.dependencies = Deps::Owned(remapped);
            }
        }
    }
    migrations
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
