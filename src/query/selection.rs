//! Typed projections: `values_list` into tuples, aggregates, and column lists.

use std::marker::PhantomData;

use futures_core::Stream;

use crate::db::Executor;
use crate::db::run;
use crate::error::Result;

use crate::expr::{Aggregate, Expr, Func, Node};
use crate::field::Field;
use crate::model::{Model, RowReader};
use crate::query::sql::SqlWriter;
use crate::query::{Grouping, QuerySet};
use crate::value::{ColumnType, FieldType, Value};

/// What a query can select instead of whole models: a field, an expression, an aggregate,
/// or a tuple of them. The output is the matching Rust value or tuple.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct User { #[kata(primary_key, auto)] id: i64, username: String }
/// # async fn demo() -> kata::Result<()> {
/// # let db = Db::connect("sqlite::memory:").await?;
/// # db.create_tables(&[User::meta()]).await?;
/// let rows: Vec<(i64, String)> =
///     User::objects().values_list((User::id, User::username)).alist(&db).await?;
/// let names: Vec<String> = User::objects().values_list(User::username).alist(&db).await?;
/// # let _ = (rows, names); Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub trait Selection<M>: Send {
    /// The decoded row.
    type Output: Send + 'static;
    /// The expressions, in order.
    #[doc(hidden)]
    fn __nodes(self, out: &mut Vec<Node>);
    /// Decodes one row.
    #[doc(hidden)]
    fn __decode(reader: &mut RowReader<'_>) -> Result<Self::Output>;
    /// The value over no rows, when it is known without asking the database (an aggregate:
    /// `Count` is 0, the others `None`), so that an aggregate over a query that cannot match
    /// sends nothing, as in Django.
    #[doc(hidden)]
    fn __empty(nodes: &[Node]) -> Option<Self::Output> {
        let _ = nodes;
        None
    }
    /// How many expressions `__nodes` pushes.
    #[doc(hidden)]
    const WIDTH: usize = 1;
}

impl<M: Model, T: FieldType> Selection<M> for Field<M, T> {
    type Output = T;
    fn __nodes(self, out: &mut Vec<Node>) {
        out.push(Node::Column(M::meta(), self.index()));
    }
    fn __decode(reader: &mut RowReader<'_>) -> Result<T> {
        reader.next()
    }
}

impl<M: Send, T: FieldType> Selection<M> for Expr<M, T> {
    type Output = T;
    fn __nodes(self, out: &mut Vec<Node>) {
        out.push(self.node);
    }
    fn __decode(reader: &mut RowReader<'_>) -> Result<T> {
        reader.next()
    }
    fn __empty(nodes: &[Node]) -> Option<T> {
        match over_no_rows(nodes.first()?)? {
            Value::Null(_) => T::__null(),
            value => T::from_value(&value),
        }
    }
}

/// The value of an aggregate expression over no rows, when it is known without the
/// database: `Count` is 0, another aggregate NULL, and Django's `default=` (a `Coalesce`
/// of an aggregate and a value) its default. `None` for anything else.
fn over_no_rows(node: &Node) -> Option<Value> {
    match node {
        Node::Aggregate(Aggregate::Count | Aggregate::CountDistinct, _) => Some(Value::BigInt(0)),
        Node::Aggregate(..) => Some(Value::Null(ColumnType::BigInt)),
        Node::Value(value) => Some(value.clone()),
        Node::Func(Func::Coalesce, args) if matches!(args.first(), Some(Node::Aggregate(..))) => {
            for arg in args {
                match over_no_rows(arg)? {
                    Value::Null(_) => {}
                    value => return Some(value),
                }
            }
            Some(Value::Null(ColumnType::BigInt))
        }
        _ => None,
    }
}

/// A JSON path (`values_list(Dog::data.key("owner"))`): its JSON value, `None` where the
/// document has none.
impl<M: Send> Selection<M> for crate::expr::JsonPath<M> {
    type Output = Option<serde_json::Value>;
    fn __nodes(self, out: &mut Vec<Node>) {
        out.push(self.value().node);
    }
    fn __decode(reader: &mut RowReader<'_>) -> Result<Self::Output> {
        reader.next()
    }
}

