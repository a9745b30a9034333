//! `#[derive(Choices)]`: a fieldless enum as a model field type, stored as text or, with
//! `#[repr(i16|i32|i64)]`, as its discriminant.
//!
//! The same pipeline as `#[derive(Model)]`: the `#[kata(...)]` attributes are parsed by
//! `internals::attr`, the enum is read into the small AST below with every mistake recorded
//! in a [`Ctxt`], the values are checked against each other, and only then is code generated.

use std::collections::HashMap;

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use syn::ext::IdentExt;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Data, DeriveInput, Expr, ExprLit, ExprUnary, Fields, Ident, Lit, Meta, Token, UnOp};

use crate::internals::{Ctxt, attr};

/// Expands `#[derive(Choices)]` on `input`: parse, check, then generate. All the errors found
/// come back together.
pub(crate) fn expand_choices(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let cx = Ctxt::new();
    let choices = Enum::from_ast(&cx, &input);
    if let Some(choices) = &choices {
        check_duplicate_values(&cx, choices);
    }
    cx.check()?;
    match choices {
        Some(choices) => Ok(generate(&choices)),
        // from_ast records why it gives up, so check() has already returned.
        None => Err(syn::Error::new(Span::call_site(), "#[derive(Choices)] could not read this enum")),
    }
}

/// A `Choices` enum.
#[derive(Debug)]
struct Enum<'a> {
    /// The enum's identifier.
    ident: &'a Ident,
    /// The enum's name without a raw prefix, for error messages and the JSON Schema name.
    name: String,
    /// How its values are stored.
    storage: Storage,
    /// The variants, in declaration order.
    variants: Vec<Variant<'a>>,
}

/// How a `Choices` enum is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Storage {
    /// As text (no integer `repr`).
    Text,
    /// As its discriminant, with `#[repr(i16|i32|i64)]`.
    Integer(IntRepr),
}

/// The integer `repr`s a `Choices` enum may have: the integer field types kata supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IntRepr {
    I16,
    I32,
    I64,
}

impl IntRepr {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "i16" => Some(IntRepr::I16),
            "i32" => Some(IntRepr::I32),
            "i64" => Some(IntRepr::I64),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            IntRepr::I16 => "i16",
            IntRepr::I32 => "i32",
            IntRepr::I64 => "i64",
        }
    }

    /// The Rust type: `i16`, `i32` or `i64`.
    fn ty(self) -> TokenStream {
        let ty = Ident::new(self.name(), Span::call_site());
        quote!(#ty)
    }

    /// The `kata::Value` variant that holds this type.
    fn value_variant(self) -> TokenStream {
        match self {
            IntRepr::I16 => quote!(SmallInt),
            IntRepr::I32 => quote!(Int),
            IntRepr::I64 => quote!(BigInt),
        }
    }

    /// The `kata::ColumnType` of this type.
    fn column_type(self) -> TokenStream {
        match self {
            IntRepr::I16 => quote!(SmallInt),
            IntRepr::I32 => quote!(Integer),
            IntRepr::I64 => quote!(BigInt),
        }
    }

    fn contains(self, value: i128) -> bool {
        match self {
            IntRepr::I16 => i16::try_from(value).is_ok(),
            IntRepr::I32 => i32::try_from(value).is_ok(),
            IntRepr::I64 => i64::try_from(value).is_ok(),
        }
    }
}

/// The `repr`s that are integers but not ones kata stores.
const UNSUPPORTED_INT_REPRS: &[&str] = &["i8", "u8", "u16", "u32", "u64", "u128", "i128", "isize", "usize"];

/// One variant: one value.
#[derive(Debug)]
struct Variant<'a> {
    /// The variant's identifier.
    ident: &'a Ident,
    /// The variant's name without a raw prefix.
    name: String,
    /// The stored value.
    value: ChoiceValue,
    /// Where the value comes from: the `value = "..."` string, the discriminant, or the
    /// variant's name.
    span: Span,
}

/// A stored value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ChoiceValue {
    Text(String),
    Integer(i128),
}

impl ChoiceValue {
    /// The text form (`Choices::as_str`): the text, or the integer in decimal.
    fn text(&self) -> String {
        match self {
            ChoiceValue::Text(text) => text.clone(),
            ChoiceValue::Integer(n) => n.to_string(),
        }
    }

