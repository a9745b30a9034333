//! MySQL 8. MariaDB shares most of it: see `mariadb.rs`.

use crate::IntegrityKind;
use crate::dialect::{
    ColumnTypeSql, DateUnit, Dialect, IsolationLevel, MigrationLock, NumericCast, RawLexicon, SchemaBuilder,
    TableOptions, Wrap, access, push_quoted,
};
use crate::driver::Backend;
use crate::error::Result;
use crate::value::ColumnType;

/// MySQL.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MySql;

impl Dialect for MySql {
    fn backend(&self) -> Backend {
        Backend::MySql
    }

    fn raw_lexicon(&self) -> RawLexicon {
        raw_lexicon()
    }

    fn identifier_quote(&self) -> char {
        '`'
    }

    fn max_identifier_len(&self) -> usize {
        64
    }

    fn identifier_refusal(&self, name: &str) -> Option<&'static str> {
        mysql_identifier_refusal(name)
    }

    /// `/` of two integers gives a decimal on MySQL.
    fn integer_division(&self) -> &'static str {
        " DIV "
    }

    fn regex(&self, insensitive: bool) -> Wrap {
        if insensitive { Wrap::new(" REGEXP CONCAT('(?i)', ", ")") } else { Wrap::new(" REGEXP ", "") }
    }

    /// MySQL string literals treat the backslash as an escape, so it is doubled.
    fn like_escape(&self) -> &'static str {
        " ESCAPE '\\\\'"
    }

    fn date_part(&self, unit: DateUnit) -> Wrap {
        extract(unit)
    }

    /// SUM gives DECIMAL.
    fn numeric_cast(&self, to: NumericCast) -> Option<&'static str> {
        Some(match to {
            NumericCast::BigInt => "SIGNED",
            NumericCast::Double => "DOUBLE",
        })
    }

    /// No `NULLS FIRST|LAST`.
    fn nulls_order(&self) -> bool {
        false
    }

    /// OFFSET needs a LIMIT: the largest one.
    fn unbounded_limit(&self) -> &'static str {
        " LIMIT 18446744073709551615"
    }

    fn explain(&self) -> (&'static str, usize) {
        ("EXPLAIN FORMAT=JSON ", 0)
    }

    /// A shared locking read: it sees the latest committed rows (and, unlike
    /// `FOR UPDATE`, lets other readers take the same lock).
    fn latest_rows_read(&self) -> Option<&'static str> {
        Some(" LOCK IN SHARE MODE")
    }

    fn insert_returning(&self) -> bool {
        false
    }

    fn single_insert_reads_last_id(&self) -> bool {
        true
    }

    fn insert_defaults(&self) -> &'static str {
        " () VALUES ()"
    }

    fn select_without_from(&self) -> &'static str {
        " FROM DUAL"
    }

    fn update_counts_matched_rows(&self) -> bool {
        false
    }

    /// `UPDATE .. ORDER BY`: a unique column can be shifted in the order given.
    fn update_order_by(&self) -> bool {
        true
    }

    fn insert_ignore(&self) -> (&'static str, &'static str) {
        ("INSERT IGNORE INTO ", "")
    }

    fn push_upsert(&self, sql: &mut String, unique: &[&str], update: &[&str]) {
        push_upsert(sql, unique, update);
    }

    fn upsert_rows_written(&self, reported: u64, rows: u64) -> u64 {
        upsert_rows_written(reported, rows)
    }

    fn begin(&self, isolation: Option<IsolationLevel>, read_only: bool) -> Result<Option<String>> {
        Ok(begin(isolation, read_only))
    }

    fn constraint_from_message(&self, kind: IntegrityKind, message: &str) -> String {
        constraint_from_message(kind, message)
    }

    fn is_conflict(&self, code: Option<&str>, number: Option<u16>) -> bool {
        is_conflict(code, number)
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
        super::introspect::MYSQL
    }

    fn column_type_of(&self, sql_type: &str) -> Option<(ColumnType, Option<u32>)> {
        column_type_of(sql_type)
    }

    /// `DATETIME(6)` holds both timestamps.
    fn stored_type(&self, ty: ColumnType) -> ColumnType {
        if ty == ColumnType::Timestamp { ColumnType::TimestampTz } else { ty }
    }

    fn column_type(&self, ty: ColumnType, auto: bool, max_length: Option<u32>, keyed: bool) -> ColumnTypeSql {
        column_type(ty, auto, max_length, keyed)
    }

    fn unsigned_columns(&self) -> bool {
        true
    }

    fn now_default(&self, ty: ColumnType) -> Option<&'static str> {
        now_default(ty)
    }

    /// Binary collation: `exact` and `contains` are case-sensitive, as on the others. NO
    /// PAD: `utf8mb4_bin` ignores trailing spaces, so `'ann'` would equal `'ann '` and the
    /// two could not both be unique (MySQL 8.0.17+ calls it `utf8mb4_0900_bin`).
    fn table_options(&self) -> Option<TableOptions> {
        Some(TableOptions { engine: "InnoDB", charset: "utf8mb4", collation: "utf8mb4_0900_bin" })
    }
}

