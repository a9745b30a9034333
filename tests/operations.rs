//! Every terminal operation of `QuerySet` and of a model instance, against real databases.

mod common;

use std::collections::HashSet;

use chrono::{SubsecRound, Utc};
use common::{Counter, Item, OrderItem, User};
use futures_util::TryStreamExt;
use kata::prelude::*;
use kata::{Assignment, Error};

async fn setup(db: &Db) -> kata::Result<()> {
    db.create_tables(&common::all_tables()).await
}

fn item(name: &str, price: f64, quantity: i32) -> Item {
    Item {
        id: 0,
        name: name.into(),
        price,
        cost: price / 2.0,
        quantity,
        rank: 0,
        weight: 1.5,
        note: None,
        data: None,
        extra: None,
    }
}

/// A user whose `date_joined` has the microsecond precision every backend stores, so that
/// the instance `acreate` hands back equals the row read back.
fn user(name: &str) -> User {
    let mut u = User::new(name, &format!("{name}@example.com"));
    u.date_joined = u.date_joined.trunc_subsecs(6);
    u
}

/// ann, bob, cy (ids 1, 2, 3 in a fresh database).
async fn three_users(ex: &impl Executor) -> kata::Result<Vec<User>> {
    let mut out = Vec::new();
    for name in ["ann", "bob", "cy"] {
        out.push(User::objects().acreate(ex, user(name)).await?);
    }
    Ok(out)
}

/// pen 1.5 x10, ink 4.0 x3, pad 2.5 x7, cap 10.0 x1.
async fn four_items(ex: &impl Executor) -> kata::Result<Vec<Item>> {
    let mut out = Vec::new();
    for (name, price, quantity) in [("pen", 1.5, 10), ("ink", 4.0, 3), ("pad", 2.5, 7), ("cap", 10.0, 1)] {
        out.push(Item::objects().acreate(ex, item(name, price, quantity)).await?);
    }
    Ok(out)
}

/// Whether `abulk_create` reports the keys it inserted: on SQLite, PostgreSQL and MariaDB,
/// not on MySQL proper, which has no `INSERT ... RETURNING`.
async fn bulk_keys_reported(db: &Db) -> kata::Result<bool> {
    #[cfg(feature = "mysql")]
    if let Some(pool) = db.as_mysql() {
        let version: String = sqlx::query_scalar(sqlx::AssertSqlSafe("SELECT VERSION()"))
            .fetch_one(pool)
            .await
            .map_err(Error::from)?;
        return Ok(version.contains("MariaDB"));
    }
    let _ = db;
    Ok(true)
}

fn names<'a>(users: impl IntoIterator<Item = &'a User>) -> Vec<&'a str> {
    users.into_iter().map(|u| u.username.as_str()).collect()
}

#[kata::test]
async fn alist_returns_every_matching_row_in_the_requested_order(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    assert!(User::objects().alist(&db).await?.is_empty());
    three_users(&db).await?;
    let all = User::objects().order_by([User::username.desc()]).alist(&db).await?;
    assert_eq!(names(&all), ["cy", "bob", "ann"]);
    let some = User::objects().filter(User::username.ne("bob")).order_by([User::id.asc()]).alist(&db).await?;
    assert_eq!(names(&some), ["ann", "cy"]);
    let page = User::objects().order_by([User::id.asc()]).offset(1).limit(1).alist(&db).await?;
    assert_eq!(names(&page), ["bob"]);
    Ok(())
}

#[kata::test]
async fn aiterator_streams_every_matching_row(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    three_users(&db).await?;
    let streamed: Vec<User> = User::objects()
        .exclude(User::username.eq("ann"))
        .order_by([User::id.asc()])
        .aiterator(&db)
        .try_collect()
        .await?;
    assert_eq!(names(&streamed), ["bob", "cy"]);
    let none: Vec<User> =
        User::objects().filter(User::username.eq("zed")).aiterator(&db).try_collect().await?;
    assert!(none.is_empty());
    Ok(())
}

#[kata::test]
async fn aget_returns_the_one_matching_row(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let users = three_users(&db).await?;
    let bob = User::objects().aget(&db, User::pk.eq(users[1].id)).await?;
    assert_eq!(bob, users[1]);
    let by_name = User::objects().filter(User::is_active.eq(true)).aget(&db, User::username.eq("cy")).await?;
    assert_eq!(by_name.id, users[2].id);
    Ok(())
}

