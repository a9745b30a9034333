//! The relation field types a model declares: `ForeignKey<T>`, `OneToOne<T>`,
//! `ManyToMany<T>` and `HasMany<T>`.
//!
//! Reading a relation never runs a query by itself: `get()` returns what `select_related`
//! or `prefetch_related` loaded (or `None`), and fetching is an explicit `.await` with an
//! executor.

use crate::db::Executor;
use crate::driver::{Args, RowRef};
use crate::error::{Error, Result};
use crate::expr::{BinOp, Node, Q};
use crate::model::Model;
use crate::model::RelationMeta;
use crate::query::QuerySet;
use crate::value::{ColumnType, FieldType, Value};

mod has_one;
pub use has_one::HasOne;

/// The key of a nullable relation (`Option<ForeignKey<T>>`, `Option<OneToOne<T>>`, Django's
/// `post.editor_id`), without matching on the `Option`. In the prelude.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct User { #[kata(primary_key, auto)] id: i64 }
/// let editor: Option<ForeignKey<User>> = Some(ForeignKey::new(3));
/// assert_eq!(editor.id(), Some(3));
/// assert_eq!(editor.key(), Some(&3));
/// let nobody: Option<ForeignKey<User>> = None;
/// assert_eq!(nobody.id(), None);
/// ```
pub trait OptionalRelation {
    /// The related model's primary key type.
    type Pk;
    /// The key, borrowed; `None` for NULL.
    fn key(&self) -> Option<&Self::Pk>;
    /// The key by value (for `Copy` keys such as integers); `None` for NULL.
    fn id(&self) -> Option<Self::Pk>
    where
        Self::Pk: Copy;
}

