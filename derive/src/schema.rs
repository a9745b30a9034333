//! `#[derive(ModelSchema)]`: API schema structs derived from a model, Django Ninja's
//! `ModelSchema`. Parse (`internals::schema_attr`) -> check (names, `optional` within the
//! schema) -> generate one struct and its conversions per `#[model_schema]`.

use std::collections::HashSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, Type};

use crate::internals::Ctxt;
use crate::internals::ast::{Container, Field};
use crate::internals::attr::DefaultValue;
use crate::internals::schema_attr::{self, Optional, SchemaSpec, Selection};

/// Expands `#[derive(ModelSchema)]`.
pub(crate) fn expand_schema(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    // The `#[kata]` attributes are #[derive(Model)]'s to report; read them quietly here.
    let quiet = Ctxt::new();
    let container = Container::from_ast(&quiet, &input);
    let _ = quiet.check();
    let cx = Ctxt::new();
    let Some(container) = container else {
        cx.error_spanned_by(&input.ident, "#[derive(ModelSchema)] needs a model struct with named fields");
        cx.check()?;
        return Ok(TokenStream::new());
    };
    let specs = schema_attr::parse(&cx, &input.attrs);
    if specs.is_empty() {
        cx.error_spanned_by(&input.ident, "add at least one `#[model_schema(Name, fields(..))]`");
    }
    let mut seen = HashSet::new();
    let mut schemas = Vec::new();
    for spec in &specs {
        if !seen.insert(spec.name.to_string()) {
            cx.error_spanned_by(&spec.name, format!("two schemas are named `{}`", spec.name));
            continue;
        }
        if spec.name == *container.ident {
            cx.error_spanned_by(&spec.name, "a schema cannot have the model's own name");
            continue;
        }
        if let Some(schema) = resolve(&cx, &container, spec) {
            schemas.push(schema);
        }
    }
    cx.check()?;
    let field_docs = field_docs(&input);
    let out = schemas.iter().map(|s| generate(&input, &container, s, &field_docs));
    Ok(quote!(#(#out)*))
}

/// The `#[doc]` attributes of each field, by field name.
fn field_docs(input: &DeriveInput) -> Vec<(String, Vec<syn::Attribute>)> {
    let syn::Data::Struct(data) = &input.data else { return Vec::new() };
    data.fields
        .iter()
        .filter_map(|f| {
            let name = f.ident.as_ref()?.to_string();
            let docs = f.attrs.iter().filter(|a| a.path().is_ident("doc")).cloned().collect();
            Some((name.trim_start_matches("r#").to_owned(), docs))
        })
        .collect()
}

/// A schema with its fields resolved against the model.
struct Resolved<'s, 'a> {
    spec: &'s SchemaSpec,
    /// (model field, optional?) in model order.
    fields: Vec<(&'s Field<'a>, bool)>,
}

fn resolve<'s, 'a>(cx: &Ctxt, model: &'s Container<'a>, spec: &'s SchemaSpec) -> Option<Resolved<'s, 'a>> {
    let known = |ident: &Ident| {
        let name = ident.to_string();
        let name = name.trim_start_matches("r#");
        if model.field_named(name).is_none() {
            cx.error_spanned_by(ident, format!("`{}` has no field `{name}`", model.name));
            false
        } else {
            true
        }
    };
    let chosen: Vec<&Field<'a>> = match &spec.selection {
        // Reverse relations (`HasMany`) are the other model's business; many-to-many fields
        // appear as lists of keys.
        Selection::All => model.fields.iter().filter(|f| f.attrs.reverse_of.is_none()).collect(),
        Selection::Fields(names) => {
            names.iter().for_each(|n| {
                known(n);
            });
            for n in names {
                if model
                    .field_named(n.to_string().trim_start_matches("r#"))
                    .is_some_and(|f| f.attrs.reverse_of.is_some())
                {
                    cx.error_spanned_by(
                        n,
                        format!("`{n}` is a reverse relation: put it in a schema of the model that holds the foreign key"),
                    );
                }
            }
            model
                .fields
                .iter()
                .filter(|f| f.attrs.reverse_of.is_none() && names.iter().any(|n| n == f.name.as_str()))
                .collect()
        }
        Selection::Exclude(names) => {
            names.iter().for_each(|n| {
                known(n);
            });
            model
                .fields
                .iter()
                .filter(|f| f.attrs.reverse_of.is_none() && !names.iter().any(|n| n == f.name.as_str()))
                .collect()
        }
    };
    let optional = |f: &Field<'_>| match &spec.optional {
        Optional::None => false,
        Optional::All => true,
        Optional::Some(names) => names.iter().any(|n| n == f.name.as_str()),
    };
    if let Optional::Some(names) = &spec.optional {
        for n in names {
            if known(n) && !chosen.iter().any(|f| n == f.name.as_str()) {
                cx.error_spanned_by(
                    n,
                    format!("`{n}` is optional but not a field of schema `{}`", spec.name),
                );
            }
        }
    }
    for (field, _) in &spec.nested {
        let name = field.to_string();
        match chosen.iter().find(|f| f.name == name) {
            None => {
                if known(field) {
                    cx.error_spanned_by(
                        field,
                        format!("`{name}` is nested but not a field of schema `{}`", spec.name),
                    );
                }
            }
            Some(f) if !f.is_foreign_key() => cx.error_spanned_by(
                field,
                format!("`{name}` is not a ForeignKey or OneToOne field: only those can be nested"),
            ),
            Some(_) => {}
        }
    }
    if let Optional::Some(names) = &spec.optional {
        for n in names {
            if chosen.iter().any(|f| n == f.name.as_str() && f.attrs.many_to_many.is_some()) {
                cx.error_spanned_by(n, format!("`{n}` is a many-to-many field: it cannot be optional"));
            }
        }
    }
    let fields = chosen.into_iter().map(|f| (f, f.attrs.many_to_many.is_none() && optional(f))).collect();
    Some(Resolved { spec, fields })
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

fn generate(
    input: &DeriveInput,
    model: &Container<'_>,
    schema: &Resolved<'_, '_>,
    docs: &[(String, Vec<syn::Attribute>)],
) -> TokenStream {
    let spec = schema.spec;
    let vis = &input.vis;
    let name = &spec.name;
    let model_ident = model.ident;
    let extra = &spec.derives;
    let doc = spec.doc.as_ref().map(|d| quote!(#[doc = #d])).unwrap_or_else(|| {
        // The generated text is for rustdoc only: it would be Rust noise in an API's JSON
        // Schema, so the schema gets a description only from `doc = "..."`.
        let text = format!("A schema of [`{}`] (generated by `#[derive(ModelSchema)]`).", model.name);
        quote!(#[doc = #text])
    });
    let schema_description = spec.doc.is_none().then(|| quote!(#[schemars(description = "")]));
    let rename_all = spec.rename_all.as_ref().map(|r| quote!(#[serde(rename_all = #r)]));
    let json_name = |f: &Field<'_>| match &spec.rename_all {
        Some(rule) => schema_attr::rename(&rule.value(), &f.name).unwrap_or_else(|| f.name.clone()),
        None => f.name.clone(),
    };

    let mut struct_fields = Vec::new();
    let mut default_fns = Vec::new();
    let mut default_values = Vec::new();
    let mut from_owned = Vec::new();
    let mut from_ref = Vec::new();
    let mut assignments = Vec::new();
    let mut insert_assignments = Vec::new();
    let mut applies = Vec::new();
    let mut checks = Vec::new();
    let mut decodes = Vec::new();
    let mut columns = Vec::new();

    let mut output_only = !spec.nested.is_empty();
    for (field, optional) in &schema.fields {
        let ident = field.ident;
        let ty = field.ty;
        let span = ty.span();
        let nullable = option_inner(ty);
        columns.push(field.column_index.unwrap_or_default());
        let field_docs =
            docs.iter().find(|(n, _)| *n == field.name).map(|(_, d)| d.clone()).unwrap_or_default();
        let path = json_name(field);
        let max_length = match field.attrs.max_length {
            Some(n) => quote!(::core::option::Option::Some(#n)),
            None => quote!(::core::option::Option::None),
        };
        let email = field.attrs.email;
        let mut schemars_attrs = Vec::new();
        if let Some(n) = field.attrs.max_length {
            schemars_attrs.push(quote!(#[schemars(length(max = #n))]));
        }
        if email {
            schemars_attrs.push(quote!(#[schemars(email)]));
        }
        if field.attrs.many_to_many.is_some() {
            // The related keys, like Ninja; reading them needs prefetch_related, so such a
            // schema converts with TryFrom.
            output_only = true;
            let model_name = &model.name;
            let relation = &field.name;
            struct_fields.push(quote! {
                #(#field_docs)*
                pub #ident: ::std::vec::Vec<
                    <<#ty as ::kata::__private::ToMany>::Target as ::kata::__private::Model>::Pk
                >
            });
            from_ref.push(quote! {
                #ident: model
                    .#ident
                    .get()
                    .ok_or(::kata::Error::NotLoaded { model: #model_name, relation: #relation })?
                    .iter()
                    .map(::kata::__private::Model::pk)
                    .collect()
            });
            continue;
        }
        if let Some((_, schema_ty)) = spec.nested.iter().find(|(n, _)| *n == field.name.as_str()) {
            let model_name = &model.name;
            let relation = &field.name;
            let not_loaded = quote! {
                ::kata::Error::NotLoaded { model: #model_name, relation: #relation }
            };
            let convert = |e: TokenStream| {
                quote! {
                    <#schema_ty as ::core::convert::TryFrom<&_>>::try_from(
                        #e.get().ok_or(#not_loaded)?
                    ).map_err(::kata::Error::from)?
                }
            };
            if option_inner(ty).is_some() {
                let inner = convert(quote!(fk));
                struct_fields.push(quote! {
                    #(#field_docs)*
                    pub #ident: ::core::option::Option<#schema_ty>
                });
                from_ref.push(quote! {
                    #ident: match &model.#ident {
                        ::core::option::Option::None => ::core::option::Option::None,
                        ::core::option::Option::Some(fk) => ::core::option::Option::Some(#inner),
                    }
                });
            } else {
                let value = convert(quote!(model.#ident));
                struct_fields.push(quote! {
                    #(#field_docs)*
                    pub #ident: #schema_ty
                });
                from_ref.push(quote!(#ident: #value));
            }
            continue;
        }
        if field.is_foreign_key() {
            foreign_key_field(
                field,
                *optional,
                &field_docs,
                model_ident,
                &mut Parts {
                    struct_fields: &mut struct_fields,
                    default_values: &mut default_values,
                    from_owned: &mut from_owned,
                    from_ref: &mut from_ref,
                    assignments: &mut assignments,
                    applies: &mut applies,
                    decodes: &mut decodes,
                },
            );
            continue;
        }
        if *optional {
            let inner = nullable.unwrap_or(ty);
            let with = if nullable.is_some() {
                quote!(::core::option::Option<#inner>).to_string()
            } else {
                quote!(#inner).to_string()
            };
            struct_fields.push(quote_spanned! {span=>
                #(#field_docs)*
                #[serde(default, skip_serializing_if = "::kata::__private::Patch::is_absent")]
                #[schemars(with = #with)]
                #(#schemars_attrs)*
                pub #ident: ::kata::__private::Patch<#inner>
            });
            default_values.push(quote!(#ident: ::kata::__private::Patch::Absent));
            let nullable_flag = nullable.is_some();
            checks.push(quote! {
                ::kata::__private::check_patch(&self.#ident, #path, #nullable_flag, #max_length, #email, errors);
            });
            if nullable.is_some() {
                from_owned.push(quote!(#ident: ::core::convert::From::from(model.#ident)));
                from_ref.push(
                    quote!(#ident: ::core::convert::From::from(::core::clone::Clone::clone(&model.#ident))),
                );
                assignments.push(quote! {
                    match self.#ident {
                        ::kata::__private::Patch::Absent => {}
                        ::kata::__private::Patch::Null => out.push(#model_ident::#ident.set(::core::option::Option::None)),
                        ::kata::__private::Patch::Set(v) => out.push(#model_ident::#ident.set(::core::option::Option::Some(v))),
                    }
                });
                applies.push(quote! {
                    match &self.#ident {
                        ::kata::__private::Patch::Absent => {}
                        ::kata::__private::Patch::Null => model.#ident = ::core::option::Option::None,
                        ::kata::__private::Patch::Set(v) => model.#ident = ::core::option::Option::Some(::core::clone::Clone::clone(v)),
                    }
                });
                decodes.push(quote!(#ident: ::core::convert::From::from(reader.next::<#ty>()?)));
            } else {
                from_owned.push(quote!(#ident: ::kata::__private::Patch::Set(model.#ident)));
                from_ref.push(
                    quote!(#ident: ::kata::__private::Patch::Set(::core::clone::Clone::clone(&model.#ident))),
                );
                assignments.push(quote! {
                    if let ::kata::__private::Patch::Set(v) = self.#ident {
                        out.push(#model_ident::#ident.set(v));
                    }
                });
                applies.push(quote! {
                    if let ::kata::__private::Patch::Set(v) = &self.#ident {
                        model.#ident = ::core::clone::Clone::clone(v);
                    }
                });
                decodes.push(quote!(#ident: ::kata::__private::Patch::Set(reader.next::<#ty>()?)));
            }
            continue;
        }
        // A plain field.
        let mut serde_attrs = Vec::new();
        let default_expr = field.attrs.default.as_ref().map(|d| default_expr(&d.value, ty));
        if let Some(expr) = &default_expr {
            let fn_name = format_ident!("__kata_default_{}", field.name);
            let fn_path = format!("{name}::{fn_name}");
            default_fns.push(quote! {
                #[doc(hidden)]
                fn #fn_name() -> #ty { #expr }
            });
            serde_attrs.push(quote!(#[serde(default = #fn_path)]));
            if matches!(field.attrs.default.as_ref().map(|d| &d.value), Some(DefaultValue::Now)) {
                serde_attrs.push(quote!(#[schemars(transform = ::kata::__private::no_default)]));
            }
            default_values.push(quote!(#ident: #name::#fn_name()));
        } else {
            if nullable.is_some() || field.attrs.auto.is_some() {
                // Nullable fields and database-assigned keys may be left out of the payload.
                serde_attrs.push(quote!(#[serde(default)]));
            }
            if field.attrs.auto.is_some() {
                // The unsaved key (0) is a placeholder, not a value to advertise as `default`.
                serde_attrs.push(quote!(#[schemars(transform = ::kata::__private::no_default)]));
            }
            default_values.push(quote!(#ident: ::core::default::Default::default()));
        }
        struct_fields.push(quote_spanned! {span=>
            #(#field_docs)*
            #(#serde_attrs)*
            #(#schemars_attrs)*
            pub #ident: #ty
        });
        checks.push(quote! {
            ::kata::__private::check_field(&self.#ident, #path, #max_length, #email, errors);
        });
        decodes.push(quote!(#ident: reader.next::<#ty>()?));
        from_owned.push(quote!(#ident: model.#ident));
        from_ref.push(quote!(#ident: ::core::clone::Clone::clone(&model.#ident)));
        if field.attrs.auto.is_some() {
            // A database-assigned key: never updated through a schema, and inserted only
            // when the payload gives one.
            insert_assignments.push(quote! {
                if self.#ident != <#ty as ::kata::__private::AutoKey>::unsaved() {
                    out.push(#model_ident::#ident.set(self.#ident));
                }
            });
            continue;
        }
        assignments.push(quote!(out.push(#model_ident::#ident.set(self.#ident));));
        applies.push(quote!(model.#ident = ::core::clone::Clone::clone(&self.#ident);));
    }

    let default_impl = (!spec.no_default).then(|| {
        quote! {
            #[automatically_derived]
            impl ::core::default::Default for #name {
                fn default() -> Self {
                    #name { #(#default_values),* }
                }
            }
        }
    });
    let column_count = columns.len();

    let conversions = if !output_only {
        quote! {
        #default_impl

        #[automatically_derived]
        impl ::core::convert::From<#model_ident> for #name {
            fn from(model: #model_ident) -> Self {
                #name { #(#from_owned),* }
            }
        }

        #[automatically_derived]
        impl ::core::convert::From<&#model_ident> for #name {
            fn from(model: &#model_ident) -> Self {
                #name { #(#from_ref),* }
            }
        }

        #[automatically_derived]
        impl ::kata::__private::Apply<#model_ident> for #name {
            fn apply_to(&self, model: &mut #model_ident) {
                #(#applies)*
            }
        }

        #[automatically_derived]
        impl ::kata::__private::Update<#model_ident> for #name {
            fn validate_update(&self) -> ::kata::__private::Result<()> {
                ::kata::__private::Validate::validate(self)
            }
            fn into_assignments(self) -> ::std::vec::Vec<::kata::Assignment<#model_ident>> {
                let mut out = ::std::vec::Vec::with_capacity(#column_count);
                #(#assignments)*
                out
            }
        }

        #[automatically_derived]
        impl ::kata::__private::Insert<#model_ident> for #name {
            fn validate_insert(&self) -> ::kata::__private::Result<()> {
                ::kata::__private::Validate::validate(self)
            }
            fn into_insert(self) -> ::kata::__private::InsertSource<#model_ident> {
                let mut out = ::std::vec::Vec::with_capacity(#column_count);
                #(#insert_assignments)*
                #(#assignments)*
                ::kata::__private::InsertSource::Assignments(out)
            }
        }

        #[automatically_derived]
        impl ::kata::__private::Projection<#model_ident> for #name {
            const COLUMNS: &'static [usize] = &[#(#columns),*];
            fn __decode(reader: &mut ::kata::__private::RowReader<'_>) -> ::kata::__private::Result<Self> {
                ::core::result::Result::Ok(#name { #(#decodes),* })
            }
        }
        }
    } else {
        nested_conversions(name, model_ident, &from_ref)
    };
    let apply_method = (!output_only).then(|| {
        quote! {
            /// Copies the fields this value sets onto `model` (absent patch fields are left alone).
            pub fn apply(&self, model: &mut #model_ident) {
                ::kata::__private::Apply::apply_to(self, model)
            }
        }
    });

    quote! {
        #doc
        #[derive(
            ::kata::__private::serde::Serialize,
            ::kata::__private::serde::Deserialize,
            ::kata::__private::schemars::JsonSchema,
            ::core::fmt::Debug,
            ::core::clone::Clone,
            ::core::cmp::PartialEq,
            #(#extra),*
        )]
        #[serde(crate = "::kata::__private::serde")]
        #[schemars(crate = "::kata::__private::schemars")]
        #schema_description
        #rename_all
        #vis struct #name {
            #(#struct_fields,)*
        }

        #[automatically_derived]
        impl #name {
            #(#default_fns)*

            /// Checks every rule the JSON Schema states (`maxLength`, e-mail format, `null`
            /// only where allowed) and reports every violation with its field.
            pub fn validate(&self) -> ::kata::__private::Result<()> {
                ::kata::__private::Validate::validate(self)
            }

            #apply_method
        }

        #[automatically_derived]
        impl ::kata::__private::Validate for #name {
            fn validate_into(&self, errors: &mut ::kata::__private::ValidationErrors) {
                #(#checks)*
            }
        }

        #conversions
    }
}

/// A schema with `nested(..)` or many-to-many keys is for output: it converts from a model
/// with `TryFrom`, which fails with `Error::NotLoaded` when such a relation was not loaded.
fn nested_conversions(name: &Ident, model: &Ident, from_ref: &[TokenStream]) -> TokenStream {
    quote! {
        #[automatically_derived]
        impl ::core::convert::TryFrom<&#model> for #name {
            type Error = ::kata::Error;
            fn try_from(model: &#model) -> ::core::result::Result<Self, ::kata::Error> {
                ::core::result::Result::Ok(#name { #(#from_ref),* })
            }
        }

        #[automatically_derived]
        impl ::core::convert::TryFrom<#model> for #name {
            type Error = ::kata::Error;
            fn try_from(model: #model) -> ::core::result::Result<Self, ::kata::Error> {
                <Self as ::core::convert::TryFrom<&#model>>::try_from(&model)
            }
        }
    }
}

/// The generated pieces a field contributes to.
struct Parts<'p> {
    struct_fields: &'p mut Vec<TokenStream>,
    default_values: &'p mut Vec<TokenStream>,
    from_owned: &'p mut Vec<TokenStream>,
    from_ref: &'p mut Vec<TokenStream>,
    assignments: &'p mut Vec<TokenStream>,
    applies: &'p mut Vec<TokenStream>,
    decodes: &'p mut Vec<TokenStream>,
}

/// A foreign key appears as `<name>_id` holding the key, the same name on input and output
/// (Ninja uses `author` on output and `author_id` on input).
fn foreign_key_field(
    field: &Field<'_>,
    optional: bool,
    docs: &[syn::Attribute],
    model: &Ident,
    parts: &mut Parts<'_>,
) {
    let ident = field.ident;
    let ty = field.ty;
    let key_ident = format_ident!("{}_id", field.name);
    let k = quote!(::kata::__private::RelationKey);
    let nullable = option_inner(ty);
    if optional {
        let fk = nullable.unwrap_or(ty);
        let key = quote!(<#fk as #k>::Key);
        let with = if nullable.is_some() {
            quote!(::core::option::Option<#key>).to_string()
        } else {
            key.to_string()
        };
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
        return;
    }
    let key = quote!(<#ty as #k>::Key);
    let serde_default = nullable.map(|_| quote!(#[serde(default)]));
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

/// The Rust expression for a `default = ...`, typed through the `Default*` traits so that a
/// literal of the wrong kind is a compile error at the field.
fn default_expr(value: &DefaultValue, ty: &Type) -> TokenStream {
    match value {
        DefaultValue::Str(s) => quote!(<#ty as ::kata::__private::DefaultStr>::default_str(#s)),
        DefaultValue::Bool(b) => quote!(<#ty as ::kata::__private::DefaultBool>::default_bool(#b)),
        DefaultValue::Int(i) => quote!(<#ty as ::kata::__private::DefaultInt>::default_int(#i)),
        DefaultValue::Float(f) => quote!(<#ty as ::kata::__private::DefaultFloat>::default_float(#f)),
        DefaultValue::Now => quote!(<#ty as ::kata::__private::DefaultNow>::default_now()),
    }
}
