use kata::prelude::*;

#[derive(Model, Debug, Clone)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    username: String,
}

fn main() {
    // `username` is a plain column: there is nothing to prefetch.
    let _ = User::objects().prefetch_related(User::username);
}
