//! Terminal operations that insert: `acreate`, `abulk_create`, and the insert machinery
//! that `aget_or_create`/`aupdate_or_create` (`get_or_create.rs`) share.

use std::borrow::{Borrow, BorrowMut};

use crate::db::atomically;
use crate::db::{Executor, run};
use crate::dialect::{DefaultRow, Dialect};
use crate::error::{Error, Result, ValidationErrors};
use crate::expr::{Assignment, BinOp, Node, Q};
use crate::model::{Model, ModelMeta, is_email, now_micros};
use crate::query::QuerySet;
use crate::query::bulk_insert::OnConflict;
use crate::query::integrity::for_model;
use crate::query::integrity::{assignment_values, models_values, name_foreign_key};
use crate::query::read::decode_model;
use crate::query::sql::{SqlWriter, Statement};
use crate::query::update::assignments_as_q;
use crate::query::using::write_of;

/// What `acreate` accepts: a whole model, or assignments (Django's keyword arguments) with
/// the model's defaults for the rest. Input schemas implement it too.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String, #[kata(default = 0)] uses: i64 }
/// # async fn demo() -> kata::Result<()> {
/// # let db = Db::connect("sqlite::memory:").await?;
/// # db.create_tables(&[Tag::meta()]).await?;
/// let a = Tag::objects().acreate(&db, Tag { id: 0, name: "a".into(), uses: 1 }).await?;
/// let b = Tag::objects().acreate(&db, [Tag::name.set("b")]).await?; // uses = 0 (default)
/// assert_eq!((a.uses, b.uses), (1, 0));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub trait Insert<M: Model>: Send {
    /// Checks the value before anything is sent (schemas check their JSON Schema rules).
    fn validate_insert(&self) -> Result<()> {
        Ok(())
    }
    /// Converts into what is inserted.
    fn into_insert(self) -> InsertSource<M>;
}

/// The two shapes of an insert.
#[derive(Debug)]
#[non_exhaustive]
pub enum InsertSource<M> {
    /// Every column from a model (an `auto` key is left to the database).
    Model(M),
    /// Only these columns; the others get the model's defaults (`#[kata(default = ..)]`),
    /// and the database's where the model states none.
    Assignments(Vec<Assignment<M>>),
}

impl<M: Model> Insert<M> for M {
    fn into_insert(self) -> InsertSource<M> {
        InsertSource::Model(self)
    }
}

impl<M: Model> Insert<M> for Vec<Assignment<M>> {
    fn into_insert(self) -> InsertSource<M> {
        InsertSource::Assignments(self)
    }
}

impl<M: Model, const N: usize> Insert<M> for [Assignment<M>; N] {
    fn into_insert(self) -> InsertSource<M> {
        InsertSource::Assignments(self.into())
    }
}

/// Checks assigned literal values against the columns' rules: `max_length`, `email`, a
/// decimal's precision and the field's validators.
pub(super) fn validate_assignments(meta: &ModelMeta, assignments: &[Assignment<impl Sized>]) -> Result<()> {
    let mut errors = ValidationErrors::default();
    for a in assignments {
        let column = &meta.columns[a.index];
        if let Node::Value(value) = &a.node {
            crate::types::check_value(column.ty, value, column.field, &mut errors);
            if let (Some(max), Some(len)) = (column.max_length, value.char_len())
                && len > max as usize
            {
                crate::model::max_length_error(&mut errors, column.field, max, len);
            }
            if let (true, crate::Value::Text(text)) = (column.email, value)
                && !(column.blank && text.is_empty())
                && !is_email(text)
            {
                errors.add(column.field, "email", "enter a valid e-mail address");
            }
            column.validators.check_value(value, column.blank, column.field, &mut errors);
        }
    }
    errors.into_result()
}

/// The columns a model insert writes: all but the `auto` key, unless `keyed` (rows that
/// carry keys of their own).
fn insert_columns(meta: &ModelMeta, keyed: bool) -> impl Iterator<Item = usize> + Clone + '_ {
    (0..meta.columns.len()).filter(move |&i| keyed || !meta.columns[i].auto)
}

fn write_column_names(w: &mut SqlWriter, meta: &ModelMeta, columns: impl Iterator<Item = usize>) {
    for (n, i) in columns.enumerate() {
        if n > 0 {
            w.push(", ");
        }
        w.ident(meta.columns[i].name);
    }
}

