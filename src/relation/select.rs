//! `select_related`: single-valued relations loaded by JOINs in the same query.

use std::marker::PhantomData;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::expr::RelStep;
use crate::field::Field;
use crate::model::{Model, RowReader};
use crate::query::sql::SqlWriter;
use crate::query::{JoinLoader, QuerySet};
use crate::relation::fields::{ForeignKey, HasOne, OneToOne};
use crate::relation::{Related, Relation, RelationSlot, step_of};
use crate::value::FieldType;

/// A single-valued relation value that a JOIN can fill in.
#[doc(hidden)]
pub trait LoadSingle: Related + Send + Sync + 'static {
    /// Whether the column may be NULL (then the JOIN is a LEFT JOIN).
    const NULLABLE: bool;
    /// Stores the loaded object; `None` when the field holds no key.
    fn set(&mut self, object: Self::Target);
}

impl<T: Model> LoadSingle for ForeignKey<T> {
    const NULLABLE: bool = false;
    fn set(&mut self, object: T) {
        self.__set_loaded(object);
    }
}
impl<T: Model> LoadSingle for OneToOne<T> {
    const NULLABLE: bool = false;
    fn set(&mut self, object: T) {
        self.__set_loaded(object);
    }
}
impl<T: Model> LoadSingle for Option<ForeignKey<T>> {
    const NULLABLE: bool = true;
    fn set(&mut self, object: T) {
        if let Some(fk) = self {
            fk.__set_loaded(object);
        }
    }
}
impl<T: Model> LoadSingle for Option<OneToOne<T>> {
    const NULLABLE: bool = true;
    fn set(&mut self, object: T) {
        if let Some(fk) = self {
            fk.__set_loaded(object);
        }
    }
}

/// A `select_related` path: a relation field, with the relations to follow from there.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String }
/// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User> }
/// # #[derive(Model, Debug, Clone)] struct Comment { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] post: ForeignKey<Post> }
/// // Django: Comment.objects.select_related("post__author")
/// let query = Comment::objects().select_related(Comment::post.with(Post::author));
/// # let _ = query;
/// ```
pub struct SelectRelated<M> {
    pub(crate) loader: Arc<dyn JoinLoader<M>>,
}

impl<M> std::fmt::Debug for SelectRelated<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelectRelated").field("width", &self.loader.width()).finish()
    }
}

struct FkJoin<P, R: Related> {
    index: usize,
    children: Vec<Arc<dyn JoinLoader<R::Target>>>,
    _marker: PhantomData<fn() -> (P, R)>,
}

impl<P, R> JoinLoader<P> for FkJoin<P, R>
where
    P: Model + RelationSlot<R>,
    R: LoadSingle,
{
    fn width(&self) -> usize {
        R::Target::meta().columns.len() + self.children.iter().map(|c| c.width()).sum::<usize>()
    }

    fn write_columns(&self, w: &mut SqlWriter, next: &mut usize) {
        let alias = format!("t{next}");
        *next += 1;
        for column in R::Target::meta().columns {
            w.push(", ");
            w.push(&alias);
            w.push(".");
            w.ident(column.name);
        }
        for child in &self.children {
            child.write_columns(w, next);
        }
    }

    fn write_joins(&self, w: &mut SqlWriter, parent: &str, left: bool, next: &mut usize) -> Result<()> {
        let alias = format!("t{next}");
        *next += 1;
        let target = R::Target::meta();
        let pk = target.single_pk()?;
        let left = left || R::NULLABLE;
        w.push(if left { " LEFT JOIN " } else { " INNER JOIN " });
        w.ident(target.table);
        w.push(" ");
        w.push(&alias);
        w.push(" ON ");
        w.push(&alias);
        w.push(".");
        w.ident(target.columns[pk].name);
        w.push(" = ");
        w.push(parent);
        w.push(".");
        w.ident(P::meta().columns[self.index].name);
        for child in &self.children {
            child.write_joins(w, &alias, left, next)?;
        }
        Ok(())
    }

    fn load(&self, parent: &mut P, reader: &mut RowReader<'_>) -> Result<()> {
        let target = R::Target::meta();
        // A LEFT JOIN that found no row: every column, the key included, is NULL.
        if reader.is_null_at(target.single_pk()?)? {
            reader.skip(self.width());
            return Ok(());
        }
        let mut object = crate::query::decode_named::<R::Target>(reader)?;
        for child in &self.children {
            child.load(&mut object, reader)?;
        }
        if let Some(slot) = parent.__slot(self.index) {
            slot.set(object);
        }
        Ok(())
    }
}

