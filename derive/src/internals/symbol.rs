//! The names of kata's attributes and their keys, in one place.

use std::fmt::{self, Display};

use syn::Path;

/// An attribute name or key, compared with a parsed path or identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Symbol(pub(crate) &'static str);

/// The attribute itself: `#[kata(...)]`.
pub(crate) const KATA: Symbol = Symbol("kata");

/// Field: a foreign key (`ForeignKey<T>`).
pub(crate) const FOREIGN_KEY: Symbol = Symbol("foreign_key");
/// Field: a one-to-one relation (`OneToOne<T>`).
pub(crate) const ONE_TO_ONE: Symbol = Symbol("one_to_one");
/// Field: `on_delete = "cascade"`.
pub(crate) const ON_DELETE: Symbol = Symbol("on_delete");
/// Field: `related_name = "posts"`.
pub(crate) const RELATED_NAME: Symbol = Symbol("related_name");
/// Field: `many_to_many` or `many_to_many(through = ...)`.
pub(crate) const MANY_TO_MANY: Symbol = Symbol("many_to_many");
/// Inside `many_to_many(..)`: `through = "table"` or `through = Model`.
pub(crate) const THROUGH: Symbol = Symbol("through");
/// Many-to-many: `columns("user_id", "group_id")`, the link table's column names.
pub(crate) const COLUMNS: Symbol = Symbol("columns");
/// Many-to-many: `through_fields(person, group)`, the through model's foreign keys.
pub(crate) const THROUGH_FIELDS: Symbol = Symbol("through_fields");
/// Field: `reverse_of = Post::author`.
pub(crate) const REVERSE_OF: Symbol = Symbol("reverse_of");

/// Container: `table = "name"`.
pub(crate) const TABLE: Symbol = Symbol("table");
/// Container: the model implements `ModelHooks`.
pub(crate) const HOOKS: Symbol = Symbol("hooks");
/// Container: `unique_together(field_a, field_b)`.
pub(crate) const UNIQUE_TOGETHER: Symbol = Symbol("unique_together");

/// Field: part of the primary key.
pub(crate) const PRIMARY_KEY: Symbol = Symbol("primary_key");
/// Field: assigned by the database on insert.
pub(crate) const AUTO: Symbol = Symbol("auto");
/// Field: unique on its own.
pub(crate) const UNIQUE: Symbol = Symbol("unique");
/// Field: indexed.
pub(crate) const INDEX: Symbol = Symbol("index");
/// Field: must look like an e-mail address.
pub(crate) const EMAIL: Symbol = Symbol("email");
/// Field: may be the empty string (Django's `blank=True`).
pub(crate) const BLANK: Symbol = Symbol("blank");
/// Field: `max_length = 150`.
pub(crate) const MAX_LENGTH: Symbol = Symbol("max_length");
/// Field: `max_digits = 10` (a decimal's precision).
pub(crate) const MAX_DIGITS: Symbol = Symbol("max_digits");
/// Field: `decimal_places = 2` (a decimal's scale).
pub(crate) const DECIMAL_PLACES: Symbol = Symbol("decimal_places");
/// Field: `min_value = 0` (Django's `MinValueValidator`).
pub(crate) const MIN_VALUE: Symbol = Symbol("min_value");
/// Field: `max_value = 100` (`MaxValueValidator`).
pub(crate) const MAX_VALUE: Symbol = Symbol("max_value");
/// Field: `min_length = 3` (`MinLengthValidator`).
pub(crate) const MIN_LENGTH: Symbol = Symbol("min_length");
/// Field: a URL (`URLValidator`).
pub(crate) const URL: Symbol = Symbol("url");
/// Field: a slug (`validate_slug`).
pub(crate) const SLUG: Symbol = Symbol("slug");
/// Field: `regex = "..."` (`RegexValidator`).
pub(crate) const REGEX: Symbol = Symbol("regex");
/// `slug(allow_unicode)`: Django's `SlugField(allow_unicode=True)`.
pub(crate) const ALLOW_UNICODE: Symbol = Symbol("allow_unicode");
/// `regex(pattern = "..", ..)`.
pub(crate) const PATTERN: Symbol = Symbol("pattern");
/// `regex(.., message = "..")`.
pub(crate) const MESSAGE: Symbol = Symbol("message");
/// `regex(.., code = "..")`.
pub(crate) const CODE: Symbol = Symbol("code");
/// `regex(.., inverse_match)`.
pub(crate) const INVERSE_MATCH: Symbol = Symbol("inverse_match");
/// Field: `validators(path::to::fn, ..)`, custom validators.
pub(crate) const VALIDATORS: Symbol = Symbol("validators");
/// `default = uuid4`.
pub(crate) const UUID4: Symbol = Symbol("uuid4");
/// Field: `default = <literal>` or `default = now`.
pub(crate) const DEFAULT: Symbol = Symbol("default");
/// Field: `column = "name"`.
pub(crate) const COLUMN: Symbol = Symbol("column");

