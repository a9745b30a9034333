//! The service's `manage` command (Django's `manage.py`) over its models and its
//! `migrations/` folder:
//!
//! ```sh
//! cargo run -p ninja-api --bin manage -- makemigrations          # after editing src/models.rs
//! cargo run -p ninja-api --bin manage -- makemigrations --check  # what .ci/run runs
//! DATABASE_URL=sqlite://db.sqlite3?mode=rwc cargo run -p ninja-api --bin manage -- migrate
//! cargo run -p ninja-api --bin manage -- --help
//! ```

use std::process::ExitCode;

use kata::manage::Manage;
use ninja_api::{migrations, models};

#[tokio::main]
async fn main() -> ExitCode {
    let models = models::all_tables();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    Manage::new(&models, migrations::MIGRATIONS, dir).run(std::env::args().skip(1)).await
}
