//! Model hooks (Django's overridable `save()` / `delete()` and its `pre_save`, `post_save`,
//! `pre_delete`, `post_delete` signals; SeaORM's `ActiveModelBehavior`).

use crate::db::Transaction;
use crate::error::Result;

/// Code that runs around the writes of one instance: implement it for a model declared
/// with `#[kata(hooks)]`. Each method gets the transaction the write runs in, so what a
/// hook writes commits or rolls back with the row; an `Err` from any of them aborts the
/// write and rolls it back (to a savepoint when the caller is already in a transaction),
/// and is returned to the caller.
///
/// Which operations run them, as in Django:
/// - `asave` (`before_save` with `adding` true when the `auto` key is unsaved, then the
///   INSERT or UPDATE, then `after_save` with `created`), and `acreate`, also through a
///   related manager (`adding` and `created` true). `acreate` from assignments or an input
///   schema has no instance before the INSERT: it inserts the row, runs `before_save` on
///   the stored instance and writes back what the hook changed, then runs `after_save`.
/// - `aget_or_create` and `aupdate_or_create` when they create a row, as `acreate` from
///   assignments (Django's `get_or_create` saves, which sends its signals).
/// - `adelete` of an instance (`before_delete`, the DELETE with its cascades, `after_delete`).
/// - Not bulk or queryset operations (`abulk_create`, `aupdate`, `QuerySet::adelete`), nor
///   rows deleted by a cascade: Django's `bulk_create`, `update` and `QuerySet.delete` skip
///   `save()`/`delete()` too. Nor `asave_fields`, which takes the instance by shared
///   reference (a hook could not change it): Django's `save(update_fields=..)` does send
///   its signals; call `asave` where the hooks must run.
///
/// A model without `#[kata(hooks)]` pays nothing: its writes open no transaction for hooks.
///
/// ```
/// use kata::prelude::*;
///
/// #[derive(Model, Debug, Clone)]
/// #[kata(hooks)]
/// struct Article {
///     #[kata(primary_key, auto)]
///     id: i64,
///     title: String,
///     slug: String,
/// }
///
/// #[kata::async_trait]
/// impl ModelHooks for Article {
///     async fn before_save(&mut self, _tx: &Transaction, _adding: bool) -> kata::Result<()> {
///         if self.title.is_empty() {
///             return Err(kata::Error::InvalidQuery("an article needs a title".into()));
///         }
///         self.slug = self.title.to_lowercase().replace(' ', "-");
///         Ok(())
///     }
/// }
///
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// db.create_tables(&[Article::meta()]).await?;
/// let mut a = Article { id: 0, title: "Hello World".into(), slug: String::new() };
/// a.asave(&db).await?;
/// assert_eq!(Article::objects().aget(&db, Article::id.eq(a.id)).await?.slug, "hello-world");
/// a.title.clear();
/// assert!(a.asave(&db).await.is_err()); // refused by the hook: nothing written
/// assert_eq!(Article::objects().aget(&db, Article::id.eq(a.id)).await?.title, "Hello World");
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is declared with `#[kata(hooks)]` but does not implement `ModelHooks`",
    label = "add `impl ModelHooks for {Self} {{ .. }}` (with `#[kata::async_trait]` when it has methods)"
)]
#[async_trait::async_trait]
pub trait ModelHooks: Send + Sync {
    /// Before the row is written (Django's `pre_save`); `adding` is true for a new row.
    /// Changes made to `self` here are written.
    async fn before_save(&mut self, _tx: &Transaction, _adding: bool) -> Result<()> {
        Ok(())
    }

    /// After the row is written (Django's `post_save`); `created` is true when it was
    /// inserted.
    async fn after_save(&mut self, _tx: &Transaction, _created: bool) -> Result<()> {
        Ok(())
    }

    /// Before the row is deleted (Django's `pre_delete`).
    async fn before_delete(&self, _tx: &Transaction) -> Result<()> {
        Ok(())
    }

    /// After the row and its cascades are deleted (Django's `post_delete`).
    async fn after_delete(&self, _tx: &Transaction) -> Result<()> {
        Ok(())
    }
}
