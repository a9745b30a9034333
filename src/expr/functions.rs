//! Django's database functions and conditional expressions: `Case`/`When`, `Coalesce`,
//! `NullIf`, `Greatest`, `Least`, casts, `Lower`, `Upper`, `Length`, `Concat`, `Substr`,
//! `Trim`, `Now` and the `Trunc*` family.
#![allow(non_snake_case)]

use std::marker::PhantomData;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::expr::ordering::OrderKey;
use crate::expr::{Expr, Func, IntoExpr, Node, Operand, Pattern, Q, Trunc};
use crate::field::Field;
use crate::model::Model;
use crate::value::{FieldType, Text, Value};

/// `T` with its non-null type replaced by `U`, keeping whether it is nullable: `String`
/// becomes `U`, `Option<String>` becomes `Option<U>`. What `Length`, `NullIf` and the
/// truncations return.
pub trait WithInner<U: FieldType>: FieldType {
    /// The result type.
    type Out: FieldType;
}

impl<T: FieldType<Inner = T>, U: FieldType> WithInner<U> for T {
    type Out = U;
}

impl<T: FieldType, U: FieldType> WithInner<U> for Option<T> {
    type Out = Option<U>;
}

fn func<M, T>(func: Func, args: Vec<Node>) -> Expr<M, T> {
    Expr::from_node(Node::Func(func, args))
}

/// One branch of a [`Case`]: `WHEN condition THEN value`.
pub struct When<M, T> {
    condition: Node,
    value: Node,
    _marker: PhantomData<fn() -> (M, T)>,
}

impl<M, T> std::fmt::Debug for When<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("When").field("condition", &self.condition).field("value", &self.value).finish()
    }
}

/// Django's `When(condition, then=value)`, a branch of [`Case`].
///
/// ```
/// # use kata::prelude::*;
/// use kata::{Case, When};
/// # #[derive(Model)] struct Client { #[kata(primary_key)] id: i64, account_type: String }
/// // Case(When(account_type="G", then=Value(5)), When(account_type="P", then=Value(10)), default=Value(0))
/// let discount: kata::Expr<Client, i64> =
///     Case([When(Client::account_type.eq("G"), 5), When(Client::account_type.eq("P"), 10)], 0);
/// # let _ = discount;
/// ```
pub fn When<M, T>(condition: Q<M>, then: impl Operand<M, T>) -> When<M, T> {
    When { condition: condition.node, value: then.into_operand().node, _marker: PhantomData }
}

/// Django's `Case(When(..), .., default=..)`: the value of the first branch whose
/// condition holds, else `default` (use `None` on an `Option` type for Django's default
/// NULL). Works in `values_list`, `annotate`, `order_by` (`.asc()`), `aupdate` (`set`) and
/// `filter` (through its lookups).
///
/// ```
/// # use kata::prelude::*;
/// use kata::{Case, When};
/// # #[derive(Model)] struct Client { #[kata(primary_key)] id: i64, account_type: String }
/// let kind: kata::Expr<Client, Option<String>> =
///     Case([When(Client::account_type.eq("G"), Some("gold".to_string()))], None);
/// # let _ = kind;
/// ```
pub fn Case<M, T>(whens: impl IntoIterator<Item = When<M, T>>, default: impl Operand<M, T>) -> Expr<M, T> {
    let mut args = Vec::new();
    for when in whens {
        args.push(when.condition);
        args.push(when.value);
    }
    args.push(default.into_operand().node);
    func(Func::Case, args)
}

/// Django's `Coalesce(expr, fallback)`: `expr` unless it is NULL, else `fallback`.
///
/// ```
/// # use kata::prelude::*;
/// use kata::Coalesce;
/// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, note: Option<String>, name: String }
/// let label: kata::Expr<Item, String> = Coalesce(Item::note, Item::name);
/// # let _ = label;
/// ```
pub fn Coalesce<M, T: FieldType, E>(expr: E, fallback: impl Operand<M, T>) -> Expr<M, T>
where
    E: IntoExpr<M, Output = Option<T>>,
{
    func(Func::Coalesce, vec![expr.into_expr().node, fallback.into_operand().node])
}

