use kata::prelude::*;

#[derive(Model)]
#[kata(table = "a")]
#[kata(table = "b")]
struct User {
    #[kata(primary_key, primary_key)]
    id: i64,
    #[kata(max_length = 10)]
    #[kata(max_length = 20)]
    username: String,
}

fn main() {}
