//! `abulk_create_batched`: Django's `bulk_create(objs, batch_size=n)` (issue 11, point
//! 12). At most `n` rows per INSERT (the backend's parameter limit still caps each), all or
//! nothing across the batches; `abulk_create` is unchanged.

use kata::Error;
use kata::prelude::*;
use kata::testing::assert_num_queries;

#[derive(Model, Debug, Clone, PartialEq)]
struct Entry {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 20)]
    name: String,
}

fn entries(names: impl IntoIterator<Item = String>) -> Vec<Entry> {
    names.into_iter().map(|name| Entry { id: 0, name }).collect()
}

async fn names(db: &Db) -> kata::Result<Vec<String>> {
    Entry::objects().order_by([Entry::name.asc()]).values_list(Entry::name).alist(db).await
}

#[kata::test]
async fn rows_go_in_statements_of_at_most_the_batch_size(db: Db) -> kata::Result<()> {
    db.create_tables(&[Entry::meta()]).await?;
    let rows = entries((0..10).map(|i| format!("e{i}")));
    // Three INSERTs (4 + 4 + 2) inside one transaction: BEGIN and COMMIT count too.
    let made = assert_num_queries(&db, 5, Entry::objects().abulk_create_batched(&db, rows, 4)).await?;
    assert_eq!(made.len(), 10);
    assert_eq!(names(&db).await?, (0..10).map(|i| format!("e{i}")).collect::<Vec<_>>());
    if made.iter().all(|e| e.id != 0) {
        let ids: std::collections::HashSet<i64> = made.iter().map(|e| e.id).collect();
        assert_eq!(ids.len(), 10, "each row got its own key");
    }
    // One batch is one statement, with no transaction around it.
    let one =
        assert_num_queries(&db, 1, Entry::objects().abulk_create_batched(&db, entries(["x".into()]), 4))
            .await?;
    assert_eq!(one.len(), 1);
    // A batch size larger than the rows, or than the backend allows, is just a cap.
    let big =
        Entry::objects().abulk_create_batched(&db, entries(["y".into(), "z".into()]), usize::MAX).await?;
    assert_eq!(big.len(), 2);
    Ok(())
}

#[kata::test]
async fn a_failure_in_a_later_batch_undoes_the_earlier_ones(db: Db) -> kata::Result<()> {
    db.create_tables(&[Entry::meta()]).await?;
    Entry::objects().acreate(&db, Entry { id: 0, name: "taken".into() }).await?;
    let mut rows = entries((0..7).map(|i| format!("n{i}")));
    rows.push(Entry { id: 0, name: "taken".into() });
    let err = Entry::objects().abulk_create_batched(&db, rows, 3).await;
    assert!(matches!(&err, Err(Error::Integrity { kind: kata::IntegrityKind::Unique, .. })), "{err:?}");
    assert_eq!(names(&db).await?, ["taken"], "all or nothing");
    Ok(())
}

#[kata::test]
async fn a_batch_size_of_zero_is_refused_before_any_sql(db: Db) -> kata::Result<()> {
    db.create_tables(&[Entry::meta()]).await?;
    let refused =
        assert_num_queries(&db, 0, Entry::objects().abulk_create_batched(&db, entries(["a".into()]), 0))
            .await;
    assert!(matches!(refused, Err(Error::InvalidQuery(_))), "{refused:?}");
    assert!(names(&db).await?.is_empty());
    Ok(())
}
