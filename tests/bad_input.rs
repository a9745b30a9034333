//! What kata does with input that is wrong or hostile: the typed error, the same on every
//! backend, and nothing written.

mod common;

use chrono::SubsecRound;
use common::{Counter, Event, Item, OrderItem, User};
use kata::prelude::*;
use kata::{Error, IntegrityKind};

async fn setup(db: &Db) -> kata::Result<()> {
    db.create_tables(&common::all_tables()).await
}

/// A user with the microsecond precision the databases store.
fn user(name: &str) -> User {
    let mut u = User::new(name, &format!("{}@example.com", name.len()));
    u.date_joined = u.date_joined.trunc_subsecs(6);
    u
}

fn item(name: &str) -> Item {
    Item {
        id: 0,
        name: name.into(),
        price: 1.0,
        cost: 0.5,
        quantity: 1,
        rank: 1,
        weight: 1.0,
        note: None,
        data: None,
        extra: None,
    }
}

/// Asserts an `Integrity` error of this kind on this constraint.
#[track_caller]
fn assert_integrity<T: std::fmt::Debug>(result: kata::Result<T>, kind: IntegrityKind, constraint: &str) {
    match result {
        Err(Error::Integrity { kind: k, constraint: c, message }) => {
            assert_eq!((k, c.as_str()), (kind, constraint), "database message: {message}");
        }
        other => panic!("expected {kind} integrity error on {constraint}, got {other:?}"),
    }
}

/// Asserts a `Validation` error whose violations are `(field, code)`, in order.
#[track_caller]
fn assert_invalid<T: std::fmt::Debug>(result: kata::Result<T>, expected: &[(&str, &str)]) {
    match result {
        Err(Error::Validation(errors)) => {
            let got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
            assert_eq!(got, expected);
        }
        other => panic!("expected a validation error on {expected:?}, got {other:?}"),
    }
}

#[kata::test]
async fn aget_with_no_row_is_does_not_exist(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    match User::objects().aget(&db, User::pk.eq(1)).await {
        Err(Error::DoesNotExist { model }) => assert_eq!(model, "User"),
        other => panic!("aget on an empty table: {other:?}"),
    }
    User::objects().acreate(&db, user("ann")).await?;
    let err = User::objects().aget(&db, User::username.eq("bob")).await.unwrap_err();
    assert!(matches!(err, Error::DoesNotExist { model: "User" }), "{err:?}");
    assert_eq!(err.to_string(), "User matching query does not exist");
    let err = User::objects()
        .filter(User::is_active.eq(false))
        .aget(&db, User::username.eq("ann"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DoesNotExist { model: "User" }), "{err:?}");
    Ok(())
}

#[kata::test]
async fn aget_with_several_rows_is_multiple_objects_returned(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    User::objects().acreate(&db, user("ann")).await?;
    User::objects().acreate(&db, user("bob")).await?;
    let err = User::objects().aget(&db, User::is_active.eq(true)).await.unwrap_err();
    assert!(matches!(err, Error::MultipleObjectsReturned { model: "User", count: 2 }), "{err:?}");
    assert_eq!(err.to_string(), "get() returned more than one User: it returned 2");

    // Like Django, aget reads at most 21 rows to say so.
    let items: Vec<Item> = (0..30).map(|i| item(&format!("i{i}"))).collect();
    Item::objects().abulk_create(&db, items).await?;
    let err = Item::objects().aget(&db, Item::price.eq(1.0)).await.unwrap_err();
    assert!(matches!(err, Error::MultipleObjectsReturned { model: "Item", count: 21 }), "{err:?}");
    assert_eq!(err.to_string(), "get() returned more than one Item: it returned 21 or more");
    Ok(())
}

