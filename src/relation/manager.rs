//! Related managers (Django 4.2's async names) on `ManyToMany<T>` and `HasMany<T>` fields.
//!
//! Their arguments have the shapes of the `QuerySet` methods of the same names: lookups and
//! defaults are any list of assignments (`[Group::name.set("x")]`, a `Vec`, an iterator),
//! values to create are anything `acreate` takes, and objects are one `&T` or a list of
//! them ([`RelatedObjects`]).

use crate::db::atomically;
use crate::db::{Executor, run};
use crate::error::{Error, Result};
use crate::expr::{Assignment, BinOp, Node, Q, RelStep};
use crate::model::Model;
use crate::query::sql::SqlWriter;
use crate::query::{Insert, InsertSource, QuerySet};
use crate::relation::fields::{HasMany, ManyToMany, Owner};
use crate::relation::step_of;
use crate::value::{FieldType, Value};

fn eq(meta: &'static crate::ModelMeta, column: usize, value: Value) -> Node {
    Node::Binary(Box::new(Node::Column(meta, column)), BinOp::Eq, Box::new(Node::Value(value)))
}

/// The link table and its two columns for a many-to-many owner.
fn link(owner: &Owner) -> Result<(&'static crate::ModelMeta, usize, usize)> {
    match step_of(owner.meta, owner.relation)? {
        RelStep::ManyToMany { through, owner_column, target_column, .. } => {
            Ok((through, owner_column, target_column))
        }
        _ => Err(Error::Internal("a ManyToMany field attached to another kind of relation")),
    }
}

/// The foreign-key column of the source model for a reverse relation.
fn reverse_column(owner: &Owner) -> Result<usize> {
    match step_of(owner.meta, owner.relation)? {
        RelStep::Reverse { column, .. } => Ok(column),
        _ => Err(Error::Internal("a HasMany field attached to another kind of relation")),
    }
}

/// OneObject saved model instance or several: what the related managers' `aadd`, `aremove` and
/// `aset` take (Django's `add(*objs)`). OneObject object is `&obj`; several are any list or
/// iterator of instances or of references to them: `[&a, &b]`, `&[&a, &b]`, `vec![&a, &b]`,
/// `&users` (a `Vec<T>`), `&users[1..]`, `users.iter().filter(..)`, an owned `Vec<T>`.
///
/// `S` tells the two shapes apart ([`OneObject`] or [`ManyObjects`]) and is always inferred. An empty
/// list literal has no element type to infer (`&[]`): write `Vec::<&T>::new()`, or
/// `aclear` to unlink everything.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(many_to_many)] groups: ManyToMany<Group> }
/// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
/// # async fn demo() -> kata::Result<()> {
/// # let db = Db::connect("sqlite::memory:").await?;
/// # db.create_tables(&[User::meta(), Group::meta()]).await?;
/// let ann = User::objects().acreate(&db, Vec::new()).await?;
/// let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
/// let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await?;
/// ann.groups.aadd(&db, &admins).await?;                // one object
/// ann.groups.aadd(&db, [&admins, &staff]).await?;      // several
/// let all = Group::objects().alist(&db).await?;
/// ann.groups.aset(&db, &all).await?;                   // a borrowed Vec<Group>
/// ann.groups.aremove(&db, all.iter().filter(|g| g.name == "staff")).await?; // an iterator
/// assert_eq!(ann.groups.acount(&db).await?, 1);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not one `{T}` or a list of them",
    label = "pass `&obj`, or a list or iterator of `{T}`s or `&{T}`s such as `[&a, &b]` or `&objects`",
    note = "related managers take the same objects as Django's `add(*objs)`"
)]
pub trait RelatedObjects<T: Model, S> {
    /// The primary keys of the objects, each checked to be saved.
    #[doc(hidden)]
    fn __keys(self) -> Result<Vec<Value>>;
}

/// The shape of [`RelatedObjects`] that is one `&T`.
#[derive(Debug)]
pub enum OneObject {}

/// The shape of [`RelatedObjects`] that is a list or an iterator.
#[derive(Debug)]
pub enum ManyObjects {}

/// A model instance, or a reference to one, as an element of [`RelatedObjects`]: `T`, `&T`
/// and `&&T`.
pub trait ModelRef<T> {
    /// The instance.
    #[doc(hidden)]
    fn __model(&self) -> &T;
}

impl<T: Model> ModelRef<T> for T {
    fn __model(&self) -> &T {
        self
    }
}

impl<T: Model> ModelRef<T> for &T {
    fn __model(&self) -> &T {
        self
    }
}

impl<T: Model> ModelRef<T> for &&T {
    fn __model(&self) -> &T {
        self
    }
}

