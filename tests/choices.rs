//! `#[derive(Choices)]` (issue "Choices"): text and integer choices stored, read back and
//! filtered on every backend, serialised as their values, described in JSON Schema, and an
//! unknown stored value reported as a decode error.

use kata::prelude::*;
use kata::{Backend, ColumnType, Error, FieldType};

#[derive(Choices, Debug, Clone, Copy, PartialEq, Eq)]
#[kata(rename_all = "snake_case")]
enum Status {
    Draft,
    InReview,
    #[kata(value = "pub")]
    Published,
}

#[derive(Choices, Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i16)]
enum Priority {
    Low = 1,
    Normal,
    Urgent = 10,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "choices_post")]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    title: String,
    #[kata(max_length = 20)]
    status: Status,
    previous_status: Option<Status>,
    priority: Priority,
    escalation: Option<Priority>,
}

impl Post {
    fn new(title: &str, status: Status, priority: Priority) -> Post {
        Post { id: 0, title: title.into(), status, previous_status: None, priority, escalation: None }
    }
}

/// Creates the table and three posts: "a" (draft, low), "b" (in review, normal, was a
/// draft, escalated to urgent) and "c" (published, urgent).
async fn three_posts(db: &Db) -> Vec<Post> {
    db.create_tables(&[Post::meta()]).await.unwrap();
    let b = Post {
        previous_status: Some(Status::Draft),
        escalation: Some(Priority::Urgent),
        ..Post::new("b", Status::InReview, Priority::Normal)
    };
    let posts = vec![
        Post::new("a", Status::Draft, Priority::Low),
        b,
        Post::new("c", Status::Published, Priority::Urgent),
    ];
    Post::objects().abulk_create(db, posts).await.unwrap()
}

/// The titles of the posts that `q` matches, in order.
async fn titles(db: &Db, q: Q<Post>) -> Vec<String> {
    let posts = Post::objects().filter(q).order_by([Post::title.asc()]).alist(db).await.unwrap();
    posts.into_iter().map(|post| post.title).collect()
}

/// `name` quoted as an identifier for `backend`.
fn quote(backend: Backend, name: &str) -> String {
    match backend {
        Backend::MySql | Backend::MariaDb => format!("`{name}`"),
        _ => format!("\"{name}\""),
    }
}

/// Inserts a row behind kata's back, with the status and priority given as SQL literals.
async fn insert_raw(db: &Db, status: &str, priority: &str) {
    let q = |name| quote(db.backend(), name);
    let sql = format!(
        "INSERT INTO {} ({}, {}, {}) VALUES ('raw', {status}, {priority})",
        q("choices_post"),
        q("title"),
        q("status"),
        q("priority"),
    );
    db.execute_unprepared(&sql).await.unwrap();
}

#[test]
fn columns_are_text_or_the_repr_integer() {
    let meta = Post::meta();
    let column = |name| meta.column(name).unwrap_or_else(|| panic!("no column {name}"));
    assert_eq!(column("status").ty, ColumnType::Text);
    assert_eq!(column("status").max_length, Some(20));
    assert!(!column("status").nullable);
    assert!(column("previous_status").nullable);
    assert_eq!(column("priority").ty, ColumnType::SmallInt);
    assert_eq!(<Option<Priority> as FieldType>::COLUMN_TYPE, ColumnType::SmallInt);
}

#[kata::test]
async fn text_and_integer_choices_are_stored_and_read_back(db: Db) {
    let posts = three_posts(&db).await;
    for post in &posts {
        let got = Post::objects().aget(&db, Post::pk.eq(post.id)).await.unwrap();
        assert_eq!(&got, post);
    }
    let b = Post::objects().aget(&db, Post::title.eq("b")).await.unwrap();
    assert_eq!(b.status, Status::InReview);
    assert_eq!(b.previous_status, Some(Status::Draft));
    assert_eq!(b.priority, Priority::Normal);
    assert_eq!(b.escalation, Some(Priority::Urgent));

    let stored = Post::objects().values_list((Post::title, Post::status)).alist(&db).await.unwrap();
    assert!(stored.contains(&("c".to_owned(), Status::Published)));
}

#[kata::test]
async fn the_database_holds_the_values_not_the_variant_names(db: Db) {
    db.create_tables(&[Post::meta()]).await.unwrap();
    insert_raw(&db, "'pub'", "10").await;
    let post = Post::objects().aget(&db, Post::title.eq("raw")).await.unwrap();
    assert_eq!((post.status, post.priority), (Status::Published, Priority::Urgent));
    let n = Post::objects().filter(Post::status.eq(Status::Published) & Post::priority.eq(Priority::Urgent));
    assert_eq!(n.acount(&db).await.unwrap(), 1);
}

