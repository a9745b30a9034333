//! How each backend describes its own schema (Django's `DatabaseIntrospection`): the
//! queries that list tables, columns, foreign keys and indexes, each returning the same
//! shape of row on every backend, and how a column type's SQL name reads as a
//! [`ColumnType`].

use crate::value::{ArrayOf, ColumnType};

/// The four catalog queries of a backend. Each binds the table name once per `?`
/// (`table_params` times), except `tables`, which binds nothing.
///
/// Row shapes, the same on every backend:
/// - `tables`: `(name)`;
/// - `columns`: `(name, sql type, nullable 0/1, default or NULL, max length or NULL, auto
///   0/1, position in the primary key or 0)`, in column order;
/// - `foreign_keys`: `(constraint name, column, target table, target column, delete rule)`
///   with the rule in SQL words (`CASCADE`, `SET NULL`, `RESTRICT`, `NO ACTION`);
/// - `indexes`: `(name, unique 0/1, primary 0/1, column, position)` ordered by name and
///   position, unique constraints included.
#[derive(Debug, Clone, Copy)]
pub struct IntrospectionSql {
    pub(crate) tables: &'static str,
    pub(crate) columns: &'static str,
    pub(crate) columns_params: usize,
    pub(crate) foreign_keys: &'static str,
    pub(crate) indexes: &'static str,
}

pub(crate) const SQLITE: IntrospectionSql = IntrospectionSql {
    tables: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    // SQLite's rowid alias is an auto key when the table was made with AUTOINCREMENT (as
    // both kata and Django make them).
    columns: "SELECT name, type, CASE WHEN \"notnull\" = 0 AND pk = 0 THEN 1 ELSE 0 END, dflt_value, NULL, \
              CASE WHEN pk = 1 AND lower(type) = 'integer' AND (SELECT COUNT(*) FROM sqlite_master m \
              WHERE m.type = 'table' AND m.name = ? AND upper(m.sql) LIKE '%AUTOINCREMENT%') > 0 THEN 1 ELSE 0 END, \
              pk FROM pragma_table_info(?) ORDER BY cid",
    columns_params: 2,
    foreign_keys: "SELECT '', \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq",
    indexes: "SELECT il.name, il.\"unique\", CASE WHEN il.origin = 'pk' THEN 1 ELSE 0 END, ii.name, ii.seqno \
              FROM pragma_index_list(?) AS il, pragma_index_info(il.name) AS ii ORDER BY il.name, ii.seqno",
};

pub(crate) const POSTGRES: IntrospectionSql = IntrospectionSql {
    tables: "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
    columns: "SELECT CAST(c.column_name AS TEXT), \
              CAST(CASE WHEN c.data_type IN ('USER-DEFINED', 'ARRAY') THEN c.udt_name ELSE c.data_type END AS TEXT), \
              CAST(CASE WHEN c.is_nullable = 'YES' THEN 1 ELSE 0 END AS BIGINT), CAST(c.column_default AS TEXT), \
              CAST(c.character_maximum_length AS BIGINT), \
              CAST(CASE WHEN c.is_identity = 'YES' OR c.column_default LIKE 'nextval(%' THEN 1 ELSE 0 END AS BIGINT), \
              CAST(COALESCE((SELECT k.n FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
              JOIN pg_namespace ns ON ns.oid = t.relnamespace \
              CROSS JOIN LATERAL unnest(CAST(ix.indkey AS int2[])) WITH ORDINALITY AS k(attnum, n) \
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
              WHERE ix.indisprimary AND ns.nspname = c.table_schema AND t.relname = c.table_name \
              AND a.attname = c.column_name), 0) AS BIGINT) \
              FROM information_schema.columns c WHERE c.table_schema = current_schema() AND c.table_name = ? \
              ORDER BY c.ordinal_position",
    columns_params: 1,
    foreign_keys: "SELECT CAST(con.conname AS TEXT), CAST(a.attname AS TEXT), CAST(ft.relname AS TEXT), \
                   CAST(fa.attname AS TEXT), CAST(CASE con.confdeltype WHEN 'c' THEN 'CASCADE' \
                   WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' \
                   ELSE 'NO ACTION' END AS TEXT) \
                   FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid \
                   JOIN pg_namespace n ON n.oid = t.relnamespace JOIN pg_class ft ON ft.oid = con.confrelid \
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1] \
                   JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = con.confkey[1] \
                   WHERE con.contype = 'f' AND n.nspname = current_schema() AND t.relname = ? ORDER BY 1",
    indexes: "SELECT CAST(i.relname AS TEXT), CAST(CASE WHEN ix.indisunique THEN 1 ELSE 0 END AS BIGINT), \
              CAST(CASE WHEN ix.indisprimary THEN 1 ELSE 0 END AS BIGINT), CAST(a.attname AS TEXT), \
              CAST(k.n AS BIGINT) FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
              JOIN pg_namespace ns ON ns.oid = t.relnamespace JOIN pg_class i ON i.oid = ix.indexrelid \
              CROSS JOIN LATERAL unnest(CAST(ix.indkey AS int2[])) WITH ORDINALITY AS k(attnum, n) \
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
              WHERE ns.nspname = current_schema() AND t.relname = ? ORDER BY 1, 5",
};

