//! Data migrations written in Rust (Django's `RunPython`).

use std::future::Future;
use std::pin::Pin;

use crate::db::Transaction;
use crate::error::Result;

/// The future a data migration's function returns.
pub type DataFuture<'a> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

/// A data migration's function: it gets the migration's transaction.
pub type DataFn = for<'a> fn(&'a Transaction) -> DataFuture<'a>;

/// A data migration written in Rust (Django's `RunPython`): async functions over the
/// migration's transaction, forwards and (if it can be undone) backwards. They run with the
/// application's current models, so write them against what the tables hold at that point
/// (raw SQL through `tx.raw_execute` is the safe choice for columns that change later).
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct RunRust {
    /// Its name, for `--plan` and `sqlmigrate` (the forwards function's name, by convention).
    pub name: &'static str,
    /// Forwards.
    pub forwards: DataFn,
    /// Backwards, if the change can be undone (`None`: irreversible).
    pub backwards: Option<DataFn>,
}

impl std::fmt::Debug for RunRust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunRust")
            .field("name", &self.name)
            .field("reversible", &self.backwards.is_some())
            .finish()
    }
}

impl PartialEq for RunRust {
    /// Data migrations are told apart by name (function addresses are not stable).
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.backwards.is_some() == other.backwards.is_some()
    }
}
