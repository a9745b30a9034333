//! The backend-neutral schema state (Django's `ProjectState`): tables, their columns, keys,
//! indexes and unique-together groups. Built from the application's models, or by
//! replaying migrations; the autodetector diffs two of them.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::names::generated_name;
use crate::model::{ColumnMeta, DefaultValue, ModelMeta, OnDelete, RelationKind};
use crate::value::ColumnType;

/// A column as migrations see it. Built with [`Column::new`] and its chained setters, in
/// migration files as in code.
///
/// ```
/// use kata::ColumnType;
/// use kata::migrate::Column;
/// let name = Column::new("name", ColumnType::Text).max_length(50).unique();
/// assert_eq!(name.max_length, Some(50));
/// assert!(name.unique && !name.nullable);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Column {
    /// The column name.
    pub name: String,
    /// The storage class.
    pub ty: ColumnType,
    /// NULL allowed.
    pub nullable: bool,
    /// Part of the primary key.
    pub primary_key: bool,
    /// Assigned by the database on insert.
    pub auto: bool,
    /// Unique on its own.
    pub unique: bool,
    /// Indexed on its own.
    pub index: bool,
    /// The longest text (`VARCHAR(n)`).
    pub max_length: Option<u32>,
    /// The database default.
    pub default: Option<DefaultValue>,
    /// The foreign key, if the column is one.
    pub foreign_key: Option<ForeignKey>,
}

/// A foreign key: the table and column it points at, and what a delete there does.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ForeignKey {
    /// The table pointed at.
    pub table: String,
    /// Its column (the primary key).
    pub column: String,
    /// `ON DELETE`.
    pub on_delete: OnDelete,
}

impl Column {
    /// A NOT NULL column with no key, index or default.
    pub fn new(name: &str, ty: ColumnType) -> Self {
        Column {
            name: name.to_owned(),
            ty,
            nullable: false,
            primary_key: false,
            auto: false,
            unique: false,
            index: false,
            max_length: None,
            default: None,
            foreign_key: None,
        }
    }

    /// NULL allowed.
    pub fn null(mut self) -> Self {
        self.nullable = true;
        self
    }

    /// Part of the primary key.
    pub fn primary_key(mut self) -> Self {
        self.primary_key = true;
        self
    }

    /// Assigned by the database on insert.
    pub fn auto(mut self) -> Self {
        self.auto = true;
        self
    }

    /// Unique on its own.
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Indexed on its own.
    pub fn index(mut self) -> Self {
        self.index = true;
        self
    }

    /// At most `n` characters.
    pub fn max_length(mut self, n: u32) -> Self {
        self.max_length = Some(n);
        self
    }

    /// The database default.
    pub fn default(mut self, value: DefaultValue) -> Self {
        self.default = Some(value);
        self
    }

    /// A foreign key to `table.column`.
    pub fn references(mut self, table: &str, column: &str, on_delete: OnDelete) -> Self {
        self.foreign_key = Some(ForeignKey { table: table.to_owned(), column: column.to_owned(), on_delete });
        self
    }

    fn from_meta(column: &ColumnMeta) -> Self {
        let foreign_key = column.foreign_key.as_ref().and_then(|fk| {
            let target = (fk.target)();
            target.primary_key.first().map(|&pk| ForeignKey {
                table: target.table.to_owned(),
                column: target.columns[pk].name.to_owned(),
                on_delete: fk.on_delete,
            })
        });
        let one_to_one = column.foreign_key.as_ref().is_some_and(|fk| fk.one_to_one);
        Column {
            name: column.name.to_owned(),
            ty: column.ty,
            nullable: column.nullable,
            primary_key: column.primary_key,
            auto: column.auto,
            unique: (column.unique || one_to_one) && !column.primary_key,
            index: column.index && !column.unique && !column.primary_key,
            max_length: column.max_length,
            default: column.default,
            foreign_key,
        }
    }
}

/// A table as migrations see it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Table {
    /// The table name.
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// Groups of columns unique together.
    pub unique_together: Vec<Vec<String>>,
    /// Indexes over several columns (or named by hand), besides the columns' own.
    pub indexes: Vec<Index>,
    /// Check constraints (Django's `CheckConstraint`), added by hand in migrations with
    /// `Operation::add_check`.
    pub checks: Vec<Check>,
}

/// A named check constraint: a boolean SQL expression every row must satisfy, written
/// as-is on every backend (so keep to portable SQL: comparisons, `AND`, `OR`, `IN`,
/// `IS NULL`, `LENGTH`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Check {
    /// Its name.
    pub name: String,
    /// The condition.
    pub sql: String,
}

