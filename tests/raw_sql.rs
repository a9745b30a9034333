//! Hand-written SQL with bound values through any executor (Django's `connection.cursor()`
//! and `Manager.raw()`): `raw_query` into typed tuples, `raw_execute` for a row count,
//! `araw` into models. Placeholders are `?` everywhere; values are always bound.

use std::io::Write;
use std::sync::{Arc, Mutex};

use kata::prelude::*;
use kata::testing::{assert_num_queries, capture_queries};
use kata::{Error, Value};

#[derive(Model, Debug, Clone, PartialEq)]
struct Author {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    name: String,
    age: Option<i32>,
    #[kata(reverse_of = Book::author)]
    books: HasMany<Book>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Book {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    author: ForeignKey<Author>,
    #[kata(max_length = 100)]
    title: String,
}

async fn setup(db: &Db) -> kata::Result<Vec<Author>> {
    db.create_tables(&[Author::meta(), Book::meta()]).await?;
    let mut out = Vec::new();
    for (name, age) in [("ann", Some(30)), ("bob", None), ("cy", Some(50))] {
        out.push(Author::objects().acreate(db, [Author::name.set(name), Author::age.set(age)]).await?);
    }
    Ok(out)
}

#[kata::test]
async fn raw_query_decodes_typed_tuples_with_bound_values(db: Db) -> kata::Result<()> {
    let authors = setup(&db).await?;
    let rows: Vec<(i64, String, Option<i32>)> =
        db.raw_query("SELECT id, name, age FROM author WHERE id > ? ORDER BY id", (authors[0].id,)).await?;
    assert_eq!(rows, [(authors[1].id, "bob".to_string(), None), (authors[2].id, "cy".to_string(), Some(50))]);
    let cy = String::from("cy");
    let names: Vec<String> =
        db.raw_query("SELECT name FROM author WHERE name IN (?, ?) ORDER BY name", (&cy, "ann")).await?;
    assert_eq!(names, ["ann", "cy"]);
    let count: Vec<i64> = db.raw_query("SELECT COUNT(*) FROM author", ()).await?;
    assert_eq!(count, [3]);
    Ok(())
}

#[kata::test]
async fn a_bound_value_is_never_sql(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let hostile = "x' OR '1'='1";
    let rows: Vec<i64> = db.raw_query("SELECT id FROM author WHERE name = ?", (hostile,)).await?;
    assert!(rows.is_empty());
    db.raw_execute("UPDATE author SET name = ? WHERE name = ?", (hostile, "bob")).await?;
    let stored: Vec<String> = db.raw_query("SELECT name FROM author WHERE name = ?", [hostile]).await?;
    assert_eq!(stored, [hostile]);
    Ok(())
}

#[kata::test]
async fn question_marks_in_strings_and_comments_are_not_placeholders(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let rows: Vec<(String, i64)> = db
        .raw_query(
            "SELECT 'why?' AS q, COUNT(*) /* how many? */ FROM author -- any?\nWHERE name <> ?",
            ("bob",),
        )
        .await?;
    assert_eq!(rows, [("why?".to_string(), 2)]);
    Ok(())
}

#[kata::test]
async fn params_take_tuples_arrays_vecs_and_values(db: Db) -> kata::Result<()> {
    let authors = setup(&db).await?;
    let ids = vec![authors[0].id, authors[2].id];
    let by_vec: Vec<String> =
        db.raw_query("SELECT name FROM author WHERE id IN (?, ?) ORDER BY id", ids.clone()).await?;
    assert_eq!(by_vec, ["ann", "cy"]);
    let by_slice: Vec<String> =
        db.raw_query("SELECT name FROM author WHERE id IN (?, ?) ORDER BY id", ids.as_slice()).await?;
    assert_eq!(by_slice, by_vec);
    // A list built at run time, of dynamic values.
    let dynamic: Vec<Value> = vec![Value::Null(kata::ColumnType::Integer), Value::Text("bob".into())];
    let n = db.raw_execute("UPDATE author SET age = ? WHERE name = ?", dynamic).await?;
    assert_eq!(n, 1);
    let mixed: Vec<(String,)> = db
        .raw_query("SELECT name FROM author WHERE age IS NULL AND name = ? AND id > ?", ("bob", 0i64))
        .await?;
    assert_eq!(mixed, [("bob".to_string(),)]);
    Ok(())
}

#[kata::test]
async fn raw_execute_counts_rows_and_works_inside_a_transaction(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let changed = db.raw_execute("UPDATE author SET age = ? WHERE age IS NOT NULL", (1,)).await?;
    assert_eq!(changed, 2);
    let tx = db.begin().await?;
    let deleted = tx.raw_execute("DELETE FROM author WHERE name = ?", ("ann",)).await?;
    assert_eq!(deleted, 1);
    let inside: Vec<i64> = tx.raw_query("SELECT COUNT(*) FROM author", ()).await?;
    assert_eq!(inside, [2], "the transaction sees its own delete");
    tx.rollback().await?;
    let after: Vec<i64> = db.raw_query("SELECT COUNT(*) FROM author", ()).await?;
    assert_eq!(after, [3], "rolled back");

    let kept = db
        .atomic(async |tx| {
            tx.raw_execute("INSERT INTO author (name) VALUES (?)", ("dee",)).await?;
            Author::objects().acount(&tx).await
        })
        .await?;
    assert_eq!(kept, 4);
    Ok(())
}

#[kata::test]
async fn a_placeholder_count_that_differs_from_the_values_is_refused(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let (too_few, ran) =
        capture_queries(&db, db.raw_query::<i64>("SELECT id FROM author WHERE id > ? AND id < ?", (1,)))
            .await;
    assert!(
        matches!(too_few, Err(Error::InvalidQuery(ref m)) if m.contains("2 `?` placeholders but 1 value was given")),
        "{too_few:?}"
    );
    assert!(ran.is_empty(), "nothing was sent");
    let too_many = db.raw_execute("DELETE FROM author", (1,)).await;
    assert!(matches!(too_many, Err(Error::InvalidQuery(_))), "{too_many:?}");
    let numbered = db.raw_query::<i64>("SELECT id FROM author WHERE id = ?1", (1,)).await;
    assert!(matches!(numbered, Err(Error::InvalidQuery(ref m)) if m.contains("?1")), "{numbered:?}");
    assert_eq!(Author::objects().acount(&db).await?, 3);
    Ok(())
}

#[kata::test]
async fn a_row_of_another_width_is_a_column_count_error(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let narrow = db.raw_query::<(i64, String, i32)>("SELECT id, name FROM author", ()).await;
    match narrow {
        Err(Error::ColumnCount { expected: 3, found: 2, target }) => {
            assert!(target.contains("i32"), "{target}")
        }
        other => panic!("expected ColumnCount, got {other:?}"),
    }
    let wide = db.raw_query::<i64>("SELECT id, name FROM author", ()).await;
    assert!(matches!(wide, Err(Error::ColumnCount { expected: 1, found: 2, .. })), "{wide:?}");
    let empty: Vec<(i64, String)> = db.raw_query("SELECT id, name FROM author WHERE id < ?", (0,)).await?;
    assert!(empty.is_empty());
    Ok(())
}

#[kata::test]
async fn araw_decodes_models_from_the_columns_in_order(db: Db) -> kata::Result<()> {
    let authors = setup(&db).await?;
    let found = Author::objects()
        .araw(&db, "SELECT id, name, age FROM author WHERE age > ? ORDER BY age DESC", (10,))
        .await?;
    assert_eq!(found.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["cy", "ann"]);
    assert_eq!(found[1], authors[0]);
    // The rows are whole, saved models: their related managers work.
    found[0].books.acreate(&db, [Book::title.set("Dune")]).await?;
    assert_eq!(found[0].books.acount(&db).await?, 1);
    Ok(())
}

#[kata::test]
async fn araw_names_the_columns_it_needs_when_the_select_lists_others(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let short = Author::objects().araw(&db, "SELECT id, name FROM author", ()).await;
    match short {
        Err(Error::ColumnCount { expected: 3, found: 2, ref target }) => {
            assert!(target.contains("Author") && target.contains("id, name, age"), "{target}");
            let message = short.as_ref().unwrap_err().to_string();
            assert!(message.contains("returned 2 columns"), "{message}");
        }
        other => panic!("expected ColumnCount, got {other:?}"),
    }
    Ok(())
}

#[kata::test]
async fn araw_applies_prefetch_related_and_refuses_what_it_cannot_apply(db: Db) -> kata::Result<()> {
    let authors = setup(&db).await?;
    authors[0].books.acreate(&db, [Book::title.set("A1")]).await?;
    authors[0].books.acreate(&db, [Book::title.set("A2")]).await?;
    let found = assert_num_queries(
        &db,
        2,
        Author::objects().prefetch_related(Author::books).araw(
            &db,
            "SELECT id, name, age FROM author ORDER BY id",
            (),
        ),
    )
    .await?;
    assert_eq!(found[0].books.get().map(<[Book]>::len), Some(2));
    assert_eq!(found[1].books.get().map(<[Book]>::len), Some(0));

    for refused in [
        Author::objects().filter(Author::name.eq("ann")),
        Author::objects().order_by([Author::id.asc()]),
        Author::objects().limit(1),
        Author::objects().distinct(),
    ] {
        let got = refused.araw(&db, "SELECT id, name, age FROM author", ()).await;
        assert!(matches!(got, Err(Error::InvalidQuery(ref m)) if m.contains("araw")), "{got:?}");
    }
    let joined = Book::objects()
        .select_related(Book::author)
        .araw(&db, "SELECT id, author_id, title FROM book", ())
        .await;
    assert!(matches!(joined, Err(Error::InvalidQuery(ref m)) if m.contains("select_related")), "{joined:?}");
    Ok(())
}

#[kata::test]
async fn araw_runs_inside_a_transaction(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let seen = db
        .atomic(async |tx| {
            Author::objects().acreate(&tx, [Author::name.set("dee")]).await?;
            Author::objects().araw(&tx, "SELECT id, name, age FROM author WHERE name = ?", ("dee",)).await
        })
        .await?;
    assert_eq!(seen.len(), 1);
    Ok(())
}

#[kata::test]
async fn raw_statements_are_counted_and_captured_with_their_sql(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let (_, queries) = capture_queries(&db, async {
        let _: Vec<i64> = db.raw_query("SELECT id FROM author WHERE name = ?", ("ann",)).await?;
        db.raw_execute("UPDATE author SET age = age WHERE name = ?", ("ann",)).await?;
        Author::objects().araw(&db, "SELECT id, name, age FROM author", ()).await
    })
    .await;
    assert_eq!(queries.len(), 3);
    assert!(queries[0].sql.starts_with("SELECT id FROM author WHERE name = "), "{}", queries[0].sql);
    assert!(!queries[0].sql.contains("ann"), "the value is bound, not written: {}", queries[0].sql);
    assert_eq!(queries[0].rows, 1);
    assert!(queries[1].sql.starts_with("UPDATE"));
    assert_eq!(queries[2].rows, 3);
    assert_num_queries(&db, 1, db.raw_execute("DELETE FROM book", ())).await?;
    Ok(())
}

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
async fn raw_statements_reach_the_query_log(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    let _: Vec<String> = db.raw_query("SELECT name FROM author WHERE age > ?", (40,)).await?;
    drop(guard);
    let log = String::from_utf8(captured.0.lock().map(|b| b.clone()).unwrap_or_default()).unwrap_or_default();
    assert!(log.contains("kata::query"), "{log}");
    assert!(log.contains("SELECT name FROM author WHERE age > "), "{log}");
    assert!(log.contains("rows=1"), "{log}");
    Ok(())
}

/// PostgreSQL's JSON operators are `?`, `?|` and `?&`: written `??`, they reach the server
/// as one `?`, beside numbered placeholders.
#[kata::test(backends = "postgres")]
async fn postgres_writes_a_literal_question_mark_as_two(db: Db) -> kata::Result<()> {
    let has: Vec<(bool, bool)> =
        db.raw_query("SELECT '{\"a\": 1}'::jsonb ?? ?, '{\"a\": 1}'::jsonb ??| array[?]", ("a", "x")).await?;
    assert_eq!(has, [(true, false)]);
    Ok(())
}