#[kata::test]
async fn acreate_with_a_model_returns_the_database_assigned_key(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let ann = User::objects().acreate(&db, User::new("ann", "ann@example.com")).await?;
    let bob = User::objects().acreate(&db, User::new("bob", "bob@example.com")).await?;
    assert_eq!((ann.id, bob.id), (1, 2));
    let stored = User::objects().aget(&db, User::pk.eq(bob.id)).await?;
    assert_eq!(stored.username, "bob");
    assert_eq!(stored.email, "bob@example.com");
    Ok(())
}

#[kata::test]
async fn acreate_with_assignments_fills_in_the_database_defaults(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let before = Utc::now();
    let ann =
        User::objects().acreate(&db, [User::username.set("ann"), User::email.set("ann@example.com")]).await?;
    assert_eq!(ann.id, 1);
    assert_eq!((ann.first_name.as_str(), ann.last_name.as_str()), ("", ""));
    assert!(ann.is_active);
    assert_eq!(ann.last_login, None);
    // `default = now` is the database's clock, in UTC: the same instant as ours, give or take.
    assert!(
        (ann.date_joined - before).num_minutes().abs() < 5,
        "date_joined {} vs {before}",
        ann.date_joined
    );
    assert_eq!(User::objects().aget(&db, User::pk.eq(1)).await?, ann);
    let c = Counter::objects().acreate(&db, [Counter::name.set("hits")]).await?;
    assert_eq!((c.id, c.name.as_str(), c.n), (1, "hits", 0));
    Ok(())
}

#[kata::test]
async fn aget_or_create_creates_when_missing_and_gets_when_present(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let (made, created) = User::objects()
        .aget_or_create(
            &db,
            [User::username.set("ann")],
            [User::email.set("ann@example.com"), User::first_name.set("Ann")],
        )
        .await?;
    assert!(created);
    assert_eq!((made.id, made.username.as_str(), made.first_name.as_str()), (1, "ann", "Ann"));
    assert!(made.is_active, "columns in neither lookup nor defaults take the database default");

    let (found, created) = User::objects()
        .aget_or_create(
            &db,
            [User::username.set("ann")],
            [User::email.set("other@example.com"), User::first_name.set("X")],
        )
        .await?;
    assert!(!created);
    assert_eq!(found, made, "defaults are not applied to a row that exists");
    assert_eq!(User::objects().acount(&db).await?, 1);
    Ok(())
}

#[kata::test]
async fn aupdate_or_create_creates_when_missing_and_updates_when_present(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let (made, created) =
        Counter::objects().aupdate_or_create(&db, [Counter::name.set("hits")], [Counter::n.set(5)]).await?;
    assert!(created);
    assert_eq!((made.id, made.name.as_str(), made.n), (1, "hits", 5));

    let (updated, created) = Counter::objects()
        .aupdate_or_create(&db, [Counter::name.set("hits")], [Counter::n.set(F(Counter::n) + 10)])
        .await?;
    assert!(!created);
    assert_eq!((updated.id, updated.n), (1, 15), "the row is read back after the update");
    let stored = Counter::objects().aget(&db, Counter::name.eq("hits")).await?;
    assert_eq!(stored, updated);
    assert_eq!(Counter::objects().acount(&db).await?, 1);
    Ok(())
}

#[kata::test]
async fn abulk_create_assigns_distinct_keys_that_match_the_stored_rows(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let made = Item::objects()
        .abulk_create(&db, vec![item("a", 1.0, 1), item("b", 2.0, 2), item("c", 3.0, 3)])
        .await?;
    let stored = Item::objects().order_by([Item::id.asc()]).alist(&db).await?;
    let stored_keys: Vec<i64> = stored.iter().map(|i| i.id).collect();
    assert_eq!(stored_keys, [1, 2, 3]);
    if bulk_keys_reported(&db).await? {
        assert_eq!(made, stored);
    } else {
        assert!(made.iter().all(|i| i.id == 0), "MySQL cannot report the keys");
    }
    assert!(Item::objects().abulk_create(&db, Vec::new()).await?.is_empty());
    Ok(())
}

