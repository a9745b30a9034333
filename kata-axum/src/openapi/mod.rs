//! An OpenAPI 3.1 document built from the routes' handlers, and the pages that show it.

mod describe;
mod ui;

pub use describe::{DescribedHandler, Operation, OperationInput, OperationOutput};

use std::convert::Infallible;

use axum::Router;
use axum::handler::Handler;
use axum::http::{Method, StatusCode};
use axum::routing::{MethodFilter, MethodRouter, on};
use kata::schemars::generate::SchemaSettings;
use kata::schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

/// A router that writes its own OpenAPI document, Ninja's `NinjaAPI`: each route's
/// parameters, request body and responses come from its handler's argument and return types
/// (see [`OperationInput`], [`OperationOutput`]); its summary and description from the
/// handler's doc comment (see [`documented!`](crate::documented)). [`Api::into_router`] mounts
/// it under a prefix with `openapi.json`, Swagger UI at `docs` and ReDoc at `redoc`, all
/// served from this crate (no CDN).
///
/// ```
/// use axum::http::StatusCode;
/// use kata_axum::{Api, ApiError, Json, Query, TestClient};
///
/// #[derive(serde::Deserialize, kata::schemars::JsonSchema)]
/// #[schemars(crate = "kata::schemars")]
/// struct Add { a: i64, b: i64 }
///
/// kata_axum::documented! {
///     /// Adds two numbers.
///     async fn add(Query(q): Query<Add>) -> Json<i64> { Json(q.a + q.b) }
/// }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let api = Api::new("Calculator", "1.0").get("/add", add, add::DOC);
/// let client = TestClient::new(api.into_router("/api"));
/// assert_eq!(client.get("/api/add?a=1&b=2").await.json(), serde_json::json!(3));
/// let doc = client.get("/api/openapi.json").await.json();
/// assert_eq!(doc["paths"]["/api/add"]["get"]["summary"], "Adds two numbers.");
/// assert_eq!(doc["paths"]["/api/add"]["get"]["parameters"][0]["name"], "a");
/// assert_eq!(client.get("/api/docs").await.status(), StatusCode::OK);
/// # });
/// ```
#[must_use]
pub struct Api<S = ()> {
    router: Router<S>,
    routes: Vec<(String, Method, Value)>,
    generator: SchemaGenerator,
    title: String,
    version: String,
    description: Option<String>,
    /// The schema of non-422 error bodies, when an `ErrorRenderer` changes them.
    message_schema: Option<Value>,
}

impl<S> std::fmt::Debug for Api<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api").field("title", &self.title).field("routes", &self.routes.len()).finish()
    }
}

