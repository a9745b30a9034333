//! Django's field validators, declared on a model field with `#[kata(..)]`: `min_value` and
//! `max_value` (`MinValueValidator`, `MaxValueValidator`), `min_length`
//! (`MinLengthValidator`), `url` (`URLValidator`), `slug` (`validate_slug`), `regex`
//! (`RegexValidator`) and `validators(path::to::fn, ..)` (a field's `validators=[..]`).
//! `validate()` runs them before every write, with every violation reported; ModelSchema
//! states them in its JSON Schema.

use std::cmp::Ordering;
use std::fmt;

use crate::error::{ValidationError, ValidationErrors};
use crate::value::{FieldType, Value};

/// A bound of `min_value` or `max_value`: the exact number `mantissa × 10^-scale`, so that
/// `min_value = "0.01"` on a decimal compares without float rounding.
///
/// ```
/// # use kata::prelude::*;
/// #[derive(Model)]
/// struct Item { #[kata(primary_key)] id: i64, #[kata(min_value = 1, max_value = 9.5)] n: f64 }
/// let rules = Item::n.column().validators;
/// assert_eq!(rules.min_value.unwrap().to_string(), "1");
/// assert_eq!(rules.max_value.unwrap().as_f64(), 9.5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limit {
    mantissa: i128,
    scale: u32,
}

impl Limit {
    /// Used by `#[derive(Model)]`: the bound `mantissa × 10^-scale` (`scale` at most 28).
    #[doc(hidden)]
    pub const fn __new(mantissa: i128, scale: u32) -> Limit {
        assert!(scale <= 28, "a `min_value`/`max_value` has at most 28 decimal places");
        Limit { mantissa, scale }
    }

