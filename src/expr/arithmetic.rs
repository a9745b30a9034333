//! Django's `F()` and arithmetic on expressions: `F(Item::price) * 2.0`, `%`, powers,
//! bitwise operators, unary minus, integers mixed with floats, and nullable operands.

use std::ops::{Add, Div, Mul, Neg, Rem, Sub};

use crate::expr::{BinOp, Expr, Func, Node, Operand};
use crate::field::Field;
use crate::model::Model;
use crate::value::{ColumnType, FieldType, Integral, Numeric};

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

/// The right-hand side of `+`, `-`, `*` and `/` on an expression of type `T`, and the type
/// of the result: a value or an expression of the same numeric type gives that type; a
/// nullable operand on either side gives an `Option` (NULL in, NULL out); an integer with
/// a float gives a float, as Django resolves a mixed `IntegerField`/`FloatField`
/// expression to `FloatField`.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, n: i64, price: f64, bonus: Option<i64> }
/// let total: kata::Expr<Item, f64> = F(Item::n) * F(Item::price);
/// let half: kata::Expr<Item, f64> = F(Item::n) / 2.0;
/// let maybe: kata::Expr<Item, Option<i64>> = F(Item::n) + F(Item::bonus);
/// # let _ = (total, half, maybe);
/// ```
#[diagnostic::on_unimplemented(
    message = "a `{T}` expression cannot be combined arithmetically with `{Self}`",
    label = "expected a number or a numeric expression here",
    note = "arithmetic takes a value or an expression of the same numeric type (nullable or not), or a float with an integer"
)]
pub trait NumericOperand<M, T> {
    /// The type of the result.
    type Output: FieldType;
    /// The expression this operand stands for.
    #[doc(hidden)]
    fn into_numeric(self) -> Node;
}

impl<M, T: FieldType<Inner = T> + Numeric> NumericOperand<M, T> for T {
    type Output = T;
    fn into_numeric(self) -> Node {
        Node::Value(self.into_value())
    }
}

impl<M, T: FieldType<Inner = T> + Numeric> NumericOperand<M, Option<T>> for T {
    type Output = Option<T>;
    fn into_numeric(self) -> Node {
        Node::Value(self.into_value())
    }
}

impl<M, T: FieldType> NumericOperand<M, T> for Expr<M, T> {
    type Output = T;
    fn into_numeric(self) -> Node {
        self.node
    }
}

impl<M, T: FieldType<Inner = T> + Numeric> NumericOperand<M, T> for Expr<M, Option<T>> {
    type Output = Option<T>;
    fn into_numeric(self) -> Node {
        self.node
    }
}

impl<M, T: FieldType<Inner = T> + Numeric> NumericOperand<M, Option<T>> for Expr<M, T> {
    type Output = Option<T>;
    fn into_numeric(self) -> Node {
        self.node
    }
}

impl<M: Model, T: FieldType> NumericOperand<M, T> for Field<M, T> {
    type Output = T;
    fn into_numeric(self) -> Node {
        Expr::from(self).node
    }
}

impl<M: Model, T: FieldType<Inner = T> + Numeric> NumericOperand<M, T> for Field<M, Option<T>> {
    type Output = Option<T>;
    fn into_numeric(self) -> Node {
        Expr::from(self).node
    }
}

impl<M: Model, T: FieldType<Inner = T> + Numeric> NumericOperand<M, Option<T>> for Field<M, T> {
    type Output = Option<T>;
    fn into_numeric(self) -> Node {
        Expr::from(self).node
    }
}

macro_rules! mixed {
    ($($int:ty),*) => {$(
        impl<M> NumericOperand<M, $int> for f64 {
            type Output = f64;
            fn into_numeric(self) -> Node {
                Node::Value(self.into_value())
            }
        }
        impl<M> NumericOperand<M, $int> for Expr<M, f64> {
            type Output = f64;
            fn into_numeric(self) -> Node {
                self.node
            }
        }
        impl<M: Model> NumericOperand<M, $int> for Field<M, f64> {
            type Output = f64;
            fn into_numeric(self) -> Node {
                Expr::from(self).node
            }
        }
        impl<M> NumericOperand<M, f64> for Expr<M, $int> {
            type Output = f64;
            fn into_numeric(self) -> Node {
                self.node
            }
        }
        impl<M: Model> NumericOperand<M, f64> for Field<M, $int> {
            type Output = f64;
            fn into_numeric(self) -> Node {
                Expr::from(self).node
            }
        }
    )*};
}
mixed!(i16, i32, i64, u16, u32);

