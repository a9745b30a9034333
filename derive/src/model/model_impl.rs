//! `impl Model for User`: decoding, binding, the key, relations and validation.
//!
//! The bodies reach `Model` and a foreign key's `FieldType` items through kata's
//! `ModelItems` and `FieldTypeItems` rather than `<Self as Model>::..`: naming a trait item
//! asks for the trait's supertraits too, and a model holding a broken foreign key (to a type
//! that is not a model) would fail them again in every body.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Ident;

use super::relations::{SingleRelation, probes};
use super::spans::Part;
use super::spans::type_span;
use crate::internals::ast::{Container, Field};

/// `impl Model for User { ... }` (inside the `const _` block).
pub(super) fn model_impl(cont: &Container<'_>) -> TokenStream {
    let ident = cont.ident;
    let (pk_type, pk_value) = primary_key(cont);
    let decode_fields = cont.fields.iter().map(decode_field);
    let value_arms = cont.columns().map(|(index, field)| {
        let name = field.ident;
        let index = Literal::usize_unsuffixed(index);
        let to_value = column_helper(field, "__to_value", "to_value");
        let call = call_relation(field, to_value, quote!((&self.#name)));
        quote!(#index => #call,)
    });
    let bind_arms = cont.columns().map(|(index, field)| {
        let name = field.ident;
        let index = Literal::usize_unsuffixed(index);
        let bind = column_helper(field, "__bind", "bind");
        let call = call_relation(field, bind, quote!((&self.#name, args)));
        quote!(#index => #call,)
    });
    let sync_relations = sync_relations(cont);
    let (set_auto_pk, is_unsaved) = auto_key(cont);
    let validations = validations(cont);
    let probes = probes(cont);
    let hooks = cont.hooks.then(|| {
        quote! {
            const __HAS_HOOKS: bool = true;

            fn __hooks_mut(&mut self) -> ::core::option::Option<&mut dyn __k::ModelHooks> {
                ::core::option::Option::Some(self)
            }

            fn __hooks(&self) -> ::core::option::Option<&dyn __k::ModelHooks> {
                ::core::option::Option::Some(self)
            }
        }
    });
    // Spanned at the struct's name: the supertraits the impl needs (`Send`, `Sync`, `Unpin`)
    // then fail, if they do, at one place, as one error.
    quote_spanned! {ident.span()=>
        #[automatically_derived]
        impl ::kata::__private::Model for #ident {
            type Pk = #pk_type;

            fn meta() -> &'static __k::ModelMeta {
                &META
            }

            #hooks

            fn pk(&self) -> #pk_type {
                #pk_value
            }

            fn __decode(reader: &mut __k::RowReader<'_>) -> __k::Result<Self> {
                #probes
                #[allow(unused_mut)]
                let mut value = #ident {
                    #(#decode_fields,)*
                };
                <Self as __k::ModelItems>::__sync_relations(&mut value);
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
                #probes
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

/// The path of a `FieldType` function for a column. A foreign key's goes through
/// `FieldTypeItems`' `helper`, its type spanned as the relation (see `spans`); any other column
/// names the trait's `item`, spanned at its type, so a type that is not a `FieldType` gives
/// one error there.
fn column_helper(field: &Field<'_>, helper: &str, item: &str) -> TokenStream {
    let ty = field.ty;
    match SingleRelation::of(ty).filter(|_| field.is_foreign_key()) {
        Some(relation) => {
            let column_ty = relation.column_type();
            let helper = Ident::new(helper, Span::call_site());
            relation.ends.build([
                Part::Ours(quote!(<)),
                Part::User(column_ty),
                Part::Ours(quote!(as ::kata::__private::FieldTypeItems>::#helper)),
            ])
        }
        None => {
            let span = type_span(ty);
            let item = Ident::new(item, span);
            quote_spanned!(span=> <#ty as __k::FieldType>::#item)
        }
    }
}

/// `function(args)`, spanned as the field's relation if it is a foreign key (see `spans`).
fn call_relation(field: &Field<'_>, function: TokenStream, args: TokenStream) -> TokenStream {
    match SingleRelation::of(field.ty).filter(|_| field.is_foreign_key()) {
        Some(single) => single.ends.build([Part::User(function), Part::Ours(args)]),
        None => quote!(#function #args),
    }
}

/// `name: <decoded column>` for `__decode`; a non-column relation starts empty.
fn decode_field(field: &Field<'_>) -> TokenStream {
    let name = field.ident;
    let ty = field.ty;
    if field.relation_index.is_some() {
        return quote!(#name: ::core::default::Default::default());
    }
    match SingleRelation::of(ty).filter(|_| field.is_foreign_key()) {
        Some(single) => {
            let decode = column_helper(field, "__decode", "decode");
            // The call and the `?` on it are spanned as the relation.
            let decode = single.ends.build([Part::User(decode), Part::Ours(quote!((reader)?))]);
            quote!(#name: #decode)
        }
        None => {
            let read = quote_spanned!(type_span(ty)=> reader.read(<#ty as __k::FieldType>::decode));
            quote!(#name: #read?)
        }
    }
}

/// `type Pk` and `pk()`'s body: the key field's type, or a tuple for a composite key.
fn primary_key(cont: &Container<'_>) -> (TokenStream, TokenStream) {
    let key: Vec<&Field<'_>> = cont.primary_key().map(|(_, field)| field).collect();
    match key.as_slice() {
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
    }
}

/// `__sync_relations`: every to-many relation gets this row's key. Each gets a copy but the
/// last, which takes it (decoding runs this for every row).
fn sync_relations(cont: &Container<'_>) -> TokenStream {
    let relation_count = cont.relations().count();
    if relation_count == 0 {
        return TokenStream::new();
    }
    let sync = cont.relations().enumerate().map(|(n, (index, field))| {
        let name = field.ident;
        let index = Literal::usize_unsuffixed(index);
        let key =
            if n + 1 == relation_count { quote!(key) } else { quote!(::core::clone::Clone::clone(&key)) };
        quote!(self.#name.__attach(#key, &META, &META.relations[#index]);)
    });
    let pk = cont.primary_key().next().map(|(_, field)| field);
    let pk_name = pk.map(|field| field.ident);
    let pk_ty = pk.map(|field| field.ty);
    quote! {
        fn __sync_relations(&mut self) {
            if <Self as __k::ModelItems>::__is_unsaved(self) {
                return;
            }
            let key = <#pk_ty as __k::FieldTypeItems>::__to_value(&self.#pk_name);
            #(#sync)*
        }
    }
}

/// `__set_auto_pk` and `__is_unsaved`'s bodies: through the `auto` field, if any.
fn auto_key(cont: &Container<'_>) -> (TokenStream, TokenStream) {
    match cont.auto_field() {
        Some(field) => {
            let name = field.ident;
            let ty = field.ty;
            let auto_key = quote_spanned!(type_span(ty)=> <#ty as __k::AutoKey>);
            (
                quote! {
                    self.#name = #auto_key::from_i64(value)?;
                    <Self as __k::ModelItems>::__sync_relations(self);
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
    }
}

/// `__validate`'s statements: `max_length`, `email`, a decimal's precision, the validators.
fn validations(cont: &Container<'_>) -> Vec<TokenStream> {
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
            let blank = field.accepts_empty();
            validations.push(quote! {
                __k::validate_email_unless_blank(&self.#name, #blank, #field_name, errors);
            });
        }
        if let Some((p, s)) = field.attrs.decimal {
            validations.push(quote! {
                __k::validate_column(
                    &self.#name,
                    __k::ColumnType::Decimal { max_digits: #p, decimal_places: #s },
                    #field_name,
                    errors,
                );
            });
        }
        validations.extend(super::validators::validate_calls(field));
    }
    if validations.is_empty() {
        validations.push(quote!(let _ = errors;));
    }
    validations
}
