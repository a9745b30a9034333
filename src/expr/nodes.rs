//! The untyped expression tree that every typed builder produces and `query::sql` renders.

use crate::model::ModelMeta;
use crate::value::{ColumnType, Value};

/// An expression tree node. Rendered by `query::sql`.
#[derive(Debug, Clone)]
#[doc(hidden)]
pub enum Node {
    /// A column of a model's table.
    Column(&'static ModelMeta, usize),
    /// Django's `OuterRef`: a column of the query around the subquery being written, even
    /// when that query reads the subquery's own table.
    OuterColumn(&'static ModelMeta, usize),
    /// A bound value.
    Value(Value),
    /// `COUNT(*)`'s star.
    Star,
    /// A constant truth value (`TRUE`/`FALSE`, written portably).
    Bool(bool),
    Binary(Box<Node>, BinOp, Box<Node>),
    Not(Box<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    Xor(Vec<Node>),
    IsNull(Box<Node>, bool),
    In(Box<Node>, Vec<Value>, ColumnType),
    /// `LIKE`-style matching; the pattern is escaped when rendered.
    Pattern {
        expr: Box<Node>,
        pattern: String,
        kind: PatternKind,
        insensitive: bool,
    },
    Regex {
        expr: Box<Node>,
        pattern: String,
        insensitive: bool,
    },
    DatePart(DatePart, Box<Node>),
    Aggregate(Aggregate, Box<Node>),
    /// `-expr`.
    Neg(Box<Node>),
    /// `CAST(expr AS type)`, the type written by the dialect.
    Cast(Box<Node>, ColumnType),
    /// `LIKE`-style matching against another expression (Django's `contains=F(..)`): the
    /// right-hand side's `%`, `_` and backslash are escaped in SQL.
    PatternExpr {
        expr: Box<Node>,
        pattern: Box<Node>,
        kind: PatternKind,
        insensitive: bool,
    },
    /// A function or conditional expression (`Coalesce`, `Lower`, `Case`, ...).
    Func(Func, Vec<Node>),
    /// A query shape refused before any SQL: rendering it is `Error::InvalidQuery`.
    Refused(&'static str),
    /// `EXISTS (SELECT 1 FROM table WHERE filter)` when `select` is `None`, else
    /// `(SELECT select FROM table WHERE filter ORDER BY order LIMIT 1)`: Django's `Exists`
    /// and `Subquery`, whose filter reaches the outer query's row through `OuterRef` columns.
    /// The table is aliased, so that it may be the outer query's own.
    Subquery {
        table: &'static ModelMeta,
        select: Option<Box<Node>>,
        filter: Box<Node>,
        order: Vec<crate::expr::ordering::OrderKey>,
    },
    /// An expression on a related model, reached through one relation step. Conditions on
    /// it are rendered as `key IN (SELECT ...)` subqueries, so a to-many relation never
    /// repeats rows.
    Related(RelStep, Box<Node>),
    /// `lhs IN (SELECT table.select FROM table WHERE filter)`.
    InSubquery {
        lhs: Box<Node>,
        table: &'static ModelMeta,
        select: usize,
        filter: Box<Node>,
    },
    /// `(SELECT COUNT(*) ...)` of the rows related through a to-many step.
    CountRelated(RelStep),
    /// The value at a path inside a JSON document (Django's `KeyTransform`), or a lookup
    /// on it (`has_key`, `contains`, a comparison, ...): rendered by the dialect's
    /// templates, the path always bound.
    Json {
        doc: Box<Node>,
        path: Vec<JsonStep>,
        op: JsonOp,
    },
    /// A relation that cannot be followed (a declaration error, such as a through model
    /// without exactly one foreign key to a side): rendering it is `Error::Relation`, so
    /// the query fails before any SQL instead of matching nothing.
    Unresolved {
        model: &'static str,
        relation: &'static str,
        reason: String,
    },
}

/// One step along a relation, from an owner model to a related one.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum RelStep {
    /// `owner.columns[column]` is a foreign key to `target`'s primary key.
    Forward { owner: &'static ModelMeta, column: usize, target: &'static ModelMeta },
    /// `source.columns[column]` is a foreign key to `owner`'s primary key.
    Reverse { owner: &'static ModelMeta, source: &'static ModelMeta, column: usize },
    /// Rows of `target` linked to `owner` through `through`.
    ManyToMany {
        owner: &'static ModelMeta,
        target: &'static ModelMeta,
        through: &'static ModelMeta,
        owner_column: usize,
        target_column: usize,
    },
}

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
#[doc(hidden)]
pub enum JsonStep {
    /// An object's member.
    Key(String),
    /// An array's element.
    Index(u32),
}

/// What a [`Node::Json`] computes at its path.
#[derive(Debug, Clone, PartialEq)]
#[doc(hidden)]
pub enum JsonOp {
    /// The JSON value itself (selected and decoded as `serde_json::Value`); SQL NULL when
    /// the path is missing.
    Value,
    /// The backend's SQL form of the value, for ordering (numbers as numbers).
    Order,
    /// The value as text (Django's `KT`): a string unquoted, JSON null as NULL.
    Text,
    /// `= value` (Django's key `exact`).
    Exact(serde_json::Value),
    /// `op value` with a number or a text (Django's key `gt`, `lt`, ...).
    Compare(BinOp, serde_json::Value),
    /// Whether the value at the path has these keys: all of them or any of them.
    HasKeys(Vec<String>, bool),
    /// Whether the value at the path contains this document (`@>`).
    Contains(serde_json::Value),
    /// Whether this document contains the value at the path (`<@`).
    ContainedBy(serde_json::Value),
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum BinOp {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
    Add,
    Sub,
    Mul,
    /// Division of non-integers.
    Div,
    /// Division of integers, truncated toward zero (MySQL's `/` would give a decimal).
    IntDiv,
    /// `%` of integers.
    Mod,
    /// Bitwise and.
    BitAnd,
    /// Bitwise or.
    BitOr,
    /// Bitwise exclusive or.
    BitXor,
    /// `<<`.
    ShiftLeft,
    /// `>>`.
    ShiftRight,
}

/// What a `LIKE` pattern matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum PatternKind {
    Exact,
    Contains,
    StartsWith,
    EndsWith,
}

/// A part of a date or time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum DatePart {
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    /// Django's `week_day`: 1 (Sunday) to 7 (Saturday).
    WeekDay,
    /// Django's `iso_week_day`: 1 (Monday) to 7 (Sunday).
    IsoWeekDay,
    /// Django's `week`: the ISO-8601 week number, 1 to 53.
    Week,
    /// Django's `quarter`: 1 to 4.
    Quarter,
}

/// Functions and conditional expressions, rendered by `query::sql` with the dialect's
/// help where backends differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Func {
    /// `POWER(a, b)`.
    Power,
    /// `CASE WHEN c1 THEN v1 .. ELSE d END`: the arguments are condition, value pairs,
    /// then the default.
    Case,
    /// `COALESCE(a, b, ..)`.
    Coalesce,
    /// `NULLIF(a, b)`.
    NullIf,
    /// `GREATEST(a, b, ..)`: NULL when any argument is NULL, on every backend.
    Greatest,
    /// `LEAST(a, b, ..)`: NULL when any argument is NULL, on every backend.
    Least,
    /// `LOWER(a)`.
    Lower,
    /// `UPPER(a)`.
    Upper,
    /// The length in characters.
    Length,
    /// Concatenation; a NULL part counts as the empty text (Django's `Concat`).
    Concat,
    /// `SUBSTR(a, pos, len)`: 1-based `pos`, and an optional length.
    Substr,
    /// `TRIM(a)`.
    Trim,
    /// The current time (`Now`).
    Now,
    /// Truncation of a date or time.
    Trunc(Trunc),
    /// Arithmetic on decimals (`[expr]`): written as is where the backend computes on
    /// decimals exactly, refused where it keeps them as text (SQLite).
    DecimalMath,
    /// A part of a duration (`[expr]`): days, hours, minutes or seconds, split as Python's
    /// `timedelta` splits them; only where the backend has a native interval (Django's
    /// "Extract requires native DurationField database support").
    DurationPart(DatePart),
    /// `[timestamp, duration]`: the timestamp plus the duration, or minus it when `true`.
    DurationAdd(bool),
    /// Inside an aggregate only: `[argument, condition]`, Django's `filter=`.
    AggregateFilter,
    /// Inside an aggregate only: its arguments, `[expr, delimiter, order keys..]` for
    /// `StringAgg` and `[expr, order keys..]` for `ArrayAgg`, each order key an
    /// `AggregateOrder`.
    AggregateArgs,
    /// An array lookup (PostgreSQL's arrays): `[array, operand]`, or `[array]` for `Len`.
    Array(ArrayOp),
    /// Inside `AggregateArgs` only: `[key]`, one key of Django's `ordering=`, descending or
    /// not, with its NULLs placement.
    AggregateOrder(bool, Option<crate::expr::ordering::Nulls>),
}

/// An array lookup or transform (Django's `ArrayField` lookups).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum ArrayOp {
    /// The array holds every element of the operand (`@>`).
    Contains,
    /// The operand holds every element of the array (`<@`).
    ContainedBy,
    /// The two have an element in common (`&&`).
    Overlap,
    /// The number of elements.
    Len,
    /// The element at a 1-based position (the operand), NULL past the end.
    Index,
}