macro_rules! tuple_selection {
    ($($name:ident)+) => {
        impl<M, $($name: Selection<M>),+> Selection<M> for ($($name,)+) {
            type Output = ($($name::Output,)+);
            #[allow(non_snake_case)]
            fn __nodes(self, out: &mut Vec<Node>) {
                let ($($name,)+) = self;
                $($name.__nodes(out);)+
            }
            fn __decode(reader: &mut RowReader<'_>) -> Result<Self::Output> {
                Ok(($($name::__decode(reader)?,)+))
            }
            // The advance after the last part is not read.
            #[allow(unused_assignments)]
            fn __empty(nodes: &[Node]) -> Option<Self::Output> {
                let mut at = 0;
                Some(($({
                    let part = $name::__empty(nodes.get(at..at + $name::WIDTH)?)?;
                    at += $name::WIDTH;
                    part
                },)+))
            }
            const WIDTH: usize = 0 $(+ $name::WIDTH)+;
        }
    };
}
tuple_selection!(A);
tuple_selection!(A B);
tuple_selection!(A B C);
tuple_selection!(A B C D);
tuple_selection!(A B C D E);
tuple_selection!(A B C D E F);
tuple_selection!(A B C D E F G);
tuple_selection!(A B C D E F G H);

/// A query that returns typed tuples instead of models (Django's `values_list`, and
/// kata's form of `only`).
pub struct ValuesQuerySet<M, S> {
    pub(crate) query: QuerySet<M>,
    pub(crate) nodes: Vec<Node>,
    _marker: PhantomData<fn() -> S>,
}

impl<M, S> std::fmt::Debug for ValuesQuerySet<M, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValuesQuerySet").field("query", &self.query).field("nodes", &self.nodes).finish()
    }
}

