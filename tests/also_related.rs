//! `also_related`: rows beside one related row each, through a LEFT JOIN, in one query, on
//! every backend: reverse and forward foreign keys, one-to-one, many-to-many, a relation
//! from a model to itself, and together with filters, ordering, `select_related` and
//! `prefetch_related`.

use futures_util::TryStreamExt;
use kata::Error;
use kata::prelude::*;
use kata::testing::assert_num_queries;

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Group {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 100)]
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct User {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 100)]
    pub name: String,
    #[kata(max_length = 20)]
    pub hair_color: Option<String>,
    #[kata(reverse_of = Post::author)]
    pub posts: HasMany<Post>,
    #[kata(many_to_many(through = "user_groups"))]
    pub groups: ManyToMany<Group>,
    #[kata(reverse_of = Profile::user)]
    pub profile: HasOne<Profile>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Profile {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(one_to_one, on_delete = "cascade")]
    pub user: OneToOne<User>,
    #[kata(max_length = 200)]
    pub bio: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Post {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    pub author: ForeignKey<User>,
    #[kata(foreign_key, on_delete = "set_null", related_name = "edited_posts")]
    pub editor: Option<ForeignKey<User>>,
    #[kata(max_length = 200)]
    pub title: String,
    #[kata(reverse_of = Comment::post)]
    pub comments: HasMany<Comment>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Comment {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    pub post: ForeignKey<Post>,
    #[kata(max_length = 200)]
    pub text: String,
}

/// A tree: a relation from a model to itself.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Category {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 100)]
    pub name: String,
    #[kata(foreign_key, on_delete = "cascade")]
    pub parent: Option<ForeignKey<Category>>,
    #[kata(reverse_of = Category::parent)]
    pub children: HasMany<Category>,
}

async fn setup(db: &Db) {
    db.create_tables(&[
        Group::meta(),
        User::meta(),
        Profile::meta(),
        Post::meta(),
        Comment::meta(),
        Category::meta(),
    ])
    .await
    .unwrap();
}

async fn user(db: &Db, name: &str, hair_color: Option<&str>) -> User {
    User::objects()
        .acreate(db, [User::name.set(name), User::hair_color.set(hair_color.map(str::to_owned))])
        .await
        .unwrap()
}

async fn post(db: &Db, author: &User, title: &str) -> Post {
    Post::objects().acreate(db, [Post::author.set(author), Post::title.set(title)]).await.unwrap()
}

/// `(owner name, related title)` pairs, for comparing rows.
fn names(rows: &[(User, Option<Post>)]) -> Vec<(String, Option<String>)> {
    rows.iter().map(|(u, p)| (u.name.clone(), p.as_ref().map(|p| p.title.clone()))).collect()
}

#[kata::test]
async fn reverse_foreign_key_gives_one_row_per_post_and_none_for_a_user_without_posts(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann", Some("black")).await;
    let bob = user(&db, "bob", Some("black")).await;
    let cat = user(&db, "cat", Some("brown")).await;
    post(&db, &ann, "a1").await;
    post(&db, &ann, "a2").await;
    post(&db, &cat, "c1").await;

    let query = User::objects()
        .filter(User::hair_color.eq("black"))
        .order_by([User::name.asc()])
        .also_related(User::posts);
    let mut rows = assert_num_queries(&db, 1, query.alist(&db)).await.unwrap();
    // The database orders the users; the posts of one user come in no promised order.
    rows.sort_by_key(|(u, p)| (u.name.clone(), p.as_ref().map(|p| p.title.clone())));
    assert_eq!(
        names(&rows),
        vec![("ann".into(), Some("a1".into())), ("ann".into(), Some("a2".into())), ("bob".into(), None),]
    );
    // The related rows are whole models with their keys.
    assert_eq!(rows[0].1.as_ref().unwrap().author.id(), ann.id);
    assert_eq!(rows[2].0.id, bob.id);
}

