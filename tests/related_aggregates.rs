//! Aggregates over a field across a relation (issue 12, point 12), with Django's results:
//! `Author.objects.annotate(total=Sum("book__price"))` (per author, over a reverse foreign
//! key and a many-to-many), with `filter=` and `default=`; `aggregate(..)` of the same over
//! every (author, book) pair; and a value across a foreign key selected, ordered and
//! aggregated (`values("author__name")`, `order_by("author__name")`,
//! `aggregate(Sum("author__age"))`). Each test runs on every backend.

use kata::prelude::*;
use kata::testing::assert_num_queries;

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "ra_author")]
pub struct Author {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 50)]
    pub name: String,
    pub age: i32,
    #[kata(reverse_of = Book::author)]
    pub books: HasMany<Book>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "ra_book")]
pub struct Book {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 50)]
    pub title: String,
    pub pages: i32,
    pub price: f64,
    #[kata(foreign_key, on_delete = "cascade")]
    pub author: ForeignKey<Author>,
    #[kata(many_to_many)]
    pub tags: ManyToMany<Tag>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "ra_tag")]
pub struct Tag {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 50)]
    pub name: String,
    #[kata(reverse_of = Book::tags)]
    pub books: ManyToMany<Book>,
}

/// ann (40) wrote a (100 pages, 10.0) and b (300, 20.0); bob (30) wrote c (200, 5.0); cy
/// (50) wrote nothing. Tags: a and b are "x", b and c are "y", "z" has none.
async fn setup(db: &Db) {
    let tables = [Author::meta(), Book::meta(), Tag::meta()];
    db.create_tables(&tables).await.unwrap();
    let ann = author(db, "ann", 40).await;
    let bob = author(db, "bob", 30).await;
    author(db, "cy", 50).await;
    let a = book(db, "a", 100, 10.0, &ann).await;
    let b = book(db, "b", 300, 20.0, &ann).await;
    let c = book(db, "c", 200, 5.0, &bob).await;
    let x = Tag::objects().acreate(db, [Tag::name.set("x")]).await.unwrap();
    let y = Tag::objects().acreate(db, [Tag::name.set("y")]).await.unwrap();
    Tag::objects().acreate(db, [Tag::name.set("z")]).await.unwrap();
    a.tags.aadd(db, &x).await.unwrap();
    b.tags.aadd(db, &x).await.unwrap();
    b.tags.aadd(db, &y).await.unwrap();
    c.tags.aadd(db, &y).await.unwrap();
}

async fn author(db: &Db, name: &str, age: i32) -> Author {
    Author::objects().acreate(db, [Author::name.set(name), Author::age.set(age)]).await.unwrap()
}

async fn book(db: &Db, title: &str, pages: i32, price: f64, by: &Author) -> Book {
    let values =
        [Book::title.set(title), Book::pages.set(pages), Book::price.set(price), Book::author.set(by)];
    Book::objects().acreate(db, values).await.unwrap()
}

fn authors() -> kata::QuerySet<Author> {
    Author::objects().order_by([Author::name.asc()])
}

