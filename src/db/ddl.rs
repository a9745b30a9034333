//! CREATE TABLE / DROP TABLE from model metadata, rendered by sea-query for each backend.

use sea_query::{ColumnDef, Expr, Index, IndexCreateStatement, Table, TableCreateStatement};

use crate::backend::Backend;
use crate::db::Db;
use crate::error::Result;
use crate::model::{ColumnMeta, DefaultValue, ModelMeta};
use crate::value::ColumnType;

/// The name of a foreign-key constraint, the same on every backend (PostgreSQL's own
/// convention: `table_column_fkey`).
pub(crate) fn foreign_key_name(meta: &ModelMeta, column: &str) -> String {
    format!("{}_{}_fkey", meta.table, column)
}

/// The name of the index kata creates for an `index` column.
pub(crate) fn index_name(meta: &ModelMeta, column: &str) -> String {
    format!("{}_{}_idx", meta.table, column)
}

/// SQLite's "now" as the text sqlx writes for a `DateTime<Utc>` (RFC 3339, `T`, `+00:00`,
/// milliseconds unless they are zero). SQLite compares these columns as text, so
/// CURRENT_TIMESTAMP's `2024-05-01 10:00:00` would sort and compare wrongly against bound
/// values. `'now'` is the same instant for every call within one statement.
const SQLITE_NOW_RFC3339: &str = "CASE WHEN strftime('%f', 'now') LIKE '%.000' \
     THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') \
     ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END";

fn column_def(meta: &ModelMeta, column: &ColumnMeta, backend: Backend) -> ColumnDef {
    let mut def = ColumnDef::new(column.name);
    let mysql = backend == Backend::MySql;
    match column.ty {
        ColumnType::Bool => def.boolean(),
        ColumnType::SmallInt => def.small_integer(),
        ColumnType::Integer => def.integer(),
        // SQLite only makes `INTEGER PRIMARY KEY` an alias of the rowid.
        ColumnType::BigInt if column.auto && backend == Backend::Sqlite => def.integer(),
        ColumnType::BigInt => def.big_integer(),
        ColumnType::Float => def.float(),
        ColumnType::Double => def.double(),
        ColumnType::Text => match column.max_length {
            Some(n) => def.string_len(n),
            // MySQL cannot index or make unique a TEXT column without a prefix length.
            None if mysql
                && (column.unique
                    || column.index
                    || column.primary_key
                    || in_unique_together(meta, column)) =>
            {
                def.string_len(255)
            }
            // MySQL's TEXT stops at 64 KiB; unbounded text is unbounded elsewhere (Django
            // uses LONGTEXT too).
            None if mysql => def.custom("LONGTEXT"),
            None => def.text(),
        },
        ColumnType::Bytes if mysql => def.custom("LONGBLOB"),
        ColumnType::Bytes => def.blob(),
        ColumnType::TimestampTz | ColumnType::Timestamp if mysql => def.custom("DATETIME(6)"),
        ColumnType::TimestampTz => def.timestamp_with_time_zone(),
        ColumnType::Timestamp => def.timestamp(),
        ColumnType::Date => def.date(),
        ColumnType::Time if mysql => def.custom("TIME(6)"),
        ColumnType::Time => def.time(),
        ColumnType::Json if backend == Backend::Postgres => def.json_binary(),
        ColumnType::Json => def.json(),
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
            // A date column gets today's date, not a timestamp (SQLite would store the
            // timestamp's text, which no longer decodes as a date; MySQL 8 refuses it).
            DefaultValue::Now if column.ty == ColumnType::Date && mysql => {
                def.default(Expr::cust("CURRENT_DATE"))
            }
            DefaultValue::Now if column.ty == ColumnType::Date && backend == Backend::Sqlite => {
                def.default(Expr::cust("date('now')"))
            }
            DefaultValue::Now if mysql => def.default(Expr::cust("CURRENT_TIMESTAMP(6)")),
            DefaultValue::Now if backend == Backend::Sqlite && column.ty == ColumnType::TimestampTz => {
                def.default(Expr::cust(SQLITE_NOW_RFC3339))
            }
            DefaultValue::Now => def.default(Expr::current_timestamp()),
        };
    }
    def
}

