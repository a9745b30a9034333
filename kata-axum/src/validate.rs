//! Input checked against the target type's JSON Schema before serde sees it, so every
//! broken rule comes back at once, at its `loc`, in pydantic's words: the schema that the
//! OpenAPI document shows is the one that is enforced.

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use kata::schemars::{JsonSchema, generate::SchemaSettings};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::detail::{ErrorDetail, Source};

/// `T`'s schema with every subschema inlined (recursive types keep `$ref`s into `$defs`),
/// generated once per type.
pub(crate) fn schema_of<T: JsonSchema + 'static>() -> Arc<Value> {
    static CACHE: OnceLock<RwLock<HashMap<TypeId, Arc<Value>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let id = TypeId::of::<T>();
    if let Some(found) = cache.read().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return found.clone();
    }
    let generator = SchemaSettings::draft2020_12().with(|s| s.inline_subschemas = true).into_generator();
    let schema = Arc::new(generator.into_root_schema_for::<T>().to_value());
    cache.write().unwrap_or_else(|e| e.into_inner()).insert(id, schema.clone());
    schema
}

/// Checks a parsed value against a schema and collects every error.
pub(crate) struct Checker<'a> {
    root: &'a Value,
    source: Source,
    /// Whether object keys the schema does not name are errors (request bodies).
    forbid_extra: bool,
    pub(crate) errors: Vec<ErrorDetail>,
}

/// The types a schema allows, without `null`.
fn types_of<'v>(root: &'v Value, schema: &'v Value) -> (Vec<&'v str>, bool) {
    let schema = resolve(root, schema);
    let mut types = Vec::new();
    let mut nullable = false;
    match schema.get("type") {
        Some(Value::String(t)) => types.push(t.as_str()),
        Some(Value::Array(ts)) => types.extend(ts.iter().filter_map(Value::as_str)),
        _ => {}
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(options)) = schema.get(key) {
            for option in options {
                let (inner, inner_null) = types_of(root, option);
                types.extend(inner);
                nullable |= inner_null;
            }
        }
    }
    if let Some(i) = types.iter().position(|t| *t == "null") {
        types.remove(i);
        nullable = true;
    }
    (types, nullable)
}

/// Follows a local `$ref` (`#/$defs/Name`).
fn resolve<'v>(root: &'v Value, schema: &'v Value) -> &'v Value {
    match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => root.pointer(pointer).unwrap_or(schema),
        None => schema,
    }
}

/// The non-null branch of an `Option<T>`'s `anyOf`, or the schema itself.
fn non_null<'v>(root: &'v Value, schema: &'v Value) -> &'v Value {
    let schema = resolve(root, schema);
    if let Some(Value::Array(options)) = schema.get("anyOf").or_else(|| schema.get("oneOf")) {
        let mut rest = options.iter().filter(|o| o.get("type").and_then(Value::as_str) != Some("null"));
        if let (Some(only), None) = (rest.next(), rest.next()) {
            return resolve(root, only);
        }
    }
    schema
}

/// A numeric keyword: its name, pydantic's type, the words of the message, the `ctx` key,
/// and the test that passes.
type NumberRule = (&'static str, &'static str, &'static str, &'static str, fn(f64, f64) -> bool);

fn number(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// `150`, not `150.0`, in messages and `ctx`.
fn number_value(n: &Value) -> Value {
    match n.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
        _ => n.clone(),
    }
}

fn display(n: &Value) -> String {
    number_value(n).to_string()
}

impl<'a> Checker<'a> {
    pub(crate) fn new(root: &'a Value, source: Source, forbid_extra: bool) -> Self {
        Checker { root, source, forbid_extra, errors: Vec::new() }
    }

    fn error(&mut self, path: &str, kind: &str, msg: impl Into<String>) -> &mut ErrorDetail {
        self.errors.push(ErrorDetail::new(self.source, path, kind, msg));
        let last = self.errors.len() - 1;
        &mut self.errors[last]
    }