macro_rules! arithmetic {
    ($($trait:ident $method:ident $op:ident),*) => {$(
        impl<M, T, R> $trait<R> for Expr<M, T>
        where
            T: FieldType,
            T::Inner: Numeric,
            R: NumericOperand<M, T>,
        {
            type Output = Expr<M, R::Output>;
            fn $method(self, rhs: R) -> Expr<M, R::Output> {
                let op = arithmetic_op::<<R::Output as FieldType>::Inner>(BinOp::$op);
                Expr::from_node(decimal_math::<R::Output>(self.node.binary(op, rhs.into_numeric())))
            }
        }
    )*};
}
arithmetic!(Add add Add, Sub sub Sub, Mul mul Mul, Div div Div);

/// A timestamp plus or minus a duration (Django's `F("start") + F("duration")`), on
/// `DateTime<Utc>` and `NaiveDateTime` expressions, nullable or not: PostgreSQL's `+` of an
/// `INTERVAL`, MySQL's and MariaDB's `DATE_ADD(.., INTERVAL n MICROSECOND)`; refused on
/// SQLite (`ConfigError::Unsupported`, before any SQL).
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct Task { #[kata(primary_key)] id: i64, start: chrono::DateTime<chrono::Utc>, took: chrono::TimeDelta, end: chrono::DateTime<chrono::Utc> }
/// // Task.objects.filter(end__gt=F("start") + F("took"))
/// let late = Task::end.gt(F(Task::start) + F(Task::took));
/// let earlier = F(Task::start) - chrono::TimeDelta::hours(1);
/// # let _ = (late, earlier);
/// ```
macro_rules! date_plus_duration {
    ($($ty:ty),*) => {$(
        impl<M, R: Operand<M, chrono::TimeDelta>> Add<R> for Expr<M, $ty> {
            type Output = Expr<M, $ty>;
            fn add(self, rhs: R) -> Expr<M, $ty> {
                Expr::from_node(Node::Func(Func::DurationAdd(false), vec![self.node, rhs.into_operand().node]))
            }
        }
        impl<M, R: Operand<M, chrono::TimeDelta>> Sub<R> for Expr<M, $ty> {
            type Output = Expr<M, $ty>;
            fn sub(self, rhs: R) -> Expr<M, $ty> {
                Expr::from_node(Node::Func(Func::DurationAdd(true), vec![self.node, rhs.into_operand().node]))
            }
        }
    )*};
}
date_plus_duration!(
    chrono::DateTime<chrono::Utc>,
    Option<chrono::DateTime<chrono::Utc>>,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>
);

/// `%` of integers (Django's `F("a") % 3`).
impl<M, T, R> Rem<R> for Expr<M, T>
where
    T: FieldType,
    T::Inner: Integral,
    R: Operand<M, T::Inner>,
{
    type Output = Expr<M, T>;
    fn rem(self, rhs: R) -> Expr<M, T> {
        Expr::from_node(self.node.binary(BinOp::Mod, rhs.into_operand().node))
    }
}

/// Unary minus.
impl<M, T> Neg for Expr<M, T>
where
    T: FieldType,
    T::Inner: Numeric,
{
    type Output = Expr<M, T>;
    fn neg(self) -> Expr<M, T> {
        Expr::from_node(decimal_math::<T>(Node::Neg(Box::new(self.node))))
    }
}

impl<M, T> Expr<M, T>
where
    T: FieldType,
    T::Inner: Numeric,
{
    /// `self` raised to the power `exponent`, as a float (Django's `F("a") ** 2`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, n: i64 }
    /// let squared: kata::Expr<Item, f64> = F(Item::n).pow(2);
    /// # let _ = squared;
    /// ```
    pub fn pow(self, exponent: impl Operand<M, T::Inner>) -> Expr<M, f64> {
        let power = Node::Func(Func::Power, vec![self.node, exponent.into_operand().node]);
        // PostgreSQL's POWER of a NUMERIC is a NUMERIC: cast it to the promised float.
        Expr::from_node(match T::COLUMN_TYPE {
            ColumnType::Decimal { .. } => Node::Cast(Box::new(decimal_math::<T>(power)), ColumnType::Double),
            _ => power,
        })
    }
}

// Django's method names: `&`, `|` and `^` on expressions would read like `Q`'s combinators.
#[allow(clippy::should_implement_trait)]
impl<M, T> Expr<M, T>
where
    T: FieldType,
    T::Inner: Integral,
{
    fn bitwise(self, op: BinOp, rhs: Node) -> Expr<M, T> {
        Expr::from_node(self.node.binary(op, rhs))
    }

    /// Bitwise and (Django's `F("a").bitand(6)`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, flags: i64 }
    /// let q = F(Item::flags).bitand(4).eq(4);
    /// let shifted = F(Item::flags).bitleftshift(2);
    /// # let _ = (q, shifted);
    /// ```
    pub fn bitand(self, rhs: impl Operand<M, T::Inner>) -> Expr<M, T> {
        self.bitwise(BinOp::BitAnd, rhs.into_operand().node)
    }
    /// Bitwise or (Django's `bitor`).
    pub fn bitor(self, rhs: impl Operand<M, T::Inner>) -> Expr<M, T> {
        self.bitwise(BinOp::BitOr, rhs.into_operand().node)
    }
    /// Bitwise exclusive or (Django's `bitxor`).
    pub fn bitxor(self, rhs: impl Operand<M, T::Inner>) -> Expr<M, T> {
        self.bitwise(BinOp::BitXor, rhs.into_operand().node)
    }
    /// `<<` (Django's `bitleftshift`).
    pub fn bitleftshift(self, rhs: impl Operand<M, T::Inner>) -> Expr<M, T> {
        self.bitwise(BinOp::ShiftLeft, rhs.into_operand().node)
    }
    /// `>>` (Django's `bitrightshift`).
    pub fn bitrightshift(self, rhs: impl Operand<M, T::Inner>) -> Expr<M, T> {
        self.bitwise(BinOp::ShiftRight, rhs.into_operand().node)
    }
}

/// Arithmetic whose result is a decimal: marked, so that a backend keeping decimals as
/// text (SQLite) refuses it before any SQL.
fn decimal_math<T: FieldType>(node: Node) -> Node {
    match T::COLUMN_TYPE {
        ColumnType::Decimal { .. } => Node::Func(Func::DecimalMath, vec![node]),
        _ => node,
    }
}

/// A decimal with an integer gives a decimal, as Django resolves a `DecimalField` with an
/// `IntegerField` (`F("price") * 2`, `F("price") * F("quantity")`).
#[cfg(feature = "rust_decimal")]
macro_rules! decimal_mixed {
    ($($int:ty),*) => {$(
        impl<M> NumericOperand<M, rust_decimal::Decimal> for $int {
            type Output = rust_decimal::Decimal;
            fn into_numeric(self) -> Node {
                Node::Value(self.into_value())
            }
        }
        impl<M> NumericOperand<M, rust_decimal::Decimal> for Expr<M, $int> {
            type Output = rust_decimal::Decimal;
            fn into_numeric(self) -> Node {
                self.node
            }
        }
        impl<M: Model> NumericOperand<M, rust_decimal::Decimal> for Field<M, $int> {
            type Output = rust_decimal::Decimal;
            fn into_numeric(self) -> Node {
                Expr::from(self).node
            }
        }
        impl<M> NumericOperand<M, Option<rust_decimal::Decimal>> for $int {
            type Output = Option<rust_decimal::Decimal>;
            fn into_numeric(self) -> Node {
                Node::Value(self.into_value())
            }
        }
        impl<M> NumericOperand<M, $int> for rust_decimal::Decimal {
            type Output = rust_decimal::Decimal;
            fn into_numeric(self) -> Node {
                Node::Value(self.into_value())
            }
        }
        impl<M> NumericOperand<M, $int> for Expr<M, rust_decimal::Decimal> {
            type Output = rust_decimal::Decimal;
            fn into_numeric(self) -> Node {
                self.node
            }
        }
        impl<M: Model> NumericOperand<M, $int> for Field<M, rust_decimal::Decimal> {
            type Output = rust_decimal::Decimal;
            fn into_numeric(self) -> Node {
                Expr::from(self).node
            }
        }
    )*};
}
#[cfg(feature = "rust_decimal")]
decimal_mixed!(i16, i32, i64);

/// `op` for operands of type `T`: division of integers is integer division, as in Rust.
fn arithmetic_op<T: FieldType>(op: BinOp) -> BinOp {
    match (op, T::COLUMN_TYPE) {
        (
            BinOp::Div,
            ColumnType::SmallInt
            | ColumnType::Integer
            | ColumnType::BigInt
            | ColumnType::UnsignedSmallInt
            | ColumnType::UnsignedInt
            | ColumnType::UnsignedBigInt,
        ) => BinOp::IntDiv,
        _ => op,
    }
}
