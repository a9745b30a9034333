//! The reference tutorial's relation endpoints written with kata as async functions over any
//! executor: `add_user_to_group` / `remove_user_from_group` (Django 4.2's async related
//! managers) and `get_optimized_users` (profile, groups and published posts loaded up front),
//! each run with its results and its number of queries asserted.

use kata::prelude::*;
use kata::testing::assert_num_queries;
use kata::{Error, Executor};
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_group")]
pub struct Group {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(unique, max_length = 150)]
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_user")]
pub struct User {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(unique, max_length = 150)]
    pub username: String,
    #[kata(max_length = 254, email)]
    pub email: String,
    #[kata(many_to_many(through = "auth_user_groups"))]
    pub groups: ManyToMany<Group>,
    #[kata(reverse_of = Post::author)]
    pub posts: HasMany<Post>,
    /// The reverse side of `Profile.user` (at most one row: the key is unique).
    #[kata(reverse_of = Profile::user)]
    pub profile: HasOne<Profile>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Profile {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(one_to_one, on_delete = "cascade")]
    pub user: OneToOne<User>,
    #[kata(max_length = 500, default = "")]
    pub bio: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Post {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    pub author: ForeignKey<User>,
    #[kata(max_length = 200)]
    pub title: String,
    #[kata(default = false)]
    pub published: bool,
}

// ---------------------------------------------------------------------------------------
// the endpoints
// ---------------------------------------------------------------------------------------

/// `POST /users/{user_id}/groups`:
///
/// ```python
/// user = await User.objects.aget(pk=user_id)
/// group = await Group.objects.aget(pk=group_id)
/// await user.groups.aadd(group)
/// return {"success": True}
/// ```
async fn add_user_to_group(ex: &impl Executor, user_id: i64, group_id: i64) -> kata::Result<Value> {
    let user = User::objects().aget(ex, User::pk.eq(user_id)).await?;
    let group = Group::objects().aget(ex, Group::pk.eq(group_id)).await?;
    user.groups.aadd(ex, &group).await?;
    Ok(json!({"success": true}))
}

/// `DELETE /users/{user_id}/groups/{group_id}`: the same with `aremove`.
async fn remove_user_from_group(ex: &impl Executor, user_id: i64, group_id: i64) -> kata::Result<Value> {
    let user = User::objects().aget(ex, User::pk.eq(user_id)).await?;
    let group = Group::objects().aget(ex, Group::pk.eq(group_id)).await?;
    user.groups.aremove(ex, &group).await?;
    Ok(json!({"success": true}))
}

/// One entry of `GET /optimized-users`.
#[derive(Debug, Clone, PartialEq, Serialize)]
struct OptimizedUser {
    id: i64,
    username: String,
    email: String,
    profile: Option<String>,
    groups_count: usize,
    published_posts_count: usize,
}

/// `GET /optimized-users`:
///
/// ```python
/// users_queryset = User.objects.select_related('profile').prefetch_related(
///     'groups',
///     Prefetch('posts', queryset=Post.objects.filter(published=True))
/// )
/// users = [user async for user in users_queryset]
/// return [{..., "profile": user.profile.bio if hasattr(user, 'profile') else None,
///          "groups_count": await user.groups.acount(),
///          "published_posts_count": len([p for p in user.posts.all() if p.published])}
///         for user in users]
/// ```
///
/// As in Django: the profile comes with the users through a LEFT JOIN (`HasOne`, the
/// reverse side of the one-to-one), groups and published posts with one query each: three
/// queries whatever the number of users. The group count is read from the prefetched
/// rows, as Django's `acount()` does on a prefetched relation.
async fn get_optimized_users(ex: &impl Executor) -> kata::Result<Vec<OptimizedUser>> {
    let users = User::objects()
        .select_related(User::profile)
        .prefetch_related(User::groups)
        .prefetch(Prefetch::new(User::posts).queryset(Post::objects().filter(Post::published.eq(true))))
        .order_by([User::id.asc()])
        .alist(ex)
        .await?;
    users
        .iter()
        .map(|user| {
            Ok(OptimizedUser {
                id: user.id,
                username: user.username.clone(),
                email: user.email.clone(),
                // Loaded by select_related: `Ok(None)` is "no profile", never "not loaded".
                profile: user.profile.get()?.map(|p| p.bio.clone()),
                groups_count: user.groups.get().map_or(0, <[Group]>::len),
                published_posts_count: user
                    .posts
                    .get()
                    .map_or(0, |posts| posts.iter().filter(|p| p.published).count()),
            })
        })
        .collect()
}

