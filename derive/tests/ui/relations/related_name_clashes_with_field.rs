use kata::prelude::*;

#[derive(Model, Debug, Clone)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    username: String,
    posts: i64,
}

#[derive(Model, Debug, Clone)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    // `User` already has a field named `posts`: the reverse accessor would shadow it.
    #[kata(foreign_key, related_name = "posts")]
    author: ForeignKey<User>,
    title: String,
}

fn main() {}
