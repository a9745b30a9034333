//! `aaggregate` with `Count`, `CountOf`, `Sum`, `Avg`, `Min`, `Max`, over filtered, sliced
//! and empty querysets, and `values_list` grouping by the plain columns.

mod common;

use chrono::{DateTime, NaiveDate, Utc};
use common::{Counter, Event, Item};
use kata::prelude::*;

fn item(name: &str, price: f64, quantity: i32, rank: i16, weight: f32, note: Option<&str>) -> Item {
    Item {
        id: 0,
        name: name.into(),
        price,
        cost: 0.0,
        quantity,
        rank,
        weight,
        note: note.map(Into::into),
        data: None,
        extra: None,
    }
}

/// name   price quantity rank weight note
/// apple   1.5     1      3   0.25   x
/// pear    2.25    2     -1   0.5    NULL
/// apple   4.0     4      3   1.0    y
/// fig     0.75    4      7   2.5    x
/// pear   10.0     7      0   0.125  NULL
async fn basket(db: &Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = vec![
        item("apple", 1.5, 1, 3, 0.25, Some("x")),
        item("pear", 2.25, 2, -1, 0.5, None),
        item("apple", 4.0, 4, 3, 1.0, Some("y")),
        item("fig", 0.75, 4, 7, 2.5, Some("x")),
        item("pear", 10.0, 7, 0, 0.125, None),
    ];
    Item::objects().abulk_create(db, rows).await.unwrap();
}

#[kata::test]
async fn count_counts_non_null_values_and_count_all_counts_rows(db: Db) {
    basket(&db).await;
    let (ids, notes, rows) =
        Item::objects().aaggregate(&db, (Count(Item::id), Count(Item::note), CountOf::all())).await.unwrap();
    assert_eq!((ids, notes, rows), (5, 3, 5));
    let (distinct_names, distinct_notes, distinct_quantities) = Item::objects()
        .aaggregate(
            &db,
            (CountOf::distinct(Item::name), CountOf::distinct(Item::note), CountOf::distinct(Item::quantity)),
        )
        .await
        .unwrap();
    assert_eq!((distinct_names, distinct_notes, distinct_quantities), (3, 2, 4));
    let filtered =
        Item::objects().filter(Item::name.ne("fig")).aaggregate(&db, CountOf::all()).await.unwrap();
    assert_eq!(filtered, 4);
    assert_eq!(Item::objects().aaggregate(&db, Count(F(Item::quantity) * 2)).await.unwrap(), 5);
}

#[kata::test]
async fn sum_of_integers_is_i64_and_of_floats_is_f64(db: Db) {
    basket(&db).await;
    let (quantity, rank, price, weight) = Item::objects()
        .aaggregate(&db, (Sum(Item::quantity), Sum(Item::rank), Sum(Item::price), Sum(Item::weight)))
        .await
        .unwrap();
    let (quantity, rank): (Option<i64>, Option<i64>) = (quantity, rank);
    let (price, weight): (Option<f64>, Option<f64>) = (price, weight);
    assert_eq!(quantity, Some(18));
    assert_eq!(rank, Some(12));
    assert_eq!(price, Some(18.5));
    assert_eq!(weight, Some(4.375));
    let apples = Item::objects()
        .filter(Item::name.eq("apple"))
        .aaggregate(&db, (Sum(Item::quantity), Sum(Item::price)))
        .await
        .unwrap();
    assert_eq!(apples, (Some(5), Some(5.5)));
    // A sum of f32 values is computed in f64, past f32's 24-bit mantissa.
    let floats = Item::objects().aaggregate(&db, Sum(Item::weight)).await.unwrap();
    assert_eq!(floats, Some(4.375));
    // Sums of expressions.
    let doubled = Item::objects().aaggregate(&db, Sum(F(Item::quantity) * 2)).await.unwrap();
    assert_eq!(doubled, Some(36));
}

#[kata::test]
async fn sum_of_bigints_does_not_overflow_32_bits(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = (0..3).map(|i| Counter { id: 0, name: format!("c{i}"), n: 3_000_000_000 }).collect();
    Counter::objects().abulk_create(&db, rows).await.unwrap();
    let (total, max) = Counter::objects().aaggregate(&db, (Sum(Counter::n), Max(Counter::n))).await.unwrap();
    assert_eq!(total, Some(9_000_000_000));
    assert_eq!(max, Some(3_000_000_000));
    let (quantities, biggest) =
        Item::objects().aaggregate(&db, (Sum(Item::quantity), Max(Item::quantity))).await.unwrap();
    assert_eq!((quantities, biggest), (None, None));
    // i32::MAX twice sums past i32 without error.
    let big = vec![item("a", 0.0, i32::MAX, 0, 0.0, None), item("b", 0.0, i32::MAX, 0, 0.0, None)];
    Item::objects().abulk_create(&db, big).await.unwrap();
    let total = Item::objects().aaggregate(&db, Sum(Item::quantity)).await.unwrap();
    assert_eq!(total, Some(2 * i64::from(i32::MAX)));
}

