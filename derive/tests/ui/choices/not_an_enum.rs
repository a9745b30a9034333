use kata::prelude::*;

#[derive(Choices)]
struct Status {
    code: String,
}

fn main() {}
