//! The runtime side of `#[derive(ModelSchema)]`: tri-state patch values, validation and
//! applying patches to models.

pub mod iso_duration;

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Result, ValidationErrors};
use crate::model::now_micros;
use crate::value::FieldType;

/// A field of a patch schema: left out of the JSON (`Absent`: leave the column alone),
/// `null` (`Null`: set NULL, valid only for nullable columns), or a value (`Set`).
///
/// ```
/// use kata::Patch;
/// #[derive(serde::Deserialize)]
/// struct P { #[serde(default)] name: Patch<String> }
/// let absent: P = serde_json::from_str("{}").unwrap();
/// let null: P = serde_json::from_str(r#"{"name": null}"#).unwrap();
/// let set: P = serde_json::from_str(r#"{"name": "ann"}"#).unwrap();
/// assert_eq!(absent.name, Patch::Absent);
/// assert_eq!(null.name, Patch::Null);
/// assert_eq!(set.name, Patch::Set("ann".to_string()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Patch<T> {
    /// Not in the payload: the column is left as it is.
    #[default]
    Absent,
    /// `null` in the payload: the column becomes NULL.
    Null,
    /// A value.
    Set(T),
}

impl<T> Patch<T> {
    /// True when the field was left out.
    pub fn is_absent(&self) -> bool {
        matches!(self, Patch::Absent)
    }

    /// The value, if one was set.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(v) => Some(v),
            _ => None,
        }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Patch::Set(value)
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `Some` is a value, `None` is `null`.
    fn from(value: Option<T>) -> Self {
        match value {
            Some(v) => Patch::Set(v),
            None => Patch::Null,
        }
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Patch::Set(v) => v.serialize(serializer),
            Patch::Absent | Patch::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.into())
    }
}

impl<T: JsonSchema> JsonSchema for Patch<T> {
    fn schema_name() -> Cow<'static, str> {
        <Option<T>>::schema_name()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        <Option<T>>::json_schema(generator)
    }
    fn inline_schema() -> bool {
        true
    }
}

/// Checks a value against the rules its JSON Schema states; every violation is reported
/// with its field. `#[derive(ModelSchema)]` implements it for every schema.
pub trait Validate {
    /// Records every violation in `errors`.
    fn validate_into(&self, errors: &mut ValidationErrors);

    /// `Err(Error::Validation(..))` listing every violation, or `Ok(())`.
    fn validate(&self) -> Result<()> {
        self.validation_errors().into_result()
    }

    /// Every violation, each with its field, without a `match` (empty when valid).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
    /// # #[model_schema(TagIn, fields(name))]
    /// # struct Tag { #[kata(primary_key, auto)] id: i64, #[kata(max_length = 3)] name: String }
    /// let errors = TagIn { name: "toolong".into() }.validation_errors();
    /// assert_eq!(errors.iter().map(|e| (e.field.as_str(), e.code)).collect::<Vec<_>>(), [("name", "max_length")]);
    /// assert_eq!(errors.iter().next().unwrap().params["max_length"], 3);
    /// ```
    fn validation_errors(&self) -> ValidationErrors {
        let mut errors = ValidationErrors::default();
        self.validate_into(&mut errors);
        errors
    }

