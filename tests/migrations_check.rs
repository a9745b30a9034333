//! `check` (issue 15): the models against the live database, on every backend; and the
//! decoding error that names the model, the field and the Rust type that fits (issue 11,
//! point 5).

mod common;

use kata::manage::{self, Manage};
use kata::migrate::{DriftKind, check};
use kata::prelude::*;
use kata::{Backend, Error};

/// The table as it is in the database: an `integer` column.
#[derive(Model, Debug)]
#[kata(table = "counter")]
struct NarrowCounter {
    #[kata(primary_key, auto)]
    id: i64,
    n: i32,
}

/// The same table, mapped with an `i64` field (Django's `integer` key read as `i64`).
#[derive(Model, Debug)]
#[kata(table = "counter")]
struct WideCounter {
    #[kata(primary_key, auto)]
    id: i64,
    n: i64,
}

#[derive(Model, Debug)]
#[kata(table = "tag")]
struct LiveTag {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 100)]
    name: String,
    note: Option<String>,
    #[kata(index)]
    kind: i32,
}

/// `tag` as the model now wants it: a shorter name, indexed rather than unique, a NOT NULL
/// note, a new `rank`, no `kind`.
#[derive(Model, Debug)]
#[kata(table = "tag")]
struct Tag {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50, index)]
    name: String,
    note: String,
    rank: i32,
}

#[derive(Model, Debug)]
#[kata(table = "never_created")]
struct NeverCreated {
    #[kata(primary_key, auto)]
    id: i64,
}

#[derive(Model, Debug)]
#[kata(table = "label")]
struct Label {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 20)]
    name: String,
}

/// `label.name` read as a number.
#[derive(Model, Debug)]
#[kata(table = "label")]
struct LabelAsNumber {
    #[kata(primary_key, auto)]
    id: i64,
    name: i64,
}

#[kata::test]
async fn tables_that_create_tables_made_have_no_drift(db: Db) -> kata::Result<()> {
    db.create_tables(&common::all_tables()).await?;
    let drift = check(&db, &common::all_tables()).await?;
    assert!(drift.is_empty(), "{drift:#?}");
    db.check_models(&common::all_tables()).await?;
    Ok(())
}

#[kata::test]
async fn an_i64_field_on_an_integer_column_names_the_model_the_field_and_i32(db: Db) -> kata::Result<()> {
    db.create_tables(&[NarrowCounter::meta()]).await?;
    db.raw_execute("INSERT INTO counter (n) VALUES (?)", (5,)).await?;
    let drift = check(&db, &[WideCounter::meta()]).await?;
    if db.backend() == Backend::Sqlite {
        // Every SQLite integer holds 64 bits: `i64` is the type that fits.
        assert!(drift.is_empty(), "{drift:#?}");
    } else {
        assert_eq!(drift.len(), 1, "{drift:#?}");
        assert_eq!((drift[0].kind, drift[0].column.as_deref()), (DriftKind::Type, Some("n")));
        let message = drift[0].to_string();
        assert!(message.contains("WideCounter.n"), "{message}");
        assert!(message.contains("the field is i64"), "{message}");
        assert!(message.contains("the Rust type that fits is i32"), "{message}");
        let startup = db.check_models(&[WideCounter::meta()]).await.unwrap_err();
        assert!(
            matches!(&startup, Error::SchemaDrift(lines) if lines == std::slice::from_ref(&message)),
            "{startup}"
        );
    }
    // Reading it: PostgreSQL refuses the row and the error says what to use.
    match WideCounter::objects().alist(&db).await {
        Err(Error::FieldType { model, field, column, fits, .. }) => {
            assert_eq!(db.backend(), Backend::Postgres);
            assert_eq!((model, field, column, fits), ("WideCounter", "n", "n", Some("i32")));
        }
        Ok(rows) => {
            assert_ne!(db.backend(), Backend::Postgres, "PostgreSQL decodes INT4 as i32 only");
            assert_eq!(rows[0].n, 5);
        }
        Err(other) => panic!("expected Error::FieldType, got {other}"),
    }
    Ok(())
}

