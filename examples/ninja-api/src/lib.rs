//! The Django Ninja tutorial's API as a real service, on kata and kata-axum: the same
//! endpoints and JSON shapes, over Django's own tables, so it can serve a database that a
//! Django project created (see [`models`]).

pub mod errors;
pub mod handlers;
/// The models' migrations (`migrations/`, written by `cargo run -p ninja-api --bin manage --
/// makemigrations`), embedded at compile time.
#[path = "../migrations/mod.rs"]
pub mod migrations;
pub mod models;
pub mod password;
pub mod token;

use std::sync::Arc;

use axum::Router;
use kata::{Db, Executor as _};
use kata_axum::Api;

use handlers::*;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// The key that signs tokens (Django's `SECRET_KEY`).
    pub secret: Arc<[u8]>,
}

/// The tutorial's `NinjaAPI` with its routers, described for `/api/openapi.json`.
pub fn api() -> Api<AppState> {
    Api::new("Django Ninja tutorial API, on kata", "1.0.0")
        .description("The tutorial's endpoints over Django's own tables, served by kata and kata-axum.")
        // What `errors::renderer` writes for every error but a 422.
        .error_body::<errors::ErrorBody>()
        .get("/hello", hello, hello::DOC)
        .get("/add", add, add::DOC)
        .get("/say-async", say_async, say_async::DOC)
        .get("/users", list_users, list_users::DOC)
        .post("/users", create_user, create_user::DOC)
        .get("/users/{id}", get_user, get_user::DOC)
        .patch("/users/{id}", patch_user, patch_user::DOC)
        .delete("/users/{id}", delete_user, delete_user::DOC)
        .post("/users/{id}/groups", add_user_to_group, add_user_to_group::DOC)
        .delete("/users/{id}/groups/{group_id}", remove_user_from_group, remove_user_from_group::DOC)
        .get("/order-items/{order_id}/{product_id}", get_order_item, get_order_item::DOC)
        .post("/bulk-create", bulk_create_users, bulk_create_users::DOC)
        .get("/optimized-users", get_optimized_users, get_optimized_users::DOC)
        .get("/combined-data/{user_id}", get_combined_data, get_combined_data::DOC)
        .post("/login", login, login::DOC)
        .get("/profile", get_profile, get_profile::DOC)
        // The tutorial's versioned routers: `api.add_router("/v1/", router_v1)`.
        .nest("/v1/", Api::new("v1", "1.0").get("/users", list_users_v1, list_users_v1::DOC))
        .nest("/v2/", Api::new("v2", "2.0").get("/users", list_users_v2, list_users_v2::DOC))
}

/// The whole service: every route under `/api/` (with `/api/openapi.json`, `/api/docs`,
/// `/api/redoc`), errors written by the tutorial's handlers.
pub fn app(state: AppState) -> Router {
    api().into_router("/api").layer(errors::renderer().layer()).with_state(state)
}

/// Migrates the database (creating the tables on a new one, through the embedded
/// [`migrations`]), unless Django made it: a database that has the tables but no kata
/// migration history was migrated by Django's `manage.py migrate` and is served as it is.
/// Then tells the pool about the models for cascades.
pub async fn prepare(db: &Db) -> kata::Result<()> {
    let has_tables = models::User::objects().acount(db).await.is_ok();
    let history = format!("SELECT COUNT(*) FROM {}", kata::migrate::HISTORY_TABLE);
    let has_history = db.raw_query::<i64>(&history, ()).await.is_ok();
    if !has_tables || has_history {
        db.migrate(migrations::MIGRATIONS).await?;
    }
    db.register_models(&models::all_tables());
    Ok(())
}
