use kata::prelude::*;

#[derive(Model, Debug, Clone)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    username: String,
}

fn main() {
    // `username` is a plain column: there is no related row to join.
    let _ = User::objects().also_related(User::username);
}
