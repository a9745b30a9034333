//! Terminal operations that update: `aupdate`, `abulk_update`.

use crate::db::atomically;
use crate::db::{Executor, run};
use crate::dialect::Dialect;
use crate::error::{Error, Result, ValidationErrors};
use crate::expr::{Assignment, BinOp, Node, Q};
use crate::model::Model;
use crate::query::QuerySet;
use crate::query::insert::{refuse_unsaved_assignments, refuse_unsaved_targets, validate_assignments};
use crate::query::integrity::for_model;
use crate::query::integrity::{assignment_values, name_foreign_key};
use crate::query::selection::Columns;
use crate::query::sql::{SqlWriter, Statement};

/// What `aupdate` accepts: assignments (`[User::is_active.set(false)]`) or a patch schema.
pub trait Update<M>: Send {
    /// Checks the value before anything is sent (patch schemas check their rules).
    fn validate_update(&self) -> Result<()> {
        Ok(())
    }
    /// The columns to set.
    fn into_assignments(self) -> Vec<Assignment<M>>;
}

impl<M: Send> Update<M> for Vec<Assignment<M>> {
    fn into_assignments(self) -> Vec<Assignment<M>> {
        self
    }
}

impl<M: Send, const N: usize> Update<M> for [Assignment<M>; N] {
    fn into_assignments(self) -> Vec<Assignment<M>> {
        self.into()
    }
}

impl<M: Send> Update<M> for Assignment<M> {
    fn into_assignments(self) -> Vec<Assignment<M>> {
        vec![self]
    }
}

/// The `WHERE pk = ...` condition for a model instance.
pub(super) fn pk_condition<M: Model>(w: &mut SqlWriter, model: &M) -> Result<()> {
    w.push(" WHERE ");
    w.pk_equals(model)
}
impl<M: Model> QuerySet<M> {
    /// Writes `columns` of each model to its row, in batches, with one `CASE` per column
    /// (Django's `abulk_update`). Returns how many rows matched.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(max_length = 10)] username: String, #[kata(default = true)] is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// # for name in ["ann", "bob"] { User::objects().acreate(&db, [User::username.set(name)]).await?; }
    /// let mut users = User::objects().order_by([User::id.asc()]).alist(&db).await?;
    /// users.iter_mut().for_each(|u| u.username = u.username.to_uppercase());
    /// // Django: await User.objects.abulk_update(users, ["username"])
    /// let matched = User::objects().abulk_update(&db, &users, (User::username,)).await?;
    /// assert_eq!(matched, 2);
    /// assert_eq!(User::objects().values_list(User::username).alist(&db).await?, ["ANN", "BOB"]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn abulk_update(
        &self,
        ex: &impl Executor,
        models: &[M],
        columns: impl Columns<M>,
    ) -> Result<u64> {
        let meta = M::meta();
        let columns = columns.indexes();
        if models.is_empty() || columns.is_empty() {
            return Ok(0);
        }
        if let Some(&i) = columns.iter().find(|&&i| meta.columns[i].primary_key) {
            return Err(Error::InvalidQuery(format!(
                "abulk_update cannot change the primary key `{}`",
                meta.columns[i].field
            )));
        }
        let mut errors = ValidationErrors::default();
        for model in models {
            model.__validate(&mut errors);
        }
        errors.into_result()?;
        for model in models {
            refuse_unsaved_targets(model, columns.iter().copied())?;
        }
        let pk_len = meta.primary_key.len();
        let per_row = columns.len() * (pk_len + 1) + pk_len;
        let batch = (ex.__dialect().max_params() / per_row).clamp(1, 500);
        let mut statements = Vec::new();
        for chunk in models.chunks(batch) {
            statements.push(bulk_update_statement(ex.__dialect(), chunk, &columns)?);
        }
        atomically!(ex, for self.write_route(), |x| {
            let mut total = 0;
            let mut result = Ok(());
            for stmt in statements {
                match run::execute(x, stmt).await {
                    Ok(done) => total += done.rows_affected,
                    Err(e) => {
                        result = Err(for_model(e, meta));
                        break;
                    }
                }
            }
            result.map(|()| total)
        })
    }

    /// Sets columns on every matching row in one UPDATE (Django's `aupdate`). Values are
    /// checked against the model's rules first. An empty update, or one of a query that
    /// cannot match (`is_in([])`), runs no query. Returns how many rows matched.
    ///
    /// A sliced query (`limit`/`offset`) cannot be updated, as in Django: that is
    /// `Error::InvalidQuery` before any SQL. On MySQL and MariaDB the query's `order_by`
    /// becomes the UPDATE's own `ORDER BY`, so that a unique column can be shifted in the
    /// order given (`order_by([Row::position.desc()])` before `F(position) + 1`); the other
    /// backends ignore the order, as Django does.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model)] struct Counter { #[kata(primary_key, auto)] id: i64, n: i64 }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[Counter::meta()]).await?;
    /// # for n in [1, 5] { Counter::objects().acreate(&db, [Counter::n.set(n)]).await?; }
    /// // Django: await Counter.objects.filter(n__lt=3).aupdate(n=F("n") + 1)
    /// let small = Counter::objects().filter(Counter::n.lt(3));
    /// let matched = small.aupdate(&db, [Counter::n.set(F(Counter::n) + 1)]).await?;
    /// assert_eq!(matched, 1);
    /// assert_eq!(Counter::objects().values_list(Counter::n).alist(&db).await?, [2, 5]);
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aupdate(&self, ex: &impl Executor, update: impl Update<M>) -> Result<u64> {
        if self.is_sliced() {
            return Err(Error::InvalidQuery("cannot update a query once a slice has been taken".into()));
        }
        update.validate_update()?;
        let assignments = update.into_assignments();
        if assignments.is_empty() {
            return Ok(0);
        }
        validate_assignments(M::meta(), &assignments)?;
        refuse_unsaved_assignments(M::meta(), &assignments)?;
        // A query that cannot match updates nothing, with no query (as Django).
        if self.is_empty_result()? {
            return Ok(0);
        }
        let mut w = SqlWriter::new(ex.__dialect())?;
        write_update_head::<M>(&mut w, &assignments)?;
        self.write_target(&mut w)?;
        if ex.__dialect().update_order_by() {
            self.write_order(&mut w)?;
        }
        let done = match run::execute(ex, w.finish().routed(self.write_route())).await {
            Ok(done) => done,
            Err(e) => {
                return Err(name_foreign_key(
                    ex,
                    for_model(e, M::meta()),
                    M::meta(),
                    assignment_values(&assignments),
                )
                .await);
            }
        };
        Ok(done.rows_affected)
    }
}