macro_rules! mysql_columns {
    ($ty:expr) => {
        concat!(
            "SELECT CAST(c.column_name AS CHAR), CAST(",
            $ty,
            " AS CHAR), CASE WHEN c.is_nullable = 'YES' THEN 1 ELSE 0 END, CAST(c.column_default AS CHAR), \
             CAST(c.character_maximum_length AS SIGNED), CASE WHEN c.extra LIKE '%auto_increment%' THEN 1 ELSE 0 END, \
             CAST(COALESCE((SELECT s.seq_in_index FROM information_schema.statistics s \
             WHERE s.table_schema = c.table_schema AND s.table_name = c.table_name AND s.index_name = 'PRIMARY' \
             AND s.column_name = c.column_name), 0) AS SIGNED) \
             FROM information_schema.columns c WHERE c.table_schema = DATABASE() AND c.table_name = ? \
             ORDER BY c.ordinal_position"
        )
    };
}

const MYSQL_TABLES: &str = "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
                            WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY 1";
const MYSQL_FOREIGN_KEYS: &str = "SELECT CAST(k.constraint_name AS CHAR), CAST(k.column_name AS CHAR), \
     CAST(k.referenced_table_name AS CHAR), CAST(k.referenced_column_name AS CHAR), CAST(r.delete_rule AS CHAR) \
     FROM information_schema.key_column_usage k JOIN information_schema.referential_constraints r \
     ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name \
     AND r.table_name = k.table_name \
     WHERE k.table_schema = DATABASE() AND k.table_name = ? AND k.referenced_table_name IS NOT NULL ORDER BY 1";
const MYSQL_INDEXES: &str = "SELECT CAST(index_name AS CHAR), CASE WHEN non_unique = 0 THEN 1 ELSE 0 END, \
     CASE WHEN index_name = 'PRIMARY' THEN 1 ELSE 0 END, CAST(column_name AS CHAR), CAST(seq_in_index AS SIGNED) \
     FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = ? ORDER BY 1, 5";

pub(crate) const MYSQL: IntrospectionSql = IntrospectionSql {
    tables: MYSQL_TABLES,
    columns: mysql_columns!("c.column_type"),
    columns_params: 1,
    foreign_keys: MYSQL_FOREIGN_KEYS,
    indexes: MYSQL_INDEXES,
};