#[kata::test]
async fn sum_and_avg_of_f32_are_computed_in_f64(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    // 2^24 + 1 is not an f32, but it is the sum in f64.
    let rows = vec![item("big", 0.0, 0, 0, 16_777_216.0, None), item("one", 0.0, 0, 0, 1.0, None)];
    Item::objects().abulk_create(&db, rows).await.unwrap();
    let (sum, avg) = Item::objects().aaggregate(&db, (Sum(Item::weight), Avg(Item::weight))).await.unwrap();
    assert_eq!(sum, Some(16_777_217.0));
    assert_eq!(avg, Some(8_388_608.5));
}

#[kata::test]
async fn avg_is_an_exact_f64_mean(db: Db) {
    basket(&db).await;
    let (quantity, price, rank, weight) = Item::objects()
        .aaggregate(&db, (Avg(Item::quantity), Avg(Item::price), Avg(Item::rank), Avg(Item::weight)))
        .await
        .unwrap();
    assert_eq!(quantity, Some(3.6));
    assert_eq!(price, Some(3.7));
    assert_eq!(rank, Some(2.4));
    assert_eq!(weight, Some(0.875));
    // A mean that is not a short decimal: 1, 2 and 4 average to 7/3 in full f64 precision.
    let thirds = Item::objects().filter(Item::quantity.lt(5)).filter(Item::name.ne("fig"));
    let avg = thirds.aaggregate(&db, Avg(Item::quantity)).await.unwrap().unwrap();
    assert!((avg - 7.0 / 3.0).abs() < 1e-12, "7/3 came back as {avg}");
}

#[kata::test]
async fn min_and_max_keep_the_column_type(db: Db) {
    basket(&db).await;
    let (min_q, max_q, min_p, max_p) = Item::objects()
        .aaggregate(&db, (Min(Item::quantity), Max(Item::quantity), Min(Item::price), Max(Item::price)))
        .await
        .unwrap();
    let (min_q, max_q): (Option<i32>, Option<i32>) = (min_q, max_q);
    assert_eq!((min_q, max_q, min_p, max_p), (Some(1), Some(7), Some(0.75), Some(10.0)));
    let (min_r, max_r, min_w, max_w) = Item::objects()
        .aaggregate(&db, (Min(Item::rank), Max(Item::rank), Min(Item::weight), Max(Item::weight)))
        .await
        .unwrap();
    let (min_r, max_r): (Option<i16>, Option<i16>) = (min_r, max_r);
    let (min_w, max_w): (Option<f32>, Option<f32>) = (min_w, max_w);
    assert_eq!((min_r, max_r, min_w, max_w), (Some(-1), Some(7), Some(0.125), Some(2.5)));
    let (first, last) = Item::objects().aaggregate(&db, (Min(Item::name), Max(Item::name))).await.unwrap();
    assert_eq!((first.as_deref(), last.as_deref()), (Some("apple"), Some("pear")));
    let (min_note, max_note) =
        Item::objects().aaggregate(&db, (Min(Item::note), Max(Item::note))).await.unwrap();
    assert_eq!((min_note.as_deref(), max_note.as_deref()), (Some("x"), Some("y")), "NULLs are skipped");
    let pears = Item::objects()
        .filter(Item::name.eq("pear"))
        .aaggregate(&db, (Min(Item::price), Max(Item::rank)))
        .await
        .unwrap();
    assert_eq!(pears, (Some(2.25), Some(0)));
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2024, 5, day).unwrap().and_hms_micro_opt(hour, 30, 15, 250_000).unwrap().and_utc()
}

#[kata::test]
async fn min_and_max_of_dates_and_times(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = [(3, 9), (1, 23), (2, 0)]
        .into_iter()
        .map(|(day, hour)| Event {
            id: 0,
            title: format!("e{day}"),
            at: at(day, hour),
            day: at(day, hour).date_naive(),
            local: at(day, hour).naive_utc(),
            time: at(day, hour).time(),
        })
        .collect();
    Event::objects().abulk_create(&db, rows).await.unwrap();
    let (first, last) = Event::objects().aaggregate(&db, (Min(Event::at), Max(Event::at))).await.unwrap();
    assert_eq!((first, last), (Some(at(1, 23)), Some(at(3, 9))));
    let (first_day, last_local) =
        Event::objects().aaggregate(&db, (Min(Event::day), Max(Event::local))).await.unwrap();
    assert_eq!((first_day, last_local), (Some(at(1, 0).date_naive()), Some(at(3, 9).naive_utc())));
    let (earliest, latest) =
        Event::objects().aaggregate(&db, (Min(Event::time), Max(Event::time))).await.unwrap();
    assert_eq!((earliest, latest), (Some(at(2, 0).time()), Some(at(1, 23).time())));
}