/// What a `Trunc*` function keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Trunc {
    /// The date of a timestamp.
    Date,
    /// The first day of the year.
    Year,
    /// The first day of the month.
    Month,
    /// Midnight of the day.
    Day,
    /// The start of the hour.
    Hour,
}

/// Aggregate functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Aggregate {
    Count,
    CountDistinct,
    /// Sum of integers, returned as a 64-bit integer on every backend.
    SumInt,
    /// Sum of floats, returned as a double.
    SumFloat,
    /// Sum of decimals, exact, returned as a decimal.
    SumDecimal,
    /// Average, returned as a double.
    Avg,
    /// Average of decimals, returned as a decimal (rounded by the backend).
    AvgDecimal,
    Min,
    Max,
    /// Population standard deviation.
    StdDevPop,
    /// Sample standard deviation.
    StdDevSamp,
    /// Population variance.
    VarPop,
    /// Sample variance.
    VarSamp,
    /// Texts joined with a delimiter; the argument is `Func::AggregateArgs[expr, delimiter]`.
    StringAgg,
    /// The values as an array (PostgreSQL's); the argument is `Func::AggregateArgs[expr]`.
    ArrayAgg,
}

impl BinOp {
    /// `&`, `|`, xor and the shifts.
    pub(crate) fn is_bitwise(self) -> bool {
        matches!(self, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::ShiftLeft | BinOp::ShiftRight)
    }
}

