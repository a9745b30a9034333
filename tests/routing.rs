//! Routing between several databases, on every backend: a second fresh database plays the
//! "replica" (nothing replicates to it, so which one a query read is told by what it
//! found). The real streaming replica is tests/replicas.rs.

use std::time::Duration;

use kata::prelude::*;
use kata::testing::FreshDatabase;
use kata::{Backend, ConfigError, ModelInfo, PRIMARY, Router};

#[derive(Model, Debug, Clone, PartialEq)]
struct Tag {
    #[kata(primary_key, auto)]
    id: i64,
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "audit_log")]
struct AuditLog {
    #[kata(primary_key, auto)]
    id: i64,
    line: String,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Another fresh database on the test database's server.
async fn another(db: &Db, label: &str) -> FreshDatabase {
    let server = match db.backend() {
        Backend::Sqlite => None,
        Backend::Postgres => env("KATA_TEST_POSTGRES"),
        _ => env("KATA_TEST_MYSQL"),
    };
    let fresh = FreshDatabase::create(db.backend(), server.as_deref(), label).await.unwrap();
    fresh.db().create_tables(&[Tag::meta(), AuditLog::meta()]).await.unwrap();
    fresh
}

/// A URL on the test's backend where no server answers.
fn nowhere(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite:///kata-no-such-directory/replica.db",
        Backend::Postgres => "postgres://postgres@127.0.0.1:1/none",
        _ => "mysql://root@127.0.0.1:1/none",
    }
}

async fn names(ex: &impl Executor) -> Vec<String> {
    Tag::objects().order_by([Tag::name.asc()]).values_list(Tag::name).alist(ex).await.unwrap()
}

#[kata::test]
async fn reads_go_to_the_replica_and_writes_transactions_and_locks_to_the_primary(db: Db) {
    db.create_tables(&[Tag::meta(), AuditLog::meta()]).await.unwrap();
    let replica = another(&db, "routing_replica").await;
    Tag::objects().acreate(replica.db(), [Tag::name.set("only on the replica")]).await.unwrap();
    let routed = Db::builder(db.url()).replica("replica", replica.db().url()).connect().await.unwrap();
    assert_eq!(routed.databases(), [PRIMARY, "replica"]);
    assert_eq!(routed.replicas(), ["replica"]);

    Tag::objects().acreate(&routed, [Tag::name.set("written")]).await.unwrap();
    assert_eq!(names(&db).await, ["written"], "the write went to the primary");
    assert_eq!(names(&routed).await, ["only on the replica"], "the read went to the replica");
    assert_eq!(Tag::objects().acount(&routed).await.unwrap(), 1);
    let raw: Vec<String> = routed.raw_query("SELECT name FROM tag", ()).await.unwrap();
    assert_eq!(raw, ["only on the replica"]);

    // Updates and deletes go to the primary.
    Tag::objects().aupdate(&routed, [Tag::name.set("updated")]).await.unwrap();
    assert_eq!(names(&db).await, ["updated"]);
    assert_eq!(names(replica.db()).await, ["only on the replica"]);

    // Everything in a transaction runs on the primary, locking reads included.
    let in_tx = routed
        .atomic(async |tx| {
            let locked = Tag::objects().select_for_update().values_list(Tag::name).alist(&tx).await?;
            Ok::<_, kata::Error>((names(&tx).await, locked))
        })
        .await
        .unwrap();
    assert_eq!(in_tx, (vec!["updated".to_string()], vec!["updated".to_string()]));

    // Pinned: on the query, or a handle pinned to a database (writes too).
    assert_eq!(names(&routed.using(PRIMARY).unwrap()).await, ["updated"]);
    let pinned: Vec<String> =
        Tag::objects().using(PRIMARY).values_list(Tag::name).alist(&routed).await.unwrap();
    assert_eq!(pinned, ["updated"]);
    Tag::objects().acreate(&routed.using("replica").unwrap(), [Tag::name.set("pinned write")]).await.unwrap();
    assert_eq!(names(replica.db()).await, ["only on the replica", "pinned write"]);
    let deleted =
        Tag::objects().using("replica").filter(Tag::name.eq("pinned write")).adelete(&routed).await.unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(names(replica.db()).await, ["only on the replica"]);

    routed.close().await;
    replica.remove().await;
}

#[derive(Debug)]
struct AuditElsewhere;

impl Router for AuditElsewhere {
    fn db_for_read(&self, model: Option<ModelInfo>) -> Option<&str> {
        model.filter(|m| m.name == "AuditLog").map(|_| "audit")
    }
    fn db_for_write(&self, model: Option<ModelInfo>) -> Option<&str> {
        self.db_for_read(model)
    }
}

