//! `Q` combinations (`&`, `|`, `!`, `^`, `Q::all`, `Q::none`), filter/exclude chaining, and
//! `F` expressions in filters and updates.

mod common;

use common::{Counter, Item};
use kata::prelude::*;

fn item(name: &str, quantity: i32, note: Option<&str>) -> Item {
    Item {
        id: 0,
        name: name.into(),
        price: 0.0,
        cost: 0.0,
        quantity,
        rank: 0,
        weight: 0.0,
        note: note.map(Into::into),
        data: None,
        extra: None,
    }
}

/// a(1, "x"), b(2, NULL), c(3, "y"), d(4, "x"), e(5, NULL)
async fn five(db: &Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = vec![
        item("a", 1, Some("x")),
        item("b", 2, None),
        item("c", 3, Some("y")),
        item("d", 4, Some("x")),
        item("e", 5, None),
    ];
    Item::objects().abulk_create(db, rows).await.unwrap();
}

async fn names(db: &Db, qs: QuerySet<Item>) -> Vec<String> {
    qs.order_by([Item::id.asc()]).values_list(Item::name).alist(db).await.unwrap()
}

async fn matching(db: &Db, q: Q<Item>) -> Vec<String> {
    names(db, Item::objects().filter(q)).await
}

#[kata::test]
async fn and_keeps_rows_meeting_every_condition(db: Db) {
    five(&db).await;
    assert_eq!(matching(&db, Item::quantity.gt(1) & Item::note.eq("x")).await, ["d"]);
    assert_eq!(
        matching(&db, Item::quantity.gte(2) & Item::quantity.lte(4) & Item::note.isnull(false)).await,
        ["c", "d"]
    );
    assert_eq!(matching(&db, Item::name.eq("a") & Item::name.eq("b")).await, Vec::<String>::new());
    // Chained filters are ANDed.
    let chained = Item::objects().filter(Item::quantity.gt(1)).filter(Item::note.eq("x"));
    assert_eq!(names(&db, chained).await, ["d"]);
}

#[kata::test]
async fn or_keeps_rows_meeting_any_condition(db: Db) {
    five(&db).await;
    assert_eq!(matching(&db, Item::name.eq("a") | Item::name.eq("e")).await, ["a", "e"]);
    assert_eq!(matching(&db, Item::note.eq("y") | Item::note.isnull(true)).await, ["b", "c", "e"]);
    assert_eq!(
        matching(&db, Item::quantity.lt(2) | Item::quantity.gt(4) | Item::name.eq("c")).await,
        ["a", "c", "e"]
    );
}

#[kata::test]
async fn and_binds_tighter_than_or_and_parentheses_group(db: Db) {
    five(&db).await;
    // a | (b & note = x): b's note is NULL, so only a.
    assert_eq!(matching(&db, Item::name.eq("a") | (Item::name.eq("b") & Item::note.eq("x"))).await, ["a"]);
    // (a | b) & note IS NULL: only b.
    assert_eq!(
        matching(&db, (Item::name.eq("a") | Item::name.eq("b")) & Item::note.isnull(true)).await,
        ["b"]
    );
    // (q < 3 | q > 4) & (note = x | note IS NULL)
    let q = (Item::quantity.lt(3) | Item::quantity.gt(4)) & (Item::note.eq("x") | Item::note.isnull(true));
    assert_eq!(matching(&db, q).await, ["a", "b", "e"]);
}

#[kata::test]
async fn not_negates_a_condition(db: Db) {
    five(&db).await;
    assert_eq!(matching(&db, !Item::quantity.gt(2)).await, ["a", "b"]);
    assert_eq!(matching(&db, !(Item::name.eq("a") | Item::name.eq("b"))).await, ["c", "d", "e"]);
    assert_eq!(matching(&db, !(Item::quantity.gt(1) & Item::quantity.lt(5))).await, ["a", "e"]);
    assert_eq!(matching(&db, !!Item::quantity.gt(2)).await, ["c", "d", "e"]);
}

