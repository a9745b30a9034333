use kata::prelude::*;

#[derive(Model)]
#[kata(table = "users", tabel = "typo")]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_len = 150)]
    username: String,
}

fn main() {}
