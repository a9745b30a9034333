//! `makemigrations` as a function: the next migration that takes the migrations' state
//! to the models' state, named and ready to write.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::migrate::autodetect::{Hints, autodetect};
use crate::migrate::migration::{Migration, ordered, replay};
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
    /// Its operations.
    pub operations: Vec<Operation>,
}

impl Draft {
    /// The Rust source of its file.
    pub fn source(&self) -> String {
        writer::migration_source(&self.name, &self.dependencies, &self.operations)
    }

    /// The migration, to apply without writing a file (tests, `--dry-run`).
    pub fn migration(&self) -> Migration {
        Migration::from_operations(&self.name, self.dependencies.clone(), self.operations.clone())
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
    let number = ordered.len() + 1;
    let suffix = match name {
        Some(n) => n.to_owned(),
        None if ordered.is_empty() => String::from("initial"),
        None => auto_name(&operations),
    };
    Ok(Some(Draft {
        name: format!("{number:04}_{suffix}"),
        dependencies: ordered.last().map(|m| vec![m.name().to_owned()]).unwrap_or_default(),
        operations,
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
