use kata::prelude::*;

// `min_value`/`max_value` compare numbers: on a text field, the error names the rule.
#[derive(Model)]
struct Page {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(min_value = 1)]
    title: String,
}

fn main() {}
