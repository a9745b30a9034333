//! Running a model's hooks (`ModelHooks`, `#[kata(hooks)]`) around `asave`, `acreate` and
//! `adelete`: each write and its hooks in one transaction of their own (a savepoint inside
//! the caller's), so that an error from a hook undoes the write. Only models whose
//! `__HAS_HOOKS` is true come here.

use crate::db::{Executor, Transaction, begin_nested};
use crate::error::Result;
use crate::model::Model;
use crate::query::Deleted;
use crate::query::insert::{InsertSource, create_from_assignments, insert_models};
use crate::query::model_ext::ModelExt;

/// `asave` with `before_save` and `after_save`.
pub(super) async fn save_with_hooks<M: Model>(model: &mut M, ex: &impl Executor) -> Result<()> {
    let tx = begin_nested(ex).await?;
    let result = save_in(model, &tx).await;
    tx.finish(result).await
}

async fn save_in<M: Model>(model: &mut M, tx: &Transaction) -> Result<()> {
    let adding = model.__is_unsaved();
    if let Some(hooks) = model.__hooks_mut() {
        hooks.before_save(tx, adding).await?;
    }
    let created = model.__save_row(tx).await?;
    if let Some(hooks) = model.__hooks_mut() {
        hooks.after_save(tx, created).await?;
    }
    Ok(())
}

/// `acreate` with `before_save` and `after_save` (`adding` and `created` true).
pub(super) async fn create_with_hooks<M: Model>(ex: &impl Executor, source: InsertSource<M>) -> Result<M> {
    let tx = begin_nested(ex).await?;
    let result = create_in(&tx, source).await;
    tx.finish(result).await
}

async fn create_in<M: Model>(tx: &Transaction, source: InsertSource<M>) -> Result<M> {
    let model = match source {
        InsertSource::Model(mut model) => {
            if let Some(hooks) = model.__hooks_mut() {
                hooks.before_save(tx, true).await?;
            }
            model.validate()?;
            insert_models(tx, std::slice::from_mut(&mut model), None).await?;
            model
        }
        InsertSource::Assignments(assignments) => {
            // No instance exists before the INSERT: the hook sees the stored row, and what
            // it changes is written back.
            let mut model = create_from_assignments(tx, assignments).await?;
            if let Some(hooks) = model.__hooks_mut() {
                hooks.before_save(tx, true).await?;
            }
            model.validate()?;
            let meta = M::meta();
            let columns: Vec<usize> =
                (0..meta.columns.len()).filter(|&i| !meta.columns[i].primary_key).collect();
            if !columns.is_empty() {
                model.update_columns(tx, &columns).await?;
            }
            model
        }
    };
    let mut model = model;
    if let Some(hooks) = model.__hooks_mut() {
        hooks.after_save(tx, true).await?;
    }
    Ok(model)
}

/// `adelete` of an instance with `before_delete` and `after_delete`.
pub(super) async fn delete_with_hooks<M: Model>(model: &M, ex: &impl Executor) -> Result<Deleted> {
    let tx = begin_nested(ex).await?;
    let result = delete_in(model, &tx).await;
    tx.finish(result).await
}

async fn delete_in<M: Model>(model: &M, tx: &Transaction) -> Result<Deleted> {
    if let Some(hooks) = model.__hooks() {
        hooks.before_delete(tx).await?;
    }
    let deleted = model.__delete_row(tx).await?;
    if let Some(hooks) = model.__hooks() {
        hooks.after_delete(tx).await?;
    }
    Ok(deleted)
}
