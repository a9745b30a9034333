//! `#[derive(Model)]`: the `Model` impl, the table metadata and the typed field handles.

use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned;

use crate::internals::ast::{Container, Field};
use crate::internals::attr::DefaultValue;
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
    quote! {
        #inherent

        #[doc(hidden)]
        const _: () = {
            use ::kata::__private as __k;
            #meta
            #model_impl
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

    let field_consts = cont.fields.iter().enumerate().map(|(index, field)| {
        let name = field.ident;
        let ty = field.ty;
        let index = Literal::usize_unsuffixed(index);
        let doc = format!("The `{}` field of [`{model}`] (column `{}`).", field.name, field.column);
        quote! {
            #[doc = #doc]
            pub const #name: ::kata::__private::Field<#ident, #ty> =
                ::kata::__private::Field::__new(#index);
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
        #[allow(non_upper_case_globals)]
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
    let columns = cont.fields.iter().map(column_meta);
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
        let next = quote_spanned!(type_span(ty)=> reader.next::<#ty>());
        quote!(#name: #next?)
    });

    let bind_arms = cont.fields.iter().enumerate().map(|(index, field)| {
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
                ::core::result::Result::Ok(#ident {
                    #(#decode_fields,)*
                })
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

#[cfg(test)]
mod tests;
