//! `blank`, as in Django (issue 11, point 13): a text field that may be the empty string.
//! Validation (`max_length`, `email`) accepts `""`, the input schema does not require the
//! field, and a JSON `null` for a blank field that is not nullable takes its default, as
//! Ninja's ModelSchema does. A text default of `""` passes its field's rules, so
//! `#[kata(email, default = "")]` passes kata's own validation of its default (without
//! `blank`, such a field is still not nullable on input).

use kata::prelude::*;
use kata::{Backend, ValidationErrors};
use serde_json::json;

/// Clippy's `duplicated_attributes` misreads field names repeated across several
/// `#[model_schema]` attributes as duplicates (rust-lang/rust-clippy#13238), hence the allow.
#[allow(clippy::duplicated_attributes)]
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[kata(table = "auth_user")]
#[model_schema(UserIn, fields(username, email, first_name, nickname, backup_email, contact))]
#[model_schema(UserPatch, fields(email, first_name, nickname), optional = "__all__")]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 150)]
    username: String,
    /// Django's `EmailField(blank=True, default="")`.
    #[kata(max_length = 254, email, blank, default = "")]
    email: String,
    #[kata(max_length = 150, blank, default = "anon")]
    first_name: String,
    /// Blank without a default: left out or `null`, it is `""`.
    #[kata(max_length = 30, blank)]
    nickname: String,
    #[kata(email, blank, max_length = 254)]
    backup_email: Option<String>,
    /// Not blank, but its default `""` must pass its own `email` rule.
    #[kata(email, max_length = 254, default = "")]
    contact: String,
}

fn codes(errors: &ValidationErrors) -> Vec<(&str, &str)> {
    errors.iter().map(|e| (e.field.as_str(), e.code)).collect()
}

fn user(email: &str) -> User {
    User {
        id: 0,
        username: "ann".into(),
        email: email.into(),
        first_name: String::new(),
        nickname: String::new(),
        backup_email: Some(String::new()),
        contact: String::new(),
    }
}

#[test]
fn the_empty_string_passes_the_rules_of_a_blank_field() {
    assert!(user("").validation_errors().is_empty(), "{:?}", user("").validation_errors());
    assert_eq!(codes(&user("nope").validation_errors()), [("email", "email")]);
    let mut wrong = user("");
    wrong.backup_email = Some("nope".into());
    assert_eq!(codes(&wrong.validation_errors()), [("backup_email", "email")]);
    let input = UserIn { username: "ann".into(), ..UserIn::default() };
    assert!(input.validation_errors().is_empty(), "{:?}", input.validation_errors());
    assert_eq!((input.email.as_str(), input.first_name.as_str(), input.nickname.as_str()), ("", "anon", ""));
}

#[test]
fn blank_fields_are_not_required_and_null_takes_the_default() -> kata::Result<()> {
    let schema = serde_json::to_value(kata::schemars::schema_for!(UserIn)).unwrap_or_default();
    assert_eq!(schema["required"], json!(["username"]), "{schema}");
    let email = &schema["properties"]["email"];
    assert_eq!(email["default"], json!(""), "{email}");
    assert_eq!(email["type"], json!(["string", "null"]), "{email}");
    let contact = &schema["properties"]["contact"];
    assert_eq!((&contact["type"], &contact["default"]), (&json!("string"), &json!("")), "{contact}");

    let left_out = UserIn::from_json(json!({"username": "ann"}))?;
    assert_eq!(
        (left_out.email.as_str(), left_out.first_name.as_str(), left_out.nickname.as_str()),
        ("", "anon", "")
    );
    let nulls = UserIn::from_json(
        json!({"username": "bob", "email": null, "first_name": null, "nickname": null, "backup_email": null}),
    )?;
    assert_eq!((nulls.email.as_str(), nulls.first_name.as_str(), nulls.nickname.as_str()), ("", "anon", ""));
    assert_eq!(nulls.backup_email, None, "a nullable blank field keeps null");
    let empty = UserIn::from_json(json!({"username": "carl", "email": "", "backup_email": ""}))?;
    assert_eq!((empty.email.as_str(), empty.backup_email.as_deref()), ("", Some("")));

    let err = UserIn::from_json(json!({"username": "ann", "contact": null})).unwrap_err();
    assert_eq!(codes(err.validation_errors().expect("validation")), [("contact", "null")], "not blank");
    let err = UserIn::from_json(json!({"username": "ann", "contact": "nope"})).unwrap_err();
    assert_eq!(codes(err.validation_errors().expect("validation")), [("contact", "email")]);
    let err = UserIn::from_json(json!({"email": "nope", "username": null})).unwrap_err();
    assert_eq!(codes(err.validation_errors().expect("validation")), [("username", "null")]);
    let err = UserIn::from_json(json!({"email": "nope"})).unwrap_err();
    assert_eq!(codes(err.validation_errors().expect("validation")), [("username", "required")]);
    let err = UserIn::from_json(json!({"username": "dora", "email": "nope"})).unwrap_err();
    assert_eq!(codes(err.validation_errors().expect("validation")), [("email", "email")]);
    let err = UserIn::from_json(json!({"username": "dora", "nickname": "x".repeat(31)})).unwrap_err();
    assert_eq!(codes(err.validation_errors().expect("validation")), [("nickname", "max_length")]);
    Ok(())
}

