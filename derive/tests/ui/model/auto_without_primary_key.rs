use kata::prelude::*;

#[derive(Model)]
struct Ticket {
    #[kata(primary_key)]
    code: String,
    #[kata(auto)]
    number: i64,
}

fn main() {}
