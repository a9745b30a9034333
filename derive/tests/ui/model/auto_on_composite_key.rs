use kata::prelude::*;

#[derive(Model)]
struct OrderItem {
    #[kata(primary_key, auto)]
    order_id: i64,
    #[kata(primary_key)]
    product_id: i64,
}

fn main() {}
