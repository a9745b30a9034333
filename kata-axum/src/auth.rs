//! Django Ninja's `HttpBearer`: `Authorization: Bearer <token>`, checked by the application.

use std::future::Future;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};

use crate::error::ApiError;

/// What a bearer token authenticates to (Ninja's `HttpBearer.authenticate`): implement it
/// for your user type, with the router's state `S`. `None` answers 401.
///
/// ```
/// use kata_axum::BearerAuth;
///
/// struct Admin;
/// impl BearerAuth<()> for Admin {
///     async fn authenticate(_state: &(), token: &str) -> Option<Self> {
///         (token == "supersecret").then_some(Admin)
///     }
/// }
/// ```
pub trait BearerAuth<S: Send + Sync>: Sized + Send {
    /// The authenticated value for `token`, or `None` to refuse it.
    fn authenticate(state: &S, token: &str) -> impl Future<Output = Option<Self>> + Send;
}

/// The extractor: `Bearer(user): Bearer<User>` in a handler's arguments runs
/// [`BearerAuth::authenticate`]; a missing header, another scheme or a refused token is a
/// 401 `{"detail": "Unauthorized"}` with `WWW-Authenticate: Bearer`. In the OpenAPI document the operation requires the
/// `BearerAuth` security scheme.
///
/// ```
/// use axum::{Router, routing::get};
/// use kata_axum::{Bearer, BearerAuth, Json, TestClient};
///
/// struct Admin;
/// impl BearerAuth<()> for Admin {
///     async fn authenticate(_: &(), token: &str) -> Option<Self> { (token == "secret").then_some(Admin) }
/// }
/// async fn secret(Bearer(_): Bearer<Admin>) -> Json<&'static str> { Json("ok") }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let client = TestClient::new(Router::new().route("/secret", get(secret)));
/// let refused = client.get("/secret").await;
/// assert_eq!(refused.status(), 401);
/// assert_eq!(refused.header("www-authenticate"), Some("Bearer"));
/// assert_eq!(client.get("/secret").bearer("wrong").await.json(), serde_json::json!({"detail": "Unauthorized"}));
/// assert_eq!(client.get("/secret").bearer("secret").await.status(), 200);
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bearer<A>(pub A);

/// The token of an `Authorization: Bearer <token>` header, if the request has one.
///
/// ```
/// let parts = axum::http::Request::builder().header("authorization", "Bearer abc").body(()).unwrap().into_parts().0;
/// assert_eq!(kata_axum::bearer_token(&parts), Some("abc"));
/// ```
pub fn bearer_token(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl<A, S> FromRequestParts<S> for Bearer<A>
where
    A: BearerAuth<S>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let unauthorized = || {
            ApiError::http(StatusCode::UNAUTHORIZED, "Unauthorized")
                .with_header(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))
        };
        let token = bearer_token(parts).ok_or_else(unauthorized)?;
        A::authenticate(state, token).await.map(Bearer).ok_or_else(unauthorized)
    }
}
