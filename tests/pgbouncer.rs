//! kata through PgBouncer 1.18 in transaction pooling mode (`scripts/pgbouncer.sh start`),
//! with `DbBuilder::transaction_pooler(true)`: the core operations, a transaction with a
//! savepoint, and the concurrency cases, with more clients than PgBouncer has server
//! connections, so that clients really take turns on them.
//!
//! `KATA_TEST_PGBOUNCER` holds PgBouncer's URL (`scripts/pgbouncer.sh url`). Without it the
//! tests are skipped, unless `KATA_TEST_REQUIRE` is `all` or names `pgbouncer`.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use kata::prelude::*;
use kata::{Backend, Retry};
use tokio::task::JoinSet;

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "bouncer_author")]
struct Author {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 100)]
    name: String,
    #[kata(reverse_of = Book::author)]
    books: HasMany<Book>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "bouncer_book")]
struct Book {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    author: ForeignKey<Author>,
    #[kata(max_length = 200)]
    title: String,
    #[kata(default = 0)]
    copies: i64,
}

fn author(name: &str) -> Author {
    Author { id: 0, name: name.into(), books: HasMany::default() }
}

fn book(author: i64, title: &str) -> Book {
    Book { id: 0, author: ForeignKey::new(author), title: title.into(), copies: 0 }
}

/// PgBouncer's URL, or `None` (the test is skipped) when it is not configured.
fn bouncer_url() -> Option<String> {
    let url = std::env::var("KATA_TEST_PGBOUNCER").ok().filter(|u| !u.trim().is_empty());
    if url.is_none() {
        let require = std::env::var("KATA_TEST_REQUIRE").unwrap_or_default();
        if require.trim() == "all" || require.split(',').any(|b| b.trim() == "pgbouncer") {
            panic!(
                "KATA_TEST_REQUIRE wants PgBouncer: run scripts/pgbouncer.sh start and set KATA_TEST_PGBOUNCER"
            );
        }
        eprintln!("pgbouncer: skipped (KATA_TEST_PGBOUNCER is not set)");
    }
    url
}

/// A database of its own for one test, made and dropped through PgBouncer.
struct Fresh {
    db: Db,
    admin: Db,
    name: String,
}

impl Fresh {
    async fn create(url: &str, label: &str) -> kata::Result<Fresh> {
        let admin = Db::builder(url).transaction_pooler(true).max_connections(1).connect().await?;
        let name = format!("kata_bouncer_{label}_{}", std::process::id());
        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
        admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
        let (base, _) = url.rsplit_once('/').expect("a URL with a database");
        let db = Db::builder(&format!("{base}/{name}"))
            .transaction_pooler(true)
            .max_connections(20)
            .connect()
            .await?;
        assert_eq!(db.backend(), Backend::Postgres);
        db.create_tables(&[Author::meta(), Book::meta()]).await?;
        Ok(Fresh { db, admin, name })
    }

    async fn remove(self) -> kata::Result<()> {
        self.db.close().await;
        self.admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name))
            .await?;
        self.admin.close().await;
        Ok(())
    }
}

/// Waits for every task, failing on the first that panicked or returned an error.
async fn join_all<T: 'static>(mut tasks: JoinSet<kata::Result<T>>) -> kata::Result<Vec<T>> {
    let mut out = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        out.push(joined.expect("no task panicked")?);
    }
    Ok(out)
}

#[tokio::test]
async fn the_session_is_postgres_behind_pgbouncer_in_utc() -> kata::Result<()> {
    let Some(url) = bouncer_url() else { return Ok(()) };
    let db = Db::builder(&url).transaction_pooler(true).connect().await?;
    // The server listens on another port than the URL's: something stands in between.
    let server_port: Vec<i32> = db.raw_query("SELECT inet_server_port()", ()).await?;
    assert!(
        !url.contains(&format!(":{}/", server_port[0])),
        "{url} is not the server itself ({server_port:?})"
    );
    let zone: Vec<String> = db.raw_query("SELECT current_setting('TimeZone')", ()).await?;
    assert_eq!(zone, ["UTC"], "sessions are UTC without an `options` startup parameter");
    db.close().await;
    Ok(())
}

#[tokio::test]
async fn create_filter_update_delete_and_prefetch_work_through_pgbouncer() -> kata::Result<()> {
    let Some(url) = bouncer_url() else { return Ok(()) };
    let fresh = Fresh::create(&url, "core").await?;
    let db = &fresh.db;

    let ann = Author::objects().acreate(db, author("ann")).await?;
    let bob = Author::objects().acreate(db, author("bob")).await?;
    Book::objects()
        .abulk_create(db, vec![book(ann.id, "a1"), book(ann.id, "a2"), book(bob.id, "b1")])
        .await?;
    // The same statements again and again, as a cached statement would be reused.
    for _ in 0..3 {
        let anns = Book::objects()
            .filter(Book::author_id.eq(ann.id))
            .order_by([Book::title.asc()])
            .alist(db)
            .await?;
        assert_eq!(anns.iter().map(|b| b.title.as_str()).collect::<Vec<_>>(), ["a1", "a2"]);
    }
    let n = Book::objects()
        .filter(Book::title.startswith("a"))
        .aupdate(db, [Book::copies.set(F(Book::copies) + 5)])
        .await?;
    assert_eq!(n, 2);
    assert_eq!(Book::objects().filter(Book::copies.eq(5)).acount(db).await?, 2);

    let authors =
        Author::objects().order_by([Author::name.asc()]).prefetch_related(Author::books).alist(db).await?;
    let counts: Vec<usize> = authors.iter().map(|a| a.books.get().map_or(0, <[Book]>::len)).collect();
    assert_eq!(counts, [2, 1]);

    let deleted = Author::objects().filter(Author::name.eq("bob")).adelete(db).await?;
    assert_eq!(deleted.total, 2, "bob and his book");
    assert_eq!(Book::objects().acount(db).await?, 2, "bob's book went with him (cascade)");
    fresh.remove().await
}

