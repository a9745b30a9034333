//! Fuzzed inputs (issue 18, point 2), with proptest so that they run in CI: JSON bodies for
//! input and patch schemas, lookup values of every field type, and raw SQL text. For every input: no panic, and a refusal is a typed error that says what happened
//! (never `Error::Internal`); an accepted input is stored as given, and a refused write
//! leaves the row as it was.
//!
//! `KATA_FUZZ_CASES` sets the cases per target and backend (default 150, what CI runs);
//! `KATA_FUZZ_CASES=100000000 KATA_FUZZ_SECONDS=600 KATA_FUZZ_SEED=<n> cargo test --all-features
//! --test fuzz_inputs -- --nocapture` runs each target for ten minutes per backend.

use chrono::{DateTime, NaiveDate, Utc};
use kata::prelude::*;
use kata::{Error, Validate};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};

/// Clippy's `duplicated_attributes` misreads `exclude(id)` repeated across two
/// `#[model_schema]` attributes as a duplicate (rust-lang/rust-clippy#13238).
#[allow(clippy::duplicated_attributes)]
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[kata(table = "fuzz_profiles")]
#[model_schema(ProfileIn, exclude(id))]
#[model_schema(ProfilePatch, exclude(id), optional = "__all__")]
struct Profile {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 20)]
    name: String,
    #[kata(max_length = 60, email, default = "")]
    email: String,
    small: i16,
    count: i32,
    big: i64,
    ratio: f64,
    active: bool,
    note: Option<String>,
    born: NaiveDate,
    seen: Option<DateTime<Utc>>,
    data: Option<Vec<u8>>,
    extra: Option<serde_json::Value>,
}

const FIELDS: &[&str] =
    &["name", "email", "small", "count", "big", "ratio", "active", "note", "born", "seen", "data", "extra"];