#[kata::test]
async fn a_column_of_another_type_names_the_model_the_field_and_the_type_that_fits(
    db: Db,
) -> kata::Result<()> {
    db.create_tables(&[Label::meta()]).await?;
    Label::objects().acreate(&db, [Label::name.set("abc")]).await?;
    let err = LabelAsNumber::objects().alist(&db).await.unwrap_err();
    let message = err.to_string();
    let Error::FieldType { model, field, fits, .. } = err else { panic!("{message}") };
    assert_eq!((model, field, fits), ("LabelAsNumber", "name", Some("String")), "{message}");
    assert!(message.contains("LabelAsNumber.name") && message.contains("use String"), "{message}");
    let drift = check(&db, &[LabelAsNumber::meta()]).await?;
    assert!(drift.iter().any(|d| d.to_string().contains("the Rust type that fits is String")), "{drift:#?}");
    Ok(())
}

#[kata::test]
async fn every_kind_of_drift_is_reported(db: Db) -> kata::Result<()> {
    db.create_tables(&[LiveTag::meta(), Label::meta()]).await?;
    let drift = check(&db, &[Tag::meta(), NeverCreated::meta()]).await?;
    let found: Vec<(DriftKind, Option<&str>)> = drift.iter().map(|d| (d.kind, d.column.as_deref())).collect();
    let expected = [
        (DriftKind::MissingTable, None),
        (DriftKind::MaxLength, Some("name")),
        (DriftKind::Nullability, Some("note")),
        (DriftKind::MissingColumn, Some("rank")),
        (DriftKind::ExtraColumn, Some("kind")),
        (DriftKind::Index, None),
        (DriftKind::Unique, None),
        (DriftKind::Index, None),
        (DriftKind::ExtraTable, None),
    ];
    for e in expected {
        assert!(found.contains(&e), "{e:?} not in {drift:#?}");
    }
    assert_eq!(found.len(), expected.len(), "{drift:#?}");
    let text: Vec<String> = drift.iter().map(ToString::to_string).collect();
    assert!(text.iter().any(|t| t.contains("NeverCreated: table `never_created` is missing")), "{text:?}");
    assert!(text.iter().any(|t| t.contains("table `label` belongs to no model")), "{text:?}");
    assert!(text.iter().any(|t| t.contains("Tag.name (`tag`.`name`): max_length is 50")), "{text:?}");
    assert!(text.iter().any(|t| t.contains("the index on `tag` (name) is missing")), "{text:?}");
    Ok(())
}

#[kata::test]
async fn manage_check_exits_0_when_clean_and_1_on_drift(db: Db) -> kata::Result<()> {
    db.create_tables(&[Label::meta()]).await?;
    let args = |extra: &[&str]| {
        let mut a = vec!["check".to_owned(), "--database".to_owned(), db.url().to_owned()];
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        a
    };
    let clean = [Label::meta()];
    let mut out = String::new();
    assert_eq!(Manage::new(&clean, &[], "migrations").run_to(args(&[]), &mut out).await, manage::OK, "{out}");
    assert!(out.contains("No drift"), "{out}");

    let drifting = [LabelAsNumber::meta()];
    let mut out = String::new();
    assert_eq!(
        Manage::new(&drifting, &[], "migrations").run_to(args(&[]), &mut out).await,
        manage::DRIFT,
        "{out}"
    );
    assert!(out.contains("LabelAsNumber.name"), "{out}");

    let mut out = String::new();
    assert_eq!(Manage::new(&clean, &[], "migrations").run_to(args(&["--help"]), &mut out).await, manage::OK);
    assert!(out.starts_with("usage: manage check"), "{out}");
    let mut out = String::new();
    assert_eq!(
        Manage::new(&clean, &[], "migrations").run_to(args(&["extra"]), &mut out).await,
        manage::USAGE
    );
    Ok(())
}
