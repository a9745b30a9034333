//! Related managers (Django 4.2's async names) on `ManyToMany<T>` and `HasMany<T>` fields.

use crate::db::atomically;
use crate::db::{Executor, run};
use crate::error::{Error, Result};
use crate::expr::{Assignment, BinOp, Node, Q, RelStep};
use crate::model::Model;
use crate::query::sql::SqlWriter;
use crate::query::{Insert, InsertSource, QuerySet};
use crate::relation::fields::{HasMany, ManyToMany, Owner};
use crate::relation::step_of;
use crate::value::{FieldType, Value};

fn eq(meta: &'static crate::ModelMeta, column: usize, value: Value) -> Node {
    Node::Binary(Box::new(Node::Column(meta, column)), BinOp::Eq, Box::new(Node::Value(value)))
}

/// The link table and its two columns for a many-to-many owner.
fn link(owner: &Owner) -> Result<(&'static crate::ModelMeta, usize, usize)> {
    match step_of(owner.meta, owner.relation)? {
        RelStep::ManyToMany { through, owner_column, target_column, .. } => {
            Ok((through, owner_column, target_column))
        }
        _ => Err(Error::Internal("a ManyToMany field attached to another kind of relation")),
    }
}

/// The foreign-key column of the source model for a reverse relation.
fn reverse_column(owner: &Owner) -> Result<usize> {
    match step_of(owner.meta, owner.relation)? {
        RelStep::Reverse { column, .. } => Ok(column),
        _ => Err(Error::Internal("a HasMany field attached to another kind of relation")),
    }
}

fn pk_value<T: Model>(object: &T) -> Result<Value>
where
    T::Pk: FieldType,
{
    if object.__is_unsaved() {
        return Err(Error::Unsaved { model: T::meta().name, operation: "a related manager" });
    }
    Ok(object.pk().to_value())
}

