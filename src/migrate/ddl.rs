//! DDL from the schema state, built with sea-query and rendered through the dialect:
//! CREATE TABLE (shared by `create_tables` and `CreateModel`), and the ALTERs of each
//! operation, with SQLite's table rebuild where it cannot alter in place.

use sea_query::{Alias, ColumnDef, Expr, ExprTrait, Query, SelectStatement, SimpleExpr};

use crate::dialect::{ColumnTypeSql, Dialect, quote};
use crate::migrate::state::{Column, Index, Table};
use crate::model::DefaultValue;
use crate::value::ColumnType;

fn keyed(table: &Table, column: &Column) -> bool {
    column.unique
        || column.index
        || column.primary_key
        || column.foreign_key.is_some()
        || table.unique_together.iter().any(|g| g.contains(&column.name))
        || table.indexes.iter().any(|i| i.columns.contains(&column.name))
}

/// The column's definition: type, NOT NULL, auto key and default (never its constraints,
/// which are named and made separately). `alter` says NULL is written out, for ALTERs.
pub(crate) fn column_def(table: &Table, column: &Column, dialect: &dyn Dialect, alter: bool) -> ColumnDef {
    let mut def = ColumnDef::new(Alias::new(&column.name));
    match dialect.column_type(column.ty, column.auto, column.max_length, keyed(table, column)) {
        ColumnTypeSql::Integer => def.integer(),
        ColumnTypeSql::Varchar(n) => def.string_len(n),
        ColumnTypeSql::JsonBinary => def.json_binary(),
        ColumnTypeSql::Numeric(p, s) => def.decimal_len(u32::from(p), u32::from(s)),
        ColumnTypeSql::Custom(sql) => def.custom(Alias::new(sql)),
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
            ColumnType::Decimal { max_digits, decimal_places } => {
                def.decimal_len(u32::from(max_digits), u32::from(decimal_places))
            }
            ColumnType::Uuid => def.uuid(),
            // Microseconds, as Django stores a DurationField without an interval type.
            ColumnType::Duration => def.big_integer(),
            // The longest IPv6 text (Django's GenericIPAddressField).
            ColumnType::IpAddr => def.string_len(39),
            // The next wider signed type, with a CHECK of the range (`constraints`).
            ColumnType::UnsignedSmallInt => def.integer(),
            ColumnType::UnsignedInt | ColumnType::UnsignedBigInt => def.big_integer(),
            // Only PostgreSQL has arrays, and writes them itself; elsewhere `check_names`
            // refuses the table before any DDL.
            ColumnType::Array(_) => def.json(),
        },
    };
    if !column.nullable {
        def.not_null();
    } else if alter {
        def.null();
    }
    if column.auto {
        def.auto_increment();
        if table.primary_key().len() == 1 {
            def.primary_key();
        }
    }
    // A generated UUID is kata's to make per row, as Django's Python-side default; a
    // decimal's default is kata's to send too, since SQLite keeps decimals in kata's text form.
    let kata_side =
        |d: &DefaultValue| *d == DefaultValue::Uuid4 || matches!(column.ty, ColumnType::Decimal { .. });
    if let Some(default) = column.default.filter(|d| !kata_side(d)) {
        def.default(default_expr(default, column.ty, dialect));
    }
    def
}

fn default_expr(default: DefaultValue, ty: ColumnType, dialect: &dyn Dialect) -> SimpleExpr {
    match default {
        DefaultValue::Bool(b) => Expr::val(b),
        DefaultValue::Int(i) => Expr::val(i),
        DefaultValue::Float(f) => Expr::val(f),
        DefaultValue::Str(s) => Expr::val(s),
        DefaultValue::Now => match dialect.now_default(ty) {
            Some(sql) => Expr::cust(sql),
            None => Expr::current_timestamp(),
        },
        DefaultValue::Uuid4 => Expr::cust("NULL"),
    }
}

/// A named thing a table has besides its columns: what an ALTER drops and re-creates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Constraint {
    Unique {
        name: String,
        columns: Vec<String>,
    },
    ForeignKey {
        name: String,
        column: String,
        target: String,
        target_column: String,
        action: crate::model::OnDelete,
    },
    Index {
        name: String,
        columns: Vec<String>,
    },
    Check {
        name: String,
        sql: String,
    },
}

impl Constraint {
    fn is_index(&self) -> bool {
        matches!(self, Constraint::Index { .. })
    }
}

