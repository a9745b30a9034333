use kata::prelude::*;

#[derive(Model)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    username: String,
    is_active: bool,
    last_login: Option<String>,
}

fn main() {
    let _ = User::id.eq("x");
}