#[kata::test]
async fn aggregates_over_no_rows_are_none_or_zero(db: Db) {
    basket(&db).await;
    let nothing = Item::objects().filter(Item::price.gt(100.0));
    let counts = nothing
        .clone()
        .aaggregate(&db, (Count(Item::id), CountOf::all(), CountOf::distinct(Item::name)))
        .await
        .unwrap();
    assert_eq!(counts, (0, 0, 0));
    let (sum_q, sum_p, avg_q, avg_p) = nothing
        .clone()
        .aaggregate(&db, (Sum(Item::quantity), Sum(Item::price), Avg(Item::quantity), Avg(Item::price)))
        .await
        .unwrap();
    assert_eq!((sum_q, sum_p, avg_q, avg_p), (None, None, None, None));
    let (min_q, max_p, min_name) =
        nothing.aaggregate(&db, (Min(Item::quantity), Max(Item::price), Min(Item::name))).await.unwrap();
    assert_eq!((min_q, max_p, min_name), (None, None, None));
    // An empty table too, and Q::none().
    Item::objects().adelete(&db).await.unwrap();
    let all =
        Item::objects().aaggregate(&db, (CountOf::all(), Sum(Item::rank), Max(Item::weight))).await.unwrap();
    assert_eq!(all, (0, None, None));
    let none =
        Item::objects().filter(Q::none()).aaggregate(&db, (CountOf::all(), Avg(Item::rank))).await.unwrap();
    assert_eq!(none, (0, None));
}

#[kata::test]
async fn aggregates_over_a_slice_use_only_its_rows(db: Db) {
    basket(&db).await;
    let cheapest_two = Item::objects().order_by([Item::price.asc()]).limit(2);
    let (n, total, top) =
        cheapest_two.aaggregate(&db, (CountOf::all(), Sum(Item::price), Max(Item::price))).await.unwrap();
    assert_eq!((n, total, top), (2, Some(2.25), Some(1.5)));
    let skip_one = Item::objects().order_by([Item::price.desc()]).offset(1).limit(3);
    let (n, sum_q) = skip_one.aaggregate(&db, (CountOf::all(), Sum(Item::quantity))).await.unwrap();
    // 4.0 (4), 2.25 (2), 1.5 (1)
    assert_eq!((n, sum_q), (3, Some(7)));
}

#[kata::test]
async fn values_list_with_an_aggregate_groups_by_the_plain_columns(db: Db) {
    basket(&db).await;
    let per_name: Vec<(String, i64)> = Item::objects()
        .order_by([Item::name.asc()])
        .values_list((Item::name, Count(Item::id)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(per_name, [("apple".to_owned(), 2), ("fig".to_owned(), 1), ("pear".to_owned(), 2)]);
    let totals = Item::objects()
        .order_by([Item::name.asc()])
        .values_list((Item::name, Sum(Item::quantity), Max(Item::price)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(
        totals,
        [
            ("apple".to_owned(), Some(5), Some(4.0)),
            ("fig".to_owned(), Some(4), Some(0.75)),
            ("pear".to_owned(), Some(9), Some(10.0))
        ]
    );
    // The filter applies before grouping.
    let cheap = Item::objects()
        .filter(Item::price.lt(3.0))
        .order_by([Item::name.asc()])
        .values_list((Item::name, Count(Item::id)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(cheap, [("apple".to_owned(), 1), ("fig".to_owned(), 1), ("pear".to_owned(), 1)]);
    // Ordered by the aggregate, then by name; and paged.
    let by_count = Item::objects()
        .order_by([Count(Item::id).desc(), Item::name.asc()])
        .values_list((Item::name, Count(Item::id)));
    assert_eq!(
        by_count.alist(&db).await.unwrap(),
        [("apple".to_owned(), 2), ("pear".to_owned(), 2), ("fig".to_owned(), 1)]
    );
    let second = Item::objects()
        .order_by([Count(Item::id).desc(), Item::name.asc()])
        .offset(1)
        .limit(1)
        .values_list((Item::name, Count(Item::id)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(second, [("pear".to_owned(), 2)]);
    // Two grouping columns; NULL is a group of its own.
    let pairs = Item::objects()
        .filter(Item::note.isnull(false))
        .order_by([Item::note.asc(), Item::quantity.asc()])
        .values_list((Item::note, Item::quantity, CountOf::all()))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(
        pairs,
        [(Some("x".to_owned()), 1, 1), (Some("x".to_owned()), 4, 1), (Some("y".to_owned()), 4, 1)]
    );
    let by_note = Item::objects()
        .filter(Item::note.isnull(true))
        .values_list((Item::note, CountOf::all(), Sum(Item::quantity)))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(by_note, [(None, 2, Some(9))]);
    // An aggregate alone is one row over the whole query.
    let alone = Item::objects().values_list(Count(Item::id)).alist(&db).await.unwrap();
    assert_eq!(alone, [5]);
    let first = Item::objects()
        .order_by([Item::name.desc()])
        .values_list((Item::name, Count(Item::id)))
        .afirst(&db)
        .await
        .unwrap();
    assert_eq!(first, Some(("pear".to_owned(), 2)));
}