impl<T: Model> RelatedObjects<T, OneObject> for &T
where
    T::Pk: FieldType,
{
    fn __keys(self) -> Result<Vec<Value>> {
        Ok(vec![pk_value(self)?])
    }
}

impl<T: Model, I> RelatedObjects<T, ManyObjects> for I
where
    T::Pk: FieldType,
    I: IntoIterator,
    I::Item: ModelRef<T>,
{
    fn __keys(self) -> Result<Vec<Value>> {
        self.into_iter().map(|object| pk_value(object.__model())).collect()
    }
}

fn pk_value<T: Model>(object: &T) -> Result<Value>
where
    T::Pk: FieldType,
{
    if object.__is_unsaved() {
        return Err(Error::Unsaved { model: T::meta().name, operation: "a related manager" });
    }
    Ok(object.pk().to_value())
}

impl<T: Model> ManyToMany<T>
where
    T::Pk: FieldType,
{
    /// The related rows, as a query to narrow further.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await?;
    /// # let guests = Group::objects().acreate(&db, [Group::name.set("guests")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// # ann.groups.aadd(&db, &staff).await?;
    /// // Django: ann.groups.all().order_by("name")
    /// let by_name = ann.groups.all()?.order_by([Group::name.asc()]);
    /// let names = by_name.values_list(Group::name).alist(&db).await?;
    /// assert_eq!(names, ["admins", "staff"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn all(&self) -> Result<QuerySet<T>> {
        let owner = self.owner("all")?;
        let (through, owner_column, target_column) = link(owner)?;
        let meta = T::meta();
        let q = Q::from_node(Node::InSubquery {
            lhs: Box::new(Node::Column(meta, meta.single_pk()?)),
            table: through,
            select: target_column,
            filter: Box::new(eq(through, owner_column, owner.key.clone())),
        });
        Ok(QuerySet::new().filter(q))
    }

    /// The related rows that match `q`.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await?;
    /// # let guests = Group::objects().acreate(&db, [Group::name.set("guests")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// # ann.groups.aadd(&db, &staff).await?;
    /// // Django: ann.groups.filter(name__startswith="a")
    /// let found = ann.groups.filter(Group::name.startswith("a"))?.alist(&db).await?;
    /// assert_eq!(found.len(), 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn filter(&self, q: Q<T>) -> Result<QuerySet<T>> {
        Ok(self.all()?.filter(q))
    }

    /// Every related row.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await?;
    /// # let guests = Group::objects().acreate(&db, [Group::name.set("guests")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// # ann.groups.aadd(&db, &staff).await?;
    /// // Django: [g async for g in ann.groups.all()]
    /// let groups = ann.groups.alist(&db).await?;
    /// assert_eq!(groups.len(), 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn alist(&self, ex: &impl Executor) -> Result<Vec<T>> {
        self.all()?.alist(ex).await
    }

    /// How many rows are linked.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await?;
    /// # let guests = Group::objects().acreate(&db, [Group::name.set("guests")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// # ann.groups.aadd(&db, &staff).await?;
    /// // Django: await ann.groups.acount()
    /// assert_eq!(ann.groups.acount(&db).await?, 2);
    /// assert_eq!(admins.users().acount(&db).await?, 1); // the other side, from related_name
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn acount(&self, ex: &impl Executor) -> Result<i64> {
        self.all()?.acount(ex).await
    }

    /// Whether any row is linked.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await?;
    /// # let guests = Group::objects().acreate(&db, [Group::name.set("guests")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// # ann.groups.aadd(&db, &staff).await?;
    /// // Django: await ann.groups.aexists()
    /// assert!(ann.groups.aexists(&db).await?);
    /// assert!(!bob.groups.aexists(&db).await?);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aexists(&self, ex: &impl Executor) -> Result<bool> {
        self.all()?.aexists(ex).await
    }

    /// Links `objects`: one `&T` or a list of them ([`RelatedObjects`]); an object already
    /// linked stays linked once. Several objects are linked all or nothing.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await?;
    /// # let guests = Group::objects().acreate(&db, [Group::name.set("guests")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// # ann.groups.aadd(&db, &staff).await?;
    /// // Django: await bob.groups.aadd(guests)
    /// bob.groups.aadd(&db, &guests).await?;
    /// bob.groups.aadd(&db, &guests).await?; // already linked: nothing changes
    /// assert_eq!(bob.groups.acount(&db).await?, 1);
    /// assert_eq!(guests.users().acount(&db).await?, 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aadd<S>(&self, ex: &impl Executor, objects: impl RelatedObjects<T, S>) -> Result<()> {
        self.aadd_with::<T, S>(ex, objects, []).await
    }

    /// Links `objects`, setting the through model's extra columns on each new link
    /// (Django's `through_defaults`). `W` is the through model.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct Person { #[kata(primary_key, auto)] id: i64, #[kata(many_to_many(through = Membership))] clubs: ManyToMany<Club> }
    /// # #[derive(Model, Debug, Clone)] struct Club { #[kata(primary_key, auto)] id: i64 }
    /// # #[derive(Model, Debug, Clone)] struct Membership { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] person: ForeignKey<Person>, #[kata(foreign_key)] club: ForeignKey<Club>, role: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Person::meta(), Club::meta(), Membership::meta()]).await?;
    /// let ann = Person::objects().acreate(&db, Vec::new()).await?;
    /// let chess = Club::objects().acreate(&db, Vec::new()).await?;
    /// ann.clubs.aadd_with(&db, &chess, [Membership::role.set("captain")]).await?;
    /// assert_eq!(Membership::objects().aget(&db, Membership::club.eq(&chess)).await?.role, "captain");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aadd_with<W: Model, S>(
        &self,
        ex: &impl Executor,
        objects: impl RelatedObjects<T, S>,
        through_defaults: impl IntoIterator<Item = Assignment<W>>,
    ) -> Result<()> {
        let owner = self.owner("aadd")?;
        let (through, owner_column, target_column) = link(owner)?;
        let through_defaults: Vec<Assignment<W>> = through_defaults.into_iter().collect();
        if !through_defaults.is_empty() && !std::ptr::eq(W::meta(), through) {
            return Err(Error::InvalidQuery(format!(
                "through_defaults must be assignments of {}",
                through.name
            )));
        }
        let keys = objects.__keys()?;
        let mut statements = Vec::with_capacity(keys.len());
        for target in &keys {
            statements.push(link_statement(
                ex,
                owner,
                through,
                owner_column,
                target_column,
                target,
                &through_defaults,
            )?);
        }
        let result: Result<()> = match statements.len() {
            0 => Ok(()),
            1 => run_all(ex, statements).await,
            _ => atomically!(ex, |x| run_all(x, statements).await),
        };
        match result {
            // SQLite does not name the constraint: find which side points nowhere (after a
            // transaction of several links ended, so the probe can run).
            Err(e) => {
                let mut links = vec![(owner_column, owner.key.clone())];
                links.extend(keys.into_iter().map(|k| (target_column, k)));
                let e = crate::query::for_model(e, through);
                Err(crate::query::name_foreign_key(ex, e, through, links).await)
            }
            Ok(()) => Ok(()),
        }
    }

    /// Unlinks `objects`, one `&T` or a list of them (the rows themselves stay).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await?;
    /// # let guests = Group::objects().acreate(&db, [Group::name.set("guests")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// # ann.groups.aadd(&db, &staff).await?;
    /// // Django: await ann.groups.aremove(admins)
    /// ann.groups.aremove(&db, &admins).await?;
    /// assert_eq!(ann.groups.all()?.values_list(Group::name).alist(&db).await?, ["staff"]);
    /// assert_eq!(Group::objects().acount(&db).await?, 3); // the group stays
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aremove<S>(&self, ex: &impl Executor, objects: impl RelatedObjects<T, S>) -> Result<()> {
        let owner = self.owner("aremove")?;
        let (through, owner_column, target_column) = link(owner)?;
        let keys = objects.__keys()?;
        if keys.is_empty() {
            return Ok(());
        }
        let mut w = SqlWriter::new(ex.__dialect())?;
        w.push("DELETE FROM ");
        w.ident(through.table);
        w.push(" WHERE ");
        w.node(&Node::And(vec![
            eq(through, owner_column, owner.key.clone()),
            Node::In(Box::new(Node::Column(through, target_column)), keys, <T::Pk as FieldType>::COLUMN_TYPE),
        ]))?;
        run::execute(ex, w.finish()).await?;
        Ok(())
    }

    /// Unlinks every row.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await?;
    /// # let guests = Group::objects().acreate(&db, [Group::name.set("guests")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// # ann.groups.aadd(&db, &staff).await?;
    /// // Django: await ann.groups.aclear()
    /// ann.groups.aclear(&db).await?;
    /// assert_eq!(ann.groups.acount(&db).await?, 0);
    /// assert_eq!(Group::objects().acount(&db).await?, 3); // the groups stay
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aclear(&self, ex: &impl Executor) -> Result<()> {
        let owner = self.owner("aclear")?;
        let (through, owner_column, _) = link(owner)?;
        let mut w = SqlWriter::new(ex.__dialect())?;
        w.push("DELETE FROM ");
        w.ident(through.table);
        w.push(" WHERE ");
        w.node(&eq(through, owner_column, owner.key.clone()))?;
        run::execute(ex, w.finish()).await?;
        Ok(())
    }

    /// Makes `objects` (one `&T` or a list of them) exactly the linked rows: unlinks the
    /// others, links the missing; all or nothing.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await?;
    /// # let guests = Group::objects().acreate(&db, [Group::name.set("guests")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// # ann.groups.aadd(&db, &staff).await?;
    /// // Django: await ann.groups.aset([staff, guests])
    /// ann.groups.aset(&db, &[&staff, &guests]).await?;
    /// let by_name = ann.groups.all()?.order_by([Group::name.asc()]);
    /// let names = by_name.values_list(Group::name).alist(&db).await?;
    /// assert_eq!(names, ["guests", "staff"]); // admins unlinked, guests linked, staff kept
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aset<S>(&self, ex: &impl Executor, objects: impl RelatedObjects<T, S>) -> Result<()> {
        let owner = self.owner("aset")?;
        let (through, owner_column, target_column) = link(owner)?;
        let keys = objects.__keys()?;
        let mut w = SqlWriter::new(ex.__dialect())?;
        w.push("DELETE FROM ");
        w.ident(through.table);
        w.push(" WHERE ");
        let mut keep = vec![eq(through, owner_column, owner.key.clone())];
        if !keys.is_empty() {
            keep.push(Node::Not(Box::new(Node::In(
                Box::new(Node::Column(through, target_column)),
                keys.clone(),
                <T::Pk as FieldType>::COLUMN_TYPE,
            ))));
        }
        w.node(&Node::And(keep))?;
        let mut statements = vec![w.finish()];
        for target in &keys {
            statements.push(link_statement::<W0>(
                ex,
                owner,
                through,
                owner_column,
                target_column,
                target,
                &[],
            )?);
        }
        let result: Result<()> = atomically!(ex, |x| run_all(x, statements).await);
        match result {
            // A failed statement ends the transaction before SQLite's unnamed foreign-key
            // error can be named inside it: name it now, once the links are as before.
            Err(e) => {
                let mut links = vec![(owner_column, owner.key.clone())];
                links.extend(keys.into_iter().map(|k| (target_column, k)));
                let e = crate::query::for_model(e, through);
                Err(crate::query::name_foreign_key(ex, e, through, links).await)
            }
            Ok(()) => Ok(()),
        }
    }

    /// Creates a related row from anything `QuerySet::acreate` takes, and links it; all or
    /// nothing.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await?;
    /// # let guests = Group::objects().acreate(&db, [Group::name.set("guests")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// # ann.groups.aadd(&db, &staff).await?;
    /// // Django: await ann.groups.acreate(name="mods")
    /// let mods = ann.groups.acreate(&db, [Group::name.set("mods")]).await?;
    /// assert_eq!(mods.name, "mods");
    /// assert!(ann.groups.filter(Group::id.eq(mods.id))?.aexists(&db).await?);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn acreate(&self, ex: &impl Executor, values: impl Insert<T>) -> Result<T> {
        self.owner("acreate")?;
        atomically!(ex, |x| async {
            let created = QuerySet::<T>::new().acreate(x, values).await?;
            self.aadd(x, &created).await?;
            Ok(created)
        }
        .await)
    }

    /// The linked row matching `lookup`, or a new one created from `lookup` and
    /// `defaults` and linked; the flag says whether it was created. `lookup` and `defaults`
    /// take what `QuerySet::aget_or_create` takes.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(many_to_many, related_name = "users")] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await?;
    /// # let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await?;
    /// # let guests = Group::objects().acreate(&db, [Group::name.set("guests")]).await?;
    /// # ann.groups.aadd(&db, &admins).await?;
    /// # ann.groups.aadd(&db, &staff).await?;
    /// // Django: await ann.groups.aget_or_create(name="admins")
    /// let (group, created) = ann.groups.aget_or_create(&db, vec![Group::name.set("admins")], vec![]).await?;
    /// assert_eq!((group.id, created), (admins.id, false));
    /// let (_, created) = ann.groups.aget_or_create(&db, vec![Group::name.set("mods")], vec![]).await?;
    /// assert!(created);
    /// assert_eq!(ann.groups.acount(&db).await?, 3);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aget_or_create(
        &self,
        ex: &impl Executor,
        lookup: impl IntoIterator<Item = Assignment<T>>,
        defaults: impl IntoIterator<Item = Assignment<T>>,
    ) -> Result<(T, bool)> {
        let lookup: Vec<Assignment<T>> = lookup.into_iter().collect();
        let q = crate::query::assignments_as_q(&lookup);
        match self.all()?.aget(ex, q).await {
            Ok(found) => Ok((found, false)),
            Err(Error::DoesNotExist { .. }) => {
                let mut values = lookup;
                values.extend(defaults);
                Ok((self.acreate(ex, values).await?, true))
            }
            Err(e) => Err(e),
        }
    }

    /// Updates the linked row matching `lookup` with `defaults`, or creates one from both
    /// and links it; the flag says whether it was created (Django's `aupdate_or_create` on
    /// a many-to-many manager). Runs in a transaction.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(many_to_many)] groups: ManyToMany<Group> }
    /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String, #[kata(default = 0)] level: i64 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// let ann = User::objects().acreate(&db, Vec::new()).await?;
    /// let (g, created) = ann.groups.aupdate_or_create(&db, [Group::name.set("ops")], [Group::level.set(1)]).await?;
    /// assert!(created);
    /// let (g2, created) = ann.groups.aupdate_or_create(&db, [Group::name.set("ops")], [Group::level.set(2)]).await?;
    /// assert!(!created);
    /// assert_eq!((g2.id, g2.level), (g.id, 2));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aupdate_or_create(
        &self,
        ex: &impl Executor,
        lookup: impl IntoIterator<Item = Assignment<T>>,
        defaults: impl IntoIterator<Item = Assignment<T>>,
    ) -> Result<(T, bool)> {
        let all = self.all()?;
        let lookup: Vec<Assignment<T>> = lookup.into_iter().collect();
        let defaults: Vec<Assignment<T>> = defaults.into_iter().collect();
        atomically!(ex, |x| async {
            let (object, created) = all.aupdate_or_create(x, lookup, defaults).await?;
            if created {
                self.aadd(x, &object).await?;
            }
            Ok((object, created))
        }
        .await)
    }
}