impl<T: Model> ManyToMany<T>
where
    T::Pk: FieldType,
{
    /// The related rows, as a query to narrow further.
    pub fn all(&self) -> Result<QuerySet<T>> {
        let owner = self.owner("all")?;
        let (through, owner_column, target_column) = link(owner)?;
        let meta = T::meta();
        let q = Q::from_node(Node::InSubquery {
            lhs: Box::new(Node::Column(meta, meta.single_pk()?)),
            table: through,
            select: target_column,
            filter: Box::new(eq(through, owner_column, owner.key.clone())),
        });
        Ok(QuerySet::new().filter(q))
    }

    /// The related rows that match `q`.
    pub fn filter(&self, q: Q<T>) -> Result<QuerySet<T>> {
        Ok(self.all()?.filter(q))
    }

    /// Every related row.
    pub async fn alist(&self, ex: &impl Executor) -> Result<Vec<T>> {
        self.all()?.alist(ex).await
    }

    /// How many rows are linked.
    pub async fn acount(&self, ex: &impl Executor) -> Result<i64> {
        self.all()?.acount(ex).await
    }

    /// Whether any row is linked.
    pub async fn aexists(&self, ex: &impl Executor) -> Result<bool> {
        self.all()?.aexists(ex).await
    }

    /// Links `object` (a no-op when it is already linked).
    pub async fn aadd(&self, ex: &impl Executor, object: &T) -> Result<()> {
        self.aadd_with::<T>(ex, object, Vec::new()).await
    }

    /// Links `object`, setting the through model's extra columns (Django's
    /// `through_defaults`). `W` is the through model.
    pub async fn aadd_with<W: Model>(
        &self,
        ex: &impl Executor,
        object: &T,
        through_defaults: Vec<Assignment<W>>,
    ) -> Result<()> {
        let owner = self.owner("aadd")?;
        let (through, owner_column, target_column) = link(owner)?;
        if !through_defaults.is_empty() && !std::ptr::eq(W::meta(), through) {
            return Err(Error::InvalidQuery(format!(
                "through_defaults must be assignments of {}",
                through.name
            )));
        }
        let target = pk_value(object)?;
        let mut w = SqlWriter::new(ex.__dialect())?;
        w.push("INSERT INTO ");
        w.ident(through.table);
        w.push(" (");
        w.ident(through.columns[owner_column].name);
        w.push(", ");
        w.ident(through.columns[target_column].name);
        for a in &through_defaults {
            w.push(", ");
            w.ident(through.columns[a.index].name);
        }
        // INSERT ... SELECT ... WHERE NOT EXISTS: no duplicate link, with or without a
        // unique constraint on the through table.
        w.push(") SELECT ");
        w.bind_value(&owner.key)?;
        w.push(", ");
        w.bind_value(&target)?;
        for a in &through_defaults {
            w.push(", ");
            w.node(&a.node)?;
        }
        w.push(ex.__dialect().select_without_from());
        w.push(" WHERE NOT EXISTS (SELECT 1 FROM ");
        w.ident(through.table);
        w.push(" WHERE ");
        w.node(&Node::And(vec![
            eq(through, owner_column, owner.key.clone()),
            eq(through, target_column, target.clone()),
        ]))?;
        w.push(")");
        if let Err(e) = run::execute(ex, w.finish()).await {
            // SQLite does not name the constraint: find which side points nowhere.
            let keys = vec![(owner_column, owner.key.clone()), (target_column, target)];
            let e = crate::query::for_model(e, through);
            return Err(crate::query::name_foreign_key(ex, e, through, keys).await);
        }
        Ok(())
    }

    /// Unlinks `object` (the row itself stays).
    pub async fn aremove(&self, ex: &impl Executor, object: &T) -> Result<()> {
        let owner = self.owner("aremove")?;
        let (through, owner_column, target_column) = link(owner)?;
        let target = pk_value(object)?;
        let mut w = SqlWriter::new(ex.__dialect())?;
        w.push("DELETE FROM ");
        w.ident(through.table);
        w.push(" WHERE ");
        w.node(&Node::And(vec![
            eq(through, owner_column, owner.key.clone()),
            eq(through, target_column, target),
        ]))?;
        run::execute(ex, w.finish()).await?;
        Ok(())
    }

    /// Unlinks every row.
    pub async fn aclear(&self, ex: &impl Executor) -> Result<()> {
        let owner = self.owner("aclear")?;
        let (through, owner_column, _) = link(owner)?;
        let mut w = SqlWriter::new(ex.__dialect())?;
        w.push("DELETE FROM ");
        w.ident(through.table);
        w.push(" WHERE ");
        w.node(&eq(through, owner_column, owner.key.clone()))?;
        run::execute(ex, w.finish()).await?;
        Ok(())
    }

    /// Makes `objects` exactly the linked rows: unlinks the others, links the missing; all
    /// or nothing.
    pub async fn aset(&self, ex: &impl Executor, objects: &[&T]) -> Result<()> {
        let owner = self.owner("aset")?;
        let (through, owner_column, target_column) = link(owner)?;
        let keys: Vec<Value> = objects.iter().map(|o| pk_value(*o)).collect::<Result<_>>()?;
        let mut w = SqlWriter::new(ex.__dialect())?;
        w.push("DELETE FROM ");
        w.ident(through.table);
        w.push(" WHERE ");
        let mut keep = vec![eq(through, owner_column, owner.key.clone())];
        if !keys.is_empty() {
            keep.push(Node::Not(Box::new(Node::In(
                Box::new(Node::Column(through, target_column)),
                keys.clone(),
                <T::Pk as FieldType>::COLUMN_TYPE,
            ))));
        }
        w.node(&Node::And(keep))?;
        let unlink = w.finish();
        let result: Result<()> = atomically!(ex, |x| async {
            run::execute(x, unlink).await?;
            for object in objects {
                self.aadd(x, object).await?;
            }
            Ok(())
        }
        .await);
        match result {
            // A failed statement ends the transaction before SQLite's unnamed foreign-key
            // error can be named inside it: name it now, once the links are as before.
            Err(e) => {
                let mut links = vec![(owner_column, owner.key.clone())];
                links.extend(keys.into_iter().map(|k| (target_column, k)));
                Err(crate::query::name_foreign_key(ex, e, through, links).await)
            }
            Ok(()) => Ok(()),
        }
    }

    /// Creates a related row and links it.
    pub async fn acreate(&self, ex: &impl Executor, values: impl Insert<T>) -> Result<T> {
        self.owner("acreate")?;
        let created = QuerySet::<T>::new().acreate(ex, values).await?;
        self.aadd(ex, &created).await?;
        Ok(created)
    }

    /// The linked row matching `lookup`, or a new one created from `lookup` and
    /// `defaults` and linked; the flag says whether it was created.
    pub async fn aget_or_create(
        &self,
        ex: &impl Executor,
        lookup: Vec<Assignment<T>>,
        defaults: Vec<Assignment<T>>,
    ) -> Result<(T, bool)> {
        let q = crate::query::assignments_as_q(&lookup);
        match self.all()?.aget(ex, q).await {
            Ok(found) => Ok((found, false)),
            Err(Error::DoesNotExist { .. }) => {
                let mut values = lookup;
                values.extend(defaults);
                Ok((self.acreate(ex, values).await?, true))
            }
            Err(e) => Err(e),
        }
    }
}

