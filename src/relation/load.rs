//! Eager loading: `select_related` (JOINs in the same query) and `prefetch_related` (one
//! extra query per relation level), so that reading a loaded relation never queries.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;

use crate::db::{ExecRef, Executor};
use crate::error::{Error, Result};
use crate::expr::{Node, Q, RelStep};
use crate::field::Field;
use crate::model::{Model, ModelMeta, RowReader};
use crate::query::QuerySet;
use crate::query::sql::SqlWriter;
use crate::relation::fields::{ForeignKey, HasMany, HasOne, ManyToMany, OneToOne};
use crate::relation::group::{Positions, copy_rows, group_rows, owner_slots};
use crate::relation::{Related, Relation, RelationSlot, ToMany, step_of};
use crate::value::{FieldType, Value};

// ---------------------------------------------------------------------------------------
// select_related
// ---------------------------------------------------------------------------------------

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

/// One JOIN of a `select_related` tree, from a parent model `P`.
#[doc(hidden)]
pub trait JoinLoader<P>: Send + Sync {
    /// How many columns this join and its children add to the SELECT list.
    fn width(&self) -> usize;
    /// Writes the aliased columns, depth first; `next` is the next alias number.
    fn write_columns(&self, w: &mut SqlWriter, next: &mut usize);
    /// Writes the JOIN clauses, depth first, with the same aliases.
    fn write_joins(&self, w: &mut SqlWriter, parent: &str, left: bool, next: &mut usize) -> Result<()>;
    /// Decodes this join's object (and its children) and stores it in `parent`.
    fn load(&self, parent: &mut P, reader: &mut RowReader<'_>) -> Result<()>;
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
        let mut object = R::Target::__decode(reader)?;
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
    pub fn with(self, next: impl IntoSelectRelated<R::Target>) -> Join<M, R> {
        Join { index: self.index(), children: vec![next.into_select_related().loader], _marker: PhantomData }
    }
}

impl<M: Model, R: LoadSingle> Join<M, R> {
    /// Follows one more relation from the related model.
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
            Some(T::__decode(reader)?)
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

// ---------------------------------------------------------------------------------------
// prefetch_related
// ---------------------------------------------------------------------------------------

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Loads one to-many relation for a batch of owners.
#[doc(hidden)]
pub trait PrefetchLoader<P>: Send + Sync {
    fn run<'a>(&'a self, ex: ExecRef<'a>, owners: &'a mut [P]) -> BoxFuture<'a, Result<()>>;
}

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
    pub fn new(relation: Relation<M, R>) -> Self {
        Prefetch { relation, queryset: QuerySet::new() }
    }

    /// Loads the related rows this query selects, in its order.
    pub fn queryset(mut self, queryset: QuerySet<R::Target>) -> Self {
        self.queryset = queryset;
        self
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
    /// Loads these single-valued relations in the same query, with JOINs (Django's
    /// `select_related`): `INNER JOIN` for required keys, `LEFT JOIN` for `Option` ones.
    /// Afterwards `post.author.get()` returns the object without a query.
    pub fn select_related(mut self, path: impl IntoSelectRelated<M>) -> Self {
        self.joins.push(path.into_select_related().loader);
        self
    }

    /// Loads this to-many relation with one extra query after the main one (Django's
    /// `prefetch_related`); afterwards `user.groups.get()` returns the rows.
    pub fn prefetch_related(mut self, relation: impl PrefetchTarget<M>) -> Self {
        self.prefetches.push(relation.__loader());
        self
    }

    /// The same as [`prefetch_related`](Self::prefetch_related), reading better with a
    /// [`Prefetch`].
    pub fn prefetch(self, prefetch: impl PrefetchTarget<M>) -> Self {
        self.prefetch_related(prefetch)
    }

    /// Runs this query's prefetches for rows already loaded.
    pub(crate) async fn run_prefetches(&self, ex: &impl Executor, rows: &mut [M]) -> Result<()> {
        for loader in &self.prefetches {
            loader.run(ex.__exec_ref(), rows).await?;
        }
        Ok(())
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
        let mut w = SqlWriter::new(ex.backend())?;
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
        let mut models = crate::db::run::fetch_all(ex, w.finish(), |row| {
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
/// let mut users = User::objects().alist(&db).await?;
/// kata::aprefetch_related_objects(&db, &mut users, [User::posts]).await?;
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