impl<S: Clone + Send + Sync + 'static> Api<S> {
    /// An API with no routes yet.
    ///
    /// ```
    /// let api: kata_axum::Api = kata_axum::Api::new("Tutorial API", "1.0.0");
    /// assert!(api.openapi("/api")["paths"].as_object().unwrap().is_empty());
    /// ```
    pub fn new(title: impl Into<String>, version: impl Into<String>) -> Self {
        let settings = SchemaSettings::draft2020_12().with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.meta_schema = None;
        });
        Api {
            router: Router::new(),
            routes: Vec::new(),
            generator: settings.into_generator(),
            title: title.into(),
            version: version.into(),
            description: None,
            message_schema: None,
        }
    }

    /// Documents `T` as the body of the errors kata-axum answers (404, 409, 500, ...) in
    /// place of Ninja's `{"detail": "..."}`: for an API whose
    /// [`ErrorRenderer`](crate::ErrorRenderer) writes another shape.
    ///
    /// ```
    /// #[derive(kata::schemars::JsonSchema)]
    /// #[schemars(crate = "kata::schemars")]
    /// struct ErrorBody { error: String }
    /// let api: kata_axum::Api = kata_axum::Api::new("A", "1").error_body::<ErrorBody>();
    /// let doc = api.openapi("");
    /// assert_eq!(doc["components"]["schemas"]["Message"]["$ref"], "#/components/schemas/ErrorBody");
    /// assert!(doc["components"]["schemas"]["ErrorBody"]["properties"]["error"].is_object());
    /// ```
    pub fn error_body<T: JsonSchema>(mut self) -> Self {
        self.message_schema = Some(self.generator.subschema_for::<T>().to_value());
        self
    }

    /// The API's description (Markdown) in the document's `info`.
    ///
    /// ```
    /// let api: kata_axum::Api = kata_axum::Api::new("A", "1").description("Users and groups");
    /// assert_eq!(api.openapi("/api")["info"]["description"], "Users and groups");
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Adds a route for `method` at `path` (axum's syntax, `/users/{id}`), documented by
    /// `doc` (the handler's doc comment: its first paragraph is the summary).
    ///
    /// ```
    /// use axum::http::Method;
    /// kata_axum::documented! {
    ///     /// Says hello.
    ///     async fn hello() -> kata_axum::Json<&'static str> { kata_axum::Json("Hello world") }
    /// }
    /// let api: kata_axum::Api = kata_axum::Api::new("A", "1").route(Method::GET, "/hello", hello, hello::DOC);
    /// assert_eq!(api.openapi("")["paths"]["/hello"]["get"]["description"], "Says hello.");
    /// ```
    pub fn route<H, T>(mut self, method: Method, path: &str, handler: H, doc: &str) -> Self
    where
        H: Handler<T, S> + DescribedHandler<T>,
        T: 'static,
    {
        let filter = match method_filter(&method) {
            Some(filter) => filter,
            None => return self,
        };
        let mut op = Operation::default();
        H::describe(&mut op, &mut self.generator);
        let operation = operation_object(path, &method, op, doc);
        self.routes.push((path.to_owned(), method, operation));
        let method_router: MethodRouter<S, Infallible> = on(filter, handler);
        self.router = self.router.route(path, method_router);
        self
    }

    /// [`Api::route`] for GET.
    ///
    /// ```
    /// async fn hello() -> &'static str { "Hello world" }
    /// let api: kata_axum::Api = kata_axum::Api::new("A", "1").get("/hello", hello, "");
    /// # let _ = api;
    /// ```
    pub fn get<H: Handler<T, S> + DescribedHandler<T>, T: 'static>(
        self,
        path: &str,
        handler: H,
        doc: &str,
    ) -> Self {
        self.route(Method::GET, path, handler, doc)
    }

    /// [`Api::route`] for POST.
    ///
    /// ```
    /// async fn ping() -> &'static str { "pong" }
    /// let api: kata_axum::Api = kata_axum::Api::new("A", "1").post("/ping", ping, "");
    /// # let _ = api;
    /// ```
    pub fn post<H: Handler<T, S> + DescribedHandler<T>, T: 'static>(
        self,
        path: &str,
        handler: H,
        doc: &str,
    ) -> Self {
        self.route(Method::POST, path, handler, doc)
    }

    /// [`Api::route`] for PUT.
    ///
    /// ```
    /// async fn ping() -> &'static str { "pong" }
    /// let api: kata_axum::Api = kata_axum::Api::new("A", "1").put("/ping", ping, "");
    /// # let _ = api;
    /// ```
    pub fn put<H: Handler<T, S> + DescribedHandler<T>, T: 'static>(
        self,
        path: &str,
        handler: H,
        doc: &str,
    ) -> Self {
        self.route(Method::PUT, path, handler, doc)
    }

    /// [`Api::route`] for PATCH.
    ///
    /// ```
    /// async fn ping() -> &'static str { "pong" }
    /// let api: kata_axum::Api = kata_axum::Api::new("A", "1").patch("/ping", ping, "");
    /// # let _ = api;
    /// ```
    pub fn patch<H: Handler<T, S> + DescribedHandler<T>, T: 'static>(
        self,
        path: &str,
        handler: H,
        doc: &str,
    ) -> Self {
        self.route(Method::PATCH, path, handler, doc)
    }

    /// [`Api::route`] for DELETE.
    ///
    /// ```
    /// async fn ping() -> &'static str { "pong" }
    /// let api: kata_axum::Api = kata_axum::Api::new("A", "1").delete("/ping", ping, "");
    /// # let _ = api;
    /// ```
    pub fn delete<H: Handler<T, S> + DescribedHandler<T>, T: 'static>(
        self,
        path: &str,
        handler: H,
        doc: &str,
    ) -> Self {
        self.route(Method::DELETE, path, handler, doc)
    }

    /// Mounts another `Api`'s routes (and their operations in the document) under
    /// `prefix`: Ninja's `api.add_router("/v1/", router_v1)`. The other's title and version
    /// are not used. `prefix` must not be empty or `/`, as for axum's `Router::nest`.
    ///
    /// ```
    /// async fn users_v1() -> kata_axum::Json<&'static str> { kata_axum::Json("1.0") }
    /// let v1: kata_axum::Api = kata_axum::Api::new("v1", "1.0").get("/users", users_v1, "Users, v1.");
    /// let api: kata_axum::Api = kata_axum::Api::new("A", "1").nest("/v1/", v1);
    /// let doc = api.openapi("/api");
    /// assert_eq!(doc["paths"]["/api/v1/users"]["get"]["operationId"], "get_v1_users");
    /// ```
    pub fn nest(mut self, prefix: &str, other: Api<S>) -> Self {
        let prefix = prefix.trim_end_matches('/');
        let Api { router, routes, mut generator, .. } = other;
        let definitions = self.generator.definitions_mut();
        for (name, schema) in generator.take_definitions(false) {
            definitions.entry(name).or_insert(schema);
        }
        for (path, method, mut operation) in routes {
            let full = format!("{prefix}{path}");
            operation["operationId"] = operation_id(&method, &full).into();
            self.routes.push((full, method, operation));
        }
        self.router = self.router.nest(prefix, router);
        self
    }

    /// The OpenAPI 3.1 document, with every path under `prefix`.
    ///
    /// ```
    /// let api: kata_axum::Api = kata_axum::Api::new("A", "1");
    /// assert_eq!(api.openapi("/api")["openapi"], "3.1.0");
    /// ```
    pub fn openapi(&self, prefix: &str) -> Value {
        let mut paths = Map::new();
        let mut bearer = false;
        for (path, method, operation) in &self.routes {
            bearer |= operation.get("security").is_some();
            let item = paths.entry(format!("{prefix}{path}")).or_insert_with(|| json!({}));
            item[method.as_str().to_ascii_lowercase()] = operation.clone();
        }
        let mut generator = self.generator.clone();
        let error_detail = generator.subschema_for::<ErrorDetailSchema>();
        let mut schemas = generator.take_definitions(true);
        schemas.insert(
            "HTTPValidationError".into(),
            json!({"type": "object", "title": "HTTPValidationError", "required": ["detail"],
                   "properties": {"detail": {"type": "array", "items": error_detail}}}),
        );
        let message = self.message_schema.clone().unwrap_or_else(|| {
            json!({"type": "object", "title": "Message", "required": ["detail"],
                   "properties": {"detail": {"type": "string"}}})
        });
        schemas.insert("Message".into(), message);
        let mut info = json!({ "title": self.title, "version": self.version });
        if let Some(d) = &self.description {
            info["description"] = d.clone().into();
        }
        let mut components = json!({ "schemas": schemas });
        if bearer {
            components["securitySchemes"] = json!({ "BearerAuth": { "type": "http", "scheme": "bearer" } });
        }
        json!({ "openapi": "3.1.0", "info": info, "paths": paths, "components": components })
    }

    /// The routes under `prefix` (`"/api"`), with `{prefix}/openapi.json`, Swagger UI at
    /// `{prefix}/docs` and ReDoc at `{prefix}/redoc`.
    ///
    /// ```
    /// let router: axum::Router = kata_axum::Api::new("A", "1").into_router("/api");
    /// # let _ = router;
    /// ```
    pub fn into_router(self, prefix: &str) -> Router<S> {
        let document = self.openapi(prefix);
        let docs = ui::routes(prefix, &self.title, document);
        let api = if prefix.is_empty() { self.router } else { Router::new().nest(prefix, self.router) };
        api.merge(docs)
    }
}

