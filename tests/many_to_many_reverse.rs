//! The reverse side of a many-to-many declared as a field (Django's `group.user_set` /
//! `related_name`): `#[kata(reverse_of = User::groups)] users: ManyToMany<User>` on `Group`
//! has the forward side's manager, lookups, `prefetch_related` and nested prefetching, all
//! reading the same link rows from the other end.

use kata::prelude::*;
use kata::testing::assert_num_queries;

#[derive(Model, Debug, Clone, PartialEq)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 50)]
    username: String,
    #[kata(many_to_many)]
    groups: ManyToMany<Group>,
    #[kata(reverse_of = Post::author)]
    posts: HasMany<Post>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Group {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 50)]
    name: String,
    #[kata(reverse_of = User::groups)]
    users: ManyToMany<User>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    author: ForeignKey<User>,
    #[kata(max_length = 50)]
    title: String,
}

/// A model linked to itself, to check that the two ends are not mixed up.
#[derive(Model, Debug, Clone, PartialEq)]
struct Person {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    name: String,
    #[kata(many_to_many)]
    follows: ManyToMany<Person>,
    #[kata(reverse_of = Person::follows)]
    followers: ManyToMany<Person>,
}

/// ann in admins and staff, bob in staff, carl in nothing; an empty group "guests".
async fn setup(db: &Db) -> kata::Result<(Vec<User>, Vec<Group>)> {
    db.create_tables(&[User::meta(), Group::meta(), Post::meta()]).await?;
    let mut users = Vec::new();
    for name in ["ann", "bob", "carl"] {
        users.push(User::objects().acreate(db, [User::username.set(name)]).await?);
    }
    let mut groups = Vec::new();
    for name in ["admins", "staff", "guests"] {
        groups.push(Group::objects().acreate(db, [Group::name.set(name)]).await?);
    }
    users[0].groups.aadd(db, [&groups[0], &groups[1]]).await?;
    users[1].groups.aadd(db, &groups[1]).await?;
    for (user, title) in [(&users[0], "a1"), (&users[0], "a2"), (&users[1], "b1")] {
        user.posts.acreate(db, [Post::title.set(title)]).await?;
    }
    Ok((users, groups))
}

fn names(users: &[User]) -> Vec<&str> {
    let mut names: Vec<&str> = users.iter().map(|u| u.username.as_str()).collect();
    names.sort();
    names
}

#[kata::test]
async fn reverse_manager_reads_the_links_from_the_other_end(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let staff = Group::objects().aget(&db, Group::name.eq("staff")).await?;
    assert_eq!(names(&staff.users.alist(&db).await?), ["ann", "bob"]);
    assert_eq!(staff.users.acount(&db).await?, 2);
    let admins = Group::objects().aget(&db, Group::name.eq("admins")).await?;
    assert_eq!(names(&admins.users.alist(&db).await?), ["ann"]);
    let filtered = staff.users.filter(User::username.startswith("b"))?.alist(&db).await?;
    assert_eq!(names(&filtered), ["bob"]);
    let guests = Group::objects().aget(&db, Group::name.eq("guests")).await?;
    assert!(!guests.users.aexists(&db).await?);
    Ok(())
}

#[kata::test]
async fn reverse_manager_writes_links_the_forward_side_sees(db: Db) -> kata::Result<()> {
    let (users, groups) = setup(&db).await?;
    let (bob, carl) = (&users[1], &users[2]);
    let guests = &groups[2];
    guests.users.aadd(&db, [bob, carl]).await?;
    let carl_groups: Vec<String> = carl.groups.alist(&db).await?.into_iter().map(|g| g.name).collect();
    assert_eq!(carl_groups, ["guests"]);
    assert_eq!(bob.groups.acount(&db).await?, 2);

    guests.users.aremove(&db, bob).await?;
    assert_eq!(bob.groups.acount(&db).await?, 1);
    assert_eq!(names(&guests.users.alist(&db).await?), ["carl"]);

    guests.users.aset(&db, [bob]).await?;
    assert_eq!(names(&guests.users.alist(&db).await?), ["bob"]);
    assert_eq!(carl.groups.acount(&db).await?, 0);

    let dora = guests.users.acreate(&db, [User::username.set("dora")]).await?;
    let dora_groups: Vec<String> = dora.groups.alist(&db).await?.into_iter().map(|g| g.name).collect();
    assert_eq!(dora_groups, ["guests"]);

    guests.users.aclear(&db).await?;
    assert_eq!(guests.users.acount(&db).await?, 0);
    // Only the guests' links went: ann keeps hers.
    assert_eq!(users[0].groups.acount(&db).await?, 2);
    Ok(())
}