/// `INSERT INTO t (cols) VALUES (...), (...)` for models, with `RETURNING auto` when
/// `returning` (never for `keyed` rows: their keys are known), and what to do with a row
/// that conflicts with a unique constraint.
pub(super) fn insert_models_statement<M: Model, T: Borrow<M>>(
    dialect: &'static dyn Dialect,
    models: &[T],
    returning: bool,
    keyed: bool,
    conflict: &OnConflict,
) -> Result<Statement> {
    let meta = M::meta();
    let mut w = SqlWriter::new(dialect)?;
    w.push(match conflict {
        OnConflict::Ignore => dialect.insert_ignore().0,
        _ => "INSERT INTO ",
    });
    w.ident(meta.table);
    if insert_columns(meta, keyed).next().is_none() {
        // Nothing but the auto key: each row is all defaults.
        write_default_rows(&mut w, meta, models.len());
    } else {
        w.push(" (");
        write_column_names(&mut w, meta, insert_columns(meta, keyed));
        w.push(") VALUES ");
        for (n, model) in models.iter().enumerate() {
            w.push(if n > 0 { ", (" } else { "(" });
            for (k, i) in insert_columns(meta, keyed).enumerate() {
                if k > 0 {
                    w.push(", ");
                }
                w.bind_column(model.borrow(), i)?;
            }
            w.push(")");
        }
    }
    match conflict {
        OnConflict::Fail => {}
        OnConflict::Ignore => w.push(dialect.insert_ignore().1),
        OnConflict::Update { unique, update } => {
            let names = |columns: &[usize]| columns.iter().map(|&i| meta.columns[i].name).collect::<Vec<_>>();
            dialect.push_upsert(&mut w.sql, &names(unique), &names(update));
        }
    }
    if let (true, false, Some(auto)) = (returning, keyed, meta.auto_column()) {
        w.push(" RETURNING ");
        w.ident(meta.columns[auto].name);
    }
    Ok(w.finish_write(meta))
}

/// `VALUES` for `rows` rows of a table whose only column is its auto key: MySQL's
/// `() VALUES (), ...`, PostgreSQL's `(key) VALUES (DEFAULT), ...`, and SQLite's
/// `(key) VALUES (NULL), ...` (NULL into an integer primary key takes the next key).
fn write_default_rows(w: &mut SqlWriter, meta: &ModelMeta, rows: usize) {
    let (head, row) = match (w.dialect.default_row(), meta.auto_column()) {
        (DefaultRow::KeyColumn(row), Some(auto)) => (Some(auto), row),
        _ => (None, "()"),
    };
    w.push(" (");
    if let Some(auto) = head {
        w.ident(meta.columns[auto].name);
    }
    w.push(") VALUES ");
    for n in 0..rows {
        if n > 0 {
            w.push(", ");
        }
        w.push(row);
    }
}

/// How many rows one INSERT of `meta` carries: what the backend's parameter limit allows,
/// at most 1,000, and at most `cap` (a caller's batch size).
pub(super) fn batch_size(dialect: &dyn Dialect, meta: &ModelMeta, keyed: bool, cap: Option<usize>) -> usize {
    let per_row = insert_columns(meta, keyed).count().max(1);
    let batch = (dialect.max_params() / per_row).clamp(1, 1000);
    cap.map_or(batch, |cap| batch.min(cap))
}

