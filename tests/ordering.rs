//! Ordering, slicing (`offset`/`limit` pages), `distinct`, `values_list` tuples, `only`,
//! and `afirst`/`alast`.

mod common;

use common::Item;
use kata::prelude::*;

fn item(name: &str, price: f64, quantity: i32, rank: i16) -> Item {
    Item {
        id: 0,
        name: name.into(),
        price,
        cost: price / 2.0,
        quantity,
        rank,
        weight: 0.0,
        note: None,
        data: None,
        extra: None,
    }
}

/// Inserts the rows one statement each, in order, so ids follow the slice.
async fn insert(db: &Db, rows: Vec<Item>) {
    db.create_tables(&common::all_tables()).await.unwrap();
    Item::objects().abulk_create(db, rows).await.unwrap();
}

/// (name, price, quantity, rank): quantity has ties, rank breaks some of them.
async fn ties(db: &Db) {
    insert(
        db,
        vec![
            item("e", 5.0, 2, 1),
            item("b", 2.0, 1, 2),
            item("d", 4.0, 2, 3),
            item("a", 1.0, 3, 1),
            item("c", 3.0, 1, 1),
            item("f", 6.0, 2, 3),
        ],
    )
    .await;
}

async fn names(db: &Db, qs: QuerySet<Item>) -> Vec<String> {
    qs.values_list(Item::name).alist(db).await.unwrap()
}

async fn model_names(db: &Db, qs: QuerySet<Item>) -> Vec<String> {
    qs.alist(db).await.unwrap().into_iter().map(|i| i.name).collect()
}

#[kata::test]
async fn order_by_one_key_ascending_and_descending(db: Db) {
    ties(&db).await;
    assert_eq!(
        model_names(&db, Item::objects().order_by([Item::name.asc()])).await,
        ["a", "b", "c", "d", "e", "f"]
    );
    assert_eq!(
        model_names(&db, Item::objects().order_by([Item::name.desc()])).await,
        ["f", "e", "d", "c", "b", "a"]
    );
    assert_eq!(
        names(&db, Item::objects().order_by([Item::price.desc()])).await,
        ["f", "e", "d", "c", "b", "a"]
    );
    assert_eq!(names(&db, Item::objects().order_by([Item::id.asc()])).await, ["e", "b", "d", "a", "c", "f"]);
    assert_eq!(names(&db, Item::objects().order_by([Item::id.desc()])).await, ["f", "c", "a", "d", "b", "e"]);
    // A later order_by replaces the earlier one.
    let qs = Item::objects().order_by([Item::name.desc()]).order_by([Item::price.asc()]);
    assert_eq!(names(&db, qs).await, ["a", "b", "c", "d", "e", "f"]);
}

#[kata::test]
async fn ties_are_broken_by_the_next_key(db: Db) {
    ties(&db).await;
    let qs = Item::objects().order_by([Item::quantity.asc(), Item::name.asc()]);
    assert_eq!(names(&db, qs).await, ["b", "c", "d", "e", "f", "a"]);
    let qs = Item::objects().order_by([Item::quantity.asc(), Item::name.desc()]);
    assert_eq!(names(&db, qs).await, ["c", "b", "f", "e", "d", "a"]);
    let qs = Item::objects().order_by([Item::quantity.desc(), Item::price.asc()]);
    assert_eq!(names(&db, qs).await, ["a", "d", "e", "f", "b", "c"]);
    // Three keys: quantity, then rank descending, then name.
    let qs = Item::objects().order_by([Item::quantity.asc(), Item::rank.desc(), Item::name.asc()]);
    assert_eq!(names(&db, qs).await, ["b", "c", "d", "f", "e", "a"]);
    let qs = Item::objects().order_by([Item::rank.asc(), Item::quantity.desc(), Item::id.desc()]);
    assert_eq!(names(&db, qs).await, ["a", "e", "c", "b", "f", "d"]);
}

#[kata::test]
async fn order_by_an_expression(db: Db) {
    ties(&db).await;
    // price - cost = price / 2; descending by it is descending by price.
    let qs = Item::objects().order_by([(F(Item::price) - F(Item::cost)).desc()]);
    assert_eq!(names(&db, qs).await, ["f", "e", "d", "c", "b", "a"]);
    // -quantity ascending is quantity descending; price breaks the ties.
    let qs = Item::objects().order_by([(F(Item::quantity) * -1).asc(), Item::price.asc()]);
    assert_eq!(names(&db, qs).await, ["a", "d", "e", "f", "b", "c"]);
}

