use kata::prelude::*;

// No field is marked `#[kata(primary_key)]`.
#[derive(Model, Debug, Clone)]
struct User {
    id: i64,
    #[kata(unique, max_length = 150)]
    username: String,
    is_active: bool,
}

#[derive(Model, Debug, Clone)]
struct Blog {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, related_name = "blogs")]
    owner: ForeignKey<User>,
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
}

#[derive(Model, Debug, Clone)]
struct Group {
    #[kata(primary_key, auto)]
    id: i64,
    name: String,
    #[kata(many_to_many, related_name = "groups")]
    members: ManyToMany<User>,
}

fn main() {
    let _ = User::objects().filter(User::username.startswith("a") & User::is_active.eq(true));
    let _ = Post::objects()
        .filter(Post::author.then(User::username).eq("ann"))
        .select_related(Post::author)
        .order_by([User::username.asc()].map(|_| Post::id.asc()));
    let _ = Blog::objects().filter(Blog::owner.then(User::is_active).eq(true));
    let _ = Group::objects().prefetch_related(Group::members);
    let _ = (User::meta(), Blog::meta(), Post::meta(), Group::meta());
}
