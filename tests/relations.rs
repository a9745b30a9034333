//! Relations on every backend: eager loading (`select_related`, `prefetch_related`), related
//! managers on both sides, lookups across relations, `on_delete` and foreign-key integrity.

use std::collections::{BTreeMap, HashMap};

use futures_util::TryStreamExt;
use kata::prelude::*;
use kata::testing::assert_num_queries;
use kata::{Error, IntegrityKind};

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
pub struct Profile {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(one_to_one, on_delete = "cascade", related_name = "profile")]
    pub user: OneToOne<User>,
    #[kata(max_length = 200, default = "")]
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
    #[kata(default = false)]
    pub published: bool,
    #[kata(reverse_of = Comment::post)]
    pub comments: HasMany<Comment>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Comment {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    pub post: ForeignKey<Post>,
    /// A second cascade path from `User`: a comment on a user's post by that user is
    /// reached twice when the user goes.
    #[kata(foreign_key, on_delete = "cascade", related_name = "comments")]
    pub author: ForeignKey<User>,
    #[kata(foreign_key, on_delete = "set_null")]
    pub reply_to: Option<ForeignKey<Comment>>,
    #[kata(max_length = 500)]
    pub text: String,
}

/// Refuses to let its author be deleted.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Article {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key, on_delete = "restrict")]
    pub author: ForeignKey<User>,
    pub title: String,
}

/// Protects the post it reviews (Django's `PROTECT`).
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Review {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key, on_delete = "protect")]
    pub post: ForeignKey<Post>,
    pub stars: i32,
}

/// Leaves it to the database (`NO ACTION`).
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Bookmark {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key, on_delete = "do_nothing")]
    pub post: ForeignKey<Post>,
}

/// A many-to-many through a model of ours, with an extra column.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Club {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(unique, max_length = 100)]
    pub name: String,
    #[kata(many_to_many(through = Membership), related_name = "clubs")]
    pub members: ManyToMany<User>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Membership {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key)]
    pub club: ForeignKey<Club>,
    #[kata(foreign_key)]
    pub person: ForeignKey<User>,
    #[kata(max_length = 50, default = "member")]
    pub role: String,
}

/// A model whose key is its own (not `auto`), with a many-to-many.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Team {
    #[kata(primary_key, max_length = 20)]
    pub code: String,
    #[kata(many_to_many(through = "team_members"), related_name = "teams")]
    pub members: ManyToMany<User>,
}

/// A reading list: a many-to-many whose target has foreign keys of its own.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct ReadingList {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 50)]
    pub name: String,
    #[kata(many_to_many(through = "reading_list_posts"))]
    pub posts: ManyToMany<Post>,
}

/// A tree: deleting a node deletes its subtree.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Category {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key, on_delete = "cascade", related_name = "children")]
    pub parent: Option<ForeignKey<Category>>,
    #[kata(max_length = 50)]
    pub name: String,
}

// ---------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------

async fn setup(db: &Db) {
    db.create_tables(&[Group::meta(), User::meta(), Profile::meta(), Post::meta(), Comment::meta()])
        .await
        .unwrap();
}

async fn user(db: &Db, name: &str) -> User {
    User::objects().acreate(db, [User::username.set(name)]).await.unwrap()
}

async fn group(db: &Db, name: &str) -> Group {
    Group::objects().acreate(db, [Group::name.set(name)]).await.unwrap()
}

async fn post(db: &Db, author: &User, title: &str, published: bool) -> Post {
    Post::objects()
        .acreate(db, [Post::author.set(author), Post::title.set(title), Post::published.set(published)])
        .await
        .unwrap()
}

async fn comment(db: &Db, on: &Post, by: &User, text: &str) -> Comment {
    Comment::objects()
        .acreate(db, [Comment::post.set(on), Comment::author.set(by), Comment::text.set(text)])
        .await
        .unwrap()
}

fn new_user(name: String) -> User {
    User { id: 0, username: name, groups: ManyToMany::default(), posts: HasMany::default() }
}

fn new_post(author: i64, title: String, published: bool) -> Post {
    Post {
        id: 0,
        author: ForeignKey::new(author),
        editor: None,
        title,
        published,
        comments: HasMany::default(),
    }
}

fn new_comment(post: i64, author: i64, text: String) -> Comment {
    Comment { id: 0, post: ForeignKey::new(post), author: ForeignKey::new(author), reply_to: None, text }
}

/// Sorted names, for order-independent comparisons.
fn names<T>(rows: &[T], name: impl Fn(&T) -> &str) -> Vec<String> {
    let mut out: Vec<String> = rows.iter().map(|r| name(r).to_owned()).collect();
    out.sort();
    out
}

fn group_names(groups: &[Group]) -> Vec<String> {
    names(groups, |g| &g.name)
}

fn usernames(users: &[User]) -> Vec<String> {
    names(users, |u| &u.username)
}

fn titles(posts: &[Post]) -> Vec<String> {
    names(posts, |p| &p.title)
}

