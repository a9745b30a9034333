//! Django Ninja's `PageNumberPagination` and `LimitOffsetPagination` over a query set.

use kata::schemars::JsonSchema;
use kata::{Executor, Model, QuerySet};
use serde::{Deserialize, Serialize};

/// The most rows one page may hold (Ninja's `NINJA_PAGINATION_MAX_LIMIT` default).
pub const MAX_PAGE_SIZE: u64 = 100;

/// One page of results and the count of all of them: Ninja's `{"items": [...], "count": N}`.
///
/// ```
/// let page = kata_axum::Page { items: vec![1, 2], count: 10 };
/// assert_eq!(serde_json::to_value(&page).unwrap(), serde_json::json!({"items": [1, 2], "count": 10}));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// How many rows the whole query matches.
    pub count: u64,
}

/// Counts the query's rows, then reads the `limit` rows from `offset` (none when `offset`
/// is past the end, without asking the database), each converted into `O`.
async fn page_of<M, O>(ex: &impl Executor, qs: QuerySet<M>, offset: u64, limit: u64) -> kata::Result<Page<O>>
where
    M: Model,
    O: From<M>,
{
    let count = u64::try_from(qs.acount(ex).await?).unwrap_or(0);
    if offset >= count {
        return Ok(Page { items: Vec::new(), count });
    }
    let rows = qs.offset(offset).limit(limit).alist(ex).await?;
    Ok(Page { items: rows.into_iter().map(O::from).collect(), count })
}

fn default_page() -> u64 {
    1
}

fn default_size() -> u64 {
    MAX_PAGE_SIZE
}

/// Ninja's `PageNumberPagination`: `?page=N&page_size=M` (page from 1, 1 to 100 rows, 100
/// by default), extracted from the query string with Ninja's 422s (use it inside
/// [`Query`](crate::Query)).
///
/// ```
/// use axum::{Router, extract::State, routing::get};
/// use kata::prelude::*;
/// use kata_axum::{ApiError, Json, Page, PageNumber, Query, TestClient};
///
/// #[derive(Model, Debug, Clone)]
/// struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
///
/// async fn tags(State(db): State<Db>, Query(p): Query<PageNumber>) -> Result<Json<Page<i64>>, ApiError> {
///     let qs = Tag::objects().order_by([Tag::id.asc()]);
///     let page: Page<Tag> = p.apaginate(&db, qs).await?;
///     Ok(Json(Page { items: page.items.iter().map(|t| t.id).collect(), count: page.count }))
/// }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let db = Db::connect("sqlite::memory:").await.unwrap();
/// db.create_tables(&[Tag::meta()]).await.unwrap();
/// for i in 0..5 { Tag::objects().acreate(&db, [Tag::name.set(format!("t{i}"))]).await.unwrap(); }
/// let client = TestClient::new(Router::new().route("/tags", get(tags)).with_state(db));
/// assert_eq!(client.get("/tags?page=2&page_size=2").await.json(), serde_json::json!({"items": [3, 4], "count": 5}));
/// assert_eq!(client.get("/tags?page=0").await.status(), 422);
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct PageNumber {
    /// The page, from 1.
    #[serde(default = "default_page")]
    #[schemars(range(min = 1))]
    pub page: u64,
    /// Rows per page.
    #[serde(default = "default_size")]
    #[schemars(range(min = 1, max = 100))]
    pub page_size: u64,
}

impl Default for PageNumber {
    fn default() -> Self {
        PageNumber { page: 1, page_size: MAX_PAGE_SIZE }
    }
}

impl PageNumber {
    /// The page's rows of `qs` (which should be ordered) and their total count, in two
    /// queries; a page past the end is empty.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct Tag { #[kata(primary_key, auto)] id: i64 }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let db = Db::connect("sqlite::memory:").await.unwrap();
    /// # db.create_tables(&[Tag::meta()]).await.unwrap();
    /// let p = kata_axum::PageNumber { page: 3, page_size: 10 };
    /// let page: kata_axum::Page<Tag> = p.apaginate(&db, Tag::objects()).await.unwrap();
    /// assert_eq!((page.items.len(), page.count), (0, 0));
    /// # });
    /// ```
    pub async fn apaginate<M, O>(&self, ex: &impl Executor, qs: QuerySet<M>) -> kata::Result<Page<O>>
    where
        M: Model,
        O: From<M>,
    {
        let size = self.page_size.clamp(1, MAX_PAGE_SIZE);
        let offset = self.page.max(1).saturating_sub(1).saturating_mul(size);
        page_of(ex, qs, offset, size).await
    }
}

/// Ninja's `LimitOffsetPagination`: `?limit=N&offset=M` (1 to 100 rows, 100 by default;
/// offset from 0).
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model, Debug, Clone)] struct Tag { #[kata(primary_key, auto)] id: i64 }
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// # let db = Db::connect("sqlite::memory:").await.unwrap();
/// # db.create_tables(&[Tag::meta()]).await.unwrap();
/// # for _ in 0..3 { Tag::objects().acreate(&db, Vec::<kata::Assignment<Tag>>::new()).await.unwrap(); }
/// let p = kata_axum::LimitOffset { limit: 2, offset: 1 };
/// let page: kata_axum::Page<Tag> = p.apaginate(&db, Tag::objects().order_by([Tag::id.asc()])).await.unwrap();
/// assert_eq!(page.items.iter().map(|t| t.id).collect::<Vec<_>>(), [2, 3]);
/// assert_eq!(page.count, 3);
/// # });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(crate = "kata::schemars")]
pub struct LimitOffset {
    /// How many rows.
    #[serde(default = "default_size")]
    #[schemars(range(min = 1, max = 100))]
    pub limit: u64,
    /// How many rows to skip.
    #[serde(default)]
    pub offset: u64,
}

impl Default for LimitOffset {
    fn default() -> Self {
        LimitOffset { limit: MAX_PAGE_SIZE, offset: 0 }
    }
}

impl LimitOffset {
    /// `limit` rows of `qs` from `offset`, and the total count.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, Clone)] struct Tag { #[kata(primary_key, auto)] id: i64 }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let db = Db::connect("sqlite::memory:").await.unwrap();
    /// # db.create_tables(&[Tag::meta()]).await.unwrap();
    /// let page: kata_axum::Page<Tag> = kata_axum::LimitOffset::default().apaginate(&db, Tag::objects()).await.unwrap();
    /// assert!(page.items.is_empty());
    /// # });
    /// ```
    pub async fn apaginate<M, O>(&self, ex: &impl Executor, qs: QuerySet<M>) -> kata::Result<Page<O>>
    where
        M: Model,
        O: From<M>,
    {
        page_of(ex, qs, self.offset, self.limit.clamp(1, MAX_PAGE_SIZE)).await
    }
}
