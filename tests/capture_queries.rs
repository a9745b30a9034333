//! `testing::capture_queries` (Django's `CaptureQueriesContext`): a future's output with
//! the statements it ran, each with its SQL, duration and row count.

use std::time::{Duration, Instant};

use kata::prelude::*;
use kata::testing::{CapturedQuery, assert_num_queries, capture_queries};

#[derive(Model, Debug, Clone, PartialEq)]
struct Note {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    body: String,
}

async fn setup(db: &Db) -> kata::Result<()> {
    db.create_tables(&[Note::meta()]).await?;
    for body in ["a", "b", "c"] {
        Note::objects().acreate(db, [Note::body.set(body)]).await?;
    }
    Ok(())
}

fn sql(queries: &[CapturedQuery]) -> Vec<&str> {
    queries.iter().map(|q| q.sql.as_str()).collect()
}

#[kata::test]
async fn the_output_comes_back_with_each_statement_in_order(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let (notes, queries) = capture_queries(&db, async {
        Note::objects().filter(Note::body.ne("b")).aupdate(&db, [Note::body.set("z")]).await?;
        Note::objects().order_by([Note::id.asc()]).alist(&db).await
    })
    .await;
    let notes = notes?;
    assert_eq!(notes.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(), ["z", "b", "z"]);
    assert_eq!(queries.len(), 2, "{:?}", sql(&queries));
    assert!(queries[0].sql.starts_with("UPDATE"), "{}", queries[0].sql);
    assert_eq!(queries[0].rows, 2, "an UPDATE reports the rows it touched");
    assert!(
        queries[1].sql.starts_with("SELECT") && queries[1].sql.contains("ORDER BY"),
        "{}",
        queries[1].sql
    );
    assert_eq!(queries[1].rows, 3, "a SELECT reports the rows it returned");
    Ok(())
}

#[kata::test]
async fn durations_are_measured_inside_the_capture(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let started = Instant::now();
    let (_, queries) = capture_queries(&db, async {
        for _ in 0..3 {
            Note::objects().acount(&db).await?;
        }
        Ok::<_, kata::Error>(())
    })
    .await;
    let wall = started.elapsed();
    assert_eq!(queries.len(), 3);
    // The statements ran one after another inside the capture, so their durations add up
    // to no more than the capture's own time.
    let total: Duration = queries.iter().map(|q| q.duration).sum();
    assert!(total <= wall, "{total:?} > {wall:?}");
    Ok(())
}

#[kata::test]
async fn transactions_are_captured_with_their_statements(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let (made, queries) = capture_queries(&db, async {
        db.atomic(async |tx| Note::objects().acreate(&tx, [Note::body.set("d")]).await).await
    })
    .await;
    assert_eq!(made?.body, "d");
    let statements = sql(&queries);
    assert_eq!(statements.first(), Some(&"BEGIN"), "{statements:?}");
    assert_eq!(statements.last(), Some(&"COMMIT"), "{statements:?}");
    assert!(statements.iter().any(|s| s.starts_with("INSERT")), "{statements:?}");

    // A capture on a transaction sees the pool's statements as well.
    let tx = db.begin().await?;
    let (_, inside) = capture_queries(&tx, Note::objects().acount(&tx)).await;
    assert_eq!(inside.len(), 1);
    tx.rollback().await?;
    Ok(())
}

#[kata::test]
async fn nothing_is_kept_outside_a_capture(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    Note::objects().acount(&db).await?;
    let (_, first) = capture_queries(&db, Note::objects().acount(&db)).await;
    Note::objects().alist(&db).await?;
    let (_, second) = capture_queries(&db, Note::objects().aexists(&db)).await;
    assert_eq!(first.len(), 1);
    assert_eq!(second.len(), 1, "statements between the captures were not kept: {:?}", sql(&second));
    let (_, empty) = capture_queries(&db, async { 1 + 1 }).await;
    assert!(empty.is_empty());
    Ok(())
}

#[kata::test]
async fn captures_nest_and_the_outer_one_sees_the_inner_statements_too(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let (inner, outer) = capture_queries(&db, async {
        Note::objects().acount(&db).await?;
        let (_, inner) = capture_queries(&db, Note::objects().alist(&db)).await;
        Note::objects().aexists(&db).await?;
        Ok::<_, kata::Error>(inner)
    })
    .await;
    let inner = inner?;
    assert_eq!(inner.len(), 1, "the inner capture saw its own statement: {:?}", sql(&inner));
    assert!(inner[0].sql.starts_with("SELECT"));
    assert_eq!(outer.len(), 3, "{:?}", sql(&outer));
    assert_eq!(outer[1], inner[0]);
    Ok(())
}

#[kata::test]
async fn assert_num_queries_still_counts_and_can_nest_in_a_capture(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let (count, queries) =
        capture_queries(&db, assert_num_queries(&db, 1, Note::objects().acount(&db))).await;
    assert_eq!(count?, 3);
    assert_eq!(queries.len(), 1);
    Ok(())
}
