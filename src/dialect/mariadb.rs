//! MariaDB 10.5+: MySQL's protocol and most of its SQL, with `RETURNING`, without
//! `FOR UPDATE OF`, and its own name for the NO PAD binary collation.

use crate::IntegrityKind;
use crate::dialect::{
    ColumnTypeSql, DateUnit, Dialect, IsolationLevel, LockSupport, MigrationLock, NumericCast, RawLexicon,
    SchemaBuilder, TableOptions, Wrap,
    mysql::{self, MySql},
};
use crate::driver::Backend;
use crate::error::Result;
use crate::value::ColumnType;

/// MariaDB.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MariaDb;

impl Dialect for MariaDb {
    fn backend(&self) -> Backend {
        Backend::MariaDb
    }

    fn raw_lexicon(&self) -> RawLexicon {
        super::mysql::raw_lexicon()
    }

    fn identifier_quote(&self) -> char {
        MySql.identifier_quote()
    }

    fn max_identifier_len(&self) -> usize {
        MySql.max_identifier_len()
    }

    fn identifier_refusal(&self, name: &str) -> Option<&'static str> {
        super::mysql::mysql_identifier_refusal(name)
    }

    fn integer_division(&self) -> &'static str {
        MySql.integer_division()
    }

    fn regex(&self, insensitive: bool) -> Wrap {
        MySql.regex(insensitive)
    }

    fn like_escape(&self) -> &'static str {
        MySql.like_escape()
    }

    fn date_part(&self, unit: DateUnit) -> Wrap {
        mysql::extract(unit)
    }

    fn numeric_cast(&self, to: NumericCast) -> Option<&'static str> {
        MySql.numeric_cast(to)
    }

    fn unbounded_limit(&self) -> &'static str {
        MySql.unbounded_limit()
    }

    fn nulls_order(&self) -> bool {
        MySql.nulls_order()
    }

    /// No `FOR UPDATE OF`.
    fn lock_support(&self) -> LockSupport {
        LockSupport { for_update: true, wait_options: true, of: false }
    }

    fn explain(&self) -> (&'static str, usize) {
        MySql.explain()
    }

    fn latest_rows_read(&self) -> Option<&'static str> {
        MySql.latest_rows_read()
    }

    /// `INSERT .. RETURNING` since 10.5; a one-row insert still reads LAST_INSERT_ID,
    /// which spares a result set.
    fn insert_returning(&self) -> bool {
        true
    }

    fn single_insert_reads_last_id(&self) -> bool {
        true
    }

    fn insert_defaults(&self) -> &'static str {
        MySql.insert_defaults()
    }

    fn select_without_from(&self) -> &'static str {
        MySql.select_without_from()
    }

    fn update_counts_matched_rows(&self) -> bool {
        MySql.update_counts_matched_rows()
    }

    fn update_order_by(&self) -> bool {
        MySql.update_order_by()
    }

    fn insert_ignore(&self) -> (&'static str, &'static str) {
        MySql.insert_ignore()
    }

    fn push_upsert(&self, sql: &mut String, unique: &[&str], update: &[&str]) {
        mysql::push_upsert(sql, unique, update);
    }

    fn upsert_rows_written(&self, reported: u64, rows: u64) -> u64 {
        mysql::upsert_rows_written(reported, rows)
    }

    fn begin(&self, isolation: Option<IsolationLevel>, read_only: bool) -> Result<Option<String>> {
        Ok(mysql::begin(isolation, read_only))
    }

    fn constraint_from_message(&self, kind: IntegrityKind, message: &str) -> String {
        mysql::constraint_from_message(kind, message)
    }

    fn is_conflict(&self, code: Option<&str>, number: Option<u16>) -> bool {
        mysql::is_conflict(code, number)
    }

    fn transactional_ddl(&self) -> bool {
        false
    }

    fn alter_column_whole(&self) -> bool {
        true
    }

    fn drop_unique(&self, table: &str, name: &str) -> String {
        format!("ALTER TABLE {} DROP INDEX {}", super::quote(self, table), super::quote(self, name))
    }

    fn migration_lock(&self) -> MigrationLock {
        MigrationLock::Session {
            lock: "SELECT CAST(GET_LOCK(CONCAT('kata_migrations_', MD5(DATABASE())), 600) AS SIGNED)",
            unlock: Some("SELECT RELEASE_LOCK(CONCAT('kata_migrations_', MD5(DATABASE())))"),
        }
    }

    fn schema_builder(&self) -> SchemaBuilder {
        SchemaBuilder::MySql
    }

    fn introspection(&self) -> super::IntrospectionSql {
        super::introspect::MARIADB
    }

    fn column_type_of(&self, sql_type: &str) -> Option<(ColumnType, Option<u32>)> {
        mysql::column_type_of(sql_type)
    }

    /// `DATETIME(6)` holds both timestamps.
    fn stored_type(&self, ty: ColumnType) -> ColumnType {
        if ty == ColumnType::Timestamp { ColumnType::TimestampTz } else { ty }
    }

    fn column_type(&self, ty: ColumnType, auto: bool, max_length: Option<u32>, keyed: bool) -> ColumnTypeSql {
        mysql::column_type(ty, auto, max_length, keyed)
    }

    fn unsigned_columns(&self) -> bool {
        true
    }

    fn now_default(&self, ty: ColumnType) -> Option<&'static str> {
        mysql::now_default(ty)
    }

    /// MariaDB 10.2+ names the NO PAD binary collation `utf8mb4_nopad_bin`.
    fn table_options(&self) -> Option<TableOptions> {
        Some(TableOptions { engine: "InnoDB", charset: "utf8mb4", collation: "utf8mb4_nopad_bin" })
    }
}
