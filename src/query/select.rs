//! The SELECT writer of a query: WHERE and HAVING, GROUP BY, ORDER BY (with the aliases
//! `distinct()` and grouping need), LIMIT, and the target of an UPDATE or a DELETE.

use crate::dialect::Dialect;
use crate::error::Result;
use crate::expr::Node;
use crate::model::Model;
use crate::query::QuerySet;
use crate::query::sql::{self, SqlWriter};

impl<M: Model> QuerySet<M> {
    /// `SELECT <list> FROM table WHERE ... ORDER BY ... LIMIT ...`; a non-empty `group_by`
    /// groups the rows (see [`Grouping`]).
    pub(crate) fn write_select(
        &self,
        w: &mut SqlWriter,
        list: impl FnOnce(&mut SqlWriter) -> Result<()>,
        group_by: &[&Node],
    ) -> Result<()> {
        self.write_select_full(w, list, &|_| Ok(()), group_by)
    }

    /// `write_select` with more FROM clauses (a link table's JOIN).
    pub(crate) fn write_select_with(
        &self,
        w: &mut SqlWriter,
        list: impl FnOnce(&mut SqlWriter) -> Result<()>,
        from: &dyn Fn(&mut SqlWriter) -> Result<()>,
    ) -> Result<()> {
        self.write_select_full(w, list, from, &[])
    }

    /// `write_select` with more FROM clauses; a non-empty `group_by` groups the rows.
    pub(crate) fn write_select_full(
        &self,
        w: &mut SqlWriter,
        list: impl FnOnce(&mut SqlWriter) -> Result<()>,
        from: &dyn Fn(&mut SqlWriter) -> Result<()>,
        group_by: &[&Node],
    ) -> Result<()> {
        let grouping = if group_by.is_empty() { Grouping::None } else { Grouping::By(group_by) };
        self.write_select_grouped(w, list, from, grouping)
    }

    /// The one SELECT writer: the filter goes to WHERE, or — on a grouped query — its parts
    /// on aggregates to HAVING, as Django splits them. Under `distinct()`, and in a query
    /// grouped by its selected columns, the ordering's expressions are selected too (as
    /// `kata_o1`, ..) and the query orders (and groups) by those aliases: PostgreSQL wants
    /// an ORDER BY or GROUP BY expression to be one it selects, and an expression with a
    /// bound value is never the same twice (`$1` and `$2`).
    pub(crate) fn write_select_grouped(
        &self,
        w: &mut SqlWriter,
        list: impl FnOnce(&mut SqlWriter) -> Result<()>,
        from: &dyn Fn(&mut SqlWriter) -> Result<()>,
        grouping: Grouping<'_>,
    ) -> Result<()> {
        self.check_refused()?;
        let grouped = !matches!(grouping, Grouping::None);
        if !grouped {
            self.refuse_aggregates()?;
        }
        let meta = M::meta();
        let order_aliases =
            !self.order.is_empty() && (self.distinct || matches!(grouping, Grouping::Selected(_)));
        w.push(if self.distinct { "SELECT DISTINCT " } else { "SELECT " });
        list(w)?;
        if order_aliases {
            for (i, key) in self.order.iter().enumerate() {
                w.push(", ");
                w.node(&key.node)?;
                w.push(" AS ");
                w.order_alias(i);
            }
        }
        w.push(" FROM ");
        w.ident(meta.table);
        from(w)?;
        match &self.filter {
            Some(filter) if grouped && filter.contains_aggregate() => {
                let (plain, on_aggregates) = split_having(filter);
                w.conjunction(" WHERE ", &plain)?;
                self.write_group_by(w, grouping)?;
                w.conjunction(" HAVING ", &on_aggregates)?;
            }
            _ => {
                self.write_where(w)?;
                self.write_group_by(w, grouping)?;
            }
        }
        if order_aliases {
            w.push(" ORDER BY ");
            w.comma_separated(self.order.iter().enumerate(), |w, (i, key)| {
                w.order_term(
                    |w| {
                        w.order_alias(i);
                        Ok(())
                    },
                    key.descending,
                    key.nulls,
                )
            })?;
        } else {
            self.write_order(w)?;
        }
        w.limit_offset(self.limit, self.offset)
    }

    /// `GROUP BY ..`: the expressions, or the selected columns' positions and the aliases
    /// of the ordering's plain expressions (Django groups by those too: "Interaction with
    /// order_by()").
    fn write_group_by(&self, w: &mut SqlWriter, grouping: Grouping<'_>) -> Result<()> {
        match grouping {
            Grouping::None => Ok(()),
            Grouping::By(columns) => {
                w.push(" GROUP BY ");
                w.comma_separated(columns, |w, n| w.node(n))
            }
            Grouping::Selected(positions) => {
                let order = self.order.iter().enumerate().filter(|(_, key)| !key.node.contains_aggregate());
                let mut first = true;
                let mut next = |w: &mut SqlWriter| {
                    w.push(if first { " GROUP BY " } else { ", " });
                    first = false;
                };
                for &position in positions {
                    next(w);
                    w.position(position);
                }
                for (i, _) in order {
                    next(w);
                    w.order_alias(i);
                }
                Ok(())
            }
        }
    }

