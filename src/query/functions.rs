//! Rendering of functions, casts, conditional expressions and text lookups against another
//! expression: the `SqlWriter` methods behind `Node::Func`, `Node::Cast` and
//! `Node::PatternExpr`, asking the dialect's [`Functions`] for every difference.

use crate::dialect::{Extremum, NumericCast};
use crate::error::Result;
use crate::expr::{Aggregate, Func, Node, PatternKind};
use crate::query::sql::SqlWriter;
use crate::value::{ColumnType, Value};

/// A piece of SQL written by a closure.
type Part<'a> = dyn Fn(&mut SqlWriter) -> Result<()> + 'a;

impl SqlWriter {
    /// `(a | b) - (a & b)`: exclusive or where the backend has no operator for it.
    pub(crate) fn emulated_xor(&mut self, lhs: &Node, rhs: &Node) -> Result<()> {
        self.push("((");
        self.node(lhs)?;
        self.push(" | ");
        self.node(rhs)?;
        self.push(") - (");
        self.node(lhs)?;
        self.push(" & ");
        self.node(rhs)?;
        self.push("))");
        Ok(())
    }

    /// `CAST(expr AS type)`.
    pub(crate) fn cast(&mut self, inner: &Node, ty: ColumnType) -> Result<()> {
        self.push("CAST(");
        self.node(inner)?;
        self.push(" AS ");
        self.push(self.dialect.cast_type(ty));
        self.push(")");
        Ok(())
    }

    fn arguments(&mut self, args: &[Node]) -> Result<()> {
        self.comma_separated(args, |w, arg| w.node(arg))?;
        self.push(")");
        Ok(())
    }

