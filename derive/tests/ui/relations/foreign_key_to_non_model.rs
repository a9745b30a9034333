use kata::prelude::*;

// Not a model: the `#[derive(Model)]` is missing.
#[derive(Debug, Clone)]
struct Author {
    id: i64,
    name: String,
}

#[derive(Model, Debug, Clone)]
struct Blog {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 100)]
    name: String,
}

#[derive(Model)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, related_name = "posts")]
    blog: ForeignKey<Blog>,
    #[kata(foreign_key, related_name = "posts")]
    author: ForeignKey<Author>,
    #[kata(max_length = 200)]
    title: String,
    published: bool,
}

#[derive(Model, Debug, Clone)]
struct Comment {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, related_name = "comments")]
    blog: ForeignKey<Blog>,
    body: String,
}

#[derive(Model, Debug, Clone)]
struct Tag {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 50)]
    name: String,
    #[kata(many_to_many, related_name = "tags")]
    blogs: ManyToMany<Blog>,
}

fn main() {
    let _ = Post::objects()
        .filter(Post::title.contains("rust") & Post::published.eq(true))
        .filter(Post::blog.then(Blog::name).eq("news"))
        .order_by([Post::id.desc()]);
    let _ = Comment::objects().filter(Comment::blog.then(Blog::name).icontains("kata"));
    let _ = Tag::objects().prefetch_related(Tag::blogs);
    let _ = (Post::meta(), Comment::meta(), Tag::meta(), Blog::meta());
    let _ = Author { id: 1, name: String::new() };
}