    /// The bound as a float (what a float field compares with).
    #[allow(clippy::cast_precision_loss)] // a bound written in source; f64 is what JSON holds
    pub fn as_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }

    /// The bound as an integer, when it is one.
    pub fn as_i64(self) -> Option<i64> {
        if self.scale == 0 { i64::try_from(self.mantissa).ok() } else { None }
    }

    /// How `value` compares with the bound; `None` for NULL and for values that are not
    /// numbers.
    pub(crate) fn compare(self, value: &Value) -> Option<Ordering> {
        let integer = |v: i128| {
            let unit = 10i128.pow(self.scale);
            let (whole, rest) = (self.mantissa.div_euclid(unit), self.mantissa.rem_euclid(unit));
            Some(match v.cmp(&whole) {
                Ordering::Equal if rest > 0 => Ordering::Less,
                other => other,
            })
        };
        match value {
            Value::SmallInt(v) => integer(i128::from(*v)),
            Value::Int(v) => integer(i128::from(*v)),
            Value::BigInt(v) => integer(i128::from(*v)),
            Value::UnsignedSmallInt(v) => integer(i128::from(*v)),
            Value::UnsignedInt(v) => integer(i128::from(*v)),
            Value::UnsignedBigInt(v) => integer(i128::from(*v)),
            Value::Float(v) => f64::from(*v).partial_cmp(&self.as_f64()),
            Value::Double(v) => v.partial_cmp(&self.as_f64()),
            #[cfg(feature = "rust_decimal")]
            Value::Decimal(v) => rust_decimal::Decimal::try_from_i128_with_scale(self.mantissa, self.scale)
                .ok()
                .map(|limit| v.cmp(&limit)),
            _ => None,
        }
    }

    /// The bound as JSON: an integer when it is one, a number otherwise.
    pub(crate) fn to_json(self) -> serde_json::Value {
        match self.as_i64() {
            Some(n) => n.into(),
            None => serde_json::Number::from_f64(self.as_f64()).map_or(serde_json::Value::Null, Into::into),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let digits = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

/// Django's `RegexValidator`: `#[kata(regex = "^[A-Z]{3}$")]`, or with all of Django's
/// arguments, `#[kata(regex(pattern = "..", message = "..", code = "..", inverse_match))]`
/// (`inverse_match`: a value that matches fails). The derive checks the pattern at compile
/// time; it is compiled once, the first time a value is checked. Matching searches the text,
/// as Django's `re.search` does: anchor the pattern to match the whole text.
///
/// ```
/// # use kata::prelude::*;
/// #[derive(Model)]
/// struct Flight { #[kata(primary_key)] id: i64, #[kata(regex = "^[A-Z]{2}[0-9]+$")] code: String }
/// let regex = Flight::code.column().validators.regex.unwrap();
/// assert!(regex.is_match("LH400"));
/// assert!(!regex.is_match("lh400"));
/// assert_eq!(Flight { id: 1, code: "x".into() }.validation_errors().iter().next().unwrap().code, "regex");
///
/// #[derive(Model)]
/// struct Page {
///     #[kata(primary_key)] id: i64,
///     #[kata(regex(pattern = "[A-Z]", inverse_match, message = "lower case only", code = "lower"))]
///     path: String,
/// }
/// let errors = Page { id: 1, path: "/Home".into() }.validation_errors();
/// let error = errors.iter().next().unwrap();
/// assert_eq!((error.code, error.message.as_str()), ("lower", "lower case only"));
/// assert!(Page { id: 1, path: "/home".into() }.validation_errors().is_empty());
/// ```
#[derive(Debug)]
pub struct RegexValidator {
    pattern: &'static str,
    message: Option<&'static str>,
    code: &'static str,
    inverse_match: bool,
    #[cfg(feature = "regex")]
    compiled: std::sync::OnceLock<Option<regex::Regex>>,
}

impl RegexValidator {
    /// Used by `#[derive(Model)]`, in a `static`: the pattern is compiled on first use.
    #[doc(hidden)]
    #[cfg(feature = "regex")]
    pub const fn __new(pattern: &'static str) -> RegexValidator {
        RegexValidator {
            pattern,
            message: None,
            code: "regex",
            inverse_match: false,
            compiled: std::sync::OnceLock::new(),
        }
    }

    /// Used by `#[derive(Model)]`: Django's `message`, `code` and `inverse_match`.
    #[doc(hidden)]
    pub const fn __with(
        mut self,
        message: Option<&'static str>,
        code: &'static str,
        inverse_match: bool,
    ) -> Self {
        self.message = message;
        self.code = code;
        self.inverse_match = inverse_match;
        self
    }

    /// Used by `#[derive(Model)]`: without the `regex` feature, a compile error (the
    /// `static` that holds it is evaluated at compile time).
    #[doc(hidden)]
    #[cfg(not(feature = "regex"))]
    pub const fn __new(pattern: &'static str) -> RegexValidator {
        let _ = pattern;
        panic!("`#[kata(regex = ..)]` needs kata's `regex` cargo feature (on with `sqlite`)")
    }

    /// The pattern as written.
    pub fn pattern(&self) -> &'static str {
        self.pattern
    }

    /// The error code of a value that fails (`"regex"` unless the field says `code = ..`).
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Whether a value fails when it matches (Django's `inverse_match`).
    pub fn inverse_match(&self) -> bool {
        self.inverse_match
    }

    /// Whether `text` passes: it matches, or with `inverse_match` it does not.
    pub fn accepts(&self, text: &str) -> bool {
        self.is_match(text) != self.inverse_match
    }

    /// Whether the pattern matches somewhere in `text`.
    #[cfg(feature = "regex")]
    pub fn is_match(&self, text: &str) -> bool {
        // The derive has parsed the pattern; `None` is only a pattern past the regex
        // crate's size limit, which matches nothing.
        let compiled = self.compiled.get_or_init(|| regex::Regex::new(self.pattern).ok());
        compiled.as_ref().is_some_and(|re| re.is_match(text))
    }

    /// Whether the pattern matches somewhere in `text` (never without the `regex` feature,
    /// which a `regex` validator cannot be built without).
    #[cfg(not(feature = "regex"))]
    pub fn is_match(&self, text: &str) -> bool {
        let _ = text;
        false
    }
}

/// Field types that `min_value` and `max_value` apply to: numbers, whose
/// [`to_value`](FieldType::to_value) is an integer, a float or a decimal [`Value`]. Implement
/// it for a type of your own that converts to one of those (a `Money` stored as cents).
#[diagnostic::on_unimplemented(
    message = "`min_value`/`max_value` need a number field (an integer, a float or a decimal), not `{Self}`",
    label = "not a number field",
    note = "a type of your own whose `to_value()` is a number can implement `kata::Bounded`"
)]
pub trait Bounded: FieldType {}
impl Bounded for i16 {}
impl Bounded for i32 {}
impl Bounded for i64 {}
impl Bounded for u16 {}
impl Bounded for u32 {}
impl Bounded for u64 {}
impl Bounded for f32 {}
impl Bounded for f64 {}
impl<T: Bounded> Bounded for Option<T> {}
#[cfg(feature = "rust_decimal")]
impl Bounded for rust_decimal::Decimal {}

