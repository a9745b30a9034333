//! Migrations beyond the walk: conflicting leaves and `makemigrations --merge`,
//! `squashmigrations` (optimised operations, `replaces`, the runner's view of a squashed
//! migration), concurrent index builds on PostgreSQL, the `--plan` safety flags, and data
//! migrations written in Rust. Every test runs on SQLite, PostgreSQL and MariaDB.

use kata::manage::{FAILED, Manage, OK};
use kata::migrate::prelude::*;
use kata::migrate::{DataFuture, Migrator, Target, merge, squash};
use kata::prelude::*;
use kata::{Backend, Error};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn m(name: &str, deps: &[&str], ops: Vec<Operation>) -> Migration {
    Migration::from_operations(name, deps.iter().map(|d| (*d).to_owned()).collect(), ops)
}

fn author() -> Operation {
    Operation::create_model(Table::new(
        "author",
        vec![Column::new("id", BigInt).primary_key().auto(), Column::new("name", Text).max_length(100)],
    ))
}

/// A fresh folder for written migration files.
fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kata-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

async fn count(db: &Db, table: &str) -> kata::Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    Ok(db.raw_query::<i64>(&sql, ()).await?.first().copied().unwrap_or(0))
}

/// Two branches after 0001: 0002_age on one, 0002_email on the other.
fn branches() -> Vec<Migration> {
    vec![
        m("0001_initial", &[], vec![author()]),
        m(
            "0002_age",
            &["0001_initial"],
            vec![Operation::add_field("author", Column::new("age", Integer).null())],
        ),
        m(
            "0002_email",
            &["0001_initial"],
            vec![Operation::add_field("author", Column::new("email", Text).default(DefaultValue::Str("")))],
        ),
    ]
}

