//! `Choices`: a fieldless enum as a model field, Django's `TextChoices` and
//! `IntegerChoices`.

use std::fmt::{self, Debug};
use std::marker::PhantomData;

/// A fieldless enum whose variants are the only values a field may hold, like Django's
/// `TextChoices` and `IntegerChoices`. Derive it with `#[derive(kata::Choices)]`.
///
/// The derive also makes the enum a [`FieldType`](crate::FieldType) (so a model field can be
/// `Status` or `Option<Status>`), serialises it as its value with serde, and describes it in
/// JSON Schema as an `enum` of its values.
///
/// By default a value is stored as text: the variant's name as written, or the name after
/// the container's `#[kata(rename_all = "...")]` (`"snake_case"`, `"lowercase"`,
/// `"UPPERCASE"`, `"camelCase"`, `"kebab-case"`, `"SCREAMING_SNAKE_CASE"`), or the text a
/// variant gives with `#[kata(value = "...")]`.
///
/// ```
/// use kata::Choices;
///
/// #[derive(kata::Choices, Debug, Clone, Copy, PartialEq)]
/// #[kata(rename_all = "snake_case")]
/// enum Status {
///     Draft,
///     InReview,
///     #[kata(value = "pub")]
///     Published,
/// }
///
/// assert_eq!(Status::VALUES, &["draft", "in_review", "pub"]);
/// assert_eq!(Status::InReview.as_str(), "in_review");
/// assert_eq!(Status::from_str_value("pub"), Some(Status::Published));
/// assert_eq!(Status::from_str_value("Published"), None);
/// assert_eq!(serde_json::to_string(&Status::Draft).unwrap(), r#""draft""#);
/// ```
///
/// With `#[repr(i16)]`, `#[repr(i32)]` or `#[repr(i64)]` the enum is stored as that integer
/// instead: each value is the variant's discriminant (written as an integer literal, or
/// implicit), and serde reads and writes the number. The text form is the number in decimal.
///
/// ```
/// use kata::Choices;
///
/// #[derive(kata::Choices, Debug, Clone, Copy, PartialEq)]
/// #[repr(i16)]
/// enum Priority {
///     Low = 1,
///     Normal,
///     High = 10,
/// }
///
/// assert_eq!(Priority::VALUES, &["1", "2", "10"]);
/// assert_eq!(Priority::Normal.as_str(), "2");
/// assert_eq!(Priority::from_str_value("10"), Some(Priority::High));
/// assert_eq!(serde_json::to_string(&Priority::High).unwrap(), "10");
/// assert_eq!(<Priority as kata::FieldType>::COLUMN_TYPE, kata::ColumnType::SmallInt);
/// ```
pub trait Choices: Sized + 'static {
    /// The text form of every value, in declaration order.
    ///
    /// ```
    /// # use kata::Choices;
    /// #[derive(kata::Choices)]
    /// enum Color { Red, Green }
    /// assert_eq!(Color::VALUES, &["Red", "Green"]);
    /// ```
    const VALUES: &'static [&'static str];

    /// The text form of this value: what a text choice stores, or the decimal discriminant of
    /// an integer choice.
    ///
    /// ```
    /// # use kata::Choices;
    /// #[derive(kata::Choices)]
    /// #[kata(rename_all = "lowercase")]
    /// enum Color { Red, Green }
    /// assert_eq!(Color::Green.as_str(), "green");
    /// ```
    fn as_str(&self) -> &'static str;

    /// The value whose text form is `value`, or `None` when no variant has it. The match is
    /// exact (case-sensitive).
    ///
    /// ```
    /// # use kata::Choices;
    /// #[derive(kata::Choices, Debug, PartialEq)]
    /// #[kata(rename_all = "lowercase")]
    /// enum Color { Red, Green }
    /// assert_eq!(Color::from_str_value("red"), Some(Color::Red));
    /// assert_eq!(Color::from_str_value("Red"), None);
    /// ```
    fn from_str_value(value: &str) -> Option<Self>;
}

/// Used by the code `#[derive(Choices)]` generates; not a public API.
#[doc(hidden)]
pub mod derive_support {
    use schemars::Schema;
    use serde::de::{self, Deserializer, Visitor};

