use kata::prelude::*;

#[derive(Model, Debug, Clone)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    username: String,
    // The reverse side is already declared here...
    #[kata(reverse_of = Post::author)]
    posts: HasMany<Post>,
}

#[derive(Model, Debug, Clone)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    // ...so a related_name of the same name would define `User::posts` twice.
    #[kata(foreign_key, related_name = "posts")]
    author: ForeignKey<User>,
    title: String,
}

fn main() {}