/// The table's uniques, foreign keys, indexes and checks, each with its generated name:
/// the declared checks, and where the backend has no unsigned columns, one per unsigned
/// column keeping it within its Rust type's range (Django's `PositiveIntegerField` check).
pub(crate) fn constraints(table: &Table, dialect: &dyn Dialect) -> Vec<Constraint> {
    let mut out = Vec::new();
    for c in table.columns.iter().filter(|c| c.unique && !c.primary_key) {
        out.push(Constraint::Unique {
            name: table.unique_name(std::slice::from_ref(&c.name)),
            columns: vec![c.name.clone()],
        });
    }
    for group in &table.unique_together {
        out.push(Constraint::Unique { name: table.unique_name(group), columns: group.clone() });
    }
    for c in &table.columns {
        if let Some(fk) = &c.foreign_key {
            out.push(Constraint::ForeignKey {
                name: table.fk_name(&c.name),
                column: c.name.clone(),
                target: fk.table.clone(),
                target_column: fk.column.clone(),
                action: fk.on_delete,
            });
        }
    }
    for c in table.columns.iter().filter(|c| c.index && !c.unique && !c.primary_key) {
        out.push(Constraint::Index { name: table.index_name(&c.name), columns: vec![c.name.clone()] });
    }
    for i in &table.indexes {
        out.push(Constraint::Index { name: i.name.clone(), columns: i.columns.clone() });
    }
    for c in &table.checks {
        out.push(Constraint::Check { name: c.name.clone(), sql: c.sql.clone() });
    }
    if !dialect.unsigned_columns() {
        for c in &table.columns {
            let Some(max) = c.ty.unsigned_max() else { continue };
            let column = quote(dialect, &c.name);
            // A u64 column holds what the signed BIGINT holds: only the lower bound is checked.
            let sql = if c.ty == ColumnType::UnsignedBigInt {
                format!("{column} >= 0")
            } else {
                format!("{column} >= 0 AND {column} <= {max}")
            };
            out.push(Constraint::Check { name: table.check_name(&c.name), sql });
        }
    }
    out
}

/// A constraint or index name as sea-query wants it: sea-query puts these names between the
/// identifier quotes as they are (unlike table and column names), so an embedded quote
/// character is doubled here.
fn constraint_name(dialect: &dyn Dialect, name: &str) -> String {
    let q = dialect.identifier_quote();
    name.replace(q, &format!("{q}{q}"))
}

fn index_create(
    table: &str,
    name: &str,
    columns: &[String],
    dialect: &dyn Dialect,
) -> sea_query::IndexCreateStatement {
    let mut index = sea_query::Index::create();
    index.name(constraint_name(dialect, name)).table(Alias::new(table));
    for c in columns {
        index.col(Alias::new(c));
    }
    index
}

/// `CREATE TABLE` with its primary key, uniques and foreign keys, then its indexes.
pub(crate) fn create_table(table: &Table, dialect: &dyn Dialect) -> Vec<String> {
    let mut stmt = sea_query::Table::create();
    stmt.table(Alias::new(&table.name));
    for column in &table.columns {
        stmt.col(column_def(table, column, dialect, false));
    }
    let pk = table.primary_key();
    if !table.columns.iter().any(|c| c.auto) && !pk.is_empty() {
        let mut key = sea_query::Index::create();
        key.name(constraint_name(dialect, &table.pk_name()));
        for c in pk {
            key.col(Alias::new(c));
        }
        stmt.primary_key(&mut key);
    }
    let mut indexes = Vec::new();
    for constraint in constraints(table, dialect) {
        match constraint {
            Constraint::Unique { name, columns } => {
                let mut unique = sea_query::Index::create();
                unique.name(constraint_name(dialect, &name)).unique();
                for c in columns {
                    unique.col(Alias::new(c));
                }
                stmt.index(&mut unique);
            }
            Constraint::ForeignKey { name, column, target, target_column, action } => {
                let mut key = sea_query::ForeignKey::create();
                key.name(constraint_name(dialect, &name))
                    .from(Alias::new(&table.name), Alias::new(column))
                    .to(Alias::new(target), Alias::new(target_column))
                    .on_delete(action.sql_action());
                stmt.foreign_key(&mut key);
            }
            Constraint::Index { name, columns } => {
                indexes.push(index_create(&table.name, &name, &columns, dialect))
            }
            Constraint::Check { name, sql } => {
                stmt.check(sea_query::Check::named(Alias::new(name), Expr::cust(format!("({sql})"))));
            }
        }
    }
    if let Some(options) = dialect.table_options() {
        stmt.engine(options.engine).character_set(options.charset).collate(options.collation);
    }
    let mut out = vec![dialect.render_schema(&stmt)];
    out.extend(indexes.iter().map(|i| dialect.render_schema(i)));
    out
}