/// The schema of one 422 entry ([`ErrorDetail`](crate::ErrorDetail)), for the document.
#[derive(JsonSchema)]
#[schemars(crate = "kata::schemars", rename = "ValidationError")]
#[allow(dead_code)] // Only its schema is used.
struct ErrorDetailSchema {
    /// A machine-readable code (`missing`, `int_parsing`, `string_too_long`, ...).
    #[serde(rename = "type")]
    kind: String,
    /// Where: `["query", "page"]`, `["body", "username"]`.
    loc: Vec<LocPart>,
    /// A message for people.
    msg: String,
    /// The rule's parameters (`{"max_length": 150}`).
    ctx: Option<Map<String, Value>>,
}

#[derive(JsonSchema)]
#[schemars(crate = "kata::schemars")]
#[serde(untagged)]
#[allow(dead_code)] // Only its schema is used.
enum LocPart {
    Name(String),
    Index(u64),
}

fn method_filter(method: &Method) -> Option<MethodFilter> {
    Some(match *method {
        Method::GET => MethodFilter::GET,
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::PATCH => MethodFilter::PATCH,
        Method::DELETE => MethodFilter::DELETE,
        Method::HEAD => MethodFilter::HEAD,
        Method::OPTIONS => MethodFilter::OPTIONS,
        _ => return None,
    })
}

/// The `{name}`s of an axum path.
fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| name.trim_start_matches('*'))
        .collect()
}