/// The type of "no through defaults".
type W0 = ();

/// `INSERT INTO link (owner, target, extras..) SELECT .. WHERE NOT EXISTS (..)`: one link,
/// no duplicate with or without a unique constraint on the through table.
fn link_statement<W>(
    ex: &impl Executor,
    owner: &Owner,
    through: &'static crate::ModelMeta,
    owner_column: usize,
    target_column: usize,
    target: &Value,
    through_defaults: &[Assignment<W>],
) -> Result<crate::query::sql::Statement> {
    let mut w = SqlWriter::new(ex.__dialect())?;
    w.push("INSERT INTO ");
    w.ident(through.table);
    w.push(" (");
    w.ident(through.columns[owner_column].name);
    w.push(", ");
    w.ident(through.columns[target_column].name);
    for a in through_defaults {
        w.push(", ");
        w.ident(through.columns[a.index].name);
    }
    w.push(") SELECT ");
    w.bind_value(&owner.key)?;
    w.push(", ");
    w.bind_value(target)?;
    for a in through_defaults {
        w.push(", ");
        w.node(&a.node)?;
    }
    w.push(ex.__dialect().select_without_from());
    w.push(" WHERE NOT EXISTS (SELECT 1 FROM ");
    w.ident(through.table);
    w.push(" WHERE ");
    w.node(&Node::And(vec![
        eq(through, owner_column, owner.key.clone()),
        eq(through, target_column, target.clone()),
    ]))?;
    w.push(")");
    Ok(w.finish())
}

