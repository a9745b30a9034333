//! Query shapes as Django defines them (issue 12), on the data of Django's own
//! `tests/aggregation` (nine authors, six books): a filter on an aggregate goes to HAVING,
//! an ordering by an aggregate without grouping is refused, ordering columns join the
//! grouping, `distinct()` selects the ordering's columns, slices compose and refuse a
//! later filter, and a query that cannot match sends nothing.

use kata::prelude::*;
use kata::testing::{assert_num_queries, capture_queries};

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "semantics_author")]
struct Author {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 100)]
    name: String,
    age: i32,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "semantics_book")]
struct Book {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 300)]
    name: String,
    pages: i32,
    rating: f64,
    price: f64,
}

const AUTHORS: [(&str, i32); 9] = [
    ("Adrian Holovaty", 34),
    ("Jacob Kaplan-Moss", 35),
    ("Brad Dayley", 45),
    ("James Bennett", 29),
    ("Jeffrey Forcier", 37),
    ("Paul Bissex", 29),
    ("Wesley J. Chun", 25),
    ("Peter Norvig", 57),
    ("Stuart Russell", 46),
];

const BOOKS: [(&str, i32, f64, f64); 6] = [
    ("The Definitive Guide to Django", 447, 4.5, 30.00),
    ("Sams Teach Yourself Django in 24 Hours", 528, 3.0, 23.09),
    ("Practical Django Projects", 300, 4.0, 29.69),
    ("Python Web Development with Django", 350, 4.0, 29.69),
    ("Artificial Intelligence: A Modern Approach", 1132, 4.0, 82.80),
    ("Paradigms of Artificial Intelligence Programming", 946, 5.0, 75.00),
];

/// Django's `AggregateTestCase.setUpTestData`, without the relations.
async fn library(db: &Db) {
    db.create_tables(&[Author::meta(), Book::meta()]).await.unwrap();
    let authors = AUTHORS.iter().map(|&(name, age)| Author { id: 0, name: name.into(), age }).collect();
    Author::objects().abulk_create(db, authors).await.unwrap();
    let books = BOOKS
        .iter()
        .map(|&(name, pages, rating, price)| Book { id: 0, name: name.into(), pages, rating, price })
        .collect();
    Book::objects().abulk_create(db, books).await.unwrap();
}

fn is_invalid<T: std::fmt::Debug>(result: &kata::Result<T>, words: &str) -> bool {
    matches!(result, Err(kata::Error::InvalidQuery(message)) if message.contains(words))
}

// --- 1. a filter on an aggregate goes to HAVING ------------------------------------------