/// A field's custom validators (`validators(..)`) run on a dynamic value: generated by the
/// derive, it reads the value back into the field's type ([`FieldType::from_value`]).
pub type CustomValidators = fn(&Value, &str, &mut ValidationErrors);

/// The validators declared on one model field, as [`ColumnMeta::validators`](crate::ColumnMeta)
/// holds them. A field without any has [`FieldValidators::NONE`].
///
/// ```
/// # use kata::prelude::*;
/// #[derive(Model)]
/// struct Page { #[kata(primary_key)] id: i64, #[kata(slug, min_length = 3)] slug: String }
/// let rules = Page::slug.column().validators;
/// assert!(rules.slug && !rules.url);
/// assert_eq!(rules.min_length, Some(3));
/// let codes: Vec<_> = Page { id: 1, slug: "a b".into() }.validation_errors().iter().map(|e| e.code).collect();
/// assert_eq!(codes, ["slug"]);
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct FieldValidators {
    /// `min_value = ..`: the least value allowed.
    pub min_value: Option<Limit>,
    /// `max_value = ..`: the greatest value allowed.
    pub max_value: Option<Limit>,
    /// `min_length = n`: the fewest characters allowed.
    pub min_length: Option<u32>,
    /// `url`: an http(s) or ftp(s) URL, as Django's `URLValidator` accepts.
    pub url: bool,
    /// `slug`: letters, digits, `_` and `-` only (Django's `validate_slug`).
    pub slug: bool,
    /// `slug(allow_unicode)`: Unicode letters and digits, `_` and `-` (Django's
    /// `validate_unicode_slug`).
    pub unicode_slug: bool,
    /// `regex = ".."`.
    pub regex: Option<&'static RegexValidator>,
    /// `validators(..)`, for values given as assignments.
    custom: Option<CustomValidators>,
}

/// The JSON Schema pattern of a slug (Django's `slug_re`).
pub(crate) const SLUG_PATTERN: &str = "^[-a-zA-Z0-9_]+$";

impl FieldValidators {
    /// No validators.
    pub const NONE: FieldValidators = FieldValidators {
        min_value: None,
        max_value: None,
        min_length: None,
        url: false,
        slug: false,
        unicode_slug: false,
        regex: None,
        custom: None,
    };