impl<M: Model> QuerySet<M> {
    /// Selects these fields or expressions as tuples (Django's `values_list`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, PartialEq)] struct Item { #[kata(primary_key, auto)] id: i64, name: String, price: i64, quantity: i64 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Item::meta()]).await?;
    /// # for (name, price, quantity) in [("pen", 2, 10), ("ink", 5, 1), ("pad", 5, 3)] {
    /// #     Item::objects().acreate(&db, [Item::name.set(name), Item::price.set(price), Item::quantity.set(quantity)]).await?;
    /// # }
    /// // Django: Item.objects.order_by("name").values_list("name", "price")
    /// let rows = Item::objects()
    ///     .order_by([Item::name.asc()])
    ///     .values_list((Item::name, Item::price))
    ///     .alist(&db)
    ///     .await?;
    /// assert_eq!(rows[0], ("ink".to_string(), 5));
    /// // Django: values_list("price", flat=True); an expression computes in the database
    /// let totals: Vec<i64> =
    ///     Item::objects().values_list(F(Item::price) * F(Item::quantity)).alist(&db).await?;
    /// assert_eq!(totals, [20, 5, 15]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn values_list<S: Selection<M>>(self, selection: S) -> ValuesQuerySet<M, S> {
        let mut nodes = Vec::new();
        selection.__nodes(&mut nodes);
        ValuesQuerySet { query: self, nodes, _marker: PhantomData }
    }

    /// Loads only these fields, as a tuple: kata never half-fills a model, so Django's
    /// `only()` returns the values themselves. The same as [`values_list`](Self::values_list).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, PartialEq)] struct Item { #[kata(primary_key, auto)] id: i64, name: String, price: i64, quantity: i64 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Item::meta()]).await?;
    /// # for (name, price, quantity) in [("pen", 2, 10), ("ink", 5, 1), ("pad", 5, 3)] {
    /// #     Item::objects().acreate(&db, [Item::name.set(name), Item::price.set(price), Item::quantity.set(quantity)]).await?;
    /// # }
    /// // Django: Item.objects.only("name")
    /// let names: Vec<String> = Item::objects().only(Item::name).alist(&db).await?;
    /// assert_eq!(names, ["pen", "ink", "pad"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn only<S: Selection<M>>(self, selection: S) -> ValuesQuerySet<M, S> {
        self.values_list(selection)
    }

    /// Computes aggregates over the matching rows (Django's `aggregate`).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Item { #[kata(primary_key, auto)] id: i64, price: i64 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Item::meta()]).await?;
    /// // Over no rows: the count is 0, the others NULL.
    /// let (n, total, avg) =
    ///     Item::objects().aaggregate(&db, (Count(Item::id), Sum(Item::price), Avg(Item::price))).await?;
    /// assert_eq!((n, total, avg), (0, None, None));
    /// # for price in [2, 4] { Item::objects().acreate(&db, [Item::price.set(price)]).await?; }
    /// // Django: await Item.objects.aaggregate(Count("id"), Sum("price"), Max("price"))
    /// let (n, total, max) =
    ///     Item::objects().aaggregate(&db, (Count(Item::id), Sum(Item::price), Max(Item::price))).await?;
    /// assert_eq!((n, total, max), (2, Some(6), Some(4)));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aaggregate<S: Selection<M>>(self, ex: &impl Executor, selection: S) -> Result<S::Output> {
        let mut nodes = Vec::new();
        selection.__nodes(&mut nodes);
        // Over a query that cannot match, the aggregates' values over no rows, with no query.
        if self.is_empty_result()?
            && let Some(empty) = S::__empty(&nodes)
        {
            return Ok(empty);
        }
        // Across a to-many relation, over every (row, related row) pair, as Django's join.
        let nodes: Vec<Node> = nodes.into_iter().map(crate::expr::over_pairs).collect();
        let mut query = self;
        if !query.is_sliced() {
            // Over every matching row, the order changes nothing (and an ungrouped ORDER BY
            // beside an aggregate is an error on PostgreSQL).
            query.order.clear();
        }
        let mut w = SqlWriter::new(ex.__dialect())?;
        if query.is_sliced() || query.distinct {
            // Aggregate over the rows the slice selects.
            let meta = M::meta();
            w.push("SELECT ");
            w.comma_separated(&nodes, |w, n| w.node(n))?;
            w.push(" FROM (");
            query.write_select(
                &mut w,
                |w| {
                    w.model_columns(meta);
                    Ok(())
                },
                &[],
            )?;
            w.push(") ");
            w.ident(meta.table);
        } else {
            query.write_select(&mut w, |w| w.comma_separated(&nodes, |w, n| w.node(n)), &[])?;
        }
        let rows = run::fetch_all(ex, w.finish().routed(query.read_route()), |row| {
            S::__decode(&mut RowReader::new(row))
        })
        .await?;
        rows.into_iter().next().ok_or(crate::Error::Internal("an aggregate query returned no row"))
    }
}

impl<M: Model, S: Selection<M>> ValuesQuerySet<M, S> {
    /// Whether an aggregate in the selection groups the rows (then, and only then, the
    /// filter and the ordering may hold aggregates too, as Django wants them annotated).
    fn grouped(&self) -> bool {
        self.nodes.iter().any(Node::contains_aggregate)
    }

    fn statement(&self, ex: &impl Executor) -> Result<crate::query::sql::Statement> {
        let mut w = SqlWriter::new(ex.__dialect())?;
        // values_list(field, Count(..)) groups by the plain fields, as Django's
        // values().annotate() does, and by the ordering's plain expressions (Django's
        // "Interaction with order_by()"); a filter on an aggregate goes to HAVING.
        let positions: Vec<usize> = if self.grouped() {
            (1..=self.nodes.len()).filter(|&i| !self.nodes[i - 1].contains_aggregate()).collect()
        } else {
            Vec::new()
        };
        let grouping = if self.grouped() { Grouping::Selected(&positions) } else { Grouping::None };
        self.query.write_select_grouped(
            &mut w,
            |w| w.comma_separated(&self.nodes, |w, n| w.node(n)),
            &|_| Ok(()),
            grouping,
        )?;
        self.query.check_lock(ex)?;
        self.query.write_lock(&mut w);
        Ok(w.finish().routed(self.query.read_route()))
    }

