//! The inherent items of a model: a typed handle per field (`User::username`), the foreign
//! keys' `_id` aliases, `User::pk`, `User::objects()` and `User::meta()`.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::Ident;

use super::relations::SingleRelation;
use super::spans::Part;
use crate::internals::ast::{Container, Field};
use crate::internals::check::RESERVED_FIELD_NAMES;

/// `User::id`, ..., `User::pk`, `User::objects()`, `User::meta()` (inside the `const _`
/// block, where `__k` is in scope). `meta_body` is `&META`, or a stand-in's `unreachable!()`.
pub(super) fn inherent_impl(cont: &Container<'_>, meta_body: &TokenStream) -> TokenStream {
    let ident = cont.ident;
    let model = &cont.name;
    // A field with a reserved name is an error already; leaving its handle out keeps a
    // stand-in from adding a "duplicate definitions" one.
    let field_consts = cont
        .fields
        .iter()
        .filter(|field| !RESERVED_FIELD_NAMES.contains(&field.name.as_str()))
        .map(|field| field_handle(cont, field));
    let pk = primary_key_handle(cont);
    let objects_doc = format!("All rows of [`{model}`]: the start of every query.");
    let meta_doc = format!("The table metadata of [`{model}`].");
    quote! {
        #[automatically_derived]
        // Field handles of a private model may go unused; that is not the user's mistake.
        #[allow(non_upper_case_globals, dead_code)]
        impl #ident {
            #(#field_consts)*

            #pk

            #[doc = #objects_doc]
            pub fn objects() -> __k::QuerySet<#ident> {
                __k::QuerySet::new()
            }

            #[doc = #meta_doc]
            pub fn meta() -> &'static __k::ModelMeta {
                #meta_body
            }
        }
    }
}

/// `pub const username: Field<User, String>`, a `Relation` for a non-column relation, and a
/// foreign key's `_id` alias.
fn field_handle(cont: &Container<'_>, field: &Field<'_>) -> TokenStream {
    let ident = cont.ident;
    let model = &cont.name;
    let name = field.ident;
    let ty = field.ty;
    if let Some(index) = field.relation_index {
        let index = Literal::usize_unsuffixed(index);
        let doc = format!("The `{}` relation of [`{model}`] (not a column).", field.name);
        return quote_spanned! {name.span()=>
            #[doc = #doc]
            pub const #name: ::kata::__private::Relation<#ident, #ty> =
                ::kata::__private::Relation::__new(#index);
        };
    }
    let index = Literal::usize_unsuffixed(field.column_index.unwrap_or_default());
    let doc = format!("The `{}` field of [`{model}`] (column `{}`).", field.name, field.column);
    // A foreign key's handle is checked like the field: it is spanned as the relation (see
    // `spans`).
    let ends = SingleRelation::of(ty).filter(|_| field.is_foreign_key()).map(|single| single.ends);
    let value = quote!(::kata::__private::Field::__new(#index));
    let value = ends.map_or_else(|| value.clone(), |ends| ends.ours(value.clone()));
    let alias = foreign_key_alias(cont, field).zip(ends).map(|((alias_ident, alias_ty), ends)| {
        let doc =
            format!("The `{}` column of [`{model}`]: the key that `{}` holds.", field.column, field.name);
        // rustc checks an associated const at the span from `pub` to its name, its type at
        // the type's and its value at the value's: each is the relation's.
        let head = ends.at_first(quote!(#[doc = #doc] pub const));
        let name = ends.at_last(alias_ident.into_token_stream());
        let colon = ends.at_last(quote!(:));
        let eq = ends.at_last(quote!(=));
        let semi = ends.at_last(quote!(;));
        quote!(#head #name #colon #alias_ty #eq #value #semi)
    });
    // Spanned at the field, so that a clash with a `related_name` on another model points
    // here.
    quote_spanned! {name.span()=>
        #[doc = #doc]
        pub const #name: ::kata::__private::Field<#ident, #ty> = #value;
        #alias
    }
}

/// `User::pk`: a `Field` for a single key, a `CompositePk` for several. A stand-in for a
/// model without a key gets an `i64` one, matching its stand-in `Model::Pk`.
fn primary_key_handle(cont: &Container<'_>) -> TokenStream {
    let ident = cont.ident;
    let model = &cont.name;
    let key: Vec<(usize, &Field<'_>)> = cont.primary_key().collect();
    match key.as_slice() {
        [] => quote! {
            #[doc(hidden)]
            pub const pk: ::kata::__private::Field<#ident, i64> = ::kata::__private::Field::__new(0);
        },
        [(index, field)] => {
            let ty = field.ty;
            let index = Literal::usize_unsuffixed(*index);
            let doc = format!("The primary key of [`{model}`] (field `{}`).", field.name);
            quote! {
                #[doc = #doc]
                pub const pk: ::kata::__private::Field<#ident, #ty> =
                    ::kata::__private::Field::__new(#index);
            }
        }
        _ => {
            let types = key.iter().map(|(_, field)| field.ty);
            let indexes = key.iter().map(|(index, _)| Literal::usize_unsuffixed(*index));
            let names: Vec<String> = key.iter().map(|(_, field)| format!("`{}`", field.name)).collect();
            let doc = format!("The composite primary key of [`{model}`]: ({}).", names.join(", "));
            quote! {
                #[doc = #doc]
                pub const pk: ::kata::__private::CompositePk<#ident, (#(#types),*)> =
                    ::kata::__private::CompositePk::__new(&[#(#indexes),*]);
            }
        }
    }
}

/// `author` -> `author_id: Field<Post, <ForeignKey<User> as RelationKey>::Key>` (the user's
/// key type), unless another field is named so. The type and the value are spanned as the
/// relation (see `spans`).
fn foreign_key_alias(cont: &Container<'_>, field: &Field<'_>) -> Option<(Ident, TokenStream)> {
    if !field.is_foreign_key() {
        return None;
    }
    let alias = format!("{}_id", field.name);
    if cont.field_named(&alias).is_some() {
        return None;
    }
    let relation = SingleRelation::of(field.ty)?;
    let ident = cont.ident;
    let ends = relation.ends;
    let key = ends.build([
        Part::Ours(quote!(<)),
        Part::User(relation.relation.to_token_stream()),
        Part::Ours(quote!(as ::kata::__private::RelationKey>::Key)),
    ]);
    let key = if relation.optional {
        ends.build([Part::Ours(quote!(::core::option::Option<)), Part::User(key), Part::Ours(quote!(>))])
    } else {
        key
    };
    let ty = ends.build([
        Part::Ours(quote!(::kata::__private::Field<#ident,)),
        Part::User(key),
        Part::Ours(quote!(>)),
    ]);
    Some((format_ident!("{}", alias), ty))
}
