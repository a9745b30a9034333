//! Many tokio tasks on one pool: `F` increments and `select_for_update` read-modify-writes
//! lose no update, a deliberate deadlock finishes under `Retry::on_conflict`, `skip_locked`
//! hands each queued job to exactly one worker, SQLite writers queue instead of failing,
//! and the failures around transactions: a killed backend, an exhausted pool, `nowait`.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use common::{Counter, User};
use kata::Retry;
use kata::prelude::*;
use tokio::sync::Barrier;
use tokio::task::JoinSet;

async fn setup(db: &Db) -> kata::Result<()> {
    db.create_tables(&[User::meta(), Counter::meta(), Job::meta()]).await
}

async fn counter(db: &Db, name: &str) -> kata::Result<Counter> {
    Counter::objects().acreate(db, [Counter::name.set(name)]).await
}

/// Another pool on the test's database: it sees only what was committed.
async fn other_pool(db: &Db) -> kata::Result<Db> {
    Db::connect(db.url()).await
}

/// Waits for every task, failing on the first that panicked or returned an error.
async fn join_all<T: 'static>(mut tasks: JoinSet<kata::Result<T>>) -> kata::Result<Vec<T>> {
    let mut out = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        out.push(joined.expect("no task panicked")?);
    }
    Ok(out)
}

/// The SQLSTATE of a database error, if it is one.
fn sqlstate(err: &kata::Error) -> Option<String> {
    match err {
        kata::Error::Database(e) => e.as_database_error().and_then(|d| d.code()).map(|c| c.into_owned()),
        _ => None,
    }
}

/// A queued job for the `skip_locked` workers.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "queue_job")]
struct Job {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(default = false)]
    done: bool,
    /// The worker that did it.
    worker: Option<i64>,
    /// How many times a worker did it: exactly once is right.
    #[kata(default = 0)]
    handled: i32,
}

#[kata::test(backends = "postgres,mysql")]
async fn f_increments_from_50_concurrent_tasks_leave_exactly_200(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let hits = counter(&db, "hits").await?;
    let mut tasks = JoinSet::new();
    for _ in 0..50 {
        let db = db.clone();
        tasks.spawn(async move {
            for _ in 0..4 {
                let n = Counter::objects()
                    .filter(Counter::id.eq(hits.id))
                    .aupdate(&db, [Counter::n.set(F(Counter::n) + 1)])
                    .await?;
                assert_eq!(n, 1);
            }
            kata::Result::Ok(())
        });
    }
    assert_eq!(join_all(tasks).await?.len(), 50);
    let other = other_pool(&db).await?;
    assert_eq!(Counter::objects().aget(&other, Counter::id.eq(hits.id)).await?.n, 200);
    other.close().await;
    Ok(())
}

#[kata::test(backends = "postgres,mysql")]
async fn read_modify_write_under_select_for_update_from_50_tasks_loses_no_increment(
    db: Db,
) -> kata::Result<()> {
    setup(&db).await?;
    let hits = counter(&db, "hits").await?;
    let mut tasks = JoinSet::new();
    for _ in 0..50 {
        let db = db.clone();
        tasks.spawn(async move {
            for _ in 0..4 {
                db.atomic(async |tx| {
                    let current =
                        Counter::objects().select_for_update().aget(&tx, Counter::id.eq(hits.id)).await?;
                    Counter::objects()
                        .filter(Counter::id.eq(hits.id))
                        .aupdate(&tx, [Counter::n.set(current.n + 1)])
                        .await?;
                    Ok::<_, kata::Error>(())
                })
                .await?;
            }
            kata::Result::Ok(())
        });
    }
    assert_eq!(join_all(tasks).await?.len(), 50);
    let other = other_pool(&db).await?;
    assert_eq!(Counter::objects().aget(&other, Counter::id.eq(hits.id)).await?.n, 200);
    other.close().await;
    Ok(())
}

/// Locks one counter row in `tx`.
async fn lock_row(tx: &Transaction, id: i64) -> kata::Result<Counter> {
    Counter::objects().select_for_update().aget(tx, Counter::id.eq(id)).await
}

