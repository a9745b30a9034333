//! The `#[model_schema(Name, ...)]` attributes of `#[derive(ModelSchema)]`, one [`SchemaSpec`]
//! each. Only the attribute is read here; whether the names it lists are fields of the model
//! is `internals::check_schema`'s business.

use syn::ext::IdentExt;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, LitStr, Meta, Path, Token};

use super::{Attr, BoolAttr, WithSpan, name_value, parse_rename_rule, string, unknown_key};
use crate::internals::Ctxt;
use crate::internals::case::RenameRule;
use crate::internals::symbol::*;

/// `"__all__"`, Django Ninja's "every field".
const ALL: &str = "__all__";

/// The fields a key lists: `key(a, b)`, or every field with `key = "__all__"`.
#[derive(Debug)]
pub(crate) enum FieldList {
    /// `key(a, b)`, as written.
    Names(Vec<Ident>),
    /// `key = "__all__"`.
    All,
}

impl FieldList {
    /// Whether the list takes the field named `name` (without a raw prefix).
    pub(crate) fn contains(&self, name: &str) -> bool {
        match self {
            FieldList::All => true,
            FieldList::Names(names) => names.iter().any(|n| n.unraw() == name),
        }
    }

    /// The names written, none for `"__all__"`.
    pub(crate) fn names(&self) -> &[Ident] {
        match self {
            FieldList::All => &[],
            FieldList::Names(names) => names,
        }
    }
}

/// One `#[model_schema(...)]`.
#[derive(Debug)]
pub(crate) struct SchemaSpec {
    /// The generated struct's name.
    pub(crate) name: Ident,
    /// `fields(..)` or `fields = "__all__"`, spanned at the key.
    pub(crate) fields: Option<WithSpan<FieldList>>,
    /// `exclude(..)`, spanned at the key.
    pub(crate) exclude: Option<WithSpan<Vec<Ident>>>,
    /// Whether `fields` or `exclude` was written, even with an invalid (reported) value.
    pub(crate) selection_written: bool,
    /// `optional(..)` or `optional = "__all__"`: fields that become tri-state patches.
    pub(crate) optional: Option<FieldList>,
    /// Every `derive(..)`: extra derives on the struct.
    pub(crate) derives: Vec<Path>,
    /// serde's `rename_all`, spanned at the string.
    pub(crate) rename_all: Option<WithSpan<RenameRule>>,
    /// `doc = ".."`: the struct's doc comment and its JSON Schema description.
    pub(crate) doc: Option<LitStr>,
    /// `no_default`: do not implement `Default`.
    pub(crate) no_default: bool,
    /// Every `nested(author = UserOut)`: relation fields output as the related object's
    /// schema.
    pub(crate) nested: Vec<(Ident, Path)>,
}

impl SchemaSpec {
    /// Parses every `#[model_schema]` among `attrs`. A schema whose name is missing is
    /// reported and left out; every other mistake is reported and the schema still returned.
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Vec<SchemaSpec> {
        attrs
            .iter()
            .filter(|attr| attr.path() == MODEL_SCHEMA)
            .filter_map(|attr| parse_one(cx, attr))
            .collect()
    }

    /// Whether `fields(..)` / `exclude(..)` take the field named `name` (reverse relations
    /// aside, which no schema holds).
    pub(crate) fn selects(&self, name: &str) -> bool {
        match (&self.fields, &self.exclude) {
            (Some(fields), _) => fields.value.contains(name),
            (None, Some(exclude)) => !exclude.value.iter().any(|n| n.unraw() == name),
            (None, None) => false,
        }
    }

    /// Whether `optional(..)` takes the field named `name`.
    pub(crate) fn is_optional(&self, name: &str) -> bool {
        self.optional.as_ref().is_some_and(|optional| optional.contains(name))
    }

    /// The schema `nested(..)` gives the field named `name`, if any.
    pub(crate) fn nested_schema(&self, name: &str) -> Option<&Path> {
        self.nested.iter().find(|(field, _)| field.unraw() == name).map(|(_, schema)| schema)
    }

    /// The JSON key of the field named `name`, after `rename_all`.
    pub(crate) fn json_name(&self, name: &str) -> String {
        match &self.rename_all {
            Some(rule) => rule.value.apply_to_field(name),
            None => name.to_owned(),
        }
    }
}