#[kata::test]
async fn annotate_aggregates_each_owner_rows_across_a_reverse_foreign_key(db: Db) {
    setup(&db).await;
    let price = || Author::books.then(Book::price);
    let pages = || Author::books.then(Book::pages);
    // Django: annotate(n=Count("book"), total=Sum("book__price"), longest=Max("book__pages"),
    //     mean=Avg("book__pages"))
    let rows = authors()
        .values_list((
            Author::name,
            Count(Author::books.then(Book::id)),
            Sum(price()),
            Max(pages()),
            Avg(pages()),
        ))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(
        rows,
        [
            ("ann".to_owned(), 2, Some(30.0), Some(300), Some(200.0)),
            ("bob".to_owned(), 1, Some(5.0), Some(200), Some(200.0)),
            ("cy".to_owned(), 0, None, None, None),
        ]
    );
    // filter= on the related rows, default= over none.
    let long = Sum(price()).filter(pages().gt(150)).default(0.0);
    let rows = authors().values_list((Author::name, long)).alist(&db).await.unwrap();
    assert_eq!(rows, [("ann".to_owned(), 20.0), ("bob".to_owned(), 5.0), ("cy".to_owned(), 0.0)]);
    // Filtered and ordered by it (a per-row value: WHERE, not HAVING).
    let rich = authors().filter(Sum(price()).default(0.0).gt(6.0)).values_list(Author::name);
    assert_eq!(rich.alist(&db).await.unwrap(), ["ann"]);
    let by_total = Author::objects().order_by([Sum(price()).default(0.0).desc()]).values_list(Author::name);
    assert_eq!(by_total.alist(&db).await.unwrap(), ["ann", "bob", "cy"]);
    // One query for all of it.
    assert_num_queries(&db, 1, authors().values_list(Sum(price())).alist(&db)).await.unwrap();
    // Django (PostgreSQL): annotate(titles=ArrayAgg("book__title", ordering="-book__pages"))
    let titles = kata::ArrayAgg(Author::books.then(Book::title)).ordering([pages().desc()]);
    let result = authors().values_list((Author::name, titles)).alist(&db).await;
    if db.backend() == kata::Backend::Postgres {
        let to = |v: &[&str]| Some(v.iter().map(|t| (*t).to_owned()).collect::<Vec<_>>());
        let expected =
            [("ann".to_owned(), to(&["b", "a"])), ("bob".to_owned(), to(&["c"])), ("cy".to_owned(), None)];
        assert_eq!(result.unwrap(), expected);
    } else {
        let err = result.unwrap_err();
        assert!(matches!(err, kata::Error::Config(kata::ConfigError::Unsupported { .. })), "{err:?}");
    }
}

#[kata::test]
async fn annotate_aggregates_across_a_many_to_many(db: Db) {
    setup(&db).await;
    let by_name = || Tag::objects().order_by([Tag::name.asc()]);
    // Django: Tag.objects.annotate(n=Count("books"), pages=Sum("books__pages"))
    let rows = by_name()
        .values_list((Tag::name, Count(Tag::books.then(Book::id)), Sum(Tag::books.then(Book::pages))))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(
        rows,
        [("x".to_owned(), 2, Some(400)), ("y".to_owned(), 2, Some(500)), ("z".to_owned(), 0, None)]
    );
    // And from the other side: Book.objects.annotate(n=Count("tags")).
    let rows = Book::objects()
        .order_by([Book::title.asc()])
        .values_list((Book::title, Count(Book::tags.then(Tag::id))))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(rows, [("a".to_owned(), 1), ("b".to_owned(), 2), ("c".to_owned(), 1)]);
}

#[kata::test]
async fn aggregate_over_a_relation_counts_every_pair(db: Db) {
    setup(&db).await;
    let price = || Author::books.then(Book::price);
    // Django: Author.objects.aggregate(Count("book"), Sum("book__price"), Max(..), Min(..))
    let (n, total, max, min) = Author::objects()
        .aaggregate(&db, (Count(Author::books.then(Book::id)), Sum(price()), Max(price()), Min(price())))
        .await
        .unwrap();
    assert_eq!((n, total, max, min), (3, Some(35.0), Some(20.0), Some(5.0)));
    // Over the authors a filter keeps.
    let (n, total) = Author::objects()
        .filter(Author::age.gte(35))
        .aaggregate(&db, (Count(Author::books.then(Book::id)), Sum(price())))
        .await
        .unwrap();
    assert_eq!((n, total), (2, Some(30.0)));
    // A many-to-many pair per link: x has 2 books, y has 2.
    let links = Tag::objects().aaggregate(&db, Count(Tag::books.then(Book::id))).await.unwrap();
    assert_eq!(links, 4);
    // Over no author: Count is 0, Sum None.
    let (n, total) = Author::objects()
        .filter(Author::age.gt(99))
        .aaggregate(&db, (Count(Author::books.then(Book::id)), Sum(price())))
        .await
        .unwrap();
    assert_eq!((n, total), (0, None));
    // An average of pairs cannot be made of per-author parts: refused before any SQL.
    let err = assert_num_queries(&db, 0, Author::objects().aaggregate(&db, Avg(price()))).await.unwrap_err();
    assert!(matches!(err, kata::Error::InvalidQuery(_)), "{err:?}");
}

