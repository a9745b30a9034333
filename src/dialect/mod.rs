//! Every SQL and behaviour difference between the backends, in one place.
//!
//! Each backend is a unit type implementing [`Dialect`], whose methods default to standard
//! SQL: a backend overrides only where it differs (sea-query's way). The query, relation,
//! transaction, schema and test-support code ask the executor's dialect instead of
//! matching on the backend. What differs in *types* (sqlx's pools, rows, arguments) lives
//! in [`crate::driver`].

mod errors;
mod functions;
mod introspect;
mod json;
mod mariadb;
mod mysql;
mod postgres;
mod raw;
mod sqlite;

use std::fmt;

use crate::driver::Backend;
use crate::error::{ConfigError, Result};
use crate::value::ColumnType;

pub(crate) use functions::{Extremum, Functions};
pub(crate) use introspect::{IntrospectionSql, column_type_of, rust_type};
pub(crate) use json::{JsonPiece, JsonSql, JsonTemplate};
pub(crate) use mariadb::MariaDb;
pub(crate) use mysql::MySql;
pub(crate) use postgres::{Postgres, array_type as postgres_array_type};
pub(crate) use raw::RawLexicon;
pub(crate) use sqlite::Sqlite;

/// The dialect of `backend`.
pub(crate) fn of(backend: Backend) -> &'static dyn Dialect {
    match backend {
        Backend::Sqlite => &Sqlite,
        Backend::Postgres => &Postgres,
        Backend::MySql => &MySql,
        Backend::MariaDb => &MariaDb,
    }
}

/// Text written before and after an operand: `before` operand `after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wrap {
    pub(crate) before: &'static str,
    pub(crate) after: &'static str,
}

impl Wrap {
    pub(crate) const fn new(before: &'static str, after: &'static str) -> Self {
        Wrap { before, after }
    }
}

/// A date or time part, by its SQL name (`EXTRACT(YEAR FROM ..)`) and its `strftime`
/// format (SQLite).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateUnit {
    pub(crate) sql: &'static str,
    pub(crate) strftime: &'static str,
}

/// The SQL types an aggregate's result is cast to, so that every backend hands back the
/// Rust type the expression promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumericCast {
    /// A 64-bit integer (`SUM` of integers).
    BigInt,
    /// A double (`SUM` of floats, `AVG`).
    Double,
}

/// What `select_for_update` can ask of a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockSupport {
    /// `FOR UPDATE` at all (SQLite locks the whole database for a write transaction).
    pub(crate) for_update: bool,
    /// `NOWAIT` and `SKIP LOCKED`.
    pub(crate) wait_options: bool,
    /// `FOR UPDATE OF table, ..`.
    pub(crate) of: bool,
}

/// How a row with no values is inserted into a table whose only column is its auto key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultRow {
    /// `(key) VALUES (DEFAULT), ..` or `(key) VALUES (NULL), ..`: the text of one row.
    KeyColumn(&'static str),
    /// `() VALUES (), ..`.
    NoColumns,
}

/// SQL isolation levels. SQLite transactions are always serializable; asking SQLite for
/// another level is an [`Error::Config`](crate::Error::Config).
///
/// ```
/// # use kata::prelude::*;
/// # async fn demo() -> kata::Result<()> {
/// # let db = Db::connect("sqlite::memory:").await?;
/// use kata::IsolationLevel;
/// // Django (PostgreSQL): DATABASES[..]["OPTIONS"]["isolation_level"] = SERIALIZABLE
/// let serializable = db.transaction().isolation(IsolationLevel::Serializable).begin().await?;
/// serializable.commit().await?;
/// let other = db.transaction().isolation(IsolationLevel::ReadCommitted).begin().await;
/// assert!(matches!(other, Err(kata::Error::Config(_)))); // SQLite is always serializable
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IsolationLevel {
    /// `READ COMMITTED` (PostgreSQL's default).
    ReadCommitted,
    /// `REPEATABLE READ` (MySQL's default).
    RepeatableRead,
    /// `SERIALIZABLE`.
    Serializable,
}

