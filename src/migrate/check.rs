//! `manage check`: the models against the live database (Django's system checks of the
//! schema, which Django itself leaves to `makemigrations`): missing or extra tables and
//! columns, types, nullability, primary and foreign keys, unique constraints and indexes.

use std::fmt;

use crate::db::{Db, Executor};
use crate::dialect::{ColumnTypeSql, Dialect, rust_type};
use crate::error::{Error, Result};
use crate::migrate::introspect::{LiveTable, introspect};
use crate::migrate::state::{Column, ProjectState, Table};
use crate::model::{ModelMeta, OnDelete};
use crate::value::ColumnType;

/// What kind of difference a [`Drift`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DriftKind {
    /// A model's table is not in the database.
    MissingTable,
    /// A table in the database belongs to no model.
    ExtraTable,
    /// A field's column is not in the table.
    MissingColumn,
    /// A column of the table belongs to no field.
    ExtraColumn,
    /// The column's type does not hold the field's.
    Type,
    /// The column's `VARCHAR` length differs from the field's `max_length`.
    MaxLength,
    /// NULL is allowed in one and not the other.
    Nullability,
    /// The primary key, or whether the database assigns it, differs.
    PrimaryKey,
    /// A foreign key is missing, extra, or points elsewhere.
    ForeignKey,
    /// A unique constraint (one column or together) is missing or extra.
    Unique,
    /// An index is missing or extra.
    Index,
}

