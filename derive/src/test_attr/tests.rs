//! Expansions of `#[kata::test]`: the errors it reports and the test it generates.

use proc_macro2::TokenStream;
use quote::quote;

use super::expand_test;

fn expand(args: TokenStream, item: TokenStream) -> String {
    let output = match expand_test(args, item) {
        Ok(output) => output,
        Err(err) => panic!("unexpected errors: {:?}", messages_of(err)),
    };
    if let Err(err) = syn::parse2::<syn::File>(output.clone()) {
        panic!("the expansion is not valid Rust: {err}\n{output}");
    }
    squash(&output.to_string())
}

fn errors(args: TokenStream, item: TokenStream) -> Vec<String> {
    match expand_test(args, item) {
        Ok(output) => panic!("expected errors, got an expansion:\n{output}"),
        Err(err) => messages_of(err),
    }
}

fn messages_of(err: syn::Error) -> Vec<String> {
    err.into_iter().map(|e| e.to_string()).collect()
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn tokens(fragment: TokenStream) -> String {
    squash(&fragment.to_string())
}

#[test]
fn async_test_becomes_a_sync_test_that_runs_the_body_per_backend() {
    let out = expand(
        quote!(),
        quote! {
            async fn creates_users(db: Db) {
                db.create_tables(&[]).await.unwrap();
            }
        },
    );
    let expected = tokens(quote! {
        #[::core::prelude::v1::test]
        fn creates_users() {
            async fn __kata_test_body(db: Db) {
                db.create_tables(&[]).await.unwrap();
            }
            ::kata::__private::testing::run(
                ::core::concat!(::core::module_path!(), "::", "creates_users"),
                ::core::option::Option::None,
                |db| ::std::boxed::Box::pin(__kata_test_body(db)),
            );
        }
    });
    assert_eq!(out, expected);
}

#[test]
fn return_type_pattern_and_attributes_are_kept() {
    let out = expand(
        quote!(),
        quote! {
            /// Docs.
            #[allow(unused_mut)]
            async fn r#loop(mut conn: kata::Db) -> Result<(), String> { Ok(()) }
        },
    );
    assert!(out.starts_with(&tokens(quote! {
        #[doc = r" Docs."]
        #[allow(unused_mut)]
        #[::core::prelude::v1::test]
        fn r#loop()
    })));
    assert!(out.contains(&tokens(quote! {
        async fn __kata_test_body(mut conn: kata::Db) -> Result<(), String> { Ok(()) }
    })));
    assert!(out.contains(&tokens(quote!("::", "loop"))));
}

#[test]
fn backends_are_passed_on_normalised() {
    let out = expand(
        quote!(backends = " postgres, mysql "),
        quote!(
            async fn t(db: Db) {}
        ),
    );
    assert!(out.contains(&tokens(quote!(::core::option::Option::Some("postgres,mysql")))));
}

#[test]
fn a_sync_fn_is_rejected() {
    assert_eq!(
        errors(
            quote!(),
            quote!(
                fn creates_users(db: Db) {}
            )
        ),
        ["#[kata::test] needs an `async fn`: write `async fn creates_users(db: Db)`"]
    );
}

#[test]
fn exactly_one_parameter_is_required() {
    let message = "#[kata::test] functions take exactly one parameter, the database: `async fn t(db: Db)`";
    assert_eq!(
        errors(
            quote!(),
            quote!(
                async fn t() {}
            )
        ),
        [message]
    );
    assert_eq!(
        errors(
            quote!(),
            quote!(
                async fn t(a: Db, b: Db) {}
            )
        ),
        [message]
    );
    assert_eq!(
        errors(
            quote!(),
            quote!(
                async fn t(self) {}
            )
        ),
        [message]
    );
}

#[test]
fn every_signature_problem_is_reported_together() {
    assert_eq!(
        errors(
            quote!(),
            quote!(
                fn t<T>() {}
            )
        ),
        [
            "#[kata::test] needs an `async fn`: write `async fn t(db: Db)`",
            "#[kata::test] functions cannot be generic",
            "#[kata::test] functions take exactly one parameter, the database: `async fn t(db: Db)`",
        ]
    );
}

#[test]
fn unknown_arguments_and_backends_are_rejected() {
    assert_eq!(
        errors(
            quote!(backend = "postgres", backends = "postgres,,oracle", backends = "mysql"),
            quote!(
                async fn t(db: Db) {}
            ),
        ),
        [
            "unknown #[kata::test] argument `backend`; expected: backends",
            "empty backend name in `backends`; expected a comma-separated list of: sqlite, postgres, mysql",
            "unknown backend `oracle` in `backends`; expected a comma-separated list of: sqlite, postgres, mysql",
            "duplicate #[kata::test] argument `backends`",
        ]
    );
    assert_eq!(
        errors(
            quote!(backends = postgres),
            quote!(
                async fn t(db: Db) {}
            )
        ),
        ["expected a string literal for `backends`, e.g. `backends = \"postgres,mysql\"`"]
    );
}

#[test]
fn argument_errors_and_signature_errors_are_reported_together() {
    assert_eq!(
        errors(
            quote!(foo),
            quote!(
                fn t(db: Db) {}
            )
        ),
        [
            "unknown #[kata::test] argument `foo`; expected: backends",
            "#[kata::test] needs an `async fn`: write `async fn t(db: Db)`",
        ]
    );
}

#[test]
fn failed_expansion_keeps_the_function_beside_the_errors() {
    let item = quote!(
        fn t(db: Db) {}
    );
    let err = expand_test(quote!(), item.clone()).unwrap_err();
    let out = squash(&super::with_errors(err, item).to_string());
    assert!(out.contains("compile_error!"));
    assert!(out.contains(&tokens(quote!(
        #[allow(dead_code)]
        fn t(db: Db) {}
    ))));
}
