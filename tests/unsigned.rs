//! Unsigned integers (issue 13): `u16`, `u32` and `u64` as Django's `PositiveSmallIntegerField`,
//! `PositiveIntegerField` and `PositiveBigIntegerField`: `UNSIGNED` columns on MariaDB, a
//! wider signed column with a `CHECK` of the range on PostgreSQL and SQLite. Each test runs on
//! every backend.

use kata::migrate::prelude::*;
use kata::migrate::{Migrator, Target};
use kata::prelude::*;
use kata::{Backend, Error, IntegrityKind};

#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(CounterIn, exclude(id))]
#[model_schema(CounterPatch, fields(small, medium), optional = "__all__")]
pub struct Counter {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub small: u16,
    #[kata(max_value = 4_000_000_000u64)]
    pub medium: u32,
    pub big: u64,
    pub maybe: Option<u32>,
}

/// The largest `u64` the backend stores: all of it in an `UNSIGNED` column, up to `i64::MAX`
/// in a signed `BIGINT`.
fn big_max(db: &Db) -> u64 {
    if matches!(db.backend(), Backend::MySql | Backend::MariaDb) { u64::MAX } else { i64::MAX as u64 }
}

fn counter(small: u16, medium: u32, big: u64, maybe: Option<u32>) -> Counter {
    Counter { id: 0, small, medium, big, maybe }
}

async fn counters(db: &Db) -> Vec<Counter> {
    db.create_tables(&[Counter::meta()]).await.unwrap();
    let mut rows = vec![
        counter(7, 70_000, 1 << 40, None),
        counter(u16::MAX, 4_000_000_000, big_max(db), Some(u32::MAX)),
        counter(0, 0, 0, Some(0)),
        counter(300, 3_000_000_000, 3, Some(1)),
    ];
    for row in &mut rows {
        row.asave(db).await.unwrap();
    }
    rows
}

#[kata::test]
async fn unsigned_integers_round_trip_with_their_extremes(db: Db) {
    let written = counters(&db).await;
    // `manage check`: the columns kata made are what the models declare.
    db.check_models(&[Counter::meta()]).await.unwrap();
    for row in &written {
        assert_eq!(Counter::objects().aget(&db, Counter::id.eq(row.id)).await.unwrap(), *row);
    }
    let all = Counter::objects().order_by([Counter::id.asc()]).alist(&db).await.unwrap();
    assert_eq!(all, written);
    // Dynamic values read the same types (values(), as the admin of a model would).
    let top = Counter::objects().filter(Counter::small.eq(u16::MAX));
    let (small, medium, big) =
        top.values_list((Counter::small, Counter::medium, Counter::big)).afirst(&db).await.unwrap().unwrap();
    assert_eq!((small, medium, big), (u16::MAX, 4_000_000_000, big_max(&db)));
}

