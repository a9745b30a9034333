//! Expansions of `#[derive(Choices)]`: the errors it reports and the code it generates.

use proc_macro2::TokenStream;
use quote::quote;

use super::expand_choices;

/// The expansion as text, after checking that it parses as a Rust file.
fn expand(input: TokenStream) -> String {
    let output = match expand_choices(input) {
        Ok(output) => output,
        Err(err) => panic!("unexpected errors: {:?}", messages_of(err)),
    };
    if let Err(err) = syn::parse2::<syn::File>(output.clone()) {
        panic!("the expansion is not valid Rust: {err}\n{output}");
    }
    output.to_string()
}

/// Every error message of a failed expansion, in order.
fn errors(input: TokenStream) -> Vec<String> {
    match expand_choices(input) {
        Ok(output) => panic!("expected errors, got an expansion:\n{output}"),
        Err(err) => messages_of(err),
    }
}

fn messages_of(err: syn::Error) -> Vec<String> {
    err.into_iter().map(|e| e.to_string()).collect()
}

/// True when the expansion contains the tokens of `fragment`, whitespace ignored.
fn has(expansion: &str, fragment: TokenStream) -> bool {
    squash(expansion).contains(&squash(&fragment.to_string()))
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn text_values_are_the_variant_names_as_written() {
    let out = expand(quote! {
        enum Status { Draft, InReview, r#Published }
    });
    assert!(has(
        &out,
        quote!(
            const VALUES: &'static [&'static str] = &["Draft", "InReview", "Published"];
        )
    ));
    assert!(has(&out, quote!(Status::InReview => "InReview",)));
    assert!(has(&out, quote!("Published" => ::core::option::Option::Some(Status::r#Published),)));
    assert!(has(
        &out,
        quote!(
            const COLUMN_TYPE: __k::ColumnType = __k::ColumnType::Text;
        )
    ));
    assert!(has(&out, quote!(__k::choices::decode_text(row, index, "Status"))));
}

#[test]
fn rename_all_and_value_set_the_stored_text() {
    let out = expand(quote! {
        #[kata(rename_all = "snake_case")]
        enum Status {
            Draft,
            InReview,
            #[kata(value = "pub")]
            Published,
        }
    });
    assert!(has(&out, quote!(&["draft", "in_review", "pub"])));
}

#[test]
fn integer_repr_stores_explicit_and_implicit_discriminants() {
    let out = expand(quote! {
        #[derive(Debug)]
        #[repr(i32)]
        enum Priority { Low = -1, Normal, High = 10, Urgent }
    });
    assert!(has(&out, quote!(&["-1", "0", "10", "11"])));
    assert!(has(
        &out,
        quote!(
            const COLUMN_TYPE: __k::ColumnType = __k::ColumnType::Integer;
        )
    ));
    assert!(has(&out, quote!(fn discriminant(value: &Priority) -> i32)));
    assert!(has(
        &out,
        quote!(Priority::Low => -1, Priority::Normal => 0, Priority::High => 10, Priority::Urgent => 11,)
    ));
    assert!(has(&out, quote!(__k::Value::Int(discriminant(self)))));
    assert!(has(&out, quote!(__k::choices::integer_schema(&[-1, 0, 10, 11]))));
}

#[test]
fn every_integer_repr_maps_to_its_column_type() {
    for (repr, column) in [(quote!(i16), quote!(SmallInt)), (quote!(i64), quote!(BigInt))] {
        let out = expand(quote! {
            #[repr(C, #repr)]
            enum Level { A, B }
        });
        assert!(has(&out, quote!(const COLUMN_TYPE: __k::ColumnType = __k::ColumnType::#column;)));
        assert!(has(&out, quote!(<#repr as __k::FieldType>::decode(row, index)?)));
    }
}

#[test]
fn generated_items_are_hidden_in_a_const_block() {
    let out = expand(quote!(
        enum Status {
            Draft,
        }
    ));
    assert!(
        squash(&out)
            .starts_with(&squash("# [doc (hidden)] const _ : () = { use :: kata :: __private as __k ;"))
    );
    assert!(has(&out, quote!(impl __k::Choices for Status)));
    assert!(has(&out, quote!(impl<'de> __k::serde::Deserialize<'de> for Status)));
    assert!(has(&out, quote!(impl __k::schemars::JsonSchema for Status)));
}

#[test]
fn structs_and_unions_are_rejected() {
    assert_eq!(
        errors(quote!(
            struct Status {
                a: i32,
            }
        )),
        ["#[derive(Choices)] supports only enums whose variants have no fields, and `Status` is a struct"]
    );
    assert_eq!(
        errors(quote!(
            union Bits {
                a: i32,
            }
        )),
        ["#[derive(Choices)] supports only enums whose variants have no fields, and `Bits` is a union"]
    );
}

#[test]
fn every_mistake_is_reported_at_once() {
    let messages = errors(quote! {
        #[kata(rename_all = "snake", table = "x")]
        enum Shape<T> {
            Circle(f64),
            Square { side: f64 },
            #[kata(value = 3, label = "x")]
            Point,
        }
    });
    assert_eq!(
        messages,
        [
            "unknown `rename_all` rule \"snake\"; expected one of: \"lowercase\", \"UPPERCASE\", \
             \"PascalCase\", \"camelCase\", \"snake_case\", \"SCREAMING_SNAKE_CASE\", \"kebab-case\", \
             \"SCREAMING-KEBAB-CASE\"",
            "unknown kata attribute `table`; expected one of: rename_all",
            "#[derive(Choices)] does not support generic enums: `Shape` has generic parameters",
            "#[derive(Choices)] needs variants without fields: `Shape::Circle` has fields; write `Circle,`",
            "#[derive(Choices)] needs variants without fields: `Shape::Square` has fields; write `Square,`",
            "expected a string literal for `value`, e.g. `value = \"text\"`",
            "unknown kata attribute `label`; expected one of: value",
        ]
    );
}

#[test]
fn duplicate_text_values_name_both_variants() {
    let messages = errors(quote! {
        #[kata(rename_all = "lowercase")]
        enum Status {
            Draft,
            #[kata(value = "draft")]
            OldDraft,
            DRAFT,
        }
    });
    assert_eq!(
        messages,
        [
            "`Status::Draft` and `Status::OldDraft` are both stored as \"draft\"; give one of them \
             another #[kata(value = \"...\")]",
            "`Status::Draft` and `Status::DRAFT` are both stored as \"draft\"; give one of them \
             another #[kata(value = \"...\")]",
        ]
    );
}

#[test]
fn integer_choices_reject_text_attributes_and_computed_discriminants() {
    let messages = errors(quote! {
        #[kata(rename_all = "lowercase")]
        #[repr(i16)]
        enum Level {
            #[kata(value = "low")]
            Low,
            High = 1 << 3,
            Max = 40000,
        }
    });
    assert_eq!(
        messages,
        [
            "`rename_all` renames text choices, but `Level` is stored as its #[repr(i16)] \
             discriminants; remove `rename_all`",
            "`value` sets the text of a text choice, but `Level` is stored as its #[repr(i16)] \
             discriminants; write `Low = 1` instead",
            "#[derive(Choices)] needs an integer literal as the discriminant of an integer choice, \
             e.g. `High = 3`",
            "`Level::Max` is stored as 40000, which does not fit in #[repr(i16)]",
        ]
    );
}

#[test]
fn unsupported_integer_reprs_and_empty_enums_are_rejected() {
    assert_eq!(
        errors(quote! {
            #[repr(u8)]
            enum Level { Low }
        }),
        ["#[derive(Choices)] stores an integer enum as i16, i32 or i64, not u8: use #[repr(i16)], \
          #[repr(i32)] or #[repr(i64)]"]
    );
    assert_eq!(
        errors(quote!(
            enum Never {}
        )),
        ["#[derive(Choices)] needs at least one variant: `Never` has none"]
    );
}