/// MariaDB's JSON is LONGTEXT with a `json_valid` check named after the column.
pub(crate) const MARIADB: IntrospectionSql = IntrospectionSql {
    tables: MYSQL_TABLES,
    columns: mysql_columns!(
        "CASE WHEN EXISTS (SELECT 1 FROM information_schema.check_constraints cc \
         WHERE cc.constraint_schema = c.table_schema AND cc.table_name = c.table_name \
         AND cc.check_clause = CONCAT('json_valid(`', c.column_name, '`)')) THEN 'json' ELSE c.column_type END"
    ),
    columns_params: 1,
    foreign_keys: MYSQL_FOREIGN_KEYS,
    indexes: MYSQL_INDEXES,
};

/// The column type a SQL type name stands for, and the length in it (`varchar(150)`),
/// across the names the backends report: PostgreSQL's `information_schema` names,
/// MySQL's `COLUMN_TYPE`, SQLite's declared types (sea-query's and Django's), and sqlx's
/// type names (`INT4`, `INT8`). `sqlite` reads SQLite's storage classes: `integer` and
/// `real` hold 64 bits.
pub(crate) fn column_type_of(sql_type: &str, sqlite: bool) -> Option<(ColumnType, Option<u32>)> {
    let lower = sql_type.trim().to_ascii_lowercase();
    // PostgreSQL's arrays: `integer[]`, or `_int4` in `information_schema`'s `udt_name`.
    if let Some(element) = lower.strip_suffix("[]").or_else(|| lower.strip_prefix('_').filter(|_| !sqlite)) {
        let (element, _) = column_type_of(element, sqlite)?;
        return ArrayOf::of(element).map(|of| (ColumnType::Array(of), None));
    }
    let (base, length) = match lower.split_once('(') {
        Some((base, rest)) => {
            let inside = rest.split(')').next().unwrap_or("");
            (base.trim(), inside.split(',').next().and_then(|n| n.trim().parse::<u32>().ok()))
        }
        None => (lower.as_str(), None),
    };
    let base = base.trim_end_matches(" unsigned").trim();
    let ty = match base {
        "bool" | "boolean" => ColumnType::Bool,
        "tinyint" if length == Some(1) => ColumnType::Bool,
        "tinyint" | "smallint" | "int2" => ColumnType::SmallInt,
        "integer" if sqlite => ColumnType::BigInt,
        "real" if sqlite => ColumnType::Double,
        "int" | "integer" | "int4" | "mediumint" | "serial" => ColumnType::Integer,
        "bigint" | "int8" | "bigserial" => ColumnType::BigInt,
        "real" | "float" | "float4" => ColumnType::Float,
        "double" | "double precision" | "float8" => ColumnType::Double,
        "varchar" | "character varying" | "char" | "character" | "bpchar" | "nvarchar" => {
            return Some((ColumnType::Text, length));
        }
        "text" | "tinytext" | "mediumtext" | "longtext" | "clob" | "citext" => ColumnType::Text,
        "blob" | "bytea" | "tinyblob" | "mediumblob" | "longblob" | "binary" | "varbinary" => {
            ColumnType::Bytes
        }
        "timestamp with time zone" | "timestamptz" | "timestamp_with_timezone_text" | "datetime" => {
            ColumnType::TimestampTz
        }
        "timestamp" | "timestamp without time zone" | "timestamp_text" | "datetime_text" => {
            ColumnType::Timestamp
        }
        "date" | "date_text" => ColumnType::Date,
        "time" | "time without time zone" | "time_text" => ColumnType::Time,
        "json" | "jsonb" | "json_text" => ColumnType::Json,
        "numeric" | "decimal" => {
            let inside = lower.split_once('(').and_then(|(_, rest)| rest.split(')').next()).unwrap_or("");
            let mut parts = inside.split(',').map(|n| n.trim().parse::<u8>().ok());
            let max_digits = parts.next().flatten().unwrap_or(0);
            let decimal_places = parts.next().flatten().unwrap_or(0);
            ColumnType::Decimal { max_digits, decimal_places }
        }
        "uuid" => ColumnType::Uuid,
        "interval" => ColumnType::Duration,
        "inet" => ColumnType::IpAddr,
        _ => return None,
    };
    // MySQL's and MariaDB's `int(10) unsigned`, `BIGINT UNSIGNED` (SQLite keeps the words of
    // a declared type but stores a signed integer).
    let ty = match ty {
        ColumnType::SmallInt if !sqlite && lower.ends_with(" unsigned") => ColumnType::UnsignedSmallInt,
        ColumnType::Integer if !sqlite && lower.ends_with(" unsigned") => ColumnType::UnsignedInt,
        ColumnType::BigInt if !sqlite && lower.ends_with(" unsigned") => ColumnType::UnsignedBigInt,
        other => other,
    };
    Some((ty, None))
}