    /// Reads a schema from a JSON document and checks it, reporting every violation with
    /// its field, where plain `serde_json::from_value` stops at the first and says nothing
    /// a client can act on: a required field that is missing is code `required`, a `null`
    /// where the field is not nullable is `null` (both read from the type's JSON Schema,
    /// so they agree with what it publishes), then the rules of [`validate`](Self::validate)
    /// (`max_length` with its limit, `email`). A value of the wrong type is code `invalid`
    /// on the field `__all__` (serde does not say which field), as is a document that is
    /// not an object.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// #[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
    /// #[model_schema(UserIn, fields(username, email, bio))]
    /// struct User {
    ///     #[kata(primary_key, auto)]
    ///     id: i64,
    ///     #[kata(max_length = 5)]
    ///     username: String,
    ///     #[kata(email)]
    ///     email: String,
    ///     bio: Option<String>,
    /// }
    /// let err = UserIn::from_json(serde_json::json!({"username": "toolongname", "bio": null})).unwrap_err();
    /// let codes: Vec<(&str, &str)> =
    ///     err.validation_errors().unwrap().iter().map(|e| (e.field.as_str(), e.code)).collect();
    /// assert_eq!(codes, [("email", "required")]);
    /// let err = UserIn::from_json(serde_json::json!({"username": "toolongname", "email": "x"})).unwrap_err();
    /// let codes: Vec<&str> = err.validation_errors().unwrap().iter().map(|e| e.code).collect();
    /// assert_eq!(codes, ["max_length", "email"]);
    /// let ok = UserIn::from_json(serde_json::json!({"username": "ann", "email": "ann@example.com"}))?;
    /// assert_eq!(ok.bio, None);
    /// # Ok::<_, kata::Error>(())
    /// ```
    fn from_json(value: serde_json::Value) -> Result<Self>
    where
        Self: Sized + serde::de::DeserializeOwned + JsonSchema,
    {
        let mut errors = ValidationErrors::default();
        let schema = SchemaGenerator::default().into_root_schema_for::<Self>();
        match value.as_object() {
            None => errors.add("__all__", "invalid", "expected a JSON object"),
            Some(object) => check_presence(&schema, object, &mut errors),
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let parsed: Self = match serde_json::from_value(value) {
            Ok(parsed) => parsed,
            Err(e) => {
                errors.add("__all__", "invalid", e.to_string());
                return Err(errors.into());
            }
        };
        parsed.validate_into(&mut errors);
        errors.into_result().map(|()| parsed)
    }
}

/// `required` for each required property `object` lacks, `null` for each `null` the
/// property's schema does not allow.
fn check_presence(
    schema: &Schema,
    object: &serde_json::Map<String, serde_json::Value>,
    errors: &mut ValidationErrors,
) {
    if let Some(required) = schema.get("required").and_then(|r| r.as_array()) {
        for name in required.iter().filter_map(|n| n.as_str()) {
            if !object.contains_key(name) {
                errors.add(name, "required", "this field is required");
            }
        }
    }
    if let Some(properties) = schema.get("properties").and_then(|p| p.as_object()) {
        for (name, property) in properties {
            if object.get(name).is_some_and(serde_json::Value::is_null) && !allows_null(property) {
                errors.add(name.as_str(), "null", "this field cannot be null");
            }
        }
    }
}

/// Whether a property's JSON Schema accepts `null` (an unconstrained schema does).
fn allows_null(schema: &serde_json::Value) -> bool {
    let Some(object) = schema.as_object() else { return schema.as_bool().unwrap_or(true) };
    let is_null = |t: &serde_json::Value| t.as_str() == Some("null");
    if let Some(ty) = object.get("type") {
        return is_null(ty) || ty.as_array().is_some_and(|types| types.iter().any(is_null));
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = object.get(key).and_then(|o| o.as_array()) {
            return options.iter().any(allows_null);
        }
    }
    // `$ref`, `allOf`, `enum` and `const` name non-null values; anything else is open.
    !["$ref", "allOf", "enum", "const"].iter().any(|k| object.contains_key(*k))
}

/// Copies the fields a patch sets onto a model. `#[derive(ModelSchema)]` implements it for
/// every schema (fields that are `Absent` are left alone).
pub trait Apply<M> {
    /// Writes the set fields into `model`.
    fn apply_to(&self, model: &mut M);
}

/// Called by generated code: `max_length` and `email` on a schema field (`email` lets the
/// empty string through when `blank`: a `blank` field, or one whose default is `""`).
#[doc(hidden)]
pub fn check_field<T: FieldType>(
    value: &T,
    path: &str,
    max_length: Option<u32>,
    email: bool,
    blank: bool,
    errors: &mut ValidationErrors,
) {
    if let Some(max) = max_length {
        crate::model::validate_max_length(value, max, path, errors);
    }
    if email {
        crate::model::validate_email_unless_blank(value, blank, path, errors);
    }
}

/// Called by generated code: reads a `blank` field that is not nullable, where `null`
/// means the field's default (Ninja's ModelSchema, for `blank=True` with a default).
#[doc(hidden)]
pub fn deserialize_null_as<'de, T, D>(deserializer: D, default: fn() -> T) -> std::result::Result<T, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_else(default))
}

