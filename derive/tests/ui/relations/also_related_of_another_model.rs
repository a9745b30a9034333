use kata::prelude::*;

#[derive(Model, Debug, Clone)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(reverse_of = Post::author)]
    posts: HasMany<Post>,
}

#[derive(Model, Debug, Clone)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key)]
    author: ForeignKey<User>,
    #[kata(reverse_of = Comment::post)]
    comments: HasMany<Comment>,
}

#[derive(Model, Debug, Clone)]
struct Comment {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key)]
    post: ForeignKey<Post>,
}

fn main() {
    // `comments` is a relation of Post, not of User.
    let _ = User::objects().also_related(Post::comments);
}
