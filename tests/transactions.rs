//! Transactions on every backend: `atomic` commits on `Ok` and rolls back on `Err` or a panic,
//! savepoints nest, `on_commit` callbacks follow the outermost commit only, a guard rolls back
//! when dropped, the futures are `Send`, and the tutorial's transactional endpoints.
//!
//! What a transaction left behind is read back through another pool on the same database,
//! so it is what was committed. Rollback tests run the failing work on a pool of one
//! connection and then commit more work on it: whatever the failed transaction left on that
//! connection would ride along with that commit.

mod common;

use std::sync::{Arc, Mutex};

use common::{Counter, User};
use kata::prelude::*;
use kata::{IsolationLevel, Retry, TransactionError};
use serde_json::{Value, json};

async fn setup(db: &Db) -> kata::Result<()> {
    db.create_tables(&[User::meta(), Counter::meta()]).await
}

/// Another pool on the test's database: it sees only what was committed.
async fn other_pool(db: &Db) -> kata::Result<Db> {
    Db::connect(db.url()).await
}

/// A pool of one connection on the test's database, so that each transaction reuses the
/// connection the one before it had.
async fn one_connection(db: &Db) -> kata::Result<Db> {
    Db::builder(db.url()).max_connections(1).connect().await
}

fn user(name: &str) -> User {
    User::new(name, &format!("{name}@example.com"))
}

/// The usernames `ex` sees, sorted.
async fn usernames(ex: &impl Executor) -> kata::Result<Vec<String>> {
    User::objects().order_by([User::username.asc()]).values_list(User::username).alist(ex).await
}

fn refused(why: &str) -> kata::Error {
    kata::Error::InvalidQuery(why.into())
}

/// What `on_commit` callbacks write down, in the order they ran.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    /// A callback that appends `entry`.
    fn note(&self, entry: &str) -> impl FnOnce() + Send + 'static {
        let (log, entry) = (self.clone(), entry.to_owned());
        move || log.push(entry)
    }

    fn push(&self, entry: String) {
        self.0.lock().expect("log lock").push(entry);
    }

    fn entries(&self) -> Vec<String> {
        self.0.lock().expect("log lock").clone()
    }

    /// How many callbacks (or other clones) still hold the log.
    fn holders(&self) -> usize {
        Arc::strong_count(&self.0) - 1
    }
}

// ---------------------------------------------------------------------------------------
// Commit and rollback
// ---------------------------------------------------------------------------------------

#[kata::test]
async fn atomic_commits_on_ok_and_another_pool_sees_every_row(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let (ann, bob) = db
        .atomic(async |tx| {
            let ann = User::objects().acreate(&tx, user("ann")).await?;
            let bob = User::objects().acreate(&tx, user("bob")).await?;
            assert_eq!(User::objects().acount(&tx).await?, 2, "the transaction sees its own rows");
            Ok::<_, kata::Error>((ann, bob))
        })
        .await?;
    assert!(ann.id > 0 && bob.id > ann.id, "keys assigned inside the transaction: {} {}", ann.id, bob.id);
    let other = other_pool(&db).await?;
    assert_eq!(usernames(&other).await?, ["ann", "bob"]);
    assert_eq!(User::objects().aget(&other, User::pk.eq(bob.id)).await?.username, "bob");
    other.close().await;
    Ok(())
}

