//! What `#[derive(Model)]` emits beside its errors when a model fails its checks (no primary
//! key, a bad attribute, ...): the inherent items and a placeholder `Model` impl, so that the
//! rest of the crate (field handles, foreign keys to this model, queries) still type-checks
//! and the user sees the one mistake, not a hundred errors about `User::username` or
//! `User: Model`. The bodies are `unreachable!()`: compilation fails anyway, so they never
//! run.

use proc_macro2::TokenStream;
use quote::quote;

use super::inherent::inherent_impl;
use super::relations::{relation_slots, reverse_accessor};
use crate::internals::ast::{Container, Field};

/// The stand-ins for a model that failed its checks.
pub(super) fn stand_ins(cont: &Container<'_>) -> TokenStream {
    let unreachable = quote!(::core::unreachable!());
    let inherent = inherent_impl(cont, &unreachable);
    let model_impl = placeholder_model_impl(cont);
    let slots = relation_slots(cont);
    let reverse = cont.fields.iter().filter_map(|field| reverse_accessor(cont, field, true));
    quote! {
        #[doc(hidden)]
        const _: () = {
            use ::kata::__private as __k;
            #inherent
            #model_impl
            #slots
            #(#reverse)*
        };
    }
}

/// `impl Model` with the key type the model would have (`i64` when it has none, like its
/// stand-in `User::pk`) and bodies that never run.
fn placeholder_model_impl(cont: &Container<'_>) -> TokenStream {
    let ident = cont.ident;
    let key: Vec<&Field<'_>> = cont.primary_key().map(|(_, field)| field).collect();
    let pk_type = match key.as_slice() {
        [] => quote!(i64),
        [field] => {
            let ty = field.ty;
            quote!(#ty)
        }
        _ => {
            let types = key.iter().map(|field| field.ty);
            quote!((#(#types),*))
        }
    };
    quote! {
        #[automatically_derived]
        impl __k::Model for #ident {
            type Pk = #pk_type;
            fn meta() -> &'static __k::ModelMeta {
                ::core::unreachable!()
            }
            fn pk(&self) -> Self::Pk {
                ::core::unreachable!()
            }
            fn __decode(_: &mut __k::RowReader<'_>) -> __k::Result<Self> {
                ::core::unreachable!()
            }
            fn __column_value(&self, _: usize) -> __k::Value {
                ::core::unreachable!()
            }
            fn __bind_column(&self, _: usize, _: &mut __k::Args) -> __k::Result<()> {
                ::core::unreachable!()
            }
            fn __set_auto_pk(&mut self, _: i64) -> __k::Result<()> {
                ::core::unreachable!()
            }
            fn __is_unsaved(&self) -> bool {
                ::core::unreachable!()
            }
            fn __validate(&self, _: &mut __k::ValidationErrors) {
                ::core::unreachable!()
            }
        }
    }
}