impl Check {
    /// The check `name` with the condition `sql`.
    ///
    /// ```
    /// let c = kata::migrate::Check::new("post_views_positive", "views >= 0");
    /// assert_eq!(c.sql, "views >= 0");
    /// ```
    pub fn new(name: &str, sql: &str) -> Self {
        Check { name: name.to_owned(), sql: sql.to_owned() }
    }
}

/// An index over one or more columns, by name.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Index {
    /// Its name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
}

impl Index {
    /// An index named `name` over `columns`.
    pub fn new(name: &str, columns: &[&str]) -> Self {
        Index { name: name.to_owned(), columns: columns.iter().map(|c| (*c).to_owned()).collect() }
    }
}

impl Table {
    /// A table with these columns and nothing else.
    pub fn new(name: &str, columns: Vec<Column>) -> Self {
        Table {
            name: name.to_owned(),
            columns,
            unique_together: Vec::new(),
            indexes: Vec::new(),
            checks: Vec::new(),
        }
    }

    /// Adds a group of columns unique together.
    pub fn unique_together(mut self, columns: &[&str]) -> Self {
        self.unique_together.push(columns.iter().map(|c| (*c).to_owned()).collect());
        self
    }

    /// Adds a check constraint.
    pub fn check(mut self, name: &str, sql: &str) -> Self {
        self.checks.push(Check::new(name, sql));
        self
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub(crate) fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// The state of a model's table.
    pub fn from_meta(meta: &ModelMeta) -> Self {
        Table {
            name: meta.table.to_owned(),
            columns: meta.columns.iter().map(Column::from_meta).collect(),
            unique_together: meta
                .unique_together
                .iter()
                .map(|g| g.iter().map(|c| (*c).to_owned()).collect())
                .collect(),
            indexes: Vec::new(),
            checks: Vec::new(),
        }
    }

    /// The primary-key columns.
    pub(crate) fn primary_key(&self) -> Vec<&str> {
        self.columns.iter().filter(|c| c.primary_key).map(|c| c.name.as_str()).collect()
    }

    pub(crate) fn pk_name(&self) -> String {
        generated_name(&self.name, &[], "pkey")
    }

    pub(crate) fn unique_name(&self, columns: &[String]) -> String {
        let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
        generated_name(&self.name, &cols, "key")
    }

    pub(crate) fn fk_name(&self, column: &str) -> String {
        generated_name(&self.name, &[column], "fkey")
    }

    pub(crate) fn index_name(&self, column: &str) -> String {
        generated_name(&self.name, &[column], "idx")
    }

    /// The name of the `CHECK` that keeps an unsigned column's range on backends without
    /// unsigned types (PostgreSQL's own name for a column's check).
    pub(crate) fn check_name(&self, column: &str) -> String {
        generated_name(&self.name, &[column], "check")
    }

    /// Every name the table's DDL uses (to check against identifier limits).
    pub(crate) fn generated_names(&self) -> Vec<String> {
        let mut names = vec![self.name.clone(), self.pk_name()];
        for c in &self.columns {
            names.push(c.name.clone());
            if c.unique {
                names.push(self.unique_name(std::slice::from_ref(&c.name)));
            }
            if c.foreign_key.is_some() {
                names.push(self.fk_name(&c.name));
            }
            if c.index {
                names.push(self.index_name(&c.name));
            }
            if c.ty.unsigned_max().is_some() {
                names.push(self.check_name(&c.name));
            }
        }
        names.extend(self.unique_together.iter().map(|g| self.unique_name(g)));
        names.extend(self.checks.iter().map(|c| c.name.clone()));
        names.extend(self.indexes.iter().map(|i| i.name.clone()));
        names
    }
}

/// The whole schema: every table by name (Django's `ProjectState`).
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, #[kata(max_length = 50)] name: String }
/// let state = kata::migrate::ProjectState::from_models(&[Tag::meta()])?;
/// assert_eq!(state.table("tag").unwrap().column("name").unwrap().max_length, Some(50));
/// # Ok::<(), kata::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProjectState {
    /// The tables, by name.
    pub tables: BTreeMap<String, Table>,
}