#[kata::test]
async fn a_filter_on_a_grouped_aggregate_goes_to_having_and_one_on_a_column_to_where(db: Db) {
    library(&db).await;
    let per_rating = || Book::objects().order_by([Book::rating.asc()]);
    // Django: Book.objects.values("rating").annotate(n=Count("id")).filter(n__gt=1)
    let (rows, queries) = capture_queries(
        &db,
        per_rating().filter(Count(Book::id).gt(1)).values_list((Book::rating, Count(Book::id))).alist(&db),
    )
    .await;
    assert_eq!(rows.unwrap(), [(4.0, 3)]);
    assert!(queries[0].sql.contains(" HAVING ") && !queries[0].sql.contains(" WHERE "), "{}", queries[0].sql);
    // A filter on a column stays in WHERE, before the grouping: books over 300 pages.
    let (rows, queries) = capture_queries(
        &db,
        per_rating()
            .filter(Book::pages.gt(300) & Count(Book::id).gt(1))
            .values_list((Book::rating, Count(Book::id)))
            .alist(&db),
    )
    .await;
    assert_eq!(rows.unwrap(), [(4.0, 2)]);
    let sql = &queries[0].sql;
    assert!(
        sql.find(" WHERE ") < sql.find(" GROUP BY ") && sql.find(" GROUP BY ") < sql.find(" HAVING "),
        "{sql}"
    );
    // A filter on the grouped column is WHERE.
    let rows = per_rating()
        .filter(Book::rating.gte(4.0))
        .values_list((Book::rating, Count(Book::id)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(rows, [(4.0, 3), (4.5, 1), (5.0, 1)]);
    // An OR that holds an aggregate goes to HAVING whole, as Django splits it.
    let rows = per_rating()
        .filter(Count(Book::id).gt(2) | Book::rating.eq(5.0))
        .values_list((Book::rating, Count(Book::id)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(rows, [(4.0, 3), (5.0, 1)]);
    // Django: .exclude(n__gt=1)
    let rows = per_rating()
        .exclude(Count(Book::id).gt(1))
        .values_list((Book::rating, Count(Book::id)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(rows, [(3.0, 1), (4.5, 1), (5.0, 1)]);
    // On an aggregate over a column: ratings whose books average more than 500 pages.
    let rows = per_rating()
        .filter(Avg(Book::pages).gt(500.0))
        .values_list((Book::rating, Max(Book::pages)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(rows, [(3.0, Some(528)), (4.0, Some(1132)), (5.0, Some(946))]);
}

#[kata::test]
async fn annotate_then_a_filter_on_the_aggregate_keeps_the_matching_models(db: Db) {
    library(&db).await;
    // Django: Book.objects.annotate(total=Sum("pages")).filter(total__gt=900).order_by("name")
    let big = Book::objects()
        .filter(Sum(Book::pages).gt(900))
        .order_by([Book::name.asc()])
        .annotate(Sum(Book::pages))
        .alist(&db)
        .await
        .unwrap();
    let big: Vec<(&str, Option<i64>)> = big.iter().map(|(b, total)| (b.name.as_str(), *total)).collect();
    assert_eq!(
        big,
        [
            ("Artificial Intelligence: A Modern Approach", Some(1132)),
            ("Paradigms of Artificial Intelligence Programming", Some(946))
        ]
    );
    // Django: .exclude(total__gt=900), with a plain filter beside it.
    let rest = Book::objects()
        .exclude(Sum(Book::pages).gt(900))
        .filter(Book::price.lt(30.0))
        .order_by([Book::pages.asc()])
        .annotate(Sum(Book::pages))
        .alist(&db)
        .await
        .unwrap();
    let rest: Vec<i32> = rest.iter().map(|(b, _)| b.pages).collect();
    assert_eq!(rest, [300, 350, 528]);
    // An aggregate alone is one group of every row: HAVING keeps it or not.
    let everyone = Author::objects().filter(Count(Author::id).gt(5)).values_list(Count(Author::id));
    assert_eq!(everyone.alist(&db).await.unwrap(), [9]);
    let nobody = Author::objects().filter(Count(Author::id).gt(10)).values_list(Count(Author::id));
    assert_eq!(nobody.alist(&db).await.unwrap(), Vec::<i64>::new());
}

// --- 2. ordering (or filtering) whole models by an aggregate is refused ------------------

#[kata::test]
async fn an_aggregate_in_an_ungrouped_query_is_refused_before_any_sql(db: Db) {
    library(&db).await;
    // Django: Author.objects.order_by(Avg("age")) raises FieldError ("Using an aggregate in
    // order_by() without also including it in annotate() is not allowed").
    let by_avg = Author::objects().order_by([Avg(Author::age).asc()]);
    let refused = assert_num_queries(&db, 0, by_avg.alist(&db)).await;
    assert!(is_invalid(&refused, "aggregate"), "{refused:?}");
    let refused = assert_num_queries(&db, 0, by_avg.clone().afirst(&db)).await;
    assert!(is_invalid(&refused, "aggregate"), "{refused:?}");
    // Django's test_aggregate_in_order_by: values("age").order_by(Avg(..)).
    let refused = assert_num_queries(&db, 0, by_avg.clone().values_list(Author::age).alist(&db)).await;
    assert!(is_invalid(&refused, "aggregate"), "{refused:?}");
    // An annotation without an aggregate does not group either.
    let refused = assert_num_queries(&db, 0, by_avg.annotate(F(Author::age) + 1).alist(&db)).await;
    assert!(is_invalid(&refused, "aggregate"), "{refused:?}");
    // A filter on an aggregate of whole models, too.
    let filtered = Author::objects().filter(Avg(Author::age).gt(30.0));
    let refused = assert_num_queries(&db, 0, filtered.alist(&db)).await;
    assert!(is_invalid(&refused, "aggregate"), "{refused:?}");
    // Selected, the aggregate orders: Django's values("age").annotate(n=Count("id")).order_by("-n", "age").
    let by_count = Author::objects()
        .order_by([Count(Author::id).desc(), Author::age.asc()])
        .values_list((Author::age, Count(Author::id)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(by_count[0], (29, 2));
    assert_eq!(by_count.len(), 8);
}

// --- 3. ordering columns join the grouping ------------------------------------------------

#[kata::test]
async fn ordering_columns_are_added_to_the_grouping(db: Db) {
    library(&db).await;
    // Django: Book.objects.values("rating").annotate(n=Count("id")).order_by("pages"): six
    // groups of one ("Interaction with order_by()").
    let rows = Book::objects()
        .order_by([Book::pages.asc()])
        .values_list((Book::rating, Count(Book::id)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(rows, [(4.0, 1), (4.0, 1), (4.5, 1), (3.0, 1), (5.0, 1), (4.0, 1)]);
    // Ordered by the grouped column itself: four groups.
    let rows = Book::objects()
        .order_by([Book::rating.desc()])
        .values_list((Book::rating, Count(Book::id)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(rows, [(5.0, 1), (4.5, 1), (4.0, 3), (3.0, 1)]);
    // By an expression of a column: grouped by it too.
    let rows = Book::objects()
        .order_by([(F(Book::pages) * 2).desc()])
        .values_list((Book::rating, Sum(Book::pages)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 6);
    assert_eq!(rows[0], (4.0, Some(1132)));
}

// --- 4. distinct() with an ordering on a column it does not select -----------------------

#[kata::test]
async fn distinct_selects_the_ordering_columns_as_django_does(db: Db) {
    library(&db).await;
    // Django: Book.objects.values_list("rating", flat=True).distinct().order_by("pages"):
    // the ordering column joins the SELECT DISTINCT, so each (rating, pages) is a row.
    let ratings = Book::objects()
        .distinct()
        .order_by([Book::pages.asc()])
        .values_list(Book::rating)
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(ratings, [4.0, 4.0, 4.5, 3.0, 5.0, 4.0]);
    // Ordered by the selected column: the four distinct ratings.
    let ratings =
        Book::objects().order_by([Book::rating.desc()]).distinct().values_list(Book::rating).alist(&db).await;
    assert_eq!(ratings.unwrap(), [5.0, 4.5, 4.0, 3.0]);
    // By an expression, and paged.
    let ratings = Book::objects()
        .order_by([(F(Book::price) * 2.0).desc(), Book::rating.asc()])
        .distinct()
        .offset(1)
        .limit(2)
        .values_list(Book::rating)
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(ratings, [5.0, 4.5]);
    // Whole models: every column is selected already; the count of a page follows its order.
    let cheapest = Book::objects().order_by([Book::price.asc(), Book::id.asc()]).distinct().limit(2);
    let books = cheapest.alist(&db).await.unwrap();
    assert_eq!(books.iter().map(|b| b.pages).collect::<Vec<_>>(), [528, 300]);
    assert_eq!(Book::objects().order_by([Book::pages.asc()]).distinct().acount(&db).await.unwrap(), 6);
}

// --- 5 and 6. slices refuse a later filter, and compose ----------------------------------

#[kata::test]
async fn filter_exclude_and_order_by_after_a_slice_are_refused_before_any_sql(db: Db) {
    library(&db).await;
    let first_five = || Author::objects().order_by([Author::id.asc()]).limit(5);
    // Django: "Cannot filter a query once a slice has been taken."
    let refused = assert_num_queries(&db, 0, first_five().filter(Author::age.gt(40)).alist(&db)).await;
    assert!(is_invalid(&refused, "slice"), "{refused:?}");
    let refused = assert_num_queries(&db, 0, first_five().exclude(Author::age.gt(40)).acount(&db)).await;
    assert!(is_invalid(&refused, "slice"), "{refused:?}");
    // Django: "Cannot reorder a query once a slice has been taken."
    let refused = assert_num_queries(&db, 0, first_five().order_by([Author::age.asc()]).alist(&db)).await;
    assert!(is_invalid(&refused, "slice"), "{refused:?}");
    let refused = assert_num_queries(&db, 0, first_five().reverse().aexists(&db)).await;
    assert!(is_invalid(&refused, "slice"), "{refused:?}");
    let refused = assert_num_queries(&db, 0, first_five().distinct().alist(&db)).await;
    assert!(is_invalid(&refused, "slice"), "{refused:?}");
    let refused = assert_num_queries(
        &db,
        0,
        Author::objects().offset(3).filter(Author::age.gt(40)).values_list(Author::name).alist(&db),
    )
    .await;
    assert!(is_invalid(&refused, "slice"), "{refused:?}");
    // A filter that also cannot match is still refused, not answered empty.
    let refused =
        assert_num_queries(&db, 0, first_five().filter(Author::id.is_in(Vec::<i64>::new())).alist(&db)).await;
    assert!(is_invalid(&refused, "slice"), "{refused:?}");
    // Filtering first, then slicing, is the way: the first five authors over 30.
    let over_30 = Author::objects().filter(Author::age.gt(30)).order_by([Author::id.asc()]).limit(5);
    let names = over_30.values_list(Author::name).alist(&db).await.unwrap();
    assert_eq!(
        names,
        ["Adrian Holovaty", "Jacob Kaplan-Moss", "Brad Dayley", "Jeffrey Forcier", "Peter Norvig"]
    );
}

#[kata::test]
async fn slices_compose_as_djangos_slicing_of_a_slice(db: Db) {
    library(&db).await;
    let by_id = || Author::objects().order_by([Author::id.asc()]);
    let names = async |query: QuerySet<Author>| query.values_list(Author::name).alist(&db).await.unwrap();
    // Django: qs[0:5][4:] is one row, the fifth.
    assert_eq!(names(by_id().limit(5).offset(4)).await, ["Jeffrey Forcier"]);
    assert_eq!(by_id().limit(5).offset(4).acount(&db).await.unwrap(), 1);
    // qs[2:][2:3] is the fifth row.
    assert_eq!(names(by_id().offset(2).offset(2).limit(1)).await, ["Jeffrey Forcier"]);
    // qs[1:6][2:3]: the fourth row; qs[:5][:3] and qs[:3][:5] are both three rows.
    assert_eq!(names(by_id().offset(1).limit(5).offset(2).limit(1)).await, ["James Bennett"]);
    assert_eq!(names(by_id().limit(5).limit(3)).await.len(), 3);
    assert_eq!(names(by_id().limit(3).limit(5)).await.len(), 3);
    // qs[:3][5:] is empty, without a query.
    assert_eq!(assert_num_queries(&db, 0, names(by_id().limit(3).offset(5))).await, Vec::<String>::new());
    // An offset past the table, and a page that ends at it.
    assert_eq!(names(by_id().offset(8).limit(5)).await, ["Stuart Russell"]);
    assert_eq!(names(by_id().offset(9)).await, Vec::<String>::new());
}

#[kata::test]
async fn terminal_operations_on_a_slice_do_what_django_allows(db: Db) {
    library(&db).await;
    let by_age = || Author::objects().order_by([Author::age.desc(), Author::id.asc()]);
    // afirst: the first row of the slice (Django's qs[2:5].first()).
    let third = by_age().offset(2).limit(3).afirst(&db).await.unwrap().map(|a| a.name);
    assert_eq!(third.as_deref(), Some("Brad Dayley"));
    assert_eq!(by_age().offset(9).afirst(&db).await.unwrap(), None);
    // Unordered, afirst would order by key, which Django refuses on a slice.
    let refused = assert_num_queries(&db, 0, Author::objects().limit(3).afirst(&db)).await;
    assert!(is_invalid(&refused, "slice"), "{refused:?}");
    let refused =
        assert_num_queries(&db, 0, Author::objects().limit(3).values_list(Author::id).afirst(&db)).await;
    assert!(is_invalid(&refused, "slice"), "{refused:?}");
    // alast reverses the order: refused (Django: "Cannot reverse a query once a slice has been taken").
    assert!(is_invalid(&by_age().limit(3).alast(&db).await, "slice"));
    // aget: Q::all() is Django's qs[a:b].get(); any other condition is a filter after a slice.
    let oldest = by_age().limit(1).aget(&db, Q::all()).await.unwrap();
    assert_eq!(oldest.name, "Peter Norvig");
    let many = by_age().limit(3).aget(&db, Q::all()).await;
    assert!(matches!(many, Err(kata::Error::MultipleObjectsReturned { count: 3, .. })), "{many:?}");
    let refused = assert_num_queries(&db, 0, by_age().limit(3).aget(&db, Author::age.eq(57))).await;
    assert!(is_invalid(&refused, "slice"), "{refused:?}");
    // acount and aexists count the slice's rows.
    assert_eq!(by_age().offset(7).acount(&db).await.unwrap(), 2);
    assert!(by_age().offset(8).aexists(&db).await.unwrap());
    assert!(!by_age().offset(9).aexists(&db).await.unwrap());
    // aupdate and adelete refuse a slice, as Django does.
    let refused = assert_num_queries(&db, 0, by_age().limit(2).aupdate(&db, [Author::age.set(0)])).await;
    assert!(is_invalid(&refused, "slice"), "{refused:?}");
    let refused = assert_num_queries(&db, 0, by_age().limit(2).adelete(&db)).await;
    assert!(is_invalid(&refused, "slice"), "{refused:?}");
    assert_eq!(Author::objects().filter(Author::age.eq(0)).acount(&db).await.unwrap(), 0);
    assert_eq!(Author::objects().acount(&db).await.unwrap(), 9);
}

// --- 7. queries that cannot match send nothing -------------------------------------------

#[kata::test]
async fn a_query_that_cannot_match_is_answered_without_a_round_trip(db: Db) {
    library(&db).await;
    let none = || Author::objects().filter(Author::id.is_in(Vec::<i64>::new()));
    assert!(assert_num_queries(&db, 0, none().alist(&db)).await.unwrap().is_empty());
    assert_eq!(assert_num_queries(&db, 0, none().acount(&db)).await.unwrap(), 0);
    assert!(!assert_num_queries(&db, 0, none().aexists(&db)).await.unwrap());
    assert_eq!(assert_num_queries(&db, 0, none().afirst(&db)).await.unwrap(), None);
    let missing = assert_num_queries(&db, 0, none().aget(&db, Q::all())).await;
    assert!(matches!(missing, Err(kata::Error::DoesNotExist { .. })), "{missing:?}");
    let names = assert_num_queries(&db, 0, none().values_list(Author::name).alist(&db)).await.unwrap();
    assert_eq!(names, Vec::<String>::new());
    let annotated = assert_num_queries(&db, 0, none().annotate(Count(Author::id)).alist(&db)).await.unwrap();
    assert!(annotated.is_empty());
    // Django's test_empty_result_optimization: aggregates over no rows, with no query.
    let (n, total, mean, oldest) = assert_num_queries(
        &db,
        0,
        none().aaggregate(&db, (Count(Author::id), Sum(Author::age), Avg(Author::age), Max(Author::age))),
    )
    .await
    .unwrap();
    assert_eq!((n, total, mean, oldest), (0, None, None, None));
    let distinct = assert_num_queries(&db, 0, none().aaggregate(&db, CountOf::distinct(Author::age))).await;
    assert_eq!(distinct.unwrap(), 0);
    // An aggregate alone over no rows is one row of empty values.
    let counts = assert_num_queries(&db, 0, none().values_list(CountOf::all()).alist(&db)).await.unwrap();
    assert_eq!(counts, [0]);
    // Writes of nothing: no statement.
    assert_eq!(assert_num_queries(&db, 0, none().aupdate(&db, [Author::age.set(1)])).await.unwrap(), 0);
    assert_eq!(assert_num_queries(&db, 0, none().adelete(&db)).await.unwrap(), 0);
    // An AND with a condition that cannot match, and an empty slice, cannot match either.
    let and = Author::objects().filter(Author::age.gt(30)).filter(Author::name.is_in(Vec::<String>::new()));
    assert_eq!(assert_num_queries(&db, 0, and.acount(&db)).await.unwrap(), 0);
    assert!(assert_num_queries(&db, 0, Author::objects().limit(0).alist(&db)).await.unwrap().is_empty());
    // An OR with it, or its negation, still asks the database.
    let or = Author::objects().filter(Author::id.is_in(Vec::<i64>::new()) | Author::age.eq(29));
    assert_eq!(assert_num_queries(&db, 1, or.acount(&db)).await.unwrap(), 2);
    let not = Author::objects().exclude(Author::id.is_in(Vec::<i64>::new()));
    assert_eq!(assert_num_queries(&db, 1, not.acount(&db)).await.unwrap(), 9);
}

// --- 8. a regex SQLite's engine cannot run ------------------------------------------------

#[kata::test]
async fn a_regex_the_backend_cannot_run_is_a_clear_error(db: Db) {
    library(&db).await;
    // A backreference: a doubled lower-case letter ("ss" in "Moss", "nn" in "Bennett", ..).
    let doubled = Author::objects().filter(Author::name.regex(r"([a-z])\1")).order_by([Author::id.asc()]);
    let sqlite = db.backend() == kata::Backend::Sqlite;
    let result =
        assert_num_queries(&db, u64::from(!sqlite), doubled.values_list(Author::name).alist(&db)).await;
    if sqlite {
        // Rust's `regex` has no backreferences: refused before any SQL, with its reason
        // (the database would say only "constraint failed").
        assert!(is_invalid(&result, "backreference"), "{result:?}");
    } else {
        // PostgreSQL's and MySQL's engines have them.
        let names = result.unwrap();
        assert_eq!(
            names,
            ["Jacob Kaplan-Moss", "James Bennett", "Jeffrey Forcier", "Paul Bissex", "Stuart Russell"]
        );
    }
    // A pattern every engine runs is not refused.
    let ja = Author::objects().filter(Author::name.regex("^Ja[a-z]+ ")).order_by([Author::id.asc()]);
    assert_eq!(
        ja.values_list(Author::name).alist(&db).await.unwrap(),
        ["Jacob Kaplan-Moss", "James Bennett"]
    );
}

// --- 13. nulls_first / nulls_last on every backend, and ordering by an expression --------

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "semantics_edition")]
struct Edition {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 20)]
    title: String,
    year: Option<i32>,
}

#[kata::test]
async fn nulls_first_and_nulls_last_sort_nulls_the_same_on_every_backend(db: Db) {
    db.create_tables(&[Edition::meta()]).await.unwrap();
    for (title, year) in [("b", Some(2001)), ("n1", None), ("a", Some(1999)), ("n2", None), ("c", Some(2010))]
    {
        Edition::objects().acreate(&db, [Edition::title.set(title), Edition::year.set(year)]).await.unwrap();
    }
    let titles = async |query: QuerySet<Edition>| query.values_list(Edition::title).alist(&db).await.unwrap();
    // Django: order_by(F("year").asc(nulls_first=True), "id")
    let by_year = |key: kata::OrderBy<Edition>| Edition::objects().order_by([key, Edition::id.asc()]);
    assert_eq!(titles(by_year(Edition::year.asc().nulls_first())).await, ["n1", "n2", "a", "b", "c"]);
    assert_eq!(titles(by_year(Edition::year.asc().nulls_last())).await, ["a", "b", "c", "n1", "n2"]);
    assert_eq!(titles(by_year(Edition::year.desc().nulls_first())).await, ["n1", "n2", "c", "b", "a"]);
    assert_eq!(titles(by_year(Edition::year.desc().nulls_last())).await, ["c", "b", "a", "n1", "n2"]);
    // reverse() swaps where the NULLs go with the direction, as Django's reverse_ordering.
    let reversed =
        Edition::objects().order_by([Edition::year.asc().nulls_last(), Edition::title.asc()]).reverse();
    assert_eq!(titles(reversed).await, ["n2", "n1", "c", "b", "a"]);
    assert_eq!(
        titles(by_year(Edition::year.asc().nulls_last().reversed())).await,
        ["n1", "n2", "c", "b", "a"]
    );
    // On an expression, in a distinct query (ordered by its alias) and in a grouped one.
    let by_expression =
        Edition::objects().order_by([(F(Edition::year) + 1).desc().nulls_last(), Edition::id.asc()]);
    assert_eq!(titles(by_expression).await, ["c", "b", "a", "n1", "n2"]);
    let years = Edition::objects()
        .order_by([Edition::year.asc().nulls_first()])
        .distinct()
        .values_list(Edition::year)
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(years, [None, Some(1999), Some(2001), Some(2010)]);
    let counts = Edition::objects()
        .order_by([Edition::year.desc().nulls_first()])
        .values_list((Edition::year, CountOf::all()))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(counts, [(None, 2), (Some(2010), 1), (Some(2001), 1), (Some(1999), 1)]);
}