#[kata::test]
async fn two_leaves_are_refused_until_merged(db: Db) -> kata::Result<()> {
    let migrations = branches();
    // migrate refuses, naming both leaves and the fix.
    let err = Migrator::new(&db, &migrations).unwrap_err();
    let Error::MigrationConflict { leaves } = &err else { panic!("{err}") };
    assert_eq!(leaves, &["0002_age", "0002_email"]);
    assert!(err.to_string().contains("makemigrations --merge"), "{err}");

    // makemigrations refuses too (exit code 3), and --merge writes the merge migration.
    let dir = temp_dir("merge");
    let manage = Manage::new(&[], &migrations, &dir);
    let mut out = String::new();
    assert_eq!(manage.run_to(args(&["makemigrations"]), &mut out).await, FAILED);
    assert!(out.contains("conflicting migrations: 0002_age and 0002_email"), "{out}");
    let mut out = String::new();
    assert_eq!(manage.run_to(args(&["makemigrations", "--merge"]), &mut out).await, OK, "{out}");
    assert!(out.contains("Migration 0003_merge_0002_age_0002_email"), "{out}");
    let written = std::fs::read_to_string(dir.join("m0003_merge_0002_age_0002_email.rs"))?;
    assert!(
        written.contains(r#"Migration::new("0003_merge_0002_age_0002_email", &["0002_age", "0002_email"]"#)
    );
    std::fs::remove_dir_all(&dir)?;

    // With the merge migration, both branches apply.
    let draft = merge(&migrations, None)?.expect("a merge");
    let mut merged = migrations.clone();
    merged.push(draft.migration());
    assert!(merge(&merged, None)?.is_none());
    let applied = db.migrate(&merged).await?;
    assert_eq!(applied.len(), 4);
    db.raw_execute("INSERT INTO author (name, age, email) VALUES ('ann', 30, 'a@x')", ()).await?;
    assert_eq!(count(&db, "author").await?, 1);

    // Branches that cannot both apply (the same column twice) cannot be merged.
    let clash = vec![
        m("0001_initial", &[], vec![author()]),
        m(
            "0002_a",
            &["0001_initial"],
            vec![Operation::add_field("author", Column::new("age", Integer).null())],
        ),
        m(
            "0002_b",
            &["0001_initial"],
            vec![Operation::add_field("author", Column::new("age", Integer).null())],
        ),
    ];
    let err = merge(&clash, None).unwrap_err().to_string();
    assert!(err.contains("cannot be merged"), "{err}");
    Ok(())
}

fn history() -> Vec<Migration> {
    vec![
        m("0001_initial", &[], vec![author()]),
        m(
            "0002_book",
            &["0001_initial"],
            vec![
                Operation::create_model(Table::new(
                    "book",
                    vec![Column::new("id", BigInt).primary_key().auto()],
                )),
                Operation::add_field(
                    "book",
                    Column::new("title", Text).max_length(50).default(DefaultValue::Str("")),
                ),
                Operation::add_field(
                    "book",
                    Column::new("author_id", BigInt).null().references("author", "id", OnDelete::Cascade),
                ),
            ],
        ),
        m(
            "0003_tmp",
            &["0002_book"],
            vec![
                Operation::add_field("author", Column::new("tmp", Integer).null()),
                Operation::rename_field("book", "title", "headline"),
            ],
        ),
        m(
            "0004_drop_tmp",
            &["0003_tmp"],
            vec![
                Operation::remove_field("author", "tmp"),
                Operation::alter_field(
                    "book",
                    Column::new("headline", Text).max_length(80).default(DefaultValue::Str("")),
                ),
            ],
        ),
    ]
}

#[kata::test]
async fn squashed_migrations_replace_their_range(db: Db) -> kata::Result<()> {
    let old = history();
    let draft = squash(&old, None, "0004_drop_tmp", None, true)?;
    assert_eq!(draft.name, "0001_initial_squashed_0004_drop_tmp");
    assert_eq!(draft.replaces, ["0001_initial", "0002_book", "0003_tmp", "0004_drop_tmp"]);
    assert!(draft.dependencies.is_empty());
    // Create + add folded, add + remove cancelled, the rename and the alteration folded in.
    let described: Vec<String> = draft.operations.iter().map(Operation::describe).collect();
    assert_eq!(described, ["Create table author", "Create table book"], "{:?}", draft.operations);
    let book = match &draft.operations[1] {
        Operation::CreateModel(t) => t.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(book.column("headline").and_then(|c| c.max_length), Some(80));
    assert!(book.column("author_id").is_some_and(|c| c.foreign_key.is_some()));
    let source = draft.source();
    assert!(source.contains("Migration::squashed("), "{source}");
    assert!(source.contains(r#"&["0001_initial", "0002_book", "0003_tmp", "0004_drop_tmp"]"#), "{source}");

    // The squashed file next to the old ones: a new database runs it alone and records it
    // with the migrations it replaces.
    let mut all = old.clone();
    all.push(draft.migration());
    let migrator = Migrator::new(&db, &all)?;
    assert_eq!(migrator.migrations().len(), 1);
    assert_eq!(migrator.migrate(&Target::Latest, false).await?, ["0001_initial_squashed_0004_drop_tmp"]);
    let mut applied = migrator.applied().await?;
    applied.sort();
    assert_eq!(
        applied,
        ["0001_initial", "0001_initial_squashed_0004_drop_tmp", "0002_book", "0003_tmp", "0004_drop_tmp"]
    );
    db.raw_execute("INSERT INTO author (name) VALUES ('ann')", ()).await?;
    db.raw_execute("INSERT INTO book (headline, author_id) VALUES ('rust', 1)", ()).await?;
    let mut out = String::new();
    let manage = Manage::new(&[], &all, "unused");
    let url = db.url().to_owned();
    assert_eq!(manage.run_to(args(&["showmigrations", "--database", &url]), &mut out).await, OK, "{out}");
    assert_eq!(out, " [X] 0001_initial_squashed_0004_drop_tmp (4 squashed migrations)\n");

    // Unapplying it unrecords them all.
    migrator.migrate(&Target::Zero, false).await?;
    assert!(migrator.applied().await?.is_empty());
    assert!(count(&db, "book").await.is_err());

    // A database that applied only part of the range finishes it with the old migrations,
    // and then counts the squashed one applied.
    Migrator::new(&db, &old)?.migrate(&Target::Name("0002_book".into()), false).await?;
    let done = migrator.migrate(&Target::Latest, false).await?;
    assert_eq!(done, ["0003_tmp", "0004_drop_tmp"]);
    assert!(migrator.plan(&Target::Latest).await?.is_empty());
    let applied = migrator.applied().await?;
    assert!(migrator.is_applied(&migrator.migrations()[0], &applied));

    // A migration written after the squash depends on it.
    let later = m(
        "0005_more",
        &["0004_drop_tmp"],
        vec![Operation::add_field("author", Column::new("bio", Text).null())],
    );
    all.push(later);
    assert_eq!(Migrator::new(&db, &all)?.migrate(&Target::Latest, false).await?, ["0005_more"]);
    Ok(())
}

#[tokio::test]
async fn squashmigrations_command_writes_the_file() {
    let old = history();
    let dir = temp_dir("squash");
    let manage = Manage::new(&[], &old, &dir);
    let mut out = String::new();
    assert_eq!(manage.run_to(args(&["squashmigrations", "--help"]), &mut out).await, OK);
    assert!(out.starts_with("usage: manage squashmigrations [FROM] TO"), "{out}");
    let mut out = String::new();
    let code = manage.run_to(args(&["squashmigrations", "0002_book", "0004_drop_tmp"]), &mut out).await;
    assert_eq!(code, OK, "{out}");
    assert!(
        out.contains("Squashed 3 migrations into 0002_book_squashed_0004_drop_tmp: 1 operations (from 7)"),
        "{out}"
    );
    let written = std::fs::read_to_string(dir.join("m0002_book_squashed_0004_drop_tmp.rs")).unwrap();
    assert!(
        written.contains(r#"&["0001_initial"], &["0002_book", "0003_tmp", "0004_drop_tmp"]"#),
        "{written}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let mut out = String::new();
    assert_eq!(
        manage.run_to(args(&["squashmigrations", "0004_drop_tmp", "0002_book"]), &mut out).await,
        FAILED
    );
    assert!(out.contains("comes after"), "{out}");
}

fn indexed() -> Vec<Migration> {
    vec![
        m("0001_initial", &[], vec![author()]),
        m(
            "0002_index",
            &["0001_initial"],
            vec![Operation::add_index_concurrently("author", Index::new("author_name_idx", &["name"]))],
        ),
        m(
            "0003_plain",
            &["0002_index"],
            vec![Operation::add_index("author", Index::new("author_name2_idx", &["name"]))],
        ),
    ]
}

#[kata::test]
async fn concurrent_index_builds_outside_a_transaction_on_postgres(db: Db) -> kata::Result<()> {
    let migrations = indexed();
    let sql = kata::migrate::sqlmigrate(&migrations, "0002_index", false, db.backend())?;
    if db.backend() == Backend::Postgres {
        assert_eq!(sql, [r#"CREATE INDEX CONCURRENTLY "author_name_idx" ON "author" ("name")"#]);
    } else {
        assert!(!sql[0].contains("CONCURRENTLY"), "{sql:?}");
    }
    // --plan flags the blocking build on PostgreSQL only, with the safe form.
    let manage = Manage::new(&[], &migrations, "unused");
    let url = db.url().to_owned();
    let mut out = String::new();
    assert_eq!(manage.run_to(args(&["migrate", "--plan", "--database", &url]), &mut out).await, OK, "{out}");
    let flagged = out.matches("! blocking").count();
    assert_eq!(flagged, if db.backend() == Backend::Postgres { 1 } else { 0 }, "{out}");
    if db.backend() == Backend::Postgres {
        assert!(
            out.contains("author_name2_idx on author while blocking")
                && out.contains("add_index_concurrently"),
            "{out}"
        );
    }

    // Applied for real (a CONCURRENTLY in a transaction block would fail), and back.
    assert_eq!(db.migrate(&migrations).await?.len(), 3);
    db.raw_execute("INSERT INTO author (name) VALUES ('ann')", ()).await?;
    let migrator = Migrator::new(&db, &migrations)?;
    assert_eq!(
        migrator.migrate(&Target::Name("0001_initial".into()), false).await?,
        ["0003_plain", "0002_index"]
    );
    assert_eq!(migrator.migrate(&Target::Latest, false).await?, ["0002_index", "0003_plain"]);
    assert_eq!(count(&db, "author").await?, 1);
    if db.backend() == Backend::Postgres {
        let valid = db
            .raw_query::<bool>(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'author_name_idx'",
                (),
            )
            .await?;
        assert_eq!(valid, [true]);
    }
    Ok(())
}

#[kata::test]
async fn plan_flags_a_not_null_column_on_a_table_with_rows(db: Db) -> kata::Result<()> {
    let migrations = vec![
        m("0001_initial", &[], vec![author()]),
        m("0002_age", &["0001_initial"], vec![Operation::add_field("author", Column::new("age", Integer))]),
    ];
    Migrator::new(&db, &migrations)?.migrate(&Target::Name("0001_initial".into()), false).await?;
    let manage = Manage::new(&[], &migrations, "unused");
    let url = db.url().to_owned();
    let mut out = String::new();
    assert_eq!(manage.run_to(args(&["migrate", "--plan", "--database", &url]), &mut out).await, OK, "{out}");
    assert!(out.contains("! destructive: adds NOT NULL column author.age without a default"), "{out}");
    assert!(!out.contains("rows and the new NOT NULL"), "an empty table is fine: {out}");
    db.raw_execute("INSERT INTO author (name) VALUES ('ann')", ()).await?;
    let mut out = String::new();
    assert_eq!(manage.run_to(args(&["migrate", "--plan", "--database", &url]), &mut out).await, OK, "{out}");
    assert!(
        out.contains("! fails: author has 1 rows and the new NOT NULL column age has no default"),
        "{out}"
    );
    Ok(())
}

fn shout(tx: &kata::Transaction) -> DataFuture<'_> {
    Box::pin(async move {
        tx.raw_execute("UPDATE author SET name = UPPER(name)", ()).await?;
        Ok(())
    })
}

fn whisper(tx: &kata::Transaction) -> DataFuture<'_> {
    Box::pin(async move {
        tx.raw_execute("UPDATE author SET name = LOWER(name)", ()).await?;
        Ok(())
    })
}

fn broken(tx: &kata::Transaction) -> DataFuture<'_> {
    Box::pin(async move {
        tx.raw_execute("UPDATE author SET name = 'gone'", ()).await?;
        Err(Error::Migration("the data does not fit".into()))
    })
}

#[kata::test]
async fn data_migrations_in_rust_run_in_the_migration(db: Db) -> kata::Result<()> {
    let migrations = vec![
        m(
            "0001_initial",
            &[],
            vec![
                author(),
                Operation::run_sql("INSERT INTO author (name) VALUES ('ann')", Some("DELETE FROM author")),
            ],
        ),
        m("0002_shout", &["0001_initial"], vec![Operation::run_rust("shout", shout, Some(whisper))]),
    ];
    let sql = kata::migrate::sqlmigrate(&migrations, "0002_shout", false, db.backend())?;
    assert_eq!(sql, ["-- Rust data migration shout (not SQL: it runs in Rust)"]);
    db.migrate(&migrations).await?;
    assert_eq!(db.raw_query::<String>("SELECT name FROM author", ()).await?, ["ANN"]);
    let migrator = Migrator::new(&db, &migrations)?;
    migrator.migrate(&Target::Name("0001_initial".into()), false).await?;
    assert_eq!(db.raw_query::<String>("SELECT name FROM author", ()).await?, ["ann"]);

    // A failing data migration rolls back what it wrote and is not recorded.
    let mut failing = migrations.clone();
    failing[1] = m("0002_shout", &["0001_initial"], vec![Operation::run_rust("broken", broken, None)]);
    let err = db.migrate(&failing).await.unwrap_err().to_string();
    assert!(err.contains("data migration broken") && err.contains("the data does not fit"), "{err}");
    assert_eq!(db.raw_query::<String>("SELECT name FROM author", ()).await?, ["ann"]);
    assert_eq!(Migrator::new(&db, &failing)?.applied().await?, ["0001_initial"]);
    // Without a backwards function it cannot be unapplied.
    db.migrate(&migrations[..1]).await?;
    let irreversible = vec![
        migrations[0].clone(),
        m("0002_shout", &["0001_initial"], vec![Operation::run_rust("shout", shout, None)]),
    ];
    db.migrate(&irreversible).await?;
    let err = Migrator::new(&db, &irreversible)?.migrate(&Target::Zero, false).await.unwrap_err().to_string();
    assert!(err.contains("no backwards function"), "{err}");
    Ok(())
}

#[kata::test]
async fn check_constraints_are_added_and_removed(db: Db) -> kata::Result<()> {
    let migrations = vec![
        m(
            "0001_initial",
            &[],
            vec![Operation::create_model(
                Table::new(
                    "item",
                    vec![Column::new("id", BigInt).primary_key().auto(), Column::new("qty", Integer)],
                )
                .check("item_qty_small", "qty < 1000"),
            )],
        ),
        m(
            "0002_positive",
            &["0001_initial"],
            vec![Operation::add_check("item", "item_qty_positive", "qty >= 0")],
        ),
        m("0003_not_small", &["0002_positive"], vec![Operation::remove_check("item", "item_qty_small")]),
    ];
    let migrator = Migrator::new(&db, &migrations)?;
    migrator.migrate(&Target::Name("0001_initial".into()), false).await?;
    db.raw_execute("INSERT INTO item (qty) VALUES (-5)", ()).await?;
    let err = db.raw_execute("INSERT INTO item (qty) VALUES (5000)", ()).await.unwrap_err();
    assert!(err.is_integrity(kata::IntegrityKind::Check), "{err:?}");
    // A row that breaks the new check stops the migration (rolled back where DDL is transactional).
    assert!(migrator.migrate(&Target::Latest, false).await.is_err());
    db.raw_execute("DELETE FROM item WHERE qty < 0", ()).await?;
    db.raw_execute("INSERT INTO item (qty) VALUES (7)", ()).await?;
    assert_eq!(migrator.migrate(&Target::Latest, false).await?.len(), 2);
    assert_eq!(
        db.raw_query::<i32>("SELECT qty FROM item", ()).await?,
        [7],
        "the rows stay (SQLite rebuilds)"
    );
    let err = db.raw_execute("INSERT INTO item (qty) VALUES (-1)", ()).await.unwrap_err();
    assert!(err.is_integrity(kata::IntegrityKind::Check), "{err:?}");
    db.raw_execute("INSERT INTO item (qty) VALUES (5000)", ()).await?; // item_qty_small is gone
    // Backwards: the small check comes back, refusing the big row, until it goes.
    assert!(migrator.migrate(&Target::Name("0002_positive".into()), false).await.is_err());
    db.raw_execute("DELETE FROM item WHERE qty >= 1000", ()).await?;
    assert_eq!(migrator.migrate(&Target::Zero, false).await?.len(), 3);
    Ok(())
}
