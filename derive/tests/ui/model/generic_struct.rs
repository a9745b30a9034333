use kata::prelude::*;

#[derive(Model)]
struct Wrapper<T> {
    #[kata(primary_key)]
    id: i64,
    value: T,
}

fn main() {}
