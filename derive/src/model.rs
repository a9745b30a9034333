//! `#[derive(Model)]`: the `Model` impl, the table metadata and the typed field handles.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, GenericArgument, Ident, PathArguments, Type};

use crate::internals::ast::{Container, Field, snake_case};
use crate::internals::attr::{DefaultValue, OnDelete, Through};
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
    let inherent = inherent_impl(cont);
    let meta = model_meta(cont);
    let model_impl = model_impl(cont);
    let slots = relation_slots(cont);
    let throughs = cont.relations().filter(|(_, f)| auto_through(f)).map(|(_, f)| through_table(cont, f));
    let reverse = cont.fields.iter().filter_map(|f| reverse_accessor(cont, f));
    quote! {
        #inherent

        #[doc(hidden)]
        const _: () = {
            use ::kata::__private as __k;
            #meta
            #model_impl
            #slots
            #(#throughs)*
            #(#reverse)*
        };
    }
}

/// A span that resolves like the macro's own tokens but points at `ty`, so a trait bound that
/// fails on a field type (`FieldType`, `AutoKey`) is reported at the user's type.
fn type_span(ty: &syn::Type) -> Span {
    Span::call_site().located_at(ty.span())
}

/// `User::id`, ..., `User::pk`, `User::objects()`, `User::meta()`.
fn inherent_impl(cont: &Container<'_>) -> TokenStream {
    let ident = cont.ident;
    let model = &cont.name;

    let field_consts = cont.fields.iter().map(|field| {
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
        let alias = foreign_key_alias(cont, field).map(|(alias_ident, key_ty)| {
            let doc =
                format!("The `{}` column of [`{model}`]: the key that `{}` holds.", field.column, field.name);
            quote! {
                #[doc = #doc]
                pub const #alias_ident: ::kata::__private::Field<#ident, #key_ty> =
                    ::kata::__private::Field::__new(#index);
            }
        });
        // Spanned at the field, so that a clash with a `related_name` on another model
        // points here.
        quote_spanned! {name.span()=>
            #[doc = #doc]
            pub const #name: ::kata::__private::Field<#ident, #ty> =
                ::kata::__private::Field::__new(#index);
            #alias
        }
    });

    let key: Vec<(usize, &Field<'_>)> = cont.primary_key().collect();
    let pk = match key.as_slice() {
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
    };

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
            pub fn objects() -> ::kata::__private::QuerySet<#ident> {
                ::kata::__private::QuerySet::new()
            }

            #[doc = #meta_doc]
            pub fn meta() -> &'static ::kata::__private::ModelMeta {
                <#ident as ::kata::__private::Model>::meta()
            }
        }
    }
}

