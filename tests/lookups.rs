//! Every field lookup, pinned by the exact rows it selects on each backend.

mod common;

use chrono::Datelike;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use common::{Event, Item};
use kata::prelude::*;

fn item(name: &str, price: f64, quantity: i32, note: Option<&str>) -> Item {
    Item {
        id: 0,
        name: name.into(),
        price,
        cost: 0.0,
        quantity,
        rank: 0,
        weight: 0.0,
        note: note.map(Into::into),
        data: None,
        extra: None,
    }
}

/// Creates the tables and inserts one item per name (price = quantity = its position).
async fn items(db: &Db, names: &[&str]) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = names.iter().enumerate().map(|(i, n)| item(n, i as f64, i as i32, None)).collect();
    Item::objects().abulk_create(db, rows).await.unwrap();
}

/// The names of the items matching `q`, in insertion order.
async fn names(db: &Db, q: Q<Item>) -> Vec<String> {
    Item::objects().filter(q).order_by([Item::id.asc()]).values_list(Item::name).alist(db).await.unwrap()
}

#[kata::test]
async fn eq_and_exact_match_only_the_equal_value(db: Db) {
    items(&db, &["ann", "Ann", "anne", "an", "bob"]).await;
    assert_eq!(names(&db, Item::name.eq("ann")).await, ["ann"]);
    assert_eq!(names(&db, Item::name.exact("ann")).await, ["ann"]);
    assert_eq!(names(&db, Item::name.eq("nobody")).await, Vec::<String>::new());
    assert_eq!(names(&db, Item::quantity.eq(3)).await, ["an"]);
    assert_eq!(names(&db, Item::price.exact(4.0)).await, ["bob"]);
}

#[kata::test]
async fn ne_excludes_only_the_equal_value(db: Db) {
    items(&db, &["ann", "Ann", "anne", "bob"]).await;
    assert_eq!(names(&db, Item::name.ne("ann")).await, ["Ann", "anne", "bob"]);
    assert_eq!(names(&db, Item::quantity.ne(0)).await, ["Ann", "anne", "bob"]);
}

#[kata::test]
async fn case_insensitive_lookups_agree_on_every_backend(db: Db) {
    items(&db, &["Alpha Beta", "ALPHA BETA", "alpha beta", "alphabet", "BETA ALPHA", "gamma"]).await;
    let all_alpha_beta = ["Alpha Beta", "ALPHA BETA", "alpha beta"];
    assert_eq!(names(&db, Item::name.iexact("aLpHa BeTa")).await, all_alpha_beta);
    assert_eq!(
        names(&db, Item::name.icontains("A B")).await,
        all_alpha_beta,
        "icontains ignores case on both sides"
    );
    assert_eq!(
        names(&db, Item::name.icontains("ALPHA")).await,
        ["Alpha Beta", "ALPHA BETA", "alpha beta", "alphabet", "BETA ALPHA"]
    );
    assert_eq!(
        names(&db, Item::name.istartswith("alPHA")).await,
        ["Alpha Beta", "ALPHA BETA", "alpha beta", "alphabet"]
    );
    assert_eq!(names(&db, Item::name.iendswith("BETA")).await, all_alpha_beta);
    assert_eq!(names(&db, Item::name.iendswith("alpha")).await, ["BETA ALPHA"]);
}

#[kata::test]
async fn case_sensitive_lookups_do_not_match_another_case(db: Db) {
    items(&db, &["Alpha Beta", "ALPHA BETA", "alpha beta", "alphabet", "gamma"]).await;
    assert_eq!(names(&db, Item::name.exact("alpha beta")).await, ["alpha beta"]);
    assert_eq!(names(&db, Item::name.eq("ALPHA beta")).await, Vec::<String>::new());
    assert_eq!(names(&db, Item::name.contains("a B")).await, ["Alpha Beta"]);
    assert_eq!(names(&db, Item::name.contains("PHA")).await, ["ALPHA BETA"]);
    assert_eq!(names(&db, Item::name.contains("lpha")).await, ["Alpha Beta", "alpha beta", "alphabet"]);
    assert_eq!(names(&db, Item::name.startswith("alpha")).await, ["alpha beta", "alphabet"]);
    assert_eq!(names(&db, Item::name.startswith("A")).await, ["Alpha Beta", "ALPHA BETA"]);
    assert_eq!(names(&db, Item::name.endswith("Beta")).await, ["Alpha Beta"]);
    assert_eq!(names(&db, Item::name.endswith("BETA")).await, ["ALPHA BETA"]);
    assert_eq!(names(&db, Item::name.endswith("BET")).await, Vec::<String>::new());
    assert_eq!(names(&db, Item::name.endswith("bet")).await, ["alphabet"]);
}

