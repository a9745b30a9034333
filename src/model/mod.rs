//! The `Model` trait and the table metadata that `#[derive(Model)]` generates.

mod hooks;
pub(crate) mod names;
mod relation_meta;

pub use hooks::ModelHooks;
pub use relation_meta::{ForeignKeyMeta, OnDelete, RelationKind, RelationMeta};

use crate::driver::{Args, RowRef};
use crate::error::{Result, ValidationErrors};
use crate::validators::FieldValidators;
use crate::value::{ColumnType, FieldType, Value};
use chrono::{DateTime, Utc};

/// Everything kata knows about a model's table: what the DDL generator, the query compiler
/// and the validators read. `#[derive(Model)]` builds one `static` per model.
///
/// ```
/// # use kata::prelude::*;
/// #[derive(Model, Debug, Clone, PartialEq)]
/// #[kata(table = "auth_user")]
/// struct User {
///     #[kata(primary_key, auto)]
///     id: i64,
///     #[kata(unique, max_length = 150)]
///     username: String,
/// }
/// let meta = User::meta();
/// assert_eq!(meta.table, "auth_user");
/// assert_eq!(meta.columns[1].name, "username");
/// assert_eq!(meta.columns[1].max_length, Some(150));
/// assert_eq!(meta.primary_key, &[0]);
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct ModelMeta {
    /// The Rust struct's name, used in error messages.
    pub name: &'static str,
    /// The table name.
    pub table: &'static str,
    /// The columns, in struct-field order (the order of every SELECT list).
    pub columns: &'static [ColumnMeta],
    /// Indexes into `columns` of the primary key (several for a composite key).
    pub primary_key: &'static [usize],
    /// Column-name groups that must be unique together.
    pub unique_together: &'static [&'static [&'static str]],
    /// Relations that are not columns (`ManyToMany`, `HasMany`), in field order.
    pub relations: &'static [RelationMeta],
    /// Link tables this model's many-to-many fields generated (created with the model).
    pub through_tables: &'static [fn() -> &'static ModelMeta],
}

impl ModelMeta {
    /// Used by `#[derive(Model)]` (the metadata is `#[non_exhaustive]`).
    #[doc(hidden)]
    pub const fn __new(
        name: &'static str,
        table: &'static str,
        columns: &'static [ColumnMeta],
        primary_key: &'static [usize],
        unique_together: &'static [&'static [&'static str]],
        relations: &'static [RelationMeta],
        through_tables: &'static [fn() -> &'static ModelMeta],
    ) -> Self {
        ModelMeta { name, table, columns, primary_key, unique_together, relations, through_tables }
    }
}

/// One column of a model.
#[derive(Debug)]
#[non_exhaustive]
pub struct ColumnMeta {
    /// The Rust field name.
    pub field: &'static str,
    /// The column name (the field name unless `#[kata(column = "...")]`).
    pub name: &'static str,
    /// The storage class.
    pub ty: ColumnType,
    /// Whether NULL is allowed (the field is an `Option`).
    pub nullable: bool,
    /// Part of the primary key.
    pub primary_key: bool,
    /// Assigned by the database on insert.
    pub auto: bool,
    /// Unique on its own.
    pub unique: bool,
    /// Indexed.
    pub index: bool,
    /// The most characters a text value may have.
    pub max_length: Option<u32>,
    /// Must look like an e-mail address.
    pub email: bool,
    /// May be the empty string (`#[kata(blank)]`, Django's `blank=True`, or a default of
    /// `""`): `""` passes the `email` rule.
    pub blank: bool,
    /// The default for inserts that leave the column out.
    pub default: Option<DefaultValue>,
    /// The relation, when the column is a foreign key.
    pub foreign_key: Option<ForeignKeyMeta>,
    /// The validators declared on the field (`min_value`, `min_length`, `url`, `slug`,
    /// `regex`, `validators(..)`): [`FieldValidators::NONE`] when there are none.
    pub validators: &'static FieldValidators,
}