    /// The rows of a query known to select none, without a round trip: none, or — for
    /// aggregates over the whole query, which give one row — their values over no rows
    /// when those are known. `None` when the database must be asked.
    fn empty_rows(&self) -> Result<Option<Vec<S::Output>>> {
        if !self.query.is_empty_result()? {
            return Ok(None);
        }
        let whole = self.grouped()
            && self.nodes.iter().all(Node::contains_aggregate)
            && self.query.order.iter().all(|key| key.node.contains_aggregate());
        if !whole || self.query.limit == Some(0) {
            return Ok(Some(Vec::new()));
        }
        Ok(S::__empty(&self.nodes).map(|row| vec![row]))
    }

    /// Every row, as tuples.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, PartialEq)] struct Item { #[kata(primary_key, auto)] id: i64, name: String, price: i64, quantity: i64 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Item::meta()]).await?;
    /// # for (name, price, quantity) in [("pen", 2, 10), ("ink", 5, 1), ("pad", 5, 3)] {
    /// #     Item::objects().acreate(&db, [Item::name.set(name), Item::price.set(price), Item::quantity.set(quantity)]).await?;
    /// # }
    /// let query = Item::objects().filter(Item::price.eq(5));
    /// let rows: Vec<(String, i64)> = query.values_list((Item::name, Item::quantity)).alist(&db).await?;
    /// assert_eq!(rows, [("ink".to_string(), 1), ("pad".to_string(), 3)]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn alist(&self, ex: &impl Executor) -> Result<Vec<S::Output>> {
        self.query.check_lock(ex)?;
        if let Some(rows) = self.empty_rows()? {
            return Ok(rows);
        }
        let stmt = self.statement(ex)?;
        run::fetch_all(ex, stmt, |row| S::__decode(&mut RowReader::new(row))).await
    }

    /// The first row in the query's order, if any. Like `QuerySet::afirst`, an unordered
    /// query is ordered by primary key, unless it is `distinct` or groups rows for an
    /// aggregate (the key is not among the selected columns then); on a sliced query that
    /// would be ordered so, it is `Error::InvalidQuery`, as in Django.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, PartialEq)] struct Item { #[kata(primary_key, auto)] id: i64, name: String, price: i64, quantity: i64 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Item::meta()]).await?;
    /// # for (name, price, quantity) in [("pen", 2, 10), ("ink", 5, 1), ("pad", 5, 3)] {
    /// #     Item::objects().acreate(&db, [Item::name.set(name), Item::price.set(price), Item::quantity.set(quantity)]).await?;
    /// # }
    /// // Django: Item.objects.order_by("-quantity").values_list("name", flat=True).afirst()
    /// let by_quantity = Item::objects().order_by([Item::quantity.desc()]);
    /// let top = by_quantity.values_list(Item::name).afirst(&db).await?;
    /// assert_eq!(top.as_deref(), Some("pen"));
    /// let first = Item::objects().values_list(Item::name).afirst(&db).await?; // unordered: by key
    /// assert_eq!(first.as_deref(), Some("pen"));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn afirst(self, ex: &impl Executor) -> Result<Option<S::Output>> {
        let grouped = self.grouped();
        let mut inner = self.query;
        if inner.order.is_empty() && !inner.distinct && !grouped {
            if inner.is_sliced() {
                return Err(crate::Error::InvalidQuery(
                    "afirst of an unordered query (ordered by primary key) cannot reorder a sliced \
                     query (one with `limit` or `offset`)"
                        .into(),
                ));
            }
            inner.order = crate::query::pk_order(M::meta());
        }
        let query: ValuesQuerySet<M, S> =
            ValuesQuerySet { query: inner.limit(1), nodes: self.nodes, _marker: PhantomData };
        Ok(query.alist(ex).await?.into_iter().next())
    }

    /// Streams the rows without holding them all in memory.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, PartialEq)] struct Item { #[kata(primary_key, auto)] id: i64, name: String, price: i64, quantity: i64 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Item::meta()]).await?;
    /// # for (name, price, quantity) in [("pen", 2, 10), ("ink", 5, 1), ("pad", 5, 3)] {
    /// #     Item::objects().acreate(&db, [Item::name.set(name), Item::price.set(price), Item::quantity.set(quantity)]).await?;
    /// # }
    /// use futures_util::TryStreamExt;
    /// // Django: async for price in Item.objects.values_list("price", flat=True).aiterator(): ...
    /// let prices: Vec<i64> = Item::objects().values_list(Item::price).aiterator(&db).try_collect().await?;
    /// assert_eq!(prices, [2, 5, 5]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn aiterator<'e, E: Executor>(&self, ex: &'e E) -> impl Stream<Item = Result<S::Output>> + Send + 'e {
        let empty = self.query.check_lock(ex).and_then(|()| self.empty_rows());
        let stmt = self.statement(ex);
        async_stream::try_stream! {
            if let Some(rows) = empty? {
                for row in rows {
                    yield row;
                }
                return;
            }
            let stmt = stmt?;
            let rows = run::fetch_stream(ex, stmt, |row| S::__decode(&mut RowReader::new(row)));
            for await row in rows {
                yield row?;
            }
        }
    }
}

