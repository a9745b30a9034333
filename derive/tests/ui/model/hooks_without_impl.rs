use kata::prelude::*;

// `#[kata(hooks)]` promises an `impl ModelHooks for Article`.
#[derive(Model)]
#[kata(hooks)]
struct Article {
    #[kata(primary_key, auto)]
    id: i64,
}

fn main() {}
