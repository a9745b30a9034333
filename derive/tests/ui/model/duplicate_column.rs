use kata::prelude::*;

#[derive(Model)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    name: String,
    #[kata(column = "name")]
    display_name: String,
}

fn main() {}
