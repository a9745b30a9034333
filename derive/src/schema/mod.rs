//! `#[derive(ModelSchema)]`: API schema structs derived from a model, Django Ninja's
//! `ModelSchema`. Parse (`internals::attr::SchemaSpec`) -> check
//! (`internals::check_schema`) -> generate one struct and its conversions per
//! `#[model_schema]`: each field's parts (`fields`), then the items (`impls`).

mod fields;
mod impls;
mod rules;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, DeriveInput, Visibility};

use crate::internals::ast::Container;
use crate::internals::attr::SchemaSpec;
use crate::internals::{Ctxt, check_schema};

/// Expands `#[derive(ModelSchema)]`.
pub(crate) fn expand_schema(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    // The `#[kata]` attributes are #[derive(Model)]'s to report; read them quietly here.
    let quiet = Ctxt::new();
    let container = Container::from_ast(&quiet, &input);
    let _ = quiet.check();
    let cx = Ctxt::new();
    let Some(container) = container else {
        cx.error_spanned_by(&input.ident, "#[derive(ModelSchema)] needs a model struct with named fields");
        cx.check()?;
        return Ok(TokenStream::new());
    };
    let specs = SchemaSpec::from_ast(&cx, &input.attrs);
    check_schema::check(&cx, &container, &specs);
    cx.check()?;
    let docs = field_docs(&input);
    let schemas = specs.iter().map(|spec| generate(&input.vis, &container, spec, &docs));
    Ok(quote!(#(#schemas)*))
}

/// The `#[doc]` attributes of each field, by field name.
fn field_docs(input: &DeriveInput) -> Vec<(String, Vec<Attribute>)> {
    let syn::Data::Struct(data) = &input.data else { return Vec::new() };
    data.fields
        .iter()
        .filter_map(|f| {
            let name = syn::ext::IdentExt::unraw(f.ident.as_ref()?).to_string();
            let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc")).cloned().collect();
            Some((name, docs))
        })
        .collect()
}

/// One schema: its fields' parts, then its items.
fn generate(
    vis: &Visibility,
    model: &Container<'_>,
    spec: &SchemaSpec,
    docs: &[(String, Vec<Attribute>)],
) -> TokenStream {
    let mut parts = fields::Parts::default();
    for field in model.fields.iter().filter(|field| field.in_schema(spec)) {
        let field_docs = docs.iter().find(|(name, _)| *name == field.name).map_or(&[][..], |(_, d)| d);
        fields::add_field(&mut parts, spec, model.ident, &model.name, field, field_docs);
    }
    let schema_struct = impls::schema_struct(vis, spec, &model.name, &parts);
    let validation = impls::validation(&spec.name, model.ident, &parts);
    let conversions = if parts.output_only {
        impls::output_conversions(&spec.name, model.ident, &parts)
    } else {
        let input = impls::input_conversions(spec, model.ident, &parts);
        let query = impls::query_impls(&spec.name, model.ident, &parts);
        quote!(#input #query)
    };
    quote! {
        #schema_struct
        #validation
        #conversions
    }
}

#[cfg(test)]
mod tests;
