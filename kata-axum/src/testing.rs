//! Django Ninja's `TestClient`: a router called in-process, no socket.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode, header};
use serde::Serialize;
use tower::ServiceExt;

/// Calls a router in-process (tower's `oneshot`), as Ninja's `TestClient(router)`.
///
/// ```
/// use axum::{Router, routing::get};
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let client = kata_axum::TestClient::new(Router::new().route("/hello", get(|| async { "Hello world" })));
/// let response = client.get("/hello").await;
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.text(), "Hello world");
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct TestClient {
    router: Router,
}

impl TestClient {
    /// A client for `router` (with its state already given).
    ///
    /// ```
    /// let client = kata_axum::TestClient::new(axum::Router::new());
    /// # let _ = client;
    /// ```
    pub fn new(router: Router) -> Self {
        TestClient { router }
    }

    /// A request with any method.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let client = kata_axum::TestClient::new(axum::Router::new());
    /// assert_eq!(client.request(axum::http::Method::OPTIONS, "/").await.status(), 404);
    /// # });
    /// ```
    pub fn request(&self, method: Method, uri: &str) -> TestRequest {
        TestRequest {
            router: self.router.clone(),
            method,
            uri: uri.to_owned(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// A GET request.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert_eq!(kata_axum::TestClient::new(axum::Router::new()).get("/nothing").await.status(), 404);
    /// # });
    /// ```
    pub fn get(&self, uri: &str) -> TestRequest {
        self.request(Method::GET, uri)
    }

    /// A POST request.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert_eq!(kata_axum::TestClient::new(axum::Router::new()).post("/nothing").await.status(), 404);
    /// # });
    /// ```
    pub fn post(&self, uri: &str) -> TestRequest {
        self.request(Method::POST, uri)
    }

    /// A PUT request.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert_eq!(kata_axum::TestClient::new(axum::Router::new()).put("/nothing").await.status(), 404);
    /// # });
    /// ```
    pub fn put(&self, uri: &str) -> TestRequest {
        self.request(Method::PUT, uri)
    }

    /// A PATCH request.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert_eq!(kata_axum::TestClient::new(axum::Router::new()).patch("/nothing").await.status(), 404);
    /// # });
    /// ```
    pub fn patch(&self, uri: &str) -> TestRequest {
        self.request(Method::PATCH, uri)
    }

    /// A DELETE request.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert_eq!(kata_axum::TestClient::new(axum::Router::new()).delete("/nothing").await.status(), 404);
    /// # });
    /// ```
    pub fn delete(&self, uri: &str) -> TestRequest {
        self.request(Method::DELETE, uri)
    }
}

/// A request being built; `.await` sends it.
#[derive(Debug)]
#[must_use = "a request does nothing until it is awaited"]
pub struct TestRequest {
    router: Router,
    method: Method,
    uri: String,
    headers: HeaderMap,
    body: Bytes,
}

impl TestRequest {
    /// A JSON body (and its content type).
    ///
    /// ```
    /// let client = kata_axum::TestClient::new(axum::Router::new());
    /// let request = client.post("/users").json(&serde_json::json!({"username": "ann"}));
    /// # let _ = request;
    /// ```
    pub fn json(mut self, body: &impl Serialize) -> Self {
        self.body = serde_json::to_vec(body).unwrap_or_default().into();
        self.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self
    }

    /// A raw body, sent as is.
    ///
    /// ```
    /// let request = kata_axum::TestClient::new(axum::Router::new()).post("/users").body("{not json");
    /// # let _ = request;
    /// ```
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// A header (an invalid name or value is left out).
    ///
    /// ```
    /// let request = kata_axum::TestClient::new(axum::Router::new()).get("/").header("x-tenant", "7");
    /// # let _ = request;
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.headers.insert(name, value);
        }
        self
    }

    /// `Authorization: Bearer <token>`.
    ///
    /// ```
    /// let request = kata_axum::TestClient::new(axum::Router::new()).get("/profile").bearer("abc");
    /// # let _ = request;
    /// ```
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    async fn send(self) -> TestResponse {
        let mut request = Request::new(Body::from(self.body));
        *request.method_mut() = self.method;
        *request.uri_mut() = self.uri.parse().unwrap_or_else(|_| axum::http::Uri::from_static("/"));
        *request.headers_mut() = self.headers;
        let response = match self.router.oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
        TestResponse { status: parts.status, headers: parts.headers, body }
    }
}

impl IntoFuture for TestRequest {
    type Output = TestResponse;
    type IntoFuture = Pin<Box<dyn Future<Output = TestResponse> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct TestResponse {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl TestResponse {
    /// The status.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// assert_eq!(kata_axum::TestClient::new(axum::Router::new()).get("/").await.status(), 404);
    /// # });
    /// ```
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// A header's value, if present and text.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let response = kata_axum::TestClient::new(axum::Router::new()).get("/").await;
    /// assert_eq!(response.header("x-nothing"), None);
    /// # });
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The body as JSON (`null` when it is not JSON), Ninja's `response.json()`.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let response = kata_axum::TestClient::new(axum::Router::new()).get("/").await;
    /// assert_eq!(response.json(), serde_json::Value::Null);
    /// # });
    /// ```
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    /// The body as text (lossy UTF-8).
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let response = kata_axum::TestClient::new(axum::Router::new()).get("/").await;
    /// assert_eq!(response.text(), "");
    /// # });
    /// ```
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body's bytes.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// let response = kata_axum::TestClient::new(axum::Router::new()).get("/").await;
    /// assert!(response.bytes().is_empty());
    /// # });
    /// ```
    pub fn bytes(&self) -> &[u8] {
        &self.body
    }
}
