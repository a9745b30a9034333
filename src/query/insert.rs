//! Terminal operations that insert: `acreate`, `aget_or_create`, `aupdate_or_create`,
//! `abulk_create`.

use crate::db::atomically;
use crate::db::{Executor, run};
use crate::dialect::{DefaultRow, Dialect};
use crate::error::{Error, Result, ValidationErrors};
use crate::expr::{Assignment, BinOp, Node, Q};
use crate::model::{Model, ModelMeta, is_email};
use crate::query::QuerySet;
use crate::query::integrity::for_model;
use crate::query::integrity::{assignment_values, models_values, name_foreign_key};
use crate::query::model_ext::ModelExt as _;
use crate::query::read::decode_model;
use crate::query::sql::{SqlWriter, Statement};
use crate::query::update::{assignments_as_q, pk_condition, write_update_head};

/// What `acreate` accepts: a whole model, or assignments (Django's keyword arguments) with
/// the database's defaults for the rest. Input schemas implement it too.
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
    /// Only these columns; the database fills in the rest from its defaults.
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

/// Checks assigned literal values against the columns' `max_length` and `email` rules.
pub(super) fn validate_assignments(meta: &ModelMeta, assignments: &[Assignment<impl Sized>]) -> Result<()> {
    let mut errors = ValidationErrors::default();
    for a in assignments {
        let column = &meta.columns[a.index];
        if let Node::Value(value) = &a.node {
            if let (Some(max), Some(len)) = (column.max_length, value.char_len())
                && len > max as usize
            {
                crate::model::max_length_error(&mut errors, column.field, max, len);
            }
            if let (true, crate::Value::Text(text)) = (column.email, value)
                && !is_email(text)
            {
                errors.add(column.field, "email", "enter a valid e-mail address");
            }
        }
    }
    errors.into_result()
}

/// The columns a model insert writes: all but the `auto` key, unless `explicit_key` (an
/// instance whose key was set by hand, which `asave` inserts with that key, as Django does).
fn insert_columns(meta: &ModelMeta, explicit_key: bool) -> impl Iterator<Item = usize> + Clone + '_ {
    (0..meta.columns.len()).filter(move |&i| explicit_key || !meta.columns[i].auto)
}

fn write_column_names(w: &mut SqlWriter, meta: &ModelMeta, columns: impl Iterator<Item = usize>) {
    for (n, i) in columns.enumerate() {
        if n > 0 {
            w.push(", ");
        }
        w.ident(meta.columns[i].name);
    }
}