/// `CREATE INDEX CONCURRENTLY` (the dialect says where it exists).
pub(crate) fn create_index_concurrently(table: &str, index: &Index, dialect: &dyn Dialect) -> String {
    let cols: Vec<String> = index.columns.iter().map(|c| quote(dialect, c)).collect();
    format!(
        "CREATE INDEX CONCURRENTLY {} ON {} ({})",
        quote(dialect, &index.name),
        quote(dialect, table),
        cols.join(", ")
    )
}

/// `DROP INDEX CONCURRENTLY`.
pub(crate) fn drop_index_concurrently(name: &str, dialect: &dyn Dialect) -> String {
    format!("DROP INDEX CONCURRENTLY {}", quote(dialect, name))
}

/// `DROP TABLE`.
pub(crate) fn drop_table(name: &str, if_exists: bool, dialect: &dyn Dialect) -> String {
    let mut stmt = sea_query::Table::drop();
    stmt.table(Alias::new(name));
    if if_exists {
        stmt.if_exists();
    }
    dialect.render_schema(&stmt)
}

/// `ALTER TABLE old RENAME TO new`.
pub(crate) fn rename_table(old: &str, new: &str, dialect: &dyn Dialect) -> String {
    let mut stmt = sea_query::Table::rename();
    stmt.table(Alias::new(old), Alias::new(new));
    dialect.render_schema(&stmt)
}

fn drop_constraint(table: &str, constraint: &Constraint, dialect: &dyn Dialect) -> String {
    match constraint {
        Constraint::Unique { name, .. } => dialect.drop_unique(table, name),
        Constraint::ForeignKey { name, .. } => {
            let mut stmt = sea_query::ForeignKey::drop();
            stmt.name(constraint_name(dialect, name)).table(Alias::new(table));
            dialect.render_schema(&stmt)
        }
        Constraint::Index { name, .. } => {
            let mut stmt = sea_query::Index::drop();
            stmt.name(constraint_name(dialect, name)).table(Alias::new(table));
            dialect.render_schema(&stmt)
        }
        Constraint::Check { name, .. } => {
            format!("ALTER TABLE {} DROP CONSTRAINT {}", quote(dialect, table), quote(dialect, name))
        }
    }
}

fn add_constraint(table: &str, constraint: &Constraint, dialect: &dyn Dialect) -> String {
    match constraint {
        Constraint::Unique { name, columns } => {
            let cols: Vec<String> = columns.iter().map(|c| quote(dialect, c)).collect();
            format!(
                "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})",
                quote(dialect, table),
                quote(dialect, name),
                cols.join(", ")
            )
        }
        Constraint::ForeignKey { name, column, target, target_column, action } => {
            let mut stmt = sea_query::ForeignKey::create();
            stmt.name(constraint_name(dialect, name))
                .from(Alias::new(table), Alias::new(column))
                .to(Alias::new(target), Alias::new(target_column))
                .on_delete(action.sql_action());
            dialect.render_schema(&stmt)
        }
        Constraint::Index { name, columns } => {
            dialect.render_schema(&index_create(table, name, columns, dialect))
        }
        Constraint::Check { name, sql } => format!(
            "ALTER TABLE {} ADD CONSTRAINT {} CHECK ({sql})",
            quote(dialect, table),
            quote(dialect, name)
        ),
    }
}

