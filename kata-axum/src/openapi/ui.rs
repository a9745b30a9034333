//! Swagger UI and ReDoc, served from bundles vendored in this crate (versions and licences
//! in `assets/README.md`): the pages work on a machine with no network.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;

const SWAGGER_JS: &[u8] = include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js");
const SWAGGER_CSS: &[u8] = include_bytes!("../../assets/swagger-ui/swagger-ui.css");
const REDOC_JS: &[u8] = include_bytes!("../../assets/redoc/redoc.standalone.js");

/// HTML text: `&`, `<`, `>` and `"` escaped.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=86400")],
        body,
    )
        .into_response()
}

fn html(body: String) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// The JSON of `prefix` for a `<script>`: a string literal that cannot close the tag.
fn js_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into()).replace('<', "\\u003c")
}

/// `openapi.json`, `docs` (and its two assets) and `redoc` (and its bundle) under `prefix`.
pub(super) fn routes<S: Clone + Send + Sync + 'static>(
    prefix: &str,
    title: &str,
    document: Value,
) -> Router<S> {
    let spec = serde_json::to_vec(&document).unwrap_or_default();
    let title = escape(title);
    let spec_url = format!("{prefix}/openapi.json");
    let swagger_page = format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{prefix}/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{prefix}/docs/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({{ url: {url}, dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null }});
</script>
</body>
</html>
"##,
        url = js_string(&spec_url),
    );
    let redoc_page = format!(
        r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>body {{ margin: 0; padding: 0; }}</style>
</head>
<body>
<div id="redoc"></div>
<script src="{prefix}/redoc/redoc.standalone.js"></script>
<script>
Redoc.init({url}, {{}}, document.getElementById("redoc"));
</script>
</body>
</html>
"##,
        url = js_string(&spec_url),
    );
    Router::new()
        .route(
            &spec_url,
            get(move || {
                let spec = spec.clone();
                async move { ([(header::CONTENT_TYPE, "application/json")], spec) }
            }),
        )
        .route(&format!("{prefix}/docs"), get(move || std::future::ready(html(swagger_page.clone()))))
        .route(
            &format!("{prefix}/docs/swagger-ui-bundle.js"),
            get(|| std::future::ready(asset("text/javascript; charset=utf-8", SWAGGER_JS))),
        )
        .route(
            &format!("{prefix}/docs/swagger-ui.css"),
            get(|| std::future::ready(asset("text/css; charset=utf-8", SWAGGER_CSS))),
        )
        .route(&format!("{prefix}/redoc"), get(move || std::future::ready(html(redoc_page.clone()))))
        .route(
            &format!("{prefix}/redoc/redoc.standalone.js"),
            get(|| std::future::ready(asset("text/javascript; charset=utf-8", REDOC_JS))),
        )
}