impl Node {
    /// For a lookup on a JSON key's text (`.text().icontains(..)`, `.text().eq(..)`, ...), the
    /// document it reads: `exclude` guards such a lookup as it does a key comparison.
    pub(crate) fn json_text_lookup_doc(&self) -> Option<&Node> {
        let lhs = match self {
            Node::Pattern { expr, .. } | Node::PatternExpr { expr, .. } | Node::Regex { expr, .. } => expr,
            Node::In(expr, ..) => expr,
            Node::Binary(lhs, BinOp::Eq | BinOp::Ne | BinOp::Gt | BinOp::Gte | BinOp::Lt | BinOp::Lte, _) => {
                lhs
            }
            _ => return None,
        };
        match &**lhs {
            Node::Json { doc, op: JsonOp::Text, .. } => Some(doc),
            _ => None,
        }
    }

    pub(crate) fn contains_aggregate(&self) -> bool {
        match self {
            // An aggregate across a to-many relation is a per-row subquery.
            Node::Aggregate(_, inner) => inner.to_many_argument().is_none(),
            Node::Column(..) | Node::OuterColumn(..) | Node::Value(_) | Node::Star | Node::Bool(_) => false,
            Node::Binary(a, _, b) => a.contains_aggregate() || b.contains_aggregate(),
            Node::Not(a)
            | Node::IsNull(a, _)
            | Node::In(a, ..)
            | Node::DatePart(_, a)
            | Node::Neg(a)
            | Node::Cast(a, _) => a.contains_aggregate(),
            Node::PatternExpr { expr, pattern, .. } => {
                expr.contains_aggregate() || pattern.contains_aggregate()
            }
            Node::Func(_, args) => args.iter().any(Node::contains_aggregate),
            Node::Refused(_) | Node::Subquery { .. } => false,
            Node::Pattern { expr, .. } | Node::Regex { expr, .. } => expr.contains_aggregate(),
            Node::And(v) | Node::Or(v) | Node::Xor(v) => v.iter().any(Node::contains_aggregate),
            Node::Related(..) | Node::InSubquery { .. } | Node::CountRelated(_) | Node::Unresolved { .. } => {
                false
            }
            Node::Json { doc, .. } => doc.contains_aggregate(),
        }
    }

