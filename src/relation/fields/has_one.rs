//! `HasOne<T>`: the reverse side of a one-to-one relation, loaded by `select_related`.

use super::Owner;
use crate::db::Executor;
use crate::error::{Error, NotLoaded, Result};
use crate::expr::{BinOp, Node, Q};
use crate::model::{Model, RelationMeta};
use crate::query::QuerySet;
use crate::value::{FieldType, Value};

/// The reverse side of a one-to-one relation (`user.profile` for `Profile.user`): not a
/// column. `select_related(User::profile)` loads it with a LEFT JOIN; then
/// [`get`](Self::get) returns `Ok(Some(row))`, or `Ok(None)` when there is none (and
/// `Err(NotLoaded)` when `select_related` did not load it).
///
/// ```
/// # use kata::prelude::*;
/// #[derive(Model, Debug, Clone, PartialEq)]
/// struct User {
///     #[kata(primary_key, auto)]
///     id: i64,
///     #[kata(reverse_of = Profile::user)]
///     profile: HasOne<Profile>,
/// }
/// #[derive(Model, Debug, Clone, PartialEq)]
/// struct Profile {
///     #[kata(primary_key, auto)]
///     id: i64,
///     #[kata(one_to_one)]
///     user: OneToOne<User>,
///     bio: String,
/// }
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// db.create_tables(&[User::meta(), Profile::meta()]).await?;
/// let ann = User::objects().acreate(&db, Vec::new()).await?;
/// Profile::objects().acreate(&db, [Profile::user.set(OneToOne::from(&ann)), Profile::bio.set("hi")]).await?;
/// let users = User::objects().select_related(User::profile).alist(&db).await?;
/// assert_eq!(users[0].profile.get()?.map(|p| p.bio.as_str()), Some("hi"));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub struct HasOne<T> {
    owner: Option<Owner>,
    object: Option<Box<T>>,
    loaded: bool,
}

impl<T> Default for HasOne<T> {
    /// Not loaded and not attached to a saved owner.
    fn default() -> Self {
        HasOne { owner: None, object: None, loaded: false }
    }
}

impl<T: Clone> Clone for HasOne<T> {
    fn clone(&self) -> Self {
        HasOne { owner: self.owner.clone(), object: self.object.clone(), loaded: self.loaded }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for HasOne<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.object, self.loaded) {
            (Some(object), _) => f.debug_tuple("HasOne").field(object).finish(),
            (None, true) => f.write_str("HasOne(none)"),
            (None, false) => f.write_str("HasOne(not loaded)"),
        }
    }
}

/// Relations compare equal: they are not part of a row's value.
impl<T> PartialEq for HasOne<T> {
    fn eq(&self, _other: &Self) -> bool {
        true
    }
}

