//! The service's `migrations/` history: it replays to the models (what `.ci/run` checks with
//! `manage makemigrations --check`), `prepare` applies it to a new database on every
//! backend and the tables it makes are the ones the handlers read, and it migrates to zero
//! and forward again.

use kata::manage::{CHANGES, Manage, OK};
use kata::migrate::{Migrator, Target};
use kata::prelude::*;
use ninja_api::models::{self, Order, OrderItem, Product, User};
use ninja_api::{migrations, prepare};

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn the_history_replays_to_the_models() {
    let models = models::all_tables();
    let manage = Manage::new(&models, migrations::MIGRATIONS, "migrations");
    let mut out = String::new();
    assert_eq!(manage.run_to(args(&["makemigrations", "--check"]), &mut out).await, OK, "{out}");
    assert_eq!(out, "No changes detected\n");

    // A model the history does not know is a change without a migration: exit code 1.
    let fewer = &migrations::MIGRATIONS[..0];
    let manage = Manage::new(&models, fewer, "migrations");
    let mut out = String::new();
    assert_eq!(manage.run_to(args(&["makemigrations", "--check"]), &mut out).await, CHANGES);
    assert!(out.contains("Create table blog_orderitem"), "{out}");
}

#[kata::test]
async fn prepare_migrates_a_new_database_and_the_models_use_it(db: Db) -> kata::Result<()> {
    prepare(&db).await?;
    let migrator = Migrator::new(&db, migrations::MIGRATIONS)?;
    assert_eq!(migrator.applied().await?, ["0001_initial"]);
    prepare(&db).await?; // nothing left to apply
    assert_eq!(migrator.applied().await?, ["0001_initial"]);

    let ann = User::objects().acreate(&db, [User::username.set("ann")]).await?;
    let order = Order::objects().acreate(&db, []).await?;
    let pen = Product::objects().acreate(&db, [Product::name.set("pen")]).await?;
    let item = [OrderItem::order.set(&order), OrderItem::product.set(&pen), OrderItem::quantity.set(2)];
    OrderItem::objects().acreate(&db, item.clone()).await?;
    // The unique (order, product) pair the tutorial's composite lookup relies on.
    let twice = OrderItem::objects().acreate(&db, item).await.unwrap_err();
    assert!(twice.is_integrity(kata::IntegrityKind::Unique), "{twice}");
    assert_eq!(User::objects().aget(&db, User::pk.eq(ann.id)).await?.username, "ann");

    // Zero and forward again: the same tables, empty.
    migrator.migrate(&Target::Zero, false).await?;
    assert!(User::objects().acount(&db).await.is_err());
    migrator.migrate(&Target::Latest, false).await?;
    assert_eq!(OrderItem::objects().acount(&db).await?, 0);
    Ok(())
}
