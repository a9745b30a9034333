//! Grouping prefetched rows by the owner they belong to: one map from owner key to
//! position, built once per prefetch, and each owner's rows moved into place in the order
//! the query returned them.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::value::{Key, Value};

/// The fast hasher for grouping prefetched rows: foldhash, not the default SipHash, whose
/// cost per related row was a measurable part of `prefetch_related`. The keys are the
/// owners' primary keys and the key columns of the rows the prefetch's own query selected,
/// and foldhash's `RandomState` is seeded per process, which is enough against crafted
/// collisions here.
type FastState = foldhash::fast::RandomState;

/// Which integer variant of [`Value`] every owner key is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntKey {
    Small,
    Int,
    Big,
}

impl IntKey {
    fn of(value: &Value) -> Option<(IntKey, i64)> {
        match *value {
            Value::SmallInt(v) => Some((IntKey::Small, v.into())),
            Value::Int(v) => Some((IntKey::Int, v.into())),
            Value::BigInt(v) => Some((IntKey::Big, v)),
            _ => None,
        }
    }
}

/// Each owner key's position in the owners (the first owner's, when two have it).
pub(crate) enum Positions {
    /// Every owner key is an integer of one variant (the usual primary key): a map by the
    /// integer, with no [`Key`] to build, hash, compare and drop per row.
    Int(IntKey, HashMap<i64, usize, FastState>),
    /// Any other keys.
    Any(HashMap<Key, usize, FastState>),
}

impl Positions {
    pub(crate) fn new(keys: &[Value]) -> Self {
        let int = keys.first().and_then(IntKey::of).map(|(kind, _)| kind);
        match int {
            Some(kind) if keys.iter().all(|k| IntKey::of(k).is_some_and(|(k, _)| k == kind)) => {
                let mut map = HashMap::with_capacity_and_hasher(keys.len(), FastState::default());
                for (i, key) in keys.iter().enumerate() {
                    if let Some((_, key)) = IntKey::of(key) {
                        map.entry(key).or_insert(i);
                    }
                }
                Positions::Int(kind, map)
            }
            _ => {
                let mut map = HashMap::with_capacity_and_hasher(keys.len(), FastState::default());
                for (i, key) in keys.iter().enumerate() {
                    map.entry(Key(key.clone())).or_insert(i);
                }
                Positions::Any(map)
            }
        }
    }

    /// How many distinct keys there are.
    pub(crate) fn len(&self) -> usize {
        match self {
            Positions::Int(_, map) => map.len(),
            Positions::Any(map) => map.len(),
        }
    }

    /// The position of the owner with this key. An integer key of another variant than the
    /// owners' matches none of them, as with [`Key`]'s equality.
    #[inline(always)]
    pub(crate) fn get(&self, key: Value) -> Option<usize> {
        match self {
            Positions::Int(kind, map) => {
                let (k, v) = match key {
                    Value::SmallInt(v) => (IntKey::Small, i64::from(v)),
                    Value::Int(v) => (IntKey::Int, i64::from(v)),
                    Value::BigInt(v) => (IntKey::Big, v),
                    _ => return None,
                };
                if k == *kind { map.get(&v).copied() } else { None }
            }
            Positions::Any(map) => map.get(&Key(key)).copied(),
        }
    }
}

/// The owner position of each row, from the rows' owner keys in order (`usize::MAX` for a
/// key no owner has), counting the rows of each owner in `counts`.
pub(crate) fn owner_slots(
    positions: &Positions,
    counts: &mut [usize],
    keys: impl Iterator<Item = Value>,
) -> Vec<usize> {
    keys.map(|key| match positions.get(key) {
        Some(i) => {
            counts[i] += 1;
            i
        }
        None => usize::MAX,
    })
    .collect()
}

/// Moves each row into its owner's group (see [`owner_slots`]), keeping the rows' order;
/// every group is allocated once, at its size. Rows of no owner are dropped.
pub(crate) fn group_rows<T>(rows: Vec<T>, slots: Vec<usize>, counts: Vec<usize>) -> Vec<Vec<T>> {
    let mut groups: Vec<Vec<T>> = counts.into_iter().map(Vec::with_capacity).collect();
    for (row, slot) in rows.into_iter().zip(slots) {
        if let Some(group) = groups.get_mut(slot) {
            group.push(row);
        }
    }
    groups
}

/// Copies of prefetched rows for a second owner with the same key.
pub(crate) fn copy_rows<M: Model, T: Model>(rows: &[T]) -> Result<Vec<T>> {
    rows.iter()
        .map(|row| {
            row.__clone_model().ok_or_else(|| {
                Error::InvalidQuery(format!(
                    "prefetch_related reached two {} rows with the same key, and each needs its own \
                     copy of the {} rows it loaded: derive Clone on {}",
                    M::meta().name,
                    T::meta().name,
                    T::meta().name
                ))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Groups `rows` (each `(owner key, label)`) by `owners`' keys, as prefetch does.
    fn grouped(owners: &[Value], rows: Vec<(Value, &'static str)>) -> Vec<Vec<&'static str>> {
        let positions = Positions::new(owners);
        let mut counts = vec![0; owners.len()];
        let (keys, labels): (Vec<Value>, Vec<&str>) = rows.into_iter().unzip();
        let slots = owner_slots(&positions, &mut counts, keys.into_iter());
        group_rows(labels, slots, counts)
    }

    #[test]
    fn integer_keys_group_in_row_order_and_drop_rows_of_no_owner() {
        let owners = [Value::BigInt(2), Value::BigInt(1), Value::BigInt(3)];
        assert!(matches!(Positions::new(&owners), Positions::Int(IntKey::Big, _)));
        let rows = vec![
            (Value::BigInt(1), "a"),
            (Value::BigInt(2), "b"),
            (Value::BigInt(9), "no owner"),
            (Value::Int(1), "another variant"),
            (Value::BigInt(1), "c"),
        ];
        assert_eq!(grouped(&owners, rows), [vec!["b"], vec!["a", "c"], vec![]]);
    }

    #[test]
    fn a_repeated_owner_key_groups_under_the_first_owner() {
        let owners = [Value::Int(1), Value::Int(2), Value::Int(1)];
        let rows = vec![(Value::Int(1), "a"), (Value::Int(2), "b"), (Value::Int(1), "c")];
        assert_eq!(grouped(&owners, rows), [vec!["a", "c"], vec!["b"], vec![]]);
    }

    #[test]
    fn other_keys_compare_as_keys() {
        let text = |s: &str| Value::Text(s.to_owned());
        let owners = [text("x"), text("y"), text("x")];
        assert!(matches!(Positions::new(&owners), Positions::Any(_)));
        let rows = vec![(text("y"), "a"), (text("x"), "b"), (text("z"), "no owner"), (text("y"), "c")];
        assert_eq!(grouped(&owners, rows), [vec!["b"], vec!["a", "c"], vec![]]);

        // Integer owner keys of two variants: no integer map, and each matches its own variant.
        let owners = [Value::BigInt(1), Value::Int(1)];
        assert!(matches!(Positions::new(&owners), Positions::Any(_)));
        let rows = vec![(Value::Int(1), "int"), (Value::BigInt(1), "big"), (Value::SmallInt(1), "small")];
        assert_eq!(grouped(&owners, rows), [vec!["big"], vec!["int"]]);

        let owners = [Value::Double(0.5), Value::Double(-0.0)];
        let rows = vec![(Value::Double(0.0), "zero"), (Value::Double(-0.0), "minus zero")];
        assert_eq!(grouped(&owners, rows), [Vec::<&str>::new(), vec!["minus zero"]]);
    }
}
