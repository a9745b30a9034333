use kata::prelude::*;

#[derive(Model, Debug, Clone)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    // `Post::author` is a foreign key: its reverse side is a `HasMany<Post>`.
    #[kata(reverse_of = Post::author)]
    posts: ManyToMany<Post>,
}

#[derive(Model, Debug, Clone)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key)]
    author: ForeignKey<User>,
}

fn main() {}
