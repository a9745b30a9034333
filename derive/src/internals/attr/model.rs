//! The `#[kata(...)]` attributes of `#[derive(Model)]`: the container's (`table`,
//! `unique_together`) and each field's (`primary_key`, `foreign_key`, `max_length`, ...).

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, ExprUnary, Ident, Lit, Meta, Token, UnOp};

use super::validators::{self, Validators};
use super::{Attr, BoolAttr, WithSpan, kata_metas, name_value, non_empty_str, ungroup, unknown_key};
use crate::internals::Ctxt;
use crate::internals::symbol::*;

/// The container attributes: `#[kata(table = "...", unique_together(a, b))]` on the struct.
#[derive(Debug)]
pub(crate) struct Container {
    /// `table = "name"`.
    pub(crate) table: Option<WithSpan<String>>,
    /// Every `unique_together(...)`, in the order written.
    pub(crate) unique_together: Vec<UniqueTogether>,
    /// `hooks`: the model implements `ModelHooks`.
    pub(crate) hooks: bool,
}

/// One `unique_together(field_a, field_b)`.
#[derive(Debug)]
pub(crate) struct UniqueTogether {
    /// The Rust field names, as written.
    pub(crate) fields: Vec<Ident>,
}

impl Container {
    /// Parses the `#[kata(...)]` attributes of the struct.
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut table = Attr::none(cx, TABLE);
        let mut unique_together = Vec::new();
        let mut hooks = BoolAttr::none(cx, HOOKS);

        for meta in kata_metas(cx, attrs) {
            let path = meta.path();
            if path == TABLE {
                let example = "table = \"name\"";
                let name =
                    name_value(cx, &meta, example).and_then(|value| non_empty_str(cx, TABLE, value, example));
                table.set(path, name);
            } else if path == HOOKS {
                hooks.set_true(&meta);
            } else if path == UNIQUE_TOGETHER {
                if let Some(group) = parse_unique_together(cx, &meta) {
                    unique_together.push(group);
                }
            } else {
                unknown_key(cx, KATA, &meta, CONTAINER_KEYS);
            }
        }

        Container { table: table.get(), unique_together, hooks: hooks.get().is_some() }
    }
}

/// A column default as written in `default = ...`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DefaultValue {
    /// A string literal.
    Str(String),
    /// `true` or `false`.
    Bool(bool),
    /// An integer literal, possibly negative.
    Int(i64),
    /// A float literal, possibly negative.
    Float(f64),
    /// `now`: the current timestamp.
    Now,
    /// `uuid4`: a new random UUID.
    Uuid4,
}

/// The field attributes: `#[kata(primary_key, auto, max_length = 150, ...)]` on a field.
#[derive(Debug, Default)]
pub(crate) struct Field {
    /// `primary_key`, with where it was written.
    pub(crate) primary_key: Option<Span>,
    /// `auto`, with where it was written.
    pub(crate) auto: Option<Span>,
    /// `unique`.
    pub(crate) unique: bool,
    /// `index`.
    pub(crate) index: bool,
    /// `email`.
    pub(crate) email: bool,
    /// `blank`, with where it was written.
    pub(crate) blank: Option<Span>,
    /// `max_length = n`.
    pub(crate) max_length: Option<u32>,
    /// `max_digits = p, decimal_places = s`, with where `max_digits` was written.
    pub(crate) decimal: Option<(u8, u8)>,
    /// `default = ...`, spanned at the value.
    pub(crate) default: Option<WithSpan<DefaultValue>>,
    /// `column = "name"`, spanned at the string.
    pub(crate) column: Option<WithSpan<String>>,
    /// `foreign_key`.
    pub(crate) foreign_key: Option<Span>,
    /// `one_to_one`.
    pub(crate) one_to_one: Option<Span>,
    /// `on_delete = "..."`, spanned at the string.
    pub(crate) on_delete: Option<WithSpan<OnDelete>>,
    /// `related_name = "..."`, spanned at the string.
    pub(crate) related_name: Option<WithSpan<String>>,
    /// `many_to_many` / `many_to_many(through = ...)`.
    pub(crate) many_to_many: Option<WithSpan<Option<Through>>>,
    /// `many_to_many(columns("user_id", "group_id"))`: the link table's columns, the
    /// owner's then the target's, spanned at `columns`.
    pub(crate) link_columns: Option<WithSpan<(String, String)>>,
    /// `many_to_many(through = Model, through_fields(owner, target))`: the through model's
    /// foreign keys (Django's `through_fields`), spanned at `through_fields`.
    pub(crate) through_fields: Option<WithSpan<(Ident, Ident)>>,
    /// `reverse_of = Model::field`.
    pub(crate) reverse_of: Option<syn::ExprPath>,
    /// `min_value`, `max_value`, `min_length`, `url`, `slug`, `regex`, `validators(..)`.
    pub(crate) validators: Validators,
}