/// An error type of the application's own: `atomic` hands it back unchanged.
#[derive(Debug)]
enum SignupError {
    Db(kata::Error),
    Closed(&'static str),
}

impl From<kata::Error> for SignupError {
    fn from(e: kata::Error) -> Self {
        SignupError::Db(e)
    }
}

#[kata::test]
async fn atomic_rolls_back_on_err_and_returns_the_closures_own_error(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let solo = one_connection(&db).await?;
    let result = solo
        .atomic(async |tx| {
            User::objects().acreate(&tx, user("ann")).await?;
            User::objects().acreate(&tx, user("bob")).await?;
            Err::<(), _>(SignupError::Closed("signups are closed"))
        })
        .await;
    assert!(matches!(result, Err(SignupError::Closed("signups are closed"))), "{result:?}");
    solo.atomic(async |tx| User::objects().acreate(&tx, user("cy")).await).await?;
    assert_eq!(usernames(&db).await?, ["cy"]);

    // A database error inside the work rolls back what came before it, too.
    let result = solo
        .atomic(async |tx| {
            User::objects().acreate(&tx, user("dee")).await?;
            User::objects().acreate(&tx, user("cy")).await?;
            Ok::<_, SignupError>(())
        })
        .await;
    match result {
        Err(SignupError::Db(e)) => assert!(e.is_integrity(kata::IntegrityKind::Unique), "{e:?}"),
        other => panic!("expected the unique violation, got {other:?}"),
    }
    solo.atomic(async |tx| User::objects().acreate(&tx, user("eve")).await).await?;
    assert_eq!(usernames(&db).await?, ["cy", "eve"]);
    solo.close().await;
    Ok(())
}

#[kata::test]
async fn atomic_rolls_back_when_the_work_panics(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let solo = one_connection(&db).await?;
    let crashed = tokio::spawn({
        let solo = solo.clone();
        async move {
            solo.atomic(async |tx| {
                User::objects().acreate(&tx, user("ann")).await?;
                if User::objects().acount(&tx).await? == 1 {
                    panic!("the handler crashed halfway (this panic is expected)");
                }
                Ok::<_, kata::Error>(())
            })
            .await
        }
    })
    .await;
    let join_error = crashed.expect_err("the task panicked");
    assert!(join_error.is_panic());

    // The same single connection commits the next transaction: "ann" must not come with it.
    solo.atomic(async |tx| User::objects().acreate(&tx, user("bob")).await).await?;
    assert_eq!(usernames(&db).await?, ["bob"]);
    solo.close().await;
    Ok(())
}

#[kata::test]
async fn a_panic_caught_with_catch_unwind_has_rolled_back_too(db: Db) -> kata::Result<()> {
    use futures_util::FutureExt as _;
    setup(&db).await?;
    let solo = one_connection(&db).await?;
    let work = solo.atomic(async |tx| {
        User::objects().acreate(&tx, user("ann")).await?;
        if usernames(&tx).await? == ["ann"] {
            panic!("the work panics after writing (this panic is expected)");
        }
        Ok::<_, kata::Error>(())
    });
    let caught = std::panic::AssertUnwindSafe(work).catch_unwind().await;
    assert!(caught.is_err(), "the work panicked");
    solo.atomic(async |tx| User::objects().acreate(&tx, user("bob")).await).await?;
    assert_eq!(usernames(&db).await?, ["bob"]);
    solo.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Savepoints
// ---------------------------------------------------------------------------------------

#[kata::test]
async fn a_failed_savepoint_rolls_back_its_own_work_and_the_outer_work_commits(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let inner = db
        .atomic(async |tx| {
            User::objects().acreate(&tx, user("ann")).await?;
            let inner: kata::Result<()> = tx
                .atomic(async |sp| {
                    assert!(sp.is_savepoint());
                    User::objects().acreate(&sp, user("bob")).await?;
                    Err(refused("undo bob"))
                })
                .await;
            assert_eq!(usernames(&tx).await?, ["ann"], "back at the savepoint, inside the transaction");
            User::objects().acreate(&tx, user("cy")).await?;
            Ok::<_, kata::Error>(inner)
        })
        .await?;
    assert!(matches!(inner, Err(kata::Error::InvalidQuery(ref why)) if why == "undo bob"), "{inner:?}");
    let other = other_pool(&db).await?;
    assert_eq!(usernames(&other).await?, ["ann", "cy"]);
    other.close().await;
    Ok(())
}

/// PostgreSQL aborts the whole transaction on an error; rolling back to the savepoint is
/// what makes it usable again, so the same code works on every backend.
#[kata::test]
async fn a_database_error_inside_a_savepoint_leaves_the_transaction_usable(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    db.atomic(async |tx| {
        User::objects().acreate(&tx, user("ann")).await?;
        let duplicate = tx.atomic(async |sp| User::objects().acreate(&sp, user("ann")).await).await;
        let err = duplicate.expect_err("a second ann breaks the unique constraint");
        assert!(err.is_integrity(kata::IntegrityKind::Unique), "{err:?}");
        User::objects().acreate(&tx, user("bob")).await?;
        Ok::<_, kata::Error>(())
    })
    .await?;
    let other = other_pool(&db).await?;
    assert_eq!(usernames(&other).await?, ["ann", "bob"]);
    other.close().await;
    Ok(())
}

/// Django's rule on every backend (PostgreSQL enforces it anyway): a statement that fails
/// outside a savepoint breaks the transaction, later queries refuse to run, and the commit
/// rolls everything back and says so, instead of reporting a commit that did not happen.
#[kata::test]
async fn a_database_error_outside_a_savepoint_breaks_the_transaction_and_nothing_commits(
    db: Db,
) -> kata::Result<()> {
    setup(&db).await?;
    let result = db
        .atomic(async |tx| {
            User::objects().acreate(&tx, user("ann")).await?;
            let duplicate = User::objects().acreate(&tx, user("ann")).await;
            assert!(duplicate.expect_err("unique").is_integrity(kata::IntegrityKind::Unique));
            let after = User::objects().acount(&tx).await;
            assert!(matches!(after, Err(kata::Error::Transaction(TransactionError::Broken))), "{after:?}");
            Ok::<_, kata::Error>(())
        })
        .await;
    assert!(matches!(result, Err(kata::Error::Transaction(TransactionError::RolledBack))), "{result:?}");
    let other = other_pool(&db).await?;
    assert!(usernames(&other).await?.is_empty(), "nothing of the broken transaction was committed");
    other.close().await;
    Ok(())
}

#[kata::test]
async fn savepoints_nest_three_deep_and_each_level_rolls_back_alone(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    db.atomic(async |tx| {
        User::objects().acreate(&tx, user("level1")).await?;
        tx.atomic(async |sp| {
            User::objects().acreate(&sp, user("level2")).await?;
            let deepest: kata::Result<()> = sp
                .atomic(async |sp2| {
                    User::objects().acreate(&sp2, user("level3_undone")).await?;
                    Err(refused("undo level 3"))
                })
                .await;
            assert!(deepest.is_err());
            sp.atomic(async |sp2| User::objects().acreate(&sp2, user("level3_kept")).await).await?;
            Ok::<_, kata::Error>(())
        })
        .await?;
        // A level-2 savepoint that fails takes the level-3 savepoint it released with it.
        let doomed: kata::Result<()> = tx
            .atomic(async |sp| {
                User::objects().acreate(&sp, user("doomed_level2")).await?;
                sp.atomic(async |sp2| User::objects().acreate(&sp2, user("doomed_level3")).await).await?;
                Err(refused("undo level 2"))
            })
            .await;
        assert!(doomed.is_err());
        Ok::<_, kata::Error>(())
    })
    .await?;
    let other = other_pool(&db).await?;
    assert_eq!(usernames(&other).await?, ["level1", "level2", "level3_kept"]);
    other.close().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// on_commit
// ---------------------------------------------------------------------------------------

#[kata::test]
async fn on_commit_callbacks_run_after_the_commit_in_registration_order(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let log = Log::default();
    let other = other_pool(&db).await?;
    db.atomic(async |tx| {
        tx.on_commit(log.note("first"));
        User::objects().acreate(&tx, user("ann")).await?;
        let (log, other) = (log.clone(), other.clone());
        tx.on_commit_async(async move {
            // Another pool sees the row: the commit has happened.
            let seen = User::objects().acount(&other).await.expect("count from another pool");
            log.push(format!("second saw {seen} user(s)"));
        });
        Ok::<_, kata::Error>(())
    })
    .await?;
    log.push("atomic returned".into());
    assert_eq!(log.entries(), ["first", "second saw 1 user(s)", "atomic returned"]);

    // Callbacks are registered with the work still uncommitted and run only after it.
    db.atomic(async |tx| {
        tx.on_commit(log.note("a"));
        tx.on_commit(log.note("b"));
        tx.on_commit(log.note("c"));
        assert_eq!(log.entries().len(), 3, "nothing new runs before the commit");
        Ok::<_, kata::Error>(())
    })
    .await?;
    assert_eq!(log.entries()[3..], ["a", "b", "c"]);
    assert_eq!(log.holders(), 0, "every callback was consumed");
    other.close().await;
    Ok(())
}

#[kata::test]
async fn on_commit_async_callbacks_are_awaited_before_atomic_returns_and_can_write(
    db: Db,
) -> kata::Result<()> {
    setup(&db).await?;
    let pool = db.clone();
    let user_id = db
        .atomic(async |tx| {
            let ann = User::objects().acreate(&tx, user("ann")).await?;
            // Work that must see the committed row, such as an audit record or a message.
            tx.on_commit_async(async move {
                let ann = User::objects().aget(&pool, User::pk.eq(ann.id)).await.expect("ann is committed");
                Counter::objects()
                    .acreate(
                        &pool,
                        [Counter::name.set(format!("welcome {}", ann.username)), Counter::n.set(ann.id)],
                    )
                    .await
                    .expect("write after commit");
            });
            Ok::<_, kata::Error>(ann.id)
        })
        .await?;
    let other = other_pool(&db).await?;
    let audit = Counter::objects().values_list((Counter::name, Counter::n)).alist(&other).await?;
    assert_eq!(audit, [("welcome ann".to_string(), user_id)]);
    other.close().await;
    Ok(())
}

#[kata::test]
async fn on_commit_callbacks_never_run_after_a_rollback(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let log = Log::default();

    let result = db
        .atomic(async |tx| {
            tx.on_commit(log.note("after Err"));
            let log = log.clone();
            tx.on_commit_async(async move { log.push("async after Err".into()) });
            User::objects().acreate(&tx, user("ann")).await?;
            Err::<(), _>(refused("no"))
        })
        .await;
    assert!(result.is_err());

    let tx = db.begin().await?;
    tx.on_commit(log.note("after rollback()"));
    tx.rollback().await?;

    let tx = db.begin().await?;
    tx.on_commit(log.note("after drop"));
    drop(tx);

    let task = tokio::spawn({
        let (db, log) = (db.clone(), log.clone());
        async move {
            db.atomic(async |tx| {
                tx.on_commit(log.note("after panic"));
                if User::objects().acount(&tx).await? == 0 {
                    panic!("the work panics (expected)");
                }
                Ok::<_, kata::Error>(())
            })
            .await
        }
    });
    assert!(task.await.is_err_and(|e| e.is_panic()));

    assert_eq!(log.entries(), Vec::<String>::new());
    assert_eq!(log.holders(), 0, "the callbacks of rolled-back transactions are dropped, not kept");
    assert_eq!(usernames(&db).await?, Vec::<String>::new());
    Ok(())
}

#[kata::test]
async fn on_commit_callbacks_of_a_rolled_back_savepoint_are_dropped_and_the_outer_ones_run(
    db: Db,
) -> kata::Result<()> {
    setup(&db).await?;
    let log = Log::default();
    db.atomic(async |tx| {
        tx.on_commit(log.note("outer before"));
        tx.atomic(async |sp| {
            sp.on_commit(log.note("released savepoint"));
            Ok::<_, kata::Error>(())
        })
        .await?;
        let undone: kata::Result<()> = tx
            .atomic(async |sp| {
                sp.on_commit(log.note("rolled-back savepoint"));
                sp.atomic(async |inner| {
                    inner.on_commit(log.note("released inside the rolled-back savepoint"));
                    Ok::<_, kata::Error>(())
                })
                .await?;
                Err(refused("undo"))
            })
            .await;
        assert!(undone.is_err());
        tx.atomic(async |sp| {
            sp.atomic(async |inner| {
                inner.on_commit(log.note("released two deep"));
                Ok::<_, kata::Error>(())
            })
            .await
        })
        .await?;
        tx.on_commit(log.note("outer after"));
        assert!(log.entries().is_empty());
        Ok::<_, kata::Error>(())
    })
    .await?;
    assert_eq!(log.entries(), ["outer before", "released savepoint", "released two deep", "outer after"]);
    assert_eq!(log.holders(), 0);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Guard style
// ---------------------------------------------------------------------------------------

#[kata::test]
async fn a_guard_dropped_without_commit_rolls_back(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let solo = one_connection(&db).await?;

    let tx = solo.begin().await?;
    User::objects().acreate(&tx, user("draft")).await?;
    assert_eq!(usernames(&tx).await?, ["draft"]);
    assert_eq!(usernames(&db).await?, Vec::<String>::new(), "not visible before a commit");
    drop(tx);

    let tx = solo.begin().await?;
    User::objects().acreate(&tx, user("kept")).await?;
    tx.commit().await?;

    let tx = solo.begin().await?;
    User::objects().acreate(&tx, user("undone")).await?;
    tx.rollback().await?;

    assert_eq!(usernames(&db).await?, ["kept"]);
    assert_eq!(usernames(&solo).await?, ["kept"]);
    solo.close().await;
    Ok(())
}

#[kata::test]
async fn a_clone_of_a_guard_kept_past_the_commit_refuses_queries(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let tx = db.begin().await?;
    let stale = tx.clone();
    User::objects().acreate(&stale, user("ann")).await?;
    tx.commit().await?;
    let late = User::objects().acreate(&stale, user("bob")).await;
    assert!(matches!(late, Err(kata::Error::Transaction(TransactionError::Ended))), "{late:?}");
    assert!(matches!(stale.commit().await, Err(kata::Error::Transaction(TransactionError::Ended))));
    assert_eq!(usernames(&db).await?, ["ann"]);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------

#[kata::test]
async fn isolation_levels_and_read_only_reach_the_database(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let ann = db
        .transaction()
        .isolation(IsolationLevel::Serializable)
        .atomic(async |tx| User::objects().acreate(&tx, user("ann")).await)
        .await?;
    let seen = db.transaction().read_only().atomic(async |tx| usernames(&tx).await).await?;
    assert_eq!(seen, ["ann"]);
    let write =
        db.transaction().read_only().atomic(async |tx| User::objects().acreate(&tx, user("bob")).await).await;
    let other_level = db
        .transaction()
        .isolation(IsolationLevel::ReadCommitted)
        .atomic(async |tx| {
            User::objects().filter(User::pk.eq(ann.id)).aupdate(&tx, [User::first_name.set("Ann")]).await
        })
        .await;
    if db.backend() == kata::Backend::Sqlite {
        // SQLite is always serializable, and a read-only (deferred) transaction may still write.
        assert!(
            matches!(other_level, Err(kata::Error::Config(kata::ConfigError::Unsupported { .. }))),
            "{other_level:?}"
        );
        assert!(write.is_ok(), "{write:?}");
    } else {
        assert_eq!(other_level?, 1);
        assert!(
            matches!(write, Err(kata::Error::Database(_))),
            "a read-only transaction refuses writes: {write:?}"
        );
        assert_eq!(usernames(&db).await?, ["ann"]);
    }
    Ok(())
}

#[kata::test]
async fn select_for_update_outside_a_transaction_is_invalid_query(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    User::objects().acreate(&db, user("ann")).await?;
    let outside = User::objects().select_for_update().alist(&db).await;
    assert!(matches!(outside, Err(kata::Error::InvalidQuery(_))), "{outside:?}");
    let outside = User::objects().select_for_update().aget(&db, User::username.eq("ann")).await;
    assert!(matches!(outside, Err(kata::Error::InvalidQuery(_))), "{outside:?}");
    let outside = User::objects().select_for_update().values_list(User::id).alist(&db).await;
    assert!(matches!(outside, Err(kata::Error::InvalidQuery(_))), "{outside:?}");

    // Inside a transaction it runs on every backend (on SQLite it adds nothing).
    let locked = db.atomic(async |tx| User::objects().select_for_update().alist(&tx).await).await?;
    assert_eq!(locked.len(), 1);
    if db.backend() == kata::Backend::Sqlite {
        let nowait =
            db.atomic(async |tx| User::objects().select_for_update().nowait().alist(&tx).await).await;
        assert!(matches!(nowait, Err(kata::Error::InvalidQuery(_))), "SQLite has no row locks: {nowait:?}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// `Send`: transactions in spawned tasks, with closures that borrow
// ---------------------------------------------------------------------------------------

/// Fails to compile unless the future is `Send`.
fn assert_send<F: std::future::Future + Send>(future: F) -> F {
    future
}

/// A handler that borrows its arguments, as web handlers do.
async fn create_all(db: &Db, names: &[String], domain: &str) -> kata::Result<usize> {
    db.atomic(async |tx| {
        for name in names {
            User::objects().acreate(&tx, User::new(name, &format!("{name}@{domain}"))).await?;
        }
        tx.atomic(async |sp| User::objects().filter(User::username.eq(names[0].as_str())).acount(&sp).await)
            .await?;
        Ok::<_, kata::Error>(names.len())
    })
    .await
}

#[kata::test]
async fn atomic_and_atomic_with_futures_are_send_with_closures_that_borrow_locals(
    db: Db,
) -> kata::Result<()> {
    setup(&db).await?;
    let task = tokio::spawn({
        let db = db.clone();
        async move {
            let names: Vec<String> = vec!["ann".into(), "bob".into()];
            let domain = String::from("example.com");
            let domain: &str = &domain;
            let names_ref: &Vec<String> = &names;

            let created = assert_send(create_all(&db, &names[..1], domain)).await?;

            let created_here = assert_send(db.atomic(async |tx| {
                User::objects()
                    .acreate(&tx, User::new(&names_ref[1], &format!("{}@{domain}", names_ref[1])))
                    .await?;
                tx.on_commit(|| ());
                Ok::<_, kata::Error>(1)
            }))
            .await?;

            let attempts = std::sync::atomic::AtomicU32::new(0);
            let renamed = assert_send(db.transaction().atomic_with(Retry::on_conflict(3), async |tx| {
                attempts.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                User::objects()
                    .filter(User::username.eq(names_ref[0].as_str()))
                    .aupdate(&tx, [User::first_name.set(domain)])
                    .await
            }))
            .await?;

            let read =
                assert_send(db.transaction().read_only().atomic(async |tx| {
                    User::objects().filter(User::first_name.eq(domain)).acount(&tx).await
                }))
                .await?;
            Ok::<_, kata::Error>((created + created_here, renamed, read, attempts.into_inner()))
        }
    });
    let (created, renamed, read, attempts) = task.await.expect("the task did not panic")?;
    assert_eq!((created, renamed, read, attempts), (2, 1, 1, 1));
    assert_eq!(usernames(&db).await?, ["ann", "bob"]);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The tutorial's "async transaction" endpoints
// ---------------------------------------------------------------------------------------

/// One entry of the body of `POST /bulk-create`.
#[derive(Debug, Clone, serde::Deserialize)]
struct UserData {
    username: String,
    email: String,
}

fn user_data(username: &str) -> UserData {
    UserData { username: username.into(), email: format!("{username}@example.com") }
}

/// `POST /bulk-create`. The tutorial needs `@sync_to_async @transaction.atomic` around a
/// sync function because Django's transactions do not work in async code; kata's do.
async fn bulk_create_users(db: &Db, users_data: &[UserData]) -> Value {
    let created = db
        .atomic(async |tx| {
            let mut created_users = Vec::new();
            for user_data in users_data {
                let user = User::objects()
                    .acreate(
                        &tx,
                        [
                            User::username.set(user_data.username.as_str()),
                            User::email.set(user_data.email.as_str()),
                        ],
                    )
                    .await?;
                created_users.push(user);
            }
            Ok::<_, kata::Error>(created_users)
        })
        .await;
    match created {
        Ok(users) => json!({"created": users.len(), "success": true}),
        Err(e) => json!({"error": e.to_string(), "success": false}),
    }
}

/// `POST /async-transaction-example`: `async with transaction.atomic(): user = await
/// User.objects.acreate(**user_data)`.
async fn async_transaction_example(db: &Db, user_data: UserData) -> Value {
    let created = db
        .atomic(async |tx| {
            let user = User::objects()
                .acreate(&tx, [User::username.set(user_data.username), User::email.set(user_data.email)])
                .await?;
            // More async work in the same transaction would go here.
            Ok::<_, kata::Error>(user)
        })
        .await;
    match created {
        Ok(user) => json!({"user_id": user.id, "success": true}),
        Err(e) => json!({"error": e.to_string(), "success": false}),
    }
}

#[kata::test]
async fn tutorial_bulk_create_users_creates_all_or_nothing(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let good = [user_data("ann"), user_data("bob"), user_data("cy")];
    assert_eq!(bulk_create_users(&db, &good).await, json!({"created": 3, "success": true}));

    // The third user clashes with an existing one: the two before it are rolled back.
    let bad = [user_data("dee"), user_data("eve"), user_data("ann")];
    let answer = bulk_create_users(&db, &bad).await;
    assert_eq!(answer["success"], json!(false), "{answer}");
    let error = answer["error"].as_str().unwrap_or_default();
    assert!(error.contains("auth_user_username_key"), "names the broken constraint: {error}");

    let other = other_pool(&db).await?;
    assert_eq!(usernames(&other).await?, ["ann", "bob", "cy"]);
    other.close().await;
    Ok(())
}

#[kata::test]
async fn tutorial_async_transaction_example_returns_the_new_id_or_the_error(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let answer = async_transaction_example(&db, user_data("ann")).await;
    assert_eq!(answer["success"], json!(true), "{answer}");
    let id = answer["user_id"].as_i64().unwrap_or_default();
    assert_eq!(User::objects().aget(&db, User::pk.eq(id)).await?.username, "ann");

    let answer = async_transaction_example(&db, user_data("ann")).await;
    assert_eq!(answer["success"], json!(false), "{answer}");
    assert!(answer["error"].as_str().is_some_and(|e| e.contains("auth_user_username_key")), "{answer}");
    assert_eq!(User::objects().acount(&db).await?, 1);
    Ok(())
}
