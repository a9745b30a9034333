//! Parses `#[model_schema(Name, ...)]` attributes into one `SchemaSpec` each.
//!
//! As everywhere in this crate, nothing returns early: each mistake is recorded in the
//! context at the user's token and parsing continues.

use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitStr, Meta, Path, Token};

use crate::internals::Ctxt;

/// Which fields a schema has.
#[derive(Debug)]
pub(crate) enum Selection {
    /// `fields(a, b)`.
    Fields(Vec<Ident>),
    /// `exclude(a, b)`.
    Exclude(Vec<Ident>),
    /// `fields = "__all__"`.
    All,
}

/// Which fields are optional (tri-state patches).
#[derive(Debug, Default)]
pub(crate) enum Optional {
    /// None of them.
    #[default]
    None,
    /// `optional(a, b)`.
    Some(Vec<Ident>),
    /// `optional = "__all__"`.
    All,
}

/// One `#[model_schema(...)]`.
#[derive(Debug)]
pub(crate) struct SchemaSpec {
    /// The generated struct's name.
    pub(crate) name: Ident,
    /// Its fields.
    pub(crate) selection: Selection,
    /// Its optional fields.
    pub(crate) optional: Optional,
    /// Extra derives.
    pub(crate) derives: Vec<Path>,
    /// serde's `rename_all`.
    pub(crate) rename_all: Option<LitStr>,
    /// The struct's doc comment.
    pub(crate) doc: Option<LitStr>,
    /// `no_default`: do not implement `Default`.
    pub(crate) no_default: bool,
    /// `nested(author = UserOut)`: relation fields output as the related object's schema.
    pub(crate) nested: Vec<(Ident, Path)>,
}

const KEYS: &str = "fields, exclude, optional, nested, derive, rename_all, doc, no_default";
const ALL: &str = "__all__";

/// Parses every `#[model_schema]` attribute.
pub(crate) fn parse(cx: &Ctxt, attrs: &[Attribute]) -> Vec<SchemaSpec> {
    attrs.iter().filter(|a| a.path().is_ident("model_schema")).filter_map(|a| parse_one(cx, a)).collect()
}

fn idents(cx: &Ctxt, meta: &Meta) -> Vec<Ident> {
    match meta {
        Meta::List(list) => match list.parse_args_with(Punctuated::<Ident, Token![,]>::parse_terminated) {
            Ok(names) => names.into_iter().collect(),
            Err(e) => {
                cx.syn_error(e);
                Vec::new()
            }
        },
        other => {
            cx.error_spanned_by(other, "expected a list of field names: `(a, b)`");
            Vec::new()
        }
    }
}

fn string(cx: &Ctxt, meta: &Meta) -> Option<LitStr> {
    if let Meta::NameValue(nv) = meta
        && let Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) = &nv.value
    {
        return Some(s.clone());
    }
    cx.error_spanned_by(meta, "expected a string: `key = \"...\"`");
    None
}

fn is_all(meta: &Meta) -> bool {
    matches!(meta, Meta::NameValue(nv) if matches!(&nv.value, Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) if s.value() == ALL))
}

