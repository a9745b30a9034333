//! Which database a query runs on: `QuerySet::using` (Django's `using()`), and the route
//! each terminal operation gives its statements.

use std::sync::Arc;

use crate::db::Route;
use crate::model::{Model, ModelMeta};
use crate::query::QuerySet;

impl<M: Model> QuerySet<M> {
    /// Runs this query on the database named `alias` (Django's `using()`): the primary
    /// ([`PRIMARY`](crate::PRIMARY), `"default"`), a replica or an extra database of the
    /// `Db` (see [`DbBuilder::replica`](crate::DbBuilder::replica)). Its reads, `aupdate` and
    /// `adelete` go there; to pin everything, saves and creates included, run them on
    /// [`Db::using`](crate::Db::using). Inside a transaction every statement runs on the transaction's
    /// connection. An alias the `Db` does not hold is
    /// [`ConfigError::UnknownDatabase`](crate::ConfigError::UnknownDatabase) when the query runs.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::builder("sqlite::memory:").database("archive", "sqlite::memory:").connect().await?;
    /// db.create_tables(&[Tag::meta()]).await?;
    /// db.using("archive")?.create_tables(&[Tag::meta()]).await?;
    /// Tag::objects().acreate(&db.using("archive")?, [Tag::name.set("old")]).await?;
    /// // Django: Tag.objects.using("archive").count()
    /// assert_eq!(Tag::objects().using("archive").acount(&db).await?, 1);
    /// assert_eq!(Tag::objects().acount(&db).await?, 0);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn using(mut self, alias: &str) -> Self {
        self.using = Some(Arc::from(alias));
        self
    }

    /// Where this query's reads go: a replica when the `Db` has one, unless it locks rows
    /// (`select_for_update` runs in a transaction on the primary anyway) or is pinned.
    pub(crate) fn read_route(&self) -> Route {
        let model = Some(model_info(M::meta()));
        match self.lock {
            None => Route::read(model, self.using.clone()),
            Some(_) => Route::write(model, self.using.clone()),
        }
    }

    /// Where this query's writes go: the pinned database, else the primary (or the router's
    /// choice).
    pub(crate) fn write_route(&self) -> Route {
        Route::write(Some(model_info(M::meta())), self.using.clone())
    }
}

/// A write of `meta`'s table, for routing.
pub(crate) fn write_of(meta: &'static ModelMeta) -> Route {
    Route::write(Some(model_info(meta)), None)
}

/// What a database router is told of a model.
pub(crate) fn model_info(meta: &'static ModelMeta) -> crate::ModelInfo {
    crate::ModelInfo::new(meta.name, meta.table)
}