    /// Whether this condition can match no row whatever the data (`is_in([])`, `Q::none()`,
    /// an AND with such a part): the query is answered without a round trip, as Django
    /// answers an `EmptyResultSet`.
    pub(crate) fn is_never(&self) -> bool {
        match self {
            Node::Bool(value) => !value,
            Node::And(children) => children.iter().any(Node::is_never),
            Node::Or(children) => !children.is_empty() && children.iter().all(Node::is_never),
            // `NOT` is two-valued (`NOT COALESCE(x, FALSE)`): the negation of an always-true
            // condition never matches.
            Node::Not(inner) => inner.is_always(),
            _ => false,
        }
    }

    /// Whether this condition matches every row whatever the data.
    pub(crate) fn is_always(&self) -> bool {
        match self {
            Node::Bool(value) => *value,
            Node::And(children) => children.iter().all(Node::is_always),
            Node::Or(children) => children.iter().any(Node::is_always),
            Node::Not(inner) => inner.is_never(),
            _ => false,
        }
    }

    /// For a condition whose left side goes through a relation, the step and the same
    /// condition on the related model.
    pub(crate) fn lift_related(&self) -> Option<(RelStep, Node)> {
        fn lift(expr: &Node) -> Option<(RelStep, Node)> {
            match expr {
                Node::Related(step, inner) => Some((*step, (**inner).clone())),
                Node::DatePart(part, inner) => {
                    lift(inner).map(|(s, n)| (s, Node::DatePart(*part, Box::new(n))))
                }
                Node::Binary(lhs, op, rhs)
                    if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div) =>
                {
                    lift(lhs).map(|(s, n)| (s, Node::Binary(Box::new(n), *op, rhs.clone())))
                }
                _ => None,
            }
        }
        match self {
            Node::Binary(
                lhs,
                op @ (BinOp::Eq | BinOp::Ne | BinOp::Gt | BinOp::Gte | BinOp::Lt | BinOp::Lte),
                rhs,
            ) => lift(lhs).map(|(s, n)| (s, Node::Binary(Box::new(n), *op, rhs.clone()))),
            Node::IsNull(expr, null) => lift(expr).map(|(s, n)| (s, Node::IsNull(Box::new(n), *null))),
            Node::In(expr, values, ty) => {
                lift(expr).map(|(s, n)| (s, Node::In(Box::new(n), values.clone(), *ty)))
            }
            Node::Pattern { expr, pattern, kind, insensitive } => lift(expr).map(|(s, n)| {
                (
                    s,
                    Node::Pattern {
                        expr: Box::new(n),
                        pattern: pattern.clone(),
                        kind: *kind,
                        insensitive: *insensitive,
                    },
                )
            }),
            Node::Regex { expr, pattern, insensitive } => lift(expr).map(|(s, n)| {
                (s, Node::Regex { expr: Box::new(n), pattern: pattern.clone(), insensitive: *insensitive })
            }),
            _ => None,
        }
    }

    /// `self op rhs`.
    pub(crate) fn binary(self, op: BinOp, rhs: Node) -> Node {
        Node::Binary(Box::new(self), op, Box::new(rhs))
    }
}
