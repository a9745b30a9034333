//! Migrations from the models (Django's `django.db.migrations`): a backend-neutral schema
//! state ([`ProjectState`]) built from the models or by replaying migration files,
//! [`Operation`]s with DDL for every backend, the [`autodetect`]or that writes the
//! operations a model change needs, and the [`Migrator`] that applies them with a history
//! table. The command line over them is [`crate::manage`].
//!
//! Migration files are Rust: `migrations/m0001_initial.rs` holds a `const MIGRATION:
//! Migration` and a function returning its operations, and `migrations/mod.rs` lists them
//! (both written by `makemigrations`, both hand-editable). The binary that includes the
//! folder embeds them at compile time.

mod autodetect;
mod check;
mod create;
mod data;
mod ddl;
mod inspect;
mod introspect;
mod make;
mod migration;
mod operation;
mod runner;
mod safety;
mod squash;
mod startup;
mod state;
pub(crate) mod writer;

pub use crate::model::names::{MAX_NAME_LEN, truncate_name};
pub(crate) use autodetect::rename_suggestions;
pub use autodetect::{Hints, autodetect};
pub use check::{Drift, DriftKind, check};
pub(crate) use create::check_names;
pub(crate) use create::with_through_tables;
pub use data::{DataFn, DataFuture, RunRust};
pub use inspect::inspectdb;
pub use introspect::{LiveColumn, LiveForeignKey, LiveIndex, LiveSchema, LiveTable, introspect};
pub use make::{Draft, makemigrations, merge};
pub use migration::Migration;
pub(crate) use migration::{ordered, replay};
pub use operation::{Operation, RunSql};
pub use runner::{HISTORY_TABLE, Migrator, Step, Target, sqlmigrate};
pub(crate) use safety::{blocking, fails_on_rows};
pub use squash::squash;
pub use state::{Check, Column, ForeignKey, Index, ProjectState, Table};

/// What a migration file imports: `use kata::migrate::prelude::*;`.
pub mod prelude {
    pub use super::{Column, DataFuture, Index, Migration, Operation, Table};
    pub use crate::driver::Backend;
    pub use crate::model::{DefaultValue, OnDelete};
    pub use crate::value::ArrayOf;
    pub use crate::value::ColumnType::{self, *};
}