#[kata::test]
async fn not_over_a_nullable_column_keeps_the_null_rows(db: Db) {
    five(&db).await;
    // Django: exclude(note="x") keeps the rows whose note is NULL.
    assert_eq!(names(&db, Item::objects().exclude(Item::note.eq("x"))).await, ["b", "c", "e"]);
    assert_eq!(matching(&db, !Item::note.eq("x")).await, ["b", "c", "e"]);
    assert_eq!(matching(&db, !Item::note.contains("y")).await, ["a", "b", "d", "e"]);
    assert_eq!(matching(&db, !Item::note.is_in(["x", "y"])).await, ["b", "e"]);
    // NOT of an OR over a NULL: b (NULL, 2) has `note = x OR quantity > 3` unknown -> kept;
    // e (NULL, 5) has it true -> dropped.
    assert_eq!(matching(&db, !(Item::note.eq("x") | Item::quantity.gt(3))).await, ["b", "c"]);
    // NOT of an AND over a NULL: unknown AND true -> unknown -> kept.
    assert_eq!(matching(&db, !(Item::note.eq("y") & Item::quantity.gt(1))).await, ["a", "b", "d", "e"]);
    // A negation inside an AND still keeps NULLs.
    assert_eq!(matching(&db, Item::quantity.gt(1) & !Item::note.eq("x")).await, ["b", "c", "e"]);
    // `ne` is SQL's `<>`: unlike `exclude(eq)`, it does not match NULL.
    assert_eq!(matching(&db, Item::note.ne("x")).await, ["c"]);
    // Double negation is the condition itself: NULLs do not match `note = x`.
    assert_eq!(matching(&db, !!Item::note.eq("x")).await, ["a", "d"]);
    assert_eq!(names(&db, Item::objects().exclude(!Item::note.eq("x"))).await, ["a", "d"]);
}

#[kata::test]
async fn xor_is_true_for_an_odd_number_of_true_operands(db: Db) {
    five(&db).await;
    // Two operands: q <= 3 xor note = x -> a (T,T) no, b (T,NULL) yes, c (T,F) yes, d (F,T) yes, e (F,NULL) no.
    assert_eq!(matching(&db, Item::quantity.lte(3) ^ Item::note.eq("x")).await, ["b", "c", "d"]);
    // Three operands: exactly one or all three true.
    // q >= 2 | q <= 4 | note = x:
    //   a: F T T -> 2 -> no;  b: T T NULL -> 2 -> no;  c: T T F -> 2 -> no;
    //   d: T T T -> 3 -> yes; e: T F NULL -> 1 -> yes.
    let three = Item::quantity.gte(2) ^ Item::quantity.lte(4) ^ Item::note.eq("x");
    assert_eq!(matching(&db, three).await, ["d", "e"]);
    // Each operand alone: exactly one of name = a, name = b, name = c per row.
    let one_each = Item::name.eq("a") ^ Item::name.eq("b") ^ Item::name.eq("c");
    assert_eq!(matching(&db, one_each).await, ["a", "b", "c"]);
    // Excluding an XOR keeps the even rows.
    assert_eq!(
        names(&db, Item::objects().exclude(Item::quantity.lte(3) ^ Item::note.eq("x"))).await,
        ["a", "e"]
    );
    // XOR with itself is never true.
    assert_eq!(matching(&db, Item::quantity.gt(2) ^ Item::quantity.gt(2)).await, Vec::<String>::new());
}

#[kata::test]
async fn q_all_and_q_none_are_the_identities(db: Db) {
    five(&db).await;
    let all = ["a", "b", "c", "d", "e"];
    assert_eq!(matching(&db, Q::all()).await, all);
    assert_eq!(matching(&db, Q::none()).await, Vec::<String>::new());
    assert_eq!(names(&db, Item::objects().exclude(Q::all())).await, Vec::<String>::new());
    assert_eq!(names(&db, Item::objects().exclude(Q::none())).await, all);
    assert_eq!(matching(&db, Q::all() & Item::name.eq("c")).await, ["c"]);
    assert_eq!(matching(&db, Item::name.eq("c") & Q::all()).await, ["c"]);
    assert_eq!(matching(&db, Q::none() | Item::name.eq("c")).await, ["c"]);
    assert_eq!(matching(&db, Q::all() | Item::name.eq("c")).await, all);
    assert_eq!(matching(&db, Q::none() & Item::name.eq("c")).await, Vec::<String>::new());
    assert_eq!(matching(&db, !Q::none()).await, all);
    assert_eq!(matching(&db, !Q::all()).await, Vec::<String>::new());
    assert_eq!(matching(&db, Q::none() ^ Item::name.eq("c")).await, ["c"]);
    assert_eq!(matching(&db, Q::all() ^ Item::name.eq("c")).await, ["a", "b", "d", "e"]);
    // Folding a list of conditions starts from the identity.
    let any_of = ["b", "d"].into_iter().fold(Q::none(), |q, n| q | Item::name.eq(n));
    assert_eq!(matching(&db, any_of).await, ["b", "d"]);
    let any_of_nothing = std::iter::empty::<&str>().fold(Q::none(), |q, n| q | Item::name.eq(n));
    assert_eq!(matching(&db, any_of_nothing).await, Vec::<String>::new());
    let all_of = ["x"].into_iter().fold(Q::all(), |q, n| q & Item::note.eq(n)) & Item::quantity.gt(1);
    assert_eq!(matching(&db, all_of).await, ["d"]);
    let all_of_nothing = std::iter::empty::<&str>().fold(Q::all(), |q, n| q & Item::name.eq(n));
    assert_eq!(matching(&db, all_of_nothing).await, all);
}

