//! `bulk_insert` / `abulk_insert` (issue 14, point 1): a multi-row INSERT that reads
//! nothing back, with Django's `bulk_create` options `batch_size`, `ignore_conflicts` and
//! `update_conflicts(unique_fields, update_fields)`. Every result is read back from the
//! database afterwards.

use kata::prelude::*;
use kata::testing::assert_num_queries;
use kata::{Error, IntegrityKind};

#[derive(Model, Debug, Clone, PartialEq)]
struct Item {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 20)]
    sku: String,
    count: i64,
    note: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(unique_together(shelf, slot))]
struct Place {
    #[kata(primary_key, auto)]
    id: i64,
    shelf: i64,
    slot: i64,
    label: String,
}

fn item(sku: &str, count: i64) -> Item {
    Item { id: 0, sku: sku.into(), count, note: "new".into() }
}

/// Every row as `(sku, count, note)`, by sku.
async fn rows(db: &Db) -> kata::Result<Vec<(String, i64, String)>> {
    Item::objects()
        .order_by([Item::sku.asc()])
        .values_list((Item::sku, Item::count, Item::note))
        .alist(db)
        .await
}

#[kata::test]
async fn rows_are_written_in_one_statement_and_counted(db: Db) -> kata::Result<()> {
    db.create_tables(&[Item::meta()]).await?;
    let written =
        assert_num_queries(&db, 1, Item::objects().abulk_insert(&db, vec![item("a", 1), item("b", 2)]))
            .await?;
    assert_eq!(written, 2);
    assert_eq!(rows(&db).await?, [("a".into(), 1, "new".into()), ("b".into(), 2, "new".into())]);
    // The keys were assigned by the database, distinct, though none was read back.
    let ids = Item::objects().values_list(Item::id).alist(&db).await?;
    assert!(ids.iter().all(|&id| id > 0) && ids[0] != ids[1], "{ids:?}");
    assert_eq!(Item::objects().abulk_insert(&db, Vec::new()).await?, 0);
    Ok(())
}

#[kata::test]
async fn batches_are_all_or_nothing(db: Db) -> kata::Result<()> {
    db.create_tables(&[Item::meta()]).await?;
    Item::objects().abulk_insert(&db, vec![item("taken", 1)]).await?;
    let mut batch: Vec<Item> = (0..7).map(|i| item(&format!("n{i}"), i)).collect();
    batch.push(item("taken", 9));
    let err = Item::objects().bulk_insert(batch).batch_size(3).aexecute(&db).await;
    assert!(matches!(&err, Err(Error::Integrity { kind: IntegrityKind::Unique, .. })), "{err:?}");
    assert_eq!(rows(&db).await?, [("taken".into(), 1, "new".into())], "nothing of the failed insert stays");
    // Three statements in a transaction: BEGIN, 3 INSERTs, COMMIT.
    let batch: Vec<Item> = (0..7).map(|i| item(&format!("m{i}"), i)).collect();
    let written =
        assert_num_queries(&db, 5, Item::objects().bulk_insert(batch).batch_size(3).aexecute(&db)).await?;
    assert_eq!((written, Item::objects().acount(&db).await?), (7, 8));
    Ok(())
}

#[kata::test]
async fn invalid_rows_and_options_are_refused_before_any_sql(db: Db) -> kata::Result<()> {
    db.create_tables(&[Item::meta(), Place::meta()]).await?;
    let too_long = item("a sku far longer than twenty characters", 1);
    let refused =
        assert_num_queries(&db, 0, Item::objects().abulk_insert(&db, vec![item("ok", 1), too_long])).await;
    let Err(Error::Validation(errors)) = refused else { panic!("{refused:?}") };
    assert!(errors.to_string().contains("[1].sku"), "{errors}");
    let zero = Item::objects().bulk_insert(vec![item("a", 1)]).batch_size(0).aexecute(&db).await;
    assert!(matches!(zero, Err(Error::InvalidQuery(_))), "{zero:?}");
    // unique_fields must be a unique constraint; update_fields neither empty nor the key.
    let not_unique =
        Item::objects().bulk_insert(vec![item("a", 1)]).update_conflicts(Item::count, Item::note);
    let Err(Error::InvalidQuery(why)) = not_unique.aexecute(&db).await else { panic!("not refused") };
    assert!(why.contains("count"), "{why}");
    let the_key = Item::objects().bulk_insert(vec![item("a", 1)]).update_conflicts(Item::sku, Item::id);
    assert!(matches!(the_key.aexecute(&db).await, Err(Error::InvalidQuery(_))));
    let half_of_a_pair = Place::objects()
        .bulk_insert(Vec::new())
        .update_conflicts(Place::shelf, Place::label)
        .aexecute(&db)
        .await;
    assert!(matches!(half_of_a_pair, Err(Error::InvalidQuery(_))), "{half_of_a_pair:?}");
    assert!(rows(&db).await?.is_empty());
    Ok(())
}

