use kata::prelude::*;

#[derive(Model)]
enum Status {
    Active,
    Inactive,
}

fn main() {}
