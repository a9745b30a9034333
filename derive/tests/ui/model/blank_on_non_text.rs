use kata::prelude::*;

// `blank` (Django's `blank=True`) is for text fields.
#[derive(Model)]
struct Item {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(blank)]
    count: i64,
}

fn main() {}
