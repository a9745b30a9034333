//! Renders kata's expression trees to SQL text and bind parameters for one dialect.
//!
//! Why not sea-query for DML: kata binds model fields straight from the struct into the
//! driver's argument buffer (one copy, as hand-written sqlx does) and renders text and
//! parameters in one pass, so the placeholders and the values can never drift apart.
//! Whatever differs between backends is asked of the [`Dialect`]; DDL goes through
//! sea-query (`migrate::ddl`).

pub(crate) use crate::db::Statement;
use crate::dialect::{DateUnit, Dialect, push_quoted};
use crate::driver::Args;
use crate::error::Result;
use crate::expr::{BinOp, DatePart, Node, Nulls, PatternKind, RelStep};
use crate::model::{Model, ModelMeta};
use crate::value::{FieldType, Value};

/// Writes SQL text and binds parameters in the same pass.
#[derive(Debug)]
pub(crate) struct SqlWriter {
    pub(crate) sql: String,
    pub(crate) args: Args,
    pub(crate) dialect: &'static dyn Dialect,
    /// Whether the node being written is under an odd number of negations (JSON key
    /// comparisons guard themselves there, as Django's `exclude` does).
    pub(crate) negated: bool,
    /// The tables of the subqueries being written, innermost last: a subquery's table is
    /// aliased `kata_s<depth>`, so that it may be the outer query's own.
    scopes: Vec<&'static ModelMeta>,
}

impl SqlWriter {
    pub(crate) fn new(dialect: &'static dyn Dialect) -> Result<Self> {
        Ok(SqlWriter {
            sql: String::with_capacity(256),
            args: Args::new(dialect.backend())?,
            dialect,
            negated: false,
            scopes: Vec::new(),
        })
    }

    pub(crate) fn finish(self) -> Statement {
        Statement { sql: self.sql, args: self.args, route: Default::default() }
    }

    /// The statement, as a write of `meta`'s table (which a database router may send to
    /// another database than the primary).
    pub(crate) fn finish_write(self, meta: &'static ModelMeta) -> Statement {
        let route = crate::db::Route::write(Some(crate::query::using::model_info(meta)), None);
        Statement { sql: self.sql, args: self.args, route }
    }

    #[inline]
    pub(crate) fn push(&mut self, text: &str) {
        self.sql.push_str(text);
    }

    /// A quoted identifier. Embedded quote characters are doubled, so no name can break
    /// out of its quotes.
    #[inline]
    pub(crate) fn ident(&mut self, name: &str) {
        push_quoted(&mut self.sql, self.dialect.identifier_quote(), name);
    }

    /// A quoted identifier as a string.
    pub(crate) fn quoted(&self, name: &str) -> String {
        let mut out = String::with_capacity(name.len() + 2);
        push_quoted(&mut out, self.dialect.identifier_quote(), name);
        out
    }

    /// `"table"."column"`.
    pub(crate) fn column(&mut self, meta: &ModelMeta, index: usize) {
        self.column_in_scope(meta, index, 0);
    }

    /// A column, qualified by the alias of the innermost subquery over its table, past the
    /// `skip` innermost subqueries (1 for `OuterRef`), or else by its table's name.
    fn column_in_scope(&mut self, meta: &ModelMeta, index: usize, skip: usize) {
        let depth = self.scopes.len().saturating_sub(skip);
        match self.scopes[..depth].iter().rposition(|t| std::ptr::eq(*t, meta)) {
            Some(position) => self.subquery_alias(position + 1),
            None => self.ident(meta.table),
        }
        self.sql.push('.');
        self.ident(meta.columns[index].name);
    }

    /// `kata_s<depth>` (ASCII and short: no quotes needed on any backend).
    fn subquery_alias(&mut self, depth: usize) {
        use std::fmt::Write as _;
        // Writing into a String cannot fail.
        let _ = write!(self.sql, "kata_s{depth}");
    }

    /// The placeholder of the parameter just bound: `$n` on PostgreSQL, `?` elsewhere.
    #[inline]
    fn placeholder(&mut self) {
        self.dialect.push_placeholder(&mut self.sql, self.args.len());
    }

