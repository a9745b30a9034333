//! Typed SQL expressions: `F`, `Q`, lookups, ordering, assignments and aggregates.
//!
//! Everything here only *describes* SQL; `query::sql` renders it for a backend.

use std::marker::PhantomData;
use std::ops::{Add, BitAnd, BitOr, BitXor, Div, Mul, Not, Sub};

use crate::field::{CompositePk, Field};
use crate::model::{Model, ModelMeta};
use crate::value::{ColumnType, DateLike, FieldType, Numeric, Ordered, Text, TimeLike, Value};

/// An expression tree node. Rendered by `query::sql`.
#[derive(Debug, Clone)]
#[doc(hidden)]
pub enum Node {
    /// A column of a model's table.
    Column(&'static ModelMeta, usize),
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
    Avg,
    Min,
    Max,
}

impl Node {
    pub(crate) fn contains_aggregate(&self) -> bool {
        match self {
            Node::Aggregate(..) => true,
            Node::Column(..) | Node::Value(_) | Node::Star | Node::Bool(_) => false,
            Node::Binary(a, _, b) => a.contains_aggregate() || b.contains_aggregate(),
            Node::Not(a) | Node::IsNull(a, _) | Node::In(a, ..) | Node::DatePart(_, a) => {
                a.contains_aggregate()
            }
            Node::Pattern { expr, .. } | Node::Regex { expr, .. } => expr.contains_aggregate(),
            Node::And(v) | Node::Or(v) | Node::Xor(v) => v.iter().any(Node::contains_aggregate),
            Node::Related(..) | Node::InSubquery { .. } | Node::CountRelated(_) => false,
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
            Node::Binary(lhs, op, rhs) => {
                lift(lhs).map(|(s, n)| (s, Node::Binary(Box::new(n), *op, rhs.clone())))
            }
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

    fn binary(self, op: BinOp, rhs: Node) -> Node {
        Node::Binary(Box::new(self), op, Box::new(rhs))
    }
}

/// A typed SQL expression over model `M` that yields values of type `T`: a column, a value,
/// `F` arithmetic, a date part or an aggregate. Every lookup of [`Field`] works on it too.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, price: f64, cost: f64 }
/// // Django: Item.objects.filter(price__gt=F("cost") * 2)
/// let q = Item::price.gt(F(Item::cost) * 2.0);
/// # let _ = q;
/// ```
pub struct Expr<M, T> {
    pub(crate) node: Node,
    _marker: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Expr<M, T> {
    fn clone(&self) -> Self {
        Expr::from_node(self.node.clone())
    }
}

impl<M, T> std::fmt::Debug for Expr<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.node.fmt(f)
    }
}

impl<M, T> Expr<M, T> {
    pub(crate) fn from_node(node: Node) -> Self {
        Expr { node, _marker: PhantomData }
    }
}

/// Django's `F()`: a reference to a column, for arithmetic and comparisons in the database.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct Counter { #[kata(primary_key)] id: i64, n: i64 }
/// // Counter.objects.update(n=F("n") + 1)
/// let set = Counter::n.set(F(Counter::n) + 1);
/// # let _ = set;
/// ```
#[allow(non_snake_case)]
pub fn F<M: Model, T>(field: Field<M, T>) -> Expr<M, T> {
    field.into()
}

impl<M: Model, T> From<Field<M, T>> for Expr<M, T> {
    fn from(field: Field<M, T>) -> Self {
        Expr::from_node(Node::Column(M::meta(), field.index()))
    }
}

impl<M, T: FieldType> From<T> for Expr<M, T> {
    fn from(value: T) -> Self {
        Expr::from_node(Node::Value(value.into_value()))
    }
}

impl<M> From<&str> for Expr<M, String> {
    fn from(value: &str) -> Self {
        Expr::from_node(Node::Value(Value::Text(value.to_owned())))
    }
}

impl<M> From<&String> for Expr<M, String> {
    fn from(value: &String) -> Self {
        Expr::from_node(Node::Value(Value::Text(value.clone())))
    }
}

/// Things that are an expression of model `M`: fields and expressions. Aggregates and
/// `values_list` take it.
pub trait IntoExpr<M> {
    /// The value type.
    type Output: FieldType;
    /// Converts.
    fn into_expr(self) -> Expr<M, Self::Output>;
}

impl<M: Model, T: FieldType> IntoExpr<M> for Field<M, T> {
    type Output = T;
    fn into_expr(self) -> Expr<M, T> {
        self.into()
    }
}

impl<M, T: FieldType> IntoExpr<M> for Expr<M, T> {
    type Output = T;
    fn into_expr(self) -> Expr<M, T> {
        self
    }
}

macro_rules! arithmetic {
    ($($trait:ident $method:ident $op:ident),*) => {$(
        impl<M, T, R> $trait<R> for Expr<M, T>
        where
            T: FieldType,
            T::Inner: Numeric,
            R: Into<Expr<M, T::Inner>>,
        {
            type Output = Expr<M, T>;
            fn $method(self, rhs: R) -> Expr<M, T> {
                Expr::from_node(self.node.binary(arithmetic_op::<T::Inner>(BinOp::$op), rhs.into().node))
            }
        }
    )*};
}
arithmetic!(Add add Add, Sub sub Sub, Mul mul Mul, Div div Div);

/// `op` for operands of type `T`: division of integers is integer division, as in Rust.
fn arithmetic_op<T: FieldType>(op: BinOp) -> BinOp {
    match (op, T::COLUMN_TYPE) {
        (BinOp::Div, ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt) => BinOp::IntDiv,
        _ => op,
    }
}

/// A condition on model `M`, built from lookups and combined like Django's `Q`:
/// `&` (AND), `|` (OR), `!` (NOT) and `^` (XOR).
///
/// `!q` is true exactly where `q` is not true: rows where `q` is NULL (unknown) are
/// included, as Django's `exclude()` does.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct User { #[kata(primary_key)] id: i64, username: String, email: String, is_active: bool }
/// let q = (User::username.startswith("a") | User::email.endswith("@example.com"))
///     & !User::is_active.eq(false);
/// # let _ = q;
/// ```
pub struct Q<M> {
    pub(crate) node: Node,
    _marker: PhantomData<fn() -> M>,
}

impl<M> Clone for Q<M> {
    fn clone(&self) -> Self {
        Q::from_node(self.node.clone())
    }
}

impl<M> std::fmt::Debug for Q<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.node.fmt(f)
    }
}

