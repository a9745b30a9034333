//! Writes migrations as Rust source files (Django's `MigrationWriter`): one file per
//! migration in the application's `migrations/` folder, and a `mod.rs` that lists them.

use std::fmt::Write as _;
use std::path::Path;

use crate::error::Result;
use crate::migrate::operation::{Operation, RunSql};
use crate::migrate::state::{Column, Index, Table, column_type_name};
use crate::model::DefaultValue;

fn string_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("&[{}]", quoted.join(", "))
}

fn default_source(d: DefaultValue) -> String {
    match d {
        DefaultValue::Bool(b) => format!("DefaultValue::Bool({b})"),
        DefaultValue::Int(i) => format!("DefaultValue::Int({i})"),
        DefaultValue::Float(f) => format!("DefaultValue::Float({f:?})"),
        DefaultValue::Str(s) => format!("DefaultValue::Str({s:?})"),
        DefaultValue::Now => String::from("DefaultValue::Now"),
        DefaultValue::Uuid4 => String::from("DefaultValue::Uuid4"),
        // `DefaultValue` is non-exhaustive; every variant kata has is written above.
        #[allow(unreachable_patterns)]
        _ => String::from("DefaultValue::Now"),
    }
}

fn column_source(c: &Column) -> String {
    let mut s = format!("Column::new({:?}, {})", c.name, column_type_name(c.ty));
    if c.primary_key {
        s.push_str(".primary_key()");
    }
    if c.auto {
        s.push_str(".auto()");
    }
    if c.nullable {
        s.push_str(".null()");
    }
    if let Some(n) = c.max_length {
        let _ = write!(s, ".max_length({n})");
    }
    if c.unique {
        s.push_str(".unique()");
    }
    if c.index {
        s.push_str(".index()");
    }
    if let Some(d) = c.default {
        let _ = write!(s, ".default({})", default_source(d));
    }
    if let Some(fk) = &c.foreign_key {
        let _ = write!(s, ".references({:?}, {:?}, OnDelete::{:?})", fk.table, fk.column, fk.on_delete);
    }
    s
}

fn index_source(i: &Index) -> String {
    format!("Index::new({:?}, {})", i.name, string_list(&i.columns))
}

fn table_source(t: &Table) -> String {
    let mut s = format!("Table::new(\n            {:?},\n            vec![\n", t.name);
    for c in &t.columns {
        let _ = writeln!(s, "                {},", column_source(c));
    }
    s.push_str("            ],\n        )");
    for g in &t.unique_together {
        let _ = write!(s, "\n        .unique_together({})", string_list(g));
    }
    for c in &t.checks {
        let _ = write!(s, "\n        .check({:?}, {:?})", c.name, c.sql);
    }
    s
}

