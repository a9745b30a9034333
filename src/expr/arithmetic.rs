//! Django's `F()` and arithmetic on expressions: `F(Item::price) * 2.0`.

use std::ops::{Add, Div, Mul, Sub};

use crate::expr::{BinOp, Expr, Operand};
use crate::field::Field;
use crate::model::Model;
use crate::value::{ColumnType, FieldType, Numeric};

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

macro_rules! arithmetic {
    ($($trait:ident $method:ident $op:ident),*) => {$(
        impl<M, T, R> $trait<R> for Expr<M, T>
        where
            T: FieldType,
            T::Inner: Numeric,
            R: Operand<M, T::Inner>,
        {
            type Output = Expr<M, T>;
            fn $method(self, rhs: R) -> Expr<M, T> {
                Expr::from_node(self.node.binary(arithmetic_op::<T::Inner>(BinOp::$op), rhs.into_operand().node))
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
