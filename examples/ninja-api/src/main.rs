//! `cargo run -p ninja-api` serves the tutorial's API on http://127.0.0.1:8000/api/ over an
//! in-memory SQLite database; `DATABASE_URL` points it at a file, PostgreSQL or MariaDB
//! (a database that Django created works as it is).
//!
//! - `DATABASE_URL`: `sqlite::memory:` (default), `sqlite://db.sqlite3?mode=rwc`,
//!   `postgres://user@host/db`, `mysql://user@host/db`.
//! - `ADDR`: where to listen (`127.0.0.1:8000`).
//! - `SECRET_KEY`: signs the tokens (a random one per start when unset).
//! - `cargo run -p ninja-api -- createuser NAME PASSWORD` adds a user who can log in.

use std::sync::Arc;

use kata::prelude::*;
use ninja_api::{AppState, app, models::User, password, prepare};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite::memory:".into());
    let db = Db::builder(&url)
        .max_connections(if url.starts_with("sqlite::memory:") { 1 } else { 16 })
        .connect()
        .await?;
    prepare(&db).await?;

    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [command, username, pw] = args.as_slice()
        && command == "createuser"
    {
        let hash = password::make_password(pw, password::DJANGO_ITERATIONS)?;
        let user = User::objects()
            .acreate(&db, [User::username.set(username.as_str()), User::password.set(hash)])
            .await?;
        println!("created user {} with id {}", user.username, user.id);
        return Ok(());
    }

    let secret: Arc<[u8]> = match std::env::var("SECRET_KEY") {
        Ok(key) => key.into_bytes().into(),
        Err(_) => {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key)?;
            key.into()
        }
    };
    let addr = std::env::var("ADDR").unwrap_or_else(|_| "127.0.0.1:8000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!("serving on http://{addr}/api/ (docs at /api/docs, /api/redoc)");
    axum::serve(listener, app(AppState { db, secret }))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