#[kata::test]
async fn an_empty_table_gives_no_rows_and_no_match_gives_none(db: Db) {
    setup(&db).await;
    assert!(User::objects().also_related(User::posts).alist(&db).await.unwrap().is_empty());
    user(&db, "ann", None).await;
    let rows = User::objects().also_related(User::posts).alist(&db).await.unwrap();
    assert_eq!(names(&rows), vec![("ann".into(), None)]);
}

#[kata::test]
async fn a_nullable_foreign_key_joins_forward_with_none_for_null(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann", None).await;
    let bob = user(&db, "bob", None).await;
    let edited = post(&db, &ann, "edited").await;
    post(&db, &ann, "unedited").await;
    Post::objects()
        .filter(Post::id.eq(edited.id))
        .aupdate(&db, [Post::editor.set(Some(ForeignKey::from(&bob)))])
        .await
        .unwrap();

    let rows: Vec<(Post, Option<User>)> = assert_num_queries(
        &db,
        1,
        Post::objects().order_by([Post::title.asc()]).also_related(Post::editor).alist(&db),
    )
    .await
    .unwrap();
    let got: Vec<(&str, Option<&str>)> =
        rows.iter().map(|(p, u)| (p.title.as_str(), u.as_ref().map(|u| u.name.as_str()))).collect();
    assert_eq!(got, vec![("edited", Some("bob")), ("unedited", None)]);
}

#[kata::test]
async fn a_required_foreign_key_joins_forward(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann", None).await;
    post(&db, &ann, "p").await;
    let rows = Post::objects().also_related(Post::author).alist(&db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1.as_ref().map(|u| u.id), Some(ann.id));
}

#[kata::test]
async fn many_to_many_joins_through_the_link_table(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann", None).await;
    let bob = user(&db, "bob", None).await;
    let admins = Group::objects().acreate(&db, [Group::name.set("admins")]).await.unwrap();
    let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await.unwrap();
    ann.groups.aadd(&db, &admins).await.unwrap();
    ann.groups.aadd(&db, &staff).await.unwrap();

    let mut rows =
        assert_num_queries(&db, 1, User::objects().also_related(User::groups).alist(&db)).await.unwrap();
    rows.sort_by_key(|(u, g)| (u.id, g.as_ref().map(|g| g.id)));
    let got: Vec<(i64, Option<&str>)> =
        rows.iter().map(|(u, g)| (u.id, g.as_ref().map(|g| g.name.as_str()))).collect();
    assert_eq!(got, vec![(ann.id, Some("admins")), (ann.id, Some("staff")), (bob.id, None)]);
}

#[kata::test]
async fn has_one_joins_the_reverse_one_to_one(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann", None).await;
    user(&db, "bob", None).await;
    Profile::objects().acreate(&db, [Profile::user.set(&ann), Profile::bio.set("hi")]).await.unwrap();
    let rows =
        User::objects().order_by([User::name.asc()]).also_related(User::profile).alist(&db).await.unwrap();
    let got: Vec<(&str, Option<&str>)> =
        rows.iter().map(|(u, p)| (u.name.as_str(), p.as_ref().map(|p| p.bio.as_str()))).collect();
    assert_eq!(got, vec![("ann", Some("hi")), ("bob", None)]);
}

#[kata::test]
async fn a_relation_to_the_same_table_is_joined_under_an_alias(db: Db) {
    setup(&db).await;
    let root = Category::objects().acreate(&db, [Category::name.set("root")]).await.unwrap();
    for name in ["b", "a"] {
        Category::objects()
            .acreate(&db, [Category::name.set(name), Category::parent.set(Some(ForeignKey::from(&root)))])
            .await
            .unwrap();
    }
    // The filter names the base table; the children come from its alias.
    let mut rows = Category::objects()
        .filter(Category::parent.isnull(true))
        .also_related(Category::children)
        .alist(&db)
        .await
        .unwrap();
    rows.sort_by(|a, b| a.1.as_ref().map(|c| &c.name).cmp(&b.1.as_ref().map(|c| &c.name)));
    let got: Vec<(&str, Option<&str>)> =
        rows.iter().map(|(p, c)| (p.name.as_str(), c.as_ref().map(|c| c.name.as_str()))).collect();
    assert_eq!(got, vec![("root", Some("a")), ("root", Some("b"))]);
}