impl<T: Model> HasMany<T>
where
    T::Pk: FieldType,
{
    /// The related rows, as a query to narrow further.
    pub fn all(&self) -> Result<QuerySet<T>> {
        let owner = self.owner("all")?;
        let column = reverse_column(owner)?;
        Ok(QuerySet::new().filter(Q::from_node(eq(T::meta(), column, owner.key.clone()))))
    }

    /// The related rows that match `q`.
    pub fn filter(&self, q: Q<T>) -> Result<QuerySet<T>> {
        Ok(self.all()?.filter(q))
    }

    /// Every related row.
    pub async fn alist(&self, ex: &impl Executor) -> Result<Vec<T>> {
        self.all()?.alist(ex).await
    }

    /// How many rows point here.
    pub async fn acount(&self, ex: &impl Executor) -> Result<i64> {
        self.all()?.acount(ex).await
    }

    /// Whether any row points here.
    pub async fn aexists(&self, ex: &impl Executor) -> Result<bool> {
        self.all()?.aexists(ex).await
    }

    fn set_key(&self, column: usize, value: Value) -> Assignment<T> {
        Assignment::new(column, Node::Value(value))
    }

    /// Points `object`'s foreign key here (an UPDATE of that row).
    pub async fn aadd(&self, ex: &impl Executor, object: &T) -> Result<()> {
        let owner = self.owner("aadd")?;
        let column = reverse_column(owner)?;
        let key = pk_value(object)?;
        let q = Q::from_node(eq(T::meta(), T::meta().single_pk()?, key));
        QuerySet::<T>::new().filter(q).aupdate(ex, vec![self.set_key(column, owner.key.clone())]).await?;
        Ok(())
    }

    /// Clears `object`'s foreign key (only for a nullable foreign key).
    pub async fn aremove(&self, ex: &impl Executor, object: &T) -> Result<()> {
        let owner = self.owner("aremove")?;
        let column = reverse_column(owner)?;
        let meta = T::meta();
        let key = pk_value(object)?;
        let q = Q::from_node(eq(meta, meta.single_pk()?, key))
            & Q::from_node(eq(meta, column, owner.key.clone()));
        self.null_out(ex, column, q).await
    }

    /// Clears the foreign key of every related row (only for a nullable foreign key).
    pub async fn aclear(&self, ex: &impl Executor) -> Result<()> {
        let owner = self.owner("aclear")?;
        let column = reverse_column(owner)?;
        self.null_out(ex, column, Q::from_node(eq(T::meta(), column, owner.key.clone()))).await
    }

    async fn null_out(&self, ex: &impl Executor, column: usize, q: Q<T>) -> Result<()> {
        let meta = T::meta();
        if !meta.columns[column].nullable {
            return Err(Error::InvalidQuery(format!(
                "{}.{} is not nullable: remove the rows with adelete instead",
                meta.name, meta.columns[column].field
            )));
        }
        let null = Assignment::new(column, Node::Value(Value::Null(meta.columns[column].ty)));
        QuerySet::<T>::new().filter(q).aupdate(ex, vec![null]).await?;
        Ok(())
    }

    /// Makes `objects` exactly the related rows (the others' foreign keys are cleared); all
    /// or nothing.
    pub async fn aset(&self, ex: &impl Executor, objects: &[&T]) -> Result<()> {
        self.owner("aset")?;
        for object in objects {
            pk_value(*object)?;
        }
        atomically!(ex, |x| async {
            self.aclear(x).await?;
            for object in objects {
                self.aadd(x, object).await?;
            }
            Ok(())
        }
        .await)
    }

    /// Creates a row pointing here, from assignments or an input schema (the foreign key
    /// is set for you).
    pub async fn acreate(&self, ex: &impl Executor, values: impl Insert<T>) -> Result<T> {
        let owner = self.owner("acreate")?;
        let column = reverse_column(owner)?;
        values.validate_insert()?;
        let mut assignments = match values.into_insert() {
            InsertSource::Assignments(a) => a,
            InsertSource::Model(_) => {
                return Err(Error::InvalidQuery(
                    "a related manager's acreate takes assignments or an input schema, not a whole model"
                        .into(),
                ));
            }
        };
        assignments.retain(|a| a.index != column);
        assignments.push(self.set_key(column, owner.key.clone()));
        QuerySet::<T>::new().acreate(ex, assignments).await
    }

    /// The related row matching `lookup`, or a new one pointing here; the flag says
    /// whether it was created.
    pub async fn aget_or_create(
        &self,
        ex: &impl Executor,
        lookup: Vec<Assignment<T>>,
        defaults: Vec<Assignment<T>>,
    ) -> Result<(T, bool)> {
        let owner = self.owner("aget_or_create")?;
        let column = reverse_column(owner)?;
        let mut lookup = lookup;
        lookup.retain(|a| a.index != column);
        lookup.push(self.set_key(column, owner.key.clone()));
        QuerySet::<T>::new().aget_or_create(ex, lookup, defaults).await
    }
}
