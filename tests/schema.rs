//! `#[derive(ModelSchema)]` end to end: the reference tutorial's four Django Ninja
//! `UserSchema` variants (`"__all__"`, `fields`, `exclude`, the `fields_optional` patch) as
//! JSON Schema and OpenAPI 3 components, serde shapes, validation, tri-state patches,
//! conversions, inserts and partial loading, on every configured backend.

use std::collections::BTreeSet;

use chrono::{DateTime, SubsecRound, TimeZone, Utc};
use kata::prelude::*;
use kata::{Error, Patch};
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

/// Django's `auth.User`, with the tutorial's ModelSchemas and one camelCase output schema.
///
/// Clippy's `duplicated_attributes` misreads field names repeated across several
/// `#[model_schema]` attributes as duplicates (rust-lang/rust-clippy#13238), hence the allow.
#[allow(clippy::duplicated_attributes)]
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[kata(table = "auth_user")]
#[model_schema(UserSchemaAll, fields = "__all__")]
#[model_schema(UserSchema, fields(id, username, email, first_name, last_name), derive(Eq, Hash))]
#[model_schema(UserSchemaExclude, exclude(password, last_login))]
#[model_schema(
    UserPatchSchema,
    fields(username, email, first_name, last_name, last_login),
    optional = "__all__"
)]
#[model_schema(UserLoginPatch, fields(email, last_login), optional(last_login))]
#[model_schema(
    UserCamelSchema,
    fields(id, first_name, last_name, last_login),
    rename_all = "camelCase",
    doc = "A user as JavaScript clients see it."
)]
pub struct User {
    #[kata(primary_key, auto)]
    pub id: i64,
    /// The login name: 150 characters or fewer.
    #[kata(unique, max_length = 150)]
    pub username: String,
    #[kata(max_length = 254, email)]
    pub email: String,
    #[kata(max_length = 128, default = "")]
    pub password: String,
    #[kata(max_length = 150, default = "")]
    pub first_name: String,
    #[kata(max_length = 150, default = "")]
    pub last_name: String,
    #[kata(default = true)]
    pub is_active: bool,
    #[kata(default = now)]
    pub date_joined: DateTime<Utc>,
    /// When the user last signed in, if ever.
    pub last_login: Option<DateTime<Utc>>,
}

const USERNAME_DOC: &str = "The login name: 150 characters or fewer.";
const LAST_LOGIN_DOC: &str = "When the user last signed in, if ever.";

fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().expect("a valid UTC time")
}

/// A saved-looking user with every field set, for the in-memory tests.
fn ann() -> User {
    User {
        id: 7,
        username: "ann".into(),
        email: "ann@example.com".into(),
        password: "pbkdf2_sha256$1$salt$hash".into(),
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        is_active: true,
        date_joined: at(2024, 5, 1, 9, 30),
        last_login: Some(at(2024, 5, 2, 8, 0)),
    }
}

/// A new user for the database tests: whole seconds, which every backend stores exactly.
fn new_user(name: &str, last_login: Option<DateTime<Utc>>) -> User {
    User {
        id: 0,
        username: name.into(),
        email: format!("{name}@example.com"),
        password: String::new(),
        first_name: format!("{name}-first"),
        last_name: format!("{name}-last"),
        is_active: true,
        date_joined: at(2024, 1, 15, 12, 0),
        last_login,
    }
}

