use kata::prelude::*;

#[derive(Model)]
#[kata(table = users)]
struct User {
    #[kata(primary_key = true)]
    id: i64,
    #[kata(max_length = "150")]
    username: String,
    #[kata(default = [1, 2])]
    score: i64,
    #[kata(column)]
    email: String,
}

fn main() {}
