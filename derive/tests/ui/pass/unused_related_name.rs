// A `related_name` accessor the program never calls, a blank field and a model with hooks
// compile without a warning (`dead_code` denied here).
#![deny(warnings)]

use kata::prelude::*;

#[derive(Model, Debug)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 20, blank)]
    nickname: String,
}

#[derive(Model, Debug)]
#[kata(hooks)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, related_name = "posts")]
    author: ForeignKey<User>,
}

impl ModelHooks for Post {}

fn main() {
    let _ = (User::meta(), Post::meta());
}
