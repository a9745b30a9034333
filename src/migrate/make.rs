//! `makemigrations` as a function: the next migration that takes the migrations' state
//! to the models' state, named and ready to write.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::migrate::autodetect::{Hints, autodetect};
use crate::migrate::migration::{Migration, graph, leaves, ordered, replay};
use crate::migrate::operation::Operation;
use crate::migrate::state::ProjectState;
use crate::migrate::writer;
use crate::model::ModelMeta;

/// A migration `makemigrations` made, not yet written.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Draft {
    /// Its name (`0002_add_post_slug`).
    pub name: String,
    /// The migration it follows (the current leaf), if any.
    pub dependencies: Vec<String>,
    /// The migrations it replaces (a squashed migration), or none.
    pub replaces: Vec<String>,
    /// Its operations.
    pub operations: Vec<Operation>,
}

impl Draft {
    /// The Rust source of its file.
    pub fn source(&self) -> String {
        writer::migration_source(&self.name, &self.dependencies, &self.replaces, &self.operations)
    }

    /// The migration, to apply without writing a file (tests, `--dry-run`).
    pub fn migration(&self) -> Migration {
        Migration::from_operations(&self.name, self.dependencies.clone(), self.operations.clone())
            .replacing(self.replaces.clone())
    }

    /// Writes `dir/m<name>.rs` and rewrites `dir/mod.rs`; returns the file's path.
    pub fn write(&self, dir: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{}.rs", writer::module_name(&self.name)));
        std::fs::write(&path, self.source())?;
        writer::write_mod(dir)?;
        Ok(path)
    }
}

/// The migration that brings `migrations` up to `models`, or `None` when nothing changed
/// (and `empty` is false). `name` replaces the generated suffix (`0002_<name>`).
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
/// use kata::migrate::{Hints, makemigrations};
/// let draft = makemigrations(&[Tag::meta()], &[], &Hints::default(), None, false)?.unwrap();
/// assert_eq!(draft.name, "0001_initial");
/// let next = makemigrations(&[Tag::meta()], &[draft.migration()], &Hints::default(), None, false)?;
/// assert!(next.is_none()); // no change
/// # Ok::<(), kata::Error>(())
/// ```
pub fn makemigrations(
    models: &[&'static ModelMeta],
    migrations: &[Migration],
    hints: &Hints,
    name: Option<&str>,
    empty: bool,
) -> Result<Option<Draft>> {
    let ordered = ordered(migrations)?;
    let from = replay(&ordered)?;
    let to = ProjectState::from_models(models)?;
    let operations = if empty { Vec::new() } else { autodetect(&from, &to, hints)? };
    if operations.is_empty() && !empty {
        return Ok(None);
    }
    let number = next_number(&ordered);
    let suffix = match name {
        Some(n) => n.to_owned(),
        None if ordered.is_empty() => String::from("initial"),
        None => auto_name(&operations),
    };
    Ok(Some(Draft {
        name: format!("{number:04}_{suffix}"),
        dependencies: ordered.last().map(|m| vec![m.name().to_owned()]).unwrap_or_default(),
        replaces: Vec::new(),
        operations,
    }))
}

/// The number of the next migration: one more than the highest (Django's `0005_...`).
pub(crate) fn next_number(migrations: &[Migration]) -> u32 {
    let number = |m: &Migration| {
        let digits: String = m.name().chars().take_while(char::is_ascii_digit).collect();
        digits.parse::<u32>().unwrap_or(0)
    };
    migrations.iter().map(number).max().unwrap_or(0) + 1
}

/// Django's `makemigrations --merge`: when branches left two or more leaf migrations, the
/// migration that depends on all of them (no operations), or `None` when there is one
/// leaf. The branches' operations must replay one after the other (two branches adding
/// the same column cannot be merged: edit one of them).
///
/// ```
/// use kata::migrate::{Migration, merge};
/// let first = Migration::from_operations("0001_initial", vec![], vec![]);
/// let a = Migration::from_operations("0002_a", vec!["0001_initial".into()], vec![]);
/// let b = Migration::from_operations("0002_b", vec!["0001_initial".into()], vec![]);
/// let draft = merge(&[first.clone(), a.clone(), b.clone()], None)?.unwrap();
/// assert_eq!(draft.name, "0003_merge_0002_a_0002_b");
/// assert_eq!(draft.dependencies, ["0002_a", "0002_b"]);
/// assert!(merge(&[first, a, b, draft.migration()], None)?.is_none()); // one leaf again
/// # Ok::<(), kata::Error>(())
/// ```
pub fn merge(migrations: &[Migration], name: Option<&str>) -> Result<Option<Draft>> {
    let graph = graph(migrations, &[])?;
    let leaves = leaves(&graph);
    if leaves.len() < 2 {
        return Ok(None);
    }
    replay(&graph).map_err(|e| {
        crate::Error::Migration(format!(
            "the branches {} cannot be merged as they are: {e}; edit one of them",
            leaves.join(" and ")
        ))
    })?;
    let number = next_number(&graph);
    let suffix = match name {
        Some(n) => n.to_owned(),
        None => {
            let joined = format!("merge_{}", leaves.join("_"));
            if joined.len() > 50 { String::from("merge") } else { joined }
        }
    };
    Ok(Some(Draft {
        name: format!("{number:04}_{suffix}"),
        dependencies: leaves,
        replaces: Vec::new(),
        operations: Vec::new(),
    }))
}

/// Django's naming: from the first operations (`add_post_slug`), or `auto`.
fn auto_name(ops: &[Operation]) -> String {
    let one = |op: &Operation| match op {
        Operation::CreateModel(t) => Some(t.name.clone()),
        Operation::DeleteModel { table } => Some(format!("delete_{table}")),
        Operation::RenameModel { old, new } => Some(format!("rename_{old}_{new}")),
        Operation::AddField { table, column, .. } => Some(format!("{table}_{}", column.name)),
        Operation::RemoveField { table, column } => Some(format!("remove_{table}_{column}")),
        Operation::AlterField { table, column } => Some(format!("alter_{table}_{}", column.name)),
        Operation::RenameField { table, old, new } => Some(format!("rename_{table}_{old}_{new}")),
        _ => None,
    };
    let parts: Vec<String> = ops.iter().take(2).filter_map(one).collect();
    if parts.is_empty() || ops.len() > 2 {
        return match parts.first() {
            Some(first) if ops.len() > 2 => format!("{first}_and_more"),
            _ => String::from("auto"),
        };
    }
    let name = parts.join("_");
    if name.len() > 50 { String::from("auto") } else { name }
}
