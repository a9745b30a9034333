//! Rules that involve more than one attribute or field. Each failed rule is recorded in the
//! context at the token the user has to change.

use std::collections::HashMap;

use crate::internals::Ctxt;
use crate::internals::ast::{Container, Field};
use crate::internals::attr::DefaultValue;

/// Names that `#[derive(Model)]` itself defines on the struct (`User::pk`, `User::objects()`,
/// `User::meta()`), so no field may take them.
pub(crate) const RESERVED_FIELD_NAMES: &[&str] = &["pk", "objects", "meta"];

/// Runs every cross-field rule on a parsed model.
pub(crate) fn check(cx: &Ctxt, cont: &Container<'_>) {
    check_primary_key(cx, cont);
    check_auto(cx, cont);
    check_reserved_names(cx, cont);
    check_unique_together(cx, cont);
    check_duplicate_columns(cx, cont);
    check_reverse_of(cx, cont);
    check_defaults(cx, cont);
    check_link_columns(cx, cont);
}

/// `columns(..)` names the columns of a link table kata generates; `through_fields(..)` picks
/// the foreign keys of a through model of the user's. Each needs its kind of table.
fn check_link_columns(cx: &Ctxt, cont: &Container<'_>) {
    for field in &cont.fields {
        let through_model = matches!(
            field.attrs.many_to_many.as_ref().and_then(|m| m.value.as_ref()),
            Some(crate::internals::attr::Through::Model(_))
        );
        if let Some(columns) = &field.attrs.link_columns {
            if through_model {
                cx.error_at(
                    columns.span,
                    format!(
                        "`{}` has a through model, whose own fields name its columns: pick its foreign keys \
                         with `through_fields(owner_field, target_field)` instead of `columns`",
                        field.name
                    ),
                );
            } else if columns.value.0 == columns.value.1 {
                cx.error_at(columns.span, "the link table's two columns need different names");
            }
        }
        if let Some(fields) = &field.attrs.through_fields
            && !through_model
        {
            cx.error_at(
                fields.span,
                format!(
                    "`through_fields` picks the foreign keys of a through model (`through = Model`); \
                     to name the columns of the link table kata creates for `{}`, use `columns(\"owner_id\", \"target_id\")`",
                    field.name
                ),
            );
        }
    }
}

/// A text default must pass the field's own rules, or every row that takes it would fail
/// validation: no longer than `max_length`, and an e-mail address on an `email` field (the
/// empty string passes: a default of `""` exempts its field from `email` for `""`).
fn check_defaults(cx: &Ctxt, cont: &Container<'_>) {
    for field in &cont.fields {
        let Some(default) = &field.attrs.default else { continue };
        if let Some(broken) = default_breaks_validators(field, &default.value) {
            cx.error_at(
                default.span,
                format!("the default of `{}` breaks its `{broken}` rule: every row that takes it would fail validation", field.name),
            );
        }
        let DefaultValue::Str(text) = &default.value else { continue };
        if let Some(max) = field.attrs.max_length
            && text.chars().count() > max as usize
        {
            cx.error_at(
                default.span,
                format!(
                    "the default of `{}` has {} characters, more than its `max_length = {max}`",
                    field.name,
                    text.chars().count()
                ),
            );
        }
        if field.attrs.email && !text.is_empty() && !looks_like_email(text) {
            cx.error_at(
                default.span,
                format!(
                    "the default of `{}` is not an e-mail address, which its `email` rule requires",
                    field.name
                ),
            );
        }
    }
}