impl<M> Q<M> {
    pub(crate) fn from_node(node: Node) -> Self {
        Q { node, _marker: PhantomData }
    }

    /// A condition every row meets (the identity of `&`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Tag { #[kata(primary_key)] id: i64, name: String }
    /// let q = ["a", "b"].into_iter().fold(Q::all(), |q, n| q & Tag::name.contains(n));
    /// # let _ = q;
    /// ```
    pub fn all() -> Self {
        Q::from_node(Node::Bool(true))
    }

    /// A condition no row meets (the identity of `|`).
    pub fn none() -> Self {
        Q::from_node(Node::Bool(false))
    }
}

fn flatten(node: Node, into: &mut Vec<Node>, and: bool) {
    match node {
        Node::And(children) if and => children.into_iter().for_each(|c| flatten(c, into, and)),
        Node::Or(children) if !and => children.into_iter().for_each(|c| flatten(c, into, and)),
        other => into.push(other),
    }
}

impl<M> BitAnd for Q<M> {
    type Output = Q<M>;
    fn bitand(self, rhs: Q<M>) -> Q<M> {
        match (&self.node, &rhs.node) {
            (Node::Bool(true), _) => rhs,
            (_, Node::Bool(true)) => self,
            _ => {
                let mut children = Vec::new();
                flatten(self.node, &mut children, true);
                flatten(rhs.node, &mut children, true);
                Q::from_node(Node::And(children))
            }
        }
    }
}

impl<M> BitOr for Q<M> {
    type Output = Q<M>;
    fn bitor(self, rhs: Q<M>) -> Q<M> {
        match (&self.node, &rhs.node) {
            (Node::Bool(false), _) => rhs,
            (_, Node::Bool(false)) => self,
            _ => {
                let mut children = Vec::new();
                flatten(self.node, &mut children, false);
                flatten(rhs.node, &mut children, false);
                Q::from_node(Node::Or(children))
            }
        }
    }
}

impl<M> BitXor for Q<M> {
    type Output = Q<M>;
    fn bitxor(self, rhs: Q<M>) -> Q<M> {
        let mut children = match self.node {
            Node::Xor(children) => children,
            other => vec![other],
        };
        children.push(rhs.node);
        Q::from_node(Node::Xor(children))
    }
}

impl<M> Not for Q<M> {
    type Output = Q<M>;
    fn not(self) -> Q<M> {
        match self.node {
            Node::Not(inner) => Q::from_node(*inner),
            other => Q::from_node(Node::Not(Box::new(other))),
        }
    }
}

