//! SQLite 3.35+.

use crate::IntegrityKind;
use crate::dialect::{
    ColumnTypeSql, DateUnit, DefaultRow, Dialect, IntrospectionSql, IsolationLevel, LockSupport, RawLexicon,
    SchemaBuilder, Wrap,
};
use crate::driver::Backend;
use crate::error::Result;
use crate::value::ColumnType;

/// SQLite's "now" as the text sqlx writes for a `DateTime<Utc>` (RFC 3339, `T`, `+00:00`,
/// milliseconds unless they are zero). SQLite compares these columns as text, so
/// CURRENT_TIMESTAMP's `2024-05-01 10:00:00` would sort and compare wrongly against bound
/// values. `'now'` is the same instant for every call within one statement.
pub(super) const NOW_RFC3339: &str = "CASE WHEN strftime('%f', 'now') LIKE '%.000' \
     THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') \
     ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END";

/// SQLite.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sqlite;

impl Dialect for Sqlite {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    /// SQLite's result codes: BUSY, BUSY_SNAPSHOT, LOCKED, LOCKED_SHAREDCACHE.
    fn is_conflict(&self, code: Option<&str>, _number: Option<u16>) -> bool {
        matches!(code, Some("5" | "517" | "6" | "262"))
    }

    /// `` `name` `` and `[name]` quote identifiers too.
    fn raw_lexicon(&self) -> RawLexicon {
        RawLexicon { bracket_identifiers: true, backtick_identifiers: true, ..RawLexicon::STANDARD }
    }

    /// SQLite keeps names of any length; kata holds it to PostgreSQL's and MySQL's common
    /// limit, so that one model means the same names everywhere.
    fn max_identifier_len(&self) -> usize {
        63
    }

    fn embedded(&self) -> bool {
        true
    }

    /// SQLITE_MAX_VARIABLE_NUMBER is 32766 since 3.32.
    fn max_params(&self) -> usize {
        32_766
    }

    fn case_sensitive_like_is_glob(&self) -> bool {
        true
    }

    /// REGEXP is sqlx's function over Rust's `regex`, which has no backreferences or
    /// look-around; it fails on such a pattern with a bare "constraint failed", so the
    /// pattern is compiled here first and refused with the engine's own message.
    fn check_regex(&self, pattern: &str) -> Result<()> {
        #[cfg(feature = "sqlite")]
        if let Err(e) = regex::Regex::new(pattern) {
            return Err(crate::Error::InvalidQuery(format!(
                "SQLite's regex engine (Rust's `regex`: no backreferences or look-around) cannot run {pattern:?}: {e}"
            )));
        }
        let _ = pattern;
        Ok(())
    }

    fn date_part(&self, unit: DateUnit) -> Wrap {
        // strftime's formats are static, one per unit.
        match unit.strftime {
            "%Y" => Wrap::new("CAST(strftime('%Y', ", ") AS INTEGER)"),
            "%m" => Wrap::new("CAST(strftime('%m', ", ") AS INTEGER)"),
            "%d" => Wrap::new("CAST(strftime('%d', ", ") AS INTEGER)"),
            "%H" => Wrap::new("CAST(strftime('%H', ", ") AS INTEGER)"),
            "%M" => Wrap::new("CAST(strftime('%M', ", ") AS INTEGER)"),
            // %w is 0 (Sunday) to 6; Django's week_day is 1 (Sunday) to 7.
            "%w" => Wrap::new("(CAST(strftime('%w', ", ") AS INTEGER) + 1)"),
            "%u" => Wrap::new("CAST(strftime('%u', ", ") AS INTEGER)"),
            "%V" => Wrap::new("CAST(strftime('%V', ", ") AS INTEGER)"),
            "quarter" => Wrap::new("((CAST(strftime('%m', ", ") AS INTEGER) + 2) / 3)"),
            _ => Wrap::new("CAST(strftime('%S', ", ") AS INTEGER)"),
        }
    }

