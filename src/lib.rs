//! # kata
//!
//! Django's async ORM and Django Ninja's `ModelSchema`, for Rust, over sqlx pools
//! (SQLite, PostgreSQL, MySQL/MariaDB).
//!
//! ```
//! use kata::prelude::*;
//!
//! #[derive(Model, Debug, Clone, PartialEq)]
//! #[kata(table = "auth_user")]
//! pub struct User {
//!     #[kata(primary_key, auto)]
//!     pub id: i64,
//!     #[kata(unique, max_length = 150)]
//!     pub username: String,
//!     #[kata(default = true)]
//!     pub is_active: bool,
//! }
//!
//! # async fn demo() -> kata::Result<()> {
//! let db = Db::connect("sqlite::memory:").await?;
//! db.create_tables(&[User::meta()]).await?;
//! let ann = User::objects().acreate(&db, [User::username.set("ann")]).await?;
//! let found = User::objects().aget(&db, User::pk.eq(ann.id)).await?;
//! assert_eq!(found.username, "ann");
//! assert_eq!(User::objects().filter(User::is_active.eq(true)).acount(&db).await?, 1);
//! # Ok(()) }
//! # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
//! ```
//!
//! Start with [`Model`], [`QuerySet`] and [`Db`]; the README maps Django's API to kata's.

#![deny(missing_docs)]

#[cfg(not(any(feature = "sqlite", feature = "postgres", feature = "mysql")))]
compile_error!("kata needs at least one backend feature: sqlite, postgres or mysql");

mod backend;
mod choices;
mod db;
mod error;
mod expr;
mod field;
mod model;
mod query;
mod relation;
mod schema;
pub mod testing;
mod value;

pub use backend::{Args, Backend, RowRef};
pub use choices::Choices;
pub use db::{
    Conflict, Conn, Db, DbBuilder, Executor, IsolationLevel, Retry, Transaction, TransactionBuilder,
};
pub use error::{Error, FieldError, IntegrityKind, MigrateError, Result, ValidationErrors};
pub use expr::{Assignment, Avg, Count, CountOf, Expr, F, IntoExpr, Max, Min, Operand, OrderBy, Q, Sum};
pub use field::{CompositePk, Field};
pub use kata_derive::{Choices, Model, ModelSchema, test};
pub use model::{ColumnMeta, DefaultValue, Model, ModelMeta, RowReader};
pub use query::ModelExt;
pub use query::{Annotated, Columns, Insert, InsertSource, QuerySet, Selection, Update, ValuesQuerySet};
pub use relation::load::{IntoSelectRelated, Join, aprefetch_related_objects};
pub use relation::{
    AlsoRelated, AlsoRelatedTarget, ForeignKey, ForeignKeyMeta, HasMany, HasOne, ManyToMany, OnDelete,
    OneToOne, Prefetch, PrefetchTarget, Related, Relation, RelationKind, RelationMeta, SelectRelated, ToMany,
};
pub use schema::{Apply, Patch, Projection, Validate};
pub use value::{AutoKey, ColumnType, DateLike, FieldType, Numeric, Ordered, Text, TimeLike, Value};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Everything a module that declares or queries models needs.
///
/// ```
/// use kata::prelude::*;
/// ```
pub mod prelude {
    pub use crate::{
        Avg, Choices, Count, CountOf, Db, Executor, F, Field, ForeignKey, HasMany, HasOne, ManyToMany, Max,
        Min, Model, ModelExt, ModelSchema, OneToOne, Patch, Prefetch, Q, QuerySet, Sum, Transaction,
        Validate,
    };
}

/// Used by generated code; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::backend::{Args, RowRef};
    pub use crate::choices::Choices;
    pub use crate::choices::derive_support as choices;
    pub use crate::db::Db;
    pub use crate::error::{Error, Result, ValidationErrors};
    pub use crate::field::{CompositePk, Field, FieldTypeItems, ModelItems, RelationItems};
    pub use crate::model::{
        CloneFallback, CloneIfClone, CloneProbe, ColumnMeta, DefaultValue, Model, ModelMeta, RowReader,
        validate_email, validate_max_length,
    };
    pub use crate::query::{Insert, InsertSource, QuerySet, Update};
    pub use crate::relation::{
        ForeignKeyMeta, HasMany, LoadSingle, ManyToMany, OnDelete, Related, Relation, RelationKey,
        RelationKind, RelationMeta, RelationSlot, ToMany,
    };
    pub use crate::schema::{
        Apply, DefaultBool, DefaultFloat, DefaultInt, DefaultNow, DefaultStr, Patch, Projection, Validate,
        check_field, check_patch, no_default,
    };
    pub use crate::testing;
    pub use crate::value::{AutoKey, ColumnType, FieldType, Value};
    pub use chrono;
    pub use schemars;
    pub use serde;
    pub use serde_json;
    pub use sqlx;
}
