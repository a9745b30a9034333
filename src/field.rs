//! Typed field handles: `User::username` is a `Field<User, String>`.

use std::marker::PhantomData;

use crate::driver::Args;
use crate::error::Result;
use crate::model::{ColumnMeta, Model, ModelMeta, RowReader};
use crate::value::{ColumnType, FieldType, Value};

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

// How generated code reaches the items of `FieldType`, `Model` and a relation's target. These
// traits have no supertraits, and that is their point: naming a trait's item
// (`<T as FieldType>::bind`, `<M as Model>::meta`) also asks for the trait's supertraits
// (`Send`, `Sync`, `Unpin`), and a model that fails them (one holding a foreign key to a type
// that is not a model, and every model holding that one) would be reported again at each
// such use. Through these, a use asks only `T: FieldType` or `M: Model`, which the impls
// answer, and a relation to a type that is not a model fails exactly as the field itself
// does, so rustc reports it once.

/// Used by generated code: a field type's `FieldType` items (see above).
#[doc(hidden)]
pub trait FieldTypeItems: Sized {
    /// `Self`, named through the trait: when `Self` is broken (a foreign key to a type that is
    /// not a model), the decoded value's type is an error rather than `Self`, and rustc does
    /// not report what follows from it (the `?` on it, the struct built with it) again.
    type __Decoded;
    const __COLUMN_TYPE: ColumnType;
    const __NULLABLE: bool;
    fn __decode(reader: &mut RowReader<'_>) -> Result<Self::__Decoded>;
    fn __bind(&self, args: &mut Args) -> Result<()>;
    fn __to_value(&self) -> Value;
}

impl<T: FieldType> FieldTypeItems for T {
    type __Decoded = T;
    const __COLUMN_TYPE: ColumnType = T::COLUMN_TYPE;
    const __NULLABLE: bool = T::NULLABLE;

    #[inline]
    fn __decode(reader: &mut RowReader<'_>) -> Result<T> {
        reader.next::<T>()
    }

    #[inline]
    fn __bind(&self, args: &mut Args) -> Result<()> {
        self.bind(args)
    }

    #[inline]
    fn __to_value(&self) -> Value {
        self.to_value()
    }
}

/// Used by generated code: a model's `Model` items (see above).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a kata model",
    label = "`{Self}` needs `#[derive(Model)]`",
    note = "add `#[derive(Model)]` to `{Self}`"
)]
pub trait ModelItems {
    type __Pk;
    fn __meta() -> &'static ModelMeta;
    fn __is_unsaved(&self) -> bool;
    fn __sync_relations(&mut self);
}

impl<M: Model> ModelItems for M {
    type __Pk = M::Pk;

    #[inline]
    fn __meta() -> &'static ModelMeta {
        M::meta()
    }

    #[inline]
    fn __is_unsaved(&self) -> bool {
        Model::__is_unsaved(self)
    }

    #[inline]
    fn __sync_relations(&mut self) {
        Model::__sync_relations(self)
    }
}

/// Used by generated code: the target of a relation field type (`ForeignKey<User>`,
/// `OneToOne<User>`, `ManyToMany<Group>`), for the accessors `related_name` adds to it.
#[doc(hidden)]
pub trait RelationItems<T> {
    fn __target_meta() -> &'static ModelMeta;
    /// The key of `target`, or `None` while it is unsaved.
    fn __key_of(target: &T) -> Option<Value>;
}

macro_rules! relation_items {
    ($($relation:ident),*) => {$(
        impl<T: Model> RelationItems<T> for crate::relation::$relation<T>
        where
            T::Pk: FieldType,
        {
            #[inline]
            fn __target_meta() -> &'static ModelMeta {
                T::meta()
            }

            #[inline]
            fn __key_of(target: &T) -> Option<Value> {
                (!target.__is_unsaved()).then(|| target.pk().to_value())
            }
        }
    )*};
}
relation_items!(ForeignKey, OneToOne, ManyToMany);

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