#[kata::test]
async fn a_duplicate_unique_value_is_integrity_unique_and_changes_nothing(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let ann = User::objects().acreate(&db, user("ann")).await?;
    let bob = User::objects().acreate(&db, user("bob")).await?;
    let before = User::objects().order_by([User::id.asc()]).alist(&db).await?;
    let unique = "auth_user_username_key";

    assert_integrity(User::objects().acreate(&db, user("ann")).await, IntegrityKind::Unique, unique);
    assert_integrity(
        User::objects().acreate(&db, [User::username.set("ann"), User::email.set("x@example.com")]).await,
        IntegrityKind::Unique,
        unique,
    );
    let mut again = user("ann");
    assert_integrity(again.asave(&db).await, IntegrityKind::Unique, unique);
    let mut renamed = bob.clone();
    renamed.username = "ann".into();
    assert_integrity(renamed.asave(&db).await, IntegrityKind::Unique, unique);
    assert_integrity(
        User::objects().filter(User::pk.eq(bob.id)).aupdate(&db, [User::username.set("ann")]).await,
        IntegrityKind::Unique,
        unique,
    );
    // All or nothing: the new row before the duplicate is not kept either.
    assert_integrity(
        User::objects().abulk_create(&db, vec![user("cy"), user("ann")]).await,
        IntegrityKind::Unique,
        unique,
    );
    assert_integrity(
        User::objects().abulk_create(&db, vec![user("dee"), user("dee")]).await,
        IntegrityKind::Unique,
        unique,
    );
    assert_integrity(
        User::objects().abulk_update(&db, &[renamed], User::username).await,
        IntegrityKind::Unique,
        unique,
    );
    let c = Counter::objects().acreate(&db, [Counter::name.set("hits")]).await?;
    assert_integrity(
        Counter::objects().acreate(&db, [Counter::name.set("hits")]).await,
        IntegrityKind::Unique,
        "counter_name_key",
    );

    assert_eq!(User::objects().order_by([User::id.asc()]).alist(&db).await?, before);
    assert_eq!(before, [ann, bob]);
    assert_eq!(Counter::objects().alist(&db).await?, [c]);
    Ok(())
}

#[kata::test]
async fn a_duplicate_composite_primary_key_is_integrity_unique_on_the_pkey(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let line = OrderItem { order_id: 1, product_id: 2, quantity: 3 };
    OrderItem::objects().acreate(&db, line.clone()).await?;
    let pkey = "shop_orderitem_pkey";
    assert_integrity(
        OrderItem::objects().acreate(&db, OrderItem { quantity: 9, ..line.clone() }).await,
        IntegrityKind::Unique,
        pkey,
    );
    assert_integrity(
        OrderItem::objects()
            .acreate(
                &db,
                [OrderItem::order_id.set(1), OrderItem::product_id.set(2), OrderItem::quantity.set(9)],
            )
            .await,
        IntegrityKind::Unique,
        pkey,
    );
    assert_integrity(
        OrderItem::objects()
            .abulk_create(&db, vec![OrderItem { order_id: 1, product_id: 3, quantity: 1 }, line.clone()])
            .await,
        IntegrityKind::Unique,
        pkey,
    );
    // Moving another row onto the key.
    OrderItem::objects().acreate(&db, OrderItem { order_id: 2, product_id: 2, quantity: 4 }).await?;
    assert_integrity(
        OrderItem::objects()
            .filter(OrderItem::order_id.eq(2))
            .aupdate(&db, [OrderItem::order_id.set(1)])
            .await,
        IntegrityKind::Unique,
        pkey,
    );
    let rows: Vec<(i64, i64, i32)> = OrderItem::objects()
        .order_by([OrderItem::order_id.asc(), OrderItem::product_id.asc()])
        .values_list((OrderItem::order_id, OrderItem::product_id, OrderItem::quantity))
        .alist(&db)
        .await?;
    assert_eq!(rows, [(1, 2, 3), (2, 2, 4)]);
    Ok(())
}

#[kata::test]
async fn a_missing_not_null_value_is_integrity_not_null_and_writes_nothing(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    // `email` has no default and is not nullable.
    assert_integrity(
        User::objects().acreate(&db, [User::username.set("x")]).await,
        IntegrityKind::NotNull,
        "auth_user.email",
    );
    assert_integrity(
        User::objects().aget_or_create(&db, [User::username.set("x")], []).await,
        IntegrityKind::NotNull,
        "auth_user.email",
    );
    assert_integrity(
        Item::objects().acreate(&db, [Item::name.set("pen")]).await,
        IntegrityKind::NotNull,
        "item.price",
    );
    assert_eq!(User::objects().acount(&db).await?, 0);
    assert_eq!(Item::objects().acount(&db).await?, 0);
    Ok(())
}