/// The tutorial's body taken literally: `await user.groups.acount()` for each user. In kata
/// that is a query per user (a relation is never read behind your back), which is what
/// `get_optimized_users` avoids.
async fn get_users_counting_groups_one_by_one(ex: &impl Executor) -> kata::Result<Vec<(String, i64)>> {
    let users = User::objects().order_by([User::id.asc()]).alist(ex).await?;
    let mut out = Vec::with_capacity(users.len());
    for user in &users {
        out.push((user.username.clone(), user.groups.acount(ex).await?));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// tests
// ---------------------------------------------------------------------------------------

async fn setup(db: &Db) -> kata::Result<()> {
    db.create_tables(&[Group::meta(), User::meta(), Profile::meta(), Post::meta()]).await
}

async fn new_user(ex: &impl Executor, username: &str) -> kata::Result<User> {
    User::objects()
        .acreate(ex, [User::username.set(username), User::email.set(format!("{username}@example.com"))])
        .await
}

async fn new_group(ex: &impl Executor, name: &str) -> kata::Result<Group> {
    Group::objects().acreate(ex, [Group::name.set(name)]).await
}

async fn group_names(ex: &impl Executor, user: &User) -> kata::Result<Vec<String>> {
    let mut names: Vec<String> = user.groups.alist(ex).await?.into_iter().map(|g| g.name).collect();
    names.sort();
    Ok(names)
}

#[kata::test]
async fn add_user_to_group_links_the_user_once_in_three_queries(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let ann = new_user(&db, "ann").await?;
    let admins = new_group(&db, "admins").await?;
    let staff = new_group(&db, "staff").await?;

    let body = assert_num_queries(&db, 3, add_user_to_group(&db, ann.id, admins.id)).await?;
    assert_eq!(body, json!({"success": true}));
    assert_eq!(group_names(&db, &ann).await?, ["admins"]);

    // Adding again succeeds and links nothing more, as Django's `add`.
    assert_eq!(add_user_to_group(&db, ann.id, admins.id).await?, json!({"success": true}));
    add_user_to_group(&db, ann.id, staff.id).await?;
    assert_eq!(group_names(&db, &ann).await?, ["admins", "staff"]);
    let counted: Vec<(User, i64)> = User::objects().annotate(User::groups.count()).alist(&db).await?;
    assert_eq!(counted[0].1, 2, "two links, not three");
    Ok(())
}

#[kata::test]
async fn remove_user_from_group_unlinks_only_that_group_in_three_queries(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let ann = new_user(&db, "ann").await?;
    let bob = new_user(&db, "bob").await?;
    let admins = new_group(&db, "admins").await?;
    let staff = new_group(&db, "staff").await?;
    ann.groups.aset(&db, &[&admins, &staff]).await?;
    bob.groups.aadd(&db, &admins).await?;

    let body = assert_num_queries(&db, 3, remove_user_from_group(&db, ann.id, admins.id)).await?;

    assert_eq!(body, json!({"success": true}));
    assert_eq!(group_names(&db, &ann).await?, ["staff"]);
    assert_eq!(group_names(&db, &bob).await?, ["admins"], "bob's link stays");
    assert_eq!(Group::objects().acount(&db).await?, 2, "the group itself stays");
    // Removing a link that is not there succeeds and changes nothing.
    assert_eq!(remove_user_from_group(&db, ann.id, admins.id).await?, json!({"success": true}));
    assert_eq!(group_names(&db, &ann).await?, ["staff"]);
    Ok(())
}

#[kata::test]
async fn group_endpoints_report_a_missing_user_or_group_as_does_not_exist(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let ann = new_user(&db, "ann").await?;
    let admins = new_group(&db, "admins").await?;

    let no_user = assert_num_queries(&db, 1, add_user_to_group(&db, ann.id + 100, admins.id)).await;
    assert!(matches!(no_user, Err(Error::DoesNotExist { model: "User" })), "{no_user:?}");
    let no_group = assert_num_queries(&db, 2, add_user_to_group(&db, ann.id, admins.id + 100)).await;
    assert!(matches!(no_group, Err(Error::DoesNotExist { model: "Group" })), "{no_group:?}");
    let no_group = remove_user_from_group(&db, ann.id, admins.id + 100).await;
    assert!(matches!(no_group, Err(Error::DoesNotExist { model: "Group" })), "{no_group:?}");
    assert_eq!(ann.groups.acount(&db).await?, 0);
    Ok(())
}

#[kata::test]
async fn group_endpoints_run_unchanged_inside_a_transaction(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let ann = new_user(&db, "ann").await?;
    let admins = new_group(&db, "admins").await?;

    let tx = db.begin().await?;
    add_user_to_group(&tx, ann.id, admins.id).await?;
    assert_eq!(group_names(&tx, &ann).await?, ["admins"]);
    drop(tx);
    assert!(group_names(&db, &ann).await?.is_empty(), "rolled back with the transaction");

    let tx = db.begin().await?;
    add_user_to_group(&tx, ann.id, admins.id).await?;
    tx.commit().await?;
    assert_eq!(group_names(&db, &ann).await?, ["admins"]);
    Ok(())
}

/// ann: a profile, admins and staff, two published posts and a draft; bob: no profile,
/// staff, one draft; cy: an empty profile, no groups, one published post.
async fn seed(db: &Db) -> kata::Result<(User, User, User)> {
    let ann = new_user(db, "ann").await?;
    let bob = new_user(db, "bob").await?;
    let cy = new_user(db, "cy").await?;
    let admins = new_group(db, "admins").await?;
    let staff = new_group(db, "staff").await?;
    ann.groups.aset(db, &[&admins, &staff]).await?;
    bob.groups.aadd(db, &staff).await?;
    Profile::objects().acreate(db, [Profile::user.set(&ann), Profile::bio.set("Writes about Rust.")]).await?;
    Profile::objects().acreate(db, [Profile::user.set(&cy)]).await?;
    for (author, title, published) in [
        (&ann, "one", true),
        (&ann, "two", true),
        (&ann, "draft", false),
        (&bob, "wip", false),
        (&cy, "hi", true),
    ] {
        Post::objects()
            .acreate(db, [Post::author.set(author), Post::title.set(title), Post::published.set(published)])
            .await?;
    }
    Ok((ann, bob, cy))
}

#[kata::test]
async fn get_optimized_users_loads_profiles_groups_and_published_posts_in_three_queries(
    db: Db,
) -> kata::Result<()> {
    setup(&db).await?;
    let (ann, bob, cy) = seed(&db).await?;

    let users = assert_num_queries(&db, 3, get_optimized_users(&db)).await?;

    assert_eq!(
        users,
        [
            OptimizedUser {
                id: ann.id,
                username: "ann".into(),
                email: "ann@example.com".into(),
                profile: Some("Writes about Rust.".into()),
                groups_count: 2,
                published_posts_count: 2,
            },
            OptimizedUser {
                id: bob.id,
                username: "bob".into(),
                email: "bob@example.com".into(),
                profile: None,
                groups_count: 1,
                published_posts_count: 0,
            },
            OptimizedUser {
                id: cy.id,
                username: "cy".into(),
                email: "cy@example.com".into(),
                profile: Some(String::new()),
                groups_count: 0,
                published_posts_count: 1,
            },
        ]
    );
    let json = serde_json::to_value(&users[1]).unwrap();
    assert_eq!(
        json,
        json!({"id": bob.id, "username": "bob", "email": "bob@example.com", "profile": null,
               "groups_count": 1, "published_posts_count": 0})
    );
    Ok(())
}

#[kata::test]
async fn get_optimized_users_costs_the_same_three_queries_for_fifty_users(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    seed(&db).await?;
    let staff = Group::objects().aget(&db, Group::name.eq("staff")).await?;
    for i in 0..47 {
        let user = new_user(&db, &format!("user{i:02}")).await?;
        if i % 2 == 0 {
            user.groups.aadd(&db, &staff).await?;
        }
    }

    let users = assert_num_queries(&db, 3, get_optimized_users(&db)).await?;

    assert_eq!(users.len(), 50);
    assert_eq!(users.iter().map(|u| u.groups_count).sum::<usize>(), 2 + 1 + 24);
    assert_eq!(users.iter().map(|u| u.published_posts_count).sum::<usize>(), 3);
    assert_eq!(users.iter().filter(|u| u.profile.is_some()).count(), 2);
    Ok(())
}

#[kata::test]
async fn counting_groups_user_by_user_costs_a_query_per_user(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    seed(&db).await?;

    let counts = assert_num_queries(&db, 1 + 3, get_users_counting_groups_one_by_one(&db)).await?;

    assert_eq!(counts, [("ann".to_owned(), 2), ("bob".to_owned(), 1), ("cy".to_owned(), 0)]);
    let optimized = get_optimized_users(&db).await?;
    let same: Vec<(String, i64)> =
        optimized.iter().map(|u| (u.username.clone(), u.groups_count as i64)).collect();
    assert_eq!(same, counts, "the optimized endpoint gives the same counts");
    Ok(())
}

#[kata::test]
async fn a_reverse_one_to_one_is_read_only_when_loaded_or_fetched(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let (ann, bob, _) = seed(&db).await?;
    let plain = User::objects().aget(&db, User::pk.eq(ann.id)).await?;
    assert!(!plain.profile.is_loaded());
    assert!(
        matches!(plain.profile.get(), Err(kata::NotLoaded { relation: "profile", .. })),
        "not loaded, and never loaded behind your back"
    );
    assert_eq!(plain.profile.aget(&db).await?.bio, "Writes about Rust.");
    let no_profile = User::objects().aget(&db, User::pk.eq(bob.id)).await?;
    assert!(matches!(
        no_profile.profile.aget(&db).await,
        Err(kata::Error::DoesNotExist { model: "Profile" })
    ));
    let joined = User::objects().select_related(User::profile).filter(User::id.eq(bob.id)).alist(&db).await?;
    assert!(joined[0].profile.is_loaded());
    assert!(joined[0].profile.get()?.is_none(), "bob has no profile: the LEFT JOIN found none");
    Ok(())
}
