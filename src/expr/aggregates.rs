//! Aggregate functions: `Count`, `Sum`, `Avg`, `Min`, `Max`.

use crate::expr::{Aggregate, Expr, IntoExpr, Node};
use crate::value::{ColumnType, FieldType, Numeric, Ordered};

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