impl ProjectState {
    /// The state of these models' tables and their many-to-many link tables. A model that a
    /// relation points at but that is not listed is an error naming it.
    pub fn from_models(models: &[&'static ModelMeta]) -> Result<Self> {
        let all = crate::migrate::with_through_tables(models);
        let listed = |m: &ModelMeta| all.iter().any(|k| std::ptr::eq(*k, m) || k.table == m.table);
        for meta in &all {
            let mut targets: Vec<&ModelMeta> =
                meta.columns.iter().filter_map(|c| c.foreign_key.as_ref().map(|fk| (fk.target)())).collect();
            for rel in meta.relations {
                match &rel.kind {
                    RelationKind::ManyToMany { target, .. } => targets.push(target()),
                    RelationKind::ManyToManyReverse { forward, .. } => targets.push(forward()),
                    RelationKind::Reverse { source, .. } => targets.push(source()),
                }
            }
            if let Some(missing) = targets.into_iter().find(|t| !listed(t)) {
                return Err(Error::InvalidQuery(format!(
                    "{} has a relation to {} (table `{}`), which is not among the listed models; add {}::meta() to the list",
                    meta.name, missing.name, missing.table, missing.name
                )));
            }
        }
        let mut state = ProjectState::default();
        for meta in all {
            if state.tables.contains_key(meta.table) {
                return Err(Error::InvalidQuery(format!("two listed models use the table `{}`", meta.table)));
            }
            state.tables.insert(meta.table.to_owned(), Table::from_meta(meta));
        }
        Ok(state)
    }

    /// The table named `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    pub(crate) fn table_mut(&mut self, name: &str) -> Result<&mut Table> {
        self.tables
            .get_mut(name)
            .ok_or_else(|| Error::InvalidQuery(format!("no table `{name}` in the migration state")))
    }

    /// The tables that `name`'s foreign keys point at (other than itself).
    pub(crate) fn dependencies(&self, name: &str) -> Vec<String> {
        self.tables
            .get(name)
            .map(|t| {
                t.columns
                    .iter()
                    .filter_map(|c| c.foreign_key.as_ref().map(|fk| fk.table.clone()))
                    .filter(|t| t != name)
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The column type's name in migration files (`ColumnType::BigInt`).
pub(crate) fn column_type_name(ty: ColumnType) -> std::borrow::Cow<'static, str> {
    std::borrow::Cow::Borrowed(match ty {
        ColumnType::Bool => "Bool",
        ColumnType::SmallInt => "SmallInt",
        ColumnType::Integer => "Integer",
        ColumnType::BigInt => "BigInt",
        ColumnType::Float => "Float",
        ColumnType::Double => "Double",
        ColumnType::Text => "Text",
        ColumnType::Bytes => "Bytes",
        ColumnType::TimestampTz => "TimestampTz",
        ColumnType::Timestamp => "Timestamp",
        ColumnType::Date => "Date",
        ColumnType::Time => "Time",
        ColumnType::Json => "Json",
        ColumnType::Decimal { max_digits, decimal_places } => {
            return format!("Decimal {{ max_digits: {max_digits}, decimal_places: {decimal_places} }}")
                .into();
        }
        ColumnType::Uuid => "Uuid",
        ColumnType::Duration => "Duration",
        ColumnType::IpAddr => "IpAddr",
        ColumnType::UnsignedSmallInt => "UnsignedSmallInt",
        ColumnType::UnsignedInt => "UnsignedInt",
        ColumnType::UnsignedBigInt => "UnsignedBigInt",
        ColumnType::Array(of) => return format!("Array(ArrayOf::{of:?})").into(),
    })
}

/// How wide a type is within its family, to tell narrowing changes (`BigInt` to
/// `Integer`); `None` across families.
pub(crate) fn narrows(from: &Column, to: &Column) -> bool {
    let rank = |ty: ColumnType| match ty {
        ColumnType::SmallInt => Some((0, 1)),
        ColumnType::Integer => Some((0, 2)),
        ColumnType::BigInt => Some((0, 3)),
        ColumnType::Float => Some((1, 1)),
        ColumnType::Double => Some((1, 2)),
        ColumnType::UnsignedSmallInt => Some((2, 1)),
        ColumnType::UnsignedInt => Some((2, 2)),
        ColumnType::UnsignedBigInt => Some((2, 3)),
        _ => None,
    };
    if from.ty != to.ty {
        return match (rank(from.ty), rank(to.ty)) {
            (Some((a, x)), Some((b, y))) if a == b => y < x,
            _ => true,
        };
    }
    match (from.max_length, to.max_length) {
        (None, Some(_)) => true,
        (Some(a), Some(b)) => b < a,
        _ => false,
    }
}