    /// The value as a literal: `"draft"`, `3` or `-3`.
    fn literal(&self) -> TokenStream {
        match self {
            ChoiceValue::Text(text) => quote!(#text),
            // A negative number is written as `-` and a literal, which is also how a pattern
            // spells it.
            ChoiceValue::Integer(n) => {
                let lit = Literal::u128_unsuffixed(n.unsigned_abs());
                let sign = (*n < 0).then(|| quote!(-));
                quote!(#sign #lit)
            }
        }
    }
}

impl<'a> Enum<'a> {
    /// Reads the enum. Returns `None` when the input is not an enum (the reason is recorded in
    /// `cx`); other problems are recorded but still give an `Enum`, so later checks can report
    /// theirs too.
    fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let attrs = attr::Choices::from_ast(cx, &input.attrs);
        let name = input.ident.unraw().to_string();

        let data = match &input.data {
            Data::Enum(data) => data,
            Data::Struct(data) => {
                cx.error_spanned_by(
                    data.struct_token,
                    format!(
                        "#[derive(Choices)] supports only enums whose variants have no fields, and \
                         `{name}` is a struct"
                    ),
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    format!(
                        "#[derive(Choices)] supports only enums whose variants have no fields, and \
                         `{name}` is a union"
                    ),
                );
                return None;
            }
        };

        if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
            cx.error_spanned_by(
                &input.generics,
                format!("#[derive(Choices)] does not support generic enums: `{name}` has generic parameters"),
            );
        }
        if data.variants.is_empty() {
            cx.error_spanned_by(
                &input.ident,
                format!("#[derive(Choices)] needs at least one variant: `{name}` has none"),
            );
        }

        let storage = match int_repr(cx, &input.attrs) {
            Some(repr) => Storage::Integer(repr),
            None => Storage::Text,
        };
        if let (Storage::Integer(repr), Some(rename_all)) = (storage, &attrs.rename_all) {
            cx.error_at(
                rename_all.span,
                format!(
                    "`rename_all` renames text choices, but `{name}` is stored as its \
                     #[repr({})] discriminants; remove `rename_all`",
                    repr.name()
                ),
            );
        }

        // The implicit discriminant of the next variant: the previous one plus one.
        let mut next_discriminant: i128 = 0;
        let mut variants = Vec::with_capacity(data.variants.len());
        for variant in &data.variants {
            let variant_attrs = attr::Variant::from_ast(cx, &variant.attrs);
            let variant_name = variant.ident.unraw().to_string();
            if !matches!(variant.fields, Fields::Unit) {
                cx.error_spanned_by(
                    &variant.fields,
                    format!(
                        "#[derive(Choices)] needs variants without fields: `{name}::{variant_name}` has \
                         fields; write `{variant_name},`"
                    ),
                );
            }
            let (value, span) = match storage {
                Storage::Text => match variant_attrs.value {
                    Some(text) => (ChoiceValue::Text(text.value), text.span),
                    None => {
                        let text = match &attrs.rename_all {
                            Some(rule) => rule.value.apply_to_variant(&variant_name),
                            None => variant_name.clone(),
                        };
                        (ChoiceValue::Text(text), variant.ident.span())
                    }
                },
                Storage::Integer(repr) => {
                    if let Some(text) = &variant_attrs.value {
                        cx.error_at(
                            text.span,
                            format!(
                                "`value` sets the text of a text choice, but `{name}` is stored as its \
                                 #[repr({})] discriminants; write `{variant_name} = 1` instead",
                                repr.name()
                            ),
                        );
                    }
                    let (value, span) = match &variant.discriminant {
                        Some((_, expr)) => (integer_literal(cx, expr, &variant_name), expr.span()),
                        None => (next_discriminant, variant.ident.span()),
                    };
                    if !repr.contains(value) {
                        cx.error_at(
                            span,
                            format!(
                                "`{name}::{variant_name}` is stored as {value}, which does not fit in \
                                 #[repr({})]",
                                repr.name()
                            ),
                        );
                    }
                    next_discriminant = value.saturating_add(1);
                    (ChoiceValue::Integer(value), span)
                }
            };
            variants.push(Variant { ident: &variant.ident, name: variant_name, value, span });
        }

        Some(Enum { ident: &input.ident, name, storage, variants })
    }

    /// Each distinct value with the first variant that has it, in declaration order: the arms
    /// that map a value back to a variant. (Only rustc's "discriminant assigned more than
    /// once" error can leave two variants with one value.)
    fn distinct_values(&self) -> Vec<&Variant<'a>> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for variant in &self.variants {
            if !seen.contains(&&variant.value) {
                seen.push(&variant.value);
                out.push(variant);
            }
        }
        out
    }
}

/// The integer type of `#[repr(...)]`, if the enum has one kata can store. A `repr` that
/// names another integer type is reported; `C`, `align(..)` and the like are ignored.
fn int_repr(cx: &Ctxt, attrs: &[Attribute]) -> Option<IntRepr> {
    let mut found = None;
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("repr")) {
        // A malformed `repr` is rustc's to report.
        let Ok(metas) = attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) else {
            continue;
        };
        for meta in metas {
            let Some(ident) = meta.path().get_ident() else {
                continue;
            };
            let word = ident.to_string();
            if let Some(repr) = IntRepr::from_name(&word) {
                found = Some(repr);
            } else if UNSUPPORTED_INT_REPRS.contains(&word.as_str()) {
                cx.error_spanned_by(
                    ident,
                    format!(
                        "#[derive(Choices)] stores an integer enum as i16, i32 or i64, not {word}: \
                         use #[repr(i16)], #[repr(i32)] or #[repr(i64)]"
                    ),
                );
            }
        }
    }
    found
}

