//! Ordering keys for `order_by`.

use std::marker::PhantomData;

use crate::expr::Node;

/// One ordering key: `User::id.asc()` or `User::date_joined.desc()`.
#[derive(Debug, Clone)]
pub struct OrderBy<M> {
    pub(crate) node: Node,
    pub(crate) descending: bool,
    _marker: PhantomData<fn() -> M>,
}

impl<M> OrderBy<M> {
    pub(crate) fn new(node: Node, descending: bool) -> Self {
        OrderBy { node, descending, _marker: PhantomData }
    }

    /// The same key in the other direction.
    pub fn reversed(self) -> Self {
        OrderBy::new(self.node, !self.descending)
    }
}
