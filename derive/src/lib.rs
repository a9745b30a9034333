//! Derive and attribute macros for [kata](https://docs.rs/kata): `#[derive(Model)]`,
//! `#[derive(Choices)]`, `#[derive(ModelSchema)]` and `#[kata::test]`.
//!
//! Use them through kata (`use kata::prelude::*;` brings `Model` in, and `#[kata::test]` is
//! re-exported as `kata::test`); the generated code refers to `::kata::__private` only, so a
//! crate that uses them needs no other dependency.
//!
//! The guides of the three derives live in `docs/model.md`, `docs/model_schema.md` and
//! `docs/choices.md`: they are the derives' documentation here and, re-exported, in kata's.
//! A proc-macro crate's doctests cannot use kata, so this crate leaves them out of its own
//! doctests (`cfg(doctest)`), and kata compiles and runs every example in them as its
//! doctests (`cargo test --doc -p kata`). `#[kata::test]`'s example is shown as text.
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

/// Derives `kata::Model` for a struct with named fields: Django's `class User(models.Model)`.
///
#[cfg_attr(not(doctest), doc = include_str!("../docs/model.md"))]
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

/// Derives `kata::Choices` for a fieldless enum: Django's `TextChoices` and `IntegerChoices`.
///
#[cfg_attr(not(doctest), doc = include_str!("../docs/choices.md"))]
#[proc_macro_derive(Choices, attributes(kata))]
pub fn derive_choices(input: TokenStream) -> TokenStream {
    choices::expand_choices(input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Derives API schemas from a model (Django Ninja's `ModelSchema`): one struct per
/// `#[model_schema(Name, ...)]`.
///
#[cfg_attr(not(doctest), doc = include_str!("../docs/model_schema.md"))]
#[proc_macro_derive(ModelSchema, attributes(model_schema))]
pub fn derive_model_schema(input: TokenStream) -> TokenStream {
    schema::expand_schema(input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}
