//! The tutorial's endpoints. Each doc comment is the operation's text in `/api/docs`.

use std::time::Duration;

use axum::extract::State;
use chrono::Utc;
use kata::chrono;
use kata::prelude::*;
use kata::schemars::JsonSchema;
use kata_axum::{ApiError, Bearer, BearerAuth, ErrorDetail, Json, Path, Query, Source, documented};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::errors::AppError;
use crate::models::{Group, OrderItem, Post, PostOut, Profile, User, UserIn, UserOut, UserPatch};
use crate::{password, token};

/// `{"success": true}`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct Success {
    /// Always `true`.
    pub success: bool,
}

const SUCCESS: Success = Success { success: true };

fn user_not_found(e: kata::Error) -> AppError {
    match e {
        kata::Error::DoesNotExist { .. } => AppError::UserNotFound,
        other => other.into(),
    }
}

/// Django's `EmailField(blank=True)`: empty, or one `@` with a dotted domain after it.
fn check_email(email: Option<&str>) -> Result<(), ApiError> {
    let valid = |e: &str| {
        e.is_empty()
            || e.rsplit_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !local.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            })
    };
    match email {
        Some(e) if !valid(e) || e.chars().any(char::is_whitespace) => {
            Err(ApiError::input(vec![ErrorDetail::new(
                Source::Body,
                "email",
                "value_error",
                "value is not a valid email address",
            )]))
        }
        _ => Ok(()),
    }
}

async fn user_by_id(db: &Db, id: i32) -> Result<User, AppError> {
    User::objects().aget(db, User::pk.eq(id)).await.map_err(user_not_found)
}

// --- the first steps -------------------------------------------------------------------

documented! {
    /// The classic first endpoint.
    pub async fn hello() -> Json<&'static str> {
        Json("Hello world")
    }
}

/// `GET /add`'s parameters.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct AddParams {
    /// The first number.
    pub a: i64,
    /// The second number.
    pub b: i64,
}

/// `{"result": a + b}`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct AddResult {
    /// The sum.
    pub result: i64,
}

documented! {
    /// Adds two integers from the query string.
    ///
    /// A missing or non-integer parameter, or a sum past 64 bits, is a 422.
    pub async fn add(Query(p): Query<AddParams>) -> Result<Json<AddResult>, ApiError> {
        match p.a.checked_add(p.b) {
            Some(result) => Ok(Json(AddResult { result })),
            None => Err(ApiError::input(vec![ErrorDetail::new(Source::Query, "b", "value_error", "The sum does not fit a 64-bit integer")])),
        }
    }
}

/// `GET /say-async`'s parameters.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct SayParams {
    /// Seconds to wait, 0 to 10 (a float).
    #[schemars(range(min = 0.0, max = 10.0))]
    pub delay: f64,
    /// What to say.
    pub word: String,
}

/// `{"saying": word}`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct Saying {
    /// The word.
    pub saying: String,
}

documented! {
    /// Waits `delay` seconds without blocking a thread, then says `word`.
    pub async fn say_async(Query(p): Query<SayParams>) -> Json<Saying> {
        tokio::time::sleep(Duration::from_secs_f64(p.delay)).await;
        Json(Saying { saying: p.word })
    }
}

// --- users -----------------------------------------------------------------------------

documented! {
    /// One user, or 404 `{"error": "User not found"}`.
    pub async fn get_user(State(s): State<AppState>, Path(id): Path<i32>) -> Result<Json<UserOut>, AppError> {
        Ok(Json(user_by_id(&s.db, id).await?.into()))
    }
}

documented! {
    /// Every user, ordered by id (only the five columns are read).
    pub async fn list_users(State(s): State<AppState>) -> Result<Json<Vec<UserOut>>, ApiError> {
        Ok(Json(User::objects().order_by([User::id.asc()]).alist_as::<UserOut>(&s.db).await?))
    }
}

documented! {
    /// Creates a user: `username` (at most 150 characters) is required.
    ///
    /// A username that exists is a 409; a bad body a 422.
    pub async fn create_user(State(s): State<AppState>, Json(body): Json<UserIn>) -> Result<Json<UserOut>, ApiError> {
        check_email(Some(&body.email))?;
        let user = User::objects().acreate(&s.db, body).await?;
        Ok(Json(user.into()))
    }
}