/// The `(field, code)` of each violation in a `Validation` error, in order.
fn violations<T: std::fmt::Debug>(result: kata::Result<T>) -> Vec<(String, &'static str)> {
    match result {
        Err(Error::Validation(errors)) => errors.iter().map(|e| (e.field.clone(), e.code)).collect(),
        other => panic!("expected Error::Validation, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// 1. JSON Schema, field by field
// ---------------------------------------------------------------------------------------

/// Compares a generated schema with the expected one: the top-level keys, the set of
/// properties, then each property on its own so that a failure names the field.
fn assert_schema(actual: &Value, expected: &Value) {
    let (Some(actual), Some(expected)) = (actual.as_object(), expected.as_object()) else {
        panic!("schemas are objects: {actual} / {expected}");
    };
    let keys = |o: &serde_json::Map<String, Value>| o.keys().cloned().collect::<BTreeSet<_>>();
    assert_eq!(keys(actual), keys(expected), "top-level keys");
    let empty = serde_json::Map::new();
    let props = |o: &serde_json::Map<String, Value>| {
        o.get("properties").and_then(Value::as_object).unwrap_or(&empty).clone()
    };
    let (actual_props, expected_props) = (props(actual), props(expected));
    assert_eq!(keys(&actual_props), keys(&expected_props), "property names");
    for (field, expected_field) in &expected_props {
        assert_eq!(&actual_props[field], expected_field, "the schema of field `{field}`");
    }
    for (key, expected_value) in expected {
        if key != "properties" {
            assert_eq!(&actual[key], expected_value, "top-level `{key}`");
        }
    }
}

fn schema_json<T: JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).expect("a schema serializes")
}

#[test]
fn all_fields_schema_states_types_formats_limits_defaults_and_required() {
    assert_schema(
        &schema_json::<UserSchemaAll>(),
        &json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "UserSchemaAll",
            "type": "object",
            "properties": {
                "id": {"type": "integer", "format": "int64"},
                "username": {"description": USERNAME_DOC, "type": "string", "maxLength": 150},
                "email": {"type": "string", "format": "email", "maxLength": 254},
                "password": {"type": "string", "maxLength": 128, "default": ""},
                "first_name": {"type": "string", "maxLength": 150, "default": ""},
                "last_name": {"type": "string", "maxLength": 150, "default": ""},
                "is_active": {"type": "boolean", "default": true},
                "date_joined": {"type": "string", "format": "date-time"},
                "last_login": {
                    "description": LAST_LOGIN_DOC,
                    "type": ["string", "null"],
                    "format": "date-time",
                    "default": null
                }
            },
            "required": ["username", "email"]
        }),
    );
}

#[test]
fn fields_schema_has_only_the_listed_fields() {
    assert_schema(
        &schema_json::<UserSchema>(),
        &json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "UserSchema",
            "type": "object",
            "properties": {
                "id": {"type": "integer", "format": "int64"},
                "username": {"description": USERNAME_DOC, "type": "string", "maxLength": 150},
                "email": {"type": "string", "format": "email", "maxLength": 254},
                "first_name": {"type": "string", "maxLength": 150, "default": ""},
                "last_name": {"type": "string", "maxLength": 150, "default": ""}
            },
            "required": ["username", "email"]
        }),
    );
}

#[test]
fn exclude_schema_has_every_field_but_the_excluded_ones() {
    assert_schema(
        &schema_json::<UserSchemaExclude>(),
        &json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "UserSchemaExclude",
            "type": "object",
            "properties": {
                "id": {"type": "integer", "format": "int64"},
                "username": {"description": USERNAME_DOC, "type": "string", "maxLength": 150},
                "email": {"type": "string", "format": "email", "maxLength": 254},
                "first_name": {"type": "string", "maxLength": 150, "default": ""},
                "last_name": {"type": "string", "maxLength": 150, "default": ""},
                "is_active": {"type": "boolean", "default": true},
                "date_joined": {"type": "string", "format": "date-time"}
            },
            "required": ["username", "email"]
        }),
    );
}

#[test]
fn patch_schema_requires_nothing_and_allows_null_only_where_the_column_does() {
    assert_schema(
        &schema_json::<UserPatchSchema>(),
        &json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "UserPatchSchema",
            "type": "object",
            "properties": {
                "username": {"description": USERNAME_DOC, "type": "string", "maxLength": 150},
                "email": {"type": "string", "format": "email", "maxLength": 254},
                "first_name": {"type": "string", "maxLength": 150},
                "last_name": {"type": "string", "maxLength": 150},
                "last_login": {"description": LAST_LOGIN_DOC, "type": ["string", "null"], "format": "date-time"}
            }
        }),
    );
}

#[test]
fn optional_list_makes_only_the_named_fields_optional() {
    assert_schema(
        &schema_json::<UserLoginPatch>(),
        &json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "UserLoginPatch",
            "type": "object",
            "properties": {
                "email": {"type": "string", "format": "email", "maxLength": 254},
                "last_login": {"description": LAST_LOGIN_DOC, "type": ["string", "null"], "format": "date-time"}
            },
            "required": ["email"]
        }),
    );
}