/// A set of columns of `M`: a field or a tuple of fields. `abulk_update` takes one.
///
/// ```
/// # use kata::prelude::*;
/// # #[derive(Model)] struct User { #[kata(primary_key)] id: i64, email: String, is_active: bool }
/// let columns = (User::email, User::is_active);
/// assert_eq!(kata::Columns::<User>::indexes(columns), vec![1, 2]);
/// ```
pub trait Columns<M> {
    /// The columns' positions.
    fn indexes(self) -> Vec<usize>;
}

impl<M, T> Columns<M> for Field<M, T> {
    fn indexes(self) -> Vec<usize> {
        vec![self.index()]
    }
}

macro_rules! tuple_columns {
    ($($name:ident)+) => {
        impl<M, $($name: Columns<M>),+> Columns<M> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn indexes(self) -> Vec<usize> {
                let ($($name,)+) = self;
                let mut out = Vec::new();
                $(out.extend($name.indexes());)+
                out
            }
        }
    };
}
tuple_columns!(A);
tuple_columns!(A B);
tuple_columns!(A B C);
tuple_columns!(A B C D);
tuple_columns!(A B C D E);
tuple_columns!(A B C D E F);
tuple_columns!(A B C D E F G);
tuple_columns!(A B C D E F G H);

/// A query that returns each model with computed values beside it (Django's `annotate`):
/// `Vec<(M, S::Output)>`.
pub struct Annotated<M, S> {
    query: QuerySet<M>,
    nodes: Vec<Node>,
    _marker: PhantomData<fn() -> S>,
}

impl<M, S> std::fmt::Debug for Annotated<M, S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Annotated").field("query", &self.query).field("nodes", &self.nodes).finish()
    }
}

impl<M: Model> QuerySet<M> {
    /// Computes expressions beside each model (Django's `annotate`). With an aggregate the
    /// rows are grouped by the model's columns.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Item { #[kata(primary_key, auto)] id: i64, price: i64, quantity: i64 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Item::meta()]).await?;
    /// Item::objects().acreate(&db, Item { id: 0, price: 3, quantity: 4 }).await?;
    /// // Django: Item.objects.annotate(total=F("price") * F("quantity"))
    /// let rows: Vec<(Item, i64)> =
    ///     Item::objects().annotate(F(Item::price) * F(Item::quantity)).alist(&db).await?;
    /// assert_eq!(rows[0].1, 12);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn annotate<S: Selection<M>>(self, selection: S) -> Annotated<M, S> {
        let mut nodes = Vec::new();
        selection.__nodes(&mut nodes);
        Annotated { query: self, nodes, _marker: PhantomData }
    }
}

