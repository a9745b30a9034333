//! Read replicas against a real PostgreSQL hot standby (`scripts/pg-replica.sh start`, which
//! `.ci/run` runs): where each statement ran is asked of the server that ran it
//! (`inet_server_port()`, `pg_is_in_recovery()`), not counted in kata.
//!
//! Needs `KATA_TEST_POSTGRES` (the primary) and `KATA_TEST_PG_REPLICA` (its standby);
//! without them the tests say so and pass, unless `KATA_TEST_REQUIRE=all` (or a list
//! naming `pg_replica`), which makes a missing replica a failure.

use std::io::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kata::prelude::*;
use kata::testing::FreshDatabase;

/// A note; triggers on the primary record the port of the server that inserted or last
/// updated it.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "note")]
struct Note {
    #[kata(primary_key, auto)]
    id: i64,
    body: String,
    written_on: Option<i32>,
}

/// The notes as the server that reads them sees them: a view that adds that server's port
/// and whether it is a standby.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "note_seen")]
struct NoteSeen {
    #[kata(primary_key)]
    id: i64,
    body: String,
    served_by: i32,
    on_replica: bool,
}

const SCHEMA: &str = "
CREATE TABLE note (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL, written_on INTEGER);
CREATE FUNCTION note_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.written_on := inet_server_port(); RETURN NEW; END $$;
CREATE TRIGGER note_stamp BEFORE INSERT OR UPDATE ON note FOR EACH ROW EXECUTE FUNCTION note_stamp();
CREATE VIEW note_seen AS
    SELECT id, body, inet_server_port() AS served_by, pg_is_in_recovery() AS on_replica FROM note;
";

/// One test at a time: some pause the standby's replay or stop it.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The primary's and the standby's server URLs, or `None` (with a note) when not configured.
fn servers(test: &str) -> Option<(String, String)> {
    let required = env("KATA_TEST_REQUIRE")
        .is_some_and(|v| v.trim() == "all" || v.split(',').any(|b| b.trim() == "pg_replica"));
    match (env("KATA_TEST_POSTGRES"), env("KATA_TEST_PG_REPLICA")) {
        (Some(primary), Some(replica)) => Some((primary, replica)),
        _ if required => panic!(
            "{test}: KATA_TEST_REQUIRE wants the PostgreSQL replica tests, but KATA_TEST_POSTGRES and \
             KATA_TEST_PG_REPLICA are not both set (start one with scripts/pg-replica.sh start)"
        ),
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "{test}: skipped (needs KATA_TEST_POSTGRES and KATA_TEST_PG_REPLICA)"
            );
            None
        }
    }
}

/// `url` with its database replaced by `name`.
fn on_database(url: &str, name: &str) -> String {
    let (base, _) = url.rsplit_once('/').expect("a server URL ends with /database");
    format!("{base}/{name}")
}

fn port_of(url: &str) -> i32 {
    let host = url.split('@').next_back().unwrap_or(url);
    let port = host.split(['/', '?']).next().and_then(|h| h.rsplit_once(':')).map(|(_, p)| p);
    port.and_then(|p| p.parse().ok()).unwrap_or(5432)
}

/// A fresh database on the primary with the notes schema, replicated to the standby, and
/// the standby's URL for it.
struct Setup {
    fresh: FreshDatabase,
    replica_url: String,
    primary_port: i32,
    replica_port: i32,
}

impl Setup {
    async fn new(label: &str, primary: &str, replica: &str) -> Setup {
        let fresh = FreshDatabase::create(kata::Backend::Postgres, Some(primary), label).await.unwrap();
        fresh.db().execute_unprepared(SCHEMA).await.unwrap();
        let name = fresh.db().url().rsplit_once('/').unwrap().1.to_owned();
        let replica_url = on_database(replica, &name);
        // The new database and its schema reach the standby by streaming replication.
        let url = &replica_url;
        eventually("the schema reaches the standby", || async move {
            let db = Db::connect(url).await.ok()?;
            let seen = NoteSeen::objects().acount(&db).await.ok();
            db.close().await;
            seen
        })
        .await;
        Setup { fresh, replica_url, primary_port: port_of(primary), replica_port: port_of(replica) }
    }