    /// Checks `value` at `path` against `schema`.
    pub(crate) fn check(&mut self, path: &str, schema: &Value, value: &Value) {
        let root = self.root;
        let (types, nullable) = types_of(root, schema);
        if value.is_null() {
            if !nullable && !types.is_empty() {
                self.type_error(path, types[0]);
            }
            return;
        }
        let schema = non_null(root, schema);
        if !types.is_empty() && !types.iter().any(|t| matches_type(t, value)) {
            if types.contains(&"integer") && value.as_f64().is_some_and(|f| f.fract() != 0.0) {
                self.error(
                    path,
                    "int_from_float",
                    "Input should be a valid integer, got a number with a fractional part",
                );
            } else {
                self.type_error(path, types[0]);
            }
            return;
        }
        self.check_enum(path, schema, value);
        match value {
            Value::String(s) => self.check_string(path, schema, s),
            Value::Number(_) => self.check_number(path, schema, value),
            Value::Object(map) => self.check_object(path, schema, map),
            Value::Array(items) => {
                if let Some(items_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(&format!("{path}[{i}]"), items_schema, item);
                    }
                }
            }
            _ => {}
        }
    }

    fn type_error(&mut self, path: &str, expected: &str) {
        let (kind, msg) = match expected {
            "integer" => ("int_type", "Input should be a valid integer"),
            "number" => ("float_type", "Input should be a valid number"),
            "string" => ("string_type", "Input should be a valid string"),
            "boolean" => ("bool_type", "Input should be a valid boolean"),
            "array" => ("list_type", "Input should be a valid list"),
            "object" => ("model_type", "Input should be a valid dictionary or object"),
            _ => ("value_error", "Input is not valid"),
        };
        self.error(path, kind, msg);
    }

    fn check_enum(&mut self, path: &str, schema: &Value, value: &Value) {
        if let Some(Value::Array(allowed)) = schema.get("enum")
            && !allowed.contains(value)
        {
            let expected =
                allowed.iter().map(|v| v.to_string().replace('"', "'")).collect::<Vec<_>>().join(" or ");
            self.error(path, "enum", format!("Input should be {expected}"))
                .ctx
                .insert("expected".into(), expected.into());
        }
    }

    fn check_string(&mut self, path: &str, schema: &Value, s: &str) {
        let len = s.chars().count() as u64;
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && len > max
        {
            let plural = if max == 1 { "" } else { "s" };
            self.error(
                path,
                "string_too_long",
                format!("String should have at most {max} character{plural}"),
            )
            .ctx
            .insert("max_length".into(), max.into());
        }
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && len < min
        {
            let plural = if min == 1 { "" } else { "s" };
            self.error(
                path,
                "string_too_short",
                format!("String should have at least {min} character{plural}"),
            )
            .ctx
            .insert("min_length".into(), min.into());
        }
        if schema.get("format").and_then(Value::as_str) == Some("email")
            && !s.is_empty()
            && !looks_like_email(s)
        {
            self.error(path, "value_error", "value is not a valid email address");
        }
    }

    fn check_number(&mut self, path: &str, schema: &Value, value: &Value) {
        let Some(v) = number(value) else { return };
        let rules: [NumberRule; 4] = [
            ("minimum", "greater_than_equal", "greater than or equal to", "ge", |v, b| v >= b),
            ("maximum", "less_than_equal", "less than or equal to", "le", |v, b| v <= b),
            ("exclusiveMinimum", "greater_than", "greater than", "gt", |v, b| v > b),
            ("exclusiveMaximum", "less_than", "less than", "lt", |v, b| v < b),
        ];
        for (keyword, kind, words, ctx, ok) in rules {
            if let Some(bound) = schema.get(keyword)
                && let Some(b) = number(bound)
                && !ok(v, b)
            {
                let msg = format!("Input should be {words} {}", display(bound));
                self.error(path, kind, msg).ctx.insert(ctx.into(), number_value(bound));
            }
        }
        // A fixed-width integer out of its range (schemars states the format, not the bounds).
        let range = match schema.get("format").and_then(Value::as_str) {
            Some("int8") => Some((i8::MIN as f64, i8::MAX as f64)),
            Some("int16") => Some((i16::MIN as f64, i16::MAX as f64)),
            Some("int32") => Some((i32::MIN as f64, i32::MAX as f64)),
            Some("uint8") => Some((0.0, u8::MAX as f64)),
            Some("uint16") => Some((0.0, u16::MAX as f64)),
            Some("uint32") => Some((0.0, u32::MAX as f64)),
            _ => None,
        };
        if let Some((lo, hi)) = range {
            if v < lo && schema.get("minimum").is_none() {
                self.error(
                    path,
                    "greater_than_equal",
                    format!("Input should be greater than or equal to {lo}"),
                )
                .ctx
                .insert("ge".into(), (lo as i64).into());
            } else if v > hi {
                self.error(path, "less_than_equal", format!("Input should be less than or equal to {hi}"))
                    .ctx
                    .insert("le".into(), (hi as i64).into());
            }
        }
    }

    /// Required, unknown and each named property of an object.
    pub(crate) fn check_object(&mut self, path: &str, schema: &Value, map: &Map<String, Value>) {
        let root = self.root;
        let schema = resolve(root, schema);
        let Some(Value::Object(properties)) = schema.get("properties") else { return };
        let join = |name: &str| if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    self.error(&join(name), "missing", "Field required");
                }
            }
        }
        for (name, value) in map {
            if let Some(property) = properties.get(name) {
                self.check(&join(name), property, value);
            }
        }
        // Unknown keys after the known ones' errors.
        if self.forbid_extra {
            for name in map.keys().filter(|name| !properties.contains_key(*name)) {
                self.error(&join(name), "extra_forbidden", "Extra inputs are not permitted");
            }
        }
    }

    /// Turns strings (query string, path) into the JSON values the schema asks for; an
    /// unparsable one is an error and is left out.
    pub(crate) fn coerce(&mut self, path: &str, schema: &Value, raw: &[String]) -> Option<Value> {
        let root = self.root;
        let (types, _) = types_of(root, schema);
        let schema = non_null(root, schema);
        if types.first() == Some(&"array") {
            let items = schema.get("items").cloned().unwrap_or(Value::Bool(true));
            let mut out = Vec::new();
            for (i, one) in raw.iter().enumerate() {
                out.push(self.coerce(&format!("{path}[{i}]"), &items, std::slice::from_ref(one))?);
            }
            return Some(Value::Array(out));
        }
        let text = raw.last()?.as_str();
        match types.first().copied() {
            Some("integer") => match text.trim().parse::<i64>() {
                Ok(n) => Some(n.into()),
                Err(_) => match text.trim().parse::<u64>() {
                    Ok(n) => Some(n.into()),
                    Err(_) => {
                        self.error(
                            path,
                            "int_parsing",
                            "Input should be a valid integer, unable to parse string as an integer",
                        );
                        None
                    }
                },
            },
            Some("number") => match text.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => Some(n.into()),
                _ => {
                    self.error(
                        path,
                        "float_parsing",
                        "Input should be a valid number, unable to parse string as a number",
                    );
                    None
                }
            },
            Some("boolean") => match text.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" | "t" | "y" => Some(true.into()),
                "false" | "0" | "no" | "off" | "f" | "n" => Some(false.into()),
                _ => {
                    self.error(
                        path,
                        "bool_parsing",
                        "Input should be a valid boolean, unable to interpret input",
                    );
                    None
                }
            },
            _ => Some(text.into()),
        }
    }
}

