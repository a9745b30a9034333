//! Deletes that follow `on_delete`: the database enforces each foreign key's action, and
//! kata counts, beforehand and in the same transaction, what each model will lose, as
//! Django's `delete()` reports it.

use std::collections::HashSet;

use crate::db::atomically;
use crate::db::{Executor, run};
use crate::error::{Error, IntegrityKind, Result};
use crate::expr::Node;
use crate::model::OnDelete;
use crate::model::{Model, ModelMeta};
use crate::query::QuerySet;
use crate::query::integrity::for_model;
use crate::query::sql::SqlWriter;
use crate::value::{FieldType, Key, Value};

/// What a delete removed: the total and the count per model (Django's
/// `(total, {"app.Model": n})`). It compares equal to its total.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
/// # async fn demo() -> kata::Result<()> {
/// # let db = Db::connect("sqlite::memory:").await?;
/// # db.create_tables(&[Tag::meta()]).await?;
/// Tag::objects().acreate(&db, Tag { id: 0, name: "a".into() }).await?;
/// let deleted = Tag::objects().adelete(&db).await?;
/// assert_eq!(deleted, 1);
/// assert_eq!(deleted.count("Tag"), 1);
/// let nothing = Tag::objects().adelete(&db).await?;
/// assert_eq!((nothing.total, nothing.per_model.len()), (0, 0));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deleted {
    /// Rows deleted, of every model.
    pub total: u64,
    /// Rows deleted per model name, the queried model first; only models that lost rows
    /// are listed, so a delete that matched nothing leaves it empty (Django's `{}`).
    pub per_model: Vec<(&'static str, u64)>,
}

impl Deleted {
    /// How many rows of the model named `model` went.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64 }
    /// # #[derive(Model, Debug)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key)] author: ForeignKey<User> }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, Vec::new()).await?;
    /// # for _ in 0..2 { Post::objects().acreate(&db, [Post::author.set(&ann)]).await?; }
    /// let deleted = User::objects().adelete(&db).await?;
    /// assert_eq!((deleted.count("User"), deleted.count("Post"), deleted.count("Tag")), (1, 2, 0));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn count(&self, model: &str) -> u64 {
        self.per_model.iter().filter(|(name, _)| *name == model).map(|(_, n)| n).sum()
    }

    fn add(&mut self, model: &'static str, n: u64) {
        if n == 0 {
            return;
        }
        self.total += n;
        match self.per_model.iter_mut().find(|(name, _)| *name == model) {
            Some((_, total)) => *total += n,
            None => self.per_model.push((model, n)),
        }
    }
}

impl PartialEq<u64> for Deleted {
    fn eq(&self, other: &u64) -> bool {
        self.total == *other
    }
}

impl std::fmt::Display for Deleted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} deleted", self.total)?;
        for (model, n) in &self.per_model {
            write!(f, ", {model}: {n}")?;
        }
        Ok(())
    }
}

