//! Aggregate functions: `Count`, `Sum`, `Avg`, `Min`, `Max`, `StdDev`, `Variance`,
//! `StringAgg`, and Django's `filter=` and `default=` on each.

use crate::expr::{Aggregate, Expr, Func, IntoExpr, Node, Operand, Q};
use crate::value::{ColumnType, FieldType, Numeric, Ordered, Text, Value};

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

/// `SUM(expr)`: `i64` for integer fields, `f64` for floats, an exact `Decimal` for
/// decimals (not on SQLite, where kata refuses it with `ConfigError::Unsupported` before any
/// SQL); `None` over no rows.
#[allow(non_snake_case)]
pub fn Sum<M, E>(expr: E) -> Expr<M, Option<<<E::Output as FieldType>::Inner as Numeric>::Sum>>
where
    E: IntoExpr<M>,
    <E::Output as FieldType>::Inner: Numeric,
{
    let kind = match <<<E::Output as FieldType>::Inner as Numeric>::Sum as FieldType>::COLUMN_TYPE {
        ColumnType::Double | ColumnType::Float => Aggregate::SumFloat,
        ColumnType::Decimal { .. } => Aggregate::SumDecimal,
        _ => Aggregate::SumInt,
    };
    Expr::from_node(Node::Aggregate(kind, Box::new(expr.into_expr().node)))
}