/// The value of `default = now`.
pub(crate) const NOW: Symbol = Symbol("now");

/// `#[derive(Choices)]` container and schema: `rename_all = "snake_case"`.
pub(crate) const RENAME_ALL: Symbol = Symbol("rename_all");
/// `#[derive(Choices)]` variant: `value = "text"`.
pub(crate) const VALUE: Symbol = Symbol("value");

/// `#[derive(ModelSchema)]`'s attribute: `#[model_schema(Name, ...)]`.
pub(crate) const MODEL_SCHEMA: Symbol = Symbol("model_schema");
/// Schema: `fields(a, b)` or `fields = "__all__"`.
pub(crate) const FIELDS: Symbol = Symbol("fields");
/// Schema: `exclude(a, b)`.
pub(crate) const EXCLUDE: Symbol = Symbol("exclude");
/// Schema: `optional(a, b)` or `optional = "__all__"`.
pub(crate) const OPTIONAL: Symbol = Symbol("optional");
/// Schema: `nested(author = UserOut)`.
pub(crate) const NESTED: Symbol = Symbol("nested");
/// Schema: `derive(Eq, Hash)`, extra derives on the generated struct.
pub(crate) const DERIVE: Symbol = Symbol("derive");
/// Schema: `doc = "..."`, the struct's doc comment and JSON Schema description.
pub(crate) const DOC: Symbol = Symbol("doc");
/// Schema: `no_default`, no `Default` impl.
pub(crate) const NO_DEFAULT: Symbol = Symbol("no_default");

/// `#[kata::test]`: `backends = "postgres,mysql"`.
pub(crate) const BACKENDS: Symbol = Symbol("backends");

/// The container keys, in the order error messages list them.
pub(crate) const CONTAINER_KEYS: &[Symbol] = &[TABLE, UNIQUE_TOGETHER, HOOKS];

/// The field keys, in the order error messages list them.
pub(crate) const FIELD_KEYS: &[Symbol] = &[
    PRIMARY_KEY,
    AUTO,
    UNIQUE,
    INDEX,
    EMAIL,
    BLANK,
    MAX_LENGTH,
    MAX_DIGITS,
    DECIMAL_PLACES,
    MIN_VALUE,
    MAX_VALUE,
    MIN_LENGTH,
    URL,
    SLUG,
    REGEX,
    VALIDATORS,
    DEFAULT,
    COLUMN,
    FOREIGN_KEY,
    ONE_TO_ONE,
    ON_DELETE,
    RELATED_NAME,
    MANY_TO_MANY,
    REVERSE_OF,
];

/// The `#[derive(Choices)]` container keys.
pub(crate) const CHOICES_KEYS: &[Symbol] = &[RENAME_ALL];

/// The `#[derive(Choices)]` variant keys.
pub(crate) const VARIANT_KEYS: &[Symbol] = &[VALUE];

/// The `#[model_schema(Name, ...)]` keys.
pub(crate) const SCHEMA_KEYS: &[Symbol] =
    &[FIELDS, EXCLUDE, OPTIONAL, NESTED, DERIVE, RENAME_ALL, DOC, NO_DEFAULT];

/// `a, b, c`: the keys an "unknown attribute" message suggests.
pub(crate) fn list(symbols: &[Symbol]) -> String {
    symbols.iter().map(|s| s.0).collect::<Vec<_>>().join(", ")
}

impl PartialEq<Symbol> for Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl Display for Symbol {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.0)
    }
}