#[kata::test]
async fn ignore_conflicts_skips_the_conflicting_rows_only(db: Db) -> kata::Result<()> {
    db.create_tables(&[Item::meta()]).await?;
    Item::objects().abulk_insert(&db, vec![item("a", 1)]).await?;
    let batch = vec![item("a", 100), item("b", 2), item("b", 200), item("c", 3)];
    let written = Item::objects().bulk_insert(batch).ignore_conflicts().aexecute(&db).await?;
    assert_eq!(written, 2, "b and c were inserted; a and the second b were skipped");
    assert_eq!(
        rows(&db).await?,
        [("a".into(), 1, "new".into()), ("b".into(), 2, "new".into()), ("c".into(), 3, "new".into())]
    );
    Ok(())
}

#[kata::test]
async fn update_conflicts_updates_only_the_named_fields(db: Db) -> kata::Result<()> {
    db.create_tables(&[Item::meta()]).await?;
    Item::objects().abulk_insert(&db, vec![item("a", 1), item("b", 2)]).await?;
    let a_id = Item::objects().aget(&db, Item::sku.eq("a")).await?.id;
    let batch = vec![
        Item { id: 0, sku: "a".into(), count: 10, note: "changed".into() },
        Item { id: 0, sku: "c".into(), count: 3, note: "new".into() },
    ];
    let written =
        Item::objects().bulk_insert(batch).update_conflicts(Item::sku, Item::count).aexecute(&db).await?;
    assert_eq!(written, 2, "one row updated, one inserted");
    assert_eq!(
        rows(&db).await?,
        [("a".into(), 10, "new".into()), ("b".into(), 2, "new".into()), ("c".into(), 3, "new".into())],
        "count updated, note kept"
    );
    assert_eq!(
        Item::objects().aget(&db, Item::sku.eq("a")).await?.id,
        a_id,
        "the same row, updated in place"
    );
    // Several fields at once.
    let batch = vec![Item { id: 0, sku: "b".into(), count: 20, note: "both".into() }];
    Item::objects()
        .bulk_insert(batch)
        .update_conflicts(Item::sku, (Item::count, Item::note))
        .aexecute(&db)
        .await?;
    assert_eq!(rows(&db).await?[1], ("b".into(), 20, "both".into()));
    Ok(())
}

#[kata::test]
async fn update_conflicts_on_a_unique_together_group(db: Db) -> kata::Result<()> {
    db.create_tables(&[Place::meta()]).await?;
    let place = |shelf, slot, label: &str| Place { id: 0, shelf, slot, label: label.into() };
    Place::objects().abulk_insert(&db, vec![place(1, 1, "old"), place(1, 2, "old")]).await?;
    Place::objects()
        .bulk_insert(vec![place(1, 2, "moved"), place(2, 1, "new")])
        .update_conflicts((Place::shelf, Place::slot), Place::label)
        .aexecute(&db)
        .await?;
    let labels = Place::objects()
        .order_by([Place::shelf.asc(), Place::slot.asc()])
        .values_list((Place::shelf, Place::slot, Place::label))
        .alist(&db)
        .await?;
    assert_eq!(labels, [(1, 1, "old".into()), (1, 2, "moved".into()), (2, 1, "new".into())]);
    Ok(())
}

#[kata::test]
async fn a_conflict_inside_a_transaction_leaves_the_rest_intact(db: Db) -> kata::Result<()> {
    db.create_tables(&[Item::meta()]).await?;
    Item::objects().abulk_insert(&db, vec![item("a", 1)]).await?;
    db.atomic(async |tx| -> kata::Result<()> {
        Item::objects().acreate(&tx, item("before", 0)).await?;
        let skipped = Item::objects()
            .bulk_insert(vec![item("a", 5), item("b", 2)])
            .ignore_conflicts()
            .aexecute(&tx)
            .await?;
        assert_eq!(skipped, 1);
        Item::objects()
            .bulk_insert(vec![item("b", 7)])
            .update_conflicts(Item::sku, Item::count)
            .aexecute(&tx)
            .await?;
        Item::objects().acreate(&tx, item("after", 0)).await?;
        Ok(())
    })
    .await?;
    assert_eq!(
        rows(&db).await?,
        [
            ("a".into(), 1, "new".into()),
            ("after".into(), 0, "new".into()),
            ("b".into(), 7, "new".into()),
            ("before".into(), 0, "new".into()),
        ]
    );
    Ok(())
}

#[kata::test]
async fn rows_with_keys_of_their_own_keep_them(db: Db) -> kata::Result<()> {
    db.create_tables(&[Item::meta()]).await?;
    let keyed = Item { id: 500, ..item("k", 1) };
    assert_eq!(Item::objects().abulk_insert(&db, vec![keyed, item("auto", 2)]).await?, 2);
    assert_eq!(Item::objects().aget(&db, Item::sku.eq("k")).await?.id, 500);
    // The database's counter moved past the key written by hand.
    let next = Item::objects().acreate(&db, item("next", 3)).await?;
    assert!(next.id > 500, "{}", next.id);
    Ok(())
}
