//! `bulk_insert`: a multi-row INSERT that reads nothing back, with Django's `bulk_create`
//! options for rows that conflict with a unique constraint.

use crate::db::{Executor, atomically, run};
use crate::error::{Error, Result, ValidationErrors};
use crate::model::{Model, ModelMeta};
use crate::query::insert::{batch_size, insert_models_statement, refuse_unsaved_targets, run_unprepared};
use crate::query::integrity::{for_model, models_values, name_foreign_key};
use crate::query::using::write_of;
use crate::query::{Columns, QuerySet};

/// What an INSERT does with a row that conflicts with a unique constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OnConflict {
    /// The statement fails (`Error::Integrity`), writing nothing.
    Fail,
    /// The row is skipped (Django's `ignore_conflicts=True`).
    Ignore,
    /// The existing row takes the new row's `update` columns (Django's
    /// `update_conflicts=True, unique_fields=.., update_fields=..`). Column positions.
    Update { unique: Vec<usize>, update: Vec<usize> },
}

/// A bulk INSERT that reads nothing back, built by [`QuerySet::bulk_insert`] and run by
/// [`aexecute`](Self::aexecute): the rows are validated, split into as few statements as
/// the backend's parameter limit (or [`batch_size`](Self::batch_size)) allows, and written
/// all or nothing. It returns the number of rows written, not the models: the keys the
/// database assigned are not read, which makes it the cheapest way to load many rows
/// (diesel's and SeaORM's `insert_many(..).exec(..)`). Use
/// [`abulk_create`](QuerySet::abulk_create) when the keys are needed.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, #[kata(unique)] name: String, uses: i64 }
/// # async fn demo() -> kata::Result<()> {
/// # let db = Db::connect("sqlite::memory:").await?;
/// # db.create_tables(&[Tag::meta()]).await?;
/// let tag = |name: &str, uses| Tag { id: 0, name: name.into(), uses };
/// let written = Tag::objects().bulk_insert(vec![tag("rust", 1), tag("sql", 1)]).aexecute(&db).await?;
/// assert_eq!(written, 2);
/// // Django: bulk_create([..], update_conflicts=True, unique_fields=["name"], update_fields=["uses"])
/// Tag::objects()
///     .bulk_insert(vec![tag("rust", 5), tag("web", 1)])
///     .update_conflicts(Tag::name, Tag::uses)
///     .aexecute(&db)
///     .await?;
/// let rust = Tag::objects().aget(&db, Tag::name.eq("rust")).await?;
/// assert_eq!((rust.uses, Tag::objects().acount(&db).await?), (5, 3));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[must_use = "a bulk insert does nothing until `aexecute` runs it"]
#[derive(Debug)]
pub struct BulkInsert<M> {
    models: Vec<M>,
    cap: Option<usize>,
    conflict: OnConflict,
    /// A mistake found while the insert was built, reported by `aexecute` before any SQL.
    invalid: Option<String>,
}

impl<M: Model> QuerySet<M> {
    /// A bulk INSERT of `models` that reads nothing back: see [`BulkInsert`] for its
    /// options and [`abulk_insert`](Self::abulk_insert) for the plain form.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, #[kata(unique)] name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// Tag::objects().acreate(&db, [Tag::name.set("rust")]).await?;
    /// let tags = ["rust", "sql"].map(|name| Tag { id: 0, name: name.into() }).into();
    /// // Django: Tag.objects.bulk_create(tags, ignore_conflicts=True)
    /// let written = Tag::objects().bulk_insert(tags).ignore_conflicts().aexecute(&db).await?;
    /// assert_eq!(written, 1); // "rust" was there already
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn bulk_insert(&self, models: Vec<M>) -> BulkInsert<M> {
        BulkInsert { models, cap: None, conflict: OnConflict::Fail, invalid: None }
    }

    /// Inserts `models` with as few statements as the backend allows, all or nothing, and
    /// returns how many rows were written, without reading back the keys the database
    /// assigned: [`abulk_create`](Self::abulk_create) minus the `RETURNING`. The same
    /// validation and the same rules for rows with keys of their own apply.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let tags = (0..100).map(|i| Tag { id: 0, name: format!("t{i}") }).collect();
    /// assert_eq!(Tag::objects().abulk_insert(&db, tags).await?, 100);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn abulk_insert(&self, ex: &impl Executor, models: Vec<M>) -> Result<u64> {
        self.bulk_insert(models).aexecute(ex).await
    }
}

