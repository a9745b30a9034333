//! Related managers (Django 4.2's async names) on `ManyToMany<T>` and `HasMany<T>` fields.
//!
//! Their arguments have the shapes of the `QuerySet` methods of the same names: lookups and
//! defaults are any list of assignments (`[Group::name.set("x")]`, a `Vec`, an iterator),
//! values to create are anything `acreate` takes, and objects are one `&T` or a list of
//! them ([`RelatedObjects`]).

mod has_many;
mod many_to_many;

use crate::error::{Error, Result};
use crate::expr::{BinOp, Node, RelStep};
use crate::model::Model;
use crate::relation::fields::Owner;
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