/// `static META: ModelMeta = ...;` (inside the `const _` block, where `__k` is in scope).
fn model_meta(cont: &Container<'_>) -> TokenStream {
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
        static META: __k::ModelMeta = __k::ModelMeta {
            name: #name,
            table: #table,
            columns: &[#(#columns),*],
            primary_key: &[#(#primary_key),*],
            unique_together: &[#(#unique_together),*],
            relations: &[#(#relations),*],
            through_tables: &[#(#through_fns),*],
        };
    }
}

fn column_meta(field: &Field<'_>) -> TokenStream {
    let attrs = &field.attrs;
    let field_name = &field.name;
    let column = &field.column;
    let ty = field.ty;
    let span = type_span(ty);
    let column_type = quote_spanned!(span=> <#ty as __k::FieldType>::COLUMN_TYPE);
    let nullable = quote_spanned!(span=> <#ty as __k::FieldType>::NULLABLE);
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
        None => quote!(::core::option::Option::None),
    };
    let foreign_key = if field.is_foreign_key() {
        let target = quote_spanned!(span=> <#ty as __k::Related>::target_meta);
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
        quote! {
            ::core::option::Option::Some(__k::ForeignKeyMeta {
                target: #target,
                on_delete: #on_delete,
                related_name: #related_name,
                one_to_one: #one_to_one,
            })
        }
    } else {
        quote!(::core::option::Option::None)
    };
    quote! {
        __k::ColumnMeta {
            field: #field_name,
            name: #column,
            ty: #column_type,
            nullable: #nullable,
            primary_key: #primary_key,
            auto: #auto,
            unique: #unique,
            index: #index,
            max_length: #max_length,
            email: #email,
            default: #default,
            foreign_key: #foreign_key,
        }
    }
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
    }
}

/// `impl Model for User { ... }` (inside the `const _` block).
fn model_impl(cont: &Container<'_>) -> TokenStream {
    let ident = cont.ident;
    let key: Vec<&Field<'_>> = cont.primary_key().map(|(_, field)| field).collect();

    let (pk_type, pk_value) = match key.as_slice() {
        [field] => {
            let ty = field.ty;
            let name = field.ident;
            (quote!(#ty), quote!(::core::clone::Clone::clone(&self.#name)))
        }
        _ => {
            let types = key.iter().map(|field| field.ty);
            let names = key.iter().map(|field| field.ident);
            (quote!((#(#types),*)), quote!((#(::core::clone::Clone::clone(&self.#names)),*)))
        }
    };

    let decode_fields = cont.fields.iter().map(|field| {
        let name = field.ident;
        let ty = field.ty;
        if field.relation_index.is_some() {
            return quote!(#name: ::core::default::Default::default());
        }
        let read = quote_spanned!(type_span(ty)=> reader.read(<#ty as __k::FieldType>::decode));
        quote!(#name: #read?)
    });

    let value_arms = cont.columns().map(|(index, field)| {
        let name = field.ident;
        let ty = field.ty;
        let index = Literal::usize_unsuffixed(index);
        let to_value = quote_spanned!(type_span(ty)=> <#ty as __k::FieldType>::to_value);
        quote!(#index => #to_value(&self.#name),)
    });

    // Every relation gets a copy of the key but the last, which takes it (decoding runs this
    // for every row).
    let relation_count = cont.relations().count();
    let sync = cont.relations().enumerate().map(|(n, (index, field))| {
        let name = field.ident;
        let index = Literal::usize_unsuffixed(index);
        let key =
            if n + 1 == relation_count { quote!(key) } else { quote!(::core::clone::Clone::clone(&key)) };
        quote!(self.#name.__attach(#key, &META, &META.relations[#index]);)
    });
    let sync_relations = if cont.relations().next().is_some() {
        let pk = key.first().map(|f| f.ident);
        quote! {
            fn __sync_relations(&mut self) {
                if <Self as __k::Model>::__is_unsaved(self) {
                    return;
                }
                let key = __k::FieldType::to_value(&self.#pk);
                #(#sync)*
            }
        }
    } else {
        quote!()
    };

    let bind_arms = cont.columns().map(|(index, field)| {
        let name = field.ident;
        let ty = field.ty;
        let index = Literal::usize_unsuffixed(index);
        let bind = quote_spanned!(type_span(ty)=> <#ty as __k::FieldType>::bind);
        quote!(#index => #bind(&self.#name, args),)
    });

    let (set_auto_pk, is_unsaved) = match cont.auto_field() {
        Some(field) => {
            let name = field.ident;
            let ty = field.ty;
            let auto_key = quote_spanned!(type_span(ty)=> <#ty as __k::AutoKey>);
            (
                quote! {
                    self.#name = #auto_key::from_i64(value)?;
                    __k::Model::__sync_relations(self);
                    ::core::result::Result::Ok(())
                },
                quote!(self.#name == #auto_key::unsaved()),
            )
        }
        None => (
            quote! {
                let _ = value;
                ::core::result::Result::Ok(())
            },
            quote!(false),
        ),
    };

    let mut validations = Vec::new();
    for field in &cont.fields {
        let name = field.ident;
        let field_name = &field.name;
        if let Some(max) = field.attrs.max_length {
            let max = Literal::u32_unsuffixed(max);
            validations.push(quote! {
                __k::validate_max_length(&self.#name, #max, #field_name, errors);
            });
        }
        if field.attrs.email {
            validations.push(quote! {
                __k::validate_email(&self.#name, #field_name, errors);
            });
        }
    }
    if validations.is_empty() {
        validations.push(quote!(let _ = errors;));
    }

    quote! {
        #[automatically_derived]
        impl __k::Model for #ident {
            type Pk = #pk_type;

            fn meta() -> &'static __k::ModelMeta {
                &META
            }

            fn pk(&self) -> Self::Pk {
                #pk_value
            }

            fn __decode(reader: &mut __k::RowReader<'_>) -> __k::Result<Self> {
                #[allow(unused_mut)]
                let mut value = #ident {
                    #(#decode_fields,)*
                };
                __k::Model::__sync_relations(&mut value);
                ::core::result::Result::Ok(value)
            }

            fn __column_value(&self, index: usize) -> __k::Value {
                match index {
                    #(#value_arms)*
                    _ => __k::Value::Null(__k::ColumnType::BigInt),
                }
            }

            #sync_relations

            fn __clone_model(&self) -> ::core::option::Option<Self> {
                #[allow(unused_imports)]
                use __k::{CloneFallback as _, CloneIfClone as _};
                (&__k::CloneProbe(self)).__kata_clone()
            }

            fn __bind_column(&self, index: usize, args: &mut __k::Args) -> __k::Result<()> {
                match index {
                    #(#bind_arms)*
                    _ => ::core::result::Result::Err(
                        __k::Error::Internal("column index out of range")
                    ),
                }
            }

            fn __set_auto_pk(&mut self, value: i64) -> __k::Result<()> {
                #set_auto_pk
            }

            fn __is_unsaved(&self) -> bool {
                #is_unsaved
            }

            fn __validate(&self, errors: &mut __k::ValidationErrors) {
                #(#validations)*
            }
        }
    }
}

/// `ForeignKey<T>` / `OneToOne<T>` / an `Option` of either: the target type and whether it is
/// optional, read from the field's type as written.
fn relation_target(ty: &Type) -> Option<(&Type, bool)> {
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
    if let Some(inner) = generic(ty, &["Option"]) {
        return generic(inner, &["ForeignKey", "OneToOne"]).map(|t| (t, true));
    }
    generic(ty, &["ForeignKey", "OneToOne", "ManyToMany", "HasMany"]).map(|t| (t, false))
}

/// `author` -> `author_id: Field<Post, <User as Model>::Pk>`, unless another field is
/// named so.
fn foreign_key_alias(cont: &Container<'_>, field: &Field<'_>) -> Option<(Ident, TokenStream)> {
    if !field.is_foreign_key() {
        return None;
    }
    let alias = format!("{}_id", field.name);
    if cont.field_named(&alias).is_some() {
        return None;
    }
    let (target, optional) = relation_target(field.ty)?;
    let key = quote!(<#target as ::kata::__private::Model>::Pk);
    let ty = if optional { quote!(::core::option::Option<#key>) } else { key };
    Some((format_ident!("{}", alias), ty))
}

/// A many-to-many whose link table kata generates.
fn auto_through(field: &Field<'_>) -> bool {
    matches!(&field.attrs.many_to_many, Some(m) if !matches!(m.value, Some(Through::Model(_))))
}

fn through_ident(field: &Field<'_>) -> Ident {
    format_ident!("__KATA_THROUGH_{}", field.name.to_uppercase())
}

fn through_fn(field: &Field<'_>) -> TokenStream {
    let ident = through_ident(field);
    quote!({
        fn through() -> &'static __k::ModelMeta {
            &#ident
        }
        through
    })
}

/// The link columns of a generated through table: `user_id`/`group_id`, or
/// `from_user_id`/`to_user_id` when a model links to itself (Django's names).
fn through_columns(cont: &Container<'_>, field: &Field<'_>) -> (String, String) {
    let target = relation_target(field.ty)
        .and_then(|(t, _)| match t {
            Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        })
        .unwrap_or_default();
    let owner = snake_case(&cont.name);
    let target = snake_case(&target);
    if owner == target {
        (format!("from_{owner}_id"), format!("to_{target}_id"))
    } else {
        (format!("{owner}_id"), format!("{target}_id"))
    }
}

/// `RelationMeta { .. }` for a `ManyToMany` or `HasMany` field.
fn relation_meta(cont: &Container<'_>, field: &Field<'_>) -> TokenStream {
    let name = &field.name;
    let ty = field.ty;
    let span = type_span(ty);
    let target = quote_spanned!(span=> <<#ty as __k::ToMany>::Target as __k::Model>::meta);
    let kind = if let Some(m2m) = &field.attrs.many_to_many {
        match &m2m.value {
            Some(Through::Model(path)) => quote! {
                __k::RelationKind::ManyToMany {
                    target: #target,
                    through: <#path as __k::Model>::meta,
                    owner_column: ::core::option::Option::None,
                    target_column: ::core::option::Option::None,
                }
            },
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
        let mut model = path.path.clone();
        model.segments.pop();
        let model_path = model.segments.iter().map(|s| &s.ident);
        let _ = cont;
        quote! {
            __k::RelationKind::Reverse {
                source: <#(#model_path)::* as __k::Model>::meta,
                column: #path.index(),
            }
        }
    } else {
        quote!(__k::RelationKind::Reverse { source: #target, column: 0 })
    };
    quote!(__k::RelationMeta { field: #name, kind: #kind })
}

/// The static metadata of a generated link table: `id`, the owner's key, the target's key,
/// unique together, both foreign keys cascading.
fn through_table(cont: &Container<'_>, field: &Field<'_>) -> TokenStream {
    let ident = through_ident(field);
    let ty = field.ty;
    let owner = cont.ident;
    let table = match field.attrs.many_to_many.as_ref().and_then(|m| m.value.clone()) {
        Some(Through::Table(name)) => name,
        _ => format!("{}_{}", cont.table, field.name),
    };
    let name = format!("{}_{}", cont.name, field.name);
    let (owner_column, target_column) = through_columns(cont, field);
    let target = quote!(<#ty as __k::ToMany>::Target);
    let column = |name: &str, key: TokenStream, to: TokenStream| {
        quote! {
            __k::ColumnMeta {
                field: #name,
                name: #name,
                ty: <#key as __k::FieldType>::COLUMN_TYPE,
                nullable: false,
                primary_key: false,
                auto: false,
                unique: false,
                index: false,
                max_length: ::core::option::Option::None,
                email: false,
                default: ::core::option::Option::None,
                foreign_key: ::core::option::Option::Some(__k::ForeignKeyMeta {
                    target: <#to as __k::Model>::meta,
                    on_delete: __k::OnDelete::Cascade,
                    related_name: ::core::option::Option::None,
                    one_to_one: false,
                }),
            }
        }
    };
    let owner_col = column(&owner_column, quote!(<#owner as __k::Model>::Pk), quote!(#owner));
    let target_col = column(&target_column, quote!(<#target as __k::Model>::Pk), target.clone());
    quote! {
        #[allow(non_upper_case_globals)]
        static #ident: __k::ModelMeta = __k::ModelMeta {
            name: #name,
            table: #table,
            columns: &[
                __k::ColumnMeta {
                    field: "id",
                    name: "id",
                    ty: __k::ColumnType::BigInt,
                    nullable: false,
                    primary_key: true,
                    auto: true,
                    unique: false,
                    index: false,
                    max_length: ::core::option::Option::None,
                    email: false,
                    default: ::core::option::Option::None,
                    foreign_key: ::core::option::Option::None,
                },
                #owner_col,
                #target_col,
            ],
            primary_key: &[0],
            unique_together: &[&[#owner_column, #target_column]],
            relations: &[],
            through_tables: &[],
        };
    }
}

/// `impl RelationSlot<R> for Model`, one per relation field type, so that loaders can fill
/// a relation by position.
fn relation_slots(cont: &Container<'_>) -> TokenStream {
    let ident = cont.ident;
    let mut by_type: Vec<(String, &Type, Vec<TokenStream>)> = Vec::new();
    for field in &cont.fields {
        let index = match (field.is_foreign_key(), field.column_index, field.relation_index) {
            (true, Some(i), _) => i,
            (_, _, Some(i)) => i,
            _ => continue,
        };
        let name = field.ident;
        let index = Literal::usize_unsuffixed(index);
        let arm = quote!(#index => ::core::option::Option::Some(&mut self.#name),);
        let key = field.ty.to_token_stream().to_string();
        match by_type.iter_mut().find(|(k, _, _)| *k == key) {
            Some((_, _, arms)) => arms.push(arm),
            None => by_type.push((key, field.ty, vec![arm])),
        }
    }
    let impls = by_type.into_iter().map(|(_, ty, arms)| {
        quote! {
            #[automatically_derived]
            impl __k::RelationSlot<#ty> for #ident {
                fn __slot(&mut self, index: usize) -> ::core::option::Option<&mut #ty> {
                    match index {
                        #(#arms)*
                        _ => ::core::option::Option::None,
                    }
                }
            }
        }
    });
    quote!(#(#impls)*)
}

/// For `related_name = "posts"` on a foreign key or many-to-many field: an accessor on the
/// other model (`user.posts()`) returning a related manager.
fn reverse_accessor(cont: &Container<'_>, field: &Field<'_>) -> Option<TokenStream> {
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
            quote!(__k::RelationKind::Reverse { source: <#owner as __k::Model>::meta, column: #column }),
            format!(
                "The [`{}`] rows whose `{}` points at this one (a related manager).",
                cont.name, field.name
            ),
        )
    } else if field.attrs.many_to_many.is_some() {
        let through = match field.attrs.many_to_many.as_ref().and_then(|m| m.value.clone()) {
            Some(Through::Model(path)) => quote!(<#path as __k::Model>::meta),
            _ => through_fn(field),
        };
        let (owner_col, target_col) = if auto_through(field) {
            (quote!(::core::option::Option::Some(2)), quote!(::core::option::Option::Some(1)))
        } else {
            (quote!(::core::option::Option::None), quote!(::core::option::Option::None))
        };
        (
            quote_spanned!(related.span=> ::kata::__private::ManyToMany<#owner>),
            quote!(__k::RelationKind::ManyToMany {
                target: <#owner as __k::Model>::meta,
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
    // Spanned at the `related_name` string: a clash with a field (or another accessor) of
    // the target is a "duplicate definitions" error pointing at both names.
    let accessor = quote_spanned! {related.span=>
        #[doc = #doc]
        pub fn #method(&self) -> #manager {
            let mut manager = <#manager as ::core::default::Default>::default();
            if !<#target as __k::Model>::__is_unsaved(self) {
                let key = __k::FieldType::to_value(&<#target as __k::Model>::pk(self));
                manager.__attach(key, <#target as __k::Model>::meta(), &#meta_ident);
            }
            manager
        }
    };
    Some(quote! {
        #[allow(non_upper_case_globals)]
        static #meta_ident: __k::RelationMeta = __k::RelationMeta { field: #name, kind: #kind };

        #[automatically_derived]
        impl #target {
            #accessor
        }
    })
}

#[cfg(test)]
mod tests;