#[kata::test]
async fn a_router_sends_a_models_reads_and_writes_to_its_database(db: Db) {
    db.create_tables(&[Tag::meta(), AuditLog::meta()]).await.unwrap();
    let audit = another(&db, "routing_audit").await;
    let routed = Db::builder(db.url())
        .database("audit", audit.db().url())
        .router(AuditElsewhere)
        .connect()
        .await
        .unwrap();
    AuditLog::objects().acreate(&routed, [AuditLog::line.set("signed in")]).await.unwrap();
    Tag::objects().acreate(&routed, [Tag::name.set("rust")]).await.unwrap();
    assert_eq!(AuditLog::objects().acount(audit.db()).await.unwrap(), 1);
    assert_eq!(AuditLog::objects().acount(&db).await.unwrap(), 0);
    assert_eq!(Tag::objects().acount(&db).await.unwrap(), 1);
    assert_eq!(AuditLog::objects().acount(&routed).await.unwrap(), 1, "reads follow the router too");
    // A write of several statements opens its transaction on the router's database too.
    let many: Vec<AuditLog> = (0..1200).map(|n| AuditLog { id: 0, line: format!("line {n}") }).collect();
    AuditLog::objects().abulk_create_batched(&routed, many, 500).await.unwrap();
    assert_eq!(AuditLog::objects().acount(audit.db()).await.unwrap(), 1201);
    assert_eq!(AuditLog::objects().acount(&db).await.unwrap(), 0);
    // A query's own `using` wins over the router.
    assert_eq!(AuditLog::objects().using(PRIMARY).acount(&routed).await.unwrap(), 0);
    routed.close().await;
    audit.remove().await;
}

#[kata::test]
async fn read_your_writes_keeps_the_writing_task_on_the_primary_for_the_window(db: Db) {
    db.create_tables(&[Tag::meta(), AuditLog::meta()]).await.unwrap();
    let replica = another(&db, "routing_ryw").await;
    let routed = Db::builder(db.url())
        .replica("replica", replica.db().url())
        .read_your_writes(Duration::from_millis(400))
        .connect()
        .await
        .unwrap();
    let writer = routed.clone();
    let task = tokio::spawn(async move {
        Tag::objects().acreate(&writer, [Tag::name.set("mine")]).await.unwrap();
        let right_after = names(&writer).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        (right_after, names(&writer).await)
    });
    let reader = routed.clone();
    let other = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        names(&reader).await
    });
    let (right_after, later) = task.await.unwrap();
    assert_eq!(right_after, ["mine"], "the writer reads its write from the primary");
    assert!(later.is_empty(), "after the window, the replica again: {later:?}");
    assert!(other.await.unwrap().is_empty(), "another task reads from the replica meanwhile");
    routed.close().await;
    replica.remove().await;
}

#[kata::test]
async fn a_replica_that_cannot_be_reached_is_skipped(db: Db) {
    db.create_tables(&[Tag::meta(), AuditLog::meta()]).await.unwrap();
    Tag::objects().acreate(&db, [Tag::name.set("on the primary")]).await.unwrap();
    let routed = Db::builder(db.url())
        .replica("down", nowhere(db.backend()))
        .replica_timeout(Duration::from_millis(300))
        .connect()
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(names(&routed).await, ["on the primary"]);
    }
    // Pinned to it, there is no fallback: the error says so.
    assert!(Tag::objects().using("down").acount(&routed).await.is_err());
    routed.close().await;
}

#[kata::test]
async fn an_unknown_database_is_a_config_error(db: Db) {
    db.create_tables(&[Tag::meta(), AuditLog::meta()]).await.unwrap();
    assert_eq!(db.databases(), [PRIMARY]);
    assert!(db.replicas().is_empty());
    assert_eq!(names(&db.using(PRIMARY).unwrap()).await, Vec::<String>::new());
    let unknown = db.using("reports").unwrap_err();
    assert!(
        matches!(unknown, kata::Error::Config(ConfigError::UnknownDatabase { ref alias, .. }) if alias == "reports")
    );
    let err = Tag::objects().using("reports").acount(&db).await.unwrap_err();
    assert!(matches!(err, kata::Error::Config(ConfigError::UnknownDatabase { .. })), "{err}");
    let extra = another(&db, "routing_unknown").await;
    let routed = Db::builder(db.url()).database("extra", extra.db().url()).connect().await.unwrap();
    let err = Tag::objects().using("reports").acount(&routed).await.unwrap_err();
    assert!(err.to_string().contains("default, extra"), "{err}");
    routed.close().await;
    extra.remove().await;
}
