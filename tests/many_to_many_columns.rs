//! A many-to-many's link columns named by hand (issue 11, point 14): `columns(..)` for a
//! link table kata creates (here Django's own `auth_user_groups.user_id/group_id` under
//! models named `AuthUser` and `AuthGroup`), and `through_fields(..)` (Django's name) to pick
//! the foreign keys of a through model that has two to the same model.

use kata::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_group")]
struct AuthGroup {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 150)]
    name: String,
    #[kata(reverse_of = AuthUser::groups)]
    users: ManyToMany<AuthUser>,
}

/// Without `columns`, kata would look for `auth_user_id` and `auth_group_id`.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_user")]
struct AuthUser {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 150)]
    username: String,
    #[kata(many_to_many(through = "auth_user_groups", columns("user_id", "group_id")))]
    groups: ManyToMany<AuthGroup>,
}

/// A through model with two foreign keys to `Person`: `through_fields` says which is which.
#[derive(Model, Debug, Clone, PartialEq)]
struct Person {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    name: String,
    #[kata(many_to_many(through = Follow, through_fields(follower, followed)), related_name = "followers")]
    follows: ManyToMany<Person>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Follow {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    follower: ForeignKey<Person>,
    #[kata(foreign_key, on_delete = "cascade")]
    followed: ForeignKey<Person>,
}

#[test]
fn the_link_table_has_the_columns_named() {
    let link = (AuthUser::meta().through_tables[0])();
    assert_eq!(link.table, "auth_user_groups");
    let columns: Vec<&str> = link.columns.iter().map(|c| c.name).collect();
    assert_eq!(columns, ["id", "user_id", "group_id"]);
}

fn names<T>(rows: &[T], name: impl Fn(&T) -> &str) -> Vec<String> {
    let mut names: Vec<String> = rows.iter().map(|r| name(r).to_owned()).collect();
    names.sort();
    names
}

#[kata::test]
async fn django_link_columns_are_read_and_written(db: Db) -> kata::Result<()> {
    db.create_tables(&[AuthGroup::meta(), AuthUser::meta()]).await?;
    let ann = AuthUser::objects().acreate(&db, [AuthUser::username.set("ann")]).await?;
    let bob = AuthUser::objects().acreate(&db, [AuthUser::username.set("bob")]).await?;
    let staff = AuthGroup::objects().acreate(&db, [AuthGroup::name.set("staff")]).await?;
    let admins = AuthGroup::objects().acreate(&db, [AuthGroup::name.set("admins")]).await?;
    ann.groups.aadd(&db, [&staff, &admins]).await?;
    // A row written as Django writes it, by column name.
    db.raw_execute("INSERT INTO auth_user_groups (user_id, group_id) VALUES (?, ?)", (bob.id, staff.id))
        .await?;
    let (count,): (i64,) =
        db.raw_query("SELECT COUNT(*) FROM auth_user_groups WHERE user_id = ?", (ann.id,)).await?.remove(0);
    assert_eq!(count, 2);

    assert_eq!(names(&ann.groups.alist(&db).await?, |g| &g.name), ["admins", "staff"]);
    assert_eq!(names(&staff.users.alist(&db).await?, |u| &u.username), ["ann", "bob"]);
    let with_bob =
        AuthGroup::objects().filter(AuthGroup::users.then(AuthUser::username).eq("bob")).alist(&db).await?;
    assert_eq!(names(&with_bob, |g| &g.name), ["staff"]);
    let users = AuthUser::objects()
        .prefetch_related(AuthUser::groups)
        .order_by([AuthUser::id.asc()])
        .alist(&db)
        .await?;
    assert_eq!(users[1].groups.get().map(|g| g.len()), Some(1));
    ann.groups.aremove(&db, &admins).await?;
    assert_eq!(ann.groups.acount(&db).await?, 1);
    Ok(())
}

#[kata::test]
async fn through_fields_pick_the_foreign_keys_of_a_through_model(db: Db) -> kata::Result<()> {
    db.create_tables(&[Person::meta(), Follow::meta()]).await?;
    let mut people = Vec::new();
    for name in ["ann", "bob", "cy"] {
        people.push(Person::objects().acreate(&db, [Person::name.set(name)]).await?);
    }
    let (ann, bob, cy) = (&people[0], &people[1], &people[2]);
    // ann follows bob and cy; bob follows cy.
    ann.follows.aadd(&db, [bob, cy]).await?;
    for (follower, followed) in [(bob, cy)] {
        Follow::objects()
            .acreate(&db, [Follow::follower.set(follower), Follow::followed.set(followed)])
            .await?;
    }
    assert_eq!(names(&ann.follows.alist(&db).await?, |p| &p.name), ["bob", "cy"]);
    assert_eq!(names(&cy.followers().alist(&db).await?, |p| &p.name), ["ann", "bob"]);
    assert_eq!(cy.follows.acount(&db).await?, 0);
    let stored = Follow::objects().filter(Follow::follower.eq(ann)).acount(&db).await?;
    assert_eq!(stored, 2, "aadd wrote the follower column as the owner");
    let loaded =
        Person::objects().prefetch_related(Person::follows).order_by([Person::id.asc()]).alist(&db).await?;
    let counts: Vec<usize> = loaded.iter().map(|p| p.follows.get().map_or(0, <[Person]>::len)).collect();
    assert_eq!(counts, [2, 1, 0]);
    Ok(())
}
