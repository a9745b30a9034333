use kata::prelude::*;

// PostgreSQL arrays hold bool, i16, i32, i64, f32, f64 or String.
#[derive(Model)]
struct Calendar {
    #[kata(primary_key)]
    id: i64,
    holidays: Vec<kata::chrono::NaiveDate>,
}

fn main() {}