/// The Rust type a model field of column type `ty` has (for messages and generated models).
pub(crate) fn rust_type(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Bool => "bool",
        ColumnType::SmallInt => "i16",
        ColumnType::Integer => "i32",
        ColumnType::BigInt => "i64",
        ColumnType::Float => "f32",
        ColumnType::Double => "f64",
        ColumnType::Text => "String",
        ColumnType::Bytes => "Vec<u8>",
        ColumnType::TimestampTz => "chrono::DateTime<chrono::Utc>",
        ColumnType::Timestamp => "chrono::NaiveDateTime",
        ColumnType::Date => "chrono::NaiveDate",
        ColumnType::Time => "chrono::NaiveTime",
        ColumnType::Json => "serde_json::Value",
        ColumnType::Decimal { .. } => "rust_decimal::Decimal",
        ColumnType::Uuid => "uuid::Uuid",
        ColumnType::Duration => "chrono::Duration",
        ColumnType::IpAddr => "std::net::IpAddr",
        ColumnType::UnsignedSmallInt => "u16",
        ColumnType::UnsignedInt => "u32",
        ColumnType::UnsignedBigInt => "u64",
        ColumnType::Array(of) => match of {
            ArrayOf::Bool => "Vec<bool>",
            ArrayOf::SmallInt => "Vec<i16>",
            ArrayOf::Integer => "Vec<i32>",
            ArrayOf::BigInt => "Vec<i64>",
            ArrayOf::Float => "Vec<f32>",
            ArrayOf::Double => "Vec<f64>",
            ArrayOf::Text => "Vec<String>",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_of_every_backend_read_as_column_types() {
        assert_eq!(column_type_of("varchar(150)", false), Some((ColumnType::Text, Some(150))));
        assert_eq!(column_type_of("character varying", false), Some((ColumnType::Text, None)));
        assert_eq!(column_type_of("INT4", false), Some((ColumnType::Integer, None)));
        assert_eq!(column_type_of("int(11)", false), Some((ColumnType::Integer, None)));
        assert_eq!(column_type_of("integer", true), Some((ColumnType::BigInt, None)));
        assert_eq!(column_type_of("int(10) unsigned", false), Some((ColumnType::UnsignedInt, None)));
        assert_eq!(column_type_of("SMALLINT UNSIGNED", false), Some((ColumnType::UnsignedSmallInt, None)));
        assert_eq!(column_type_of("bigint unsigned", false), Some((ColumnType::UnsignedBigInt, None)));
        assert_eq!(column_type_of("tinyint(1) unsigned", false), Some((ColumnType::Bool, None)));
        assert_eq!(column_type_of("tinyint(1)", false), Some((ColumnType::Bool, None)));
        assert_eq!(column_type_of("datetime(6)", false), Some((ColumnType::TimestampTz, None)));
        assert_eq!(column_type_of("geometry", false), None);
        assert_eq!(column_type_of("_int4", false), Some((ColumnType::Array(ArrayOf::Integer), None)));
        assert_eq!(column_type_of("TEXT[]", false), Some((ColumnType::Array(ArrayOf::Text), None)));
        assert_eq!(column_type_of("_jsonb", false), None);
    }
}
