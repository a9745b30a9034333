//! Values across relations as subqueries: Django's `annotate(total=Sum("book__price"))` (an
//! aggregate over a to-many relation, per owner row), `aggregate(Sum("book__price"))` (the
//! same over every owner of a query), and `values("author__name")` / `order_by(..)` (a
//! value across a foreign key). Each becomes a [`Node::Subquery`] over the related table,
//! tied to the owner's row with an [`Node::OuterColumn`], so that a relation from a model to
//! itself works and a to-many relation never repeats the owner's rows.

use crate::expr::{Aggregate, BinOp, Func, Node, RelStep};
use crate::model::ModelMeta;
use crate::value::Value;

/// Whether two steps follow the same relation.
fn same_step(a: RelStep, b: RelStep) -> bool {
    match (a, b) {
        (RelStep::Forward { owner: o1, column: c1, .. }, RelStep::Forward { owner: o2, column: c2, .. }) => {
            std::ptr::eq(o1, o2) && c1 == c2
        }
        (
            RelStep::Reverse { owner: o1, source: s1, column: c1 },
            RelStep::Reverse { owner: o2, source: s2, column: c2 },
        ) => std::ptr::eq(o1, o2) && std::ptr::eq(s1, s2) && c1 == c2,
        (
            RelStep::ManyToMany { owner: o1, through: t1, owner_column: c1, .. },
            RelStep::ManyToMany { owner: o2, through: t2, owner_column: c2, .. },
        ) => std::ptr::eq(o1, o2) && std::ptr::eq(t1, t2) && c1 == c2,
        _ => false,
    }
}

/// The step of a to-many relation (reverse foreign key, many-to-many).
fn to_many(node: &Node) -> Option<RelStep> {
    match node {
        Node::Related(step @ (RelStep::Reverse { .. } | RelStep::ManyToMany { .. }), _) => Some(*step),
        _ => None,
    }
}

/// An aggregate's argument without Django's `filter=` and `StringAgg`'s extra arguments.
fn argument(inner: &Node) -> &Node {
    let inner = match inner {
        Node::Func(Func::AggregateFilter, args) if !args.is_empty() => &args[0],
        inner => inner,
    };
    match inner {
        Node::Func(Func::AggregateArgs, args) if !args.is_empty() => &args[0],
        inner => inner,
    }
}

impl Node {
    /// For an aggregate's argument across a to-many relation, its step.
    pub(crate) fn to_many_argument(&self) -> Option<RelStep> {
        to_many(argument(self))
    }
}

/// `node` with every `Related(step, x)` of `step` replaced by `x`: a condition or value
/// on the related model, written inside the subquery over its table.
fn strip(step: RelStep, node: &Node) -> Node {
    let boxed = |n: &Node| Box::new(strip(step, n));
    let all = |v: &[Node]| v.iter().map(|n| strip(step, n)).collect::<Vec<_>>();
    match node {
        Node::Related(s, inner) if same_step(*s, step) => strip(step, inner),
        Node::Binary(a, op, b) => Node::Binary(boxed(a), *op, boxed(b)),
        Node::Not(a) => Node::Not(boxed(a)),
        Node::And(v) => Node::And(all(v)),
        Node::Or(v) => Node::Or(all(v)),
        Node::Xor(v) => Node::Xor(all(v)),
        Node::IsNull(a, null) => Node::IsNull(boxed(a), *null),
        Node::In(a, values, ty) => Node::In(boxed(a), values.clone(), *ty),
        Node::DatePart(part, a) => Node::DatePart(*part, boxed(a)),
        Node::Neg(a) => Node::Neg(boxed(a)),
        Node::Cast(a, ty) => Node::Cast(boxed(a), *ty),
        Node::Func(f, args) => Node::Func(*f, all(args)),
        Node::Pattern { expr, pattern, kind, insensitive } => Node::Pattern {
            expr: boxed(expr),
            pattern: pattern.clone(),
            kind: *kind,
            insensitive: *insensitive,
        },
        Node::Regex { expr, pattern, insensitive } => {
            Node::Regex { expr: boxed(expr), pattern: pattern.clone(), insensitive: *insensitive }
        }
        other => other.clone(),
    }
}

