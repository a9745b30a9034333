//! `also_related`: each row of a query beside one related row, through a `LEFT JOIN`
//! (SeaORM's `find_also_related`): `users LEFT JOIN posts` into `Vec<(User, Option<Post>)>`,
//! in one query.

use std::marker::PhantomData;

use futures_core::Stream;

use crate::db::{Executor, run};
use crate::driver::RowRef;
use crate::error::{Error, Result};
use crate::expr::RelStep;
use crate::field::Field;
use crate::model::{Model, RowReader};
use crate::query::QuerySet;
use crate::query::sql::{SqlWriter, Statement};
use crate::relation::fields::{ForeignKey, HasOne, OneToOne};
use crate::relation::{Relation, ToMany, step_of};

/// The alias of the joined table (and of a many-to-many link table): a relation from a
/// model to itself joins its own table a second time, so the join cannot go by name.
const RELATED: &str = "kata_r";
const LINK: &str = "kata_l";

/// Which relation of `M` a join follows.
#[derive(Debug, Clone, Copy)]
enum Path {
    /// A `ForeignKey`/`OneToOne` column.
    Column(usize),
    /// A relation that is not a column (`HasMany`, `HasOne`, `ManyToMany`).
    Relation(usize),
}

/// What [`QuerySet::also_related`] can join: a to-many relation handle (`User::posts`,
/// `User::groups`), a `HasOne` handle, or a `ForeignKey`/`OneToOne` field (`Post::author`).
#[diagnostic::on_unimplemented(
    message = "also_related cannot join `{Self}`",
    label = "not a relation of this model",
    note = "also_related follows a relation handle such as `User::posts` or a foreign key field such as `Post::author`"
)]
pub trait AlsoRelatedTarget<M> {
    /// The model on the other side.
    type Target: Model;
    #[doc(hidden)]
    fn __path(self) -> AlsoPath;
}

/// The relation an [`AlsoRelatedTarget`] names (opaque).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct AlsoPath(Path);

impl<M: Model, R: ToMany> AlsoRelatedTarget<M> for Relation<M, R> {
    type Target = R::Target;
    fn __path(self) -> AlsoPath {
        AlsoPath(Path::Relation(self.index()))
    }
}

impl<M: Model, T: Model> AlsoRelatedTarget<M> for Relation<M, HasOne<T>> {
    type Target = T;
    fn __path(self) -> AlsoPath {
        AlsoPath(Path::Relation(self.index()))
    }
}

/// The foreign key fields, each named (not through `Related`) so that a plain column gets
/// this trait's message rather than `select_related`'s.
macro_rules! column_targets {
    ($($ty:ident),+) => {$(
        impl<M: Model, T: Model> AlsoRelatedTarget<M> for Field<M, $ty<T>> {
            type Target = T;
            fn __path(self) -> AlsoPath {
                AlsoPath(Path::Column(self.index()))
            }
        }
        impl<M: Model, T: Model> AlsoRelatedTarget<M> for Field<M, Option<$ty<T>>> {
            type Target = T;
            fn __path(self) -> AlsoPath {
                AlsoPath(Path::Column(self.index()))
            }
        }
    )+};
}
column_targets!(ForeignKey, OneToOne);

/// A query whose rows come back beside one related row each: `Vec<(M, Option<T>)>`, from
/// [`QuerySet::also_related`]. An owner with no related row comes once, with `None`; one
/// with several comes once per related row.
pub struct AlsoRelated<M, T> {
    query: QuerySet<M>,
    path: Path,
    _marker: PhantomData<fn() -> T>,
}

impl<M, T> Clone for AlsoRelated<M, T> {
    fn clone(&self) -> Self {
        AlsoRelated { query: self.query.clone(), path: self.path, _marker: PhantomData }
    }
}

impl<M, T> std::fmt::Debug for AlsoRelated<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlsoRelated").field("query", &self.query).field("path", &self.path).finish()
    }
}