    /// Binds a value of an expression; a number's placeholder carries its type where the
    /// dialect asks for it, so that one statement text never serves two parameter types.
    pub(crate) fn bind_value(&mut self, value: &Value) -> Result<()> {
        value.bind(&mut self.args)?;
        self.placeholder();
        self.sql.push_str(self.dialect.number_placeholder_cast(value));
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

    /// `prefix a AND b ...`, or nothing for no conditions.
    pub(crate) fn conjunction(&mut self, prefix: &str, conditions: &[&Node]) -> Result<()> {
        for (i, condition) in conditions.iter().enumerate() {
            self.push(if i == 0 { prefix } else { " AND " });
            self.node(condition)?;
        }
        Ok(())
    }

    /// `kata_o<n>`: the alias of the `index`th ordering key selected by a `distinct()`
    /// query (ASCII and short, so it needs no quotes on any backend).
    pub(crate) fn order_alias(&mut self, index: usize) {
        use std::fmt::Write as _;
        // Writing into a String cannot fail.
        let _ = write!(self.sql, "kata_o{}", index + 1);
    }

    /// One ORDER BY key: `expr ASC|DESC`, with `NULLS FIRST|LAST` where asked for — or,
    /// where the backend has no such clause, `(expr IS NULL) DESC|ASC` before the key.
    pub(crate) fn order_term(
        &mut self,
        expr: impl Fn(&mut Self) -> Result<()>,
        descending: bool,
        nulls: Option<Nulls>,
    ) -> Result<()> {
        let native = self.dialect.nulls_order();
        if let (Some(nulls), false) = (nulls, native) {
            self.push("(");
            expr(self)?;
            self.push(if nulls == Nulls::First { " IS NULL) DESC, " } else { " IS NULL) ASC, " });
        }
        expr(self)?;
        self.push(if descending { " DESC" } else { " ASC" });
        if let (Some(nulls), true) = (nulls, native) {
            self.push(if nulls == Nulls::First { " NULLS FIRST" } else { " NULLS LAST" });
        }
        Ok(())
    }

    /// A column of the SELECT list by its position (1-based), as GROUP BY takes it.
    pub(crate) fn position(&mut self, position: usize) {
        use std::fmt::Write as _;
        // Writing into a String cannot fail.
        let _ = write!(self.sql, "{position}");
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
        if self.negated
            && let Some(doc) = node.json_text_lookup_doc()
        {
            // A lookup on a key's text (`.text().icontains(..)`) under `exclude` leaves out a
            // document without the key, as a key comparison does.
            return self.json_guarded(doc, false, |w| {
                let negated = std::mem::replace(&mut w.negated, false);
                let written = w.node(node);
                w.negated = negated;
                written
            });
        }
        match node {
            Node::Column(meta, index) => self.column(meta, *index),
            Node::OuterColumn(meta, index) => {
                if self.scopes.is_empty() {
                    return Err(crate::Error::InvalidQuery(
                        "OuterRef refers to the query around a subquery: use it inside Exists or Subquery"
                            .into(),
                    ));
                }
                self.column_in_scope(meta, *index, 1)
            }
            Node::Value(value) => self.bind_value(value)?,
            Node::Star => self.push("*"),
            Node::Bool(true) => self.push("(1 = 1)"),
            Node::Bool(false) => self.push("(1 = 0)"),
            Node::Binary(lhs, BinOp::BitXor, rhs) if self.dialect.bit_xor().is_none() => {
                self.emulated_xor(lhs, rhs)?
            }
            Node::Binary(lhs, op, rhs) => {
                let signed = if op.is_bitwise() { self.dialect.signed_bitwise() } else { None };
                if let Some(wrap) = signed {
                    self.push(wrap.before);
                }
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
                    BinOp::IntDiv => self.dialect.integer_division(),
                    BinOp::Mod => " % ",
                    BinOp::BitAnd => " & ",
                    BinOp::BitOr => " | ",
                    BinOp::ShiftLeft => " << ",
                    BinOp::ShiftRight => " >> ",
                    BinOp::BitXor => self.dialect.bit_xor().unwrap_or(" # "),
                });
                // Only a shift asks the dialect, so other operators cost no extra call.
                let shift = matches!(op, BinOp::ShiftLeft | BinOp::ShiftRight);
                match if shift { self.dialect.shift_amount() } else { None } {
                    Some(ty) => {
                        self.push("CAST(");
                        self.node(rhs)?;
                        self.push(" AS ");
                        self.push(ty);
                        self.push(")");
                    }
                    _ => self.node(rhs)?,
                }
                self.push(")");
                if let Some(wrap) = signed {
                    self.push(wrap.after);
                }
            }
            // Two-valued NOT: rows where the condition is unknown (NULL) count as "not
            // true", so `exclude(x = 1)` keeps rows whose x is NULL, as Django does.
            Node::Not(inner) => {
                self.push("(NOT COALESCE(");
                self.negated = !self.negated;
                let written = self.node(inner);
                self.negated = !self.negated;
                written?;
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
                if self.dialect.binds_lists_as_arrays() {
                    self.push(" = ANY(");
                    Value::bind_array(*ty, values, &mut self.args)?;
                    self.placeholder();
                    self.push("))");
                } else {
                    self.push(" IN (");
                    self.comma_separated(values, |w, v| w.bind_value(v))?;
                    self.push("))");
                }
            }
            Node::Pattern { expr, pattern, kind, insensitive } => {
                self.pattern(expr, pattern, *kind, *insensitive)?
            }
            Node::Regex { expr, pattern, insensitive } => {
                self.dialect.check_regex(pattern)?;
                self.push("(");
                self.node(expr)?;
                let pattern = Value::Text(pattern.clone());
                let regex = self.dialect.regex(*insensitive);
                self.push(regex.before);
                self.bind_value(&pattern)?;
                self.push(regex.after);
                self.push(")");
            }
            Node::DatePart(part, inner) => self.date_part(*part, inner)?,
            Node::Aggregate(aggregate, inner) => match crate::expr::correlated_aggregate(*aggregate, inner) {
                Some(subquery) => self.node(&subquery?)?,
                None => self.aggregate(*aggregate, inner)?,
            },
            Node::Related(step, leaf) => self.node(&crate::expr::forward_value(*step, leaf)?)?,
            Node::InSubquery { lhs, table, select, filter } => {
                self.push("(");
                self.node(lhs)?;
                self.push(" IN (SELECT ");
                self.column(table, *select);
                self.push(" FROM ");
                self.ident(table.table);
                self.push(" WHERE ");
                self.subquery_filter(filter)?;
                self.push("))");
            }
            Node::CountRelated(step) => self.count_related(*step)?,
            Node::Json { doc, path, op } => self.json(doc, path, op)?,
            Node::Neg(inner) => {
                self.push("(-");
                self.node(inner)?;
                self.push(")");
            }
            Node::Cast(inner, ty) => self.cast(inner, *ty)?,
            Node::PatternExpr { expr, pattern, kind, insensitive } => {
                self.pattern_expr(expr, pattern, *kind, *insensitive)?
            }
            Node::Func(func, args) => self.function(*func, args)?,
            Node::Refused(reason) => return Err(crate::Error::InvalidQuery((*reason).into())),
            Node::Subquery { table, select, filter, order } => {
                self.scopes.push(table);
                let written = self.subquery(table, select.as_deref(), filter, order);
                self.scopes.pop();
                written?
            }
            Node::Unresolved { model, relation, reason } => {
                return Err(crate::Error::Relation { model, relation, reason: reason.clone() });
            }
        }
        Ok(())
    }

    /// `EXISTS (SELECT 1 FROM table kata_sN WHERE ..)` or `(SELECT .. FROM table kata_sN
    /// WHERE .. ORDER BY .. LIMIT 1)`, its table already in `scopes`.
    fn subquery(
        &mut self,
        table: &ModelMeta,
        select: Option<&Node>,
        filter: &Node,
        order: &[crate::expr::OrderKey],
    ) -> Result<()> {
        match select {
            None => self.push("EXISTS (SELECT 1"),
            Some(select) => {
                self.push("(SELECT ");
                self.node(select)?;
            }
        }
        self.push(" FROM ");
        self.ident(table.table);
        self.push(" ");
        self.subquery_alias(self.scopes.len());
        self.push(" WHERE ");
        self.subquery_filter(filter)?;
        if select.is_some() {
            for (i, key) in order.iter().enumerate() {
                self.push(if i == 0 { " ORDER BY " } else { ", " });
                self.order_term(|w| w.node(&key.node), key.descending, key.nulls)?;
            }
            self.push(" LIMIT 1");
        }
        self.push(")");
        Ok(())
    }

    /// A subquery's own condition, which no negation outside it reaches.
    fn subquery_filter(&mut self, filter: &Node) -> Result<()> {
        let negated = std::mem::replace(&mut self.negated, false);
        let written = self.node(filter);
        self.negated = negated;
        written
    }

    /// A condition on a related model: `key IN (SELECT ... WHERE condition)`, so that
    /// to-many relations match each row once.
    fn related_condition(&mut self, step: RelStep, condition: &Node) -> Result<()> {
        match step {
            RelStep::Forward { owner, column, target } => {
                let pk = target.single_pk()?;
                let related = Node::InSubquery {
                    lhs: Box::new(Node::Column(owner, column)),
                    table: target,
                    select: pk,
                    filter: Box::new(condition.clone()),
                };
                // `isnull(true)` also holds where a NULL key reaches no row, as on Django's
                // LEFT JOIN (`filter(book__pages__isnull=True)` keeps the rows without a book).
                if matches!(condition, Node::IsNull(_, true)) {
                    let missing = Node::IsNull(Box::new(Node::Column(owner, column)), true);
                    return self.node(&Node::Or(vec![missing, related]));
                }
                self.node(&related)
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

    pub(crate) fn pattern(
        &mut self,
        expr: &Node,
        text: &str,
        kind: PatternKind,
        insensitive: bool,
    ) -> Result<()> {
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
        if !insensitive && self.dialect.case_sensitive_like_is_glob() {
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
        self.push(self.dialect.like_escape());
        self.push(")");
        Ok(())
    }

    fn date_part(&mut self, part: DatePart, inner: &Node) -> Result<()> {
        let unit = match part {
            DatePart::Year => DateUnit { sql: "YEAR", strftime: "%Y" },
            DatePart::Month => DateUnit { sql: "MONTH", strftime: "%m" },
            DatePart::Day => DateUnit { sql: "DAY", strftime: "%d" },
            DatePart::Hour => DateUnit { sql: "HOUR", strftime: "%H" },
            DatePart::Minute => DateUnit { sql: "MINUTE", strftime: "%M" },
            DatePart::Second => DateUnit { sql: "SECOND", strftime: "%S" },
            DatePart::WeekDay => DateUnit { sql: "WEEK_DAY", strftime: "%w" },
            DatePart::IsoWeekDay => DateUnit { sql: "ISO_WEEK_DAY", strftime: "%u" },
            DatePart::Week => DateUnit { sql: "WEEK", strftime: "%V" },
            DatePart::Quarter => DateUnit { sql: "QUARTER", strftime: "quarter" },
        };
        let wrap = self.dialect.date_part(unit);
        self.push(wrap.before);
        self.node(inner)?;
        self.push(wrap.after);
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
                self.push(self.dialect.unbounded_limit());
                self.push(" OFFSET ");
                self.bind(&clamp(offset))?;
            }
        }
        Ok(())
    }
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

pub(crate) fn wrap(kind: PatternKind, escaped: &str, wildcard: char) -> String {
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
        let mut w = SqlWriter::new(&crate::dialect::Sqlite).unwrap();
        w.ident("we\"ird");
        assert_eq!(w.sql, "\"we\"\"ird\"");
    }

    #[test]
    fn identifiers_are_quoted_per_dialect() {
        use crate::dialect::{MariaDb, MySql, Postgres, Sqlite, quote};
        assert_eq!(quote(&Postgres, "auth_user"), "\"auth_user\"");
        assert_eq!(quote(&MySql, "auth_user"), "`auth_user`");
        assert_eq!(quote(&MariaDb, "we`ird\""), "`we``ird\"`");
        assert_eq!(quote(&Sqlite, "naïve"), "\"naïve\"");
    }
}
