use kata::prelude::*;

#[derive(Model)]
struct Settings {
    #[kata(primary_key)]
    id: i64,
    values: std::collections::HashMap<String, String>,
}

fn main() {}
