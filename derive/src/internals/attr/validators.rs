//! A field's validators, Django's `validators=[..]`: `min_value = ..`, `max_value = ..`,
//! `min_length = n`, `url`, `slug` (or `slug(allow_unicode)`), `regex = ".."` (or
//! `regex(pattern = "..", message = "..", code = "..", inverse_match)`) and
//! `validators(path::to::fn, ..)`.
//! A `regex` that does not parse is reported here, at its string.

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, Lit, Meta, Path, Token, UnOp};

use super::{Attr, BoolAttr, name_value, string, ungroup};
use crate::internals::Ctxt;
use crate::internals::symbol::*;

/// An exact bound, `mantissa × 10^-scale`, as kata's `Limit` holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limit {
    pub(crate) mantissa: i128,
    pub(crate) scale: u32,
}

impl Limit {
    /// Compares two bounds exactly.
    fn less_than(self, other: Limit) -> bool {
        let scale = self.scale.max(other.scale);
        let widen = |l: Limit| l.mantissa.checked_mul(10i128.checked_pow(scale - l.scale)?);
        match (widen(self), widen(other)) {
            (Some(a), Some(b)) => a < b,
            _ => false,
        }
    }
}

/// Django's `RegexValidator(regex, message, code, inverse_match)`.
#[derive(Debug, Default, Clone)]
pub(crate) struct Regex {
    pub(crate) pattern: String,
    pub(crate) message: Option<String>,
    pub(crate) code: Option<String>,
    pub(crate) inverse_match: bool,
}

/// The validators written on one field.
#[derive(Debug, Default)]
pub(crate) struct Validators {
    /// `min_value = ..`.
    pub(crate) min_value: Option<Limit>,
    /// `max_value = ..`.
    pub(crate) max_value: Option<Limit>,
    /// `min_length = n`.
    pub(crate) min_length: Option<u32>,
    /// `url`.
    pub(crate) url: bool,
    /// `slug`.
    pub(crate) slug: bool,
    /// `slug(allow_unicode)`: Unicode letters and digits too.
    pub(crate) unicode_slug: bool,
    /// `regex = ".."` or its long form, the pattern checked.
    pub(crate) regex: Option<Regex>,
    /// `validators(..)`, in the order written.
    pub(crate) custom: Vec<Path>,
    /// Where `min_value`/`max_value` were written (the type check points there).
    pub(crate) number_span: Option<Span>,
    /// Where the first text rule was written.
    pub(crate) text_span: Option<Span>,
}

impl Validators {
    /// Whether any validator is written.
    pub(crate) fn any(&self) -> bool {
        self.any_declared() || !self.custom.is_empty()
    }

    /// Whether a rule with a JSON Schema keyword is written.
    pub(crate) fn any_declared(&self) -> bool {
        self.min_value.is_some()
            || self.max_value.is_some()
            || self.min_length.is_some()
            || self.url
            || self.slug
            || self.unicode_slug
            || self.regex.is_some()
    }
}

/// Reads the validator keys of one field's `#[kata(..)]`.
pub(super) struct Parser<'c> {
    cx: &'c Ctxt,
    min_value: Attr<'c, Limit>,
    max_value: Attr<'c, Limit>,
    min_length: Attr<'c, u32>,
    url: BoolAttr<'c>,
    slug: Attr<'c, bool>,
    regex: Attr<'c, Regex>,
    custom: Attr<'c, Vec<Path>>,
    number_span: Option<Span>,
    text_span: Option<Span>,
}

impl<'c> Parser<'c> {
    pub(super) fn new(cx: &'c Ctxt) -> Self {
        Parser {
            cx,
            min_value: Attr::none(cx, MIN_VALUE),
            max_value: Attr::none(cx, MAX_VALUE),
            min_length: Attr::none(cx, MIN_LENGTH),
            url: BoolAttr::none(cx, URL),
            slug: Attr::none(cx, SLUG),
            regex: Attr::none(cx, REGEX),
            custom: Attr::none(cx, VALIDATORS),
            number_span: None,
            text_span: None,
        }
    }

