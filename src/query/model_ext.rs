//! `ModelExt`: writes and reads of one model instance (Django's `asave`, `adelete`,
//! `arefresh_from_db`).

use crate::db::{Executor, run};
use crate::error::ValidationErrors;
use crate::error::{Error, Result};
use crate::expr::{BinOp, Node, Q};
use crate::model::Model;
use crate::query::Columns;
use crate::query::QuerySet;
use crate::query::insert::{
    insert_models, refuse_unsaved_assignments, refuse_unsaved_targets, validate_assignments,
};
use crate::query::integrity::{for_model, name_foreign_key};
use crate::query::read::decode_model;
use crate::query::sql::SqlWriter;
use crate::query::update::{Update, pk_condition, write_update_head};

/// Operations on one model instance (Django's `asave`, `adelete`, `arefresh_from_db`).
/// In the prelude.
pub trait ModelExt: Model {
    /// Inserts the instance when its `auto` key is unsaved (zero), updates its row
    /// otherwise; when the update finds no row, inserts it with its key (Django's
    /// `save()`). A foreign key to an unsaved object (one whose `auto` key is still 0) is
    /// `Error::Unsaved` before any SQL, as in Django.
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, PartialEq)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let mut tag = Tag { id: 0, name: "rust".into() };
    /// tag.asave(&db).await?; // Django: await tag.asave(): an INSERT, the key filled in
    /// assert_eq!(tag.id, 1);
    /// tag.name = "async".into();
    /// tag.asave(&db).await?; // an UPDATE of every column
    /// assert_eq!(Tag::objects().aget(&db, Tag::pk.eq(1)).await?.name, "async");
    /// let mut by_hand = Tag { id: 10, name: "go".into() };
    /// by_hand.asave(&db).await?; // no row 10 to update: inserted with that key
    /// assert!(Tag::objects().filter(Tag::id.eq(10)).aexists(&db).await?);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    fn asave<E: Executor>(&mut self, ex: &E) -> impl std::future::Future<Output = Result<()>> + Send {
        async move {
            if Self::__HAS_HOOKS {
                return crate::query::hooks::save_with_hooks(self, ex).await;
            }
            self.__save_row(ex).await.map(|_created| ())
        }
    }

    /// `asave`'s write, without hooks: whether the row was inserted.
    #[doc(hidden)]
    fn __save_row<E: Executor>(&mut self, ex: &E) -> impl std::future::Future<Output = Result<bool>> + Send {
        async move {
            self.validate()?;
            let meta = Self::meta();
            refuse_unsaved_targets(&*self, 0..meta.columns.len())?;
            if self.__is_unsaved() {
                return insert_models(ex, std::slice::from_mut(self), None).await.map(|()| true);
            }
            let columns: Vec<usize> =
                (0..meta.columns.len()).filter(|&i| !meta.columns[i].primary_key).collect();
            if !columns.is_empty() {
                if self.update_columns(ex, &columns).await? {
                    self.__sync_relations();
                    return Ok(false);
                }
            } else if self.aexists_in(ex).await? {
                self.__sync_relations();
                return Ok(false);
            }
            // The key was set by hand and has no row yet: insert the row with that key.
            insert_models(ex, std::slice::from_mut(self), None).await.map(|()| true)
        }
    }

    /// Writes only `fields` of the instance to its row: Django's
    /// `save(update_fields=[..])`, with typed field handles (one, or a tuple). Only those
    /// fields are validated and sent; the others keep what the row holds.
    ///
    /// Errors before any SQL: `Error::InvalidQuery` for a primary-key field,
    /// `Error::Unsaved` for an instance whose `auto` key is still 0 (or a foreign key among
    /// `fields` that points at one), `Error::Validation` for a field that breaks its rules.
    /// When no row has the instance's key, nothing is written and the result is
    /// `Error::DoesNotExist` (Django: "Save with update_fields did not affect any rows").
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, email: String, name: String, is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// let mut ann = User::objects()
    ///     .acreate(&db, User { id: 0, email: "a@example.com".into(), name: "Ann".into(), is_active: true })
    ///     .await?;
    /// ann.email = "ann@example.com".into();
    /// ann.name = "not saved".into();
    /// ann.asave_fields(&db, User::email).await?;
    /// ann.is_active = false;
    /// ann.asave_fields(&db, (User::email, User::is_active)).await?;
    /// let stored = User::objects().aget(&db, User::pk.eq(ann.id)).await?;
    /// assert_eq!((stored.email.as_str(), stored.name.as_str(), stored.is_active), ("ann@example.com", "Ann", false));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    fn asave_fields<E: Executor>(
        &self,
        ex: &E,
        fields: impl Columns<Self>,
    ) -> impl std::future::Future<Output = Result<()>> + Send {
        let mut columns = fields.indexes();
        async move {
            let meta = Self::meta();
            let mut seen = Vec::with_capacity(columns.len());
            columns.retain(|i| {
                !seen.contains(i) && {
                    seen.push(*i);
                    true
                }
            });
            if let Some(&i) = columns.iter().find(|&&i| meta.columns[i].primary_key) {
                return Err(Error::InvalidQuery(format!(
                    "asave_fields cannot change the primary key `{}`",
                    meta.columns[i].field
                )));
            }
            if self.__is_unsaved() {
                return Err(Error::Unsaved { model: meta.name, operation: "asave_fields" });
            }
            if columns.is_empty() {
                return Ok(());
            }
            let mut all = ValidationErrors::default();
            self.__validate(&mut all);
            let mut errors = ValidationErrors::default();
            for e in all.iter().filter(|e| columns.iter().any(|&i| meta.columns[i].field == e.field)) {
                errors.add(e.field.clone(), e.code, e.message.clone());
            }
            errors.into_result()?;
            refuse_unsaved_targets(self, columns.iter().copied())?;
            if self.update_columns(ex, &columns).await? {
                Ok(())
            } else {
                Err(Error::DoesNotExist { model: meta.name })
            }
        }
    }

    /// `UPDATE` of `columns` by the instance's key; whether a row has that key.
    #[doc(hidden)]
    fn update_columns<E: Executor>(
        &self,
        ex: &E,
        columns: &[usize],
    ) -> impl std::future::Future<Output = Result<bool>> + Send {
        async move {
            let meta = Self::meta();
            let mut w = SqlWriter::new(ex.__dialect())?;
            w.push("UPDATE ");
            w.ident(meta.table);
            w.push(" SET ");
            w.comma_separated(columns, |w, &i| {
                w.ident(meta.columns[i].name);
                w.push(" = ");
                w.bind_column(self, i)
            })?;
            pk_condition(&mut w, self)?;
            let done = match run::execute(ex, w.finish_write(meta)).await {
                Ok(done) => done,
                Err(e) => {
                    let values = columns.iter().map(|&i| (i, self.__column_value(i))).collect();
                    return Err(name_foreign_key(ex, for_model(e, meta), meta, values).await);
                }
            };
            // A backend that counts only changed rows reports 0 for a row saved unchanged.
            Ok(done.rows_affected > 0
                || !ex.__dialect().update_counts_matched_rows() && self.aexists_in(ex).await?)
        }
    }

    /// Deletes the instance's row, following `on_delete` as `QuerySet::adelete` does;
    /// returns what went (it compares equal to the rows of every model deleted).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, PartialEq)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let tag = Tag::objects().acreate(&db, [Tag::name.set("rust")]).await?;
    /// // Django: await tag.adelete()
    /// let deleted = tag.adelete(&db).await?;
    /// assert_eq!(deleted, 1);
    /// assert_eq!(Tag::objects().acount(&db).await?, 0);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    fn adelete<E: Executor>(
        &self,
        ex: &E,
    ) -> impl std::future::Future<Output = Result<crate::query::Deleted>> + Send {
        async move {
            let meta = Self::meta();
            if self.__is_unsaved() {
                return Err(Error::Unsaved { model: meta.name, operation: "adelete" });
            }
            if Self::__HAS_HOOKS {
                return crate::query::hooks::delete_with_hooks(self, ex).await;
            }
            self.__delete_row(ex).await
        }
    }

    /// `adelete`'s write, without hooks.
    #[doc(hidden)]
    fn __delete_row<E: Executor>(
        &self,
        ex: &E,
    ) -> impl std::future::Future<Output = Result<crate::query::Deleted>> + Send {
        async move {
            let meta = Self::meta();
            let key = meta
                .primary_key
                .iter()
                .map(|&i| {
                    Node::Binary(
                        Box::new(Node::Column(meta, i)),
                        BinOp::Eq,
                        Box::new(Node::Value(self.__column_value(i))),
                    )
                })
                .collect();
            QuerySet::<Self>::new().filter(Q::from_node(Node::And(key))).adelete(ex).await
        }
    }

    /// Reloads every field from the database (`DoesNotExist` if the row is gone).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, PartialEq)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let mut tag = Tag::objects().acreate(&db, [Tag::name.set("rust")]).await?;
    /// Tag::objects().aupdate(&db, [Tag::name.set("async")]).await?;
    /// // Django: await tag.arefresh_from_db()
    /// tag.arefresh_from_db(&db).await?;
    /// assert_eq!(tag.name, "async");
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    fn arefresh_from_db<E: Executor>(
        &mut self,
        ex: &E,
    ) -> impl std::future::Future<Output = Result<()>> + Send {
        async move {
            let meta = Self::meta();
            if self.__is_unsaved() {
                return Err(Error::Unsaved { model: meta.name, operation: "arefresh_from_db" });
            }
            let mut w = SqlWriter::new(ex.__dialect())?;
            w.push("SELECT ");
            w.model_columns(meta);
            w.push(" FROM ");
            w.ident(meta.table);
            pk_condition(&mut w, &*self)?;
            // Django's refresh_from_db reads through db_for_read too; read-your-writes keeps
            // a task that just saved on the primary.
            let route = crate::db::Route::read(Some(crate::query::using::model_info(meta)), None);
            let fresh = run::fetch_optional(ex, w.finish().routed(route), decode_model::<Self>).await?;
            *self = fresh.ok_or(Error::DoesNotExist { model: meta.name })?;
            Ok(())
        }
    }

    /// Applies a patch schema to this row and to the instance: only the fields the patch
    /// sets are written; an empty patch runs no query. The patch is validated first.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, ModelSchema, Debug)]
    /// # #[model_schema(UserPatch, fields(name, email), optional = "__all__")]
    /// # struct User { #[kata(primary_key, auto)] id: i64, name: String, #[kata(email)] email: String }
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// let mut ann =
    ///     User::objects().acreate(&db, [User::name.set("ann"), User::email.set("ann@a.io")]).await?;
    /// let patch: UserPatch = serde_json::from_str(r#"{"email": "ann@b.io"}"#)?; // PATCH body
    /// assert_eq!(ann.apatch(&db, patch).await?, 1); // UPDATE ... SET email = ?
    /// assert_eq!(ann.email, "ann@b.io"); // the instance too
    /// let again = User::objects().aget(&db, User::pk.eq(ann.id)).await?;
    /// assert_eq!((again.name.as_str(), again.email.as_str()), ("ann", "ann@b.io"));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    fn apatch<E: Executor, P>(
        &mut self,
        ex: &E,
        patch: P,
    ) -> impl std::future::Future<Output = Result<u64>> + Send
    where
        P: Update<Self> + crate::schema::Apply<Self> + Clone,
    {
        async move {
            let meta = Self::meta();
            if self.__is_unsaved() {
                return Err(Error::Unsaved { model: meta.name, operation: "apatch" });
            }
            patch.validate_update()?;
            let assignments = patch.clone().into_assignments();
            if assignments.is_empty() {
                return Ok(0);
            }
            validate_assignments(meta, &assignments)?;
            refuse_unsaved_assignments(meta, &assignments)?;
            let mut w = SqlWriter::new(ex.__dialect())?;
            write_update_head::<Self>(&mut w, &assignments)?;
            pk_condition(&mut w, &*self)?;
            let done = run::execute(ex, w.finish_write(meta)).await.map_err(|e| for_model(e, meta))?;
            // The instance changes only once the row has.
            patch.apply_to(self);
            Ok(done.rows_affected)
        }
    }

    #[doc(hidden)]
    fn aexists_in<E: Executor>(&self, ex: &E) -> impl std::future::Future<Output = Result<bool>> + Send {
        async move {
            let meta = Self::meta();
            let mut w = SqlWriter::new(ex.__dialect())?;
            w.push("SELECT 1 FROM ");
            w.ident(meta.table);
            pk_condition(&mut w, self)?;
            Ok(run::fetch_optional(ex, w.finish_write(meta), |_| Ok(())).await?.is_some())
        }
    }
}

impl<M: Model> ModelExt for M {}