fn parse_one(cx: &Ctxt, attr: &Attribute) -> Option<SchemaSpec> {
    let metas = match attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
        Ok(metas) => metas,
        Err(e) => {
            cx.syn_error(e);
            return None;
        }
    };
    let mut metas = metas.into_iter();
    let name = match metas.next() {
        Some(Meta::Path(path)) if path.get_ident().is_some() => path.get_ident().cloned(),
        Some(other) => {
            cx.error_spanned_by(other, "the first argument of #[model_schema] is the schema's name: `#[model_schema(UserOut, fields(..))]`");
            None
        }
        None => {
            cx.error_spanned_by(
                attr,
                "#[model_schema] needs a name and fields: `#[model_schema(UserOut, fields(id, username))]`",
            );
            None
        }
    }?;
    let mut selection: Option<(Selection, Meta)> = None;
    let mut optional: Option<Optional> = None;
    let mut derives = Vec::new();
    let mut rename_all = None;
    let mut doc = None;
    let mut no_default = false;
    let mut nested = Vec::new();
    for meta in metas {
        let key = meta.path().get_ident().map(Ident::to_string).unwrap_or_default();
        match key.as_str() {
            "fields" | "exclude" => {
                let parsed = match (&meta, key.as_str()) {
                    (m, "fields") if is_all(m) => Selection::All,
                    (Meta::NameValue(_), _) => {
                        cx.error_spanned_by(
                            &meta,
                            format!("`{key}` takes a list `{key}(a, b)`, or `fields = \"__all__\"`"),
                        );
                        continue;
                    }
                    (m, "fields") => Selection::Fields(idents(cx, m)),
                    (m, _) => Selection::Exclude(idents(cx, m)),
                };
                match &selection {
                    None => selection = Some((parsed, meta.clone())),
                    Some((previous, _))
                        if matches!(previous, Selection::Exclude(_)) != (key == "exclude") =>
                    {
                        cx.error_spanned_by(
                            meta.path(),
                            "use either `fields` or `exclude`, not both (as in Django Ninja)",
                        );
                    }
                    Some(_) => {
                        cx.error_spanned_by(meta.path(), format!("duplicate model_schema key `{key}`"))
                    }
                }
            }
            "optional" => {
                let parsed = if is_all(&meta) {
                    Optional::All
                } else if matches!(meta, Meta::List(_)) {
                    Optional::Some(idents(cx, &meta))
                } else {
                    cx.error_spanned_by(
                        &meta,
                        "`optional` takes a list `optional(a, b)`, or `optional = \"__all__\"`",
                    );
                    continue;
                };
                if optional.is_some() {
                    cx.error_spanned_by(meta.path(), "duplicate model_schema key `optional`");
                } else {
                    optional = Some(parsed);
                }
            }
            "derive" => match &meta {
                Meta::List(list) => {
                    match list.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated) {
                        Ok(paths) => derives.extend(paths),
                        Err(e) => cx.syn_error(e),
                    }
                }
                other => cx.error_spanned_by(other, "expected `derive(Trait, ...)`"),
            },
            "rename_all" => {
                if rename_all.is_some() {
                    cx.error_spanned_by(meta.path(), "duplicate model_schema key `rename_all`");
                }
                rename_all = string(cx, &meta);
                if let Some(rule) = &rename_all
                    && rename(&rule.value(), "a_b").is_none()
                {
                    cx.error_spanned_by(rule, "unknown rename_all rule; expected one of: lowercase, UPPERCASE, PascalCase, camelCase, snake_case, SCREAMING_SNAKE_CASE, kebab-case, SCREAMING-KEBAB-CASE");
                }
            }
            "doc" => {
                if doc.is_some() {
                    cx.error_spanned_by(meta.path(), "duplicate model_schema key `doc`");
                }
                doc = string(cx, &meta);
            }
            "no_default" if matches!(meta, Meta::Path(_)) => no_default = true,
            "nested" => match &meta {
                Meta::List(list) => {
                    match list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
                        Ok(pairs) => {
                            for pair in pairs {
                                match pair {
                                    Meta::NameValue(nv) if nv.path.get_ident().is_some() => match &nv.value {
                                        Expr::Path(p) => {
                                            if let Some(field) = nv.path.get_ident() {
                                                nested.push((field.clone(), p.path.clone()));
                                            }
                                        }
                                        other => cx.error_spanned_by(
                                            other,
                                            "expected a schema type: `nested(author = UserOut)`",
                                        ),
                                    },
                                    other => cx.error_spanned_by(
                                        other,
                                        "expected `field = Schema`: `nested(author = UserOut)`",
                                    ),
                                }
                            }
                        }
                        Err(e) => cx.syn_error(e),
                    }
                }
                other => cx.error_spanned_by(other, "expected `nested(author = UserOut)`"),
            },
            _ => cx.error_spanned_by(
                meta.path(),
                format!("unknown model_schema key `{key}`; expected one of: {KEYS}"),
            ),
        }
    }
    let Some((selection, _)) = selection else {
        cx.error_spanned_by(
            &name,
            format!("schema `{name}` needs `fields(..)`, `exclude(..)` or `fields = \"__all__\"`"),
        );
        return None;
    };
    Some(SchemaSpec {
        name,
        selection,
        optional: optional.unwrap_or_default(),
        derives,
        rename_all,
        doc,
        no_default,
        nested,
    })
}

/// serde's `rename_all` rules applied to a snake_case field name; `None` for an unknown rule.
pub(crate) fn rename(rule: &str, field: &str) -> Option<String> {
    let words: Vec<&str> = field.split('_').filter(|w| !w.is_empty()).collect();
    let capitalize = |w: &str| {
        let mut chars = w.chars();
        chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>()).unwrap_or_default()
    };
    Some(match rule {
        "lowercase" => field.to_lowercase(),
        "UPPERCASE" => field.to_uppercase(),
        "snake_case" => field.to_owned(),
        "SCREAMING_SNAKE_CASE" => field.to_uppercase(),
        "kebab-case" => field.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => field.replace('_', "-").to_uppercase(),
        "PascalCase" => words.iter().map(|w| capitalize(w)).collect(),
        "camelCase" => {
            let mut out = String::new();
            for (i, w) in words.iter().enumerate() {
                out.push_str(&if i == 0 { (*w).to_owned() } else { capitalize(w) });
            }
            out
        }
        _ => return None,
    })
}
