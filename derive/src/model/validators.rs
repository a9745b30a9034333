//! A field's validators (`min_value`, `min_length`, `url`, `slug`, `regex`,
//! `validators(..)`): the statics that `ColumnMeta::validators` points at (a `regex` is
//! compiled once, in its own static), the function that runs the custom validators on an
//! assigned `Value`, the type checks, and `__validate`'s calls.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

use super::spans::type_span;
use crate::internals::ast::{Container, Field};
use crate::internals::attr::Limit;

/// The `FieldValidators` static of the column at `index`.
pub(super) fn static_name(index: usize) -> Ident {
    format_ident!("__KATA_VALIDATORS_{}", index)
}

/// `.__validators(&STATIC)` for a column's `ColumnMeta`, when it has validators.
pub(super) fn column_meta_suffix(field: &Field<'_>) -> Option<TokenStream> {
    let index = field.column_index?;
    field.attrs.validators.any().then(|| {
        let name = static_name(index);
        quote!(.__validators(&#name))
    })
}

/// `Limit::__new(mantissa, scale)`.
fn limit(limit: Limit) -> TokenStream {
    let magnitude = Literal::u128_unsuffixed(limit.mantissa.unsigned_abs());
    let scale = Literal::u32_unsuffixed(limit.scale);
    let sign = (limit.mantissa < 0).then(|| quote!(-));
    quote!(__k::Limit::__new(#sign #magnitude, #scale))
}

/// The statics, custom-validator functions and type checks of every column with validators.
pub(super) fn items(cont: &Container<'_>) -> TokenStream {
    let mut out = TokenStream::new();
    for (index, field) in cont.columns() {
        let rules = &field.attrs.validators;
        if !rules.any() {
            continue;
        }
        let ty = field.ty;
        let name = static_name(index);
        let mut chain = Vec::new();
        if let Some(min) = rules.min_value {
            let min = limit(min);
            chain.push(quote!(.__min_value(#min)));
        }
        if let Some(max) = rules.max_value {
            let max = limit(max);
            chain.push(quote!(.__max_value(#max)));
        }
        if let Some(n) = rules.min_length {
            let n = Literal::u32_unsuffixed(n);
            chain.push(quote!(.__min_length(#n)));
        }
        if rules.url {
            chain.push(quote!(.__url()));
        }
        if rules.slug {
            chain.push(quote!(.__slug()));
        }
        if rules.unicode_slug {
            chain.push(quote!(.__unicode_slug()));
        }
        if let Some(spec) = &rules.regex {
            let regex = format_ident!("__KATA_REGEX_{}", index);
            let pattern = &spec.pattern;
            let message = match &spec.message {
                Some(m) => quote!(::core::option::Option::Some(#m)),
                None => quote!(::core::option::Option::None),
            };
            let code = spec.code.as_deref().unwrap_or("regex");
            let inverse = spec.inverse_match;
            out.extend(quote! {
                static #regex: __k::RegexValidator =
                    __k::RegexValidator::__new(#pattern).__with(#message, #code, #inverse);
            });
            chain.push(quote!(.__regex(&#regex)));
        }
        if !rules.custom.is_empty() {
            let function = format_ident!("__kata_custom_validators_{}", index);
            let calls = rules
                .custom
                .iter()
                .map(|path| quote!(__k::run_validator(&value, #path, false, field, errors);));
            out.extend(quote! {
                fn #function(value: &__k::Value, field: &str, errors: &mut __k::ValidationErrors) {
                    if let ::core::option::Option::Some(value) = <#ty as __k::FieldType>::from_value(value) {
                        #(#calls)*
                    }
                }
            });
            chain.push(quote!(.__custom(#function)));
        }
        out.extend(quote! {
            static #name: __k::FieldValidators = __k::FieldValidators::NONE #(#chain)*;
        });
        // The rules' types: numbers for `min_value`/`max_value`, text for the others.
        let span = type_span(ty);
        let mut checks = Vec::new();
        if let Some(key) = rules.number_span {
            let assert = quote_spanned!(key=> __k::assert_bounded);
            checks.push(quote_spanned!(span=> #assert::<#ty>();));
        }
        if let Some(key) = rules.text_span {
            let assert = quote_spanned!(key=> __k::assert_text);
            checks.push(quote_spanned!(span=> #assert::<#ty>();));
        }
        if !checks.is_empty() {
            let check = format_ident!("__kata_check_validator_types_{}", index);
            out.extend(quote! {
                #[allow(dead_code)]
                fn #check() {
                    #(#checks)*
                }
            });
        }
    }
    out
}

/// `__validate`'s calls for one field: its declared rules, then each custom validator.
pub(super) fn validate_calls(field: &Field<'_>) -> Vec<TokenStream> {
    let rules = &field.attrs.validators;
    let Some(index) = field.column_index.filter(|_| rules.any()) else { return Vec::new() };
    let name = field.ident;
    let field_name = &field.name;
    let blank = field.accepts_empty();
    let mut calls = Vec::new();
    if rules.any_declared() {
        let rules_static = static_name(index);
        calls.push(quote!(__k::validate_rules(&self.#name, &#rules_static, #blank, #field_name, errors);));
    }
    for path in &rules.custom {
        calls.push(quote!(__k::run_validator(&self.#name, #path, #blank, #field_name, errors);));
    }
    calls
}
