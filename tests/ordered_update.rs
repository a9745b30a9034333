//! `order_by(..).aupdate(..)` (issue 11, point 9). Django emits `UPDATE .. ORDER BY` on
//! MySQL and MariaDB, so a unique column can be shifted in the order given; elsewhere the
//! order is ignored, as Django documents. PostgreSQL (for a constraint that is not
//! deferrable) and SQLite check uniqueness row by row, so there the same shift fails, and
//! the failed statement changes nothing.

use kata::prelude::*;
use kata::{Backend, Error, IntegrityKind};

#[derive(Model, Debug, Clone, PartialEq)]
struct Slot {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique)]
    position: i32,
    #[kata(max_length = 10)]
    name: String,
}

/// Slots a..e at positions 1..5, inserted in ascending order: the order in which an
/// unordered `position + 1` collides with the next row.
async fn setup(db: &Db) -> kata::Result<()> {
    db.create_tables(&[Slot::meta()]).await?;
    let slots = ["a", "b", "c", "d", "e"]
        .iter()
        .zip(1..)
        .map(|(name, position)| Slot { id: 0, position, name: (*name).into() })
        .collect();
    Slot::objects().abulk_create(db, slots).await?;
    Ok(())
}

async fn positions(db: &Db) -> kata::Result<Vec<(String, i32)>> {
    Slot::objects().order_by([Slot::name.asc()]).values_list((Slot::name, Slot::position)).alist(db).await
}

fn orders_updates(backend: Backend) -> bool {
    matches!(backend, Backend::MySql | Backend::MariaDb)
}

#[kata::test]
async fn shifting_a_unique_column_follows_the_order_where_the_backend_orders_updates(
    db: Db,
) -> kata::Result<()> {
    setup(&db).await?;
    let shifted = Slot::objects()
        .filter(Slot::position.gte(2))
        .order_by([Slot::position.desc()])
        .aupdate(&db, [Slot::position.set(F(Slot::position) + 1)])
        .await;
    let rows = positions(&db).await?;
    if orders_updates(db.backend()) {
        assert_eq!(shifted?, 4);
        let expected: Vec<(String, i32)> =
            [("a", 1), ("b", 3), ("c", 4), ("d", 5), ("e", 6)].map(|(n, p)| (n.into(), p)).into();
        assert_eq!(rows, expected);
    } else {
        assert!(
            matches!(&shifted, Err(Error::Integrity { kind: IntegrityKind::Unique, constraint, .. })
                if constraint == "slot_position_key"),
            "{shifted:?}"
        );
        let unchanged: Vec<(String, i32)> =
            [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)].map(|(n, p)| (n.into(), p)).into();
        assert_eq!(rows, unchanged, "the failed statement changed nothing");
    }
    Ok(())
}

#[kata::test]
async fn an_ordered_update_changes_every_matching_row_on_every_backend(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    // No collision: the order changes nothing but the sequence of row writes.
    let n = Slot::objects()
        .filter(Slot::position.lte(3))
        .order_by([Slot::position.desc(), Slot::id.asc()])
        .aupdate(&db, [Slot::position.set(F(Slot::position) * 10)])
        .await?;
    assert_eq!(n, 3);
    let n =
        Slot::objects().distinct().order_by([Slot::name.asc()]).aupdate(&db, [Slot::name.set("z")]).await?;
    assert_eq!(n, 5, "a distinct query updates through its keys");
    let rows: Vec<i32> =
        Slot::objects().order_by([Slot::id.asc()]).values_list(Slot::position).alist(&db).await?;
    assert_eq!(rows, [10, 20, 30, 4, 5]);
    Ok(())
}