/// The Rust expression that builds `op`.
pub(crate) fn operation_source(op: &Operation) -> String {
    match op {
        // As rustfmt lays it out: a lone `Table::new(..)` argument hugs the call's parentheses.
        Operation::CreateModel(t) if t.unique_together.is_empty() => {
            format!("Operation::create_model({})", table_source(t).replace("\n    ", "\n"))
        }
        Operation::CreateModel(t) => format!("Operation::create_model(\n        {},\n    )", table_source(t)),
        Operation::DeleteModel { table } => format!("Operation::delete_model({table:?})"),
        Operation::RenameModel { old, new } => format!("Operation::rename_model({old:?}, {new:?})"),
        Operation::AddField { table, column, once: None } => {
            format!("Operation::add_field({table:?}, {})", column_source(column))
        }
        Operation::AddField { table, column, once: Some(d) } => {
            format!("Operation::add_field_once({table:?}, {}, {})", column_source(column), default_source(*d))
        }
        Operation::RemoveField { table, column } => format!("Operation::remove_field({table:?}, {column:?})"),
        Operation::AlterField { table, column } => {
            format!("Operation::alter_field({table:?}, {})", column_source(column))
        }
        Operation::RenameField { table, old, new } => {
            format!("Operation::rename_field({table:?}, {old:?}, {new:?})")
        }
        Operation::AddIndex { table, index, concurrently: false } => {
            format!("Operation::add_index({table:?}, {})", index_source(index))
        }
        Operation::AddIndex { table, index, concurrently: true } => {
            format!("Operation::add_index_concurrently({table:?}, {})", index_source(index))
        }
        Operation::RemoveIndex { table, name, concurrently: false } => {
            format!("Operation::remove_index({table:?}, {name:?})")
        }
        Operation::RemoveIndex { table, name, concurrently: true } => {
            format!("Operation::remove_index_concurrently({table:?}, {name:?})")
        }
        Operation::AddUnique { table, columns } => {
            format!("Operation::add_unique({table:?}, {})", string_list(columns))
        }
        Operation::RemoveUnique { table, columns } => {
            format!("Operation::remove_unique({table:?}, {})", string_list(columns))
        }
        Operation::AddCheck { table, check } => {
            format!("Operation::add_check({table:?}, {:?}, {:?})", check.name, check.sql)
        }
        Operation::RemoveCheck { table, name } => format!("Operation::remove_check({table:?}, {name:?})"),
        Operation::RunSql(RunSql { sql, reverse, backend: None }) => {
            format!("Operation::run_sql({sql:?}, {reverse:?})")
        }
        Operation::RunSql(RunSql { sql, reverse, backend: Some(b) }) => {
            format!("Operation::run_sql_on(Backend::{b:?}, {sql:?}, {reverse:?})")
        }
        // Squashing refuses data migrations; a hand-written file names its own functions.
        Operation::RunRust(run) => format!(
            "Operation::run_rust({:?}, {}, {})",
            run.name,
            run.name,
            if run.backwards.is_some() { "Some(backwards)" } else { "None" }
        ),
    }
}

/// The source of a migration file.
pub(crate) fn migration_source(
    name: &str,
    dependencies: &[String],
    replaces: &[String],
    operations: &[Operation],
) -> String {
    let mut s = String::from(
        "//! Generated by kata's `makemigrations`; edit freely (it is ordinary Rust).\n\nuse kata::migrate::prelude::*;\n\n",
    );
    if replaces.is_empty() {
        let _ = writeln!(
            s,
            "pub const MIGRATION: Migration = Migration::new({name:?}, {}, operations);\n",
            string_list(dependencies)
        );
    } else {
        let _ = writeln!(
            s,
            "pub const MIGRATION: Migration =\n    Migration::squashed({name:?}, {}, {}, operations);\n",
            string_list(dependencies),
            string_list(replaces)
        );
    }
    s.push_str("fn operations() -> Vec<Operation> {\n    vec![\n");
    for op in operations {
        let source = operation_source(op).replace('\n', "\n    ");
        let _ = writeln!(s, "        {source},");
    }
    s.push_str("    ]\n}\n");
    s
}

/// The module name of a migration file (`0001_initial` is `m0001_initial.rs`).
pub(crate) fn module_name(name: &str) -> String {
    format!("m{name}")
}

/// Rewrites `dir/mod.rs` to list every `m*.rs` file of `dir`, in name order.
pub(crate) fn write_mod(dir: &Path) -> Result<()> {
    let mut modules: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.starts_with('m') && n.ends_with(".rs") && n != "mod.rs")
        .map(|n| n.trim_end_matches(".rs").to_owned())
        .collect();
    modules.sort();
    let mut s = String::from(
        "//! The migrations of this application, listed by kata's `makemigrations` (regenerated on each run).\n\n",
    );
    // `rustfmt::skip`: the files stay exactly as written (and as `makemigrations --check`
    // and code review expect them) when `cargo fmt` runs over the crate.
    for m in &modules {
        let _ = writeln!(s, "#[rustfmt::skip]\nmod {m};");
    }
    s.push_str("\n/// Every migration, for `kata::manage` and `kata::migrate::Migrator`.\n#[rustfmt::skip]\npub const MIGRATIONS: &[kata::migrate::Migration] = &[\n");
    for m in &modules {
        let _ = writeln!(s, "    {m}::MIGRATION,");
    }
    s.push_str("];\n");
    std::fs::write(dir.join("mod.rs"), s)?;
    Ok(())
}
