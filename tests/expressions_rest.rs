//! The last of Django's expression language for issue 12: `Subquery` over an ordered query
//! set, `OuterRef` to the subquery's own table, the `Trunc*` functions on `NaiveDateTime`,
//! and `default=` aggregates over a query that cannot match (answered without a query).
//! Every expected value is Django's result for the same data; each test runs on every
//! backend.

use chrono::{NaiveDate, NaiveDateTime};
use kata::prelude::*;
use kata::testing::assert_num_queries;
use kata::{
    Coalesce, Exists, OuterRef, StringAgg, Subquery, TruncDate, TruncDay, TruncHour, TruncMonth, TruncYear,
};

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "rest_book")]
struct Book {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    title: String,
    author_id: i64,
    pages: i32,
    price: f64,
    printed: NaiveDateTime,
    reprinted: Option<NaiveDateTime>,
}

/// Django's `Employee` with a `manager` foreign key to itself, as a plain column.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "rest_employee")]
struct Employee {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    name: String,
    manager_id: Option<i64>,
    salary: i32,
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, min, s).unwrap()
}

/// Two authors: 1 wrote a (300 pages), b (500), c (500, but later id); 2 wrote d (120).
async fn books(db: &Db) {
    db.create_tables(&[Book::meta()]).await.unwrap();
    let rows = [
        ("a", 1, 300, 10.0, at(2024, 5, 18, 10, 30, 15), None),
        ("b", 1, 500, 20.0, at(2024, 1, 1, 0, 0, 0), Some(at(2025, 2, 3, 4, 5, 6))),
        ("c", 1, 500, 30.0, at(2023, 12, 31, 23, 59, 59), None),
        ("d", 2, 120, 5.0, at(2024, 5, 18, 23, 0, 1), None),
    ];
    for (title, author_id, pages, price, printed, reprinted) in rows {
        let mut book = Book { id: 0, title: title.into(), author_id, pages, price, printed, reprinted };
        book.asave(db).await.unwrap();
    }
}

fn by_title() -> kata::QuerySet<Book> {
    Book::objects().order_by([Book::title.asc()])
}

#[kata::test]
async fn a_subquery_takes_the_first_row_of_an_ordered_query_set(db: Db) {
    books(&db).await;
    // Django: annotate(longest=Subquery(Book.objects.filter(author_id=OuterRef("author_id"))
    //     .order_by("-pages", "-id").values("title")[:1]))
    let same_author = || Book::objects().filter(Book::author_id.eq(OuterRef(Book::author_id)));
    let longest = Subquery(Book::title, same_author().order_by([Book::pages.desc(), Book::id.desc()]));
    let rows = by_title().values_list((Book::title, longest)).alist(&db).await.unwrap();
    let expected = [("a", "c"), ("b", "c"), ("c", "c"), ("d", "d")];
    let expected: Vec<(String, Option<String>)> =
        expected.iter().map(|(t, l)| ((*t).to_owned(), Some((*l).to_owned()))).collect();
    assert_eq!(rows, expected);
    // The other direction, and the shortest: the ordering decides which row it is.
    let shortest = Subquery(Book::title, same_author().order_by([Book::pages.asc(), Book::id.asc()]));
    let rows = by_title().values_list(shortest).alist(&db).await.unwrap();
    assert_eq!(
        rows,
        [Some("a".to_owned()), Some("a".to_owned()), Some("a".to_owned()), Some("d".to_owned())]
    );
    // Filtering on it, and a query set with no row for some: NULL.
    let pricier = Subquery(
        Book::price,
        Book::objects()
            .filter(Book::author_id.eq(OuterRef(Book::author_id)) & Book::price.gt(OuterRef(Book::price)))
            .order_by([Book::price.asc()]),
    );
    let rows = by_title().values_list((Book::title, pricier)).alist(&db).await.unwrap();
    assert_eq!(
        rows,
        [("a".into(), Some(20.0)), ("b".into(), Some(30.0)), ("c".into(), None), ("d".into(), None)]
    );
    // A sliced query set has no meaning there: refused before any SQL.
    let sliced = Subquery(Book::title, same_author().limit(2));
    let err = assert_num_queries(&db, 0, by_title().values_list(sliced).alist(&db)).await.unwrap_err();
    assert!(matches!(err, kata::Error::InvalidQuery(_)), "{err:?}");
    // OuterRef outside a subquery is refused too.
    let err = by_title().filter(Book::pages.eq(OuterRef(Book::pages))).acount(&db).await.unwrap_err();
    assert!(matches!(err, kata::Error::InvalidQuery(_)), "{err:?}");
}

