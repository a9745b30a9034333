//! PostgreSQL arrays (issue 13) and `ArrayAgg` (issue 12): a `Vec<T>` field is Django's
//! `ArrayField`, with its lookups `contains`, `contained_by`, `overlap`, `len` and the index
//! transform, and Django's `ArrayAgg`, with the answers Django's postgres tests give. SQLite,
//! MySQL and MariaDB have no arrays: there every test checks that kata refuses them with
//! `ConfigError::Unsupported` before any SQL, as Django's `ArrayField` exists for
//! PostgreSQL only.

use kata::migrate::prelude::*;
use kata::migrate::{Hints, Migrator, Target, makemigrations};
use kata::prelude::*;
use kata::{ArrayAgg, Backend, ConfigError, Error};

#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(PostIn, exclude(id))]
#[model_schema(PostPatch, fields(tags, scores), optional = "__all__")]
pub struct Post {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 40)]
    pub title: String,
    pub tags: Vec<String>,
    pub scores: Vec<i32>,
    pub flags: Vec<bool>,
    pub big: Vec<i64>,
    pub small: Vec<i16>,
    pub ratios: Vec<f64>,
    pub weights: Vec<f32>,
    pub maybe: Option<Vec<i64>>,
}

fn post(title: &str, tags: &[&str], scores: &[i32], maybe: Option<Vec<i64>>) -> Post {
    Post {
        id: 0,
        title: title.into(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        scores: scores.to_vec(),
        flags: vec![true, false],
        big: vec![i64::MIN, 0, i64::MAX],
        small: vec![i16::MIN, i16::MAX],
        ratios: vec![-0.5, 1e300],
        weights: vec![1.5],
        maybe,
    }
}

fn has_arrays(db: &Db) -> bool {
    db.backend() == Backend::Postgres
}

/// The error of a backend without arrays, and that nothing was sent.
fn assert_unsupported<T: std::fmt::Debug>(result: kata::Result<T>, queries: &[kata::testing::CapturedQuery]) {
    match result {
        Err(Error::Config(ConfigError::Unsupported { option, .. })) => {
            assert!(option.contains("array") || option.contains("Array"), "{option}")
        }
        other => panic!("expected ConfigError::Unsupported, got {other:?}"),
    }
    assert!(queries.is_empty(), "nothing is sent: {queries:?}");
}

/// Django's `ArrayField` test data, by title: tags, scores and the nullable array.
async fn posts(db: &Db) -> Vec<Post> {
    db.create_tables(&[Post::meta()]).await.unwrap();
    let mut rows = vec![
        post("a", &["rust", "sql"], &[1, 2], Some(vec![1])),
        post("b", &["rust"], &[2, 3, 4], None),
        post("c", &[], &[], Some(vec![])),
        post("d", &["web", "ünïcödé, \"quoted\" {braces}", ""], &[5], Some(vec![1, 2, 3])),
    ];
    for row in &mut rows {
        row.asave(db).await.unwrap();
    }
    rows
}

async fn titles(db: &Db, q: Q<Post>) -> Vec<String> {
    Post::objects().filter(q).order_by([Post::title.asc()]).values_list(Post::title).alist(db).await.unwrap()
}

#[kata::test]
async fn arrays_round_trip_with_their_extremes(db: Db) {
    // `is_in` has no meaning on whole arrays: refused on every backend, before any SQL.
    let in_list = Post::objects().filter(Post::scores.is_in([vec![1, 2]]));
    let (result, queries) = kata::testing::capture_queries(&db, in_list.acount(&db)).await;
    assert!(matches!(result, Err(Error::InvalidQuery(_))), "{result:?}");
    assert!(queries.is_empty(), "{queries:?}");
    if !has_arrays(&db) {
        let (result, queries) = kata::testing::capture_queries(&db, db.create_tables(&[Post::meta()])).await;
        assert_unsupported(result, &queries);
        return;
    }
    let written = posts(&db).await;
    db.check_models(&[Post::meta()]).await.unwrap();
    let read = Post::objects().order_by([Post::id.asc()]).alist(&db).await.unwrap();
    assert_eq!(read, written);
    // A whole array compares as one value (Django's `exact`), and a NULL one is `isnull`.
    assert_eq!(titles(&db, Post::scores.eq(vec![2, 3, 4])).await, ["b"]);
    assert_eq!(titles(&db, Post::tags.eq(Vec::<String>::new())).await, ["c"]);
    assert_eq!(titles(&db, Post::maybe.isnull(true)).await, ["b"]);
    assert_eq!(titles(&db, Post::maybe.eq(Some(vec![]))).await, ["c"]);
    // Dynamic values read the same arrays.
    let (tags, maybe) = Post::objects()
        .filter(Post::title.eq("d"))
        .values_list((Post::tags, Post::maybe))
        .afirst(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tags, written[3].tags);
    assert_eq!(maybe, Some(vec![1, 2, 3]));
    // An update of the array alone.
    let changed = Post::objects()
        .filter(Post::title.eq("b"))
        .aupdate(&db, [Post::tags.set(vec!["go".to_owned()]), Post::maybe.set(Some(vec![9]))])
        .await
        .unwrap();
    assert_eq!(changed, 1);
    let b = Post::objects().aget(&db, Post::title.eq("b")).await.unwrap();
    assert_eq!((b.tags, b.maybe), (vec!["go".to_owned()], Some(vec![9])));
    // bulk_create sends every array as one parameter.
    let created = Post::objects()
        .abulk_create(&db, vec![post("e", &["x"], &[7], None), post("f", &[], &[8, 9], Some(vec![2]))])
        .await
        .unwrap();
    let read = Post::objects().filter(Post::title.is_in(["e", "f"])).order_by([Post::title.asc()]);
    assert_eq!(read.alist(&db).await.unwrap(), created);
}

#[kata::test]
async fn array_lookups_give_djangos_answers(db: Db) {
    if !has_arrays(&db) {
        let q = Post::objects().filter(Post::tags.contains(["rust"]));
        let (result, queries) = kata::testing::capture_queries(&db, q.acount(&db)).await;
        assert_unsupported(result, &queries);
        let q = Post::objects().filter(Post::scores.len().gt(1));
        let (result, queries) = kata::testing::capture_queries(&db, q.acount(&db)).await;
        assert_unsupported(result, &queries);
        return;
    }
    posts(&db).await;
    // contains: every listed value is in the array; the empty list is in every array.
    assert_eq!(titles(&db, Post::tags.contains(["rust"])).await, ["a", "b"]);
    assert_eq!(titles(&db, Post::tags.contains(["rust", "sql"])).await, ["a"]);
    assert_eq!(titles(&db, Post::scores.contains(Vec::<i32>::new())).await, ["a", "b", "c", "d"]);
    assert_eq!(titles(&db, Post::tags.contains(["ünïcödé, \"quoted\" {braces}"])).await, ["d"]);
    // A NULL array contains nothing, and `exclude` keeps it (as Django's `exclude` keeps
    // the rows whose nullable field is NULL).
    assert_eq!(titles(&db, Post::maybe.contains([1i64])).await, ["a", "d"]);
    assert_eq!(titles(&db, !Post::maybe.contains([1i64])).await, ["b", "c"]);
    // contained_by: every element of the array is listed; the empty array always is.
    assert_eq!(titles(&db, Post::scores.contained_by([1, 2, 3, 4])).await, ["a", "b", "c"]);
    assert_eq!(titles(&db, Post::tags.contained_by(["rust"])).await, ["b", "c"]);
    // overlap: an element in common; never with an empty array.
    assert_eq!(titles(&db, Post::scores.overlap([2, 5])).await, ["a", "b", "d"]);
    assert_eq!(titles(&db, Post::scores.overlap(Vec::<i32>::new())).await, Vec::<String>::new());
    // len: 0 for an empty array; a NULL array has none.
    assert_eq!(titles(&db, Post::scores.len().eq(0)).await, ["c"]);
    assert_eq!(titles(&db, Post::tags.len().gte(2)).await, ["a", "d"]);
    assert_eq!(titles(&db, Post::maybe.len().lt(2)).await, ["a", "c"]);
    let lengths = Post::objects()
        .filter(Post::maybe.isnull(false))
        .order_by([Post::title.asc()])
        .values_list(Post::maybe.len())
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(lengths, [1, 0, 3]);
    // The index transform counts from 0, and is NULL past the end.
    assert_eq!(titles(&db, Post::scores.at(0).eq(2)).await, ["b"]);
    assert_eq!(titles(&db, Post::scores.at(2).gt(3)).await, ["b"]);
    assert_eq!(titles(&db, Post::tags.at(5).isnull(true)).await, ["a", "b", "c", "d"]);
    let seconds =
        Post::objects().order_by([Post::title.asc()]).values_list(Post::tags.at(1)).alist(&db).await.unwrap();
    assert_eq!(
        seconds,
        [Some("sql".to_owned()), None, None, Some("ünïcödé, \"quoted\" {braces}".to_owned())]
    );
    assert_eq!(titles(&db, Post::tags.at(u32::MAX).isnull(false)).await, Vec::<String>::new());
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Book {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub author_id: i64,
    pub title: String,
    pub pages: i32,
}

#[kata::test]
async fn array_agg_collects_values_in_order_with_filter_and_default(db: Db) {
    db.create_tables(&[Book::meta()]).await.unwrap();
    for (author, title, pages) in [(1, "b", 300), (1, "a", 100), (1, "c", 200), (2, "z", 50)] {
        Book::objects()
            .acreate(&db, [Book::author_id.set(author), Book::title.set(title), Book::pages.set(pages)])
            .await
            .unwrap();
    }
    let titles = ArrayAgg(Book::title).ordering([Book::pages.desc()]);
    if !has_arrays(&db) {
        let (result, queries) =
            kata::testing::capture_queries(&db, Book::objects().aaggregate(&db, titles)).await;
        assert_unsupported(result, &queries);
        return;
    }
    assert_eq!(
        Book::objects().aaggregate(&db, titles).await.unwrap(),
        Some(vec!["b".to_owned(), "c".to_owned(), "a".to_owned(), "z".to_owned()])
    );
    // Without ordering=, the same values in some order.
    let mut pages = Book::objects().aaggregate(&db, ArrayAgg(Book::pages)).await.unwrap().unwrap();
    pages.sort();
    assert_eq!(pages, [50, 100, 200, 300]);
    // Grouped per author, filtered, with ordering= after filter=.
    let per_author = Book::objects()
        .order_by([Book::author_id.asc()])
        .values_list((
            Book::author_id,
            ArrayAgg(Book::title).filter(Book::pages.gte(100)).ordering([Book::title.asc()]),
        ))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(per_author, [(1, Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()])), (2, None)]);
    // Over no rows: None, or the default (Django's `default=`).
    let none = Book::objects().filter(Book::pages.gt(1000));
    assert_eq!(none.clone().aaggregate(&db, ArrayAgg(Book::title)).await.unwrap(), None);
    assert_eq!(
        none.aaggregate(&db, ArrayAgg(Book::pages).default(Vec::<i32>::new())).await.unwrap(),
        Vec::<i32>::new()
    );
    // ordering= belongs to StringAgg and ArrayAgg only.
    let err = Book::objects()
        .aaggregate(&db, ArrayAgg(Book::title).ordering([Book::id.asc()]).ordering([Book::id.asc()]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidQuery(_)), "{err:?}");
}

