//! Related managers (Django 4.2's async names) on `ManyToMany<T>` and `HasMany<T>` fields.

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

    /// Links `object` (a no-op when it is already linked).
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
    pub async fn aadd(&self, ex: &impl Executor, object: &T) -> Result<()> {
        self.aadd_with::<T>(ex, object, Vec::new()).await
    }

    /// Links `object`, setting the through model's extra columns (Django's
    /// `through_defaults`). `W` is the through model.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct User { #[kata(primary_key, auto)] id: i64, name: String }
    /// # #[derive(Model, Debug, Clone)]
    /// # struct Club { #[kata(primary_key, auto)] id: i64, #[kata(many_to_many(through = Membership))] members: ManyToMany<User> }
    /// # #[derive(Model, Debug, Clone)]
    /// # struct Membership {
    /// #     #[kata(primary_key, auto)] id: i64,
    /// #     #[kata(foreign_key)] club: ForeignKey<Club>,
    /// #     #[kata(foreign_key)] person: ForeignKey<User>,
    /// #     #[kata(default = "member")] role: String,
    /// # }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Club::meta(), Membership::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # let bob = User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # let chess = Club::objects().acreate(&db, Vec::new()).await?;
    /// // Django: await chess.members.aadd(ann, through_defaults={"role": "captain"})
    /// chess.members.aadd_with(&db, &ann, vec![Membership::role.set("captain")]).await?;
    /// chess.members.aadd(&db, &bob).await?; // the column's default
    /// let links = Membership::objects().order_by([Membership::id.asc()]);
    /// let roles = links.values_list(Membership::role).alist(&db).await?;
    /// assert_eq!(roles, ["captain", "member"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aadd_with<W: Model>(
        &self,
        ex: &impl Executor,
        object: &T,
        through_defaults: Vec<Assignment<W>>,
    ) -> Result<()> {
        let owner = self.owner("aadd")?;
        let (through, owner_column, target_column) = link(owner)?;
        if !through_defaults.is_empty() && !std::ptr::eq(W::meta(), through) {
            return Err(Error::InvalidQuery(format!(
                "through_defaults must be assignments of {}",
                through.name
            )));
        }
        let target = pk_value(object)?;
        let mut w = SqlWriter::new(ex.__dialect())?;
        w.push("INSERT INTO ");
        w.ident(through.table);
        w.push(" (");
        w.ident(through.columns[owner_column].name);
        w.push(", ");
        w.ident(through.columns[target_column].name);
        for a in &through_defaults {
            w.push(", ");
            w.ident(through.columns[a.index].name);
        }
        // INSERT ... SELECT ... WHERE NOT EXISTS: no duplicate link, with or without a
        // unique constraint on the through table.
        w.push(") SELECT ");
        w.bind_value(&owner.key)?;
        w.push(", ");
        w.bind_value(&target)?;
        for a in &through_defaults {
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
        if let Err(e) = run::execute(ex, w.finish()).await {
            // SQLite does not name the constraint: find which side points nowhere.
            let keys = vec![(owner_column, owner.key.clone()), (target_column, target)];
            let e = crate::query::for_model(e, through);
            return Err(crate::query::name_foreign_key(ex, e, through, keys).await);
        }
        Ok(())
    }

    /// Unlinks `object` (the row itself stays).
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
    pub async fn aremove(&self, ex: &impl Executor, object: &T) -> Result<()> {
        let owner = self.owner("aremove")?;
        let (through, owner_column, target_column) = link(owner)?;
        let target = pk_value(object)?;
        let mut w = SqlWriter::new(ex.__dialect())?;
        w.push("DELETE FROM ");
        w.ident(through.table);
        w.push(" WHERE ");
        w.node(&Node::And(vec![
            eq(through, owner_column, owner.key.clone()),
            eq(through, target_column, target),
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

    /// Makes `objects` exactly the linked rows: unlinks the others, links the missing; all
    /// or nothing.
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
    pub async fn aset(&self, ex: &impl Executor, objects: &[&T]) -> Result<()> {
        let owner = self.owner("aset")?;
        let (through, owner_column, target_column) = link(owner)?;
        let keys: Vec<Value> = objects.iter().map(|o| pk_value(*o)).collect::<Result<_>>()?;
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
        let unlink = w.finish();
        let result: Result<()> = atomically!(ex, |x| async {
            run::execute(x, unlink).await?;
            for object in objects {
                self.aadd(x, object).await?;
            }
            Ok(())
        }
        .await);
        match result {
            // A failed statement ends the transaction before SQLite's unnamed foreign-key
            // error can be named inside it: name it now, once the links are as before.
            Err(e) => {
                let mut links = vec![(owner_column, owner.key.clone())];
                links.extend(keys.into_iter().map(|k| (target_column, k)));
                Err(crate::query::name_foreign_key(ex, e, through, links).await)
            }
            Ok(()) => Ok(()),
        }
    }

    /// Creates a related row and links it.
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
        let created = QuerySet::<T>::new().acreate(ex, values).await?;
        self.aadd(ex, &created).await?;
        Ok(created)
    }

    /// The linked row matching `lookup`, or a new one created from `lookup` and
    /// `defaults` and linked; the flag says whether it was created.
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
        lookup: Vec<Assignment<T>>,
        defaults: Vec<Assignment<T>>,
    ) -> Result<(T, bool)> {
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

    /// Points `object`'s foreign key here (an UPDATE of that row).
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
    /// assert_eq!(draft.author.map(|author| *author.id()), Some(bob.id));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aadd(&self, ex: &impl Executor, object: &T) -> Result<()> {
        let owner = self.owner("aadd")?;
        let column = reverse_column(owner)?;
        let key = pk_value(object)?;
        let q = Q::from_node(eq(T::meta(), T::meta().single_pk()?, key));
        QuerySet::<T>::new().filter(q).aupdate(ex, vec![self.set_key(column, owner.key.clone())]).await?;
        Ok(())
    }

    /// Clears `object`'s foreign key (only for a nullable foreign key).
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
    pub async fn aremove(&self, ex: &impl Executor, object: &T) -> Result<()> {
        let owner = self.owner("aremove")?;
        let column = reverse_column(owner)?;
        let meta = T::meta();
        let key = pk_value(object)?;
        let q = Q::from_node(eq(meta, meta.single_pk()?, key))
            & Q::from_node(eq(meta, column, owner.key.clone()));
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

    /// Makes `objects` exactly the related rows (the others' foreign keys are cleared); all
    /// or nothing.
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
    pub async fn aset(&self, ex: &impl Executor, objects: &[&T]) -> Result<()> {
        self.owner("aset")?;
        for object in objects {
            pk_value(*object)?;
        }
        atomically!(ex, |x| async {
            self.aclear(x).await?;
            for object in objects {
                self.aadd(x, object).await?;
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
    /// assert_eq!(post.author.map(|author| *author.id()), Some(ann.id));
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

    /// The related row matching `lookup`, or a new one pointing here; the flag says
    /// whether it was created.
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
        lookup: Vec<Assignment<T>>,
        defaults: Vec<Assignment<T>>,
    ) -> Result<(T, bool)> {
        let owner = self.owner("aget_or_create")?;
        let column = reverse_column(owner)?;
        let mut lookup = lookup;
        lookup.retain(|a| a.index != column);
        lookup.push(self.set_key(column, owner.key.clone()));
        QuerySet::<T>::new().aget_or_create(ex, lookup, defaults).await
    }
}