impl<M: Model> BulkInsert<M> {
    /// At most `rows` rows per INSERT (Django's `batch_size`); the backend's parameter
    /// limit still caps each statement. 0 is refused by `aexecute`.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let tags = (0..250).map(|i| Tag { id: 0, name: format!("t{i}") }).collect();
    /// let written = Tag::objects().bulk_insert(tags).batch_size(100).aexecute(&db).await?; // 3 INSERTs
    /// assert_eq!(written, 250);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn batch_size(mut self, rows: usize) -> Self {
        if rows == 0 {
            self.invalid = Some(String::from("bulk_insert needs a batch_size of at least 1"));
        }
        self.cap = Some(rows);
        self
    }

    /// Skips the rows that conflict with a unique constraint or the primary key instead
    /// of failing (Django's `ignore_conflicts=True`; `INSERT .. ON CONFLICT DO NOTHING`,
    /// MySQL's `INSERT IGNORE`). `aexecute` then returns the rows actually inserted. On
    /// MySQL and MariaDB, `INSERT IGNORE` also turns some other errors into warnings, as
    /// with Django there.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let tag = |id, name: &str| Tag { id, name: name.into() };
    /// Tag::objects().abulk_insert(&db, vec![tag(1, "a")]).await?;
    /// let q = Tag::objects().bulk_insert(vec![tag(1, "again"), tag(2, "b")]).ignore_conflicts();
    /// assert_eq!(q.aexecute(&db).await?, 1);
    /// assert_eq!(Tag::objects().aget(&db, Tag::id.eq(1)).await?.name, "a"); // untouched
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn ignore_conflicts(mut self) -> Self {
        self.conflict = OnConflict::Ignore;
        self
    }

    /// Turns a row that conflicts on `unique_fields` into an update of the existing row's
    /// `update_fields` (Django's `update_conflicts=True, unique_fields=..,
    /// update_fields=..`; `ON CONFLICT (..) DO UPDATE`, MySQL's `ON DUPLICATE KEY
    /// UPDATE`). `unique_fields` must be the primary key, a `unique` field or a
    /// `unique_together` group; `update_fields` must not be empty nor hold a primary-key
    /// column. `aexecute` returns the rows inserted or updated.
    ///
    /// MySQL and MariaDB do not let the statement name the constraint: a row that
    /// conflicts on *another* unique key updates that row too.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Stock { #[kata(primary_key, auto)] id: i64, #[kata(unique)] sku: String, count: i64, note: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Stock::meta()]).await?;
    /// let stock = |sku: &str, count| Stock { id: 0, sku: sku.into(), count, note: "new".into() };
    /// Stock::objects().abulk_insert(&db, vec![stock("a-1", 1)]).await?;
    /// Stock::objects()
    ///     .bulk_insert(vec![stock("a-1", 7), stock("b-2", 3)])
    ///     .update_conflicts(Stock::sku, (Stock::count, Stock::note))
    ///     .aexecute(&db)
    ///     .await?;
    /// let a = Stock::objects().aget(&db, Stock::sku.eq("a-1")).await?;
    /// assert_eq!((a.id, a.count), (1, 7)); // the same row, updated
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn update_conflicts(
        mut self,
        unique_fields: impl Columns<M>,
        update_fields: impl Columns<M>,
    ) -> Self {
        let (unique, update) = (unique_fields.indexes(), update_fields.indexes());
        if let Err(reason) = check_upsert(M::meta(), &unique, &update) {
            self.invalid = Some(reason);
        }
        self.conflict = OnConflict::Update { unique, update };
        self
    }

    /// Runs the insert: every row is checked first (`max_length`, `email`, foreign keys to
    /// unsaved objects; nothing is sent if one fails), then the INSERTs run, in one
    /// transaction when there are several. Returns the rows written.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, #[kata(max_length = 3)] name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let tags = vec![Tag { id: 0, name: "ok".into() }, Tag { id: 0, name: "too long".into() }];
    /// let result = Tag::objects().bulk_insert(tags).aexecute(&db).await;
    /// assert!(matches!(result, Err(kata::Error::Validation(_))));
    /// assert_eq!(Tag::objects().acount(&db).await?, 0); // nothing written
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aexecute(self, ex: &impl Executor) -> Result<u64> {
        let BulkInsert { models, cap, conflict, invalid } = self;
        if let Some(reason) = invalid {
            return Err(Error::InvalidQuery(reason));
        }
        validate_rows(&models)?;
        if models.is_empty() {
            return Ok(0);
        }
        let meta = M::meta();
        let dialect = ex.__dialect();
        // Rows with keys of their own are written with them, as `abulk_create` does; the
        // key sequence then moves past them where the backend needs it.
        let keyed_rows = meta.auto_column().is_some() && models.iter().any(|m| !m.__is_unsaved());
        let (keyed, assigned): (Vec<&M>, Vec<&M>) = if keyed_rows {
            models.iter().partition(|m| !m.__is_unsaved())
        } else {
            (Vec::new(), models.iter().collect())
        };
        let keyed_batch = batch_size(dialect, meta, true, cap);
        let batch = batch_size(dialect, meta, false, cap);
        let reset = match meta.auto_column() {
            Some(auto) if !keyed.is_empty() => dialect.reset_sequence(meta.table, meta.columns[auto].name),
            _ => None,
        };
        let statements =
            keyed.len().div_ceil(keyed_batch) + assigned.len().div_ceil(batch) + usize::from(reset.is_some());
        if statements == 1 {
            // One statement is atomic on its own (and there is no sequence to reset).
            return write_rows(ex, &keyed, &assigned, keyed_batch, batch, &conflict, None).await;
        }
        atomically!(ex, for write_of(meta), |x| write_rows(x, &keyed, &assigned, keyed_batch, batch, &conflict, reset.as_deref())
            .await)
    }
}

