//! The lookups of fields and expressions (Django's `exact`, `gt`, `icontains`, `year`, ...),
//! and the equality of a composite primary key.

use crate::expr::{BinOp, Comparand, DatePart, Expr, Func, Node, OrderBy, PatternKind, Q};
use crate::field::{CompositePk, Field};
use crate::model::Model;
use crate::value::{ColumnType, DateLike, FieldType, Ordered, Text, TimeLike, Value};

/// Generates the lookup methods, once for `Expr` and once for `Field`.
macro_rules! lookups {
    ($($target:ident),*) => {$(
        impl<M: Model, T: FieldType> $target<M, T> {
            /// `= value` (Django's `exact`). `None`, on a nullable field, is `IS NULL`
            /// (Django's `exact=None`).
            pub fn eq(self, value: impl Comparand<M, T>) -> Q<M> {
                Q::from_node(equality(Expr::from(self).node, value.into_comparand().node, BinOp::Eq))
            }
            /// `= value`, the same as [`eq`](Self::eq) (Django's `exact`).
            pub fn exact(self, value: impl Comparand<M, T>) -> Q<M> {
                self.eq(value)
            }
            /// `<> value`; `None` is `IS NOT NULL`.
            pub fn ne(self, value: impl Comparand<M, T>) -> Q<M> {
                Q::from_node(equality(Expr::from(self).node, value.into_comparand().node, BinOp::Ne))
            }
            /// `IN (values)` (Django's `in`). An empty list matches no row.
            pub fn is_in<V: Into<T::Inner>>(self, values: impl IntoIterator<Item = V>) -> Q<M> {
                if let ColumnType::Array(_) = T::COLUMN_TYPE {
                    return Q::from_node(Node::Refused(
                        "`is_in` on an array field: compare whole arrays with `eq`, or use `contains`/`overlap`",
                    ));
                }
                let values: Vec<Value> = values.into_iter().map(|v| v.into().into_value()).collect();
                if values.is_empty() {
                    return Q::none();
                }
                Q::from_node(Node::In(Box::new(Expr::from(self).node), values, T::COLUMN_TYPE))
            }
            /// On a text field, contains the text, case-sensitively (`%`, `_` and `\` match
            /// themselves); on a JSON field, the document contains the `serde_json::Value`
            /// (Django's `contains`; refused on SQLite, as in Django).
            pub fn contains<V>(self, value: V) -> Q<M>
            where
                T::Inner: Contains<M, V>,
            {
                Q::from_node(<T::Inner as Contains<M, V>>::contains_node(Expr::from(self).node, value))
            }
            /// On a JSON field, `value` contains the whole document; on an array field,
            /// every element of the array is one of `values` (Django's `contained_by`: `<@`
            /// on PostgreSQL; refused on SQLite for JSON, and outside PostgreSQL for arrays).
            pub fn contained_by<V>(self, value: V) -> Q<M>
            where
                T::Inner: ContainedBy<M, V>,
            {
                Q::from_node(<T::Inner as ContainedBy<M, V>>::contained_by_node(Expr::from(self).node, value))
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
            pub fn gt(self, value: impl Comparand<M, T>) -> Q<M> {
                Q::from_node(ordering(Expr::from(self).node, BinOp::Gt, value.into_comparand().node))
            }
            /// `>= value`.
            pub fn gte(self, value: impl Comparand<M, T>) -> Q<M> {
                Q::from_node(ordering(Expr::from(self).node, BinOp::Gte, value.into_comparand().node))
            }
            /// `< value`.
            pub fn lt(self, value: impl Comparand<M, T>) -> Q<M> {
                Q::from_node(ordering(Expr::from(self).node, BinOp::Lt, value.into_comparand().node))
            }
            /// `<= value`.
            pub fn lte(self, value: impl Comparand<M, T>) -> Q<M> {
                Q::from_node(ordering(Expr::from(self).node, BinOp::Lte, value.into_comparand().node))
            }
            /// `BETWEEN low AND high`, both ends included (Django's `range`).
            pub fn range(
                self,
                low: impl Comparand<M, T>,
                high: impl Comparand<M, T>,
            ) -> Q<M> {
                let node = Expr::from(self).node;
                Q::from_node(Node::And(vec![
                    ordering(node.clone(), BinOp::Gte, low.into_comparand().node),
                    ordering(node, BinOp::Lte, high.into_comparand().node),
                ]))
            }
        }

        impl<M: Model, T: FieldType> $target<M, Option<T>> {
            /// `IS NULL` when `true`, `IS NOT NULL` when `false`. Only nullable fields have it.
            pub fn isnull(self, is_null: bool) -> Q<M> {
                Q::from_node(Node::IsNull(Box::new(Expr::from(self).node), is_null))
            }
            /// `IN (values)` from optional values: a `None` in the list is dropped, as
            /// Django drops it (`IN (NULL)` would match no row anyway).
            pub fn is_in_options<V: Into<T>>(self, values: impl IntoIterator<Item = Option<V>>) -> Q<M> {
                let values: Vec<Value> = values.into_iter().flatten().map(|v| v.into().into_value()).collect();
                if values.is_empty() {
                    return Q::none();
                }
                Q::from_node(Node::In(Box::new(Expr::from(self).node), values, T::COLUMN_TYPE))
            }
        }

        impl<M: Model, T: FieldType> $target<M, T> where T::Inner: Text {
            fn pattern(self, pattern: impl Pattern<M>, kind: PatternKind, insensitive: bool) -> Q<M> {
                let expr = Box::new(Expr::from(self).node);
                Q::from_node(match pattern.into_pattern() {
                    Ok(pattern) => Node::Pattern { expr, pattern, kind, insensitive },
                    Err(pattern) => Node::PatternExpr { expr, pattern: Box::new(pattern), kind, insensitive },
                })
            }
            /// Equal, ignoring case (Django's `iexact`).
            pub fn iexact(self, value: impl Pattern<M>) -> Q<M> {
                self.pattern(value, PatternKind::Exact, true)
            }
            /// Contains the text, ignoring case.
            pub fn icontains(self, value: impl Pattern<M>) -> Q<M> {
                self.pattern(value, PatternKind::Contains, true)
            }
            /// Starts with the text, case-sensitively.
            pub fn startswith(self, value: impl Pattern<M>) -> Q<M> {
                self.pattern(value, PatternKind::StartsWith, false)
            }
            /// Starts with the text, ignoring case.
            pub fn istartswith(self, value: impl Pattern<M>) -> Q<M> {
                self.pattern(value, PatternKind::StartsWith, true)
            }
            /// Ends with the text, case-sensitively.
            pub fn endswith(self, value: impl Pattern<M>) -> Q<M> {
                self.pattern(value, PatternKind::EndsWith, false)
            }
            /// Ends with the text, ignoring case.
            pub fn iendswith(self, value: impl Pattern<M>) -> Q<M> {
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
            /// The day of the week, 1 (Sunday) to 7 (Saturday) (Django's `week_day`).
            pub fn week_day(self) -> Expr<M, i64> {
                Expr::from_node(Node::DatePart(DatePart::WeekDay, Box::new(Expr::from(self).node)))
            }
            /// The ISO-8601 day of the week, 1 (Monday) to 7 (Sunday) (Django's
            /// `iso_week_day`).
            pub fn iso_week_day(self) -> Expr<M, i64> {
                Expr::from_node(Node::DatePart(DatePart::IsoWeekDay, Box::new(Expr::from(self).node)))
            }
            /// The ISO-8601 week of the year, 1 to 53 (Django's `week`).
            pub fn week(self) -> Expr<M, i64> {
                Expr::from_node(Node::DatePart(DatePart::Week, Box::new(Expr::from(self).node)))
            }
            /// The quarter of the year, 1 to 4 (Django's `quarter`).
            pub fn quarter(self) -> Expr<M, i64> {
                Expr::from_node(Node::DatePart(DatePart::Quarter, Box::new(Expr::from(self).node)))
            }
        }

        impl<M: Model, T: FieldType> $target<M, T> {
            /// The day of the month, 1 to 31, of a date or a timestamp; the whole days of a
            /// duration, rounded down (Python's `timedelta.days`, Django's
            /// `Extract("duration", "day")`: PostgreSQL only, see [`DayPart`]).
            pub fn day(self) -> Expr<M, i64>
            where
                T::Inner: DayPart,
            {
                Expr::from_node(<T::Inner as DayPart>::__part(DatePart::Day, Expr::from(self).node))
            }
            /// The hour, 0 to 23 (UTC for `DateTime<Utc>`); of a duration, the hours past its
            /// whole days (PostgreSQL only, see [`ClockPart`]).
            pub fn hour(self) -> Expr<M, i64>
            where
                T::Inner: ClockPart,
            {
                Expr::from_node(<T::Inner as ClockPart>::__part(DatePart::Hour, Expr::from(self).node))
            }
            /// The minute, 0 to 59.
            pub fn minute(self) -> Expr<M, i64>
            where
                T::Inner: ClockPart,
            {
                Expr::from_node(<T::Inner as ClockPart>::__part(DatePart::Minute, Expr::from(self).node))
            }
            /// The whole second, 0 to 59.
            pub fn second(self) -> Expr<M, i64>
            where
                T::Inner: ClockPart,
            {
                Expr::from_node(<T::Inner as ClockPart>::__part(DatePart::Second, Expr::from(self).node))
            }
        }
    )*};
}
lookups!(Expr, Field);

/// Types with a day: dates and timestamps (the day of the month) and durations (Django's
/// `Extract("duration", "day")`: whole days, rounded down as Python's `timedelta.days`; only
/// on PostgreSQL, whose intervals are native: elsewhere kata refuses it with
/// `ConfigError::Unsupported` before any SQL, as Django raises "Extract requires native
/// DurationField database support").
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct Span { #[kata(primary_key)] id: i64, took: chrono::TimeDelta, on: chrono::NaiveDate }
/// let long = Span::took.day().gt(200);      // PostgreSQL
/// let late_in_month = Span::on.day().gt(20); // every backend
/// # let _ = (long, late_in_month);
/// ```
pub trait DayPart {
    /// The part of an expression of this type.
    #[doc(hidden)]
    fn __part(part: DatePart, expr: Node) -> Node;
}

/// Types with hours, minutes and seconds: times and timestamps, and durations (their hours
/// past the whole days, minutes past the hour and seconds past the minute, as Python's
/// `timedelta` splits them; PostgreSQL only, see [`DayPart`]).
pub trait ClockPart {
    /// The part of an expression of this type.
    #[doc(hidden)]
    fn __part(part: DatePart, expr: Node) -> Node;
}

impl<X: DateLike> DayPart for X {
    fn __part(part: DatePart, expr: Node) -> Node {
        Node::DatePart(part, Box::new(expr))
    }
}

impl<X: TimeLike> ClockPart for X {
    fn __part(part: DatePart, expr: Node) -> Node {
        Node::DatePart(part, Box::new(expr))
    }
}

impl DayPart for chrono::TimeDelta {
    fn __part(part: DatePart, expr: Node) -> Node {
        Node::Func(Func::DurationPart(part), vec![expr])
    }
}

impl ClockPart for chrono::TimeDelta {
    fn __part(part: DatePart, expr: Node) -> Node {
        Node::Func(Func::DurationPart(part), vec![expr])
    }
}

/// `lhs = rhs`, or `lhs IS NULL` when `rhs` is a NULL value (Django's `exact=None`).
fn equality(lhs: Node, rhs: Node, op: BinOp) -> Node {
    match rhs {
        Node::Value(Value::Null(_)) => Node::IsNull(Box::new(lhs), op == BinOp::Eq),
        rhs => lhs.binary(op, rhs),
    }
}

/// `lhs op rhs` for an ordering comparison: `None` has no order, and Django refuses it.
fn ordering(lhs: Node, op: BinOp, rhs: Node) -> Node {
    match rhs {
        Node::Value(Value::Null(_)) => Node::Refused(
            "None cannot be used in an ordering comparison (gt, gte, lt, lte, range); use isnull",
        ),
        rhs => lhs.binary(op, rhs),
    }
}

/// What `contains` takes on a field of type `Self`: a text or a text expression
/// ([`Pattern`]) on a text field, a `serde_json::Value` on a JSON field.
#[diagnostic::on_unimplemented(
    message = "`contains` on a `{Self}` field cannot take `{V}`",
    label = "not a `contains` argument for this field",
    note = "a text field's `contains` takes a text or a text expression; a JSON field's a `serde_json::Value` (`json!(..)`)"
)]
pub trait Contains<M, V> {
    /// The condition `lhs` contains `value`.
    #[doc(hidden)]
    fn contains_node(lhs: Node, value: V) -> Node;
}

impl<M, V: Pattern<M>, T: Text> Contains<M, V> for T {
    fn contains_node(lhs: Node, value: V) -> Node {
        let expr = Box::new(lhs);
        let (kind, insensitive) = (PatternKind::Contains, false);
        match value.into_pattern() {
            Ok(pattern) => Node::Pattern { expr, pattern, kind, insensitive },
            Err(pattern) => Node::PatternExpr { expr, pattern: Box::new(pattern), kind, insensitive },
        }
    }
}

impl<M> Contains<M, serde_json::Value> for serde_json::Value {
    fn contains_node(lhs: Node, value: serde_json::Value) -> Node {
        crate::expr::json::contains_node(lhs, value)
    }
}

impl<M, X> Contains<M, serde_json::Value> for crate::types::Json<X> {
    fn contains_node(lhs: Node, value: serde_json::Value) -> Node {
        crate::expr::json::contains_node(lhs, value)
    }
}

/// What `contained_by` takes on a field of type `Self`: a `serde_json::Value` on a JSON
/// field, a list of elements on an array field.
#[diagnostic::on_unimplemented(
    message = "`contained_by` on a `{Self}` field cannot take `{V}`",
    label = "not a `contained_by` argument for this field",
    note = "a JSON field's `contained_by` takes a `serde_json::Value` (`json!(..)`); an array field's a list of its elements"
)]
pub trait ContainedBy<M, V> {
    /// The condition `value` contains `lhs`.
    #[doc(hidden)]
    fn contained_by_node(lhs: Node, value: V) -> Node;
}

