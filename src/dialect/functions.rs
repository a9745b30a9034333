//! The SQL functions and operators kata's expressions use (Django's `db.models.functions`,
//! `%`, powers, bitwise operators, casts, date truncation), where backends differ.
//!
//! A supertrait of [`Dialect`](super::Dialect), kept apart so that each concern stays in a
//! file of its own; the defaults are standard SQL (and PostgreSQL's spelling).

use crate::dialect::{MariaDb, MySql, Postgres, Sqlite, Wrap, sqlite::NOW_RFC3339};
use crate::expr::{ArrayOp, DatePart, Trunc};
use crate::value::ColumnType;

/// How `GREATEST` and `LEAST` treat NULL. kata gives them one meaning everywhere: NULL
/// when any argument is NULL (MySQL's, MariaDB's and SQLite's; Django documents
/// PostgreSQL's as the exception).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extremum {
    /// `GREATEST(..)`/`LEAST(..)` already return NULL for any NULL argument.
    NullIfAny(&'static str, &'static str),
    /// They skip NULLs (PostgreSQL): kata adds `CASE WHEN a IS NULL OR .. THEN NULL`.
    SkipsNull(&'static str, &'static str),
}

/// The functions, operators and casts of one backend.
pub trait Functions {
    /// The bitwise exclusive-or operator, or `None` where there is none (SQLite:
    /// kata writes `(a | b) - (a & b)`).
    fn bit_xor(&self) -> Option<&'static str> {
        Some(" # ")
    }

    /// What wraps a bitwise operation so that it gives a signed 64-bit integer (MySQL's
    /// bit operators give BIGINT UNSIGNED: `-3 | 1` would be 18446744073709551613).
    fn signed_bitwise(&self) -> Option<Wrap> {
        None
    }

    /// The opening of a power function call (`POWER(`), or `None` where the backend has
    /// none (SQLite as sqlx bundles it, without its math functions): kata refuses the
    /// expression with `ConfigError::Unsupported` before any SQL.
    fn power(&self) -> Option<&'static str> {
        Some("POWER(")
    }

    /// The type a shift's right-hand side is cast to (PostgreSQL has `bigint << integer`
    /// only).
    fn shift_amount(&self) -> Option<&'static str> {
        None
    }

    /// The type a `CAST` to a column type names.
    fn cast_type(&self, ty: ColumnType) -> &'static str {
        match ty {
            ColumnType::Bool => "BOOLEAN",
            ColumnType::SmallInt => "SMALLINT",
            ColumnType::Integer => "INTEGER",
            ColumnType::BigInt => "BIGINT",
            ColumnType::Float => "REAL",
            ColumnType::Double => "DOUBLE PRECISION",
            ColumnType::Text => "TEXT",
            ColumnType::Bytes => "BYTEA",
            ColumnType::TimestampTz => "TIMESTAMPTZ",
            ColumnType::Date => "DATE",
            ColumnType::Timestamp => "TIMESTAMP",
            ColumnType::Time => "TIME",
            ColumnType::Json => "JSONB",
            ColumnType::Decimal { .. } => "NUMERIC",
            ColumnType::Uuid => "UUID",
            ColumnType::Duration => "INTERVAL",
            ColumnType::IpAddr => "INET",
            ColumnType::UnsignedSmallInt => "INTEGER",
            ColumnType::UnsignedInt | ColumnType::UnsignedBigInt => "BIGINT",
            ColumnType::Array(of) => super::postgres_array_type(of),
        }
    }

    /// The length of a text in characters, as a function opening.
    fn char_length(&self) -> &'static str {
        "LENGTH("
    }

    /// The opening of a concatenation that treats NULL as the empty text (Django's
    /// `Concat`): `CONCAT(` on PostgreSQL and SQLite 3.44+, `CONCAT_WS('', ` on MySQL.
    fn concat_skipping_null(&self) -> &'static str {
        "CONCAT("
    }

    /// Whether a concatenation that propagates NULL is written `CONCAT(a, b)` (MySQL's
    /// `||` is OR) rather than `a || b`.
    fn concat_is_function(&self) -> bool {
        false
    }

    /// `GREATEST`/`LEAST` and their NULL semantics.
    fn extremum(&self) -> Extremum {
        Extremum::NullIfAny("GREATEST(", "LEAST(")
    }

    /// The current timestamp, in the form the backend stores a `DateTime<Utc>`.
    fn now(&self) -> &'static str {
        "CURRENT_TIMESTAMP"
    }

    /// A date or time truncated to `unit`, around an operand of column type `ty`. The
    /// result has the operand's type, except `Trunc::Date`, which gives a date.
    fn trunc(&self, unit: Trunc, ty: ColumnType) -> Wrap {
        let date = ty == ColumnType::Date;
        match (unit, date) {
            (Trunc::Date, _) => Wrap::new("CAST(", " AS DATE)"),
            (Trunc::Year, false) => Wrap::new("DATE_TRUNC('year', ", ")"),
            (Trunc::Month, false) => Wrap::new("DATE_TRUNC('month', ", ")"),
            (Trunc::Day, false) => Wrap::new("DATE_TRUNC('day', ", ")"),
            (Trunc::Hour, _) => Wrap::new("DATE_TRUNC('hour', ", ")"),
            (Trunc::Year, true) => Wrap::new("CAST(DATE_TRUNC('year', ", ") AS DATE)"),
            (Trunc::Month, true) => Wrap::new("CAST(DATE_TRUNC('month', ", ") AS DATE)"),
            (Trunc::Day, true) => Wrap::new("CAST(DATE_TRUNC('day', ", ") AS DATE)"),
        }
    }

    /// Whether aggregates take `FILTER (WHERE ..)` (PostgreSQL, SQLite 3.30+); elsewhere
    /// kata writes `AGG(CASE WHEN condition THEN expr END)`.
    fn aggregate_filter(&self) -> bool {
        true
    }

    /// The population standard deviation and variance functions, or `None` where the
    /// backend has none (SQLite: kata refuses them with `Error::Unsupported`-style
    /// `InvalidQuery` before any SQL).
    fn statistics(&self) -> Option<[&'static str; 4]> {
        Some(["STDDEV_POP(", "STDDEV_SAMP(", "VAR_POP(", "VAR_SAMP("])
    }

    /// `STRING_AGG(expr, sep)` as an opening and the text between the two arguments.
    fn string_agg(&self) -> (&'static str, &'static str) {
        ("STRING_AGG(", ", ")
    }

    /// Whether `StringAgg`'s `ORDER BY` comes before its delimiter (MySQL's and MariaDB's
    /// `GROUP_CONCAT(x ORDER BY .. SEPARATOR ..)`) rather than after it.
    fn string_agg_order_before_delimiter(&self) -> bool {
        false
    }

    /// Whether decimals take arithmetic, `SUM` and `AVG` exactly (a native decimal type);
    /// SQLite keeps them as kata's sortable text, so kata refuses these there.
    fn decimal_arithmetic(&self) -> bool {
        true
    }

    /// A part of a duration (`Day`, `Hour`, `Minute`, `Second`) as a 64-bit integer, split
    /// as Python's `timedelta` splits it (whole days, rounded down, then the seconds of the
    /// day); `None` where durations are stored as plain microseconds (Django's "Extract
    /// requires native DurationField database support").
    fn duration_part(&self, part: DatePart) -> Option<Wrap> {
        let _ = part;
        None
    }

    /// A timestamp plus (or, with `subtract`, minus) a duration, as the text before the
    /// timestamp, between it and the duration, and after; `None` where kata cannot compute
    /// it exactly (SQLite's text timestamps).
    fn duration_add(&self, subtract: bool) -> Option<[&'static str; 3]> {
        Some(if subtract { ["(", " - ", ")"] } else { ["(", " + ", ")"] })
    }

    /// An array lookup as the text before its first argument, between its two (if it has
    /// two) and after; `None` where the backend has no arrays.
    fn array_op(&self, op: ArrayOp) -> Option<[&'static str; 3]> {
        let _ = op;
        None
    }

    /// `ARRAY_AGG(`'s opening (Django's `ArrayAgg`); `None` where the backend has no arrays.
    fn array_agg(&self) -> Option<&'static str> {
        None
    }
}