/// `INSERT INTO t (cols) VALUES (...), (...)` for models, with `RETURNING auto` where
/// the backend has it (never with `explicit_key`: the key is already known).
pub(super) fn insert_models_statement<M: Model>(
    dialect: &'static dyn Dialect,
    models: &[M],
    returning: bool,
    explicit_key: bool,
) -> Result<Statement> {
    let meta = M::meta();
    let mut w = SqlWriter::new(dialect)?;
    w.push("INSERT INTO ");
    w.ident(meta.table);
    if insert_columns(meta, explicit_key).next().is_none() {
        // Nothing but the auto key: each row is all defaults.
        write_default_rows(&mut w, meta, models.len());
    } else {
        w.push(" (");
        write_column_names(&mut w, meta, insert_columns(meta, explicit_key));
        w.push(") VALUES ");
        for (n, model) in models.iter().enumerate() {
            w.push(if n > 0 { ", (" } else { "(" });
            for (k, i) in insert_columns(meta, explicit_key).enumerate() {
                if k > 0 {
                    w.push(", ");
                }
                w.bind_column(model, i)?;
            }
            w.push(")");
        }
    }
    if let (true, false, Some(auto)) = (returning, explicit_key, meta.auto_column()) {
        w.push(" RETURNING ");
        w.ident(meta.columns[auto].name);
    }
    Ok(w.finish())
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

/// Inserts `models` with one statement, storing the keys the database assigned.
pub(super) async fn insert_batch<M: Model>(ex: &impl Executor, models: &mut [M]) -> Result<()> {
    let meta = M::meta();
    // One row on MySQL/MariaDB: the connection reports its key (LAST_INSERT_ID), so the
    // statement need not return a result set.
    let dialect = ex.__dialect();
    let single_from_connection = dialect.single_insert_reads_last_id() && models.len() == 1;
    let returning = dialect.insert_returning() && meta.auto_column().is_some() && !single_from_connection;
    let stmt = insert_models_statement(ex.__dialect(), models, returning, false)?;
    if returning {
        let keys = match run::fetch_all(ex, stmt, i64::decode_first).await {
            Ok(keys) => keys,
            Err(e) => return Err(name_foreign_key(ex, for_model(e, meta), meta, models_values(models)).await),
        };
        if keys.len() != models.len() {
            return Err(Error::Internal("INSERT ... RETURNING gave a different number of keys"));
        }
        for (model, key) in models.iter_mut().zip(keys) {
            model.__set_auto_pk(key)?;
        }
    } else {
        let done = match run::execute(ex, stmt).await {
            Ok(done) => done,
            Err(e) => return Err(name_foreign_key(ex, for_model(e, meta), meta, models_values(models)).await),
        };
        // MySQL reports the first key of the statement; only trust it for a single row.
        if let (Some(id), [model], Some(_)) = (done.last_insert_id, &mut *models, meta.auto_column()) {
            model.__set_auto_pk(id)?;
        }
    }
    // Saved rows with a key of their own (not `auto`) get their related managers too.
    if meta.auto_column().is_none() {
        models.iter_mut().for_each(M::__sync_relations);
    }
    Ok(())
}

impl<M: Model> QuerySet<M> {
    /// Inserts one row and returns it as stored, with its database-assigned key and, for
    /// assignments, the database's defaults (Django's `acreate`). The model's rules
    /// (`max_length`, `email`) are checked first; an invalid value never reaches the database.
    pub async fn acreate(&self, ex: &impl Executor, values: impl Insert<M>) -> Result<M> {
        values.validate_insert()?;
        match values.into_insert() {
            InsertSource::Model(model) => {
                model.validate()?;
                let mut models = [model];
                insert_batch(ex, &mut models).await?;
                let [model] = models;
                Ok(model)
            }
            InsertSource::Assignments(assignments) => create_from_assignments(ex, assignments).await,
        }
    }

    /// The row matching `lookup` (as equalities), or a new one from `lookup` and
    /// `defaults`; the flag says whether it was created (Django's `aget_or_create`).
    pub async fn aget_or_create<E: Executor>(
        &self,
        ex: &E,
        lookup: impl IntoIterator<Item = Assignment<M>>,
        defaults: impl IntoIterator<Item = Assignment<M>>,
    ) -> Result<(M, bool)> {
        let lookup: Vec<Assignment<M>> = lookup.into_iter().collect();
        let q = assignments_as_q(&lookup);
        match self.clone().aget(ex, q.clone()).await {
            Ok(found) => return Ok((found, false)),
            Err(Error::DoesNotExist { .. }) => {}
            Err(e) => return Err(e),
        }
        let mut values = lookup;
        values.extend(defaults);
        // Inside a transaction the insert gets a savepoint, so a conflict does not abort the
        // caller's transaction (PostgreSQL would refuse every later statement).
        let created = match ex.__exec_ref() {
            crate::db::ExecRef::Transaction(tx) => {
                tx.atomic(async |sp| create_from_assignments(&sp, values).await).await
            }
            crate::db::ExecRef::Db(_) => create_from_assignments(ex, values).await,
        };
        match created {
            Ok(created) => Ok((created, true)),
            // Another writer created it in between: return theirs, as Django does.
            Err(e) if e.is_integrity(crate::IntegrityKind::Unique) => {
                self.clone().aget(ex, q).await.map(|m| (m, false)).map_err(|_| e)
            }
            Err(e) => Err(e),
        }
    }

    /// Updates the row matching `lookup` with `defaults`, or creates it from both; the flag
    /// says whether it was created (Django's `aupdate_or_create`). Runs in a transaction.
    pub async fn aupdate_or_create<E: Executor>(
        &self,
        ex: &E,
        lookup: impl IntoIterator<Item = Assignment<M>>,
        defaults: impl IntoIterator<Item = Assignment<M>>,
    ) -> Result<(M, bool)> {
        let lookup: Vec<Assignment<M>> = lookup.into_iter().collect();
        let defaults: Vec<Assignment<M>> = defaults.into_iter().collect();
        atomically!(ex, |x| self.update_or_create_in(x, lookup, defaults).await)
    }

    async fn update_or_create_in(
        &self,
        ex: &impl Executor,
        lookup: Vec<Assignment<M>>,
        defaults: Vec<Assignment<M>>,
    ) -> Result<(M, bool)> {
        let q = assignments_as_q(&lookup);
        match self.clone().aget(ex, q).await {
            Ok(found) => {
                if defaults.is_empty() {
                    return Ok((found, false));
                }
                validate_assignments(M::meta(), &defaults)?;
                let mut w = SqlWriter::new(ex.__dialect())?;
                write_update_head::<M>(&mut w, &defaults)?;
                pk_condition(&mut w, &found)?;
                run::execute(ex, w.finish()).await.map_err(|e| for_model(e, M::meta()))?;
                let mut found = found;
                found.arefresh_from_db(ex).await?;
                Ok((found, false))
            }
            Err(Error::DoesNotExist { .. }) => {
                let mut values = lookup;
                values.extend(defaults);
                Ok((create_from_assignments(ex, values).await?, true))
            }
            Err(e) => Err(e),
        }
    }

    /// Inserts many rows with as few statements as the backend's parameter limit allows,
    /// all or nothing, and returns them with their keys (Django's `abulk_create`). Keys are
    /// filled in on SQLite, PostgreSQL and MariaDB; MySQL cannot report them.
    pub async fn abulk_create(&self, ex: &impl Executor, models: Vec<M>) -> Result<Vec<M>> {
        let meta = M::meta();
        let mut errors = ValidationErrors::default();
        for (i, model) in models.iter().enumerate() {
            let mut one = ValidationErrors::default();
            model.__validate(&mut one);
            errors.extend_prefixed(&format!("[{i}]."), one);
        }
        errors.into_result()?;
        let mut models = models;
        if models.is_empty() {
            return Ok(models);
        }
        let per_row = insert_columns(meta, false).count().max(1);
        let batch = (ex.__dialect().max_params() / per_row).clamp(1, 1000);
        if models.len() <= batch {
            insert_batch(ex, &mut models).await?;
            return Ok(models);
        }
        atomically!(ex, |x| {
            let mut result = Ok(());
            for chunk in models.chunks_mut(batch) {
                result = insert_batch(x, chunk).await;
                if result.is_err() {
                    break;
                }
            }
            result
        })?;
        Ok(models)
    }
}

/// `INSERT` of some columns, then the whole row back: with `RETURNING` where the backend
/// has it, otherwise by the new key.
async fn create_from_assignments<M: Model>(ex: &impl Executor, assignments: Vec<Assignment<M>>) -> Result<M> {
    let meta = M::meta();
    validate_assignments(meta, &assignments)?;
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
        w.comma_separated(&assignments, |w, a| w.node(&a.node))?;
        w.push(")");
    }
    if dialect.insert_returning() {
        w.push(" RETURNING ");
        write_column_names(&mut w, meta, 0..meta.columns.len());
        let rows = match run::fetch_all(ex, w.finish(), decode_model::<M>).await {
            Ok(rows) => rows,
            Err(e) => {
                return Err(
                    name_foreign_key(ex, for_model(e, meta), meta, assignment_values(&assignments)).await
                );
            }
        };
        return rows.into_iter().next().ok_or(Error::Internal("INSERT ... RETURNING gave no row"));
    }
    let done = match run::execute(ex, w.finish()).await {
        Ok(done) => done,
        Err(e) => {
            return Err(name_foreign_key(ex, for_model(e, meta), meta, assignment_values(&assignments)).await);
        }
    };
    // No RETURNING (MySQL): read the row back by its key.
    let q = match (meta.auto_column(), done.last_insert_id) {
        (Some(auto), Some(id)) => Q::from_node(Node::Binary(
            Box::new(Node::Column(meta, auto)),
            BinOp::Eq,
            Box::new(Node::Value(crate::Value::BigInt(id))),
        )),
        _ => {
            let key: Vec<Assignment<M>> =
                assignments.into_iter().filter(|a| meta.columns[a.index].primary_key).collect();
            if key.len() != meta.primary_key.len() {
                return Err(Error::InvalidQuery(format!(
                    "cannot read back the new {} without its primary key",
                    meta.name
                )));
            }
            assignments_as_q(&key)
        }
    };
    QuerySet::<M>::new().aget(ex, q).await
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
