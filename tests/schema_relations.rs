//! ModelSchema on models with relations: a foreign key appears as `<field>_id`, the same
//! name on input and output, and patches set or clear it; `nested(..)` outputs the related
//! object's schema; a many-to-many field is the list of related keys. Output conversions of
//! relations need them loaded and never query.

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
    assert_eq!(note.owner.id(), ann.id);
    let json = serde_json::to_value(NoteIn::from(&note)).unwrap();
    assert_eq!(json["owner_id"], ann.id);
    let p: NotePatch = serde_json::from_str(&format!(r#"{{"reviewer_id": {}}}"#, ann.id)).unwrap();
    Note::objects().aupdate(&db, p).await.unwrap();
    let got = Note::objects().aget(&db, Note::pk.eq(note.id)).await.unwrap();
    assert_eq!(got.reviewer.id(), Some(ann.id));
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

/// A post, output with its author nested (Ninja's `depth`).
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(PostOut, fields(id, title, author, editor), nested(author = UserOut, editor = UserOut))]
pub struct Post {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key)]
    pub author: ForeignKey<Writer>,
    #[kata(foreign_key, on_delete = "set_null")]
    pub editor: Option<ForeignKey<Writer>>,
    pub title: String,
}

/// A writer with an output schema.
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(UserOut, fields(id, name))]
pub struct Writer {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub name: String,
}

#[kata::test]
async fn nested_output_needs_the_relation_loaded_and_never_queries(db: Db) {
    db.create_tables(&[Writer::meta(), Post::meta()]).await.unwrap();
    let ann = Writer::objects().acreate(&db, [Writer::name.set("ann")]).await.unwrap();
    Post::objects()
        .acreate(&db, [Post::author.set(ForeignKey::new(ann.id)), Post::title.set("hi")])
        .await
        .unwrap();
    let plain = Post::objects().alist(&db).await.unwrap();
    let err = PostOut::try_from(&plain[0]).unwrap_err();
    assert!(matches!(err, kata::Error::NotLoaded { model: "Post", relation: "author" }), "{err:?}");
    let loaded =
        Post::objects().select_related(Post::author).select_related(Post::editor).alist(&db).await.unwrap();
    let out =
        kata::testing::assert_num_queries(&db, 0, async { PostOut::try_from(&loaded[0]) }).await.unwrap();
    assert_eq!(out.author, UserOut { id: ann.id, name: "ann".into() });
    assert_eq!(out.editor, None);
    let json = serde_json::to_value(&out).unwrap();
    assert_eq!(json["author"]["name"], "ann");
}

/// A tag, for the many-to-many below.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Tag {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub label: String,
}

/// An article with tags, output with the tag keys as Ninja does.
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(ArticleOut, fields(id, headline, tags))]
pub struct Article {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub headline: String,
    #[kata(many_to_many)]
    pub tags: ManyToMany<Tag>,
}

#[kata::test]
async fn many_to_many_fields_are_lists_of_keys_once_prefetched(db: Db) {
    db.create_tables(&[Tag::meta(), Article::meta()]).await.unwrap();
    let rust = Tag::objects().acreate(&db, [Tag::label.set("rust")]).await.unwrap();
    let sql = Tag::objects().acreate(&db, [Tag::label.set("sql")]).await.unwrap();
    let article = Article::objects().acreate(&db, [Article::headline.set("kata")]).await.unwrap();
    article.tags.aadd(&db, &rust).await.unwrap();
    article.tags.aadd(&db, &sql).await.unwrap();

    let plain = Article::objects().aget(&db, Article::pk.eq(article.id)).await.unwrap();
    let err = ArticleOut::try_from(&plain).unwrap_err();
    assert!(matches!(err, kata::Error::NotLoaded { model: "Article", relation: "tags" }), "{err:?}");

    let loaded = Article::objects().prefetch_related(Article::tags).alist(&db).await.unwrap();
    let mut out = ArticleOut::try_from(&loaded[0]).unwrap();
    out.tags.sort();
    assert_eq!(out, ArticleOut { id: article.id, headline: "kata".into(), tags: vec![rust.id, sql.id] });
    let schema = serde_json::to_value(schemars::schema_for!(ArticleOut)).unwrap();
    assert_eq!(schema["properties"]["tags"]["type"], "array");
    assert_eq!(schema["properties"]["tags"]["items"]["type"], "integer");
}