/// Django's `on_delete` choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnDelete {
    Cascade,
    Restrict,
    Protect,
    SetNull,
    DoNothing,
}

/// A many-to-many's link table: a table name kata creates, or a model of the user's.
#[derive(Debug, Clone)]
pub(crate) enum Through {
    /// `through = "table_name"`.
    Table(String),
    /// `through = Membership`.
    Model(syn::Path),
}

impl Field {
    /// Parses the `#[kata(...)]` attributes of one field; keys may be spread over several
    /// attributes.
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut primary_key = BoolAttr::none(cx, PRIMARY_KEY);
        let mut auto = BoolAttr::none(cx, AUTO);
        let mut unique = BoolAttr::none(cx, UNIQUE);
        let mut index = BoolAttr::none(cx, INDEX);
        let mut email = BoolAttr::none(cx, EMAIL);
        let mut blank = BoolAttr::none(cx, BLANK);
        let mut max_length = Attr::none(cx, MAX_LENGTH);
        let mut max_digits = Attr::none(cx, MAX_DIGITS);
        let mut decimal_places = Attr::none(cx, DECIMAL_PLACES);
        let mut decimal_span = None;
        // Which of the two keys were written, valid or not (an invalid one has its own error).
        let mut decimal_written = (false, false);
        let mut default = Attr::none(cx, DEFAULT);
        let mut column = Attr::none(cx, COLUMN);
        let mut foreign_key = BoolAttr::none(cx, FOREIGN_KEY);
        let mut one_to_one = BoolAttr::none(cx, ONE_TO_ONE);
        let mut on_delete = Attr::none(cx, ON_DELETE);
        let mut related_name = Attr::none(cx, RELATED_NAME);
        let mut many_to_many = Attr::none(cx, MANY_TO_MANY);
        let mut link_columns = None;
        let mut through_fields = None;
        let mut reverse_of = Attr::none(cx, REVERSE_OF);
        let mut validators = validators::Parser::new(cx);
        let mut max_length_span = None;

        for meta in kata_metas(cx, attrs) {
            let path = meta.path();
            if path == FOREIGN_KEY {
                foreign_key.set_true(&meta);
            } else if path == ONE_TO_ONE {
                one_to_one.set_true(&meta);
            } else if path == ON_DELETE {
                on_delete.set(path, parse_on_delete(cx, &meta));
            } else if path == RELATED_NAME {
                related_name.set(path, parse_related_name(cx, &meta));
            } else if path == MANY_TO_MANY {
                let parsed = parse_many_to_many(cx, &meta);
                let through = parsed.map(|p| {
                    link_columns = p.columns;
                    through_fields = p.through_fields;
                    p.through
                });
                many_to_many.set(path, through.map(|value| WithSpan { value, span: path.span() }));
            } else if path == REVERSE_OF {
                reverse_of.set(path, parse_reverse_of(cx, &meta));
            } else if path == PRIMARY_KEY {
                primary_key.set_true(&meta);
            } else if path == AUTO {
                auto.set_true(&meta);
            } else if path == UNIQUE {
                unique.set_true(&meta);
            } else if path == INDEX {
                index.set_true(&meta);
            } else if path == EMAIL {
                email.set_true(&meta);
            } else if path == BLANK {
                blank.set_true(&meta);
            } else if path == MAX_LENGTH {
                max_length_span = Some(path.span());
                let n =
                    name_value(cx, &meta, "max_length = 150").and_then(|value| parse_max_length(cx, value));
                max_length.set(path, n);
            } else if path == MAX_DIGITS {
                decimal_span = Some(path.span());
                decimal_written.0 = true;
                let n =
                    name_value(cx, &meta, "max_digits = 10").and_then(|v| parse_digits(cx, v, MAX_DIGITS));
                max_digits.set(path, n);
            } else if path == DECIMAL_PLACES {
                decimal_span = Some(path.span());
                decimal_written.1 = true;
                let n = name_value(cx, &meta, "decimal_places = 2")
                    .and_then(|v| parse_digits(cx, v, DECIMAL_PLACES));
                decimal_places.set(path, n);
            } else if path == DEFAULT {
                let value = name_value(cx, &meta, "default = \"\"").and_then(|value| {
                    let span = value.span();
                    parse_default(cx, value).map(|value| WithSpan { value, span })
                });
                default.set(path, value);
            } else if path == COLUMN {
                let example = "column = \"name\"";
                let name = name_value(cx, &meta, example)
                    .and_then(|value| non_empty_str(cx, COLUMN, value, example));
                column.set(path, name);
            } else if !validators.parse(&meta) {
                unknown_key(cx, KATA, &meta, FIELD_KEYS);
            }
        }