/// The value of an explicit discriminant: an integer literal, possibly negative.
fn integer_literal(cx: &Ctxt, expr: &Expr, variant: &str) -> i128 {
    let mut expr = expr;
    while let Expr::Group(group) = expr {
        expr = &group.expr;
    }
    let (negative, lit) = match expr {
        Expr::Lit(ExprLit { lit: Lit::Int(lit), .. }) => (false, Some(lit)),
        Expr::Unary(ExprUnary { op: UnOp::Neg(_), expr: inner, .. }) => match &**inner {
            Expr::Lit(ExprLit { lit: Lit::Int(lit), .. }) => (true, Some(lit)),
            _ => (false, None),
        },
        _ => (false, None),
    };
    let parsed = lit.and_then(|lit| lit.base10_parse::<i128>().ok());
    match parsed {
        Some(n) if negative => -n,
        Some(n) => n,
        None => {
            cx.error_spanned_by(
                expr,
                format!(
                    "#[derive(Choices)] needs an integer literal as the discriminant of an integer \
                     choice, e.g. `{variant} = 3`"
                ),
            );
            0
        }
    }
}

/// Two variants cannot store the same text. (Two equal discriminants are rustc's E0081.)
fn check_duplicate_values(cx: &Ctxt, choices: &Enum<'_>) {
    if choices.storage != Storage::Text {
        return;
    }
    let mut by_value: HashMap<&ChoiceValue, &Variant<'_>> = HashMap::new();
    for variant in &choices.variants {
        match by_value.get(&variant.value) {
            Some(first) => cx.error_at(
                variant.span,
                format!(
                    "`{}::{}` and `{}::{}` are both stored as {:?}; give one of them another \
                     #[kata(value = \"...\")]",
                    choices.name,
                    first.name,
                    choices.name,
                    variant.name,
                    variant.value.text()
                ),
            ),
            None => {
                by_value.insert(&variant.value, variant);
            }
        }
    }
}

fn generate(choices: &Enum<'_>) -> TokenStream {
    let choices_impl = choices_impl(choices);
    let (field_type_impl, serde_impls, schema) = match choices.storage {
        Storage::Text => text_impls(choices),
        Storage::Integer(repr) => integer_impls(choices, repr),
    };
    quote! {
        #[doc(hidden)]
        const _: () = {
            use ::kata::__private as __k;
            #choices_impl
            #field_type_impl
            #serde_impls
            #schema
        };
    }
}

/// `impl Choices`: the text form of every value, both ways.
fn choices_impl(choices: &Enum<'_>) -> TokenStream {
    let ident = choices.ident;
    let texts: Vec<String> = choices.variants.iter().map(|variant| variant.value.text()).collect();
    let variants = choices.variants.iter().map(|variant| variant.ident);
    let distinct = choices.distinct_values();
    let from_texts = distinct.iter().map(|variant| variant.value.text());
    let from_variants = distinct.iter().map(|variant| variant.ident);
    quote! {
        #[automatically_derived]
        impl __k::Choices for #ident {
            const VALUES: &'static [&'static str] = &[#(#texts),*];

            fn as_str(&self) -> &'static str {
                match self {
                    #(#ident::#variants => #texts,)*
                }
            }

            fn from_str_value(value: &str) -> ::core::option::Option<Self> {
                match value {
                    #(#from_texts => ::core::option::Option::Some(#ident::#from_variants),)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    }
}

/// The JSON Schema impl; `schema` builds the schema itself.
fn schema_impl(choices: &Enum<'_>, schema: TokenStream) -> TokenStream {
    let ident = choices.ident;
    let name = &choices.name;
    quote! {
        #[automatically_derived]
        impl __k::schemars::JsonSchema for #ident {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#name)
            }

            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::core::concat!(::core::module_path!(), "::", #name))
            }

            fn json_schema(_: &mut __k::schemars::SchemaGenerator) -> __k::schemars::Schema {
                #schema
            }
        }
    }
}