#[kata::test]
async fn reverse_flips_every_key(db: Db) {
    ties(&db).await;
    let qs = Item::objects().order_by([Item::quantity.asc(), Item::name.asc()]).reverse();
    assert_eq!(names(&db, qs).await, ["a", "f", "e", "d", "c", "b"]);
    let qs = Item::objects().order_by([Item::quantity.asc(), Item::name.desc()]).reverse();
    assert_eq!(names(&db, qs).await, ["a", "d", "e", "f", "b", "c"]);
    // reverse twice is the original order.
    let qs = Item::objects().order_by([Item::price.asc()]).reverse().reverse();
    assert_eq!(names(&db, qs).await, ["a", "b", "c", "d", "e", "f"]);
    // Without an ordering, reverse() orders by primary key, descending.
    assert_eq!(names(&db, Item::objects().reverse()).await, ["f", "c", "a", "d", "b", "e"]);
    // OrderBy::reversed flips one key.
    let qs = Item::objects().order_by([Item::quantity.asc().reversed(), Item::name.asc()]);
    assert_eq!(names(&db, qs).await, ["a", "d", "e", "f", "b", "c"]);
}

/// 25 rows, r01..r25, in id order.
async fn twenty_five(db: &Db) {
    let rows = (1..=25).map(|i| item(&format!("r{i:02}"), f64::from(i), i, 0)).collect();
    insert(db, rows).await;
}

fn expected(range: std::ops::RangeInclusive<i32>) -> Vec<String> {
    range.map(|i| format!("r{i:02}")).collect()
}

/// The tutorial's v2 pagination: `page` from 1, `size` rows per page.
fn page(page: u64, size: u64) -> QuerySet<Item> {
    Item::objects().order_by([Item::id.asc()]).offset((page - 1) * size).limit(size)
}

#[kata::test]
async fn offset_and_limit_give_pages(db: Db) {
    twenty_five(&db).await;
    assert_eq!(model_names(&db, page(1, 10)).await, expected(1..=10));
    assert_eq!(model_names(&db, page(2, 10)).await, expected(11..=20));
    assert_eq!(model_names(&db, page(3, 10)).await, expected(21..=25));
    assert_eq!(model_names(&db, page(4, 10)).await, Vec::<String>::new());
    assert_eq!(names(&db, page(2, 10)).await, expected(11..=20));
    assert_eq!(page(2, 10).acount(&db).await.unwrap(), 10);
    assert_eq!(page(3, 10).acount(&db).await.unwrap(), 5);
    assert_eq!(page(5, 5).acount(&db).await.unwrap(), 5);
    assert_eq!(page(6, 5).acount(&db).await.unwrap(), 0);
    assert_eq!(Item::objects().acount(&db).await.unwrap(), 25);
}

#[kata::test]
async fn offset_alone_skips_and_limit_alone_caps(db: Db) {
    twenty_five(&db).await;
    let ordered = Item::objects().order_by([Item::id.asc()]);
    assert_eq!(names(&db, ordered.clone().offset(20)).await, expected(21..=25));
    assert_eq!(names(&db, ordered.clone().limit(3)).await, expected(1..=3));
    assert_eq!(names(&db, ordered.clone().limit(0)).await, Vec::<String>::new());
    assert_eq!(names(&db, ordered.clone().limit(100)).await.len(), 25);
    assert_eq!(names(&db, ordered.clone().offset(25)).await, Vec::<String>::new());
    assert_eq!(names(&db, ordered.clone().offset(0).limit(2)).await, expected(1..=2));
    // Pages apply after filtering and ordering.
    let evens = Item::objects().filter(Item::quantity.gt(10)).order_by([Item::quantity.desc()]);
    assert_eq!(names(&db, evens.clone().offset(2).limit(3)).await, ["r23", "r22", "r21"]);
    assert_eq!(names(&db, evens.reverse().offset(2).limit(3)).await, ["r13", "r14", "r15"]);
    assert_eq!(ordered.clone().offset(20).acount(&db).await.unwrap(), 5);
    // The first row of a slice is the slice's first row; the last of a slice is refused,
    // as in Django, since reversing the order would pick other rows.
    let first = ordered.clone().offset(12).afirst(&db).await.unwrap().map(|i| i.name);
    assert_eq!(first.as_deref(), Some("r13"));
    let last = ordered.offset(2).limit(3).alast(&db).await;
    assert!(matches!(last, Err(kata::Error::InvalidQuery(_))), "{last:?}");
}