#[kata::test]
async fn outer_ref_reaches_the_outer_row_of_the_same_table(db: Db) {
    db.create_tables(&[Employee::meta()]).await.unwrap();
    // ann manages bob and cy; bob manages dan; cy and dan manage no one.
    let mut ann = Employee { id: 0, name: "ann".into(), manager_id: None, salary: 100 };
    ann.asave(&db).await.unwrap();
    let mut bob = Employee { id: 0, name: "bob".into(), manager_id: Some(ann.id), salary: 80 };
    bob.asave(&db).await.unwrap();
    let mut cy = Employee { id: 0, name: "cy".into(), manager_id: Some(ann.id), salary: 90 };
    cy.asave(&db).await.unwrap();
    let mut dan = Employee { id: 0, name: "dan".into(), manager_id: Some(bob.id), salary: 85 };
    dan.asave(&db).await.unwrap();
    let by_name = || Employee::objects().order_by([Employee::name.asc()]);
    let reports = || Employee::manager_id.eq(OuterRef(Employee::id));

    // Django: filter(Exists(Employee.objects.filter(manager=OuterRef("pk"))))
    let managers = by_name().filter(Exists(reports())).values_list(Employee::name).alist(&db).await.unwrap();
    assert_eq!(managers, ["ann", "bob"]);
    let others = by_name().exclude(Exists(reports())).values_list(Employee::name).alist(&db).await.unwrap();
    assert_eq!(others, ["cy", "dan"]);
    // A report who earns more than this employee: dan (85) earns more than bob (80).
    let outearned = by_name().filter(Exists(reports() & Employee::salary.gt(OuterRef(Employee::salary))));
    assert_eq!(outearned.values_list(Employee::name).alist(&db).await.unwrap(), ["bob"]);
    // The best-paid report of each, and the manager's name (a subquery on the same table).
    let best =
        Subquery(Employee::name, Employee::objects().filter(reports()).order_by([Employee::salary.desc()]));
    let manager = Subquery(Employee::name, Employee::id.eq(OuterRef(Employee::manager_id)));
    let rows = by_name().values_list((Employee::name, best, manager)).alist(&db).await.unwrap();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        rows,
        [
            ("ann".to_owned(), s("cy"), None),
            ("bob".to_owned(), s("dan"), s("ann")),
            ("cy".to_owned(), None, s("ann")),
            ("dan".to_owned(), None, s("bob")),
        ]
    );
    // Nested: employees whose manager manages someone who earns more than that manager.
    let manager_outearned = Exists(
        Employee::id.eq(OuterRef(Employee::manager_id))
            & Exists(
                Employee::manager_id.eq(OuterRef(Employee::id))
                    & Employee::salary.gt(OuterRef(Employee::salary)),
            ),
    );
    let rows = by_name().filter(manager_outearned).values_list(Employee::name).alist(&db).await.unwrap();
    assert_eq!(rows, ["dan"], "dan's manager bob has a report (dan) who earns more than him");
}

