//! Related managers take the argument shapes of the `QuerySet` methods of the same names
//! (lookups and defaults as arrays, `Vec`s or iterators of assignments; objects as one
//! `&T` or a list), and both sides have `aupdate_or_create`.

use kata::prelude::*;
use kata::testing::assert_num_queries;
use kata::{Error, IntegrityKind};

#[derive(Model, Debug, Clone, PartialEq)]
struct Group {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(unique, max_length = 50)]
    name: String,
    #[kata(default = 0)]
    level: i64,
}

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
    #[kata(reverse_of = Post::editor)]
    edited: HasMany<Post>,
    #[kata(many_to_many(through = Membership))]
    clubs: ManyToMany<Club>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    author: ForeignKey<User>,
    #[kata(foreign_key, on_delete = "set_null")]
    editor: Option<ForeignKey<User>>,
    #[kata(max_length = 50)]
    title: String,
    #[kata(default = false)]
    published: bool,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Club {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Membership {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key)]
    person: ForeignKey<User>,
    #[kata(foreign_key)]
    club: ForeignKey<Club>,
    #[kata(max_length = 20, default = "member")]
    role: String,
}

async fn setup(db: &Db) -> kata::Result<(User, User)> {
    db.create_tables(&[Group::meta(), User::meta(), Post::meta(), Club::meta(), Membership::meta()]).await?;
    let ann = User::objects().acreate(db, [User::username.set("ann")]).await?;
    let bob = User::objects().acreate(db, [User::username.set("bob")]).await?;
    Ok((ann, bob))
}

async fn groups(db: &Db, names: &[&str]) -> kata::Result<Vec<Group>> {
    let mut out = Vec::new();
    for name in names {
        out.push(Group::objects().acreate(db, [Group::name.set(*name)]).await?);
    }
    Ok(out)
}

fn names(groups: &[Group]) -> Vec<&str> {
    let mut names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    names.sort();
    names
}

fn titles(posts: &[Post]) -> Vec<&str> {
    let mut titles: Vec<&str> = posts.iter().map(|p| p.title.as_str()).collect();
    titles.sort();
    titles
}

#[kata::test]
async fn many_to_many_aupdate_or_create_creates_and_links_then_updates(db: Db) -> kata::Result<()> {
    let (ann, bob) = setup(&db).await?;
    let (ops, created) =
        ann.groups.aupdate_or_create(&db, [Group::name.set("ops")], [Group::level.set(1)]).await?;
    assert!(created);
    assert_eq!(ops.level, 1);
    assert_eq!(names(&ann.groups.alist(&db).await?), ["ops"], "the new row is linked");

    let (again, created) =
        ann.groups.aupdate_or_create(&db, vec![Group::name.set("ops")], vec![Group::level.set(2)]).await?;
    assert!(!created);
    assert_eq!((again.id, again.level), (ops.id, 2), "the linked row is updated and read back");
    assert_eq!(Group::objects().aget(&db, Group::id.eq(ops.id)).await?.level, 2);
    assert_eq!(ann.groups.acount(&db).await?, 1, "no second link");

    // bob is not linked to "ops": the lookup runs inside bob's groups only, so creating a
    // second "ops" breaks the unique name, and nothing is left half-written.
    let clash = bob.groups.aupdate_or_create(&db, [Group::name.set("ops")], []).await;
    assert!(matches!(clash, Err(ref e) if e.is_integrity(IntegrityKind::Unique)), "{clash:?}");
    assert_eq!(bob.groups.acount(&db).await?, 0);
    assert_eq!(Group::objects().acount(&db).await?, 1);
    Ok(())
}

#[kata::test]
async fn many_to_many_aupdate_or_create_with_empty_defaults_only_gets(db: Db) -> kata::Result<()> {
    let (ann, _) = setup(&db).await?;
    let (made, _) = ann.groups.aupdate_or_create(&db, [Group::name.set("ops")], []).await?;
    // BEGIN, the SELECT, COMMIT: no UPDATE, no INSERT, no link.
    let (found, created) =
        assert_num_queries(&db, 3, ann.groups.aupdate_or_create(&db, [Group::name.set("ops")], [])).await?;
    assert!(!created);
    assert_eq!(found, made);
    Ok(())
}