macro_rules! single_valued {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<T: Model> {
            key: T::Pk,
            object: Option<Box<T>>,
        }

        impl<T: Model> $name<T> {
            /// A relation to the row with this key (not loaded).
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug, Clone, PartialEq)] struct User { #[kata(primary_key, auto)] id: i64, name: String }
            #[doc = concat!("let author = ", stringify!($name), "::<User>::new(7);")]
            /// assert_eq!(author.id(), 7);
            /// assert!(!author.is_loaded());
            /// ```
            pub fn new(key: T::Pk) -> Self {
                $name { key, object: None }
            }

            /// A relation to `object`, loaded.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug, Clone, PartialEq)] struct User { #[kata(primary_key, auto)] id: i64, name: String }
            #[doc = concat!("let author = ", stringify!($name), "::loaded(User { id: 7, name: \"ann\".into() });")]
            /// assert_eq!(author.id(), 7);
            /// assert_eq!(author.get().map(|u| u.name.as_str()), Some("ann"));
            /// ```
            pub fn loaded(object: T) -> Self {
                $name { key: object.pk(), object: Some(Box::new(object)) }
            }

            /// The key of the related row (the column's value, Django's `post.author_id`), by
            /// value: for keys that are `Copy` (integers). [`key`](Self::key) borrows any key.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model)] struct User { #[kata(primary_key, auto)] id: i64 }
            /// let author: ForeignKey<User> = ForeignKey::new(7);
            /// assert_eq!(author.id(), 7);
            /// ```
            pub fn id(&self) -> T::Pk
            where
                T::Pk: Copy,
            {
                self.key
            }

            /// The key of the related row, borrowed: for any key type, `String` included.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model)] struct Country { #[kata(primary_key)] code: String }
            /// let country: ForeignKey<Country> = ForeignKey::new("fr".to_string());
            /// assert_eq!(country.key(), "fr");
            /// ```
            pub fn key(&self) -> &T::Pk {
                &self.key
            }

            /// The related object, if `select_related` (or [`loaded`](Self::loaded)) loaded it.
            /// Never queries.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug, Clone, PartialEq)] struct User { #[kata(primary_key, auto)] id: i64, name: String }
            #[doc = concat!("let loaded = ", stringify!($name), "::loaded(User { id: 7, name: \"ann\".into() });")]
            /// assert_eq!(loaded.get().map(|u| u.name.as_str()), Some("ann"));
            #[doc = concat!("let key_only = ", stringify!($name), "::<User>::new(7);")]
            /// assert_eq!(key_only.get(), None); // never fetched behind your back
            /// ```
            pub fn get(&self) -> Option<&T> {
                self.object.as_deref()
            }

            /// Takes the loaded object out, by value; the relation keeps its key and is no
            /// longer loaded. `None` when it was not loaded. Never queries.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug, Clone, PartialEq)] struct User { #[kata(primary_key, auto)] id: i64, name: String }
            /// let mut author = ForeignKey::loaded(User { id: 7, name: "ann".into() });
            /// let user: Option<User> = author.take();
            /// assert_eq!(user.map(|u| u.name), Some("ann".to_string()));
            /// assert!(!author.is_loaded());
            /// assert_eq!(author.id(), 7);
            /// ```
            pub fn take(&mut self) -> Option<T> {
                self.object.take().map(|object| *object)
            }

            /// Whether the related object is loaded.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug, Clone, PartialEq)] struct User { #[kata(primary_key, auto)] id: i64, name: String }
            #[doc = concat!("assert!(", stringify!($name), "::loaded(User { id: 7, name: \"ann\".into() }).is_loaded());")]
            #[doc = concat!("assert!(!", stringify!($name), "::<User>::new(7).is_loaded());")]
            /// ```
            pub fn is_loaded(&self) -> bool {
                self.object.is_some()
            }

            /// Fetches the related object (one query), whether or not it was loaded.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug, Clone, PartialEq)] struct User { #[kata(primary_key, auto)] id: i64, name: String }
            /// # async fn demo() -> kata::Result<()> {
            /// # let db = Db::connect("sqlite::memory:").await?;
            /// # db.create_tables(&[User::meta()]).await?;
            /// let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
            #[doc = concat!("let author = ", stringify!($name), "::<User>::new(ann.id);")]
            /// // Django (async): await User.objects.aget(pk=post.author_id)
            /// assert_eq!(author.aget(&db).await?.name, "ann");
            #[doc = concat!("let gone = ", stringify!($name), "::<User>::new(99).aget(&db).await;")]
            /// assert!(matches!(gone, Err(kata::Error::DoesNotExist { .. })));
            /// # Ok(()) }
            /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
            /// ```
            pub async fn aget(&self, ex: &impl Executor) -> Result<T>
            where
                T::Pk: FieldType,
            {
                let meta = T::meta();
                let pk = meta.single_pk()?;
                let q = Q::from_node(Node::Binary(
                    Box::new(Node::Column(meta, pk)),
                    BinOp::Eq,
                    Box::new(Node::Value(self.key.to_value())),
                ));
                QuerySet::<T>::new().aget(ex, q).await
            }

            #[doc(hidden)]
            pub fn __set_loaded(&mut self, object: T) {
                self.object = Some(Box::new(object));
            }
        }

        impl<T: Model> From<&T> for $name<T> {
            /// A relation to `object`'s row (not loaded: the object is not copied).
            fn from(object: &T) -> Self {
                $name::new(object.pk())
            }
        }

        impl<T: Model> Clone for $name<T>
        where
            T: Clone,
        {
            fn clone(&self) -> Self {
                $name { key: self.key.clone(), object: self.object.clone() }
            }
        }

        impl<T: Model> std::fmt::Debug for $name<T>
        where
            T: std::fmt::Debug,
        {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match &self.object {
                    Some(object) => f.debug_tuple(stringify!($name)).field(object).finish(),
                    None => f.debug_struct(stringify!($name)).field("id", &self.key).finish_non_exhaustive(),
                }
            }
        }

        /// Two relations are equal when they point at the same row, loaded or not.
        impl<T: Model> PartialEq for $name<T> {
            fn eq(&self, other: &Self) -> bool {
                self.key == other.key
            }
        }

        impl<T: Model> Default for $name<T>
        where
            T::Pk: Default,
        {
            fn default() -> Self {
                $name::new(T::Pk::default())
            }
        }

        impl<T: Model> FieldType for $name<T>
        where
            T::Pk: FieldType,
        {
            type Inner = $name<T>;
            const COLUMN_TYPE: ColumnType = <T::Pk as FieldType>::COLUMN_TYPE;
            fn decode(row: RowRef<'_>, index: usize) -> Result<Self> {
                <T::Pk as FieldType>::decode(row, index).map($name::new)
            }
            fn bind(&self, args: &mut Args) -> Result<()> {
                self.key.bind(args)
            }
            fn to_value(&self) -> Value {
                self.key.to_value()
            }
            fn into_value(self) -> Value {
                self.key.to_value()
            }
            fn from_value(value: &Value) -> Option<Self> {
                <T::Pk as FieldType>::from_value(value).map($name::new)
            }
        }

        impl<M, T: Model> From<&T> for crate::expr::Expr<M, $name<T>>
        where
            T::Pk: FieldType,
        {
            fn from(object: &T) -> Self {
                crate::expr::Expr::from_node(Node::Value(object.pk().to_value()))
            }
        }

        impl<T: Model> crate::relation::Related for $name<T> {
            type Target = T;
            type Reached<X: FieldType> = X;
            fn target_meta() -> &'static crate::ModelMeta {
                T::meta()
            }
        }

        impl<T: Model> crate::relation::RelationKey for $name<T> {
            type Key = T::Pk;
            fn key(&self) -> T::Pk {
                self.key.clone()
            }
            fn from_key(key: T::Pk) -> Self {
                $name::new(key)
            }
        }

        impl<T: Model> crate::relation::RelationKey for Option<$name<T>> {
            type Key = Option<T::Pk>;
            fn key(&self) -> Option<T::Pk> {
                self.as_ref().map(|r| r.key.clone())
            }
            fn from_key(key: Option<T::Pk>) -> Self {
                key.map($name::new)
            }
        }

        impl<T: Model> OptionalRelation for Option<$name<T>> {
            type Pk = T::Pk;
            fn key(&self) -> Option<&T::Pk> {
                self.as_ref().map(|r| &r.key)
            }
            fn id(&self) -> Option<T::Pk>
            where
                T::Pk: Copy,
            {
                self.as_ref().map(|r| r.key)
            }
        }

        impl<T: Model> crate::relation::Related for Option<$name<T>> {
            type Target = T;
            type Reached<X: FieldType> = Option<X::Inner>;
            fn target_meta() -> &'static crate::ModelMeta {
                T::meta()
            }
        }
    };
}

