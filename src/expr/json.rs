//! Django's JSONField lookups: key and index paths (`data__owner__name`, `data__tags__0`),
//! `has_key`, `has_keys`, `has_any_keys`, `contains`, `contained_by`, a key's `isnull`, and
//! comparisons of a key's value with JSON values, numbers and texts.

use std::marker::PhantomData;

use crate::expr::{BinOp, Expr, JsonOp, JsonStep, Node, OrderBy, Q};
use crate::field::Field;
use crate::model::Model;
use crate::types::Json;
use crate::value::FieldType;

/// JSON column types: `serde_json::Value` and [`Json<T>`]. Their fields have the JSON
/// lookups ([`Field::key`], [`Field::has_key`], `contains`, ...).
pub trait JsonField: FieldType {}
impl JsonField for serde_json::Value {}
impl<T> JsonField for Json<T> where Json<T>: FieldType {}

/// A number or a text, which a JSON key's value compares with in order (`gt`, `lt`, ...).
pub trait JsonScalar {
    /// The JSON value.
    #[doc(hidden)]
    fn into_json(self) -> serde_json::Value;
}

macro_rules! json_scalar {
    ($($ty:ty),*) => {$(
        impl JsonScalar for $ty {
            fn into_json(self) -> serde_json::Value {
                serde_json::Value::from(self)
            }
        }
    )*};
}
json_scalar!(i16, i32, i64, u16, u32, f32, f64, &str, String);

/// The value at a path inside a JSON field (Django's key transform `data__owner__name`):
/// compare it, test its keys, order by it, or select it.
///
/// A path is made of `key("name")` (an object's member) and `index(0)` (an array's
/// element) steps. Keys are bound parameters (or parts of one bound JSON path, quoted as
/// JSON strings), whatever they hold.
///
/// ```
/// use kata::prelude::*;
/// use kata::serde_json::{Value, json};
///
/// #[derive(Model, Debug, Clone, PartialEq)]
/// struct Dog { #[kata(primary_key, auto)] id: i64, name: String, data: Option<Value> }
///
/// # async fn demo() -> kata::Result<()> {
/// let db = Db::connect("sqlite::memory:").await?;
/// db.create_tables(&[Dog::meta()]).await?;
/// let rex = json!({"breed": "collie", "owner": {"name": "Bob"}, "tags": ["good", "old"], "age": 7});
/// Dog::objects().acreate(&db, [Dog::name.set("Rex"), Dog::data.set(Some(rex))]).await?;
/// Dog::objects().acreate(&db, [Dog::name.set("Fido"), Dog::data.set(Some(json!({"owner": null})))]).await?;
///
/// // Dog.objects.filter(data__owner__name="Bob"), data__tags__0="good", data__age__gt=5
/// let bob = Dog::data.key("owner").key("name").eq("Bob");
/// let first_tag = Dog::data.key("tags").index(0); // a top-level array's element: Dog::data.nth(0)
/// assert_eq!(Dog::objects().filter(bob).acount(&db).await?, 1);
/// assert_eq!(Dog::objects().filter(first_tag.eq("good")).acount(&db).await?, 1);
/// assert_eq!(Dog::objects().filter(Dog::data.key("age").gt(5)).acount(&db).await?, 1);
/// // has_key, and a key holding JSON null (data__owner=None) or missing (isnull)
/// assert_eq!(Dog::objects().filter(Dog::data.has_key("breed")).acount(&db).await?, 1);
/// assert_eq!(Dog::objects().filter(Dog::data.key("owner").eq(Value::Null)).acount(&db).await?, 1);
/// assert_eq!(Dog::objects().filter(Dog::data.key("breed").isnull(true)).acount(&db).await?, 1);
/// // values_list("data__owner__name") and KT("data__breed")
/// let names = Dog::objects().order_by([Dog::id.asc()]).values_list(Dog::data.key("owner").key("name"));
/// assert_eq!(names.alist(&db).await?, [Some(json!("Bob")), None]);
/// let breeds = Dog::objects().filter(Dog::data.key("breed").text().startswith("col"));
/// assert_eq!(breeds.acount(&db).await?, 1);
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub struct JsonPath<M> {
    pub(crate) doc: Node,
    pub(crate) path: Vec<JsonStep>,
    _marker: PhantomData<fn() -> M>,
}

impl<M> Clone for JsonPath<M> {
    fn clone(&self) -> Self {
        JsonPath { doc: self.doc.clone(), path: self.path.clone(), _marker: PhantomData }
    }
}

impl<M> std::fmt::Debug for JsonPath<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonPath").field("doc", &self.doc).field("path", &self.path).finish()
    }
}

