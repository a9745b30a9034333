//! ModelSchema on models with foreign keys: the key appears as `<field>_id`, the same name on
//! input and output, and patches set or clear it.

use kata::prelude::*;

/// A user.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_user")]
pub struct User {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(unique, max_length = 150)]
    pub username: String,
}

#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(NoteIn, exclude(id))]
#[model_schema(NotePatch, fields(owner, reviewer), optional = "__all__")]
pub struct Note {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key)]
    pub owner: ForeignKey<User>,
    #[kata(foreign_key, on_delete = "set_null")]
    pub reviewer: Option<ForeignKey<User>>,
    pub body: String,
}

#[kata::test]
async fn foreign_keys_are_keys_named_field_id_in_and_out(db: Db) {
    db.create_tables(&[User::meta(), Note::meta()]).await.unwrap();
    let ann = User::objects().acreate(&db, [User::username.set("ann")]).await.unwrap();
    let note = Note::objects()
        .acreate(&db, NoteIn { owner_id: ann.id, reviewer_id: None, body: "x".into() })
        .await
        .unwrap();
    assert_eq!(*note.owner.id(), ann.id);
    let json = serde_json::to_value(NoteIn::from(&note)).unwrap();
    assert_eq!(json["owner_id"], ann.id);
    let p: NotePatch = serde_json::from_str(&format!(r#"{{"reviewer_id": {}}}"#, ann.id)).unwrap();
    Note::objects().aupdate(&db, p).await.unwrap();
    let got = Note::objects().aget(&db, Note::pk.eq(note.id)).await.unwrap();
    assert_eq!(got.reviewer.as_ref().map(|r| *r.id()), Some(ann.id));
}

#[test]
fn foreign_key_json_schema_is_the_key_type() {
    let schema = serde_json::to_value(schemars::schema_for!(NoteIn)).unwrap();
    assert_eq!(schema["properties"]["owner_id"]["type"], "integer");
    assert_eq!(schema["properties"]["reviewer_id"]["type"], serde_json::json!(["integer", "null"]));
    let required: Vec<&str> =
        schema["required"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
    assert!(required.contains(&"owner_id"));
    assert!(!required.contains(&"reviewer_id"));
}
