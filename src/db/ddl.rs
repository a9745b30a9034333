//! CREATE TABLE / DROP TABLE from model metadata, rendered by sea-query for each backend.

use sea_query::{ColumnDef, Expr, Index, IndexCreateStatement, Table, TableCreateStatement};

use crate::backend::Backend;
use crate::db::Db;
use crate::error::Result;
use crate::model::{ColumnMeta, DefaultValue, ModelMeta};
use crate::value::ColumnType;

/// The name of the index kata creates for an `index` column.
pub(crate) fn index_name(meta: &ModelMeta, column: &str) -> String {
    format!("{}_{}_idx", meta.table, column)
}

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
            None if mysql && (column.unique || column.index || column.primary_key || in_unique_together(meta, column)) => {
                def.string_len(255)
            }
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
            DefaultValue::Now if mysql => def.default(Expr::cust("CURRENT_TIMESTAMP(6)")),
            DefaultValue::Now => def.default(Expr::current_timestamp()),
        };
    }
    def
}

fn in_unique_together(meta: &ModelMeta, column: &ColumnMeta) -> bool {
    meta.unique_together.iter().any(|group| group.contains(&column.name))
}

/// The CREATE TABLE statement (with its primary key and unique constraints).
pub(crate) fn create_table(meta: &ModelMeta, backend: Backend) -> TableCreateStatement {
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
    let singles = meta.columns.iter().filter(|c| c.unique && !c.primary_key).map(|c| vec![c.name]);
    let groups = meta.unique_together.iter().map(|g| g.to_vec());
    for columns in singles.chain(groups) {
        let mut unique = Index::create();
        unique.name(meta.unique_name(&columns)).unique();
        for c in columns {
            unique.col(c);
        }
        table.index(&mut unique);
    }
    if backend == Backend::MySql {
        // Binary collation: `exact` and `contains` are case-sensitive, as on the others.
        table.engine("InnoDB").character_set("utf8mb4").collate("utf8mb4_bin");
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
pub(crate) fn create_sql(meta: &ModelMeta, backend: Backend) -> Vec<String> {
    let mut out = vec![render_table(&create_table(meta, backend), backend)];
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
    /// # #[derive(Model)] struct Tag { #[kata(primary_key, auto)] id: i64, #[kata(unique, max_length = 50)] name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::connect("sqlite::memory:").await?;
    /// db.create_tables(&[Tag::meta()]).await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn create_tables(&self, models: &[&ModelMeta]) -> Result<()> {
        for meta in models {
            for sql in create_sql(meta, self.backend()) {
                self.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    /// Drops these models' tables if they exist, in reverse order.
    pub async fn drop_tables(&self, models: &[&ModelMeta]) -> Result<()> {
        for meta in models.iter().rev() {
            self.execute_unprepared(&drop_sql(meta, self.backend())).await?;
        }
        Ok(())
    }

    /// The DDL `create_tables` would run, for review or for a migration file.
    pub fn create_tables_sql(&self, models: &[&ModelMeta]) -> Vec<String> {
        models.iter().flat_map(|m| create_sql(m, self.backend())).collect()
    }
}
