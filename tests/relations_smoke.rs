//! temp
use kata::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_group")]
pub struct Group {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(unique, max_length = 150)]
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_user")]
pub struct User {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(unique, max_length = 150)]
    pub username: String,
    #[kata(many_to_many(through = "auth_user_groups"), related_name = "users")]
    pub groups: ManyToMany<Group>,
    #[kata(reverse_of = Post::author)]
    pub posts: HasMany<Post>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Post {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    pub author: ForeignKey<User>,
    pub title: String,
    pub published: bool,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Comment {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key, related_name = "comments")]
    pub post: ForeignKey<Post>,
    #[kata(foreign_key, on_delete = "set_null")]
    pub editor: Option<ForeignKey<User>>,
    pub text: String,
}

#[kata::test]
async fn relations(db: Db) {
    db.create_tables(&[Group::meta(), User::meta(), Post::meta(), Comment::meta()]).await.unwrap();
    let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await.unwrap();
    let ann = User::objects().acreate(&db, [User::username.set("ann")]).await.unwrap();
    ann.groups.aadd(&db, &admins).await.unwrap();
    ann.groups.aadd(&db, &admins).await.unwrap();
    assert_eq!(ann.groups.acount(&db).await.unwrap(), 1);
    assert_eq!(admins.users().acount(&db).await.unwrap(), 1);
    let p = Post::objects()
        .acreate(
            &db,
            [Post::author.set(ForeignKey::new(ann.id)), Post::title.set("hi"), Post::published.set(true)],
        )
        .await
        .unwrap();
    Comment::objects()
        .acreate(&db, [Comment::post.set(ForeignKey::new(p.id)), Comment::text.set("c1")])
        .await
        .unwrap();
    let posts =
        kata::testing::assert_num_queries(&db, 1, Post::objects().select_related(Post::author).alist(&db))
            .await
            .unwrap();
    assert_eq!(posts[0].author.get().unwrap().username, "ann");
    let cs = Comment::objects()
        .select_related(Comment::post.with(Post::author))
        .select_related(Comment::editor)
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(cs[0].post.get().unwrap().author.get().unwrap().username, "ann");
    let users = kata::testing::assert_num_queries(
        &db,
        3,
        User::objects()
            .prefetch_related(User::groups)
            .prefetch(Prefetch::new(User::posts).queryset(Post::objects().filter(Post::published.eq(true))))
            .alist(&db),
    )
    .await
    .unwrap();
    assert_eq!(users[0].groups.get().unwrap().len(), 1);
    assert_eq!(users[0].posts.get().unwrap().len(), 1);
    let by_group =
        User::objects().filter(User::groups.then(Group::name).eq("admins")).acount(&db).await.unwrap();
    assert_eq!(by_group, 1);
    let by_author =
        Post::objects().filter(Post::author.then(User::username).eq("ann")).acount(&db).await.unwrap();
    assert_eq!(by_author, 1);
    let n: Vec<(User, i64)> = User::objects().annotate(User::groups.count()).alist(&db).await.unwrap();
    assert_eq!(n[0].1, 1);
    assert_eq!(p.comments().acount(&db).await.unwrap(), 1);
    ann.groups.aremove(&db, &admins).await.unwrap();
    assert_eq!(ann.groups.acount(&db).await.unwrap(), 0);
}
