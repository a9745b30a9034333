//! The static metadata of a model: `static META: ModelMeta`, one `ColumnMeta` per column
//! and one `RelationMeta` per non-column relation.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::Ident;

use super::relations::SingleRelation;
use super::spans::Part;
use super::spans::type_span;
use super::through::{auto_through, through_fn};
use crate::internals::ast::{Container, Field};
use crate::internals::attr::{DefaultValue, OnDelete, Through};

/// `static META: ModelMeta = ...;` (inside the `const _` block, where `__k` is in scope).
pub(super) fn model_meta(cont: &Container<'_>) -> TokenStream {
    let name = &cont.name;
    let table = &cont.table;
    let columns = cont.columns().map(|(_, field)| column_meta(field));
    let relations = cont.relations().map(|(_, field)| relation_meta(cont, field));
    let through_fns =
        cont.relations().filter(|(_, field)| auto_through(field)).map(|(_, field)| through_fn(field));
    let primary_key = cont.primary_key().map(|(index, _)| Literal::usize_unsuffixed(index));
    let unique_together = cont.unique_together.iter().map(|group| {
        // check() has made sure every name is a field.
        let columns = group.fields.iter().filter_map(|ident| {
            let name = syn::ext::IdentExt::unraw(ident).to_string();
            cont.field_named(&name).map(|field| field.column.as_str())
        });
        quote!(&[#(#columns),*])
    });
    quote! {
        // name, table, columns, primary_key, unique_together, relations, through_tables
        static META: __k::ModelMeta = __k::ModelMeta::__new(
            #name,
            #table,
            &[#(#columns),*],
            &[#(#primary_key),*],
            &[#(#unique_together),*],
            &[#(#relations),*],
            &[#(#through_fns),*],
        );
    }
}

/// One `ColumnMeta`. A foreign key's type and target are read through `FieldTypeItems` and
/// `RelationItems`, the type spanned as the relation (see `spans`).
fn column_meta(field: &Field<'_>) -> TokenStream {
    let attrs = &field.attrs;
    let field_name = &field.name;
    let column = &field.column;
    let ty = field.ty;
    let (column_type, nullable) = match SingleRelation::of(ty).filter(|_| field.is_foreign_key()) {
        Some(relation) => {
            let item = |item: TokenStream| {
                relation.ends.build([
                    Part::Ours(quote!(<)),
                    Part::User(relation.column_type()),
                    Part::Ours(quote!(as ::kata::__private::FieldTypeItems>::#item)),
                ])
            };
            (item(quote!(__COLUMN_TYPE)), item(quote!(__NULLABLE)))
        }
        None => {
            let span = type_span(ty);
            (
                quote_spanned!(span=> <#ty as __k::FieldType>::COLUMN_TYPE),
                quote_spanned!(span=> <#ty as __k::FieldType>::NULLABLE),
            )
        }
    };
    let decimal = match attrs.decimal {
        Some((p, s)) => quote!(::core::option::Option::Some((#p, #s))),
        None => quote!(::core::option::Option::None),
    };
    let column_type = quote!(__k::ColumnType::__field(#column_type, #decimal));
    let primary_key = attrs.primary_key.is_some();
    let auto = attrs.auto.is_some();
    let unique = attrs.unique;
    let index = attrs.index;
    let email = attrs.email;
    let max_length = match attrs.max_length {
        Some(n) => {
            let n = Literal::u32_unsuffixed(n);
            quote!(::core::option::Option::Some(#n))
        }
        None => quote!(::core::option::Option::None),
    };
    let default = match &attrs.default {
        Some(default) => {
            let value = default_value(&default.value, default.span);
            quote!(::core::option::Option::Some(#value))
        }
        // A blank text field without a default takes `""` (Django's `get_default` for a
        // field that allows empty strings), unless it is nullable: then NULL.
        None if field.is_blank() => quote!(__k::DefaultValue::__blank(<#ty as __k::FieldType>::NULLABLE)),
        None => quote!(::core::option::Option::None),
    };
    let foreign_key = match foreign_key_meta(field) {
        Some(meta) => quote!(::core::option::Option::Some(#meta)),
        None => quote!(::core::option::Option::None),
    };
    // `blank` is stated on text fields only: the type check names the field's type.
    let blank = field.accepts_empty().then(|| {
        let span = attrs.blank.unwrap_or_else(|| type_span(ty));
        quote_spanned!(span=> .__blank(<#ty as __k::BlankText>::BLANK))
    });
    let validators = super::validators::column_meta_suffix(field);
    quote! {
        __k::ColumnMeta::__new(
            #field_name, #column, #column_type, #nullable, #primary_key, #auto, #unique, #index,
            #max_length, #email, #default, #foreign_key,
        )#blank #validators
    }
}

/// `ForeignKeyMeta { .. }` for a foreign key or one-to-one column.
fn foreign_key_meta(field: &Field<'_>) -> Option<TokenStream> {
    if !field.is_foreign_key() {
        return None;
    }
    let attrs = &field.attrs;
    let ty = field.ty;
    let target = match SingleRelation::of(ty) {
        Some(single) => single.ends.build([
            Part::Ours(quote!(<)),
            Part::User(single.relation.to_token_stream()),
            Part::Ours(quote!(as ::kata::__private::RelationItems<)),
            Part::User(single.target.to_token_stream()),
            Part::Ours(quote!(>>::__target_meta)),
        ]),
        None => quote_spanned!(type_span(ty)=> <#ty as __k::Related>::target_meta),
    };
    let on_delete = match attrs.on_delete.as_ref().map(|o| o.value) {
        None | Some(OnDelete::Cascade) => quote!(__k::OnDelete::Cascade),
        Some(OnDelete::Restrict) => quote!(__k::OnDelete::Restrict),
        Some(OnDelete::Protect) => quote!(__k::OnDelete::Protect),
        Some(OnDelete::SetNull) => quote!(__k::OnDelete::SetNull),
        Some(OnDelete::DoNothing) => quote!(__k::OnDelete::DoNothing),
    };
    let related_name = match &attrs.related_name {
        Some(name) => {
            let name = &name.value;
            quote!(::core::option::Option::Some(#name))
        }
        None => quote!(::core::option::Option::None),
    };
    let one_to_one = attrs.one_to_one.is_some();
    Some(quote! {
        __k::ForeignKeyMeta::__new(#target, #on_delete, #related_name, #one_to_one)
    })
}

/// `__k::DefaultValue::...`, with the literal spanned at the user's value.
fn default_value(value: &DefaultValue, span: Span) -> TokenStream {
    fn spanned(mut lit: Literal, span: Span) -> Literal {
        lit.set_span(span);
        lit
    }
    match value {
        DefaultValue::Str(text) => {
            let lit = spanned(Literal::string(text), span);
            quote!(__k::DefaultValue::Str(#lit))
        }
        DefaultValue::Bool(flag) => quote!(__k::DefaultValue::Bool(#flag)),
        // A negative number is written as `-` and a literal: that also covers i64::MIN, whose
        // magnitude has no positive i64 literal.
        DefaultValue::Int(n) => {
            let lit = spanned(Literal::u64_unsuffixed(n.unsigned_abs()), span);
            let sign = (*n < 0).then(|| quote!(-));
            quote!(__k::DefaultValue::Int(#sign #lit))
        }
        DefaultValue::Float(f) => {
            let lit = spanned(Literal::f64_suffixed(f.abs()), span);
            let sign = f.is_sign_negative().then(|| quote!(-));
            quote!(__k::DefaultValue::Float(#sign #lit))
        }
        DefaultValue::Now => quote!(__k::DefaultValue::Now),
        DefaultValue::Uuid4 => quote!(__k::DefaultValue::Uuid4),
    }
}

/// Written `ManyToMany<T>` (the last path segment).
fn is_many_to_many(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "ManyToMany"))
}

/// The through model's columns that `through_fields(owner, target)` picks (swapped for the
/// other side when `reverse`), as `Some(Model::field.index())`; `None` (the one foreign
/// key to each side) without it. A name that is not a field of the through model is a
/// compile error at that name.
pub(super) fn through_field_columns(
    path: &syn::Path,
    field: &Field<'_>,
    reverse: bool,
) -> (TokenStream, TokenStream) {
    match &field.attrs.through_fields {
        Some(fields) => {
            let (owner, target) = &fields.value;
            let column = |f: &Ident| quote!(::core::option::Option::Some(#path::#f.index()));
            let (a, b) = (column(owner), column(target));
            if reverse { (b, a) } else { (a, b) }
        }
        None => (quote!(::core::option::Option::None), quote!(::core::option::Option::None)),
    }
}

/// `RelationMeta { .. }` for a `ManyToMany` or `HasMany` field.
fn relation_meta(cont: &Container<'_>, field: &Field<'_>) -> TokenStream {
    let name = &field.name;
    let ty = field.ty;
    let span = type_span(ty);
    let target = quote_spanned!(span=> <<#ty as __k::ToMany>::Target as __k::ModelItems>::__meta);
    let kind = if let Some(m2m) = &field.attrs.many_to_many {
        match &m2m.value {
            Some(Through::Model(path)) => {
                let (owner_column, target_column) = through_field_columns(path, field, false);
                quote! {
                    __k::RelationKind::ManyToMany {
                        target: #target,
                        through: <#path as __k::ModelItems>::__meta,
                        owner_column: #owner_column,
                        target_column: #target_column,
                    }
                }
            }
            _ => {
                let through = through_fn(field);
                quote! {
                    __k::RelationKind::ManyToMany {
                        target: #target,
                        through: #through,
                        owner_column: ::core::option::Option::Some(1),
                        target_column: ::core::option::Option::Some(2),
                    }
                }
            }
        }
    } else if let Some(path) = &field.attrs.reverse_of {
        let owner = cont.ident;
        // Checked by type: a `ManyToMany<User>` field reverses a many-to-many relation of
        // `User` that points at this model, any other field reverses a foreign key (or
        // one-to-one) of its target that points here. Anything else is a type error at the
        // path, never a relation that returns the wrong rows.
        let path_span = syn::spanned::Spanned::span(path);
        if is_many_to_many(ty) {
            let index = quote_spanned!(path_span=>
                __k::__reverse_many_to_many::<#owner, <#ty as __k::ToMany>::Target>(#path));
            quote! {
                __k::RelationKind::ManyToManyReverse { forward: #target, relation: #index }
            }
        } else {
            let mut model = path.path.clone();
            model.segments.pop();
            let model_path = model.segments.iter().map(|s| &s.ident);
            let index = quote_spanned!(path_span=>
                __k::__reverse_foreign_key::<#owner, _, _>(#path));
            quote! {
                __k::RelationKind::Reverse {
                    source: <#(#model_path)::* as __k::ModelItems>::__meta,
                    column: #index,
                }
            }
        }
    } else {
        quote!(__k::RelationKind::Reverse { source: #target, column: 0 })
    };
    quote!(__k::RelationMeta::__new(#name, #kind))
}