#[kata::test]
async fn schemas_and_patches_carry_arrays(db: Db) {
    let schema = serde_json::to_value(kata::schemars::schema_for!(PostIn)).unwrap();
    let props = &schema["properties"];
    assert_eq!(props["tags"]["type"], "array");
    assert_eq!(props["tags"]["items"]["type"], "string");
    assert_eq!(props["scores"]["items"]["type"], "integer");
    assert_eq!(props["flags"]["items"]["type"], "boolean");
    let input = serde_json::json!({
        "title": "t", "tags": ["x", "y"], "scores": [1], "flags": [], "big": [], "small": [],
        "ratios": [], "weights": [], "maybe": null,
    });
    let parsed = PostIn::from_json(input).unwrap();
    assert_eq!(parsed.tags, ["x", "y"]);
    assert!(PostIn::from_json(serde_json::json!({"title": "t", "tags": "x"})).is_err());
    if !has_arrays(&db) {
        return;
    }
    db.create_tables(&[Post::meta()]).await.unwrap();
    let mut row = post("p", &["x"], &[1, 2], None);
    row.asave(&db).await.unwrap();
    // A patch is a partial UPDATE of the arrays it carries.
    let patch = PostPatch::from_json(serde_json::json!({"scores": [7, 8, 9]})).unwrap();
    let (updated, queries) = kata::testing::capture_queries(&db, row.apatch(&db, patch)).await;
    assert_eq!(updated.unwrap(), 1);
    assert!(
        queries
            .iter()
            .any(|q| q.sql.contains("UPDATE") && q.sql.contains("scores") && !q.sql.contains("tags")),
        "{queries:?}"
    );
    let read = Post::objects().aget(&db, Post::id.eq(row.id)).await.unwrap();
    assert_eq!((read.tags, read.scores), (vec!["x".to_owned()], vec![7, 8, 9]));
}

