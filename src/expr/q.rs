//! `Q`: conditions combined with `&`, `|`, `!` and `^`.

use std::marker::PhantomData;
use std::ops::{BitAnd, BitOr, BitXor, Not};

use crate::expr::Node;

/// A condition on model `M`, built from lookups and combined like Django's `Q`:
/// `&` (AND), `|` (OR), `!` (NOT) and `^` (XOR).
///
/// `!q` is true exactly where `q` is not true: rows where `q` is NULL (unknown) are
/// included, as Django's `exclude()` does.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct User { #[kata(primary_key)] id: i64, username: String, email: String, is_active: bool }
/// let q = (User::username.startswith("a") | User::email.endswith("@example.com"))
///     & !User::is_active.eq(false);
/// # let _ = q;
/// ```
pub struct Q<M> {
    pub(crate) node: Node,
    _marker: PhantomData<fn() -> M>,
}

impl<M> Clone for Q<M> {
    fn clone(&self) -> Self {
        Q::from_node(self.node.clone())
    }
}

impl<M> std::fmt::Debug for Q<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.node.fmt(f)
    }
}

impl<M> Q<M> {
    pub(crate) fn from_node(node: Node) -> Self {
        Q { node, _marker: PhantomData }
    }

    /// A condition every row meets (the identity of `&`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Tag { #[kata(primary_key)] id: i64, name: String }
    /// let q = ["a", "b"].into_iter().fold(Q::all(), |q, n| q & Tag::name.contains(n));
    /// # let _ = q;
    /// ```
    pub fn all() -> Self {
        Q::from_node(Node::Bool(true))
    }

    /// A condition no row meets (the identity of `|`).
    pub fn none() -> Self {
        Q::from_node(Node::Bool(false))
    }
}

fn flatten(node: Node, into: &mut Vec<Node>, and: bool) {
    match node {
        Node::And(children) if and => children.into_iter().for_each(|c| flatten(c, into, and)),
        Node::Or(children) if !and => children.into_iter().for_each(|c| flatten(c, into, and)),
        other => into.push(other),
    }
}

impl<M> BitAnd for Q<M> {
    type Output = Q<M>;
    fn bitand(self, rhs: Q<M>) -> Q<M> {
        match (&self.node, &rhs.node) {
            (Node::Bool(true), _) => rhs,
            (_, Node::Bool(true)) => self,
            _ => {
                let mut children = Vec::new();
                flatten(self.node, &mut children, true);
                flatten(rhs.node, &mut children, true);
                Q::from_node(Node::And(children))
            }
        }
    }
}

impl<M> BitOr for Q<M> {
    type Output = Q<M>;
    fn bitor(self, rhs: Q<M>) -> Q<M> {
        match (&self.node, &rhs.node) {
            (Node::Bool(false), _) => rhs,
            (_, Node::Bool(false)) => self,
            _ => {
                let mut children = Vec::new();
                flatten(self.node, &mut children, false);
                flatten(rhs.node, &mut children, false);
                Q::from_node(Node::Or(children))
            }
        }
    }
}

impl<M> BitXor for Q<M> {
    type Output = Q<M>;
    fn bitxor(self, rhs: Q<M>) -> Q<M> {
        let mut children = match self.node {
            Node::Xor(children) => children,
            other => vec![other],
        };
        children.push(rhs.node);
        Q::from_node(Node::Xor(children))
    }
}

impl<M> Not for Q<M> {
    type Output = Q<M>;
    fn not(self) -> Q<M> {
        match self.node {
            Node::Not(inner) => Q::from_node(*inner),
            other => Q::from_node(Node::Not(Box::new(other))),
        }
    }
}
