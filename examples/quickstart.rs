//! kata in thirty seconds: an in-memory SQLite database, a model, and Django's async ORM.
//!
//! Run it with `cargo run --example quickstart`.

use kata::prelude::*;

/// A user, as in Django's `auth_user` table.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_user")]
pub struct User {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(unique, max_length = 150)]
    pub username: String,
    #[kata(max_length = 254, email)]
    pub email: String,
    #[kata(default = true)]
    pub is_active: bool,
    pub logins: i64,
}

#[tokio::main]
async fn main() -> kata::Result<()> {
    let db = Db::connect("sqlite::memory:").await?;
    db.create_tables(&[User::meta()]).await?;
    println!("created table auth_user on {}", db.backend());

    // acreate: the database assigns the key.
    for name in ["ann", "bob", "cecile"] {
        let user = User::objects()
            .acreate(
                &db,
                User {
                    id: 0,
                    username: name.into(),
                    email: format!("{name}@example.com"),
                    is_active: true,
                    logins: 0,
                },
            )
            .await?;
        println!("acreate  -> {user:?}");
    }

    // aget by primary key, and the typed error when nothing matches.
    let ann = User::objects().aget(&db, User::username.eq("ann")).await?;
    println!("aget     -> {} (id {})", ann.username, ann.id);
    match User::objects().aget(&db, User::pk.eq(999)).await {
        Err(kata::Error::DoesNotExist { model }) => println!("aget 999 -> {model} DoesNotExist"),
        other => println!("aget 999 -> unexpected {other:?}"),
    }

    // filter / exclude with lookups and Q, ordering, slicing.
    let some = User::objects()
        .filter(User::username.icontains("B") | User::email.endswith("@example.com"))
        .exclude(User::username.eq("cecile"))
        .order_by([User::username.desc()])
        .limit(10)
        .alist(&db)
        .await?;
    println!("filter   -> {:?}", some.iter().map(|u| &u.username).collect::<Vec<_>>());

    // aupdate with an F expression, then read back.
    let n = User::objects()
        .filter(User::is_active.eq(true))
        .aupdate(&db, [User::logins.set(F(User::logins) + 1)])
        .await?;
    println!("aupdate  -> {n} rows got logins = logins + 1");

    // Aggregates and typed tuples.
    let (count, total) = User::objects().aaggregate(&db, (Count(User::id), Sum(User::logins))).await?;
    println!("aggregate-> {count} users, {} logins", total.unwrap_or(0));
    let names: Vec<(i64, String)> =
        User::objects().order_by([User::id.asc()]).values_list((User::id, User::username)).alist(&db).await?;
    println!("values   -> {names:?}");

    // A transaction: dropped without commit, so nothing stays.
    let tx = db.begin().await?;
    User::objects().filter(User::username.eq("bob")).adelete(&tx).await?;
    drop(tx);
    println!("acount   -> {} users after a rolled-back delete", User::objects().acount(&db).await?);
    Ok(())
}
