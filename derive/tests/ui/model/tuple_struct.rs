use kata::prelude::*;

#[derive(Model)]
struct Point(i64, i64);

fn main() {}
