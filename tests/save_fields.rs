//! `asave_fields`: Django's `save(update_fields=[..])` with typed field handles (issue 11,
//! point 12). Only the named columns are validated and written; a primary-key field, an
//! unsaved instance and an invalid value are refused before any SQL; a row that is gone
//! is `DoesNotExist` ("Save with update_fields did not affect any rows") and nothing is
//! inserted.

use kata::Error;
use kata::prelude::*;
use kata::testing::assert_num_queries;

#[derive(Model, Debug, Clone, PartialEq)]
struct Member {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 10)]
    name: String,
    #[kata(max_length = 254, email)]
    email: String,
    score: i32,
    active: bool,
}

/// A composite key: no `auto` field, never "unsaved".
#[derive(Model, Debug, Clone, PartialEq)]
struct Line {
    #[kata(primary_key)]
    order_id: i64,
    #[kata(primary_key)]
    product_id: i64,
    quantity: i32,
    note: String,
}

async fn setup(db: &Db) -> kata::Result<Member> {
    db.create_tables(&[Member::meta(), Line::meta()]).await?;
    Member::objects()
        .acreate(
            db,
            Member { id: 0, name: "ann".into(), email: "ann@example.com".into(), score: 1, active: true },
        )
        .await
}

async fn stored(db: &Db, id: i64) -> kata::Result<Member> {
    Member::objects().aget(db, Member::id.eq(id)).await
}

#[kata::test]
async fn only_the_named_fields_are_written(db: Db) -> kata::Result<()> {
    let mut ann = setup(&db).await?;
    ann.name = "changed".into();
    ann.score = 5;
    ann.active = false;
    assert_num_queries(&db, 1, ann.asave_fields(&db, Member::score)).await?;
    let row = stored(&db, ann.id).await?;
    assert_eq!((row.name.as_str(), row.score, row.active), ("ann", 5, true));
    // Several fields, a repeated one written once.
    ann.asave_fields(&db, (Member::active, Member::name, Member::active)).await?;
    let row = stored(&db, ann.id).await?;
    assert_eq!(row, ann);
    // Saving values the row already holds is no error (MySQL reports 0 changed rows).
    ann.asave_fields(&db, (Member::name, Member::score)).await?;
    Ok(())
}

#[kata::test]
async fn a_primary_key_field_or_an_unsaved_instance_is_refused_before_any_sql(db: Db) -> kata::Result<()> {
    let ann = setup(&db).await?;
    let key = assert_num_queries(&db, 0, ann.asave_fields(&db, (Member::name, Member::id))).await;
    assert!(matches!(&key, Err(Error::InvalidQuery(m)) if m.contains("`id`")), "{key:?}");
    let new = Member { id: 0, ..ann.clone() };
    let unsaved = assert_num_queries(&db, 0, new.asave_fields(&db, Member::name)).await;
    assert!(
        matches!(unsaved, Err(Error::Unsaved { model: "Member", operation: "asave_fields" })),
        "{unsaved:?}"
    );
    assert_eq!(Member::objects().acount(&db).await?, 1);
    Ok(())
}

#[kata::test]
async fn only_the_named_fields_are_validated(db: Db) -> kata::Result<()> {
    let mut ann = setup(&db).await?;
    ann.email = "not an address".into();
    ann.score = 9;
    // The invalid e-mail is not written, so it does not stop the score.
    ann.asave_fields(&db, Member::score).await?;
    assert_eq!(stored(&db, ann.id).await?.score, 9);
    let refused = assert_num_queries(&db, 0, ann.asave_fields(&db, (Member::score, Member::email))).await;
    match refused {
        Err(Error::Validation(errors)) => assert_eq!(errors.fields().collect::<Vec<_>>(), ["email"]),
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert_eq!(stored(&db, ann.id).await?.email, "ann@example.com");
    Ok(())
}

#[kata::test]
async fn a_row_that_is_gone_is_does_not_exist_and_nothing_is_inserted(db: Db) -> kata::Result<()> {
    let ann = setup(&db).await?;
    ann.adelete(&db).await?;
    let gone = ann.asave_fields(&db, Member::score).await;
    assert!(matches!(gone, Err(Error::DoesNotExist { model: "Member" })), "{gone:?}");
    let ghost = Member { id: 12345, ..ann.clone() };
    assert!(matches!(ghost.asave_fields(&db, Member::name).await, Err(Error::DoesNotExist { .. })));
    assert_eq!(Member::objects().acount(&db).await?, 0, "unlike asave, no insert");
    Ok(())
}

#[kata::test]
async fn a_composite_key_row_saves_its_named_fields(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let mut line = Line::objects()
        .acreate(&db, Line { order_id: 1, product_id: 2, quantity: 3, note: "n".into() })
        .await?;
    Line::objects().acreate(&db, Line { order_id: 1, product_id: 3, quantity: 4, note: "m".into() }).await?;
    line.quantity = 30;
    line.note = "not saved".into();
    line.asave_fields(&db, Line::quantity).await?;
    let rows: Vec<(i64, i32, String)> = Line::objects()
        .order_by([Line::product_id.asc()])
        .values_list((Line::product_id, Line::quantity, Line::note))
        .alist(&db)
        .await?;
    assert_eq!(rows, [(2, 30, "n".to_string()), (3, 4, "m".to_string())]);
    let key = line.asave_fields(&db, Line::order_id).await;
    assert!(matches!(key, Err(Error::InvalidQuery(_))), "{key:?}");
    Ok(())
}