    /// A function or conditional expression.
    pub(crate) fn function(&mut self, func: Func, args: &[Node]) -> Result<()> {
        match func {
            Func::Power => {
                let power = self
                    .dialect
                    .power()
                    .ok_or_else(|| crate::dialect::unsupported(self.dialect, "POWER (Django's `**`)"))?;
                self.push(power);
                self.arguments(args)?;
            }
            Func::Case => {
                // Condition, value pairs, then the default.
                self.push("CASE");
                let (default, pairs) =
                    args.split_last().ok_or(crate::Error::Internal("CASE without default"))?;
                for pair in pairs.chunks(2) {
                    let [condition, value] = pair else { return Err(crate::Error::Internal("CASE pair")) };
                    self.push(" WHEN ");
                    self.node(condition)?;
                    self.push(" THEN ");
                    self.node(value)?;
                }
                self.push(" ELSE ");
                self.node(default)?;
                self.push(" END");
            }
            Func::Coalesce => {
                self.push("COALESCE(");
                self.arguments(args)?;
            }
            Func::NullIf => {
                self.push("NULLIF(");
                self.arguments(args)?;
            }
            Func::Greatest | Func::Least => {
                let greatest = func == Func::Greatest;
                match self.dialect.extremum() {
                    Extremum::NullIfAny(g, l) => {
                        self.push(if greatest { g } else { l });
                        self.arguments(args)?;
                    }
                    Extremum::SkipsNull(g, l) => {
                        self.push("CASE WHEN ");
                        for (i, arg) in args.iter().enumerate() {
                            if i > 0 {
                                self.push(" OR ");
                            }
                            self.push("(");
                            self.node(arg)?;
                            self.push(") IS NULL");
                        }
                        self.push(" THEN NULL ELSE ");
                        self.push(if greatest { g } else { l });
                        self.arguments(args)?;
                        self.push(" END");
                    }
                }
            }
            Func::Lower => {
                self.push("LOWER(");
                self.arguments(args)?;
            }
            Func::Upper => {
                self.push("UPPER(");
                self.arguments(args)?;
            }
            Func::Trim => {
                self.push("TRIM(");
                self.arguments(args)?;
            }
            Func::Length => {
                // PostgreSQL's LENGTH is an INTEGER: cast so every backend gives an i64.
                let cast = self.dialect.numeric_cast(NumericCast::BigInt);
                if cast.is_some() {
                    self.push("CAST(");
                }
                self.push(self.dialect.char_length());
                self.arguments(args)?;
                if let Some(cast) = cast {
                    self.push(" AS ");
                    self.push(cast);
                    self.push(")");
                }
            }
            Func::Concat => {
                self.push(self.dialect.concat_skipping_null());
                self.arguments(args)?;
            }
            Func::Substr => {
                self.push("SUBSTR(");
                self.arguments(args)?;
            }
            Func::Now => self.push(self.dialect.now()),
            Func::DecimalMath => {
                if !self.dialect.decimal_arithmetic() {
                    return Err(crate::dialect::unsupported(
                        self.dialect,
                        "arithmetic on decimals (decimals are kept as text; compare, order, Min and Max them instead)",
                    ));
                }
                let [inner] = args else { return Err(crate::Error::Internal("DecimalMath arguments")) };
                self.node(inner)?;
            }
            Func::DurationPart(part) => {
                let wrap = self.dialect.duration_part(part).ok_or_else(|| {
                    crate::dialect::unsupported(
                        self.dialect,
                        "a part of a duration (Django: \"Extract requires native DurationField database support\")",
                    )
                })?;
                let [inner] = args else { return Err(crate::Error::Internal("DurationPart arguments")) };
                self.push(wrap.before);
                self.node(inner)?;
                self.push(wrap.after);
            }
            Func::DurationAdd(subtract) => {
                let [before, between, after] = self.dialect.duration_add(subtract).ok_or_else(|| {
                    crate::dialect::unsupported(self.dialect, "a timestamp plus or minus a duration")
                })?;
                let [timestamp, duration] = args else {
                    return Err(crate::Error::Internal("DurationAdd arguments"));
                };
                self.push(before);
                self.node(timestamp)?;
                self.push(between);
                self.node(duration)?;
                self.push(after);
            }
            Func::Array(op) => {
                let [before, between, after] = self.dialect.array_op(op).ok_or_else(|| {
                    crate::dialect::unsupported(
                        self.dialect,
                        "array lookups (Django's ArrayField, PostgreSQL's)",
                    )
                })?;
                self.push(before);
                match args {
                    [array] => self.node(array)?,
                    [array, operand] => {
                        self.node(array)?;
                        self.push(between);
                        self.node(operand)?;
                    }
                    _ => return Err(crate::Error::Internal("array lookup arguments")),
                }
                self.push(after);
            }
            Func::AggregateFilter | Func::AggregateArgs | Func::AggregateOrder(..) => {
                return Err(crate::Error::Internal("aggregate arguments outside an aggregate"));
            }
            Func::Trunc(unit) => {
                let [inner, Node::Value(Value::Null(ty))] = args else {
                    return Err(crate::Error::Internal("Trunc arguments"));
                };
                let wrap = self.dialect.trunc(unit, *ty);
                self.push(wrap.before);
                self.node(inner)?;
                self.push(wrap.after);
            }
        }
        Ok(())
    }

