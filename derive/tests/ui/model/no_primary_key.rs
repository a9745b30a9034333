use kata::prelude::*;

#[derive(Model)]
struct User {
    id: i64,
    username: String,
}

fn main() {}