    /// Used by `#[derive(Model)]`.
    #[doc(hidden)]
    pub const fn __min_value(mut self, limit: Limit) -> Self {
        self.min_value = Some(limit);
        self
    }
    /// Used by `#[derive(Model)]`.
    #[doc(hidden)]
    pub const fn __max_value(mut self, limit: Limit) -> Self {
        self.max_value = Some(limit);
        self
    }
    /// Used by `#[derive(Model)]`.
    #[doc(hidden)]
    pub const fn __min_length(mut self, n: u32) -> Self {
        self.min_length = Some(n);
        self
    }
    /// Used by `#[derive(Model)]`.
    #[doc(hidden)]
    pub const fn __url(mut self) -> Self {
        self.url = true;
        self
    }
    /// Used by `#[derive(Model)]`.
    #[doc(hidden)]
    pub const fn __slug(mut self) -> Self {
        self.slug = true;
        self
    }
    /// Used by `#[derive(Model)]`.
    #[doc(hidden)]
    pub const fn __unicode_slug(mut self) -> Self {
        self.unicode_slug = true;
        self
    }
    /// Used by `#[derive(Model)]`.
    #[doc(hidden)]
    pub const fn __regex(mut self, regex: &'static RegexValidator) -> Self {
        self.regex = Some(regex);
        self
    }
    /// Used by `#[derive(Model)]`.
    #[doc(hidden)]
    pub const fn __custom(mut self, custom: CustomValidators) -> Self {
        self.custom = Some(custom);
        self
    }

    /// Whether the field has custom validators (`validators(..)`).
    pub fn has_custom(&self) -> bool {
        self.custom.is_some()
    }

    /// Checks the declared rules (not the custom functions, which generated code calls with
    /// the typed value) against a field's value. The empty string passes the text rules
    /// on a `blank` field; NULL passes everything.
    pub(crate) fn check<T: FieldType>(
        &self,
        value: &T,
        blank: bool,
        field: &str,
        errors: &mut ValidationErrors,
    ) {
        let number = || (self.min_value.is_some() || self.max_value.is_some()).then(|| value.to_value());
        self.check_parts(value.as_text(), number, blank, field, errors);
    }

    /// Checks a value given as an assignment: the declared rules, then the custom functions.
    pub(crate) fn check_value(&self, value: &Value, blank: bool, field: &str, errors: &mut ValidationErrors) {
        let text = match value {
            Value::Text(text) => Some(text.as_str()),
            _ => None,
        };
        self.check_parts(text, || Some(value.clone()), blank, field, errors);
        if let Some(custom) = self.custom
            && !(blank && text == Some(""))
        {
            custom(value, field, errors);
        }
    }

    fn check_parts(
        &self,
        text: Option<&str>,
        number: impl FnOnce() -> Option<Value>,
        blank: bool,
        field: &str,
        errors: &mut ValidationErrors,
    ) {
        if let Some(text) = text
            && !(blank && text.is_empty())
        {
            if let Some(min) = self.min_length {
                let len = text.chars().count();
                if len < min as usize {
                    let message = format!("ensure this value has at least {min} characters (it has {len})");
                    errors.add_with(field, "min_length", message, params("min_length", min.into()));
                }
            }
            if self.url && !is_url(text) {
                errors.add(field, "url", "enter a valid URL");
            }
            if self.slug && !is_slug(text) {
                errors.add(
                    field,
                    "slug",
                    "enter a valid slug consisting of letters, numbers, underscores or hyphens",
                );
            }
            if self.unicode_slug && !is_unicode_slug(text) {
                errors.add(
                    field,
                    "slug",
                    "enter a valid slug consisting of Unicode letters, numbers, underscores or hyphens",
                );
            }
            if let Some(regex) = self.regex
                && !regex.accepts(text)
            {
                let message = match regex.message {
                    Some(message) => message.to_owned(),
                    None if regex.inverse_match => {
                        format!("enter a valid value (not matching {})", regex.pattern())
                    }
                    None => format!("enter a valid value (matching {})", regex.pattern()),
                };
                errors.add_with(field, regex.code, message, params("pattern", regex.pattern().into()));
            }
        }
        if self.min_value.is_none() && self.max_value.is_none() {
            return;
        }
        let Some(value) = number() else { return };
        if let Some(min) = self.min_value
            && min.compare(&value) == Some(Ordering::Less)
        {
            let message = format!("ensure this value is greater than or equal to {min}");
            errors.add_with(field, "min_value", message, params("min_value", min.to_json()));
        }
        if let Some(max) = self.max_value
            && max.compare(&value) == Some(Ordering::Greater)
        {
            let message = format!("ensure this value is less than or equal to {max}");
            errors.add_with(field, "max_value", message, params("max_value", max.to_json()));
        }
    }
}