/// The foreign keys, among the models `db` knows, that point at `target`.
fn dependents(
    known: &[&'static ModelMeta],
    target: &'static ModelMeta,
) -> Vec<(&'static ModelMeta, usize, OnDelete)> {
    let mut out = Vec::new();
    for meta in known {
        for (i, column) in meta.columns.iter().enumerate() {
            if let Some(fk) = &column.foreign_key
                && std::ptr::eq((fk.target)(), target)
            {
                out.push((*meta, i, fk.on_delete));
            }
        }
    }
    out
}

async fn count(ex: &impl Executor, meta: &'static ModelMeta, filter: &Node) -> Result<i64> {
    let mut w = SqlWriter::new(ex.__dialect())?;
    w.push("SELECT COUNT(*) FROM ");
    w.ident(meta.table);
    w.push(" WHERE ");
    w.node(filter)?;
    let rows = run::fetch_all(ex, w.finish(), |row| i64::decode(row, 0)).await?;
    Ok(rows.into_iter().next().unwrap_or(0))
}

/// How many keys go into one `IN (...)` list: half the backend's parameter limit, so a
/// delete of any size stays a few statements (PostgreSQL binds the list as one array).
fn key_chunk(ex: &impl Executor) -> usize {
    (ex.__dialect().max_params() / 2).max(1)
}

/// `column IN (keys)` for a key column of type `ty`.
fn key_in(meta: &'static ModelMeta, column: usize, keys: &[Value], ty: crate::value::ColumnType) -> Node {
    Node::In(Box::new(Node::Column(meta, column)), keys.to_vec(), ty)
}

/// The keys of `source`'s rows whose `column` is one of `keys`.
async fn pointing_keys(
    ex: &impl Executor,
    source: &'static ModelMeta,
    pk: usize,
    column: usize,
    keys: &[Value],
    key_type: crate::value::ColumnType,
) -> Result<Vec<Value>> {
    let ty = source.columns[pk].ty;
    let mut found = Vec::new();
    for chunk in keys.chunks(key_chunk(ex)) {
        let mut w = SqlWriter::new(ex.__dialect())?;
        w.push("SELECT ");
        w.column(source, pk);
        w.push(" FROM ");
        w.ident(source.table);
        w.push(" WHERE ");
        w.node(&key_in(source, column, chunk, key_type))?;
        found.extend(run::fetch_all(ex, w.finish(), |row| Value::decode(row, 0, ty, false)).await?);
    }
    Ok(found)
}

/// How many of `source`'s rows have `column` in `keys`.
async fn count_pointing(
    ex: &impl Executor,
    source: &'static ModelMeta,
    column: usize,
    keys: &[Value],
    key_type: crate::value::ColumnType,
) -> Result<i64> {
    let mut n = 0;
    for chunk in keys.chunks(key_chunk(ex)) {
        n += count(ex, source, &key_in(source, column, chunk, key_type)).await?;
    }
    Ok(n)
}

/// Finds, breadth first, the rows that cascades will delete and counts them per model,
/// each row once however many paths reach it (cycles included); refuses (as the database
/// would) when a restricting foreign key still has rows. `keys` are the rows of `root`
/// about to be deleted.
async fn collect(
    ex: &impl Executor,
    known: &[&'static ModelMeta],
    root: &'static ModelMeta,
    keys: Vec<Value>,
    deleted: &mut Deleted,
) -> Result<()> {
    // The keys reached so far, per model (by address: metadata is static).
    let mut seen: Vec<(&'static ModelMeta, HashSet<Key>)> =
        vec![(root, keys.iter().cloned().map(Key).collect())];
    let mut queue = vec![(root, keys)];
    while let Some((target, keys)) = queue.pop() {
        let key_type = target.columns[target.single_pk()?].ty;
        for (source, column, on_delete) in dependents(known, target) {
            match on_delete {
                OnDelete::Cascade => match source.single_pk() {
                    Ok(pk) => {
                        let found = pointing_keys(ex, source, pk, column, &keys, key_type).await?;
                        let index = match seen.iter().position(|(m, _)| std::ptr::eq(*m, source)) {
                            Some(index) => index,
                            None => {
                                seen.push((source, HashSet::new()));
                                seen.len() - 1
                            }
                        };
                        let set = &mut seen[index].1;
                        let new: Vec<Value> =
                            found.into_iter().filter(|k| set.insert(Key(k.clone()))).collect();
                        if !new.is_empty() {
                            deleted.add(source.name, new.len() as u64);
                            queue.push((source, new));
                        }
                    }
                    // Without a single-column key the rows cannot be told apart, nor followed.
                    Err(_) => {
                        let n = count_pointing(ex, source, column, &keys, key_type).await?;
                        if n > 0 {
                            deleted.add(source.name, n as u64);
                        }
                    }
                },
                OnDelete::Restrict | OnDelete::Protect | OnDelete::DoNothing => {
                    if count_pointing(ex, source, column, &keys, key_type).await? > 0 {
                        return Err(Error::Integrity {
                            kind: IntegrityKind::ForeignKey,
                            constraint: source.foreign_key_name(source.columns[column].name),
                            message: format!(
                                "cannot delete {} rows: {} rows still point at them through `{}`",
                                target.name, source.name, source.columns[column].field
                            ),
                        });
                    }
                }
                OnDelete::SetNull => {}
            }
        }
    }
    Ok(())
}

impl<M: Model> QuerySet<M> {
    /// Deletes every matching row (Django's `adelete`), following each foreign key's
    /// `on_delete` on every backend: cascades delete the rows that point here, `set_null`
    /// clears them, `restrict`/`protect` refuse with `Error::Integrity` and delete nothing.
    /// Returns how many rows of each model went; the counts cover the models this `Db`
    /// created (`create_tables`) or was told about (`register_models`).
    ///
    /// A sliced query (`limit`/`offset`) cannot be deleted, as in Django ("Cannot use
    /// 'limit' or 'offset' with delete()"): that is `Error::InvalidQuery` before any SQL.
    /// A query that cannot match (`is_in([])`) deletes nothing without a query.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, name: String }
    /// # #[derive(Model, Debug)] struct Post { #[kata(primary_key, auto)] id: i64, #[kata(foreign_key, on_delete = "cascade")] author: ForeignKey<User> }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta(), Post::meta()]).await?;
    /// # let ann = User::objects().acreate(&db, [User::name.set("ann")]).await?;
    /// # User::objects().acreate(&db, [User::name.set("bob")]).await?;
    /// # for _ in 0..2 { Post::objects().acreate(&db, [Post::author.set(&ann)]).await?; }
    /// // Django: await User.objects.filter(name="ann").adelete()
    /// let deleted = User::objects().filter(User::name.eq("ann")).adelete(&db).await?;
    /// assert_eq!(deleted.total, 3);
    /// assert_eq!((deleted.count("User"), deleted.count("Post")), (1, 2)); // ann's posts went too
    /// assert_eq!(User::objects().acount(&db).await?, 1);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn adelete(&self, ex: &impl Executor) -> Result<Deleted> {
        if self.is_sliced() {
            return Err(Error::InvalidQuery(
                "cannot delete a query once a slice has been taken (limit/offset): delete the \
                 slice's keys instead, `filter(pk.is_in(keys))`"
                    .into(),
            ));
        }
        // A query that cannot match deletes nothing, with no query (as Django).
        if self.is_empty_result()? {
            return Ok(Deleted::default());
        }
        let meta = M::meta();
        let known = ex.__shared().extension::<crate::registry::Registry>().models();
        if dependents(&known, meta).is_empty() {
            let mut w = SqlWriter::new(ex.__dialect())?;
            w.push("DELETE FROM ");
            w.ident(meta.table);
            self.write_target(&mut w)?;
            let done = run::execute(ex, w.finish().routed(self.write_route()))
                .await
                .map_err(|e| for_model(e, meta))?;
            let mut deleted = Deleted::default();
            deleted.add(meta.name, done.rows_affected);
            return Ok(deleted);
        }
        atomically!(ex, for self.write_route(), |tx| self.delete_following(tx, &known).await)
    }

    async fn delete_following(&self, ex: &impl Executor, known: &[&'static ModelMeta]) -> Result<Deleted> {
        let meta = M::meta();
        let pk = meta.single_pk()?;
        // The keys of the rows to delete, so the counts and the DELETE see the same rows.
        let mut w = SqlWriter::new(ex.__dialect())?;
        self.write_select(
            &mut w,
            |w| {
                w.column(meta, pk);
                Ok(())
            },
            &[],
        )?;
        let ty = meta.columns[pk].ty;
        let keys = run::fetch_all(ex, w.finish(), |row| Value::decode(row, 0, ty, false)).await?;
        let mut deleted = Deleted::default();
        if keys.is_empty() {
            return Ok(deleted);
        }
        let mut cascaded = Deleted::default();
        collect(ex, known, meta, keys.clone(), &mut cascaded).await?;
        let mut rows = 0;
        for chunk in keys.chunks(key_chunk(ex)) {
            let mut w = SqlWriter::new(ex.__dialect())?;
            w.push("DELETE FROM ");
            w.ident(meta.table);
            w.push(" WHERE ");
            w.node(&key_in(meta, pk, chunk, ty))?;
            rows += run::execute(ex, w.finish()).await.map_err(|e| for_model(e, meta))?.rows_affected;
        }
        deleted.add(meta.name, rows);
        for (model, n) in cascaded.per_model {
            deleted.add(model, n);
        }
        Ok(deleted)
    }
}