#[kata::test(backends = "postgres,mysql")]
async fn two_transactions_that_deadlock_both_finish_under_retry_on_conflict(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let a = counter(&db, "a").await?;
    let b = counter(&db, "b").await?;
    // Both transactions hold their first row before either asks for its second.
    let barrier = Arc::new(Barrier::new(2));
    let transfer = |first: i64, second: i64| {
        let (db, barrier) = (db.clone(), barrier.clone());
        tokio::spawn(async move {
            let runs = AtomicU32::new(0);
            db.transaction()
                .atomic_with(Retry::on_conflict(5), async |tx| {
                    let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
                    lock_row(&tx, first).await?;
                    if run == 1 {
                        barrier.wait().await;
                    }
                    lock_row(&tx, second).await?;
                    Counter::objects()
                        .filter(Counter::id.is_in([first, second]))
                        .aupdate(&tx, [Counter::n.set(F(Counter::n) + 1)])
                        .await?;
                    Ok::<_, kata::Error>(run)
                })
                .await
        })
    };
    let a_then_b = transfer(a.id, b.id);
    let b_then_a = transfer(b.id, a.id);
    let runs_ab = a_then_b.await.expect("no panic")?;
    let runs_ba = b_then_a.await.expect("no panic")?;
    assert_eq!(
        runs_ab + runs_ba,
        3,
        "the database broke the deadlock by failing exactly one of them, which ran again ({runs_ab} and {runs_ba} runs)"
    );
    let other = other_pool(&db).await?;
    let counts =
        Counter::objects().order_by([Counter::name.asc()]).values_list(Counter::n).alist(&other).await?;
    assert_eq!(counts, [2, 2], "both transfers committed once each");
    other.close().await;
    Ok(())
}

/// The classic write skew: two doctors on call, each going off call only if the other
/// is still on. Under `SERIALIZABLE` one of the two transactions fails (a serialization
/// failure on PostgreSQL, a deadlock on MariaDB's locking reads) and its retry sees the
/// other's commit; under the default levels both would go off call.
#[kata::test(backends = "postgres,mysql")]
async fn serializable_retries_prevent_write_skew_and_one_doctor_stays_on_call(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let ann = User::objects().acreate(&db, User::new("ann", "ann@example.com")).await?;
    let bob = User::objects().acreate(&db, User::new("bob", "bob@example.com")).await?;
    let barrier = Arc::new(Barrier::new(2));
    let go_off_call = |doctor: i64| {
        let (db, barrier) = (db.clone(), barrier.clone());
        tokio::spawn(async move {
            let runs = AtomicU32::new(0);
            let went_off = db
                .transaction()
                .isolation(kata::IsolationLevel::Serializable)
                .atomic_with(Retry::on_conflict(5), async |tx| {
                    let run = runs.fetch_add(1, Ordering::SeqCst) + 1;
                    let on_call = User::objects().filter(User::is_active.eq(true)).acount(&tx).await?;
                    if run == 1 {
                        // Both have read two doctors on call before either writes.
                        barrier.wait().await;
                    }
                    if on_call < 2 {
                        return Ok(false);
                    }
                    User::objects()
                        .filter(User::pk.eq(doctor))
                        .aupdate(&tx, [User::is_active.set(false)])
                        .await?;
                    Ok::<_, kata::Error>(true)
                })
                .await?;
            Ok::<_, kata::Error>((went_off, runs.into_inner()))
        })
    };
    let ann_task = go_off_call(ann.id);
    let bob_task = go_off_call(bob.id);
    let (ann_off, ann_runs) = ann_task.await.expect("no panic")?;
    let (bob_off, bob_runs) = bob_task.await.expect("no panic")?;
    assert!(ann_off ^ bob_off, "exactly one went off call: ann {ann_off}, bob {bob_off}");
    assert_eq!(
        ann_runs + bob_runs,
        3,
        "the one that stayed was retried once ({ann_runs} and {bob_runs} runs)"
    );
    let other = other_pool(&db).await?;
    assert_eq!(User::objects().filter(User::is_active.eq(true)).acount(&other).await?, 1);
    other.close().await;
    Ok(())
}

