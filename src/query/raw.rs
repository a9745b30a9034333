//! `araw`: hand-written SQL decoded into models (Django's `Manager.raw()`).

use crate::db::raw::{Params, check_width, statement};
use crate::db::{Executor, run};
use crate::error::{Error, Result};
use crate::model::{Model, ModelMeta};
use crate::query::QuerySet;
use crate::query::read::decode_model;

/// The model and its columns in SELECT order, for `Error::ColumnCount`.
fn describe(meta: &ModelMeta) -> String {
    let columns: Vec<&str> = meta.columns.iter().map(|c| c.name).collect();
    format!("{} (its columns, in order: {})", meta.name, columns.join(", "))
}

impl<M: Model> QuerySet<M> {
    /// Runs hand-written SQL and decodes each row into a model (Django's
    /// `Manager.raw()`): `User::objects().araw(&db, "SELECT ... WHERE id > ?", (5,))`.
    ///
    /// Rows are decoded by column position, so the SELECT must list **every column of the
    /// model, in the model's field order** (`M::meta().columns`); another number of
    /// columns is [`Error::ColumnCount`](crate::Error::ColumnCount), naming the columns
    /// expected. Placeholders are `?` on every backend, with one value per placeholder, as
    /// in [`Executor::raw_query`](crate::Executor::raw_query): values are always bound.
    ///
    /// The query runs your SQL as written, so it must be a bare `M::objects()`, with
    /// nothing but `prefetch_related`, which loads the relations of the rows afterwards
    /// (as Django's `RawQuerySet.prefetch_related`). A filter, an order, a slice,
    /// `distinct`, `select_related` or `select_for_update` is `Error::InvalidQuery`:
    /// write those in the SQL. Works on a `Db` and inside a transaction; the statement is
    /// logged and counted like every other.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// #[derive(Model, Debug)]
    /// struct Tag {
    ///     #[kata(primary_key, auto)]
    ///     id: i64,
    ///     name: String,
    /// }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// # Tag::objects().acreate(&db, [Tag::name.set("a")]).await?;
    /// # Tag::objects().acreate(&db, [Tag::name.set("b")]).await?;
    /// let tags = Tag::objects()
    ///     .araw(&db, "SELECT id, name FROM tag WHERE name <> ? ORDER BY name DESC", ("a",))
    ///     .await?;
    /// assert_eq!(tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), ["b"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn araw(&self, ex: &impl Executor, sql: &str, params: impl Params) -> Result<Vec<M>> {
        let ignored = [
            (self.filter.is_some(), "filter"),
            (!self.order.is_empty(), "order_by"),
            (self.is_sliced(), "limit/offset"),
            (self.distinct, "distinct"),
            (self.lock.is_some(), "select_for_update"),
            (!self.joins.is_empty(), "select_related"),
        ];
        let set: Vec<&str> = ignored.iter().filter(|(on, _)| *on).map(|(_, name)| *name).collect();
        if !set.is_empty() {
            return Err(Error::InvalidQuery(format!(
                "araw runs its SQL as written and cannot apply {}: write it in the SQL (only \
                 prefetch_related applies to raw rows)",
                set.join(", ")
            )));
        }
        let stmt = statement(ex.__dialect(), sql, params)?.routed(self.read_route());
        let meta = M::meta();
        let mut rows = run::fetch_all(ex, stmt, |row| {
            check_width(row, meta.columns.len(), || describe(meta))?;
            decode_model::<M>(row)
        })
        .await?;
        self.run_prefetches(ex, &mut rows).await?;
        Ok(rows)
    }
}
