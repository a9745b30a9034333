//! Ordering keys for `order_by`.

use std::marker::PhantomData;

use crate::expr::Node;

/// Where NULLs sort, when asked for (Django's `nulls_first` / `nulls_last`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum Nulls {
    First,
    Last,
}

/// One ordering key: `User::id.asc()` or `User::date_joined.desc()`, optionally with
/// `.nulls_first()` or `.nulls_last()`. Any expression orders: `(F(Item::price) * 2.0).desc()`.
#[derive(Debug, Clone)]
pub struct OrderBy<M> {
    pub(crate) node: Node,
    pub(crate) descending: bool,
    pub(crate) nulls: Option<Nulls>,
    _marker: PhantomData<fn() -> M>,
}

impl<M> OrderBy<M> {
    pub(crate) fn new(node: Node, descending: bool) -> Self {
        OrderBy { node, descending, nulls: None, _marker: PhantomData }
    }

    /// The same key in the other direction (NULLs first become NULLs last, as Django's
    /// `reverse_ordering`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct User { #[kata(primary_key)] id: i64, age: Option<i32> }
    /// let oldest_first = User::age.asc().nulls_last().reversed(); // DESC, NULLs first
    /// # let _ = oldest_first;
    /// ```
    pub fn reversed(self) -> Self {
        OrderBy { descending: !self.descending, nulls: self.nulls.map(Nulls::flipped), ..self }
    }

    /// NULLs before every value, on every backend (Django's `nulls_first=True`): the
    /// backend's `NULLS FIRST`, or `(expr IS NULL) DESC` before the key where it has none
    /// (MySQL, MariaDB).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Task { #[kata(primary_key, auto)] id: i64, due: Option<i32> }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Task::meta()]).await?;
    /// # for due in [Some(3), None, Some(1)] { Task::objects().acreate(&db, [Task::due.set(due)]).await?; }
    /// // Django: Task.objects.order_by(F("due").asc(nulls_first=True))
    /// let query = Task::objects().order_by([Task::due.asc().nulls_first()]);
    /// assert_eq!(query.values_list(Task::due).alist(&db).await?, [None, Some(1), Some(3)]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn nulls_first(mut self) -> Self {
        self.nulls = Some(Nulls::First);
        self
    }

    /// NULLs after every value, on every backend (Django's `nulls_last=True`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Task { #[kata(primary_key, auto)] id: i64, due: Option<i32> }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Task::meta()]).await?;
    /// # for due in [Some(3), None, Some(1)] { Task::objects().acreate(&db, [Task::due.set(due)]).await?; }
    /// // Django: Task.objects.order_by(F("due").desc(nulls_last=True))
    /// let query = Task::objects().order_by([Task::due.desc().nulls_last()]);
    /// assert_eq!(query.values_list(Task::due).alist(&db).await?, [Some(3), Some(1), None]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn nulls_last(mut self) -> Self {
        self.nulls = Some(Nulls::Last);
        self
    }
}

impl Nulls {
    pub(crate) fn flipped(self) -> Self {
        match self {
            Nulls::First => Nulls::Last,
            Nulls::Last => Nulls::First,
        }
    }
}

/// One key of a query's ordering, as the query keeps it.
#[derive(Debug, Clone)]
#[doc(hidden)]
pub struct OrderKey {
    pub(crate) node: Node,
    pub(crate) descending: bool,
    pub(crate) nulls: Option<Nulls>,
}

impl<M> From<OrderBy<M>> for OrderKey {
    fn from(key: OrderBy<M>) -> Self {
        OrderKey { node: key.node, descending: key.descending, nulls: key.nulls }
    }
}