        let max_length = max_length.get();
        let validators = validators.finish(max_length, max_length_span);
        let decimal = match (max_digits.get(), decimal_places.get()) {
            (Some(p), Some(s)) if s > p => {
                if let Some(span) = decimal_span {
                    cx.error_spanned_by(
                        quote::quote_spanned!(span=> decimal_places),
                        "`decimal_places` must not exceed `max_digits`",
                    );
                }
                None
            }
            (Some(p), Some(s)) => Some((p, s)),
            (None, None) => None,
            _ if decimal_written == (true, true) => None,
            _ => {
                if let Some(span) = decimal_span {
                    cx.error_spanned_by(
                        quote::quote_spanned!(span=> max_digits),
                        "a decimal field needs both `max_digits` and `decimal_places`",
                    );
                }
                None
            }
        };
        Field {
            decimal,
            primary_key: primary_key.get(),
            auto: auto.get(),
            unique: unique.get().is_some(),
            index: index.get().is_some(),
            email: email.get().is_some(),
            blank: blank.get(),
            max_length,
            default: default.get(),
            column: column.get(),
            foreign_key: foreign_key.get(),
            one_to_one: one_to_one.get(),
            on_delete: on_delete.get(),
            related_name: related_name.get(),
            many_to_many: many_to_many.get(),
            link_columns,
            through_fields,
            reverse_of: reverse_of.get(),
            validators,
        }
    }
}

/// `on_delete = "cascade" | "restrict" | "protect" | "set_null" | "do_nothing"`.
fn parse_on_delete(cx: &Ctxt, meta: &Meta) -> Option<WithSpan<OnDelete>> {
    let example = "on_delete = \"cascade\"";
    let value = name_value(cx, meta, example)?;
    let text = non_empty_str(cx, ON_DELETE, value, example)?;
    let rule = match text.value.as_str() {
        "cascade" => OnDelete::Cascade,
        "restrict" => OnDelete::Restrict,
        "protect" => OnDelete::Protect,
        "set_null" => OnDelete::SetNull,
        "do_nothing" => OnDelete::DoNothing,
        other => {
            cx.error_at(
                text.span,
                format!(
                    "unknown on_delete `{other}`; expected one of: cascade, restrict, protect, set_null, do_nothing"
                ),
            );
            return None;
        }
    };
    Some(WithSpan { value: rule, span: text.span })
}

/// `related_name = "posts"`: it names a method, so it must be an identifier.
fn parse_related_name(cx: &Ctxt, meta: &Meta) -> Option<WithSpan<String>> {
    let example = "related_name = \"posts\"";
    let name = non_empty_str(cx, RELATED_NAME, name_value(cx, meta, example)?, example)?;
    if syn::parse_str::<Ident>(&name.value).is_err() {
        cx.error_at(name.span, "related_name must be a Rust identifier");
    }
    Some(name)
}