/// Runs `statements` in order, stopping at the first failure.
async fn run_all(ex: &impl Executor, statements: Vec<crate::query::sql::Statement>) -> Result<()> {
    for statement in statements {
        run::execute(ex, statement).await?;
    }
    Ok(())
}

impl<T: Model> HasMany<T>
where
    T::Pk: FieldType,
{
    /// The related rows, as a query to narrow further.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "set_null")] author: Option<ForeignKey<User>>, title: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # for title in ["hello", "again"] {
    /// #     Post::objects().acreate(&db, [Post::author.set(Some(ForeignKey::from(&ann))), Post::title.set(title)]).await?;
    /// # }
    /// # let draft = Post::objects().acreate(&db, [Post::title.set("draft")]).await?; // no author
    /// // Django: ann.post_set.all().order_by("title")
    /// let by_title = ann.posts.all()?.order_by([Post::title.asc()]);
    /// let titles = by_title.values_list(Post::title).alist(&db).await?;
    /// assert_eq!(titles, ["again", "hello"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn all(&self) -> Result<QuerySet<T>> {
        let owner = self.owner("all")?;
        let column = reverse_column(owner)?;
        Ok(QuerySet::new().filter(Q::from_node(eq(T::meta(), column, owner.key.clone()))))
    }

    /// The related rows that match `q`.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "set_null")] author: Option<ForeignKey<User>>, title: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # for title in ["hello", "again"] {
    /// #     Post::objects().acreate(&db, [Post::author.set(Some(ForeignKey::from(&ann))), Post::title.set(title)]).await?;
    /// # }
    /// # let draft = Post::objects().acreate(&db, [Post::title.set("draft")]).await?; // no author
    /// // Django: ann.post_set.filter(title__startswith="h")
    /// assert_eq!(ann.posts.filter(Post::title.startswith("h"))?.acount(&db).await?, 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn filter(&self, q: Q<T>) -> Result<QuerySet<T>> {
        Ok(self.all()?.filter(q))
    }

    /// Every related row.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "set_null")] author: Option<ForeignKey<User>>, title: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # for title in ["hello", "again"] {
    /// #     Post::objects().acreate(&db, [Post::author.set(Some(ForeignKey::from(&ann))), Post::title.set(title)]).await?;
    /// # }
    /// # let draft = Post::objects().acreate(&db, [Post::title.set("draft")]).await?; // no author
    /// // Django: [p async for p in ann.post_set.all()]
    /// let posts = ann.posts.alist(&db).await?;
    /// assert_eq!(posts.len(), 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn alist(&self, ex: &impl Executor) -> Result<Vec<T>> {
        self.all()?.alist(ex).await
    }

    /// How many rows point here.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "set_null")] author: Option<ForeignKey<User>>, title: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # for title in ["hello", "again"] {
    /// #     Post::objects().acreate(&db, [Post::author.set(Some(ForeignKey::from(&ann))), Post::title.set(title)]).await?;
    /// # }
    /// # let draft = Post::objects().acreate(&db, [Post::title.set("draft")]).await?; // no author
    /// // Django: await ann.post_set.acount()
    /// assert_eq!(ann.posts.acount(&db).await?, 2);
    /// assert_eq!(bob.posts.acount(&db).await?, 0);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn acount(&self, ex: &impl Executor) -> Result<i64> {
        self.all()?.acount(ex).await
    }

    /// Whether any row points here.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "set_null")] author: Option<ForeignKey<User>>, title: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # for title in ["hello", "again"] {
    /// #     Post::objects().acreate(&db, [Post::author.set(Some(ForeignKey::from(&ann))), Post::title.set(title)]).await?;
    /// # }
    /// # let draft = Post::objects().acreate(&db, [Post::title.set("draft")]).await?; // no author
    /// // Django: await ann.post_set.aexists()
    /// assert!(ann.posts.aexists(&db).await?);
    /// assert!(!bob.posts.aexists(&db).await?);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aexists(&self, ex: &impl Executor) -> Result<bool> {
        self.all()?.aexists(ex).await
    }

    fn set_key(&self, column: usize, value: Value) -> Assignment<T> {
        Assignment::new(column, Node::Value(value))
    }

    /// The rows with these keys.
    fn with_keys(keys: Vec<Value>) -> Result<Q<T>> {
        let meta = T::meta();
        Ok(Q::from_node(Node::In(
            Box::new(Node::Column(meta, meta.single_pk()?)),
            keys,
            <T::Pk as FieldType>::COLUMN_TYPE,
        )))
    }

    /// Points the foreign key of `objects` (one `&T` or a list of them) here: one UPDATE.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "set_null")] author: Option<ForeignKey<User>>, title: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # for title in ["hello", "again"] {
    /// #     Post::objects().acreate(&db, [Post::author.set(Some(ForeignKey::from(&ann))), Post::title.set(title)]).await?;
    /// # }
    /// # let draft = Post::objects().acreate(&db, [Post::title.set("draft")]).await?; // no author
    /// // Django: await bob.post_set.aadd(draft)
    /// bob.posts.aadd(&db, &draft).await?;
    /// let draft = Post::objects().aget(&db, Post::id.eq(draft.id)).await?;
    /// assert_eq!(draft.author.map(|author| author.id()), Some(bob.id));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aadd<S>(&self, ex: &impl Executor, objects: impl RelatedObjects<T, S>) -> Result<()> {
        let owner = self.owner("aadd")?;
        let column = reverse_column(owner)?;
        let keys = objects.__keys()?;
        if keys.is_empty() {
            return Ok(());
        }
        QuerySet::<T>::new()
            .filter(Self::with_keys(keys)?)
            .aupdate(ex, vec![self.set_key(column, owner.key.clone())])
            .await?;
        Ok(())
    }

    /// Clears the foreign key of `objects` (one `&T` or a list of them) where it points
    /// here (only for a nullable foreign key).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "set_null")] author: Option<ForeignKey<User>>, title: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # for title in ["hello", "again"] {
    /// #     Post::objects().acreate(&db, [Post::author.set(Some(ForeignKey::from(&ann))), Post::title.set(title)]).await?;
    /// # }
    /// # let draft = Post::objects().acreate(&db, [Post::title.set("draft")]).await?; // no author
    /// let hello = Post::objects().aget(&db, Post::title.eq("hello")).await?;
    /// // Django: await ann.post_set.aremove(hello)
    /// ann.posts.aremove(&db, &hello).await?;
    /// assert_eq!(ann.posts.acount(&db).await?, 1);
    /// assert_eq!(Post::objects().acount(&db).await?, 3); // the post stays, without an author
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aremove<S>(&self, ex: &impl Executor, objects: impl RelatedObjects<T, S>) -> Result<()> {
        let owner = self.owner("aremove")?;
        let column = reverse_column(owner)?;
        let keys = objects.__keys()?;
        if keys.is_empty() {
            return Ok(());
        }
        let q = Self::with_keys(keys)? & Q::from_node(eq(T::meta(), column, owner.key.clone()));
        self.null_out(ex, column, q).await
    }

    /// Clears the foreign key of every related row (only for a nullable foreign key).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "set_null")] author: Option<ForeignKey<User>>, title: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # for title in ["hello", "again"] {
    /// #     Post::objects().acreate(&db, [Post::author.set(Some(ForeignKey::from(&ann))), Post::title.set(title)]).await?;
    /// # }
    /// # let draft = Post::objects().acreate(&db, [Post::title.set("draft")]).await?; // no author
    /// // Django: await ann.post_set.aclear()
    /// ann.posts.aclear(&db).await?;
    /// assert_eq!(ann.posts.acount(&db).await?, 0);
    /// assert_eq!(Post::objects().filter(Post::author.isnull(true)).acount(&db).await?, 3);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aclear(&self, ex: &impl Executor) -> Result<()> {
        let owner = self.owner("aclear")?;
        let column = reverse_column(owner)?;
        self.null_out(ex, column, Q::from_node(eq(T::meta(), column, owner.key.clone()))).await
    }

    async fn null_out(&self, ex: &impl Executor, column: usize, q: Q<T>) -> Result<()> {
        let meta = T::meta();
        if !meta.columns[column].nullable {
            return Err(Error::InvalidQuery(format!(
                "{}.{} is not nullable: remove the rows with adelete instead",
                meta.name, meta.columns[column].field
            )));
        }
        let null = Assignment::new(column, Node::Value(Value::Null(meta.columns[column].ty)));
        QuerySet::<T>::new().filter(q).aupdate(ex, vec![null]).await?;
        Ok(())
    }

    /// Makes `objects` (one `&T` or a list of them) exactly the related rows (the others'
    /// foreign keys are cleared); all or nothing.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "set_null")] author: Option<ForeignKey<User>>, title: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # for title in ["hello", "again"] {
    /// #     Post::objects().acreate(&db, [Post::author.set(Some(ForeignKey::from(&ann))), Post::title.set(title)]).await?;
    /// # }
    /// # let draft = Post::objects().acreate(&db, [Post::title.set("draft")]).await?; // no author
    /// // Django: await ann.post_set.aset([draft])
    /// ann.posts.aset(&db, &[&draft]).await?;
    /// assert_eq!(ann.posts.all()?.values_list(Post::title).alist(&db).await?, ["draft"]);
    /// assert_eq!(Post::objects().filter(Post::author.isnull(true)).acount(&db).await?, 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aset<S>(&self, ex: &impl Executor, objects: impl RelatedObjects<T, S>) -> Result<()> {
        self.owner("aset")?;
        let keys = objects.__keys()?;
        atomically!(ex, |x| async {
            self.aclear(x).await?;
            if !keys.is_empty() {
                let owner = self.owner("aset")?;
                let column = reverse_column(owner)?;
                QuerySet::<T>::new()
                    .filter(Self::with_keys(keys)?)
                    .aupdate(x, vec![self.set_key(column, owner.key.clone())])
                    .await?;
            }
            Ok(())
        }
        .await)
    }

    /// Creates a row pointing here, from assignments or an input schema (the foreign key
    /// is set for you).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "set_null")] author: Option<ForeignKey<User>>, title: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # for title in ["hello", "again"] {
    /// #     Post::objects().acreate(&db, [Post::author.set(Some(ForeignKey::from(&ann))), Post::title.set(title)]).await?;
    /// # }
    /// # let draft = Post::objects().acreate(&db, [Post::title.set("draft")]).await?; // no author
    /// // Django: await ann.post_set.acreate(title="new")
    /// let post = ann.posts.acreate(&db, [Post::title.set("new")]).await?;
    /// assert_eq!(post.author.map(|author| author.id()), Some(ann.id));
    /// assert_eq!(ann.posts.acount(&db).await?, 3);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn acreate(&self, ex: &impl Executor, values: impl Insert<T>) -> Result<T> {
        let owner = self.owner("acreate")?;
        let column = reverse_column(owner)?;
        values.validate_insert()?;
        let mut assignments = match values.into_insert() {
            InsertSource::Assignments(a) => a,
            InsertSource::Model(_) => {
                return Err(Error::InvalidQuery(
                    "a related manager's acreate takes assignments or an input schema, not a whole model"
                        .into(),
                ));
            }
        };
        assignments.retain(|a| a.index != column);
        assignments.push(self.set_key(column, owner.key.clone()));
        QuerySet::<T>::new().acreate(ex, assignments).await
    }

    /// `lookup` narrowed to this owner's rows: its own foreign key replaced by this owner.
    fn owned_lookup(
        &self,
        operation: &'static str,
        lookup: impl IntoIterator<Item = Assignment<T>>,
    ) -> Result<(usize, Vec<Assignment<T>>)> {
        let owner = self.owner(operation)?;
        let column = reverse_column(owner)?;
        let mut lookup: Vec<Assignment<T>> = lookup.into_iter().filter(|a| a.index != column).collect();
        lookup.push(self.set_key(column, owner.key.clone()));
        Ok((column, lookup))
    }

    /// The related row matching `lookup`, or a new one pointing here; the flag says
    /// whether it was created. `lookup` and `defaults` take what
    /// `QuerySet::aget_or_create` takes.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "set_null")] author: Option<ForeignKey<User>>, title: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # for title in ["hello", "again"] {
    /// #     Post::objects().acreate(&db, [Post::author.set(Some(ForeignKey::from(&ann))), Post::title.set(title)]).await?;
    /// # }
    /// # let draft = Post::objects().acreate(&db, [Post::title.set("draft")]).await?; // no author
    /// // Django: await ann.post_set.aget_or_create(title="hello")
    /// let (hello, created) = ann.posts.aget_or_create(&db, vec![Post::title.set("hello")], vec![]).await?;
    /// assert!(!created && hello.title == "hello");
    /// let (_, created) = bob.posts.aget_or_create(&db, vec![Post::title.set("hello")], vec![]).await?;
    /// assert!(created); // bob had no post "hello"
    /// assert_eq!(bob.posts.acount(&db).await?, 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aget_or_create(
        &self,
        ex: &impl Executor,
        lookup: impl IntoIterator<Item = Assignment<T>>,
        defaults: impl IntoIterator<Item = Assignment<T>>,
    ) -> Result<(T, bool)> {
        let (_, lookup) = self.owned_lookup("aget_or_create", lookup)?;
        QuerySet::<T>::new().aget_or_create(ex, lookup, defaults).await
    }

    /// Updates the related row matching `lookup` with `defaults`, or creates one pointing
    /// here from both; the flag says whether it was created (Django's `aupdate_or_create`
    /// on a reverse foreign key). `defaults` cannot move the row to another owner
    /// (`Error::InvalidQuery`). Runs in a transaction.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
    /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User>, title: String, #[kata(default = false)] published: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// let ann = User::objects().acreate(&db, Vec::new()).await?;
    /// let (post, created) = ann.posts.aupdate_or_create(&db, [Post::title.set("hi")], []).await?;
    /// assert!(created && !post.published);
    /// let (post, created) = ann.posts.aupdate_or_create(&db, [Post::title.set("hi")], [Post::published.set(true)]).await?;
    /// assert!(!created && post.published);
    /// assert_eq!(post.author.id(), ann.id);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aupdate_or_create(
        &self,
        ex: &impl Executor,
        lookup: impl IntoIterator<Item = Assignment<T>>,
        defaults: impl IntoIterator<Item = Assignment<T>>,
    ) -> Result<(T, bool)> {
        let (column, lookup) = self.owned_lookup("aupdate_or_create", lookup)?;
        let defaults: Vec<Assignment<T>> = defaults.into_iter().collect();
        if defaults.iter().any(|a| a.index == column) {
            let meta = T::meta();
            return Err(Error::InvalidQuery(format!(
                "the defaults of a related manager's aupdate_or_create cannot set {}.{}: the row \
                 belongs to the manager's owner",
                meta.name, meta.columns[column].field
            )));
        }
        QuerySet::<T>::new().aupdate_or_create(ex, lookup, defaults).await
    }
}
