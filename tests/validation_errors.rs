//! Reading validation errors without a `match` (`validation_errors()` on models and
//! schemas, `Error::validation_errors()`), their structured parameters (`params`,
//! serialised), and `required` / `null` / `invalid` from `Validate::from_json`.

use kata::prelude::*;
use kata::{Error, ValidationErrors};
use serde_json::json;

/// Clippy's `duplicated_attributes` misreads field names repeated across several
/// `#[model_schema]` attributes as duplicates (rust-lang/rust-clippy#13238), hence the allow.
#[allow(clippy::duplicated_attributes)]
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(UserIn, fields(username, email, nickname, age, is_active))]
#[model_schema(UserPatch, fields(username, nickname), optional = "__all__")]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 10)]
    username: String,
    #[kata(max_length = 50, email)]
    email: String,
    #[kata(max_length = 10)]
    nickname: Option<String>,
    age: Option<i32>,
    #[kata(default = true)]
    is_active: bool,
}

fn user(username: &str, email: &str) -> User {
    User { id: 0, username: username.into(), email: email.into(), nickname: None, age: None, is_active: true }
}

fn codes(errors: &ValidationErrors) -> Vec<(&str, &str)> {
    errors.iter().map(|e| (e.field.as_str(), e.code)).collect()
}

#[kata::test]
async fn a_refused_write_gives_its_violations_without_a_match(db: Db) -> kata::Result<()> {
    db.create_tables(&[User::meta()]).await?;
    let err = User::objects().acreate(&db, user("much_too_long", "nope")).await.unwrap_err();
    let errors = err.validation_errors().expect("a validation error");
    assert_eq!(codes(errors), [("username", "max_length"), ("email", "email")]);
    assert!(Error::PoolTimedOut.validation_errors().is_none());
    let refused = User::objects().acreate(&db, [User::username.set("much_too_long")]).await.unwrap_err();
    assert_eq!(codes(refused.validation_errors().expect("validation")), [("username", "max_length")]);
    assert_eq!(User::objects().acount(&db).await?, 0);
    Ok(())
}

#[kata::test]
async fn models_and_schemas_list_their_violations_directly(db: Db) -> kata::Result<()> {
    db.create_tables(&[User::meta()]).await?;
    assert_eq!(
        codes(&user("much_too_long", "nope").validation_errors()),
        [("username", "max_length"), ("email", "email")]
    );
    assert!(user("ann", "ann@example.com").validation_errors().is_empty());
    let patch = UserPatch { username: Patch::Null, nickname: Patch::Set("much_too_long".into()) };
    assert_eq!(codes(&patch.validation_errors()), [("username", "null"), ("nickname", "max_length")]);
    let saved = User::objects().acreate(&db, user("ann", "ann@example.com")).await?;
    assert!(saved.validation_errors().is_empty());
    Ok(())
}

#[kata::test]
async fn a_limit_is_a_parameter_and_is_serialised(db: Db) -> kata::Result<()> {
    db.create_tables(&[User::meta()]).await?;
    let err = User::objects().acreate(&db, user("much_too_long", "ann@example.com")).await.unwrap_err();
    let errors = err.validation_errors().expect("validation");
    let first = errors.iter().next().expect("one");
    assert_eq!(first.params["max_length"], 10);
    assert_eq!(
        serde_json::to_value(errors).map_err(|e| Error::InvalidQuery(e.to_string()))?,
        json!([{
            "field": "username",
            "code": "max_length",
            "message": "at most 10 characters (it has 13)",
            "params": {"max_length": 10}
        }])
    );
    let email = user("ann", "nope").validation_errors();
    assert_eq!(
        serde_json::to_value(&email).ok(),
        Some(
            json!([{"field": "email", "code": "email", "message": "enter a valid e-mail address", "params": {}}])
        )
    );
    Ok(())
}

#[kata::test]
async fn bulk_errors_keep_their_row_and_parameters(db: Db) -> kata::Result<()> {
    db.create_tables(&[User::meta()]).await?;
    let rows = vec![user("ann", "ann@example.com"), user("much_too_long", "b@example.com")];
    let err = User::objects().abulk_create(&db, rows).await.unwrap_err();
    let errors = err.validation_errors().expect("validation");
    let e = errors.iter().next().expect("one");
    assert_eq!((e.field.as_str(), e.code), ("[1].username", "max_length"));
    assert_eq!(e.params["max_length"], 10);
    assert_eq!(User::objects().acount(&db).await?, 0);
    Ok(())
}

#[kata::test]
async fn from_json_reports_every_missing_required_field(db: Db) -> kata::Result<()> {
    db.create_tables(&[User::meta()]).await?;
    let err = UserIn::from_json(json!({"nickname": "x"})).unwrap_err();
    let errors = err.validation_errors().expect("validation");
    assert_eq!(codes(errors), [("username", "required"), ("email", "required")], "in field order");
    assert!(errors.iter().all(|e| e.message == "this field is required"));
    // Optional and defaulted fields may be left out.
    let ok = UserIn::from_json(json!({"username": "ann", "email": "ann@example.com"}))?;
    assert_eq!((ok.nickname.as_deref(), ok.age, ok.is_active), (None, None, true));
    let saved = User::objects().acreate(&db, ok).await?;
    assert_eq!(saved.username, "ann");
    Ok(())
}

#[kata::test]
async fn from_json_reports_null_where_a_field_is_not_nullable(db: Db) -> kata::Result<()> {
    db.create_tables(&[User::meta()]).await?;
    let err = UserIn::from_json(
        json!({"username": null, "email": "a@example.com", "nickname": null, "is_active": null}),
    )
    .unwrap_err();
    assert_eq!(
        codes(err.validation_errors().expect("validation")),
        [("is_active", "null"), ("username", "null")]
    );
    // A patch's fields are all nullable in JSON: null means "set NULL" (checked by validate).
    let patch = UserPatch::from_json(json!({"nickname": null}))?;
    assert_eq!(patch.nickname, Patch::Null);
    assert_eq!(patch.username, Patch::Absent);
    let err = UserPatch::from_json(json!({"username": null})).unwrap_err();
    assert_eq!(codes(err.validation_errors().expect("validation")), [("username", "null")]);
    Ok(())
}

#[kata::test]
async fn from_json_checks_the_rules_after_reading(db: Db) -> kata::Result<()> {
    db.create_tables(&[User::meta()]).await?;
    let err =
        UserIn::from_json(json!({"username": "much_too_long", "email": "nope", "nickname": "much_too_long"}))
            .unwrap_err();
    let errors = err.validation_errors().expect("validation");
    assert_eq!(codes(errors), [("username", "max_length"), ("email", "email"), ("nickname", "max_length")]);
    assert_eq!(errors.iter().next().map(|e| e.params["max_length"].clone()), Some(json!(10)));
    Ok(())
}

#[kata::test]
async fn from_json_reports_a_wrong_type_or_shape_as_invalid(db: Db) -> kata::Result<()> {
    db.create_tables(&[User::meta()]).await?;
    let err =
        UserIn::from_json(json!({"username": "ann", "email": "a@example.com", "age": "old"})).unwrap_err();
    let errors = err.validation_errors().expect("validation");
    assert_eq!(codes(errors), [("__all__", "invalid")]);
    assert!(errors.iter().next().is_some_and(|e| e.message.contains("invalid type")), "{errors}");
    let err = UserIn::from_json(json!(["ann"])).unwrap_err();
    assert_eq!(codes(err.validation_errors().expect("validation")), [("__all__", "invalid")]);
    Ok(())
}
