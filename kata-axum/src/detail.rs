//! One entry of a 422 body, in Django Ninja's (pydantic's) shape.

use serde::Serialize;
use serde_json::{Map, Value};

/// Where a bad input was found: the first element of an error's `loc`.
///
/// ```
/// assert_eq!(kata_axum::Source::Query.as_str(), "query");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// The JSON request body.
    Body,
    /// The query string.
    Query,
    /// A path parameter.
    Path,
    /// A request header.
    Header,
}

impl Source {
    /// The name Ninja writes in `loc`.
    ///
    /// ```
    /// assert_eq!(kata_axum::Source::Body.as_str(), "body");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Body => "body",
            Source::Query => "query",
            Source::Path => "path",
            Source::Header => "header",
        }
    }
}

/// One rule that one input broke: `{"type", "loc", "msg", "ctx"}` as Django Ninja writes it
/// (`ctx` only when the rule has parameters, such as `{"max_length": 150}`).
///
/// ```
/// use kata_axum::{ErrorDetail, Source};
/// let e = ErrorDetail::new(Source::Query, "page", "greater_than_equal", "Input should be greater than or equal to 1")
///     .with_ctx("ge", 1);
/// assert_eq!(
///     serde_json::to_value(&e).unwrap(),
///     serde_json::json!({"type": "greater_than_equal", "loc": ["query", "page"],
///                        "msg": "Input should be greater than or equal to 1", "ctx": {"ge": 1}})
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorDetail {
    /// A machine-readable code, pydantic's where one exists (`missing`, `int_parsing`,
    /// `string_too_long`, `greater_than_equal`, `extra_forbidden`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// Where: the source, then the field path (`["body", "username"]`).
    pub loc: Vec<Value>,
    /// A message for people.
    pub msg: String,
    /// The rule's parameters.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub ctx: Map<String, Value>,
}

impl ErrorDetail {
    /// A detail at `source` / `field` (an empty `field` points at the whole source).
    ///
    /// ```
    /// let e = kata_axum::ErrorDetail::new(kata_axum::Source::Body, "", "json_invalid", "Invalid JSON");
    /// assert_eq!(e.loc, vec![serde_json::json!("body")]);
    /// ```
    pub fn new(source: Source, field: &str, kind: impl Into<String>, msg: impl Into<String>) -> Self {
        let mut loc = vec![Value::from(source.as_str())];
        loc.extend(split_path(field));
        ErrorDetail { kind: kind.into(), loc, msg: msg.into(), ctx: Map::new() }
    }

    /// Adds one parameter to `ctx`.
    ///
    /// ```
    /// let e = kata_axum::ErrorDetail::new(kata_axum::Source::Body, "name", "string_too_long", "too long")
    ///     .with_ctx("max_length", 150);
    /// assert_eq!(e.ctx["max_length"], 150);
    /// ```
    pub fn with_ctx(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.ctx.insert(key.to_owned(), value.into());
        self
    }

    /// A kata validation error (see [`kata::FieldError`]) as a Ninja detail at `source`:
    /// kata's codes become pydantic's (`max_length` -> `string_too_long`), its parameters
    /// the `ctx`.
    ///
    /// ```
    /// let mut errors = kata::ValidationErrors::default();
    /// let mut params = serde_json::Map::new();
    /// params.insert("max_length".into(), 150.into());
    /// errors.add_with("username", "max_length", "at most 150 characters", params);
    /// let e = kata_axum::ErrorDetail::from_field_error(kata_axum::Source::Body, errors.iter().next().unwrap());
    /// assert_eq!(e.kind, "string_too_long");
    /// assert_eq!(e.loc, vec![serde_json::json!("body"), serde_json::json!("username")]);
    /// ```
    pub fn from_field_error(source: Source, error: &kata::FieldError) -> Self {
        let kind = match error.code {
            "max_length" => "string_too_long",
            "min_length" => "string_too_short",
            "required" => "missing",
            "email" => "value_error",
            other => other,
        };
        let mut detail = ErrorDetail::new(source, &error.field, kind, error.message.clone());
        detail.ctx = error.params.clone();
        detail
    }
}

/// `a.b[2].c` -> `["a", "b", 2, "c"]`, as pydantic writes nested locations.
fn split_path(path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(open) = rest.find('[') {
            if open > 0 {
                out.push(Value::from(&rest[..open]));
            }
            rest = &rest[open..];
            while let Some(inner) = rest.strip_prefix('[') {
                let Some(close) = inner.find(']') else { break };
                let index = &inner[..close];
                out.push(index.parse::<u64>().map_or_else(|_| Value::from(index), Value::from));
                rest = &inner[close + 1..];
            }
        } else {
            out.push(Value::from(rest));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_paths_split_into_names_and_indexes() {
        assert_eq!(split_path("[2].username"), vec![json!(2), json!("username")]);
        assert_eq!(split_path("items[0].name"), vec![json!("items"), json!(0), json!("name")]);
        assert_eq!(split_path(""), Vec::<Value>::new());
    }
}