#[test]
fn camel_case_schema_renames_properties_and_takes_its_doc() {
    assert_schema(
        &schema_json::<UserCamelSchema>(),
        &json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "UserCamelSchema",
            "description": "A user as JavaScript clients see it.",
            "type": "object",
            "properties": {
                "id": {"type": "integer", "format": "int64"},
                "firstName": {"type": "string", "maxLength": 150, "default": ""},
                "lastName": {"type": "string", "maxLength": 150, "default": ""},
                "lastLogin": {
                    "description": LAST_LOGIN_DOC,
                    "type": ["string", "null"],
                    "format": "date-time",
                    "default": null
                }
            }
        }),
    );
}

// ---------------------------------------------------------------------------------------
// 7. OpenAPI 3
// ---------------------------------------------------------------------------------------

/// A paginated list, as an API built on kata would answer `GET /users`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct UserPage {
    items: Vec<UserSchema>,
    count: i64,
}

/// Every `$ref` in `value`, with the JSON pointer of where it was found.
fn refs(value: &Value, at: String, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(target)) => out.push((at.clone(), target.clone())),
                    _ => refs(v, format!("{at}/{}", key.replace('~', "~0").replace('/', "~1")), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn openapi_document_from_the_schemas_has_every_ref_resolving_to_a_component() {
    let mut generator = SchemaSettings::openapi3().into_generator();
    let user = generator.subschema_for::<UserSchema>();
    let user_all = generator.subschema_for::<UserSchemaAll>();
    let user_in = generator.subschema_for::<UserSchemaExclude>();
    let user_patch = generator.subschema_for::<UserPatchSchema>();
    let page = generator.subschema_for::<UserPage>();
    let components = generator.take_definitions(true);
    let body = |schema: &schemars::Schema| json!({"content": {"application/json": {"schema": schema}}, "required": true});
    let ok = |schema: &schemars::Schema| json!({"200": {"description": "OK", "content": {"application/json": {"schema": schema}}}});
    let document = json!({
        "openapi": "3.0.3",
        "info": {"title": "users", "version": "1.0.0"},
        "paths": {
            "/api/users": {
                "get": {"operationId": "list_users", "responses": ok(&page)},
                "post": {"operationId": "create_user", "requestBody": body(&user_in), "responses": ok(&user)}
            },
            "/api/users/{user_id}": {
                "parameters": [{"name": "user_id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "get": {"operationId": "get_user", "responses": ok(&user_all)},
                "patch": {"operationId": "patch_user", "requestBody": body(&user_patch), "responses": ok(&user)}
            }
        },
        "components": {"schemas": components}
    });

    let names: BTreeSet<&str> =
        document["components"]["schemas"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        names,
        BTreeSet::from(["UserPage", "UserPatchSchema", "UserSchema", "UserSchemaAll", "UserSchemaExclude"])
    );
    let mut found = Vec::new();
    refs(&document, String::new(), &mut found);
    let targets: BTreeSet<&str> = found.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        targets,
        BTreeSet::from([
            "#/components/schemas/UserPage",
            "#/components/schemas/UserPatchSchema",
            "#/components/schemas/UserSchema",
            "#/components/schemas/UserSchemaAll",
            "#/components/schemas/UserSchemaExclude",
        ])
    );
    // Five in the paths (user twice) and one inside UserPage.
    assert_eq!(found.len(), 7, "refs found: {found:?}");
    for (at, target) in &found {
        let pointer = target.strip_prefix('#').unwrap_or_else(|| panic!("{at}: `{target}` is not local"));
        let resolved =
            document.pointer(pointer).unwrap_or_else(|| panic!("{at}: `{target}` resolves to nothing"));
        assert_eq!(resolved["type"], "object", "{at}: `{target}` is a component schema");
    }

    // OpenAPI 3.0 spells nullability `nullable: true`, and components carry no `$schema`.
    let schemas = &document["components"]["schemas"];
    assert_eq!(
        schemas["UserPatchSchema"]["properties"]["last_login"],
        json!({"description": LAST_LOGIN_DOC, "type": "string", "format": "date-time", "nullable": true})
    );
    assert_eq!(
        schemas["UserSchemaAll"]["properties"]["last_login"],
        json!({"description": LAST_LOGIN_DOC, "type": "string", "format": "date-time", "nullable": true, "default": null})
    );
    assert_eq!(
        schemas["UserPage"]["properties"]["items"],
        json!({"type": "array", "items": {"$ref": "#/components/schemas/UserSchema"}})
    );
    assert_eq!(schemas["UserPage"]["required"], json!(["items", "count"]));
    for name in &names {
        assert!(schemas[name].get("$schema").is_none(), "component {name} has no `$schema`");
    }
}

// ---------------------------------------------------------------------------------------
// 2. Serde
// ---------------------------------------------------------------------------------------

/// Serializes, checks the JSON, deserializes and checks the value came back unchanged.
fn round_trip<T>(value: &T, expected: Value)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(value).expect("serializes");
    assert_eq!(json, expected);
    let back: T = serde_json::from_value(json).expect("deserializes");
    assert_eq!(&back, value);
}

#[test]
fn every_schema_round_trips_through_json() {
    let user = ann();
    round_trip(
        &UserSchemaAll::from(&user),
        json!({
            "id": 7,
            "username": "ann",
            "email": "ann@example.com",
            "password": "pbkdf2_sha256$1$salt$hash",
            "first_name": "Ann",
            "last_name": "Lee",
            "is_active": true,
            "date_joined": "2024-05-01T09:30:00Z",
            "last_login": "2024-05-02T08:00:00Z"
        }),
    );
    round_trip(
        &UserSchema::from(&user),
        json!({"id": 7, "username": "ann", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"}),
    );
    round_trip(
        &UserSchemaExclude::from(&user),
        json!({
            "id": 7,
            "username": "ann",
            "email": "ann@example.com",
            "first_name": "Ann",
            "last_name": "Lee",
            "is_active": true,
            "date_joined": "2024-05-01T09:30:00Z"
        }),
    );
    let never_logged_in = UserSchemaAll::from(User { last_login: None, ..user });
    let json = serde_json::to_value(&never_logged_in).unwrap();
    assert_eq!(json["last_login"], Value::Null, "a NULL column is written as null, not left out");
    assert_eq!(serde_json::from_value::<UserSchemaAll>(json).unwrap(), never_logged_in);
}

#[test]
fn patch_serializes_only_what_it_sets_and_keeps_null_apart_from_absent() {
    let patch = UserPatchSchema {
        first_name: Patch::Set("Annie".into()),
        last_login: Patch::Null,
        ..UserPatchSchema::default()
    };
    round_trip(&patch, json!({"first_name": "Annie", "last_login": null}));
    round_trip(&UserPatchSchema::default(), json!({}));
    round_trip(
        &UserPatchSchema { last_login: Patch::Set(at(2024, 6, 1, 12, 0)), ..UserPatchSchema::default() },
        json!({"last_login": "2024-06-01T12:00:00Z"}),
    );

    let parsed: UserPatchSchema =
        serde_json::from_str(r#"{"username": "ann2", "last_login": null}"#).expect("a patch parses");
    assert_eq!(parsed.username, Patch::Set("ann2".to_owned()));
    assert_eq!(parsed.email, Patch::Absent);
    assert_eq!(parsed.first_name, Patch::Absent);
    assert_eq!(parsed.last_login, Patch::Null);
}

#[test]
fn input_schema_fills_left_out_fields_with_model_defaults_and_requires_the_rest() {
    let before = Utc::now();
    let parsed: UserSchemaExclude =
        serde_json::from_str(r#"{"username": "ann", "email": "ann@example.com"}"#)
            .expect("the payload parses");
    let after = Utc::now();
    assert_eq!(parsed.id, 0, "no id: the database assigns one");
    assert_eq!((parsed.username.as_str(), parsed.email.as_str()), ("ann", "ann@example.com"));
    assert_eq!((parsed.first_name.as_str(), parsed.last_name.as_str()), ("", ""));
    assert!(parsed.is_active);
    assert!(before <= parsed.date_joined && parsed.date_joined <= after, "date_joined defaults to now");

    let missing = serde_json::from_str::<UserSchemaExclude>(r#"{"email": "ann@example.com"}"#).unwrap_err();
    assert!(missing.to_string().contains("missing field `username`"), "{missing}");
    let wrong_type =
        serde_json::from_str::<UserSchemaExclude>(r#"{"username": 5, "email": "a@b.io"}"#).unwrap_err();
    assert!(wrong_type.to_string().contains("invalid type: integer `5`, expected a string"), "{wrong_type}");
}

#[test]
fn camel_case_schema_reads_and_writes_camel_case_keys() {
    let user = ann();
    round_trip(
        &UserCamelSchema::from(&user),
        json!({"id": 7, "firstName": "Ann", "lastName": "Lee", "lastLogin": "2024-05-02T08:00:00Z"}),
    );
    let parsed: UserCamelSchema =
        serde_json::from_str(r#"{"firstName": "Bo", "first_name": "ignored"}"#).unwrap();
    assert_eq!(
        parsed,
        UserCamelSchema { id: 0, first_name: "Bo".into(), last_name: String::new(), last_login: None }
    );
}

#[test]
fn extra_derives_are_added_to_the_schema_struct() {
    let set: std::collections::HashSet<UserSchema> =
        [UserSchema::from(ann()), UserSchema::from(ann())].into();
    assert_eq!(set.len(), 1);
}

// ---------------------------------------------------------------------------------------
// 3. Tri-state patches against the database
// ---------------------------------------------------------------------------------------

#[kata::test]
async fn patch_absent_null_and_value_are_three_different_updates(db: Db) {
    db.create_tables(&[User::meta()]).await.unwrap();
    let first_login = at(2024, 5, 2, 8, 0);
    let ann = User::objects().acreate(&db, new_user("ann", Some(first_login))).await.unwrap();
    let bob = User::objects().acreate(&db, new_user("bob", Some(first_login))).await.unwrap();
    let only_ann = User::objects().filter(User::id.eq(ann.id));

    // `first_name` set, `last_login` null, everything else absent.
    let patch: UserPatchSchema =
        serde_json::from_str(r#"{"first_name": "Annie", "last_login": null}"#).unwrap();
    assert_eq!(only_ann.aupdate(&db, patch).await.unwrap(), 1);
    let row = User::objects().aget(&db, User::id.eq(ann.id)).await.unwrap();
    assert_eq!(row.first_name, "Annie", "a value sets the column");
    assert_eq!(row.last_login, None, "null sets NULL");
    assert_eq!(
        (row.username.as_str(), row.email.as_str(), row.last_name.as_str()),
        ("ann", "ann@example.com", "ann-last"),
        "absent fields are left alone"
    );

    // `last_login` set again; `first_name` absent this time keeps "Annie".
    let patch: UserPatchSchema = serde_json::from_str(r#"{"last_login": "2024-06-01T12:00:00Z"}"#).unwrap();
    assert_eq!(only_ann.aupdate(&db, patch).await.unwrap(), 1);
    let row = User::objects().aget(&db, User::id.eq(ann.id)).await.unwrap();
    assert_eq!(row.last_login, Some(at(2024, 6, 1, 12, 0)));
    assert_eq!(row.first_name, "Annie");

    let untouched = User::objects().aget(&db, User::id.eq(bob.id)).await.unwrap();
    assert_eq!(untouched, bob, "the filter limits the update to ann");
}

#[kata::test]
async fn patch_null_on_a_non_nullable_field_is_a_validation_error_and_writes_nothing(db: Db) {
    db.create_tables(&[User::meta()]).await.unwrap();
    let ann = User::objects().acreate(&db, new_user("ann", None)).await.unwrap();
    let patch: UserPatchSchema = serde_json::from_str(r#"{"first_name": null, "last_name": "Smith"}"#)
        .expect("null parses; validation rejects it");
    assert_eq!(patch.first_name, Patch::Null);

    let result = kata::testing::assert_num_queries(
        &db,
        0,
        User::objects().filter(User::id.eq(ann.id)).aupdate(&db, patch.clone()),
    )
    .await;
    assert_eq!(violations(result), [("first_name".to_owned(), "null")]);
    let mut instance = ann.clone();
    assert_eq!(violations(instance.apatch(&db, patch).await), [("first_name".to_owned(), "null")]);
    assert_eq!(instance, ann, "a rejected patch leaves the instance alone");
    let row = User::objects().aget(&db, User::id.eq(ann.id)).await.unwrap();
    assert_eq!(row, ann, "a rejected patch leaves the row alone, last_name included");
}

#[kata::test]
async fn empty_patch_runs_no_query(db: Db) {
    db.create_tables(&[User::meta()]).await.unwrap();
    let mut ann = User::objects().acreate(&db, new_user("ann", None)).await.unwrap();
    let empty: UserPatchSchema = serde_json::from_str("{}").unwrap();
    let updated =
        kata::testing::assert_num_queries(&db, 0, User::objects().aupdate(&db, empty.clone())).await;
    assert_eq!(updated.unwrap(), 0);
    let before = ann.clone();
    let patched = kata::testing::assert_num_queries(&db, 0, ann.apatch(&db, empty)).await;
    assert_eq!(patched.unwrap(), 0);
    assert_eq!(ann, before);
}

#[kata::test]
async fn apatch_updates_one_row_and_the_instance(db: Db) {
    db.create_tables(&[User::meta()]).await.unwrap();
    let mut ann = User::objects().acreate(&db, new_user("ann", Some(at(2024, 5, 2, 8, 0)))).await.unwrap();
    let bob = User::objects().acreate(&db, new_user("bob", None)).await.unwrap();
    let patch: UserPatchSchema =
        serde_json::from_str(r#"{"email": "annie@example.com", "last_name": "Park", "last_login": null}"#)
            .unwrap();

    let n = kata::testing::assert_num_queries(&db, 1, ann.apatch(&db, patch)).await.unwrap();
    assert_eq!(n, 1);
    let expected = User {
        email: "annie@example.com".into(),
        last_name: "Park".into(),
        last_login: None,
        ..new_user("ann", None)
    };
    assert_eq!(ann, User { id: ann.id, ..expected.clone() }, "the instance has the patch");
    let row = User::objects().aget(&db, User::id.eq(ann.id)).await.unwrap();
    assert_eq!(row, ann, "the row matches the instance");
    assert_eq!(User::objects().aget(&db, User::id.eq(bob.id)).await.unwrap(), bob);
}

#[test]
fn apply_copies_set_and_null_fields_onto_the_model_in_memory() {
    let mut user = ann();
    let patch = UserPatchSchema {
        username: Patch::Set("annie".into()),
        last_login: Patch::Null,
        email: Patch::Absent,
        ..UserPatchSchema::default()
    };
    patch.apply(&mut user);
    assert_eq!(user, User { username: "annie".into(), last_login: None, ..ann() });

    UserPatchSchema { last_login: Patch::Set(at(2025, 1, 1, 0, 0)), ..Default::default() }.apply(&mut user);
    assert_eq!(user.last_login, Some(at(2025, 1, 1, 0, 0)));

    // A plain (non-patch) schema sets every one of its fields.
    UserSchema {
        id: 99,
        username: "z".into(),
        email: "z@z.io".into(),
        first_name: "Z".into(),
        last_name: "Q".into(),
    }
    .apply(&mut user);
    assert_eq!(
        user,
        User {
            username: "z".into(),
            email: "z@z.io".into(),
            first_name: "Z".into(),
            last_name: "Q".into(),
            last_login: Some(at(2025, 1, 1, 0, 0)),
            ..ann()
        },
        "the auto key is never overwritten by apply"
    );
}

// ---------------------------------------------------------------------------------------
// 4. Validation
// ---------------------------------------------------------------------------------------

/// An input payload breaking three rules: username too long, e-mail malformed, first name too long.
fn three_violations() -> UserSchemaExclude {
    UserSchemaExclude {
        username: "u".repeat(151),
        email: "not-an-email".into(),
        first_name: "f".repeat(151),
        ..UserSchemaExclude::default()
    }
}

fn expected_three() -> Vec<(String, &'static str)> {
    vec![("username".into(), "max_length"), ("email".into(), "email"), ("first_name".into(), "max_length")]
}

#[test]
fn validate_reports_every_violation_with_its_field() {
    assert_eq!(violations(three_violations().validate()), expected_three());
    match three_violations().validate() {
        Err(Error::Validation(errors)) => {
            let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
            assert_eq!(
                messages,
                [
                    "at most 150 characters (it has 151)",
                    "enter a valid e-mail address",
                    "at most 150 characters (it has 151)"
                ]
            );
        }
        other => panic!("expected Error::Validation, got {other:?}"),
    }

    let limits = UserSchemaExclude {
        username: "é".repeat(150),
        email: "ann@example.com".into(),
        first_name: "f".repeat(150),
        ..UserSchemaExclude::default()
    };
    assert!(limits.validate().is_ok(), "max_length counts characters, and 150 of them is allowed");

    let patch = UserPatchSchema {
        username: Patch::Set("u".repeat(151)),
        email: Patch::Set("ann@".into()),
        first_name: Patch::Null,
        last_login: Patch::Null,
        ..UserPatchSchema::default()
    };
    assert_eq!(
        violations(patch.validate()),
        [
            ("username".to_owned(), "max_length"),
            ("email".to_owned(), "email"),
            ("first_name".to_owned(), "null")
        ]
    );
    let camel = UserCamelSchema { first_name: "f".repeat(151), ..UserCamelSchema::default() };
    assert_eq!(
        violations(camel.validate()),
        [("firstName".to_owned(), "max_length")],
        "errors use the JSON names"
    );
}

#[kata::test]
async fn acreate_with_an_invalid_schema_reports_every_violation_and_inserts_nothing(db: Db) {
    db.create_tables(&[User::meta()]).await.unwrap();
    let result =
        kata::testing::assert_num_queries(&db, 0, User::objects().acreate(&db, three_violations())).await;
    assert_eq!(violations(result), expected_three());
    assert_eq!(User::objects().acount(&db).await.unwrap(), 0);
}

#[kata::test]
async fn aupdate_with_an_invalid_patch_changes_nothing(db: Db) {
    db.create_tables(&[User::meta()]).await.unwrap();
    let ann = User::objects().acreate(&db, new_user("ann", None)).await.unwrap();
    let patch: UserPatchSchema = serde_json::from_value(json!({
        "username": "u".repeat(151),
        "email": "ann at example.com",
        "first_name": "f".repeat(151),
        "last_name": "Valid",
    }))
    .unwrap();
    let result = kata::testing::assert_num_queries(&db, 0, User::objects().aupdate(&db, patch)).await;
    assert_eq!(violations(result), expected_three());
    assert_eq!(User::objects().alist(&db).await.unwrap(), [ann]);
}

// ---------------------------------------------------------------------------------------
// 5. Conversions and inserts
// ---------------------------------------------------------------------------------------

#[test]
fn every_schema_converts_from_a_user_and_from_a_reference() {
    let user = ann();
    assert_eq!(UserSchemaAll::from(user.clone()), UserSchemaAll::from(&user));
    assert_eq!(UserSchema::from(user.clone()), UserSchema::from(&user));
    assert_eq!(UserSchemaExclude::from(user.clone()), UserSchemaExclude::from(&user));
    assert_eq!(UserPatchSchema::from(user.clone()), UserPatchSchema::from(&user));
    assert_eq!(UserLoginPatch::from(user.clone()), UserLoginPatch::from(&user));
    assert_eq!(UserCamelSchema::from(user.clone()), UserCamelSchema::from(&user));

    assert_eq!(
        UserSchemaAll::from(&user),
        UserSchemaAll {
            id: 7,
            username: "ann".into(),
            email: "ann@example.com".into(),
            password: "pbkdf2_sha256$1$salt$hash".into(),
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            is_active: true,
            date_joined: at(2024, 5, 1, 9, 30),
            last_login: Some(at(2024, 5, 2, 8, 0)),
        }
    );
    assert_eq!(
        UserSchema::from(&user),
        UserSchema {
            id: 7,
            username: "ann".into(),
            email: "ann@example.com".into(),
            first_name: "Ann".into(),
            last_name: "Lee".into()
        }
    );
    assert_eq!(
        UserSchemaExclude::from(&user),
        UserSchemaExclude {
            id: 7,
            username: "ann".into(),
            email: "ann@example.com".into(),
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            is_active: true,
            date_joined: at(2024, 5, 1, 9, 30),
        }
    );
    assert_eq!(
        UserPatchSchema::from(&user),
        UserPatchSchema {
            username: Patch::Set("ann".into()),
            email: Patch::Set("ann@example.com".into()),
            first_name: Patch::Set("Ann".into()),
            last_name: Patch::Set("Lee".into()),
            last_login: Patch::Set(at(2024, 5, 2, 8, 0)),
        }
    );
    assert_eq!(
        UserPatchSchema::from(User { last_login: None, ..ann() }).last_login,
        Patch::Null,
        "a NULL column becomes an explicit null"
    );
    assert_eq!(
        UserLoginPatch::from(&user),
        UserLoginPatch { email: "ann@example.com".into(), last_login: Patch::Set(at(2024, 5, 2, 8, 0)) }
    );
    assert_eq!(
        UserCamelSchema::from(&user),
        UserCamelSchema {
            id: 7,
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            last_login: Some(at(2024, 5, 2, 8, 0))
        }
    );
}

#[kata::test]
async fn input_schema_creates_a_user_with_its_id_and_defaults(db: Db) {
    db.create_tables(&[User::meta()]).await.unwrap();
    let before = Utc::now().trunc_subsecs(0) - chrono::Duration::seconds(1);
    let payload = UserSchemaExclude {
        username: "ann".into(),
        email: "ann@example.com".into(),
        ..UserSchemaExclude::default()
    };
    let created = User::objects().acreate(&db, payload).await.unwrap();
    let after = Utc::now() + chrono::Duration::seconds(1);
    assert!(created.id > 0, "the database assigned an id");
    assert_eq!((created.username.as_str(), created.email.as_str()), ("ann", "ann@example.com"));
    assert_eq!(created.password, "", "a field the schema leaves out takes the column default");
    assert_eq!((created.first_name.as_str(), created.last_name.as_str()), ("", ""));
    assert!(created.is_active);
    assert_eq!(created.last_login, None);
    assert!(before <= created.date_joined && created.date_joined <= after, "date_joined is set to now");
    assert_eq!(User::objects().aget(&db, User::id.eq(created.id)).await.unwrap(), created);

    let bob = User::objects()
        .acreate(
            &db,
            UserSchemaExclude {
                username: "bob".into(),
                email: "bob@example.com".into(),
                is_active: false,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(bob.id > created.id);
    assert!(!bob.is_active, "a value given in the schema wins over the default");
    assert_eq!(
        UserSchema::from(&bob),
        UserSchema {
            id: bob.id,
            username: "bob".into(),
            email: "bob@example.com".into(),
            first_name: String::new(),
            last_name: String::new()
        }
    );
}

// ---------------------------------------------------------------------------------------
// 6. Partial loading
// ---------------------------------------------------------------------------------------

#[kata::test]
async fn alist_as_loads_only_the_schema_columns(db: Db) {
    db.create_tables(&[User::meta()]).await.unwrap();
    let ann = User::objects().acreate(&db, new_user("ann", Some(at(2024, 5, 2, 8, 0)))).await.unwrap();
    let bob = User::objects().acreate(&db, new_user("bob", None)).await.unwrap();
    let by_id = User::objects().order_by([User::id.asc()]);
    let expected = vec![
        UserSchema {
            id: ann.id,
            username: "ann".into(),
            email: "ann@example.com".into(),
            first_name: "ann-first".into(),
            last_name: "ann-last".into(),
        },
        UserSchema {
            id: bob.id,
            username: "bob".into(),
            email: "bob@example.com".into(),
            first_name: "bob-first".into(),
            last_name: "bob-last".into(),
        },
    ];
    let rows = kata::testing::assert_num_queries(&db, 1, by_id.alist_as::<UserSchema>(&db)).await.unwrap();
    assert_eq!(rows, expected);
    let patches = by_id.alist_as::<UserPatchSchema>(&db).await.unwrap();
    assert_eq!(
        patches.iter().map(|p| p.last_login.clone()).collect::<Vec<_>>(),
        [Patch::Set(at(2024, 5, 2, 8, 0)), Patch::Null]
    );
    let bobs = User::objects().filter(User::username.eq("bob")).alist_as::<UserSchema>(&db).await.unwrap();
    assert_eq!(bobs, expected[1..]);

    // Without the columns UserSchema leaves out, whole models no longer load, the schema still does.
    for column in ["password", "is_active", "date_joined", "last_login"] {
        db.execute_unprepared(&format!("ALTER TABLE auth_user DROP COLUMN {column}")).await.unwrap();
    }
    assert!(User::objects().alist(&db).await.is_err(), "a whole User needs the dropped columns");
    assert_eq!(by_id.alist_as::<UserSchema>(&db).await.unwrap(), expected);
}
