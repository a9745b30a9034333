//! `prefetch_related`: to-many relations loaded by one extra query per level, so that
//! reading a loaded relation never queries.

use std::marker::PhantomData;
use std::sync::Arc;

use crate::db::{ExecRef, Executor};
use crate::error::{Error, Result};
use crate::expr::{Node, Q, RelStep};
use crate::model::{Model, ModelMeta};
use crate::query::QuerySet;
use crate::query::sql::SqlWriter;
use crate::query::{BoxFuture, PrefetchLoader};
use crate::relation::fields::{HasMany, ManyToMany};
use crate::relation::group::{Positions, copy_rows, group_rows, owner_slots};
use crate::relation::{Relation, RelationSlot, ToMany, step_of};
use crate::value::{FieldType, Value};

/// A `prefetch_related` entry: a to-many relation, optionally with the query that loads it
/// (Django's `Prefetch("posts", queryset=...)`). The query may itself `select_related` and
/// `prefetch_related`, to any depth.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
/// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User>, published: bool }
/// let users = User::objects()
///     .prefetch(Prefetch::new(User::posts).queryset(Post::objects().filter(Post::published.eq(true))));
/// # let _ = users;
/// ```
pub struct Prefetch<M, R: ToMany> {
    relation: Relation<M, R>,
    queryset: QuerySet<R::Target>,
}

impl<M, R: ToMany> std::fmt::Debug for Prefetch<M, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prefetch")
            .field("relation", &self.relation)
            .field("queryset", &self.queryset)
            .finish()
    }
}

impl<M: Model, R: ToMany> Prefetch<M, R> {
    /// Loads every related row.
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
    /// // Django: Prefetch("groups")
    /// let users = User::objects().prefetch(Prefetch::new(User::groups)).alist(&db).await?;
    /// assert_eq!(users[0].groups.get().map(|groups| groups.len()), Some(1));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn new(relation: Relation<M, R>) -> Self {
        Prefetch { relation, queryset: QuerySet::new() }
    }

    /// Loads the related rows this query selects, in its order. It replaces the query,
    /// and with it any [`with`](Self::with) given before: give the query first.
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
    /// // Django: Prefetch("posts", queryset=Post.objects.order_by("-id"))
    /// let newest_first = Post::objects().order_by([Post::id.desc()]);
    /// let prefetch = Prefetch::new(User::posts).queryset(newest_first);
    /// let users = User::objects().prefetch(prefetch).alist(&db).await?;
    /// let titles: Vec<&str> = users[0].posts.get().unwrap().iter().map(|p| p.title.as_str()).collect();
    /// assert_eq!(titles, ["second", "first"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn queryset(mut self, queryset: QuerySet<R::Target>) -> Self {
        self.queryset = queryset;
        self
    }

    /// Prefetches `next` on the related rows too (Django's `"posts__comments"`): the same
    /// as `.queryset(query.prefetch_related(next))` on this prefetch's query.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User>, published: bool, #[kata(reverse_of = Comment::post)] comments: HasMany<Comment> }
    /// # #[derive(Model, Debug, Clone)] struct Comment { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] post: ForeignKey<Post> }
    /// let users = User::objects().prefetch(
    ///     Prefetch::new(User::posts).queryset(Post::objects().filter(Post::published.eq(true))).with(Post::comments),
    /// );
    /// # let _ = users;
    /// ```
    pub fn with(mut self, next: impl PrefetchTarget<R::Target>) -> Self {
        self.queryset = self.queryset.prefetch_related(next);
        self
    }
}

impl<M: Model, R: ToMany> Relation<M, R> {
    /// Prefetches this relation and, on its rows, `next` (nested `prefetch_related`,
    /// Django's `"posts__comments"`): `User::posts.with(Post::comments)` is
    /// `Prefetch::new(User::posts).queryset(Post::objects().prefetch_related(Post::comments))`.
    /// Chain `.with(..)` for more, and nest it for deeper levels.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User>, #[kata(reverse_of = Comment::post)] comments: HasMany<Comment> }
    /// # #[derive(Model, Debug, Clone)] struct Comment { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] post: ForeignKey<Post>, text: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta(), Comment::meta()]).await?;
    /// let ann = User::objects().acreate(&db, Vec::new()).await?;
    /// let post = ann.posts.acreate(&db, Vec::new()).await?;
    /// post.comments.acreate(&db, [Comment::text.set("first")]).await?;
    /// let users = User::objects().prefetch_related(User::posts.with(Post::comments)).alist(&db).await?;
    /// let posts = users[0].posts.get().unwrap();
    /// assert_eq!(posts[0].comments.get().unwrap()[0].text, "first");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn with(self, next: impl PrefetchTarget<R::Target>) -> Prefetch<M, R> {
        Prefetch::new(self).with(next)
    }
}

