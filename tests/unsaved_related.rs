//! A row whose foreign key points at an unsaved object (issue 11, point 10): Django refuses
//! it before any SQL ("save() prohibited to prevent data loss due to unsaved related
//! object"); kata answers `Error::Unsaved` naming the unsaved model, on every write path,
//! and sends nothing.

use kata::Error;
use kata::prelude::*;
use kata::testing::assert_num_queries;

#[derive(Model, Debug, Clone, PartialEq)]
struct Author {
    #[kata(primary_key, auto)]
    id: i64,
    name: String,
}

/// A key set by hand, not `auto`: 0 is an ordinary key there.
#[derive(Model, Debug, Clone, PartialEq)]
struct Code {
    #[kata(primary_key)]
    code: i64,
    label: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Post {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    author: ForeignKey<Author>,
    #[kata(foreign_key, on_delete = "set_null")]
    editor: Option<ForeignKey<Author>>,
    #[kata(foreign_key, on_delete = "cascade")]
    code: ForeignKey<Code>,
    title: String,
}

struct Fixture {
    saved: Author,
    unsaved: Author,
    code: Code,
}

async fn setup(db: &Db) -> kata::Result<Fixture> {
    db.create_tables(&[Author::meta(), Code::meta(), Post::meta()]).await?;
    let saved = Author::objects().acreate(db, [Author::name.set("ann")]).await?;
    // Key 0 is a real row for a model whose key is not `auto`.
    let code = Code::objects().acreate(db, Code { code: 0, label: "zero".into() }).await?;
    Ok(Fixture { saved, unsaved: Author { id: 0, name: "new".into() }, code })
}

fn post(author: &Author, code: &Code, title: &str) -> Post {
    Post { id: 0, author: author.into(), editor: None, code: code.into(), title: title.into() }
}

fn is_unsaved_author<T: std::fmt::Debug>(result: &kata::Result<T>) -> bool {
    matches!(result, Err(Error::Unsaved { model: "Author", .. }))
}

#[kata::test]
async fn inserts_pointing_at_an_unsaved_object_are_refused_before_any_sql(db: Db) -> kata::Result<()> {
    let f = setup(&db).await?;
    let bad = post(&f.unsaved, &f.code, "bad");
    let created = assert_num_queries(&db, 0, Post::objects().acreate(&db, bad.clone())).await;
    assert!(is_unsaved_author(&created), "{created:?}");
    let loaded = Post { author: ForeignKey::loaded(f.unsaved.clone()), ..post(&f.saved, &f.code, "loaded") };
    assert!(is_unsaved_author(&Post::objects().acreate(&db, loaded).await));

    let batch = vec![post(&f.saved, &f.code, "good"), bad.clone()];
    let bulk = assert_num_queries(&db, 0, Post::objects().abulk_create(&db, batch)).await;
    assert!(is_unsaved_author(&bulk), "{bulk:?}");

    let mut fresh = bad.clone();
    let saved = assert_num_queries(&db, 0, fresh.asave(&db)).await;
    assert!(is_unsaved_author(&saved), "{saved:?}");

    let assigned = Post::objects()
        .acreate(&db, [Post::author.set(&f.unsaved), Post::code.set(&f.code), Post::title.set("a")])
        .await;
    assert!(is_unsaved_author(&assigned), "{assigned:?}");
    let got = Post::objects()
        .aget_or_create(&db, [Post::title.set("g")], [Post::author.set(&f.unsaved), Post::code.set(&f.code)])
        .await;
    assert!(is_unsaved_author(&got), "{got:?}");

    let editor = Post { editor: Some((&f.unsaved).into()), ..post(&f.saved, &f.code, "edited") };
    assert!(is_unsaved_author(&Post::objects().acreate(&db, editor).await), "a nullable key too");
    assert_eq!(Post::objects().acount(&db).await?, 0, "nothing was stored");
    Ok(())
}

#[kata::test]
async fn updates_pointing_at_an_unsaved_object_are_refused_before_any_sql(db: Db) -> kata::Result<()> {
    let f = setup(&db).await?;
    let mut kept = Post::objects().acreate(&db, post(&f.saved, &f.code, "kept")).await?;

    kept.author = (&f.unsaved).into();
    let saved = assert_num_queries(&db, 0, kept.asave(&db)).await;
    assert!(is_unsaved_author(&saved), "{saved:?}");
    let fields = assert_num_queries(&db, 0, kept.asave_fields(&db, Post::author)).await;
    assert!(is_unsaved_author(&fields), "{fields:?}");
    let bulk =
        assert_num_queries(&db, 0, Post::objects().abulk_update(&db, &[kept.clone()], Post::author)).await;
    assert!(is_unsaved_author(&bulk), "{bulk:?}");
    let one = Post::objects().filter(Post::id.eq(kept.id));
    let update = assert_num_queries(&db, 0, one.aupdate(&db, [Post::author.set(&f.unsaved)])).await;
    assert!(is_unsaved_author(&update), "{update:?}");

    // Fields that do not point at the unsaved object can still be written.
    kept.title = "renamed".into();
    kept.asave_fields(&db, Post::title).await?;
    assert_eq!(Post::objects().abulk_update(&db, &[kept.clone()], Post::title).await?, 1);
    let stored = Post::objects().aget(&db, Post::id.eq(kept.id)).await?;
    assert_eq!((stored.author.id(), stored.title.as_str()), (f.saved.id, "renamed"));
    Ok(())
}

#[kata::test]
async fn key_zero_of_a_model_without_an_auto_key_is_an_ordinary_key(db: Db) -> kata::Result<()> {
    let f = setup(&db).await?;
    let made = Post::objects().acreate(&db, post(&f.saved, &f.code, "zero")).await?;
    assert_eq!(made.code.id(), 0);
    let (_, created) = Post::objects()
        .aget_or_create(&db, [Post::title.set("z2")], [Post::author.set(&f.saved), Post::code.set(&f.code)])
        .await?;
    assert!(created);
    assert_eq!(Post::objects().filter(Post::code.eq(&f.code)).acount(&db).await?, 2);
    Ok(())
}
