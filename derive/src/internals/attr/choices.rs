//! The `#[kata(...)]` attributes of `#[derive(Choices)]`: `rename_all` on the enum, `value`
//! on a variant.

use syn::{Attribute, Expr, ExprLit, Lit};

use super::{Attr, WithSpan, kata_metas, name_value, parse_rename_rule, unknown_key};
use crate::internals::Ctxt;
use crate::internals::case::RenameRule;
use crate::internals::symbol::{CHOICES_KEYS, KATA, RENAME_ALL, VALUE, VARIANT_KEYS};

/// The container attributes of `#[derive(Choices)]`: `#[kata(rename_all = "...")]` on the
/// enum.
#[derive(Debug)]
pub(crate) struct Choices {
    /// `rename_all = "snake_case"`, spanned at the string.
    pub(crate) rename_all: Option<WithSpan<RenameRule>>,
}

impl Choices {
    /// Parses the `#[kata(...)]` attributes of the enum.
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut rename_all = Attr::none(cx, RENAME_ALL);
        for meta in kata_metas(cx, attrs) {
            let path = meta.path();
            if path == RENAME_ALL {
                let rule = name_value(cx, &meta, "rename_all = \"snake_case\"")
                    .and_then(|value| parse_rename_rule(cx, value));
                rename_all.set(path, rule);
            } else {
                unknown_key(cx, KATA, &meta, CHOICES_KEYS);
            }
        }
        Choices { rename_all: rename_all.get() }
    }
}

/// The attributes of one `#[derive(Choices)]` variant: `#[kata(value = "...")]`.
#[derive(Debug)]
pub(crate) struct Variant {
    /// `value = "text"`, spanned at the string. May be empty: `""` is a valid choice.
    pub(crate) value: Option<WithSpan<String>>,
}

impl Variant {
    /// Parses the `#[kata(...)]` attributes of one variant.
    pub(crate) fn from_ast(cx: &Ctxt, attrs: &[Attribute]) -> Self {
        let mut value = Attr::none(cx, VALUE);
        for meta in kata_metas(cx, attrs) {
            let path = meta.path();
            if path == VALUE {
                let text = name_value(cx, &meta, "value = \"text\"").and_then(|expr| {
                    let Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) = expr else {
                        cx.error_spanned_by(
                            expr,
                            "expected a string literal for `value`, e.g. `value = \"text\"`",
                        );
                        return None;
                    };
                    Some(WithSpan { value: lit.value(), span: lit.span() })
                });
                value.set(path, text);
            } else {
                unknown_key(cx, KATA, &meta, VARIANT_KEYS);
            }
        }
        Variant { value: value.get() }
    }
}
