//! What a query needs from eager loading, as traits: `relation` implements them, so the
//! query layer never names a relation type.

use std::future::Future;
use std::pin::Pin;

use crate::db::{ExecRef, Executor};
use crate::error::Result;
use crate::model::{Model, RowReader};
use crate::query::QuerySet;
use crate::query::sql::SqlWriter;

/// One JOIN of a `select_related` tree, from a parent model `P`.
#[doc(hidden)]
pub trait JoinLoader<P>: Send + Sync {
    /// How many columns this join and its children add to the SELECT list.
    fn width(&self) -> usize;
    /// Writes the aliased columns, depth first; `next` is the next alias number.
    fn write_columns(&self, w: &mut SqlWriter, next: &mut usize);
    /// Writes the JOIN clauses, depth first, with the same aliases.
    fn write_joins(&self, w: &mut SqlWriter, parent: &str, left: bool, next: &mut usize) -> Result<()>;
    /// Decodes this join's object (and its children) and stores it in `parent`.
    fn load(&self, parent: &mut P, reader: &mut RowReader<'_>) -> Result<()>;
}

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Loads one to-many relation for a batch of owners.
#[doc(hidden)]
pub trait PrefetchLoader<P>: Send + Sync {
    /// Loads the relation for `owners` and stores the rows in each.
    fn run<'a>(&'a self, ex: ExecRef<'a>, owners: &'a mut [P]) -> BoxFuture<'a, Result<()>>;
}

impl<M: Model> QuerySet<M> {
    /// Runs this query's prefetches for rows already loaded.
    pub(crate) async fn run_prefetches(&self, ex: &impl Executor, rows: &mut [M]) -> Result<()> {
        for loader in &self.prefetches {
            loader.run(ex.__exec_ref(), rows).await?;
        }
        Ok(())
    }
}