#[kata::test]
async fn a_value_over_max_length_is_a_validation_error_and_writes_nothing(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let long = "x".repeat(151);
    let username = [("username", "max_length")];

    let mut too_long = user("ann");
    too_long.username = long.clone();
    assert_invalid(User::objects().acreate(&db, too_long.clone()).await, &username);
    assert_invalid(
        User::objects()
            .acreate(&db, [User::username.set(long.as_str()), User::email.set("a@example.com")])
            .await,
        &username,
    );
    assert_invalid(too_long.clone().asave(&db).await, &username);
    assert_invalid(
        User::objects()
            .aget_or_create(&db, [User::username.set(long.as_str())], [User::email.set("a@example.com")])
            .await,
        &username,
    );
    assert_invalid(
        User::objects().abulk_create(&db, vec![user("ok"), too_long.clone()]).await,
        &[("[1].username", "max_length")],
    );
    assert_eq!(User::objects().acount(&db).await?, 0);

    let ann = User::objects().acreate(&db, user("ann")).await?;
    let mut changed = ann.clone();
    changed.username = long.clone();
    changed.first_name = "Ann".into();
    assert_invalid(changed.asave(&db).await, &username);
    assert_invalid(User::objects().aupdate(&db, [User::username.set(long.as_str())]).await, &username);
    assert_invalid(User::objects().abulk_update(&db, &[changed], User::username).await, &username);
    assert_invalid(
        User::objects()
            .aupdate_or_create(&db, [User::username.set("ann")], [User::last_name.set(long.as_str())])
            .await,
        &[("last_name", "max_length")],
    );
    // Several broken rules are reported together.
    let mut worse = user("bob");
    worse.username = long.clone();
    worse.email = "not an address".into();
    assert_invalid(
        User::objects().acreate(&db, worse).await,
        &[("username", "max_length"), ("email", "email")],
    );
    assert_eq!(User::objects().alist(&db).await?, [ann]);

    // The limit counts characters, not bytes: 150 multi-byte characters fit.
    let wide = "é🦀".repeat(75);
    let stored = User::objects()
        .acreate(&db, [User::username.set(wide.as_str()), User::email.set("w@example.com")])
        .await?;
    assert_eq!(stored.username, wide);
    assert_eq!(User::objects().aget(&db, User::username.eq(wide.as_str())).await?.id, stored.id);
    Ok(())
}

/// Text that breaks naive SQL building or naive `LIKE` patterns.
const HOSTILE: &[&str] = &[
    "'; DROP TABLE auth_user; --",
    "Robert'); DROP TABLE shop_orderitem; --",
    "%",
    "_",
    "\\",
    "O'Brien",
    "\"quoted\"",
    "50% off",
    "a_b",
    "back\\slash",
    "\\%",
    "\\_",
    "*",
    "?",
    "[ab]",
    "`tick`",
    "$1",
    "plain",
    "ab",
];

/// The hostile strings that `keep` accepts, sorted.
fn hostile(keep: impl Fn(&str) -> bool) -> Vec<String> {
    let mut out: Vec<String> = HOSTILE.iter().filter(|s| keep(s)).map(|s| s.to_string()).collect();
    out.sort();
    out
}

/// The usernames of the users matching `q`, sorted.
async fn usernames(db: &Db, q: Q<User>) -> kata::Result<Vec<String>> {
    let mut out: Vec<String> = User::objects().filter(q).values_list(User::username).alist(db).await?;
    out.sort();
    Ok(out)
}

