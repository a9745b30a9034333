//! `#[derive(Model)]`: the `Model` impl, the table metadata and the typed field handles.
//!
//! Parse and check (`internals`), then generate: the inherent items (`inherent`), the static
//! metadata (`meta`, `through`), `impl Model` (`model_impl`) and the relation plumbing
//! (`relations`). A model that fails its checks gets its errors and stand-ins (`stand_in`);
//! where generated code points when the compiler rejects it is `spans`' business.

mod inherent;
mod meta;
mod model_impl;
mod relations;
mod spans;
mod stand_in;
mod through;
mod validators;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::DeriveInput;

use crate::internals::ast::Container;
use crate::internals::{Ctxt, check};

/// What `#[derive(Model)]` expands to: the model's items, or its errors with stand-ins for
/// its items (see `stand_in`).
pub(crate) fn derive(input: TokenStream) -> TokenStream {
    match expand_model(input.clone()) {
        Ok(output) => output,
        Err(errors) => {
            let mut output = errors.into_compile_error();
            output.extend(stand_ins(input));
            output
        }
    }
}

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

/// The stand-ins for an input that failed: nothing if it is not even a struct with named
/// fields (there are no field handles to stand in for then), or a generic one.
fn stand_ins(input: TokenStream) -> TokenStream {
    let Ok(input) = syn::parse2::<DeriveInput>(input) else { return TokenStream::new() };
    // A generic struct is rejected; stand-ins written without its parameters would only add
    // "missing generics" errors.
    if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
        return TokenStream::new();
    }
    // The errors are already reported; read the input again quietly.
    let quiet = Ctxt::new();
    let cont = Container::from_ast(&quiet, &input);
    let _ = quiet.check();
    cont.map(|cont| stand_in::stand_ins(&cont)).unwrap_or_default()
}

fn generate(cont: &Container<'_>) -> TokenStream {
    let inherent = inherent::inherent_impl(cont, &quote!(&META));
    let meta = meta::model_meta(cont);
    let validators = validators::items(cont);
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
            #validators
            #model_impl
            #slots
            #(#throughs)*
            #(#reverse)*
        };
    }
}

#[cfg(test)]
mod tests;
