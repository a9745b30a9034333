//! The runtime side of `#[derive(ModelSchema)]`: tri-state patch values, validation and
//! applying patches to models.

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
        let mut errors = ValidationErrors::default();
        self.validate_into(&mut errors);
        errors.into_result()
    }
}

/// Copies the fields a patch sets onto a model. `#[derive(ModelSchema)]` implements it for
/// every schema (fields that are `Absent` are left alone).
pub trait Apply<M> {
    /// Writes the set fields into `model`.
    fn apply_to(&self, model: &mut M);
}

/// Called by generated code: `max_length` and `email` on a schema field.
#[doc(hidden)]
pub fn check_field<T: FieldType>(
    value: &T,
    path: &str,
    max_length: Option<u32>,
    email: bool,
    errors: &mut ValidationErrors,
) {
    if let Some(max) = max_length {
        crate::model::validate_max_length(value, max, path, errors);
    }
    if email {
        crate::model::validate_email(value, path, errors);
    }
}

/// Called by generated code: a patch field's rules (`null` only where the column allows it).
#[doc(hidden)]
pub fn check_patch<T: FieldType>(
    value: &Patch<T>,
    path: &str,
    nullable: bool,
    max_length: Option<u32>,
    email: bool,
    errors: &mut ValidationErrors,
) {
    match value {
        Patch::Absent => {}
        Patch::Null if nullable => {}
        Patch::Null => errors.add(path, "null", "this field cannot be null"),
        Patch::Set(v) => check_field(v, path, max_length, email, errors),
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
    DefaultNow::default_now()
);
