//! Expansions of `#[derive(Model)]`: the errors it reports and the code it generates.

use proc_macro2::TokenStream;
use quote::quote;

use super::expand_model;

/// The expansion as text, after checking that it parses as a Rust file.
fn expand(input: TokenStream) -> String {
    let output = match expand_model(input) {
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
    match expand_model(input) {
        Ok(output) => panic!("expected errors, got an expansion:\n{output}"),
        Err(err) => messages_of(err),
    }
}

fn messages_of(err: syn::Error) -> Vec<String> {
    err.into_iter().map(|e| e.to_string()).collect()
}

/// True when the expansion contains the tokens of `fragment`. Whitespace is ignored, since
/// proc-macro2 prints `>>` and `> >` differently depending on how the tokens were made.
fn has(expansion: &str, fragment: TokenStream) -> bool {
    squash(expansion).contains(&squash(&fragment.to_string()))
}

/// The same for a fragment whose brackets do not balance (the start of a call, say).
fn has_text(expansion: &str, fragment: &str) -> bool {
    squash(expansion).contains(&squash(fragment))
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn user() -> TokenStream {
    quote! {
        #[kata(table = "auth_user", unique_together(first_name, last_name))]
        pub struct User {
            #[kata(primary_key, auto)]
            pub id: i64,
            #[kata(unique, max_length = 150)]
            pub username: String,
            #[kata(max_length = 254, email)]
            pub email: String,
            #[kata(max_length = 150, default = "")]
            pub first_name: String,
            #[kata(max_length = 150)]
            #[kata(default = "", column = "surname")]
            pub last_name: String,
            #[kata(default = true, index)]
            pub is_active: bool,
            #[kata(default = now)]
            pub date_joined: DateTime<Utc>,
            pub last_login: Option<DateTime<Utc>>,
        }
    }
}

#[test]
fn user_model_expands_to_valid_rust() {
    let out = expand(user());
    assert!(has(&out, quote!(impl User)));
    assert!(has(&out, quote!(impl ::kata::__private::Model for User)));
    assert!(has_text(&out, r#"__k::ModelMeta::__new("User", "auth_user","#));
}

#[test]
fn field_handles_are_consts_indexed_by_position() {
    let out = expand(user());
    assert!(has(
        &out,
        quote!(
            pub const id: ::kata::__private::Field<User, i64> = ::kata::__private::Field::__new(0);
        )
    ));
    assert!(has(
        &out,
        quote!(
            pub const last_login: ::kata::__private::Field<User, Option<DateTime<Utc>>> =
                ::kata::__private::Field::__new(7);
        )
    ));
    assert!(has(&out, quote!(#[doc = "The `last_name` field of [`User`] (column `surname`)."])));
}

#[test]
fn single_primary_key_is_a_field_handle_and_the_pk_type() {
    let out = expand(user());
    assert!(has(
        &out,
        quote!(
            pub const pk: ::kata::__private::Field<User, i64> = ::kata::__private::Field::__new(0);
        )
    ));
    assert!(has(
        &out,
        quote!(
            type Pk = i64;
        )
    ));
    assert!(has(
        &out,
        quote!(
            fn pk(&self) -> i64 {
                ::core::clone::Clone::clone(&self.id)
            }
        )
    ));
    assert!(has_text(&out, r#")], &[0],"#));
}

#[test]
fn objects_and_meta_are_inherent_functions() {
    let out = expand(user());
    assert!(has(
        &out,
        quote!(
            pub fn objects() -> __k::QuerySet<User> {
                __k::QuerySet::new()
            }
        )
    ));
    assert!(has(
        &out,
        quote!(
            pub fn meta() -> &'static __k::ModelMeta {
                &META
            }
        )
    ));
}

#[test]
fn column_meta_carries_every_attribute() {
    let out = expand(user());
    assert!(has(
        &out,
        quote!(__k::ColumnMeta::__new(
            "id",
            "id",
            __k::ColumnType::__field(<i64 as __k::FieldType>::COLUMN_TYPE, ::core::option::Option::None),
            <i64 as __k::FieldType>::NULLABLE,
            true,
            true,
            false,
            false,
            ::core::option::Option::None,
            false,
            ::core::option::Option::None,
            ::core::option::Option::None,
        ))
    ));
    assert!(has_text(&out, r#"__k::ColumnMeta::__new("username", "username","#));
    assert!(has_text(&out, "false, false, true, false, ::core::option::Option::Some(150), false,"));
    assert!(has_text(&out, r#"__k::ColumnMeta::__new("last_name", "surname","#));
    assert!(has_text(
        &out,
        r#"false, true, ::core::option::Option::None, false, ::core::option::Option::Some(__k::DefaultValue::Bool(true))"#
    ));
}

#[test]
fn decimal_precision_reaches_the_column_type_and_validation() {
    let out = expand(quote! {
        struct Price {
            #[kata(primary_key)] id: i64,
            #[kata(max_digits = 10, decimal_places = 2)] amount: Decimal,
        }
    });
    assert!(has_text(&out, "::core::option::Option::Some((10u8, 2u8))"));
    assert!(has_text(&out, "__k::validate_column("));
    let errors = errors(quote! {
        struct Price {
            #[kata(primary_key)] id: i64,
            #[kata(max_digits = 2, decimal_places = 3)] a: Decimal,
            #[kata(max_digits = 2)] b: Decimal,
            #[kata(max_digits = 29, decimal_places = 0)] c: Decimal,
        }
    });
    assert_eq!(
        errors,
        [
            "`decimal_places` must not exceed `max_digits`",
            "a decimal field needs both `max_digits` and `decimal_places`",
            "`max_digits` must be between 1 and 28",
        ]
    );
}

#[test]
fn defaults_of_every_kind() {
    let out = expand(user());
    assert!(has(&out, quote!(::core::option::Option::Some(__k::DefaultValue::Str("")))));
    assert!(has(&out, quote!(::core::option::Option::Some(__k::DefaultValue::Bool(true)))));
    assert!(has(&out, quote!(::core::option::Option::Some(__k::DefaultValue::Now))));

    let out = expand(quote! {
        struct Numbers {
            #[kata(primary_key)] id: i64,
            #[kata(default = 3)] a: i64,
            #[kata(default = -3)] b: i64,
            #[kata(default = 1.5)] c: f64,
            #[kata(default = -1.5f32)] d: f64,
            #[kata(default = -9223372036854775808)] e: i64,
        }
    });
    assert!(has(&out, quote!(__k::DefaultValue::Int(3))));
    assert!(has(&out, quote!(__k::DefaultValue::Int(-3))));
    assert!(has(&out, quote!(__k::DefaultValue::Float(1.5f64))));
    assert!(has(&out, quote!(__k::DefaultValue::Float(-1.5f64))));
    assert!(has(&out, quote!(__k::DefaultValue::Int(-9223372036854775808))));
}

#[test]
fn unique_together_holds_column_names() {
    let out = expand(user());
    assert!(has(&out, quote!(&[&["first_name", "surname"]],)));
}

#[test]
fn decode_reads_every_field_in_order() {
    let out = expand(user());
    assert!(has(
        &out,
        quote!(User {
            id: reader.read(<i64 as __k::FieldType>::decode)?,
            username: reader.read(<String as __k::FieldType>::decode)?,
            email: reader.read(<String as __k::FieldType>::decode)?,
            first_name: reader.read(<String as __k::FieldType>::decode)?,
            last_name: reader.read(<String as __k::FieldType>::decode)?,
            is_active: reader.read(<bool as __k::FieldType>::decode)?,
            date_joined: reader.read(<DateTime<Utc> as __k::FieldType>::decode)?,
            last_login: reader.read(<Option<DateTime<Utc>> as __k::FieldType>::decode)?,
        })
    ));
}

#[test]
fn bind_column_matches_every_index_and_rejects_others() {
    let out = expand(user());
    assert!(has(&out, quote!(0 => <i64 as __k::FieldType>::bind(&self.id, args),)));
    assert!(has(
        &out,
        quote!(7 => <Option<DateTime<Utc> > as __k::FieldType>::bind(&self.last_login, args),)
    ));
    assert!(has(
        &out,
        quote!(_ => ::core::result::Result::Err(__k::Error::Internal("column index out of range")),)
    ));
}

#[test]
fn auto_key_is_set_and_checked_through_auto_key() {
    let out = expand(user());
    assert!(has(&out, quote!(self.id = <i64 as __k::AutoKey>::from_i64(value)?;)));
    assert!(has(
        &out,
        quote!(
            fn __is_unsaved(&self) -> bool {
                self.id == <i64 as __k::AutoKey>::unsaved()
            }
        )
    ));
}

#[test]
fn validate_calls_one_validator_per_rule_with_the_rust_field_name() {
    let out = expand(user());
    assert!(has(&out, quote!(__k::validate_max_length(&self.username, 150, "username", errors);)));
    assert!(has(&out, quote!(__k::validate_max_length(&self.email, 254, "email", errors);)));
    assert!(has(&out, quote!(__k::validate_email_unless_blank(&self.email, false, "email", errors);)));
    assert!(has(&out, quote!(__k::validate_max_length(&self.last_name, 150, "last_name", errors);)));
}

#[test]
fn model_without_rules_or_auto_key_uses_its_parameters() {
    let out = expand(quote! {
        struct Tag { #[kata(primary_key)] name: String }
    });
    assert!(has(
        &out,
        quote!(
            fn __validate(&self, errors: &mut __k::ValidationErrors) {
                let _ = errors;
            }
        )
    ));
    assert!(has(
        &out,
        quote!(
            fn __set_auto_pk(&mut self, value: i64) -> __k::Result<()> {
                let _ = value;
                ::core::result::Result::Ok(())
            }
        )
    ));
    assert!(has(
        &out,
        quote!(
            fn __is_unsaved(&self) -> bool {
                false
            }
        )
    ));
}

#[test]
fn table_defaults_to_the_struct_name_in_snake_case() {
    let out = expand(quote! {
        struct OrderItem { #[kata(primary_key, auto)] id: i64 }
    });
    assert!(has_text(&out, r#"__k::ModelMeta::__new("OrderItem", "order_item","#));
}

#[test]
fn composite_primary_key_is_a_composite_pk_of_a_tuple() {
    let out = expand(quote! {
        struct OrderItem {
            #[kata(primary_key)] order_id: i64,
            quantity: i32,
            #[kata(primary_key)] product_id: i32,
        }
    });
    assert!(has(
        &out,
        quote!(
            pub const pk: ::kata::__private::CompositePk<OrderItem, (i64, i32)> =
                ::kata::__private::CompositePk::__new(&[0, 2]);
        )
    ));
    assert!(has(
        &out,
        quote!(
            type Pk = (i64, i32);
        )
    ));
    let pk_value = "fn pk(&self) -> (i64, i32) { \
        (::core::clone::Clone::clone(&self.order_id), ::core::clone::Clone::clone(&self.product_id)) }";
    assert!(squash(&out).contains(&squash(pk_value)));
    assert!(has_text(&out, r#")], &[0, 2],"#));
    assert!(has(
        &out,
        quote!(
            fn __is_unsaved(&self) -> bool {
                false
            }
        )
    ));
}

#[test]
fn raw_identifiers_keep_the_raw_handle_and_drop_the_prefix_in_names() {
    let out = expand(quote! {
        struct Item { #[kata(primary_key)] id: i64, r#type: String }
    });
    assert!(has(&out, quote!(pub const r#type: ::kata::__private::Field<Item, String>)));
    assert!(has_text(&out, r#"__k::ColumnMeta::__new("type", "type","#));
    assert!(has(&out, quote!(r#type: reader.read(<String as __k::FieldType>::decode)?)));
}

#[test]
fn keys_may_be_split_over_several_attributes() {
    let out = expand(quote! {
        struct Tag {
            #[kata(primary_key)]
            #[kata(auto)]
            id: i64,
        }
    });
    assert!(has_text(&out, r#"<i64 as __k::FieldType>::NULLABLE, true, true,"#));
}

#[test]
fn unknown_field_key_lists_the_expected_keys() {
    assert_eq!(
        errors(quote! {
            struct User { #[kata(primary_key, foo)] id: i64 }
        }),
        [
            "unknown kata attribute `foo`; expected one of: primary_key, auto, unique, index, email, blank, max_length, max_digits, decimal_places, min_value, max_value, min_length, url, slug, regex, validators, default, column, foreign_key, one_to_one, on_delete, related_name, many_to_many, reverse_of"
        ]
    );
}

#[test]
fn unknown_container_key_lists_the_expected_keys() {
    assert_eq!(
        errors(quote! {
            #[kata(tabel = "x")]
            struct User { #[kata(primary_key)] id: i64 }
        }),
        ["unknown kata attribute `tabel`; expected one of: table, unique_together, hooks"]
    );
}

#[test]
fn duplicate_keys_are_reported_once_each_even_across_attributes() {
    assert_eq!(
        errors(quote! {
            #[kata(table = "a")]
            #[kata(table = "b")]
            struct User {
                #[kata(primary_key, primary_key)] id: i64,
                #[kata(max_length = "x")] #[kata(max_length = 3)] name: String,
            }
        }),
        [
            "duplicate kata attribute `table`",
            "duplicate kata attribute `primary_key`",
            "expected an integer literal for `max_length`, e.g. `max_length = 150`",
            "duplicate kata attribute `max_length`",
        ]
    );
}

#[test]
fn values_of_the_wrong_kind_are_each_reported() {
    assert_eq!(
        errors(quote! {
            #[kata(table = users)]
            struct User {
                #[kata(primary_key = true)] id: i64,
                #[kata(max_length = "150")] a: String,
                #[kata(max_length = 0)] b: String,
                #[kata(max_length = 5000000000)] c: String,
                #[kata(default = [1])] d: i64,
                #[kata(default = 'c')] e: String,
                #[kata(default = later)] f: String,
                #[kata(column)] g: String,
                #[kata(column = "")] h: String,
                #[kata(unique_together(a))] i: String,
            }
        }),
        [
            "expected a string literal for `table`, e.g. `table = \"name\"`",
            "`primary_key` takes no value: write `primary_key`",
            "expected an integer literal for `max_length`, e.g. `max_length = 150`",
            "`max_length` must be at least 1",
            "`max_length` must be at most 4294967295",
            "expected a string, bool, integer or float literal, `now` or `uuid4`, for `default`",
            "expected a string, bool, integer or float literal, `now` or `uuid4`, for `default`",
            "expected a string, bool, integer or float literal, `now` or `uuid4`, for `default`",
            "`column` needs a value: `column = \"name\"`",
            "`column` cannot be empty",
            "unknown kata attribute `unique_together`; expected one of: primary_key, auto, unique, index, email, blank, max_length, max_digits, decimal_places, min_value, max_value, min_length, url, slug, regex, validators, default, column, foreign_key, one_to_one, on_delete, related_name, many_to_many, reverse_of",
        ]
    );
}

#[test]
fn integer_default_out_of_i64_range_is_an_error() {
    assert_eq!(
        errors(quote! {
            struct N { #[kata(primary_key)] id: i64, #[kata(default = 9223372036854775808)] n: i64 }
        }),
        ["integer `default` does not fit in i64"]
    );
}

#[test]
fn malformed_attribute_is_reported_and_the_others_still_read() {
    let errs = errors(quote! {
        struct User {
            #[kata] id: i64,
            #[kata(max_length = )] a: String,
            #[kata(bogus)] b: String,
        }
    });
    assert_eq!(errs.len(), 4, "{errs:?}");
    assert!(errs[2].starts_with("unknown kata attribute `bogus`"));
    assert_eq!(errs[3], "model `User` has no primary key: mark a field with #[kata(primary_key)]");
}

#[test]
fn model_without_primary_key_names_the_model() {
    assert_eq!(
        errors(quote! {
            struct User { id: i64, username: String }
        }),
        ["model `User` has no primary key: mark a field with #[kata(primary_key)]"]
    );
}

#[test]
fn auto_without_primary_key_is_an_error() {
    assert_eq!(
        errors(quote! {
            struct Ticket { #[kata(primary_key)] code: String, #[kata(auto)] number: i64 }
        }),
        ["`auto` needs `primary_key`: only the primary key can be assigned by the database; \
          add `primary_key` to field `number` or remove `auto`"]
    );
}

#[test]
fn auto_on_a_composite_key_is_an_error() {
    assert_eq!(
        errors(quote! {
            struct OrderItem { #[kata(primary_key, auto)] a: i64, #[kata(primary_key)] b: i64 }
        }),
        ["`auto` cannot be used on a composite primary key: model `OrderItem` has several \
          `primary_key` fields"]
    );
}

#[test]
fn more_than_one_auto_field_is_an_error() {
    let errs = errors(quote! {
        struct Two { #[kata(primary_key, auto)] a: i64, #[kata(auto)] b: i64 }
    });
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[0].starts_with("`auto` needs `primary_key`"));
    assert_eq!(errs[1], "model `Two` has more than one `auto` field: `a` and `b`; only one is allowed");
}

#[test]
fn unique_together_must_name_fields_once() {
    assert_eq!(
        errors(quote! {
            #[kata(unique_together(first_name, surname))]
            #[kata(unique_together(first_name, first_name))]
            #[kata(unique_together())]
            struct Person { #[kata(primary_key)] id: i64, first_name: String }
        }),
        [
            "`unique_together` needs at least one field name",
            "unknown field `surname` in `unique_together`: model `Person` has no such field",
            "field `first_name` appears twice in this `unique_together`",
        ]
    );
}

#[test]
fn two_fields_cannot_share_a_column() {
    assert_eq!(
        errors(quote! {
            struct User {
                #[kata(primary_key)] id: i64,
                name: String,
                #[kata(column = "name")] display_name: String,
            }
        }),
        ["column `name` is used by both `name` and `display_name`; give one of them another \
          #[kata(column = \"...\")]"]
    );
}

#[test]
fn fields_cannot_take_the_names_of_generated_items() {
    let errs = errors(quote! {
        struct Entry { #[kata(primary_key)] pk: i64, objects: String, meta: String }
    });
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert!(errs[1].starts_with("a model field cannot be named `objects`"));
}

#[test]
fn only_structs_with_named_fields_are_models() {
    assert_eq!(
        errors(quote!(
            struct Point(i64, i64);
        )),
        [
            "#[derive(Model)] needs named fields: `Point` is a tuple struct; write `struct Point { id: i64, .. }`"
        ]
    );
    assert_eq!(
        errors(quote!(
            struct Marker;
        )),
        [
            "#[derive(Model)] needs named fields: `Marker` is a unit struct; write `struct Marker { id: i64, .. }`"
        ]
    );
    assert_eq!(
        errors(quote!(
            enum Status {
                Active,
            }
        )),
        ["#[derive(Model)] supports only structs with named fields, and `Status` is an enum"]
    );
    assert_eq!(
        errors(quote!(union Bits { a: u32, b: f32 })),
        ["#[derive(Model)] supports only structs with named fields, and `Bits` is a union"]
    );
}

#[test]
fn generic_structs_are_rejected_and_other_errors_still_reported() {
    assert_eq!(
        errors(quote! {
            struct Wrapper<T> { id: T }
        }),
        [
            "#[derive(Model)] does not support generic structs: `Wrapper` has generic parameters",
            "model `Wrapper` has no primary key: mark a field with #[kata(primary_key)]",
        ]
    );
}

#[test]
fn other_attributes_are_ignored() {
    let out = expand(quote! {
        /// Docs.
        #[derive(Debug)]
        #[serde(rename_all = "camelCase")]
        struct Tag {
            /// The key.
            #[serde(skip)]
            #[kata(primary_key)]
            id: i64,
        }
    });
    assert!(has_text(&out, r#"__k::ModelMeta::__new("Tag", "tag","#));
}

/// `derive`'s whole output for an input that fails its checks: the errors, then stand-ins.
fn derive_with_errors(input: TokenStream) -> String {
    let output = super::derive(input);
    if let Err(err) = syn::parse2::<syn::File>(output.clone()) {
        panic!("the output is not valid Rust: {err}\n{output}");
    }
    output.to_string()
}

#[test]
fn a_model_without_primary_key_still_gets_its_field_handles_and_a_placeholder_impl() {
    let out = derive_with_errors(quote! {
        pub struct User {
            pub id: i64,
            pub username: String,
        }
    });
    assert!(out.contains("compile_error"), "{out}");
    assert!(out.contains("has no primary key"), "{out}");
    assert!(has(
        &out,
        quote!(
            pub const username: ::kata::__private::Field<User, String> = ::kata::__private::Field::__new(1);
        )
    ));
    assert!(has(&out, quote!(impl __k::Model for User)));
    assert!(has(
        &out,
        quote!(
            type Pk = i64;
        )
    ));
    assert!(has(&out, quote!(pub fn objects() -> __k::QuerySet<User>)));
}

#[test]
fn a_stand_in_keeps_the_key_type_and_leaves_out_reserved_names() {
    let out = derive_with_errors(quote! {
        pub struct Tag {
            #[kata(primary_key, max_length = 0)]
            pub id: i32,
            pub objects: String,
        }
    });
    assert!(out.contains("`max_length` must be at least 1"), "{out}");
    assert!(has(
        &out,
        quote!(
            type Pk = i32;
        )
    ));
    // `objects` is reported; a handle named so would clash with `Tag::objects()`.
    assert!(!has(&out, quote!(pub const objects)), "{out}");
}

#[test]
fn an_input_that_is_not_a_struct_gets_only_its_error() {
    let out = super::derive(quote!(
        enum Status {
            Draft,
        }
    ))
    .to_string();
    assert!(out.contains("compile_error"), "{out}");
    assert!(!out.contains("impl"), "{out}");
}