/// One difference between the models and the live database.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Drift {
    /// The table.
    pub table: String,
    /// The column, when the difference is a column's.
    pub column: Option<String>,
    /// What differs.
    pub kind: DriftKind,
    /// For people: the model, the field and what to change.
    pub message: String,
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Db {
    /// The start-up check: `Ok` when the live database matches these models (every table,
    /// column, type, nullability, key, unique constraint and index that [`check`] looks
    /// at), [`Error::SchemaDrift`] listing every difference otherwise, so that a mismatch
    /// (such as an `i64` field on an `integer` column) stops the service before its first
    /// query rather than at the first row read.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, #[kata(max_length = 50)] name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// let db = Db::connect("sqlite::memory:").await?;
    /// assert!(matches!(db.check_models(&[Tag::meta()]).await, Err(kata::Error::SchemaDrift(_))));
    /// db.create_tables(&[Tag::meta()]).await?;
    /// db.check_models(&[Tag::meta()]).await?;
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn check_models(&self, models: &[&'static ModelMeta]) -> Result<()> {
        let drift = check(self, models).await?;
        if drift.is_empty() {
            Ok(())
        } else {
            Err(Error::SchemaDrift(drift.into_iter().map(|d| d.message).collect()))
        }
    }
}

/// Every difference between these models (with their many-to-many link tables) and the
/// live database; empty when they match. Tables of other applications count as extra:
/// list every model. Names of constraints and indexes are not compared, their columns
/// are.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, #[kata(max_length = 50)] name: String }
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// db.execute_unprepared("CREATE TABLE tag (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, name text)").await?;
/// let drift = kata::migrate::check(&db, &[Tag::meta()]).await?;
/// let messages: Vec<String> = drift.iter().map(|d| d.to_string()).collect();
/// assert_eq!(messages.len(), 2, "{messages:?}");
/// assert!(messages[0].contains("Tag.name"), "{messages:?}"); // text, not varchar(50)
/// assert!(messages[1].contains("allows NULL"), "{messages:?}");
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub async fn check(db: &Db, models: &[&'static ModelMeta]) -> Result<Vec<Drift>> {
    let expected = ProjectState::from_models(models)?;
    let metas = crate::migrate::with_through_tables(models);
    let live = introspect(db).await?;
    let dialect: &dyn Dialect = db.__dialect();
    let mut out = Vec::new();
    for table in expected.tables.values() {
        let meta = metas.iter().find(|m| m.table == table.name).copied();
        let model = meta.map_or("?", |m| m.name);
        match live.table(&table.name) {
            None => out.push(Drift {
                table: table.name.clone(),
                column: None,
                kind: DriftKind::MissingTable,
                message: format!("{model}: table `{}` is missing", table.name),
            }),
            Some(found) => compare_table(table, found, meta, dialect, &mut out),
        }
    }
    for found in &live.tables {
        if !expected.tables.contains_key(&found.name) {
            out.push(Drift {
                table: found.name.clone(),
                column: None,
                kind: DriftKind::ExtraTable,
                message: format!("table `{}` belongs to no model", found.name),
            });
        }
    }
    Ok(out)
}

fn compare_table(
    table: &Table,
    found: &LiveTable,
    meta: Option<&ModelMeta>,
    dialect: &dyn Dialect,
    out: &mut Vec<Drift>,
) {
    let model = meta.map_or("?", |m| m.name);
    let name = &table.name;
    let mut push = |column: Option<&str>, kind: DriftKind, message: String| {
        out.push(Drift { table: name.clone(), column: column.map(str::to_owned), kind, message });
    };
    for column in &table.columns {
        let field = meta
            .and_then(|m| m.columns.iter().find(|c| c.name == column.name))
            .map_or(column.name.as_str(), |c| c.field);
        let at = format!("{model}.{field} (`{name}`.`{}`)", column.name);
        let Some(live) = found.column(&column.name) else {
            push(Some(&column.name), DriftKind::MissingColumn, format!("{at}: the column is missing"));
            continue;
        };
        match live.ty {
            None => push(
                Some(&column.name),
                DriftKind::Type,
                format!("{at}: the column's type `{}` is none that kata reads", live.sql_type),
            ),
            Some(ty) if dialect.stored_type(ty) != dialect.stored_type(column.ty) => push(
                Some(&column.name),
                DriftKind::Type,
                format!(
                    "{at}: the field is {} but the column is `{}`: the Rust type that fits is {}",
                    field_type(column),
                    live.sql_type,
                    rust_type(ty)
                ),
            ),
            Some(_) => {
                let wanted = expected_length(table, column, dialect);
                if column.ty == ColumnType::Text && wanted != live.max_length {
                    let says = |n: Option<u32>| n.map_or(String::from("no limit"), |n| format!("{n}"));
                    push(
                        Some(&column.name),
                        DriftKind::MaxLength,
                        format!(
                            "{at}: max_length is {} but the column's length is {}",
                            says(wanted),
                            says(live.max_length)
                        ),
                    );
                }
            }
        }
        if live.nullable != column.nullable {
            let (field_says, column_says) =
                if column.nullable { ("Option<..>", "NOT NULL") } else { ("not an Option", "allows NULL") };
            push(
                Some(&column.name),
                DriftKind::Nullability,
                format!("{at}: the field is {field_says} but the column {column_says}"),
            );
        }
        if live.auto != column.auto {
            push(
                Some(&column.name),
                DriftKind::PrimaryKey,
                format!(
                    "{at}: {}",
                    if column.auto {
                        "the field is `auto` but the database does not assign the column"
                    } else {
                        "the database assigns the column but the field is not `auto`"
                    }
                ),
            );
        }
        match (&column.foreign_key, found.foreign_key(&column.name)) {
            (Some(fk), Some(live_fk)) => {
                if fk.table != live_fk.table || fk.column != live_fk.target_column {
                    push(
                        Some(&column.name),
                        DriftKind::ForeignKey,
                        format!(
                            "{at}: the foreign key points at `{}`.`{}`, the model's at `{}`.`{}`",
                            live_fk.table, live_fk.target_column, fk.table, fk.column
                        ),
                    );
                } else if refuses(fk.on_delete) != refuses(live_fk.on_delete)
                    || (!refuses(fk.on_delete) && fk.on_delete != live_fk.on_delete)
                {
                    push(
                        Some(&column.name),
                        DriftKind::ForeignKey,
                        format!(
                            "{at}: ON DELETE is {} in the database, {} in the model",
                            action(live_fk.on_delete),
                            action(fk.on_delete)
                        ),
                    );
                }
            }
            (Some(fk), None) => push(
                Some(&column.name),
                DriftKind::ForeignKey,
                format!("{at}: the foreign key to `{}` is missing", fk.table),
            ),
            (None, Some(live_fk)) => push(
                Some(&column.name),
                DriftKind::ForeignKey,
                format!(
                    "{at}: the column has a foreign key to `{}` that the field does not declare",
                    live_fk.table
                ),
            ),
            (None, None) => {}
        }
    }
    for live in &found.columns {
        if table.column(&live.name).is_none() {
            push(
                Some(&live.name),
                DriftKind::ExtraColumn,
                format!("{model}: column `{name}`.`{}` belongs to no field", live.name),
            );
        }
    }
    let pk: Vec<&str> = table.primary_key();
    if pk != found.primary_key.iter().map(String::as_str).collect::<Vec<_>>() {
        push(
            None,
            DriftKind::PrimaryKey,
            format!(
                "{model}: the primary key of `{name}` is ({}), the model's is ({})",
                found.primary_key.join(", "),
                pk.join(", ")
            ),
        );
    }
    compare_indexes(table, found, model, &mut push);
}

/// Unique constraints and indexes, compared by their columns.
fn compare_indexes(
    table: &Table,
    found: &LiveTable,
    model: &str,
    push: &mut impl FnMut(Option<&str>, DriftKind, String),
) {
    let name = &table.name;
    let mut uniques: Vec<Vec<String>> =
        table.columns.iter().filter(|c| c.unique && !c.primary_key).map(|c| vec![c.name.clone()]).collect();
    uniques.extend(table.unique_together.iter().cloned());
    let mut indexes: Vec<Vec<String>> = table
        .columns
        .iter()
        .filter(|c| c.index && !c.unique && !c.primary_key)
        .map(|c| vec![c.name.clone()])
        .collect();
    indexes.extend(table.indexes.iter().map(|i| i.columns.clone()));
    let same_set = |a: &[String], b: &[String]| a.len() == b.len() && a.iter().all(|c| b.contains(c));
    for group in &uniques {
        if !found.indexes.iter().any(|i| i.unique && same_set(&i.columns, group)) {
            push(
                None,
                DriftKind::Unique,
                format!("{model}: the unique constraint on `{name}` ({}) is missing", group.join(", ")),
            );
        }
    }
    for group in &indexes {
        if !found.indexes.iter().any(|i| !i.unique && i.columns == *group) {
            push(
                None,
                DriftKind::Index,
                format!("{model}: the index on `{name}` ({}) is missing", group.join(", ")),
            );
        }
    }
    for live in &found.indexes {
        if live.unique && !uniques.iter().any(|g| same_set(g, &live.columns)) {
            push(
                None,
                DriftKind::Unique,
                format!(
                    "{model}: `{name}` has a unique constraint `{}` ({}) that the model does not declare",
                    live.name,
                    live.columns.join(", ")
                ),
            );
        }
        if !live.unique && !found.is_foreign_key_index(live) && !indexes.contains(&live.columns) {
            push(
                None,
                DriftKind::Index,
                format!(
                    "{model}: `{name}` has an index `{}` ({}) that the model does not declare",
                    live.name,
                    live.columns.join(", ")
                ),
            );
        }
    }
}

/// The field's Rust type and its column type in SQL words.
fn field_type(column: &Column) -> String {
    let sql = match column.ty {
        ColumnType::Bool => "boolean",
        ColumnType::SmallInt => "smallint",
        ColumnType::Integer => "integer",
        ColumnType::BigInt => "bigint",
        ColumnType::Float => "real",
        ColumnType::Double => "double precision",
        ColumnType::Text => "text",
        ColumnType::Bytes => "bytes",
        ColumnType::TimestampTz => "timestamp with time zone",
        ColumnType::Timestamp => "timestamp",
        ColumnType::Date => "date",
        ColumnType::Time => "time",
        ColumnType::Json => "json",
        ColumnType::Decimal { .. } => "numeric",
        ColumnType::Uuid => "uuid",
        ColumnType::Duration => "interval",
        ColumnType::IpAddr => "inet",
        ColumnType::UnsignedSmallInt => "smallint unsigned",
        ColumnType::UnsignedInt => "int unsigned",
        ColumnType::UnsignedBigInt => "bigint unsigned",
        ColumnType::Array(of) => crate::dialect::postgres_array_type(of),
    };
    format!("{} ({sql})", rust_type(column.ty))
}

/// The `VARCHAR` length the column's DDL has: the field's `max_length`, or the one the
/// backend gives unbounded text that is keyed (MySQL's `VARCHAR(255)`).
fn expected_length(table: &Table, column: &Column, dialect: &dyn Dialect) -> Option<u32> {
    let keyed = column.unique
        || column.index
        || column.primary_key
        || column.foreign_key.is_some()
        || table.unique_together.iter().any(|g| g.contains(&column.name))
        || table.indexes.iter().any(|i| i.columns.contains(&column.name));
    match dialect.column_type(column.ty, column.auto, column.max_length, keyed) {
        ColumnTypeSql::Varchar(n) => Some(n),
        _ => column.max_length,
    }
}

/// `RESTRICT` and `NO ACTION` both refuse the delete (they differ only in when a deferred
/// check runs), and backends report one for the other.
fn refuses(on_delete: OnDelete) -> bool {
    matches!(on_delete, OnDelete::Restrict | OnDelete::Protect | OnDelete::DoNothing)
}

fn action(on_delete: OnDelete) -> &'static str {
    match on_delete {
        OnDelete::Cascade => "CASCADE",
        OnDelete::Restrict | OnDelete::Protect => "RESTRICT",
        OnDelete::SetNull => "SET NULL",
        OnDelete::DoNothing => "NO ACTION",
    }
}