single_valued! {
    /// A foreign key: the column `<field>_id` holding the key of a `T` row (Django's
    /// `ForeignKey`). Nullable foreign keys are `Option<ForeignKey<T>>`.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone, PartialEq)] struct User { #[kata(primary_key, auto)] id: i64, name: String }
    /// #[derive(Model, Debug, Clone, PartialEq)]
    /// struct Post {
    ///     #[kata(primary_key, auto)]
    ///     id: i64,
    ///     #[kata(foreign_key, on_delete = "cascade")]
    ///     author: ForeignKey<User>,
    ///     title: String,
    /// }
    /// let post = Post { id: 0, author: ForeignKey::new(7), title: "hi".into() };
    /// assert_eq!(post.author.id(), 7);
    /// assert!(post.author.get().is_none()); // not loaded, and never loaded behind your back
    /// ```
    ForeignKey
}

single_valued! {
    /// A one-to-one relation: a unique foreign key (Django's `OneToOneField`). The reverse
    /// side (a `related_name` accessor or a `reverse_of` field) is a related manager that
    /// holds at most one row; `select_related` follows this side only.
    OneToOne
}

/// Prefetched rows of a to-many relation, with the owner's key for the managers.
struct Many<T> {
    owner: Option<Owner>,
    objects: Option<Vec<T>>,
}

/// The saved row a to-many relation belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Owner {
    pub(crate) key: Value,
    pub(crate) meta: &'static crate::ModelMeta,
    pub(crate) relation: &'static RelationMeta,
}

impl<T> Default for Many<T> {
    fn default() -> Self {
        Many { owner: None, objects: None }
    }
}

