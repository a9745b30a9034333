//! Relation plumbing: the target of a relation field, the `RelationSlot` impls loaders fill,
//! and the reverse accessors `related_name` adds to the other model.

use proc_macro2::{Literal, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::{GenericArgument, Ident, PathArguments, Type};

use super::spans::{Part, RelationEnds};
use super::through::through_fn;
use crate::internals::ast::{Container, Field};
use crate::internals::attr::Through;

/// `T` of `Name<T>` when `ty` is written `Name<T>` with `Name` among `names`.
fn generic<'t>(ty: &'t Type, names: &[&str]) -> Option<&'t Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if !names.iter().any(|n| last.ident == n) {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

/// `ForeignKey<T>` / `OneToOne<T>` / `ManyToMany<T>` / `HasMany<T>` / an `Option` of the first
/// two: the target type and whether it is optional, read from the field's type as written.
pub(super) fn relation_target(ty: &Type) -> Option<(&Type, bool)> {
    if let Some(relation) = SingleRelation::of(ty) {
        return Some((relation.target, relation.optional));
    }
    generic(ty, &["ManyToMany", "HasMany"]).map(|t| (t, false))
}

/// A single-valued relation column as written: `ForeignKey<T>`, `OneToOne<T>`, or an
/// `Option` of either.
#[derive(Debug, Clone, Copy)]
pub(super) struct SingleRelation<'t> {
    /// `ForeignKey<T>` itself, inside the `Option` if any.
    pub(super) relation: &'t Type,
    /// `T`.
    pub(super) target: &'t Type,
    /// Written in an `Option`.
    pub(super) optional: bool,
    /// Where `relation` was written.
    pub(super) ends: RelationEnds,
}

impl<'t> SingleRelation<'t> {
    /// The relation `ty` is, if it is a `ForeignKey`/`OneToOne` or an `Option` of one.
    pub(super) fn of(ty: &'t Type) -> Option<Self> {
        let (relation, optional) = match generic(ty, &["Option"]) {
            Some(inner) => (inner, true),
            None => (ty, false),
        };
        let target = generic(relation, &["ForeignKey", "OneToOne"])?;
        Some(SingleRelation { relation, target, optional, ends: RelationEnds::of(relation) })
    }

    /// The column's type, spanned as the relation (an `Option` around it is spanned so too).
    pub(super) fn column_type(&self) -> TokenStream {
        let relation = self.relation;
        if self.optional {
            self.ends.build([
                Part::Ours(quote!(::core::option::Option<)),
                Part::User(relation.to_token_stream()),
                Part::Ours(quote!(>)),
            ])
        } else {
            relation.to_token_stream()
        }
    }
}