impl<T: Model> HasOne<T>
where
    T::Pk: FieldType,
{
    /// The related row that `select_related` loaded: `Ok(Some(row))`, `Ok(None)` when it
    /// found no row, and `Err(NotLoaded)` when it did not run (so "no row" and "not loaded"
    /// are told apart). `NotLoaded` converts into [`Error::NotLoaded`], so `?` works in a
    /// function returning `kata::Result`. Never queries.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(reverse_of = Profile::user)] profile: HasOne<Profile> }
    /// # #[derive(Model, Debug, Clone)] struct Profile { #[kata(primary_key, auto)] id: i64, #[kata(one_to_one)] user: OneToOne<User>, bio: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Profile::meta()]).await?;
    /// let ann = User::objects().acreate(&db, Vec::new()).await?;
    /// let plain = User::objects().aget(&db, User::id.eq(ann.id)).await?;
    /// assert!(plain.profile.get().is_err()); // not loaded
    /// let joined = User::objects().select_related(User::profile).aget(&db, User::id.eq(ann.id)).await?;
    /// assert!(joined.profile.get()?.is_none()); // loaded: ann has no profile
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn get(&self) -> std::result::Result<Option<&T>, NotLoaded> {
        if self.loaded { Ok(self.object.as_deref()) } else { Err(self.not_loaded()) }
    }

    /// Takes the loaded row out, by value (as [`get`](Self::get) tells it); afterwards the
    /// relation is not loaded. Never queries.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(reverse_of = Profile::user)] profile: HasOne<Profile> }
    /// # #[derive(Model, Debug, Clone)] struct Profile { #[kata(primary_key, auto)] id: i64, #[kata(one_to_one)] user: OneToOne<User>, bio: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Profile::meta()]).await?;
    /// let ann = User::objects().acreate(&db, Vec::new()).await?;
    /// Profile::objects().acreate(&db, [Profile::user.set(OneToOne::from(&ann)), Profile::bio.set("hi")]).await?;
    /// let mut users = User::objects().select_related(User::profile).alist(&db).await?;
    /// let profile: Option<Profile> = users[0].profile.take()?;
    /// assert_eq!(profile.map(|p| p.bio), Some("hi".to_string()));
    /// assert!(users[0].profile.get().is_err());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn take(&mut self) -> std::result::Result<Option<T>, NotLoaded> {
        if !self.loaded {
            return Err(self.not_loaded());
        }
        self.loaded = false;
        Ok(self.object.take().map(|object| *object))
    }

    fn not_loaded(&self) -> NotLoaded {
        match &self.owner {
            Some(owner) => NotLoaded { model: owner.meta.name, relation: owner.relation.field },
            None => NotLoaded { model: "(an unsaved model)", relation: T::meta().name },
        }
    }

    /// Whether `select_related` loaded this relation.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Profile::user)] profile: HasOne<Profile> }
    /// # #[derive(Model, Debug, Clone)] struct Profile { #[kata(primary_key, auto)] id: i64, #[kata(one_to_one)] user: OneToOne<User>, bio: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Profile::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # Profile::objects().acreate(&db, [Profile::user.set(OneToOne::from(&ann)), Profile::bio.set("hi")]).await?;
    /// let users = User::objects().select_related(User::profile).alist(&db).await?;
    /// assert!(users.iter().all(|u| u.profile.is_loaded())); // bob's too: loaded, and none
    /// assert!(!ann.profile.is_loaded());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn is_loaded(&self) -> bool {
        self.loaded
    }

    /// Fetches the related row (`Error::DoesNotExist` when there is none).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(reverse_of = Profile::user)] profile: HasOne<Profile> }
    /// # #[derive(Model, Debug, Clone)] struct Profile { #[kata(primary_key, auto)] id: i64, #[kata(one_to_one)] user: OneToOne<User>, bio: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Profile::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # Profile::objects().acreate(&db, [Profile::user.set(OneToOne::from(&ann)), Profile::bio.set("hi")]).await?;
    /// // Django: await Profile.objects.aget(user=ann)
    /// assert_eq!(ann.profile.aget(&db).await?.bio, "hi");
    /// assert!(matches!(bob.profile.aget(&db).await, Err(kata::Error::DoesNotExist { .. })));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aget(&self, ex: &impl Executor) -> Result<T> {
        let owner =
            self.owner.as_ref().ok_or(Error::Unsaved { model: "the relation's owner", operation: "aget" })?;
        let column = match crate::relation::step_of(owner.meta, owner.relation)? {
            crate::expr::RelStep::Reverse { column, .. } => column,
            _ => return Err(Error::Internal("a HasOne field attached to another kind of relation")),
        };
        let q = Q::from_node(Node::Binary(
            Box::new(Node::Column(T::meta(), column)),
            BinOp::Eq,
            Box::new(Node::Value(owner.key.clone())),
        ));
        QuerySet::<T>::new().aget(ex, q).await
    }

    #[doc(hidden)]
    pub fn __attach(&mut self, key: Value, meta: &'static crate::ModelMeta, relation: &'static RelationMeta) {
        self.owner = Some(Owner { key, meta, relation });
    }

    #[doc(hidden)]
    pub fn __set_loaded(&mut self, object: Option<T>) {
        self.object = object.map(Box::new);
        self.loaded = true;
    }
}
