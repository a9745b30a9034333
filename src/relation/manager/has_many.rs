//! The related manager of a `HasMany<T>` field (the reverse side of a foreign key).

use crate::db::Executor;
use crate::db::atomically;
use crate::error::{Error, Result};
use crate::expr::{Assignment, Node, Q};
use crate::model::Model;
use crate::query::{Insert, InsertSource, QuerySet};
use crate::relation::fields::HasMany;
use crate::value::{FieldType, Value};

use super::{RelatedObjects, eq, reverse_column};

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