#[kata::test]
async fn abulk_create_splits_a_batch_larger_than_the_parameter_limit(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    // 8,000 rows of 9 bound columns: 72,000 parameters, over every backend's limit (65,535).
    let rows: Vec<Item> = (0..8_000).map(|i| item(&format!("item{i}"), f64::from(i), i)).collect();
    let made = Item::objects().abulk_create(&db, rows).await?;
    assert_eq!(made.len(), 8_000);
    assert_eq!(Item::objects().acount(&db).await?, 8_000);
    let (total,) = Item::objects().aaggregate(&db, (Sum(Item::quantity),)).await?;
    assert_eq!(total, Some((0..8_000i64).sum()));
    if bulk_keys_reported(&db).await? {
        let keys: HashSet<i64> = made.iter().map(|i| i.id).collect();
        assert_eq!(keys.len(), 8_000, "every key is distinct");
        assert!(made.iter().all(|i| i.id > 0));
        // Each returned key belongs to the row with that model's values.
        let stored: Vec<(i64, String)> =
            Item::objects().values_list((Item::id, Item::name)).alist(&db).await?;
        let by_key: std::collections::HashMap<i64, String> = stored.into_iter().collect();
        for m in [&made[0], &made[999], &made[1000], &made[7999]] {
            assert_eq!(by_key[&m.id], m.name);
        }
    }
    Ok(())
}

#[kata::test]
async fn abulk_update_changes_only_the_named_columns(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let mut items = four_items(&db).await?;
    for it in &mut items[..3] {
        it.price *= 10.0;
        it.quantity += 100;
        it.name = format!("renamed-{}", it.name);
    }
    let matched = Item::objects().abulk_update(&db, &items[..3], (Item::price, Item::quantity)).await?;
    assert_eq!(matched, 3);
    let stored: Vec<(String, f64, i32)> = Item::objects()
        .order_by([Item::id.asc()])
        .values_list((Item::name, Item::price, Item::quantity))
        .alist(&db)
        .await?;
    assert_eq!(
        stored,
        [
            ("pen".to_owned(), 15.0, 110),
            ("ink".to_owned(), 40.0, 103),
            ("pad".to_owned(), 25.0, 107),
            ("cap".to_owned(), 10.0, 1),
        ]
    );
    assert_eq!(Item::objects().abulk_update(&db, &items, Item::price).await?, 4);
    Ok(())
}

#[kata::test]
async fn abulk_update_over_several_statements_updates_every_row(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    Item::objects().abulk_create(&db, (0..1_200).map(|i| item("x", 1.0, i)).collect()).await?;
    let mut items = Item::objects().alist(&db).await?;
    for it in &mut items {
        it.quantity *= 2;
    }
    assert_eq!(Item::objects().abulk_update(&db, &items, Item::quantity).await?, 1_200);
    let (total,) = Item::objects().aaggregate(&db, (Sum(Item::quantity),)).await?;
    assert_eq!(total, Some(2 * (0..1_200i64).sum::<i64>()));
    Ok(())
}

#[kata::test]
async fn abulk_update_on_a_composite_key_matches_every_key_column(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let mut lines = vec![
        OrderItem { order_id: 1, product_id: 2, quantity: 1 },
        OrderItem { order_id: 2, product_id: 1, quantity: 1 },
        OrderItem { order_id: 1, product_id: 1, quantity: 1 },
    ];
    OrderItem::objects().abulk_create(&db, lines.clone()).await?;
    lines[0].quantity = 12;
    lines[1].quantity = 21;
    assert_eq!(OrderItem::objects().abulk_update(&db, &lines[..2], OrderItem::quantity).await?, 2);
    let rows: Vec<(i64, i64, i32)> = OrderItem::objects()
        .order_by([OrderItem::order_id.asc(), OrderItem::product_id.asc()])
        .values_list((OrderItem::order_id, OrderItem::product_id, OrderItem::quantity))
        .alist(&db)
        .await?;
    assert_eq!(rows, [(1, 1, 1), (1, 2, 12), (2, 1, 21)]);
    let moved = OrderItem::objects().abulk_update(&db, &lines, OrderItem::order_id).await;
    assert!(matches!(moved, Err(Error::InvalidQuery(_))), "a key column cannot be bulk-updated: {moved:?}");
    Ok(())
}

