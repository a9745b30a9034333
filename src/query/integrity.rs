//! Naming the constraint a failed write broke, the same way on every backend.

use crate::Value;
use crate::db::{Executor, run};
use crate::error::{Error, IntegrityKind};
use crate::expr::{Assignment, BinOp, Node, Q};
use crate::model::{Model, ModelMeta};
use crate::query::sql::SqlWriter;

/// The foreign-key values of `models`, column by column.
pub(super) fn models_values<M: Model, T: std::borrow::Borrow<M>>(models: &[T]) -> Vec<(usize, Value)> {
    let meta = M::meta();
    let mut out = Vec::new();
    for (i, column) in meta.columns.iter().enumerate() {
        if column.foreign_key.is_some() {
            out.extend(models.iter().map(|m| (i, m.borrow().__column_value(i))));
        }
    }
    out
}

/// The foreign-key values a list of assignments writes.
pub(super) fn assignment_values<M>(assignments: &[Assignment<M>]) -> Vec<(usize, Value)> {
    assignments
        .iter()
        .filter_map(|a| match &a.node {
            Node::Value(v) => Some((a.index, v.clone())),
            _ => None,
        })
        .collect()
}

/// SQLite reports a foreign-key violation without naming the constraint: find the key that
/// points nowhere and name its constraint as the other backends do (`table_column_fkey`).
pub(crate) async fn name_foreign_key(
    ex: &impl Executor,
    err: Error,
    meta: &'static crate::ModelMeta,
    values: Vec<(usize, Value)>,
) -> Error {
    let Error::Integrity { kind: IntegrityKind::ForeignKey, constraint, message } = err else {
        return err;
    };
    if !constraint.is_empty() {
        return Error::Integrity { kind: IntegrityKind::ForeignKey, constraint, message };
    }
    for (index, value) in values {
        let Some(fk) = &meta.columns[index].foreign_key else { continue };
        if matches!(value, Value::Null(_)) {
            continue;
        }
        let target = (fk.target)();
        let Ok(pk) = target.single_pk() else { continue };
        let q = Q::<()>::from_node(Node::Binary(
            Box::new(Node::Column(target, pk)),
            BinOp::Eq,
            Box::new(Node::Value(value)),
        ));
        let mut w = match SqlWriter::new(ex.__dialect()) {
            Ok(w) => w,
            Err(_) => break,
        };
        w.push("SELECT 1 FROM ");
        w.ident(target.table);
        w.push(" WHERE ");
        if w.node(&q.node).is_err() {
            break;
        }
        if let Ok(false) = run::probe(ex, w.finish()).await {
            let constraint = meta.foreign_key_name(meta.columns[index].name);
            return Error::Integrity { kind: IntegrityKind::ForeignKey, constraint, message };
        }
    }
    Error::Integrity { kind: IntegrityKind::ForeignKey, constraint, message }
}

/// Rewrites an integrity error of a write to `meta`'s table so that its constraint has the
/// name kata gave it in the DDL, whatever the backend reported: `auth_user_pkey` for
/// MySQL's `PRIMARY` and for SQLite's primary-key columns, `table.column` for not-null.
pub(crate) fn for_model(err: Error, meta: &ModelMeta) -> Error {
    let Error::Integrity { kind, constraint, message } = err else { return err };
    let constraint = match kind {
        IntegrityKind::Unique => {
            let pk_columns: Vec<&str> = meta.primary_key.iter().map(|&i| meta.columns[i].name).collect();
            if constraint == "PRIMARY" || constraint == meta.unique_name(&pk_columns) {
                meta.primary_key_name()
            } else {
                constraint
            }
        }
        IntegrityKind::NotNull if !constraint.contains('.') => format!("{}.{}", meta.table, constraint),
        _ => constraint,
    };
    Error::Integrity { kind, constraint, message }
}