/// `many_to_many` or `many_to_many(through = "table" | Model)`: `Some(None)` for a link
/// table kata names itself.
fn parse_many_to_many(cx: &Ctxt, meta: &Meta) -> Option<ManyToManyArgs> {
    let list = match meta {
        Meta::Path(_) => return Some(ManyToManyArgs { through: None, columns: None, through_fields: None }),
        Meta::List(list) => list,
        Meta::NameValue(_) => {
            cx.error_spanned_by(meta, "expected `many_to_many` or `many_to_many(through = ...)`");
            return None;
        }
    };
    let inner = match list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
        Ok(inner) => inner,
        Err(err) => {
            cx.syn_error(err);
            return None;
        }
    };
    let mut through = Attr::none(cx, THROUGH);
    let mut columns = Attr::none(cx, COLUMNS);
    let mut through_fields = Attr::none(cx, THROUGH_FIELDS);
    for m in inner {
        if m.path() == THROUGH {
            let value =
                name_value(cx, &m, "through = \"table\" or through = Model").and_then(|value| match value {
                    Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) if !s.value().is_empty() => {
                        Some(Through::Table(s.value()))
                    }
                    Expr::Path(p) => Some(Through::Model(p.path.clone())),
                    other => {
                        cx.error_spanned_by(
                            other,
                            "expected `through = \"table_name\"` or `through = Model`",
                        );
                        None
                    }
                });
            through.set(m.path(), value);
        } else if m.path() == COLUMNS {
            let value = pair(cx, &m, "columns(\"user_id\", \"group_id\")", |e| match e {
                Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) if !s.value().is_empty() => Some(s.value()),
                _ => None,
            });
            columns.set(m.path(), value.map(|value| WithSpan { value, span: m.path().span() }));
        } else if m.path() == THROUGH_FIELDS {
            let value = pair(cx, &m, "through_fields(person, group)", |e| match e {
                Expr::Path(p) => p.path.get_ident().cloned(),
                _ => None,
            });
            through_fields.set(m.path(), value.map(|value| WithSpan { value, span: m.path().span() }));
        } else {
            unknown_key(cx, KATA, &m, &[THROUGH, COLUMNS, THROUGH_FIELDS]);
        }
    }
    Some(ManyToManyArgs {
        through: through.get(),
        columns: columns.get(),
        through_fields: through_fields.get(),
    })
}

/// What `many_to_many(..)` holds.
struct ManyToManyArgs {
    through: Option<Through>,
    columns: Option<WithSpan<(String, String)>>,
    through_fields: Option<WithSpan<(Ident, Ident)>>,
}

/// `key(a, b)`: exactly two items, each read by `item`.
fn pair<T>(cx: &Ctxt, meta: &Meta, example: &str, item: impl Fn(&Expr) -> Option<T>) -> Option<(T, T)> {
    let expected = || format!("expected `{example}`");
    let Meta::List(list) = meta else {
        cx.error_spanned_by(meta, expected());
        return None;
    };
    let items = match list.parse_args_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
        Ok(items) => items,
        Err(err) => {
            cx.syn_error(err);
            return None;
        }
    };
    let parsed: Vec<T> = items.iter().filter_map(|e| item(ungroup(e))).collect();
    if items.len() != 2 || parsed.len() != 2 {
        cx.error_spanned_by(meta, expected());
        return None;
    }
    let mut parsed = parsed.into_iter();
    Some((parsed.next()?, parsed.next()?))
}

/// `reverse_of = Post::author`: the foreign key a `HasMany` field reverses.
fn parse_reverse_of(cx: &Ctxt, meta: &Meta) -> Option<syn::ExprPath> {
    match name_value(cx, meta, "reverse_of = Post::author")? {
        Expr::Path(p) if p.path.segments.len() >= 2 => Some(p.clone()),
        other => {
            cx.error_spanned_by(
                other,
                "expected the foreign key this field reverses: `reverse_of = Post::author`",
            );
            None
        }
    }
}

