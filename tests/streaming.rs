//! `aiterator`: streaming many rows in order with their values, on a pool and inside a
//! transaction.

mod common;

use std::pin::pin;

use common::Item;
use futures_util::TryStreamExt;
use kata::prelude::*;

const ROWS: usize = 50_000;

/// Row `i` of the big table: every column derived from `i`.
fn row(i: usize) -> Item {
    let n = i as i32;
    Item {
        id: 0,
        name: format!("item-{i:05}"),
        price: f64::from(n) * 0.5,
        cost: f64::from(n % 100),
        quantity: n,
        rank: (i % 7) as i16,
        weight: (i % 4) as f32 * 0.25,
        note: i.is_multiple_of(3).then(|| format!("note {i}")),
        data: i.is_multiple_of(5).then(|| vec![(i % 256) as u8, 0, 255]),
        extra: i.is_multiple_of(1000).then(|| serde_json::json!({ "i": i })),
    }
}

fn assert_row(got: &Item, i: usize) {
    let want = row(i);
    assert_eq!(
        (
            &got.name,
            got.price,
            got.cost,
            got.quantity,
            got.rank,
            got.weight,
            &got.note,
            &got.data,
            &got.extra
        ),
        (
            &want.name,
            want.price,
            want.cost,
            want.quantity,
            want.rank,
            want.weight,
            &want.note,
            &want.data,
            &want.extra
        ),
        "row {i}"
    );
}

#[kata::test]
async fn aiterator_streams_fifty_thousand_rows_in_order(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let created = Item::objects().abulk_create(&db, (0..ROWS).map(row).collect()).await.unwrap();
    assert_eq!(created.len(), ROWS);
    assert_eq!(Item::objects().acount(&db).await.unwrap(), ROWS as i64);

    let mut stream = pin!(Item::objects().order_by([Item::quantity.asc()]).aiterator(&db));
    let mut seen = 0;
    let mut last_id = 0;
    while let Some(item) = stream.try_next().await.unwrap() {
        assert_row(&item, seen);
        assert!(item.id > 0);
        if seen > 0 {
            assert!(item.id > last_id, "ids grow with insertion order");
        }
        last_id = item.id;
        seen += 1;
    }
    assert_eq!(seen, ROWS);

    // Descending, filtered: the same rows backwards.
    let mut stream = pin!(
        Item::objects().filter(Item::quantity.gte(49_990)).order_by([Item::quantity.desc()]).aiterator(&db)
    );
    let mut got = Vec::new();
    while let Some(item) = stream.try_next().await.unwrap() {
        got.push(item.quantity);
    }
    assert_eq!(got, (49_990..50_000).rev().collect::<Vec<i32>>());
}

#[kata::test]
async fn aiterator_over_values_list_yields_tuples(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    Item::objects().abulk_create(&db, (0..ROWS).map(row).collect()).await.unwrap();
    let query =
        Item::objects().order_by([Item::id.asc()]).values_list((Item::name, Item::quantity, Item::note));
    let mut stream = pin!(query.aiterator(&db));
    let mut seen = 0;
    while let Some((name, quantity, note)) = stream.try_next().await.unwrap() {
        let want = row(seen);
        assert_eq!((name, quantity, note), (want.name, want.quantity, want.note));
        seen += 1;
    }
    assert_eq!(seen, ROWS);
}

#[kata::test]
async fn aiterator_of_an_empty_query_yields_nothing(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let stream = Item::objects().aiterator(&db);
    let all: Vec<Item> = stream.try_collect().await.unwrap();
    assert!(all.is_empty());
    Item::objects().abulk_create(&db, (0..10).map(row).collect()).await.unwrap();
    let none: Vec<Item> = Item::objects().filter(Q::none()).aiterator(&db).try_collect().await.unwrap();
    assert!(none.is_empty());
}

#[kata::test]
async fn aiterator_respects_offset_and_limit(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    Item::objects().abulk_create(&db, (0..100).map(row).collect()).await.unwrap();
    let page: Vec<Item> = Item::objects()
        .order_by([Item::quantity.asc()])
        .offset(40)
        .limit(15)
        .aiterator(&db)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(page.len(), 15);
    for (k, item) in page.iter().enumerate() {
        assert_row(item, 40 + k);
    }
}

#[kata::test]
async fn aiterator_inside_a_transaction_sees_its_uncommitted_rows(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    Item::objects().abulk_create(&db, (0..5).map(row).collect()).await.unwrap();

    let tx = db.begin().await.unwrap();
    Item::objects().abulk_create(&tx, (5..ROWS).map(row).collect()).await.unwrap();
    {
        let mut stream = pin!(Item::objects().order_by([Item::quantity.asc()]).aiterator(&tx));
        let mut seen = 0;
        while let Some(item) = stream.try_next().await.unwrap() {
            assert_row(&item, seen);
            seen += 1;
        }
        assert_eq!(seen, ROWS);
    }
    // The transaction is usable after the stream ends.
    assert_eq!(Item::objects().acount(&tx).await.unwrap(), ROWS as i64);
    tx.rollback().await.unwrap();
    let after: Vec<Item> =
        Item::objects().order_by([Item::id.asc()]).aiterator(&db).try_collect().await.unwrap();
    assert_eq!(after.len(), 5, "the rolled-back rows are gone");
    for (i, item) in after.iter().enumerate() {
        assert_row(item, i);
    }
}

#[kata::test]
async fn a_stream_dropped_early_leaves_the_transaction_usable(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let tx = db.begin().await.unwrap();
    Item::objects().abulk_create(&tx, (0..5_000).map(row).collect()).await.unwrap();
    {
        let mut stream = pin!(Item::objects().order_by([Item::quantity.asc()]).aiterator(&tx));
        for i in 0..10 {
            let item = stream.try_next().await.unwrap().unwrap();
            assert_row(&item, i);
        }
    }
    // The rest of the result was never read; the next statements still work.
    let n =
        Item::objects().filter(Item::quantity.lt(100)).aupdate(&tx, [Item::cost.set(-1.0)]).await.unwrap();
    assert_eq!(n, 100);
    {
        let query = Item::objects().filter(Item::cost.eq(-1.0)).order_by([Item::id.desc()]);
        let mut stream = pin!(query.aiterator(&tx));
        let first = stream.try_next().await.unwrap().unwrap();
        assert_eq!(first.quantity, 99);
    }
    tx.commit().await.unwrap();
    assert_eq!(Item::objects().acount(&db).await.unwrap(), 5_000);
    assert_eq!(Item::objects().filter(Item::cost.eq(-1.0)).acount(&db).await.unwrap(), 100);
}

#[kata::test]
async fn two_streams_interleaved_on_one_pool_each_yield_every_row(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    Item::objects().abulk_create(&db, (0..2_000).map(row).collect()).await.unwrap();
    let mut up = pin!(Item::objects().order_by([Item::quantity.asc()]).aiterator(&db));
    let mut down = pin!(Item::objects().order_by([Item::quantity.desc()]).aiterator(&db));
    for i in 0..2_000 {
        let a = up.try_next().await.unwrap().unwrap();
        let b = down.try_next().await.unwrap().unwrap();
        assert_row(&a, i);
        assert_row(&b, 1_999 - i);
    }
    assert!(up.try_next().await.unwrap().is_none());
    assert!(down.try_next().await.unwrap().is_none());
}
