//! What a field's validators and type add to a schema: the JSON Schema keywords of its
//! validators (read from the model's `ColumnMeta::validators` at run time, so a `regex` is
//! compiled once), the validators' calls in `Validate`, and the types whose JSON differs from
//! their serde form (a duration as an ISO 8601 string, an IP address as `ipv4` or `ipv6`).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Ident, Type};

use crate::internals::ast::Field;

/// A field type with its own JSON form or schema in a ModelSchema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Special {
    /// chrono's `Duration` / `TimeDelta`: an ISO 8601 string.
    Duration,
    /// `IpAddr`: `format: ipv4` or `ipv6`.
    IpAddr,
}

impl Special {
    /// The type a schema describes instead (`schemars(with = ..)`'s inner type).
    pub(super) fn schema_type(self) -> TokenStream {
        match self {
            Special::Duration => quote!(::kata::__private::iso_duration::IsoDuration),
            Special::IpAddr => quote!(::kata::__private::iso_duration::IpAddress),
        }
    }

    /// `#[serde(with = ..)]` for a field of `shape`, when serde's own form is not the one.
    pub(super) fn serde_with(self, shape: Shape) -> Option<TokenStream> {
        let module = match (self, shape) {
            (Special::IpAddr, _) => return None,
            (Special::Duration, Shape::Plain) => "::kata::__private::iso_duration",
            (Special::Duration, Shape::Option) => "::kata::__private::iso_duration::option",
            (Special::Duration, Shape::Patch) => "::kata::__private::iso_duration::patch",
        };
        Some(quote!(#[serde(with = #module)]))
    }
}

/// How a special type sits in a schema field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// `T`.
    Plain,
    /// `Option<T>`.
    Option,
    /// `Patch<T>`.
    Patch,
}

/// The special type `ty` names, by its last path segment (`chrono::Duration`, `TimeDelta`,
/// `std::net::IpAddr`): the derive sees names, not types.
pub(super) fn special(ty: &Type) -> Option<Special> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if !last.arguments.is_none() {
        return None;
    }
    match last.ident.to_string().as_str() {
        "Duration" | "TimeDelta" => Some(Special::Duration),
        "IpAddr" => Some(Special::IpAddr),
        _ => None,
    }
}

/// `#[schemars(transform = ..)]` stating the field's validators, when it has any.
pub(super) fn schema_transform(model: &Ident, field: &Field<'_>) -> Option<TokenStream> {
    let index = field.column_index?;
    if !field.attrs.validators.any_declared() {
        return None;
    }
    Some(quote! {
        #[schemars(transform = |schema: &mut ::kata::__private::schemars::Schema| {
            ::kata::__private::validators_schema(
                schema,
                <#model as ::kata::__private::Model>::meta().columns[#index].validators,
            )
        })]
    })
}

/// `Validate`'s calls for the field's validators on `value` (an expression of type `&T`).
pub(super) fn checks(model: &Ident, field: &Field<'_>, value: &TokenStream, path: &str) -> TokenStream {
    let rules = &field.attrs.validators;
    let Some(index) = field.column_index.filter(|_| rules.any()) else { return TokenStream::new() };
    let blank = field.accepts_empty();
    let declared = rules.any_declared().then(|| {
        quote! {
            ::kata::__private::validate_rules(
                #value,
                <#model as ::kata::__private::Model>::meta().columns[#index].validators,
                #blank,
                #path,
                errors,
            );
        }
    });
    let custom = rules
        .custom
        .iter()
        .map(|function| quote!(::kata::__private::run_validator(#value, #function, #blank, #path, errors);));
    quote!(#declared #(#custom)*)
}