/// Called by generated code: a patch field's rules (`null` only where the column allows it).
#[doc(hidden)]
pub fn check_patch<T: FieldType>(
    value: &Patch<T>,
    path: &str,
    nullable: bool,
    max_length: Option<u32>,
    email: bool,
    blank: bool,
    errors: &mut ValidationErrors,
) {
    match value {
        Patch::Absent => {}
        // `nullable` is also set for a `blank` field, whose `null` means its default.
        Patch::Null if nullable => {}
        Patch::Null => errors.add(path, "null", "this field cannot be null"),
        Patch::Set(v) => check_field(v, path, max_length, email, blank, errors),
    }
}

/// Called by generated code: states a field's validators in its JSON Schema: `minimum` and
/// `maximum`, `minLength`, `format: uri` for `url`, and `pattern` for `slug` and `regex`
/// (a second pattern goes in `allOf`, as JSON Schema has one `pattern` per schema).
#[doc(hidden)]
pub fn validators_schema(schema: &mut Schema, rules: &crate::validators::FieldValidators) {
    let Some(object) = schema.as_object_mut() else { return };
    if let Some(min) = rules.min_value {
        object.insert("minimum".into(), min.to_json());
    }
    if let Some(max) = rules.max_value {
        object.insert("maximum".into(), max.to_json());
    }
    if let Some(n) = rules.min_length {
        object.insert("minLength".into(), n.into());
    }
    if rules.url {
        object.insert("format".into(), "uri".into());
    }
    let patterns = rules
        .slug
        .then_some(crate::validators::SLUG_PATTERN)
        .into_iter()
        .chain(rules.unicode_slug.then_some(crate::validators::UNICODE_SLUG_PATTERN))
        .chain(rules.regex.filter(|r| !r.inverse_match()).map(|r| r.pattern()));
    if let Some(regex) = rules.regex.filter(|r| r.inverse_match()) {
        // A pattern a value must not match.
        let all = object.entry("allOf").or_insert_with(|| serde_json::Value::Array(Vec::new()));
        if let Some(all) = all.as_array_mut() {
            all.push(serde_json::json!({ "not": { "pattern": regex.pattern() } }));
        }
    }
    for pattern in patterns {
        if object.contains_key("pattern") {
            let all = object.entry("allOf").or_insert_with(|| serde_json::Value::Array(Vec::new()));
            if let Some(all) = all.as_array_mut() {
                all.push(serde_json::json!({ "pattern": pattern }));
            }
        } else {
            object.insert("pattern".into(), pattern.into());
        }
    }
}

/// Called by generated code: removes `default` from a field's schema (used for
/// `default = now`, whose value is only known at insert time).
#[doc(hidden)]
pub fn no_default(schema: &mut Schema) {
    if let Some(object) = schema.as_object_mut() {
        object.remove("default");
    }
}

/// A struct that holds some of a model's columns and can be read straight from a row:
/// `qs.alist_as::<UserOut>(&db)` selects exactly these columns (partial loading, Django's
/// `only()`/`values()`). `#[derive(ModelSchema)]` implements it for every schema.
pub trait Projection<M>: Sized + Send + 'static {
    /// Positions of the model columns to select, in the order `__decode` reads them.
    const COLUMNS: &'static [usize];
    /// Decodes one row of those columns.
    #[doc(hidden)]
    fn __decode(reader: &mut crate::model::RowReader<'_>) -> Result<Self>;
}

