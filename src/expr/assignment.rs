//! `column = expression` for updates and inserts: `User::is_active.set(false)`.

use std::marker::PhantomData;

use crate::expr::{Node, Operand};
use crate::field::Field;
use crate::model::Model;
use crate::value::FieldType;

/// `column = expression` in an UPDATE or an INSERT: `User::is_active.set(false)`.
#[derive(Debug, Clone)]
pub struct Assignment<M> {
    pub(crate) index: usize,
    pub(crate) node: Node,
    _marker: PhantomData<fn() -> M>,
}

impl<M> Assignment<M> {
    pub(crate) fn new(index: usize, node: Node) -> Self {
        Assignment { index, node, _marker: PhantomData }
    }
}

impl<M: Model, T: FieldType> Field<M, T> {
    /// `column = value` for `aupdate` and `acreate`: a value, or an `F` expression.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct User { #[kata(primary_key)] id: i64, is_active: bool, last_login: Option<chrono::DateTime<chrono::Utc>> }
    /// let a = User::is_active.set(false);
    /// let b = User::last_login.set(None);
    /// # let _ = (a, b);
    /// ```
    pub fn set(self, value: impl Operand<M, T>) -> Assignment<M> {
        Assignment::new(self.index(), value.into_operand().node)
    }
}
