//! The lookups of PostgreSQL array fields (Django's `ArrayField`: `contains`,
//! `contained_by`, `overlap`, `len` and the index transform) and `ArrayAgg`. Rendered by
//! the dialect's `array_op`; backends without arrays refuse them with
//! `ConfigError::Unsupported` before any SQL.

use crate::expr::lookups::{ContainedBy, Contains};
use crate::expr::{Aggregate, ArrayOp, Expr, Func, IntoExpr, Node, Q};
use crate::field::Field;
use crate::model::Model;
use crate::value::{ArrayItem, FieldType, Value};

/// The node `op(lhs, values as one array)`.
fn with_array<E: ArrayItem, V: Into<E>>(op: ArrayOp, lhs: Node, values: impl IntoIterator<Item = V>) -> Node {
    let values: Vec<E> = values.into_iter().map(Into::into).collect();
    Node::Func(Func::Array(op), vec![lhs, Node::Value(Value::Array(E::wrap(values)))])
}

/// Django's `contains` on an array field: the array holds every one of the values.
impl<M, E: ArrayItem, I> Contains<M, I> for Vec<E>
where
    I: IntoIterator,
    I::Item: Into<E>,
{
    fn contains_node(lhs: Node, values: I) -> Node {
        with_array::<E, _>(ArrayOp::Contains, lhs, values)
    }
}

/// Django's `contained_by` on an array field: every element of the array is one of the
/// values.
impl<M, E: ArrayItem, I> ContainedBy<M, I> for Vec<E>
where
    I: IntoIterator,
    I::Item: Into<E>,
{
    fn contained_by_node(lhs: Node, values: I) -> Node {
        with_array::<E, _>(ArrayOp::ContainedBy, lhs, values)
    }
}

/// The lookups of an array field or expression, once for `Field` and once for `Expr`.
macro_rules! array_lookups {
    ($($target:ident),*) => {$(
        impl<M: Model, E: ArrayItem, T: FieldType<Inner = Vec<E>>> $target<M, T> {
            /// The array and `values` have an element in common (Django's `overlap`,
            /// PostgreSQL's `&&`). (`contains` and `contained_by` are [`Field::contains`]
            /// and [`Field::contained_by`] with a list.)
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug)] struct Post { #[kata(primary_key, auto)] id: i64, tags: Vec<String> }
            /// // Post.objects.filter(tags__contains=["rust"]), tags__contained_by=[..], tags__overlap=[..]
            /// let about_rust = Post::objects().filter(Post::tags.contains(["rust"]));
            /// let only_known = Post::objects().filter(Post::tags.contained_by(["rust", "sql", "web"]));
            /// let either = Post::objects().filter(Post::tags.overlap(["sql", "web"]));
            /// # let _ = (about_rust, only_known, either);
            /// ```
            pub fn overlap<V: Into<E>>(self, values: impl IntoIterator<Item = V>) -> Q<M> {
                Q::from_node(with_array::<E, V>(ArrayOp::Overlap, Expr::from(self).node, values))
            }

            /// The number of elements (Django's `len` transform): 0 for an empty array;
            /// comparisons apply to it, `Post::tags.len().gte(2)`. A NULL array has no
            /// length and matches no comparison.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug)] struct Post { #[kata(primary_key, auto)] id: i64, tags: Vec<String> }
            /// // Post.objects.filter(tags__len=1)
            /// let single = Post::objects().filter(Post::tags.len().eq(1));
            /// # let _ = single;
            /// ```
            #[allow(clippy::len_without_is_empty)] // a SQL expression, not a collection
            pub fn len(self) -> Expr<M, i64> {
                Expr::from_node(Node::Func(Func::Array(ArrayOp::Len), vec![Expr::from(self).node]))
            }

            /// The element at `index`, counted from 0 as Django's index transform counts
            /// (`tags__0`); `None` past the end or on a NULL array.
            ///
            /// ```
            /// # use kata::prelude::*;
            /// # #[derive(Model, Debug)] struct Post { #[kata(primary_key, auto)] id: i64, tags: Vec<String> }
            /// // Post.objects.filter(tags__0="rust")
            /// let first_rust = Post::objects().filter(Post::tags.at(0).eq("rust"));
            /// # let _ = first_rust;
            /// ```
            pub fn at(self, index: u32) -> Expr<M, Option<E>> {
                // PostgreSQL's subscripts are INTEGER and 1-based; a u32 past i32::MAX is
                // past every array's end (NULL, as PostgreSQL answers).
                let position = match i32::try_from(index) {
                    Ok(i) if i < i32::MAX => Node::Value(Value::Int(i + 1)),
                    _ => Node::Value(Value::Null(crate::ColumnType::Integer)),
                };
                Expr::from_node(Node::Func(Func::Array(ArrayOp::Index), vec![Expr::from(self).node, position]))
            }
        }
    )*};
}
array_lookups!(Expr, Field);

/// Django's `ArrayAgg(expr)` (PostgreSQL's `ARRAY_AGG`): the values of a non-null field or
/// expression as one array, in no particular order unless [`ordering`](Expr::ordering)
/// says; `None` over no rows (or `.default(vec![])`). `filter=` applies as on any
/// aggregate. Other backends refuse it with `ConfigError::Unsupported` before any SQL.
///
/// ```
/// # use kata::prelude::*;
/// use kata::ArrayAgg;
/// # #[derive(Model)] struct Book { #[kata(primary_key)] id: i64, name: String, pages: i32 }
/// // ArrayAgg("name", ordering="-pages")
/// let names: kata::Expr<Book, Option<Vec<String>>> = ArrayAgg(Book::name).ordering([Book::pages.desc()]);
/// # let _ = names;
/// ```
#[allow(non_snake_case)]
pub fn ArrayAgg<M, E>(expr: E) -> Expr<M, Option<Vec<E::Output>>>
where
    E: IntoExpr<M>,
    E::Output: ArrayItem,
{
    let args = Node::Func(Func::AggregateArgs, vec![expr.into_expr().node]);
    Expr::from_node(Node::Aggregate(Aggregate::ArrayAgg, Box::new(args)))
}

impl<M, E: ArrayItem> Expr<M, Option<Vec<E>>> {
    /// Django's `ordering=` on `ArrayAgg`: the values in this order (`ARRAY_AGG(.. ORDER BY
    /// ..)`). On anything but an `ArrayAgg` it is refused (`Error::InvalidQuery`) before
    /// any SQL.
    pub fn ordering(self, keys: impl IntoIterator<Item = crate::OrderBy<M>>) -> Self {
        Expr::from_node(crate::expr::aggregates::with_ordering(self.node, keys))
    }
}