/// Django's `NullIf(a, b)`: NULL when `a = b`, else `a`.
///
/// ```
/// # use kata::prelude::*;
/// use kata::NullIf;
/// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, name: String }
/// let named: kata::Expr<Item, Option<String>> = NullIf(Item::name, "");
/// # let _ = named;
/// ```
pub fn NullIf<M, E>(
    expr: E,
    other: impl Operand<M, <E::Output as FieldType>::Inner>,
) -> Expr<M, Option<<E::Output as FieldType>::Inner>>
where
    E: IntoExpr<M>,
{
    func(Func::NullIf, vec![expr.into_expr().node, other.into_operand().node])
}

/// Django's `Greatest(a, b)`: the larger value. NULL when either is NULL on every backend
/// (MySQL's, MariaDB's and SQLite's rule; PostgreSQL's GREATEST would skip the NULL, so
/// kata adds the check there).
///
/// ```
/// # use kata::prelude::*;
/// use kata::{Greatest, Least};
/// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, a: i64, b: i64 }
/// let (high, low) = (Greatest(Item::a, Item::b), Least(Item::a, F(Item::b) * 2));
/// # let _ = (high, low);
/// ```
pub fn Greatest<M, E: IntoExpr<M>>(a: E, b: impl Operand<M, E::Output>) -> Expr<M, E::Output> {
    func(Func::Greatest, vec![a.into_expr().node, b.into_operand().node])
}

/// Django's `Least(a, b)`: the smaller value; NULL when either is NULL (see [`Greatest`]).
pub fn Least<M, E: IntoExpr<M>>(a: E, b: impl Operand<M, E::Output>) -> Expr<M, E::Output> {
    func(Func::Least, vec![a.into_expr().node, b.into_operand().node])
}

impl<M, T: FieldType> Expr<M, T> {
    /// Django's `Cast(expr, output_field)`: the value converted by the database to `U`.
    /// A float cast to an integer is rounded on PostgreSQL, MySQL and MariaDB and
    /// truncated on SQLite (a documented backend difference).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, n: i64 }
    /// let text: kata::Expr<Item, String> = F(Item::n).cast::<String>();
    /// let q = text.regex("^1[0-9]$"); // a regex on a number, as Django's lookup on a cast
    /// # let _ = q;
    /// ```
    pub fn cast<U: FieldType>(self) -> Expr<M, U> {
        Expr::from_node(Node::Cast(Box::new(self.node), U::COLUMN_TYPE))
    }
}

/// Django's `Lower(expr)`.
///
/// ```
/// # use kata::prelude::*;
/// use kata::{Concat, Length, Lower, Substr, Trim, Upper};
/// # #[derive(Model)] struct Item { #[kata(primary_key)] id: i64, name: String }
/// let parts = (Lower(Item::name), Upper(Item::name), Length(Item::name), Trim(Item::name));
/// let full: kata::Expr<Item, String> = Concat(Item::name, " (item)");
/// let head = Substr(Item::name, 1, Some(3));
/// # let _ = (parts, full, head);
/// ```
pub fn Lower<M, E: IntoExpr<M>>(expr: E) -> Expr<M, E::Output>
where
    <E::Output as FieldType>::Inner: Text,
{
    func(Func::Lower, vec![expr.into_expr().node])
}

/// Django's `Upper(expr)`.
pub fn Upper<M, E: IntoExpr<M>>(expr: E) -> Expr<M, E::Output>
where
    <E::Output as FieldType>::Inner: Text,
{
    func(Func::Upper, vec![expr.into_expr().node])
}

/// Django's `Trim(expr)`: without leading and trailing spaces.
pub fn Trim<M, E: IntoExpr<M>>(expr: E) -> Expr<M, E::Output>
where
    <E::Output as FieldType>::Inner: Text,
{
    func(Func::Trim, vec![expr.into_expr().node])
}

/// Django's `Length(expr)`: the length in characters (NULL for NULL).
pub fn Length<M, E: IntoExpr<M>>(expr: E) -> Expr<M, <E::Output as WithInner<i64>>::Out>
where
    <E::Output as FieldType>::Inner: Text,
    E::Output: WithInner<i64>,
{
    func(Func::Length, vec![expr.into_expr().node])
}