#[kata::test]
async fn reverse_foreign_key_aupdate_or_create_sets_the_owner(db: Db) -> kata::Result<()> {
    let (ann, bob) = setup(&db).await?;
    let (post, created) = ann.posts.aupdate_or_create(&db, [Post::title.set("hello")], []).await?;
    assert!(created);
    assert_eq!(post.author.id(), ann.id);
    assert!(!post.published);

    let (post2, created) =
        ann.posts.aupdate_or_create(&db, [Post::title.set("hello")], [Post::published.set(true)]).await?;
    assert!(!created);
    assert_eq!(post2.id, post.id);
    assert!(post2.published);

    // bob's lookup never finds ann's post.
    let (bobs, created) = bob.posts.aupdate_or_create(&db, [Post::title.set("hello")], []).await?;
    assert!(created);
    assert_ne!(bobs.id, post.id);
    assert_eq!(bobs.author.id(), bob.id);
    assert_eq!(Post::objects().acount(&db).await?, 2);

    // A lookup naming another owner is narrowed to this one, as in aget_or_create.
    let (same, created) = ann
        .posts
        .aupdate_or_create(&db, [Post::author.set(ForeignKey::from(&bob)), Post::title.set("hello")], [])
        .await?;
    assert!(!created);
    assert_eq!(same.id, post.id);
    Ok(())
}

#[kata::test]
async fn reverse_foreign_key_aupdate_or_create_refuses_defaults_that_move_the_row(
    db: Db,
) -> kata::Result<()> {
    let (ann, bob) = setup(&db).await?;
    let moved = ann
        .posts
        .aupdate_or_create(&db, [Post::title.set("x")], [Post::author.set(ForeignKey::from(&bob))])
        .await;
    assert!(matches!(moved, Err(Error::InvalidQuery(ref m)) if m.contains("Post.author")), "{moved:?}");
    assert_eq!(Post::objects().acount(&db).await?, 0, "nothing was sent");
    Ok(())
}

#[kata::test]
async fn lookups_and_defaults_take_arrays_vecs_and_iterators(db: Db) -> kata::Result<()> {
    let (ann, _) = setup(&db).await?;
    let (a, created) = ann.groups.aget_or_create(&db, [Group::name.set("a")], []).await?;
    assert!(created);
    let (a2, created) = ann.groups.aget_or_create(&db, vec![Group::name.set("a")], Vec::new()).await?;
    assert!(!created && a2.id == a.id);
    let lookup = ["b"].into_iter().map(|n| Group::name.set(n));
    let (b, created) = ann.groups.aget_or_create(&db, lookup, std::iter::once(Group::level.set(7))).await?;
    assert!(created && b.level == 7);

    let (p, created) =
        ann.posts.aget_or_create(&db, [Post::title.set("p")], [Post::published.set(true)]).await?;
    assert!(created && p.published);
    let (p2, created) =
        ann.posts.aget_or_create(&db, std::iter::once(Post::title.set("p")), std::iter::empty()).await?;
    assert!(!created && p2.id == p.id);
    Ok(())
}

#[kata::test]
async fn many_to_many_aadd_aremove_and_aset_take_one_object_or_a_list(db: Db) -> kata::Result<()> {
    let (ann, _) = setup(&db).await?;
    let all = groups(&db, &["a", "b", "c", "d"]).await?;
    let (a, b, c, d) = (&all[0], &all[1], &all[2], &all[3]);

    ann.groups.aadd(&db, a).await?;
    ann.groups.aadd(&db, [b, c]).await?;
    assert_eq!(names(&ann.groups.alist(&db).await?), ["a", "b", "c"]);
    ann.groups.aremove(&db, vec![a, b]).await?;
    assert_eq!(names(&ann.groups.alist(&db).await?), ["c"]);
    ann.groups.aadd(&db, &all[..2]).await?;
    assert_eq!(names(&ann.groups.alist(&db).await?), ["a", "b", "c"]);
    ann.groups.aremove(&db, &[a, c]).await?;
    assert_eq!(names(&ann.groups.alist(&db).await?), ["b"]);

    ann.groups.aset(&db, &all).await?;
    assert_eq!(names(&ann.groups.alist(&db).await?), ["a", "b", "c", "d"]);
    let odd: Vec<&Group> = all.iter().step_by(2).collect();
    ann.groups.aset(&db, &odd).await?;
    assert_eq!(names(&ann.groups.alist(&db).await?), ["a", "c"]);
    ann.groups.aset(&db, [d]).await?;
    assert_eq!(names(&ann.groups.alist(&db).await?), ["d"]);
    ann.groups.aadd(&db, all.iter().filter(|g| g.name.as_str() < "c")).await?;
    assert_eq!(names(&ann.groups.alist(&db).await?), ["a", "b", "d"], "an iterator");
    ann.groups.aset(&db, all.clone()).await?;
    assert_eq!(ann.groups.acount(&db).await?, 4, "an owned Vec");
    ann.groups.aset(&db, Vec::<&Group>::new()).await?;
    assert_eq!(ann.groups.acount(&db).await?, 0);

    // An empty list runs nothing.
    assert_num_queries(&db, 0, ann.groups.aadd(&db, Vec::<&Group>::new())).await?;
    assert_num_queries(&db, 0, ann.groups.aremove(&db, &all[..0])).await?;
    Ok(())
}

