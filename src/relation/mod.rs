//! Relations: `ForeignKey`, `OneToOne`, `ManyToMany` and `HasMany`; lookups across them,
//! related managers, `select_related` and `prefetch_related`.

pub(crate) mod also;
mod fields;
mod group;
mod manager;
pub(crate) mod prefetch;
pub(crate) mod select;

use std::marker::PhantomData;

pub use crate::model::{ForeignKeyMeta, OnDelete, RelationKind, RelationMeta};
pub use also::{AlsoRelated, AlsoRelatedTarget};
pub use fields::{ForeignKey, HasMany, HasOne, ManyToMany, OneToOne, OptionalRelation};
pub use manager::{ManyObjects, ModelRef, OneObject, RelatedObjects};
pub use prefetch::{Prefetch, PrefetchTarget, aprefetch_related_objects};
pub use select::{IntoSelectRelated, Join, LoadSingle, SelectRelated};

use crate::error::{Error, Result};
use crate::expr::{Expr, IntoExpr, Node, RelStep};
use crate::field::Field;
use crate::model::{Model, ModelMeta};
use crate::value::FieldType;

/// A single-valued relation field type (`ForeignKey<T>`, `OneToOne<T>`, or an `Option` of
/// either): what `select_related` and `.then(..)` follow.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a single-valued relation",
    label = "select_related and `then` follow ForeignKey and OneToOne fields",
    note = "for ManyToMany and HasMany relations use prefetch_related"
)]
pub trait Related {
    /// The related model.
    type Target: Model;
    /// The type of a value of the related model reached through this relation: the value's
    /// own type, or an `Option` of it through a nullable relation, whose NULL key reaches no
    /// row (as Django's `values("editor__name")` gives `None` there).
    type Reached<X: FieldType>: FieldType;
    /// Its metadata.
    fn target_meta() -> &'static ModelMeta;
}

/// A single-valued relation seen as its key: what a ModelSchema puts in `<field>_id`.
#[doc(hidden)]
pub trait RelationKey {
    /// The key (an `Option` for a nullable relation).
    type Key;
    /// The key it holds.
    fn key(&self) -> Self::Key;
    /// A relation (not loaded) to the row with this key.
    fn from_key(key: Self::Key) -> Self;
}

/// Gives generated code and kata's loaders a model's relation field by position.
#[doc(hidden)]
pub trait RelationSlot<R> {
    /// The field for column (or relation) `index`, if it has type `R`.
    fn __slot(&mut self, index: usize) -> Option<&mut R>;
}

/// A typed handle on a relation that is not a column (`ManyToMany<T>`, `HasMany<T>`), as
/// `User::groups`: for `prefetch_related`, lookups across it and counts.
pub struct Relation<M, R> {
    index: usize,
    _marker: PhantomData<fn() -> (M, R)>,
}

impl<M, R> Clone for Relation<M, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, R> Copy for Relation<M, R> {}

impl<M, R> std::fmt::Debug for Relation<M, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relation").field("index", &self.index).finish()
    }
}

impl<M, R> Relation<M, R> {
    /// Used by generated code.
    #[doc(hidden)]
    pub const fn __new(index: usize) -> Self {
        Relation { index, _marker: PhantomData }
    }

    /// The relation's position in the model's relation list.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(many_to_many)] groups: ManyToMany<Group>, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model)] struct Group { #[kata(primary_key, auto)] id: i64 }
    /// # #[derive(Model)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User> }
    /// assert_eq!(User::groups.index(), 0);
    /// assert_eq!(User::posts.index(), 1);
    /// ```
    pub const fn index(self) -> usize {
        self.index
    }
}

/// A to-many relation type (`ManyToMany<T>` or `HasMany<T>`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a to-many relation",
    label = "prefetch_related loads ManyToMany and HasMany relations",
    note = "for ForeignKey and OneToOne fields use select_related"
)]
pub trait ToMany {
    /// The related model.
    type Target: Model;
}

impl<T: Model> ToMany for fields::ManyToMany<T> {
    type Target = T;
}
impl<T: Model> ToMany for fields::HasMany<T> {
    type Target = T;
}

impl<M: Model, R: ToMany> Relation<M, R> {
    /// The relation's step from `M` to the related model.
    pub(crate) fn step(self) -> Result<RelStep> {
        step_of(M::meta(), &M::meta().relations[self.index])
    }

