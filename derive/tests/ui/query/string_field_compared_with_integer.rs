use kata::prelude::*;

#[derive(Model, Debug, Clone)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    username: String,
}

#[derive(Model, Debug, Clone)]
struct Blog {
    #[kata(primary_key, auto)]
    id: i64,
    name: String,
}

#[derive(Model, Debug, Clone)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, related_name = "posts")]
    blog: ForeignKey<Blog>,
    #[kata(foreign_key, related_name = "posts")]
    author: ForeignKey<User>,
    title: String,
    views: i64,
}

#[derive(Model, Debug, Clone)]
struct Comment {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, related_name = "comments")]
    post: ForeignKey<Post>,
    body: String,
}

fn main() {
    let _ = Post::objects().filter(Post::views.gt(10) & Post::author.then(User::username).eq("ann"));
    // `title` is a String: compare it with a string, `Post::title.eq("1")`.
    let _ = Post::objects().filter(Post::title.eq(1));
    let _ = Comment::objects().filter(Comment::post.then(Post::title).contains("kata"));
    let _ = (User::meta(), Blog::meta(), Post::meta(), Comment::meta());
}
