//! `#[derive(Choices)]`: a fieldless enum as a model field type.

use proc_macro2::TokenStream;

/// Expands `#[derive(Choices)]`.
pub(crate) fn expand_choices(input: TokenStream) -> syn::Result<TokenStream> {
    let input: syn::DeriveInput = syn::parse2(input)?;
    Err(syn::Error::new_spanned(&input.ident, "Choices is not implemented yet"))
}