impl<M, V: Into<serde_json::Value>> ContainedBy<M, V> for serde_json::Value {
    fn contained_by_node(lhs: Node, value: V) -> Node {
        crate::expr::json::contained_by_node(lhs, value.into())
    }
}

impl<M, X, V: Into<serde_json::Value>> ContainedBy<M, V> for crate::types::Json<X> {
    fn contained_by_node(lhs: Node, value: V) -> Node {
        crate::expr::json::contained_by_node(lhs, value.into())
    }
}

/// The right-hand side of a text lookup (`contains`, `startswith`, `iexact`, ...): a text,
/// whose `%`, `_` and `\` kata escapes, or a text field or expression (Django's
/// `contains=F("other")`), whose value is escaped the same way in SQL.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, name: String, note: Option<String> }
/// let by_text = Item::name.contains("pe");
/// let by_column = Item::name.istartswith(F(Item::note));
/// # let _ = (by_text, by_column);
/// ```
pub trait Pattern<M> {
    /// The text (`Ok`) or the expression (`Err`).
    #[doc(hidden)]
    fn into_pattern(self) -> Result<String, Node>;
}

impl<M> Pattern<M> for &str {
    fn into_pattern(self) -> Result<String, Node> {
        Ok(self.to_owned())
    }
}

impl<M> Pattern<M> for String {
    fn into_pattern(self) -> Result<String, Node> {
        Ok(self)
    }
}

impl<M> Pattern<M> for &String {
    fn into_pattern(self) -> Result<String, Node> {
        Ok(self.clone())
    }
}

impl<M, T: FieldType> Pattern<M> for Expr<M, T>
where
    T::Inner: Text,
{
    fn into_pattern(self) -> Result<String, Node> {
        Err(self.node)
    }
}

impl<M: Model, T: FieldType> Pattern<M> for Field<M, T>
where
    T::Inner: Text,
{
    fn into_pattern(self) -> Result<String, Node> {
        Err(Expr::from(self).node)
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
