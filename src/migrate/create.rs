//! `create_tables` / `drop_tables`: the quick path for tests and the quickstart, through
//! the same DDL code as the migrations' `CreateModel` (so the two cannot disagree).

use crate::db::Db;
use crate::dialect::Dialect;
use crate::error::Result;
use crate::migrate::ddl;
use crate::migrate::state::Table;
use crate::model::ModelMeta;
use crate::value::ColumnType;

impl Db {
    /// Creates the tables (with keys, unique constraints and indexes) of these models, in
    /// order. For schemas that evolve, use migrations instead.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, #[kata(unique, max_length = 50)] name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::connect("sqlite::memory:").await?;
    /// db.create_tables(&[Tag::meta()]).await?;
    /// Tag::objects().acreate(&db, [Tag::name.set("rust")]).await?;
    /// let twice = Tag::objects().acreate(&db, [Tag::name.set("rust")]).await.unwrap_err();
    /// assert!(twice.is_integrity(kata::IntegrityKind::Unique)); // the unique constraint exists
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn create_tables(&self, models: &[&'static ModelMeta]) -> Result<()> {
        for meta in with_through_tables(models) {
            check_names(&Table::from_meta(meta), meta.name, self.shared.dialect)?;
        }
        self.register_models(models);
        for sql in self.create_tables_sql(models) {
            self.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    /// Drops these models' tables if they exist, in reverse order.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// db.drop_tables(&[Tag::meta()]).await?;
    /// assert!(Tag::objects().acount(&db).await.is_err()); // no such table
    /// db.drop_tables(&[Tag::meta()]).await?; // already gone: not an error
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn drop_tables(&self, models: &[&ModelMeta]) -> Result<()> {
        for meta in with_through_tables(models).iter().rev() {
            self.execute_unprepared(&ddl::drop_table(meta.table, true, self.shared.dialect)).await?;
        }
        Ok(())
    }

    /// The DDL `create_tables` would run, for review or for a migration file.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// let ddl = db.create_tables_sql(&[Tag::meta()]);
    /// assert!(ddl[0].starts_with(r#"CREATE TABLE "tag" ("#), "{ddl:?}");
    /// assert_eq!(db.query_count(), 0); // only text: nothing ran
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn create_tables_sql(&self, models: &[&ModelMeta]) -> Vec<String> {
        with_through_tables(models)
            .iter()
            .flat_map(|m| ddl::create_table(&Table::from_meta(m), self.shared.dialect))
            .collect()
    }
}

/// The models, then the link tables of their many-to-many fields (which point at both
/// sides, so they come after every model).
pub(crate) fn with_through_tables<'a>(models: &[&'a ModelMeta]) -> Vec<&'a ModelMeta> {
    let mut all: Vec<&ModelMeta> = models.to_vec();
    for meta in models {
        for through in meta.through_tables {
            all.push(through());
        }
    }
    all
}

/// Refuses names the backend would reject or cut (MySQL's limit is 64 bytes, PostgreSQL
/// truncates at 63; empty names, NUL, MySQL's trailing spaces), and column types it has
/// not (arrays outside PostgreSQL), before any DDL runs. Generated names always fit
/// (`truncate_name`), so only a name the user gave (a table, a column, an index) can fail
/// here.
pub(crate) fn check_names(table: &Table, model: &str, dialect: &dyn Dialect) -> Result<()> {
    if let Some(column) = table.columns.iter().find(|c| matches!(c.ty, ColumnType::Array(_)))
        && !dialect.arrays()
    {
        return Err(crate::dialect::unsupported(
            dialect,
            format!(
                "array fields ({model}.{}: Vec<T>, Django's ArrayField, which is PostgreSQL's)",
                column.name
            ),
        ));
    }
    let limit = dialect.max_identifier_len();
    for name in table.generated_names() {
        if name.len() > limit {
            return Err(crate::Error::InvalidQuery(format!(
                "the name `{name}` of {model}'s table or constraints is longer than {}'s limit of {limit} bytes",
                dialect.backend()
            )));
        }
        if let Some(why) = dialect.identifier_refusal(&name) {
            return Err(crate::Error::InvalidQuery(format!(
                "the name {name:?} of {model}'s table or constraints {why}, which {} refuses",
                dialect.backend()
            )));
        }
    }
    Ok(())
}
