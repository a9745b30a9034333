//! The related manager of a `ManyToMany<T>` field (both sides of a many-to-many).

use crate::db::atomically;
use crate::db::{Executor, run};
use crate::error::{Error, Result};
use crate::expr::{Assignment, Node, Q};
use crate::model::Model;
use crate::query::sql::SqlWriter;
use crate::query::{Insert, QuerySet};
use crate::relation::fields::{ManyToMany, Owner};
use crate::value::{FieldType, Value};

use super::{RelatedObjects, eq, link};

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
