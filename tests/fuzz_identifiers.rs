//! Fuzzed identifiers (issue 18, point 2): table, column and index names that come from
//! user data (a hand-edited migration, `--rename-field TABLE.OLD=NEW` on the command line)
//! reach the DDL that migrations run. For every name: no panic; either the migration
//! applies, creating exactly that table (found again through the catalogue with the name as
//! a bound value) and unapplies cleanly, or it is refused with a typed error and leaves no
//! table and no history row behind.
//!
//! `KATA_FUZZ_CASES` sets the cases per backend (default 60, what CI runs);
//! `KATA_FUZZ_SECONDS` bounds a long run, as in `tests/fuzz_inputs.rs`; `KATA_FUZZ_VERBOSE=1`
//! prints each refusal.

use kata::migrate::{Column, Index, Migration, Migrator, Operation, Table, Target};
use kata::prelude::*;
use kata::{Backend, ColumnType, Error};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Names with quotes of every backend, comment and statement separators, spaces, Unicode
/// and lengths around every backend's limit (63 bytes on PostgreSQL, 64 on MySQL).
fn name() -> impl Strategy<Value = String> {
    let alphabet = vec![
        'a', 'Z', '_', '0', '"', '`', '\'', ';', '-', ' ', '[', ']', '.', '\\', '%', '?', '$', 'é', '日',
    ];
    prop_oneof![
        3 => proptest::collection::vec(proptest::sample::select(alphabet), 1..12)
            .prop_map(|v| v.into_iter().collect::<String>()),
        1 => (58usize..70).prop_map(|n| "n".repeat(n)),
        1 => (20usize..24).prop_map(|n| "é".repeat(n)),
    ]
}

#[derive(Debug, Clone)]
struct Names {
    table: String,
    column: String,
    index: String,
}

fn names() -> impl Strategy<Value = Names> {
    (name(), name(), name()).prop_map(|(table, column, index)| Names { table, column, index })
}

/// Whether a table of exactly this name exists, asked with the name as a bound value.
async fn table_exists(db: &Db, table: &str) -> kata::Result<bool> {
    let sql = match db.backend() {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?"
        }
        _ => {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?"
        }
    };
    let n: Vec<i64> = db.raw_query(sql, (table,)).await?;
    Ok(n.first().copied().unwrap_or(0) > 0)
}

fn migration(n: &Names) -> Migration {
    let table = Table::new(
        &n.table,
        vec![
            Column::new("id", ColumnType::BigInt).primary_key().auto(),
            Column::new(&n.column, ColumnType::BigInt),
        ],
    );
    Migration::from_operations(
        "0001_fuzz",
        Vec::new(),
        vec![
            Operation::create_model(table),
            Operation::add_index(&n.table, Index::new(&n.index, &[&n.column])),
        ],
    )
}

/// `Ok(applied)` when the names behaved as the module says, else what went wrong.
async fn check(db: &Db, n: &Names) -> Result<bool, String> {
    let migrations = [migration(n)];
    let migrator = match Migrator::new(db, &migrations) {
        Ok(m) => m,
        Err(e) => return typed(&e).map(|()| false),
    };
    match migrator.migrate(&Target::Latest, false).await {
        Ok(_) => {
            if !table_exists(db, &n.table).await.map_err(|e| e.to_string())? {
                return Err(format!("the migration applied but no table named {:?} exists", n.table));
            }
            migrator.migrate(&Target::Zero, false).await.map_err(|e| format!("unapplying: {e}"))?;
            if table_exists(db, &n.table).await.map_err(|e| e.to_string())? {
                return Err(format!("migrating to zero left the table {:?}", n.table));
            }
            Ok(true)
        }
        Err(e) => {
            if std::env::var_os("KATA_FUZZ_VERBOSE").is_some() {
                println!("refused {n:?}: {e}");
            }
            typed(&e)?;
            if table_exists(db, &n.table).await.map_err(|e| e.to_string())? {
                return Err(format!("a refused migration ({e}) left the table {:?} behind", n.table));
            }
            let applied = migrator.applied().await.map_err(|e| e.to_string())?;
            if !applied.is_empty() {
                return Err(format!("a refused migration ({e}) is recorded as applied: {applied:?}"));
            }
            Ok(false)
        }
    }
}

/// A refusal must say what happened: never `Internal`.
fn typed(e: &Error) -> Result<(), String> {
    match e {
        Error::Internal(_) => Err(format!("an internal error for user input: {e:?}")),
        _ => Ok(()),
    }
}

#[kata::test]
async fn identifiers_from_user_data_are_quoted_or_refused(db: Db) -> kata::Result<()> {
    let cases: u32 = env_or("KATA_FUZZ_CASES", 60);
    let deadline =
        std::time::Instant::now() + std::time::Duration::from_secs(env_or("KATA_FUZZ_SECONDS", 600));
    let seed: u64 = env_or("KATA_FUZZ_SEED", 0x6964_656e);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner =
        TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    let strategy = names();
    let (mut applied, mut refused) = (0u32, 0u32);
    for case in 0..cases {
        if std::time::Instant::now() > deadline {
            break;
        }
        let tree = match strategy.new_tree(&mut runner) {
            Ok(tree) => tree,
            Err(e) => panic!("generating case {case}: {e}"),
        };
        let n = tree.current();
        match check(&db, &n).await {
            Ok(true) => applied += 1,
            Ok(false) => refused += 1,
            Err(why) => panic!("case {case} (seed {seed:#x}) on {:?}: {n:?}: {why}", db.backend()),
        }
    }
    println!("{:?}: {applied} applied and unapplied, {refused} refused with a typed error", db.backend());
    Ok(())
}
