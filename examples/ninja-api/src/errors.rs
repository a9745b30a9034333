//! The tutorial's custom exception handlers: `UserNotFoundError` -> 404
//! `{"error": "User not found"}`, `HttpError` -> `{"error": str(exc)}`, and the general
//! handler's `{"error": "Internal server error"}`, written with kata-axum's error mapping.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kata::schemars::{JsonSchema, SchemaGenerator};
use kata_axum::{ApiError, ErrorRenderer, Operation, OperationOutput, Problem};
use serde::Serialize;

/// The tutorial's error body.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct ErrorBody {
    /// What went wrong.
    pub error: String,
}

/// The application's own errors (the tutorial's `UserNotFoundError` and friends), and
/// everything kata-axum maps.
#[derive(Debug)]
pub enum AppError {
    /// `{"error": "User not found"}`, 404.
    UserNotFound,
    /// `{"error": "Group not found"}`, 404.
    GroupNotFound,
    /// `{"error": "Order item not found"}`, 404.
    OrderItemNotFound,
    /// `{"error": "Invalid credentials"}`, 401.
    InvalidCredentials,
    /// A kata error or bad input, as kata-axum answers it.
    Api(ApiError),
}

impl From<kata::Error> for AppError {
    fn from(e: kata::Error) -> Self {
        AppError::Api(e.into())
    }
}

impl From<ApiError> for AppError {
    fn from(e: ApiError) -> Self {
        AppError::Api(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            AppError::UserNotFound => (StatusCode::NOT_FOUND, "User not found"),
            AppError::GroupNotFound => (StatusCode::NOT_FOUND, "Group not found"),
            AppError::OrderItemNotFound => (StatusCode::NOT_FOUND, "Order item not found"),
            AppError::InvalidCredentials => (StatusCode::UNAUTHORIZED, "Invalid credentials"),
            AppError::Api(e) => return e.into_response(),
        };
        (status, kata_axum::Json(ErrorBody { error: message.to_owned() })).into_response()
    }
}

impl OperationOutput for AppError {
    fn describe(op: &mut Operation, generator: &mut SchemaGenerator) {
        <ApiError as OperationOutput>::describe(op, generator);
        let body = Some(generator.subschema_for::<ErrorBody>().to_value());
        op.response(StatusCode::NOT_FOUND, "Not found", body);
    }
}

/// The tutorial's `http_error_handler` and `general_exception_handler` for everything
/// kata-axum answers: `{"error": message}` (`"Internal server error"` for a 500), keeping
/// Ninja's `{"detail": [...]}` for input errors so clients see where their input was wrong.
pub fn renderer() -> ErrorRenderer {
    ErrorRenderer::new(|problem: &Problem| {
        if !problem.details.is_empty() {
            return kata_axum::ninja_body(problem);
        }
        let error = if problem.status == StatusCode::INTERNAL_SERVER_ERROR {
            "Internal server error".to_owned()
        } else {
            problem.message.clone()
        };
        serde_json::json!({ "error": error })
    })
}