/// Inserts `models`, rows with several statements when they exceed one batch, all or
/// nothing, storing the keys the database assigned.
///
/// A row whose `auto` key is set (not the unsaved 0) is written with that key, as Django
/// does, before the rows that leave it to the database; afterwards the key sequence is
/// moved past it where the backend does not do so itself (PostgreSQL). Rows that all leave
/// their keys to the database (the common case) cost no more than before: no copy of the
/// list, no statement but the INSERTs.
pub(super) async fn insert_models<M: Model>(
    ex: &impl Executor,
    models: &mut [M],
    cap: Option<usize>,
) -> Result<()> {
    let meta = M::meta();
    let dialect = ex.__dialect();
    if meta.columns.iter().any(|c| c.foreign_key.is_some()) {
        for model in models.iter() {
            refuse_unsaved_targets(model, 0..meta.columns.len())?;
        }
    }
    let keyed_rows = meta.auto_column().is_some() && models.iter().any(|m| !m.__is_unsaved());
    if !keyed_rows {
        let batch = batch_size(dialect, meta, false, cap);
        if models.len() <= batch {
            return insert_assigned(ex, models).await;
        }
        return atomically!(ex, for write_of(meta), |x| insert_split::<M, M, M>(x, &mut [], models, 1, batch, None)
            .await);
    }
    let (mut keyed, mut assigned): (Vec<&mut M>, Vec<&mut M>) =
        models.iter_mut().partition(|m| !m.__is_unsaved());
    let keyed_batch = batch_size(dialect, meta, true, cap);
    let batch = batch_size(dialect, meta, false, cap);
    let reset =
        meta.auto_column().and_then(|auto| dialect.reset_sequence(meta.table, meta.columns[auto].name));
    let statements =
        keyed.len().div_ceil(keyed_batch) + assigned.len().div_ceil(batch) + usize::from(reset.is_some());
    if statements == 1 {
        return insert_keyed::<M, _>(ex, &mut keyed).await;
    }
    atomically!(ex, for write_of(meta), |x| insert_split::<M, _, _>(
        x,
        &mut keyed,
        &mut assigned,
        keyed_batch,
        batch,
        reset
    )
    .await)
}

/// The rows with keys of their own, the sequence reset, then the other rows, in batches.
async fn insert_split<M: Model, T: BorrowMut<M> + Send + Sync, U: BorrowMut<M> + Send + Sync>(
    ex: &impl Executor,
    keyed: &mut [T],
    assigned: &mut [U],
    keyed_batch: usize,
    batch: usize,
    reset: Option<String>,
) -> Result<()> {
    for chunk in keyed.chunks_mut(keyed_batch) {
        insert_keyed(ex, chunk).await?;
    }
    if let Some(sql) = reset {
        run_unprepared(ex, &sql).await?;
    }
    for chunk in assigned.chunks_mut(batch) {
        insert_assigned(ex, chunk).await?;
    }
    Ok(())
}

/// Inserts `models`, which leave their `auto` keys (if any) to the database, with one
/// statement, storing the keys the database assigned.
async fn insert_assigned<M: Model, T: BorrowMut<M> + Send + Sync>(
    ex: &impl Executor,
    models: &mut [T],
) -> Result<()> {
    let meta = M::meta();
    // One row on MySQL/MariaDB: the connection reports its key (LAST_INSERT_ID), so the
    // statement need not return a result set.
    let dialect = ex.__dialect();
    let single_from_connection = dialect.single_insert_reads_last_id() && models.len() == 1;
    let returning = dialect.insert_returning() && meta.auto_column().is_some() && !single_from_connection;
    let stmt = insert_models_statement::<M, T>(dialect, models, returning, false, &OnConflict::Fail)?;
    if returning {
        let keys = match run::fetch_all(ex, stmt, i64::decode_first).await {
            Ok(keys) => keys,
            Err(e) => return Err(name_foreign_key(ex, for_model(e, meta), meta, models_values(models)).await),
        };
        if keys.len() != models.len() {
            return Err(Error::Internal("INSERT ... RETURNING gave a different number of keys"));
        }
        for (model, key) in models.iter_mut().zip(keys) {
            model.borrow_mut().__set_auto_pk(key)?;
        }
    } else {
        let done = match run::execute(ex, stmt).await {
            Ok(done) => done,
            Err(e) => return Err(name_foreign_key(ex, for_model(e, meta), meta, models_values(models)).await),
        };
        // MySQL reports the first key of the statement; only trust it for a single row.
        if let (Some(id), [model], Some(_)) = (done.last_insert_id, &mut *models, meta.auto_column()) {
            model.borrow_mut().__set_auto_pk(id)?;
        }
    }
    // Saved rows with a key of their own (not `auto`) get their related managers too.
    if meta.auto_column().is_none() {
        models.iter_mut().for_each(|m| m.borrow_mut().__sync_relations());
    }
    Ok(())
}

