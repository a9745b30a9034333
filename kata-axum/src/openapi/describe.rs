//! What each extractor and response type adds to an operation of the OpenAPI document.

use axum::http::StatusCode;
use kata::schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::auth::Bearer;
use crate::error::ApiError;
use crate::extract::{Json, Path, Query};
use crate::validate::schema_of;

/// One operation being described: OpenAPI's Operation Object, built by the handler's
/// argument and return types.
#[derive(Debug, Default)]
pub struct Operation {
    pub(crate) parameters: Vec<Value>,
    /// A scalar `Path<T>`: its schema, named after the route's one `{param}` later.
    pub(crate) scalar_path: Option<Value>,
    pub(crate) request_body: Option<Value>,
    pub(crate) responses: Map<String, Value>,
    pub(crate) bearer: bool,
    pub(crate) takes_input: bool,
    pub(crate) may_fail: bool,
}

impl Operation {
    /// Adds (or replaces) the response for `status`, with a JSON body of schema `schema`
    /// (`None` for no body).
    ///
    /// ```
    /// let mut op = kata_axum::Operation::default();
    /// op.response(axum::http::StatusCode::NO_CONTENT, "Deleted", None);
    /// ```
    pub fn response(&mut self, status: StatusCode, description: &str, schema: Option<Value>) {
        let mut response = json!({ "description": description });
        if let Some(schema) = schema {
            response["content"] = json!({ "application/json": { "schema": schema } });
        }
        self.responses.insert(status.as_u16().to_string(), response);
    }

    /// A `$ref` to the shared error body `{"detail": "..."}`.
    ///
    /// ```
    /// assert_eq!(kata_axum::Operation::message_schema()["$ref"], "#/components/schemas/Message");
    /// ```
    pub fn message_schema() -> Value {
        json!({ "$ref": "#/components/schemas/Message" })
    }

    /// Adds the query parameters named by `T`'s fields.
    fn parameters_of<T: JsonSchema + 'static>(&mut self, location: &str) {
        let schema = schema_of::<T>();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        match schema.get("properties").and_then(Value::as_object) {
            Some(properties) => {
                for (name, property) in properties {
                    let mut property = property.clone();
                    let description = property.as_object_mut().and_then(|p| p.remove("description"));
                    let mut parameter = json!({
                        "name": name,
                        "in": location,
                        "required": location == "path" || required.contains(&name.as_str()),
                        "schema": property,
                    });
                    if let Some(d) = description {
                        parameter["description"] = d;
                    }
                    self.parameters.push(parameter);
                }
            }
            None if location == "path" => {
                let mut scalar = (*schema).clone();
                if let Some(o) = scalar.as_object_mut() {
                    o.remove("$schema");
                    o.remove("title");
                }
                self.scalar_path = Some(scalar);
            }
            None => {}
        }
    }
}

/// What an extractor adds to the operation it appears in (parameters, a request body, a
/// security requirement). Extractors that describe nothing implement it with the default.
///
/// ```
/// struct Tenant;
/// impl kata_axum::OperationInput for Tenant {}
/// ```
pub trait OperationInput {
    /// Adds to `op`.
    ///
    /// ```
    /// use kata_axum::{Operation, OperationInput, Query};
    /// #[derive(kata::schemars::JsonSchema)]
    /// #[schemars(crate = "kata::schemars")]
    /// struct Search { q: String }
    /// let mut op = Operation::default();
    /// let mut generator = kata::schemars::SchemaGenerator::default();
    /// <Query<Search> as OperationInput>::describe(&mut op, &mut generator);
    /// ```
    fn describe(op: &mut Operation, generator: &mut SchemaGenerator) {
        let _ = (op, generator);
    }
}

/// What a handler's return type adds to the operation: its responses.
///
/// ```
/// use kata_axum::{Operation, OperationOutput};
/// struct Deleted;
/// impl OperationOutput for Deleted {
///     fn describe(op: &mut Operation, _: &mut kata::schemars::SchemaGenerator) {
///         op.response(axum::http::StatusCode::NO_CONTENT, "Deleted", None);
///     }
/// }
/// ```
pub trait OperationOutput {
    /// Adds to `op`.
    ///
    /// ```
    /// use kata_axum::{Json, Operation, OperationOutput};
    /// let mut op = Operation::default();
    /// let mut generator = kata::schemars::SchemaGenerator::default();
    /// <Json<i64> as OperationOutput>::describe(&mut op, &mut generator);
    /// ```
    fn describe(op: &mut Operation, generator: &mut SchemaGenerator) {
        let _ = (op, generator);
    }
}

impl<T: JsonSchema + 'static> OperationInput for Json<T> {
    fn describe(op: &mut Operation, generator: &mut SchemaGenerator) {
        op.takes_input = true;
        op.request_body = Some(json!({
            "required": true,
            "content": { "application/json": { "schema": generator.subschema_for::<T>() } },
        }));
    }
}