#[kata::test]
async fn many_to_many_aadd_of_several_is_all_or_nothing(db: Db) -> kata::Result<()> {
    let (ann, _) = setup(&db).await?;
    let all = groups(&db, &["a", "b"]).await?;
    Group::objects().filter(Group::id.eq(all[1].id)).adelete(&db).await?;
    let failed = ann.groups.aadd(&db, &all).await;
    assert!(matches!(failed, Err(ref e) if e.is_integrity(IntegrityKind::ForeignKey)), "{failed:?}");
    assert_eq!(ann.groups.acount(&db).await?, 0, "the first link was rolled back too");

    let unsaved = Group { id: 0, name: "new".into(), level: 0 };
    let refused = ann.groups.aadd(&db, [&all[0], &unsaved]).await;
    assert!(matches!(refused, Err(Error::Unsaved { model: "Group", .. })), "{refused:?}");
    assert_eq!(ann.groups.acount(&db).await?, 0, "nothing was sent");
    Ok(())
}

#[kata::test]
async fn many_to_many_acreate_is_all_or_nothing(db: Db) -> kata::Result<()> {
    let (ann, _) = setup(&db).await?;
    // The owner's row is gone: the new group cannot be linked, so it is not kept either.
    User::objects().filter(User::id.eq(ann.id)).adelete(&db).await?;
    let failed = ann.groups.acreate(&db, [Group::name.set("orphan")]).await;
    assert!(matches!(failed, Err(ref e) if e.is_integrity(IntegrityKind::ForeignKey)), "{failed:?}");
    assert_eq!(Group::objects().acount(&db).await?, 0);
    Ok(())
}

#[kata::test]
async fn through_defaults_take_an_array_and_apply_to_each_new_link(db: Db) -> kata::Result<()> {
    let (ann, _) = setup(&db).await?;
    let chess = Club::objects().acreate(&db, [Club::name.set("chess")]).await?;
    let go = Club::objects().acreate(&db, [Club::name.set("go")]).await?;
    ann.clubs.aadd_with(&db, [&chess, &go], [Membership::role.set("captain")]).await?;
    let roles: Vec<String> = Membership::objects()
        .order_by([Membership::id.asc()])
        .values_list(Membership::role)
        .alist(&db)
        .await?;
    assert_eq!(roles, ["captain", "captain"]);
    ann.clubs.aadd_with(&db, &go, vec![Membership::role.set("coach")]).await?;
    assert_eq!(Membership::objects().acount(&db).await?, 2, "an existing link is kept as it is");
    Ok(())
}

#[kata::test]
async fn reverse_foreign_key_managers_take_one_object_or_a_list(db: Db) -> kata::Result<()> {
    let (ann, bob) = setup(&db).await?;
    let mut posts = Vec::new();
    for title in ["p1", "p2", "p3"] {
        posts.push(ann.posts.acreate(&db, [Post::title.set(title)]).await?);
    }
    // One UPDATE for several objects.
    assert_num_queries(&db, 1, bob.posts.aadd(&db, [&posts[0], &posts[1]])).await?;
    assert_eq!(titles(&bob.posts.alist(&db).await?), ["p1", "p2"]);
    assert_eq!(titles(&ann.posts.alist(&db).await?), ["p3"]);
    ann.posts.aadd(&db, &posts).await?;
    assert_eq!(ann.posts.acount(&db).await?, 3);

    // Nullable side: aremove and aset with lists.
    bob.edited.aadd(&db, &posts).await?;
    bob.edited.aremove(&db, [&posts[0], &posts[2]]).await?;
    assert_eq!(titles(&bob.edited.alist(&db).await?), ["p2"]);
    bob.edited.aset(&db, vec![&posts[0], &posts[2]]).await?;
    assert_eq!(titles(&bob.edited.alist(&db).await?), ["p1", "p3"]);
    bob.edited.aset(&db, std::iter::empty::<&Post>()).await?;
    assert_eq!(bob.edited.acount(&db).await?, 0);
    Ok(())
}