/// The validator a default breaks, if any: `min_length` or `slug` for text (`""` passes on a
/// field that accepts it), `min_value`/`max_value` for numbers. (A `regex` is matched at run
/// time only.)
fn default_breaks_validators(field: &Field<'_>, default: &DefaultValue) -> Option<&'static str> {
    let rules = &field.attrs.validators;
    let number = |n: f64| {
        let as_f64 = |l: crate::internals::attr::Limit| l.mantissa as f64 / 10f64.powi(l.scale as i32);
        if rules.min_value.is_some_and(|l| n < as_f64(l)) {
            Some("min_value")
        } else if rules.max_value.is_some_and(|l| n > as_f64(l)) {
            Some("max_value")
        } else {
            None
        }
    };
    match default {
        DefaultValue::Str(text) if text.is_empty() && field.accepts_empty() => None,
        DefaultValue::Str(text) => {
            if rules.min_length.is_some_and(|n| text.chars().count() < n as usize) {
                Some("min_length")
            } else if (rules.slug
                && (text.is_empty()
                    || !text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')))
                || (rules.unicode_slug
                    && (text.is_empty()
                        || !text.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')))
            {
                Some("slug")
            } else {
                None
            }
        }
        #[allow(clippy::cast_precision_loss)] // a literal in source, compared approximately
        DefaultValue::Int(n) => number(*n as f64),
        DefaultValue::Float(f) => number(*f),
        _ => None,
    }
}

/// The shape kata's run-time `email` rule accepts (`kata`'s `is_email`): one `@`, a
/// non-empty local part, a dotted domain, no spaces.
fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else { return false };
    !local.is_empty()
        && !text.chars().any(char::is_whitespace)
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// `reverse_of` declares the side of a relation that the other model holds; a field with
/// `many_to_many` holds one itself.
fn check_reverse_of(cx: &Ctxt, cont: &Container<'_>) {
    for field in &cont.fields {
        if let (Some(path), Some(_)) = (&field.attrs.reverse_of, &field.attrs.many_to_many) {
            cx.error_spanned_by(
                path,
                format!(
                    "`{}` has both `many_to_many` and `reverse_of`: the forward side has `many_to_many`, \
                     the other model's field reversing it has only `reverse_of = Model::field`",
                    field.name
                ),
            );
        }
    }
}

/// Every model needs a primary key.
fn check_primary_key(cx: &Ctxt, cont: &Container<'_>) {
    if cont.primary_key().next().is_none() {
        cx.error_spanned_by(
            cont.ident,
            format!("model `{}` has no primary key: mark a field with #[kata(primary_key)]", cont.name),
        );
    }
}

/// `auto` only on a single-column primary key, and on one field at most.
fn check_auto(cx: &Ctxt, cont: &Container<'_>) {
    let composite = cont.primary_key().count() > 1;
    let mut first_auto: Option<&Field<'_>> = None;
    for field in &cont.fields {
        let Some(auto) = field.attrs.auto else {
            continue;
        };
        if field.attrs.primary_key.is_none() {
            cx.error_at(
                auto,
                format!(
                    "`auto` needs `primary_key`: only the primary key can be assigned by the \
                     database; add `primary_key` to field `{}` or remove `auto`",
                    field.name
                ),
            );
        } else if composite {
            cx.error_at(
                auto,
                format!(
                    "`auto` cannot be used on a composite primary key: model `{}` has several \
                     `primary_key` fields",
                    cont.name
                ),
            );
        }
        match first_auto {
            None => first_auto = Some(field),
            Some(first) => cx.error_at(
                auto,
                format!(
                    "model `{}` has more than one `auto` field: `{}` and `{}`; only one is allowed",
                    cont.name, first.name, field.name
                ),
            ),
        }
    }
}

/// Fields may not shadow the items the derive generates.
fn check_reserved_names(cx: &Ctxt, cont: &Container<'_>) {
    for field in &cont.fields {
        if RESERVED_FIELD_NAMES.contains(&field.name.as_str()) {
            cx.error_spanned_by(
                field.ident,
                format!(
                    "a model field cannot be named `{name}`: #[derive(Model)] defines `{model}::{name}`; \
                     rename the field and keep the column with #[kata(column = \"{name}\")]",
                    name = field.name,
                    model = cont.name,
                ),
            );
        }
    }
}

/// Every name in `unique_together(..)` is a field, and appears once in its group.
fn check_unique_together(cx: &Ctxt, cont: &Container<'_>) {
    for group in &cont.unique_together {
        let mut seen: Vec<String> = Vec::new();
        for ident in &group.fields {
            let name = syn::ext::IdentExt::unraw(ident).to_string();
            if cont.field_named(&name).is_none() {
                cx.error_spanned_by(
                    ident,
                    format!(
                        "unknown field `{name}` in `unique_together`: model `{}` has no such field",
                        cont.name
                    ),
                );
            } else if seen.contains(&name) {
                cx.error_spanned_by(ident, format!("field `{name}` appears twice in this `unique_together`"));
            }
            seen.push(name);
        }
    }
}

/// Two fields cannot share a column.
fn check_duplicate_columns(cx: &Ctxt, cont: &Container<'_>) {
    let mut by_column: HashMap<&str, &Field<'_>> = HashMap::new();
    for field in &cont.fields {
        if let Some(first) = by_column.get(field.column.as_str()) {
            let message = format!(
                "column `{}` is used by both `{}` and `{}`; give one of them another \
                 #[kata(column = \"...\")]",
                field.column, first.name, field.name
            );
            match &field.attrs.column {
                Some(column) => cx.error_at(column.span, message),
                None => cx.error_spanned_by(field.ident, message),
            }
        } else {
            by_column.insert(&field.column, field);
        }
    }
}
