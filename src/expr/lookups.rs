//! The lookups of fields and expressions (Django's `exact`, `gt`, `icontains`, `year`, ...),
//! and the equality of a composite primary key.

use crate::expr::{BinOp, DatePart, Expr, Node, Operand, OrderBy, PatternKind, Q};
use crate::field::{CompositePk, Field};
use crate::model::Model;
use crate::value::{DateLike, FieldType, Ordered, Text, TimeLike, Value};

/// Generates the lookup methods, once for `Expr` and once for `Field`.
macro_rules! lookups {
    ($($target:ident),*) => {$(
        impl<M: Model, T: FieldType> $target<M, T> {
            /// `= value` (Django's `exact`).
            pub fn eq(self, value: impl Operand<M, T::Inner>) -> Q<M> {
                Q::from_node(Expr::from(self).node.binary(BinOp::Eq, value.into_operand().node))
            }
            /// `= value`, the same as [`eq`](Self::eq) (Django's `exact`).
            pub fn exact(self, value: impl Operand<M, T::Inner>) -> Q<M> {
                self.eq(value)
            }
            /// `<> value`.
            pub fn ne(self, value: impl Operand<M, T::Inner>) -> Q<M> {
                Q::from_node(Expr::from(self).node.binary(BinOp::Ne, value.into_operand().node))
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
            pub fn gt(self, value: impl Operand<M, T::Inner>) -> Q<M> {
                Q::from_node(Expr::from(self).node.binary(BinOp::Gt, value.into_operand().node))
            }
            /// `>= value`.
            pub fn gte(self, value: impl Operand<M, T::Inner>) -> Q<M> {
                Q::from_node(Expr::from(self).node.binary(BinOp::Gte, value.into_operand().node))
            }
            /// `< value`.
            pub fn lt(self, value: impl Operand<M, T::Inner>) -> Q<M> {
                Q::from_node(Expr::from(self).node.binary(BinOp::Lt, value.into_operand().node))
            }
            /// `<= value`.
            pub fn lte(self, value: impl Operand<M, T::Inner>) -> Q<M> {
                Q::from_node(Expr::from(self).node.binary(BinOp::Lte, value.into_operand().node))
            }
            /// `BETWEEN low AND high`, both ends included (Django's `range`).
            pub fn range(
                self,
                low: impl Operand<M, T::Inner>,
                high: impl Operand<M, T::Inner>,
            ) -> Q<M> {
                let node = Expr::from(self).node;
                Q::from_node(Node::And(vec![
                    node.clone().binary(BinOp::Gte, low.into_operand().node),
                    node.binary(BinOp::Lte, high.into_operand().node),
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