#[kata::test(backends = "postgres,mysql")]
async fn skip_locked_hands_each_of_100_jobs_to_exactly_one_of_10_workers(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let jobs = (0..100).map(|_| Job { id: 0, done: false, worker: None, handled: 0 }).collect();
    let queued: BTreeSet<i64> =
        Job::objects().abulk_create(&db, jobs).await?.into_iter().map(|j| j.id).collect();
    assert_eq!(queued.len(), 100);

    let mut workers = JoinSet::new();
    for worker in 0..10_i64 {
        let db = db.clone();
        workers.spawn(async move {
            let mut mine = Vec::new();
            loop {
                let taken = db
                    .atomic(async |tx| {
                        let next = Job::objects()
                            .filter(Job::done.eq(false))
                            .order_by([Job::id.asc()])
                            .select_for_update()
                            .skip_locked()
                            .limit(1)
                            .alist(&tx)
                            .await?;
                        let Some(job) = next.into_iter().next() else { return Ok(None) };
                        Job::objects()
                            .filter(Job::id.eq(job.id))
                            .aupdate(
                                &tx,
                                [
                                    Job::done.set(true),
                                    Job::worker.set(Some(worker)),
                                    Job::handled.set(F(Job::handled) + 1),
                                ],
                            )
                            .await?;
                        Ok::<_, kata::Error>(Some(job.id))
                    })
                    .await?;
                match taken {
                    Some(id) => mine.push(id),
                    None => return kata::Result::Ok((worker, mine)),
                }
            }
        });
    }
    let reports = join_all(workers).await?;

    let mut taken = BTreeSet::new();
    for (_, ids) in &reports {
        for id in ids {
            assert!(taken.insert(*id), "job {id} was handed out twice");
        }
    }
    assert_eq!(taken, queued, "every job was handed out");
    let other = other_pool(&db).await?;
    let rows = Job::objects().order_by([Job::id.asc()]).alist(&other).await?;
    assert_eq!(rows.len(), 100);
    for job in &rows {
        assert!(job.done, "{job:?}");
        assert_eq!(job.handled, 1, "{job:?}");
        let (reported_by, _) =
            reports.iter().find(|(_, ids)| ids.contains(&job.id)).expect("some worker reported the job");
        assert_eq!(job.worker, Some(*reported_by), "{job:?}");
    }
    other.close().await;
    Ok(())
}

#[kata::test(backends = "sqlite")]
async fn eight_sqlite_writer_tasks_of_many_small_transactions_never_hit_database_is_locked(
    db: Db,
) -> kata::Result<()> {
    setup(&db).await?;
    assert!(!db.url().contains(":memory:"), "the test database is a file: {}", db.url());
    let bumps = counter(&db, "bumps").await?;
    let reads = counter(&db, "read-modify-write").await?;
    let mut writers = JoinSet::new();
    for writer in 0..8 {
        let db = db.clone();
        writers.spawn(async move {
            for i in 0..40 {
                db.atomic(async |tx| {
                    User::objects()
                        .acreate(&tx, User::new(&format!("w{writer}_{i}"), "w@example.com"))
                        .await?;
                    Counter::objects()
                        .filter(Counter::id.eq(bumps.id))
                        .aupdate(&tx, [Counter::n.set(F(Counter::n) + 1)])
                        .await?;
                    // A read then a write: BEGIN IMMEDIATE makes it safe without row locks.
                    let current =
                        Counter::objects().select_for_update().aget(&tx, Counter::id.eq(reads.id)).await?;
                    Counter::objects()
                        .filter(Counter::id.eq(reads.id))
                        .aupdate(&tx, [Counter::n.set(current.n + 1)])
                        .await?;
                    Ok::<_, kata::Error>(())
                })
                .await?;
            }
            kata::Result::Ok(())
        });
    }
    // An error here would be SQLITE_BUSY, "database is locked".
    assert_eq!(join_all(writers).await?.len(), 8);
    let other = other_pool(&db).await?;
    assert_eq!(User::objects().acount(&other).await?, 320);
    assert_eq!(Counter::objects().aget(&other, Counter::id.eq(bumps.id)).await?.n, 320);
    assert_eq!(Counter::objects().aget(&other, Counter::id.eq(reads.id)).await?.n, 320);
    other.close().await;
    Ok(())
}

/// The PostgreSQL server process behind the connection that reads it: a view over
/// `pg_backend_pid()`, so that a kata query through a transaction can read it.
#[derive(Model, Debug)]
#[kata(table = "session_backend")]
struct SessionBackend {
    #[kata(primary_key)]
    pid: i32,
}