    /// An aggregate in the filter or the ordering of a query that does not group rows:
    /// refused before any SQL, as Django refuses `order_by(Avg("age"))` without `annotate`.
    fn refuse_aggregates(&self) -> Result<()> {
        if self.filter.as_ref().is_some_and(Node::contains_aggregate) {
            return Err(crate::Error::InvalidQuery(
                "a filter on an aggregate needs a grouped query: annotate(..) or values_list(..) \
                 with an aggregate (as Django's annotate(..).filter(..))"
                    .into(),
            ));
        }
        if self.order.iter().any(|key| key.node.contains_aggregate()) {
            return Err(crate::Error::InvalidQuery(
                "ordering by an aggregate needs a grouped query: annotate(..) or values_list(..) \
                 with an aggregate (Django: \"Using an aggregate in order_by() without also \
                 including it in annotate() is not allowed\")"
                    .into(),
            ));
        }
        Ok(())
    }

    pub(crate) fn write_where(&self, w: &mut SqlWriter) -> Result<()> {
        self.check_refused()?;
        if let Some(filter) = &self.filter {
            w.push(" WHERE ");
            w.node(filter)?;
        }
        Ok(())
    }

    pub(crate) fn write_order(&self, w: &mut SqlWriter) -> Result<()> {
        if self.order.is_empty() {
            return Ok(());
        }
        w.push(" ORDER BY ");
        w.comma_separated(&self.order, |w, key| {
            w.order_term(|w| w.node(&key.node), key.descending, key.nulls)
        })
    }

    /// The model's columns, then those of its `select_related` joins.
    pub(crate) fn write_model_and_join_columns(&self, w: &mut SqlWriter) {
        w.model_columns(M::meta());
        let mut next = 1;
        for join in &self.joins {
            join.write_columns(w, &mut next);
        }
    }

    /// The statement that selects whole models.
    pub(crate) fn select_models(&self, dialect: &'static dyn Dialect) -> Result<sql::Statement> {
        let mut w = SqlWriter::new(dialect)?;
        let meta = M::meta();
        self.write_select_full(
            &mut w,
            |w| {
                self.write_model_and_join_columns(w);
                Ok(())
            },
            &|w| {
                // Only a query with joins needs the base table's name again (no allocation
                // on the common path).
                if self.joins.is_empty() {
                    return Ok(());
                }
                let base = w.quoted(meta.table);
                let mut next = 1;
                for join in &self.joins {
                    join.write_joins(w, &base, false, &mut next)?;
                }
                Ok(())
            },
            &[],
        )?;
        self.write_lock(&mut w);
        Ok(w.finish().routed(self.read_route()))
    }

    /// `WHERE` for UPDATE and DELETE: the filter, or — for a sliced, ordered or distinct
    /// query — the primary keys the query selects, through a derived table (which MySQL
    /// needs to read the table it writes).
    pub(crate) fn write_target(&self, w: &mut SqlWriter) -> Result<()> {
        if !self.is_sliced() && !self.distinct {
            return self.write_where(w);
        }
        let meta = M::meta();
        w.push(" WHERE (");
        w.comma_separated(meta.primary_key, |w, &i| {
            w.column(meta, i);
            Ok(())
        })?;
        w.push(") IN (SELECT ");
        w.comma_separated(meta.primary_key, |w, &i| {
            w.push("kata_sub.");
            w.ident(meta.columns[i].name);
            Ok(())
        })?;
        w.push(" FROM (");
        // The order matters to the keys only under a slice; unsliced, it is dropped (and
        // PostgreSQL refuses a DISTINCT ordered by a column it does not select).
        let unordered;
        let keys = if self.is_sliced() {
            self
        } else {
            unordered = QuerySet::<M> { order: Vec::new(), ..self.clone() };
            &unordered
        };
        keys.write_select(
            w,
            |w| {
                w.comma_separated(meta.primary_key, |w, &i| {
                    w.column(meta, i);
                    Ok(())
                })
            },
            &[],
        )?;
        w.push(") kata_sub)");
        Ok(())
    }
}

/// How a SELECT groups its rows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Grouping<'a> {
    /// Not grouped: an aggregate in the filter or the ordering is refused.
    None,
    /// `GROUP BY` these expressions (plain columns); a filter on an aggregate goes to
    /// HAVING.
    By(&'a [&'a Node]),
    /// `GROUP BY` the selected columns at these positions (1-based) and the ordering's
    /// plain expressions; a filter on an aggregate goes to HAVING. When both are empty,
    /// one group of every row.
    Selected(&'a [usize]),
}

/// Splits a filter as Django does (`WhereNode.split_having_qualify`): the parts of a
/// top-level AND that hold no aggregate go to WHERE, the rest to HAVING; any other
/// condition on an aggregate (an OR, a NOT) goes to HAVING whole.
fn split_having(filter: &Node) -> (Vec<&Node>, Vec<&Node>) {
    match filter {
        Node::And(children) => children.iter().partition(|c| !c.contains_aggregate()),
        other => (Vec::new(), vec![other]),
    }
}
