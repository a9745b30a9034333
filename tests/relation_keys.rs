//! Reading relation keys and loaded rows without ceremony: `ForeignKey::id()` by value for
//! `Copy` keys and `key()` for any, `id()`/`key()` on a nullable foreign key
//! (`OptionalRelation`), `take()` on single-valued relations, and `HasOne::get()` telling
//! "not loaded" (`Err(NotLoaded)`) from "no row" (`Ok(None)`).

use kata::prelude::*;
use kata::{Error, NotLoaded};

#[derive(Model, Debug, Clone, PartialEq)]
struct Country {
    #[kata(primary_key)]
    code: String,
    #[kata(max_length = 50)]
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    name: String,
    #[kata(reverse_of = Profile::user)]
    profile: HasOne<Profile>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Profile {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(one_to_one, on_delete = "cascade")]
    user: OneToOne<User>,
    #[kata(max_length = 50)]
    bio: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    author: ForeignKey<User>,
    #[kata(foreign_key, on_delete = "set_null")]
    editor: Option<ForeignKey<User>>,
    #[kata(one_to_one, on_delete = "set_null")]
    cover_of: Option<OneToOne<Profile>>,
}

/// ann (with a profile) and bob (without).
async fn setup(db: &Db) -> kata::Result<(User, User)> {
    db.create_tables(&[Country::meta(), User::meta(), Profile::meta(), Post::meta()]).await?;
    let ann = User::objects().acreate(db, [User::name.set("ann")]).await?;
    let bob = User::objects().acreate(db, [User::name.set("bob")]).await?;
    Profile::objects().acreate(db, [Profile::user.set(OneToOne::from(&ann)), Profile::bio.set("hi")]).await?;
    Ok((ann, bob))
}

#[kata::test]
async fn foreign_key_ids_compare_by_value(db: Db) -> kata::Result<()> {
    let (ann, bob) = setup(&db).await?;
    let post = Post::objects().acreate(&db, [Post::author.set(ForeignKey::from(&ann))]).await?;
    assert_eq!(post.author.id(), ann.id);
    assert!(post.author.id() != bob.id);
    let read = Post::objects().aget(&db, Post::id.eq(post.id)).await?;
    let by_author: Vec<i64> = vec![read.author.id()];
    assert_eq!(by_author, [ann.id]);
    assert_eq!(*read.author.key(), ann.id);
    Ok(())
}

#[kata::test]
async fn a_text_key_is_read_with_key(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let fr = Country::objects().acreate(&db, [Country::code.set("fr"), Country::name.set("France")]).await?;
    let country: ForeignKey<Country> = ForeignKey::from(&fr);
    assert_eq!(country.key(), "fr");
    let loaded = ForeignKey::loaded(fr.clone());
    assert_eq!(loaded.key(), &fr.code);
    Ok(())
}

#[kata::test]
async fn a_nullable_foreign_key_has_its_key_without_a_match(db: Db) -> kata::Result<()> {
    let (ann, bob) = setup(&db).await?;
    let profile = Profile::objects().aget(&db, Profile::user.eq(&ann)).await?;
    let edited = Post::objects()
        .acreate(
            &db,
            [
                Post::author.set(ForeignKey::from(&ann)),
                Post::editor.set(Some(ForeignKey::from(&bob))),
                Post::cover_of.set(Some(OneToOne::from(&profile))),
            ],
        )
        .await?;
    let plain = Post::objects().acreate(&db, [Post::author.set(ForeignKey::from(&ann))]).await?;
    let edited = Post::objects().aget(&db, Post::id.eq(edited.id)).await?;
    let plain = Post::objects().aget(&db, Post::id.eq(plain.id)).await?;
    assert_eq!(edited.editor.id(), Some(bob.id));
    assert_eq!(edited.editor.key(), Some(&bob.id));
    assert_eq!(edited.cover_of.id(), Some(profile.id));
    assert_eq!(plain.editor.id(), None);
    assert_eq!(plain.editor.key(), None);
    assert_eq!(plain.cover_of.id(), None);
    Ok(())
}

#[kata::test]
async fn take_moves_a_selected_related_object_out_and_keeps_the_key(db: Db) -> kata::Result<()> {
    let (ann, _) = setup(&db).await?;
    Post::objects().acreate(&db, [Post::author.set(ForeignKey::from(&ann))]).await?;
    let mut posts = Post::objects().select_related(Post::author).alist(&db).await?;
    let author: User = posts[0].author.take().expect("selected");
    assert_eq!(author.name, "ann");
    assert!(!posts[0].author.is_loaded());
    assert!(posts[0].author.take().is_none());
    assert_eq!(posts[0].author.id(), ann.id, "the key stays");
    Ok(())
}

#[kata::test]
async fn has_one_tells_not_loaded_from_no_row(db: Db) -> kata::Result<()> {
    let (ann, bob) = setup(&db).await?;
    let plain = User::objects().aget(&db, User::id.eq(ann.id)).await?;
    assert_eq!(plain.profile.get(), Err(NotLoaded { model: "User", relation: "profile" }));

    let joined = User::objects().select_related(User::profile).order_by([User::id.asc()]).alist(&db).await?;
    assert_eq!(joined[0].profile.get()?.map(|p| p.bio.as_str()), Some("hi"), "ann has one");
    assert_eq!(joined[1].id, bob.id);
    assert_eq!(joined[1].profile.get()?, None, "loaded, and bob has none");
    Ok(())
}

#[kata::test]
async fn not_loaded_converts_into_kata_error_with_question_mark(db: Db) -> kata::Result<()> {
    let (ann, _) = setup(&db).await?;
    fn bio(user: &User) -> kata::Result<Option<String>> {
        Ok(user.profile.get()?.map(|p| p.bio.clone()))
    }
    let plain = User::objects().aget(&db, User::id.eq(ann.id)).await?;
    match bio(&plain) {
        Err(Error::NotLoaded { model: "User", relation: "profile" }) => {}
        other => panic!("expected NotLoaded, got {other:?}"),
    }
    let joined = User::objects().select_related(User::profile).aget(&db, User::id.eq(ann.id)).await?;
    assert_eq!(bio(&joined)?, Some("hi".to_string()));
    Ok(())
}

#[kata::test]
async fn has_one_take_moves_the_row_out(db: Db) -> kata::Result<()> {
    let (ann, bob) = setup(&db).await?;
    let mut joined =
        User::objects().select_related(User::profile).order_by([User::id.asc()]).alist(&db).await?;
    let profile = joined[0].profile.take()?.expect("ann has one");
    assert_eq!(profile.user.id(), ann.id);
    assert!(joined[0].profile.get().is_err(), "taken: no longer loaded");
    assert!(joined[0].profile.take().is_err());
    assert_eq!(joined[1].id, bob.id);
    assert_eq!(joined[1].profile.take()?, None);
    Ok(())
}
