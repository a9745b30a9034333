//! kata's errors from real databases, answered as HTTP: the status, Ninja's body, and no
//! SQL or internal detail in it, on every configured backend.

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use kata::prelude::*;
use kata_axum::{ApiError, Json, LimitOffset, Page, PageNumber, Path, Query, TestClient};
use serde_json::json;

/// Clippy's `duplicated_attributes` misreads field names repeated across several
/// `#[model_schema]` attributes as duplicates (rust-lang/rust-clippy#13238), hence the allow.
#[allow(clippy::duplicated_attributes)]
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[kata(table = "web_author")]
#[model_schema(AuthorIn, fields(name))]
#[model_schema(AuthorOut, fields(id, name))]
struct Author {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 20)]
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "web_book")]
struct Book {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    author: ForeignKey<Author>,
}

async fn get_author(State(db): State<Db>, Path(id): Path<i64>) -> Result<Json<AuthorOut>, ApiError> {
    Ok(Json(Author::objects().aget(&db, Author::pk.eq(id)).await?.into()))
}

async fn create_author(
    State(db): State<Db>,
    Json(body): Json<AuthorIn>,
) -> Result<Json<AuthorOut>, ApiError> {
    Ok(Json(Author::objects().acreate(&db, body).await?.into()))
}

/// Skips the extractor's checks, so that kata's own validation answers.
async fn create_unchecked(
    State(db): State<Db>,
    body: axum::body::Bytes,
) -> Result<Json<AuthorOut>, ApiError> {
    let name: String = serde_json::from_slice(&body).unwrap_or_default();
    Ok(Json(Author::objects().acreate(&db, [Author::name.set(name)]).await?.into()))
}

async fn create_book(State(db): State<Db>, Path(author_id): Path<i64>) -> Result<Json<i64>, ApiError> {
    Ok(Json(Book::objects().acreate(&db, [Book::author_id.set(author_id)]).await?.id))
}

async fn broken_sql(State(db): State<Db>) -> Result<Json<i64>, ApiError> {
    db.execute_unprepared("SELECT * FROM no_such_table_secret").await?;
    Ok(Json(0))
}

async fn pages(State(db): State<Db>, Query(p): Query<PageNumber>) -> Result<Json<Page<AuthorOut>>, ApiError> {
    Ok(Json(p.apaginate(&db, Author::objects().order_by([Author::id.asc()])).await?))
}

async fn slices(
    State(db): State<Db>,
    Query(p): Query<LimitOffset>,
) -> Result<Json<Page<AuthorOut>>, ApiError> {
    Ok(Json(p.apaginate(&db, Author::objects().order_by([Author::id.asc()])).await?))
}

async fn client(db: &Db) -> TestClient {
    db.create_tables(&[Author::meta(), Book::meta()]).await.unwrap();
    let router = Router::new()
        .route("/authors", post(create_author).get(pages))
        .route("/authors/unchecked", post(create_unchecked))
        .route("/authors/slice", get(slices))
        .route("/authors/{id}", get(get_author))
        .route("/authors/{id}/books", post(create_book))
        .route("/broken", get(broken_sql))
        .with_state(db.clone());
    TestClient::new(router)
}

#[kata::test]
async fn does_not_exist_is_404(db: Db) {
    let c = client(&db).await;
    let r = c.get("/authors/42").await;
    assert_eq!((r.status().as_u16(), r.json()), (404, json!({"detail": "Not Found"})));
}

#[kata::test]
async fn unique_and_foreign_key_violations_are_409_without_sql(db: Db) {
    let c = client(&db).await;
    assert_eq!(c.post("/authors").json(&json!({"name": "ann"})).await.status(), 200);
    let twice = c.post("/authors").json(&json!({"name": "ann"})).await;
    assert_eq!(twice.status(), 409);
    assert_eq!(twice.json(), json!({"detail": "Conflict: the row would duplicate a unique value"}));
    let orphan = c.post("/authors/999/books").await;
    assert_eq!(orphan.status(), 409);
    assert_eq!(orphan.json(), json!({"detail": "Conflict: a related row is missing or still referenced"}));
}

#[kata::test]
async fn kata_validation_is_422_in_ninjas_shape(db: Db) {
    let c = client(&db).await;
    let r = c.post("/authors/unchecked").body(r#""a name far longer than twenty""#).await;
    assert_eq!(r.status(), 422);
    assert_eq!(
        r.json(),
        json!({"detail": [{"type": "string_too_long", "loc": ["body", "name"],
                           "msg": "at most 20 characters (it has 29)", "ctx": {"max_length": 20}}]})
    );
    assert_eq!(Author::objects().acount(&db).await.unwrap(), 0);
}

#[kata::test]
async fn database_errors_are_500_with_nothing_internal(db: Db) {
    let c = client(&db).await;
    let r = c.get("/broken").await;
    assert_eq!((r.status().as_u16(), r.json()), (500, json!({"detail": "Internal Server Error"})));
    assert!(!r.text().contains("no_such_table_secret"));
}

#[kata::test]
async fn page_number_and_limit_offset(db: Db) {
    let c = client(&db).await;
    for i in 0..5 {
        c.post("/authors").json(&json!({"name": format!("a{i}")})).await;
    }
    let page = c.get("/authors?page=2&page_size=2").await.json();
    assert_eq!(page["count"], 5);
    assert_eq!(
        page["items"].as_array().unwrap().iter().map(|a| a["name"].clone()).collect::<Vec<_>>(),
        ["a2", "a3"]
    );
    assert_eq!(c.get("/authors?page=4&page_size=2").await.json()["items"], json!([]));
    let slice = c.get("/authors/slice?limit=2&offset=4").await.json();
    assert_eq!((slice["items"].as_array().unwrap().len(), slice["count"].clone()), (1, json!(5)));
    for bad in [
        "/authors?page=0",
        "/authors?page=-3",
        "/authors?page_size=101",
        "/authors/slice?offset=-1",
        "/authors/slice?limit=0",
    ] {
        assert_eq!(c.get(bad).await.status(), 422, "{bad}");
    }
    // A page far past the end is empty, not a database error.
    let far = c.get(&format!("/authors?page={}&page_size=100", u64::MAX)).await;
    assert_eq!((far.status().as_u16(), far.json()["items"].clone()), (200, json!([])));
}

#[test]
fn pool_timeout_is_503() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let db = Db::builder("sqlite::memory:")
            .max_connections(1)
            .acquire_timeout(Duration::from_millis(50))
            .connect()
            .await
            .unwrap();
        let c = client(&db).await;
        // Hold the only connection inside a transaction while a request needs one.
        let tx = db.begin().await.unwrap();
        Author::objects().acount(&tx).await.unwrap();
        let r = c.get("/authors/1").await;
        assert_eq!((r.status().as_u16(), r.json()), (503, json!({"detail": "Service Unavailable"})));
        tx.rollback().await.unwrap();
    });
}
