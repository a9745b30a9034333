//! Renders kata's expression trees to SQL text and bind parameters for one backend.
//!
//! Why not sea-query for DML: kata binds model fields straight from the struct into the
//! driver's argument buffer (one copy, as hand-written sqlx does) and renders text and
//! parameters in one pass, so the placeholders and the values can never drift apart. The
//! SQL differences between backends are all in this file, one `match backend` per concern.
//! DDL still goes through sea-query (`db::ddl`).

use crate::backend::{Args, Backend};
use crate::error::Result;
use crate::expr::{Aggregate, BinOp, DatePart, Node, PatternKind, RelStep};
use crate::model::{Model, ModelMeta};
use crate::value::{FieldType, Value};

/// One statement: SQL text and its parameters.
#[derive(Debug)]
pub(crate) struct Statement {
    pub(crate) sql: String,
    pub(crate) args: Args,
}

/// Writes SQL text and binds parameters in the same pass.
#[derive(Debug)]
pub(crate) struct SqlWriter {
    pub(crate) sql: String,
    pub(crate) args: Args,
    pub(crate) backend: Backend,
}

impl SqlWriter {
    pub(crate) fn new(backend: Backend) -> Result<Self> {
        Ok(SqlWriter { sql: String::with_capacity(256), args: Args::new(backend)?, backend })
    }

    pub(crate) fn finish(self) -> Statement {
        Statement { sql: self.sql, args: self.args }
    }

    #[inline]
    pub(crate) fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    /// A quoted identifier. Embedded quote characters are doubled, so no name can break
    /// out of its quotes.
    #[inline]
    pub(crate) fn ident(&mut self, name: &str) {
        push_quoted(&mut self.sql, self.backend, name);
    }

    /// A quoted identifier as a string.
    pub(crate) fn quoted(&self, name: &str) -> String {
        let mut out = String::with_capacity(name.len() + 2);
        push_quoted(&mut out, self.backend, name);
        out
    }

    /// `"table"."column"`.
    pub(crate) fn column(&mut self, meta: &ModelMeta, index: usize) {
        self.ident(meta.table);
        self.sql.push('.');
        self.ident(meta.columns[index].name);
    }

    /// The next placeholder: `$n` on PostgreSQL, `?` elsewhere.
    #[inline]
    fn placeholder(&mut self) {
        match self.backend {
            Backend::Postgres => {
                self.sql.push('$');
                push_decimal(&mut self.sql, self.args.len());
            }
            _ => self.sql.push('?'),
        }
    }

    pub(crate) fn bind_value(&mut self, value: &Value) -> Result<()> {
        value.bind(&mut self.args)?;
        self.placeholder();
        Ok(())
    }

    pub(crate) fn bind<T: FieldType>(&mut self, value: &T) -> Result<()> {
        value.bind(&mut self.args)?;
        self.placeholder();
        Ok(())
    }

    /// Binds column `index` of a model instance.
    pub(crate) fn bind_column<M: Model>(&mut self, model: &M, index: usize) -> Result<()> {
        model.__bind_column(index, &mut self.args)?;
        self.placeholder();
        Ok(())
    }

    /// `"t"."pk" = ? AND ...` for a model instance's primary key.
    pub(crate) fn pk_equals<M: Model>(&mut self, model: &M) -> Result<()> {
        let meta = M::meta();
        for (n, &i) in meta.primary_key.iter().enumerate() {
            if n > 0 {
                self.push(" AND ");
            }
            self.column(meta, i);
            self.push(" = ");
            self.bind_column(model, i)?;
        }
        Ok(())
    }

