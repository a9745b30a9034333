use kata::prelude::*;

#[derive(Model)]
struct Entry {
    #[kata(primary_key)]
    pk: i64,
    meta: String,
}

fn main() {}