#[kata::test]
async fn distinct_values_list_drops_duplicates(db: Db) {
    ties(&db).await;
    let quantities = Item::objects().order_by([Item::quantity.asc()]).distinct().values_list(Item::quantity);
    assert_eq!(quantities.alist(&db).await.unwrap(), [1, 2, 3]);
    let pairs = Item::objects()
        .order_by([Item::quantity.desc(), Item::rank.asc()])
        .distinct()
        .values_list((Item::quantity, Item::rank));
    assert_eq!(pairs.alist(&db).await.unwrap(), [(3, 1), (2, 1), (2, 3), (1, 1), (1, 2)]);
    let filtered = Item::objects()
        .filter(Item::quantity.lt(3))
        .order_by([Item::rank.asc()])
        .distinct()
        .values_list(Item::rank);
    assert_eq!(filtered.alist(&db).await.unwrap(), [1, 2, 3]);
    // Without distinct the duplicates are there.
    let all = Item::objects().order_by([Item::quantity.asc()]).values_list(Item::quantity);
    assert_eq!(all.alist(&db).await.unwrap(), [1, 1, 2, 2, 2, 3]);
    // Distinct then a page.
    let paged = Item::objects().order_by([Item::quantity.asc()]).distinct().offset(1).limit(1);
    assert_eq!(paged.values_list(Item::quantity).alist(&db).await.unwrap(), [2]);
    assert_eq!(Item::objects().distinct().acount(&db).await.unwrap(), 6);
}

#[kata::test]
async fn values_list_returns_typed_tuples(db: Db) {
    ties(&db).await;
    let qs = Item::objects().filter(Item::quantity.eq(2)).order_by([Item::id.asc()]);
    let bare: Vec<String> = qs.clone().values_list(Item::name).alist(&db).await.unwrap();
    assert_eq!(bare, ["e", "d", "f"]);
    let one: Vec<(String,)> = qs.clone().values_list((Item::name,)).alist(&db).await.unwrap();
    assert_eq!(one, [("e".to_owned(),), ("d".to_owned(),), ("f".to_owned(),)]);
    let two: Vec<(String, f64)> = qs.clone().values_list((Item::name, Item::price)).alist(&db).await.unwrap();
    assert_eq!(two, [("e".to_owned(), 5.0), ("d".to_owned(), 4.0), ("f".to_owned(), 6.0)]);
    let three: Vec<(i16, String, i32)> =
        qs.clone().values_list((Item::rank, Item::name, Item::quantity)).alist(&db).await.unwrap();
    assert_eq!(three, [(1, "e".to_owned(), 2), (3, "d".to_owned(), 2), (3, "f".to_owned(), 2)]);
    // Expressions and nullable columns select too.
    let computed: Vec<(String, f64, Option<String>)> =
        qs.values_list((Item::name, F(Item::price) - F(Item::cost), Item::note)).alist(&db).await.unwrap();
    assert_eq!(
        computed,
        [("e".to_owned(), 2.5, None), ("d".to_owned(), 2.0, None), ("f".to_owned(), 3.0, None)]
    );
    // The primary key, with ids read from the models.
    let ids: Vec<i64> =
        Item::objects().order_by([Item::id.asc()]).values_list(Item::id).alist(&db).await.unwrap();
    let model_ids: Vec<i64> =
        Item::objects().order_by([Item::id.asc()]).alist(&db).await.unwrap().iter().map(|i| i.id).collect();
    assert_eq!(ids, model_ids);
    assert_eq!(ids.len(), 6);
}