/// Inserts `models`, whose `auto` keys are set, with one statement.
async fn insert_keyed<M: Model, T: BorrowMut<M> + Send + Sync>(
    ex: &impl Executor,
    models: &mut [T],
) -> Result<()> {
    let meta = M::meta();
    let stmt = insert_models_statement::<M, T>(ex.__dialect(), models, false, true, &OnConflict::Fail)?;
    if let Err(e) = run::execute(ex, stmt).await {
        return Err(name_foreign_key(ex, for_model(e, meta), meta, models_values(models)).await);
    }
    models.iter_mut().for_each(|m| m.borrow_mut().__sync_relations());
    Ok(())
}

impl<M: Model> QuerySet<M> {
    /// Inserts one row and returns it as stored, with its database-assigned key and, for
    /// assignments, the model's defaults (Django's `acreate`): kata sends each column's
    /// `#[kata(default = ..)]` itself (`now` is the application's clock, in UTC), so that a
    /// table without database defaults accepts the row too. The model's rules
    /// (`max_length`, `email`) are checked first; an invalid value never reaches the database.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, ModelSchema, Debug)]
    /// # #[model_schema(UserIn, fields(username))]
    /// # struct User { #[kata(primary_key, auto)] id: i64, #[kata(max_length = 10)] username: String, #[kata(default = true)] is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// // Django: await User.objects.acreate(username="ann")
    /// let ann = User::objects().acreate(&db, [User::username.set("ann")]).await?;
    /// assert_eq!((ann.id, ann.is_active), (1, true)); // the new key, the database's default
    /// let bob = User { id: 0, username: "bob".into(), is_active: false }; // a whole model
    /// assert_eq!(User::objects().acreate(&db, bob).await?.id, 2);
    /// let cy = User::objects().acreate(&db, UserIn { username: "cy".into() }).await?; // an input schema
    /// assert!(cy.is_active);
    /// let long = User::objects().acreate(&db, [User::username.set("a name too long")]).await;
    /// assert!(matches!(long, Err(kata::Error::Validation(_))));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn acreate(&self, ex: &impl Executor, values: impl Insert<M>) -> Result<M> {
        values.validate_insert()?;
        if M::__HAS_HOOKS {
            return crate::query::hooks::create_with_hooks(ex, values.into_insert()).await;
        }
        match values.into_insert() {
            InsertSource::Model(model) => {
                model.validate()?;
                let mut models = [model];
                insert_models(ex, &mut models, None).await?;
                let [model] = models;
                Ok(model)
            }
            InsertSource::Assignments(assignments) => create_from_assignments(ex, assignments).await,
        }
    }

    /// Inserts many rows with as few statements as the backend's parameter limit allows,
    /// all or nothing, and returns them with their keys (Django's `abulk_create`). Keys are
    /// filled in on SQLite, PostgreSQL and MariaDB; MySQL cannot report them.
    ///
    /// A row whose `auto` key is set (not 0) is stored with that key, as in Django; the
    /// rows with keys go first, then the others, and the database's counter moves past the
    /// keys written (on PostgreSQL kata moves the sequence, as Django's `sqlsequencereset`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(max_length = 10)] username: String, #[kata(default = true)] is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// let user = |name: &str| User { id: 0, username: name.into(), is_active: true };
    /// // Django: await User.objects.abulk_create([User(username="ann"), User(username="bob")])
    /// let saved = User::objects().abulk_create(&db, vec![user("ann"), user("bob")]).await?;
    /// assert_eq!(saved.iter().map(|u| u.id).collect::<Vec<_>>(), [1, 2]); // the new keys
    /// assert_eq!(User::objects().acount(&db).await?, 2);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn abulk_create(&self, ex: &impl Executor, models: Vec<M>) -> Result<Vec<M>> {
        bulk_create(ex, models, None).await
    }

    /// [`abulk_create`](Self::abulk_create) with at most `batch_size` rows per INSERT
    /// (Django's `bulk_create(objs, batch_size=n)`): the backend's parameter limit still
    /// caps each statement, and the rows go all or nothing, whatever the number of
    /// statements. A `batch_size` of 0 is `Error::InvalidQuery`.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let tags = (0..250).map(|i| Tag { id: 0, name: format!("t{i}") }).collect();
    /// let tags = Tag::objects().abulk_create_batched(&db, tags, 100).await?; // 3 INSERTs
    /// assert_eq!(tags.len(), 250);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn abulk_create_batched(
        &self,
        ex: &impl Executor,
        models: Vec<M>,
        batch_size: usize,
    ) -> Result<Vec<M>> {
        if batch_size == 0 {
            return Err(Error::InvalidQuery("abulk_create_batched needs a batch_size of at least 1".into()));
        }
        bulk_create(ex, models, Some(batch_size)).await
    }
}

