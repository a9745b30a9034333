//! kata's errors (and bad input) as HTTP responses, Django Ninja's bodies by default.

use std::fmt;
use std::sync::Arc;

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kata::IntegrityKind;

use crate::detail::{ErrorDetail, Source};

/// An error a handler returns: a kata error, bad input, or an HTTP error of the handler's
/// own (Ninja's `HttpError`). Its response is Ninja's:
///
/// | what | status | body |
/// |---|---|---|
/// | `Error::DoesNotExist` | 404 | `{"detail": "Not Found"}` |
/// | `Error::Integrity` (unique, foreign key) | 409 | `{"detail": "..."}` |
/// | `Error::Validation`, bad input | 422 | `{"detail": [{"type", "loc", "msg", "ctx"}]}` |
/// | `Error::PoolTimedOut` | 503 | `{"detail": "Service Unavailable"}` |
/// | anything else | 500 | `{"detail": "Internal Server Error"}`, the error logged with `tracing` |
///
/// Another body shape is one [`ErrorRenderer`] away.
///
/// ```
/// use axum::http::StatusCode;
/// use axum::response::IntoResponse;
/// let missing = kata_axum::ApiError::from(kata::Error::DoesNotExist { model: "User" });
/// assert_eq!(missing.status(), StatusCode::NOT_FOUND);
/// assert_eq!(missing.into_response().status(), 404);
/// ```
#[derive(Debug)]
pub struct ApiError {
    // Boxed: an error stays one pointer wide in every handler's `Result`.
    inner: Box<Inner>,
}

#[derive(Debug)]
struct Inner {
    status: StatusCode,
    message: String,
    details: Vec<ErrorDetail>,
    source: Option<kata::Error>,
    headers: HeaderMap,
}

impl ApiError {
    fn new(inner: Inner) -> Self {
        ApiError { inner: Box::new(inner) }
    }

    /// An error with a status and a message of the handler's own, Ninja's
    /// `raise HttpError(403, "...")`.
    ///
    /// ```
    /// let e = kata_axum::ApiError::http(axum::http::StatusCode::FORBIDDEN, "Not your post");
    /// assert_eq!(e.message(), "Not your post");
    /// ```
    pub fn http(status: StatusCode, message: impl Into<String>) -> Self {
        ApiError::new(Inner {
            status,
            message: message.into(),
            details: Vec::new(),
            source: None,
            headers: HeaderMap::new(),
        })
    }

    /// A 422 with these details.
    ///
    /// ```
    /// use kata_axum::{ApiError, ErrorDetail, Source};
    /// let e = ApiError::input(vec![ErrorDetail::new(Source::Query, "a", "missing", "Field required")]);
    /// assert_eq!(e.status(), 422);
    /// assert_eq!(e.details().len(), 1);
    /// ```
    pub fn input(details: Vec<ErrorDetail>) -> Self {
        ApiError::new(Inner {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: "Unprocessable Entity".to_owned(),
            details,
            source: None,
            headers: HeaderMap::new(),
        })
    }

    /// Adds a header to the response (`WWW-Authenticate` on a 401, `Retry-After` on a 503).
    ///
    /// ```
    /// use axum::http::{StatusCode, header::WWW_AUTHENTICATE, HeaderValue};
    /// use axum::response::IntoResponse;
    /// let e = kata_axum::ApiError::http(StatusCode::UNAUTHORIZED, "Unauthorized")
    ///     .with_header(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    /// assert_eq!(e.into_response().headers()[WWW_AUTHENTICATE], "Bearer");
    /// ```
    pub fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.inner.headers.insert(name, value);
        self
    }

    /// The response's status.
    ///
    /// ```
    /// assert_eq!(kata_axum::ApiError::from(kata::Error::PoolTimedOut).status(), 503);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.inner.status
    }

    /// The message a client may see (never SQL or other internals).
    ///
    /// ```
    /// let e = kata_axum::ApiError::from(kata::Error::Internal("a bug"));
    /// assert_eq!(e.message(), "Internal Server Error");
    /// ```
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The input errors of a 422 (empty for other statuses).
    ///
    /// ```
    /// assert!(kata_axum::ApiError::from(kata::Error::PoolTimedOut).details().is_empty());
    /// ```
    pub fn details(&self) -> &[ErrorDetail] {
        &self.inner.details
    }

    /// The kata error behind this one, if any.
    ///
    /// ```
    /// let e = kata_axum::ApiError::from(kata::Error::PoolTimedOut);
    /// assert!(matches!(e.kata_error(), Some(kata::Error::PoolTimedOut)));
    /// ```
    pub fn kata_error(&self) -> Option<&kata::Error> {
        self.inner.source.as_ref()
    }

    /// What a renderer is given.
    fn problem(&self) -> Problem {
        Problem {
            status: self.inner.status,
            message: self.inner.message.clone(),
            details: self.inner.details.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.status, self.inner.message)
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_ref().map(|e| e as _)
    }
}