/// One ordering key: `User::id.asc()` or `User::date_joined.desc()`.
#[derive(Debug, Clone)]
pub struct OrderBy<M> {
    pub(crate) node: Node,
    pub(crate) descending: bool,
    _marker: PhantomData<fn() -> M>,
}

impl<M> OrderBy<M> {
    pub(crate) fn new(node: Node, descending: bool) -> Self {
        OrderBy { node, descending, _marker: PhantomData }
    }

    /// The same key in the other direction.
    pub fn reversed(self) -> Self {
        OrderBy::new(self.node, !self.descending)
    }
}

/// `column = expression` in an UPDATE or an INSERT: `User::is_active.set(false)`.
#[derive(Debug, Clone)]
pub struct Assignment<M> {
    pub(crate) index: usize,
    pub(crate) node: Node,
    _marker: PhantomData<fn() -> M>,
}

impl<M> Assignment<M> {
    pub(crate) fn new(index: usize, node: Node) -> Self {
        Assignment { index, node, _marker: PhantomData }
    }
}

/// Generates the lookup methods, once for `Expr` and once for `Field`.
macro_rules! lookups {
    ($($target:ident),*) => {$(
        impl<M: Model, T: FieldType> $target<M, T> {
            /// `= value` (Django's `exact`).
            pub fn eq(self, value: impl Into<Expr<M, T::Inner>>) -> Q<M> {
                Q::from_node(Expr::from(self).node.binary(BinOp::Eq, value.into().node))
            }
            /// `= value`, the same as [`eq`](Self::eq) (Django's `exact`).
            pub fn exact(self, value: impl Into<Expr<M, T::Inner>>) -> Q<M> {
                self.eq(value)
            }
            /// `<> value`.
            pub fn ne(self, value: impl Into<Expr<M, T::Inner>>) -> Q<M> {
                Q::from_node(Expr::from(self).node.binary(BinOp::Ne, value.into().node))
            }
            /// `IN (values)` (Django's `in`). An empty list matches no row.
            pub fn is_in<V: Into<T::Inner>>(self, values: impl IntoIterator<Item = V>) -> Q<M> {
                let values: Vec<Value> = values.into_iter().map(|v| v.into().into_value()).collect();
                if values.is_empty() {
                    return Q::none();
                }
                Q::from_node(Node::In(Box::new(Expr::from(self).node), values, T::COLUMN_TYPE))
            }
            /// Ascending order.
            pub fn asc(self) -> OrderBy<M> {
                OrderBy::new(Expr::from(self).node, false)
            }
            /// Descending order.
            pub fn desc(self) -> OrderBy<M> {
                OrderBy::new(Expr::from(self).node, true)
            }
        }

        impl<M: Model, T: FieldType> $target<M, T> where T::Inner: Ordered {
            /// `> value`.
            pub fn gt(self, value: impl Into<Expr<M, T::Inner>>) -> Q<M> {
                Q::from_node(Expr::from(self).node.binary(BinOp::Gt, value.into().node))
            }
            /// `>= value`.
            pub fn gte(self, value: impl Into<Expr<M, T::Inner>>) -> Q<M> {
                Q::from_node(Expr::from(self).node.binary(BinOp::Gte, value.into().node))
            }
            /// `< value`.
            pub fn lt(self, value: impl Into<Expr<M, T::Inner>>) -> Q<M> {
                Q::from_node(Expr::from(self).node.binary(BinOp::Lt, value.into().node))
            }
            /// `<= value`.
            pub fn lte(self, value: impl Into<Expr<M, T::Inner>>) -> Q<M> {
                Q::from_node(Expr::from(self).node.binary(BinOp::Lte, value.into().node))
            }
            /// `BETWEEN low AND high`, both ends included (Django's `range`).
            pub fn range(
                self,
                low: impl Into<Expr<M, T::Inner>>,
                high: impl Into<Expr<M, T::Inner>>,
            ) -> Q<M> {
                let node = Expr::from(self).node;
                Q::from_node(Node::And(vec![
                    node.clone().binary(BinOp::Gte, low.into().node),
                    node.binary(BinOp::Lte, high.into().node),
                ]))
            }
        }

        impl<M: Model, T: FieldType> $target<M, Option<T>> {
            /// `IS NULL` when `true`, `IS NOT NULL` when `false`. Only nullable fields have it.
            pub fn isnull(self, is_null: bool) -> Q<M> {
                Q::from_node(Node::IsNull(Box::new(Expr::from(self).node), is_null))
            }
        }

        impl<M: Model, T: FieldType> $target<M, T> where T::Inner: Text {
            fn pattern(self, pattern: impl Into<String>, kind: PatternKind, insensitive: bool) -> Q<M> {
                Q::from_node(Node::Pattern {
                    expr: Box::new(Expr::from(self).node),
                    pattern: pattern.into(),
                    kind,
                    insensitive,
                })
            }
            /// Equal, ignoring case (Django's `iexact`).
            pub fn iexact(self, value: impl Into<String>) -> Q<M> {
                self.pattern(value, PatternKind::Exact, true)
            }
            /// Contains the text, case-sensitively; `%`, `_` and `\` match themselves.
            pub fn contains(self, value: impl Into<String>) -> Q<M> {
                self.pattern(value, PatternKind::Contains, false)
            }
            /// Contains the text, ignoring case.
            pub fn icontains(self, value: impl Into<String>) -> Q<M> {
                self.pattern(value, PatternKind::Contains, true)
            }
            /// Starts with the text, case-sensitively.
            pub fn startswith(self, value: impl Into<String>) -> Q<M> {
                self.pattern(value, PatternKind::StartsWith, false)
            }
            /// Starts with the text, ignoring case.
            pub fn istartswith(self, value: impl Into<String>) -> Q<M> {
                self.pattern(value, PatternKind::StartsWith, true)
            }
            /// Ends with the text, case-sensitively.
            pub fn endswith(self, value: impl Into<String>) -> Q<M> {
                self.pattern(value, PatternKind::EndsWith, false)
            }
            /// Ends with the text, ignoring case.
            pub fn iendswith(self, value: impl Into<String>) -> Q<M> {
                self.pattern(value, PatternKind::EndsWith, true)
            }
            /// Matches the regular expression, case-sensitively. The syntax is the
            /// backend's: PostgreSQL POSIX, MySQL/MariaDB ICU or PCRE, Rust `regex` on SQLite.
            pub fn regex(self, pattern: impl Into<String>) -> Q<M> {
                Q::from_node(Node::Regex {
                    expr: Box::new(Expr::from(self).node),
                    pattern: pattern.into(),
                    insensitive: false,
                })
            }
            /// Matches the regular expression, ignoring case.
            pub fn iregex(self, pattern: impl Into<String>) -> Q<M> {
                Q::from_node(Node::Regex {
                    expr: Box::new(Expr::from(self).node),
                    pattern: pattern.into(),
                    insensitive: true,
                })
            }
        }

        impl<M: Model, T: FieldType> $target<M, T> where T::Inner: DateLike {
            /// The year, for comparisons: `Post::published.year().eq(2024)`.
            pub fn year(self) -> Expr<M, i64> {
                Expr::from_node(Node::DatePart(DatePart::Year, Box::new(Expr::from(self).node)))
            }
            /// The month, 1 to 12.
            pub fn month(self) -> Expr<M, i64> {
                Expr::from_node(Node::DatePart(DatePart::Month, Box::new(Expr::from(self).node)))
            }
            /// The day of the month, 1 to 31.
            pub fn day(self) -> Expr<M, i64> {
                Expr::from_node(Node::DatePart(DatePart::Day, Box::new(Expr::from(self).node)))
            }
        }

        impl<M: Model, T: FieldType> $target<M, T> where T::Inner: TimeLike {
            /// The hour, 0 to 23 (UTC for `DateTime<Utc>`).
            pub fn hour(self) -> Expr<M, i64> {
                Expr::from_node(Node::DatePart(DatePart::Hour, Box::new(Expr::from(self).node)))
            }
            /// The minute, 0 to 59.
            pub fn minute(self) -> Expr<M, i64> {
                Expr::from_node(Node::DatePart(DatePart::Minute, Box::new(Expr::from(self).node)))
            }
            /// The whole second, 0 to 59.
            pub fn second(self) -> Expr<M, i64> {
                Expr::from_node(Node::DatePart(DatePart::Second, Box::new(Expr::from(self).node)))
            }
        }
    )*};
}
lookups!(Expr, Field);