/// `abulk_create` with an optional cap on the rows per statement.
async fn bulk_create<M: Model>(ex: &impl Executor, models: Vec<M>, cap: Option<usize>) -> Result<Vec<M>> {
    let mut errors = ValidationErrors::default();
    for (i, model) in models.iter().enumerate() {
        let mut one = ValidationErrors::default();
        model.__validate(&mut one);
        // The row's prefix is only written for a row that broke a rule: no allocation per
        // valid row on the bulk insert path.
        if !one.is_empty() {
            errors.extend_prefixed(&format!("[{i}]."), one);
        }
    }
    errors.into_result()?;
    let mut models = models;
    if models.is_empty() {
        return Ok(models);
    }
    insert_models(ex, &mut models, cap).await?;
    Ok(models)
}

/// Adds the model's default (`#[kata(default = ..)]`) for every column the assignments
/// leave out, as Django sends every field: a table kata did not create may have no
/// database defaults at all. An `auto` key of 0 means "assign one", as on a model, and is
/// left to the database. No allocation when nothing is missing.
fn with_model_defaults<M: Model>(assignments: &mut Vec<Assignment<M>>) {
    let meta = M::meta();
    if let Some(auto) = meta.auto_column() {
        assignments.retain(|a| !(a.index == auto && is_unsaved_key(&a.node)));
    }
    let mut now = None;
    for (i, column) in meta.columns.iter().enumerate() {
        let Some(default) = column.default else { continue };
        if column.auto || assignments.iter().any(|a| a.index == i) {
            continue;
        }
        let now = *now.get_or_insert_with(now_micros);
        assignments.push(Assignment::new(i, Node::Value(default.value(column.ty, now))));
    }
}

/// Whether `node` is the unsaved value of an `auto` key (a literal 0).
fn is_unsaved_key(node: &Node) -> bool {
    matches!(node, Node::Value(crate::Value::SmallInt(0) | crate::Value::Int(0) | crate::Value::BigInt(0)))
}

/// `INSERT` of some columns (and the model's defaults for the others), then the whole row
/// back. An `auto` key assigned by hand is written, and the key sequence moved past it
/// where the backend needs it (in one transaction with the row).
pub(super) async fn create_from_assignments<M: Model>(
    ex: &impl Executor,
    mut assignments: Vec<Assignment<M>>,
) -> Result<M> {
    let meta = M::meta();
    validate_assignments(meta, &assignments)?;
    refuse_unsaved_assignments(meta, &assignments)?;
    with_model_defaults(&mut assignments);
    let auto = meta.auto_column();
    let keyed = auto.is_some_and(|auto| assignments.iter().any(|a| a.index == auto));
    let reset = match auto {
        Some(auto) if keyed => ex.__dialect().reset_sequence(meta.table, meta.columns[auto].name),
        _ => None,
    };
    match reset {
        None => insert_assignments(ex, &assignments, keyed).await,
        Some(reset) => atomically!(ex, for write_of(meta), |x| async {
            let created = insert_assignments(x, &assignments, true).await?;
            run_unprepared(x, &reset).await?;
            Ok(created)
        }
        .await),
    }
}

/// Runs kata's own SQL that binds nothing (the dialect's sequence reset).
pub(super) async fn run_unprepared(ex: &impl Executor, sql: &str) -> Result<()> {
    let mut w = SqlWriter::new(ex.__dialect())?;
    w.push(sql);
    run::execute(ex, w.finish()).await.map(|_| ())
}