fn matches_type(expected: &str, value: &Value) -> bool {
    match expected {
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

/// The same rule as kata's `email` validator: one `@`, something before it, a dot after it.
fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}

/// Named string inputs (a query string, path parameters) as a `T`: coerced by `T`'s
/// schema, checked, then deserialised.
pub(crate) fn from_strings<T>(source: Source, pairs: Vec<(String, String)>) -> Result<T, Vec<ErrorDetail>>
where
    T: DeserializeOwned + JsonSchema + 'static,
{
    let schema = schema_of::<T>();
    let mut checker = Checker::new(&schema, source, false);
    let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
    for (k, v) in pairs {
        match grouped.iter_mut().find(|(name, _)| *name == k) {
            Some((_, values)) => values.push(v),
            None => grouped.push((k, vec![v])),
        }
    }
    let target = resolve(&schema, &schema);
    let value = match target.get("properties") {
        Some(Value::Object(properties)) => {
            let mut map = Map::new();
            for (name, raw) in grouped {
                let coerced = match properties.get(&name) {
                    Some(property) => checker.coerce(&name, property, &raw),
                    None => raw.last().map(|s| Value::from(s.as_str())),
                };
                if let Some(v) = coerced {
                    map.insert(name, v);
                }
            }
            // Fields whose value failed to parse are reported once, not again as missing.
            let failed: Vec<String> = checker
                .errors
                .iter()
                .filter_map(|e| e.loc.get(1).and_then(Value::as_str).map(str::to_owned))
                .collect();
            let mut structural = Checker::new(&schema, source, false);
            structural.check_object("", target, &map);
            checker.errors.extend(structural.errors.into_iter().filter(|e| {
                !(e.kind == "missing"
                    && e.loc.get(1).and_then(Value::as_str).is_some_and(|n| failed.iter().any(|f| f == n)))
            }));
            Value::Object(map)
        }
        // A scalar target (`Path<i64>`): the one value there is.
        _ => match grouped.into_iter().next() {
            Some((name, raw)) => {
                let coerced = checker.coerce(&name, target, &raw);
                if let Some(v) = &coerced {
                    checker.check(&name, target, v);
                }
                coerced.unwrap_or(Value::Null)
            }
            None => {
                checker.error("", "missing", "Field required");
                Value::Null
            }
        },
    };
    finish(checker.errors, source, value)
}

/// A JSON value as a `T`: checked against `T`'s schema (unknown keys refused), then
/// deserialised.
pub(crate) fn from_json<T>(value: Value) -> Result<T, Vec<ErrorDetail>>
where
    T: DeserializeOwned + JsonSchema + 'static,
{
    let schema = schema_of::<T>();
    let mut checker = Checker::new(&schema, Source::Body, true);
    checker.check("", &schema, &value);
    finish(checker.errors, Source::Body, value)
}

fn finish<T: DeserializeOwned>(
    errors: Vec<ErrorDetail>,
    source: Source,
    value: Value,
) -> Result<T, Vec<ErrorDetail>> {
    if !errors.is_empty() {
        return Err(errors);
    }
    // What the schema cannot say (a custom `Deserialize`, an untagged enum) still gets a
    // 422, with serde's own words.
    serde_json::from_value(value)
        .map_err(|e| vec![ErrorDetail::new(source, "", "value_error", e.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, JsonSchema, PartialEq)]
    #[schemars(crate = "kata::schemars")]
    struct Filters {
        active: Option<bool>,
        #[schemars(range(min = 1, max = 5))]
        level: u8,
        tags: Option<Vec<String>>,
    }

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn query_strings_parse_booleans_and_repeated_keys() {
        let f: Filters = from_strings(
            Source::Query,
            pairs(&[("active", "yes"), ("level", "2"), ("tags", "a"), ("tags", "b")]),
        )
        .unwrap();
        assert_eq!(f, Filters { active: Some(true), level: 2, tags: Some(vec!["a".into(), "b".into()]) });
    }

    #[test]
    fn every_bad_query_value_is_reported_once() {
        let errors = from_strings::<Filters>(Source::Query, pairs(&[("active", "maybe"), ("level", "9")]))
            .unwrap_err();
        let kinds: Vec<_> = errors.iter().map(|e| (e.kind.as_str(), e.loc.clone())).collect();
        assert_eq!(
            kinds,
            [
                ("bool_parsing", vec![json!("query"), json!("active")]),
                ("less_than_equal", vec![json!("query"), json!("level")])
            ]
        );
    }

    #[test]
    fn null_is_accepted_only_where_the_schema_allows_it() {
        let ok: Filters = from_json(json!({"active": null, "level": 1})).unwrap();
        assert_eq!(ok.active, None);
        let errors = from_json::<Filters>(json!({"level": null})).unwrap_err();
        assert_eq!(errors[0].kind, "int_type");
        let errors = from_json::<Filters>(json!({"level": 1.5, "tags": ["a", 2]})).unwrap_err();
        let kinds: Vec<_> = errors.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["int_from_float", "string_type"]);
        assert_eq!(errors[1].loc, vec![json!("body"), json!("tags"), json!(1)]);
    }
}