    pub(crate) fn comma_separated<I, F>(&mut self, items: I, mut each: F) -> Result<()>
    where
        I: IntoIterator,
        F: FnMut(&mut Self, I::Item) -> Result<()>,
    {
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            each(self, item)?;
        }
        Ok(())
    }

    /// The model's columns, qualified, in declaration order.
    pub(crate) fn model_columns(&mut self, meta: &ModelMeta) {
        for i in 0..meta.columns.len() {
            if i > 0 {
                self.push(", ");
            }
            self.column(meta, i);
        }
    }

    /// A condition or expression.
    pub(crate) fn node(&mut self, node: &Node) -> Result<()> {
        if let Some((step, condition)) = node.lift_related() {
            return self.related_condition(step, &condition);
        }
        match node {
            Node::Column(meta, index) => self.column(meta, *index),
            Node::Value(value) => self.bind_value(value)?,
            Node::Star => self.push("*"),
            Node::Bool(true) => self.push("(1 = 1)"),
            Node::Bool(false) => self.push("(1 = 0)"),
            Node::Binary(lhs, op, rhs) => {
                self.push("(");
                self.node(lhs)?;
                self.push(match op {
                    BinOp::Eq => " = ",
                    BinOp::Ne => " <> ",
                    BinOp::Gt => " > ",
                    BinOp::Gte => " >= ",
                    BinOp::Lt => " < ",
                    BinOp::Lte => " <= ",
                    BinOp::Add => " + ",
                    BinOp::Sub => " - ",
                    BinOp::Mul => " * ",
                    BinOp::Div => " / ",
                    // `/` of two integers truncates on SQLite and PostgreSQL; MySQL needs `DIV`.
                    BinOp::IntDiv if self.backend == Backend::MySql => " DIV ",
                    BinOp::IntDiv => " / ",
                });
                self.node(rhs)?;
                self.push(")");
            }
            // Two-valued NOT: rows where the condition is unknown (NULL) count as "not
            // true", so `exclude(x = 1)` keeps rows whose x is NULL, as Django does.
            Node::Not(inner) => {
                self.push("(NOT COALESCE(");
                self.node(inner)?;
                self.push(", (1 = 0)))");
            }
            Node::And(children) => self.joined(children, " AND ")?,
            Node::Or(children) => self.joined(children, " OR ")?,
            // XOR of any arity: an odd number of true operands (Django's definition).
            Node::Xor(children) => {
                self.push("((");
                for (i, child) in children.iter().enumerate() {
                    if i > 0 {
                        self.push(" + ");
                    }
                    self.push("CASE WHEN ");
                    self.node(child)?;
                    self.push(" THEN 1 ELSE 0 END");
                }
                self.push(") % 2 = 1)");
            }
            Node::IsNull(inner, is_null) => {
                self.push("(");
                self.node(inner)?;
                self.push(if *is_null { " IS NULL)" } else { " IS NOT NULL)" });
            }
            Node::In(inner, values, ty) => {
                self.push("(");
                self.node(inner)?;
                match self.backend {
                    // One array parameter: the statement text does not depend on the
                    // list's length, so PostgreSQL reuses one prepared statement.
                    #[cfg(feature = "postgres")]
                    Backend::Postgres => {
                        self.push(" = ANY(");
                        Value::bind_pg_array(*ty, values, &mut self.args)?;
                        self.placeholder();
                        self.push("))");
                    }
                    _ => {
                        let _ = ty;
                        self.push(" IN (");
                        self.comma_separated(values, |w, v| w.bind_value(v))?;
                        self.push("))");
                    }
                }
            }
            Node::Pattern { expr, pattern, kind, insensitive } => {
                self.pattern(expr, pattern, *kind, *insensitive)?
            }
            Node::Regex { expr, pattern, insensitive } => {
                self.push("(");
                self.node(expr)?;
                let pattern = Value::Text(pattern.clone());
                match (self.backend, insensitive) {
                    (Backend::Postgres, false) => self.push(" ~ "),
                    (Backend::Postgres, true) => self.push(" ~* "),
                    (_, false) => self.push(" REGEXP "),
                    (Backend::MySql, true) => self.push(" REGEXP CONCAT('(?i)', "),
                    (_, true) => self.push(" REGEXP ('(?i)' || "),
                }
                self.bind_value(&pattern)?;
                if *insensitive && self.backend != Backend::Postgres {
                    self.push(")");
                }
                self.push(")");
            }
            Node::DatePart(part, inner) => self.date_part(*part, inner)?,
            Node::Aggregate(aggregate, inner) => self.aggregate(*aggregate, inner)?,
            Node::Related(..) => {
                return Err(crate::Error::InvalidQuery(
                    "a field across a relation can be filtered on, but not selected or ordered by".into(),
                ));
            }
            Node::InSubquery { lhs, table, select, filter } => {
                self.push("(");
                self.node(lhs)?;
                self.push(" IN (SELECT ");
                self.column(table, *select);
                self.push(" FROM ");
                self.ident(table.table);
                self.push(" WHERE ");
                self.node(filter)?;
                self.push("))");
            }
            Node::CountRelated(step) => self.count_related(*step)?,
        }
        Ok(())
    }

    /// A condition on a related model: `key IN (SELECT ... WHERE condition)`, so that
    /// to-many relations match each row once.
    fn related_condition(&mut self, step: RelStep, condition: &Node) -> Result<()> {
        match step {
            RelStep::Forward { owner, column, target } => {
                let pk = target.single_pk()?;
                self.node(&Node::InSubquery {
                    lhs: Box::new(Node::Column(owner, column)),
                    table: target,
                    select: pk,
                    filter: Box::new(condition.clone()),
                })
            }
            RelStep::Reverse { owner, source, column } => {
                let pk = owner.single_pk()?;
                self.node(&Node::InSubquery {
                    lhs: Box::new(Node::Column(owner, pk)),
                    table: source,
                    select: column,
                    filter: Box::new(condition.clone()),
                })
            }
            RelStep::ManyToMany { owner, target, through, owner_column, target_column } => {
                let owner_pk = owner.single_pk()?;
                let target_pk = target.single_pk()?;
                self.node(&Node::InSubquery {
                    lhs: Box::new(Node::Column(owner, owner_pk)),
                    table: through,
                    select: owner_column,
                    filter: Box::new(Node::InSubquery {
                        lhs: Box::new(Node::Column(through, target_column)),
                        table: target,
                        select: target_pk,
                        filter: Box::new(condition.clone()),
                    }),
                })
            }
        }
    }

    /// `(SELECT COUNT(*) FROM related AS kata_c WHERE kata_c.key = owner.pk)`: the alias
    /// keeps a relation from a model to itself correct.
    fn count_related(&mut self, step: RelStep) -> Result<()> {
        let (owner, table, column) = match step {
            RelStep::Reverse { owner, source, column } => (owner, source, column),
            RelStep::ManyToMany { owner, through, owner_column, .. } => (owner, through, owner_column),
            RelStep::Forward { .. } => {
                return Err(crate::Error::InvalidQuery("count() needs a to-many relation".into()));
            }
        };
        let pk = owner.single_pk()?;
        self.push("(SELECT COUNT(*) FROM ");
        self.ident(table.table);
        self.push(" kata_c WHERE kata_c.");
        self.ident(table.columns[column].name);
        self.push(" = ");
        self.column(owner, pk);
        self.push(")");
        Ok(())
    }

    fn joined(&mut self, children: &[Node], separator: &str) -> Result<()> {
        self.push("(");
        for (i, child) in children.iter().enumerate() {
            if i > 0 {
                self.push(separator);
            }
            self.node(child)?;
        }
        self.push(")");
        Ok(())
    }

    fn pattern(&mut self, expr: &Node, text: &str, kind: PatternKind, insensitive: bool) -> Result<()> {
        self.push("(");
        if insensitive && kind == PatternKind::Exact {
            // iexact: compare lower-cased; no wildcards involved.
            self.push("LOWER(");
            self.node(expr)?;
            self.push(") = LOWER(");
            self.bind_value(&Value::Text(text.to_owned()))?;
            self.push("))");
            return Ok(());
        }
        if !insensitive && self.backend == Backend::Sqlite {
            // SQLite's LIKE ignores ASCII case; GLOB is case-sensitive.
            self.node(expr)?;
            self.push(" GLOB ");
            self.bind_value(&Value::Text(wrap(kind, &glob_escape(text), '*')))?;
            self.push(")");
            return Ok(());
        }
        if insensitive {
            self.push("LOWER(");
            self.node(expr)?;
            self.push(") LIKE LOWER(");
            self.bind_value(&Value::Text(wrap(kind, &like_escape(text), '%')))?;
            self.push(")");
        } else {
            self.node(expr)?;
            self.push(" LIKE ");
            self.bind_value(&Value::Text(wrap(kind, &like_escape(text), '%')))?;
        }
        // MySQL string literals treat the backslash as an escape, so it is doubled there.
        self.push(match self.backend {
            Backend::MySql => " ESCAPE '\\\\')",
            _ => " ESCAPE '\\')",
        });
        Ok(())
    }

    fn date_part(&mut self, part: DatePart, inner: &Node) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                let format = match part {
                    DatePart::Year => "%Y",
                    DatePart::Month => "%m",
                    DatePart::Day => "%d",
                    DatePart::Hour => "%H",
                    DatePart::Minute => "%M",
                    DatePart::Second => "%S",
                };
                self.push("CAST(strftime('");
                self.push(format);
                self.push("', ");
                self.node(inner)?;
                self.push(") AS INTEGER)");
            }
            Backend::Postgres | Backend::MySql => {
                let name = match part {
                    DatePart::Year => "YEAR",
                    DatePart::Month => "MONTH",
                    DatePart::Day => "DAY",
                    DatePart::Hour => "HOUR",
                    DatePart::Minute => "MINUTE",
                    DatePart::Second => "SECOND",
                };
                let postgres = self.backend == Backend::Postgres;
                if postgres {
                    // EXTRACT is numeric (with fractional seconds) on PostgreSQL.
                    self.push("CAST(FLOOR(");
                }
                self.push("EXTRACT(");
                self.push(name);
                self.push(" FROM ");
                self.node(inner)?;
                self.push(")");
                if postgres {
                    self.push(") AS BIGINT)");
                }
            }
        }
        Ok(())
    }

    fn aggregate(&mut self, aggregate: Aggregate, inner: &Node) -> Result<()> {
        // PostgreSQL returns NUMERIC for SUM(bigint) and AVG, MySQL DECIMAL: cast so that
        // every backend hands back the Rust type the expression promises.
        let cast = match (aggregate, self.backend) {
            (Aggregate::SumInt, Backend::Postgres) => Some(" AS BIGINT)"),
            (Aggregate::SumInt, Backend::MySql) => Some(" AS SIGNED)"),
            (Aggregate::SumFloat | Aggregate::Avg, Backend::Postgres) => Some(" AS DOUBLE PRECISION)"),
            (Aggregate::SumFloat | Aggregate::Avg, Backend::MySql) => Some(" AS DOUBLE)"),
            _ => None,
        };
        if cast.is_some() {
            self.push("CAST(");
        }
        self.push(match aggregate {
            Aggregate::Count => "COUNT(",
            Aggregate::CountDistinct => "COUNT(DISTINCT ",
            Aggregate::SumInt | Aggregate::SumFloat => "SUM(",
            Aggregate::Avg => "AVG(",
            Aggregate::Min => "MIN(",
            Aggregate::Max => "MAX(",
        });
        // PostgreSQL sums REAL in REAL (24-bit mantissa): widen the argument first, so that
        // an f32 column sums in f64 as on the other backends.
        let widen = aggregate == Aggregate::SumFloat && self.backend == Backend::Postgres;
        if widen {
            self.push("CAST(");
        }
        self.node(inner)?;
        if widen {
            self.push(" AS DOUBLE PRECISION)");
        }
        self.push(")");
        if let Some(cast) = cast {
            self.push(cast);
        }
        Ok(())
    }

    /// `LIMIT ? OFFSET ?`, with the forms each backend requires.
    pub(crate) fn limit_offset(&mut self, limit: Option<u64>, offset: Option<u64>) -> Result<()> {
        let clamp = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        match (limit, offset) {
            (None, None) => {}
            (Some(limit), offset) => {
                self.push(" LIMIT ");
                self.bind(&clamp(limit))?;
                if let Some(offset) = offset {
                    self.push(" OFFSET ");
                    self.bind(&clamp(offset))?;
                }
            }
            (None, Some(offset)) => {
                match self.backend {
                    Backend::Sqlite => self.push(" LIMIT -1"),
                    Backend::MySql => self.push(" LIMIT 18446744073709551615"),
                    Backend::Postgres => {}
                }
                self.push(" OFFSET ");
                self.bind(&clamp(offset))?;
            }
        }
        Ok(())
    }
}