/// The INSERT of `create_from_assignments`, with `RETURNING` where the backend has it,
/// otherwise followed by a read by the new key (`keyed`: the key is among the assignments).
async fn insert_assignments<M: Model>(
    ex: &impl Executor,
    assignments: &[Assignment<M>],
    keyed: bool,
) -> Result<M> {
    let meta = M::meta();
    let dialect = ex.__dialect();
    let mut w = SqlWriter::new(dialect)?;
    w.push("INSERT INTO ");
    w.ident(meta.table);
    if assignments.is_empty() {
        w.push(dialect.insert_defaults());
    } else {
        w.push(" (");
        write_column_names(&mut w, meta, assignments.iter().map(|a| a.index));
        w.push(") VALUES (");
        w.comma_separated(assignments, |w, a| w.node(&a.node))?;
        w.push(")");
    }
    if dialect.insert_returning() {
        w.push(" RETURNING ");
        write_column_names(&mut w, meta, 0..meta.columns.len());
        let rows = match run::fetch_all(ex, w.finish_write(meta), decode_model::<M>).await {
            Ok(rows) => rows,
            Err(e) => {
                return Err(
                    name_foreign_key(ex, for_model(e, meta), meta, assignment_values(assignments)).await
                );
            }
        };
        return rows.into_iter().next().ok_or(Error::Internal("INSERT ... RETURNING gave no row"));
    }
    let done = match run::execute(ex, w.finish_write(meta)).await {
        Ok(done) => done,
        Err(e) => {
            return Err(name_foreign_key(ex, for_model(e, meta), meta, assignment_values(assignments)).await);
        }
    };
    // No RETURNING (MySQL): read the row back by its key.
    let q = match (meta.auto_column(), done.last_insert_id) {
        (Some(auto), Some(id)) if !keyed => Q::from_node(Node::Binary(
            Box::new(Node::Column(meta, auto)),
            BinOp::Eq,
            Box::new(Node::Value(crate::Value::BigInt(id))),
        )),
        _ => {
            let key = assignments.iter().filter(|a| meta.columns[a.index].primary_key);
            if key.clone().count() != meta.primary_key.len() {
                return Err(Error::InvalidQuery(format!(
                    "cannot read back the new {} without its primary key",
                    meta.name
                )));
            }
            assignments_as_q(key)
        }
    };
    QuerySet::<M>::new().aget(ex, q).await
}

/// The error for a row pointing at an unsaved object, before any SQL (Django's "save()
/// prohibited to prevent data loss due to unsaved related object").
fn unsaved_target(target: &ModelMeta) -> Error {
    Error::Unsaved { model: target.name, operation: "saving a row that points at it" }
}

/// Whether a foreign-key `value` of column `index` points at an unsaved object: a target
/// whose key is its `auto` key still holding the unsaved value 0.
fn points_at_unsaved(meta: &ModelMeta, index: usize, value: &crate::Value) -> Option<&'static ModelMeta> {
    let fk = meta.columns[index].foreign_key.as_ref()?;
    if !matches!(value, crate::Value::SmallInt(0) | crate::Value::Int(0) | crate::Value::BigInt(0)) {
        return None;
    }
    let target = (fk.target)();
    match target.auto_column() {
        Some(auto) if target.primary_key == [auto] => Some(target),
        _ => None,
    }
}

/// Refuses to write `columns` of `model` when one of them is a foreign key to an unsaved
/// object.
pub(super) fn refuse_unsaved_targets<M: Model>(
    model: &M,
    columns: impl IntoIterator<Item = usize>,
) -> Result<()> {
    let meta = M::meta();
    for i in columns {
        if meta.columns[i].foreign_key.is_some()
            && let Some(target) = points_at_unsaved(meta, i, &model.__column_value(i))
        {
            return Err(unsaved_target(target));
        }
    }
    Ok(())
}

/// Refuses assignments that set a foreign key to an unsaved object's key (0).
pub(super) fn refuse_unsaved_assignments<M>(meta: &ModelMeta, assignments: &[Assignment<M>]) -> Result<()> {
    for a in assignments {
        if let Node::Value(value) = &a.node
            && let Some(target) = points_at_unsaved(meta, a.index, value)
        {
            return Err(unsaved_target(target));
        }
    }
    Ok(())
}

trait DecodeFirst: Sized {
    fn decode_first(row: crate::driver::RowRef<'_>) -> Result<Self>;
}
impl DecodeFirst for i64 {
    fn decode_first(row: crate::driver::RowRef<'_>) -> Result<i64> {
        use crate::value::FieldType;
        // The key column may be INTEGER (i32) on some backends: widen.
        i64::decode(row, 0).or_else(|_| i32::decode(row, 0).map(i64::from))
    }
}