    /// Reads `meta` if it is a validator key; false otherwise.
    pub(super) fn parse(&mut self, meta: &Meta) -> bool {
        let cx = self.cx;
        let path = meta.path();
        if path == MIN_VALUE || path == MAX_VALUE {
            self.number_span.get_or_insert(path.span());
            let key = if path == MIN_VALUE { MIN_VALUE } else { MAX_VALUE };
            let limit = name_value(cx, meta, "min_value = 0").and_then(|v| parse_limit(cx, v, key));
            if key == MIN_VALUE {
                self.min_value.set(path, limit)
            } else {
                self.max_value.set(path, limit)
            }
            return true;
        }
        if path == MIN_LENGTH {
            self.text_span.get_or_insert(path.span());
            let n = name_value(cx, meta, "min_length = 3").and_then(|v| parse_min_length(cx, v));
            self.min_length.set(path, n);
        } else if path == URL {
            self.text_span.get_or_insert(path.span());
            self.url.set_true(meta);
        } else if path == SLUG {
            self.text_span.get_or_insert(path.span());
            self.slug.set(path, parse_slug(cx, meta));
        } else if path == REGEX {
            self.text_span.get_or_insert(path.span());
            self.regex.set(path, parse_regex_attr(cx, meta));
        } else if path == VALIDATORS {
            self.custom.set(path, parse_custom(cx, meta));
        } else {
            return false;
        }
        true
    }

    /// The validators, with `min_value <= max_value` checked.
    pub(super) fn finish(self, max_length: Option<u32>, max_length_span: Option<Span>) -> Validators {
        let cx = self.cx;
        let min_value = self.min_value.get();
        let max_value = self.max_value.get();
        if let (Some(min), Some(max)) = (min_value, max_value)
            && max.less_than(min)
            && let Some(span) = self.number_span
        {
            cx.error_at(span, "`min_value` is greater than `max_value`: no value could pass");
        }
        let min_length = self.min_length.get();
        if let (Some(min), Some(max)) = (min_length, max_length)
            && min > max
        {
            cx.error_at(
                max_length_span.or(self.text_span).unwrap_or_else(Span::call_site),
                format!("`min_length = {min}` is greater than `max_length = {max}`: no value could pass"),
            );
        }
        let slug = self.slug.get();
        Validators {
            min_value,
            max_value,
            min_length,
            url: self.url.get().is_some(),
            slug: slug == Some(false),
            unicode_slug: slug == Some(true),
            regex: self.regex.get(),
            custom: self.custom.get().unwrap_or_default(),
            number_span: self.number_span,
            text_span: self.text_span,
        }
    }
}

/// `min_value = 0 | -1 | 0.5 | "0.01"`: an integer, a float without exponent, or a decimal
/// in a string (for decimals past f64's precision).
fn parse_limit(cx: &Ctxt, value: &Expr, key: Symbol) -> Option<Limit> {
    let expected = || {
        format!(
            "expected a number for `{key}`: an integer, a float or a decimal string, e.g. `{key} = \"0.01\"`"
        )
    };
    let (negative, lit) = match value {
        Expr::Lit(ExprLit { lit, .. }) => (false, lit),
        Expr::Unary(ExprUnary { op: UnOp::Neg(_), expr, .. }) => match ungroup(expr) {
            Expr::Lit(ExprLit { lit, .. }) if !matches!(lit, Lit::Str(_)) => (true, lit),
            _ => {
                cx.error_spanned_by(value, expected());
                return None;
            }
        },
        _ => {
            cx.error_spanned_by(value, expected());
            return None;
        }
    };
    let text = match lit {
        Lit::Int(int) => int.base10_digits().to_owned(),
        Lit::Float(float) => float.base10_digits().to_owned(),
        Lit::Str(s) => s.value(),
        _ => {
            cx.error_spanned_by(value, expected());
            return None;
        }
    };
    match decimal(&text) {
        Some(limit) => Some(if negative { Limit { mantissa: -limit.mantissa, ..limit } } else { limit }),
        None => {
            cx.error_spanned_by(
                value,
                format!("`{key}` must be a number written with digits and at most 28 decimal places, without an exponent"),
            );
            None
        }
    }
}

/// `[-]digits[.digits]` as an exact bound.
fn decimal(text: &str) -> Option<Limit> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty() || !whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let fraction = fraction.trim_end_matches('0');
    let scale = u32::try_from(fraction.len()).ok().filter(|s| *s <= 28)?;
    let mantissa: i128 = format!("{whole}{fraction}").parse().ok()?;
    Some(Limit { mantissa: if negative { -mantissa } else { mantissa }, scale })
}

fn parse_min_length(cx: &Ctxt, value: &Expr) -> Option<u32> {
    let Expr::Lit(ExprLit { lit: Lit::Int(lit), .. }) = value else {
        cx.error_spanned_by(value, "expected an integer literal for `min_length`, e.g. `min_length = 3`");
        return None;
    };
    match lit.base10_parse::<u32>() {
        Ok(n) if n >= 1 => Some(n),
        _ => {
            cx.error_spanned_by(lit, format!("`min_length` must be between 1 and {}", u32::MAX));
            None
        }
    }
}