#[kata::test]
async fn trunc_takes_naive_timestamps(db: Db) {
    books(&db).await;
    let rows = by_title()
        .values_list((TruncYear(Book::printed), TruncMonth(Book::printed), TruncDay(Book::printed)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(
        rows,
        [
            (at(2024, 1, 1, 0, 0, 0), at(2024, 5, 1, 0, 0, 0), at(2024, 5, 18, 0, 0, 0)),
            (at(2024, 1, 1, 0, 0, 0), at(2024, 1, 1, 0, 0, 0), at(2024, 1, 1, 0, 0, 0)),
            (at(2023, 1, 1, 0, 0, 0), at(2023, 12, 1, 0, 0, 0), at(2023, 12, 31, 0, 0, 0)),
            (at(2024, 1, 1, 0, 0, 0), at(2024, 5, 1, 0, 0, 0), at(2024, 5, 18, 0, 0, 0)),
        ]
    );
    let hours = by_title().values_list(TruncHour(Book::printed)).alist(&db).await.unwrap();
    assert_eq!(
        hours,
        [
            at(2024, 5, 18, 10, 0, 0),
            at(2024, 1, 1, 0, 0, 0),
            at(2023, 12, 31, 23, 0, 0),
            at(2024, 5, 18, 23, 0, 0)
        ]
    );
    let days = by_title().values_list(TruncDate(Book::printed)).alist(&db).await.unwrap();
    let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(days, [date(2024, 5, 18), date(2024, 1, 1), date(2023, 12, 31), date(2024, 5, 18)]);
    // Filtered and grouped on, and on a nullable column.
    let same_day = by_title().filter(TruncDay(Book::printed).eq(at(2024, 5, 18, 0, 0, 0)));
    assert_eq!(same_day.values_list(Book::title).alist(&db).await.unwrap(), ["a", "d"]);
    let reprinted = by_title().values_list(TruncMonth(Book::reprinted)).alist(&db).await.unwrap();
    assert_eq!(reprinted, [None, Some(at(2025, 2, 1, 0, 0, 0)), None, None]);
}

#[kata::test]
async fn default_aggregates_over_a_query_that_cannot_match_send_nothing(db: Db) {
    books(&db).await;
    let none = || Book::objects().filter(Book::id.is_in(Vec::<i64>::new()));
    // Django: aggregate(Sum("pages", default=0), Count("id"), Avg("price", default=1.5), Max("pages"))
    let (pages, n, avg, max) = assert_num_queries(
        &db,
        0,
        none().aaggregate(
            &db,
            (Sum(Book::pages).default(0), Count(Book::id), Avg(Book::price).default(1.5), Max(Book::pages)),
        ),
    )
    .await
    .unwrap();
    assert_eq!((pages, n, avg, max), (0, 0, 1.5, None));
    // Coalesce(Sum(..), 7) is the same as default=7.
    let total =
        assert_num_queries(&db, 0, none().aaggregate(&db, Coalesce(Sum(Book::pages), 7))).await.unwrap();
    assert_eq!(total, 7);
    // Over rows, the same expressions ask the database.
    let (pages, n) = assert_num_queries(
        &db,
        1,
        Book::objects().aaggregate(&db, (Sum(Book::pages).default(0), Count(Book::id))),
    )
    .await
    .unwrap();
    assert_eq!((pages, n), (1420, 4));
}

#[kata::test]
async fn string_agg_joins_in_the_order_asked_for(db: Db) {
    books(&db).await;
    // Django: aggregate(StringAgg("title", ", ", ordering=("-pages", "title")))
    let by_pages = StringAgg(Book::title, ", ").ordering([Book::pages.desc(), Book::title.asc()]);
    let joined = Book::objects().aaggregate(&db, by_pages).await.unwrap();
    assert_eq!(joined.as_deref(), Some("b, c, a, d"));
    let by_title = StringAgg(Book::title, "-").ordering([Book::title.desc()]);
    assert_eq!(Book::objects().aaggregate(&db, by_title).await.unwrap().as_deref(), Some("d-c-b-a"));
    // With filter= (either order of the two calls), and grouped per author.
    let long = StringAgg(Book::title, ",").filter(Book::pages.gte(300)).ordering([Book::price.desc()]);
    assert_eq!(Book::objects().aaggregate(&db, long).await.unwrap().as_deref(), Some("c,b,a"));
    let long = StringAgg(Book::title, ",").ordering([Book::price.desc()]).filter(Book::pages.gte(300));
    assert_eq!(Book::objects().aaggregate(&db, long).await.unwrap().as_deref(), Some("c,b,a"));
    let rows = Book::objects()
        .order_by([Book::author_id.asc()])
        .values_list((Book::author_id, StringAgg(Book::title, "/").ordering([Book::printed.asc()])))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(rows, [(1, Some("c/b/a".to_owned())), (2, Some("d".to_owned()))]);
    // ordering= on another aggregate is refused before any SQL.
    let refused = Max(Book::title).ordering([Book::title.asc()]);
    let err = assert_num_queries(&db, 0, Book::objects().aaggregate(&db, refused)).await.unwrap_err();
    assert!(matches!(err, kata::Error::InvalidQuery(_)), "{err:?}");
}