#[kata::test]
async fn a_value_across_a_foreign_key_is_selected_ordered_and_aggregated(db: Db) {
    setup(&db).await;
    // Django: Book.objects.order_by("author__name", "-pages").values_list("title", "author__name")
    let rows = Book::objects()
        .order_by([Book::author.then(Author::name).asc(), Book::pages.desc()])
        .values_list((Book::title, Book::author.then(Author::name)))
        .alist(&db)
        .await
        .unwrap();
    let rows: Vec<(&str, &str)> = rows.iter().map(|(t, n)| (t.as_str(), n.as_str())).collect();
    assert_eq!(rows, [("b", "ann"), ("a", "ann"), ("c", "bob")]);
    // Django: Book.objects.aggregate(Sum("author__age")): each book counts its author's age.
    let ages = Book::objects().aaggregate(&db, Sum(Book::author.then(Author::age))).await.unwrap();
    assert_eq!(ages, Some(110));
    // A to-many field as a plain value is refused (it would repeat rows), before any SQL.
    let err = assert_num_queries(&db, 0, authors().values_list(Author::books.then(Book::title)).alist(&db))
        .await
        .unwrap_err();
    assert!(matches!(err, kata::Error::InvalidQuery(_)), "{err:?}");
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "ra_note")]
pub struct Note {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 50)]
    pub body: String,
    #[kata(foreign_key, on_delete = "set_null")]
    pub book: Option<ForeignKey<Book>>,
}

#[kata::test]
async fn a_value_across_a_nullable_foreign_key_is_none_where_the_key_is_null(db: Db) {
    setup(&db).await;
    db.create_tables(&[Note::meta()]).await.unwrap();
    let b = Book::objects().aget(&db, Book::title.eq("b")).await.unwrap();
    Note::objects()
        .acreate(&db, [Note::body.set("on b"), Note::book.set(Some(ForeignKey::from(&b)))])
        .await
        .unwrap();
    Note::objects()
        .acreate(&db, [Note::body.set("loose"), Note::book.set(None::<ForeignKey<Book>>)])
        .await
        .unwrap();
    // Django: Note.objects.order_by("body").values_list("body", "book__title", "book__author__name")
    let rows = Note::objects()
        .order_by([Note::body.asc()])
        .values_list((
            Note::body,
            Note::book.then(Book::title),
            Note::book.then(Book::author).then(Author::name),
        ))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(
        rows,
        [("loose".to_owned(), None, None), ("on b".to_owned(), Some("b".to_owned()), Some("ann".to_owned()))]
    );
    // Filters and aggregates see NULL where no row is reached.
    let loose = Note::objects().filter(Note::book.then(Book::pages).isnull(true)).values_list(Note::body);
    assert_eq!(loose.alist(&db).await.unwrap(), ["loose"]);
    // Django: filter(book__author__name__isnull=True), exclude(book__pages__isnull=True)
    let loose = Note::objects()
        .filter(Note::book.then(Book::author).then(Author::name).isnull(true))
        .values_list(Note::body);
    assert_eq!(loose.alist(&db).await.unwrap(), ["loose"]);
    let kept = Note::objects().exclude(Note::book.then(Book::pages).isnull(true)).values_list(Note::body);
    assert_eq!(kept.alist(&db).await.unwrap(), ["on b"]);
    let with_book =
        Note::objects().filter(Note::book.then(Book::pages).isnull(false)).values_list(Note::body);
    assert_eq!(with_book.alist(&db).await.unwrap(), ["on b"]);
    let pages = Note::objects().aaggregate(&db, Sum(Note::book.then(Book::pages))).await.unwrap();
    assert_eq!(pages, Some(300));
    let ordered = Note::objects()
        .order_by([Note::book.then(Book::pages).desc().nulls_last()])
        .values_list(Note::body)
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(ordered, ["on b", "loose"]);
}