/// What `select_related` follows: a `ForeignKey`/`OneToOne` field (or an `Option` of one), a
/// `HasOne` relation,
/// or a path built with `.with(..)`.
#[diagnostic::on_unimplemented(
    message = "select_related cannot follow `{Self}`",
    label = "not a ForeignKey, OneToOne or HasOne relation",
    note = "select_related follows single-valued relations; load ManyToMany and HasMany relations with prefetch_related"
)]
pub trait IntoSelectRelated<M> {
    /// Converts.
    fn into_select_related(self) -> SelectRelated<M>;
}

impl<M, R> IntoSelectRelated<M> for Field<M, R>
where
    M: Model + RelationSlot<R>,
    R: LoadSingle,
{
    fn into_select_related(self) -> SelectRelated<M> {
        SelectRelated {
            loader: Arc::new(FkJoin::<M, R> {
                index: self.index(),
                children: Vec::new(),
                _marker: PhantomData,
            }),
        }
    }
}

impl<M> IntoSelectRelated<M> for SelectRelated<M> {
    fn into_select_related(self) -> SelectRelated<M> {
        self
    }
}

/// A `select_related` step with nested steps: `Comment::post.with(Post::author)`.
pub struct Join<M, R: Related> {
    index: usize,
    children: Vec<Arc<dyn JoinLoader<R::Target>>>,
    _marker: PhantomData<fn() -> M>,
}

impl<M, R: Related> std::fmt::Debug for Join<M, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Join").field("index", &self.index).field("children", &self.children.len()).finish()
    }
}

impl<M: Model, R: LoadSingle> Field<M, R> {
    /// Follows this relation and, from the related model, `next` (nested `select_related`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # use kata::testing::assert_num_queries;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post>, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User>, #[kata(foreign_key)] editor: Option<ForeignKey<User>>, title: String, published: bool }
    /// # #[derive(Model, Debug, Clone)] struct Comment { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] post: ForeignKey<Post>, body: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta(), Post::meta(), Comment::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let first = Post::objects().acreate(&db, [Post::author.set(&ann), Post::editor.set(Some(ForeignKey::from(&bob))), Post::title.set("first"), Post::published.set(true)]).await?;
    /// # Post::objects().acreate(&db, [Post::author.set(&ann), Post::title.set("second"), Post::published.set(false)]).await?;
    /// # Comment::objects().acreate(&db, [Comment::post.set(&first), Comment::body.set("nice")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// // Django: Comment.objects.select_related("post__author")
    /// let comments = Comment::objects().select_related(Comment::post.with(Post::author)).alist(&db).await?;
    /// let author = comments[0].post.get().and_then(|post| post.author.get());
    /// assert_eq!(author.map(|u| u.name.as_str()), Some("ann"));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn with(self, next: impl IntoSelectRelated<R::Target>) -> Join<M, R> {
        Join { index: self.index(), children: vec![next.into_select_related().loader], _marker: PhantomData }
    }
}

impl<M: Model, R: LoadSingle> Join<M, R> {
    /// Follows one more relation from the related model.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # use kata::testing::assert_num_queries;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post>, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User>, #[kata(foreign_key)] editor: Option<ForeignKey<User>>, title: String, published: bool }
    /// # #[derive(Model, Debug, Clone)] struct Comment { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] post: ForeignKey<Post>, body: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta(), Post::meta(), Comment::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let first = Post::objects().acreate(&db, [Post::author.set(&ann), Post::editor.set(Some(ForeignKey::from(&bob))), Post::title.set("first"), Post::published.set(true)]).await?;
    /// # Post::objects().acreate(&db, [Post::author.set(&ann), Post::title.set("second"), Post::published.set(false)]).await?;
    /// # Comment::objects().acreate(&db, [Comment::post.set(&first), Comment::body.set("nice")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// // Django: Comment.objects.select_related("post__author", "post__editor")
    /// let path = Comment::post.with(Post::author).with(Post::editor);
    /// let comments = assert_num_queries(&db, 1, Comment::objects().select_related(path).alist(&db)).await?;
    /// let post = comments[0].post.get().unwrap();
    /// assert_eq!(post.author.get().map(|u| u.name.as_str()), Some("ann"));
    /// assert_eq!(post.editor.as_ref().and_then(|e| e.get()).map(|u| u.name.as_str()), Some("bob"));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn with(mut self, next: impl IntoSelectRelated<R::Target>) -> Self {
        self.children.push(next.into_select_related().loader);
        self
    }
}