#[kata::test(backends = "postgres")]
async fn a_transaction_whose_backend_is_terminated_fails_leaves_no_rows_and_the_pool_recovers(
    db: Db,
) -> kata::Result<()> {
    setup(&db).await?;
    db.execute_unprepared("CREATE VIEW session_backend AS SELECT pg_backend_pid() AS pid").await?;
    // One connection, so the query after the failure needs the pool to replace it.
    let solo = Db::builder(db.url()).max_connections(1).connect().await?;
    let result = solo
        .atomic(async |tx| {
            User::objects().acreate(&tx, User::new("ann", "ann@example.com")).await?;
            User::objects().acreate(&tx, User::new("bob", "bob@example.com")).await?;
            let pids = SessionBackend::objects().values_list(SessionBackend::pid).alist(&tx).await?;
            assert_eq!(pids.len(), 1);
            // From another connection: end the transaction's server process, waiting (up
            // to 10 s) until it is gone.
            db.execute_unprepared(&format!("SELECT pg_terminate_backend({}, 10000)", pids[0]))
                .await
                .expect("another connection may terminate the backend");
            User::objects().acreate(&tx, User::new("cy", "cy@example.com")).await?;
            Ok::<_, kata::Error>(())
        })
        .await;
    let err = result.expect_err("the connection was killed under the transaction");
    assert_eq!(sqlstate(&err).as_deref(), Some("57P01"), "terminated by the administrator: {err:?}");
    assert!(!err.is_conflict(), "{err:?}");

    assert_eq!(User::objects().acount(&db).await?, 0, "nothing of the killed transaction was committed");
    assert_eq!(User::objects().acount(&solo).await?, 0, "the pool's next query runs on a new connection");
    solo.atomic(async |tx| User::objects().acreate(&tx, User::new("dee", "dee@example.com")).await).await?;
    let names = User::objects().values_list(User::username).alist(&db).await?;
    assert_eq!(names, ["dee"]);
    solo.close().await;
    Ok(())
}

#[kata::test]
async fn a_query_waiting_for_the_only_connection_held_by_a_transaction_gets_pool_timed_out(
    db: Db,
) -> kata::Result<()> {
    setup(&db).await?;
    let solo = Db::builder(db.url())
        .max_connections(1)
        .acquire_timeout(Duration::from_millis(200))
        .connect()
        .await?;
    let tx = solo.begin().await?;
    User::objects().acreate(&tx, User::new("ann", "ann@example.com")).await?;

    let waiting = User::objects().acount(&solo).await;
    assert!(matches!(waiting, Err(kata::Error::PoolTimedOut)), "{waiting:?}");
    let nested = solo.atomic(async |other| User::objects().acount(&other).await).await;
    assert!(matches!(nested, Err(kata::Error::PoolTimedOut)), "{nested:?}");
    let guard = solo.begin().await;
    assert!(matches!(guard, Err(kata::Error::PoolTimedOut)), "{:?}", guard.map(|_| ()));

    tx.commit().await?;
    assert_eq!(User::objects().acount(&solo).await?, 1, "the connection is free again");
    solo.close().await;
    Ok(())
}

#[kata::test(backends = "postgres,mysql")]
async fn nowait_on_a_row_locked_by_another_transaction_fails_at_once(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let row = counter(&db, "busy").await?;
    let holder = db.begin().await?;
    lock_row(&holder, row.id).await?;

    let locked = Counter::objects().filter(Counter::id.eq(row.id)).select_for_update();
    // Without NOWAIT this would wait for the holder (for ever on PostgreSQL, 50 s on
    // MariaDB); the timeout is only a safety net.
    let attempt = tokio::time::timeout(
        Duration::from_secs(20),
        db.atomic(async |tx| locked.clone().nowait().alist(&tx).await),
    )
    .await
    .expect("NOWAIT does not wait for the lock");
    let err = attempt.expect_err("the row is locked");
    if db.backend() == kata::Backend::Postgres {
        assert_eq!(sqlstate(&err).as_deref(), Some("55P03"), "lock not available: {err:?}");
    } else {
        // MariaDB answers NOWAIT with error 1205, its lock wait timeout.
        assert!(err.to_string().contains("Lock wait timeout exceeded"), "{err:?}");
    }

    // skip_locked skips the same row instead of failing.
    let skipped = db.atomic(async |tx| locked.clone().skip_locked().alist(&tx).await).await?;
    assert!(skipped.is_empty(), "{skipped:?}");

    holder.rollback().await?;
    let free = db.atomic(async |tx| locked.clone().nowait().alist(&tx).await).await?;
    assert_eq!(free.len(), 1);
    Ok(())
}