impl Functions for Postgres {
    fn array_op(&self, op: ArrayOp) -> Option<[&'static str; 3]> {
        Some(match op {
            ArrayOp::Contains => ["(", " @> ", ")"],
            ArrayOp::ContainedBy => ["(", " <@ ", ")"],
            ArrayOp::Overlap => ["(", " && ", ")"],
            // The number of elements: 0 for an empty array, NULL for NULL (Django's `len`).
            ArrayOp::Len => ["CAST(CARDINALITY(", "", ") AS BIGINT)"],
            // 1-based; the argument is the 0-based index plus one.
            ArrayOp::Index => ["(", ")[", "]"],
        })
    }

    fn array_agg(&self) -> Option<&'static str> {
        Some("ARRAY_AGG(")
    }

    /// From `EXTRACT(EPOCH ..)` (exact seconds), so that an interval kept as hours (kata
    /// writes days as 24 hours) splits as one with days does.
    fn duration_part(&self, part: DatePart) -> Option<Wrap> {
        Some(match part {
            DatePart::Day => Wrap::new("CAST(FLOOR(EXTRACT(EPOCH FROM ", ") / 86400) AS BIGINT)"),
            DatePart::Hour => Wrap::new(
                "CAST(FLOOR(MOD(MOD(EXTRACT(EPOCH FROM ",
                "), 86400) + 86400, 86400) / 3600) AS BIGINT)",
            ),
            DatePart::Minute => {
                Wrap::new("CAST(FLOOR(MOD(MOD(EXTRACT(EPOCH FROM ", "), 3600) + 3600, 3600) / 60) AS BIGINT)")
            }
            DatePart::Second => {
                Wrap::new("CAST(FLOOR(MOD(MOD(EXTRACT(EPOCH FROM ", "), 60) + 60, 60)) AS BIGINT)")
            }
            _ => return None,
        })
    }

    fn shift_amount(&self) -> Option<&'static str> {
        Some("INTEGER")
    }

    fn extremum(&self) -> Extremum {
        Extremum::SkipsNull("GREATEST(", "LEAST(")
    }
}

