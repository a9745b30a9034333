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

mod choices;
mod db;
mod dialect;
mod driver;
mod error;
mod expr;
mod field;
pub mod manage;
pub mod migrate;
mod model;
mod query;
mod registry;
mod relation;
mod schema;
pub mod testing;
mod types;
mod validators;
mod value;

pub use async_trait::async_trait;
pub use choices::Choices;
pub use db::{
    Conflict, Db, DbBuilder, Executor, ModelInfo, PRIMARY, Param, Params, RawRow, Retry, Router, Transaction,
    TransactionBuilder,
};
pub use dialect::IsolationLevel;
pub use driver::{Args, Backend, RowRef};
pub use error::{
    ConfigError, Error, FieldError, IntegrityKind, NotLoaded, Result, TransactionError, ValidationError,
    ValidationErrors,
};
pub use expr::{
    ArrayAgg, Assignment, Avg, Case, ClockPart, Coalesce, Comparand, Concat, ContainedBy, Contains, Count,
    CountOf, DayPart, Exists, Expr, F, Greatest, IntoExpr, JsonField, JsonPath, JsonScalar, Least, Length,
    Lower, Max, Min, Now, NullIf, NumericOperand, Operand, OrderBy, OuterRef, Pattern, Q, StdDev, StringAgg,
    Subquery, SubqueryParts, SubquerySource, Substr, Sum, TimeTruncatable, Trim, TruncDate, TruncDay,
    TruncHour, TruncMonth, TruncYear, Truncatable, Upper, Variance, When, WithInner,
};
pub use field::{CompositePk, Field};
pub use kata_derive::{Choices, Model, ModelSchema, test};
pub use model::{ColumnMeta, DefaultValue, Model, ModelHooks, ModelMeta, RowReader};
pub use query::ModelExt;
pub use query::{
    Annotated, BulkInsert, Columns, Deleted, Insert, InsertSource, QuerySet, Selection, Update,
    ValuesQuerySet,
};
pub use relation::{
    AlsoRelated, AlsoRelatedTarget, ForeignKey, ForeignKeyMeta, HasMany, HasOne, ManyObjects, ManyToMany,
    ModelRef, OnDelete, OneObject, OneToOne, OptionalRelation, Prefetch, PrefetchTarget, Related,
    RelatedObjects, Relation, RelationKind, RelationMeta, SelectRelated, ToMany,
};
pub use relation::{IntoSelectRelated, Join, aprefetch_related_objects};
pub use schema::{Apply, Patch, Projection, Validate};
pub use types::Json;
pub use validators::{Bounded, CustomValidators, FieldValidators, Limit, RegexValidator};
pub use value::{
    ArrayItem, ArrayOf, ArrayValue, AutoKey, ColumnType, DateLike, FieldType, Integral, Numeric, Ordered,
    Text, TimeLike, Value,
};

// The crates whose types kata's API and derives use, so that a user's crate needs no
// dependency of its own on them (and gets the versions kata was built with).
pub use chrono;
/// `rust_decimal`, whose `Decimal` is a field type (feature `rust_decimal`).
#[cfg(feature = "rust_decimal")]
pub use rust_decimal;
pub use schemars;
pub use serde_json;
/// `uuid`, whose `Uuid` is a field type (feature `uuid`).
#[cfg(feature = "uuid")]
pub use uuid;

/// The stream traits for [`QuerySet::aiterator`]'s rows (futures' `StreamExt` and
/// `TryStreamExt`, re-exported so no `futures` dependency is needed; the prelude brings their
/// methods into scope).
///
/// ```
/// use kata::prelude::*;
/// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
/// # async fn demo() -> kata::Result<()> {
/// # let db = Db::connect("sqlite::memory:").await?;
/// # db.create_tables(&[Tag::meta()]).await?;
/// Tag::objects().acreate(&db, [Tag::name.set("a")]).await?;
/// let mut rows = std::pin::pin!(Tag::objects().aiterator(&db));
/// while let Some(tag) = rows.try_next().await? {
///     assert_eq!(tag.name, "a");
/// }
/// let names: Vec<String> = Tag::objects().aiterator(&db).map_ok(|t| t.name).try_collect().await?;
/// assert_eq!(names, ["a"]);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub mod stream {
    pub use futures_util::stream::{Stream, StreamExt, TryStreamExt};
}

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// The guide of `#[derive(Model)]` (kata-derive's `docs/model.md`, the derive's own
/// documentation), compiled and run as doctests: a proc-macro crate's doctests cannot use
/// kata.
#[cfg(doctest)]
#[doc = include_str!("../derive/docs/model.md")]
pub struct DeriveModelDoctests;

/// The guide of `#[derive(ModelSchema)]` (kata-derive's `docs/model_schema.md`), compiled
/// and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../derive/docs/model_schema.md")]
pub struct DeriveModelSchemaDoctests;

/// The guide of `#[derive(Choices)]` (kata-derive's `docs/choices.md`), compiled and run as
/// doctests.
#[cfg(doctest)]
#[doc = include_str!("../derive/docs/choices.md")]
pub struct DeriveChoicesDoctests;

/// Everything a module that declares or queries models needs.
///
/// ```
/// use kata::prelude::*;
/// ```
pub mod prelude {
    pub use crate::stream::{StreamExt as _, TryStreamExt as _};
    pub use crate::{
        Avg, Choices, Count, CountOf, Db, Executor, F, Field, ForeignKey, HasMany, HasOne, ManyToMany, Max,
        Min, Model, ModelExt, ModelHooks, ModelSchema, OneToOne, OptionalRelation, Patch, Prefetch, Q,
        QuerySet, Sum, Transaction, Validate,
    };
}

/// Used by generated code; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::choices::Choices;
    pub use crate::choices::derive_support as choices;
    pub use crate::db::Db;
    pub use crate::driver::{Args, RowRef};
    pub use crate::error::{Error, Result, ValidationErrors};
    pub use crate::field::{CompositePk, Field, FieldTypeItems, ModelItems, RelationItems};
    pub use crate::model::{
        BlankText, CloneFallback, CloneIfClone, CloneProbe, ColumnMeta, DefaultValue, Model, ModelHooks,
        ModelMeta, RowReader, validate_email, validate_email_unless_blank, validate_max_length,
    };
    pub use crate::query::{Insert, InsertSource, QuerySet, Update};
    pub use crate::relation::{
        __reverse_foreign_key, __reverse_many_to_many, ForeignKeyMeta, HasMany, LoadSingle, ManyToMany,
        OnDelete, Related, Relation, RelationKey, RelationKind, RelationMeta, RelationSlot, ToMany,
    };
    pub use crate::schema::{
        Apply, DefaultBool, DefaultFloat, DefaultInt, DefaultNow, DefaultStr, DefaultUuid4, Patch,
        Projection, Validate, check_field, check_patch, deserialize_null_as, iso_duration, no_default,
        validators_schema,
    };
    pub use crate::testing;
    pub use crate::types::validate_column;
    pub use crate::validators::{
        Bounded, FieldValidators, Limit, RegexValidator, ValidateWith, assert_bounded, assert_text,
        run_validator, validate_rules,
    };
    pub use crate::value::{AutoKey, ColumnType, FieldType, Text, Value};
    pub use chrono;
    pub use schemars;
    pub use serde;
    pub use serde_json;
    pub use sqlx;
}