impl<T: JsonSchema + 'static> OperationInput for Query<T> {
    fn describe(op: &mut Operation, _: &mut SchemaGenerator) {
        op.takes_input = true;
        op.parameters_of::<T>("query");
    }
}

impl<T: JsonSchema + 'static> OperationInput for Path<T> {
    fn describe(op: &mut Operation, _: &mut SchemaGenerator) {
        op.takes_input = true;
        op.parameters_of::<T>("path");
    }
}

impl<A> OperationInput for Bearer<A> {
    fn describe(op: &mut Operation, _: &mut SchemaGenerator) {
        op.bearer = true;
        op.response(StatusCode::UNAUTHORIZED, "Unauthorized", Some(Operation::message_schema()));
    }
}

impl<T> OperationInput for axum::extract::State<T> {}
impl<T> OperationInput for axum::Extension<T> {}
impl OperationInput for axum::http::HeaderMap {}
impl OperationInput for axum::http::Method {}
impl OperationInput for axum::http::Uri {}
impl OperationInput for axum::extract::Request {}
impl OperationInput for axum::body::Bytes {}
impl OperationInput for String {}

impl<T: JsonSchema + 'static> OperationOutput for Json<T> {
    fn describe(op: &mut Operation, generator: &mut SchemaGenerator) {
        op.response(StatusCode::OK, "OK", Some(generator.subschema_for::<T>().to_value()));
    }
}

impl OperationOutput for ApiError {
    fn describe(op: &mut Operation, _: &mut SchemaGenerator) {
        op.may_fail = true;
    }
}

impl OperationOutput for String {
    fn describe(op: &mut Operation, _: &mut SchemaGenerator) {
        op.responses.insert(
            "200".into(),
            json!({"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}}),
        );
    }
}

impl OperationOutput for &'static str {
    fn describe(op: &mut Operation, generator: &mut SchemaGenerator) {
        <String as OperationOutput>::describe(op, generator);
    }
}

impl OperationOutput for StatusCode {
    fn describe(op: &mut Operation, _: &mut SchemaGenerator) {
        op.responses.insert("default".into(), json!({"description": "A status without a body"}));
    }
}

impl<T: OperationOutput, E: OperationOutput> OperationOutput for Result<T, E> {
    fn describe(op: &mut Operation, generator: &mut SchemaGenerator) {
        T::describe(op, generator);
        E::describe(op, generator);
    }
}

impl<T: JsonSchema + 'static> OperationOutput for (StatusCode, Json<T>) {
    fn describe(op: &mut Operation, generator: &mut SchemaGenerator) {
        op.responses.insert(
            "default".into(),
            json!({"description": "The body, with the status the handler chose",
                   "content": {"application/json": {"schema": generator.subschema_for::<T>()}}}),
        );
    }
}

/// A handler whose arguments and return type describe an operation: every async function
/// whose arguments implement [`OperationInput`] and whose output implements
/// [`OperationOutput`]. The type parameter mirrors axum's `Handler`'s.
///
/// ```
/// use kata_axum::{DescribedHandler, Json, Operation, Path};
/// async fn show(Path(id): Path<i64>) -> Json<i64> { Json(id) }
/// // axum's `Handler` fixes `T`, as in `Api::route`.
/// fn describe<H: axum::handler::Handler<T, ()> + DescribedHandler<T>, T: 'static>(_: H) -> Operation {
///     let mut op = Operation::default();
///     H::describe(&mut op, &mut kata::schemars::SchemaGenerator::default());
///     op
/// }
/// # let _ = describe(show);
/// ```
pub trait DescribedHandler<Args> {
    /// Describes the operation (see the trait's example).
    fn describe(op: &mut Operation, generator: &mut SchemaGenerator);
}

impl<F, Fut> DescribedHandler<((),)> for F
where
    F: FnOnce() -> Fut,
    Fut: Future,
    Fut::Output: OperationOutput,
{
    fn describe(op: &mut Operation, generator: &mut SchemaGenerator) {
        <Fut::Output as OperationOutput>::describe(op, generator);
    }
}

macro_rules! described_handler {
    ($($ty:ident),+) => {
        impl<F, Fut, M, $($ty,)+> DescribedHandler<(M, $($ty,)+)> for F
        where
            F: FnOnce($($ty,)+) -> Fut,
            Fut: Future,
            Fut::Output: OperationOutput,
            $($ty: OperationInput,)+
        {
            fn describe(op: &mut Operation, generator: &mut SchemaGenerator) {
                $($ty::describe(op, generator);)+
                <Fut::Output as OperationOutput>::describe(op, generator);
            }
        }
    };
}

described_handler!(T1);
described_handler!(T1, T2);
described_handler!(T1, T2, T3);
described_handler!(T1, T2, T3, T4);
described_handler!(T1, T2, T3, T4, T5);
described_handler!(T1, T2, T3, T4, T5, T6);
described_handler!(T1, T2, T3, T4, T5, T6, T7);
described_handler!(T1, T2, T3, T4, T5, T6, T7, T8);
