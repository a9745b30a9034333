//! Derive and attribute macros for [kata](https://docs.rs/kata): `#[derive(Model)]`,
//! `#[derive(Choices)]`, `#[derive(ModelSchema)]` and `#[kata::test]`.
//!
//! Use them through kata (`use kata::prelude::*;` brings `Model` in, and `#[kata::test]` is
//! re-exported as `kata::test`); the generated code refers to `::kata::__private` only, so a
//! crate that uses them needs no other dependency. The examples here are shown as text,
//! since this crate cannot depend on kata; the same examples compile and run as doctests in
//! kata's own documentation and README.
//!
//! The pipeline follows serde_derive: every `#[kata(...)]` and `#[model_schema(...)]`
//! attribute is parsed into an internal AST (`internals::attr`, `internals::ast`),
//! cross-field rules are checked (`internals::check`, `internals::check_schema`), and only an
//! input without errors reaches a generator (`model`, `schema`, `choices`, `test_attr`).
//! Errors are collected, not returned on the first one, so a compile reports every mistake at
//! once, each at the token to fix.

#![deny(missing_docs)]

mod choices;
mod internals;
mod model;
mod schema;
mod test_attr;

use proc_macro::TokenStream;

/// Derives `kata::Model` for a struct with named fields, plus a typed field handle per field
/// (`User::username`), `User::pk`, `User::objects()` and `User::meta()`.
///
/// Container attributes: `#[kata(table = "name")]` (default: the struct's name in
/// snake_case, `OrderItem` -> `order_item`) and `#[kata(unique_together(field_a, field_b))]`
/// (repeatable).
///
/// Field attributes, comma-separated, in one or several `#[kata(...)]`: `primary_key` (on
/// several fields for a composite key), `auto` (a database-assigned integer key), `unique`,
/// `index`, `email`, `max_length = 150`, `default = "" | true | 3 | 1.5 | now`,
/// `column = "name"` (default: the field's name).
///
/// ```text
/// use kata::prelude::*;
/// use chrono::{DateTime, Utc};
///
/// #[derive(Model, Debug, Clone, PartialEq)]
/// #[kata(table = "auth_user", unique_together(first_name, last_name))]
/// pub struct User {
///     #[kata(primary_key, auto)]
///     pub id: i64,
///     #[kata(unique, max_length = 150)]
///     pub username: String,
///     #[kata(max_length = 254, email)]
///     pub email: String,
///     #[kata(max_length = 150, default = "")]
///     pub first_name: String,
///     #[kata(max_length = 150, default = "")]
///     pub last_name: String,
///     #[kata(default = now)]
///     pub date_joined: DateTime<Utc>,
///     pub last_login: Option<DateTime<Utc>>,
/// }
///
/// assert_eq!(User::meta().table, "auth_user");
/// let query = User::objects().filter(User::username.icontains("an"));
/// ```
#[proc_macro_derive(Model, attributes(kata))]
pub fn derive_model(input: TokenStream) -> TokenStream {
    model::derive(input.into()).into()
}

/// Runs an `async fn(db: Db)` as a test, once per configured backend, each time on a fresh
/// database. The function may return `()` or a `Result`.
///
/// `#[kata::test(backends = "postgres,mysql")]` limits the backends (names: `sqlite`,
/// `postgres`, `mysql`).
///
/// ```text
/// use kata::prelude::*;
///
/// #[kata::test]
/// async fn creates_users(db: Db) -> kata::Result<()> {
///     db.create_tables(&[User::meta()]).await?;
///     assert_eq!(User::objects().acount(&db).await?, 0);
///     Ok(())
/// }
/// ```
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    test_attr::expand_test(args.into(), item.clone())
        .unwrap_or_else(|err| test_attr::with_errors(err, item))
        .into()
}

/// Derives `kata::Choices` for a fieldless enum (Django's `TextChoices` and `IntegerChoices`),
/// and with it `kata::FieldType`, serde's `Serialize` and `Deserialize` and schemars'
/// `JsonSchema`, so the enum can be a model field (`Status` or `Option<Status>`).
///
/// The enum is stored as text: each variant's name as written, or renamed by the container's
/// `#[kata(rename_all = "...")]` (serde's rules: `lowercase`, `UPPERCASE`, `PascalCase`,
/// `camelCase`, `snake_case`, `SCREAMING_SNAKE_CASE`, `kebab-case`, `SCREAMING-KEBAB-CASE`;
/// an acronym stays one word, `HTTPError` -> `http_error`), or the text of a variant's
/// `#[kata(value = "...")]`. With `#[repr(i16)]`, `#[repr(i32)]` or `#[repr(i64)]` it is
/// stored as that integer: each variant's discriminant, an integer literal or implicit.
/// serde and JSON Schema use the stored values; a value the enum does not know is an error
/// (`kata::Error::Decode` when read from the database), never a panic.
///
/// ```text
/// use kata::prelude::*;
///
/// #[derive(Choices, Debug, Clone, Copy, PartialEq)]
/// #[kata(rename_all = "snake_case")]
/// pub enum Status {
///     Draft,
///     InReview,
///     #[kata(value = "pub")]
///     Published,
/// }
///
/// #[derive(Choices, Debug, Clone, Copy, PartialEq)]
/// #[repr(i16)]
/// pub enum Priority {
///     Low = 1,
///     Normal,
///     Urgent = 10,
/// }
///
/// #[derive(Model, Debug, Clone, PartialEq)]
/// pub struct Post {
///     #[kata(primary_key, auto)]
///     pub id: i64,
///     #[kata(max_length = 20)]
///     pub status: Status,
///     pub priority: Option<Priority>,
/// }
///
/// let published = Post::objects().filter(Post::status.eq(Status::Published));
/// ```
#[proc_macro_derive(Choices, attributes(kata))]
pub fn derive_choices(input: TokenStream) -> TokenStream {
    choices::expand_choices(input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Derives API schemas from a model: one struct per `#[model_schema(Name, ...)]`.
///
/// After the name: `fields(a, b)`, `exclude(a, b)` or `fields = "__all__"` (one of them);
/// `optional(a, b)` or `optional = "__all__"` (tri-state `Patch` fields, for partial
/// updates); `nested(author = UserOut)` (a foreign key output as the related object's
/// schema); `derive(Eq, Hash)`; `rename_all = "camelCase"` (serde's rules); `doc = "..."`;
/// `no_default`. `derive` and `nested` may be repeated, every other key is written once.
///
/// ```text
/// #[derive(Model, ModelSchema, Debug, Clone)]
/// #[model_schema(UserOut, exclude(password))]
/// #[model_schema(UserPatch, fields(email, last_login), optional = "__all__")]
/// pub struct User {
///     #[kata(primary_key, auto)]
///     pub id: i64,
///     #[kata(max_length = 254, email)]
///     pub email: String,
///     pub password: String,
///     pub last_login: Option<DateTime<Utc>>,
/// }
/// ```
#[proc_macro_derive(ModelSchema, attributes(model_schema))]
pub fn derive_model_schema(input: TokenStream) -> TokenStream {
    schema::expand_schema(input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}
