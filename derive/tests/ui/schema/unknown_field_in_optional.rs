use kata::prelude::*;

#[derive(Model, ModelSchema)]
#[model_schema(UserPatch, fields(username, email), optional(username, emial))]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 150)]
    username: String,
    email: String,
    last_login: Option<chrono::DateTime<chrono::Utc>>,
}

fn main() {}