#[kata::test]
async fn acount_counts_matching_and_sliced_rows(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    assert_eq!(Item::objects().acount(&db).await?, 0);
    four_items(&db).await?;
    assert_eq!(Item::objects().acount(&db).await?, 4);
    assert_eq!(Item::objects().filter(Item::price.gt(2.0)).acount(&db).await?, 3);
    assert_eq!(Item::objects().offset(1).limit(2).acount(&db).await?, 2);
    assert_eq!(Item::objects().offset(3).limit(10).acount(&db).await?, 1);
    Ok(())
}

#[kata::test]
async fn ain_bulk_maps_the_found_keys_to_their_rows(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let items = four_items(&db).await?;
    let found = Item::objects().ain_bulk(&db, [items[0].id, items[2].id, 999]).await?;
    assert_eq!(found.len(), 2);
    assert_eq!(found[&items[0].id], items[0]);
    assert_eq!(found[&items[2].id].name, "pad");
    let filtered =
        Item::objects().filter(Item::price.gt(2.0)).ain_bulk(&db, [items[0].id, items[1].id]).await?;
    assert_eq!(filtered.keys().copied().collect::<Vec<_>>(), [items[1].id]);
    let none =
        kata::testing::assert_num_queries(&db, 0, Item::objects().ain_bulk(&db, Vec::<i64>::new())).await?;
    assert!(none.is_empty());
    Ok(())
}

#[kata::test]
async fn ain_bulk_reads_a_key_list_longer_than_the_parameter_limit(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    Item::objects().abulk_create(&db, (0..3_000).map(|i| item("x", 1.0, i)).collect()).await?;
    let made = Item::objects().order_by([Item::quantity.asc()]).alist(&db).await?;
    // 70,000 keys: over every backend's limit of bound parameters (65,535).
    let found = Item::objects().filter(Item::quantity.lt(2_000)).ain_bulk(&db, 1..=70_000).await?;
    assert_eq!(found.len(), 2_000);
    assert_eq!(found[&made[1_999].id], made[1_999]);
    assert!(!found.contains_key(&made[2_000].id));
    let sliced = Item::objects().limit(10).ain_bulk(&db, [made[0].id]).await;
    assert!(matches!(sliced, Err(Error::InvalidQuery(_))), "{sliced:?}");
    Ok(())
}

#[kata::test]
async fn aearliest_and_alatest_pick_the_extremes_of_a_field(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    match Item::objects().aearliest(&db, Item::price).await {
        Err(Error::DoesNotExist { model }) => assert_eq!(model, "Item"),
        other => panic!("aearliest on an empty table: {other:?}"),
    }
    match Item::objects().alatest(&db, Item::price).await {
        Err(Error::DoesNotExist { model }) => assert_eq!(model, "Item"),
        other => panic!("alatest on an empty table: {other:?}"),
    }
    four_items(&db).await?;
    assert_eq!(Item::objects().aearliest(&db, Item::price).await?.name, "pen");
    assert_eq!(Item::objects().alatest(&db, Item::price).await?.name, "cap");
    assert_eq!(Item::objects().aearliest(&db, Item::quantity).await?.name, "cap");
    assert_eq!(Item::objects().filter(Item::price.lt(5.0)).alatest(&db, Item::price).await?.name, "ink");
    Ok(())
}

#[kata::test]
async fn afirst_and_alast_follow_the_ordering_or_the_key(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    assert_eq!(Item::objects().afirst(&db).await?, None);
    assert_eq!(Item::objects().alast(&db).await?, None);
    four_items(&db).await?;
    assert_eq!(Item::objects().afirst(&db).await?.map(|i| i.name), Some("pen".into()));
    assert_eq!(Item::objects().alast(&db).await?.map(|i| i.name), Some("cap".into()));
    let by_quantity = Item::objects().order_by([Item::quantity.asc()]);
    assert_eq!(by_quantity.clone().afirst(&db).await?.map(|i| i.name), Some("cap".into()));
    assert_eq!(by_quantity.alast(&db).await?.map(|i| i.name), Some("pen".into()));
    assert_eq!(Item::objects().filter(Item::name.eq("none")).afirst(&db).await?, None);
    Ok(())
}

