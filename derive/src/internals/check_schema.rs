//! The rules of `#[derive(ModelSchema)]` that need the model: every name a schema lists is a
//! field of it, a schema selects its fields one way, `optional` and `nested` name fields the
//! schema has. Each failed rule is recorded at the token the user has to change, so the
//! generator only ever sees valid schemas.

use std::collections::HashSet;

use syn::Ident;
use syn::ext::IdentExt;

use crate::internals::Ctxt;
use crate::internals::ast::{Container, Field};
use crate::internals::attr::{FieldList, SchemaSpec};

/// Runs every schema rule for the schemas of `model`.
pub(crate) fn check(cx: &Ctxt, model: &Container<'_>, specs: &[SchemaSpec]) {
    if specs.is_empty() {
        cx.error_spanned_by(model.ident, "add at least one `#[model_schema(Name, fields(..))]`");
    }
    let mut names = HashSet::new();
    for spec in specs {
        if !names.insert(spec.name.to_string()) {
            cx.error_spanned_by(&spec.name, format!("two schemas are named `{}`", spec.name));
            continue;
        }
        if spec.name == *model.ident {
            cx.error_spanned_by(&spec.name, "a schema cannot have the model's own name");
            continue;
        }
        check_selection(cx, model, spec);
        check_optional(cx, model, spec);
        check_nested(cx, model, spec);
    }
}

/// Exactly one of `fields` and `exclude`, naming fields of the model; no reverse relation.
fn check_selection(cx: &Ctxt, model: &Container<'_>, spec: &SchemaSpec) {
    match (&spec.fields, &spec.exclude) {
        (None, None) if spec.selection_written => {}
        (None, None) => cx.error_spanned_by(
            &spec.name,
            format!("schema `{}` needs `fields(..)`, `exclude(..)` or `fields = \"__all__\"`", spec.name),
        ),
        (Some(_), Some(exclude)) => {
            cx.error_at(exclude.span, "use either `fields` or `exclude`, not both (as in Django Ninja)")
        }
        (Some(fields), None) => {
            for ident in fields.value.names() {
                if let Some(field) = known_field(cx, model, ident)
                    && field.attrs.reverse_of.is_some()
                {
                    cx.error_spanned_by(
                        ident,
                        format!(
                            "`{}` is a reverse relation: put it in a schema of the model that holds the foreign key",
                            field.name
                        ),
                    );
                }
            }
        }
        (None, Some(exclude)) => {
            for ident in &exclude.value {
                known_field(cx, model, ident);
            }
        }
    }
}

/// `optional(..)` names fields the schema has, none of them many-to-many.
fn check_optional(cx: &Ctxt, model: &Container<'_>, spec: &SchemaSpec) {
    let Some(FieldList::Names(names)) = &spec.optional else { return };
    for ident in names {
        let Some(field) = known_field(cx, model, ident) else { continue };
        if !field.in_schema(spec) {
            cx.error_spanned_by(
                ident,
                format!("`{}` is optional but not a field of schema `{}`", field.name, spec.name),
            );
        } else if field.attrs.many_to_many.is_some() {
            cx.error_spanned_by(
                ident,
                format!("`{}` is a many-to-many field: it cannot be optional", field.name),
            );
        }
    }
}

/// `nested(..)` names foreign keys the schema has, each once.
fn check_nested(cx: &Ctxt, model: &Container<'_>, spec: &SchemaSpec) {
    let mut seen = HashSet::new();
    for (ident, _) in &spec.nested {
        let Some(field) = known_field(cx, model, ident) else { continue };
        if !seen.insert(field.name.as_str()) {
            cx.error_spanned_by(ident, format!("`{}` is nested twice in schema `{}`", field.name, spec.name));
        } else if !field.in_schema(spec) {
            cx.error_spanned_by(
                ident,
                format!("`{}` is nested but not a field of schema `{}`", field.name, spec.name),
            );
        } else if !field.is_foreign_key() {
            cx.error_spanned_by(
                ident,
                format!("`{}` is not a ForeignKey or OneToOne field: only those can be nested", field.name),
            );
        }
    }
}

/// The model field `ident` names, or an error at `ident`.
fn known_field<'m, 'a>(cx: &Ctxt, model: &'m Container<'a>, ident: &Ident) -> Option<&'m Field<'a>> {
    let name = ident.unraw().to_string();
    let field = model.field_named(&name);
    if field.is_none() {
        cx.error_spanned_by(ident, format!("`{}` has no field `{name}`", model.name));
    }
    field
}