fn runner(salt: u64) -> TestRunner {
    let seed: u64 = std::env::var("KATA_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0x6675_7a7a);
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&(seed ^ salt).to_le_bytes());
    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

fn cases() -> u32 {
    std::env::var("KATA_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(150)
}

/// Runs `check` on `cases()` generated values; on a failure, shrinks and panics with the
/// smallest failing value.
async fn fuzz<S: Strategy>(salt: u64, strategy: S, check: impl AsyncFn(&S::Value) -> Result<(), String>)
where
    S::Value: std::fmt::Debug,
{
    let mut runner = runner(salt);
    // KATA_FUZZ_SECONDS bounds a long run by time instead of by count.
    let budget = std::env::var("KATA_FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map(std::time::Duration::from_secs);
    let started = std::time::Instant::now();
    let mut ran = 0u64;
    for n in 0..cases() {
        if budget.is_some_and(|b| started.elapsed() > b) {
            break;
        }
        ran += 1;
        let mut tree = strategy.new_tree(&mut runner).expect("a strategy that generates");
        let Err(mut failure) = check(&tree.current()).await else { continue };
        let mut minimal = format!("{:?}", tree.current());
        for _ in 0..500 {
            if !tree.simplify() {
                break;
            }
            match check(&tree.current()).await {
                Err(f) => {
                    failure = f;
                    minimal = format!("{:?}", tree.current());
                }
                Ok(()) => {
                    if !tree.complicate() {
                        break;
                    }
                }
            }
        }
        panic!("case {n}: {failure}\ninput: {minimal}");
    }
    if budget.is_some() {
        println!("target {salt}: {ran} cases in {:.0?}", started.elapsed());
    }
}

/// A refusal must say what happened: never `Internal`.
fn typed(e: &Error) -> Result<(), String> {
    match e {
        Error::Internal(what) => Err(format!("an input reached an internal error: {what}")),
        _ => Ok(()),
    }
}

// --- generation ----------------------------------------------------------------------------

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 @._%\\\\'-]{0,30}",
        any::<String>(),
        Just(String::from("\0")),
        Just("x".repeat(300)),
        Just(String::from("ann@example.com")),
        Just(String::from("🦀 é É 日本")),
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(json!(i16::MAX as i64 + 1)),
        Just(json!(i32::MIN as i64 - 1)),
        text().prop_map(Value::String),
        Just(json!("2024-02-29")),
        Just(json!("2024-02-30")),
        Just(json!("2024-01-01T10:00:00Z")),
        Just(json!("+262142-12-31")),
        Just(json!("-0001-01-01T00:00:00Z")),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A JSON body: mostly a valid body with a few fields replaced by anything or left out,
/// then objects of the schema's own and unknown keys, then any JSON at all.
fn body() -> impl Strategy<Value = Value> {
    let field = || proptest::sample::select(FIELDS.to_vec()).prop_map(String::from);
    let key = prop_oneof![field(), "[a-z_]{1,8}"];
    let mutated =
        (proptest::collection::vec((key.clone(), json_value()), 0..3), proptest::option::of(field()))
            .prop_map(|(sets, removed)| {
                let mut body = json!({
                    "name": "ann", "email": "ann@example.com", "small": 1, "count": 2, "big": 3, "ratio": 0.5,
                    "active": true, "born": "2000-01-01"
                });
                if let Value::Object(object) = &mut body {
                    for (k, v) in sets {
                        object.insert(k, v);
                    }
                    if let Some(k) = removed {
                        object.remove(&k);
                    }
                }
                body
            });
    prop_oneof![
        6 => mutated,
        3 => proptest::collection::btree_map(key, json_value(), 0..14)
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        1 => json_value(),
    ]
}

/// A valid row, for the patch target to start from.
fn seed_row() -> Profile {
    Profile {
        id: 0,
        name: "seed".into(),
        email: "seed@example.com".into(),
        small: 1,
        count: 2,
        big: 3,
        ratio: 0.5,
        active: true,
        note: None,
        born: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default(),
        seen: None,
        data: None,
        extra: None,
    }
}

// --- targets -------------------------------------------------------------------------------

#[kata::test]
async fn input_schema_bodies_are_stored_as_given_or_refused_with_a_typed_error(db: Db) -> kata::Result<()> {
    db.create_tables(&[Profile::meta()]).await?;
    let (accepted, refused) = (std::cell::Cell::new(0u32), std::cell::Cell::new(0u32));
    fuzz(1, body(), async |body: &Value| {
        let before = Profile::objects().acount(&db).await.map_err(|e| e.to_string())?;
        let input = match ProfileIn::from_json(body.clone()) {
            Ok(input) => input,
            Err(e) => {
                refused.set(refused.get() + 1);
                return typed(&e);
            }
        };
        match Profile::objects().acreate(&db, input.clone()).await {
            Ok(made) => {
                accepted.set(accepted.get() + 1);
                let back =
                    Profile::objects().aget(&db, Profile::id.eq(made.id)).await.map_err(|e| e.to_string())?;
                // What was stored is what was sent (floats and timestamps as the backend keeps them).
                if back.name != input.name
                    || back.big != input.big
                    || back.note != input.note
                    || back.data != input.data
                {
                    return Err(format!("stored {back:?} for {input:?}"));
                }
                Ok(())
            }
            Err(e) => {
                refused.set(refused.get() + 1);
                typed(&e)?;
                let after = Profile::objects().acount(&db).await.map_err(|e| e.to_string())?;
                if after != before {
                    return Err(format!("a refused insert ({e}) left a row behind"));
                }
                Ok(())
            }
        }
    })
    .await;
    assert!(
        accepted.get() > 0 && refused.get() > 0,
        "{} accepted, {} refused: the inputs missed one side",
        accepted.get(),
        refused.get()
    );
    Ok(())
}

#[kata::test]
async fn patch_bodies_change_only_what_they_set_or_nothing(db: Db) -> kata::Result<()> {
    db.create_tables(&[Profile::meta()]).await?;
    let original = Profile::objects().acreate(&db, seed_row()).await?;
    fuzz(2, body(), async |body: &Value| {
        let patch: ProfilePatch = match serde_json::from_value(body.clone()) {
            Ok(patch) => patch,
            Err(_) => return Ok(()), // serde's own typed error: nothing to run
        };
        let mut row = original.clone();
        let stored =
            Profile::objects().aget(&db, Profile::id.eq(original.id)).await.map_err(|e| e.to_string())?;
        match row.apatch(&db, patch).await {
            Ok(_) => {
                // Put the row back for the next case.
                let mut restore = original.clone();
                restore.asave(&db).await.map_err(|e| e.to_string())?;
                Ok(())
            }
            Err(e) => {
                typed(&e)?;
                let now = Profile::objects()
                    .aget(&db, Profile::id.eq(original.id))
                    .await
                    .map_err(|e| e.to_string())?;
                if now != stored {
                    return Err(format!("a refused patch ({e}) changed the row: {now:?}"));
                }
                Ok(())
            }
        }
    })
    .await;
    Ok(())
}

#[derive(Debug, Clone)]
enum Lookup {
    Name(String),
    Contains(String),
    IContains(String),
    Regex(String),
    Small(i16),
    Big(i64),
    Ratio(f64),
    Born(NaiveDate),
    In(Vec<i64>),
}

fn lookup() -> impl Strategy<Value = Lookup> {
    prop_oneof![
        text().prop_map(Lookup::Name),
        text().prop_map(Lookup::Contains),
        text().prop_map(Lookup::IContains),
        prop_oneof![
            "[a-z.*+?()\\[\\]{}|^$\\\\0-9]{0,12}",
            Just(String::from("(a)\\1")),
            Just(String::from("["))
        ]
        .prop_map(Lookup::Regex),
        any::<i16>().prop_map(Lookup::Small),
        any::<i64>().prop_map(Lookup::Big),
        prop_oneof![any::<f64>(), Just(f64::NAN), Just(f64::INFINITY), Just(-0.0)].prop_map(Lookup::Ratio),
        prop_oneof![
            Just(NaiveDate::MIN),
            Just(NaiveDate::MAX),
            Just(NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or_default())
        ]
        .prop_map(Lookup::Born),
        proptest::collection::vec(any::<i64>(), 0..40).prop_map(Lookup::In),
    ]
}

#[kata::test]
async fn lookup_values_of_every_type_answer_or_are_refused_with_a_typed_error(db: Db) -> kata::Result<()> {
    db.create_tables(&[Profile::meta()]).await?;
    Profile::objects().acreate(&db, seed_row()).await?;
    fuzz(3, lookup(), async |l: &Lookup| {
        let q = match l.clone() {
            Lookup::Name(s) => Profile::name.eq(s),
            Lookup::Contains(s) => Profile::name.contains(s),
            Lookup::IContains(s) => Profile::note.icontains(s),
            Lookup::Regex(s) => Profile::name.regex(s),
            Lookup::Small(n) => Profile::small.gt(n),
            Lookup::Big(n) => Profile::big.lte(n),
            Lookup::Ratio(f) => Profile::ratio.lt(f),
            Lookup::Born(d) => Profile::born.gte(d),
            Lookup::In(v) => Profile::big.is_in(v),
        };
        match Profile::objects().filter(q).acount(&db).await {
            Ok(n) if (0..=1).contains(&n) => Ok(()),
            Ok(n) => Err(format!("{n} rows from a table of one")),
            Err(e) => typed(&e),
        }
    })
    .await;
    Ok(())
}

#[kata::test]
async fn raw_sql_text_never_panics(db: Db) -> kata::Result<()> {
    db.create_tables(&[Profile::meta()]).await?;
    let sql = prop_oneof![
        any::<String>(),
        "SELECT [?$'\"`;\\-/* ]{0,20}",
        Just(String::from("SELECT '?' , ? -- ?")),
        Just(String::from("SELECT $1 /* ? */")),
    ];
    fuzz(4, sql, async |sql: &String| {
        let one: kata::Result<Vec<(i64,)>> = db.raw_query(sql, (1i64,)).await;
        match one {
            Ok(_) => Ok(()),
            Err(e) => typed(&e),
        }
    })
    .await;
    Ok(())
}
