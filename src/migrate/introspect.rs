//! The live schema of a database (Django's `connection.introspection`): its tables, their
//! columns (type, nullability, default, length), primary keys, foreign keys, unique
//! constraints and indexes, read from the backend's catalog through the dialect's queries.
//! `check` compares it with the models, `inspectdb` writes models from it.

use crate::db::{Db, Executor};
use crate::dialect::Dialect;
use crate::error::Result;
use crate::migrate::HISTORY_TABLE;
use crate::model::OnDelete;
use crate::value::ColumnType;

/// A column of a live table.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LiveColumn {
    /// Its name.
    pub name: String,
    /// Its type as the database reports it (`integer`, `varchar(150)`, `character varying`).
    pub sql_type: String,
    /// The column type it reads as, when kata has one for it.
    pub ty: Option<ColumnType>,
    /// NULL allowed.
    pub nullable: bool,
    /// The database default, as SQL text.
    pub default: Option<String>,
    /// The longest text (`VARCHAR(n)`).
    pub max_length: Option<u32>,
    /// Assigned by the database on insert (identity, serial, `AUTO_INCREMENT`,
    /// `AUTOINCREMENT`).
    pub auto: bool,
}

/// A foreign key of a live table (one column).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LiveForeignKey {
    /// The constraint's name (empty on SQLite, which does not keep it).
    pub name: String,
    /// The referencing column.
    pub column: String,
    /// The table pointed at.
    pub table: String,
    /// Its column.
    pub target_column: String,
    /// `ON DELETE`.
    pub on_delete: OnDelete,
}

/// An index of a live table, unique constraints included (they are unique indexes on
/// every backend), the primary key's excluded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LiveIndex {
    /// Its name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
    /// Unique.
    pub unique: bool,
}

/// A live table.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LiveTable {
    /// Its name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<LiveColumn>,
    /// The primary-key columns, in key order.
    pub primary_key: Vec<String>,
    /// Its foreign keys.
    pub foreign_keys: Vec<LiveForeignKey>,
    /// Its indexes and unique constraints (not the primary key).
    pub indexes: Vec<LiveIndex>,
}

impl LiveTable {
    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&LiveColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The foreign key of column `name`.
    pub fn foreign_key(&self, column: &str) -> Option<&LiveForeignKey> {
        self.foreign_keys.iter().find(|f| f.column == column)
    }

    /// Whether `columns` (in any order) are unique together, by a unique index or the
    /// primary key.
    pub fn is_unique(&self, columns: &[&str]) -> bool {
        let same = |other: &[String]| {
            other.len() == columns.len() && columns.iter().all(|c| other.iter().any(|o| o == c))
        };
        same(&self.primary_key) || self.indexes.iter().any(|i| i.unique && same(&i.columns))
    }

    /// Whether the foreign key's own index is `index`
    /// (MySQL makes one per foreign key that no other index starts with, named after the
    /// constraint or, for an unnamed one, after the column).
    pub(crate) fn is_foreign_key_index(&self, index: &LiveIndex) -> bool {
        !index.unique
            && index.columns.len() == 1
            && self
                .foreign_keys
                .iter()
                .any(|f| (f.name == index.name || f.column == index.name) && f.column == index.columns[0])
    }
}

/// The live schema: every table but kata's migration history, by name.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct LiveSchema {
    /// The tables, ordered by name.
    pub tables: Vec<LiveTable>,
}

impl LiveSchema {
    /// The table named `name`.
    pub fn table(&self, name: &str) -> Option<&LiveTable> {
        self.tables.iter().find(|t| t.name == name)
    }
}

type ColumnRow = (String, String, i64, Option<String>, Option<i64>, i64, i64);
type ForeignKeyRow = (String, String, String, String, String);
type IndexRow = (String, i64, i64, String, i64);

/// Reads the live schema of `db` (every table but `kata_migrations`).
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, #[kata(unique, max_length = 50)] name: String }
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// db.create_tables(&[Tag::meta()]).await?;
/// let schema = kata::migrate::introspect(&db).await?;
/// let tag = schema.table("tag").unwrap();
/// assert_eq!(tag.primary_key, ["id"]);
/// assert_eq!(tag.column("name").unwrap().max_length, Some(50));
/// assert!(tag.is_unique(&["name"]));
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub async fn introspect(db: &Db) -> Result<LiveSchema> {
    let dialect: &dyn Dialect = db.__dialect();
    let sql = dialect.introspection();
    let mut schema = LiveSchema::default();
    for name in db.raw_query::<String>(sql.tables, ()).await? {
        if name == HISTORY_TABLE {
            continue;
        }
        let params: Vec<String> = vec![name.clone(); sql.columns_params];
        let rows: Vec<ColumnRow> = db.raw_query(sql.columns, params).await?;
        let mut keyed: Vec<(i64, String)> = Vec::new();
        let mut columns = Vec::new();
        for (column, sql_type, nullable, default, length, auto, pk) in rows {
            let read = dialect.column_type_of(&sql_type);
            if pk > 0 {
                keyed.push((pk, column.clone()));
            }
            let max_length = match read {
                Some((ColumnType::Text, n)) => n.or_else(|| length.and_then(|l| u32::try_from(l).ok())),
                _ => None,
            }
            .filter(|n| *n < 16_777_215);
            columns.push(LiveColumn {
                name: column,
                sql_type,
                ty: read.map(|(ty, _)| ty),
                nullable: nullable != 0,
                default: default.filter(|d| d != "NULL"),
                max_length,
                auto: auto != 0,
            });
        }
        keyed.sort();
        let fk_rows: Vec<ForeignKeyRow> = db.raw_query(sql.foreign_keys, (name.clone(),)).await?;
        let foreign_keys = fk_rows
            .into_iter()
            .map(|(fk, column, table, target_column, rule)| LiveForeignKey {
                name: fk,
                column,
                table,
                target_column,
                on_delete: on_delete(&rule),
            })
            .collect();
        let index_rows: Vec<IndexRow> = db.raw_query(sql.indexes, (name.clone(),)).await?;
        let mut indexes: Vec<LiveIndex> = Vec::new();
        let mut primary_key: Vec<String> = keyed.into_iter().map(|(_, c)| c).collect();
        let mut index_pk: Vec<String> = Vec::new();
        for (index, unique, primary, column, _) in index_rows {
            if primary != 0 {
                index_pk.push(column);
                continue;
            }
            match indexes.last_mut().filter(|i| i.name == index) {
                Some(last) => last.columns.push(column),
                None => indexes.push(LiveIndex { name: index, columns: vec![column], unique: unique != 0 }),
            }
        }
        if primary_key.is_empty() {
            primary_key = index_pk;
        }
        schema.tables.push(LiveTable { name, columns, primary_key, foreign_keys, indexes });
    }
    Ok(schema)
}

fn on_delete(rule: &str) -> OnDelete {
    match rule.to_ascii_uppercase().as_str() {
        "CASCADE" => OnDelete::Cascade,
        "SET NULL" => OnDelete::SetNull,
        "RESTRICT" => OnDelete::Restrict,
        _ => OnDelete::DoNothing,
    }
}