#[kata::test]
async fn afirst_on_a_slice_stays_inside_the_slice(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    four_items(&db).await?;
    let by_price = Item::objects().order_by([Item::price.asc()]);
    assert_eq!(by_price.clone().offset(1).limit(2).afirst(&db).await?.map(|i| i.name), Some("pad".into()));
    assert_eq!(by_price.clone().offset(3).afirst(&db).await?.map(|i| i.name), Some("cap".into()));
    assert_eq!(by_price.clone().offset(4).afirst(&db).await?, None);
    assert_eq!(by_price.limit(0).afirst(&db).await?, None, "an empty slice has no first row");
    Ok(())
}

#[kata::test]
async fn alast_aearliest_and_alatest_refuse_a_sliced_query(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    four_items(&db).await?;
    // Reordering a slice would pick rows outside it (Django raises TypeError here).
    let first_two = Item::objects().order_by([Item::id.asc()]).limit(2);
    assert!(matches!(first_two.clone().alast(&db).await, Err(Error::InvalidQuery(_))));
    assert!(matches!(first_two.clone().aearliest(&db, Item::price).await, Err(Error::InvalidQuery(_))));
    assert!(matches!(Item::objects().offset(2).alatest(&db, Item::price).await, Err(Error::InvalidQuery(_))));
    assert_eq!(first_two.alist(&db).await?.len(), 2);
    Ok(())
}

#[kata::test]
async fn aaggregate_computes_every_aggregate_in_one_row(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let empty = Item::objects()
        .aaggregate(
            &db,
            (Count(Item::id), Sum(Item::quantity), Avg(Item::price), Min(Item::price), Max(Item::quantity)),
        )
        .await?;
    assert_eq!(empty, (0, None, None, None, None));
    four_items(&db).await?;
    let all = Item::objects()
        .aaggregate(
            &db,
            (Count(Item::id), Sum(Item::quantity), Avg(Item::price), Min(Item::price), Max(Item::quantity)),
        )
        .await?;
    assert_eq!(all, (4, Some(21), Some(4.5), Some(1.5), Some(10)));
    let cheap = Item::objects()
        .filter(Item::price.lt(3.0))
        .aaggregate(&db, (CountOf::all(), Sum(Item::price)))
        .await?;
    assert_eq!(cheap, (2, Some(4.0)));
    Ok(())
}

#[kata::test]
async fn aexists_says_whether_any_row_matches(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    assert!(!User::objects().aexists(&db).await?);
    three_users(&db).await?;
    assert!(User::objects().aexists(&db).await?);
    assert!(User::objects().filter(User::username.eq("bob")).aexists(&db).await?);
    assert!(!User::objects().filter(User::username.eq("zed")).aexists(&db).await?);
    assert!(!User::objects().offset(3).aexists(&db).await?);
    Ok(())
}

#[kata::test]
async fn acontains_says_whether_an_instance_is_among_the_rows(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let users = three_users(&db).await?;
    let not_bob = User::objects().exclude(User::username.eq("bob"));
    assert!(not_bob.acontains(&db, &users[0]).await?);
    assert!(!not_bob.acontains(&db, &users[1]).await?);
    let first_two = User::objects().order_by([User::id.asc()]).limit(2);
    assert!(first_two.acontains(&db, &users[1]).await?);
    assert!(!first_two.acontains(&db, &users[2]).await?);
    let item = Item::objects().acreate(&db, item("pen", 1.0, 1)).await?;
    let mut gone = item.clone();
    gone.id = 999;
    assert!(Item::objects().acontains(&db, &item).await?);
    assert!(!Item::objects().acontains(&db, &gone).await?);
    Ok(())
}

#[kata::test]
async fn aupdate_returns_the_matched_rows(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    three_users(&db).await?;
    let n =
        User::objects().filter(User::username.ne("ann")).aupdate(&db, [User::is_active.set(false)]).await?;
    assert_eq!(n, 2);
    let inactive =
        User::objects().filter(User::is_active.eq(false)).order_by([User::id.asc()]).alist(&db).await?;
    assert_eq!(names(&inactive), ["bob", "cy"]);
    // Matched, not changed: the rows already hold these values.
    let n =
        User::objects().filter(User::is_active.eq(false)).aupdate(&db, [User::is_active.set(false)]).await?;
    assert_eq!(n, 2);
    let n = User::objects().filter(User::username.eq("zed")).aupdate(&db, User::first_name.set("Z")).await?;
    assert_eq!(n, 0);

    Counter::objects().acreate(&db, [Counter::name.set("hits"), Counter::n.set(1)]).await?;
    let n = Counter::objects().aupdate(&db, [Counter::n.set(F(Counter::n) * 3 + 1)]).await?;
    assert_eq!(n, 1);
    assert_eq!(Counter::objects().aget(&db, Counter::name.eq("hits")).await?.n, 4);
    Ok(())
}