impl From<kata::Error> for ApiError {
    fn from(error: kata::Error) -> Self {
        let (status, message, details) = match &error {
            kata::Error::DoesNotExist { .. } => (StatusCode::NOT_FOUND, "Not Found", Vec::new()),
            kata::Error::Integrity { kind: IntegrityKind::Unique, .. } => {
                (StatusCode::CONFLICT, "Conflict: the row would duplicate a unique value", Vec::new())
            }
            kata::Error::Integrity { kind: IntegrityKind::ForeignKey, .. } => {
                (StatusCode::CONFLICT, "Conflict: a related row is missing or still referenced", Vec::new())
            }
            kata::Error::Validation(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Unprocessable Entity",
                errors.iter().map(|e| ErrorDetail::from_field_error(Source::Body, e)).collect(),
            ),
            kata::Error::PoolTimedOut => (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable", Vec::new()),
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error", Vec::new()),
        };
        if status.is_server_error() {
            // The only place the error's own text goes: it may hold SQL or a driver message.
            tracing::error!(error = %error, ?error, "kata error answered with {status}");
        }
        ApiError::new(Inner {
            status,
            message: message.to_owned(),
            details,
            source: Some(error),
            headers: HeaderMap::new(),
        })
    }
}

/// What went wrong, as an [`ErrorRenderer`] sees it: only what a client may see.
///
/// ```
/// let p = kata_axum::Problem { status: axum::http::StatusCode::NOT_FOUND, message: "Not Found".into(), details: vec![] };
/// assert_eq!(kata_axum::ninja_body(&p), serde_json::json!({"detail": "Not Found"}));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The status.
    pub status: StatusCode,
    /// The message (`Not Found`, `Conflict: ...`, or the handler's own).
    pub message: String,
    /// The input errors of a 422.
    pub details: Vec<ErrorDetail>,
}

/// Django Ninja's error body: `{"detail": [...]}` for input errors, `{"detail": "message"}`
/// otherwise.
///
/// ```
/// use kata_axum::{ErrorDetail, Problem, Source, ninja_body};
/// let p = Problem {
///     status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
///     message: "Unprocessable Entity".into(),
///     details: vec![ErrorDetail::new(Source::Query, "a", "missing", "Field required")],
/// };
/// assert_eq!(ninja_body(&p)["detail"][0]["loc"], serde_json::json!(["query", "a"]));
/// ```
pub fn ninja_body(problem: &Problem) -> serde_json::Value {
    if problem.details.is_empty() {
        serde_json::json!({ "detail": problem.message })
    } else {
        serde_json::json!({ "detail": problem.details })
    }
}

/// A JSON response with this status and body.
pub(crate) fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let mut response = json_response(problem.status, &ninja_body(&problem));
        response.headers_mut().extend(self.inner.headers);
        // Kept for an `ErrorRenderer` layer that writes another shape.
        response.extensions_mut().insert(problem);
        response
    }
}

/// Writes every [`ApiError`] of a router in another shape: the configurable side of the
/// error bodies (Ninja's `@api.exception_handler`). Install it with
/// [`ErrorRenderer::layer`]; responses that are not errors pass untouched.
///
/// ```
/// use axum::{Router, routing::get};
/// use kata_axum::{ApiError, ErrorRenderer, TestClient};
///
/// async fn missing() -> Result<String, ApiError> {
///     Err(kata::Error::DoesNotExist { model: "User" }.into())
/// }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let renderer = ErrorRenderer::new(|p| serde_json::json!({"error": p.message, "code": p.status.as_u16()}));
/// let app = Router::new().route("/missing", get(missing)).layer(renderer.layer());
/// let response = TestClient::new(app).get("/missing").await;
/// assert_eq!(response.status(), 404);
/// assert_eq!(response.json(), serde_json::json!({"error": "Not Found", "code": 404}));
/// # });
/// ```
#[derive(Clone)]
pub struct ErrorRenderer {
    render: Arc<dyn Fn(&Problem) -> serde_json::Value + Send + Sync>,
}

impl fmt::Debug for ErrorRenderer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ErrorRenderer")
    }
}

impl ErrorRenderer {
    /// A renderer from a function of the problem to the JSON body.
    ///
    /// ```
    /// let r = kata_axum::ErrorRenderer::new(kata_axum::ninja_body);
    /// # let _ = r;
    /// ```
    pub fn new(render: impl Fn(&Problem) -> serde_json::Value + Send + Sync + 'static) -> Self {
        ErrorRenderer { render: Arc::new(render) }
    }

    /// The layer that rewrites error responses with this renderer.
    ///
    /// ```
    /// let router: axum::Router = axum::Router::new()
    ///     .layer(kata_axum::ErrorRenderer::new(kata_axum::ninja_body).layer());
    /// # let _ = router;
    /// ```
    pub fn layer(
        &self,
    ) -> axum::middleware::MapResponseLayer<
        impl Fn(Response) -> std::future::Ready<Response> + Clone + Send + Sync + 'static,
        (),
        (),
    > {
        let render = self.render.clone();
        axum::middleware::map_response(move |response: Response| {
            let body = response.extensions().get::<Problem>().map(|problem| render(problem));
            std::future::ready(match body {
                // The same status, headers and extensions; a new body.
                Some(body) => {
                    let (mut parts, _) = response.into_parts();
                    parts.headers.remove(header::CONTENT_LENGTH);
                    let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec());
                    Response::from_parts(parts, axum::body::Body::from(bytes))
                }
                None => response,
            })
        })
    }
}
