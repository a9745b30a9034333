//! Terminal operations that read.

use std::borrow::Borrow;
use std::collections::HashMap;

use futures_core::Stream;

use crate::db::{Executor, run};
use crate::error::{Error, Result};
use crate::expr::{Node, Q};
use crate::field::Field;
use crate::model::{Model, RowReader};
use crate::query::sql::SqlWriter;
use crate::query::{MAX_GET_RESULTS, QuerySet, pk_order};
use crate::value::{FieldType, Ordered};

pub(crate) use super::decode::decode_model;

impl<M: Model> QuerySet<M> {
    /// Every matching row (Django: `[u async for u in qs]`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, age: i32 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, age) in [("ann", 31), ("bob", 25), ("cy", 40)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::age.set(age)]).await?;
    /// # }
    /// // Django: [u async for u in User.objects.filter(age__gte=30).order_by("age")]
    /// let users = User::objects().filter(User::age.gte(30)).order_by([User::age.asc()]).alist(&db).await?;
    /// let names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    /// assert_eq!(names, ["ann", "cy"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn alist(&self, ex: &impl Executor) -> Result<Vec<M>> {
        self.check_lock(ex)?;
        if self.is_empty_result()? {
            return Ok(Vec::new());
        }
        let stmt = self.select_models(ex.__dialect())?;
        let mut rows = run::fetch_all(ex, stmt, |row| self.decode_row(row)).await?;
        self.run_prefetches(ex, &mut rows).await?;
        Ok(rows)
    }

    /// Streams the matching rows, decoding each as it arrives: memory stays flat however
    /// many rows there are (Django's `aiterator`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// use futures_util::TryStreamExt;
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// # for name in ["a", "b"] { Tag::objects().acreate(&db, [Tag::name.set(name)]).await?; }
    /// // Django: async for tag in Tag.objects.aiterator(): ...
    /// let mut rows = std::pin::pin!(Tag::objects().aiterator(&db));
    /// let mut names = Vec::new();
    /// while let Some(tag) = rows.try_next().await? {
    ///     names.push(tag.name);
    /// }
    /// assert_eq!(names, ["a", "b"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    ///
    /// With `prefetch_related`, rows are read in chunks of 1,000 (ordered by primary key when
    /// the query has no order), each chunk with its prefetch queries.
    pub fn aiterator<'e, E: Executor>(&self, ex: &'e E) -> impl Stream<Item = Result<M>> + Send + 'e {
        let empty = self.check_lock(ex).and_then(|()| self.is_empty_result());
        let stmt = self.select_models(ex.__dialect());
        let query = self.clone();
        async_stream::try_stream! {
            if empty? {
                return;
            }
            if query.prefetches.is_empty() {
                let decoder = query.clone();
                let rows = run::fetch_stream(ex, stmt?, move |row| decoder.decode_row(row));
                for await row in rows {
                    yield row?;
                }
            } else {
                const CHUNK: u64 = 1_000;
                // Each chunk is a slice of its own, taken from the query's start.
                let mut chunked = query.clone();
                chunked.limit = None;
                chunked.offset = None;
                if chunked.order.is_empty() {
                    chunked.order = pk_order(M::meta());
                }
                let start = query.offset.unwrap_or(0);
                let mut read = 0u64;
                loop {
                    let size = match query.limit {
                        Some(limit) => CHUNK.min(limit.saturating_sub(read)),
                        None => CHUNK,
                    };
                    if size == 0 {
                        break;
                    }
                    let chunk = chunked.clone().offset(start + read).limit(size).alist(ex).await?;
                    let got = chunk.len() as u64;
                    for row in chunk {
                        yield row;
                    }
                    read += got;
                    if got < size {
                        break;
                    }
                }
            }
        }
    }

    /// The one row matching `q` (and the query's filters). `Error::DoesNotExist` when none
    /// does, `Error::MultipleObjectsReturned` when several do. On a sliced query `q` must be
    /// `Q::all()` (Django's `qs[a:b].get()`): a filter after a slice is refused.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, age: i32 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, age) in [("ann", 31), ("bob", 25), ("cy", 40)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::age.set(age)]).await?;
    /// # }
    /// // Django: await User.objects.aget(username="ann")
    /// let ann = User::objects().aget(&db, User::username.eq("ann")).await?;
    /// assert_eq!(ann.age, 31);
    /// let none = User::objects().aget(&db, User::username.eq("dan")).await;
    /// assert!(matches!(none, Err(kata::Error::DoesNotExist { .. })));
    /// let many = User::objects().aget(&db, User::age.gt(20)).await;
    /// assert!(matches!(many, Err(kata::Error::MultipleObjectsReturned { count: 3, .. })));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aget(self, ex: &impl Executor, q: Q<M>) -> Result<M> {
        // Within the query's own slice, if it has one (slices compose).
        let rows = self.filter(q).limit(MAX_GET_RESULTS as u64).alist(ex).await?;
        let model = M::meta().name;
        match rows.len() {
            0 => Err(Error::DoesNotExist { model }),
            1 => rows.into_iter().next().ok_or(Error::DoesNotExist { model }),
            count => Err(Error::MultipleObjectsReturned { model, count }),
        }
    }

    /// The first row in the query's order (by primary key when unordered), if any. On a
    /// sliced query, the first row of the slice; an unordered sliced query is
    /// `Error::InvalidQuery`, as in Django (ordering it by primary key would pick its rows
    /// anew).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, age: i32 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, age) in [("ann", 31), ("bob", 25), ("cy", 40)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::age.set(age)]).await?;
    /// # }
    /// // Django: await User.objects.order_by("age").afirst()
    /// let youngest = User::objects().order_by([User::age.asc()]).afirst(&db).await?;
    /// assert_eq!(youngest.map(|u| u.username), Some("bob".to_string()));
    /// assert!(User::objects().filter(User::age.gt(99)).afirst(&db).await?.is_none());
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn afirst(self, ex: &impl Executor) -> Result<Option<M>> {
        let mut query = self;
        if query.order.is_empty() {
            query.unsliced("afirst of an unordered query (ordered by primary key)")?;
            query.order = pk_order(M::meta());
        }
        // The first row of a slice: slices compose (`limit(0)` has none).
        Ok(query.limit(1).alist(ex).await?.into_iter().next())
    }

    /// The last row in the query's order (by primary key when unordered), if any.
    /// `Error::InvalidQuery` on a sliced query, as in Django: reversing the order would
    /// select other rows than the slice.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, age: i32 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, age) in [("ann", 31), ("bob", 25), ("cy", 40)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::age.set(age)]).await?;
    /// # }
    /// // Django: await User.objects.alast()
    /// let last = User::objects().alast(&db).await?; // by primary key: the last created
    /// assert_eq!(last.map(|u| u.username), Some("cy".to_string()));
    /// assert!(matches!(User::objects().limit(2).alast(&db).await, Err(kata::Error::InvalidQuery(_))));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn alast(self, ex: &impl Executor) -> Result<Option<M>> {
        self.unsliced("alast")?;
        self.reverse().afirst(ex).await
    }

    /// Refuses an operation that reorders the query when the query is sliced: the new order
    /// would pick its rows from the whole table, not from the slice.
    fn unsliced(&self, operation: &str) -> Result<()> {
        if self.is_sliced() {
            return Err(Error::InvalidQuery(format!(
                "{operation} cannot reorder a sliced query (one with `limit` or `offset`)"
            )));
        }
        Ok(())
    }

    /// The row with the smallest `field`; `Error::DoesNotExist` when there is none,
    /// `Error::InvalidQuery` on a sliced query (as `alast`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, age: i32 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, age) in [("ann", 31), ("bob", 25), ("cy", 40)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::age.set(age)]).await?;
    /// # }
    /// // Django: await User.objects.aearliest("age")
    /// assert_eq!(User::objects().aearliest(&db, User::age).await?.username, "bob");
    /// let none = User::objects().filter(User::age.gt(99)).aearliest(&db, User::age).await;
    /// assert!(matches!(none, Err(kata::Error::DoesNotExist { .. })));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aearliest<T: FieldType>(self, ex: &impl Executor, field: Field<M, T>) -> Result<M>
    where
        T::Inner: Ordered,
    {
        let model = M::meta().name;
        self.unsliced("aearliest")?;
        self.order_by([field.asc()]).afirst(ex).await?.ok_or(Error::DoesNotExist { model })
    }

    /// The row with the largest `field`; `Error::DoesNotExist` when there is none,
    /// `Error::InvalidQuery` on a sliced query (as `alast`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, age: i32 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, age) in [("ann", 31), ("bob", 25), ("cy", 40)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::age.set(age)]).await?;
    /// # }
    /// // Django: await User.objects.alatest("age")
    /// assert_eq!(User::objects().alatest(&db, User::age).await?.username, "cy");
    /// assert!(User::objects().offset(1).alatest(&db, User::age).await.is_err()); // sliced
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn alatest<T: FieldType>(self, ex: &impl Executor, field: Field<M, T>) -> Result<M>
    where
        T::Inner: Ordered,
    {
        let model = M::meta().name;
        self.unsliced("alatest")?;
        self.order_by([field.desc()]).afirst(ex).await?.ok_or(Error::DoesNotExist { model })
    }

    /// How many rows match (`SELECT COUNT(*)`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, age: i32 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, age) in [("ann", 31), ("bob", 25), ("cy", 40)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::age.set(age)]).await?;
    /// # }
    /// // Django: await User.objects.filter(age__gte=30).acount()
    /// assert_eq!(User::objects().filter(User::age.gte(30)).acount(&db).await?, 2);
    /// assert_eq!(User::objects().offset(1).acount(&db).await?, 2); // the rows of the slice
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn acount(&self, ex: &impl Executor) -> Result<i64> {
        if self.is_empty_result()? {
            return Ok(0);
        }
        let mut w = SqlWriter::new(ex.__dialect())?;
        if self.is_sliced() || self.distinct {
            // The order matters to the count only under a slice (Django drops it otherwise).
            let unordered;
            let query = if self.is_sliced() || self.order.is_empty() {
                self
            } else {
                unordered = QuerySet::<M> { order: Vec::new(), ..self.clone() };
                &unordered
            };
            w.push("SELECT COUNT(*) FROM (");
            query.write_select(
                &mut w,
                |w| {
                    w.model_columns(M::meta());
                    Ok(())
                },
                &[],
            )?;
            w.push(") kata_sub");
        } else {
            w.push("SELECT COUNT(*) FROM ");
            w.ident(M::meta().table);
            self.write_where(&mut w)?;
        }
        let rows =
            run::fetch_all(ex, w.finish().routed(self.read_route()), |row| i64::decode(row, 0)).await?;
        rows.into_iter().next().ok_or(Error::Internal("COUNT(*) returned no row"))
    }

    /// Whether any row matches (`SELECT 1 ... LIMIT 1`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, age: i32 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, age) in [("ann", 31), ("bob", 25), ("cy", 40)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::age.set(age)]).await?;
    /// # }
    /// // Django: await User.objects.filter(username="ann").aexists()
    /// assert!(User::objects().filter(User::username.eq("ann")).aexists(&db).await?);
    /// assert!(!User::objects().filter(User::age.gt(99)).aexists(&db).await?);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aexists(&self, ex: &impl Executor) -> Result<bool> {
        if self.is_empty_result()? {
            return Ok(false);
        }
        let mut query = self.clone();
        // Under a slice the order picks the slice's rows; otherwise it is dropped.
        if !query.is_sliced() {
            query.order.clear();
        }
        let query = query.limit(1);
        let mut w = SqlWriter::new(ex.__dialect())?;
        query.write_select(
            &mut w,
            |w| {
                w.push("1");
                Ok(())
            },
            &[],
        )?;
        Ok(!run::fetch_all(ex, w.finish().routed(self.read_route()), |_| Ok(())).await?.is_empty())
    }

    /// Whether `obj` is among the matching rows (compared by primary key).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, age: i32 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, age) in [("ann", 31), ("bob", 25), ("cy", 40)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::age.set(age)]).await?;
    /// # }
    /// let ann = User::objects().aget(&db, User::username.eq("ann")).await?;
    /// // Django: await User.objects.filter(age__gte=30).acontains(ann)
    /// assert!(User::objects().filter(User::age.gte(30)).acontains(&db, &ann).await?);
    /// assert!(!User::objects().filter(User::age.lt(30)).acontains(&db, &ann).await?);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn acontains(&self, ex: &impl Executor, obj: &M) -> Result<bool> {
        if self.is_empty_result()? {
            return Ok(false);
        }
        let meta = M::meta();
        let mut w = SqlWriter::new(ex.__dialect())?;
        w.push("SELECT 1 FROM (");
        self.write_select(
            &mut w,
            |w| {
                w.comma_separated(meta.primary_key, |w, &i| {
                    w.column(meta, i);
                    Ok(())
                })
            },
            &[],
        )?;
        w.push(") kata_sub WHERE ");
        for (n, &i) in meta.primary_key.iter().enumerate() {
            if n > 0 {
                w.push(" AND ");
            }
            w.push("kata_sub.");
            w.ident(meta.columns[i].name);
            w.push(" = ");
            w.bind_column(obj, i)?;
        }
        Ok(!run::fetch_all(ex, w.finish().routed(self.read_route()), |_| Ok(())).await?.is_empty())
    }

    /// The matching rows whose primary key is in `keys`, by key (Django's `in_bulk(ids)`).
    ///
    /// `keys` is any list or iterator of keys, owned or borrowed: `[1, 2]`, `&ids`,
    /// `users.iter().map(|u| u.id)`, a range. An empty list returns an empty map without a
    /// query, as Django does. To read *every* row by key (Django's `in_bulk()` without ids)
    /// call [`ain_bulk_all`](Self::ain_bulk_all): a bare `None` does not compile here (its
    /// element type cannot be inferred), so no call shape silently means "no keys". (An
    /// `Option` of a key is a list of zero or one key, like any other iterator.)
    ///
    /// A list longer than the backend's parameter limit is read in several queries, as
    /// Django does; `Error::InvalidQuery` on a sliced query, as in Django.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let a = Tag::objects().acreate(&db, [Tag::name.set("a")]).await?;
    /// let b = Tag::objects().acreate(&db, [Tag::name.set("b")]).await?;
    /// let found = Tag::objects().ain_bulk(&db, [a.id, b.id, 999]).await?;
    /// assert_eq!(found.len(), 2);
    /// assert_eq!(found[&b.id].name, "b");
    /// let ids = vec![a.id];
    /// assert_eq!(Tag::objects().ain_bulk(&db, &ids).await?.len(), 1);
    /// assert!(Tag::objects().ain_bulk(&db, Vec::<i64>::new()).await?.is_empty()); // no query
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn ain_bulk<K>(
        self,
        ex: &impl Executor,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<HashMap<M::Pk, M>>
    where
        M::Pk: FieldType,
        K: Borrow<M::Pk>,
    {
        let meta = M::meta();
        let keys: Vec<crate::Value> = keys.into_iter().map(|k| k.borrow().to_value()).collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let &[pk] = meta.primary_key else {
            return Err(Error::InvalidQuery("ain_bulk needs a single-column primary key".into()));
        };
        if self.is_sliced() {
            return Err(Error::InvalidQuery(
                "ain_bulk cannot be used on a sliced query (one with `limit` or `offset`)".into(),
            ));
        }
        let dialect = ex.__dialect();
        // An array-binding dialect binds the whole list as one parameter; elsewhere every
        // key is a parameter, so the keys go in batches that fit beside the query's own.
        let batch = if dialect.binds_lists_as_arrays() {
            keys.len()
        } else {
            dialect.max_params().saturating_sub(self.select_models(dialect)?.args.len()).max(1)
        };
        let mut found = HashMap::new();
        let mut keys = keys.into_iter().peekable();
        while keys.peek().is_some() {
            let values = keys.by_ref().take(batch).collect();
            let q = Q::from_node(Node::In(
                Box::new(Node::Column(meta, pk)),
                values,
                <M::Pk as FieldType>::COLUMN_TYPE,
            ));
            found.extend(self.clone().filter(q).alist(ex).await?.into_iter().map(|m| (m.pk(), m)));
        }
        Ok(found)
    }

    /// Every matching row, by primary key (Django's `in_bulk()` without ids): one query.
    /// `Error::InvalidQuery` on a sliced query, as in Django.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64, name: String }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Tag::meta()]).await?;
    /// let a = Tag::objects().acreate(&db, [Tag::name.set("a")]).await?;
    /// let b = Tag::objects().acreate(&db, [Tag::name.set("b")]).await?;
    /// let all = Tag::objects().ain_bulk_all(&db).await?;
    /// assert_eq!(all.len(), 2);
    /// assert_eq!(all[&a.id].name, "a");
    /// let some = Tag::objects().filter(Tag::name.eq("b")).ain_bulk_all(&db).await?;
    /// assert_eq!(some.keys().copied().collect::<Vec<_>>(), [b.id]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn ain_bulk_all(self, ex: &impl Executor) -> Result<HashMap<M::Pk, M>> {
        if self.is_sliced() {
            return Err(Error::InvalidQuery(
                "ain_bulk_all cannot be used on a sliced query (one with `limit` or `offset`)".into(),
            ));
        }
        Ok(self.alist(ex).await?.into_iter().map(|m| (m.pk(), m)).collect())
    }

    /// The database's plan for this query, as text (Django's `explain`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, username: String, age: i32 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, age) in [("ann", 31), ("bob", 25), ("cy", 40)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::age.set(age)]).await?;
    /// # }
    /// // Django: print(User.objects.filter(pk=1).explain())
    /// let plan = User::objects().filter(User::id.eq(1)).aexplain(&db).await?;
    /// assert!(plan.contains("SEARCH"), "{plan}"); // SQLite: SEARCH user USING INTEGER PRIMARY KEY
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aexplain(&self, ex: &impl Executor) -> Result<String> {
        let (prefix, column) = ex.__dialect().explain();
        let mut w = SqlWriter::new(ex.__dialect())?;
        w.push(prefix);
        self.write_select(
            &mut w,
            |w| {
                w.model_columns(M::meta());
                Ok(())
            },
            &[],
        )?;
        let lines =
            run::fetch_all(ex, w.finish().routed(self.read_route()), |row| String::decode(row, column))
                .await?;
        Ok(lines.join("\n"))
    }
}