    fn builder(&self) -> kata::DbBuilder {
        Db::builder(self.fresh.db().url()).replica("replica", &self.replica_url)
    }
}

/// Polls `probe` until it answers, for up to 15 seconds.
async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The port of the server that runs a routed read, and whether it is a standby.
async fn where_read_runs(ex: &impl Executor) -> (i32, bool) {
    let rows: Vec<(i32, bool)> =
        ex.raw_query("SELECT inet_server_port(), pg_is_in_recovery()", ()).await.unwrap();
    rows[0]
}

#[tokio::test]
async fn reads_run_on_the_standby_and_writes_on_the_primary() {
    let Some((primary, replica)) = servers("reads_run_on_the_standby_and_writes_on_the_primary") else {
        return;
    };
    let _serial = SERIAL.lock().await;
    let setup = Setup::new("replica_rw", &primary, &replica).await;
    let db = &setup.builder().connect().await.unwrap();
    let (primary_port, replica_port) = (setup.primary_port, setup.replica_port);

    // Writes of every kind: each succeeds (a standby refuses writes), and the trigger that
    // ran for it says the primary ran it.
    for body in ["one", "two", "three"] {
        Note::objects().acreate(&db, [Note::body.set(body)]).await.unwrap();
    }
    Note::objects()
        .abulk_create(&db, vec![Note { id: 0, body: "four".into(), written_on: None }])
        .await
        .unwrap();
    let changed =
        Note::objects().filter(Note::body.eq("two")).aupdate(&db, [Note::body.set("TWO")]).await.unwrap();
    assert_eq!(changed, 1);
    assert_eq!(Note::objects().filter(Note::body.eq("three")).adelete(&db).await.unwrap(), 1);
    db.atomic(async |tx| Note::objects().acreate(&tx, [Note::body.set("five")]).await).await.unwrap();

    // Reads outside transactions run on the standby, once it has replayed the writes.
    let seen = eventually("the writes are visible on the standby", || async move {
        let rows = NoteSeen::objects().order_by([NoteSeen::id.asc()]).alist(&db).await.unwrap();
        // The last write replayed, not an earlier state with as many rows.
        let bodies: Vec<&str> = rows.iter().map(|n| n.body.as_str()).collect();
        (bodies == ["one", "TWO", "four", "five"]).then_some(rows)
    })
    .await;
    let bodies: Vec<&str> = seen.iter().map(|n| n.body.as_str()).collect();
    assert_eq!(bodies, ["one", "TWO", "four", "five"]);
    assert!(seen.iter().all(|n| n.served_by == replica_port && n.on_replica), "{seen:?}");
    assert_eq!(where_read_runs(db).await, (replica_port, true));
    assert_eq!(NoteSeen::objects().filter(NoteSeen::body.eq("one")).acount(&db).await.unwrap(), 1);

    // Every row was written (and the updated one rewritten) by the primary.
    let notes = Note::objects().using(kata::PRIMARY).alist(&db).await.unwrap();
    assert_eq!(notes.len(), 4);
    assert!(notes.iter().all(|n| n.written_on == Some(primary_port)), "{notes:?}");

    // In a transaction, every statement runs on the primary, reads and locking reads too.
    let in_tx = db
        .atomic(async |tx| {
            let locked = NoteSeen::objects().alist(&tx).await?;
            let here = where_read_runs(&tx).await;
            let _ = Note::objects().select_for_update().alist(&tx).await?;
            Ok::<_, kata::Error>((locked, here))
        })
        .await
        .unwrap();
    assert!(in_tx.0.iter().all(|n| n.served_by == primary_port && !n.on_replica), "{:?}", in_tx.0);
    assert_eq!(in_tx.1, (primary_port, false));

    // Pinned: using() on a query, or a Db handle pinned to a database.
    let pinned = NoteSeen::objects().using(kata::PRIMARY).alist(&db).await.unwrap();
    assert!(pinned.iter().all(|n| n.served_by == primary_port));
    assert_eq!(where_read_runs(&db.using(kata::PRIMARY).unwrap()).await, (primary_port, false));
    assert_eq!(where_read_runs(&db.using("replica").unwrap()).await, (replica_port, true));

    // The standby's WAL position never moves ahead of the primary's: it only replays.
    eventually("the standby replays everything", || async move {
        let p: Vec<String> =
            db.using(kata::PRIMARY).unwrap().raw_query("SELECT pg_current_wal_lsn()::text", ()).await.ok()?;
        let r: Vec<String> = db.raw_query("SELECT pg_last_wal_replay_lsn()::text", ()).await.ok()?;
        (p == r).then_some(())
    })
    .await;
    db.close().await;
    setup.fresh.remove().await;
}

