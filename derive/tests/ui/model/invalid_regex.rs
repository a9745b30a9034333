use kata::prelude::*;

// Django's RegexValidator: a pattern that does not parse is a compile error at the string,
// not a failure at the first save. So are bounds no value could pass, and a default that
// breaks its own field's validators.
#[derive(Model)]
struct Flight {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(regex = "^[A-Z]{2}(\\d+$")]
    code: String,
    #[kata(min_value = 10, max_value = 1)]
    seats: i32,
    #[kata(max_length = 10, min_length = 3, default = "ab")]
    gate: String,
}

fn main() {}