/// Django's auth_user as Django created it: no database defaults.
async fn django_table(db: &Db) -> kata::Result<()> {
    let id = match db.backend() {
        Backend::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        Backend::Postgres => "BIGSERIAL PRIMARY KEY",
        _ => "BIGINT AUTO_INCREMENT PRIMARY KEY",
    };
    db.raw_execute(
        &format!(
            "CREATE TABLE auth_user (id {id}, username VARCHAR(150) NOT NULL UNIQUE, \
         email VARCHAR(254) NOT NULL, first_name VARCHAR(150) NOT NULL, nickname VARCHAR(30) NOT NULL, \
         backup_email VARCHAR(254) NULL, contact VARCHAR(254) NOT NULL)"
        ),
        (),
    )
    .await?;
    Ok(())
}

#[kata::test]
async fn blank_fields_are_written_as_their_defaults(db: Db) -> kata::Result<()> {
    db.create_tables(&[User::meta()]).await?;
    let ann =
        User::objects().acreate(&db, UserIn::from_json(json!({"username": "ann", "email": null}))?).await?;
    let stored = User::objects().aget(&db, User::id.eq(ann.id)).await?;
    assert_eq!(
        (stored.email.as_str(), stored.first_name.as_str(), stored.nickname.as_str()),
        ("", "anon", "")
    );
    // Assignments and whole models go through the same rule.
    let bob = User::objects().acreate(&db, [User::username.set("bob"), User::email.set("")]).await?;
    assert_eq!(bob.email, "");
    let refused = User::objects().acreate(&db, [User::username.set("carl"), User::email.set("nope")]).await;
    assert_eq!(codes(refused.unwrap_err().validation_errors().expect("validation")), [("email", "email")]);
    let mut carl = user("");
    carl.username = "carl".into();
    let mut carl = User::objects().acreate(&db, carl).await?;
    carl.nickname = "c".into();
    carl.asave(&db).await?;

    // A patch's `null` on a blank field that is not nullable sets its default.
    let patch = UserPatch::from_json(json!({"first_name": null, "email": ""}))?;
    User::objects().filter(User::id.eq(carl.id)).aupdate(&db, patch.clone()).await?;
    let again = User::objects().aget(&db, User::id.eq(carl.id)).await?;
    assert_eq!((again.first_name.as_str(), again.email.as_str(), again.nickname.as_str()), ("anon", "", "c"));
    let mut applied = again.clone();
    applied.first_name = "x".into();
    patch.apply(&mut applied);
    assert_eq!(applied.first_name, "anon");
    Ok(())
}

#[kata::test]
async fn an_input_leaving_blank_fields_out_fills_a_table_without_database_defaults(
    db: Db,
) -> kata::Result<()> {
    django_table(&db).await?;
    let ann = User::objects().acreate(&db, UserIn::from_json(json!({"username": "ann"}))?).await?;
    let stored = User::objects().aget(&db, User::id.eq(ann.id)).await?;
    assert_eq!(
        (stored.email.as_str(), stored.first_name.as_str(), stored.nickname.as_str()),
        ("", "anon", "")
    );
    // Assignments that leave them out too: the model's defaults are sent, `""` included.
    let bob = User::objects().acreate(&db, [User::username.set("bob")]).await?;
    let stored = User::objects().aget(&db, User::id.eq(bob.id)).await?;
    assert_eq!(
        (stored.email.as_str(), stored.first_name.as_str(), stored.nickname.as_str()),
        ("", "anon", "")
    );
    assert_eq!(stored.backup_email, None);
    Ok(())
}