impl IsolationLevel {
    pub(crate) fn sql(self) -> &'static str {
        match self {
            IsolationLevel::ReadCommitted => "READ COMMITTED",
            IsolationLevel::RepeatableRead => "REPEATABLE READ",
            IsolationLevel::Serializable => "SERIALIZABLE",
        }
    }
}

/// The SQL of one backend. Defaults are standard SQL (or the most common form); each
/// backend's unit type overrides what it does differently.
pub trait Dialect: Functions + JsonSql + Send + Sync + fmt::Debug + 'static {
    /// The backend this dialect is for.
    fn backend(&self) -> Backend;

    // --- identifiers and parameters --------------------------------------------------

    /// The character that quotes identifiers (doubled inside a name).
    fn identifier_quote(&self) -> char {
        '"'
    }

    /// The longest identifier the backend keeps, in bytes.
    fn max_identifier_len(&self) -> usize;

    /// Why the backend would refuse `name` as a table, column or constraint name (besides
    /// its length), or `None` when it takes it.
    fn identifier_refusal(&self, name: &str) -> Option<&'static str> {
        if name.is_empty() {
            Some("is empty")
        } else if name.contains('\0') {
            Some("contains a NUL character")
        } else {
            None
        }
    }

    /// The cast written after the placeholder of a number inside an expression, where the
    /// backend's statement cache would otherwise reuse one statement text for parameters of
    /// different types (PostgreSQL: `"n" / $1` prepared for an `int8` and then bound with a
    /// `float8` reads the float's bytes as an integer).
    fn number_placeholder_cast(&self, value: &crate::value::Value) -> &'static str {
        let _ = value;
        ""
    }

    /// Appends the placeholder of the `index`th parameter (1-based).
    fn push_placeholder(&self, sql: &mut String, index: usize) {
        let _ = index;
        sql.push('?');
    }

    /// Where a `?` in hand-written SQL is not a placeholder: the backend's string, quoted
    /// identifier and comment syntax.
    fn raw_lexicon(&self) -> RawLexicon {
        RawLexicon::STANDARD
    }

    /// Hand-written SQL with each `?` placeholder (outside strings, quoted identifiers and
    /// comments) written as this backend's placeholder, and how many there were.
    fn raw_sql(&self, sql: &str) -> Result<(String, usize)> {
        raw::rewrite(sql, self.raw_lexicon(), |out, n| self.push_placeholder(out, n))
    }

    /// The most bind parameters one statement may carry.
    fn max_params(&self) -> usize {
        65_535
    }

    /// Whether `IN` lists bind as one array parameter (`col = ANY($1)`), so that the
    /// statement text does not depend on the list's length.
    fn binds_lists_as_arrays(&self) -> bool {
        false
    }

    // --- expressions -------------------------------------------------------------------

    /// The operator of integer division that truncates.
    fn integer_division(&self) -> &'static str {
        " / "
    }

    /// A regular-expression match: `before` pattern `after` follows the operand.
    fn regex(&self, insensitive: bool) -> Wrap {
        if insensitive { Wrap::new(" REGEXP ('(?i)' || ", ")") } else { Wrap::new(" REGEXP ", "") }
    }

    /// Refuses, before any SQL, a regular expression the backend's engine cannot run,
    /// where the database would report it unclearly (SQLite's REGEXP function fails with
    /// "constraint failed").
    fn check_regex(&self, pattern: &str) -> Result<()> {
        let _ = pattern;
        Ok(())
    }

    /// Whether a case-sensitive `LIKE` must be written as `GLOB` (SQLite's `LIKE` ignores
    /// ASCII case).
    fn case_sensitive_like_is_glob(&self) -> bool {
        false
    }

    /// The `ESCAPE` clause of a `LIKE`, escaping with a backslash.
    fn like_escape(&self) -> &'static str {
        " ESCAPE '\\'"
    }

    /// The extraction of a date part as an integer, around the operand.
    fn date_part(&self, unit: DateUnit) -> Wrap;

    /// The cast an aggregate's result needs, if any (`CAST(.. AS <type>)`).
    fn numeric_cast(&self, to: NumericCast) -> Option<&'static str> {
        let _ = to;
        None
    }

    /// Whether a `SUM` of a single-precision column needs widening first (PostgreSQL sums
    /// REAL in REAL).
    fn widens_float_sums(&self) -> bool {
        false
    }

    /// Whether `ORDER BY .. NULLS FIRST|LAST` exists (standard SQL, PostgreSQL, SQLite
    /// 3.30+); where it does not, kata sorts by `expr IS NULL` first.
    fn nulls_order(&self) -> bool {
        true
    }

    /// What stands before `OFFSET` when a query has no `LIMIT`.
    fn unbounded_limit(&self) -> &'static str {
        ""
    }

    // --- reads -----------------------------------------------------------------------

    /// What `select_for_update` can do.
    fn lock_support(&self) -> LockSupport {
        LockSupport { for_update: true, wait_options: true, of: true }
    }

    /// The clause that makes a read inside a transaction see the latest committed rows
    /// rather than the transaction's snapshot, or `None` where a plain read does (or
    /// nothing can). InnoDB's consistent reads keep the snapshot of the transaction's first
    /// read (MySQL's default REPEATABLE READ), while its locking reads see the latest
    /// committed rows; PostgreSQL's READ COMMITTED statements see them anyway, and no
    /// clause shows them to its REPEATABLE READ; SQLite has one writer at a time.
    fn latest_rows_read(&self) -> Option<&'static str> {
        None
    }

    /// The prefix of `aexplain`, and the column of its result that holds the plan.
    fn explain(&self) -> (&'static str, usize) {
        ("EXPLAIN ", 0)
    }

    // --- writes ----------------------------------------------------------------------

    /// Whether `INSERT .. RETURNING` works.
    fn insert_returning(&self) -> bool {
        true
    }

    /// Whether a one-row insert reads its key from the connection (`LAST_INSERT_ID()`)
    /// rather than from a `RETURNING` result set.
    fn single_insert_reads_last_id(&self) -> bool {
        false
    }

    /// An `INSERT` of a row with no values: `INSERT INTO t <this>`.
    fn insert_defaults(&self) -> &'static str {
        " DEFAULT VALUES"
    }

    /// Rows with no values in a multi-row insert into a table whose only column is its
    /// auto key.
    fn default_row(&self) -> DefaultRow {
        DefaultRow::NoColumns
    }

    /// What stands between an `INSERT .. SELECT`'s values and its `WHERE` (MySQL needs
    /// `FROM DUAL`).
    fn select_without_from(&self) -> &'static str {
        ""
    }

    /// The statement that moves the key sequence of `table.column` past the largest key in
    /// the table, after rows were inserted with keys of their own (Django's
    /// `sqlsequencereset`), or `None` where the database moves its counter itself
    /// (SQLite's rowid and `AUTOINCREMENT`, MySQL's `AUTO_INCREMENT`).
    fn reset_sequence(&self, table: &str, column: &str) -> Option<String> {
        let _ = (table, column);
        None
    }

    /// Whether `UPDATE .. ORDER BY` exists, so that an ordered update changes its rows in
    /// that order (MySQL and MariaDB; the others have no such clause).
    fn update_order_by(&self) -> bool {
        false
    }

    /// Whether an `UPDATE` reports the rows it matched (true) or only the rows whose
    /// values changed (MySQL's default), in which case 0 does not mean "no row".
    fn update_counts_matched_rows(&self) -> bool {
        true
    }

    /// What an `INSERT` that skips rows conflicting with a unique constraint starts with,
    /// and what follows its `VALUES` (Django's `bulk_create(ignore_conflicts=True)`).
    fn insert_ignore(&self) -> (&'static str, &'static str) {
        ("INSERT INTO ", " ON CONFLICT DO NOTHING")
    }

    /// Appends the clause that turns an `INSERT` into an upsert: a row whose `unique`
    /// columns match an existing row updates that row's `update` columns with the values
    /// it carried instead (Django's `bulk_create(update_conflicts=True, ..)`).
    fn push_upsert(&self, sql: &mut String, unique: &[&str], update: &[&str]) {
        let q = self.identifier_quote();
        sql.push_str(" ON CONFLICT (");
        for (n, column) in unique.iter().enumerate() {
            if n > 0 {
                sql.push_str(", ");
            }
            push_quoted(sql, q, column);
        }
        sql.push_str(") DO UPDATE SET ");
        for (n, column) in update.iter().enumerate() {
            if n > 0 {
                sql.push_str(", ");
            }
            push_quoted(sql, q, column);
            sql.push_str(" = EXCLUDED.");
            push_quoted(sql, q, column);
        }
    }

    /// The rows an upsert of `rows` rows wrote (inserted or updated), from the count the
    /// database reported.
    fn upsert_rows_written(&self, reported: u64, rows: u64) -> u64 {
        let _ = rows;
        reported
    }

    // --- transactions ----------------------------------------------------------------

    /// The statement that starts a transaction with these options, or `None` for the
    /// driver's plain `BEGIN`.
    fn begin(&self, isolation: Option<IsolationLevel>, read_only: bool) -> Result<Option<String>> {
        Ok(match (isolation, read_only) {
            (None, false) => None,
            (Some(level), read_only) => {
                Some(format!("BEGIN ISOLATION LEVEL {} {}", level.sql(), access(read_only)))
            }
            (None, true) => Some(String::from("BEGIN READ ONLY")),
        })
    }

    // --- errors ----------------------------------------------------------------------

    /// The name of the constraint an integrity error broke, read from the database's
    /// message where the driver does not give it.
    fn constraint_from_message(&self, kind: crate::IntegrityKind, message: &str) -> String {
        let _ = (kind, message);
        String::new()
    }

    /// Whether an error with this SQLSTATE `code` (and, on MySQL and MariaDB, error
    /// `number`) says the transaction lost a race with another one and may succeed if run
    /// again ([`Error::is_conflict`](crate::Error::is_conflict)). Standard SQL: `40001`,
    /// serialization failure.
    fn is_conflict(&self, code: Option<&str>, number: Option<u16>) -> bool {
        let _ = number;
        code == Some("40001")
    }

    // --- test databases ----------------------------------------------------------------

    /// Whether the database lives in a file or in memory of this process (no server).
    fn embedded(&self) -> bool {
        false
    }

    /// `CREATE DATABASE` and `DROP DATABASE` for a throwaway database named `name`.
    fn create_drop_database(&self, name: &str) -> (String, String) {
        let quoted = quote(self, name);
        (format!("CREATE DATABASE {quoted}"), format!("DROP DATABASE IF EXISTS {quoted}"))
    }

    // --- DDL -------------------------------------------------------------------------

    /// The sea-query builder for this dialect's DDL.
    fn schema_builder(&self) -> SchemaBuilder;

    /// Renders a sea-query schema statement.
    fn render_schema(&self, stmt: &dyn SchemaStatement) -> String {
        stmt.render(self.schema_builder())
    }

    /// The column type of a column, where it differs from sea-query's mapping of
    /// [`ColumnType`]; `keyed` says the column is unique, indexed or part of a key.
    fn column_type(&self, ty: ColumnType, auto: bool, max_length: Option<u32>, keyed: bool) -> ColumnTypeSql {
        let _ = (ty, auto, max_length, keyed);
        ColumnTypeSql::Standard
    }

    /// Whether the backend has array columns (PostgreSQL's, Django's `ArrayField`); elsewhere
    /// an array field, its lookups and `ArrayAgg` are refused before any SQL.
    fn arrays(&self) -> bool {
        false
    }

    /// Whether the backend has unsigned integer columns (MySQL's and MariaDB's `UNSIGNED`);
    /// elsewhere an unsigned field's column is a wider signed type with a `CHECK` of its range.
    fn unsigned_columns(&self) -> bool {
        false
    }

    /// The SQL of a `now` default for a column of type `ty`, or `None` for the standard
    /// `CURRENT_TIMESTAMP`.
    fn now_default(&self, ty: ColumnType) -> Option<&'static str> {
        let _ = ty;
        None
    }

    /// Table options (engine, character set and collation) to add to `CREATE TABLE`.
    fn table_options(&self) -> Option<TableOptions> {
        None
    }

    // --- migrations ----------------------------------------------------------------------

    /// Whether DDL runs inside a transaction and rolls back with it (PostgreSQL, SQLite);
    /// MySQL and MariaDB commit each DDL statement on its own.
    fn transactional_ddl(&self) -> bool {
        true
    }

    /// Where the backend cannot alter a column or a constraint in place (SQLite), the
    /// statements run before and after a table rebuild (Django's `_remake_table`): a copy
    /// of the table under its old name is made while references to it stay put.
    fn table_rebuild(&self) -> Option<(&'static [&'static str], &'static [&'static str])> {
        None
    }

    /// Whether an altered column is written whole (`MODIFY COLUMN`, MySQL) rather than as
    /// separate type, null and default changes (`ALTER COLUMN`).
    fn alter_column_whole(&self) -> bool {
        false
    }

    /// The statement that drops the unique constraint `name` of `table`.
    fn drop_unique(&self, table: &str, name: &str) -> String {
        format!("ALTER TABLE {} DROP CONSTRAINT {}", quote(self, table), quote(self, name))
    }

    /// A statement a migration's own connection runs before its transaction, with the
    /// query whose rows (none expected) are checked before it commits: SQLite turns off
    /// foreign keys (which a transaction cannot do), so that a table rebuild neither
    /// rewrites nor cascades to the references of other tables, then checks them itself.
    fn migration_connection(&self) -> Option<(&'static str, &'static str)> {
        None
    }

    /// How concurrent migrators are kept from applying the same migration twice.
    fn migration_lock(&self) -> MigrationLock {
        MigrationLock::WriteTransaction
    }

    /// Whether indexes can be built and dropped without blocking writes, outside a
    /// transaction (PostgreSQL's `CREATE INDEX CONCURRENTLY`).
    fn concurrent_index_build(&self) -> bool {
        false
    }

    /// The migration lock held by a connection outside a transaction, for migrations that
    /// cannot run in one (concurrent index builds): the statement that takes it and the
    /// one that releases it, each returning one row whose first column is 1.
    fn migration_session_lock(&self) -> Option<(&'static str, &'static str)> {
        None
    }

    // --- introspection -------------------------------------------------------------------

    /// The catalog queries that describe the live schema (`inspectdb`, `check`).
    fn introspection(&self) -> IntrospectionSql;

    /// The column type (and length) a type name of this backend stands for: a catalog's
    /// type name or sqlx's name of a result column's type.
    fn column_type_of(&self, sql_type: &str) -> Option<(ColumnType, Option<u32>)> {
        column_type_of(sql_type, false)
    }

    /// The column type that the DDL of `ty` reads back as, where the backend keeps two
    /// types alike (SQLite's `integer` for both integer widths, MySQL's `DATETIME(6)` for
    /// both timestamps).
    fn stored_type(&self, ty: ColumnType) -> ColumnType {
        ty
    }

    /// A query that answers, on a read replica, how far behind its primary it is, in
    /// seconds (one `f64` column, one row); `None` where kata cannot measure it, and such a
    /// replica is then only skipped when it cannot be reached.
    fn replica_lag_sql(&self) -> Option<&'static str> {
        None
    }
}

