//! The query log: every statement is counted, `assert_num_queries` lists the SQL of each,
//! and a `tracing` subscriber on `kata::query` gets an event with it. kata moves a
//! statement's SQL into sqlx instead of copying it when neither listens (the benchmarks'
//! issue); these pin that both listeners still see the SQL.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::Counter;
use kata::prelude::*;

/// A `tracing` writer that keeps what it is given.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[kata::test]
async fn statements_are_counted_when_no_one_listens(db: Db) {
    db.create_tables(&[Counter::meta()]).await.unwrap();
    let before = db.query_count();
    Counter::objects().acount(&db).await.unwrap();
    Counter::objects().acreate(&db, [Counter::name.set("hits")]).await.unwrap();
    let rows = Counter::objects().alist(&db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert!(db.query_count() >= before + 3);
}

#[kata::test]
async fn a_tracing_subscriber_gets_each_statement_with_its_sql(db: Db) {
    db.create_tables(&[Counter::meta()]).await.unwrap();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    Counter::objects().filter(Counter::name.eq("hits")).alist(&db).await.unwrap();
    drop(guard);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("kata::query"), "{log}");
    assert!(log.contains("SELECT") && log.contains("counter"), "{log}");
    assert!(log.contains("rows=0"), "{log}");
    assert!(log.contains(r#"outcome="ok""#), "{log}");
}

#[kata::test]
async fn a_failed_statement_is_counted_captured_and_logged_with_its_error(db: Db) {
    // No table was created: the statement fails in the database.
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let before = db.query_count();
    let (result, queries) =
        kata::testing::capture_queries(&db, Counter::objects().filter(Counter::name.eq("hits")).alist(&db))
            .await;
    drop(guard);
    let error = result.expect_err("there is no counter table");
    assert_eq!(db.query_count(), before + 1, "the failed statement is counted");
    assert_eq!(queries.len(), 1, "{queries:?}");
    assert!(queries[0].sql.starts_with("SELECT"), "{queries:?}");
    assert_eq!(queries[0].error.as_deref(), Some(error.to_string().as_str()));
    assert_eq!(queries[0].rows, 0);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("kata::query") && log.contains("SELECT"), "{log}");
    assert!(log.contains(r#"outcome="error""#), "{log}");
    assert!(log.contains(&format!("error={error}")), "{log}");
    // A statement that succeeds has no error.
    db.create_tables(&[Counter::meta()]).await.unwrap();
    let (rows, queries) = kata::testing::capture_queries(&db, Counter::objects().alist(&db)).await;
    assert!(rows.unwrap().is_empty());
    assert_eq!(queries[0].error, None);
}

#[kata::test]
async fn assert_num_queries_lists_the_sql_of_each_statement(db: Db) {
    db.create_tables(&[Counter::meta()]).await.unwrap();
    let other = db.clone();
    let failed = tokio::spawn(async move {
        kata::testing::assert_num_queries(&other, 0, Counter::objects().acount(&other)).await
    })
    .await
    .expect_err("one statement ran where none was expected");
    let panic = failed.into_panic();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("expected 0 queries, 1 ran"), "{message}");
    assert!(message.contains("SELECT COUNT(*)"), "{message}");
}