/// A `tracing` writer that keeps what it is given.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test]
async fn the_query_log_names_the_database_and_the_reason() {
    let Some((primary, replica)) = servers("the_query_log_names_the_database_and_the_reason") else { return };
    let _serial = SERIAL.lock().await;
    let setup = Setup::new("replica_log", &primary, &replica).await;
    let db = &setup.builder().connect().await.unwrap();
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    Note::objects().acreate(&db, [Note::body.set("logged")]).await.unwrap();
    NoteSeen::objects().alist(&db).await.unwrap();
    drop(guard);
    let log = captured.text();
    let ours =
        |what: &str| log.lines().find(|l| l.contains("kata::query") && l.contains(what)).map(str::to_owned);
    let insert = ours("INSERT").expect("the INSERT is logged");
    assert!(insert.contains(r#"db="default""#) && insert.contains(r#"route="write""#), "{insert}");
    let select = ours("note_seen").expect("the SELECT is logged");
    assert!(select.contains(r#"db="replica""#) && select.contains(r#"route="replica""#), "{select}");
    db.close().await;
    setup.fresh.remove().await;
}

#[tokio::test]
async fn read_your_writes_keeps_the_writing_task_on_the_primary() {
    let Some((primary, replica)) = servers("read_your_writes_keeps_the_writing_task_on_the_primary") else {
        return;
    };
    let _serial = SERIAL.lock().await;
    let setup = Setup::new("replica_ryw", &primary, &replica).await;
    let db = &setup.builder().read_your_writes(Duration::from_millis(800)).connect().await.unwrap();
    let (primary_port, replica_port) = (setup.primary_port, setup.replica_port);

    let writer = db.clone();
    let after_write = tokio::spawn(async move {
        Note::objects().acreate(&writer, [Note::body.set("mine")]).await.unwrap();
        // This task's read sees its write at once: the primary serves it.
        let seen = NoteSeen::objects().alist(&writer).await.unwrap();
        let here = where_read_runs(&writer).await;
        tokio::time::sleep(Duration::from_millis(900)).await;
        (seen, here, where_read_runs(&writer).await)
    });
    // Another task, meanwhile, still reads from the standby.
    let other = db.clone();
    let elsewhere = tokio::spawn(async move { where_read_runs(&other).await });
    let (seen, here, later) = after_write.await.unwrap();
    assert_eq!(seen.len(), 1);
    assert_eq!((seen[0].served_by, here), (primary_port, (primary_port, false)));
    assert_eq!(later, (replica_port, true), "the window is over: back to the standby");
    assert_eq!(elsewhere.await.unwrap(), (replica_port, true));
    db.close().await;
    setup.fresh.remove().await;
}

#[tokio::test]
async fn a_lagging_standby_is_skipped_until_it_catches_up() {
    let Some((primary, replica)) = servers("a_lagging_standby_is_skipped_until_it_catches_up") else {
        return;
    };
    let _serial = SERIAL.lock().await;
    let setup = Setup::new("replica_lag", &primary, &replica).await;
    let db = &setup
        .builder()
        .replica_max_lag(Duration::from_millis(300))
        .replica_check_interval(Duration::from_millis(100))
        .connect()
        .await
        .unwrap();
    let (primary_port, replica_port) = (setup.primary_port, setup.replica_port);
    // The standby may still be replaying the setup's writes (under load, longer than the
    // 300 ms allowed): reads move to it once it has caught up.
    eventually("the standby has caught up and serves reads", || async move {
        (where_read_runs(db).await == (replica_port, true)).then_some(())
    })
    .await;

    // The standby stops replaying; the primary goes on writing.
    let standby = db.using("replica").unwrap();
    standby.execute_unprepared("SELECT pg_wal_replay_pause()").await.unwrap();
    Note::objects().acreate(&db, [Note::body.set("ahead")]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let while_paused = where_read_runs(db).await;
    let rows_while_paused = NoteSeen::objects().alist(&db).await;
    standby.execute_unprepared("SELECT pg_wal_replay_resume()").await.unwrap();

    assert_eq!(while_paused, (primary_port, false), "a standby 800 ms behind is skipped");
    let rows = rows_while_paused.unwrap();
    assert_eq!(rows.len(), 1, "the primary serves the row the standby has not replayed");
    assert_eq!(rows[0].served_by, primary_port);
    eventually("the standby serves reads again", || async move {
        (where_read_runs(db).await == (replica_port, true)).then_some(())
    })
    .await;
    db.close().await;
    setup.fresh.remove().await;
}

/// Runs `scripts/pg-replica.sh` with `command`.
fn replica_script(command: &str) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg-replica.sh");
    let status = std::process::Command::new("bash").arg(script).arg(command).status().unwrap();
    assert!(status.success(), "scripts/pg-replica.sh {command} failed");
}

/// Starts the standby again however the test ends.
struct Resume;

impl Drop for Resume {
    fn drop(&mut self) {
        replica_script("resume");
    }
}

#[tokio::test]
async fn a_stopped_standby_falls_back_to_the_primary() {
    let Some((primary, replica)) = servers("a_stopped_standby_falls_back_to_the_primary") else { return };
    let _serial = SERIAL.lock().await;
    let setup = Setup::new("replica_down", &primary, &replica).await;
    let db = &setup.builder().replica_check_interval(Duration::from_millis(200)).connect().await.unwrap();
    let (primary_port, replica_port) = (setup.primary_port, setup.replica_port);
    Note::objects().acreate(&db, [Note::body.set("kept")]).await.unwrap();
    eventually("the standby has the row", || async move {
        (NoteSeen::objects().acount(&db).await.ok()? == 1).then_some(())
    })
    .await;
    assert_eq!(where_read_runs(db).await, (replica_port, true));

    let resume = Resume;
    replica_script("halt");
    // The pool still holds connections to the stopped server: the read that meets one
    // runs again on the primary, and the ones after skip the standby.
    for _ in 0..3 {
        assert_eq!(where_read_runs(db).await, (primary_port, false));
        let rows = NoteSeen::objects().alist(&db).await.unwrap();
        assert_eq!((rows.len(), rows[0].served_by), (1, primary_port));
    }
    Note::objects().acreate(&db, [Note::body.set("while down")]).await.unwrap();
    drop(resume);

    // Back up: after the check interval, reads return to the standby.
    eventually("the standby serves reads again", || async move {
        (where_read_runs(db).await == (replica_port, true)).then_some(())
    })
    .await;
    let rows = eventually("the standby catches up", || async move {
        let rows = NoteSeen::objects().alist(&db).await.ok()?;
        (rows.len() == 2).then_some(rows)
    })
    .await;
    assert!(rows.iter().all(|n| n.served_by == replica_port));
    db.close().await;
    setup.fresh.remove().await;
}