/// What happens to the columns between two states of a table, besides the constraints.
#[derive(Debug)]
pub(crate) enum ColumnChange<'a> {
    /// Constraints only.
    None,
    /// A new column; `once` is a default for the existing rows only.
    Add(&'a Column, Option<DefaultValue>),
    /// A dropped column.
    Remove(&'a str),
    /// A changed column (same name).
    Alter(&'a Column),
    /// A renamed column.
    Rename(&'a str, &'a str),
}

/// The DDL that takes `from` to `to` (the same table, already under `to`'s name):
/// constraints that went away are dropped, the column changes, new constraints are made.
/// On SQLite, any change but a rename or an index is a rebuild of the table.
pub(crate) fn alter_table(
    from: &Table,
    to: &Table,
    change: ColumnChange<'_>,
    dialect: &dyn Dialect,
) -> Vec<String> {
    let old = constraints(from, dialect);
    let new = constraints(to, dialect);
    let dropped: Vec<&Constraint> = old.iter().filter(|c| !new.contains(c)).collect();
    let added: Vec<&Constraint> = new.iter().filter(|c| !old.contains(c)).collect();
    if let Some((before, after)) = dialect.table_rebuild() {
        let in_place = matches!(change, ColumnChange::None | ColumnChange::Rename(..))
            && dropped.iter().chain(&added).all(|c| c.is_index());
        if !in_place {
            return rebuild(from, to, &change, dialect, before, after);
        }
    }
    let table = Alias::new(&to.name);
    let mut out: Vec<String> = dropped.iter().map(|c| drop_constraint(&to.name, c, dialect)).collect();
    match change {
        ColumnChange::None => {}
        ColumnChange::Add(column, once) => {
            let mut with_default = column.clone();
            if once.is_some() {
                with_default.default = once;
            }
            let mut stmt = sea_query::Table::alter();
            stmt.table(table.clone()).add_column(column_def(to, &with_default, dialect, false));
            out.push(dialect.render_schema(&stmt));
            if once.is_some() && column.default.is_none() {
                out.push(drop_default(&to.name, &column.name, dialect));
            }
        }
        ColumnChange::Remove(name) => {
            let mut stmt = sea_query::Table::alter();
            stmt.table(table.clone()).drop_column(Alias::new(name));
            out.push(dialect.render_schema(&stmt));
        }
        ColumnChange::Alter(column) => {
            let old = from.column(&column.name);
            if let Some(default) =
                column.default.filter(|_| old.is_some_and(|o| o.nullable) && !column.nullable)
            {
                // Django's four-way default alteration: the NULLs get the default first.
                let mut fill = Query::update();
                fill.table(Alias::new(&to.name))
                    .value(Alias::new(&column.name), default_expr(default, column.ty, dialect))
                    .and_where(Expr::col(Alias::new(&column.name)).is_null());
                out.push(dialect.render_schema(&fill));
            }
            let mut stmt = sea_query::Table::alter();
            stmt.table(table.clone()).modify_column(column_def(to, column, dialect, true));
            out.push(dialect.render_schema(&stmt));
            if !dialect.alter_column_whole()
                && column.default.is_none()
                && old.is_some_and(|o| o.default.is_some())
            {
                out.push(drop_default(&to.name, &column.name, dialect));
            }
        }
        ColumnChange::Rename(old, new) => {
            let mut stmt = sea_query::Table::alter();
            stmt.table(table.clone()).rename_column(Alias::new(old), Alias::new(new));
            out.push(dialect.render_schema(&stmt));
        }
    }
    out.extend(added.iter().map(|c| add_constraint(&to.name, c, dialect)));
    out
}

fn drop_default(table: &str, column: &str, dialect: &dyn Dialect) -> String {
    format!("ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT", quote(dialect, table), quote(dialect, column))
}

/// Django's `_remake_table`: the old table steps aside, the new one is created, the rows
/// are copied (with a one-off default for a new column), the old one is dropped and the
/// indexes are made again.
fn rebuild(
    from: &Table,
    to: &Table,
    change: &ColumnChange<'_>,
    dialect: &dyn Dialect,
    before: &[&str],
    after: &[&str],
) -> Vec<String> {
    let old_name = format!("{}__old", to.name);
    let mut out: Vec<String> = before.iter().map(|s| (*s).to_owned()).collect();
    out.push(rename_table(&to.name, &old_name, dialect));
    let mut create = create_table(to, dialect);
    let indexes = create.split_off(1);
    out.extend(create);
    let mut columns = Vec::new();
    let mut select = SelectStatement::new();
    select.from(Alias::new(&old_name));
    for column in &to.columns {
        let source = match change {
            ColumnChange::Rename(old, new) if column.name == *new => Some(Expr::col(Alias::new(*old))),
            ColumnChange::Add(added, once) if added.name == column.name => {
                once.map(|d| default_expr(d, column.ty, dialect))
            }
            _ => from.column(&column.name).map(|old| {
                let value: SimpleExpr = Expr::col(Alias::new(&column.name));
                match column.default {
                    Some(d) if old.nullable && !column.nullable => {
                        sea_query::Func::coalesce([value, default_expr(d, column.ty, dialect)]).into()
                    }
                    _ => value,
                }
            }),
        };
        if let Some(expr) = source {
            columns.push(Alias::new(&column.name));
            select.expr(expr);
        }
    }
    if !columns.is_empty() {
        let mut insert = Query::insert();
        insert.into_table(Alias::new(&to.name)).columns(columns);
        if insert.select_from(select).is_ok() {
            out.push(dialect.render_schema(&insert));
        }
    }
    out.push(drop_table(&old_name, false, dialect));
    out.extend(after.iter().map(|s| (*s).to_owned()));
    out.extend(indexes);
    out
}