/// `READ ONLY` / `READ WRITE`.
pub(crate) fn access(read_only: bool) -> &'static str {
    if read_only { "READ ONLY" } else { "READ WRITE" }
}

/// `name` in the dialect's identifier quotes, with embedded quotes doubled.
pub(crate) fn quote(dialect: &(impl Dialect + ?Sized), name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    push_quoted(&mut out, dialect.identifier_quote(), name);
    out
}

/// `text` as an SQL string literal (single quotes doubled).
pub(crate) fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Appends `name` in `quote`s, doubling any quote character inside. Every query quotes
/// its table and column names, so the common case (no quote inside) is one copy rather
/// than a push per character.
#[inline]
pub(crate) fn push_quoted(out: &mut String, quote: char, name: &str) {
    out.reserve(name.len() + 2);
    out.push(quote);
    // The quote is ASCII, so a byte search finds exactly its occurrences in UTF-8.
    if name.bytes().any(|b| b == quote as u8) {
        for c in name.chars() {
            if c == quote {
                out.push(quote);
            }
            out.push(c);
        }
    } else {
        out.push_str(name);
    }
    out.push(quote);
}

/// How a column type is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnTypeSql {
    /// sea-query's own mapping of the column type.
    Standard,
    /// `INTEGER` (SQLite's rowid alias for an auto key).
    Integer,
    /// `VARCHAR(n)`.
    Varchar(u32),
    /// `JSONB`.
    JsonBinary,
    /// `NUMERIC(p, s)` / `DECIMAL(p, s)`.
    Numeric(u8, u8),
    /// A type written as is.
    Custom(&'static str),
}