#[kata::test]
async fn filter_then_exclude_chains_narrow_the_rows(db: Db) {
    five(&db).await;
    let qs = Item::objects().filter(Item::quantity.gte(2)).exclude(Item::note.eq("x"));
    assert_eq!(names(&db, qs.clone()).await, ["b", "c", "e"]);
    let qs = qs.exclude(Item::note.isnull(true));
    assert_eq!(names(&db, qs.clone()).await, ["c"]);
    let qs = qs.filter(Item::name.eq("d"));
    assert_eq!(names(&db, qs).await, Vec::<String>::new());
    let qs =
        Item::objects().exclude(Item::name.eq("a")).exclude(Item::name.eq("e")).filter(Item::quantity.lt(4));
    assert_eq!(names(&db, qs).await, ["b", "c"]);
    // exclude(a, b) is NOT (a AND b), not (NOT a) AND (NOT b).
    let qs = Item::objects().exclude(Item::note.eq("x") & Item::quantity.gt(1));
    assert_eq!(names(&db, qs).await, ["a", "b", "c", "e"]);
}

fn priced(name: &str, price: f64, cost: f64, quantity: i32) -> Item {
    Item { price, cost, ..item(name, quantity, None) }
}

#[kata::test]
async fn f_compares_columns_of_the_same_row(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = vec![
        priced("double", 10.0, 5.0, 1),
        priced("triple", 15.0, 5.0, 2),
        priced("just over", 10.5, 5.0, 3),
        priced("loss", 4.0, 5.0, 4),
    ];
    Item::objects().abulk_create(&db, rows).await.unwrap();
    assert_eq!(matching(&db, Item::price.gt(F(Item::cost) * 2.0)).await, ["triple", "just over"]);
    assert_eq!(matching(&db, Item::price.gte(F(Item::cost) * 2.0)).await, ["double", "triple", "just over"]);
    assert_eq!(matching(&db, Item::price.lt(F(Item::cost))).await, ["loss"]);
    assert_eq!(matching(&db, Item::price.eq(F(Item::cost) + 5.0)).await, ["double"]);
    assert_eq!(matching(&db, Item::cost.eq(F(Item::price) / 3.0)).await, ["triple"]);
    assert_eq!(matching(&db, Item::cost.gt(F(Item::price) - 5.5)).await, ["double", "loss"]);
    assert_eq!(matching(&db, (F(Item::price) - F(Item::cost)).gte(5.5)).await, ["triple", "just over"]);
    assert_eq!(matching(&db, Item::quantity.gt(F(Item::quantity))).await, Vec::<String>::new());
    assert_eq!(
        names(&db, Item::objects().exclude(Item::price.gt(F(Item::cost) * 2.0))).await,
        ["double", "loss"]
    );
}

async fn counters(db: &Db, values: &[(&str, i64)]) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = values.iter().map(|(name, n)| Counter { id: 0, name: (*name).into(), n: *n }).collect();
    Counter::objects().abulk_create(db, rows).await.unwrap();
}

async fn counts(db: &Db) -> Vec<(String, i64)> {
    Counter::objects()
        .order_by([Counter::id.asc()])
        .values_list((Counter::name, Counter::n))
        .alist(db)
        .await
        .unwrap()
}

fn pairs(values: &[(&str, i64)]) -> Vec<(String, i64)> {
    values.iter().map(|(name, n)| ((*name).to_owned(), *n)).collect()
}

#[kata::test]
async fn f_increments_in_an_update_read_back(db: Db) {
    counters(&db, &[("a", 0), ("b", 10), ("c", -3)]).await;
    let n = Counter::objects().aupdate(&db, [Counter::n.set(F(Counter::n) + 1)]).await.unwrap();
    assert_eq!(n, 3);
    assert_eq!(counts(&db).await, pairs(&[("a", 1), ("b", 11), ("c", -2)]));
    let n = Counter::objects()
        .filter(Counter::name.eq("b"))
        .aupdate(&db, [Counter::n.set(F(Counter::n) + 1)])
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(counts(&db).await, pairs(&[("a", 1), ("b", 12), ("c", -2)]));
    for _ in 0..5 {
        Counter::objects()
            .filter(Counter::name.eq("a"))
            .aupdate(&db, Counter::n.set(F(Counter::n) + 2))
            .await
            .unwrap();
    }
    assert_eq!(counts(&db).await, pairs(&[("a", 11), ("b", 12), ("c", -2)]));
}

