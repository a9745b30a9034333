//! The link tables kata generates for `many_to_many` fields without a `through` model.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Ident, Type};

use super::relations::relation_target;
use crate::internals::ast::{Container, Field, snake_case};
use crate::internals::attr::Through;
use crate::internals::names::truncate_name;

/// A many-to-many whose link table kata generates.
pub(super) fn auto_through(field: &Field<'_>) -> bool {
    matches!(&field.attrs.many_to_many, Some(m) if !matches!(m.value, Some(Through::Model(_))))
}

fn through_ident(field: &Field<'_>) -> Ident {
    format_ident!("__KATA_THROUGH_{}", field.name.to_uppercase())
}

pub(super) fn through_fn(field: &Field<'_>) -> TokenStream {
    let ident = through_ident(field);
    quote!({
        fn through() -> &'static __k::ModelMeta {
            &#ident
        }
        through
    })
}

/// The link columns of a generated through table: `user_id`/`group_id`, or
/// `from_user_id`/`to_user_id` when a model links to itself (Django's names), shortened
/// like every generated name when too long; or the names given with `columns(..)`.
fn through_columns(cont: &Container<'_>, field: &Field<'_>) -> (String, String) {
    if let Some(columns) = &field.attrs.link_columns {
        return columns.value.clone();
    }
    let target = relation_target(field.ty)
        .and_then(|(t, _)| match t {
            Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        })
        .unwrap_or_default();
    let owner = snake_case(&cont.name);
    let target = snake_case(&target);
    let (owner, target) = if owner == target {
        (format!("from_{owner}_id"), format!("to_{target}_id"))
    } else {
        (format!("{owner}_id"), format!("{target}_id"))
    };
    (truncate_name(&owner), truncate_name(&target))
}

/// The static metadata of a generated link table: `id`, the owner's key, the target's key,
/// unique together, both foreign keys cascading.
pub(super) fn through_table(cont: &Container<'_>, field: &Field<'_>) -> TokenStream {
    let ident = through_ident(field);
    let ty = field.ty;
    let owner = cont.ident;
    let table = match field.attrs.many_to_many.as_ref().and_then(|m| m.value.clone()) {
        Some(Through::Table(name)) => name,
        _ => truncate_name(&format!("{}_{}", cont.table, field.name)),
    };
    let name = format!("{}_{}", cont.name, field.name);
    let (owner_column, target_column) = through_columns(cont, field);
    let target = quote!(<#ty as __k::ToMany>::Target);
    let column = |name: &str, key: TokenStream, to: TokenStream| {
        quote! {
            // field, column, type, nullable, primary_key, auto, unique, index, max_length,
            // email, default, foreign key (target, on_delete, related_name, one_to_one)
            __k::ColumnMeta::__new(
                #name, #name, <#key as __k::FieldTypeItems>::__COLUMN_TYPE,
                false, false, false, false, false, ::core::option::Option::None, false,
                ::core::option::Option::None,
                ::core::option::Option::Some(__k::ForeignKeyMeta::__new(
                    <#to as __k::ModelItems>::__meta, __k::OnDelete::Cascade, ::core::option::Option::None, false,
                )),
            )
        }
    };
    let owner_col = column(&owner_column, quote!(<#owner as __k::ModelItems>::__Pk), quote!(#owner));
    let target_col = column(&target_column, quote!(<#target as __k::ModelItems>::__Pk), target.clone());
    quote! {
        #[allow(non_upper_case_globals)]
        // name, table, columns, primary_key, unique_together, relations, through_tables
        static #ident: __k::ModelMeta = __k::ModelMeta::__new(
            #name,
            #table,
            &[
                __k::ColumnMeta::__new(
                    "id", "id", __k::ColumnType::BigInt,
                    false, true, true, false, false, ::core::option::Option::None, false,
                    ::core::option::Option::None, ::core::option::Option::None,
                ),
                #owner_col,
                #target_col,
            ],
            &[0],
            &[&[#owner_column, #target_column]],
            &[],
            &[],
        );
    }
}