fn assert_foreign_key_error<T: std::fmt::Debug>(result: kata::Result<T>, expected: &str) {
    match result {
        Err(Error::Integrity { kind, constraint, .. }) => {
            assert_eq!(kind, IntegrityKind::ForeignKey);
            assert_eq!(constraint, expected);
        }
        other => panic!("expected a foreign-key Integrity error on {expected}, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// select_related and prefetch_related
// ---------------------------------------------------------------------------------------

#[kata::test]
async fn select_related_loads_a_thousand_authors_in_one_query(db: Db) {
    setup(&db).await;
    let authors = User::objects()
        .abulk_create(&db, (0..10).map(|i| new_user(format!("author{i}"))).collect())
        .await
        .unwrap();
    assert_eq!(authors.len(), 10);
    let authors = User::objects().order_by([User::id.asc()]).alist(&db).await.unwrap();
    let posts = (0..1000).map(|i| new_post(authors[i % 10].id, format!("post {i}"), i % 2 == 0)).collect();
    Post::objects().abulk_create(&db, posts).await.unwrap();

    let posts =
        assert_num_queries(&db, 1, Post::objects().select_related(Post::author).alist(&db)).await.unwrap();

    assert_eq!(posts.len(), 1000);
    let mut per_author: HashMap<String, usize> = HashMap::new();
    for post in &posts {
        let n: usize = post.title["post ".len()..].parse().unwrap();
        let author = post.author.get().expect("select_related loads every author");
        assert_eq!(author.id, post.author.id());
        assert_eq!(author.username, format!("author{}", n % 10));
        assert_eq!(author.id, authors[n % 10].id);
        *per_author.entry(author.username.clone()).or_default() += 1;
    }
    assert_eq!(per_author.len(), 10);
    assert!(per_author.values().all(|&n| n == 100));
}

#[kata::test]
async fn nested_prefetch_loads_users_posts_and_comments_in_three_queries(db: Db) {
    setup(&db).await;
    User::objects()
        .abulk_create(&db, (0..100).map(|u| new_user(format!("u{u:03}"))).collect())
        .await
        .unwrap();
    let users = User::objects().order_by([User::id.asc()]).alist(&db).await.unwrap();
    let posts = users
        .iter()
        .enumerate()
        .flat_map(|(u, user)| (0..10).map(move |p| new_post(user.id, format!("u{u:03}-p{p}"), true)))
        .collect();
    Post::objects().abulk_create(&db, posts).await.unwrap();
    let posts = Post::objects().alist(&db).await.unwrap();
    assert_eq!(posts.len(), 1000);
    // Comment `c` on a post is written by the user `c` places after the post's author.
    let author_index: HashMap<i64, usize> = users.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let comments = posts
        .iter()
        .flat_map(|post| {
            let owner = author_index[post.author.key()];
            let users = &users;
            (0..10).map(move |c| {
                new_comment(post.id, users[(owner + c) % 100].id, format!("{}-c{c}", post.title))
            })
        })
        .collect();
    Comment::objects().abulk_create(&db, comments).await.unwrap();
    assert_eq!(Comment::objects().acount(&db).await.unwrap(), 10_000);

    let loaded = assert_num_queries(
        &db,
        3,
        User::objects()
            .order_by([User::username.asc()])
            .prefetch(
                Prefetch::new(User::posts)
                    .queryset(Post::objects().order_by([Post::title.asc()]).prefetch_related(Post::comments)),
            )
            .alist(&db),
    )
    .await
    .unwrap();

    assert_eq!(loaded.len(), 100);
    let mut comments_seen = 0;
    for (u, user) in loaded.iter().enumerate() {
        assert_eq!(user.username, format!("u{u:03}"));
        let posts = user.posts.get().expect("posts are prefetched");
        let expected: Vec<String> = (0..10).map(|p| format!("u{u:03}-p{p}")).collect();
        assert_eq!(
            posts.iter().map(|p| p.title.clone()).collect::<Vec<_>>(),
            expected,
            "in the queryset's order"
        );
        for post in posts {
            assert_eq!(post.author.id(), user.id);
            let comments = post.comments.get().expect("comments are prefetched inside the prefetch");
            assert_eq!(comments.len(), 10);
            let texts = names(comments, |c| &c.text);
            let expected: Vec<String> = (0..10).map(|c| format!("{}-c{c}", post.title)).collect();
            assert_eq!(texts, expected, "the comments of {} are grouped under it", post.title);
            for c in comments {
                assert_eq!(c.post.id(), post.id);
                let k: usize = c.text.rsplit("-c").next().unwrap().parse().unwrap();
                assert_eq!(c.author.id(), users[(u + k) % 100].id);
            }
            comments_seen += comments.len();
        }
    }
    assert_eq!(comments_seen, 10_000);
}

#[kata::test]
async fn prefetch_queryset_filters_and_orders_what_is_loaded(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;
    let ed = user(&db, "ed").await;
    post(&db, &ann, "a-draft", false).await;
    let a1 = post(&db, &ann, "a1", true).await;
    post(&db, &ann, "a2", true).await;
    post(&db, &bob, "b-draft", false).await;
    Post::objects()
        .filter(Post::id.eq(a1.id))
        .aupdate(&db, [Post::editor.set(Some(ForeignKey::from(&ed)))])
        .await
        .unwrap();

    let users = assert_num_queries(
        &db,
        2,
        User::objects()
            .order_by([User::username.asc()])
            .prefetch(
                Prefetch::new(User::posts).queryset(
                    Post::objects()
                        .filter(Post::published.eq(true))
                        .select_related(Post::editor)
                        .order_by([Post::title.desc()]),
                ),
            )
            .alist(&db),
    )
    .await
    .unwrap();

    assert_eq!(usernames(&users), ["ann", "bob", "ed"]);
    let ann_posts = users[0].posts.get().unwrap();
    assert_eq!(ann_posts.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), ["a2", "a1"]);
    assert!(ann_posts.iter().all(|p| p.published));
    let editor =
        ann_posts[1].editor.as_ref().and_then(|e| e.get()).expect("the prefetch query's select_related");
    assert_eq!(editor.username, "ed");
    assert!(ann_posts[0].editor.is_none());
    assert_eq!(users[1].posts.get(), Some(&[][..]), "bob's only post is a draft: loaded and empty");
    assert_eq!(users[2].posts.get().map(<[Post]>::len), Some(0));
    // The unfiltered relation still sees every post.
    assert_eq!(users[0].posts.acount(&db).await.unwrap(), 3);
}

#[kata::test]
async fn many_to_many_prefetch_queryset_can_select_and_prefetch_further(db: Db) {
    setup(&db).await;
    db.create_tables(&[ReadingList::meta()]).await.unwrap();
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;
    let a1 = post(&db, &ann, "a1", true).await;
    let b1 = post(&db, &bob, "b1", true).await;
    comment(&db, &b1, &ann, "ann on b1").await;
    let mine = ReadingList::objects().acreate(&db, [ReadingList::name.set("mine")]).await.unwrap();
    let empty = ReadingList::objects().acreate(&db, [ReadingList::name.set("empty")]).await.unwrap();
    mine.posts.aset(&db, &[&a1, &b1]).await.unwrap();

    let lists = assert_num_queries(
        &db,
        3,
        ReadingList::objects()
            .prefetch(
                Prefetch::new(ReadingList::posts).queryset(
                    Post::objects()
                        .select_related(Post::author)
                        .prefetch_related(Post::comments)
                        .order_by([Post::title.asc()]),
                ),
            )
            .order_by([ReadingList::name.asc()])
            .alist(&db),
    )
    .await
    .unwrap();

    assert_eq!(lists[0].id, empty.id);
    assert_eq!(lists[0].posts.get(), Some(&[][..]));
    let posts = lists[1].posts.get().unwrap();
    let loaded: Vec<(&str, Option<&str>, usize)> = posts
        .iter()
        .map(|p| {
            (p.title.as_str(), p.author.get().map(|u| u.username.as_str()), p.comments.get().unwrap().len())
        })
        .collect();
    assert_eq!(loaded, [("a1", Some("ann"), 0), ("b1", Some("bob"), 1)]);
}

#[kata::test]
async fn a_sliced_prefetch_queryset_is_refused(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;
    post(&db, &ann, "a1", true).await;
    post(&db, &bob, "b1", true).await;

    // A LIMIT would apply to every owner's rows together, not to each owner's.
    let sliced = User::objects()
        .prefetch(Prefetch::new(User::posts).queryset(Post::objects().order_by([Post::id.asc()]).limit(1)))
        .alist(&db)
        .await
        .unwrap_err();
    assert!(matches!(sliced, Error::InvalidQuery(ref m) if m.contains("slice")), "{sliced:?}");
    let offset = User::objects()
        .prefetch(Prefetch::new(User::groups).queryset(Group::objects().offset(1)))
        .alist(&db)
        .await
        .unwrap_err();
    assert!(matches!(offset, Error::InvalidQuery(_)), "{offset:?}");
}

#[kata::test]
async fn select_related_left_joins_a_null_foreign_key_and_leaves_it_unloaded(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let ed = user(&db, "ed").await;
    let edited = post(&db, &ann, "edited", true).await;
    let unedited = post(&db, &ann, "unedited", true).await;
    Post::objects()
        .filter(Post::id.eq(edited.id))
        .aupdate(&db, [Post::editor_id.set(Some(ed.id))])
        .await
        .unwrap();

    let posts = assert_num_queries(
        &db,
        1,
        Post::objects()
            .select_related(Post::editor)
            .select_related(Post::author)
            .order_by([Post::id.asc()])
            .alist(&db),
    )
    .await
    .unwrap();

    assert_eq!(posts.len(), 2, "a LEFT JOIN keeps the post without an editor");
    assert_eq!(posts[0].id, edited.id);
    assert_eq!(posts[0].editor.as_ref().and_then(|e| e.get()).map(|u| u.username.as_str()), Some("ed"));
    assert_eq!(posts[1].id, unedited.id);
    assert!(posts[1].editor.is_none());
    assert_eq!(
        posts[1].author.get().map(|u| u.username.as_str()),
        Some("ann"),
        "the columns after the NULL join still decode"
    );
}

#[kata::test]
async fn nested_select_related_follows_two_levels_in_one_query(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;
    let ed = user(&db, "ed").await;
    let p = post(&db, &ann, "hello", true).await;
    Post::objects()
        .filter(Post::id.eq(p.id))
        .aupdate(&db, [Post::editor.set(Some(ForeignKey::from(&ed)))])
        .await
        .unwrap();
    let q = post(&db, &bob, "unedited", true).await;
    let first = comment(&db, &p, &bob, "first").await;
    let reply = Comment::objects()
        .acreate(
            &db,
            [
                Comment::post.set(&q),
                Comment::author.set(&ann),
                Comment::reply_to.set(Some(ForeignKey::from(&first))),
                Comment::text.set("reply"),
            ],
        )
        .await
        .unwrap();

    let comments = assert_num_queries(
        &db,
        1,
        Comment::objects()
            .select_related(Comment::post.with(Post::author).with(Post::editor))
            .select_related(Comment::reply_to.with(Comment::post.with(Post::author)))
            .select_related(Comment::author)
            .order_by([Comment::id.asc()])
            .alist(&db),
    )
    .await
    .unwrap();

    assert_eq!(comments.len(), 2);
    let c = &comments[0];
    assert_eq!(c.id, first.id);
    let post = c.post.get().unwrap();
    assert_eq!(post.title, "hello");
    assert_eq!(post.author.get().unwrap().username, "ann");
    assert_eq!(post.editor.as_ref().and_then(|e| e.get()).unwrap().username, "ed");
    assert_eq!(c.author.get().unwrap().username, "bob");
    assert!(c.reply_to.is_none(), "a NULL key: the nested LEFT JOINs below it find nothing");

    let r = &comments[1];
    assert_eq!(r.id, reply.id);
    let post = r.post.get().unwrap();
    assert_eq!(post.title, "unedited");
    assert_eq!(post.author.get().unwrap().username, "bob");
    assert!(post.editor.is_none());
    let parent = r.reply_to.as_ref().and_then(|x| x.get()).expect("the reply's parent is loaded");
    assert_eq!(parent.text, "first");
    assert_eq!(
        parent.post.get().unwrap().author.get().unwrap().username,
        "ann",
        "two levels below a nullable key"
    );
    assert_eq!(r.author.get().unwrap().username, "ann");
}

#[kata::test]
async fn select_related_follows_a_one_to_one_and_the_key_stays_unique(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;
    Profile::objects().acreate(&db, [Profile::user.set(&ann), Profile::bio.set("ann's bio")]).await.unwrap();
    Profile::objects().acreate(&db, [Profile::user.set(&bob)]).await.unwrap();

    let profiles = assert_num_queries(
        &db,
        1,
        Profile::objects().select_related(Profile::user).order_by([Profile::bio.desc()]).alist(&db),
    )
    .await
    .unwrap();
    assert_eq!(profiles.len(), 2);
    assert_eq!(profiles[0].user.get().unwrap().username, "ann");
    assert_eq!(profiles[1].user.get().unwrap().username, "bob");
    assert_eq!(profiles[1].bio, "", "the database default");

    let second = Profile::objects().acreate(&db, [Profile::user.set(&ann)]).await.unwrap_err();
    assert!(second.is_integrity(IntegrityKind::Unique), "one profile per user: {second:?}");
    assert_eq!(ann.profile().alist(&db).await.unwrap().len(), 1);
}

#[kata::test]
async fn prefetch_related_groups_each_users_many_to_many_rows(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;
    user(&db, "cy").await;
    let admins = group(&db, "admins").await;
    let staff = group(&db, "staff").await;
    ann.groups.aadd(&db, &admins).await.unwrap();
    ann.groups.aadd(&db, &staff).await.unwrap();
    bob.groups.aadd(&db, &staff).await.unwrap();

    let users = assert_num_queries(
        &db,
        2,
        User::objects().prefetch_related(User::groups).order_by([User::username.asc()]).alist(&db),
    )
    .await
    .unwrap();

    assert_eq!(group_names(users[0].groups.get().unwrap()), ["admins", "staff"]);
    assert_eq!(group_names(users[1].groups.get().unwrap()), ["staff"]);
    assert_eq!(users[2].groups.get(), Some(&[][..]), "cy has no groups: loaded and empty");
    assert!(!users[0].posts.is_loaded(), "only what was asked for is loaded");
}

#[kata::test]
async fn prefetch_for_no_rows_runs_only_the_main_query(db: Db) {
    setup(&db).await;
    user(&db, "ann").await;
    let users = assert_num_queries(
        &db,
        1,
        User::objects()
            .filter(User::username.eq("nobody"))
            .prefetch_related(User::groups)
            .prefetch_related(User::posts)
            .alist(&db),
    )
    .await
    .unwrap();
    assert!(users.is_empty());
}

#[kata::test]
async fn aprefetch_related_objects_loads_relations_for_models_in_hand(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;
    post(&db, &ann, "a1", true).await;
    post(&db, &ann, "a2", false).await;
    post(&db, &bob, "b1", true).await;
    let mut users = User::objects().order_by([User::username.asc()]).alist(&db).await.unwrap();
    assert!(!users[0].posts.is_loaded());

    assert_num_queries(&db, 1, kata::aprefetch_related_objects(&db, &mut users, [User::posts]))
        .await
        .unwrap();

    assert_eq!(titles(users[0].posts.get().unwrap()), ["a1", "a2"]);
    assert_eq!(titles(users[1].posts.get().unwrap()), ["b1"]);
    let mut none: Vec<User> = Vec::new();
    assert_num_queries(&db, 0, kata::aprefetch_related_objects(&db, &mut none, [User::posts])).await.unwrap();
}

#[kata::test]
async fn aiterator_with_prefetch_reads_chunks_each_with_its_prefetch(db: Db) {
    setup(&db).await;
    User::objects()
        .abulk_create(&db, (0..1500).map(|i| new_user(format!("user{i:04}"))).collect())
        .await
        .unwrap();
    let first = User::objects().aget(&db, User::username.eq("user0000")).await.unwrap();
    let last = User::objects().aget(&db, User::username.eq("user1499")).await.unwrap();
    post(&db, &first, "first's", true).await;
    post(&db, &last, "last's 1", true).await;
    post(&db, &last, "last's 2", true).await;

    // 1,500 rows in chunks of 1,000: two chunk queries, each with one prefetch query.
    let users: Vec<User> = assert_num_queries(
        &db,
        4,
        User::objects().prefetch_related(User::posts).aiterator(&db).try_collect::<Vec<User>>(),
    )
    .await
    .unwrap();

    assert_eq!(users.len(), 1500);
    assert!(users.windows(2).all(|w| w[0].id < w[1].id), "ordered by key when the query has no order");
    assert!(users.iter().all(|u| u.posts.is_loaded()));
    let counts: BTreeMap<&str, usize> = users
        .iter()
        .map(|u| (u.username.as_str(), u.posts.get().unwrap().len()))
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(counts, BTreeMap::from([("user0000", 1), ("user1499", 2)]));
}

// ---------------------------------------------------------------------------------------
// related managers
// ---------------------------------------------------------------------------------------

#[kata::test]
async fn many_to_many_manager_links_lists_and_unlinks_from_the_owner_side(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let admins = group(&db, "admins").await;
    let staff = group(&db, "staff").await;
    assert!(!ann.groups.aexists(&db).await.unwrap());
    assert_eq!(ann.groups.acount(&db).await.unwrap(), 0);

    ann.groups.aadd(&db, &admins).await.unwrap();
    ann.groups.aadd(&db, &admins).await.unwrap();
    ann.groups.aadd(&db, &staff).await.unwrap();

    assert_eq!(ann.groups.acount(&db).await.unwrap(), 2);
    assert!(ann.groups.aexists(&db).await.unwrap());
    assert_eq!(group_names(&ann.groups.alist(&db).await.unwrap()), ["admins", "staff"]);
    // Adding twice wrote one link: the prefetch join and the link count see one row.
    let loaded = User::objects().prefetch_related(User::groups).alist(&db).await.unwrap();
    assert_eq!(group_names(loaded[0].groups.get().unwrap()), ["admins", "staff"]);
    let counted: Vec<(User, i64)> = User::objects().annotate(User::groups.count()).alist(&db).await.unwrap();
    assert_eq!(counted[0].1, 2);

    let only_staff = ann.groups.filter(Group::name.startswith("st")).unwrap().alist(&db).await.unwrap();
    assert_eq!(group_names(&only_staff), ["staff"]);
    let ordered = ann.groups.all().unwrap().order_by([Group::name.desc()]).alist(&db).await.unwrap();
    assert_eq!(ordered.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["staff", "admins"]);

    ann.groups.aremove(&db, &admins).await.unwrap();
    ann.groups.aremove(&db, &admins).await.unwrap();
    assert_eq!(group_names(&ann.groups.alist(&db).await.unwrap()), ["staff"]);
    ann.groups.aclear(&db).await.unwrap();
    assert_eq!(ann.groups.acount(&db).await.unwrap(), 0);
    assert_eq!(Group::objects().acount(&db).await.unwrap(), 2, "unlinking keeps the groups");
    assert_eq!(User::objects().acount(&db).await.unwrap(), 1);
}

#[kata::test]
async fn many_to_many_manager_works_from_the_target_side_through_related_name(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;
    let cy = user(&db, "cy").await;
    let admins = group(&db, "admins").await;
    let staff = group(&db, "staff").await;

    admins.users().aadd(&db, &ann).await.unwrap();
    admins.users().aadd(&db, &bob).await.unwrap();
    admins.users().aadd(&db, &bob).await.unwrap();
    staff.users().aadd(&db, &bob).await.unwrap();

    assert_eq!(admins.users().acount(&db).await.unwrap(), 2);
    assert_eq!(usernames(&admins.users().alist(&db).await.unwrap()), ["ann", "bob"]);
    assert_eq!(
        group_names(&bob.groups.alist(&db).await.unwrap()),
        ["admins", "staff"],
        "the same links, seen from the user"
    );
    assert!(admins.users().aexists(&db).await.unwrap());
    let bs = admins.users().filter(User::username.startswith("b")).unwrap().acount(&db).await.unwrap();
    assert_eq!(bs, 1);

    admins.users().aremove(&db, &bob).await.unwrap();
    assert_eq!(usernames(&admins.users().alist(&db).await.unwrap()), ["ann"]);
    assert_eq!(group_names(&bob.groups.alist(&db).await.unwrap()), ["staff"]);

    admins.users().aset(&db, &[&bob, &cy]).await.unwrap();
    assert_eq!(usernames(&admins.users().alist(&db).await.unwrap()), ["bob", "cy"]);
    assert_eq!(ann.groups.acount(&db).await.unwrap(), 0);

    let dan = admins.users().acreate(&db, [User::username.set("dan")]).await.unwrap();
    assert_eq!(group_names(&dan.groups.alist(&db).await.unwrap()), ["admins"]);
    let (found, created) =
        admins.users().aget_or_create(&db, vec![User::username.set("dan")], vec![]).await.unwrap();
    assert!(!created);
    assert_eq!(found.id, dan.id);

    admins.users().aclear(&db).await.unwrap();
    assert!(!admins.users().aexists(&db).await.unwrap());
    assert_eq!(staff.users().acount(&db).await.unwrap(), 1, "other groups keep their links");
    assert_eq!(User::objects().acount(&db).await.unwrap(), 4);
}

#[kata::test]
async fn many_to_many_aset_replaces_the_linked_rows(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let admins = group(&db, "admins").await;
    let staff = group(&db, "staff").await;
    let ops = group(&db, "ops").await;

    ann.groups.aset(&db, &[&admins, &staff]).await.unwrap();
    assert_eq!(group_names(&ann.groups.alist(&db).await.unwrap()), ["admins", "staff"]);

    ann.groups.aset(&db, &[&staff, &ops]).await.unwrap();
    assert_eq!(group_names(&ann.groups.alist(&db).await.unwrap()), ["ops", "staff"]);
    let counted: Vec<(User, i64)> = User::objects().annotate(User::groups.count()).alist(&db).await.unwrap();
    assert_eq!(counted[0].1, 2, "staff, kept across the two calls, is linked once");

    ann.groups.aset(&db, Vec::<&Group>::new()).await.unwrap();
    assert_eq!(ann.groups.acount(&db).await.unwrap(), 0);
}

#[kata::test]
async fn many_to_many_aset_is_all_or_nothing(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let admins = group(&db, "admins").await;
    let staff = group(&db, "staff").await;
    let gone = group(&db, "gone").await;
    ann.groups.aset(&db, &[&admins]).await.unwrap();
    Group::objects().filter(Group::id.eq(gone.id)).adelete(&db).await.unwrap();

    let failed = ann.groups.aset(&db, &[&staff, &gone]).await;

    assert_foreign_key_error(failed, "auth_user_groups_group_id_fkey");
    assert_eq!(group_names(&ann.groups.alist(&db).await.unwrap()), ["admins"], "the links are as before");

    let ed = user(&db, "ed").await;
    let p1 = post(&db, &ann, "p1", true).await;
    let p2 = post(&db, &ann, "p2", true).await;
    ed.edited_posts().aadd(&db, &p1).await.unwrap();
    let draft = new_post(ann.id, "draft".into(), true);
    let failed = ed.edited_posts().aset(&db, &[&p2, &draft]).await;
    assert!(matches!(failed, Err(Error::Unsaved { model: "Post", .. })), "{failed:?}");
    assert_eq!(titles(&ed.edited_posts().alist(&db).await.unwrap()), ["p1"], "not cleared");
}

#[kata::test]
async fn many_to_many_acreate_and_aget_or_create_link_the_row(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;

    let editors = ann.groups.acreate(&db, [Group::name.set("editors")]).await.unwrap();
    assert!(editors.id > 0);
    assert_eq!(group_names(&ann.groups.alist(&db).await.unwrap()), ["editors"]);

    let (found, created) =
        ann.groups.aget_or_create(&db, vec![Group::name.set("editors")], vec![]).await.unwrap();
    assert!(!created);
    assert_eq!(found.id, editors.id);

    let (made, created) =
        ann.groups.aget_or_create(&db, vec![Group::name.set("writers")], vec![]).await.unwrap();
    assert!(created);
    assert_eq!(group_names(&ann.groups.alist(&db).await.unwrap()), ["editors", "writers"]);
    assert_eq!(Group::objects().acount(&db).await.unwrap(), 2);
    assert_eq!(bob.groups.acount(&db).await.unwrap(), 0);
    assert_eq!(usernames(&made.users().alist(&db).await.unwrap()), ["ann"]);
}

#[kata::test]
async fn reverse_foreign_key_manager_lists_creates_and_moves_rows(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;

    let a1 = ann.posts.acreate(&db, [Post::title.set("a1"), Post::published.set(true)]).await.unwrap();
    assert_eq!(a1.author.id(), ann.id, "the manager sets the key");
    assert!(!ann.posts.acreate(&db, [Post::title.set("a2")]).await.unwrap().published);
    let b1 = post(&db, &bob, "b1", true).await;

    assert_eq!(ann.posts.acount(&db).await.unwrap(), 2);
    assert!(ann.posts.aexists(&db).await.unwrap());
    assert_eq!(titles(&ann.posts.alist(&db).await.unwrap()), ["a1", "a2"]);
    let published = ann.posts.filter(Post::published.eq(true)).unwrap().alist(&db).await.unwrap();
    assert_eq!(titles(&published), ["a1"]);
    let newest = ann.posts.all().unwrap().order_by([Post::id.desc()]).afirst(&db).await.unwrap().unwrap();
    assert_eq!(newest.title, "a2");

    let (found, created) = ann.posts.aget_or_create(&db, vec![Post::title.set("a1")], vec![]).await.unwrap();
    assert!(!created);
    assert_eq!(found.id, a1.id);
    let (made, created) = ann
        .posts
        .aget_or_create(&db, vec![Post::title.set("b1")], vec![Post::published.set(true)])
        .await
        .unwrap();
    assert!(created, "bob's b1 is not one of ann's posts");
    assert_eq!(made.author.id(), ann.id);
    assert!(made.published);

    ann.posts.aadd(&db, &b1).await.unwrap();
    assert_eq!(ann.posts.acount(&db).await.unwrap(), 4);
    assert_eq!(bob.posts.acount(&db).await.unwrap(), 0, "aadd moved the post");

    // The reverse side of a foreign key declared with related_name.
    comment(&db, &a1, &bob, "nice").await;
    assert_eq!(names(&bob.comments().alist(&db).await.unwrap(), |c| &c.text), ["nice"]);
    assert_eq!(a1.comments.acount(&db).await.unwrap(), 1);
}

#[kata::test]
async fn reverse_manager_of_a_nullable_key_removes_clears_and_sets_by_nulling(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let ed = user(&db, "ed").await;
    let p1 = post(&db, &ann, "p1", true).await;
    let p2 = post(&db, &ann, "p2", true).await;
    let p3 = post(&db, &ann, "p3", true).await;

    ed.edited_posts().aadd(&db, &p1).await.unwrap();
    ed.edited_posts().aadd(&db, &p2).await.unwrap();
    assert_eq!(titles(&ed.edited_posts().alist(&db).await.unwrap()), ["p1", "p2"]);

    ed.edited_posts().aremove(&db, &p1).await.unwrap();
    let p1_now = Post::objects().aget(&db, Post::id.eq(p1.id)).await.unwrap();
    assert!(p1_now.editor.is_none(), "aremove nulls the key and keeps the row");

    ed.edited_posts().aset(&db, &[&p3]).await.unwrap();
    assert_eq!(titles(&ed.edited_posts().alist(&db).await.unwrap()), ["p3"]);

    ed.edited_posts().aclear(&db).await.unwrap();
    assert_eq!(ed.edited_posts().acount(&db).await.unwrap(), 0);
    assert_eq!(Post::objects().filter(Post::editor.isnull(true)).acount(&db).await.unwrap(), 3);
}

#[kata::test]
async fn reverse_manager_of_a_required_key_refuses_to_null_it(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let p = post(&db, &ann, "p", true).await;

    let removed = ann.posts.aremove(&db, &p).await.unwrap_err();
    assert!(matches!(removed, Error::InvalidQuery(ref m) if m.contains("not nullable")), "{removed:?}");
    let cleared = ann.posts.aclear(&db).await.unwrap_err();
    assert!(matches!(cleared, Error::InvalidQuery(_)), "{cleared:?}");
    assert_eq!(ann.posts.acount(&db).await.unwrap(), 1);
}

#[kata::test]
async fn related_managers_of_unsaved_rows_are_unsaved_errors(db: Db) {
    setup(&db).await;
    let admins = group(&db, "admins").await;
    let ann = user(&db, "ann").await;
    let ghost = new_user("ghost".into());
    let draft = new_post(ann.id, "draft".into(), false);
    let nobody = Group { id: 0, name: "nobody".into() };

    assert!(matches!(ghost.groups.aadd(&db, &admins).await, Err(Error::Unsaved { .. })));
    assert!(matches!(ghost.groups.acount(&db).await, Err(Error::Unsaved { .. })));
    assert!(matches!(ghost.groups.alist(&db).await, Err(Error::Unsaved { .. })));
    assert!(matches!(ghost.groups.aset(&db, &[&admins]).await, Err(Error::Unsaved { .. })));
    assert!(matches!(ghost.groups.all(), Err(Error::Unsaved { .. })));
    assert!(matches!(ghost.posts.acreate(&db, [Post::title.set("x")]).await, Err(Error::Unsaved { .. })));
    assert!(matches!(ghost.posts.aexists(&db).await, Err(Error::Unsaved { .. })));
    assert!(matches!(ghost.edited_posts().acount(&db).await, Err(Error::Unsaved { .. })));
    assert!(matches!(nobody.users().aadd(&db, &ann).await, Err(Error::Unsaved { .. })));
    // A saved owner with an unsaved object.
    assert!(matches!(ann.groups.aadd(&db, &nobody).await, Err(Error::Unsaved { model: "Group", .. })));
    assert!(matches!(ann.posts.aadd(&db, &draft).await, Err(Error::Unsaved { model: "Post", .. })));
    assert_eq!(Post::objects().acount(&db).await.unwrap(), 0, "nothing was written");
    assert_eq!(ann.groups.acount(&db).await.unwrap(), 0);
}

#[kata::test]
async fn custom_through_model_keeps_its_extra_column(db: Db) {
    db.create_tables(&[Group::meta(), User::meta(), Post::meta(), Club::meta(), Membership::meta()])
        .await
        .unwrap();
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;
    let cy = user(&db, "cy").await;
    let chess = Club::objects().acreate(&db, [Club::name.set("chess")]).await.unwrap();
    let go = Club::objects().acreate(&db, [Club::name.set("go")]).await.unwrap();

    chess.members.aadd_with(&db, &ann, vec![Membership::role.set("captain")]).await.unwrap();
    chess.members.aadd_with(&db, &ann, vec![Membership::role.set("again")]).await.unwrap();
    chess.members.aadd(&db, &bob).await.unwrap();
    go.members.aadd(&db, &ann).await.unwrap();

    let rows = Membership::objects()
        .filter(Membership::club.eq(&chess))
        .order_by([Membership::id.asc()])
        .alist(&db)
        .await
        .unwrap();
    let roles: Vec<(i64, &str)> = rows.iter().map(|m| (m.person.id(), m.role.as_str())).collect();
    assert_eq!(
        roles,
        [(ann.id, "captain"), (bob.id, "member")],
        "one link per pair; the default when not given"
    );
    assert_eq!(usernames(&chess.members.alist(&db).await.unwrap()), ["ann", "bob"]);
    assert_eq!(names(&ann.clubs().alist(&db).await.unwrap(), |c| &c.name), ["chess", "go"]);
    assert_eq!(cy.clubs().acount(&db).await.unwrap(), 0);

    let clubs = assert_num_queries(
        &db,
        2,
        Club::objects().prefetch_related(Club::members).order_by([Club::name.asc()]).alist(&db),
    )
    .await
    .unwrap();
    assert_eq!(usernames(clubs[0].members.get().unwrap()), ["ann", "bob"]);
    assert_eq!(usernames(clubs[1].members.get().unwrap()), ["ann"]);
    let with_bob =
        Club::objects().filter(Club::members.then(User::username).eq("bob")).alist(&db).await.unwrap();
    assert_eq!(names(&with_bob, |c| &c.name), ["chess"]);

    let wrong = chess.members.aadd_with(&db, &cy, vec![Post::title.set("x")]).await.unwrap_err();
    assert!(matches!(wrong, Error::InvalidQuery(ref m) if m.contains("Membership")), "{wrong:?}");
    assert_eq!(chess.members.acount(&db).await.unwrap(), 2);

    chess.members.aremove(&db, &ann).await.unwrap();
    assert_eq!(Membership::objects().acount(&db).await.unwrap(), 2, "bob in chess, ann in go");
    chess.members.aclear(&db).await.unwrap();
    assert_eq!(Membership::objects().acount(&db).await.unwrap(), 1);
}

#[kata::test]
async fn related_managers_work_on_rows_saved_with_a_key_of_their_own(db: Db) {
    db.create_tables(&[Group::meta(), User::meta(), Post::meta(), Team::meta()]).await.unwrap();
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;

    let red = Team::objects()
        .acreate(&db, Team { code: "red".into(), members: ManyToMany::default() })
        .await
        .unwrap();
    red.members.aadd(&db, &ann).await.unwrap();
    let mut blue = Team { code: "blue".into(), members: ManyToMany::default() };
    assert!(matches!(blue.members.acount(&db).await, Err(Error::Unsaved { .. })), "not saved yet");
    blue.asave(&db).await.unwrap();
    blue.members.aset(&db, &[&ann, &bob]).await.unwrap();
    let green = Team::objects().acreate(&db, [Team::code.set("green")]).await.unwrap();

    assert_eq!(usernames(&red.members.alist(&db).await.unwrap()), ["ann"]);
    assert_eq!(usernames(&blue.members.alist(&db).await.unwrap()), ["ann", "bob"]);
    assert_eq!(green.members.acount(&db).await.unwrap(), 0);
    assert_eq!(names(&ann.teams().alist(&db).await.unwrap(), |t| &t.code), ["blue", "red"]);
    let teams = Team::objects()
        .prefetch_related(Team::members)
        .order_by([Team::code.asc()])
        .alist(&db)
        .await
        .unwrap();
    let sizes: Vec<(&str, usize)> =
        teams.iter().map(|t| (t.code.as_str(), t.members.get().unwrap().len())).collect();
    assert_eq!(sizes, [("blue", 2), ("green", 0), ("red", 1)]);
    let with_bob =
        Team::objects().filter(Team::members.then(User::username).eq("bob")).alist(&db).await.unwrap();
    assert_eq!(names(&with_bob, |t| &t.code), ["blue"]);
}

// ---------------------------------------------------------------------------------------
// lookups across relations
// ---------------------------------------------------------------------------------------

/// ann (admins, staff): a1, a2 published, a-draft; bob (staff): b1 published, edited by ed;
/// cy: no groups, no posts; ed edits b1. Comments: bob on a1, cy on a1, ann on b1.
async fn lookup_fixture(db: &Db) -> (User, User, User, User) {
    setup(db).await;
    let ann = user(db, "ann").await;
    let bob = user(db, "bob").await;
    let cy = user(db, "cy").await;
    let ed = user(db, "ed").await;
    let admins = group(db, "admins").await;
    let staff = group(db, "staff").await;
    ann.groups.aset(db, &[&admins, &staff]).await.unwrap();
    bob.groups.aadd(db, &staff).await.unwrap();
    let a1 = post(db, &ann, "a1", true).await;
    post(db, &ann, "a2", true).await;
    post(db, &ann, "a-draft", false).await;
    let b1 = post(db, &bob, "b1", true).await;
    Post::objects()
        .filter(Post::id.eq(b1.id))
        .aupdate(db, [Post::editor.set(Some(ForeignKey::from(&ed)))])
        .await
        .unwrap();
    comment(db, &a1, &bob, "bob on a1").await;
    comment(db, &a1, &cy, "cy on a1").await;
    comment(db, &b1, &ann, "ann on b1").await;
    (ann, bob, cy, ed)
}

#[kata::test]
async fn filter_across_a_forward_foreign_key(db: Db) {
    let (ann, ..) = lookup_fixture(&db).await;
    let by_name =
        Post::objects().filter(Post::author.then(User::username).eq("ann")).alist(&db).await.unwrap();
    assert_eq!(titles(&by_name), ["a-draft", "a1", "a2"]);
    let by_object = Post::objects().filter(Post::author.eq(&ann)).acount(&db).await.unwrap();
    let by_key = Post::objects().filter(Post::author_id.eq(ann.id)).acount(&db).await.unwrap();
    assert_eq!((by_object, by_key), (3, 3));
    let edited = Post::objects().filter(Post::editor.then(User::username).eq("ed")).alist(&db).await.unwrap();
    assert_eq!(titles(&edited), ["b1"]);
    let either = Post::objects()
        .filter(Post::author.then(User::username).eq("bob") | Post::title.eq("a2"))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(titles(&either), ["a2", "b1"]);
}

#[kata::test]
async fn filter_across_a_reverse_foreign_key_returns_each_owner_once(db: Db) {
    lookup_fixture(&db).await;
    // ann has two published posts: she is still one row.
    let authors =
        User::objects().filter(User::posts.then(Post::published).eq(true)).alist(&db).await.unwrap();
    assert_eq!(usernames(&authors), ["ann", "bob"]);
    let drafts =
        User::objects().filter(User::posts.then(Post::published).eq(false)).acount(&db).await.unwrap();
    assert_eq!(drafts, 1);
    // A forward step after the reverse one: users with a post that ed edited.
    let edited = User::objects()
        .filter(User::posts.then(Post::editor.then(User::username)).eq("ed"))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(usernames(&edited), ["bob"]);
}

#[kata::test]
async fn filter_across_a_many_to_many_returns_each_owner_once(db: Db) {
    lookup_fixture(&db).await;
    let in_admins =
        User::objects().filter(User::groups.then(Group::name).eq("admins")).alist(&db).await.unwrap();
    assert_eq!(usernames(&in_admins), ["ann"]);
    // ann is in both groups and comes back once.
    let in_any = User::objects()
        .filter(User::groups.then(Group::name).is_in(["admins", "staff"]))
        .order_by([User::username.asc()])
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(usernames(&in_any), ["ann", "bob"]);
    let n = User::objects().filter(User::groups.then(Group::name).endswith("s")).acount(&db).await.unwrap();
    assert_eq!(n, 1, "only ann is in a group ending in s");
}

#[kata::test]
async fn filter_across_a_two_hop_chain(db: Db) {
    lookup_fixture(&db).await;
    let on_anns_posts = Comment::objects()
        .filter(Comment::post.then(Post::author).then(User::username).eq("ann"))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(names(&on_anns_posts, |c| &c.text), ["bob on a1", "cy on a1"]);
    let on_edited = Comment::objects()
        .filter(Comment::post.then(Post::editor).then(User::username).eq("ed"))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(names(&on_edited, |c| &c.text), ["ann on b1"]);
}

#[kata::test]
async fn exclude_across_a_relation_keeps_rows_without_a_match(db: Db) {
    lookup_fixture(&db).await;
    let not_anns =
        Post::objects().exclude(Post::author.then(User::username).eq("ann")).alist(&db).await.unwrap();
    assert_eq!(titles(&not_anns), ["b1"]);
    // Posts with no editor stay: NULL is not "edited by ed".
    let not_eds =
        Post::objects().exclude(Post::editor.then(User::username).eq("ed")).alist(&db).await.unwrap();
    assert_eq!(titles(&not_eds), ["a-draft", "a1", "a2"]);
    // Users with no groups at all stay.
    let not_admins =
        User::objects().exclude(User::groups.then(Group::name).eq("admins")).alist(&db).await.unwrap();
    assert_eq!(usernames(&not_admins), ["bob", "cy", "ed"]);
    let without_comments_by_bob = Post::objects()
        .exclude(Post::comments.then(Comment::author.then(User::username)).eq("bob"))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(titles(&without_comments_by_bob), ["a-draft", "a2", "b1"]);
}

#[kata::test]
async fn count_annotation_counts_related_rows_per_owner(db: Db) {
    lookup_fixture(&db).await;
    let groups: Vec<(User, i64)> = User::objects()
        .order_by([User::username.asc()])
        .annotate(User::groups.count())
        .alist(&db)
        .await
        .unwrap();
    let groups: Vec<(&str, i64)> = groups.iter().map(|(u, n)| (u.username.as_str(), *n)).collect();
    assert_eq!(groups, [("ann", 2), ("bob", 1), ("cy", 0), ("ed", 0)]);
    let posts: Vec<(User, i64)> = User::objects()
        .order_by([User::username.asc()])
        .annotate(User::posts.count())
        .alist(&db)
        .await
        .unwrap();
    let posts: Vec<(&str, i64)> = posts.iter().map(|(u, n)| (u.username.as_str(), *n)).collect();
    assert_eq!(posts, [("ann", 3), ("bob", 1), ("cy", 0), ("ed", 0)]);
}

// ---------------------------------------------------------------------------------------
// on_delete
// ---------------------------------------------------------------------------------------

#[kata::test]
async fn cascade_delete_removes_children_and_grandchildren_with_counts_per_model(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;
    let admins = group(&db, "admins").await;
    ann.groups.aadd(&db, &admins).await.unwrap();
    bob.groups.aadd(&db, &admins).await.unwrap();
    Profile::objects().acreate(&db, [Profile::user.set(&ann)]).await.unwrap();
    Profile::objects().acreate(&db, [Profile::user.set(&bob)]).await.unwrap();
    let a1 = post(&db, &ann, "a1", true).await;
    let a2 = post(&db, &ann, "a2", true).await;
    let b1 = post(&db, &bob, "b1", true).await;
    comment(&db, &a1, &bob, "bob on a1").await;
    comment(&db, &a2, &bob, "bob on a2").await;
    let keep = comment(&db, &b1, &bob, "bob on b1").await;

    let deleted = User::objects().filter(User::username.eq("ann")).adelete(&db).await.unwrap();

    assert_eq!(deleted, 7);
    assert_eq!(deleted.total, 7);
    assert_eq!(deleted.count("User"), 1);
    assert_eq!(deleted.count("Profile"), 1);
    assert_eq!(deleted.count("Post"), 2);
    assert_eq!(deleted.count("Comment"), 2, "grandchildren through the posts");
    assert_eq!(deleted.count("User_groups"), 1, "ann's link to admins, not bob's");
    assert_eq!(deleted.count("Group"), 0);
    assert_eq!(deleted.per_model[0], ("User", 1), "the queried model first");
    assert_eq!(usernames(&User::objects().alist(&db).await.unwrap()), ["bob"]);
    assert_eq!(titles(&Post::objects().alist(&db).await.unwrap()), ["b1"]);
    assert_eq!(
        Comment::objects().alist(&db).await.unwrap().iter().map(|c| c.id).collect::<Vec<_>>(),
        [keep.id]
    );
    assert_eq!(Profile::objects().acount(&db).await.unwrap(), 1);
    assert_eq!(usernames(&admins.users().alist(&db).await.unwrap()), ["bob"]);
}

#[kata::test]
async fn cascade_delete_counts_a_row_reached_by_two_paths_once(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;
    let a1 = post(&db, &ann, "a1", true).await;
    let b1 = post(&db, &bob, "b1", true).await;
    comment(&db, &a1, &ann, "ann on a1").await; // through Post.author and through Comment.author
    comment(&db, &a1, &bob, "bob on a1").await; // through Post.author
    comment(&db, &b1, &ann, "ann on b1").await; // through Comment.author
    comment(&db, &b1, &bob, "bob on b1").await; // stays

    let deleted = ann.adelete(&db).await.unwrap();

    assert_eq!(deleted.count("User"), 1);
    assert_eq!(deleted.count("Post"), 1);
    assert_eq!(deleted.count("Comment"), 3, "each comment once, however it was reached");
    assert_eq!(deleted, 5);
    assert_eq!(names(&Comment::objects().alist(&db).await.unwrap(), |c| &c.text), ["bob on b1"]);
}

#[kata::test]
async fn cascade_delete_follows_a_self_referential_key_through_every_level(db: Db) {
    db.create_tables(&[Category::meta()]).await.unwrap();
    let root = Category::objects().acreate(&db, [Category::name.set("root")]).await.unwrap();
    let other = Category::objects().acreate(&db, [Category::name.set("other")]).await.unwrap();
    let mut level = vec![root.clone()];
    for depth in 1..=3 {
        let mut next = Vec::new();
        for parent in &level {
            for i in 0..2 {
                let name = format!("{}.{depth}{i}", parent.name);
                next.push(parent.children().acreate(&db, [Category::name.set(name)]).await.unwrap());
            }
        }
        level = next;
    }
    other.children().acreate(&db, [Category::name.set("other.1")]).await.unwrap();
    assert_eq!(Category::objects().acount(&db).await.unwrap(), 1 + 2 + 4 + 8 + 2);

    let deleted = root.adelete(&db).await.unwrap();

    assert_eq!(deleted, 15);
    assert_eq!(deleted.count("Category"), 15, "the root and its 14 descendants, each once");
    assert_eq!(deleted.per_model.len(), 1);
    let left = Category::objects().alist(&db).await.unwrap();
    assert_eq!(names(&left, |c| &c.name), ["other", "other.1"]);
}

#[kata::test]
async fn cascade_delete_of_more_rows_than_the_parameter_limit_allows(db: Db) {
    setup(&db).await;
    // More keys than SQLite binds in one statement (32,766): the delete goes in slices.
    let n = 40_000;
    User::objects().abulk_create(&db, (0..n).map(|i| new_user(format!("u{i}"))).collect()).await.unwrap();
    let first = User::objects().aget(&db, User::username.eq("u0")).await.unwrap();
    let last = User::objects().aget(&db, User::username.eq(format!("u{}", n - 1))).await.unwrap();
    post(&db, &first, "first's", true).await;
    post(&db, &last, "last's", true).await;

    let deleted = User::objects().adelete(&db).await.unwrap();

    assert_eq!(deleted.count("User"), n as u64);
    assert_eq!(deleted.count("Post"), 2);
    assert_eq!(deleted, n as u64 + 2);
    assert_eq!(User::objects().acount(&db).await.unwrap(), 0);
    assert_eq!(Post::objects().acount(&db).await.unwrap(), 0);
}

#[kata::test]
async fn restrict_refuses_the_delete_and_deletes_nothing(db: Db) {
    setup(&db).await;
    db.create_tables(&[Article::meta()]).await.unwrap();
    let ann = user(&db, "ann").await;
    let bob = user(&db, "bob").await;
    post(&db, &ann, "a1", true).await;
    Article::objects().acreate(&db, [Article::author.set(&ann), Article::title.set("kept")]).await.unwrap();

    let refused = User::objects().adelete(&db).await;
    assert_foreign_key_error(refused, "article_author_id_fkey");
    let refused = ann.adelete(&db).await;
    assert_foreign_key_error(refused, "article_author_id_fkey");

    assert_eq!(User::objects().acount(&db).await.unwrap(), 2, "bob, who no article points at, stays too");
    assert_eq!(Post::objects().acount(&db).await.unwrap(), 1, "no cascade ran");
    assert_eq!(Article::objects().acount(&db).await.unwrap(), 1);
    // Once nothing points at it, the row goes.
    assert_eq!(bob.adelete(&db).await.unwrap(), 1);
    Article::objects().adelete(&db).await.unwrap();
    assert_eq!(ann.adelete(&db).await.unwrap(), 2);
}

#[kata::test]
async fn protect_refuses_a_delete_that_would_cascade_into_it(db: Db) {
    setup(&db).await;
    db.create_tables(&[Review::meta(), Bookmark::meta()]).await.unwrap();
    let ann = user(&db, "ann").await;
    let a1 = post(&db, &ann, "a1", true).await;
    let a2 = post(&db, &ann, "a2", true).await;
    comment(&db, &a1, &ann, "c").await;
    Review::objects().acreate(&db, [Review::post.set(&a1), Review::stars.set(5)]).await.unwrap();

    // Deleting ann would cascade to a1, which a review protects.
    assert_foreign_key_error(ann.adelete(&db).await, "review_post_id_fkey");
    assert_foreign_key_error(a1.adelete(&db).await, "review_post_id_fkey");
    assert_eq!(User::objects().acount(&db).await.unwrap(), 1);
    assert_eq!(Post::objects().acount(&db).await.unwrap(), 2);
    assert_eq!(Comment::objects().acount(&db).await.unwrap(), 1);
    assert_eq!(Review::objects().acount(&db).await.unwrap(), 1);

    // do_nothing leaves it to the database, which refuses as well.
    Bookmark::objects().acreate(&db, [Bookmark::post.set(&a2)]).await.unwrap();
    assert_foreign_key_error(a2.adelete(&db).await, "bookmark_post_id_fkey");
    assert_eq!(Post::objects().acount(&db).await.unwrap(), 2);
}

#[kata::test]
async fn set_null_clears_the_key_of_pointing_rows(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let ed = user(&db, "ed").await;
    let p = post(&db, &ann, "p", true).await;
    Post::objects()
        .filter(Post::id.eq(p.id))
        .aupdate(&db, [Post::editor.set(Some(ForeignKey::from(&ed)))])
        .await
        .unwrap();
    let first = comment(&db, &p, &ann, "first").await;
    let reply = Comment::objects()
        .acreate(
            &db,
            [
                Comment::post.set(&p),
                Comment::author.set(&ann),
                Comment::reply_to.set(Some(ForeignKey::from(&first))),
                Comment::text.set("reply"),
            ],
        )
        .await
        .unwrap();

    let deleted = ed.adelete(&db).await.unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(deleted.count("Post"), 0, "set_null deletes nothing");
    let p = Post::objects().aget(&db, Post::id.eq(p.id)).await.unwrap();
    assert!(p.editor.is_none());

    assert_eq!(Comment::objects().filter(Comment::id.eq(first.id)).adelete(&db).await.unwrap(), 1);
    let reply = Comment::objects().aget(&db, Comment::id.eq(reply.id)).await.unwrap();
    assert!(reply.reply_to.is_none(), "a self-referential set_null");
}

#[kata::test]
async fn deleting_a_many_to_many_target_removes_only_its_links(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let admins = group(&db, "admins").await;
    let staff = group(&db, "staff").await;
    ann.groups.aset(&db, &[&admins, &staff]).await.unwrap();

    let deleted = admins.adelete(&db).await.unwrap();

    assert_eq!(deleted, 2);
    assert_eq!(deleted.count("Group"), 1);
    assert_eq!(deleted.count("User_groups"), 1);
    assert_eq!(group_names(&ann.groups.alist(&db).await.unwrap()), ["staff"]);
    assert_eq!(User::objects().acount(&db).await.unwrap(), 1);
}

// ---------------------------------------------------------------------------------------
// foreign-key integrity
// ---------------------------------------------------------------------------------------

#[kata::test]
async fn a_key_to_a_missing_row_is_a_named_integrity_error_on_create(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let missing = ann.id + 1000;

    let created = Post::objects()
        .acreate(&db, [Post::author.set(ForeignKey::new(missing)), Post::title.set("orphan")])
        .await;
    assert_foreign_key_error(created, "post_author_id_fkey");

    let mut orphan = new_post(missing, "orphan".into(), true);
    assert_foreign_key_error(Post::objects().acreate(&db, orphan.clone()).await, "post_author_id_fkey");

    orphan.author = ForeignKey::from(&ann);
    orphan.editor = Some(ForeignKey::new(missing));
    assert_foreign_key_error(Post::objects().acreate(&db, orphan).await, "post_editor_id_fkey");

    let profile = Profile::objects().acreate(&db, [Profile::user.set(OneToOne::new(missing))]).await;
    assert_foreign_key_error(profile, "profile_user_id_fkey");
    assert_eq!(Post::objects().acount(&db).await.unwrap(), 0);
    assert_eq!(Profile::objects().acount(&db).await.unwrap(), 0);
}

#[kata::test]
async fn a_key_to_a_missing_row_is_named_inside_a_transaction_too(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let missing = ann.id + 1000;
    let result = db
        .atomic(async |tx| {
            let created = Post::objects()
                .acreate(&tx, [Post::author.set(ForeignKey::new(missing)), Post::title.set("orphan")])
                .await;
            assert_foreign_key_error(created, "post_author_id_fkey");
            Ok::<_, kata::Error>(())
        })
        .await;
    assert!(
        matches!(result, Err(kata::Error::Transaction(kata::TransactionError::RolledBack))),
        "the failed insert broke the transaction: {result:?}"
    );
    assert_eq!(Post::objects().acount(&db).await.unwrap(), 0);
}

#[kata::test]
async fn a_key_to_a_missing_row_is_a_named_integrity_error_on_update(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let p = post(&db, &ann, "p", true).await;
    let missing = ann.id + 1000;

    let updated =
        Post::objects().filter(Post::id.eq(p.id)).aupdate(&db, [Post::author_id.set(missing)]).await;
    assert_foreign_key_error(updated, "post_author_id_fkey");
    let updated = Post::objects()
        .filter(Post::id.eq(p.id))
        .aupdate(&db, [Post::editor.set(Some(ForeignKey::new(missing)))])
        .await;
    assert_foreign_key_error(updated, "post_editor_id_fkey");

    let p = Post::objects().aget(&db, Post::id.eq(p.id)).await.unwrap();
    assert_eq!(p.author.id(), ann.id, "the row is unchanged");
    assert!(p.editor.is_none());
}

#[kata::test]
async fn linking_a_deleted_row_is_a_named_integrity_error(db: Db) {
    setup(&db).await;
    let ann = user(&db, "ann").await;
    let gone = group(&db, "gone").await;
    Group::objects().filter(Group::id.eq(gone.id)).adelete(&db).await.unwrap();

    assert_foreign_key_error(ann.groups.aadd(&db, &gone).await, "auth_user_groups_group_id_fkey");
    assert_eq!(ann.groups.acount(&db).await.unwrap(), 0);
}