#[kata::test]
async fn select_related_on_the_base_rows_loads_in_the_same_query(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann", None).await;
    let p = post(&db, &ann, "p").await;
    post(&db, &ann, "quiet").await;
    Comment::objects().acreate(&db, [Comment::post.set(&p), Comment::text.set("nice")]).await.unwrap();

    let rows = assert_num_queries(
        &db,
        1,
        Post::objects()
            .select_related(Post::author)
            .order_by([Post::title.asc()])
            .also_related(Post::comments)
            .alist(&db),
    )
    .await
    .unwrap();
    let got: Vec<(&str, &str, Option<&str>)> = rows
        .iter()
        .map(|(p, c)| {
            (p.title.as_str(), p.author.get().unwrap().name.as_str(), c.as_ref().map(|c| c.text.as_str()))
        })
        .collect();
    assert_eq!(got, vec![("p", "ann", Some("nice")), ("quiet", "ann", None)]);
}

#[kata::test]
async fn aiterator_streams_the_same_rows_as_alist(db: Db) {
    setup(&db).await;
    for i in 0..30 {
        let u = user(&db, &format!("u{i:02}"), None).await;
        for j in 0..i % 3 {
            post(&db, &u, &format!("u{i:02}p{j}")).await;
        }
    }
    let query = User::objects().order_by([User::name.asc()]).also_related(User::posts);
    let mut listed = names(&query.alist(&db).await.unwrap());
    let mut streamed: Vec<(User, Option<Post>)> = Vec::new();
    let mut stream = std::pin::pin!(query.aiterator(&db));
    while let Some(row) = stream.try_next().await.unwrap() {
        streamed.push(row);
    }
    let mut streamed = names(&streamed);
    listed.sort();
    streamed.sort();
    // 10 users with no post, 10 with one, 10 with two.
    assert_eq!(listed.len(), 10 + 10 + 20);
    assert_eq!(streamed, listed);
}

#[kata::test]
async fn afirst_and_limit_count_joined_rows(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann", None).await;
    user(&db, "bob", None).await;
    post(&db, &ann, "a1").await;
    post(&db, &ann, "a2").await;

    let first = User::objects().also_related(User::posts).afirst(&db).await.unwrap().unwrap();
    assert_eq!(first.0.id, ann.id);
    assert!(first.1.is_some());
    // The limit counts joined rows: ann's two posts fill it.
    let two = User::objects().order_by([User::name.asc()]).limit(2).also_related(User::posts);
    let rows = two.alist(&db).await.unwrap();
    assert_eq!(rows.iter().map(|(u, _)| u.name.as_str()).collect::<Vec<_>>(), vec!["ann", "ann"]);
    assert!(
        User::objects()
            .filter(User::name.eq("nobody"))
            .also_related(User::posts)
            .afirst(&db)
            .await
            .unwrap()
            .is_none()
    );
}

#[kata::test]
async fn misuse_is_a_typed_error_before_any_query(db: Db) {
    setup(&db).await;
    let locked = db
        .atomic(async |tx| User::objects().select_for_update().also_related(User::posts).alist(&tx).await)
        .await;
    assert!(
        matches!(locked, Err(Error::InvalidQuery(ref m)) if m.contains("select_for_update")),
        "{locked:?}"
    );

    let query = User::objects().prefetch_related(User::groups).also_related(User::posts);
    let streamed = assert_num_queries(&db, 0, async {
        let mut stream = std::pin::pin!(query.aiterator(&db));
        stream.try_next().await
    })
    .await;
    assert!(
        matches!(streamed, Err(Error::InvalidQuery(ref m)) if m.contains("prefetch_related")),
        "{streamed:?}"
    );
}