// What MySQL and MariaDB share, for both dialects.

/// Backslash escapes in strings, `#` and `-- ` comments, backtick identifiers (MySQL and
/// MariaDB alike).
/// `ON DUPLICATE KEY UPDATE c = VALUES(c)`: MySQL picks the conflicting unique key itself,
/// so `unique` (checked by the caller to be a unique key) is not written.
pub(super) fn push_upsert(sql: &mut String, _unique: &[&str], update: &[&str]) {
    sql.push_str(" ON DUPLICATE KEY UPDATE ");
    for (n, column) in update.iter().enumerate() {
        if n > 0 {
            sql.push_str(", ");
        }
        push_quoted(sql, '`', column);
        sql.push_str(" = VALUES(");
        push_quoted(sql, '`', column);
        sql.push(')');
    }
}

/// MySQL counts an updated row twice (and, with sqlx's `CLIENT_FOUND_ROWS`, an unchanged
/// one once); every row of an upsert is either inserted or updated.
pub(super) fn upsert_rows_written(reported: u64, rows: u64) -> u64 {
    reported.min(rows)
}

pub(super) fn raw_lexicon() -> RawLexicon {
    RawLexicon {
        backslash_escapes: true,
        hash_comments: true,
        dash_comment_needs_space: true,
        backtick_identifiers: true,
        ..RawLexicon::STANDARD
    }
}

pub(super) fn extract(unit: DateUnit) -> Wrap {
    match unit.sql {
        "YEAR" => Wrap::new("EXTRACT(YEAR FROM ", ")"),
        "MONTH" => Wrap::new("EXTRACT(MONTH FROM ", ")"),
        "DAY" => Wrap::new("EXTRACT(DAY FROM ", ")"),
        "HOUR" => Wrap::new("EXTRACT(HOUR FROM ", ")"),
        "MINUTE" => Wrap::new("EXTRACT(MINUTE FROM ", ")"),
        // DAYOFWEEK is Django's week_day (1 = Sunday); WEEKDAY is 0 (Monday) to 6; WEEK's
        // mode 3 is ISO-8601's week.
        "WEEK_DAY" => Wrap::new("DAYOFWEEK(", ")"),
        "ISO_WEEK_DAY" => Wrap::new("(WEEKDAY(", ") + 1)"),
        "WEEK" => Wrap::new("WEEK(", ", 3)"),
        "QUARTER" => Wrap::new("QUARTER(", ")"),
        _ => Wrap::new("EXTRACT(SECOND FROM ", ")"),
    }
}

pub(super) fn begin(isolation: Option<IsolationLevel>, read_only: bool) -> Option<String> {
    match (isolation, read_only) {
        (None, false) => None,
        (level, _) => {
            let mut sql = String::new();
            if let Some(l) = level {
                sql.push_str("SET TRANSACTION ISOLATION LEVEL ");
                sql.push_str(l.sql());
                sql.push_str("; ");
            }
            sql.push_str("START TRANSACTION ");
            sql.push_str(access(read_only));
            Some(sql)
        }
    }
}

pub(super) fn column_type(
    ty: ColumnType,
    _auto: bool,
    max_length: Option<u32>,
    keyed: bool,
) -> ColumnTypeSql {
    match ty {
        // MySQL cannot index or make unique a TEXT column without a prefix length.
        ColumnType::Text if max_length.is_none() && keyed => ColumnTypeSql::Varchar(255),
        // TEXT stops at 64 KiB; unbounded text is unbounded elsewhere (Django uses LONGTEXT too).
        ColumnType::Text if max_length.is_none() => ColumnTypeSql::Custom("LONGTEXT"),
        ColumnType::Bytes => ColumnTypeSql::Custom("LONGBLOB"),
        ColumnType::TimestampTz | ColumnType::Timestamp => ColumnTypeSql::Custom("DATETIME(6)"),
        ColumnType::Time => ColumnTypeSql::Custom("TIME(6)"),
        ColumnType::Decimal { max_digits, decimal_places } => {
            ColumnTypeSql::Numeric(max_digits, decimal_places)
        }
        // sqlx sends a UUID as its 16 bytes.
        ColumnType::Uuid => ColumnTypeSql::Custom("BINARY(16)"),
        ColumnType::UnsignedSmallInt => ColumnTypeSql::Custom("SMALLINT UNSIGNED"),
        ColumnType::UnsignedInt => ColumnTypeSql::Custom("INT UNSIGNED"),
        ColumnType::UnsignedBigInt => ColumnTypeSql::Custom("BIGINT UNSIGNED"),
        _ => ColumnTypeSql::Standard,
    }
}