#[kata::test]
async fn migrations_make_array_columns_and_inspectdb_reads_them(db: Db) -> kata::Result<()> {
    // makemigrations writes the column type as the prelude names it.
    let draft = makemigrations(&[Post::meta()], &[], &Hints::default(), None, false)?.unwrap();
    assert!(draft.source().contains(r#"Column::new("tags", Array(ArrayOf::Text))"#), "{}", draft.source());
    assert!(draft.source().contains(r#"Column::new("maybe", Array(ArrayOf::BigInt)).null()"#));
    let migrations = vec![
        Migration::from_operations(
            "0001_initial",
            Vec::new(),
            vec![Operation::create_model(Table::new(
                "note",
                vec![Column::new("id", BigInt).primary_key().auto(), Column::new("body", Text)],
            ))],
        ),
        Migration::from_operations(
            "0002_labels",
            vec!["0001_initial".into()],
            vec![Operation::add_field("note", Column::new("labels", Array(ArrayOf::Text)).null())],
        ),
    ];
    let migrator = Migrator::new(&db, &migrations)?;
    migrator.migrate(&Target::Name("0001_initial".into()), false).await?;
    if !has_arrays(&db) {
        let (result, queries) =
            kata::testing::capture_queries(&db, migrator.migrate(&Target::Latest, false)).await;
        assert!(matches!(result, Err(Error::Config(ConfigError::Unsupported { .. }))), "{result:?}");
        assert!(!queries.iter().any(|q| q.sql.contains("labels")), "{queries:?}");
        return Ok(());
    }
    migrator.migrate(&Target::Latest, false).await?;
    let sql = migrator.sql("0002_labels", false)?.join("\n");
    assert!(sql.contains("TEXT[]"), "{sql}");
    db.raw_execute("INSERT INTO note (body, labels) VALUES ('x', ARRAY['a', 'b'])", ()).await?;
    let schema = kata::migrate::introspect(&db).await?;
    let labels = schema.table("note").and_then(|t| t.column("labels")).map(|c| c.ty);
    assert_eq!(labels, Some(Some(ColumnType::Array(ArrayOf::Text))));
    let models = kata::migrate::inspectdb(&schema);
    assert!(models.contains("labels: Option<Vec<String>>"), "{models}");
    // Backwards drops the column again.
    migrator.migrate(&Target::Name("0001_initial".into()), false).await?;
    let schema = kata::migrate::introspect(&db).await?;
    assert!(schema.table("note").and_then(|t| t.column("labels")).is_none());
    Ok(())
}