impl<M> JsonPath<M> {
    fn node(self, op: JsonOp) -> Node {
        Node::Json { doc: Box::new(self.doc), path: self.path, op }
    }

    fn q(self, op: JsonOp) -> Q<M> {
        Q::from_node(self.node(op))
    }

    /// The member `key` of the object here (Django's `data__owner__name`).
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.path.push(JsonStep::Key(key.into()));
        self
    }

    /// The element `index` of the array here, from 0 (Django's `data__tags__0`).
    pub fn index(mut self, index: u32) -> Self {
        self.path.push(JsonStep::Index(index));
        self
    }

    /// The value here equals `value` (Django's key `exact`): `json!({"l": "m"})`, `"x"`,
    /// `14`, `true`, or `Value::Null` for a key holding JSON null (Django's `data__j=None`).
    /// A document without the key does not match, and is not matched by its negation either
    /// (Django's `exclude` leaves it out too).
    pub fn eq(self, value: impl Into<serde_json::Value>) -> Q<M> {
        self.q(JsonOp::Exact(value.into()))
    }

    /// The value here is one of `values` (Django's key `in`). An empty list matches no row.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # use kata::serde_json::{Value, json};
    /// # #[derive(Model, Debug)] struct Dog { #[kata(primary_key, auto)] id: i64, data: Value }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Dog::meta()]).await?;
    /// for age in [3, 7, 12] { Dog::objects().acreate(&db, [Dog::data.set(json!({"age": age}))]).await?; }
    /// // data__age__in=[3, 12], ordered by data__age descending
    /// let picked = Dog::objects().filter(Dog::data.key("age").is_in([3, 12])).order_by([Dog::data.key("age").desc()]);
    /// assert_eq!(picked.values_list(Dog::data.key("age")).alist(&db).await?, [Some(json!(12)), Some(json!(3))]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn is_in<V: Into<serde_json::Value>>(self, values: impl IntoIterator<Item = V>) -> Q<M> {
        let alternatives: Vec<Node> =
            values.into_iter().map(|v| self.clone().node(JsonOp::Exact(v.into()))).collect();
        if alternatives.is_empty() {
            return Q::none();
        }
        Q::from_node(Node::Or(alternatives))
    }

    fn compare(self, op: BinOp, value: impl JsonScalar) -> Q<M> {
        self.q(JsonOp::Compare(op, value.into_json()))
    }

    /// The value here is greater than a number or a text (Django's key `gt`). How values of
    /// other types compare is the backend's (see the README's backend table).
    pub fn gt(self, value: impl JsonScalar) -> Q<M> {
        self.compare(BinOp::Gt, value)
    }
    /// `>=` (Django's key `gte`).
    pub fn gte(self, value: impl JsonScalar) -> Q<M> {
        self.compare(BinOp::Gte, value)
    }
    /// `<` (Django's key `lt`).
    pub fn lt(self, value: impl JsonScalar) -> Q<M> {
        self.compare(BinOp::Lt, value)
    }
    /// `<=` (Django's key `lte`).
    pub fn lte(self, value: impl JsonScalar) -> Q<M> {
        self.compare(BinOp::Lte, value)
    }

    /// `true`: the document has no value here (the key is missing, or the document is NULL);
    /// `false`: it has one, JSON null included (Django's key `isnull`; `isnull(false)` is
    /// `has_key`).
    pub fn isnull(self, is_null: bool) -> Q<M> {
        Q::from_node(Node::IsNull(Box::new(self.node(JsonOp::Value)), is_null))
    }

    /// The object here has the member `key` (Django's `data__owner__has_key`).
    pub fn has_key(self, key: impl Into<String>) -> Q<M> {
        self.q(JsonOp::HasKeys(vec![key.into()], true))
    }

    /// The object here has every one of `keys` (Django's `has_keys`).
    pub fn has_keys<K: Into<String>>(self, keys: impl IntoIterator<Item = K>) -> Q<M> {
        self.q(JsonOp::HasKeys(keys.into_iter().map(Into::into).collect(), true))
    }

    /// The object here has at least one of `keys` (Django's `has_any_keys`).
    pub fn has_any_keys<K: Into<String>>(self, keys: impl IntoIterator<Item = K>) -> Q<M> {
        self.q(JsonOp::HasKeys(keys.into_iter().map(Into::into).collect(), false))
    }

    /// The value here contains `value` (Django's `contains` on a key): PostgreSQL's `@>`,
    /// MySQL's and MariaDB's `JSON_CONTAINS`; refused on SQLite
    /// (`ConfigError::Unsupported`, before any SQL), as Django refuses it.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # use kata::serde_json::{Value, json};
    /// # #[derive(Model, Debug)] struct Dog { #[kata(primary_key, auto)] id: i64, data: Value }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Dog::meta()]).await?;
    /// // Dog.objects.filter(data__tags__contains=["good"]), data__contains={"breed": "collie"}
    /// let good = Dog::objects().filter(Dog::data.key("tags").contains(json!(["good"])));
    /// let collies = Dog::objects().filter(Dog::data.contains(json!({"breed": "collie"})));
    /// // SQLite has no JSON containment: refused before any SQL, as Django refuses it.
    /// assert!(matches!(good.acount(&db).await, Err(kata::Error::Config(kata::ConfigError::Unsupported { .. }))));
    /// assert!(collies.acount(&db).await.is_err());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn contains(self, value: impl Into<serde_json::Value>) -> Q<M> {
        self.q(JsonOp::Contains(value.into()))
    }

    /// `value` contains the value here (Django's `contained_by`): PostgreSQL's `<@`,
    /// `JSON_CONTAINS` with its arguments swapped on MySQL and MariaDB; refused on SQLite.
    pub fn contained_by(self, value: impl Into<serde_json::Value>) -> Q<M> {
        self.q(JsonOp::ContainedBy(value.into()))
    }

    /// The value here as text (Django's `KT("data__owner__name")`): a string without its
    /// quotes, other values in JSON, JSON null and a missing key as `None`. Text lookups
    /// (`icontains`, `startswith`, `regex`, ...) apply to it.
    pub fn text(self) -> Expr<M, Option<String>> {
        Expr::from_node(self.node(JsonOp::Text))
    }

    /// The JSON value here, for `values_list` and `annotate`: `None` where the key is
    /// missing, `Some(Value::Null)` where it holds JSON null (Django returns `None` for both).
    pub fn value(self) -> Expr<M, Option<serde_json::Value>> {
        Expr::from_node(self.node(JsonOp::Value))
    }

    /// Ascending order of the values here, as the backend orders them: numbers as numbers
    /// on SQLite, PostgreSQL and MySQL; as text on MariaDB (as in Django).
    pub fn asc(self) -> OrderBy<M> {
        OrderBy::new(self.node(JsonOp::Order), false)
    }

    /// Descending order of the values here.
    pub fn desc(self) -> OrderBy<M> {
        OrderBy::new(self.node(JsonOp::Order), true)
    }
}

