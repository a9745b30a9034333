//! The models a pool knows: what `adelete` needs to count the rows that cascades delete.
//! `create_tables` registers its models; an application whose tables exist already
//! (created by migrations) calls [`Db::register_models`].

use std::sync::RwLock;

use crate::db::Db;
use crate::migrate::with_through_tables;
use crate::model::ModelMeta;

/// The models of one pool, kept among the pool's extensions.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    models: RwLock<Vec<&'static ModelMeta>>,
}

impl Registry {
    /// The models known so far.
    pub(crate) fn models(&self) -> Vec<&'static ModelMeta> {
        self.models.read().map(|m| m.clone()).unwrap_or_default()
    }

    fn add(&self, models: &[&'static ModelMeta]) {
        if let Ok(mut known) = self.models.write() {
            for meta in models {
                if !known.iter().any(|k| std::ptr::eq(*k, *meta)) {
                    known.push(meta);
                }
            }
        }
    }
}

impl Db {
    /// Tells the pool about models whose tables exist already (created by migrations), so
    /// that `adelete` can report what cascades delete. `create_tables` does this itself.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64 }
    /// # #[derive(Model, Debug)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "cascade")] author: ForeignKey<User> }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// for sql in db.create_tables_sql(&[User::meta(), Post::meta()]) {
    ///     db.execute_unprepared(&sql).await?; // as a migration would
    /// }
    /// db.register_models(&[User::meta(), Post::meta()]);
    /// # let ann = User::objects().acreate(&db, Vec::new()).await?;
    /// # Post::objects().acreate(&db, [Post::author.set(&ann)]).await?;
    /// let deleted = User::objects().adelete(&db).await?;
    /// assert_eq!(deleted.count("Post"), 1); // the cascade is counted: the Db knows Post
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn register_models(&self, models: &[&'static ModelMeta]) {
        self.shared.extension::<Registry>().add(&with_through_tables(models));
    }
}