impl<T: Clone> Clone for Many<T> {
    fn clone(&self) -> Self {
        Many { owner: self.owner.clone(), objects: self.objects.clone() }
    }
}

macro_rules! to_many {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name<T> {
            inner: Many<T>,
        }

        impl<T> Default for $name<T> {
            /// Not loaded and not attached to a saved owner.
            fn default() -> Self {
                $name { inner: Many::default() }
            }
        }

        impl<T: Clone> Clone for $name<T> {
            fn clone(&self) -> Self {
                $name { inner: self.inner.clone() }
            }
        }

        impl<T: std::fmt::Debug> std::fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match &self.inner.objects {
                    Some(objects) => f.debug_tuple(stringify!($name)).field(objects).finish(),
                    None => f.write_str(concat!(stringify!($name), "(not loaded)")),
                }
            }
        }

        /// Relations compare equal: they are not part of a row's value.
        impl<T> PartialEq for $name<T> {
            fn eq(&self, _other: &Self) -> bool {
                true
            }
        }

        impl<T: Model> $name<T> {
            /// The rows `prefetch_related` loaded, if it did. Never queries.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(many_to_many)] groups: ManyToMany<Group>, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
            /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
            /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User> }
            /// # async fn demo() -> kata::Result<()> {
            /// # let db = Db::connect("sqlite::memory:").await?;
            /// # db.create_tables(&[User::meta(), Group::meta(), Post::meta()]).await?;
            /// # let ann = User::objects().acreate(&db, Vec::new()).await?;
            /// # ann.groups.acreate(&db, [Group::name.set("admins")]).await?;
            /// # ann.posts.acreate(&db, Vec::new()).await?;
            /// let query = User::objects().prefetch_related(User::groups).prefetch_related(User::posts);
            /// let users = query.alist(&db).await?;
            /// assert_eq!(users[0].groups.get().map(|groups| groups[0].name.as_str()), Some("admins"));
            /// assert_eq!(users[0].posts.get().map(|posts| posts.len()), Some(1));
            /// let plain = User::objects().alist(&db).await?;
            /// assert!(plain[0].groups.get().is_none() && plain[0].posts.get().is_none()); // not loaded
            /// # Ok(()) }
            /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
            /// ```
            pub fn get(&self) -> Option<&[T]> {
                self.inner.objects.as_deref()
            }

            /// Takes the prefetched rows out, by value: `None` when they were not loaded.
            /// Afterwards the relation is not loaded; its manager methods still work. Never
            /// queries.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(reverse_of = Post::author)] posts: HasMany<Post>, #[kata(many_to_many)] groups: ManyToMany<Group> }
            /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User>, title: String }
            /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64 }
            /// # async fn demo() -> kata::Result<()> {
            /// # let db = Db::connect("sqlite::memory:").await?;
            /// # db.create_tables(&[User::meta(), Post::meta(), Group::meta()]).await?;
            /// let ann = User::objects().acreate(&db, Vec::new()).await?;
            /// ann.posts.acreate(&db, [Post::title.set("hi")]).await?;
            /// let mut users = User::objects().prefetch_related(User::posts).alist(&db).await?;
            /// let posts: Vec<Post> = users[0].posts.take().unwrap_or_default();
            /// assert_eq!(posts[0].title, "hi");
            /// assert!(!users[0].posts.is_loaded());
            /// # Ok(()) }
            /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
            /// ```
            pub fn take(&mut self) -> Option<Vec<T>> {
                self.inner.objects.take()
            }

            /// The prefetched rows, by value, consuming the relation: `None` when they were
            /// not loaded. Never queries.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(many_to_many)] groups: ManyToMany<Group> }
            /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
            /// # async fn demo() -> kata::Result<()> {
            /// # let db = Db::connect("sqlite::memory:").await?;
            /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
            /// let ann = User::objects().acreate(&db, Vec::new()).await?;
            /// ann.groups.acreate(&db, [Group::name.set("admins")]).await?;
            /// let users = User::objects().prefetch_related(User::groups).alist(&db).await?;
            /// let names: Vec<Vec<String>> = users
            ///     .into_iter()
            ///     .map(|u| u.groups.into_loaded().unwrap_or_default().into_iter().map(|g| g.name).collect())
            ///     .collect();
            /// assert_eq!(names, [["admins"]]);
            /// # Ok(()) }
            /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
            /// ```
            pub fn into_loaded(self) -> Option<Vec<T>> {
                self.inner.objects
            }

            /// Whether the rows are loaded.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(many_to_many)] groups: ManyToMany<Group>, #[kata(reverse_of = Post::author)] posts: HasMany<Post> }
            /// # #[derive(Model, Debug, Clone)] struct Group { #[kata(primary_key, auto)] id: i64, name: String }
            /// # #[derive(Model, Debug, Clone)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User> }
            /// # async fn demo() -> kata::Result<()> {
            /// # let db = Db::connect("sqlite::memory:").await?;
            /// # db.create_tables(&[User::meta(), Group::meta(), Post::meta()]).await?;
            /// # let ann = User::objects().acreate(&db, Vec::new()).await?;
            /// # ann.groups.acreate(&db, [Group::name.set("admins")]).await?;
            /// # ann.posts.acreate(&db, Vec::new()).await?;
            /// let users = User::objects().prefetch_related(User::posts).alist(&db).await?;
            /// assert!(users[0].posts.is_loaded());
            /// assert!(!users[0].groups.is_loaded()); // not prefetched
            /// # Ok(()) }
            /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
            /// ```
            pub fn is_loaded(&self) -> bool {
                self.inner.objects.is_some()
            }

            #[doc(hidden)]
            pub fn __attach(&mut self, key: Value, meta: &'static crate::ModelMeta, relation: &'static RelationMeta) {
                self.inner.owner = Some(Owner { key, meta, relation });
            }

            #[doc(hidden)]
            pub fn __set_loaded(&mut self, objects: Vec<T>) {
                self.inner.objects = Some(objects);
            }

            pub(crate) fn owner(&self, operation: &'static str) -> Result<&Owner> {
                self.inner.owner.as_ref().ok_or(Error::Unsaved { model: "the relation's owner", operation })
            }
        }
    };
}