/// `FieldType`, serde and JSON Schema for an enum stored as text.
fn text_impls(choices: &Enum<'_>) -> (TokenStream, TokenStream, TokenStream) {
    let ident = choices.ident;
    let name = &choices.name;
    let field_type = quote! {
        #[automatically_derived]
        impl __k::FieldType for #ident {
            type Inner = #ident;
            const COLUMN_TYPE: __k::ColumnType = __k::ColumnType::Text;

            #[inline]
            fn decode(row: __k::RowRef<'_>, index: usize) -> __k::Result<Self> {
                __k::choices::decode_text(row, index, #name)
            }

            #[inline]
            fn bind(&self, args: &mut __k::Args) -> __k::Result<()> {
                __k::choices::bind_text(self, args)
            }

            fn to_value(&self) -> __k::Value {
                __k::Value::Text(::std::string::String::from(__k::Choices::as_str(self)))
            }

            fn into_value(self) -> __k::Value {
                __k::FieldType::to_value(&self)
            }

            fn from_value(value: &__k::Value) -> ::core::option::Option<Self> {
                match value {
                    __k::Value::Text(text) => <Self as __k::Choices>::from_str_value(text),
                    _ => ::core::option::Option::None,
                }
            }

            fn char_len(&self) -> ::core::option::Option<usize> {
                ::core::option::Option::Some(__k::Choices::as_str(self).chars().count())
            }

            fn as_text(&self) -> ::core::option::Option<&str> {
                ::core::option::Option::Some(__k::Choices::as_str(self))
            }
        }
    };
    let serde = quote! {
        #[automatically_derived]
        impl __k::serde::Serialize for #ident {
            fn serialize<S: __k::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(__k::Choices::as_str(self))
            }
        }

        #[automatically_derived]
        impl<'de> __k::serde::Deserialize<'de> for #ident {
            fn deserialize<D: __k::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                __k::choices::deserialize_text(deserializer, #name)
            }
        }
    };
    let schema = schema_impl(choices, quote!(__k::choices::text_schema::<Self>()));
    (field_type, serde, schema)
}

/// `FieldType`, serde and JSON Schema for an enum stored as its integer discriminant.
fn integer_impls(choices: &Enum<'_>, repr: IntRepr) -> (TokenStream, TokenStream, TokenStream) {
    let ident = choices.ident;
    let name = &choices.name;
    let ty = repr.ty();
    let value_variant = repr.value_variant();
    let column_type = repr.column_type();

    let variants: Vec<&Ident> = choices.variants.iter().map(|variant| variant.ident).collect();
    let values: Vec<TokenStream> = choices.variants.iter().map(|variant| variant.value.literal()).collect();
    let distinct = choices.distinct_values();
    let from_values: Vec<TokenStream> = distinct.iter().map(|variant| variant.value.literal()).collect();
    let from_variants: Vec<&Ident> = distinct.iter().map(|variant| variant.ident).collect();

    let field_type = quote! {
        fn discriminant(value: &#ident) -> #ty {
            match value {
                #(#ident::#variants => #values,)*
            }
        }

        #[automatically_derived]
        impl __k::FieldType for #ident {
            type Inner = #ident;
            const COLUMN_TYPE: __k::ColumnType = __k::ColumnType::#column_type;

            fn decode(row: __k::RowRef<'_>, index: usize) -> __k::Result<Self> {
                match <#ty as __k::FieldType>::decode(row, index)? {
                    #(#from_values => ::core::result::Result::Ok(#ident::#from_variants),)*
                    other => ::core::result::Result::Err(
                        __k::choices::unknown_integer_error::<Self>(#name, ::core::convert::From::from(other))
                    ),
                }
            }

            #[inline]
            fn bind(&self, args: &mut __k::Args) -> __k::Result<()> {
                <#ty as __k::FieldType>::bind(&discriminant(self), args)
            }

            fn to_value(&self) -> __k::Value {
                __k::Value::#value_variant(discriminant(self))
            }

            fn into_value(self) -> __k::Value {
                __k::Value::#value_variant(discriminant(&self))
            }

            fn from_value(value: &__k::Value) -> ::core::option::Option<Self> {
                match <#ty as __k::FieldType>::from_value(value)? {
                    #(#from_values => ::core::option::Option::Some(#ident::#from_variants),)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    };
    let serde = quote! {
        #[automatically_derived]
        impl __k::serde::Serialize for #ident {
            fn serialize<S: __k::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                __k::serde::Serialize::serialize(&discriminant(self), serializer)
            }
        }

        #[automatically_derived]
        impl<'de> __k::serde::Deserialize<'de> for #ident {
            fn deserialize<D: __k::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::core::result::Result<Self, D::Error> {
                match <i64 as __k::serde::Deserialize<'de>>::deserialize(deserializer)? {
                    #(#from_values => ::core::result::Result::Ok(#ident::#from_variants),)*
                    other => ::core::result::Result::Err(
                        __k::choices::unknown_integer_de::<Self, D::Error>(#name, other)
                    ),
                }
            }
        }
    };
    let schema = schema_impl(choices, quote!(__k::choices::integer_schema(&[#(#values),*])));
    (field_type, serde, schema)
}

#[cfg(test)]
mod tests;
