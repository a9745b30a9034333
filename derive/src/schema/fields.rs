//! What each model field contributes to a schema: its struct field, and its share of the
//! conversions, validation and decoding. One function per kind of field: plain, optional
//! (a tri-state `Patch`), foreign key, nested, many-to-many.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Path, Type};

use super::rules::{self, Shape};
use crate::internals::ast::Field;
use crate::internals::attr::{DefaultValue, SchemaSpec};

/// The generated pieces of one schema, filled field by field.
#[derive(Default)]
pub(super) struct Parts {
    /// The struct's fields.
    pub(super) struct_fields: Vec<TokenStream>,
    /// `fn __kata_default_<field>()`, for `#[serde(default = ..)]`.
    pub(super) default_fns: Vec<TokenStream>,
    /// The `Default` impl's field values.
    pub(super) default_values: Vec<TokenStream>,
    /// `From<Model>`'s field values.
    pub(super) from_owned: Vec<TokenStream>,
    /// `From<&Model>` (or `TryFrom<&Model>`)'s field values.
    pub(super) from_ref: Vec<TokenStream>,
    /// `Update::into_assignments` (and `Insert`) statements.
    pub(super) assignments: Vec<TokenStream>,
    /// `Insert::into_insert`'s extra statements (an `auto` key given in the payload).
    pub(super) insert_assignments: Vec<TokenStream>,
    /// `Apply::apply_to` statements.
    pub(super) applies: Vec<TokenStream>,
    /// `Validate::validate_into` statements.
    pub(super) checks: Vec<TokenStream>,
    /// `Projection::__decode`'s field values.
    pub(super) decodes: Vec<TokenStream>,
    /// `Projection::COLUMNS`.
    pub(super) columns: Vec<usize>,
    /// Set by a nested or many-to-many field: the schema converts with `TryFrom` only.
    pub(super) output_only: bool,
}

/// Adds `field` to the schema's parts.
pub(super) fn add_field(
    parts: &mut Parts,
    spec: &SchemaSpec,
    model: &Ident,
    model_name: &str,
    field: &Field<'_>,
    docs: &[Attribute],
) {
    parts.columns.push(field.column_index.unwrap_or_default());
    if field.attrs.many_to_many.is_some() {
        many_to_many_field(parts, model_name, field, docs);
    } else if let Some(schema) = spec.nested_schema(&field.name) {
        nested_field(parts, model_name, field, schema, docs);
    } else if field.is_foreign_key() {
        foreign_key_field(parts, model, field, spec.is_optional(&field.name), docs);
    } else if spec.is_optional(&field.name) {
        patch_field(parts, spec, model, field, docs);
    } else {
        plain_field(parts, spec, model, field, docs);
    }
}