/// `<ForeignKey<Author> as FieldType>::NULLABLE;` for each foreign key of the model, as the
/// user wrote its type, in the bodies that hold the model by value. Nothing at run time. At
/// compile time, a body with an error skips the later checks (drop and borrow checking) that
/// would each report a broken model's layout once more, and these give the body that error:
/// when `Author` is not a model, the field's own error again (spanned as the relation, so
/// rustc prints it once); when `Author` is a model that holds such a field itself, one error
/// that `FieldType` needs `Send`, the same in every body (so printed once).
pub(super) fn probes(cont: &Container<'_>) -> TokenStream {
    let probes = cont
        .columns()
        .filter(|(_, field)| field.is_foreign_key())
        .filter_map(|(_, field)| SingleRelation::of(field.ty))
        .map(|single| {
            // A statement, not `let _ = ..`: a `let` would check the type again at the `_`.
            single.ends.build([
                Part::Ours(quote!(#[allow(path_statements)] <)),
                Part::User(single.relation.to_token_stream()),
                Part::Ours(quote!(as ::kata::__private::FieldType>::NULLABLE;)),
            ])
        });
    // A relation that is not a column, by the same token: `<Tag as Model>::meta` needs
    // `Tag`'s `Send` and `Sync`, which a broken foreign key in `Tag` denies.
    let to_many = cont.relations().filter_map(|(_, field)| {
        let target = generic(field.ty, &["ManyToMany", "HasMany", "HasOne"])?;
        Some(RelationEnds::of(field.ty).build([
            Part::Ours(quote!(#[allow(path_statements)] <)),
            Part::User(target.to_token_stream()),
            Part::Ours(quote!(as ::kata::__private::Model>::meta;)),
        ]))
    });
    quote!(#(#probes)* #(#to_many)*)
}

/// `impl RelationSlot<R> for Model`, one per relation field type, so that loaders can fill
/// a relation by position.
pub(super) fn relation_slots(cont: &Container<'_>) -> TokenStream {
    let ident = cont.ident;
    let mut by_type: Vec<(String, &Field<'_>, Vec<&Field<'_>>)> = Vec::new();
    for field in &cont.fields {
        if !(field.is_foreign_key() && field.column_index.is_some() || field.relation_index.is_some()) {
            continue;
        }
        let key = field.ty.to_token_stream().to_string();
        match by_type.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, fields)) => fields.push(field),
            None => by_type.push((key, field, vec![field])),
        }
    }
    let impls = by_type.into_iter().map(|(_, first, fields)| {
        let arms = |some: &dyn Fn(TokenStream) -> TokenStream| {
            fields
                .iter()
                .map(|field| {
                    let name = field.ident;
                    let index = Literal::usize_unsuffixed(
                        field.column_index.or(field.relation_index).unwrap_or_default(),
                    );
                    let value = some(quote!(::core::option::Option::Some(&mut self.#name)));
                    quote!(#index => #value,)
                })
                .collect::<TokenStream>()
        };
        match SingleRelation::of(first.ty).filter(|_| first.is_foreign_key()) {
            // A foreign key's impl is spanned as the relation (see `spans`), attributes to
            // closing brace.
            Some(single) => {
                let ends = single.ends;
                let ty = single.column_type();
                let header = ends.build([
                    Part::Ours(quote!(#[automatically_derived] impl ::kata::__private::RelationSlot<)),
                    Part::User(ty.clone()),
                    Part::Ours(quote!(> for #ident)),
                ]);
                let signature = ends.build([
                    Part::Ours(quote!(fn __slot(&mut self, index: usize) -> ::core::option::Option<&mut)),
                    Part::User(ty),
                    Part::Ours(quote!(>)),
                ]);
                let arms = arms(&|value| ends.ours(value));
                let none = ends.ours(quote!(::core::option::Option::None));
                let body = ends.block(quote!(match index { #arms _ => #none, }));
                let method = ends.block(quote!(#signature #body));
                quote!(#header #method)
            }
            None => {
                let ty = first.ty;
                let arms = arms(&|value| value);
                quote! {
                    #[automatically_derived]
                    impl __k::RelationSlot<#ty> for #ident {
                        fn __slot(&mut self, index: usize) -> ::core::option::Option<&mut #ty> {
                            match index {
                                #arms
                                _ => ::core::option::Option::None,
                            }
                        }
                    }
                }
            }
        }
    });
    quote!(#(#impls)*)
}

/// For `related_name = "posts"` on a foreign key or many-to-many field: an accessor on the
/// other model (`user.posts()`) returning a related manager. A stand-in's accessor only has
/// the signature (its body is `unreachable!()`: the model failed its checks, so the program
/// never runs).
pub(super) fn reverse_accessor(
    cont: &Container<'_>,
    field: &Field<'_>,
    stand_in: bool,
) -> Option<TokenStream> {
    let related = field.attrs.related_name.as_ref()?;
    let (target, _) = relation_target(field.ty)?;
    let owner = cont.ident;
    let method = Ident::new(&related.value, related.span);
    let meta_ident = format_ident!("__KATA_REVERSE_{}", field.name.to_uppercase());
    let name = &related.value;
    let (manager, kind, doc) = if let Some(column) = field.column_index.filter(|_| field.is_foreign_key()) {
        let column = Literal::usize_unsuffixed(column);
        (
            quote_spanned!(related.span=> ::kata::__private::HasMany<#owner>),
            quote!(__k::RelationKind::Reverse { source: <#owner as __k::ModelItems>::__meta, column: #column }),
            format!(
                "The [`{}`] rows whose `{}` points at this one (a related manager).",
                cont.name, field.name
            ),
        )
    } else if field.attrs.many_to_many.is_some() {
        let through = match field.attrs.many_to_many.as_ref().and_then(|m| m.value.clone()) {
            Some(Through::Model(path)) => quote!(<#path as __k::ModelItems>::__meta),
            _ => through_fn(field),
        };
        let (owner_col, target_col) = match field.attrs.many_to_many.as_ref().and_then(|m| m.value.as_ref()) {
            Some(Through::Model(path)) => super::meta::through_field_columns(path, field, true),
            _ => (quote!(::core::option::Option::Some(2)), quote!(::core::option::Option::Some(1))),
        };
        (
            quote_spanned!(related.span=> ::kata::__private::ManyToMany<#owner>),
            quote!(__k::RelationKind::ManyToMany {
                target: <#owner as __k::ModelItems>::__meta,
                through: #through,
                owner_column: #owner_col,
                target_column: #target_col,
            }),
            format!(
                "The [`{}`] rows linked to this one through `{}` (a related manager).",
                cont.name, field.name
            ),
        )
    } else {
        return None;
    };
    let body = if stand_in {
        quote!(::core::unreachable!())
    } else {
        accessor_body(cont, field, &manager, &meta_ident)
    };
    // Spanned at the `related_name` string: a clash with a field (or another accessor) of
    // the target is a "duplicate definitions" error pointing at both names.
    // Declared whether or not the program calls it (Django creates `user.posts` either
    // way): an unused one is no `dead_code` warning in the user's crate.
    let accessor = quote_spanned! {related.span=>
        #[doc = #doc]
        #[allow(dead_code)]
        pub fn #method(&self) -> #manager {
            #body
        }
    };
    let meta = (!stand_in).then(|| {
        quote! {
            #[allow(non_upper_case_globals)]
            static #meta_ident: __k::RelationMeta = __k::RelationMeta::__new(#name, #kind);
        }
    });
    Some(quote! {
        #meta

        #[automatically_derived]
        impl #target {
            #accessor
        }
    })
}

/// A related manager attached to this row's key. The target is reached through the relation
/// type as the user wrote it (`<ForeignKey<Author> as RelationItems>`), spanned as that type,
/// after the owner's probes: when `Author` is not a model, the error is the one the field
/// already has, and rustc shows it once.
fn accessor_body(
    cont: &Container<'_>,
    field: &Field<'_>,
    manager: &TokenStream,
    meta_ident: &Ident,
) -> TokenStream {
    let (relation, ends) = match SingleRelation::of(field.ty) {
        Some(single) => (single.relation, single.ends),
        None => (field.ty, RelationEnds::of(field.ty)),
    };
    let Some((target, _)) = relation_target(field.ty) else { return quote!(::core::unreachable!()) };
    let probes = probes(cont);
    let call = |call: TokenStream| {
        ends.build([
            Part::Ours(quote!(<)),
            Part::User(relation.to_token_stream()),
            Part::Ours(quote!(as ::kata::__private::RelationItems<)),
            Part::User(target.to_token_stream()),
            Part::Ours(quote!(>>::#call)),
        ])
    };
    let key = call(quote!(__key_of(self)));
    let target_meta = call(quote!(__target_meta()));
    quote! {
        #probes
        let mut manager = <#manager as ::core::default::Default>::default();
        if let ::core::option::Option::Some(key) = #key {
            manager.__attach(key, #target_meta, &#meta_ident);
        }
        manager
    }
}
