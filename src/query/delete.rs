//! Deletes that follow `on_delete`: the database enforces each foreign key's action, and
//! kata counts, beforehand and in the same transaction, what each model will lose, as
//! Django's `delete()` reports it.

use crate::db::errors::for_model;
use crate::db::{Db, Executor, run};
use crate::error::{Error, IntegrityKind, Result};
use crate::expr::Node;
use crate::model::{Model, ModelMeta};
use crate::query::QuerySet;
use crate::query::sql::SqlWriter;
use crate::relation::OnDelete;
use crate::value::{FieldType, Value};

/// What a delete removed: the total and the count per model (Django's
/// `(total, {"app.Model": n})`). It compares equal to its total.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
/// # async fn demo() -> kata::Result<()> {
/// # let db = Db::connect("sqlite::memory:").await?;
/// # db.create_tables(&[Tag::meta()]).await?;
/// Tag::objects().acreate(&db, Tag { id: 0, name: "a".into() }).await?;
/// let deleted = Tag::objects().adelete(&db).await?;
/// assert_eq!(deleted, 1);
/// assert_eq!(deleted.count("Tag"), 1);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deleted {
    /// Rows deleted, of every model.
    pub total: u64,
    /// Rows deleted per model name, the queried model first.
    pub per_model: Vec<(&'static str, u64)>,
}

impl Deleted {
    /// How many rows of the model named `model` went.
    pub fn count(&self, model: &str) -> u64 {
        self.per_model.iter().filter(|(name, _)| *name == model).map(|(_, n)| n).sum()
    }

    fn add(&mut self, model: &'static str, n: u64) {
        self.total += n;
        match self.per_model.iter_mut().find(|(name, _)| *name == model) {
            Some((_, total)) => *total += n,
            None => self.per_model.push((model, n)),
        }
    }
}

impl PartialEq<u64> for Deleted {
    fn eq(&self, other: &u64) -> bool {
        self.total == *other
    }
}

impl std::fmt::Display for Deleted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} deleted", self.total)?;
        for (model, n) in &self.per_model {
            write!(f, ", {model}: {n}")?;
        }
        Ok(())
    }
}

/// The foreign keys, among the models `db` knows, that point at `target`.
fn dependents(
    known: &[&'static ModelMeta],
    target: &'static ModelMeta,
) -> Vec<(&'static ModelMeta, usize, OnDelete)> {
    let mut out = Vec::new();
    for meta in known {
        for (i, column) in meta.columns.iter().enumerate() {
            if let Some(fk) = &column.foreign_key
                && std::ptr::eq((fk.target)(), target)
            {
                out.push((*meta, i, fk.on_delete));
            }
        }
    }
    out
}

async fn count(ex: &impl Executor, meta: &'static ModelMeta, filter: &Node) -> Result<i64> {
    let mut w = SqlWriter::new(ex.backend())?;
    w.push("SELECT COUNT(*) FROM ");
    w.ident(meta.table);
    w.push(" WHERE ");
    w.node(filter)?;
    let rows = run::fetch_all(ex, w.finish(), |row| i64::decode(row, 0)).await?;
    Ok(rows.into_iter().next().unwrap_or(0))
}

/// Counts, depth first, the rows that cascades will delete; refuses (as the database
/// would) when a restricting foreign key still has rows.
fn collect<'a, E: Executor>(
    ex: &'a E,
    known: &'a [&'static ModelMeta],
    target: &'static ModelMeta,
    filter: Node,
    depth: usize,
    deleted: &'a mut Deleted,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send + 'a>> {
    Box::pin(async move {
        if depth > 16 {
            return Ok(());
        }
        let pk = target.single_pk()?;
        for (source, column, on_delete) in dependents(known, target) {
            let pointing = Node::InSubquery {
                lhs: Box::new(Node::Column(source, column)),
                table: target,
                select: pk,
                filter: Box::new(filter.clone()),
            };
            match on_delete {
                OnDelete::Cascade => {
                    let n = count(ex, source, &pointing).await?;
                    if n > 0 {
                        deleted.add(source.name, n as u64);
                        if source.single_pk().is_ok() {
                            collect(ex, known, source, pointing, depth + 1, deleted).await?;
                        }
                    }
                }
                OnDelete::Restrict | OnDelete::Protect | OnDelete::DoNothing => {
                    if count(ex, source, &pointing).await? > 0 {
                        return Err(Error::Integrity {
                            kind: IntegrityKind::ForeignKey,
                            constraint: crate::db::ddl::foreign_key_name(source, source.columns[column].name),
                            message: format!(
                                "cannot delete {} rows: {} rows still point at them through `{}`",
                                target.name, source.name, source.columns[column].field
                            ),
                        });
                    }
                }
                OnDelete::SetNull => {}
            }
        }
        Ok(())
    })
}

impl<M: Model> QuerySet<M> {
    /// Deletes every matching row (Django's `adelete`), following each foreign key's
    /// `on_delete` on every backend: cascades delete the rows that point here, `set_null`
    /// clears them, `restrict`/`protect` refuse with `Error::Integrity` and delete nothing.
    /// Returns how many rows of each model went; the counts cover the models this `Db`
    /// created (`create_tables`) or was told about (`register_models`).
    pub async fn adelete(&self, ex: &impl Executor) -> Result<Deleted> {
        let meta = M::meta();
        let known = ex.__shared().known_models();
        if dependents(&known, meta).is_empty() {
            let mut w = SqlWriter::new(ex.backend())?;
            w.push("DELETE FROM ");
            w.ident(meta.table);
            self.write_target(&mut w)?;
            let done = run::execute(ex, w.finish()).await.map_err(|e| for_model(e, meta))?;
            let mut deleted = Deleted::default();
            deleted.add(meta.name, done.rows_affected);
            return Ok(deleted);
        }
        match ex.__db() {
            Some(db) => {
                let tx = Db::begin(db).await?;
                let result = self.delete_following(&tx, &known).await;
                match result {
                    Ok(deleted) => {
                        tx.commit().await?;
                        Ok(deleted)
                    }
                    Err(e) => {
                        let _ = tx.rollback().await;
                        Err(e)
                    }
                }
            }
            None => self.delete_following(ex, &known).await,
        }
    }

    async fn delete_following(&self, ex: &impl Executor, known: &[&'static ModelMeta]) -> Result<Deleted> {
        let meta = M::meta();
        let pk = meta.single_pk()?;
        // The keys of the rows to delete, so the counts and the DELETE see the same rows.
        let mut w = SqlWriter::new(ex.backend())?;
        self.write_select(
            &mut w,
            |w| {
                w.column(meta, pk);
                Ok(())
            },
            &[],
        )?;
        let ty = meta.columns[pk].ty;
        let keys = run::fetch_all(ex, w.finish(), |row| Value::decode(row, 0, ty, false)).await?;
        let mut deleted = Deleted::default();
        if keys.is_empty() {
            deleted.add(meta.name, 0);
            return Ok(deleted);
        }
        let filter = Node::In(Box::new(Node::Column(meta, pk)), keys, ty);
        let mut cascaded = Deleted::default();
        collect(ex, known, meta, filter.clone(), 0, &mut cascaded).await?;
        let mut w = SqlWriter::new(ex.backend())?;
        w.push("DELETE FROM ");
        w.ident(meta.table);
        w.push(" WHERE ");
        w.node(&filter)?;
        let done = run::execute(ex, w.finish()).await.map_err(|e| for_model(e, meta))?;
        deleted.add(meta.name, done.rows_affected);
        for (model, n) in cascaded.per_model {
            deleted.add(model, n);
        }
        Ok(deleted)
    }
}
