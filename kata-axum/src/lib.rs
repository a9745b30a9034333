//! # kata-axum: kata in axum handlers, with Django Ninja's conveniences
//!
//! | Django Ninja | kata-axum |
//! |---|---|
//! | an exception becomes a response (404, 409, 422, 500) | [`ApiError`]: `?` on a `kata::Error` |
//! | `@api.exception_handler` | [`ErrorRenderer`], or your own error type |
//! | `HttpError(403, "...")` | [`ApiError::http`] |
//! | body / `Query` / `Path` parameters, 422 on bad input | [`Json`], [`Query`], [`Path`] |
//! | `{"detail": [{"type", "loc", "msg", "ctx"}]}` | [`ErrorDetail`] |
//! | `PageNumberPagination`, `LimitOffsetPagination` | [`PageNumber`], [`LimitOffset`] -> [`Page`] |
//! | `NinjaAPI(...)`, `/api/docs`, `/api/openapi.json` | [`Api`], [`Api::into_router`] |
//! | `api.add_router("/v1/", router)` | [`Api::nest`] |
//! | the view's docstring in the docs | [`documented!`] |
//! | `HttpBearer.authenticate` | [`BearerAuth`], [`Bearer`] |
//! | `TestClient(router)` | [`TestClient`] |
//!
//! ```
//! use kata::prelude::*;
//! use kata_axum::{Api, ApiError, Json, Path, TestClient};
//! use axum::extract::State;
//!
//! #[derive(Model, ModelSchema, Debug, Clone)]
//! #[model_schema(TagOut, fields(id, name))]
//! struct Tag { #[kata(primary_key, auto)] id: i64, #[kata(max_length = 20)] name: String }
//!
//! kata_axum::documented! {
//!     /// One tag.
//!     async fn get_tag(State(db): State<Db>, Path(id): Path<i64>) -> Result<Json<TagOut>, ApiError> {
//!         Ok(Json(Tag::objects().aget(&db, Tag::pk.eq(id)).await?.into()))
//!     }
//! }
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let db = Db::connect("sqlite::memory:").await.unwrap();
//! db.create_tables(&[Tag::meta()]).await.unwrap();
//! let api = Api::new("Tags", "1.0").get("/tags/{id}", get_tag, get_tag::DOC);
//! let client = TestClient::new(api.into_router("/api").with_state(db));
//! assert_eq!(client.get("/api/tags/1").await.json(), serde_json::json!({"detail": "Not Found"}));
//! assert_eq!(client.get("/api/tags/x").await.status(), 422);
//! # });
//! ```
#![deny(missing_docs)]

mod auth;
mod detail;
mod error;
mod extract;
mod openapi;
mod pagination;
mod testing;
mod validate;

pub use auth::{Bearer, BearerAuth, bearer_token};
pub use detail::{ErrorDetail, Source};
pub use error::{ApiError, ErrorRenderer, Problem, ninja_body};
pub use extract::{Json, Path, Query};
pub use openapi::{Api, DescribedHandler, Operation, OperationInput, OperationOutput};
pub use pagination::{LimitOffset, MAX_PAGE_SIZE, Page, PageNumber};
pub use testing::{TestClient, TestRequest, TestResponse};