/// Appends `name` in the backend's identifier quotes, doubling any quote character inside.
/// Every query quotes its table and column names, so the common case (no quote inside) is
/// one copy rather than a push per character.
fn push_quoted(out: &mut String, backend: Backend, name: &str) {
    let quote = match backend {
        Backend::MySql => '`',
        _ => '"',
    };
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

/// Escapes `\`, `%` and `_` so that they match themselves in `LIKE ... ESCAPE '\'`.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes `*`, `?` and `[` so that they match themselves in SQLite's `GLOB`.
pub(crate) fn glob_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for c in text.chars() {
        match c {
            '*' => out.push_str("[*]"),
            '?' => out.push_str("[?]"),
            '[' => out.push_str("[[]"),
            c => out.push(c),
        }
    }
    out
}

fn wrap(kind: PatternKind, escaped: &str, wildcard: char) -> String {
    let mut out = String::with_capacity(escaped.len() + 2);
    if matches!(kind, PatternKind::Contains | PatternKind::EndsWith) {
        out.push(wildcard);
    }
    out.push_str(escaped);
    if matches!(kind, PatternKind::Contains | PatternKind::StartsWith) {
        out.push(wildcard);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_escape_escapes_wildcards_and_backslash() {
        assert_eq!(like_escape(r"50%_a\b"), r"50\%\_a\\b");
    }

    #[test]
    fn glob_escape_brackets_specials() {
        assert_eq!(glob_escape("a*b?c[d"), "a[*]b[?]c[[]d");
    }

    #[test]
    fn identifiers_double_their_quotes() {
        let mut w = SqlWriter::new(Backend::Sqlite).unwrap();
        w.ident("we\"ird");
        assert_eq!(w.sql, "\"we\"\"ird\"");
    }

    #[test]
    fn decimals_are_written_in_full() {
        for n in [0, 7, 10, 65_535, usize::MAX] {
            let mut out = String::from("$");
            push_decimal(&mut out, n);
            assert_eq!(out, format!("${n}"));
        }
    }

    #[test]
    fn identifiers_are_quoted_per_backend() {
        let quoted = |backend, name| {
            let mut out = String::new();
            push_quoted(&mut out, backend, name);
            out
        };
        assert_eq!(quoted(Backend::Postgres, "auth_user"), "\"auth_user\"");
        assert_eq!(quoted(Backend::MySql, "auth_user"), "`auth_user`");
        assert_eq!(quoted(Backend::MySql, "we`ird\""), "`we``ird\"`");
        assert_eq!(quoted(Backend::Sqlite, "naïve"), "\"naïve\"");
    }
}
