//! `Operand`: what a lookup, an assignment or arithmetic accepts on the right-hand side.
//!
//! The lookups take `impl Operand<M, T>` rather than `impl Into<Expr<M, T>>`, so that a value
//! of the wrong type is reported in terms of the field (`a `String` field cannot be compared
//! with or set to `{integer}``) instead of an unsatisfied `From` bound on `Expr`. Each impl is
//! written out (no blanket impl over `Into`), so the compiler reports this trait and not the
//! conversion behind it.

use crate::expr::{Expr, Node};
use crate::field::Field;
use crate::model::Model;
use crate::relation::{ForeignKey, OneToOne};
use crate::value::FieldType;

/// A right-hand side for a field of type `T` of model `M`: what [`Field::eq`], the other
/// lookups, [`Field::set`] and `F(..)` arithmetic accept.
///
/// kata implements it for a value of the field's type, `&str` and `&String` for text
/// fields, a model (`&User`) for a `ForeignKey<User>` or `OneToOne<User>` field, and for
/// fields and expressions of type `T` (`Item::cost`, `F(Item::cost) * 2.0`).
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, name: String, price: f64, cost: f64 }
/// let by_name = Item::name.eq("pen");
/// let cheaper = Item::price.lt(F(Item::cost) * 2.0);
/// let reset = Item::price.set(Item::cost);
/// # let _ = (by_name, cheaper, reset);
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{T}` field cannot be compared with or set to `{Self}`",
    label = "expected a `{T}` here, found `{Self}`",
    note = "a `{T}` field takes a `{T}` value (a text field also takes `&str`), another `{T}` field, or an `F(..)` expression of type `{T}`"
)]
pub trait Operand<M, T> {
    /// The expression this operand stands for.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, name: String }
    /// use kata::Operand;
    /// let expr: kata::Expr<Item, String> = Operand::<Item, String>::into_operand("pen");
    /// # let _ = expr;
    /// ```
    fn into_operand(self) -> Expr<M, T>;
}

impl<M, T: FieldType> Operand<M, T> for T {
    fn into_operand(self) -> Expr<M, T> {
        Expr::from(self)
    }
}

impl<M> Operand<M, String> for &str {
    fn into_operand(self) -> Expr<M, String> {
        Expr::from(self)
    }
}

impl<M> Operand<M, String> for &String {
    fn into_operand(self) -> Expr<M, String> {
        Expr::from(self)
    }
}

impl<M, T> Operand<M, T> for Expr<M, T> {
    fn into_operand(self) -> Expr<M, T> {
        self
    }
}

impl<M: Model, T> Operand<M, T> for Field<M, T> {
    fn into_operand(self) -> Expr<M, T> {
        Expr::from(self)
    }
}

/// `Post::author.eq(&ann)`: a relation compares with the related row's key.
impl<M, T: Model> Operand<M, ForeignKey<T>> for &T
where
    T::Pk: FieldType,
{
    fn into_operand(self) -> Expr<M, ForeignKey<T>> {
        Expr::from_node(Node::Value(self.pk().to_value()))
    }
}

/// `Profile::user.eq(&ann)`.
impl<M, T: Model> Operand<M, OneToOne<T>> for &T
where
    T::Pk: FieldType,
{
    fn into_operand(self) -> Expr<M, OneToOne<T>> {
        Expr::from_node(Node::Value(self.pk().to_value()))
    }
}
