//! Parses every attribute the derives read into typed values: `#[kata(...)]` on models
//! (`model`) and choices (`choices`), `#[model_schema(...)]` (`schema`).
//!
//! Nothing here returns early: each bad key or value is recorded in the [`Ctxt`] at the
//! user's token, and parsing goes on with the next key, so one compile shows every mistake.
//! The building blocks below are shared by every parser: [`Attr`] is the one place a key
//! written twice is reported.

mod choices;
mod model;
mod schema;
mod validators;

use proc_macro2::Span;
use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Lit, LitStr, Meta, Token};

pub(crate) use choices::{Choices, Variant};
pub(crate) use model::{Container, DefaultValue, Field, OnDelete, Through, UniqueTogether};
pub(crate) use schema::{FieldList, SchemaSpec};
pub(crate) use validators::Limit;

use crate::internals::Ctxt;
use crate::internals::case::RenameRule;
use crate::internals::symbol::{self, KATA, Symbol};

/// A parsed value and where the user wrote it.
#[derive(Debug, Clone)]
pub(crate) struct WithSpan<T> {
    /// The value.
    pub(crate) value: T,
    /// The span of the tokens that gave it.
    pub(crate) span: Span,
}

/// A key that may be written at most once; the one place "duplicate attribute" is reported.
pub(crate) struct Attr<'c, T> {
    cx: &'c Ctxt,
    /// The attribute the key belongs to (`kata`, `model_schema`), for the message.
    attribute: Symbol,
    name: Symbol,
    seen: bool,
    value: Option<T>,
}

impl<'c, T> Attr<'c, T> {
    /// A `#[kata(...)]` key not seen yet.
    pub(crate) fn none(cx: &'c Ctxt, name: Symbol) -> Self {
        Attr::none_in(cx, KATA, name)
    }

    /// A key of `#[attribute(...)]` not seen yet.
    pub(crate) fn none_in(cx: &'c Ctxt, attribute: Symbol, name: Symbol) -> Self {
        Attr { cx, attribute, name, seen: false, value: None }
    }

    /// Records the key written at `obj` with its value (`None` when the value was invalid and
    /// has been reported). A second occurrence is reported at `obj`, valid or not.
    pub(crate) fn set<A: ToTokens>(&mut self, obj: A, value: Option<T>) {
        if self.seen {
            self.cx.error_spanned_by(obj, format!("duplicate {} attribute `{}`", self.attribute, self.name));
        } else {
            self.seen = true;
            self.value = value;
        }
    }

    /// The value, if the key was written with a valid one.
    pub(crate) fn get(self) -> Option<T> {
        self.value
    }

    /// Whether the key was written at all, valid or not (an invalid value is already
    /// reported, so a rule that needs the key must not report it missing).
    pub(crate) fn written(&self) -> bool {
        self.seen
    }
}

/// A flag such as `primary_key`: present or not, remembering where it was written.
pub(crate) struct BoolAttr<'c>(Attr<'c, Span>);

impl<'c> BoolAttr<'c> {
    /// A `#[kata(...)]` flag not seen yet.
    pub(crate) fn none(cx: &'c Ctxt, name: Symbol) -> Self {
        BoolAttr(Attr::none(cx, name))
    }

    /// A flag of `#[attribute(...)]` not seen yet.
    pub(crate) fn none_in(cx: &'c Ctxt, attribute: Symbol, name: Symbol) -> Self {
        BoolAttr(Attr::none_in(cx, attribute, name))
    }

    /// Records the flag written as `meta`, reporting a value given to it.
    pub(crate) fn set_true(&mut self, meta: &Meta) {
        check_flag(self.0.cx, meta, self.0.name);
        let path = meta.path();
        self.0.set(path, Some(path.span()));
    }

    /// Where the flag was written, if it was.
    pub(crate) fn get(self) -> Option<Span> {
        self.0.get()
    }
}

/// The comma-separated items of every `#[kata(...)]` among `attrs`, in order. A malformed
/// attribute is reported and skipped; the others are still read.
fn kata_metas(cx: &Ctxt, attrs: &[Attribute]) -> Vec<Meta> {
    let mut metas = Vec::new();
    for attr in attrs {
        if attr.path() != KATA {
            continue;
        }
        match attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
            Ok(items) => metas.extend(items),
            Err(err) => cx.syn_error(err),
        }
    }
    metas
}

/// Reports a key that `#[attribute(...)]` does not know, listing the ones it does.
fn unknown_key(cx: &Ctxt, attribute: Symbol, meta: &Meta, expected: &[Symbol]) {
    let path = meta.path();
    let name = path.to_token_stream().to_string().replace(' ', "");
    cx.error_spanned_by(
        path,
        format!("unknown {attribute} attribute `{name}`; expected one of: {}", symbol::list(expected)),
    );
}

/// Reports a flag written with a value (`primary_key = true`, `primary_key(..)`). The flag
/// still counts as set, since the intent is clear, so no "no primary key" error follows.
fn check_flag(cx: &Ctxt, meta: &Meta, name: Symbol) {
    match meta {
        Meta::Path(_) => {}
        Meta::List(_) | Meta::NameValue(_) => {
            cx.error_spanned_by(meta, format!("`{name}` takes no value: write `{name}`"));
        }
    }
}

/// The value of `key = value`; reports a bare `key` or `key(..)`, showing `example`.
fn name_value<'m>(cx: &Ctxt, meta: &'m Meta, example: &str) -> Option<&'m Expr> {
    match meta {
        Meta::NameValue(nv) => Some(ungroup(&nv.value)),
        Meta::Path(_) | Meta::List(_) => {
            let name = meta.path().to_token_stream();
            cx.error_spanned_by(meta, format!("`{name}` needs a value: `{example}`"));
            None
        }
    }
}

/// Looks through the invisible groups that `macro_rules!` puts around a `$value:expr`.
fn ungroup(mut expr: &Expr) -> &Expr {
    while let Expr::Group(group) = expr {
        expr = &group.expr;
    }
    expr
}

/// A string literal for `name`; reports anything else, showing `example`.
fn string<'e>(cx: &Ctxt, name: Symbol, value: &'e Expr, example: &str) -> Option<&'e LitStr> {
    let Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) = value else {
        cx.error_spanned_by(value, format!("expected a string literal for `{name}`, e.g. `{example}`"));
        return None;
    };
    Some(lit)
}

/// A non-empty string literal for `name`.
fn non_empty_str(cx: &Ctxt, name: Symbol, value: &Expr, example: &str) -> Option<WithSpan<String>> {
    let lit = string(cx, name, value, example)?;
    let text = lit.value();
    if text.is_empty() {
        cx.error_spanned_by(lit, format!("`{name}` cannot be empty"));
        return None;
    }
    Some(WithSpan { value: text, span: lit.span() })
}

/// `rename_all = "snake_case"`: one of serde's rules.
fn parse_rename_rule(cx: &Ctxt, value: &Expr) -> Option<WithSpan<RenameRule>> {
    let lit = string(cx, symbol::RENAME_ALL, value, "rename_all = \"snake_case\"")?;
    match RenameRule::from_name(&lit.value()) {
        Some(rule) => Some(WithSpan { value: rule, span: lit.span() }),
        None => {
            cx.error_spanned_by(
                lit,
                format!(
                    "unknown `rename_all` rule {:?}; expected one of: {}",
                    lit.value(),
                    RenameRule::names()
                ),
            );
            None
        }
    }
}