/// `UPDATE t SET a = ?, b = ...` (column names unqualified, as PostgreSQL requires).
pub(super) fn write_update_head<M: Model>(w: &mut SqlWriter, assignments: &[Assignment<M>]) -> Result<()> {
    let meta = M::meta();
    w.push("UPDATE ");
    w.ident(meta.table);
    w.push(" SET ");
    w.comma_separated(assignments, |w, a| {
        w.ident(meta.columns[a.index].name);
        w.push(" = ");
        w.node(&a.node)
    })
}

fn bulk_update_statement<M: Model>(
    dialect: &'static dyn Dialect,
    models: &[M],
    columns: &[usize],
) -> Result<Statement> {
    let meta = M::meta();
    let mut w = SqlWriter::new(dialect)?;
    w.push("UPDATE ");
    w.ident(meta.table);
    w.push(" SET ");
    w.comma_separated(columns, |w, &c| {
        w.ident(meta.columns[c].name);
        w.push(" = CASE");
        for model in models {
            w.push(" WHEN ");
            w.pk_equals(model)?;
            w.push(" THEN ");
            w.bind_column(model, c)?;
        }
        w.push(" ELSE ");
        w.column(meta, c);
        w.push(" END");
        Ok(())
    })?;
    w.push(" WHERE ");
    for (n, model) in models.iter().enumerate() {
        w.push(if n > 0 { " OR (" } else { "(" });
        w.pk_equals(model)?;
        w.push(")");
    }
    Ok(w.finish())
}

pub(crate) fn assignments_as_q<'a, M>(assignments: impl IntoIterator<Item = &'a Assignment<M>>) -> Q<M>
where
    M: Model + 'a,
{
    let meta = M::meta();
    let mut q = Q::all();
    for a in assignments {
        let node = match &a.node {
            Node::Value(crate::Value::Null(_)) => Node::IsNull(Box::new(Node::Column(meta, a.index)), true),
            other => Node::Binary(Box::new(Node::Column(meta, a.index)), BinOp::Eq, Box::new(other.clone())),
        };
        q = q & Q::from_node(node);
    }
    q
}