/// What `prefetch_related` loads: a `ManyToMany`/`HasMany` relation handle, or a [`Prefetch`].
#[diagnostic::on_unimplemented(
    message = "prefetch_related cannot load `{Self}`",
    label = "not a ManyToMany or HasMany relation",
    note = "prefetch_related loads to-many relations such as `User::groups`; follow ForeignKey fields with select_related"
)]
pub trait PrefetchTarget<M> {
    #[doc(hidden)]
    fn __loader(self) -> Arc<dyn PrefetchLoader<M>>;
}

struct ToManyLoader<M, R: ToMany> {
    index: usize,
    queryset: QuerySet<R::Target>,
    _marker: PhantomData<fn() -> (M, R)>,
}

/// The to-many field types prefetch fills in.
#[doc(hidden)]
pub trait FillMany: ToMany + Send + Sync + 'static {
    fn fill(&mut self, objects: Vec<Self::Target>);
}
impl<T: Model> FillMany for ManyToMany<T> {
    fn fill(&mut self, objects: Vec<T>) {
        self.__set_loaded(objects);
    }
}
impl<T: Model> FillMany for HasMany<T> {
    fn fill(&mut self, objects: Vec<T>) {
        self.__set_loaded(objects);
    }
}

impl<M, R> PrefetchLoader<M> for ToManyLoader<M, R>
where
    M: Model + RelationSlot<R>,
    M::Pk: FieldType,
    R: FillMany,
{
    fn run<'a>(&'a self, ex: ExecRef<'a>, owners: &'a mut [M]) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            if owners.is_empty() {
                return Ok(());
            }
            if self.queryset.limit.is_some() || self.queryset.offset.is_some() {
                return Err(Error::InvalidQuery(format!(
                    "the prefetch query of {}.{} cannot be sliced: a limit or offset would apply \
                     to every owner's rows together; filter it instead",
                    M::meta().name,
                    M::meta().relations[self.index].field
                )));
            }
            let keys: Vec<Value> = owners.iter().map(|o| o.pk().to_value()).collect();
            let step = step_of(M::meta(), &M::meta().relations[self.index])?;
            let key_type = M::meta().columns[M::meta().single_pk()?].ty;
            let positions = Positions::new(&keys);
            // The first owner with each owner's key, when some key comes twice (the same row
            // reached through two links of a many-to-many, or passed twice by hand).
            let firsts: Option<Vec<usize>> = (positions.len() < owners.len()).then(|| {
                keys.iter().enumerate().map(|(i, key)| positions.get(key.clone()).unwrap_or(i)).collect()
            });
            let mut counts = vec![0; owners.len()];
            let (slots, rows) = match step {
                RelStep::Reverse { source, column, .. } => {
                    let q = Q::from_node(Node::In(Box::new(Node::Column(source, column)), keys, key_type));
                    let rows = self.queryset.clone().filter(q).alist(&ex).await?;
                    let slots = owner_slots(
                        &positions,
                        &mut counts,
                        rows.iter().map(|row| row.__column_value(column)),
                    );
                    (slots, rows)
                }
                RelStep::ManyToMany { through, owner_column, target_column, .. } => {
                    let q =
                        Q::from_node(Node::In(Box::new(Node::Column(through, owner_column)), keys, key_type));
                    let query = self.queryset.clone().filter(q);
                    let (row_keys, rows) =
                        query.alist_linked(&ex, through, owner_column, target_column).await?;
                    (owner_slots(&positions, &mut counts, row_keys.into_iter()), rows)
                }
                RelStep::Forward { .. } => return Err(Error::Internal("prefetch of a forward relation")),
            };
            let mut groups = group_rows(rows, slots, counts);
            if let Some(firsts) = firsts {
                // As in Django, every instance gets the rows: an owner whose key an earlier
                // owner has gets copies of that owner's group.
                for (i, &first) in firsts.iter().enumerate() {
                    if first != i {
                        groups[i] = copy_rows::<M, R::Target>(&groups[first])?;
                    }
                }
            }
            for (owner, objects) in owners.iter_mut().zip(groups) {
                if let Some(slot) = owner.__slot(self.index) {
                    slot.fill(objects);
                }
            }
            Ok(())
        })
    }
}

impl<M, R> PrefetchTarget<M> for Relation<M, R>
where
    M: Model + RelationSlot<R>,
    M::Pk: FieldType,
    R: FillMany,
{
    fn __loader(self) -> Arc<dyn PrefetchLoader<M>> {
        Prefetch::new(self).__loader()
    }
}