impl<M: Model, T: FieldType> Field<M, T> {
    /// `column = value` for `aupdate` and `acreate`: a value, or an `F` expression.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct User { #[kata(primary_key)] id: i64, is_active: bool, last_login: Option<chrono::DateTime<chrono::Utc>> }
    /// let a = User::is_active.set(false);
    /// let b = User::last_login.set(None);
    /// # let _ = (a, b);
    /// ```
    pub fn set(self, value: impl Into<Expr<M, T>>) -> Assignment<M> {
        Assignment::new(self.index(), value.into().node)
    }
}

macro_rules! composite_eq {
    ($(($($name:ident: $ty:ident @ $i:tt),+)),*) => {$(
        impl<M: Model, $($ty: FieldType),+> CompositePk<M, ($($ty,)+)> {
            /// Every key column equal to the tuple's matching value.
            pub fn eq(self, key: ($($ty,)+)) -> Q<M> {
                let indexes = self.indexes();
                let meta = M::meta();
                let ($($name,)+) = key;
                Q::from_node(Node::And(vec![$(
                    Node::Column(meta, indexes[$i]).binary(BinOp::Eq, Node::Value($name.into_value()))
                ),+]))
            }
        }
    )*};
}
composite_eq! {
    (a: A @ 0, b: B @ 1),
    (a: A @ 0, b: B @ 1, c: C @ 2),
    (a: A @ 0, b: B @ 1, c: C @ 2, d: D @ 3)
}