    /// Concatenation that propagates NULL: `a || b` or `CONCAT(a, b)`.
    fn strict_concat(&mut self, parts: &[&Part<'_>]) -> Result<()> {
        let function = self.dialect.concat_is_function();
        self.push(if function { "CONCAT(" } else { "(" });
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                self.push(if function { ", " } else { " || " });
            }
            part(self)?;
        }
        self.push(")");
        Ok(())
    }

    /// A text lookup whose right-hand side is an expression (Django's
    /// `name__contains=F("other")`): the expression's `\`, `%` and `_` are escaped in SQL,
    /// so they match themselves, as Django escapes them.
    pub(crate) fn pattern_expr(
        &mut self,
        expr: &Node,
        pattern: &Node,
        kind: PatternKind,
        insensitive: bool,
    ) -> Result<()> {
        self.push("(");
        if kind == PatternKind::Exact {
            // iexact: no wildcards involved.
            self.push("LOWER(");
            self.node(expr)?;
            self.push(") = LOWER(");
            self.node(pattern)?;
            self.push("))");
            return Ok(());
        }
        if !insensitive && self.dialect.case_sensitive_like_is_glob() {
            // SQLite's LIKE ignores case: compare positions instead of a GLOB pattern.
            match kind {
                PatternKind::Contains => {
                    self.push("INSTR(");
                    self.node(expr)?;
                    self.push(", ");
                    self.node(pattern)?;
                    self.push(") > 0)");
                }
                PatternKind::StartsWith => {
                    self.push("INSTR(");
                    self.node(expr)?;
                    self.push(", ");
                    self.node(pattern)?;
                    self.push(") = 1)");
                }
                _ => {
                    self.push("SUBSTR(");
                    self.node(expr)?;
                    self.push(", LENGTH(");
                    self.node(expr)?;
                    self.push(") - LENGTH(");
                    self.node(pattern)?;
                    self.push(") + 1) = ");
                    self.node(pattern)?;
                    self.push(")");
                }
            }
            return Ok(());
        }
        if insensitive {
            self.push("LOWER(");
            self.node(expr)?;
            self.push(") LIKE LOWER(");
        } else {
            self.node(expr)?;
            self.push(" LIKE ");
        }
        let leading = matches!(kind, PatternKind::Contains | PatternKind::EndsWith);
        let trailing = matches!(kind, PatternKind::Contains | PatternKind::StartsWith);
        let percent = Value::Text("%".into());
        let escaped = |w: &mut Self| -> Result<()> {
            // The replacements are bound, so no backend's string-literal escaping applies.
            w.push("REPLACE(REPLACE(REPLACE(");
            w.node(pattern)?;
            w.push(", ");
            w.bind_value(&Value::Text("\\".into()))?;
            w.push(", ");
            w.bind_value(&Value::Text("\\\\".into()))?;
            w.push("), ");
            w.bind_value(&Value::Text("%".into()))?;
            w.push(", ");
            w.bind_value(&Value::Text("\\%".into()))?;
            w.push("), ");
            w.bind_value(&Value::Text("_".into()))?;
            w.push(", ");
            w.bind_value(&Value::Text("\\_".into()))?;
            w.push(")");
            Ok(())
        };
        let wildcard = |w: &mut Self| w.bind_value(&percent);
        match (leading, trailing) {
            (true, true) => self.strict_concat(&[&wildcard, &escaped, &wildcard])?,
            (true, false) => self.strict_concat(&[&wildcard, &escaped])?,
            (false, true) => self.strict_concat(&[&escaped, &wildcard])?,
            (false, false) => escaped(self)?,
        }
        if insensitive {
            self.push(")");
        }
        self.push(self.dialect.like_escape());
        self.push(")");
        Ok(())
    }

    /// ` ORDER BY ..` inside an aggregate's parentheses (Django's `ordering=`).
    fn aggregate_order(&mut self, keys: &[Node]) -> Result<()> {
        for (i, key) in keys.iter().enumerate() {
            let Node::Func(Func::AggregateOrder(descending, nulls), args) = key else {
                return Err(crate::Error::Internal("an aggregate's ordering key"));
            };
            let [key] = args.as_slice() else {
                return Err(crate::Error::Internal("an aggregate's ordering key"));
            };
            self.push(if i == 0 { " ORDER BY " } else { ", " });
            self.order_term(|w| w.node(key), *descending, *nulls)?;
        }
        Ok(())
    }

    /// An aggregate, with Django's `filter=`, `StringAgg`'s delimiter and `ordering=`.
    pub(crate) fn aggregate(&mut self, aggregate: Aggregate, inner: &Node) -> Result<()> {
        // Django's `filter=` and `StringAgg`'s delimiter travel inside the argument.
        let (inner, filter) = match inner {
            Node::Func(Func::AggregateFilter, args) if args.len() == 2 => (&args[0], Some(&args[1])),
            inner => (inner, None),
        };
        let (inner, delimiter, order) = match inner {
            Node::Func(Func::AggregateArgs, args) if aggregate == Aggregate::StringAgg && args.len() >= 2 => {
                (&args[0], Some(&args[1]), &args[2..])
            }
            Node::Func(Func::AggregateArgs, args) if !args.is_empty() => (&args[0], None, &args[1..]),
            inner => (inner, None, &[][..]),
        };
        // PostgreSQL returns NUMERIC for SUM(bigint) and AVG, MySQL DECIMAL: cast so that
        // every backend hands back the Rust type the expression promises.
        let cast = match aggregate {
            Aggregate::SumInt => self.dialect.numeric_cast(NumericCast::BigInt),
            Aggregate::SumFloat
            | Aggregate::Avg
            | Aggregate::StdDevPop
            | Aggregate::StdDevSamp
            | Aggregate::VarPop
            | Aggregate::VarSamp => self.dialect.numeric_cast(NumericCast::Double),
            _ => None,
        };
        if cast.is_some() {
            self.push("CAST(");
        }
        if matches!(aggregate, Aggregate::SumDecimal | Aggregate::AvgDecimal)
            && !self.dialect.decimal_arithmetic()
        {
            return Err(crate::dialect::unsupported(
                self.dialect,
                "Sum and Avg of decimals (decimals are kept as text; Min and Max are exact)",
            ));
        }
        let statistic = |i: usize| -> Result<&'static str> {
            self.dialect
                .statistics()
                .map(|names| names[i])
                .ok_or_else(|| crate::dialect::unsupported(self.dialect, "StdDev and Variance"))
        };
        let open = match aggregate {
            Aggregate::Count => "COUNT(",
            Aggregate::CountDistinct => "COUNT(DISTINCT ",
            Aggregate::SumInt | Aggregate::SumFloat | Aggregate::SumDecimal => "SUM(",
            Aggregate::Avg | Aggregate::AvgDecimal => "AVG(",
            Aggregate::Min => "MIN(",
            Aggregate::Max => "MAX(",
            Aggregate::StdDevPop => statistic(0)?,
            Aggregate::StdDevSamp => statistic(1)?,
            Aggregate::VarPop => statistic(2)?,
            Aggregate::VarSamp => statistic(3)?,
            Aggregate::StringAgg => self.dialect.string_agg().0,
            Aggregate::ArrayAgg => self.dialect.array_agg().ok_or_else(|| {
                crate::dialect::unsupported(self.dialect, "ArrayAgg (PostgreSQL's ARRAY_AGG)")
            })?,
        };
        self.push(open);
        let native_filter = self.dialect.aggregate_filter();
        let case_filter = filter.filter(|_| !native_filter);
        if let Some(condition) = case_filter {
            self.push("CASE WHEN ");
            self.node(condition)?;
            self.push(" THEN ");
        }
        // PostgreSQL sums REAL in REAL (24-bit mantissa): widen the argument first, so that
        // an f32 column sums in f64 as on the other backends.
        let widen = aggregate == Aggregate::SumFloat && self.dialect.widens_float_sums();
        if widen {
            self.push("CAST(");
        }
        match inner {
            // COUNT(*) with a condition counts a constant where it holds.
            Node::Star if case_filter.is_some() => self.push("1"),
            inner => self.node(inner)?,
        }
        if widen {
            self.push(" AS DOUBLE PRECISION)");
        }
        if case_filter.is_some() {
            self.push(" END");
        }
        let order_first = self.dialect.string_agg_order_before_delimiter();
        if order_first {
            self.aggregate_order(order)?;
        }
        if let Some(delimiter) = delimiter {
            let between = self.dialect.string_agg().1;
            self.push(between);
            if between == " SEPARATOR " {
                // MySQL's SEPARATOR takes a literal only.
                let Node::Value(Value::Text(text)) = delimiter else {
                    return Err(crate::Error::Internal("StringAgg delimiter"));
                };
                if text.contains(['\'', '\\']) {
                    return Err(crate::Error::InvalidQuery(
                        "a StringAgg delimiter with a quote or a backslash cannot be written on MySQL or MariaDB".into(),
                    ));
                }
                self.push("'");
                self.push(text);
                self.push("'");
            } else {
                self.node(delimiter)?;
            }
        }
        if !order_first {
            self.aggregate_order(order)?;
        }
        self.push(")");
        if let (Some(condition), true) = (filter, native_filter) {
            self.push(" FILTER (WHERE ");
            self.node(condition)?;
            self.push(")");
        }
        if let Some(cast) = cast {
            self.push(" AS ");
            self.push(cast);
            self.push(")");
        }
        Ok(())
    }
}