    /// A field of the related model, for filters (Django's `groups__name`):
    /// `User::groups.then(Group::name).eq("admins")`. Each matching owner is returned once.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many)] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User> }
    /// # #[derive(Model, Debug, Clone)] struct Comment { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] post: ForeignKey<Post> }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta(), Post::meta(), Comment::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # ann.groups.acreate(&db, [Group::name.set("admins")]).await?;
    /// # ann.groups.acreate(&db, [Group::name.set("staff")]).await?;
    /// # let post = Post::objects().acreate(&db, [Post::author.set(&ann)]).await?;
    /// # Comment::objects().acreate(&db, [Comment::post.set(&post)]).await?;
    /// // Django: User.objects.filter(groups__name__in=["admins", "staff"])
    /// let query = User::objects().filter(User::groups.then(Group::name).is_in(["admins", "staff"]));
    /// assert_eq!(query.values_list(User::name).alist(&db).await?, ["ann"]); // once, not twice
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn then<E: IntoExpr<R::Target>>(self, expr: E) -> Expr<M, E::Output> {
        let node = match self.step() {
            Ok(step) => Node::Related(step, Box::new(expr.into_expr().node)),
            Err(e) => unresolved::<M>(self.index(), e),
        };
        Expr::from_node(node)
    }

    /// How many related rows each owner has, as a correlated subquery, for `annotate`:
    /// `User::objects().annotate(User::groups.count())`.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many)] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User> }
    /// # #[derive(Model, Debug, Clone)] struct Comment { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] post: ForeignKey<Post> }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta(), Post::meta(), Comment::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # ann.groups.acreate(&db, [Group::name.set("admins")]).await?;
    /// # ann.groups.acreate(&db, [Group::name.set("staff")]).await?;
    /// # let post = Post::objects().acreate(&db, [Post::author.set(&ann)]).await?;
    /// # Comment::objects().acreate(&db, [Comment::post.set(&post)]).await?;
    /// // Django: User.objects.annotate(Count("groups")).order_by("name")
    /// let by_name = User::objects().order_by([User::name.asc()]);
    /// let rows = by_name.annotate(User::groups.count()).alist(&db).await?;
    /// let counts: Vec<(&str, i64)> = rows.iter().map(|(u, n)| (u.name.as_str(), *n)).collect();
    /// assert_eq!(counts, [("ann", 2), ("bob", 0)]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn count(self) -> Expr<M, i64> {
        match self.step() {
            Ok(step) => Expr::from_node(Node::CountRelated(step)),
            Err(e) => Expr::from_node(unresolved::<M>(self.index(), e)),
        }
    }
}

/// The node that stands for relation `index` of `M` when it cannot be followed: rendering
/// it fails with `Error::Relation` (a query never silently matches nothing).
fn unresolved<M: Model>(index: usize, error: Error) -> Node {
    match error {
        Error::Relation { model, relation, reason } => Node::Unresolved { model, relation, reason },
        other => Node::Unresolved {
            model: M::meta().name,
            relation: M::meta().relations.get(index).map_or("?", |r| r.field),
            reason: other.to_string(),
        },
    }
}

/// The step a non-column relation takes, with a many-to-many's link columns resolved.
pub(crate) fn step_of(owner: &'static ModelMeta, relation: &RelationMeta) -> Result<RelStep> {
    match relation.kind {
        RelationKind::Reverse { source, column } => Ok(RelStep::Reverse { owner, source: source(), column }),
        RelationKind::ManyToMany { target, through, owner_column, target_column } => {
            let (target, through) = (target(), through());
            let find = |explicit: Option<usize>, to: &'static ModelMeta| {
                explicit.or_else(|| through.foreign_key_to(to)).ok_or_else(|| Error::Relation {
                    model: owner.name,
                    relation: relation.field,
                    reason: format!(
                        "the through model {} needs exactly one foreign key to {}",
                        through.name, to.name
                    ),
                })
            };
            Ok(RelStep::ManyToMany {
                owner,
                target,
                through,
                owner_column: find(owner_column, owner)?,
                target_column: find(target_column, target)?,
            })
        }
        RelationKind::ManyToManyReverse { forward, relation: index } => {
            let forward = forward();
            let refuse =
                |reason: String| Error::Relation { model: owner.name, relation: relation.field, reason };
            let forward_relation = forward
                .relations
                .get(index)
                .ok_or_else(|| refuse(format!("{} has no relation at position {index}", forward.name)))?;
            if matches!(forward_relation.kind, RelationKind::ManyToManyReverse { .. }) {
                return Err(refuse(format!(
                    "{}.{} is itself a reverse side; reverse_of names the ManyToMany field that has many_to_many",
                    forward.name, forward_relation.field
                )));
            }
            match step_of(forward, forward_relation)? {
                RelStep::ManyToMany { target, through, owner_column, target_column, .. }
                    if std::ptr::eq(target, owner) =>
                {
                    // The same link rows, read from the other end.
                    Ok(RelStep::ManyToMany {
                        owner,
                        target: forward,
                        through,
                        owner_column: target_column,
                        target_column: owner_column,
                    })
                }
                _ => Err(refuse(format!(
                    "{}.{} is not a ManyToMany field pointing at {}",
                    forward.name, forward_relation.field, owner.name
                ))),
            }
        }
    }
}