impl<M> From<JsonPath<M>> for Expr<M, Option<serde_json::Value>> {
    fn from(path: JsonPath<M>) -> Self {
        path.value()
    }
}

/// The JSON lookups of a JSON field or expression, once for `Field` and once for `Expr`.
macro_rules! json_lookups {
    ($($target:ident),*) => {$(
        impl<M: Model, T: FieldType> $target<M, T> where T::Inner: JsonField {
            fn json_root(self) -> JsonPath<M> {
                JsonPath { doc: Expr::from(self).node, path: Vec::new(), _marker: PhantomData }
            }
            /// The member `key` of the JSON object (Django's `data__owner`); see [`JsonPath`].
            pub fn key(self, key: impl Into<String>) -> JsonPath<M> {
                self.json_root().key(key)
            }
            /// The element `index` of the JSON array (Django's `data__0`); deeper steps are
            /// [`JsonPath::index`]. (`Field::index` is the column's position.)
            pub fn nth(self, index: u32) -> JsonPath<M> {
                self.json_root().index(index)
            }
            /// The JSON object has the member `key` (Django's `has_key`).
            pub fn has_key(self, key: impl Into<String>) -> Q<M> {
                self.json_root().has_key(key)
            }
            /// The JSON object has every one of `keys` (Django's `has_keys`).
            pub fn has_keys<K: Into<String>>(self, keys: impl IntoIterator<Item = K>) -> Q<M> {
                self.json_root().has_keys(keys)
            }
            /// The JSON object has at least one of `keys` (Django's `has_any_keys`).
            pub fn has_any_keys<K: Into<String>>(self, keys: impl IntoIterator<Item = K>) -> Q<M> {
                self.json_root().has_any_keys(keys)
            }
        }
    )*};
}
json_lookups!(Expr, Field);

/// The `contained_by` of a JSON field: `value` contains the document.
pub(crate) fn contained_by_node(doc: Node, value: serde_json::Value) -> Node {
    Node::Json { doc: Box::new(doc), path: Vec::new(), op: JsonOp::ContainedBy(value) }
}

/// The `contains` of a JSON field: the document contains `value`.
pub(crate) fn contains_node(doc: Node, value: serde_json::Value) -> Node {
    Node::Json { doc: Box::new(doc), path: Vec::new(), op: JsonOp::Contains(value) }
}