/// `T` for `Option<T>`, written as such.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// `Some(n)` / `None` for the field's `max_length`.
fn max_length(field: &Field<'_>) -> TokenStream {
    match field.attrs.max_length {
        Some(n) => quote!(::core::option::Option::Some(#n)),
        None => quote!(::core::option::Option::None),
    }
}

/// The `#[schemars(..)]` attributes that state the field's rules in the JSON Schema.
fn schemars_rules(field: &Field<'_>) -> Vec<TokenStream> {
    let mut rules = Vec::new();
    if let Some(n) = field.attrs.max_length {
        rules.push(quote!(#[schemars(length(max = #n))]));
    }
    if field.attrs.email {
        rules.push(quote!(#[schemars(email)]));
    }
    rules
}

/// The related keys, like Ninja; reading them needs prefetch_related, so such a schema
/// converts with `TryFrom`.
fn many_to_many_field(parts: &mut Parts, model_name: &str, field: &Field<'_>, docs: &[Attribute]) {
    parts.output_only = true;
    let ident = field.ident;
    let ty = field.ty;
    let relation = &field.name;
    parts.struct_fields.push(quote! {
        #(#docs)*
        pub #ident: ::std::vec::Vec<
            <<#ty as ::kata::__private::ToMany>::Target as ::kata::__private::Model>::Pk
        >
    });
    parts.from_ref.push(quote! {
        #ident: model
            .#ident
            .get()
            .ok_or(::kata::Error::NotLoaded { model: #model_name, relation: #relation })?
            .iter()
            .map(::kata::__private::Model::pk)
            .collect()
    });
}

/// `nested(author = UserOut)`: the related object as its own schema (output only; it must
/// have been loaded with select_related).
fn nested_field(parts: &mut Parts, model_name: &str, field: &Field<'_>, schema: &Path, docs: &[Attribute]) {
    parts.output_only = true;
    let ident = field.ident;
    let relation = &field.name;
    let not_loaded = quote! {
        ::kata::Error::NotLoaded { model: #model_name, relation: #relation }
    };
    let convert = |e: TokenStream| {
        quote! {
            <#schema as ::core::convert::TryFrom<&_>>::try_from(
                #e.get().ok_or(#not_loaded)?
            ).map_err(::kata::Error::from)?
        }
    };
    if option_inner(field.ty).is_some() {
        let inner = convert(quote!(fk));
        parts.struct_fields.push(quote! {
            #(#docs)*
            pub #ident: ::core::option::Option<#schema>
        });
        parts.from_ref.push(quote! {
            #ident: match &model.#ident {
                ::core::option::Option::None => ::core::option::Option::None,
                ::core::option::Option::Some(fk) => ::core::option::Option::Some(#inner),
            }
        });
    } else {
        let value = convert(quote!(model.#ident));
        parts.struct_fields.push(quote! {
            #(#docs)*
            pub #ident: #schema
        });
        parts.from_ref.push(quote!(#ident: #value));
    }
}

/// A foreign key appears as `<name>_id` holding the key, the same name on input and output
/// (Ninja uses `author` on output and `author_id` on input).
fn foreign_key_field(
    parts: &mut Parts,
    model: &Ident,
    field: &Field<'_>,
    optional: bool,
    docs: &[Attribute],
) {
    if optional {
        return optional_foreign_key_field(parts, model, field, docs);
    }
    let ident = field.ident;
    let ty = field.ty;
    let key_ident = format_ident!("{}_id", field.name);
    let k = quote!(::kata::__private::RelationKey);
    let key = quote!(<#ty as #k>::Key);
    let serde_default = option_inner(ty).map(|_| quote!(#[serde(default)]));
    parts.struct_fields.push(quote! {
        #(#docs)*
        #serde_default
        pub #key_ident: #key
    });
    parts.default_values.push(quote!(#key_ident: ::core::default::Default::default()));
    parts.from_owned.push(quote!(#key_ident: <#ty as #k>::key(&model.#ident)));
    parts.from_ref.push(quote!(#key_ident: <#ty as #k>::key(&model.#ident)));
    parts.decodes.push(quote!(#key_ident: <#ty as #k>::key(&reader.next::<#ty>()?)));
    parts.assignments.push(quote!(out.push(#model::#ident.set(<#ty as #k>::from_key(self.#key_ident)));));
    parts
        .applies
        .push(quote!(model.#ident = <#ty as #k>::from_key(::core::clone::Clone::clone(&self.#key_ident));));
}

/// An optional foreign key: `<name>_id` as a `Patch` of the key.
fn optional_foreign_key_field(parts: &mut Parts, model: &Ident, field: &Field<'_>, docs: &[Attribute]) {
    let ident = field.ident;
    let ty = field.ty;
    let key_ident = format_ident!("{}_id", field.name);
    let k = quote!(::kata::__private::RelationKey);
    let nullable = option_inner(ty);
    let fk = nullable.unwrap_or(ty);
    let key = quote!(<#fk as #k>::Key);
    let with =
        if nullable.is_some() { quote!(::core::option::Option<#key>).to_string() } else { key.to_string() };
    parts.struct_fields.push(quote! {
        #(#docs)*
        #[serde(default, skip_serializing_if = "::kata::__private::Patch::is_absent")]
        #[schemars(with = #with)]
        pub #key_ident: ::kata::__private::Patch<#key>
    });
    parts.default_values.push(quote!(#key_ident: ::kata::__private::Patch::Absent));
    let to_patch = |e: TokenStream| {
        if nullable.is_some() {
            quote!(::core::convert::From::from(<#ty as #k>::key(#e)))
        } else {
            quote!(::kata::__private::Patch::Set(<#ty as #k>::key(#e)))
        }
    };
    let owned = to_patch(quote!(&model.#ident));
    parts.from_owned.push(quote!(#key_ident: #owned));
    parts.from_ref.push(quote!(#key_ident: #owned));
    let read = to_patch(quote!(&reader.next::<#ty>()?));
    parts.decodes.push(quote!(#key_ident: #read));
    if nullable.is_some() {
        parts.assignments.push(quote! {
            match self.#key_ident {
                ::kata::__private::Patch::Absent => {}
                ::kata::__private::Patch::Null => out.push(#model::#ident.set(::core::option::Option::None)),
                ::kata::__private::Patch::Set(v) => out.push(#model::#ident.set(::core::option::Option::Some(<#fk as #k>::from_key(v)))),
            }
        });
        parts.applies.push(quote! {
            match &self.#key_ident {
                ::kata::__private::Patch::Absent => {}
                ::kata::__private::Patch::Null => model.#ident = ::core::option::Option::None,
                ::kata::__private::Patch::Set(v) => model.#ident = ::core::option::Option::Some(<#fk as #k>::from_key(::core::clone::Clone::clone(v))),
            }
        });
    } else {
        parts.assignments.push(quote! {
            if let ::kata::__private::Patch::Set(v) = self.#key_ident {
                out.push(#model::#ident.set(<#ty as #k>::from_key(v)));
            }
        });
        parts.applies.push(quote! {
            if let ::kata::__private::Patch::Set(v) = &self.#key_ident {
                model.#ident = <#ty as #k>::from_key(::core::clone::Clone::clone(v));
            }
        });
    }
}

/// An `optional(..)` field: a tri-state `Patch` (absent, null, set), for partial updates.
fn patch_field(parts: &mut Parts, spec: &SchemaSpec, model: &Ident, field: &Field<'_>, docs: &[Attribute]) {
    let ident = field.ident;
    let ty = field.ty;
    let nullable = option_inner(ty);
    let inner = nullable.unwrap_or(ty);
    // A blank field that is not nullable takes `null` as "its default".
    let null_is_default = field.is_blank() && nullable.is_none();
    let special = rules::special(inner);
    let described = special.map_or_else(|| quote!(#inner), |s| s.schema_type());
    let with = if nullable.is_some() || null_is_default {
        quote!(::core::option::Option<#described>).to_string()
    } else {
        described.to_string()
    };
    let mut rules = schemars_rules(field);
    rules.extend(special.and_then(|s| s.serde_with(Shape::Patch)));
    rules.extend(rules::schema_transform(model, field));
    parts.struct_fields.push(quote_spanned! {ty.span()=>
        #(#docs)*
        #[serde(default, skip_serializing_if = "::kata::__private::Patch::is_absent")]
        #[schemars(with = #with)]
        #(#rules)*
        pub #ident: ::kata::__private::Patch<#inner>
    });
    parts.default_values.push(quote!(#ident: ::kata::__private::Patch::Absent));
    let path = spec.json_name(&field.name);
    let max_length = max_length(field);
    let email = field.attrs.email;
    let blank = field.accepts_empty();
    // `null` is accepted where the column is nullable, and on a blank field (its default).
    let nullable_flag = nullable.is_some() || null_is_default;
    parts.checks.push(quote! {
        ::kata::__private::check_patch(&self.#ident, #path, #nullable_flag, #max_length, #email, #blank, errors);
    });

    if let Some((p, s)) = field.attrs.decimal {
        parts.checks.push(quote! {
            if let ::kata::__private::Patch::Set(value) = &self.#ident {
                ::kata::__private::validate_column(
                    value,
                    ::kata::__private::ColumnType::Decimal { max_digits: #p, decimal_places: #s },
                    #path,
                    errors,
                );
            }
        });
    }
    let validator_checks = rules::checks(model, field, &quote!(value), &path);
    if !validator_checks.is_empty() {
        parts.checks.push(quote! {
            if let ::kata::__private::Patch::Set(value) = &self.#ident {
                #validator_checks
            }
        });
    }
    if nullable.is_some() {
        parts.from_owned.push(quote!(#ident: ::core::convert::From::from(model.#ident)));
        parts
            .from_ref
            .push(quote!(#ident: ::core::convert::From::from(::core::clone::Clone::clone(&model.#ident))));
        parts.assignments.push(quote! {
            match self.#ident {
                ::kata::__private::Patch::Absent => {}
                ::kata::__private::Patch::Null => out.push(#model::#ident.set(::core::option::Option::None)),
                ::kata::__private::Patch::Set(v) => out.push(#model::#ident.set(::core::option::Option::Some(v))),
            }
        });
        parts.applies.push(quote! {
            match &self.#ident {
                ::kata::__private::Patch::Absent => {}
                ::kata::__private::Patch::Null => model.#ident = ::core::option::Option::None,
                ::kata::__private::Patch::Set(v) => model.#ident = ::core::option::Option::Some(::core::clone::Clone::clone(v)),
            }
        });
        parts.decodes.push(quote!(#ident: ::core::convert::From::from(reader.next::<#ty>()?)));
    } else if null_is_default {
        let default = blank_default(field);
        parts.from_owned.push(quote!(#ident: ::kata::__private::Patch::Set(model.#ident)));
        parts
            .from_ref
            .push(quote!(#ident: ::kata::__private::Patch::Set(::core::clone::Clone::clone(&model.#ident))));
        parts.assignments.push(quote! {
            match self.#ident {
                ::kata::__private::Patch::Absent => {}
                ::kata::__private::Patch::Null => out.push(#model::#ident.set(#default)),
                ::kata::__private::Patch::Set(v) => out.push(#model::#ident.set(v)),
            }
        });
        parts.applies.push(quote! {
            match &self.#ident {
                ::kata::__private::Patch::Absent => {}
                ::kata::__private::Patch::Null => model.#ident = #default,
                ::kata::__private::Patch::Set(v) => model.#ident = ::core::clone::Clone::clone(v),
            }
        });
        parts.decodes.push(quote!(#ident: ::kata::__private::Patch::Set(reader.next::<#ty>()?)));
    } else {
        parts.from_owned.push(quote!(#ident: ::kata::__private::Patch::Set(model.#ident)));
        parts
            .from_ref
            .push(quote!(#ident: ::kata::__private::Patch::Set(::core::clone::Clone::clone(&model.#ident))));
        parts.assignments.push(quote! {
            if let ::kata::__private::Patch::Set(v) = self.#ident {
                out.push(#model::#ident.set(v));
            }
        });
        parts.applies.push(quote! {
            if let ::kata::__private::Patch::Set(v) = &self.#ident {
                model.#ident = ::core::clone::Clone::clone(v);
            }
        });
        parts.decodes.push(quote!(#ident: ::kata::__private::Patch::Set(reader.next::<#ty>()?)));
    }
}

/// A field copied as it is, with its default and its rules.
fn plain_field(parts: &mut Parts, spec: &SchemaSpec, model: &Ident, field: &Field<'_>, docs: &[Attribute]) {
    let ident = field.ident;
    let ty = field.ty;
    let schema = &spec.name;
    let mut serde_attrs = Vec::new();
    // A blank field that is not nullable may be left out (it takes its default, `""` when
    // it has none) or sent as `null` (its default too), as in Ninja's ModelSchema.
    let null_is_default = field.is_blank() && option_inner(ty).is_none();
    if field.attrs.default.is_some() || null_is_default {
        let expr = blank_default(field);
        let fn_name = format_ident!("__kata_default_{}", field.name);
        let fn_path = format!("{schema}::{fn_name}");
        parts.default_fns.push(quote! {
            #[doc(hidden)]
            fn #fn_name() -> #ty { #expr }
        });
        serde_attrs.push(quote!(#[serde(default = #fn_path)]));
        if null_is_default {
            let de_name = format_ident!("__kata_deserialize_{}", field.name);
            let de_path = format!("{schema}::{de_name}");
            parts.default_fns.push(quote! {
                #[doc(hidden)]
                fn #de_name<'de, D: ::kata::__private::serde::Deserializer<'de>>(
                    deserializer: D,
                ) -> ::core::result::Result<#ty, D::Error> {
                    ::kata::__private::deserialize_null_as(deserializer, #schema::#fn_name)
                }
            });
            let with = quote!(::core::option::Option<#ty>).to_string();
            serde_attrs.push(quote!(#[serde(deserialize_with = #de_path)]));
            serde_attrs.push(quote!(#[schemars(with = #with)]));
        }
        if field
            .attrs
            .default
            .as_ref()
            .is_some_and(|d| matches!(d.value, DefaultValue::Now | DefaultValue::Uuid4))
        {
            serde_attrs.push(quote!(#[schemars(transform = ::kata::__private::no_default)]));
        }
        parts.default_values.push(quote!(#ident: #schema::#fn_name()));
    } else {
        if option_inner(ty).is_some() || field.attrs.auto.is_some() {
            // Nullable fields and database-assigned keys may be left out of the payload.
            serde_attrs.push(quote!(#[serde(default)]));
        }
        if field.attrs.auto.is_some() {
            // The unsaved key (0) is a placeholder, not a value to advertise as `default`.
            serde_attrs.push(quote!(#[schemars(transform = ::kata::__private::no_default)]));
        }
        // `IpAddr` has no `Default`: the schema's is the unspecified address, `0.0.0.0`.
        let value = match rules::special(ty) {
            Some(rules::Special::IpAddr) => {
                quote!(::std::net::IpAddr::V4(::std::net::Ipv4Addr::UNSPECIFIED))
            }
            _ => quote!(::core::default::Default::default()),
        };
        parts.default_values.push(quote!(#ident: #value));
    }
    let nullable = option_inner(ty);
    if let Some(special) = rules::special(nullable.unwrap_or(ty)) {
        let shape = if nullable.is_some() { Shape::Option } else { Shape::Plain };
        serde_attrs.extend(special.serde_with(shape));
        let described = special.schema_type();
        let with = match nullable {
            Some(_) => quote!(::core::option::Option<#described>).to_string(),
            None => described.to_string(),
        };
        serde_attrs.push(quote!(#[schemars(with = #with)]));
    }
    serde_attrs.extend(rules::schema_transform(model, field));
    let rules = schemars_rules(field);
    parts.struct_fields.push(quote_spanned! {ty.span()=>
        #(#docs)*
        #(#serde_attrs)*
        #(#rules)*
        pub #ident: #ty
    });
    let path = spec.json_name(&field.name);
    let max_length = max_length(field);
    let email = field.attrs.email;
    let blank = field.accepts_empty();
    parts.checks.push(quote! {
        ::kata::__private::check_field(&self.#ident, #path, #max_length, #email, #blank, errors);
    });
    if let Some((p, s)) = field.attrs.decimal {
        parts.checks.push(quote! {
            ::kata::__private::validate_column(
                &self.#ident,
                ::kata::__private::ColumnType::Decimal { max_digits: #p, decimal_places: #s },
                #path,
                errors,
            );
        });
    }
    parts.checks.push(rules::checks(model, field, &quote!(&self.#ident), &path));
    parts.decodes.push(quote!(#ident: reader.next::<#ty>()?));
    parts.from_owned.push(quote!(#ident: model.#ident));
    parts.from_ref.push(quote!(#ident: ::core::clone::Clone::clone(&model.#ident)));
    if field.attrs.auto.is_some() {
        // A database-assigned key: never updated through a schema, and inserted only when
        // the payload gives one.
        parts.insert_assignments.push(quote! {
            if self.#ident != <#ty as ::kata::__private::AutoKey>::unsaved() {
                out.push(#model::#ident.set(self.#ident));
            }
        });
        return;
    }
    parts.assignments.push(quote!(out.push(#model::#ident.set(self.#ident));));
    parts.applies.push(quote!(model.#ident = ::core::clone::Clone::clone(&self.#ident);));
}

/// The value a field takes when left out: its `default`, or the type's own default (`""`
/// for a blank text field without one).
fn blank_default(field: &Field<'_>) -> TokenStream {
    match &field.attrs.default {
        Some(default) => default_expr(&default.value, field.ty),
        None => {
            let ty = field.ty;
            quote!(<#ty as ::core::default::Default>::default())
        }
    }
}

/// The Rust expression for a `default = ...`, typed through the `Default*` traits so that a
/// literal of the wrong kind is a compile error at the field.
fn default_expr(value: &DefaultValue, ty: &Type) -> TokenStream {
    match value {
        DefaultValue::Str(s) => quote!(<#ty as ::kata::__private::DefaultStr>::default_str(#s)),
        DefaultValue::Bool(b) => quote!(<#ty as ::kata::__private::DefaultBool>::default_bool(#b)),
        DefaultValue::Int(i) => quote!(<#ty as ::kata::__private::DefaultInt>::default_int(#i)),
        DefaultValue::Float(f) => quote!(<#ty as ::kata::__private::DefaultFloat>::default_float(#f)),
        DefaultValue::Now => quote!(<#ty as ::kata::__private::DefaultNow>::default_now()),
        DefaultValue::Uuid4 => quote!(<#ty as ::kata::__private::DefaultUuid4>::default_uuid4()),
    }
}