impl<M: Model> QuerySet<M> {
    /// Every matching row, reading only the columns of `P` (a ModelSchema struct): Django's
    /// `only()`/`values()`, without ever half-filling a model.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, ModelSchema, Debug)]
    /// #[model_schema(UserName, fields(id, username))] // on the model
    /// # struct User { #[kata(primary_key, auto)] id: i64, username: String, age: i32 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for (name, age) in [("ann", 31), ("bob", 25), ("cy", 40)] {
    /// #     User::objects().acreate(&db, [User::username.set(name), User::age.set(age)]).await?;
    /// # }
    /// // Django: User.objects.only("id", "username"), as a schema
    /// let rows: Vec<UserName> = User::objects().order_by([User::username.asc()]).alist_as(&db).await?;
    /// assert_eq!(rows[0], UserName { id: 1, username: "ann".into() });
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn alist_as<P: crate::schema::Projection<M>>(&self, ex: &impl Executor) -> Result<Vec<P>> {
        self.check_lock(ex)?;
        if self.is_empty_result()? {
            return Ok(Vec::new());
        }
        let meta = M::meta();
        let mut w = SqlWriter::new(ex.__dialect())?;
        self.write_select(
            &mut w,
            |w| {
                w.comma_separated(P::COLUMNS, |w, &i| {
                    w.column(meta, i);
                    Ok(())
                })
            },
            &[],
        )?;
        self.check_lock(ex)?;
        self.write_lock(&mut w);
        run::fetch_all(ex, w.finish().routed(self.read_route()), |row| P::__decode(&mut RowReader::new(row)))
            .await
    }
}
