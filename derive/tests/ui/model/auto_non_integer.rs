use kata::prelude::*;

#[derive(Model)]
struct Tag {
    #[kata(primary_key, auto)]
    name: String,
}

fn main() {}