    use super::{Choices, ExpectedValues, PhantomData, fmt};
    use crate::driver::{Args, RowRef, bind_static_str};
    use crate::error::{Error, Result};
    use crate::value::FieldType;

    /// Decodes a text choice: reads the text, then looks the variant up.
    pub fn decode_text<T: Choices>(row: RowRef<'_>, index: usize, name: &'static str) -> Result<T> {
        let text = String::decode(row, index)?;
        T::from_str_value(&text)
            .ok_or_else(|| Error::decode_msg(format!("a value: {}", unknown_text::<T>(name, &text))))
    }

    /// Binds the stored text of a text choice.
    pub fn bind_text<T: Choices>(value: &T, args: &mut Args) -> Result<()> {
        bind_static_str(value.as_str(), args)
    }

    /// The error for an integer read from the database that no variant has.
    pub fn unknown_integer_error<T: Choices>(name: &'static str, value: i64) -> Error {
        Error::decode_msg(format!("a value: {}", unknown_integer::<T>(name, value)))
    }

    /// Deserialises a text choice from a string.
    pub fn deserialize_text<'de, T: Choices, D: Deserializer<'de>>(
        deserializer: D,
        name: &'static str,
    ) -> std::result::Result<T, D::Error> {
        deserializer.deserialize_str(TextVisitor::<T> { name, _marker: PhantomData })
    }

    /// The serde error for an integer that no variant has.
    pub fn unknown_integer_de<T: Choices, E: de::Error>(name: &'static str, value: i64) -> E {
        E::custom(unknown_integer::<T>(name, value))
    }

    /// `{"type": "string", "enum": [...]}`.
    pub fn text_schema<T: Choices>() -> Schema {
        enum_schema("string", T::VALUES.iter().map(|v| serde_json::Value::from(*v)).collect())
    }

    /// `{"type": "integer", "enum": [...]}`.
    pub fn integer_schema(values: &[i64]) -> Schema {
        enum_schema("integer", values.iter().map(|v| serde_json::Value::from(*v)).collect())
    }

    fn enum_schema(ty: &str, values: Vec<serde_json::Value>) -> Schema {
        let mut map = serde_json::Map::new();
        map.insert("type".to_owned(), ty.into());
        map.insert("enum".to_owned(), values.into());
        Schema::from(map)
    }

    fn unknown_text<T: Choices>(name: &str, value: &str) -> String {
        format!("{value:?} is not a {name} value; expected one of: {}", ExpectedValues::<T>::quoted())
    }

    fn unknown_integer<T: Choices>(name: &str, value: i64) -> String {
        format!("{value} is not a {name} value; expected one of: {}", ExpectedValues::<T>::plain())
    }

    struct TextVisitor<T> {
        name: &'static str,
        _marker: PhantomData<fn() -> T>,
    }

    impl<T: Choices> Visitor<'_> for TextVisitor<T> {
        type Value = T;

        fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(formatter, "a {} value, one of: {}", self.name, ExpectedValues::<T>::quoted())
        }

        fn visit_str<E: de::Error>(self, value: &str) -> std::result::Result<T, E> {
            T::from_str_value(value).ok_or_else(|| E::custom(unknown_text::<T>(self.name, value)))
        }
    }
}

/// The values of `T` for an error message: `"draft", "published"` or `1, 2, 3`.
struct ExpectedValues<T> {
    quoted: bool,
    _marker: PhantomData<fn() -> T>,
}

impl<T: Choices> ExpectedValues<T> {
    fn quoted() -> Self {
        ExpectedValues { quoted: true, _marker: PhantomData }
    }

    fn plain() -> Self {
        ExpectedValues { quoted: false, _marker: PhantomData }
    }
}

impl<T: Choices> fmt::Display for ExpectedValues<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, value) in T::VALUES.iter().enumerate() {
            if i > 0 {
                formatter.write_str(", ")?;
            }
            if self.quoted {
                Debug::fmt(value, formatter)?;
            } else {
                formatter.write_str(value)?;
            }
        }
        Ok(())
    }
}