impl ColumnMeta {
    /// Used by `#[derive(Model)]`: the metadata is `#[non_exhaustive]`, so that kata can
    /// grow it without breaking anyone, and generated code builds it here.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)] // one argument per field, called by generated code only
    pub const fn __new(
        field: &'static str,
        name: &'static str,
        ty: ColumnType,
        nullable: bool,
        primary_key: bool,
        auto: bool,
        unique: bool,
        index: bool,
        max_length: Option<u32>,
        email: bool,
        default: Option<DefaultValue>,
        foreign_key: Option<ForeignKeyMeta>,
    ) -> Self {
        ColumnMeta {
            field,
            name,
            ty,
            nullable,
            primary_key,
            auto,
            unique,
            index,
            max_length,
            email,
            blank: false,
            default,
            foreign_key,
            validators: &FieldValidators::NONE,
        }
    }

    /// Used by `#[derive(Model)]`: the field's validators.
    #[doc(hidden)]
    pub const fn __validators(mut self, validators: &'static FieldValidators) -> Self {
        self.validators = validators;
        self
    }

    /// Used by `#[derive(Model)]`: marks a `blank` column.
    #[doc(hidden)]
    pub const fn __blank(mut self, blank: bool) -> Self {
        self.blank = blank;
        self
    }
}

/// The field types that `#[kata(blank)]` applies to: text, nullable or not.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`blank` is for text fields (`String`, `Option<String>`), not `{Self}`"
)]
pub trait BlankText {
    /// Always true: the derive reads it to check the type.
    const BLANK: bool = true;
}
impl BlankText for String {}
impl BlankText for Option<String> {}

/// A column default, as written in `#[kata(default = ...)]`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum DefaultValue {
    /// `default = true`.
    Bool(bool),
    /// `default = 3`.
    Int(i64),
    /// `default = 1.5`.
    Float(f64),
    /// `default = "text"`.
    Str(&'static str),
    /// `default = now`: the current timestamp.
    Now,
    /// `default = uuid4`: a new random UUID for each row (Django's `default=uuid.uuid4`),
    /// made by kata, never by the database.
    Uuid4,
}

impl DefaultValue {
    /// Used by `#[derive(Model)]`: a blank text field without a default takes `""`, or NULL
    /// when it is nullable (Django's `Field.get_default`).
    #[doc(hidden)]
    pub const fn __blank(nullable: bool) -> Option<DefaultValue> {
        if nullable { None } else { Some(DefaultValue::Str("")) }
    }

    /// The value this default stands for in a column of type `ty`, as inserts send it;
    /// `now` is the current time to use for `Now` (one instant for a whole insert).
    pub(crate) fn value(self, ty: ColumnType, now: DateTime<Utc>) -> Value {
        match (self, ty) {
            (DefaultValue::Bool(b), _) => Value::Bool(b),
            (DefaultValue::Int(i), ColumnType::SmallInt) => {
                i16::try_from(i).map_or(Value::BigInt(i), Value::SmallInt)
            }
            (DefaultValue::Int(i), ColumnType::Integer) => {
                i32::try_from(i).map_or(Value::BigInt(i), Value::Int)
            }
            (DefaultValue::Int(i), ColumnType::UnsignedSmallInt) => {
                u16::try_from(i).map_or(Value::BigInt(i), Value::UnsignedSmallInt)
            }
            (DefaultValue::Int(i), ColumnType::UnsignedInt) => {
                u32::try_from(i).map_or(Value::BigInt(i), Value::UnsignedInt)
            }
            (DefaultValue::Int(i), ColumnType::UnsignedBigInt) => {
                u64::try_from(i).map_or(Value::BigInt(i), Value::UnsignedBigInt)
            }
            #[allow(clippy::cast_precision_loss)]
            (DefaultValue::Int(i), ColumnType::Float) => Value::Float(i as f32),
            #[allow(clippy::cast_precision_loss)]
            (DefaultValue::Int(i), ColumnType::Double) => Value::Double(i as f64),
            #[cfg(feature = "rust_decimal")]
            (DefaultValue::Int(i), ColumnType::Decimal { .. }) => Value::Decimal(i.into()),
            (DefaultValue::Int(i), _) => Value::BigInt(i),
            #[allow(clippy::cast_possible_truncation)]
            (DefaultValue::Float(f), ColumnType::Float) => Value::Float(f as f32),
            (DefaultValue::Float(f), _) => Value::Double(f),
            (DefaultValue::Str(s), _) => Value::Text(s.to_owned()),
            (DefaultValue::Now, ColumnType::Date) => Value::Date(now.date_naive()),
            (DefaultValue::Now, ColumnType::Timestamp) => Value::Timestamp(now.naive_utc()),
            (DefaultValue::Now, ColumnType::Time) => Value::Time(now.time()),
            (DefaultValue::Now, _) => Value::TimestampTz(now),
            #[cfg(feature = "uuid")]
            (DefaultValue::Uuid4, _) => Value::Uuid(uuid::Uuid::new_v4()),
            #[cfg(not(feature = "uuid"))]
            (DefaultValue::Uuid4, _) => Value::Null(ty),
        }
    }
}