/// sqlx names a text column of a binary collation (kata's) `VARBINARY` or `BINARY`; kata's
/// bytes are `LONGBLOB`.
pub(super) fn column_type_of(sql_type: &str) -> Option<(ColumnType, Option<u32>)> {
    let lower = sql_type.trim().to_ascii_lowercase();
    if lower.starts_with("varbinary") || lower.starts_with("binary") {
        let length = lower.split_once('(').and_then(|(_, n)| n.trim_end_matches(')').parse().ok());
        return Some((ColumnType::Text, length));
    }
    super::column_type_of(sql_type, false)
}

/// A date column gets today's date (MySQL 8 refuses a timestamp there); the others keep
/// microseconds, as their columns do.
pub(super) fn now_default(ty: ColumnType) -> Option<&'static str> {
    match ty {
        ColumnType::Date => Some("CURRENT_DATE"),
        _ => Some("CURRENT_TIMESTAMP(6)"),
    }
}

/// MySQL's and MariaDB's conflicts, by error number: 1213 `ER_LOCK_DEADLOCK` (an InnoDB
/// deadlock, and on a Galera cluster a certification conflict or a transaction aborted by a
/// replicated one: "WSREP detected deadlock/conflict"), 1205 `ER_LOCK_WAIT_TIMEOUT` (also
/// MariaDB's answer to `NOWAIT`), 3572 `ER_LOCK_NOWAIT` (MySQL's); or SQLSTATE 40001.
pub(super) fn is_conflict(code: Option<&str>, number: Option<u16>) -> bool {
    matches!(number, Some(1213 | 1205 | 3572)) || code == Some("40001")
}

/// Reads the constraint out of MySQL's and MariaDB's messages.
pub(super) fn constraint_from_message(_kind: IntegrityKind, message: &str) -> String {
    // "Duplicate entry 'x' for key 'auth_user.auth_user_username_key'"
    if let Some((_, rest)) = message.rsplit_once("for key '") {
        let key = rest.trim_end_matches('\'');
        return key.rsplit_once('.').map_or(key, |(_, k)| k).to_owned();
    }
    // "... CONSTRAINT `fk_name` FOREIGN KEY ..." and MariaDB "CONSTRAINT `name` failed"
    if let Some((_, rest)) = message.split_once("CONSTRAINT `")
        && let Some((name, _)) = rest.split_once('`')
    {
        return name.to_owned();
    }
    // MySQL 8: "Check constraint 'name' is violated."
    if let Some((_, rest)) = message.split_once("constraint '")
        && let Some((name, _)) = rest.split_once('\'')
    {
        return name.to_owned();
    }
    // "Column 'email' cannot be null" / "Field 'email' doesn't have a default value"
    for prefix in ["Column '", "Field '"] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((column, _)) = rest.split_once('\'')
        {
            return column.to_owned();
        }
    }
    String::new()
}

/// MySQL's and MariaDB's rules for names: no NUL, no trailing space, only characters of
/// Unicode's basic multilingual plane.
pub(super) fn mysql_identifier_refusal(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("is empty")
    } else if name.contains('\0') {
        Some("contains a NUL character")
    } else if name.ends_with(' ') {
        Some("ends with a space")
    } else if name.chars().any(|c| u32::from(c) > 0xFFFF) {
        Some("has a character outside Unicode's basic multilingual plane")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_message_gives_key_name() {
        let msg = "Duplicate entry 'ann' for key 'auth_user.auth_user_username_key'";
        assert_eq!(constraint_from_message(IntegrityKind::Unique, msg), "auth_user_username_key");
        let msg = "Duplicate entry 'ann' for key 'auth_user_username_key'";
        assert_eq!(constraint_from_message(IntegrityKind::Unique, msg), "auth_user_username_key");
    }

    #[test]
    fn not_null_message_gives_column() {
        let msg = "Column 'email' cannot be null";
        assert_eq!(constraint_from_message(IntegrityKind::NotNull, msg), "email");
    }

    #[test]
    fn deadlocks_lock_timeouts_and_galera_certification_conflicts_are_conflicts() {
        // Galera's "WSREP detected deadlock/conflict" and InnoDB's deadlock: 1213, 40001.
        assert!(is_conflict(Some("40001"), Some(1213)));
        assert!(is_conflict(Some("HY000"), Some(1205)));
        assert!(is_conflict(Some("HY000"), Some(3572)));
        // Duplicate key, and Galera's "WSREP has not yet prepared node for application use".
        assert!(!is_conflict(Some("23000"), Some(1062)));
        assert!(!is_conflict(Some("08S01"), Some(1047)));
    }
}
