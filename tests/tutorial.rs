//! The reference tutorial's "Django 4.1+ async ORM interface" endpoints and its v1/v2 routers
//! with `page`/`size` pagination, written with kata as plain async functions over any executor.

mod common;

use common::User;
use futures_util::TryStreamExt;
use kata::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The tutorial's `UserSchema`: a ModelSchema of `User` with
/// `fields = ['id', 'username', 'email', 'first_name', 'last_name']`.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct UserSchema {
    id: i64,
    username: String,
    email: String,
    first_name: String,
    last_name: String,
}

impl From<User> for UserSchema {
    fn from(u: User) -> Self {
        UserSchema {
            id: u.id,
            username: u.username,
            email: u.email,
            first_name: u.first_name,
            last_name: u.last_name,
        }
    }
}

/// What `get_user` answers: the user, or the tutorial's `{"error": "User not found"}`.
#[derive(Debug, PartialEq, Serialize)]
#[serde(untagged)]
enum GetUserResponse {
    Found(UserSchema),
    NotFound { error: &'static str },
}

/// `GET /users/{user_id}`: `await User.objects.aget(pk=user_id)`, with `User.DoesNotExist`
/// turned into the error body.
async fn get_user(ex: &impl Executor, user_id: i64) -> kata::Result<GetUserResponse> {
    match User::objects().aget(ex, User::pk.eq(user_id)).await {
        Ok(user) => Ok(GetUserResponse::Found(user.into())),
        Err(kata::Error::DoesNotExist { .. }) => Ok(GetUserResponse::NotFound { error: "User not found" }),
        Err(e) => Err(e),
    }
}

/// `GET /users`: `[user async for user in User.objects.all()]`. The stream is the
/// `async for`; kata orders by key so that the answer is stable.
async fn list_users(ex: &impl Executor) -> kata::Result<Vec<UserSchema>> {
    let all = User::objects().order_by([User::id.asc()]);
    let users = all.aiterator(ex);
    users.map_ok(UserSchema::from).try_collect().await
}

/// `POST /users`: `await User.objects.acreate(username=username, email=email)`; the other
/// columns take the database's defaults.
async fn create_user(ex: &impl Executor, username: &str, email: &str) -> kata::Result<UserSchema> {
    let user = User::objects().acreate(ex, [User::username.set(username), User::email.set(email)]).await?;
    Ok(user.into())
}

// The tutorial's `add_user_to_group` / `remove_user_from_group` (`user.groups.aadd(group)`,
// `aremove`, and `user.groups.acount()`) are relations: the relations issue covers them.

/// The v1 router's body: `{"version": "1.0", "users": [...]}`.
#[derive(Debug, Serialize)]
struct UsersV1 {
    version: &'static str,
    users: Vec<UserSchema>,
}

/// `GET /v1/users`.
async fn list_users_v1(ex: &impl Executor) -> kata::Result<UsersV1> {
    let users = User::objects().order_by([User::id.asc()]).alist(ex).await?;
    Ok(UsersV1 { version: "1.0", users: users.into_iter().map(UserSchema::from).collect() })
}

/// The query string of the v2 router: `page: int = 1, size: int = 10`.
#[derive(Debug, PartialEq, Deserialize)]
struct PageQuery {
    #[serde(default = "first_page")]
    page: u64,
    #[serde(default = "default_size")]
    size: u64,
}

fn first_page() -> u64 {
    1
}

fn default_size() -> u64 {
    10
}

/// The v2 router's `pagination` object.
#[derive(Debug, PartialEq, Serialize)]
struct Pagination {
    page: u64,
    size: u64,
    total: i64,
    has_next: bool,
}

/// The v2 router's body.
#[derive(Debug, Serialize)]
struct UsersV2 {
    version: &'static str,
    users: Vec<UserSchema>,
    pagination: Pagination,
}

/// `GET /v2/users?page=&size=`: `User.objects.all()[offset:offset + size]` plus
/// `await User.objects.acount()`.
async fn list_users_v2(ex: &impl Executor, query: PageQuery) -> kata::Result<UsersV2> {
    let PageQuery { page, size } = query;
    let offset = page.saturating_sub(1) * size;
    let users: Vec<UserSchema> = User::objects()
        .order_by([User::id.asc()])
        .offset(offset)
        .limit(size)
        .aiterator(ex)
        .map_ok(UserSchema::from)
        .try_collect()
        .await?;
    let total_count = User::objects().acount(ex).await?;
    let has_next = i64::try_from(offset + size).is_ok_and(|end| end < total_count);
    Ok(UsersV2 { version: "2.0", users, pagination: Pagination { page, size, total: total_count, has_next } })
}

/// The tutorial's section 4 `UserResponse`.
#[derive(Debug, PartialEq, Serialize)]
struct UserResponse {
    id: i64,
    username: String,
    email: String,
    is_active: bool,
}

/// The tutorial's section 4 `PaginatedResponse`.
#[derive(Debug, PartialEq, Serialize)]
struct PaginatedResponse {
    items: Vec<UserResponse>,
    total: i64,
    page: u64,
    size: u64,
    has_next: bool,
}

/// `list_users_paginated`, whose body the tutorial leaves out ("구현 생략"): the v2 logic with
/// the typed response, reading only the four columns it returns.
async fn list_users_paginated(ex: &impl Executor, query: PageQuery) -> kata::Result<PaginatedResponse> {
    let PageQuery { page, size } = query;
    let offset = page.saturating_sub(1) * size;
    let rows = User::objects()
        .order_by([User::id.asc()])
        .offset(offset)
        .limit(size)
        .values_list((User::id, User::username, User::email, User::is_active))
        .alist(ex)
        .await?;
    let total = User::objects().acount(ex).await?;
    let items = rows
        .into_iter()
        .map(|(id, username, email, is_active)| UserResponse { id, username, email, is_active })
        .collect();
    let has_next = i64::try_from(offset + size).is_ok_and(|end| end < total);
    Ok(PaginatedResponse { items, total, page, size, has_next })
}

async fn setup(db: &Db) -> kata::Result<()> {
    db.create_tables(&common::all_tables()).await
}

/// `u01` .. `u{n}` through the tutorial's own `create_user`.
async fn seed(ex: &impl Executor, n: usize) -> kata::Result<()> {
    for i in 1..=n {
        create_user(ex, &format!("u{i:02}"), &format!("u{i:02}@example.com")).await?;
    }
    Ok(())
}

fn page(query: serde_json::Value) -> PageQuery {
    match serde_json::from_value(query) {
        Ok(q) => q,
        Err(e) => panic!("bad page query: {e}"),
    }
}

fn json<T: Serialize>(value: &T) -> serde_json::Value {
    match serde_json::to_value(value) {
        Ok(v) => v,
        Err(e) => panic!("not serializable: {e}"),
    }
}

#[kata::test]
async fn get_user_returns_the_schema_or_user_not_found(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    create_user(&db, "ann", "ann@example.com").await?;
    let found = get_user(&db, 1).await?;
    assert_eq!(
        json(&found),
        json!({"id": 1, "username": "ann", "email": "ann@example.com", "first_name": "", "last_name": ""})
    );
    assert_eq!(json(&get_user(&db, 2).await?), json!({"error": "User not found"}));
    Ok(())
}

#[kata::test]
async fn list_users_returns_every_user_as_the_schema(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    assert_eq!(json(&list_users(&db).await?), json!([]));
    seed(&db, 2).await?;
    assert_eq!(
        json(&list_users(&db).await?),
        json!([
            {"id": 1, "username": "u01", "email": "u01@example.com", "first_name": "", "last_name": ""},
            {"id": 2, "username": "u02", "email": "u02@example.com", "first_name": "", "last_name": ""},
        ])
    );
    Ok(())
}

#[kata::test]
async fn create_user_stores_the_user_with_database_defaults(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let made = create_user(&db, "bob", "bob@example.com").await?;
    assert_eq!(
        json(&made),
        json!({"id": 1, "username": "bob", "email": "bob@example.com", "first_name": "", "last_name": ""})
    );
    let stored = User::objects().aget(&db, User::pk.eq(made.id)).await?;
    assert!(stored.is_active);
    assert_eq!(stored.last_login, None);
    assert_eq!(UserSchema::from(stored), made);
    Ok(())
}

#[kata::test]
async fn v1_router_lists_every_user_with_its_version(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    seed(&db, 1).await?;
    assert_eq!(
        json(&list_users_v1(&db).await?),
        json!({
            "version": "1.0",
            "users": [{"id": 1, "username": "u01", "email": "u01@example.com", "first_name": "", "last_name": ""}],
        })
    );
    Ok(())
}

#[kata::test]
async fn v2_router_defaults_to_the_first_page_of_ten(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    seed(&db, 12).await?;
    let query = page(json!({}));
    assert_eq!(query, PageQuery { page: 1, size: 10 });
    let body = list_users_v2(&db, query).await?;
    let ids: Vec<i64> = body.users.iter().map(|u| u.id).collect();
    assert_eq!(ids, (1..=10).collect::<Vec<_>>());
    assert_eq!(json(&body)["pagination"], json!({"page": 1, "size": 10, "total": 12, "has_next": true}));
    assert_eq!(body.version, "2.0");
    Ok(())
}

#[kata::test]
async fn v2_router_pages_by_offset_and_limit_with_total_and_has_next(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    seed(&db, 25).await?;
    let names = |body: &UsersV2| body.users.iter().map(|u| u.username.clone()).collect::<Vec<_>>();

    let second = list_users_v2(&db, page(json!({"page": 2, "size": 10}))).await?;
    assert_eq!(names(&second), (11..=20).map(|i| format!("u{i}")).collect::<Vec<_>>());
    assert_eq!(second.pagination, Pagination { page: 2, size: 10, total: 25, has_next: true });

    let last = list_users_v2(&db, page(json!({"page": 3, "size": 10}))).await?;
    assert_eq!(names(&last), ["u21", "u22", "u23", "u24", "u25"]);
    assert_eq!(last.pagination, Pagination { page: 3, size: 10, total: 25, has_next: false });

    let past_the_end = list_users_v2(&db, page(json!({"page": 4, "size": 10}))).await?;
    assert!(past_the_end.users.is_empty());
    assert_eq!(past_the_end.pagination, Pagination { page: 4, size: 10, total: 25, has_next: false });

    // A page that ends exactly on the last row has no next page.
    let exact = list_users_v2(&db, page(json!({"page": 5, "size": 5}))).await?;
    assert_eq!(names(&exact), ["u21", "u22", "u23", "u24", "u25"]);
    assert!(!exact.pagination.has_next);

    assert_eq!(
        json(&list_users_v2(&db, page(json!({"page": 13, "size": 2}))).await?),
        json!({
            "version": "2.0",
            "users": [{"id": 25, "username": "u25", "email": "u25@example.com", "first_name": "", "last_name": ""}],
            "pagination": {"page": 13, "size": 2, "total": 25, "has_next": false},
        })
    );
    Ok(())
}

#[kata::test]
async fn paginated_response_returns_typed_items(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    seed(&db, 3).await?;
    User::objects().filter(User::username.eq("u02")).aupdate(&db, [User::is_active.set(false)]).await?;
    let body = list_users_paginated(&db, page(json!({"page": 1, "size": 2}))).await?;
    assert_eq!(
        json(&body),
        json!({
            "items": [
                {"id": 1, "username": "u01", "email": "u01@example.com", "is_active": true},
                {"id": 2, "username": "u02", "email": "u02@example.com", "is_active": false},
            ],
            "total": 3,
            "page": 1,
            "size": 2,
            "has_next": true,
        })
    );
    let rest = list_users_paginated(&db, page(json!({"page": 2, "size": 2}))).await?;
    assert_eq!(
        rest.items,
        [UserResponse { id: 3, username: "u03".into(), email: "u03@example.com".into(), is_active: true }]
    );
    assert!(!rest.has_next);
    Ok(())
}

#[kata::test]
async fn the_endpoints_run_unchanged_inside_a_transaction(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let tx = db.begin().await?;
    create_user(&tx, "ann", "ann@example.com").await?;
    create_user(&tx, "bob", "bob@example.com").await?;
    let body = list_users_v2(&tx, page(json!({"size": 1}))).await?;
    assert_eq!(body.pagination, Pagination { page: 1, size: 1, total: 2, has_next: true });
    assert_eq!(
        get_user(&tx, 2).await?,
        GetUserResponse::Found(UserSchema::from(User::objects().aget(&tx, User::pk.eq(2)).await?))
    );
    drop(tx);
    assert_eq!(get_user(&db, 1).await?, GetUserResponse::NotFound { error: "User not found" });
    assert!(list_users(&db).await?.is_empty());
    Ok(())
}