impl<M, R> IntoSelectRelated<M> for Join<M, R>
where
    M: Model + RelationSlot<R>,
    R: LoadSingle,
{
    fn into_select_related(self) -> SelectRelated<M> {
        SelectRelated {
            loader: Arc::new(FkJoin::<M, R> {
                index: self.index,
                children: self.children,
                _marker: PhantomData,
            }),
        }
    }
}

/// The reverse side of a one-to-one: `LEFT JOIN source tN ON tN.fk = parent.pk`.
struct ReverseOneJoin<P, T> {
    index: usize,
    _marker: PhantomData<fn() -> (P, T)>,
}

impl<P, T> ReverseOneJoin<P, T>
where
    P: Model,
{
    fn fk_column(&self) -> Result<usize> {
        match step_of(P::meta(), &P::meta().relations[self.index])? {
            RelStep::Reverse { column, .. } => Ok(column),
            _ => Err(Error::Internal("HasOne on a relation that is not a reverse foreign key")),
        }
    }
}

impl<P, T> JoinLoader<P> for ReverseOneJoin<P, T>
where
    P: Model + RelationSlot<HasOne<T>>,
    T: Model,
    T::Pk: FieldType,
{
    fn width(&self) -> usize {
        T::meta().columns.len()
    }

    fn write_columns(&self, w: &mut SqlWriter, next: &mut usize) {
        let alias = format!("t{next}");
        *next += 1;
        for column in T::meta().columns {
            w.push(", ");
            w.push(&alias);
            w.push(".");
            w.ident(column.name);
        }
    }

    fn write_joins(&self, w: &mut SqlWriter, parent: &str, _left: bool, next: &mut usize) -> Result<()> {
        let alias = format!("t{next}");
        *next += 1;
        let source = T::meta();
        let owner = P::meta();
        w.push(" LEFT JOIN ");
        w.ident(source.table);
        w.push(" ");
        w.push(&alias);
        w.push(" ON ");
        w.push(&alias);
        w.push(".");
        w.ident(source.columns[self.fk_column()?].name);
        w.push(" = ");
        w.push(parent);
        w.push(".");
        w.ident(owner.columns[owner.single_pk()?].name);
        Ok(())
    }

    fn load(&self, parent: &mut P, reader: &mut RowReader<'_>) -> Result<()> {
        let object = if reader.is_null_at(T::meta().single_pk()?)? {
            reader.skip(self.width());
            None
        } else {
            Some(crate::query::decode_named::<T>(reader)?)
        };
        if let Some(slot) = parent.__slot(self.index) {
            slot.__set_loaded(object);
        }
        Ok(())
    }
}

impl<M, T> IntoSelectRelated<M> for Relation<M, HasOne<T>>
where
    M: Model + RelationSlot<HasOne<T>>,
    T: Model,
    T::Pk: FieldType,
{
    fn into_select_related(self) -> SelectRelated<M> {
        SelectRelated {
            loader: Arc::new(ReverseOneJoin::<M, T> { index: self.index(), _marker: PhantomData }),
        }
    }
}

impl<M: Model> QuerySet<M> {
    /// Loads these single-valued relations in the same query, with JOINs (Django's
    /// `select_related`): `INNER JOIN` for required keys, `LEFT JOIN` for `Option` ones.
    /// Afterwards `post.author.get()` returns the object without a query.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # use kata::testing::assert_num_queries;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post>, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User>, #[kata(foreign_key)] editor: Option<ForeignKey<User>>, title: String, published: bool }
    /// # #[derive(Model, Debug, Clone)] struct Comment { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] post: ForeignKey<Post>, body: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta(), Post::meta(), Comment::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let first = Post::objects().acreate(&db, [Post::author.set(&ann), Post::editor.set(Some(ForeignKey::from(&bob))), Post::title.set("first"), Post::published.set(true)]).await?;
    /// # Post::objects().acreate(&db, [Post::author.set(&ann), Post::title.set("second"), Post::published.set(false)]).await?;
    /// # Comment::objects().acreate(&db, [Comment::post.set(&first), Comment::body.set("nice")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// // Django: Post.objects.select_related("author")
    /// let query = Post::objects().select_related(Post::author);
    /// let posts = assert_num_queries(&db, 1, query.alist(&db)).await?;
    /// assert_eq!(posts[0].author.get().map(|u| u.name.as_str()), Some("ann"));
    /// let plain = Post::objects().alist(&db).await?;
    /// assert!(plain[0].author.get().is_none()); // not loaded, and never loaded behind your back
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn select_related(mut self, path: impl IntoSelectRelated<M>) -> Self {
        self.joins.push(path.into_select_related().loader);
        self
    }
}