/// `AVG(expr)`: `f64`, or a `Decimal` for decimals (as Django's `Avg` of a `DecimalField`,
/// with the backend's rounding; not on SQLite); `None` over no rows.
#[allow(non_snake_case)]
pub fn Avg<M, E>(expr: E) -> Expr<M, Option<<<E::Output as FieldType>::Inner as Numeric>::Avg>>
where
    E: IntoExpr<M>,
    <E::Output as FieldType>::Inner: Numeric,
{
    let kind = match <<<E::Output as FieldType>::Inner as Numeric>::Avg as FieldType>::COLUMN_TYPE {
        ColumnType::Decimal { .. } => Aggregate::AvgDecimal,
        _ => Aggregate::Avg,
    };
    Expr::from_node(Node::Aggregate(kind, Box::new(expr.into_expr().node)))
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

/// Django's `StdDev(expr, sample=..)`: the population (or, with `sample`, the sample)
/// standard deviation as `f64`; `None` over no rows. SQLite has no such function: kata
/// refuses it there with `ConfigError::Unsupported` before any SQL.
///
/// ```
/// # use kata::prelude::*;
/// use kata::{StdDev, Variance};
/// # #[derive(Model)] struct Book { #[kata(primary_key)] id: i64, pages: i32 }
/// let spread = (StdDev(Book::pages, false), Variance(Book::pages, true));
/// # let _ = spread;
/// ```
#[allow(non_snake_case)]
pub fn StdDev<M, E>(expr: E, sample: bool) -> Expr<M, Option<f64>>
where
    E: IntoExpr<M>,
    <E::Output as FieldType>::Inner: Numeric,
{
    let kind = if sample { Aggregate::StdDevSamp } else { Aggregate::StdDevPop };
    Expr::from_node(Node::Aggregate(kind, Box::new(expr.into_expr().node)))
}

/// Django's `Variance(expr, sample=..)`; see [`StdDev`].
#[allow(non_snake_case)]
pub fn Variance<M, E>(expr: E, sample: bool) -> Expr<M, Option<f64>>
where
    E: IntoExpr<M>,
    <E::Output as FieldType>::Inner: Numeric,
{
    let kind = if sample { Aggregate::VarSamp } else { Aggregate::VarPop };
    Expr::from_node(Node::Aggregate(kind, Box::new(expr.into_expr().node)))
}

/// Django's `StringAgg(expr, delimiter)` (PostgreSQL's `STRING_AGG`, `GROUP_CONCAT`
/// elsewhere): the texts joined with `delimiter`, in no particular order; `None` over no
/// rows. On MySQL and MariaDB the delimiter must be written into the SQL (`SEPARATOR`
/// takes no parameter): kata accepts only delimiters without quotes or backslashes there.
///
/// ```
/// # use kata::prelude::*;
/// use kata::StringAgg;
/// # #[derive(Model)] struct Book { #[kata(primary_key)] id: i64, name: String }
/// let names: kata::Expr<Book, Option<String>> = StringAgg(Book::name, ", ");
/// # let _ = names;
/// ```
#[allow(non_snake_case)]
pub fn StringAgg<M, E>(expr: E, delimiter: &str) -> Expr<M, Option<String>>
where
    E: IntoExpr<M>,
    <E::Output as FieldType>::Inner: Text,
{
    let args = Node::Func(
        Func::AggregateArgs,
        vec![expr.into_expr().node, Node::Value(Value::Text(delimiter.to_owned()))],
    );
    Expr::from_node(Node::Aggregate(Aggregate::StringAgg, Box::new(args)))
}

impl<M> Expr<M, Option<String>> {
    /// Django's `ordering=` on `StringAgg`: the texts joined in this order
    /// (`STRING_AGG(.. ORDER BY ..)` on PostgreSQL, `GROUP_CONCAT(.. ORDER BY ..)` elsewhere).
    /// On anything but a `StringAgg` it is refused (`Error::InvalidQuery`) before any SQL.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// use kata::StringAgg;
    /// # #[derive(Model)] struct Book { #[kata(primary_key)] id: i64, name: String, pages: i32 }
    /// // StringAgg("name", ", ", ordering=("-pages", "name"))
    /// let names = StringAgg(Book::name, ", ").ordering([Book::pages.desc(), Book::name.asc()]);
    /// # let _ = names;
    /// ```
    pub fn ordering(self, keys: impl IntoIterator<Item = crate::OrderBy<M>>) -> Self {
        Expr::from_node(with_ordering(self.node, keys))
    }
}

/// A `StringAgg` or `ArrayAgg` node with Django's `ordering=` keys added to its arguments;
/// a refusal on anything else, or when it has its keys already.
pub(crate) fn with_ordering<M>(node: Node, keys: impl IntoIterator<Item = crate::OrderBy<M>>) -> Node {
    fn add(node: Node, keys: Vec<Node>, arguments: usize) -> Node {
        match node {
            Node::Aggregate(kind @ Aggregate::StringAgg, inner) => {
                Node::Aggregate(kind, Box::new(add(*inner, keys, 2)))
            }
            Node::Aggregate(kind @ Aggregate::ArrayAgg, inner) => {
                Node::Aggregate(kind, Box::new(add(*inner, keys, 1)))
            }
            Node::Func(Func::AggregateFilter, mut args) if !args.is_empty() && arguments > 0 => {
                let first = args.remove(0);
                args.insert(0, add(first, keys, arguments));
                Node::Func(Func::AggregateFilter, args)
            }
            Node::Func(Func::AggregateArgs, mut args) if arguments > 0 && args.len() == arguments => {
                args.extend(keys);
                Node::Func(Func::AggregateArgs, args)
            }
            _ => Node::Refused("ordering= applies to a StringAgg or an ArrayAgg, once"),
        }
    }
    let keys = keys
        .into_iter()
        .map(|key| Node::Func(Func::AggregateOrder(key.descending, key.nulls), vec![key.node]))
        .collect();
    add(node, keys, 0)
}

impl<M, T> Expr<M, T> {
    /// Django's `filter=` on an aggregate: only the rows matching `condition` count
    /// (`FILTER (WHERE ..)` on PostgreSQL and SQLite, `CASE WHEN` on MySQL and MariaDB).
    /// On anything but an aggregate it is refused (`Error::InvalidQuery`) before any SQL.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Book { #[kata(primary_key)] id: i64, rating: f64, pages: i32 }
    /// // Count("id", filter=Q(rating__gte=4)), Sum("pages", filter=.., default=0)
    /// let good = Count(Book::id).filter(Book::rating.gte(4.0));
    /// let pages = Sum(Book::pages).filter(Book::rating.gte(4.0)).default(0);
    /// # let _ = (good, pages);
    /// ```
    pub fn filter(self, condition: Q<M>) -> Expr<M, T> {
        Expr::from_node(match self.node {
            Node::Aggregate(kind, inner) if !matches!(*inner, Node::Func(Func::AggregateFilter, _)) => {
                Node::Aggregate(
                    kind,
                    Box::new(Node::Func(Func::AggregateFilter, vec![*inner, condition.node])),
                )
            }
            _ => Node::Refused("filter= applies to an aggregate (Count, Sum, Avg, ...) once"),
        })
    }
}

impl<M, T: FieldType> Expr<M, Option<T>> {
    /// Django's `default=` on an aggregate: the value over no rows (or where the result is
    /// NULL), as `Coalesce(aggregate, default)`; the result is no longer an `Option`.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Book { #[kata(primary_key)] id: i64, price: f64 }
    /// let total: kata::Expr<Book, f64> = Sum(Book::price).default(0.0);
    /// # let _ = total;
    /// ```
    pub fn default(self, value: impl Operand<M, T>) -> Expr<M, T> {
        Expr::from_node(Node::Func(Func::Coalesce, vec![self.node, value.into_operand().node]))
    }
}