impl<M: Model> QuerySet<M> {
    /// Returns each row beside a related row, joined in the same query with a `LEFT JOIN`
    /// (SeaORM's `find_also_related`; Django reaches the same rows with `values()` across a
    /// relation). A row with no related row comes once with `None`; a row with several
    /// comes once per related row. Filters, ordering and `select_related` apply to the
    /// rows of `M`; a limit counts joined rows. `prefetch_related` and `select_for_update`
    /// are refused (`Error::InvalidQuery`): a row of `M` may come several times.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone, PartialEq)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User>, title: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// let ann = User::objects().acreate(&db, User { id: 0, name: "ann".into(), posts: HasMany::default() }).await?;
    /// User::objects().acreate(&db, User { id: 0, name: "bob".into(), posts: HasMany::default() }).await?;
    /// Post::objects().acreate(&db, Post { id: 0, author: ForeignKey::new(ann.id), title: "hi".into() }).await?;
    ///
    /// // SELECT ... FROM users LEFT JOIN posts ... ORDER BY users.name
    /// let rows: Vec<(User, Option<Post>)> =
    ///     User::objects().order_by([User::name.asc()]).also_related(User::posts).alist(&db).await?;
    /// assert_eq!(rows.len(), 2);
    /// assert_eq!(rows[0].1.as_ref().map(|p| p.title.as_str()), Some("hi"));
    /// assert_eq!(rows[1].1, None); // bob has no posts
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn also_related<J: AlsoRelatedTarget<M>>(self, relation: J) -> AlsoRelated<M, J::Target> {
        AlsoRelated { query: self, path: relation.__path().0, _marker: PhantomData }
    }
}

impl<M: Model, T: Model> AlsoRelated<M, T> {
    fn step(&self) -> Result<RelStep> {
        let owner = M::meta();
        match self.path {
            Path::Column(column) => Ok(RelStep::Forward { owner, column, target: T::meta() }),
            Path::Relation(index) => step_of(owner, &owner.relations[index]),
        }
    }

    fn statement(&self, ex: &impl Executor) -> Result<Statement> {
        if self.query.lock.is_some() {
            // PostgreSQL refuses to lock the nullable side of an outer join, and locking
            // the related rows is rarely what was meant.
            return Err(Error::InvalidQuery(
                "also_related cannot select_for_update: lock the rows with a query of their own".into(),
            ));
        }
        if !self.query.prefetches.is_empty() {
            // An owner with several related rows comes several times, and prefetched rows
            // can go into only one of those copies (models need not be Clone).
            return Err(Error::InvalidQuery(
                "also_related cannot prefetch_related: an owner may come in several rows; prefetch                  on a query of its own, or use select_related"
                    .into(),
            ));
        }
        let step = self.step()?;
        let meta = M::meta();
        let target = T::meta();
        let mut w = SqlWriter::new(ex.__dialect())?;
        self.query.write_select_full(
            &mut w,
            |w| {
                self.query.write_model_and_join_columns(w);
                for column in target.columns {
                    w.push(", ");
                    w.push(RELATED);
                    w.push(".");
                    w.ident(column.name);
                }
                Ok(())
            },
            &|w| {
                if !self.query.joins.is_empty() {
                    let base = w.quoted(meta.table);
                    let mut next = 1;
                    for join in &self.query.joins {
                        join.write_joins(w, &base, false, &mut next)?;
                    }
                }
                write_join(w, step)
            },
            &[],
        )?;
        Ok(w.finish().routed(self.query.read_route()))
    }

    #[inline]
    fn decode(query: &QuerySet<M>, row: RowRef<'_>) -> Result<(M, Option<T>)> {
        let mut reader = RowReader::new(row);
        let model = query.decode_from(&mut reader)?;
        // A LEFT JOIN that found no row: every column of the related table is NULL, its
        // key included.
        let related = match T::meta().primary_key.first() {
            Some(&pk) if reader.is_null_at(pk)? => None,
            _ => Some(crate::query::decode_named::<T>(&mut reader)?),
        };
        Ok((model, related))
    }