/// Django's `Substr(expr, pos, length)`: `length` characters (all the rest for `None`)
/// from the 1-based position `pos`.
pub fn Substr<M, E: IntoExpr<M>>(expr: E, pos: i32, length: Option<i32>) -> Expr<M, E::Output>
where
    <E::Output as FieldType>::Inner: Text,
{
    let mut args = vec![expr.into_expr().node, Node::Value(Value::Int(pos))];
    if let Some(length) = length {
        args.push(Node::Value(Value::Int(length)));
    }
    func(Func::Substr, args)
}

/// Django's `Concat(a, b)`: texts, fields or text expressions joined; a NULL part counts
/// as the empty text, as in Django. Nest it for more parts.
pub fn Concat<M>(a: impl Pattern<M>, b: impl Pattern<M>) -> Expr<M, String> {
    let part = |p: Result<String, Node>| match p {
        Ok(text) => Node::Value(Value::Text(text)),
        Err(node) => node,
    };
    func(Func::Concat, vec![part(a.into_pattern()), part(b.into_pattern())])
}

/// Django's `Now()`: the database's current time.
///
/// ```
/// # use kata::prelude::*;
/// use kata::Now;
/// # #[derive(Model)] struct Post { #[kata(primary_key)] id: i64, published: chrono::DateTime<chrono::Utc> }
/// let past = Post::published.lte(Now());
/// # let _ = past;
/// ```
pub fn Now<M>() -> Expr<M, DateTime<Utc>> {
    func(Func::Now, Vec::new())
}

/// The date and time types the `Trunc*` functions take: `DateTime<Utc>`, `NaiveDateTime`
/// and `NaiveDate`.
pub trait Truncatable: FieldType {}
impl Truncatable for DateTime<Utc> {}
impl Truncatable for NaiveDateTime {}
impl Truncatable for NaiveDate {}

fn trunc<M, T: FieldType, U>(unit: Trunc, expr: Expr<M, T>) -> Expr<M, U> {
    func(Func::Trunc(unit), vec![expr.node, Node::Value(Value::Null(T::COLUMN_TYPE))])
}

/// Django's `TruncDate(expr)`: the date of a timestamp (in UTC).
///
/// ```
/// # use kata::prelude::*;
/// use kata::{TruncDate, TruncMonth, TruncYear};
/// # #[derive(Model)] struct Post { #[kata(primary_key)] id: i64, published: chrono::DateTime<chrono::Utc> }
/// let day: kata::Expr<Post, chrono::NaiveDate> = TruncDate(Post::published);
/// let month = TruncMonth(Post::published);
/// let year = TruncYear(Post::published);
/// # let _ = (day, month, year);
/// ```
pub fn TruncDate<M, E>(expr: E) -> Expr<M, <E::Output as WithInner<NaiveDate>>::Out>
where
    E: IntoExpr<M>,
    E::Output: WithInner<NaiveDate>,
    <E::Output as FieldType>::Inner: Truncatable,
{
    trunc(Trunc::Date, expr.into_expr())
}

macro_rules! truncations {
    ($($name:ident $unit:ident $what:literal),*) => {$(
        #[doc = concat!("Django's `", stringify!($name), "(expr)`: the value at the start of its ", $what, ", of the same type.")]
        pub fn $name<M, E>(expr: E) -> Expr<M, E::Output>
        where
            E: IntoExpr<M>,
            <E::Output as FieldType>::Inner: Truncatable,
        {
            trunc(Trunc::$unit, expr.into_expr())
        }
    )*};
}
truncations!(TruncYear Year "year", TruncMonth Month "month", TruncDay Day "day");

/// Django's `TruncHour(expr)`: the timestamp at the start of its hour.
pub fn TruncHour<M, E>(expr: E) -> Expr<M, E::Output>
where
    E: IntoExpr<M>,
    E::Output: FieldType,
    <E::Output as FieldType>::Inner: TimeTruncatable,
{
    trunc(Trunc::Hour, expr.into_expr())
}

/// The timestamp types `TruncHour` takes: `DateTime<Utc>` and `NaiveDateTime`.
pub trait TimeTruncatable: Truncatable {}
impl TimeTruncatable for DateTime<Utc> {}
impl TimeTruncatable for NaiveDateTime {}