#[tokio::test]
async fn a_transaction_with_a_savepoint_keeps_its_server_connection() -> kata::Result<()> {
    let Some(url) = bouncer_url() else { return Ok(()) };
    let fresh = Fresh::create(&url, "tx").await?;
    let db = &fresh.db;

    let inner = db
        .atomic(async |tx| {
            // One server process for the whole transaction, savepoint included.
            let pid: Vec<i32> = tx.raw_query("SELECT pg_backend_pid()", ()).await?;
            Author::objects().acreate(&tx, author("kept")).await?;
            let inner: kata::Result<()> = tx
                .atomic(async |sp| {
                    Author::objects().acreate(&sp, author("undone")).await?;
                    let same: Vec<i32> = sp.raw_query("SELECT pg_backend_pid()", ()).await?;
                    assert_eq!(same, pid, "the savepoint runs on the transaction's server connection");
                    // A unique violation inside the savepoint: only the savepoint is lost.
                    Author::objects().acreate(&sp, author("kept")).await?;
                    Ok(())
                })
                .await;
            Author::objects().acreate(&tx, author("after")).await?;
            Ok::<_, kata::Error>(inner)
        })
        .await?;
    assert!(inner.is_err_and(|e| e.is_integrity(kata::IntegrityKind::Unique)));
    let names = Author::objects().order_by([Author::name.asc()]).values_list(Author::name).alist(db).await?;
    assert_eq!(names, ["after", "kept"]);

    let rolled_back: kata::Result<()> = db
        .atomic(async |tx| {
            Author::objects().acreate(&tx, author("never")).await?;
            Err(kata::Error::InvalidQuery("roll back".into()))
        })
        .await;
    assert!(rolled_back.is_err());
    assert_eq!(Author::objects().filter(Author::name.eq("never")).acount(db).await?, 0);
    fresh.remove().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_clients_share_four_server_connections_without_mixing_statements() -> kata::Result<()> {
    let Some(url) = bouncer_url() else { return Ok(()) };
    let fresh = Fresh::create(&url, "mix").await?;
    let db = &fresh.db;
    let ann = Author::objects().acreate(db, author("ann")).await?;
    Book::objects().abulk_create(db, (0..20).map(|i| book(ann.id, &format!("t{i:02}"))).collect()).await?;

    // 20 clients, each running statements of other shapes and parameter types in turn,
    // on PgBouncer's four server connections: a statement parsed for one client and
    // bound for another would fail or return the wrong rows.
    let mut tasks = JoinSet::new();
    for i in 0..20_i64 {
        let db = db.clone();
        tasks.spawn(async move {
            for round in 0..10 {
                let title = format!("t{:02}", (i + round) % 20);
                let found = Book::objects().aget(&db, Book::title.eq(title.as_str())).await?;
                assert_eq!(found.title, title);
                let n = Book::objects().filter(Book::id.gt(found.id)).acount(&db).await?;
                assert_eq!(n, 20 - 1 - ((i + round) % 20));
                let ids =
                    Book::objects().filter(Book::copies.gte(0)).values_list(Book::id).alist(&db).await?;
                assert_eq!(ids.len(), 20);
            }
            kata::Result::Ok(())
        });
    }
    join_all(tasks).await?;
    fresh.remove().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_get_or_create_and_retried_increments_work_through_pgbouncer() -> kata::Result<()> {
    let Some(url) = bouncer_url() else { return Ok(()) };
    let fresh = Fresh::create(&url, "race").await?;
    let db = &fresh.db;

    // Eight callers race to create the same author: one creates it, all get it.
    let mut tasks = JoinSet::new();
    for _ in 0..8 {
        let db = db.clone();
        tasks
            .spawn(async move { Author::objects().aget_or_create(&db, [Author::name.set("zoe")], []).await });
    }
    let results = join_all(tasks).await?;
    assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
    assert_eq!(results.iter().map(|(a, _)| a.id).collect::<BTreeSet<_>>().len(), 1);
    let zoe = results[0].0.id;

    // 50 read-modify-write increments in SERIALIZABLE transactions, retried on conflict.
    let shelf = Book::objects().acreate(db, book(zoe, "shelf")).await?;
    let runs = Arc::new(AtomicU32::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..50 {
        let db = db.clone();
        let runs = runs.clone();
        tasks.spawn(async move {
            db.transaction()
                .isolation(kata::IsolationLevel::Serializable)
                .atomic_with(Retry::on_conflict(100), async |tx| {
                    runs.fetch_add(1, Ordering::Relaxed);
                    let current = Book::objects().aget(&tx, Book::id.eq(shelf.id)).await?;
                    Book::objects()
                        .filter(Book::id.eq(shelf.id))
                        .aupdate(&tx, [Book::copies.set(current.copies + 1)])
                        .await?;
                    Ok::<_, kata::Error>(())
                })
                .await
        });
    }
    join_all(tasks).await?;
    assert_eq!(Book::objects().aget(db, Book::id.eq(shelf.id)).await?.copies, 50);
    println!("pgbouncer: 50 serializable increments took {} runs", runs.load(Ordering::Relaxed));
    fresh.remove().await
}
