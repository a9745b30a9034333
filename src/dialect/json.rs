//! JSON key and path lookups (Django's `KeyTransform`, `has_key`, `contains`, ...): the SQL
//! of each backend as a template of pieces, which the query writer fills in. The document,
//! the path, the key and the argument are never written into the SQL: the path is one
//! bound text (`$."owner"."name"[0]`, each key a JSON string, so no key can end it early)
//! on SQLite, MySQL and MariaDB, and one bound key or index per `->` on PostgreSQL.

use crate::dialect::{MariaDb, MySql, Postgres, Sqlite};

/// One piece of a JSON template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonPiece {
    /// SQL text, written as is.
    Sql(&'static str),
    /// The document (a column or an expression).
    Doc,
    /// The path: one bound text, or PostgreSQL's bound `-> key` steps.
    Path,
    /// The path whose last step gives text (PostgreSQL's `->>`); elsewhere [`Path`](Self::Path).
    TextPath,
    /// The path with the lookup's key appended as a member name (`has_key`); on PostgreSQL,
    /// the bound key alone.
    KeyPath,
    /// The lookup's argument: a JSON document (bound as `jsonb` on PostgreSQL, as JSON text
    /// elsewhere), or for a comparison a number or a text (bound as such where the backend
    /// compares SQL values).
    Arg,
    /// The comparison's operator.
    Op,
}

/// What a template computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonTemplate {
    /// The JSON value at the path, as JSON (selected, or tested for NULL).
    Value,
    /// The value at the path as the backend orders it.
    Order,
    /// The value at the path as text, JSON null as NULL.
    Text,
    /// The value at the path equals the argument.
    Exact,
    /// The value at the path compared with a number or a text.
    Compare,
    /// The value at the path has the key.
    HasKey,
    /// The value at the path contains the argument.
    Contains,
    /// The argument contains the value at the path.
    ContainedBy,
}

use JsonPiece::{Arg, Doc, KeyPath, Op, Path, Sql, TextPath};

/// JSON lookups of one backend.
pub trait JsonSql {
    /// The template of `what`, or `None` where the backend has no such lookup (kata refuses
    /// it with `ConfigError::Unsupported` before any SQL, as Django raises
    /// `NotSupportedError`).
    fn json_template(&self, what: JsonTemplate) -> Option<&'static [JsonPiece]>;

    /// Whether paths are `->` steps with one bound key or index each (PostgreSQL), rather
    /// than one bound path text.
    fn json_path_steps(&self) -> bool {
        false
    }

    /// Whether arguments bind as the backend's JSON type (PostgreSQL's `jsonb`, compared as
    /// JSON), rather than as JSON text and, for comparisons, SQL numbers and texts.
    fn json_native_arguments(&self) -> bool {
        false
    }
}

impl JsonSql for Sqlite {
    fn json_template(&self, what: JsonTemplate) -> Option<&'static [JsonPiece]> {
        let template: &'static [JsonPiece] = match what {
            // `->` gives the JSON text of the value ('null' for JSON null, NULL when missing).
            JsonTemplate::Value => &[Sql("("), Doc, Sql(" -> "), Path, Sql(")")],
            JsonTemplate::Order => &[Sql("JSON_EXTRACT("), Doc, Sql(", "), Path, Sql(")")],
            JsonTemplate::Text => &[
                Sql("CAST(CASE WHEN JSON_TYPE("),
                Doc,
                Sql(", "),
                Path,
                Sql(") IN ('true', 'false') THEN JSON_TYPE("),
                Doc,
                Sql(", "),
                Path,
                Sql(") ELSE JSON_EXTRACT("),
                Doc,
                Sql(", "),
                Path,
                Sql(") END AS TEXT)"),
            ],
            // JSON texts compared in SQLite's canonical (minified) form: a string "true" is
            // not `true`, nor "14" 14.
            JsonTemplate::Exact => &[Sql("(("), Doc, Sql(" -> "), Path, Sql(") = JSON("), Arg, Sql("))")],
            JsonTemplate::Compare => {
                &[Sql("(JSON_EXTRACT("), Doc, Sql(", "), Path, Sql(")"), Op, Arg, Sql(")")]
            }
            JsonTemplate::HasKey => &[Sql("(JSON_TYPE("), Doc, Sql(", "), KeyPath, Sql(") IS NOT NULL)")],
            JsonTemplate::Contains | JsonTemplate::ContainedBy => return None,
        };
        Some(template)
    }
}