#[kata::test]
async fn startswith_and_endswith_anchor_at_one_end(db: Db) {
    items(&db, &["abc", "cab", "bca", "ab", "b"]).await;
    assert_eq!(names(&db, Item::name.startswith("ab")).await, ["abc", "ab"]);
    assert_eq!(names(&db, Item::name.endswith("ab")).await, ["cab", "ab"]);
    assert_eq!(names(&db, Item::name.contains("ab")).await, ["abc", "cab", "ab"]);
    assert_eq!(names(&db, Item::name.startswith("b")).await, ["bca", "b"]);
    assert_eq!(names(&db, Item::name.endswith("b")).await, ["cab", "ab", "b"]);
    assert_eq!(names(&db, Item::name.startswith("")).await.len(), 5, "an empty prefix matches everything");
}

#[kata::test]
async fn like_wildcards_and_quotes_match_only_themselves(db: Db) {
    items(
        &db,
        &["100%", "1000", "a_b", "axb", r"back\slash", "backslash", r"back\\slash", "it's", "its", "50% off"],
    )
    .await;
    assert_eq!(names(&db, Item::name.contains("%")).await, ["100%", "50% off"]);
    assert_eq!(names(&db, Item::name.contains("0%")).await, ["100%", "50% off"]);
    assert_eq!(names(&db, Item::name.endswith("0%")).await, ["100%"]);
    assert_eq!(names(&db, Item::name.contains("_")).await, ["a_b"]);
    assert_eq!(names(&db, Item::name.startswith("a_")).await, ["a_b"]);
    assert_eq!(names(&db, Item::name.contains(r"\")).await, [r"back\slash", r"back\\slash"]);
    assert_eq!(names(&db, Item::name.contains(r"k\s")).await, [r"back\slash"]);
    assert_eq!(names(&db, Item::name.contains(r"\\")).await, [r"back\\slash"]);
    assert_eq!(names(&db, Item::name.contains("'")).await, ["it's"]);
    assert_eq!(names(&db, Item::name.exact("a_b")).await, ["a_b"]);
    assert_eq!(names(&db, Item::name.exact("100%")).await, ["100%"]);
    assert_eq!(names(&db, Item::name.exact(r"back\slash")).await, [r"back\slash"]);
    assert_eq!(names(&db, Item::name.exact("it's")).await, ["it's"]);
    // The case-insensitive forms escape the same way.
    assert_eq!(names(&db, Item::name.icontains("_")).await, ["a_b"]);
    assert_eq!(names(&db, Item::name.icontains("%")).await, ["100%", "50% off"]);
    assert_eq!(names(&db, Item::name.icontains(r"K\S")).await, [r"back\slash"]);
    assert_eq!(names(&db, Item::name.iexact("A_B")).await, ["a_b"]);
    assert_eq!(names(&db, Item::name.iexact("IT'S")).await, ["it's"]);
    assert_eq!(names(&db, Item::name.istartswith("A_")).await, ["a_b"]);
    assert_eq!(names(&db, Item::name.iendswith("0%")).await, ["100%"]);
}

#[kata::test]
async fn glob_and_bracket_characters_match_only_themselves(db: Db) {
    items(&db, &["a*b", "axb", "a?b", "[ab]", "a", "b]", "^x"]).await;
    assert_eq!(names(&db, Item::name.contains("*")).await, ["a*b"]);
    assert_eq!(names(&db, Item::name.contains("?")).await, ["a?b"]);
    assert_eq!(names(&db, Item::name.contains("[")).await, ["[ab]"]);
    assert_eq!(names(&db, Item::name.contains("]")).await, ["[ab]", "b]"]);
    assert_eq!(names(&db, Item::name.startswith("[a")).await, ["[ab]"]);
    assert_eq!(names(&db, Item::name.exact("a*b")).await, ["a*b"]);
    assert_eq!(names(&db, Item::name.endswith("b]")).await, ["[ab]", "b]"]);
    assert_eq!(names(&db, Item::name.startswith("^")).await, ["^x"]);
}

#[kata::test]
async fn is_in_matches_listed_values_and_an_empty_list_matches_nothing(db: Db) {
    items(&db, &["a", "b", "c", "d"]).await;
    assert_eq!(names(&db, Item::name.is_in(["d", "b", "zz"])).await, ["b", "d"]);
    assert_eq!(names(&db, Item::name.is_in(vec![String::from("a"), String::from("a")])).await, ["a"]);
    assert_eq!(names(&db, Item::quantity.is_in([0, 2])).await, ["a", "c"]);
    assert_eq!(names(&db, Item::price.is_in([3.0])).await, ["d"]);
    assert_eq!(names(&db, Item::id.is_in(Vec::<i64>::new())).await, Vec::<String>::new());
    assert_eq!(names(&db, Item::name.is_in(Vec::<String>::new())).await, Vec::<String>::new());
    let none = Item::objects().filter(Item::name.is_in(Vec::<&str>::new()));
    assert_eq!(none.acount(&db).await.unwrap(), 0);
    // Excluding an empty list keeps everything.
    let kept = Item::objects().exclude(Item::name.is_in(Vec::<&str>::new())).acount(&db).await.unwrap();
    assert_eq!(kept, 4);
}

#[kata::test]
async fn is_in_on_a_nullable_column_never_matches_null(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = vec![item("a", 0.0, 0, Some("x")), item("b", 0.0, 0, None), item("c", 0.0, 0, Some("y"))];
    Item::objects().abulk_create(&db, rows).await.unwrap();
    assert_eq!(names(&db, Item::note.is_in(["x", "y"])).await, ["a", "c"]);
    assert_eq!(names(&db, Item::note.is_in(["y"])).await, ["c"]);
    assert_eq!(Item::objects().exclude(Item::note.is_in(["x"])).acount(&db).await.unwrap(), 2);
}

#[kata::test]
async fn comparisons_are_strict_or_inclusive_as_named(db: Db) {
    items(&db, &["q0", "q1", "q2", "q3", "q4"]).await;
    assert_eq!(names(&db, Item::quantity.gt(2)).await, ["q3", "q4"]);
    assert_eq!(names(&db, Item::quantity.gte(2)).await, ["q2", "q3", "q4"]);
    assert_eq!(names(&db, Item::quantity.lt(2)).await, ["q0", "q1"]);
    assert_eq!(names(&db, Item::quantity.lte(2)).await, ["q0", "q1", "q2"]);
    assert_eq!(names(&db, Item::price.gt(2.5)).await, ["q3", "q4"]);
    assert_eq!(names(&db, Item::price.lte(0.0)).await, ["q0"]);
    assert_eq!(names(&db, Item::id.gt(0)).await.len(), 5);
    assert_eq!(names(&db, Item::name.gt("q2")).await, ["q3", "q4"]);
    assert_eq!(names(&db, Item::name.lte("q1")).await, ["q0", "q1"]);
}

#[kata::test]
async fn comparisons_on_small_ints_and_floats(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let mut rows = Vec::new();
    for (name, rank, weight) in [("light", -3i16, 0.1f32), ("mid", 0, 1.5), ("heavy", 7, 12.75)] {
        rows.push(Item { rank, weight, ..item(name, 0.0, 0, None) });
    }
    Item::objects().abulk_create(&db, rows).await.unwrap();
    assert_eq!(names(&db, Item::rank.lt(0)).await, ["light"]);
    assert_eq!(names(&db, Item::rank.gte(0)).await, ["mid", "heavy"]);
    assert_eq!(names(&db, Item::weight.gt(1.5)).await, ["heavy"]);
    assert_eq!(names(&db, Item::weight.gte(1.5)).await, ["mid", "heavy"]);
    assert_eq!(
        names(&db, Item::weight.eq(0.1)).await,
        ["light"],
        "an f32 equals itself, not its f64 neighbour"
    );
    assert_eq!(names(&db, Item::weight.lt(0.1)).await, Vec::<String>::new());
    assert_eq!(names(&db, Item::rank.is_in([7i16, -3])).await, ["light", "heavy"]);
    assert_eq!(names(&db, Item::weight.is_in([1.5, 12.75])).await, ["mid", "heavy"]);
    assert_eq!(names(&db, Item::rank.range(-3, 0)).await, ["light", "mid"]);
}

#[kata::test]
async fn range_includes_both_ends(db: Db) {
    items(&db, &["q0", "q1", "q2", "q3", "q4", "q5"]).await;
    assert_eq!(names(&db, Item::quantity.range(1, 3)).await, ["q1", "q2", "q3"]);
    assert_eq!(names(&db, Item::price.range(2.0, 2.0)).await, ["q2"]);
    assert_eq!(names(&db, Item::price.range(3.5, 9.0)).await, ["q4", "q5"]);
    assert_eq!(names(&db, Item::quantity.range(4, 1)).await, Vec::<String>::new(), "low above high: nothing");
    assert_eq!(names(&db, Item::name.range("q1", "q2")).await, ["q1", "q2"]);
    let outside = Item::objects().exclude(Item::quantity.range(1, 4)).values_list(Item::name);
    let mut outside = outside.alist(&db).await.unwrap();
    outside.sort();
    assert_eq!(outside, ["q0", "q5"]);
}

#[kata::test]
async fn isnull_true_and_false_split_the_rows(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = vec![
        item("with", 0.0, 0, Some("x")),
        item("without", 0.0, 0, None),
        item("empty", 0.0, 0, Some("")),
        item("also without", 0.0, 0, None),
    ];
    Item::objects().abulk_create(&db, rows).await.unwrap();
    assert_eq!(names(&db, Item::note.isnull(true)).await, ["without", "also without"]);
    assert_eq!(names(&db, Item::note.isnull(false)).await, ["with", "empty"], "an empty string is not NULL");
    assert_eq!(names(&db, Item::note.eq("")).await, ["empty"]);
    assert_eq!(names(&db, Item::data.isnull(true)).await.len(), 4);
    assert_eq!(names(&db, Item::extra.isnull(false)).await.len(), 0);
}

#[kata::test]
async fn regex_matches_case_sensitively_and_iregex_ignores_case(db: Db) {
    items(&db, &["abc123", "ABC123", "abc", "x-abc-9", "123abc"]).await;
    assert_eq!(names(&db, Item::name.regex("^abc[0-9]+$")).await, ["abc123"]);
    assert_eq!(names(&db, Item::name.iregex("^abc[0-9]+$")).await, ["abc123", "ABC123"]);
    assert_eq!(names(&db, Item::name.regex("abc")).await, ["abc123", "abc", "x-abc-9", "123abc"]);
    assert_eq!(names(&db, Item::name.iregex("ABC")).await, ["abc123", "ABC123", "abc", "x-abc-9", "123abc"]);
    assert_eq!(names(&db, Item::name.regex("^[a-z]+$")).await, ["abc"]);
    assert_eq!(names(&db, Item::name.regex("[0-9]$")).await, ["abc123", "ABC123", "x-abc-9"]);
    assert_eq!(names(&db, Item::name.regex("^x-|^1")).await, ["x-abc-9", "123abc"]);
    assert_eq!(names(&db, Item::name.iregex("C1")).await, ["abc123", "ABC123"]);
    assert_eq!(names(&db, Item::name.regex("C1")).await, ["ABC123"]);
    // Excluding a regex keeps the rest.
    let rest = Item::objects().exclude(Item::name.regex("[0-9]")).values_list(Item::name).alist(&db).await;
    assert_eq!(rest.unwrap(), ["abc"]);
}

#[kata::test]
async fn regex_on_a_nullable_column_never_matches_null(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = vec![item("a", 0.0, 0, Some("x1")), item("b", 0.0, 0, None), item("c", 0.0, 0, Some("X2"))];
    Item::objects().abulk_create(&db, rows).await.unwrap();
    assert_eq!(names(&db, Item::note.regex("^x")).await, ["a"]);
    assert_eq!(names(&db, Item::note.iregex("^x")).await, ["a", "c"]);
    assert_eq!(names(&db, Item::note.contains("x")).await, ["a"]);
    assert_eq!(names(&db, Item::note.icontains("x")).await, ["a", "c"]);
    let rest =
        Item::objects().exclude(Item::note.regex("^x")).order_by([Item::id.asc()]).values_list(Item::name);
    assert_eq!(rest.alist(&db).await.unwrap(), ["b", "c"], "exclude keeps the NULL row");
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, micro: u32) -> DateTime<Utc> {
    local(y, mo, d, h, mi, s, micro).and_utc()
}

fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, micro: u32) -> NaiveDateTime {
    date(y, mo, d).and_time(time(h, mi, s, micro))
}

fn date(y: i32, mo: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, mo, d).unwrap()
}

fn time(h: u32, mi: u32, s: u32, micro: u32) -> NaiveTime {
    NaiveTime::from_hms_micro_opt(h, mi, s, micro).unwrap()
}

/// Four events whose date parts differ column by column.
async fn events(db: &Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = vec![
        Event {
            id: 0,
            title: "a".into(),
            at: utc(2024, 3, 5, 10, 20, 30, 0),
            day: date(2024, 3, 5),
            local: local(2024, 3, 5, 10, 20, 30, 0),
            time: time(10, 20, 30, 0),
        },
        Event {
            id: 0,
            title: "b".into(),
            at: utc(2023, 12, 31, 23, 59, 59, 999_999),
            day: date(2023, 12, 31),
            local: local(2023, 12, 31, 23, 59, 59, 500_000),
            time: time(23, 59, 59, 750_000),
        },
        Event {
            id: 0,
            title: "c".into(),
            at: utc(2024, 12, 1, 0, 0, 0, 0),
            day: date(2024, 1, 31),
            local: local(2025, 3, 1, 5, 7, 9, 0),
            time: time(0, 0, 0, 0),
        },
        Event {
            id: 0,
            title: "d".into(),
            at: utc(2020, 2, 29, 12, 30, 45, 123_456),
            day: date(2020, 2, 29),
            local: local(2020, 2, 29, 12, 30, 45, 0),
            time: time(12, 30, 45, 0),
        },
    ];
    Event::objects().abulk_create(db, rows).await.unwrap();
}

async fn titles(db: &Db, q: Q<Event>) -> Vec<String> {
    Event::objects().filter(q).order_by([Event::id.asc()]).values_list(Event::title).alist(db).await.unwrap()
}

#[kata::test]
async fn year_of_datetime_date_and_naive_datetime(db: Db) {
    events(&db).await;
    assert_eq!(titles(&db, Event::at.year().eq(2024)).await, ["a", "c"]);
    assert_eq!(titles(&db, Event::day.year().eq(2024)).await, ["a", "c"]);
    assert_eq!(titles(&db, Event::local.year().eq(2024)).await, ["a"]);
    assert_eq!(titles(&db, Event::local.year().gte(2024)).await, ["a", "c"]);
    assert_eq!(titles(&db, Event::at.year().range(2021, 2023)).await, ["b"]);
    assert_eq!(titles(&db, Event::day.year().lt(2023)).await, ["d"]);
}

#[kata::test]
async fn month_of_datetime_date_and_naive_datetime(db: Db) {
    events(&db).await;
    assert_eq!(titles(&db, Event::at.month().eq(12)).await, ["b", "c"]);
    assert_eq!(titles(&db, Event::day.month().eq(2)).await, ["d"]);
    assert_eq!(titles(&db, Event::day.month().eq(1)).await, ["c"]);
    assert_eq!(titles(&db, Event::local.month().eq(3)).await, ["a", "c"]);
    assert_eq!(titles(&db, Event::at.month().is_in([2, 3])).await, ["a", "d"]);
}

#[kata::test]
async fn day_of_datetime_date_and_naive_datetime(db: Db) {
    events(&db).await;
    assert_eq!(titles(&db, Event::at.day().eq(31)).await, ["b"]);
    assert_eq!(titles(&db, Event::day.day().eq(31)).await, ["b", "c"]);
    assert_eq!(titles(&db, Event::local.day().eq(1)).await, ["c"]);
    assert_eq!(titles(&db, Event::at.day().eq(29)).await, ["d"]);
    assert_eq!(titles(&db, Event::day.day().lte(5)).await, ["a"]);
}

#[kata::test]
async fn hour_of_datetime_naive_datetime_and_time(db: Db) {
    events(&db).await;
    assert_eq!(titles(&db, Event::at.hour().eq(23)).await, ["b"], "a UTC timestamp's hour is UTC");
    assert_eq!(titles(&db, Event::at.hour().eq(0)).await, ["c"]);
    assert_eq!(titles(&db, Event::at.hour().gte(10)).await, ["a", "b", "d"]);
    assert_eq!(titles(&db, Event::local.hour().eq(5)).await, ["c"]);
    assert_eq!(titles(&db, Event::time.hour().eq(0)).await, ["c"]);
    assert_eq!(titles(&db, Event::time.hour().range(10, 12)).await, ["a", "d"]);
}

#[kata::test]
async fn minute_of_datetime_naive_datetime_and_time(db: Db) {
    events(&db).await;
    assert_eq!(titles(&db, Event::at.minute().eq(59)).await, ["b"]);
    assert_eq!(titles(&db, Event::at.minute().eq(30)).await, ["d"]);
    assert_eq!(titles(&db, Event::local.minute().eq(7)).await, ["c"]);
    assert_eq!(titles(&db, Event::time.minute().eq(30)).await, ["d"]);
    assert_eq!(titles(&db, Event::time.minute().lt(30)).await, ["a", "c"]);
}

#[kata::test]
async fn second_is_the_whole_second_without_rounding(db: Db) {
    events(&db).await;
    assert_eq!(titles(&db, Event::at.second().eq(59)).await, ["b"], "59.999999 s is second 59");
    assert_eq!(titles(&db, Event::at.second().eq(45)).await, ["d"]);
    assert_eq!(titles(&db, Event::local.second().eq(59)).await, ["b"]);
    assert_eq!(titles(&db, Event::local.second().eq(9)).await, ["c"]);
    assert_eq!(titles(&db, Event::time.second().eq(59)).await, ["b"]);
    assert_eq!(titles(&db, Event::time.second().eq(0)).await, ["c"]);
    assert_eq!(titles(&db, Event::time.second().gt(30)).await, ["b", "d"]);
}

#[kata::test]
async fn comparisons_and_range_on_dates_and_times(db: Db) {
    events(&db).await;
    assert_eq!(titles(&db, Event::at.gt(utc(2024, 3, 5, 10, 20, 30, 0))).await, ["c"]);
    assert_eq!(titles(&db, Event::at.gte(utc(2024, 3, 5, 10, 20, 30, 0))).await, ["a", "c"]);
    assert_eq!(titles(&db, Event::at.lt(utc(2020, 2, 29, 12, 30, 45, 123_457))).await, ["d"]);
    assert_eq!(titles(&db, Event::at.eq(utc(2023, 12, 31, 23, 59, 59, 999_999))).await, ["b"]);
    assert_eq!(
        titles(&db, Event::at.range(utc(2023, 12, 31, 23, 59, 59, 999_999), utc(2024, 3, 5, 10, 20, 30, 0)))
            .await,
        ["a", "b"]
    );
    assert_eq!(titles(&db, Event::day.range(date(2024, 1, 31), date(2024, 3, 5))).await, ["a", "c"]);
    assert_eq!(titles(&db, Event::day.lt(date(2024, 1, 1))).await, ["b", "d"]);
    assert_eq!(titles(&db, Event::local.gt(local(2023, 12, 31, 23, 59, 59, 0))).await, ["a", "b", "c"]);
    assert_eq!(titles(&db, Event::time.lte(time(10, 20, 30, 0))).await, ["a", "c"]);
    assert_eq!(titles(&db, Event::time.gt(time(23, 59, 59, 0))).await, ["b"]);
    assert_eq!(titles(&db, Event::day.is_in([date(2020, 2, 29), date(2024, 1, 31)])).await, ["c", "d"]);
    assert_eq!(
        titles(&db, Event::at.is_in([utc(2024, 12, 1, 0, 0, 0, 0), utc(2024, 12, 1, 0, 0, 1, 0)])).await,
        ["c"]
    );
    assert_eq!(titles(&db, Event::local.is_in([local(2024, 3, 5, 10, 20, 30, 0)])).await, ["a"]);
    assert_eq!(titles(&db, Event::time.is_in([time(12, 30, 45, 0), time(0, 0, 0, 0)])).await, ["c", "d"]);
}

/// Dates and times that the database fills in (`default = now`).
#[derive(Model, Debug, Clone, PartialEq)]
struct Stamp {
    #[kata(primary_key, auto)]
    id: i64,
    name: String,
    #[kata(default = now)]
    at: DateTime<Utc>,
    #[kata(default = now)]
    day: NaiveDate,
    #[kata(default = now)]
    local: NaiveDateTime,
}

#[kata::test]
async fn dates_from_the_database_default_compare_with_bound_values(db: Db) {
    db.create_tables(&[Stamp::meta()]).await.unwrap();
    let before = Utc::now() - chrono::Duration::hours(1);
    let made = Stamp::objects().acreate(&db, [Stamp::name.set("now")]).await.unwrap();
    let after = Utc::now() + chrono::Duration::hours(1);
    assert!(before < made.at && made.at < after, "{} is now", made.at);
    assert!(before.naive_utc() < made.local && made.local < after.naive_utc(), "{} is now", made.local);
    assert!(made.day == before.date_naive() || made.day == after.date_naive(), "{} is today", made.day);
    let count = async |q: Q<Stamp>| Stamp::objects().filter(q).acount(&db).await.unwrap();
    assert_eq!(count(Stamp::at.gt(before)).await, 1);
    assert_eq!(count(Stamp::at.lt(after)).await, 1);
    assert_eq!(count(Stamp::at.lt(before)).await, 0);
    assert_eq!(count(Stamp::at.range(before, after)).await, 1);
    assert_eq!(count(Stamp::at.eq(made.at)).await, 1, "equal to itself, read back");
    assert_eq!(count(Stamp::at.year().eq(i64::from(made.at.year()))).await, 1);
    assert_eq!(count(Stamp::local.gt(before.naive_utc())).await, 1);
    assert_eq!(count(Stamp::local.lt(after.naive_utc())).await, 1);
    assert_eq!(count(Stamp::local.eq(made.local)).await, 1);
    assert_eq!(count(Stamp::day.eq(made.day)).await, 1);
    assert_eq!(count(Stamp::day.gt(made.day)).await, 0);
    assert_eq!(count(Stamp::day.day().eq(i64::from(made.day.day()))).await, 1);
}

#[kata::test]
async fn exact_does_not_ignore_trailing_spaces(db: Db) {
    items(&db, &["pad", "pad ", " pad", "PAD  "]).await;
    assert_eq!(names(&db, Item::name.eq("pad")).await, ["pad"]);
    assert_eq!(names(&db, Item::name.eq("pad ")).await, ["pad "]);
    assert_eq!(names(&db, Item::name.iexact("pad")).await, ["pad"]);
    assert_eq!(names(&db, Item::name.iexact("pad  ")).await, ["PAD  "]);
    assert_eq!(names(&db, Item::name.is_in(["pad"])).await, ["pad"]);
    assert_eq!(names(&db, Item::name.ne("pad")).await, ["pad ", " pad", "PAD  "]);
}

#[kata::test]
async fn lookups_work_on_expressions(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = vec![
        Item { cost: 1.0, ..item("cheap", 2.0, 5, None) },
        Item { cost: 4.0, ..item("dear", 10.0, 1, None) },
        Item { cost: 9.0, ..item("loss", 8.0, 3, None) },
    ];
    Item::objects().abulk_create(&db, rows).await.unwrap();
    assert_eq!(names(&db, (F(Item::price) - F(Item::cost)).gt(0.0)).await, ["cheap", "dear"]);
    assert_eq!(names(&db, (F(Item::price) - F(Item::cost)).range(1.0, 6.0)).await, ["cheap", "dear"]);
    assert_eq!(names(&db, (F(Item::quantity) * 2).is_in([10, 6])).await, ["cheap", "loss"]);
    assert_eq!(names(&db, (F(Item::price) * 2.0).eq(F(Item::cost) * 4.0)).await, ["cheap"]);
}