#[kata::test]
async fn unsigned_integers_filter_order_and_aggregate_as_numbers(db: Db) {
    counters(&db).await;
    let by = |q: Q<Counter>| Counter::objects().filter(q).order_by([Counter::small.asc()]);
    let smalls = by(Counter::medium.gt(100_000)).values_list(Counter::small).alist(&db).await.unwrap();
    assert_eq!(smalls, [300, u16::MAX], "3e9 and 4e9 are above 100000 (no i32 wrap-around)");
    let smalls = by(Counter::big.gte(1 << 40)).values_list(Counter::small).alist(&db).await.unwrap();
    assert_eq!(smalls, [7, u16::MAX]);
    let smalls =
        by(Counter::small.is_in([0, u16::MAX])).values_list(Counter::small).alist(&db).await.unwrap();
    assert_eq!(smalls, [0, u16::MAX]);
    let smalls = by(Counter::maybe.isnull(true)).values_list(Counter::small).alist(&db).await.unwrap();
    assert_eq!(smalls, [7]);
    let smalls = by(Counter::small.range(1, 1000)).values_list(Counter::small).alist(&db).await.unwrap();
    assert_eq!(smalls, [7, 300]);

    let ordered = Counter::objects().order_by([Counter::medium.desc()]);
    let mediums = ordered.values_list(Counter::medium).alist(&db).await.unwrap();
    assert_eq!(mediums, [4_000_000_000, 3_000_000_000, 70_000, 0]);

    let (sum, max, min) = Counter::objects()
        .aaggregate(&db, (Sum(Counter::medium), Max(Counter::big), Min(Counter::small)))
        .await
        .unwrap();
    assert_eq!(sum, Some(7_000_070_000));
    assert_eq!(max, Some(big_max(&db)));
    assert_eq!(min, Some(0));

    // F arithmetic stays in range: integer division, as in Rust.
    let halves = Counter::objects()
        .filter(Counter::small.eq(u16::MAX))
        .values_list(F(Counter::small) / 2)
        .afirst(&db)
        .await
        .unwrap();
    assert_eq!(halves, Some(u16::MAX / 2));
    let updated = Counter::objects()
        .filter(Counter::small.eq(300))
        .aupdate(&db, [Counter::medium.set(F(Counter::medium) + 1)])
        .await
        .unwrap();
    assert_eq!(updated, 1);
    let medium = Counter::objects().filter(Counter::small.eq(300)).values_list(Counter::medium);
    assert_eq!(medium.afirst(&db).await.unwrap(), Some(3_000_000_001));
}

#[kata::test]
async fn a_u64_beyond_bigint_is_refused_before_any_sql_where_it_cannot_be_stored(db: Db) {
    db.create_tables(&[Counter::meta()]).await.unwrap();
    let mut row = counter(1, 1, u64::MAX, None);
    if matches!(db.backend(), Backend::MySql | Backend::MariaDb) {
        row.asave(&db).await.unwrap();
        assert_eq!(Counter::objects().aget(&db, Counter::id.eq(row.id)).await.unwrap().big, u64::MAX);
        return;
    }
    let (result, queries) = kata::testing::capture_queries(&db, row.asave(&db)).await;
    let err = result.unwrap_err();
    assert!(err.to_string().contains("does not fit"), "{err}");
    assert!(queries.is_empty(), "nothing is sent: {queries:?}");
    assert_eq!(Counter::objects().acount(&db).await.unwrap(), 0);
    // A filter with such a value is refused too, rather than wrapped around.
    let err = Counter::objects().filter(Counter::big.eq(u64::MAX)).acount(&db).await.unwrap_err();
    assert!(err.to_string().contains("does not fit"), "{err}");
}

#[kata::test]
async fn the_database_keeps_the_range(db: Db) {
    db.create_tables(&[Counter::meta()]).await.unwrap();
    for (column, value) in
        [("small", "-1"), ("small", "65536"), ("medium", "-1"), ("medium", "4294967296"), ("big", "-1")]
    {
        let others: Vec<&str> = ["small", "medium", "big"].into_iter().filter(|c| *c != column).collect();
        let sql =
            format!("INSERT INTO counter ({}, {}, {column}) VALUES (1, 1, {value})", others[0], others[1]);
        let err = db.raw_execute(&sql, ()).await.unwrap_err();
        if matches!(db.backend(), Backend::MySql | Backend::MariaDb) {
            // Strict mode: "Out of range value for column".
            assert!(err.to_string().contains("Out of range"), "{column} = {value}: {err}");
        } else {
            assert!(err.is_integrity(IntegrityKind::Check), "{column} = {value}: {err:?}");
            match err {
                Error::Integrity { constraint, .. } => {
                    assert_eq!(constraint, format!("counter_{column}_check"))
                }
                other => panic!("{other:?}"),
            }
        }
    }
    assert_eq!(Counter::objects().acount(&db).await.unwrap(), 0);
}