#[kata::test]
async fn lookups_follow_the_reverse_side(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    // Django: Group.objects.filter(user__username="bob")
    let with_bob = Group::objects()
        .filter(Group::users.then(User::username).eq("bob"))
        .order_by([Group::name.asc()])
        .alist(&db)
        .await?;
    let with_bob: Vec<&str> = with_bob.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(with_bob, ["staff"]);
    let with_ann = Group::objects().filter(Group::users.then(User::username).eq("ann")).acount(&db).await?;
    assert_eq!(with_ann, 2);
    let with_carl = Group::objects().filter(Group::users.then(User::username).eq("carl")).acount(&db).await?;
    assert_eq!(with_carl, 0);
    // Counting across it: staff 2, admins 1, guests 0.
    let counts =
        Group::objects().order_by([Group::name.asc()]).annotate(Group::users.count()).alist(&db).await?;
    let counts: Vec<(&str, i64)> = counts.iter().map(|(g, n)| (g.name.as_str(), *n)).collect();
    assert_eq!(counts, [("admins", 1), ("guests", 0), ("staff", 2)]);
    Ok(())
}

#[kata::test]
async fn prefetch_related_loads_the_reverse_side(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let groups = assert_num_queries(
        &db,
        2,
        Group::objects().prefetch_related(Group::users).order_by([Group::name.asc()]).alist(&db),
    )
    .await?;
    let loaded: Vec<(&str, Vec<&str>)> =
        groups.iter().map(|g| (g.name.as_str(), names(g.users.get().expect("prefetched")))).collect();
    assert_eq!(loaded, [("admins", vec!["ann"]), ("guests", vec![]), ("staff", vec!["ann", "bob"])]);
    Ok(())
}

#[kata::test]
async fn nested_prefetch_goes_through_the_reverse_side(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    // Django: Group.objects.prefetch_related("user_set__posts")
    let groups = assert_num_queries(
        &db,
        3,
        Group::objects()
            .prefetch_related(Group::users.with(User::posts))
            .order_by([Group::name.asc()])
            .alist(&db),
    )
    .await?;
    let staff = &groups[2];
    let mut titles: Vec<(&str, Vec<&str>)> = staff
        .users
        .get()
        .expect("users")
        .iter()
        .map(|u| {
            let mut t: Vec<&str> = u.posts.get().expect("posts").iter().map(|p| p.title.as_str()).collect();
            t.sort();
            (u.username.as_str(), t)
        })
        .collect();
    titles.sort();
    assert_eq!(titles, [("ann", vec!["a1", "a2"]), ("bob", vec!["b1"])]);

    // The long form, with a queryset of the users.
    let groups = Group::objects()
        .prefetch_related(
            Prefetch::new(Group::users).queryset(User::objects().filter(User::username.eq("bob"))),
        )
        .order_by([Group::name.asc()])
        .alist(&db)
        .await?;
    let staff_users = names(groups[2].users.get().expect("users"));
    assert_eq!(staff_users, ["bob"]);
    assert_eq!(groups[0].users.get().map(<[User]>::len), Some(0));
    Ok(())
}

#[kata::test]
async fn a_self_link_keeps_its_two_ends_apart(db: Db) -> kata::Result<()> {
    db.create_tables(&[Person::meta()]).await?;
    let ann = Person::objects().acreate(&db, [Person::name.set("ann")]).await?;
    let bob = Person::objects().acreate(&db, [Person::name.set("bob")]).await?;
    let carl = Person::objects().acreate(&db, [Person::name.set("carl")]).await?;
    // ann follows bob and carl; carl follows bob.
    ann.follows.aadd(&db, [&bob, &carl]).await?;
    carl.follows.aadd(&db, &bob).await?;
    let of = |people: Vec<Person>| {
        let mut n: Vec<String> = people.into_iter().map(|p| p.name).collect();
        n.sort();
        n
    };
    assert_eq!(of(bob.followers.alist(&db).await?), ["ann", "carl"]);
    assert_eq!(of(bob.follows.alist(&db).await?), Vec::<String>::new());
    assert_eq!(of(carl.followers.alist(&db).await?), ["ann"]);
    let followed_by_ann = Person::objects()
        .filter(Person::followers.then(Person::name).eq("ann"))
        .order_by([Person::name.asc()]);
    assert_eq!(of(followed_by_ann.alist(&db).await?), ["bob", "carl"]);
    let people = Person::objects()
        .prefetch_related(Person::followers)
        .order_by([Person::name.asc()])
        .alist(&db)
        .await?;
    let followers: Vec<usize> =
        people.iter().map(|p| p.followers.get().map_or(99, <[Person]>::len)).collect();
    assert_eq!(followers, [0, 2, 1]);
    Ok(())
}
