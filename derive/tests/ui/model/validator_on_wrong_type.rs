use kata::prelude::*;

// `min_value`/`max_value` compare numbers; `min_length`, `url`, `slug` and `regex` read text.
#[derive(Model)]
struct Page {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(min_value = 1)]
    title: String,
    #[kata(slug)]
    views: i64,
}

fn main() {}
