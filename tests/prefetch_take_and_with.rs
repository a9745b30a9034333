//! Prefetched rows taken out by value (`take`, `into_loaded`), and nested prefetching in
//! short form: `User::posts.with(Post::comments)` (Django's `"posts__comments"`).

use kata::prelude::*;
use kata::testing::assert_num_queries;

#[derive(Model, Debug, Clone, PartialEq)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    name: String,
    #[kata(reverse_of = Post::author)]
    posts: HasMany<Post>,
    #[kata(many_to_many)]
    groups: ManyToMany<Group>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Group {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    name: String,
    #[kata(reverse_of = Perk::group)]
    perks: HasMany<Perk>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Perk {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    group: ForeignKey<Group>,
    #[kata(max_length = 50)]
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    author: ForeignKey<User>,
    #[kata(max_length = 50)]
    title: String,
    #[kata(default = false)]
    published: bool,
    #[kata(reverse_of = Comment::post)]
    comments: HasMany<Comment>,
    #[kata(reverse_of = Like::post)]
    likes: HasMany<Like>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Comment {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    post: ForeignKey<Post>,
    #[kata(max_length = 50)]
    text: String,
    #[kata(reverse_of = Reply::comment)]
    replies: HasMany<Reply>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Reply {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    comment: ForeignKey<Comment>,
    #[kata(max_length = 50)]
    text: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Like {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    post: ForeignKey<Post>,
}

/// ann: two posts (one published) with comments, replies and likes, and one group with a
/// perk; bob: nothing.
async fn setup(db: &Db) -> kata::Result<()> {
    db.create_tables(&[
        User::meta(),
        Group::meta(),
        Perk::meta(),
        Post::meta(),
        Comment::meta(),
        Reply::meta(),
        Like::meta(),
    ])
    .await?;
    let ann = User::objects().acreate(db, [User::name.set("ann")]).await?;
    User::objects().acreate(db, [User::name.set("bob")]).await?;
    let admins = ann.groups.acreate(db, [Group::name.set("admins")]).await?;
    admins.perks.acreate(db, [Perk::name.set("keys")]).await?;
    for (title, published) in [("one", true), ("two", false)] {
        let post = ann.posts.acreate(db, [Post::title.set(title), Post::published.set(published)]).await?;
        let comment = post.comments.acreate(db, [Comment::text.set(format!("on {title}"))]).await?;
        comment.replies.acreate(db, [Reply::text.set(format!("re {title}"))]).await?;
        post.likes.acreate(db, Vec::new()).await?;
    }
    Ok(())
}

fn by_name(mut users: Vec<User>) -> Vec<User> {
    users.sort_by(|a, b| a.name.cmp(&b.name));
    users
}

#[kata::test]
async fn take_moves_the_prefetched_rows_out(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let mut users = by_name(
        User::objects().prefetch_related(User::posts).prefetch_related(User::groups).alist(&db).await?,
    );
    let posts: Vec<Post> = users[0].posts.take().expect("prefetched");
    assert_eq!(posts.len(), 2);
    assert!(!users[0].posts.is_loaded(), "taken: no longer loaded");
    assert!(users[0].posts.take().is_none(), "nothing left to take");
    let groups: Vec<Group> = users[0].groups.take().expect("prefetched");
    assert_eq!(groups[0].name, "admins");
    assert_eq!(users[1].posts.take(), Some(Vec::new()), "loaded and empty is not 'not loaded'");
    // The managers still work after a take.
    assert_eq!(users[0].posts.acount(&db).await?, 2);
    Ok(())
}

#[kata::test]
async fn take_on_a_relation_that_was_not_prefetched_is_none(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let mut users = User::objects().alist(&db).await?;
    assert!(users[0].posts.take().is_none());
    assert!(users[0].groups.take().is_none());
    Ok(())
}

#[kata::test]
async fn into_loaded_consumes_the_relation(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let users = by_name(User::objects().prefetch_related(User::posts).alist(&db).await?);
    let titles: Vec<Vec<String>> = users
        .into_iter()
        .map(|u| {
            let mut titles: Vec<String> =
                u.posts.into_loaded().unwrap_or_default().into_iter().map(|p| p.title).collect();
            titles.sort();
            titles
        })
        .collect();
    assert_eq!(titles, [vec!["one".to_string(), "two".to_string()], vec![]]);
    let plain = User::objects().alist(&db).await?;
    assert!(plain.into_iter().all(|u| u.groups.into_loaded().is_none()));
    Ok(())
}

#[kata::test]
async fn with_prefetches_a_nested_relation_in_one_query_per_level(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let users = assert_num_queries(
        &db,
        3,
        User::objects()
            .prefetch_related(User::posts.with(Post::comments))
            .order_by([User::name.asc()])
            .alist(&db),
    )
    .await?;
    let posts = users[0].posts.get().expect("posts prefetched");
    assert_eq!(posts.len(), 2);
    for post in posts {
        let comments = post.comments.get().expect("comments prefetched");
        assert_eq!(comments.len(), 1);
        assert_eq!(comments[0].text, format!("on {}", post.title));
        assert!(!comments[0].replies.is_loaded(), "only what was asked");
    }
    assert_eq!(users[1].posts.get().map(<[Post]>::len), Some(0));
    Ok(())
}

#[kata::test]
async fn with_chains_and_nests(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    // posts -> (comments -> replies, likes), groups -> perks: one query per relation.
    let users = assert_num_queries(
        &db,
        7,
        User::objects()
            .prefetch_related(User::posts.with(Post::comments.with(Comment::replies)).with(Post::likes))
            .prefetch_related(User::groups.with(Group::perks))
            .order_by([User::name.asc()])
            .alist(&db),
    )
    .await?;
    let posts = users[0].posts.get().expect("posts");
    for post in posts {
        assert_eq!(post.likes.get().map(<[Like]>::len), Some(1));
        let comments = post.comments.get().expect("comments");
        let replies = comments[0].replies.get().expect("replies");
        assert_eq!(replies[0].text, format!("re {}", post.title));
    }
    let groups = users[0].groups.get().expect("groups");
    assert_eq!(groups[0].perks.get().expect("perks")[0].name, "keys");
    Ok(())
}

#[kata::test]
async fn prefetch_with_keeps_its_queryset(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let users = User::objects()
        .prefetch(
            Prefetch::new(User::posts)
                .queryset(Post::objects().filter(Post::published.eq(true)))
                .with(Post::comments),
        )
        .order_by([User::name.asc()])
        .alist(&db)
        .await?;
    let posts = users[0].posts.get().expect("posts");
    assert_eq!(posts.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["one"], "the filter applies");
    assert_eq!(posts[0].comments.get().map(<[Comment]>::len), Some(1), "and the nested prefetch");

    // Also for models already in hand.
    let mut plain = User::objects().order_by([User::name.asc()]).alist(&db).await?;
    kata::aprefetch_related_objects(&db, &mut plain, [User::posts.with(Post::likes)]).await?;
    assert!(plain[0].posts.get().expect("posts").iter().all(|p| p.likes.is_loaded()));
    Ok(())
}