    /// Every row, each beside its related row or `None`.
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
    /// // SeaORM: Post::find().find_also_related(User) (through editor)
    /// let rows = Post::objects().order_by([Post::id.asc()]).also_related(Post::editor).alist(&db).await?;
    /// let pairs: Vec<(&str, Option<&str>)> = rows
    ///     .iter()
    ///     .map(|(post, editor)| (post.title.as_str(), editor.as_ref().map(|u| u.name.as_str())))
    ///     .collect();
    /// assert_eq!(pairs, [("first", Some("bob")), ("second", None)]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn alist(&self, ex: &impl Executor) -> Result<Vec<(M, Option<T>)>> {
        let stmt = self.statement(ex)?;
        run::fetch_all(ex, stmt, |row| Self::decode(&self.query, row)).await
    }

    /// The first row, in the query's order, or by `M`'s primary key when it has none. When
    /// that first `M` has several related rows, which of them comes beside it is the
    /// database's choice unless the query orders by something that tells them apart.
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
    /// let (user, post) = User::objects().also_related(User::posts).afirst(&db).await?.unwrap();
    /// assert_eq!(user.name, "ann"); // the lowest User key
    /// assert!(post.is_some());
    /// let bob = User::objects().filter(User::name.eq("bob")).also_related(User::posts).afirst(&db).await?;
    /// assert!(matches!(bob, Some((_, None)))); // bob has no posts
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn afirst(&self, ex: &impl Executor) -> Result<Option<(M, Option<T>)>> {
        let mut query = self.clone();
        if query.query.order.is_empty() {
            query.query.order = crate::query::pk_order(M::meta());
        }
        query.query = query.query.limit(1);
        Ok(query.alist(ex).await?.into_iter().next())
    }

    /// Streams the rows, decoding each as it arrives: memory stays flat.
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
    /// use futures_util::TryStreamExt;
    /// let rows: Vec<(Post, Option<User>)> =
    ///     Post::objects().also_related(Post::editor).aiterator(&db).try_collect().await?;
    /// assert_eq!(rows.iter().filter(|(_, editor)| editor.is_some()).count(), 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn aiterator<'e, E: Executor>(
        &self,
        ex: &'e E,
    ) -> impl Stream<Item = Result<(M, Option<T>)>> + Send + 'e {
        let stmt = self.statement(ex);
        let query = self.query.clone();
        async_stream::try_stream! {
            let rows = run::fetch_stream(ex, stmt?, move |row| Self::decode(&query, row));
            for await row in rows {
                yield row?;
            }
        }
    }
}

/// The `LEFT JOIN` (two for a many-to-many, through its link table) from the base table to
/// the related table, aliased `kata_r`.
fn write_join(w: &mut SqlWriter, step: RelStep) -> Result<()> {
    let join = |w: &mut SqlWriter, table: &str, alias: &str| {
        w.push(" LEFT JOIN ");
        w.ident(table);
        w.push(" ");
        w.push(alias);
        w.push(" ON ");
        w.push(alias);
        w.push(".");
    };
    match step {
        RelStep::Forward { owner, column, target } => {
            join(w, target.table, RELATED);
            w.ident(target.columns[target.single_pk()?].name);
            w.push(" = ");
            w.column(owner, column);
        }
        RelStep::Reverse { owner, source, column } => {
            join(w, source.table, RELATED);
            w.ident(source.columns[column].name);
            w.push(" = ");
            w.column(owner, owner.single_pk()?);
        }
        RelStep::ManyToMany { owner, target, through, owner_column, target_column } => {
            join(w, through.table, LINK);
            w.ident(through.columns[owner_column].name);
            w.push(" = ");
            w.column(owner, owner.single_pk()?);
            join(w, target.table, RELATED);
            w.ident(target.columns[target.single_pk()?].name);
            w.push(" = ");
            w.push(LINK);
            w.push(".");
            w.ident(through.columns[target_column].name);
        }
    }
    Ok(())
}