#[kata::test]
async fn aupdate_with_no_assignments_runs_no_query(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    three_users(&db).await?;
    let n = kata::testing::assert_num_queries(
        &db,
        0,
        User::objects().aupdate(&db, Vec::<Assignment<User>>::new()),
    )
    .await?;
    assert_eq!(n, 0);
    Ok(())
}

#[kata::test]
async fn aupdate_on_a_slice_is_refused_and_its_keys_can_be_updated_instead(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    four_items(&db).await?;
    // Django: "Cannot update a query once a slice has been taken", before any SQL.
    let top_two = Item::objects().order_by([Item::price.desc()]).limit(2);
    let refused =
        kata::testing::assert_num_queries(&db, 0, top_two.aupdate(&db, [Item::quantity.set(0)])).await;
    assert!(matches!(refused, Err(Error::InvalidQuery(_))), "{refused:?}");
    // The Django way: the slice's keys, then an update of those rows.
    let ids = top_two.values_list(Item::id).alist(&db).await?;
    let n = Item::objects().filter(Item::id.is_in(ids)).aupdate(&db, [Item::quantity.set(0)]).await?;
    assert_eq!(n, 2);
    let zero: Vec<String> = Item::objects()
        .filter(Item::quantity.eq(0))
        .order_by([Item::id.asc()])
        .values_list(Item::name)
        .alist(&db)
        .await?;
    assert_eq!(zero, ["ink", "cap"]);
    Ok(())
}

#[kata::test]
async fn adelete_on_a_queryset_removes_the_matching_rows(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    four_items(&db).await?;
    assert_eq!(Item::objects().filter(Item::price.gt(3.0)).adelete(&db).await?, 2);
    let left: Vec<String> =
        Item::objects().order_by([Item::id.asc()]).values_list(Item::name).alist(&db).await?;
    assert_eq!(left, ["pen", "pad"]);
    assert_eq!(Item::objects().filter(Item::name.eq("zed")).adelete(&db).await?, 0);
    assert_eq!(Item::objects().adelete(&db).await?, 2);
    assert_eq!(Item::objects().acount(&db).await?, 0);
    Ok(())
}

#[kata::test]
async fn adelete_on_a_slice_is_refused_and_its_keys_can_be_deleted_instead(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    four_items(&db).await?;
    // Django: "Cannot use 'limit' or 'offset' with delete()", before any SQL.
    let top_two = Item::objects().order_by([Item::price.desc()]).limit(2);
    let refused = kata::testing::assert_num_queries(&db, 0, top_two.adelete(&db)).await;
    assert!(matches!(refused, Err(Error::InvalidQuery(_))), "{refused:?}");
    let after_three = Item::objects().order_by([Item::id.asc()]).offset(3);
    assert!(matches!(after_three.adelete(&db).await, Err(Error::InvalidQuery(_))));
    assert_eq!(Item::objects().acount(&db).await?, 4);
    // The Django way: the slice's keys, then a delete of those rows.
    let ids = top_two.values_list(Item::id).alist(&db).await?;
    assert_eq!(Item::objects().filter(Item::id.is_in(ids)).adelete(&db).await?, 2);
    let left: Vec<String> =
        Item::objects().order_by([Item::id.asc()]).values_list(Item::name).alist(&db).await?;
    assert_eq!(left, ["pen", "pad"]);
    Ok(())
}

#[kata::test]
async fn aexplain_returns_the_plan_as_text(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    three_users(&db).await?;
    let plan = User::objects().filter(User::username.eq("ann")).aexplain(&db).await?;
    assert!(!plan.trim().is_empty());
    assert!(plan.contains("auth_user"), "the plan names the table: {plan}");
    Ok(())
}

