//! Typed field handles: `User::username` is a `Field<User, String>`.

use std::marker::PhantomData;

use crate::model::{ColumnMeta, Model};

/// A typed handle on one column of model `M` holding values of type `T`.
///
/// `#[derive(Model)]` generates one per field as an associated constant, so
/// `User::username.icontains("an")` is checked by the compiler: a misspelled field, a
/// lookup that makes no sense for the type, or a value of the wrong type does not compile.
///
/// ```
/// # use kata::prelude::*;
/// #[derive(Model)]
/// struct User { #[kata(primary_key, auto)] id: i64, username: String, is_active: bool }
/// let q = User::username.icontains("an") & User::is_active.eq(true);
/// # let _ = q;
/// ```
pub struct Field<M, T> {
    index: usize,
    _marker: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Field<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, T> Copy for Field<M, T> {}

impl<M, T> std::fmt::Debug for Field<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field").field("index", &self.index).finish()
    }
}

impl<M, T> Field<M, T> {
    /// Used by generated code.
    #[doc(hidden)]
    pub const fn __new(index: usize) -> Self {
        Field { index, _marker: PhantomData }
    }

    /// The column's position in the model's column list.
    pub const fn index(self) -> usize {
        self.index
    }
}

impl<M: Model, T> Field<M, T> {
    /// The column's metadata.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct User { #[kata(primary_key)] id: i64, #[kata(column = "login")] username: String }
    /// assert_eq!(User::username.column().name, "login");
    /// ```
    pub fn column(self) -> &'static ColumnMeta {
        &M::meta().columns[self.index]
    }
}

/// The primary key of a model with a composite key, `OrderItem::pk`: compare it with a tuple.
///
/// ```
/// # use kata::prelude::*;
/// #[derive(Model)]
/// struct OrderItem {
///     #[kata(primary_key)] order_id: i64,
///     #[kata(primary_key)] product_id: i64,
///     quantity: i32,
/// }
/// let q = OrderItem::pk.eq((1, 2));
/// # let _ = q;
/// ```
pub struct CompositePk<M, K> {
    indexes: &'static [usize],
    _marker: PhantomData<fn() -> (M, K)>,
}

impl<M, K> Clone for CompositePk<M, K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M, K> Copy for CompositePk<M, K> {}

impl<M, K> std::fmt::Debug for CompositePk<M, K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompositePk").field("indexes", &self.indexes).finish()
    }
}

impl<M, K> CompositePk<M, K> {
    /// Used by generated code.
    #[doc(hidden)]
    pub const fn __new(indexes: &'static [usize]) -> Self {
        CompositePk { indexes, _marker: PhantomData }
    }

    /// The key columns' positions.
    pub fn indexes(self) -> &'static [usize] {
        self.indexes
    }
}