/// The current UTC time to the microsecond: what every backend stores, so that a value
/// made here compares equal to the same value read back.
pub(crate) fn now_micros() -> DateTime<Utc> {
    use chrono::Timelike;
    let now = Utc::now();
    now.with_nanosecond(now.nanosecond() / 1_000 * 1_000).unwrap_or(now)
}

impl ModelMeta {
    /// The column with this name, if any.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Tag { #[kata(primary_key)] id: i64, name: String }
    /// assert_eq!(Tag::meta().column("name").map(|c| c.ty), Some(kata::ColumnType::Text));
    /// ```
    pub fn column(&self, name: &str) -> Option<&'static ColumnMeta> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The index of the single `auto` column, if any.
    pub(crate) fn auto_column(&self) -> Option<usize> {
        self.columns.iter().position(|c| c.auto)
    }

    /// The name of the primary-key constraint, the same on every backend (`table_pkey`;
    /// every generated name past 63 bytes is shortened by [`crate::migrate::truncate_name`]).
    pub fn primary_key_name(&self) -> String {
        names::generated_name(self.table, &[], "pkey")
    }

    /// The name of the unique constraint over these columns, the same on every backend
    /// (PostgreSQL's own convention: `table_col1_col2_key`).
    pub fn unique_name(&self, columns: &[&str]) -> String {
        names::generated_name(self.table, columns, "key")
    }

    /// The name of the foreign-key constraint on `column`, the same on every backend
    /// (PostgreSQL's own convention: `table_column_fkey`).
    pub fn foreign_key_name(&self, column: &str) -> String {
        names::generated_name(self.table, &[column], "fkey")
    }

    /// The name of the index kata creates for an `index` column.
    pub fn index_name(&self, column: &str) -> String {
        names::generated_name(self.table, &[column], "idx")
    }
}