/// Django's `OuterRef("field")`: inside an [`Exists`] or [`Subquery`] over model `N`, the
/// column of the query around it, which may read the same table as the subquery
/// (`Employee.objects.filter(Exists(Employee.objects.filter(manager=OuterRef("pk"))))`).
///
/// ```
/// # use kata::prelude::*;
/// use kata::{Exists, OuterRef};
/// # #[derive(Model)] struct Author { #[kata(primary_key)] id: i64 }
/// # #[derive(Model)] struct Book { #[kata(primary_key)] id: i64, author_id: i64, pages: i32 }
/// // Author.objects.filter(Exists(Book.objects.filter(author_id=OuterRef("pk"), pages__gt=500)))
/// let q = Exists(Book::author_id.eq(OuterRef(Author::id)) & Book::pages.gt(500));
/// let authors = Author::objects().filter(q);
/// # let _ = authors;
/// ```
pub fn OuterRef<N, M: Model, T>(field: Field<M, T>) -> Expr<N, T> {
    Expr::from_node(Node::OuterColumn(M::meta(), field.index()))
}

/// What [`Exists`] and [`Subquery`] read from model `N`: a condition (`Q<N>`), or a query
/// set of `N` that filters and orders (Django passes a query set:
/// `Subquery(Book.objects.filter(..).order_by("-pages").values("title")[:1])`). A query set
/// with a slice, `distinct()` or a lock is refused (`Error::InvalidQuery`) before any SQL.
pub trait SubquerySource<N> {
    /// The condition and the ordering.
    #[doc(hidden)]
    fn __parts(self) -> SubqueryParts;
}

/// The condition and ordering of a subquery, as [`SubquerySource`] gives them.
#[doc(hidden)]
#[derive(Debug)]
pub struct SubqueryParts {
    pub(crate) filter: Node,
    pub(crate) order: Vec<OrderKey>,
}

impl SubqueryParts {
    /// Used by the query layer: a query set's condition and ordering.
    pub(crate) fn new(filter: Node, order: Vec<OrderKey>) -> Self {
        SubqueryParts { filter, order }
    }
}

impl<N> SubquerySource<N> for Q<N> {
    fn __parts(self) -> SubqueryParts {
        SubqueryParts { filter: self.node, order: Vec::new() }
    }
}

/// Django's `Exists(queryset)`: whether a row of model `N` matches `filter` (a `Q<N>` or a
/// query set of `N`, which usually ties it to the outer row with [`OuterRef`]);
/// `!Exists(..)` for `~Exists(..)`.
pub fn Exists<M, N: Model>(filter: impl SubquerySource<N>) -> Q<M> {
    let parts = filter.__parts();
    Q::from_node(Node::Subquery {
        table: N::meta(),
        select: None,
        filter: Box::new(parts.filter),
        order: Vec::new(),
    })
}

/// Django's `Subquery(queryset.values("field")[:1])`: the value of `select` in the first row
/// of model `N` that `source` gives: a `Q<N>` (the first row the database finds: make it
/// pick one row, or select an aggregate) or a query set of `N` with its `order_by`; NULL
/// when none matches.
///
/// ```
/// # use kata::prelude::*;
/// use kata::{OuterRef, Subquery};
/// # #[derive(Model)] struct Author { #[kata(primary_key)] id: i64 }
/// # #[derive(Model)] struct Book { #[kata(primary_key)] id: i64, author_id: i64, pages: i32 }
/// // Author.objects.annotate(longest=Subquery(Book.objects.filter(author_id=OuterRef("pk"))
/// //     .values("author_id").annotate(m=Max("pages")).values("m")))
/// let longest = Subquery(Max(Book::pages), Book::author_id.eq(OuterRef(Author::id)));
/// let rows = Author::objects().values_list((Author::id, longest));
/// # let _ = rows;
/// ```
pub fn Subquery<M, N: Model, T: FieldType>(
    select: impl IntoExpr<N, Output = T>,
    source: impl SubquerySource<N>,
) -> Expr<M, Option<T::Inner>> {
    let parts = source.__parts();
    Expr::from_node(Node::Subquery {
        table: N::meta(),
        select: Some(Box::new(select.into_expr().node)),
        filter: Box::new(parts.filter),
        order: parts.order,
    })
}