/// Used by `#[derive(Model)]`: the position of the many-to-many field a
/// `#[kata(reverse_of = User::groups)] users: ManyToMany<User>` field reverses. Typed, so
/// that `reverse_of` naming anything but a `ManyToMany` of the related model pointing at
/// this one is a compile error.
#[doc(hidden)]
pub const fn __reverse_many_to_many<T: Model, S: Model>(
    forward: Relation<S, fields::ManyToMany<T>>,
) -> usize {
    forward.index
}

/// Used by `#[derive(Model)]`: the column position of the foreign key a
/// `#[kata(reverse_of = Post::author)] posts: HasMany<Post>` field reverses. Typed, so that
/// `reverse_of` naming anything but a foreign key (or one-to-one) pointing at this model is a
/// compile error.
#[doc(hidden)]
pub const fn __reverse_foreign_key<T: Model, S, R: Related<Target = T>>(foreign_key: Field<S, R>) -> usize {
    foreign_key.index()
}

impl<M: Model, R: Related> Field<M, R> {
    /// A field of the related model, for filters (Django's `author__username`):
    /// `Post::author.then(User::username).eq("ann")`; chain `then` to go further. Through a
    /// nullable foreign key the value is an `Option`: `None` where the key is NULL (it
    /// reaches no row), where `isnull(true)` holds, as on Django's LEFT JOIN.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many)] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User> }
    /// # #[derive(Model, Debug, Clone)] struct Comment { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] post: ForeignKey<Post> }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta(), Post::meta(), Comment::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # ann.groups.acreate(&db, [Group::name.set("admins")]).await?;
    /// # ann.groups.acreate(&db, [Group::name.set("staff")]).await?;
    /// # let post = Post::objects().acreate(&db, [Post::author.set(&ann)]).await?;
    /// # Comment::objects().acreate(&db, [Comment::post.set(&post)]).await?;
    /// // Django: Post.objects.filter(author__name="ann")
    /// assert_eq!(Post::objects().filter(Post::author.then(User::name).eq("ann")).acount(&db).await?, 1);
    /// assert_eq!(Post::objects().filter(Post::author.then(User::name).eq("bob")).acount(&db).await?, 0);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn then<E: IntoExpr<R::Target>>(self, expr: E) -> Expr<M, R::Reached<E::Output>> {
        let step = RelStep::Forward { owner: M::meta(), column: self.index(), target: R::target_meta() };
        Expr::from_node(Node::Related(step, Box::new(expr.into_expr().node)))
    }
}

impl<M: Model, R: Related> Expr<M, R> {
    /// Goes one relation further: `Comment::post.then(Post::author).then(User::username)`.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many)] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User> }
    /// # #[derive(Model, Debug, Clone)] struct Comment { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] post: ForeignKey<Post> }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta(), Post::meta(), Comment::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # ann.groups.acreate(&db, [Group::name.set("admins")]).await?;
    /// # ann.groups.acreate(&db, [Group::name.set("staff")]).await?;
    /// # let post = Post::objects().acreate(&db, [Post::author.set(&ann)]).await?;
    /// # Comment::objects().acreate(&db, [Comment::post.set(&post)]).await?;
    /// // Django: Comment.objects.filter(post__author__name="ann")
    /// let by_ann = Comment::objects().filter(Comment::post.then(Post::author).then(User::name).eq("ann"));
    /// assert_eq!(by_ann.acount(&db).await?, 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn then<E: IntoExpr<R::Target>>(self, expr: E) -> Expr<M, R::Reached<E::Output>> {
        fn extend(node: Node, leaf: Node, target: &'static ModelMeta) -> Node {
            match node {
                Node::Related(step, inner) => Node::Related(step, Box::new(extend(*inner, leaf, target))),
                Node::Column(owner, column) => {
                    Node::Related(RelStep::Forward { owner, column, target }, Box::new(leaf))
                }
                other => other,
            }
        }
        Expr::from_node(extend(self.node, expr.into_expr().node, R::target_meta()))
    }
}