#[kata::test]
async fn asave_inserts_an_unsaved_instance_and_updates_a_saved_one(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let mut ann = User::new("ann", "ann@example.com");
    ann.asave(&db).await?;
    assert_eq!(ann.id, 1, "the insert stores the database-assigned key");
    let mut bob = User::new("bob", "bob@example.com");
    bob.asave(&db).await?;
    assert_eq!(bob.id, 2);

    ann.first_name = "Ann".into();
    ann.is_active = false;
    ann.asave(&db).await?;
    assert_eq!(ann.id, 1);
    assert_eq!(User::objects().acount(&db).await?, 2);
    let stored = User::objects().aget(&db, User::pk.eq(1)).await?;
    assert_eq!((stored.first_name.as_str(), stored.is_active), ("Ann", false));
    assert_eq!(User::objects().aget(&db, User::pk.eq(2)).await?.first_name, "", "other rows are untouched");

    // Saving again with nothing changed is still a success.
    ann.asave(&db).await?;
    assert_eq!(User::objects().acount(&db).await?, 2);

    // A key set by hand that has no row yet: saved as a new row with that key (Django).
    let mut item = item("pen", 1.0, 1);
    item.id = 40;
    item.asave(&db).await?;
    assert_eq!(Item::objects().aget(&db, Item::pk.eq(40)).await?, item);
    Ok(())
}

#[kata::test]
async fn asave_on_a_composite_key_updates_or_inserts(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let mut line = OrderItem { order_id: 1, product_id: 2, quantity: 3 };
    line.asave(&db).await?;
    line.quantity = 5;
    line.asave(&db).await?;
    assert_eq!(OrderItem::objects().acount(&db).await?, 1);
    assert_eq!(OrderItem::objects().aget(&db, OrderItem::pk.eq((1, 2))).await?.quantity, 5);
    Ok(())
}

#[kata::test]
async fn adelete_on_an_instance_removes_its_row(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let users = three_users(&db).await?;
    assert_eq!(users[1].adelete(&db).await?, 1);
    let left = User::objects().order_by([User::id.asc()]).alist(&db).await?;
    assert_eq!(names(&left), ["ann", "cy"]);
    assert_eq!(users[1].adelete(&db).await?, 0, "deleting a row that is gone deletes nothing");
    match User::new("new", "new@example.com").adelete(&db).await {
        Err(Error::Unsaved { model, operation }) => assert_eq!((model, operation), ("User", "adelete")),
        other => panic!("adelete on an unsaved instance: {other:?}"),
    }
    Ok(())
}

#[kata::test]
async fn arefresh_from_db_reloads_every_field(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let mut ann = three_users(&db).await?.remove(0);
    User::objects()
        .filter(User::pk.eq(ann.id))
        .aupdate(&db, [User::first_name.set("Ann"), User::is_active.set(false)])
        .await?;
    ann.last_name = "local edit".into();
    ann.arefresh_from_db(&db).await?;
    assert_eq!((ann.first_name.as_str(), ann.last_name.as_str(), ann.is_active), ("Ann", "", false));
    assert_eq!(ann.username, "ann");
    ann.adelete(&db).await?;
    match ann.arefresh_from_db(&db).await {
        Err(Error::DoesNotExist { model }) => assert_eq!(model, "User"),
        other => panic!("arefresh_from_db of a deleted row: {other:?}"),
    }
    Ok(())
}

#[kata::test]
async fn aget_on_a_composite_key_compares_every_key_column(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let lines = vec![
        OrderItem { order_id: 1, product_id: 2, quantity: 3 },
        OrderItem { order_id: 2, product_id: 1, quantity: 4 },
        OrderItem { order_id: 1, product_id: 3, quantity: 5 },
    ];
    let made = OrderItem::objects().abulk_create(&db, lines.clone()).await?;
    assert_eq!(made, lines, "a model without an auto key comes back as given");
    assert_eq!(OrderItem::objects().aget(&db, OrderItem::pk.eq((1, 2))).await?.quantity, 3);
    assert_eq!(OrderItem::objects().aget(&db, OrderItem::pk.eq((2, 1))).await?.quantity, 4);
    assert!(matches!(
        OrderItem::objects().aget(&db, OrderItem::pk.eq((2, 2))).await,
        Err(Error::DoesNotExist { model: "OrderItem" })
    ));
    assert_eq!(made[2].pk(), (1, 3));
    assert_eq!(made[2].adelete(&db).await?, 1);
    assert_eq!(OrderItem::objects().filter(OrderItem::order_id.eq(1)).acount(&db).await?, 1);
    Ok(())
}