fn parse_one(cx: &Ctxt, attr: &Attribute) -> Option<SchemaSpec> {
    let metas = match attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
        Ok(metas) => metas,
        Err(err) => {
            cx.syn_error(err);
            return None;
        }
    };
    let mut metas = metas.into_iter();
    let name = match metas.next() {
        Some(Meta::Path(path)) if path.get_ident().is_some() => path.get_ident().cloned(),
        Some(other) => {
            cx.error_spanned_by(
                other,
                "the first argument of #[model_schema] is the schema's name: `#[model_schema(UserOut, fields(..))]`",
            );
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

    let mut fields = Attr::none_in(cx, MODEL_SCHEMA, FIELDS);
    let mut exclude = Attr::none_in(cx, MODEL_SCHEMA, EXCLUDE);
    let mut optional = Attr::none_in(cx, MODEL_SCHEMA, OPTIONAL);
    let mut rename_all = Attr::none_in(cx, MODEL_SCHEMA, RENAME_ALL);
    let mut doc = Attr::none_in(cx, MODEL_SCHEMA, DOC);
    let mut no_default = BoolAttr::none_in(cx, MODEL_SCHEMA, NO_DEFAULT);
    let mut derives = Vec::new();
    let mut nested = Vec::new();
    for meta in metas {
        let path = meta.path();
        if path == FIELDS {
            let list =
                field_list(cx, &meta, "`fields` takes a list `fields(a, b)`, or `fields = \"__all__\"`");
            fields.set(path, list.map(|value| WithSpan { value, span: path.span() }));
        } else if path == EXCLUDE {
            let names = match &meta {
                Meta::List(_) => Some(idents(cx, &meta)),
                _ => {
                    cx.error_spanned_by(&meta, "`exclude` takes a list `exclude(a, b)`");
                    None
                }
            };
            exclude.set(path, names.map(|value| WithSpan { value, span: path.span() }));
        } else if path == OPTIONAL {
            let list = field_list(
                cx,
                &meta,
                "`optional` takes a list `optional(a, b)`, or `optional = \"__all__\"`",
            );
            optional.set(path, list);
        } else if path == DERIVE {
            derives.extend(parse_derive(cx, &meta));
        } else if path == NESTED {
            nested.extend(parse_nested(cx, &meta));
        } else if path == RENAME_ALL {
            let rule = name_value(cx, &meta, "rename_all = \"camelCase\"")
                .and_then(|value| parse_rename_rule(cx, value));
            rename_all.set(path, rule);
        } else if path == DOC {
            let text = name_value(cx, &meta, "doc = \"...\"")
                .and_then(|value| string(cx, DOC, value, "doc = \"...\"").cloned());
            doc.set(path, text);
        } else if path == NO_DEFAULT {
            no_default.set_true(&meta);
        } else {
            unknown_key(cx, MODEL_SCHEMA, &meta, SCHEMA_KEYS);
        }
    }
    Some(SchemaSpec {
        name,
        selection_written: fields.written() || exclude.written(),
        fields: fields.get(),
        exclude: exclude.get(),
        optional: optional.get(),
        derives,
        rename_all: rename_all.get(),
        doc: doc.get(),
        no_default: no_default.get().is_some(),
        nested,
    })
}

/// `key(a, b)` or `key = "__all__"`; anything else is reported with `usage`.
fn field_list(cx: &Ctxt, meta: &Meta, usage: &str) -> Option<FieldList> {
    match meta {
        Meta::List(_) => Some(FieldList::Names(idents(cx, meta))),
        Meta::NameValue(nv) => match &nv.value {
            Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) if s.value() == ALL => Some(FieldList::All),
            other => {
                cx.error_spanned_by(other, usage);
                None
            }
        },
        Meta::Path(_) => {
            cx.error_spanned_by(meta, usage);
            None
        }
    }
}

/// The field names of `key(a, b)`.
fn idents(cx: &Ctxt, meta: &Meta) -> Vec<Ident> {
    let Meta::List(list) = meta else { return Vec::new() };
    match list.parse_args_with(Punctuated::<Ident, Token![,]>::parse_terminated) {
        Ok(names) => names.into_iter().collect(),
        Err(err) => {
            cx.syn_error(err);
            Vec::new()
        }
    }
}

/// `derive(Eq, Hash)`.
fn parse_derive(cx: &Ctxt, meta: &Meta) -> Vec<Path> {
    let Meta::List(list) = meta else {
        cx.error_spanned_by(meta, "expected `derive(Trait, ...)`");
        return Vec::new();
    };
    match list.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated) {
        Ok(paths) => paths.into_iter().collect(),
        Err(err) => {
            cx.syn_error(err);
            Vec::new()
        }
    }
}

/// `nested(author = UserOut, editor = UserOut)`.
fn parse_nested(cx: &Ctxt, meta: &Meta) -> Vec<(Ident, Path)> {
    let Meta::List(list) = meta else {
        cx.error_spanned_by(meta, "expected `nested(author = UserOut)`");
        return Vec::new();
    };
    let pairs = match list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
        Ok(pairs) => pairs,
        Err(err) => {
            cx.syn_error(err);
            return Vec::new();
        }
    };
    let mut nested = Vec::new();
    for pair in pairs {
        match &pair {
            Meta::NameValue(nv) => match (nv.path.get_ident(), &nv.value) {
                (Some(field), Expr::Path(schema)) => nested.push((field.clone(), schema.path.clone())),
                (Some(_), other) => {
                    cx.error_spanned_by(other, "expected a schema type: `nested(author = UserOut)`")
                }
                (None, _) => {
                    cx.error_spanned_by(&nv.path, "expected a field name: `nested(author = UserOut)`")
                }
            },
            other => cx.error_spanned_by(other, "expected `field = Schema`: `nested(author = UserOut)`"),
        }
    }
    nested
}
