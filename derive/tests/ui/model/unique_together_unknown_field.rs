use kata::prelude::*;

#[derive(Model)]
#[kata(unique_together(first_name, surname))]
struct Person {
    #[kata(primary_key, auto)]
    id: i64,
    first_name: String,
    last_name: String,
}

fn main() {}
