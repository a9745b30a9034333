//! `Json`, `Query` and `Path` whose rejections are Ninja's 422 bodies.

use std::ops::{Deref, DerefMut};

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use kata::schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::detail::{ErrorDetail, Source};
use crate::error::{ApiError, json_response};
use crate::validate;

macro_rules! wrapper {
    ($name:ident) => {
        impl<T> $name<T> {
            /// The value inside.
            ///
            /// ```
            #[doc = concat!("let v = kata_axum::", stringify!($name), "(7).into_inner();")]
            /// assert_eq!(v, 7);
            /// ```
            pub fn into_inner(self) -> T {
                self.0
            }
        }
        impl<T> Deref for $name<T> {
            type Target = T;
            fn deref(&self) -> &T {
                &self.0
            }
        }
        impl<T> DerefMut for $name<T> {
            fn deref_mut(&mut self) -> &mut T {
                &mut self.0
            }
        }
    };
}

/// A JSON request body checked against `T`'s JSON Schema (the one the OpenAPI document
/// shows), or a JSON response. Unknown fields, wrong types, over-long strings, numbers out
/// of range and missing fields are all reported at once, as a 422 in Ninja's shape with
/// `loc` `["body", field]`.
///
/// ```
/// use axum::{Router, routing::post};
/// use kata_axum::{Json, TestClient};
/// use serde_json::json;
///
/// #[derive(serde::Deserialize, kata::schemars::JsonSchema)]
/// #[schemars(crate = "kata::schemars")]
/// struct UserIn { #[schemars(length(max = 5))] username: String }
///
/// async fn create(Json(user): Json<UserIn>) -> Json<String> { Json(user.username) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let client = TestClient::new(Router::new().route("/users", post(create)));
/// let bad = client.post("/users").json(&json!({"username": "toolong", "age": 3})).await;
/// assert_eq!(bad.status(), 422);
/// assert_eq!(bad.json(), json!({"detail": [
///     {"type": "string_too_long", "loc": ["body", "username"],
///      "msg": "String should have at most 5 characters", "ctx": {"max_length": 5}},
///     {"type": "extra_forbidden", "loc": ["body", "age"], "msg": "Extra inputs are not permitted"},
/// ]}));
/// assert_eq!(client.post("/users").json(&json!({"username": "ann"})).await.json(), json!("ann"));
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Json<T>(pub T);
wrapper!(Json);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned + JsonSchema + 'static,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| ApiError::http(rejection.status(), rejection.body_text()))?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(ApiError::input(vec![ErrorDetail::new(
                Source::Body,
                "",
                "missing",
                "Field required",
            )]));
        }
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
            let error = e.to_string();
            ApiError::input(vec![
                ErrorDetail::new(Source::Body, "", "json_invalid", "JSON decode error")
                    .with_ctx("error", error),
            ])
        })?;
        validate::from_json(value).map(Json).map_err(ApiError::input)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_value(&self.0) {
            Ok(value) => json_response(StatusCode::OK, &value),
            Err(error) => {
                tracing::error!(%error, "a response body could not be serialised");
                ApiError::http(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
            }
        }
    }
}

/// A query string as a `T`, each parameter parsed and checked by `T`'s schema: a bad or
/// missing value is a 422 at `["query", name]`. Parameters `T` does not name are ignored,
/// as in Ninja.
///
/// ```
/// use axum::{Router, routing::get};
/// use kata_axum::{Json, Query, TestClient};
///
/// #[derive(serde::Deserialize, kata::schemars::JsonSchema)]
/// #[schemars(crate = "kata::schemars")]
/// struct Add { a: i64, b: i64 }
///
/// async fn add(Query(q): Query<Add>) -> Json<i64> { Json(q.a + q.b) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let client = TestClient::new(Router::new().route("/add", get(add)));
/// assert_eq!(client.get("/add?a=2&b=3").await.json(), serde_json::json!(5));
/// let bad = client.get("/add?a=x").await;
/// assert_eq!(bad.status(), 422);
/// assert_eq!(bad.json()["detail"][0]["type"], "int_parsing");
/// assert_eq!(bad.json()["detail"][1]["loc"], serde_json::json!(["query", "b"]));
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Query<T>(pub T);
wrapper!(Query);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned + JsonSchema + 'static,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let pairs = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        validate::from_strings(Source::Query, pairs).map(Query).map_err(ApiError::input)
    }
}

/// Path parameters as a `T`: a struct naming them, or one scalar for a single parameter
/// (`Path<i64>` for `/users/{id}`). A bad value is a 422 at `["path", name]`.
///
/// ```
/// use axum::{Router, routing::get};
/// use kata_axum::{Json, Path, TestClient};
///
/// async fn show(Path(id): Path<u32>) -> Json<u32> { Json(id) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let client = TestClient::new(Router::new().route("/users/{id}", get(show)));
/// assert_eq!(client.get("/users/7").await.json(), serde_json::json!(7));
/// let bad = client.get("/users/-1").await;
/// assert_eq!(bad.status(), 422);
/// assert_eq!(bad.json()["detail"][0]["loc"], serde_json::json!(["path", "id"]));
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Path<T>(pub T);
wrapper!(Path);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + JsonSchema + 'static,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(pairs) = axum::extract::Path::<Vec<(String, String)>>::from_request_parts(
            parts, state,
        )
        .await
        .map_err(|rejection| {
            ApiError::input(vec![ErrorDetail::new(Source::Path, "", "value_error", rejection.body_text())])
        })?;
        validate::from_strings(Source::Path, pairs).map(Path).map_err(ApiError::input)
    }
}