/// `max_digits = 1..=28` or `decimal_places = 0..=28` (what rust_decimal holds exactly).
fn parse_digits(cx: &Ctxt, value: &Expr, key: Symbol) -> Option<u8> {
    let Expr::Lit(ExprLit { lit: Lit::Int(lit), .. }) = value else {
        cx.error_spanned_by(value, format!("expected an integer literal for `{key}`"));
        return None;
    };
    match lit.base10_parse::<u8>() {
        Ok(n) if n <= 28 && (n >= 1 || key == DECIMAL_PLACES) => Some(n),
        _ => {
            let least = if key == DECIMAL_PLACES { 0 } else { 1 };
            cx.error_spanned_by(lit, format!("`{key}` must be between {least} and 28"));
            None
        }
    }
}

fn parse_max_length(cx: &Ctxt, value: &Expr) -> Option<u32> {
    let Expr::Lit(ExprLit { lit: Lit::Int(lit), .. }) = value else {
        cx.error_spanned_by(value, "expected an integer literal for `max_length`, e.g. `max_length = 150`");
        return None;
    };
    match lit.base10_parse::<u32>() {
        Ok(0) => {
            cx.error_spanned_by(lit, "`max_length` must be at least 1");
            None
        }
        Ok(n) => Some(n),
        Err(_) => {
            cx.error_spanned_by(lit, format!("`max_length` must be at most {}", u32::MAX));
            None
        }
    }
}

/// `default = "text" | true | 3 | -3 | 1.5 | -1.5 | now`.
fn parse_default(cx: &Ctxt, value: &Expr) -> Option<DefaultValue> {
    let (negative, lit) = match value {
        Expr::Lit(ExprLit { lit, .. }) => (false, lit),
        Expr::Unary(ExprUnary { op: UnOp::Neg(_), expr, .. }) => match ungroup(expr) {
            Expr::Lit(ExprLit { lit: lit @ (Lit::Int(_) | Lit::Float(_)), .. }) => (true, lit),
            _ => return bad_default(cx, value),
        },
        Expr::Path(path) if path.qself.is_none() && path.path == NOW => {
            return Some(DefaultValue::Now);
        }
        Expr::Path(path) if path.qself.is_none() && path.path == UUID4 => {
            return Some(DefaultValue::Uuid4);
        }
        _ => return bad_default(cx, value),
    };
    match lit {
        Lit::Str(s) => Some(DefaultValue::Str(s.value())),
        Lit::Bool(b) => Some(DefaultValue::Bool(b.value)),
        Lit::Int(int) => {
            let parsed = int.base10_parse::<i128>().ok().map(|n| if negative { -n } else { n });
            match parsed.and_then(|n| i64::try_from(n).ok()) {
                Some(n) => Some(DefaultValue::Int(n)),
                None => {
                    cx.error_spanned_by(value, "integer `default` does not fit in i64");
                    None
                }
            }
        }
        Lit::Float(float) => match float.base10_parse::<f64>() {
            Ok(f) if f.is_finite() => Some(DefaultValue::Float(if negative { -f } else { f })),
            _ => {
                cx.error_spanned_by(value, "float `default` must be a finite f64");
                None
            }
        },
        _ => bad_default(cx, value),
    }
}

fn bad_default(cx: &Ctxt, value: &Expr) -> Option<DefaultValue> {
    cx.error_spanned_by(
        value,
        "expected a string, bool, integer or float literal, `now` or `uuid4`, for `default`",
    );
    None
}

fn parse_unique_together(cx: &Ctxt, meta: &Meta) -> Option<UniqueTogether> {
    let Meta::List(list) = meta else {
        cx.error_spanned_by(
            meta,
            "`unique_together` takes a list of field names: `unique_together(field_a, field_b)`",
        );
        return None;
    };
    let names = match list.parse_args_with(Punctuated::<Ident, Token![,]>::parse_terminated) {
        Ok(names) => names,
        Err(err) => {
            cx.syn_error(err);
            return None;
        }
    };
    if names.is_empty() {
        cx.error_spanned_by(list, "`unique_together` needs at least one field name");
        return None;
    }
    Some(UniqueTogether { fields: names.into_iter().collect() })
}