/// A database-backed struct. Derive it with `#[derive(Model)]`; do not implement it by hand.
///
/// The derive also generates, as inherent items of the struct: a typed field handle per
/// field (`User::username`), `User::pk`, `User::objects()` and `User::meta()`.
///
/// ```
/// # use kata::prelude::*;
/// #[derive(Model, Debug, Clone, PartialEq)]
/// struct Tag {
///     #[kata(primary_key, auto)]
///     id: i64,
///     #[kata(unique, max_length = 50)]
///     name: String,
/// }
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// db.create_tables(&[Tag::meta()]).await?;
/// let mut tag = Tag::objects().acreate(&db, Tag { id: 0, name: "rust".into() }).await?;
/// assert!(tag.id > 0);
/// tag.name = "async".into();
/// tag.asave(&db).await?;
/// assert_eq!(Tag::objects().aget(&db, Tag::pk.eq(tag.id)).await?.name, "async");
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a kata model",
    label = "`{Self}` needs `#[derive(Model)]`",
    note = "add `#[derive(Model)]` to `{Self}`"
)]
pub trait Model: Sized + Send + Sync + Unpin + 'static {
    /// The primary key's type: the field's type, or a tuple for a composite key.
    type Pk: Clone + Eq + std::hash::Hash + Send + Sync + std::fmt::Debug + 'static;

    /// The table metadata.
    fn meta() -> &'static ModelMeta;

    /// Whether the model declares hooks (`#[kata(hooks)]`): a constant, so that the writes
    /// of a model without them open no transaction and make no call for them.
    #[doc(hidden)]
    const __HAS_HOOKS: bool = false;

    /// The hooks, for a model with `#[kata(hooks)]`.
    #[doc(hidden)]
    fn __hooks_mut(&mut self) -> Option<&mut dyn ModelHooks> {
        None
    }

    /// The hooks, for a model with `#[kata(hooks)]`.
    #[doc(hidden)]
    fn __hooks(&self) -> Option<&dyn ModelHooks> {
        None
    }

    /// The primary key of this instance.
    fn pk(&self) -> Self::Pk;

    /// Decodes a row whose columns are this model's columns, in order, from `reader`'s
    /// position on.
    #[doc(hidden)]
    fn __decode(reader: &mut RowReader<'_>) -> Result<Self>;

    /// Binds the value of column `index` as the next parameter.
    #[doc(hidden)]
    fn __bind_column(&self, index: usize, args: &mut Args) -> Result<()>;

    /// Stores a database-assigned key in the `auto` field (a no-op without one).
    #[doc(hidden)]
    fn __set_auto_pk(&mut self, value: i64) -> Result<()>;

    /// True when the `auto` key still holds its unsaved value (zero).
    #[doc(hidden)]
    fn __is_unsaved(&self) -> bool;

    /// Checks the rules stated on the fields (`max_length`, `email`).
    #[doc(hidden)]
    fn __validate(&self, errors: &mut ValidationErrors);

    /// The value of column `index`.
    #[doc(hidden)]
    fn __column_value(&self, index: usize) -> crate::Value;

    /// Points the to-many relation fields at this row's key (after decoding or inserting).
    #[doc(hidden)]
    fn __sync_relations(&mut self) {}

    /// A copy of the row when the model is `Clone` (the derive fills this in), for
    /// prefetched rows that two owners share.
    #[doc(hidden)]
    fn __clone_model(&self) -> Option<Self> {
        None
    }

    /// Every rule the fields break (`max_length`, `email`), each with its field: what
    /// [`validate`](Self::validate) returns inside its error, without a `match`. Empty
    /// when the instance is valid.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Tag { #[kata(primary_key)] id: i64, #[kata(max_length = 3)] name: String }
    /// let errors = Tag { id: 1, name: "toolong".into() }.validation_errors();
    /// let e = errors.iter().next().unwrap();
    /// assert_eq!((e.field.as_str(), e.code), ("name", "max_length"));
    /// assert_eq!(e.params["max_length"], 3);
    /// assert!(Tag { id: 1, name: "ok".into() }.validation_errors().is_empty());
    /// ```
    fn validation_errors(&self) -> ValidationErrors {
        let mut errors = ValidationErrors::default();
        self.__validate(&mut errors);
        errors
    }

    /// Checks the rules stated on the fields: `max_length`, `email`, a decimal's precision
    /// and the validators (`min_value`, `max_value`, `min_length`, `url`, `slug`, `regex`,
    /// `validators(..)`), reporting every violation. Every write (`acreate`, `asave`,
    /// `abulk_create`, ...) runs it first.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Tag { #[kata(primary_key)] id: i64, #[kata(max_length = 3)] name: String }
    /// let err = Tag { id: 1, name: "toolong".into() }.validate().unwrap_err();
    /// assert!(matches!(err, kata::Error::Validation(ref v) if v.len() == 1));
    /// ```
    fn validate(&self) -> Result<()> {
        let mut errors = ValidationErrors::default();
        self.__validate(&mut errors);
        errors.into_result()
    }
}

/// Reads the columns of a row in order.
#[doc(hidden)]
#[derive(Debug)]
pub struct RowReader<'r> {
    row: RowRef<'r>,
    index: usize,
}