#[kata::test]
async fn choices_filter_with_eq_and_is_in(db: Db) {
    three_posts(&db).await;
    assert_eq!(titles(&db, Post::status.eq(Status::Published)).await, ["c"]);
    assert_eq!(titles(&db, Post::status.ne(Status::Published)).await, ["a", "b"]);
    assert_eq!(titles(&db, Post::status.is_in([Status::Draft, Status::Published])).await, ["a", "c"]);
    assert_eq!(titles(&db, Post::previous_status.eq(Status::Draft)).await, ["b"]);
    assert_eq!(titles(&db, Post::previous_status.isnull(true)).await, ["a", "c"]);
    assert_eq!(titles(&db, Post::priority.eq(Priority::Urgent)).await, ["c"]);
    assert_eq!(titles(&db, Post::priority.is_in([Priority::Low, Priority::Normal])).await, ["a", "b"]);
    assert_eq!(titles(&db, Post::escalation.is_in([Priority::Urgent])).await, ["b"]);
}

#[kata::test]
async fn choices_update_with_set(db: Db) {
    three_posts(&db).await;
    let drafts = Post::objects().filter(Post::status.eq(Status::Draft));
    let updated = drafts
        .aupdate(&db, [Post::status.set(Status::Published), Post::escalation.set(Some(Priority::Low))])
        .await
        .unwrap();
    assert_eq!(updated, 1);
    let a = Post::objects().aget(&db, Post::title.eq("a")).await.unwrap();
    assert_eq!((a.status, a.escalation), (Status::Published, Some(Priority::Low)));
}

#[kata::test]
async fn an_unknown_stored_text_is_a_decode_error_naming_it(db: Db) {
    db.create_tables(&[Post::meta()]).await.unwrap();
    insert_raw(&db, "'archived'", "1").await;
    match Post::objects().alist(&db).await {
        Err(Error::Decode { what: message, .. }) => {
            assert!(message.contains("\"archived\" is not a Status value"), "{message}");
            assert!(message.contains("\"draft\", \"in_review\", \"pub\""), "{message}");
        }
        other => panic!("expected Error::Decode, got {other:?}"),
    }
}

#[kata::test]
async fn an_unknown_stored_integer_is_a_decode_error_naming_it(db: Db) {
    db.create_tables(&[Post::meta()]).await.unwrap();
    insert_raw(&db, "'draft'", "7").await;
    let err = Post::objects().afirst(&db).await.unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert_eq!(message, "could not decode a value: 7 is not a Priority value; expected one of: 1, 2, 10");
}

#[test]
fn serde_uses_the_stored_values() {
    assert_eq!(serde_json::to_string(&Status::InReview).unwrap(), r#""in_review""#);
    assert_eq!(serde_json::to_string(&Status::Published).unwrap(), r#""pub""#);
    assert_eq!(serde_json::to_string(&Priority::Urgent).unwrap(), "10");
    assert_eq!(serde_json::to_string(&Some(Priority::Normal)).unwrap(), "2");

    for status in [Status::Draft, Status::InReview, Status::Published] {
        let json = serde_json::to_string(&status).unwrap();
        assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), status);
    }
    for priority in [Priority::Low, Priority::Normal, Priority::Urgent] {
        let json = serde_json::to_value(priority).unwrap();
        assert_eq!(serde_json::from_value::<Priority>(json).unwrap(), priority);
    }
    let statuses: Vec<Status> = serde_json::from_str(r#"["draft", "pub"]"#).unwrap();
    assert_eq!(statuses, [Status::Draft, Status::Published]);
}

#[test]
fn serde_rejects_unknown_values_naming_them() {
    let err = serde_json::from_str::<Status>(r#""Published""#).unwrap_err().to_string();
    assert!(
        err.starts_with(r#""Published" is not a Status value; expected one of: "draft", "in_review", "pub""#),
        "{err}"
    );
    let err = serde_json::from_str::<Priority>("3").unwrap_err().to_string();
    assert!(err.starts_with("3 is not a Priority value; expected one of: 1, 2, 10"), "{err}");
    let err = serde_json::from_str::<Status>("1").unwrap_err().to_string();
    assert!(err.contains("expected a Status value"), "{err}");
}

#[test]
fn json_schema_is_an_enum_of_the_values() {
    let status = serde_json::to_value(schemars::schema_for!(Status)).unwrap();
    assert_eq!(status["type"], "string");
    assert_eq!(status["enum"], serde_json::json!(["draft", "in_review", "pub"]));
    assert_eq!(status["title"], "Status");

    let priority = serde_json::to_value(schemars::schema_for!(Priority)).unwrap();
    assert_eq!(priority["type"], "integer");
    assert_eq!(priority["enum"], serde_json::json!([1, 2, 10]));
}

#[test]
fn json_schema_of_a_struct_refers_to_the_choices_definition() {
    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Payload {
        status: Status,
        previous: Option<Status>,
    }
    let schema = serde_json::to_value(schemars::schema_for!(Payload)).unwrap();
    assert_eq!(schema["properties"]["status"]["$ref"], "#/$defs/Status");
    assert_eq!(schema["$defs"]["Status"]["enum"], serde_json::json!(["draft", "in_review", "pub"]));
}
