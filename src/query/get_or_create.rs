//! `aget_or_create` and `aupdate_or_create`: a read, then an insert in a savepoint, and
//! after a unique conflict a read that sees the winner's row, so that concurrent callers
//! all succeed (Django's `get_or_create` / `select_for_update().get_or_create()`).

use crate::db::{Executor, run};
use crate::error::{Error, Result};
use crate::expr::{Assignment, BinOp, Node, Q};
use crate::model::Model;
use crate::query::QuerySet;
use crate::query::insert::{create_from_assignments, refuse_unsaved_assignments, validate_assignments};
use crate::query::integrity::{assignment_values, for_model, name_foreign_key};
use crate::query::model_ext::ModelExt as _;
use crate::query::sql::SqlWriter;
use crate::query::update::{assignments_as_q, pk_condition, write_update_head};

impl<M: Model> QuerySet<M> {
    /// The row matching `lookup` (as equalities), or a new one from `lookup` and
    /// `defaults` (and the model's defaults); the flag says whether it was created
    /// (Django's `aget_or_create`).
    ///
    /// When a concurrent caller creates the row between the read and the insert, the
    /// insert's unique conflict is caught and that caller's row is returned, as in Django.
    /// Inside a transaction the insert runs in a savepoint, so the conflict leaves the
    /// transaction usable, and the second read sees the committed row even from an older
    /// snapshot (on MySQL/MariaDB it is a locking read, `LOCK IN SHARE MODE`). The one case
    /// that cannot work: a PostgreSQL transaction at `REPEATABLE READ` or `SERIALIZABLE`
    /// cannot see a row committed after its snapshot, so there the conflict is returned
    /// (`Error::Integrity`, or a serialization failure): run the transaction again.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(max_length = 10)] username: String, #[kata(default = true)] is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// // Django: await User.objects.aget_or_create(username="ann", defaults={"is_active": False})
    /// let (ann, created) = User::objects()
    ///     .aget_or_create(&db, [User::username.set("ann")], [User::is_active.set(false)])
    ///     .await?;
    /// assert!(created && !ann.is_active);
    /// let (again, created) = User::objects().aget_or_create(&db, [User::username.set("ann")], []).await?;
    /// assert_eq!((again.id, created), (ann.id, false));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aget_or_create<E: Executor>(
        &self,
        ex: &E,
        lookup: impl IntoIterator<Item = Assignment<M>>,
        defaults: impl IntoIterator<Item = Assignment<M>>,
    ) -> Result<(M, bool)> {
        let lookup: Vec<Assignment<M>> = lookup.into_iter().collect();
        let q = assignments_as_q(&lookup);
        match self.clone().aget(ex, q.clone()).await {
            Ok(found) => return Ok((found, false)),
            Err(Error::DoesNotExist { .. }) => {}
            Err(e) => return Err(e),
        }
        let mut values = lookup;
        values.extend(defaults);
        match create_in_savepoint(ex, values).await {
            Ok(created) => Ok((created, true)),
            // Another writer created it in between: return theirs, as Django does.
            Err(e) if e.is_integrity(crate::IntegrityKind::Unique) => {
                let latest = match (&self.lock, ex.__db()) {
                    (None, None) => self.clone().latest_rows(),
                    _ => self.clone(),
                };
                match latest.aget(ex, q).await {
                    Ok(found) => Ok((found, false)),
                    Err(Error::DoesNotExist { .. }) => Err(e),
                    Err(other) => Err(other),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Updates the row matching `lookup` with `defaults`, or creates it from both; the flag
    /// says whether it was created (Django's `aupdate_or_create`). Runs in a transaction
    /// and updates the row under its lock, so that concurrent callers all succeed: one
    /// creates the row, each other one updates it in turn, and each gets back the row as
    /// its own update left it.
    ///
    /// As Django's `select_for_update().get_or_create()`, a caller that loses the race to
    /// create reads the winner's row with a lock and updates it. On MySQL/MariaDB, several
    /// losers at once can deadlock there (each holds the shared lock InnoDB takes on a
    /// duplicate key): when kata owns the transaction (`ex` is a `Db`) it runs it again;
    /// inside your own transaction the deadlock rolls it back and is returned
    /// (`Error::is_conflict`), so run that transaction with
    /// [`atomic_with(Retry::on_conflict(..))`](crate::TransactionBuilder::atomic_with). On
    /// PostgreSQL at `REPEATABLE READ` or `SERIALIZABLE`, as for `aget_or_create`, a row
    /// committed after the snapshot cannot be seen and the conflict is returned.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct User { #[kata(primary_key, auto)] id: i64, #[kata(max_length = 10)] username: String, #[kata(default = true)] is_active: bool }
    /// # async fn demo() -> kata::Result<()> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// # db.create_tables(&[User::meta()]).await?;
    /// // Django: await User.objects.aupdate_or_create(username="ann", defaults={"is_active": False})
    /// let (ann, created) = User::objects()
    ///     .aupdate_or_create(&db, [User::username.set("ann")], [User::is_active.set(false)])
    ///     .await?;
    /// assert!(created && !ann.is_active);
    /// let (same, created) = User::objects()
    ///     .aupdate_or_create(&db, [User::username.set("ann")], [User::is_active.set(true)])
    ///     .await?;
    /// assert!(!created && same.is_active && same.id == ann.id); // updated in place
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn aupdate_or_create<E: Executor>(
        &self,
        ex: &E,
        lookup: impl IntoIterator<Item = Assignment<M>>,
        defaults: impl IntoIterator<Item = Assignment<M>>,
    ) -> Result<(M, bool)> {
        let lookup: Vec<Assignment<M>> = lookup.into_iter().collect();
        let defaults: Vec<Assignment<M>> = defaults.into_iter().collect();
        validate_assignments(M::meta(), &defaults)?;
        refuse_unsaved_assignments(M::meta(), &defaults)?;
        let Some(db) = ex.__db() else {
            return self.update_or_create_in(ex, &lookup, &defaults).await;
        };
        // kata's own transaction: after a deadlock it runs again, and then finds the row
        // the winner committed, so it only locks and updates it.
        let mut attempt = 1;
        loop {
            let tx = db.begin().await?;
            let result = self.update_or_create_in(&tx, &lookup, &defaults).await;
            match tx.finish(result).await {
                Err(e) if e.is_conflict() && attempt < UPDATE_OR_CREATE_ATTEMPTS => attempt += 1,
                done => return done,
            }
        }
    }

    /// `aupdate_or_create` inside a transaction.
    async fn update_or_create_in(
        &self,
        ex: &impl Executor,
        lookup: &[Assignment<M>],
        defaults: &[Assignment<M>],
    ) -> Result<(M, bool)> {
        let meta = M::meta();
        let q = assignments_as_q(lookup);
        let mut locked = self.clone().select_for_update();
        // PostgreSQL refuses to lock the nullable side of a select_related LEFT JOIN: lock
        // this model's rows only, where the backend can say so.
        if !self.joins.is_empty() && ex.__dialect().lock_support().of {
            locked = locked.of([meta]);
        }
        // A plain read first: a locking read of a missing row takes InnoDB's gap locks, and
        // concurrent inserts into the gap deadlock on them.
        let found = match self.clone().aget(ex, q.clone()).await {
            // Nothing to update: the row as read is the answer, no lock needed.
            Ok(found) if defaults.is_empty() => return Ok((found, false)),
            // Lock the row, reading its latest version; one that changed so that it no
            // longer matches counts as missing.
            Ok(found) => match locked.clone().aget(ex, pk_q(&found) & q.clone()).await {
                Ok(row) => Some(row),
                Err(Error::DoesNotExist { .. }) => None,
                Err(e) => return Err(e),
            },
            Err(Error::DoesNotExist { .. }) => None,
            Err(e) => return Err(e),
        };
        let found = match found {
            Some(found) => found,
            None => {
                let values = lookup.iter().chain(defaults).map(copy_assignment).collect();
                match create_in_savepoint(ex, values).await {
                    Ok(created) => return Ok((created, true)),
                    // Another caller created it first: lock theirs (a locking read sees it
                    // even from an older InnoDB snapshot) and update it.
                    Err(e) if e.is_integrity(crate::IntegrityKind::Unique) => {
                        match locked.aget(ex, q).await {
                            Ok(row) => row,
                            Err(Error::DoesNotExist { .. }) => return Err(e),
                            Err(other) => return Err(other),
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        if defaults.is_empty() {
            return Ok((found, false));
        }
        let mut w = SqlWriter::new(ex.__dialect())?;
        write_update_head::<M>(&mut w, defaults)?;
        pk_condition(&mut w, &found)?;
        if let Err(e) = run::execute(ex, w.finish_write(meta)).await {
            return Err(name_foreign_key(ex, for_model(e, meta), meta, assignment_values(defaults)).await);
        }
        let mut found = found;
        found.arefresh_from_db(ex).await?;
        Ok((found, false))
    }
}

/// How many times `aupdate_or_create` runs its own transaction when the database breaks a
/// deadlock by rolling it back (only a burst of losers on MySQL/MariaDB meets one).
const UPDATE_OR_CREATE_ATTEMPTS: u32 = 5;

/// A copy of an assignment (the derived `Clone` would ask the model to be `Clone`).
fn copy_assignment<M>(a: &Assignment<M>) -> Assignment<M> {
    Assignment::new(a.index, a.node.clone())
}

/// `key = value` for each primary-key column of `model`.
fn pk_q<M: Model>(model: &M) -> Q<M> {
    let meta = M::meta();
    Q::from_node(Node::And(
        meta.primary_key
            .iter()
            .map(|&i| {
                Node::Binary(
                    Box::new(Node::Column(meta, i)),
                    BinOp::Eq,
                    Box::new(Node::Value(model.__column_value(i))),
                )
            })
            .collect(),
    ))
}

/// `create_from_assignments`, in a savepoint when `ex` is a transaction: a conflict then
/// leaves the transaction usable (PostgreSQL refuses every later statement of a
/// transaction whose statement failed).
/// A model with hooks creates through them (Django's `get_or_create` saves, which sends
/// its signals), in a transaction or savepoint of their own.
async fn create_in_savepoint<M: Model>(ex: &impl Executor, values: Vec<Assignment<M>>) -> Result<M> {
    if M::__HAS_HOOKS {
        return crate::query::hooks::create_with_hooks(
            ex,
            crate::query::insert::InsertSource::Assignments(values),
        )
        .await;
    }
    match ex.__exec_ref() {
        crate::db::ExecRef::Transaction(tx) => {
            tx.atomic(async |sp| create_from_assignments(&sp, values).await).await
        }
        crate::db::ExecRef::Db(_) => create_from_assignments(ex, values).await,
    }
}