/// `get_users_id` for `GET /users/{id}`: unique per method and path.
fn operation_id(method: &Method, path: &str) -> String {
    format!(
        "{}{}",
        method.as_str().to_ascii_lowercase(),
        path.replace(['{', '}'], "").replace(['/', '-'], "_").trim_end_matches('_')
    )
}

/// OpenAPI's Operation Object for a described handler.
fn operation_object(path: &str, method: &Method, mut op: Operation, doc: &str) -> Value {
    let mut parameters = std::mem::take(&mut op.parameters);
    let names = path_params(path);
    if let Some(schema) = op.scalar_path.take()
        && let [name] = names.as_slice()
    {
        parameters.push(json!({ "name": name, "in": "path", "required": true, "schema": schema }));
    }
    for name in &names {
        let declared = parameters.iter().any(|p| p["in"] == "path" && p["name"] == *name);
        if !declared {
            parameters
                .push(json!({ "name": name, "in": "path", "required": true, "schema": {"type": "string"} }));
        }
    }
    // The error responses kata-axum's own types answer with, unless the handler's types
    // described those statuses already (a custom error body wins).
    let mut standard = |status: StatusCode, description: &str, schema: Value| {
        op.responses.entry(status.as_u16().to_string()).or_insert_with(
            || json!({ "description": description, "content": { "application/json": { "schema": schema } } }),
        );
    };
    if op.takes_input || !names.is_empty() {
        standard(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Unprocessable Entity",
            json!({ "$ref": "#/components/schemas/HTTPValidationError" }),
        );
    }
    if op.may_fail {
        if !names.is_empty() {
            standard(StatusCode::NOT_FOUND, "Not Found", Operation::message_schema());
        }
        if matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE) {
            standard(StatusCode::CONFLICT, "Conflict", Operation::message_schema());
        }
        standard(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error", Operation::message_schema());
        standard(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable", Operation::message_schema());
    }
    if op.responses.is_empty() {
        op.response(StatusCode::OK, "OK", None);
    }
    // `/// text` arrives as " text": drop that one space of each line.
    let doc = doc.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n");
    let doc = doc.trim();
    let summary = doc.split("\n\n").next().unwrap_or("").replace('\n', " ");
    let mut operation = json!({ "operationId": operation_id(method, path), "responses": op.responses });
    if !summary.is_empty() {
        operation["summary"] = summary.trim().into();
        operation["description"] = doc.into();
    }
    if !parameters.is_empty() {
        operation["parameters"] = parameters.into();
    }
    if let Some(body) = op.request_body {
        operation["requestBody"] = body;
    }
    if op.bearer {
        operation["security"] = json!([{ "BearerAuth": [] }]);
    }
    operation
}

/// Declares async handlers and keeps each one's doc comment as `<name>::DOC`, for
/// [`Api::route`]: the doc comment is written once, on the function, and becomes the
/// operation's summary and description. Other attributes stay on the function.
///
/// ```
/// kata_axum::documented! {
///     /// Returns the greeting.
///     ///
///     /// Always the same.
///     #[allow(clippy::unused_async)]
///     pub async fn hello() -> &'static str { "Hello world" }
///
///     /// Says goodbye.
///     async fn bye() -> &'static str { "Goodbye" }
/// }
/// assert_eq!(hello::DOC, " Returns the greeting.\n\n Always the same.\n");
/// assert_eq!(bye::DOC, " Says goodbye.\n");
/// ```
#[macro_export]
macro_rules! documented {
    () => {};
    (
        $(#[$($attr:tt)*])*
        $vis:vis async fn $name:ident ($($args:tt)*) $(-> $ret:ty)? $body:block
        $($rest:tt)*
    ) => {
        $(#[$($attr)*])*
        $vis async fn $name($($args)*) $(-> $ret)? $body

        #[doc = concat!("The doc comment of `", stringify!($name), "`.")]
        #[allow(non_snake_case, dead_code)]
        $vis mod $name {
            /// The handler's doc comment, one line each.
            pub const DOC: &str = $crate::__doc_lines!([] $(#[$($attr)*])*);
        }

        $crate::documented!($($rest)*);
    };
}

/// The `#[doc = ".."]` lines among attributes, joined: [`documented!`]'s helper.
#[doc(hidden)]
#[macro_export]
macro_rules! __doc_lines {
    ([$($line:expr,)*]) => { concat!($($line, "\n",)*) };
    ([$($line:expr,)*] #[doc = $doc:expr] $($rest:tt)*) => { $crate::__doc_lines!([$($line,)* $doc,] $($rest)*) };
    ([$($line:expr,)*] #[$($other:tt)*] $($rest:tt)*) => { $crate::__doc_lines!([$($line,)*] $($rest)*) };
}