#[kata::test]
async fn only_loads_just_the_named_fields(db: Db) {
    ties(&db).await;
    let rows = Item::objects().order_by([Item::price.desc()]).limit(2).only((Item::name, Item::rank));
    assert_eq!(rows.alist(&db).await.unwrap(), [("f".to_owned(), 3), ("e".to_owned(), 1)]);
    let first = Item::objects().order_by([Item::name.asc()]).only((Item::name, Item::quantity)).afirst(&db);
    assert_eq!(first.await.unwrap(), Some(("a".to_owned(), 3)));
    let none = Item::objects().filter(Item::name.eq("zz")).only((Item::name,)).afirst(&db).await.unwrap();
    assert_eq!(none, None);
}

#[kata::test]
async fn afirst_and_alast_follow_the_ordering(db: Db) {
    ties(&db).await;
    let by_name = Item::objects().order_by([Item::name.asc()]);
    assert_eq!(by_name.clone().afirst(&db).await.unwrap().map(|i| i.name), Some("a".into()));
    assert_eq!(by_name.clone().alast(&db).await.unwrap().map(|i| i.name), Some("f".into()));
    let two_keys = Item::objects().order_by([Item::quantity.asc(), Item::name.desc()]);
    assert_eq!(two_keys.clone().afirst(&db).await.unwrap().map(|i| i.name), Some("c".into()));
    assert_eq!(two_keys.alast(&db).await.unwrap().map(|i| i.name), Some("a".into()));
    let filtered = Item::objects().filter(Item::quantity.eq(2)).order_by([Item::price.desc()]);
    assert_eq!(filtered.clone().afirst(&db).await.unwrap().map(|i| i.name), Some("f".into()));
    assert_eq!(filtered.alast(&db).await.unwrap().map(|i| i.name), Some("d".into()));
    // The whole row comes back.
    let first = by_name.afirst(&db).await.unwrap().unwrap();
    assert_eq!((first.price, first.cost, first.quantity, first.rank), (1.0, 0.5, 3, 1));
}

#[kata::test]
async fn afirst_and_alast_without_ordering_use_the_primary_key(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    // Insert with explicit keys out of order, so that storage order is not key order.
    for (id, name) in [(30_i64, "thirty"), (10, "ten"), (20, "twenty")] {
        Item::objects()
            .acreate(
                &db,
                [
                    Item::id.set(id),
                    Item::name.set(name),
                    Item::price.set(0.0),
                    Item::cost.set(0.0),
                    Item::quantity.set(0),
                    Item::rank.set(0),
                    Item::weight.set(0.0),
                ],
            )
            .await
            .unwrap();
    }
    let first = Item::objects().afirst(&db).await.unwrap().unwrap();
    assert_eq!((first.id, first.name.as_str()), (10, "ten"));
    let last = Item::objects().alast(&db).await.unwrap().unwrap();
    assert_eq!((last.id, last.name.as_str()), (30, "thirty"));
    let filtered = Item::objects().filter(Item::id.gt(10)).afirst(&db).await.unwrap().unwrap();
    assert_eq!(filtered.name, "twenty");
    let first_name = Item::objects().values_list(Item::name).afirst(&db).await.unwrap();
    assert_eq!(first_name.as_deref(), Some("ten"));
    let distinct = Item::objects().distinct().values_list(Item::quantity).afirst(&db).await.unwrap();
    assert_eq!(distinct, Some(0));
    assert_eq!(Item::objects().filter(Item::id.gt(30)).afirst(&db).await.unwrap(), None);
    assert_eq!(Item::objects().filter(Item::id.gt(30)).alast(&db).await.unwrap(), None);
}

#[kata::test]
async fn earliest_and_latest_pick_by_field(db: Db) {
    ties(&db).await;
    assert_eq!(Item::objects().aearliest(&db, Item::price).await.unwrap().name, "a");
    assert_eq!(Item::objects().alatest(&db, Item::price).await.unwrap().name, "f");
    let two = Item::objects().filter(Item::quantity.eq(1));
    assert_eq!(two.clone().aearliest(&db, Item::price).await.unwrap().name, "b");
    assert_eq!(two.alatest(&db, Item::price).await.unwrap().name, "c");
    let none = Item::objects().filter(Item::quantity.gt(9)).aearliest(&db, Item::price).await;
    assert!(matches!(none, Err(kata::Error::DoesNotExist { .. })), "{none:?}");
}