#[kata::test]
async fn hostile_strings_are_stored_and_found_back_verbatim(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    Counter::objects().acreate(&db, [Counter::name.set("c")]).await?;
    Item::objects().acreate(&db, item("i")).await?;
    let at = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
    Event::objects()
        .acreate(
            &db,
            Event {
                id: 0,
                title: "e".into(),
                at,
                day: at.date_naive(),
                local: at.naive_utc(),
                time: at.time(),
            },
        )
        .await?;
    OrderItem::objects().acreate(&db, OrderItem { order_id: 1, product_id: 1, quantity: 1 }).await?;

    for (i, text) in HOSTILE.iter().enumerate() {
        let u = User::objects()
            .acreate(
                &db,
                [
                    User::username.set(*text),
                    User::email.set(format!("u{i}@example.com").as_str()),
                    User::first_name.set(*text),
                ],
            )
            .await?;
        assert_eq!(u.username, *text);
        Item::objects().acreate(&db, Item { note: Some((*text).to_owned()), ..item(text) }).await?;
    }

    for text in HOSTILE {
        let found = User::objects().aget(&db, User::username.eq(*text)).await?;
        assert_eq!((found.username.as_str(), found.first_name.as_str()), (*text, *text));
        assert_eq!(User::objects().aget(&db, User::username.iexact(*text)).await?.id, found.id);

        // Wildcards and escapes match only themselves.
        let lower = text.to_lowercase();
        assert_eq!(
            usernames(&db, User::first_name.contains(*text)).await?,
            hostile(|s| s.contains(text)),
            "contains {text:?}"
        );
        assert_eq!(
            usernames(&db, User::first_name.icontains(*text)).await?,
            hostile(|s| s.to_lowercase().contains(&lower)),
            "icontains {text:?}"
        );
        assert_eq!(
            usernames(&db, User::username.startswith(*text)).await?,
            hostile(|s| s.starts_with(text)),
            "startswith {text:?}"
        );
        assert_eq!(
            usernames(&db, User::username.endswith(*text)).await?,
            hostile(|s| s.ends_with(text)),
            "endswith {text:?}"
        );

        let notes: Vec<Option<String>> =
            Item::objects().filter(Item::note.eq(*text)).values_list(Item::note).alist(&db).await?;
        assert_eq!(notes, [Some((*text).to_owned())]);
    }

    // Hostile text as a value to write, and as a lookup that matches nothing.
    let n = User::objects()
        .filter(User::username.eq("plain"))
        .aupdate(&db, [User::last_name.set(HOSTILE[0])])
        .await?;
    assert_eq!(n, 1);
    assert_eq!(User::objects().aget(&db, User::last_name.eq(HOSTILE[0])).await?.username, "plain");
    assert_eq!(User::objects().filter(User::username.eq("' OR '1'='1")).acount(&db).await?, 0);
    assert_eq!(User::objects().filter(User::username.contains("' OR 1=1 --")).acount(&db).await?, 0);

    // Every table is still there, with every row.
    assert_eq!(User::objects().acount(&db).await?, HOSTILE.len() as i64);
    assert_eq!(Item::objects().acount(&db).await?, HOSTILE.len() as i64 + 1);
    assert_eq!(Counter::objects().acount(&db).await?, 1);
    assert_eq!(Event::objects().acount(&db).await?, 1);
    assert_eq!(OrderItem::objects().acount(&db).await?, 1);
    Ok(())
}

#[kata::test]
async fn trailing_spaces_and_case_make_distinct_values(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    for name in ["ann", "ann ", "Ann", " ann"] {
        User::objects().acreate(&db, user(name)).await?;
    }
    assert_eq!(User::objects().acount(&db).await?, 4);
    for name in ["ann", "ann ", "Ann", " ann"] {
        assert_eq!(User::objects().aget(&db, User::username.eq(name)).await?.username, name);
    }
    Ok(())
}

#[kata::test]
async fn long_unbounded_text_is_stored_whole(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let note = "0123456789".repeat(10_000);
    let made = Item::objects().acreate(&db, Item { note: Some(note.clone()), ..item("long") }).await?;
    let stored = Item::objects().aget(&db, Item::pk.eq(made.id)).await?;
    assert_eq!(stored.note.as_deref().map(str::len), Some(100_000));
    assert_eq!(stored.note, Some(note));
    Ok(())
}

#[kata::test]
async fn abulk_create_over_several_statements_is_all_or_nothing(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    // 2,500 users need several INSERT statements; the duplicate is in the last one.
    let mut users: Vec<User> = (0..2_499).map(|i| user(&format!("u{i:04}"))).collect();
    users.push(user("u0000"));
    assert_integrity(
        User::objects().abulk_create(&db, users).await,
        IntegrityKind::Unique,
        "auth_user_username_key",
    );
    assert_eq!(User::objects().acount(&db).await?, 0);
    Ok(())
}
