//! `#[derive(Model)]`: the `Model` impl, the table metadata and the typed field handles.
//!
//! Parse and check (`internals`), then generate: the inherent items (`inherent`), the static
//! metadata (`meta`, `through`), `impl Model` (`model_impl`) and the relation plumbing
//! (`relations`). Where generated code points when the compiler rejects it is `spans`'
//! business.

mod inherent;
mod meta;
mod model_impl;
mod relations;
mod spans;
mod through;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::DeriveInput;

use crate::internals::ast::Container;
use crate::internals::{Ctxt, check};

/// Expands `#[derive(Model)]` on `input`: parse, check, then generate. All the errors found
/// come back together.
pub(crate) fn expand_model(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let cx = Ctxt::new();
    let cont = Container::from_ast(&cx, &input);
    if let Some(cont) = &cont {
        check::check(&cx, cont);
    }
    cx.check()?;
    match cont {
        Some(cont) => Ok(generate(&cont)),
        // from_ast records why it gives up, so check() has already returned.
        None => Err(syn::Error::new(Span::call_site(), "#[derive(Model)] could not read this struct")),
    }
}

fn generate(cont: &Container<'_>) -> TokenStream {
    let inherent = inherent::inherent_impl(cont, &quote!(&META));
    let meta = meta::model_meta(cont);
    let model_impl = model_impl::model_impl(cont);
    let slots = relations::relation_slots(cont);
    let throughs = cont
        .relations()
        .filter(|(_, f)| through::auto_through(f))
        .map(|(_, f)| through::through_table(cont, f));
    let reverse = cont.fields.iter().filter_map(|f| relations::reverse_accessor(cont, f, false));
    quote! {
        #[doc(hidden)]
        const _: () = {
            use ::kata::__private as __k;
            #inherent
            #meta
            #model_impl
            #slots
            #(#throughs)*
            #(#reverse)*
        };
    }
}

#[cfg(test)]
mod tests;