#[kata::test]
async fn operations_on_a_transaction_are_kept_on_commit(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let tx = db.begin().await?;
    let users = three_users(&tx).await?;
    let (_, created) = Counter::objects().aget_or_create(&tx, [Counter::name.set("hits")], []).await?;
    assert!(created);
    Counter::objects().aupdate_or_create(&tx, [Counter::name.set("hits")], [Counter::n.set(7)]).await?;
    Item::objects().abulk_create(&tx, vec![item("a", 1.0, 1), item("b", 2.0, 2)]).await?;
    User::objects().filter(User::username.eq("cy")).aupdate(&tx, [User::first_name.set("Cy")]).await?;
    users[1].adelete(&tx).await?;
    let mut ann = User::objects().aget(&tx, User::username.eq("ann")).await?;
    ann.last_name = "A".into();
    ann.asave(&tx).await?;
    ann.arefresh_from_db(&tx).await?;
    let streamed: Vec<User> = User::objects().order_by([User::id.asc()]).aiterator(&tx).try_collect().await?;
    assert_eq!(names(&streamed), ["ann", "cy"]);
    assert_eq!(User::objects().acount(&tx).await?, 2);
    assert!(User::objects().aexists(&tx).await?);
    assert_eq!(Item::objects().aaggregate(&tx, (Sum(Item::quantity),)).await?, (Some(3),));
    assert!(!User::objects().aexplain(&tx).await?.is_empty());
    tx.commit().await?;

    let stored = User::objects().order_by([User::id.asc()]).alist(&db).await?;
    assert_eq!(names(&stored), ["ann", "cy"]);
    assert_eq!((stored[0].last_name.as_str(), stored[1].first_name.as_str()), ("A", "Cy"));
    assert_eq!(Counter::objects().aget(&db, Counter::name.eq("hits")).await?.n, 7);
    assert_eq!(Item::objects().acount(&db).await?, 2);
    Ok(())
}

#[kata::test]
async fn a_dropped_transaction_leaves_nothing(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let kept = User::objects().acreate(&db, user("kept")).await?;
    {
        let tx = db.begin().await?;
        three_users(&tx).await?;
        Item::objects().abulk_create(&tx, (0..50).map(|i| item("x", 1.0, i)).collect()).await?;
        Counter::objects().aget_or_create(&tx, [Counter::name.set("hits")], []).await?;
        User::objects().filter(User::pk.eq(kept.id)).aupdate(&tx, [User::first_name.set("changed")]).await?;
        kept.adelete(&tx).await?;
        assert_eq!(User::objects().acount(&tx).await?, 3);
        drop(tx);
    }
    assert_eq!(User::objects().alist(&db).await?, [kept]);
    assert_eq!(Item::objects().acount(&db).await?, 0);
    assert_eq!(Counter::objects().acount(&db).await?, 0);

    let tx = db.begin().await?;
    User::objects().acreate(&tx, User::new("rolled", "r@example.com")).await?;
    tx.rollback().await?;
    assert_eq!(User::objects().acount(&db).await?, 1);
    Ok(())
}

/// A table with nothing but its auto key.
#[derive(Model, Debug, Clone, PartialEq)]
struct Ticket {
    #[kata(primary_key, auto)]
    id: i64,
}

#[kata::test]
async fn a_model_with_only_an_auto_key_is_created_alone_and_in_bulk(db: Db) -> kata::Result<()> {
    db.create_tables(&[Ticket::meta()]).await?;
    let one = Ticket::objects().acreate(&db, Ticket { id: 0 }).await?;
    let none = Ticket::objects().acreate(&db, []).await?;
    assert!(one.id > 0 && none.id > one.id, "{one:?} {none:?}");
    let many = Ticket::objects().abulk_create(&db, vec![Ticket { id: 0 }; 3]).await?;
    assert_eq!(many.len(), 3);
    assert_eq!(Ticket::objects().acount(&db).await?, 5);
    if db.backend() != kata::Backend::MySql || many.iter().all(|t| t.id != 0) {
        let mut ids: Vec<i64> = many.iter().map(|t| t.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), 3, "{many:?}");
        assert!(ids.iter().all(|&id| id > none.id));
    }
    Ok(())
}