fn params(name: &str, value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    let mut params = serde_json::Map::new();
    params.insert(name.into(), value);
    params
}

/// Django's `validate_unicode_slug`: one or more letters or digits of any script,
/// underscores or hyphens.
pub(crate) fn is_unicode_slug(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// The JSON Schema pattern of a Unicode slug (Django's `slug_unicode_re`, `^[-\w]+\Z`).
pub(crate) const UNICODE_SLUG_PATTERN: &str = r"^[-\p{L}\p{N}_]+$";

/// Django's `validate_slug`: one or more ASCII letters, digits, underscores or hyphens.
pub(crate) fn is_slug(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The URLs Django's `URLValidator` accepts, checked by hand: scheme `http`, `https`, `ftp` or
/// `ftps`; `://`; optional `user[:password]@`; a host that is a domain name (dotted labels of
/// letters, digits and inner hyphens, with an alphabetic top-level label), `localhost`, an
/// IPv4 address or a bracketed IPv6 address; an optional port; then a path, query or
/// fragment without whitespace. At most 2048 characters.
pub(crate) fn is_url(text: &str) -> bool {
    if text.len() > 2048 || text.chars().any(char::is_whitespace) {
        return false;
    }
    let Some((scheme, rest)) = text.split_once("://") else { return false };
    if !["http", "https", "ftp", "ftps"].iter().any(|s| s.eq_ignore_ascii_case(scheme)) {
        return false;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host_port = match authority.rsplit_once('@') {
        Some((user, host)) if !user.is_empty() => host,
        Some(_) => return false,
        None => authority,
    };
    let (host, port) = if let Some(v6) = host_port.strip_prefix('[') {
        let Some((addr, after)) = v6.split_once(']') else { return false };
        if addr.parse::<std::net::Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => return true,
            _ => match after.strip_prefix(':') {
                Some(port) => ("[ipv6]", Some(port)),
                None => return false,
            },
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    if let Some(port) = port
        && (port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    host == "[ipv6]" || is_host(host)
}

/// A domain name, `localhost` or a dotted IPv4 address.
fn is_host(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return true;
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 || host.len() > 253 {
        return false;
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld = labels[labels.len() - 1];
    labels.iter().all(|l| label_ok(l))
        && (tld.chars().all(char::is_alphabetic) && tld.chars().count() >= 2
            || tld.len() > 4 && tld.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--")))
}

/// Called by generated code: `min_value`/`max_value` need a number field.
#[doc(hidden)]
pub fn assert_bounded<T: Bounded>() {}

/// Called by generated code: `min_length`, `url`, `slug` and `regex` need a text field.
#[doc(hidden)]
pub fn assert_text<T: FieldType>()
where
    T::Inner: crate::value::Text,
{
}

/// Called by generated code: a field's declared rules (see [`FieldValidators`]).
#[doc(hidden)]
pub fn validate_rules<T: FieldType>(
    value: &T,
    rules: &FieldValidators,
    blank: bool,
    field: &str,
    errors: &mut ValidationErrors,
) {
    rules.check(value, blank, field, errors);
}

/// A value that a custom validator of type `fn(&V)` can check: `V` itself, or an `Option<V>`
/// (checked when it holds a value; validators never see NULL, as in Django). A text field
/// also takes a validator of `&str`.
#[doc(hidden)]
pub trait ValidateWith<V: ?Sized> {
    /// Calls `check` with the value, if there is one.
    fn __with(&self, check: impl FnOnce(&V));
}

impl<V> ValidateWith<V> for V {
    fn __with(&self, check: impl FnOnce(&V)) {
        check(self)
    }
}

impl<V> ValidateWith<V> for Option<V> {
    fn __with(&self, check: impl FnOnce(&V)) {
        if let Some(value) = self {
            check(value)
        }
    }
}

impl ValidateWith<str> for String {
    fn __with(&self, check: impl FnOnce(&str)) {
        check(self)
    }
}

impl ValidateWith<str> for Option<String> {
    fn __with(&self, check: impl FnOnce(&str)) {
        if let Some(value) = self {
            check(value)
        }
    }
}

/// Called by generated code: runs one custom validator on a field's value, recording what it
/// returns. The empty string skips it on a `blank` field, and NULL always does.
#[doc(hidden)]
pub fn run_validator<S, V, E>(
    value: &S,
    validator: impl FnOnce(&V) -> Result<(), E>,
    blank: bool,
    field: &str,
    errors: &mut ValidationErrors,
) where
    S: FieldType + ValidateWith<V>,
    V: ?Sized,
    E: Into<ValidationError>,
{
    if blank && value.as_text() == Some("") {
        return;
    }
    value.__with(|v| {
        if let Err(e) = validator(v) {
            errors.add_error(field, e.into());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_compare_exactly_and_print_as_written() {
        let cent = Limit::__new(1, 2);
        assert_eq!(cent.to_string(), "0.01");
        assert_eq!(Limit::__new(-150, 2).to_string(), "-1.50");
        assert_eq!(Limit::__new(7, 0).to_string(), "7");
        assert_eq!(cent.compare(&Value::BigInt(0)), Some(Ordering::Less));
        assert_eq!(cent.compare(&Value::BigInt(1)), Some(Ordering::Greater));
        let minus_half = Limit::__new(-5, 1);
        assert_eq!(minus_half.compare(&Value::Int(-1)), Some(Ordering::Less));
        assert_eq!(minus_half.compare(&Value::Int(0)), Some(Ordering::Greater));
        assert_eq!(Limit::__new(3, 0).compare(&Value::SmallInt(3)), Some(Ordering::Equal));
        assert_eq!(cent.compare(&Value::Double(0.01)), Some(Ordering::Equal));
        assert_eq!(cent.compare(&Value::Text("1".into())), None);
        assert_eq!(cent.compare(&Value::Null(crate::ColumnType::BigInt)), None);
        assert_eq!(Limit::__new(5, 0).to_json(), serde_json::json!(5));
        assert_eq!(Limit::__new(5, 1).to_json(), serde_json::json!(0.5));
    }

    #[test]
    fn urls_as_django_accepts_them() {
        for good in [
            "http://example.com",
            "https://www.example.com/path?q=1#top",
            "HTTPS://EXAMPLE.COM",
            "ftp://user:pw@ftp.example.org:21/file",
            "http://localhost:8000/",
            "http://192.0.2.1/x",
            "http://[2001:db8::1]:8080/",
            "https://münchen.de",
            "http://xn--mnchen-3ya.de",
        ] {
            assert!(is_url(good), "{good}");
        }
        for bad in [
            "",
            "example.com",
            "mailto:a@example.com",
            "http://",
            "http://example",
            "http://-bad-.com",
            "http://exa mple.com",
            "http://example.com:port",
            "http://[::1",
            "http://@example.com",
            "javascript://example.com",
            "http://example.c0m",
        ] {
            assert!(!is_url(bad), "{bad}");
        }
    }

    #[test]
    fn slugs_are_ascii_words_and_hyphens() {
        assert!(is_slug("a-b_c-9"));
        assert!(!is_slug(""));
        assert!(!is_slug("a b"));
        assert!(!is_slug("ünï"));
    }
}