#[kata::test]
async fn f_multiplies_and_subtracts_in_an_update(db: Db) {
    counters(&db, &[("a", 2), ("b", 5), ("c", -4)]).await;
    Counter::objects().aupdate(&db, [Counter::n.set(F(Counter::n) * 3)]).await.unwrap();
    assert_eq!(counts(&db).await, pairs(&[("a", 6), ("b", 15), ("c", -12)]));
    Counter::objects()
        .filter(Counter::n.gt(0))
        .aupdate(&db, [Counter::n.set(F(Counter::n) - 7)])
        .await
        .unwrap();
    assert_eq!(counts(&db).await, pairs(&[("a", -1), ("b", 8), ("c", -12)]));
    // Precedence follows the Rust expression: (n * 2) - 1, then n - (n * 2) = -n.
    Counter::objects().aupdate(&db, [Counter::n.set(F(Counter::n) * 2 - 1)]).await.unwrap();
    assert_eq!(counts(&db).await, pairs(&[("a", -3), ("b", 15), ("c", -25)]));
    Counter::objects().aupdate(&db, [Counter::n.set(F(Counter::n) - F(Counter::n) * 2)]).await.unwrap();
    assert_eq!(counts(&db).await, pairs(&[("a", 3), ("b", -15), ("c", 25)]));
    // Values past the 32-bit range stay exact.
    Counter::objects().aupdate(&db, [Counter::n.set(F(Counter::n) * 1_000_000_000)]).await.unwrap();
    assert_eq!(
        counts(&db).await,
        pairs(&[("a", 3_000_000_000), ("b", -15_000_000_000), ("c", 25_000_000_000)])
    );
}

#[kata::test]
async fn f_integer_division_truncates_on_every_backend(db: Db) {
    counters(&db, &[("a", 7), ("b", 8), ("c", -7)]).await;
    Counter::objects().aupdate(&db, [Counter::n.set(F(Counter::n) / 2)]).await.unwrap();
    assert_eq!(counts(&db).await, pairs(&[("a", 3), ("b", 4), ("c", -3)]));
    assert_eq!(
        Counter::objects()
            .filter((F(Counter::n) / 2).eq(1))
            .values_list(Counter::name)
            .alist(&db)
            .await
            .unwrap(),
        ["a"]
    );
}

#[kata::test]
async fn f_updates_float_columns_from_other_columns(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let rows = vec![priced("a", 10.0, 4.0, 2), priced("b", 3.0, 1.5, 4)];
    Item::objects().abulk_create(&db, rows).await.unwrap();
    Item::objects()
        .aupdate(&db, [Item::price.set(F(Item::cost) * 2.5), Item::quantity.set(F(Item::quantity) - 1)])
        .await
        .unwrap();
    let rows = Item::objects()
        .order_by([Item::id.asc()])
        .values_list((Item::name, Item::price, Item::quantity))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(rows, [("a".to_owned(), 10.0, 1), ("b".to_owned(), 3.75, 3)]);
}

#[kata::test]
async fn f_update_of_an_ordered_slice_s_keys_touches_only_those_rows(db: Db) {
    counters(&db, &[("a", 5), ("b", 1), ("c", 3), ("d", 4), ("e", 2)]).await;
    // A slice itself cannot be updated (Django: "Cannot update a query once a slice has
    // been taken"); its keys can.
    let top_two = Counter::objects().order_by([Counter::n.desc()]).limit(2);
    assert!(matches!(
        top_two.aupdate(&db, [Counter::n.set(F(Counter::n) * 2)]).await,
        Err(kata::Error::InvalidQuery(_))
    ));
    let keys = top_two.values_list(Counter::id).alist(&db).await.unwrap();
    let doubled = Counter::objects().filter(Counter::id.is_in(keys));
    assert_eq!(doubled.aupdate(&db, [Counter::n.set(F(Counter::n) * 2)]).await.unwrap(), 2);
    assert_eq!(counts(&db).await, pairs(&[("a", 10), ("b", 1), ("c", 3), ("d", 8), ("e", 2)]));
    // Skip the smallest, then decrement the next two.
    let keys = Counter::objects().order_by([Counter::n.asc()]).offset(1).limit(2).values_list(Counter::id);
    let middle = Counter::objects().filter(Counter::id.is_in(keys.alist(&db).await.unwrap()));
    assert_eq!(middle.aupdate(&db, [Counter::n.set(F(Counter::n) - 1)]).await.unwrap(), 2);
    assert_eq!(counts(&db).await, pairs(&[("a", 10), ("b", 1), ("c", 2), ("d", 8), ("e", 1)]));
}