impl<M, R> PrefetchTarget<M> for Prefetch<M, R>
where
    M: Model + RelationSlot<R>,
    M::Pk: FieldType,
    R: FillMany,
{
    fn __loader(self) -> Arc<dyn PrefetchLoader<M>> {
        Arc::new(ToManyLoader::<M, R> {
            index: self.relation.index(),
            queryset: self.queryset,
            _marker: PhantomData,
        })
    }
}

impl<M: Model> QuerySet<M> {
    /// Loads this to-many relation with one extra query after the main one (Django's
    /// `prefetch_related`); afterwards `user.groups.get()` returns the rows.
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
    /// // Django: User.objects.prefetch_related("posts", "groups")
    /// let query = User::objects().prefetch_related(User::posts).prefetch_related(User::groups);
    /// let users = assert_num_queries(&db, 3, query.alist(&db)).await?; // one query per relation
    /// assert_eq!(users[0].posts.get().map(|posts| posts.len()), Some(2));
    /// assert_eq!(users[0].groups.get().map(|groups| groups[0].name.as_str()), Some("admins"));
    /// assert_eq!(users[1].posts.get().map(|posts| posts.len()), Some(0)); // bob: loaded, none
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn prefetch_related(mut self, relation: impl PrefetchTarget<M>) -> Self {
        self.prefetches.push(relation.__loader());
        self
    }

    /// The same as [`prefetch_related`](Self::prefetch_related), reading better with a
    /// [`Prefetch`].
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
    /// // Django: User.objects.prefetch_related(
    /// //     Prefetch("posts", queryset=Post.objects.filter(published=True)))
    /// let published = Post::objects().filter(Post::published.eq(true));
    /// let prefetch = Prefetch::new(User::posts).queryset(published);
    /// let users = User::objects().prefetch(prefetch).alist(&db).await?;
    /// assert_eq!(users[0].posts.get().map(|posts| posts.len()), Some(1));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn prefetch(self, prefetch: impl PrefetchTarget<M>) -> Self {
        self.prefetch_related(prefetch)
    }

    /// Rows joined with a many-to-many link table, and the owner key each belongs to (in the
    /// same order).
    async fn alist_linked(
        &self,
        ex: &impl Executor,
        through: &'static ModelMeta,
        owner_column: usize,
        target_column: usize,
    ) -> Result<(Vec<Value>, Vec<M>)> {
        let meta = M::meta();
        let pk = meta.single_pk()?;
        let owner = &through.columns[owner_column];
        let mut w = SqlWriter::new(ex.__dialect())?;
        // The link table's JOIN, then the query's own select_related JOINs.
        let from = |w: &mut SqlWriter| {
            w.push(" INNER JOIN ");
            w.ident(through.table);
            w.push(" ON ");
            w.column(through, target_column);
            w.push(" = ");
            w.column(meta, pk);
            let base = w.quoted(meta.table);
            let mut next = 1;
            for join in &self.joins {
                join.write_joins(w, &base, false, &mut next)?;
            }
            Ok(())
        };
        self.write_select_with(
            &mut w,
            |w| {
                w.model_columns(meta);
                let mut next = 1;
                for join in &self.joins {
                    join.write_columns(w, &mut next);
                }
                w.push(", ");
                w.column(through, owner_column);
                Ok(())
            },
            &from,
        )?;
        let width = meta.columns.len() + self.joins.iter().map(|j| j.width()).sum::<usize>();
        let mut keys = Vec::new();
        let mut models = crate::db::run::fetch_all(ex, w.finish().routed(self.read_route()), |row| {
            let model = self.decode_row(row)?;
            keys.push(Value::decode(row, width, owner.ty, owner.nullable)?);
            Ok(model)
        })
        .await?;
        self.run_prefetches(ex, &mut models).await?;
        Ok((keys, models))
    }
}

/// Loads `relations` for models already in hand (Django's `aprefetch_related_objects`).
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
/// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User> }
/// # async fn demo() -> kata::Result<()> {
/// # let db = Db::connect("sqlite::memory:").await?;
/// # db.create_tables(&[User::meta(), Post::meta()]).await?;
/// # let ann = User::objects().acreate(&db, Vec::new()).await?;
/// # Post::objects().acreate(&db, [Post::author.set(&ann)]).await?;
/// let mut users = User::objects().alist(&db).await?;
/// assert!(!users[0].posts.is_loaded());
/// // Django: await aprefetch_related_objects(users, "posts")
/// kata::aprefetch_related_objects(&db, &mut users, [User::posts]).await?;
/// assert_eq!(users[0].posts.get().map(|posts| posts.len()), Some(1));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub async fn aprefetch_related_objects<M: Model, P: PrefetchTarget<M>>(
    ex: &impl Executor,
    models: &mut [M],
    relations: impl IntoIterator<Item = P>,
) -> Result<()> {
    for relation in relations {
        relation.__loader().run(ex.__exec_ref(), models).await?;
    }
    Ok(())
}
