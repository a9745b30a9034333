//! `prefetch_related` when two owners are the same row: a post reached through two reading
//! lists, or a row passed twice to `aprefetch_related_objects`. As in Django, every
//! instance gets the rows it should have.

use kata::Error;
use kata::prelude::*;
use kata::testing::assert_num_queries;

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Post {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 50)]
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
    #[kata(max_length = 50)]
    pub text: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct ReadingList {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 50)]
    pub name: String,
    #[kata(many_to_many(through = "reading_list_posts"))]
    pub posts: ManyToMany<Post>,
}

/// Neither of these is `Clone`.
#[derive(Model, Debug)]
pub struct Shelf {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(reverse_of = Book::shelf)]
    pub books: HasMany<Book>,
}

#[derive(Model, Debug)]
pub struct Book {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    pub shelf: ForeignKey<Shelf>,
}

async fn setup(db: &Db) {
    db.create_tables(&[Post::meta(), Comment::meta(), ReadingList::meta(), Shelf::meta(), Book::meta()])
        .await
        .unwrap();
}

async fn post_with_comments(db: &Db, title: &str, comments: &[&str]) -> Post {
    let post = Post::objects().acreate(db, [Post::title.set(title)]).await.unwrap();
    for text in comments {
        Comment::objects().acreate(db, [Comment::post.set(&post), Comment::text.set(*text)]).await.unwrap();
    }
    post
}

fn comment_texts(post: &Post) -> Vec<&str> {
    let mut texts: Vec<&str> = post.comments.get().unwrap().iter().map(|c| c.text.as_str()).collect();
    texts.sort();
    texts
}

#[kata::test]
async fn a_post_on_two_reading_lists_gets_its_comments_in_both(db: Db) {
    setup(&db).await;
    let shared = post_with_comments(&db, "shared", &["c1", "c2"]).await;
    let only_a = post_with_comments(&db, "only a", &["c3"]).await;
    let a = ReadingList::objects().acreate(&db, [ReadingList::name.set("a")]).await.unwrap();
    let b = ReadingList::objects().acreate(&db, [ReadingList::name.set("b")]).await.unwrap();
    a.posts.aset(&db, &[&shared, &only_a]).await.unwrap();
    b.posts.aset(&db, &[&shared]).await.unwrap();

    let lists = assert_num_queries(
        &db,
        3,
        ReadingList::objects()
            .prefetch(
                Prefetch::new(ReadingList::posts).queryset(Post::objects().prefetch_related(Post::comments)),
            )
            .order_by([ReadingList::name.asc()])
            .alist(&db),
    )
    .await
    .unwrap();

    let by_title = |list: &ReadingList, title: &str| {
        let posts = list.posts.get().unwrap();
        comment_texts(posts.iter().find(|p| p.title == title).unwrap()).join(",")
    };
    assert_eq!(lists[0].posts.get().unwrap().len(), 2);
    assert_eq!(by_title(&lists[0], "shared"), "c1,c2");
    assert_eq!(by_title(&lists[0], "only a"), "c3");
    assert_eq!(lists[1].posts.get().unwrap().len(), 1);
    assert_eq!(by_title(&lists[1], "shared"), "c1,c2");
}

#[kata::test]
async fn a_row_passed_twice_to_aprefetch_related_objects_gets_its_rows_twice(db: Db) {
    setup(&db).await;
    let post = post_with_comments(&db, "p", &["x", "y"]).await;
    let mut posts = vec![post.clone(), post.clone()];
    assert_num_queries(&db, 1, kata::aprefetch_related_objects(&db, &mut posts, [Post::comments]))
        .await
        .unwrap();
    assert_eq!(comment_texts(&posts[0]), ["x", "y"]);
    assert_eq!(comment_texts(&posts[1]), ["x", "y"]);
}

#[kata::test]
async fn shared_rows_of_a_model_that_is_not_clone_are_a_typed_error(db: Db) {
    setup(&db).await;
    let shelf = Shelf::objects().acreate(&db, Shelf { id: 0, books: HasMany::default() }).await.unwrap();
    Book::objects().acreate(&db, [Book::shelf.set(&shelf)]).await.unwrap();

    // Once: fine.
    let mut one = Shelf::objects().alist(&db).await.unwrap();
    kata::aprefetch_related_objects(&db, &mut one, [Shelf::books]).await.unwrap();
    assert_eq!(one[0].books.get().unwrap().len(), 1);

    // Twice: the books cannot be copied, and kata says so instead of leaving one shelf empty.
    let mut twice = Shelf::objects().alist(&db).await.unwrap();
    twice.extend(Shelf::objects().alist(&db).await.unwrap());
    let result = kata::aprefetch_related_objects(&db, &mut twice, [Shelf::books]).await;
    assert!(
        matches!(result, Err(Error::InvalidQuery(ref m)) if m.contains("derive Clone on Book")),
        "{result:?}"
    );
}