impl Functions for Sqlite {
    fn bit_xor(&self) -> Option<&'static str> {
        None
    }

    /// The bundled SQLite is built without its math functions.
    fn power(&self) -> Option<&'static str> {
        None
    }

    fn cast_type(&self, ty: ColumnType) -> &'static str {
        match ty {
            ColumnType::Bool
            | ColumnType::SmallInt
            | ColumnType::Integer
            | ColumnType::BigInt
            | ColumnType::UnsignedSmallInt
            | ColumnType::UnsignedInt
            | ColumnType::UnsignedBigInt
            | ColumnType::Duration => "INTEGER",
            ColumnType::Float | ColumnType::Double => "REAL",
            ColumnType::Bytes | ColumnType::Uuid => "BLOB",
            _ => "TEXT",
        }
    }

    fn extremum(&self) -> Extremum {
        Extremum::NullIfAny("MAX(", "MIN(")
    }

    fn now(&self) -> &'static str {
        NOW_RFC3339
    }

    /// Dates and timestamps are text: `strftime` writes the truncated value in the form
    /// sqlx writes and reads it (RFC 3339 for `DateTime<Utc>`, `YYYY-MM-DD HH:MM:SS` for
    /// `NaiveDateTime`).
    fn trunc(&self, unit: Trunc, ty: ColumnType) -> Wrap {
        if ty == ColumnType::Timestamp {
            return match unit {
                Trunc::Date => Wrap::new("date(", ")"),
                Trunc::Year => Wrap::new("strftime('%Y-01-01 00:00:00', ", ")"),
                Trunc::Month => Wrap::new("strftime('%Y-%m-01 00:00:00', ", ")"),
                Trunc::Day => Wrap::new("strftime('%Y-%m-%d 00:00:00', ", ")"),
                Trunc::Hour => Wrap::new("strftime('%Y-%m-%d %H:00:00', ", ")"),
            };
        }
        let date = ty == ColumnType::Date;
        match (unit, date) {
            (Trunc::Date, _) => Wrap::new("date(", ")"),
            (Trunc::Year, true) => Wrap::new("strftime('%Y-01-01', ", ")"),
            (Trunc::Month, true) => Wrap::new("strftime('%Y-%m-01', ", ")"),
            (Trunc::Day, true) => Wrap::new("strftime('%Y-%m-%d', ", ")"),
            (Trunc::Year, false) => Wrap::new("strftime('%Y-01-01T00:00:00+00:00', ", ")"),
            (Trunc::Month, false) => Wrap::new("strftime('%Y-%m-01T00:00:00+00:00', ", ")"),
            (Trunc::Day, false) => Wrap::new("strftime('%Y-%m-%dT00:00:00+00:00', ", ")"),
            (Trunc::Hour, _) => Wrap::new("strftime('%Y-%m-%dT%H:00:00+00:00', ", ")"),
        }
    }

    fn statistics(&self) -> Option<[&'static str; 4]> {
        None
    }

    fn decimal_arithmetic(&self) -> bool {
        false
    }

    fn duration_add(&self, subtract: bool) -> Option<[&'static str; 3]> {
        let _ = subtract;
        None
    }

    fn string_agg(&self) -> (&'static str, &'static str) {
        ("GROUP_CONCAT(", ", ")
    }
}

