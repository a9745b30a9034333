//! CREATE TABLE / DROP TABLE from model metadata, built with sea-query and rendered for
//! each backend through its dialect. `create_tables` and (later) migrations share it.

use sea_query::{ColumnDef, Expr, Index, IndexCreateStatement, Table, TableCreateStatement};

use crate::db::Db;
use crate::dialect::{ColumnTypeSql, Dialect};
use crate::error::Result;
use crate::model::{ColumnMeta, DefaultValue, ModelMeta};
use crate::value::ColumnType;

fn column_def(meta: &ModelMeta, column: &ColumnMeta, dialect: &dyn Dialect) -> ColumnDef {
    let mut def = ColumnDef::new(column.name);
    let keyed = column.unique || column.index || column.primary_key || in_unique_together(meta, column);
    match dialect.column_type(column.ty, column.auto, column.max_length, keyed) {
        ColumnTypeSql::Integer => def.integer(),
        ColumnTypeSql::Varchar(n) => def.string_len(n),
        ColumnTypeSql::JsonBinary => def.json_binary(),
        ColumnTypeSql::Custom(sql) => def.custom(sql),
        ColumnTypeSql::Standard => match column.ty {
            ColumnType::Bool => def.boolean(),
            ColumnType::SmallInt => def.small_integer(),
            ColumnType::Integer => def.integer(),
            ColumnType::BigInt => def.big_integer(),
            ColumnType::Float => def.float(),
            ColumnType::Double => def.double(),
            ColumnType::Text => match column.max_length {
                Some(n) => def.string_len(n),
                None => def.text(),
            },
            ColumnType::Bytes => def.blob(),
            ColumnType::TimestampTz => def.timestamp_with_time_zone(),
            ColumnType::Timestamp => def.timestamp(),
            ColumnType::Date => def.date(),
            ColumnType::Time => def.time(),
            ColumnType::Json => def.json(),
        },
    };
    if !column.nullable {
        def.not_null();
    }
    if column.auto {
        def.auto_increment().primary_key();
    }
    if let Some(default) = column.default {
        match default {
            DefaultValue::Bool(b) => def.default(b),
            DefaultValue::Int(i) => def.default(i),
            DefaultValue::Float(f) => def.default(f),
            DefaultValue::Str(s) => def.default(s),
            DefaultValue::Now => match dialect.now_default(column.ty) {
                Some(sql) => def.default(Expr::cust(sql)),
                None => def.default(Expr::current_timestamp()),
            },
        };
    }
    def
}

fn in_unique_together(meta: &ModelMeta, column: &ColumnMeta) -> bool {
    meta.unique_together.iter().any(|group| group.contains(&column.name))
}

/// The CREATE TABLE statement (with its primary key and unique constraints).
pub(crate) fn create_table(meta: &ModelMeta, dialect: &dyn Dialect) -> TableCreateStatement {
    let mut table = Table::create();
    table.table(meta.table);
    for column in meta.columns {
        table.col(column_def(meta, column, dialect));
    }
    if meta.auto_column().is_none() {
        let mut pk = Index::create();
        pk.name(meta.primary_key_name());
        for &i in meta.primary_key {
            pk.col(meta.columns[i].name);
        }
        table.primary_key(&mut pk);
    }
    let singles = meta
        .columns
        .iter()
        .filter(|c| (c.unique || c.foreign_key.as_ref().is_some_and(|fk| fk.one_to_one)) && !c.primary_key)
        .map(|c| vec![c.name]);
    let groups = meta.unique_together.iter().map(|g| g.to_vec());
    for columns in singles.chain(groups) {
        let mut unique = Index::create();
        unique.name(meta.unique_name(&columns)).unique();
        for c in columns {
            unique.col(c);
        }
        table.index(&mut unique);
    }
    for column in meta.columns {
        let Some(fk) = &column.foreign_key else { continue };
        let target = (fk.target)();
        let Some(&pk) = target.primary_key.first() else { continue };
        let mut key = sea_query::ForeignKey::create();
        key.name(meta.foreign_key_name(column.name))
            .from(meta.table, column.name)
            .to(target.table, target.columns[pk].name)
            .on_delete(fk.on_delete.sql_action());
        table.foreign_key(&mut key);
    }
    if let Some(options) = dialect.table_options() {
        table.engine(options.engine).character_set(options.charset).collate(options.collation);
    }
    table
}

/// The CREATE INDEX statements for `index` columns.
pub(crate) fn create_indexes(meta: &ModelMeta) -> Vec<IndexCreateStatement> {
    meta.columns
        .iter()
        .filter(|c| c.index && !c.unique && !c.primary_key)
        .map(|c| {
            let mut index = Index::create();
            index.name(meta.index_name(c.name)).table(meta.table).col(c.name);
            index
        })
        .collect()
}

/// Renders the DDL that creates `meta`'s table and indexes.
pub(crate) fn create_sql(meta: &ModelMeta, dialect: &dyn Dialect) -> Vec<String> {
    let mut out = vec![dialect.render_schema(&create_table(meta, dialect))];
    out.extend(create_indexes(meta).iter().map(|i| dialect.render_schema(i)));
    out
}

fn drop_sql(meta: &ModelMeta, dialect: &dyn Dialect) -> String {
    let mut stmt = Table::drop();
    stmt.table(meta.table).if_exists();
    dialect.render_schema(&stmt)
}

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
            check_names(meta, self.shared.dialect)?;
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
            self.execute_unprepared(&drop_sql(meta, self.shared.dialect)).await?;
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
        with_through_tables(models).iter().flat_map(|m| create_sql(m, self.shared.dialect)).collect()
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
/// truncates at 63), before any DDL runs.
fn check_names(meta: &ModelMeta, dialect: &dyn Dialect) -> Result<()> {
    let limit = dialect.max_identifier_len();
    let mut names = vec![meta.table.to_owned(), meta.primary_key_name()];
    for column in meta.columns {
        names.push(column.name.to_owned());
        if column.unique && !column.primary_key {
            names.push(meta.unique_name(&[column.name]));
        }
        if column.foreign_key.is_some() {
            names.push(meta.foreign_key_name(column.name));
        }
        if column.index && !column.unique && !column.primary_key {
            names.push(meta.index_name(column.name));
        }
    }
    for group in meta.unique_together {
        names.push(meta.unique_name(group));
    }
    match names.into_iter().find(|n| n.len() > limit) {
        Some(name) => Err(crate::Error::InvalidQuery(format!(
            "the name `{name}` of {}'s table or constraints is longer than {}'s limit of {limit} bytes",
            meta.name,
            dialect.backend()
        ))),
        None => Ok(()),
    }
}