/// `regex = ".."`: the pattern must parse as the regex crate reads it.
fn parse_regex(cx: &Ctxt, key: Symbol, value: &Expr) -> Option<String> {
    let lit = string(cx, key, value, "regex = \"^[a-z]+$\"")?;
    let pattern = lit.value();
    match regex_syntax::Parser::new().parse(&pattern) {
        Ok(_) => Some(pattern),
        Err(err) => {
            cx.error_spanned_by(lit, format!("invalid `regex` pattern:\n{err}"));
            None
        }
    }
}

/// `slug` (false) or `slug(allow_unicode)` (true).
fn parse_slug(cx: &Ctxt, meta: &Meta) -> Option<bool> {
    match meta {
        Meta::Path(_) => Some(false),
        Meta::List(list) => match list.parse_args::<Path>() {
            Ok(path) if path == ALLOW_UNICODE => Some(true),
            _ => {
                cx.error_spanned_by(meta, "expected `slug` or `slug(allow_unicode)`");
                None
            }
        },
        Meta::NameValue(_) => {
            cx.error_spanned_by(meta, "expected `slug` or `slug(allow_unicode)`");
            None
        }
    }
}

/// `regex = ".."`, or Django's whole `RegexValidator`:
/// `regex(pattern = "..", message = "..", code = "..", inverse_match)`.
fn parse_regex_attr(cx: &Ctxt, meta: &Meta) -> Option<Regex> {
    let list = match meta {
        Meta::NameValue(nv) => {
            return parse_regex(cx, REGEX, &nv.value).map(|pattern| Regex { pattern, ..Regex::default() });
        }
        Meta::List(list) => list,
        Meta::Path(_) => {
            cx.error_spanned_by(meta, "expected `regex = \"..\"` or `regex(pattern = \"..\", message = \"..\", code = \"..\", inverse_match)`");
            return None;
        }
    };
    let items = match list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
        Ok(items) => items,
        Err(err) => {
            cx.syn_error(err);
            return None;
        }
    };
    let mut pattern = Attr::none_in(cx, REGEX, PATTERN);
    let mut message = Attr::none_in(cx, REGEX, MESSAGE);
    let mut code = Attr::none_in(cx, REGEX, CODE);
    let mut inverse = BoolAttr::none_in(cx, REGEX, INVERSE_MATCH);
    for item in &items {
        let path = item.path();
        if path == PATTERN {
            pattern.set(
                path,
                name_value(cx, item, "pattern = \"^[a-z]+$\"").and_then(|v| parse_regex(cx, PATTERN, v)),
            );
        } else if path == MESSAGE {
            let text = name_value(cx, item, "message = \"..\"")
                .and_then(|v| string(cx, MESSAGE, v, "message = \"..\""));
            message.set(path, text.map(|lit| lit.value()));
        } else if path == CODE {
            let text = name_value(cx, item, "code = \"invalid\"")
                .and_then(|v| string(cx, CODE, v, "code = \"invalid\""));
            code.set(path, text.map(|lit| lit.value()));
        } else if path == INVERSE_MATCH {
            inverse.set_true(item);
        } else {
            cx.error_spanned_by(
                path,
                "unknown `regex` key: expected `pattern`, `message`, `code` or `inverse_match`",
            );
        }
    }
    if !pattern.written() {
        cx.error_spanned_by(meta, "`regex(..)` needs `pattern = \"..\"`");
    }
    Some(Regex {
        pattern: pattern.get()?,
        message: message.get(),
        code: code.get(),
        inverse_match: inverse.get().is_some(),
    })
}

/// `validators(path::to::fn, other)`: at least one function path.
fn parse_custom(cx: &Ctxt, meta: &Meta) -> Option<Vec<Path>> {
    let example = "expected `validators(path::to::function, ..)`";
    let Meta::List(list) = meta else {
        cx.error_spanned_by(meta, example);
        return None;
    };
    match list.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated) {
        Ok(paths) if !paths.is_empty() => Some(paths.into_iter().collect()),
        Ok(_) => {
            cx.error_spanned_by(meta, example);
            None
        }
        Err(err) => {
            cx.syn_error(err);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_exactly() {
        assert_eq!(decimal("0.01"), Some(Limit { mantissa: 1, scale: 2 }));
        assert_eq!(decimal("-1.50"), Some(Limit { mantissa: -15, scale: 1 }));
        assert_eq!(decimal("7"), Some(Limit { mantissa: 7, scale: 0 }));
        assert_eq!(decimal("1e3"), None);
        assert_eq!(decimal(".5"), None);
        assert!(Limit { mantissa: 1, scale: 2 }.less_than(Limit { mantissa: 1, scale: 0 }));
        assert!(!Limit { mantissa: 5, scale: 0 }.less_than(Limit { mantissa: 5, scale: 0 }));
    }
}
