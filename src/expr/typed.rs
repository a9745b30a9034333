//! `Expr<M, T>`: a typed expression, and the conversions that make one from a field or a
//! value.

use std::marker::PhantomData;

use crate::expr::Node;
use crate::field::Field;
use crate::model::Model;
use crate::value::{FieldType, Value};

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