/// The related table of a to-many step, and the condition that ties its rows to the owner's
/// row (the owner's columns as `OuterColumn`s).
fn related_rows(step: RelStep) -> crate::Result<(&'static ModelMeta, Node)> {
    match step {
        RelStep::Reverse { owner, source, column } => {
            let pk = owner.single_pk()?;
            let link = Node::Binary(
                Box::new(Node::Column(source, column)),
                BinOp::Eq,
                Box::new(Node::OuterColumn(owner, pk)),
            );
            Ok((source, link))
        }
        RelStep::ManyToMany { owner, target, through, owner_column, target_column } => {
            let (owner_pk, target_pk) = (owner.single_pk()?, target.single_pk()?);
            let link = Node::InSubquery {
                lhs: Box::new(Node::Column(target, target_pk)),
                table: through,
                select: target_column,
                filter: Box::new(Node::Binary(
                    Box::new(Node::Column(through, owner_column)),
                    BinOp::Eq,
                    Box::new(Node::OuterColumn(owner, owner_pk)),
                )),
            };
            Ok((target, link))
        }
        RelStep::Forward { .. } => Err(crate::Error::Internal("a to-many step")),
    }
}

/// `Sum(Author::books.then(Book::price))` for one owner row: `(SELECT SUM(price) FROM book
/// WHERE book.author_id = author.id [AND filter])`. `None` unless the aggregate's argument
/// goes through a to-many relation.
pub(crate) fn correlated_aggregate(kind: Aggregate, inner: &Node) -> Option<crate::Result<Node>> {
    let step = inner.to_many_argument()?;
    Some(related_rows(step).map(|(table, link)| Node::Subquery {
        table,
        select: Some(Box::new(Node::Aggregate(kind, Box::new(strip(step, inner))))),
        filter: Box::new(link),
        order: Vec::new(),
    }))
}

/// `Book::author.then(Author::name)` as a value: `(SELECT name FROM author WHERE author.id =
/// book.author_id)`, NULL where the key is NULL (Django's LEFT JOIN).
pub(crate) fn forward_value(step: RelStep, leaf: &Node) -> crate::Result<Node> {
    match step {
        RelStep::Forward { owner, column, target } => {
            let pk = target.single_pk()?;
            Ok(Node::Subquery {
                table: target,
                select: Some(Box::new(leaf.clone())),
                filter: Box::new(Node::Binary(
                    Box::new(Node::Column(target, pk)),
                    BinOp::Eq,
                    Box::new(Node::OuterColumn(owner, column)),
                )),
                order: Vec::new(),
            })
        }
        _ => Err(crate::Error::InvalidQuery(
            "a field across a to-many relation can be aggregated (Sum, Count, ...) or filtered on, not selected \
             or ordered by"
                .into(),
        )),
    }
}

/// For `aaggregate` over a whole query: an aggregate across a to-many relation counts every
/// (owner, related row) pair, as Django's join does: the sum of the per-owner sums (counts,
/// minimums, maximums). An average or a spread of pairs cannot be made of per-owner parts
/// and is refused before any SQL.
pub(crate) fn over_pairs(node: Node) -> Node {
    match node {
        Node::Aggregate(kind, inner) if inner.to_many_argument().is_some() => {
            let outer = match kind {
                Aggregate::Count => {
                    let sum = Node::Aggregate(Aggregate::SumInt, Box::new(Node::Aggregate(kind, inner)));
                    return Node::Func(Func::Coalesce, vec![sum, Node::Value(Value::BigInt(0))]);
                }
                Aggregate::SumInt
                | Aggregate::SumFloat
                | Aggregate::SumDecimal
                | Aggregate::Min
                | Aggregate::Max => kind,
                _ => {
                    return Node::Refused(
                        "aggregate() over a to-many relation takes Count, Sum, Min and Max; annotate per row \
                         for the others",
                    );
                }
            };
            Node::Aggregate(outer, Box::new(Node::Aggregate(kind, inner)))
        }
        Node::Func(f, args) => Node::Func(f, args.into_iter().map(over_pairs).collect()),
        other => other,
    }
}
