//! PostgreSQL 12+.

use crate::dialect::{
    ColumnTypeSql, DateUnit, DefaultRow, Dialect, IntrospectionSql, MigrationLock, NumericCast, RawLexicon,
    SchemaBuilder, Wrap,
};
use crate::driver::Backend;
use crate::value::{ArrayOf, ColumnType};

/// PostgreSQL.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Postgres;

impl Dialect for Postgres {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    /// Serialization failure, deadlock, and lock not available (`NOWAIT`).
    fn is_conflict(&self, code: Option<&str>, _number: Option<u16>) -> bool {
        matches!(code, Some("40001" | "40P01" | "55P03"))
    }

    /// The age of the last transaction the standby replayed, or 0 when it has replayed
    /// everything it received (an idle primary sends nothing, and that is no lag) or when
    /// the server is not a standby at all.
    fn replica_lag_sql(&self) -> Option<&'static str> {
        Some(
            "SELECT CASE WHEN NOT pg_is_in_recovery() \
             OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0::float8 \
             ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)::float8 END",
        )
    }

    /// Dollar-quoted and `E'..'` strings, nested comments, and `??` for a literal `?`.
    fn raw_lexicon(&self) -> RawLexicon {
        RawLexicon { postgres: true, ..RawLexicon::STANDARD }
    }

    /// NAMEDATALEN - 1; longer names are truncated silently.
    fn max_identifier_len(&self) -> usize {
        63
    }

    /// `$1`, `$2`, ...
    #[inline]
    fn push_placeholder(&self, sql: &mut String, index: usize) {
        sql.push('$');
        push_decimal(sql, index);
    }

    fn number_placeholder_cast(&self, value: &crate::value::Value) -> &'static str {
        use crate::value::Value;
        match value {
            Value::SmallInt(_) => "::int2",
            Value::Int(_) => "::int4",
            Value::BigInt(_) => "::int8",
            Value::Float(_) => "::float4",
            Value::Double(_) => "::float8",
            _ => "",
        }
    }

    /// One array parameter: the statement text does not depend on the list's length, so
    /// PostgreSQL reuses one prepared statement.
    fn binds_lists_as_arrays(&self) -> bool {
        true
    }

    fn regex(&self, insensitive: bool) -> Wrap {
        if insensitive { Wrap::new(" ~* ", "") } else { Wrap::new(" ~ ", "") }
    }

    /// EXTRACT is numeric (with fractional seconds) on PostgreSQL.
    fn date_part(&self, unit: DateUnit) -> Wrap {
        match unit.sql {
            "YEAR" => Wrap::new("CAST(FLOOR(EXTRACT(YEAR FROM ", ")) AS BIGINT)"),
            "MONTH" => Wrap::new("CAST(FLOOR(EXTRACT(MONTH FROM ", ")) AS BIGINT)"),
            "DAY" => Wrap::new("CAST(FLOOR(EXTRACT(DAY FROM ", ")) AS BIGINT)"),
            "HOUR" => Wrap::new("CAST(FLOOR(EXTRACT(HOUR FROM ", ")) AS BIGINT)"),
            "MINUTE" => Wrap::new("CAST(FLOOR(EXTRACT(MINUTE FROM ", ")) AS BIGINT)"),
            // DOW is 0 (Sunday) to 6; Django's week_day is 1 (Sunday) to 7.
            "WEEK_DAY" => Wrap::new("(CAST(EXTRACT(DOW FROM ", ") AS BIGINT) + 1)"),
            "ISO_WEEK_DAY" => Wrap::new("CAST(EXTRACT(ISODOW FROM ", ") AS BIGINT)"),
            "WEEK" => Wrap::new("CAST(EXTRACT(WEEK FROM ", ") AS BIGINT)"),
            "QUARTER" => Wrap::new("CAST(EXTRACT(QUARTER FROM ", ") AS BIGINT)"),
            _ => Wrap::new("CAST(FLOOR(EXTRACT(SECOND FROM ", ")) AS BIGINT)"),
        }
    }

    /// SUM(bigint) and AVG return NUMERIC.
    fn numeric_cast(&self, to: NumericCast) -> Option<&'static str> {
        Some(match to {
            NumericCast::BigInt => "BIGINT",
            NumericCast::Double => "DOUBLE PRECISION",
        })
    }

    fn widens_float_sums(&self) -> bool {
        true
    }

    /// `WITH (FORCE)` ends the sessions still connected (PostgreSQL 13+).
    fn create_drop_database(&self, name: &str) -> (String, String) {
        let quoted = super::quote(self, name);
        (format!("CREATE DATABASE {quoted}"), format!("DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
    }

    /// `setval` to the largest key, only ever forward: a sequence that already stands
    /// past it (keys handed to transactions not yet committed) is left alone. Nothing
    /// happens when the column has no sequence (`pg_get_serial_sequence` is NULL).
    fn reset_sequence(&self, table: &str, column: &str) -> Option<String> {
        let quoted_table = super::quote(self, table);
        Some(format!(
            "SELECT setval(kata_seq.s, kata_seq.m) FROM (SELECT pg_get_serial_sequence({}, {}) AS s, \
             MAX({}) AS m FROM {quoted_table}) kata_seq \
             WHERE kata_seq.m > COALESCE(pg_sequence_last_value(kata_seq.s::regclass), 0)",
            super::string_literal(&quoted_table),
            super::string_literal(column),
            super::quote(self, column),
        ))
    }

    fn default_row(&self) -> DefaultRow {
        DefaultRow::KeyColumn("(DEFAULT)")
    }

    fn migration_lock(&self) -> MigrationLock {
        // The key is the 64-bit number of the text "kata_mig" (any constant would do).
        MigrationLock::Session {
            lock: "SELECT CAST(1 AS BIGINT) FROM (SELECT pg_advisory_xact_lock(7738064016378947943)) AS l",
            unlock: None,
        }
    }

    fn concurrent_index_build(&self) -> bool {
        true
    }

    fn migration_session_lock(&self) -> Option<(&'static str, &'static str)> {
        // The same key as `migration_lock`: a session lock and a transaction lock on one
        // key exclude each other.
        Some((
            "SELECT CAST(1 AS BIGINT) FROM (SELECT pg_advisory_lock(7738064016378947943)) AS l",
            "SELECT CAST(1 AS BIGINT) FROM (SELECT pg_advisory_unlock(7738064016378947943)) AS l",
        ))
    }

    fn schema_builder(&self) -> SchemaBuilder {
        SchemaBuilder::Postgres
    }

    fn introspection(&self) -> IntrospectionSql {
        super::introspect::POSTGRES
    }

    fn column_type(
        &self,
        ty: ColumnType,
        _auto: bool,
        _max_length: Option<u32>,
        _keyed: bool,
    ) -> ColumnTypeSql {
        match ty {
            ColumnType::Json => ColumnTypeSql::JsonBinary,
            ColumnType::Decimal { max_digits, decimal_places } => {
                ColumnTypeSql::Numeric(max_digits, decimal_places)
            }
            ColumnType::Uuid => ColumnTypeSql::Custom("UUID"),
            ColumnType::Duration => ColumnTypeSql::Custom("INTERVAL"),
            ColumnType::IpAddr => ColumnTypeSql::Custom("INET"),
            ColumnType::Array(of) => ColumnTypeSql::Custom(array_type(of)),
            _ => ColumnTypeSql::Standard,
        }
    }

    fn arrays(&self) -> bool {
        true
    }

    /// An unsigned field's wider signed column.
    fn stored_type(&self, ty: ColumnType) -> ColumnType {
        match ty {
            ColumnType::UnsignedSmallInt => ColumnType::Integer,
            ColumnType::UnsignedInt | ColumnType::UnsignedBigInt => ColumnType::BigInt,
            other => other,
        }
    }
}

/// The type of an array column of `of`.
pub(crate) fn array_type(of: ArrayOf) -> &'static str {
    match of {
        ArrayOf::Bool => "BOOLEAN[]",
        ArrayOf::SmallInt => "SMALLINT[]",
        ArrayOf::Integer => "INTEGER[]",
        ArrayOf::BigInt => "BIGINT[]",
        ArrayOf::Float => "REAL[]",
        ArrayOf::Double => "DOUBLE PRECISION[]",
        ArrayOf::Text => "TEXT[]",
    }
}

/// Appends `n` in decimal: a multi-row insert writes a placeholder per value, and
/// `write!` costs several times as much per number.
fn push_decimal(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[start..].iter().map(|&d| char::from(d)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_in_full() {
        for n in [0, 7, 10, 65_535, usize::MAX] {
            let mut out = String::from("$");
            push_decimal(&mut out, n);
            assert_eq!(out, format!("${n}"));
        }
    }
}