/// `ENGINE=.. DEFAULT CHARSET=.. COLLATE=..`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableOptions {
    pub(crate) engine: &'static str,
    pub(crate) charset: &'static str,
    pub(crate) collation: &'static str,
}

/// How a migration run keeps other migrators out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationLock {
    /// Each migration's transaction starts with a write, which takes the database's single
    /// write lock (SQLite).
    WriteTransaction,
    /// A lock held by one connection for the whole run: the statement that takes it (a
    /// row whose first column is 1 when taken) and the one that releases it, if the end
    /// of the transaction does not (PostgreSQL's `pg_advisory_xact_lock`, MySQL's
    /// `GET_LOCK`).
    Session {
        /// Takes the lock, waiting for it.
        lock: &'static str,
        /// Releases it, where committing does not.
        unlock: Option<&'static str>,
    },
}

/// Which of sea-query's schema builders renders a dialect's DDL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaBuilder {
    Sqlite,
    Postgres,
    MySql,
}

/// A sea-query schema statement, rendered by one of its builders.
pub trait SchemaStatement {
    /// Renders with `builder`.
    fn render(&self, builder: SchemaBuilder) -> String;
}

macro_rules! schema_statement {
    ($($ty:ty),*) => {$(
        impl SchemaStatement for $ty {
            fn render(&self, builder: SchemaBuilder) -> String {
                match builder {
                    SchemaBuilder::Sqlite => self.to_string(sea_query::SqliteQueryBuilder),
                    SchemaBuilder::Postgres => self.to_string(sea_query::PostgresQueryBuilder),
                    SchemaBuilder::MySql => self.to_string(sea_query::MysqlQueryBuilder),
                }
            }
        }
    )*};
}
schema_statement!(
    sea_query::TableCreateStatement,
    sea_query::TableDropStatement,
    sea_query::TableAlterStatement,
    sea_query::TableRenameStatement,
    sea_query::IndexCreateStatement,
    sea_query::IndexDropStatement,
    sea_query::ForeignKeyCreateStatement,
    sea_query::ForeignKeyDropStatement
);

/// The data statements of a migration (a table rebuild's copy, filling NULLs before NOT
/// NULL): their values are the schema's own defaults, written as literals like DDL's.
macro_rules! data_statement {
    ($($ty:ty),*) => {$(
        impl SchemaStatement for $ty {
            fn render(&self, builder: SchemaBuilder) -> String {
                use sea_query::QueryStatementWriter;
                match builder {
                    SchemaBuilder::Sqlite => QueryStatementWriter::to_string(self, sea_query::SqliteQueryBuilder),
                    SchemaBuilder::Postgres => QueryStatementWriter::to_string(self, sea_query::PostgresQueryBuilder),
                    SchemaBuilder::MySql => QueryStatementWriter::to_string(self, sea_query::MysqlQueryBuilder),
                }
            }
        }
    )*};
}
data_statement!(sea_query::InsertStatement, sea_query::UpdateStatement);

/// The error for an option `dialect` does not have.
pub(crate) fn unsupported(dialect: &(impl Dialect + ?Sized), option: impl Into<String>) -> crate::Error {
    ConfigError::Unsupported { backend: dialect.backend().name(), option: option.into() }.into()
}