/// A field type that a string `default = "..."` can initialise.
#[doc(hidden)]
#[diagnostic::on_unimplemented(message = "`default = \"...\"` needs a text field, not `{Self}`")]
pub trait DefaultStr: Sized {
    /// The default value.
    fn default_str(value: &'static str) -> Self;
}
impl DefaultStr for String {
    fn default_str(value: &'static str) -> Self {
        value.to_owned()
    }
}

/// A field type that `default = true/false` can initialise.
#[doc(hidden)]
#[diagnostic::on_unimplemented(message = "`default = true/false` needs a bool field, not `{Self}`")]
pub trait DefaultBool: Sized {
    /// The default value.
    fn default_bool(value: bool) -> Self;
}
impl DefaultBool for bool {
    fn default_bool(value: bool) -> Self {
        value
    }
}

/// A field type that an integer `default` can initialise.
#[doc(hidden)]
#[diagnostic::on_unimplemented(message = "an integer `default` needs a numeric field, not `{Self}`")]
pub trait DefaultInt: Sized {
    /// The default value (the derive checks the literal fits).
    fn default_int(value: i64) -> Self;
}

/// A field type that a float `default` can initialise.
#[doc(hidden)]
#[diagnostic::on_unimplemented(message = "a float `default` needs a float field, not `{Self}`")]
pub trait DefaultFloat: Sized {
    /// The default value.
    fn default_float(value: f64) -> Self;
}

macro_rules! numeric_defaults {
    (int: $($i:ty),*; float: $($f:ty),*) => {
        $(impl DefaultInt for $i {
            #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
            fn default_int(value: i64) -> Self { value as $i }
        })*
        $(impl DefaultFloat for $f {
            #[allow(clippy::cast_possible_truncation)]
            fn default_float(value: f64) -> Self { value as $f }
        })*
    };
}
numeric_defaults!(int: i16, i32, i64, f32, f64; float: f32, f64);

/// A field type that `default = now` can initialise.
#[doc(hidden)]
#[diagnostic::on_unimplemented(message = "`default = now` needs a timestamp or date field, not `{Self}`")]
pub trait DefaultNow: Sized {
    /// The current time.
    fn default_now() -> Self;
}
impl DefaultNow for chrono::DateTime<chrono::Utc> {
    fn default_now() -> Self {
        now_micros()
    }
}
impl DefaultNow for chrono::NaiveDateTime {
    fn default_now() -> Self {
        now_micros().naive_utc()
    }
}
impl DefaultNow for chrono::NaiveDate {
    fn default_now() -> Self {
        chrono::Utc::now().date_naive()
    }
}

/// A field type that `default = uuid4` can initialise.
#[doc(hidden)]
#[diagnostic::on_unimplemented(message = "`default = uuid4` needs a `uuid::Uuid` field, not `{Self}`")]
pub trait DefaultUuid4: Sized {
    /// A new random UUID.
    fn default_uuid4() -> Self;
}
#[cfg(feature = "uuid")]
impl DefaultUuid4 for uuid::Uuid {
    fn default_uuid4() -> Self {
        uuid::Uuid::new_v4()
    }
}

macro_rules! optional_defaults {
    ($($trait:ident::$method:ident($($arg:ident: $argty:ty)?)),*) => {$(
        impl<T: $trait> $trait for Option<T> {
            fn $method($($arg: $argty)?) -> Self {
                Some(T::$method($($arg)?))
            }
        }
    )*};
}
optional_defaults!(
    DefaultStr::default_str(value: &'static str),
    DefaultBool::default_bool(value: bool),
    DefaultInt::default_int(value: i64),
    DefaultFloat::default_float(value: f64),
    DefaultNow::default_now(),
    DefaultUuid4::default_uuid4()
);
