//! `Comparand`: what a comparison lookup (`eq`, `ne`, `gt`, ...) accepts on the right-hand
//! side of a field of type `T`.
//!
//! It is keyed on the field's own type rather than on its non-null type, so that a nullable
//! field takes `None` (Django's `exact=None`, which is `isnull=True`) and a non-null field
//! does not, and so that a nullable column may stand on the right-hand side of any
//! comparison (a comparison with NULL matches no row, as in SQL and Django).

use crate::expr::{Expr, Node, Operand};
use crate::field::Field;
use crate::model::Model;
use crate::relation::{ForeignKey, OneToOne};
use crate::value::FieldType;

/// A right-hand side for a comparison with a field of type `T` of model `M`.
///
/// A value of the field's type (of its non-null type for an `Option` field), `&str` for
/// text, a related model for a relation, a field or an expression of the same type,
/// nullable or not, and `None` for a nullable field.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, name: String, note: Option<String>, cost: f64, floor: Option<f64> }
/// let unnamed = Item::note.eq(None);               // Django: note=None, i.e. note__isnull=True
/// let noted = Item::note.eq("x");
/// let below = Item::cost.lt(F(Item::floor));         // a nullable column on the right
/// # let _ = (unnamed, noted, below);
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{T}` field cannot be compared with `{Self}`",
    label = "expected a `{T}` here, found `{Self}`",
    note = "a `{T}` field compares with a value of its type (a text field also takes `&str`, a nullable field `None`), another field of its type, or an `F(..)` expression of its type"
)]
pub trait Comparand<M, T> {
    /// The expression this right-hand side stands for.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, note: Option<String> }
    /// use kata::Comparand;
    /// let expr: kata::Expr<Item, Option<String>> = Comparand::<Item, Option<String>>::into_comparand(None);
    /// # let _ = expr;
    /// ```
    fn into_comparand(self) -> Expr<M, T>;
}

impl<M, T: FieldType<Inner = T>> Comparand<M, T> for T {
    fn into_comparand(self) -> Expr<M, T> {
        Expr::from(self)
    }
}

impl<M, T: FieldType> Comparand<M, Option<T>> for T {
    fn into_comparand(self) -> Expr<M, Option<T>> {
        Expr::from_node(Node::Value(self.into_value()))
    }
}

impl<M, T: FieldType> Comparand<M, Option<T>> for Option<T> {
    fn into_comparand(self) -> Expr<M, Option<T>> {
        Expr::from_node(Node::Value(self.into_value()))
    }
}

impl<M> Comparand<M, String> for &str {
    fn into_comparand(self) -> Expr<M, String> {
        Expr::from(self)
    }
}

impl<M> Comparand<M, Option<String>> for &str {
    fn into_comparand(self) -> Expr<M, Option<String>> {
        Expr::from_node(Node::Value(crate::Value::Text(self.to_owned())))
    }
}

impl<M> Comparand<M, String> for &String {
    fn into_comparand(self) -> Expr<M, String> {
        Expr::from(self)
    }
}

impl<M> Comparand<M, Option<String>> for &String {
    fn into_comparand(self) -> Expr<M, Option<String>> {
        Expr::from_node(Node::Value(crate::Value::Text(self.clone())))
    }
}

impl<M, T> Comparand<M, T> for Expr<M, T> {
    fn into_comparand(self) -> Expr<M, T> {
        self
    }
}

/// A nullable expression on the right of a non-null one.
impl<M, T: FieldType> Comparand<M, T> for Expr<M, Option<T>> {
    fn into_comparand(self) -> Expr<M, T> {
        Expr::from_node(self.node)
    }
}

/// A non-null expression on the right of a nullable one.
impl<M, T: FieldType> Comparand<M, Option<T>> for Expr<M, T> {
    fn into_comparand(self) -> Expr<M, Option<T>> {
        Expr::from_node(self.node)
    }
}

impl<M: Model, T> Comparand<M, T> for Field<M, T> {
    fn into_comparand(self) -> Expr<M, T> {
        Expr::from(self)
    }
}

impl<M: Model, T: FieldType> Comparand<M, T> for Field<M, Option<T>> {
    fn into_comparand(self) -> Expr<M, T> {
        Expr::from_node(Expr::from(self).node)
    }
}

impl<M: Model, T: FieldType> Comparand<M, Option<T>> for Field<M, T> {
    fn into_comparand(self) -> Expr<M, Option<T>> {
        Expr::from_node(Expr::from(self).node)
    }
}

/// `Post::author.eq(&ann)`.
impl<M, T: Model> Comparand<M, ForeignKey<T>> for &T
where
    T::Pk: FieldType,
{
    fn into_comparand(self) -> Expr<M, ForeignKey<T>> {
        Operand::<M, ForeignKey<T>>::into_operand(self)
    }
}

/// `Post::editor.eq(&ann)` for a nullable relation.
impl<M, T: Model> Comparand<M, Option<ForeignKey<T>>> for &T
where
    T::Pk: FieldType,
{
    fn into_comparand(self) -> Expr<M, Option<ForeignKey<T>>> {
        Expr::from_node(Operand::<M, ForeignKey<T>>::into_operand(self).node)
    }
}

/// `Profile::user.eq(&ann)`.
impl<M, T: Model> Comparand<M, OneToOne<T>> for &T
where
    T::Pk: FieldType,
{
    fn into_comparand(self) -> Expr<M, OneToOne<T>> {
        Operand::<M, OneToOne<T>>::into_operand(self)
    }
}

/// A nullable one-to-one relation.
impl<M, T: Model> Comparand<M, Option<OneToOne<T>>> for &T
where
    T::Pk: FieldType,
{
    fn into_comparand(self) -> Expr<M, Option<OneToOne<T>>> {
        Expr::from_node(Operand::<M, OneToOne<T>>::into_operand(self).node)
    }
}
