//! Derive and attribute macros for [kata](https://docs.rs/kata): `#[derive(Model)]` and
//! `#[kata::test]`.
//!
//! Use them through kata (`use kata::prelude::*;` brings `Model` in, and `#[kata::test]` is
//! re-exported as `kata::test`); the generated code refers to `::kata::__private` only, so a
//! crate that uses them needs no other dependency.
//!
//! The pipeline follows serde_derive: every `#[kata(...)]` attribute is parsed into an
//! internal AST (`internals::attr`, `internals::ast`), cross-field rules are checked
//! (`internals::check`), and only an input without errors reaches a generator (`model`,
//! `test_attr`). Errors are collected, not returned on the first one, so a compile reports
//! every mistake at once, each at the token to fix.

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
/// ```ignore
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
    model::expand_model(input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Runs an `async fn(db: Db)` as a test, once per configured backend, each time on a fresh
/// database. The function may return `()` or a `Result`.
///
/// `#[kata::test(backends = "postgres,mysql")]` limits the backends (names: `sqlite`,
/// `postgres`, `mysql`).
///
/// ```ignore
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

/// Derives `kata::FieldType` (and serde and JSON Schema support) for a fieldless enum, so it
/// can be a model field stored as text, or as an integer with `#[repr(i16|i32|i64)]`.
#[proc_macro_derive(Choices, attributes(kata))]
pub fn derive_choices(input: TokenStream) -> TokenStream {
    choices::expand_choices(input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Derives API schemas from a model: one struct per `#[model_schema(Name, ...)]`.
#[proc_macro_derive(ModelSchema, attributes(model_schema))]
pub fn derive_model_schema(input: TokenStream) -> TokenStream {
    schema::expand_schema(input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}