/// Every row's rules, all violations together, each prefixed with its row (`[3].name`).
fn validate_rows<M: Model>(models: &[M]) -> Result<()> {
    let mut errors = ValidationErrors::default();
    for (i, model) in models.iter().enumerate() {
        let mut one = ValidationErrors::default();
        model.__validate(&mut one);
        if !one.is_empty() {
            errors.extend_prefixed(&format!("[{i}]."), one);
        }
    }
    errors.into_result()?;
    if M::meta().columns.iter().any(|c| c.foreign_key.is_some()) {
        for model in models {
            refuse_unsaved_targets(model, 0..M::meta().columns.len())?;
        }
    }
    Ok(())
}

/// The INSERTs: rows with keys, the sequence reset, then the others; the rows written.
#[allow(clippy::too_many_arguments)] // the two row lists with their batch sizes, kept apart
async fn write_rows<M: Model>(
    ex: &impl Executor,
    keyed: &[&M],
    assigned: &[&M],
    keyed_batch: usize,
    batch: usize,
    conflict: &OnConflict,
    reset: Option<&str>,
) -> Result<u64> {
    let mut written = 0;
    for chunk in keyed.chunks(keyed_batch) {
        written += write_chunk(ex, chunk, true, conflict).await?;
    }
    if let Some(sql) = reset {
        run_unprepared(ex, sql).await?;
    }
    for chunk in assigned.chunks(batch) {
        written += write_chunk(ex, chunk, false, conflict).await?;
    }
    Ok(written)
}

/// One INSERT of `rows`; the rows it wrote.
async fn write_chunk<M: Model>(
    ex: &impl Executor,
    rows: &[&M],
    keyed: bool,
    conflict: &OnConflict,
) -> Result<u64> {
    let meta = M::meta();
    let dialect = ex.__dialect();
    let stmt = insert_models_statement::<M, &M>(dialect, rows, false, keyed, conflict)?;
    match run::execute(ex, stmt).await {
        Ok(done) if matches!(conflict, OnConflict::Update { .. }) => {
            Ok(dialect.upsert_rows_written(done.rows_affected, rows.len() as u64))
        }
        Ok(done) => Ok(done.rows_affected),
        Err(e) => Err(name_foreign_key(ex, for_model(e, meta), meta, models_values::<M, &M>(rows)).await),
    }
}

/// Why `update_conflicts(unique, update)` cannot run on `meta`, if it cannot.
fn check_upsert(meta: &ModelMeta, unique: &[usize], update: &[usize]) -> std::result::Result<(), String> {
    let name = meta.name;
    if update.is_empty() {
        return Err(format!("update_conflicts on {name} needs at least one field to update"));
    }
    if let Some(&pk) = update.iter().find(|&&i| meta.columns[i].primary_key) {
        return Err(format!(
            "update_conflicts on {name} cannot update the primary key `{}`",
            meta.columns[pk].field
        ));
    }
    let mut sorted = unique.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let is_pk = {
        let mut pk = meta.primary_key.to_vec();
        pk.sort_unstable();
        pk == sorted
    };
    let is_unique_column = matches!(sorted[..], [one] if meta.columns[one].unique);
    let is_unique_together = meta.unique_together.iter().any(|group| {
        group.len() == sorted.len() && sorted.iter().all(|&i| group.contains(&meta.columns[i].name))
    });
    if is_pk || is_unique_column || is_unique_together {
        return Ok(());
    }
    let fields: Vec<_> = unique.iter().map(|&i| meta.columns[i].field).collect();
    Err(format!(
        "update_conflicts on {name}: ({}) is not the primary key, a unique field nor a unique_together group",
        fields.join(", ")
    ))
}