impl<'r> RowReader<'r> {
    pub(crate) fn new(row: RowRef<'r>) -> Self {
        RowReader { row, index: 0 }
    }

    /// Whether the column `offset` places ahead is NULL.
    pub(crate) fn is_null_at(&self, offset: usize) -> Result<bool> {
        crate::value::is_null(self.row, self.index + offset)
    }

    /// The index of the next column, and the row.
    pub(crate) fn position(&self) -> (usize, RowRef<'r>) {
        (self.index, self.row)
    }

    /// Skips `n` columns.
    pub(crate) fn skip(&mut self, n: usize) {
        self.index += n;
    }

    /// Decodes the next column.
    #[inline]
    #[allow(clippy::should_implement_trait)]
    pub fn next<T: FieldType>(&mut self) -> Result<T> {
        self.read(T::decode)
    }

    /// Decodes the next column with `decode`. Generated code passes
    /// `<T as FieldType>::decode`: with no `T: FieldType` bound here, a field whose type is
    /// not a field type gets one error, at that path, instead of a second one for this call.
    #[doc(hidden)]
    #[inline]
    pub fn read<T>(&mut self, decode: fn(RowRef<'r>, usize) -> Result<T>) -> Result<T> {
        let value = decode(self.row, self.index);
        self.index += 1;
        value
    }
}

/// Called by generated code: records a `max_length` violation.
#[doc(hidden)]
pub fn validate_max_length<T: FieldType>(value: &T, max: u32, field: &str, errors: &mut ValidationErrors) {
    if let Some(len) = value.char_len()
        && len > max as usize
    {
        max_length_error(errors, field, max, len);
    }
}

/// Records that `field` has `len` characters, more than its `max_length` of `max`, with
/// `max_length` as the error's parameter.
pub(crate) fn max_length_error(errors: &mut ValidationErrors, field: &str, max: u32, len: usize) {
    let mut params = serde_json::Map::new();
    params.insert("max_length".into(), max.into());
    errors.add_with(field, "max_length", format!("at most {max} characters (it has {len})"), params);
}

/// Called by generated code: records an `email` violation.
#[doc(hidden)]
pub fn validate_email<T: FieldType>(value: &T, field: &str, errors: &mut ValidationErrors) {
    if let Some(text) = value.as_text()
        && !is_email(text)
    {
        errors.add(field, "email", "enter a valid e-mail address");
    }
}

/// Called by generated code: the `email` rule, which the empty string passes on a `blank`
/// field.
#[doc(hidden)]
pub fn validate_email_unless_blank<T: FieldType>(
    value: &T,
    blank: bool,
    field: &str,
    errors: &mut ValidationErrors,
) {
    if !(blank && value.as_text() == Some("")) {
        validate_email(value, field, errors);
    }
}

/// A deliberately small e-mail check: one `@`, a non-empty local part, a dotted domain,
/// no spaces (the shape Django's EmailValidator accepts for ordinary addresses).
pub(crate) fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else { return false };
    !local.is_empty()
        && !text.chars().any(char::is_whitespace)
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
}

/// Generated code asks "is this model `Clone`?" through these (autoref specialization: the
/// method of [`CloneIfClone`] is found first when the type is `Clone`, otherwise that of
/// [`CloneFallback`]); models are never generic, so the answer is known where it is asked.
#[doc(hidden)]
#[derive(Debug)]
pub struct CloneProbe<'a, T>(pub &'a T);

/// See [`CloneProbe`].
#[doc(hidden)]
pub trait CloneIfClone<T> {
    fn __kata_clone(&self) -> Option<T>;
}

impl<T: Clone> CloneIfClone<T> for CloneProbe<'_, T> {
    fn __kata_clone(&self) -> Option<T> {
        Some(self.0.clone())
    }
}

/// See [`CloneProbe`].
#[doc(hidden)]
pub trait CloneFallback<T> {
    fn __kata_clone(&self) -> Option<T>;
}

impl<T> CloneFallback<T> for &CloneProbe<'_, T> {
    fn __kata_clone(&self) -> Option<T> {
        None
    }
}
