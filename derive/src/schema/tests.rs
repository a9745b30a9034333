//! Expansions of `#[derive(ModelSchema)]`: the errors its attributes and checks report, and
//! the names it generates.

use proc_macro2::TokenStream;
use quote::quote;

use super::expand_schema;

/// Every error message of a failed expansion, in order.
fn errors(input: TokenStream) -> Vec<String> {
    match expand_schema(input) {
        Ok(output) => panic!("expected errors, got an expansion:\n{output}"),
        Err(err) => err.into_iter().map(|e| e.to_string()).collect(),
    }
}

/// The expansion as text, after checking that it parses as a Rust file.
fn expand(input: TokenStream) -> String {
    let output = match expand_schema(input) {
        Ok(output) => output,
        Err(err) => {
            panic!("unexpected errors: {:?}", err.into_iter().map(|e| e.to_string()).collect::<Vec<_>>())
        }
    };
    if let Err(err) = syn::parse2::<syn::File>(output.clone()) {
        panic!("the expansion is not valid Rust: {err}\n{output}");
    }
    output.to_string()
}

/// A model with a plain field, a nullable one, a foreign key and a reverse relation.
fn user(schemas: TokenStream) -> TokenStream {
    quote! {
        #schemas
        struct User {
            #[kata(primary_key, auto)]
            id: i64,
            #[kata(max_length = 150)]
            username: String,
            last_login: Option<String>,
            #[kata(foreign_key)]
            team: ForeignKey<Team>,
            #[kata(reverse_of = Post::author)]
            posts: HasMany<Post>,
        }
    }
}

#[test]
fn a_key_written_twice_is_reported_at_the_second_one() {
    let messages = errors(user(quote! {
        #[model_schema(UserOut, fields(id), fields(username), rename_all = "camelCase",
            rename_all = "kebab-case", no_default, no_default, doc = "a", doc = "b")]
    }));
    assert_eq!(
        messages,
        [
            "duplicate model_schema attribute `fields`",
            "duplicate model_schema attribute `rename_all`",
            "duplicate model_schema attribute `no_default`",
            "duplicate model_schema attribute `doc`",
        ]
    );
}

#[test]
fn every_attribute_and_check_mistake_is_reported_at_once() {
    let messages = errors(user(quote! {
        #[model_schema(UserOut, fields(id, usernam), optional(emial), rename_all = "Camel", colour = "red")]
        #[model_schema(UserIn, fields(id), exclude(username), nested(username = UserOut))]
        #[model_schema(UserPatch)]
    }));
    assert_eq!(
        messages,
        [
            "unknown `rename_all` rule \"Camel\"; expected one of: \"lowercase\", \"UPPERCASE\", \
             \"PascalCase\", \"camelCase\", \"snake_case\", \"SCREAMING_SNAKE_CASE\", \"kebab-case\", \
             \"SCREAMING-KEBAB-CASE\"",
            "unknown model_schema attribute `colour`; expected one of: fields, exclude, optional, \
             nested, derive, rename_all, doc, no_default",
            "`User` has no field `usernam`",
            "`User` has no field `emial`",
            "use either `fields` or `exclude`, not both (as in Django Ninja)",
            "`username` is nested but not a field of schema `UserIn`",
            "schema `UserPatch` needs `fields(..)`, `exclude(..)` or `fields = \"__all__\"`",
        ]
    );
}

#[test]
fn a_value_of_the_wrong_shape_shows_the_usage() {
    let messages = errors(user(quote! {
        #[model_schema(UserOut, fields = "all", optional, exclude = "x", derive = Eq, nested(team))]
    }));
    assert_eq!(
        messages,
        [
            "`fields` takes a list `fields(a, b)`, or `fields = \"__all__\"`",
            "`optional` takes a list `optional(a, b)`, or `optional = \"__all__\"`",
            "`exclude` takes a list `exclude(a, b)`",
            "expected `derive(Trait, ...)`",
            "expected `field = Schema`: `nested(author = UserOut)`",
        ]
    );
}

#[test]
fn relation_rules_name_the_field() {
    let messages = errors(user(quote! {
        #[model_schema(UserOut, fields(id, posts, username), nested(username = UserOut))]
        #[model_schema(UserRef, fields(id, team), nested(team = TeamOut), nested(team = TeamOut))]
    }));
    assert_eq!(
        messages,
        [
            "`posts` is a reverse relation: put it in a schema of the model that holds the foreign key",
            "`username` is not a ForeignKey or OneToOne field: only those can be nested",
            "`team` is nested twice in schema `UserRef`",
        ]
    );
}

#[test]
fn schema_names_must_differ_from_each_other_and_from_the_model() {
    let messages = errors(user(quote! {
        #[model_schema(UserOut, fields(id))]
        #[model_schema(UserOut, fields(username))]
        #[model_schema(User, fields(id))]
    }));
    assert_eq!(messages, ["two schemas are named `UserOut`", "a schema cannot have the model's own name"]);
}

#[test]
fn rename_all_names_the_keys_in_validation_messages_as_serde_does() {
    let out = expand(user(quote! {
        #[model_schema(UserPatch, fields(username, last_login), optional = "__all__", rename_all = "camelCase")]
    }));
    assert!(out.contains("\"lastLogin\""), "{out}");
    assert!(out.contains("rename_all = \"camelCase\""), "{out}");
}

#[test]
fn fields_all_leaves_out_reverse_relations() {
    let out = expand(user(quote! {
        #[model_schema(UserOut, fields = "__all__")]
    }));
    assert!(out.contains("pub team_id"), "{out}");
    assert!(!out.contains("pub posts"), "{out}");
}