to_many! {
    /// A many-to-many relation (Django's `ManyToManyField`): not a column; the links live in
    /// a through table. After `prefetch_related` the rows are in [`get`](Self::get); the
    /// related manager methods (`aadd`, `aremove`, `aclear`, `aset`, `acreate`,
    /// `aget_or_create`, `acount`, `alist`, `filter`, `aexists`) query.
    ///
    /// The other side (Django's `group.user_set`) is declared on the related model with
    /// `reverse_of`, naming the forward field; it reads and writes the same link rows:
    ///
    /// ```
    /// # use kata::prelude::*;
    /// #[derive(Model, Debug, Clone)]
    /// struct User {
    ///     #[kata(primary_key, auto)]
    ///     id: i64,
    ///     name: String,
    ///     #[kata(many_to_many)]
    ///     groups: ManyToMany<Group>,
    /// }
    ///
    /// #[derive(Model, Debug, Clone)]
    /// struct Group {
    ///     #[kata(primary_key, auto)]
    ///     id: i64,
    ///     #[kata(reverse_of = User::groups)]
    ///     users: ManyToMany<User>,
    /// }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Group::meta()]).await?;
    /// let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// let admins = Group::objects().acreate(&db, Vec::new()).await?;
    /// admins.users.aadd(&db, &ann).await?;
    /// assert_eq!(ann.groups.acount(&db).await?, 1);
    /// // Django: Group.objects.filter(user__name="ann")
    /// let of_ann = Group::objects().filter(Group::users.then(User::name).eq("ann"));
    /// assert_eq!(of_ann.acount(&db).await?, 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    ManyToMany
}

to_many! {
    /// The reverse side of a foreign key (`user.posts` for `Post.author`): not a column.
    /// After `prefetch_related` the rows are in [`get`](Self::get); the manager methods query.
    HasMany
}