/// `COUNT(expr)`: how many rows have a non-NULL value. [`CountOf::all`] is `COUNT(*)`.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct User { #[kata(primary_key)] id: i64, age: i32 }
/// let aggregates = (Count(User::id), Sum(User::age), Avg(User::age), Min(User::age), Max(User::age));
/// # let _ = aggregates;
/// ```
#[allow(non_snake_case)]
pub fn Count<M, E: IntoExpr<M>>(expr: E) -> Expr<M, i64> {
    Expr::from_node(Node::Aggregate(Aggregate::Count, Box::new(expr.into_expr().node)))
}

/// Namespace for `COUNT` variants.
#[derive(Debug)]
pub struct CountOf;

impl CountOf {
    /// `COUNT(*)`.
    pub fn all<M>() -> Expr<M, i64> {
        Expr::from_node(Node::Aggregate(Aggregate::Count, Box::new(Node::Star)))
    }
    /// `COUNT(DISTINCT expr)`.
    pub fn distinct<M, E: IntoExpr<M>>(expr: E) -> Expr<M, i64> {
        Expr::from_node(Node::Aggregate(Aggregate::CountDistinct, Box::new(expr.into_expr().node)))
    }
}

/// `SUM(expr)`: `i64` for integer fields, `f64` for floats; `None` over no rows.
#[allow(non_snake_case)]
pub fn Sum<M, E>(expr: E) -> Expr<M, Option<<<E::Output as FieldType>::Inner as Numeric>::Sum>>
where
    E: IntoExpr<M>,
    <E::Output as FieldType>::Inner: Numeric,
{
    let kind = match <<<E::Output as FieldType>::Inner as Numeric>::Sum as FieldType>::COLUMN_TYPE {
        ColumnType::Double | ColumnType::Float => Aggregate::SumFloat,
        _ => Aggregate::SumInt,
    };
    Expr::from_node(Node::Aggregate(kind, Box::new(expr.into_expr().node)))
}

/// `AVG(expr)` as `f64`; `None` over no rows.
#[allow(non_snake_case)]
pub fn Avg<M, E>(expr: E) -> Expr<M, Option<f64>>
where
    E: IntoExpr<M>,
    <E::Output as FieldType>::Inner: Numeric,
{
    Expr::from_node(Node::Aggregate(Aggregate::Avg, Box::new(expr.into_expr().node)))
}

/// `MIN(expr)`; `None` over no rows.
#[allow(non_snake_case)]
pub fn Min<M, E>(expr: E) -> Expr<M, Option<<E::Output as FieldType>::Inner>>
where
    E: IntoExpr<M>,
    <E::Output as FieldType>::Inner: Ordered,
{
    Expr::from_node(Node::Aggregate(Aggregate::Min, Box::new(expr.into_expr().node)))
}

/// `MAX(expr)`; `None` over no rows.
#[allow(non_snake_case)]
pub fn Max<M, E>(expr: E) -> Expr<M, Option<<E::Output as FieldType>::Inner>>
where
    E: IntoExpr<M>,
    <E::Output as FieldType>::Inner: Ordered,
{
    Expr::from_node(Node::Aggregate(Aggregate::Max, Box::new(expr.into_expr().node)))
}