#[kata::test]
async fn validators_schema_and_patches_take_unsigned_fields(db: Db) {
    db.create_tables(&[Counter::meta()]).await.unwrap();
    // max_value on a u32, reported before any write.
    let mut row = counter(1, 4_000_000_001, 1, None);
    let err = row.asave(&db).await.unwrap_err();
    let codes: Vec<_> = err.validation_errors().unwrap().iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(codes, [("medium", "max_value")]);
    assert_eq!(Counter::objects().acount(&db).await.unwrap(), 0);

    // JSON Schema: the Rust type's range (and the validator's tighter maximum).
    let schema = serde_json::to_value(kata::schemars::schema_for!(CounterIn)).unwrap();
    let props = &schema["properties"];
    assert_eq!(props["small"]["minimum"], 0);
    assert_eq!(props["small"]["maximum"], 65535);
    assert_eq!(props["medium"]["maximum"], 4_000_000_000u64);
    assert_eq!(props["big"]["minimum"], 0);
    // A negative number or one past the type's range does not deserialize.
    assert!(
        CounterIn::from_json(serde_json::json!({"small": -1, "medium": 1, "big": 1, "maybe": null})).is_err()
    );
    assert!(
        CounterIn::from_json(serde_json::json!({"small": 65536, "medium": 1, "big": 1, "maybe": null}))
            .is_err()
    );

    // A patch is a partial UPDATE of the fields it carries.
    let mut row = counter(1, 2, 3, Some(4));
    row.asave(&db).await.unwrap();
    let patch = CounterPatch::from_json(serde_json::json!({"small": 65535})).unwrap();
    assert_eq!(row.apatch(&db, patch).await.unwrap(), 1);
    let read = Counter::objects().aget(&db, Counter::id.eq(row.id)).await.unwrap();
    assert_eq!((read.small, read.medium, read.big, read.maybe), (65535, 2, 3, Some(4)));
}

fn m(name: &str, deps: &[&str], ops: Vec<Operation>) -> Migration {
    Migration::from_operations(name, deps.iter().map(|d| (*d).to_owned()).collect(), ops)
}

#[kata::test]
async fn migrations_make_and_change_unsigned_columns(db: Db) -> kata::Result<()> {
    let migrations = vec![
        m(
            "0001_initial",
            &[],
            vec![Operation::create_model(Table::new(
                "item",
                vec![Column::new("id", BigInt).primary_key().auto(), Column::new("qty", Integer)],
            ))],
        ),
        m(
            "0002_unsigned",
            &["0001_initial"],
            vec![Operation::alter_field("item", Column::new("qty", UnsignedInt))],
        ),
    ];
    let migrator = Migrator::new(&db, &migrations)?;
    migrator.migrate(&Target::Name("0001_initial".into()), false).await?;
    db.raw_execute("INSERT INTO item (qty) VALUES (-5)", ()).await?;
    // A negative row stops the change (rolled back where DDL is transactional).
    assert!(migrator.migrate(&Target::Latest, false).await.is_err());
    db.raw_execute("DELETE FROM item", ()).await?;
    db.raw_execute("INSERT INTO item (qty) VALUES (7)", ()).await?;
    migrator.migrate(&Target::Latest, false).await?;
    let sql = migrator.sql("0002_unsigned", false)?.join("\n");
    match db.backend() {
        Backend::MySql | Backend::MariaDb => assert!(sql.contains("INT UNSIGNED"), "{sql}"),
        _ => assert!(sql.contains("item_qty_check"), "{sql}"),
    }
    assert!(db.raw_execute("INSERT INTO item (qty) VALUES (-1)", ()).await.is_err());
    db.raw_execute("INSERT INTO item (qty) VALUES (4294967295)", ()).await?;
    assert_eq!(db.raw_query::<i64>("SELECT COUNT(*) FROM item", ()).await?, [2]);
    // Backwards: a signed column again, which takes a negative number.
    db.raw_execute("DELETE FROM item WHERE qty > 7", ()).await?;
    migrator.migrate(&Target::Name("0001_initial".into()), false).await?;
    db.raw_execute("INSERT INTO item (qty) VALUES (-1)", ()).await?;
    Ok(())
}