documented! {
    /// Changes the fields sent, and only those.
    pub async fn patch_user(
        State(s): State<AppState>,
        Path(id): Path<i32>,
        Json(patch): Json<UserPatch>,
    ) -> Result<Json<UserOut>, AppError> {
        check_email(patch.email.as_set().map(String::as_str))?;
        let mut user = user_by_id(&s.db, id).await?;
        User::objects().filter(User::pk.eq(id)).aupdate(&s.db, patch.clone()).await?;
        patch.apply(&mut user);
        Ok(Json(user.into()))
    }
}

documented! {
    /// Deletes a user with their group links, profile and posts, in one transaction.
    pub async fn delete_user(State(s): State<AppState>, Path(id): Path<i32>) -> Result<Json<Success>, AppError> {
        // The dependent rows go first, as Django's collector deletes them: a database that
        // Django created has no `ON DELETE CASCADE` (Django cascades in Python), so a
        // plain delete of the user would be refused there.
        let deleted = s
            .db
            .atomic(async |tx| {
                let Some(user) = User::objects().filter(User::pk.eq(id)).afirst(&tx).await? else {
                    return Ok::<_, kata::Error>(0);
                };
                user.groups.aclear(&tx).await?;
                Profile::objects().filter(Profile::user_id.eq(id)).adelete(&tx).await?;
                Post::objects().filter(Post::author_id.eq(id)).adelete(&tx).await?;
                Ok(User::objects().filter(User::pk.eq(id)).adelete(&tx).await?.total)
            })
            .await?;
        if deleted == 0 {
            return Err(AppError::UserNotFound);
        }
        Ok(Json(SUCCESS))
    }
}

/// `?group_id=`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct GroupParam {
    /// The group to add.
    pub group_id: i32,
}

/// `/users/{id}/groups/{group_id}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct UserGroupPath {
    /// The user.
    pub id: i32,
    /// The group.
    pub group_id: i32,
}

async fn user_and_group(db: &Db, user_id: i32, group_id: i32) -> Result<(User, Group), AppError> {
    let user = user_by_id(db, user_id).await?;
    let group = Group::objects().aget(db, Group::pk.eq(group_id)).await.map_err(|e| match e {
        kata::Error::DoesNotExist { .. } => AppError::GroupNotFound,
        other => other.into(),
    })?;
    Ok((user, group))
}

documented! {
    /// Adds the user to a group (`user.groups.aadd(group)`).
    pub async fn add_user_to_group(
        State(s): State<AppState>,
        Path(id): Path<i32>,
        Query(q): Query<GroupParam>,
    ) -> Result<Json<Success>, AppError> {
        let (user, group) = user_and_group(&s.db, id, q.group_id).await?;
        user.groups.aadd(&s.db, &group).await?;
        Ok(Json(SUCCESS))
    }
}

documented! {
    /// Removes the user from a group (`user.groups.aremove(group)`).
    pub async fn remove_user_from_group(
        State(s): State<AppState>,
        Path(p): Path<UserGroupPath>,
    ) -> Result<Json<Success>, AppError> {
        let (user, group) = user_and_group(&s.db, p.id, p.group_id).await?;
        user.groups.aremove(&s.db, &group).await?;
        Ok(Json(SUCCESS))
    }
}

// --- versioned routers -----------------------------------------------------------------

/// `{"version": "1.0", "users": [...]}`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct UsersV1 {
    /// `"1.0"`.
    pub version: &'static str,
    /// Every user.
    pub users: Vec<UserOut>,
}

documented! {
    /// API v1: every user.
    pub async fn list_users_v1(State(s): State<AppState>) -> Result<Json<UsersV1>, ApiError> {
        let users = User::objects().order_by([User::id.asc()]).alist_as::<UserOut>(&s.db).await?;
        Ok(Json(UsersV1 { version: "1.0", users }))
    }
}

fn one() -> u64 {
    1
}

fn ten() -> u64 {
    10
}

/// `?page=&size=`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct V2Params {
    /// The page, from 1.
    #[serde(default = "one")]
    #[schemars(range(min = 1))]
    pub page: u64,
    /// Users per page, 1 to 100.
    #[serde(default = "ten")]
    #[schemars(range(min = 1, max = 100))]
    pub size: u64,
}