impl JsonSql for Postgres {
    fn json_template(&self, what: JsonTemplate) -> Option<&'static [JsonPiece]> {
        let template: &'static [JsonPiece] = match what {
            JsonTemplate::Value | JsonTemplate::Order => &[Sql("("), Doc, Path, Sql(")")],
            JsonTemplate::Text => &[Sql("("), Doc, TextPath, Sql(")")],
            JsonTemplate::Exact => &[Sql("(("), Doc, Path, Sql(") = "), Arg, Sql(")")],
            JsonTemplate::Compare => &[Sql("(("), Doc, Path, Sql(")"), Op, Arg, Sql(")")],
            JsonTemplate::HasKey => &[Sql("(("), Doc, Path, Sql(") ? "), KeyPath, Sql(")")],
            JsonTemplate::Contains => &[Sql("(("), Doc, Path, Sql(") @> "), Arg, Sql(")")],
            JsonTemplate::ContainedBy => &[Sql("(("), Doc, Path, Sql(") <@ "), Arg, Sql(")")],
        };
        Some(template)
    }

    fn json_path_steps(&self) -> bool {
        true
    }

    fn json_native_arguments(&self) -> bool {
        true
    }
}

/// MySQL's and MariaDB's common forms.
fn mysql_template(what: JsonTemplate) -> &'static [JsonPiece] {
    match what {
        JsonTemplate::Value | JsonTemplate::Order => &[Sql("JSON_EXTRACT("), Doc, Sql(", "), Path, Sql(")")],
        // JSON_UNQUOTE gives 'null' for JSON null: NULL instead, as elsewhere.
        JsonTemplate::Text => &[
            Sql("(CASE WHEN JSON_TYPE(JSON_EXTRACT("),
            Doc,
            Sql(", "),
            Path,
            Sql(")) = 'NULL' THEN NULL ELSE JSON_UNQUOTE(JSON_EXTRACT("),
            Doc,
            Sql(", "),
            Path,
            Sql(")) END COLLATE utf8mb4_bin)"),
        ],
        JsonTemplate::Exact => {
            &[Sql("(JSON_EXTRACT("), Doc, Sql(", "), Path, Sql(") = JSON_EXTRACT("), Arg, Sql(", '$'))")]
        }
        JsonTemplate::Compare => &[Sql("(JSON_EXTRACT("), Doc, Sql(", "), Path, Sql(")"), Op, Arg, Sql(")")],
        JsonTemplate::HasKey => &[Sql("JSON_CONTAINS_PATH("), Doc, Sql(", 'one', "), KeyPath, Sql(")")],
        JsonTemplate::Contains => &[Sql("JSON_CONTAINS("), Doc, Sql(", "), Arg, Sql(", "), Path, Sql(")")],
        JsonTemplate::ContainedBy => {
            &[Sql("JSON_CONTAINS("), Arg, Sql(", JSON_EXTRACT("), Doc, Sql(", "), Path, Sql("))")]
        }
    }
}

impl JsonSql for MySql {
    fn json_template(&self, what: JsonTemplate) -> Option<&'static [JsonPiece]> {
        Some(mysql_template(what))
    }
}

impl JsonSql for MariaDb {
    fn json_template(&self, what: JsonTemplate) -> Option<&'static [JsonPiece]> {
        let template: &'static [JsonPiece] = match what {
            // MariaDB's JSON_EXTRACT gives text: JSON_VALUE gives the scalar unquoted, which
            // compares with a number as a number and with a text as a text.
            JsonTemplate::Compare => {
                &[Sql("(JSON_VALUE("), Doc, Sql(", "), Path, Sql(")"), Op, Arg, Sql(")")]
            }
            // Its `=` of two JSON_EXTRACTs unquotes one side only ("b" never equals "b"):
            // JSON_EQUALS (10.7+) compares JSON values, 14 equal to 14.0, "14" not to 14; its
            // NULL (a missing key) counts as true where a condition is expected, hence `= 1`.
            JsonTemplate::Exact => {
                &[Sql("(JSON_EQUALS(JSON_EXTRACT("), Doc, Sql(", "), Path, Sql("), "), Arg, Sql(") = 1)")]
            }
            what => mysql_template(what),
        };
        Some(template)
    }
}