fn in_unique_together(meta: &ModelMeta, column: &ColumnMeta) -> bool {
    meta.unique_together.iter().any(|group| group.contains(&column.name))
}

/// The CREATE TABLE statement (with its primary key and unique constraints). `mariadb`
/// picks the collation's name on the MySQL backend.
pub(crate) fn create_table(meta: &ModelMeta, backend: Backend, mariadb: bool) -> TableCreateStatement {
    let mut table = Table::create();
    table.table(meta.table);
    for column in meta.columns {
        table.col(column_def(meta, column, backend));
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
        key.name(foreign_key_name(meta, column.name))
            .from(meta.table, column.name)
            .to(target.table, target.columns[pk].name)
            .on_delete(fk.on_delete.sql_action());
        table.foreign_key(&mut key);
    }
    if backend == Backend::MySql {
        // Binary collation: `exact` and `contains` are case-sensitive, as on the others. NO
        // PAD: `utf8mb4_bin` ignores trailing spaces, so `'ann'` would equal `'ann '` and the
        // two could not both be unique. The NO PAD binary collation has a different name on
        // each server (MySQL 8.0.17+, MariaDB 10.2+).
        let collation = if mariadb { "utf8mb4_nopad_bin" } else { "utf8mb4_0900_bin" };
        table.engine("InnoDB").character_set("utf8mb4").collate(collation);
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
            index.name(index_name(meta, c.name)).table(meta.table).col(c.name);
            index
        })
        .collect()
}

/// Renders the DDL that creates `meta`'s table and indexes on `backend`.
pub(crate) fn create_sql(meta: &ModelMeta, backend: Backend, mariadb: bool) -> Vec<String> {
    let mut out = vec![render_table(&create_table(meta, backend, mariadb), backend)];
    out.extend(create_indexes(meta).iter().map(|i| render_index(i, backend)));
    out
}

fn render_table(stmt: &TableCreateStatement, backend: Backend) -> String {
    match backend {
        Backend::Sqlite => stmt.to_string(sea_query::SqliteQueryBuilder),
        Backend::Postgres => stmt.to_string(sea_query::PostgresQueryBuilder),
        Backend::MySql => stmt.to_string(sea_query::MysqlQueryBuilder),
    }
}

fn render_index(stmt: &IndexCreateStatement, backend: Backend) -> String {
    match backend {
        Backend::Sqlite => stmt.to_string(sea_query::SqliteQueryBuilder),
        Backend::Postgres => stmt.to_string(sea_query::PostgresQueryBuilder),
        Backend::MySql => stmt.to_string(sea_query::MysqlQueryBuilder),
    }
}

fn drop_sql(meta: &ModelMeta, backend: Backend) -> String {
    let mut stmt = Table::drop();
    stmt.table(meta.table).if_exists();
    match backend {
        Backend::Sqlite => stmt.to_string(sea_query::SqliteQueryBuilder),
        Backend::Postgres => stmt.to_string(sea_query::PostgresQueryBuilder),
        Backend::MySql => stmt.to_string(sea_query::MysqlQueryBuilder),
    }
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
            self.execute_unprepared(&drop_sql(meta, self.backend())).await?;
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
            .flat_map(|m| create_sql(m, self.backend(), self.is_mariadb()))
            .collect()
    }

    /// True on MariaDB: of the servers that speak MySQL's protocol, it is the one with
    /// `INSERT ... RETURNING` (read from `VERSION()` when the pool connects).
    fn is_mariadb(&self) -> bool {
        self.backend() == Backend::MySql && self.shared.returning
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