/// The v2 pagination block.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct Pagination {
    /// The page.
    pub page: u64,
    /// Users per page.
    pub size: u64,
    /// Users in all.
    pub total: u64,
    /// Whether a next page has users.
    pub has_next: bool,
}

/// `{"version": "2.0", "users": [...], "pagination": {...}}`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct UsersV2 {
    /// `"2.0"`.
    pub version: &'static str,
    /// This page's users.
    pub users: Vec<UserOut>,
    /// Where this page is.
    pub pagination: Pagination,
}

documented! {
    /// API v2: users a page at a time, with the total count.
    pub async fn list_users_v2(State(s): State<AppState>, Query(p): Query<V2Params>) -> Result<Json<UsersV2>, ApiError> {
        let paginator = kata_axum::PageNumber { page: p.page, page_size: p.size };
        let page: kata_axum::Page<User> = paginator.apaginate(&s.db, User::objects().order_by([User::id.asc()])).await?;
        let offset = (p.page - 1).saturating_mul(p.size);
        Ok(Json(UsersV2 {
            version: "2.0",
            users: page.items.into_iter().map(UserOut::from).collect(),
            pagination: Pagination {
                page: p.page,
                size: p.size,
                total: page.count,
                has_next: offset.saturating_add(p.size) < page.count,
            },
        }))
    }
}

// --- the rest of the tutorial ----------------------------------------------------------

/// `/order-items/{order_id}/{product_id}`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct OrderItemPath {
    /// The order.
    pub order_id: i32,
    /// The product.
    pub product_id: i32,
}

/// One order line.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct OrderItemOut {
    /// The order.
    pub order_id: i32,
    /// The product.
    pub product_id: i32,
    /// How many.
    pub quantity: i32,
}

documented! {
    /// An order line by its composite key (order, product).
    pub async fn get_order_item(State(s): State<AppState>, Path(p): Path<OrderItemPath>) -> Result<Json<OrderItemOut>, AppError> {
        let item = OrderItem::objects()
            .aget(&s.db, OrderItem::order_id.eq(p.order_id) & OrderItem::product_id.eq(p.product_id))
            .await
            .map_err(|e| match e {
                kata::Error::DoesNotExist { .. } => AppError::OrderItemNotFound,
                other => other.into(),
            })?;
        Ok(Json(OrderItemOut { order_id: *item.order.key(), product_id: *item.product.key(), quantity: item.quantity }))
    }
}

/// One user of a bulk create.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct NewUser {
    /// At most 150 characters.
    #[schemars(length(max = 150))]
    pub username: String,
    /// At most 254 characters.
    #[schemars(length(max = 254))]
    pub email: String,
}

/// `{"created": n, "success": true}`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct BulkCreated {
    /// How many users were created.
    pub created: usize,
    /// `true`.
    pub success: bool,
}

documented! {
    /// Creates many users in one transaction: all of them, or (on a duplicate, 409) none.
    pub async fn bulk_create_users(State(s): State<AppState>, Json(users): Json<Vec<NewUser>>) -> Result<Json<BulkCreated>, ApiError> {
        let now = Utc::now();
        let rows: Vec<User> = users
            .into_iter()
            .map(|u| User {
                id: 0,
                password: String::new(),
                last_login: None,
                is_superuser: false,
                username: u.username,
                first_name: String::new(),
                last_name: String::new(),
                email: u.email,
                is_staff: false,
                is_active: true,
                date_joined: now,
                groups: Default::default(),
                posts: Default::default(),
                profile: Default::default(),
            })
            .collect();
        let created = s.db.atomic(async |tx| User::objects().abulk_create(&tx, rows).await).await?;
        Ok(Json(BulkCreated { created: created.len(), success: true }))
    }
}

/// One entry of `/optimized-users`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct OptimizedUser {
    /// The user's id.
    pub id: i32,
    /// The username.
    pub username: String,
    /// The e-mail address.
    pub email: String,
    /// The profile's bio, if the user has a profile.
    pub profile: Option<String>,
    /// How many groups.
    pub groups_count: usize,
    /// How many published posts.
    pub published_posts_count: usize,
}