    fn unbounded_limit(&self) -> &'static str {
        " LIMIT -1"
    }

    /// A write transaction holds the whole database's lock; there are no row locks.
    fn lock_support(&self) -> LockSupport {
        LockSupport { for_update: false, wait_options: false, of: false }
    }

    /// Plan rows are (id, parent, notused, detail).
    fn explain(&self) -> (&'static str, usize) {
        ("EXPLAIN QUERY PLAN ", 3)
    }

    /// NULL into an integer primary key takes the next key.
    fn default_row(&self) -> DefaultRow {
        DefaultRow::KeyColumn("(NULL)")
    }

    /// Always serializable: `IMMEDIATE` takes the write lock up front, so two writers
    /// never deadlock on the upgrade; a read-only transaction is `DEFERRED`.
    fn begin(&self, isolation: Option<IsolationLevel>, read_only: bool) -> Result<Option<String>> {
        if let Some(level) = isolation.filter(|l| *l != IsolationLevel::Serializable) {
            return Err(super::unsupported(
                self,
                format!("isolation level {} (its transactions are always serializable)", level.sql()),
            ));
        }
        Ok(Some(if read_only { "BEGIN DEFERRED" } else { "BEGIN IMMEDIATE" }.to_owned()))
    }

    /// "UNIQUE constraint failed: auth_user.username, auth_user.email" names the columns:
    /// the constraint is the name kata gives such a key (`auth_user_username_email_key`).
    /// "NOT NULL constraint failed: t.c" and "CHECK constraint failed: name" name it.
    fn constraint_from_message(&self, kind: IntegrityKind, message: &str) -> String {
        let Some((_, columns)) = message.split_once("constraint failed: ") else { return String::new() };
        let columns: Vec<&str> = columns.split(", ").collect();
        match kind {
            IntegrityKind::Unique => {
                let table = columns.first().and_then(|c| c.split_once('.')).map_or("", |(t, _)| t);
                let names: Vec<&str> =
                    columns.iter().map(|c| c.split_once('.').map_or(*c, |(_, n)| n)).collect();
                crate::model::names::generated_name(table, &names, "key")
            }
            _ => columns.join(", "),
        }
    }

    fn table_rebuild(&self) -> Option<(&'static [&'static str], &'static [&'static str])> {
        // Foreign keys are checked at commit, and renaming the old table does not rewrite
        // the references to it, so that dropping it later cascades nothing.
        Some((
            &["PRAGMA defer_foreign_keys = ON", "PRAGMA legacy_alter_table = ON"],
            &["PRAGMA legacy_alter_table = OFF"],
        ))
    }

    fn migration_connection(&self) -> Option<(&'static str, &'static str)> {
        Some(("PRAGMA foreign_keys = OFF", "SELECT COUNT(*) FROM pragma_foreign_key_check"))
    }

    fn schema_builder(&self) -> SchemaBuilder {
        SchemaBuilder::Sqlite
    }

    fn introspection(&self) -> IntrospectionSql {
        super::introspect::SQLITE
    }

    /// Every SQLite integer holds 64 bits.
    fn column_type_of(&self, sql_type: &str) -> Option<(ColumnType, Option<u32>)> {
        super::column_type_of(sql_type, true)
    }

    /// sea-query writes `integer` for both `Integer` and `BigInt`.
    fn stored_type(&self, ty: ColumnType) -> ColumnType {
        match ty {
            ColumnType::Integer
            | ColumnType::UnsignedSmallInt
            | ColumnType::UnsignedInt
            | ColumnType::UnsignedBigInt => ColumnType::BigInt,
            other => other,
        }
    }

    /// Only `INTEGER PRIMARY KEY` is an alias of the rowid.
    fn column_type(
        &self,
        ty: ColumnType,
        auto: bool,
        _max_length: Option<u32>,
        _keyed: bool,
    ) -> ColumnTypeSql {
        match ty {
            ColumnType::BigInt if auto => ColumnTypeSql::Integer,
            // No decimal type: kata's fixed-width text that sorts as the numbers do.
            ColumnType::Decimal { .. } => ColumnTypeSql::Custom("TEXT"),
            ColumnType::Uuid => ColumnTypeSql::Custom("BLOB"),
            _ => ColumnTypeSql::Standard,
        }
    }

    /// A date column gets today's date, not a timestamp (the timestamp's text would no
    /// longer decode as a date); a timestamp gets the text sqlx writes.
    fn now_default(&self, ty: ColumnType) -> Option<&'static str> {
        match ty {
            ColumnType::Date => Some("date('now')"),
            ColumnType::TimestampTz => Some(NOW_RFC3339),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_message_gives_postgres_style_name() {
        let name = Sqlite.constraint_from_message(
            IntegrityKind::Unique,
            "UNIQUE constraint failed: order_item.order_id, order_item.product_id",
        );
        assert_eq!(name, "order_item_order_id_product_id_key");
    }
}