impl<M: Model, S: Selection<M>> Annotated<M, S> {
    fn statement(&self, ex: &impl Executor) -> Result<crate::query::sql::Statement> {
        let meta = M::meta();
        if !self.query.joins.is_empty() || !self.query.prefetches.is_empty() {
            return Err(crate::Error::InvalidQuery(
                "annotate does not load relations yet: drop select_related/prefetch_related here, or \
                 load them with aprefetch_related_objects afterwards"
                    .into(),
            ));
        }
        // An aggregate in the annotation groups by the model's columns; then a filter on an
        // aggregate goes to HAVING (Django's annotate(n=Count(..)).filter(n__gt=1)).
        let group: Vec<Node> = if self.nodes.iter().any(Node::contains_aggregate) {
            (0..meta.columns.len()).map(|i| Node::Column(meta, i)).collect()
        } else {
            Vec::new()
        };
        let group: Vec<&Node> = group.iter().collect();
        let mut w = SqlWriter::new(ex.__dialect())?;
        self.query.write_select(
            &mut w,
            |w| {
                w.model_columns(meta);
                for node in &self.nodes {
                    w.push(", ");
                    w.node(node)?;
                }
                Ok(())
            },
            &group,
        )?;
        self.query.check_lock(ex)?;
        self.query.write_lock(&mut w);
        Ok(w.finish().routed(self.query.read_route()))
    }

    fn decode(row: crate::driver::RowRef<'_>) -> Result<(M, S::Output)> {
        let mut reader = RowReader::new(row);
        let model = crate::query::decode_named::<M>(&mut reader)?;
        Ok((model, S::__decode(&mut reader)?))
    }

    /// Every row, each model with its computed values.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, PartialEq)] struct Item { #[kata(primary_key, auto)] id: i64, name: String, price: i64, quantity: i64 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Item::meta()]).await?;
    /// # for (name, price, quantity) in [("pen", 2, 10), ("ink", 5, 1), ("pad", 5, 3)] {
    /// #     Item::objects().acreate(&db, [Item::name.set(name), Item::price.set(price), Item::quantity.set(quantity)]).await?;
    /// # }
    /// // Django: Item.objects.annotate(total=F("price") * F("quantity"))
    /// let rows = Item::objects().annotate(F(Item::price) * F(Item::quantity)).alist(&db).await?;
    /// assert_eq!((rows[0].0.name.as_str(), rows[0].1), ("pen", 20));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn alist(&self, ex: &impl Executor) -> Result<Vec<(M, S::Output)>> {
        self.query.check_lock(ex)?;
        if self.query.is_empty_result()? {
            return Ok(Vec::new());
        }
        let stmt = self.statement(ex)?;
        run::fetch_all(ex, stmt, Self::decode).await
    }

    /// Streams the rows without holding them all in memory.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug, PartialEq)] struct Item { #[kata(primary_key, auto)] id: i64, name: String, price: i64, quantity: i64 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Item::meta()]).await?;
    /// # for (name, price, quantity) in [("pen", 2, 10), ("ink", 5, 1), ("pad", 5, 3)] {
    /// #     Item::objects().acreate(&db, [Item::name.set(name), Item::price.set(price), Item::quantity.set(quantity)]).await?;
    /// # }
    /// use futures_util::TryStreamExt;
    /// let rows: Vec<(Item, i64)> =
    ///     Item::objects().annotate(F(Item::price) * F(Item::quantity)).aiterator(&db).try_collect().await?;
    /// assert_eq!(rows.iter().map(|(_, total)| total).sum::<i64>(), 20 + 5 + 15);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn aiterator<'e, E: Executor>(
        &self,
        ex: &'e E,
    ) -> impl Stream<Item = Result<(M, S::Output)>> + Send + 'e {
        let empty = self.query.check_lock(ex).and_then(|()| self.query.is_empty_result());
        let stmt = self.statement(ex);
        async_stream::try_stream! {
            if empty? {
                return;
            }
            let rows = run::fetch_stream(ex, stmt?, Self::decode);
            for await row in rows {
                yield row?;
            }
        }
    }
}