documented! {
    /// Users with their profile (joined), groups and published posts (prefetched): three
    /// queries, whatever the number of users.
    pub async fn get_optimized_users(State(s): State<AppState>) -> Result<Json<Vec<OptimizedUser>>, ApiError> {
        let users = User::objects()
            .select_related(User::profile)
            .prefetch_related(User::groups)
            .prefetch(Prefetch::new(User::posts).queryset(Post::objects().filter(Post::published.eq(true))))
            .order_by([User::id.asc()])
            .alist(&s.db)
            .await?;
        let mut out = Vec::with_capacity(users.len());
        for user in &users {
            out.push(OptimizedUser {
                id: user.id,
                username: user.username.clone(),
                email: user.email.clone(),
                profile: user.profile.get().map_err(kata::Error::from)?.map(|p| p.bio.clone()),
                groups_count: user.groups.get().map_or(0, <[Group]>::len),
                published_posts_count: user.posts.get().map_or(0, <[Post]>::len),
            });
        }
        Ok(Json(out))
    }
}

/// `{"user": ..., "posts": [...], "external": {}}`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct CombinedData {
    /// The user.
    pub user: UserOut,
    /// Their posts.
    pub posts: Vec<PostOut>,
    /// The tutorial's third-party call; this example makes none, so it is empty.
    pub external: serde_json::Map<String, serde_json::Value>,
}

documented! {
    /// The user and their posts, read concurrently (`tokio::join!`, the tutorial's
    /// `asyncio.gather`).
    pub async fn get_combined_data(State(s): State<AppState>, Path(user_id): Path<i32>) -> Result<Json<CombinedData>, AppError> {
        let posts_query = Post::objects().filter(Post::author_id.eq(user_id)).order_by([Post::id.asc()]);
        let (user, posts) = tokio::join!(user_by_id(&s.db, user_id), posts_query.alist_as::<PostOut>(&s.db));
        Ok(Json(CombinedData { user: user?.into(), posts: posts?, external: serde_json::Map::new() }))
    }
}

// --- authentication --------------------------------------------------------------------

/// `POST /login`'s body.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct Credentials {
    /// The username.
    #[schemars(length(max = 150))]
    pub username: String,
    /// The password.
    #[schemars(length(max = 4096))]
    pub password: String,
}

/// `{"token": ...}`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct TokenOut {
    /// An HS256 JWT with the user's id, for `Authorization: Bearer <token>`.
    pub token: String,
}

/// How long a token lasts.
const TOKEN_SECONDS: i64 = 24 * 60 * 60;

documented! {
    /// Checks a username and password against the stored Django hash and returns a token;
    /// invalid credentials are a 401.
    pub async fn login(State(s): State<AppState>, Json(c): Json<Credentials>) -> Result<Json<TokenOut>, AppError> {
        let user = User::objects()
            .filter(User::username.eq(c.username) & User::is_active.eq(true))
            .afirst(&s.db)
            .await?;
        let Some(user) = user else {
            return Err(AppError::InvalidCredentials);
        };
        // PBKDF2 is CPU work by design: keep it off the async workers.
        let stored = user.password.clone();
        let ok = tokio::task::spawn_blocking(move || password::check_password(&c.password, &stored))
            .await
            .unwrap_or(false);
        if !ok {
            return Err(AppError::InvalidCredentials);
        }
        let token = token::encode(&s.secret, user.id, Utc::now().timestamp() + TOKEN_SECONDS);
        Ok(Json(TokenOut { token }))
    }
}

/// The user a valid token names (the tutorial's `AuthBearer`).
#[derive(Debug)]
pub struct CurrentUser(pub User);

impl BearerAuth<AppState> for CurrentUser {
    async fn authenticate(state: &AppState, token: &str) -> Option<Self> {
        let id = token::decode(&state.secret, token, Utc::now().timestamp())?;
        let user = User::objects()
            .filter(User::pk.eq(id) & User::is_active.eq(true))
            .afirst(&state.db)
            .await
            .ok()??;
        Some(CurrentUser(user))
    }
}

/// `{id, username, email}`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct ProfileOut {
    /// The user's id.
    pub id: i32,
    /// The username.
    pub username: String,
    /// The e-mail address.
    pub email: String,
}

documented! {
    /// The signed-in user; needs `Authorization: Bearer <token>` (401 without a valid one).
    pub async fn get_profile(Bearer(CurrentUser(user)): Bearer<CurrentUser>) -> Json<ProfileOut> {
        Json(ProfileOut { id: user.id, username: user.username, email: user.email })
    }
}