impl Functions for MySql {
    fn bit_xor(&self) -> Option<&'static str> {
        Some(" ^ ")
    }

    fn signed_bitwise(&self) -> Option<Wrap> {
        Some(Wrap::new("CAST(", " AS SIGNED)"))
    }

    fn cast_type(&self, ty: ColumnType) -> &'static str {
        mysql_cast_type(ty)
    }

    fn char_length(&self) -> &'static str {
        "CHAR_LENGTH("
    }

    fn concat_skipping_null(&self) -> &'static str {
        "CONCAT_WS('', "
    }

    fn concat_is_function(&self) -> bool {
        true
    }

    fn now(&self) -> &'static str {
        "CURRENT_TIMESTAMP(6)"
    }

    fn trunc(&self, unit: Trunc, ty: ColumnType) -> Wrap {
        mysql_trunc(unit, ty)
    }

    fn aggregate_filter(&self) -> bool {
        false
    }

    fn string_agg(&self) -> (&'static str, &'static str) {
        ("GROUP_CONCAT(", " SEPARATOR ")
    }

    fn string_agg_order_before_delimiter(&self) -> bool {
        true
    }

    /// Durations are microseconds.
    fn duration_add(&self, subtract: bool) -> Option<[&'static str; 3]> {
        Some(if subtract {
            ["DATE_SUB(", ", INTERVAL ", " MICROSECOND)"]
        } else {
            ["DATE_ADD(", ", INTERVAL ", " MICROSECOND)"]
        })
    }
}

impl Functions for MariaDb {
    fn bit_xor(&self) -> Option<&'static str> {
        MySql.bit_xor()
    }

    fn signed_bitwise(&self) -> Option<Wrap> {
        MySql.signed_bitwise()
    }

    fn cast_type(&self, ty: ColumnType) -> &'static str {
        mysql_cast_type(ty)
    }

    fn char_length(&self) -> &'static str {
        MySql.char_length()
    }

    fn concat_skipping_null(&self) -> &'static str {
        MySql.concat_skipping_null()
    }

    fn concat_is_function(&self) -> bool {
        true
    }

    fn now(&self) -> &'static str {
        MySql.now()
    }

    fn trunc(&self, unit: Trunc, ty: ColumnType) -> Wrap {
        mysql_trunc(unit, ty)
    }

    fn aggregate_filter(&self) -> bool {
        false
    }

    fn string_agg(&self) -> (&'static str, &'static str) {
        MySql.string_agg()
    }

    fn string_agg_order_before_delimiter(&self) -> bool {
        true
    }

    fn duration_add(&self, subtract: bool) -> Option<[&'static str; 3]> {
        MySql.duration_add(subtract)
    }
}

fn mysql_cast_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Bool | ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt => "SIGNED",
        ColumnType::Float => "FLOAT",
        ColumnType::Double => "DOUBLE",
        ColumnType::Bytes => "BINARY",
        ColumnType::TimestampTz | ColumnType::Timestamp => "DATETIME(6)",
        ColumnType::Date => "DATE",
        ColumnType::Time => "TIME(6)",
        ColumnType::Text | ColumnType::Json | ColumnType::IpAddr => "CHAR",
        ColumnType::Decimal { .. } => "DECIMAL(65, 30)",
        ColumnType::Uuid => "BINARY(16)",
        ColumnType::Duration => "SIGNED",
        ColumnType::UnsignedSmallInt | ColumnType::UnsignedInt | ColumnType::UnsignedBigInt => "UNSIGNED",
        // No array type: an array field is refused before any SQL.
        ColumnType::Array(_) => "JSON",
    }
}

/// MySQL has no `DATE_TRUNC`: the value is formatted with its lower parts zeroed and cast
/// back.
fn mysql_trunc(unit: Trunc, ty: ColumnType) -> Wrap {
    let date = ty == ColumnType::Date;
    match (unit, date) {
        (Trunc::Date, _) => Wrap::new("DATE(", ")"),
        (Trunc::Year, true) => Wrap::new("CAST(DATE_FORMAT(", ", '%Y-01-01') AS DATE)"),
        (Trunc::Month, true) => Wrap::new("CAST(DATE_FORMAT(", ", '%Y-%m-01') AS DATE)"),
        (Trunc::Day, true) => Wrap::new("CAST(DATE_FORMAT(", ", '%Y-%m-%d') AS DATE)"),
        (Trunc::Year, false) => Wrap::new("CAST(DATE_FORMAT(", ", '%Y-01-01 00:00:00') AS DATETIME(6))"),
        (Trunc::Month, false) => Wrap::new("CAST(DATE_FORMAT(", ", '%Y-%m-01 00:00:00') AS DATETIME(6))"),
        (Trunc::Day, false) => Wrap::new("CAST(DATE_FORMAT(", ", '%Y-%m-%d 00:00:00') AS DATETIME(6))"),
        (Trunc::Hour, _) => Wrap::new("CAST(DATE_FORMAT(", ", '%Y-%m-%d %H:00:00') AS DATETIME(6))"),
    }
}
