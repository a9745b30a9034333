//! What `adelete` reports (issue 11, point 11): Django's `(total, {"app.Model": n})` lists
//! only the models that lost rows, so deleting nothing is `(0, {})`.

use kata::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
struct Author {
    #[kata(primary_key, auto)]
    id: i64,
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Book {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    author: ForeignKey<Author>,
    title: String,
}

/// A model nothing points at: its delete is one statement.
#[derive(Model, Debug, Clone, PartialEq)]
struct Tag {
    #[kata(primary_key, auto)]
    id: i64,
    name: String,
}

async fn setup(db: &Db) -> kata::Result<Author> {
    db.create_tables(&[Author::meta(), Book::meta(), Tag::meta()]).await?;
    let ann = Author::objects().acreate(db, [Author::name.set("ann")]).await?;
    Author::objects().acreate(db, [Author::name.set("bob")]).await?;
    Book::objects().acreate(db, [Book::author.set(&ann), Book::title.set("one")]).await?;
    Book::objects().acreate(db, [Book::author.set(&ann), Book::title.set("two")]).await?;
    Tag::objects().acreate(db, [Tag::name.set("rust")]).await?;
    Ok(ann)
}

#[kata::test]
async fn deleting_nothing_reports_no_model(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    // Without dependents (one DELETE) and with them (the collector's path).
    let none = Tag::objects().filter(Tag::name.eq("go")).adelete(&db).await?;
    assert_eq!((none.total, none.per_model.clone()), (0, vec![]));
    let none = Author::objects().filter(Author::name.eq("cy")).adelete(&db).await?;
    assert_eq!((none.total, none.per_model.clone()), (0, vec![]));
    assert_eq!(none.count("Author"), 0);
    assert_eq!(none.to_string(), "0 deleted");
    Ok(())
}

#[kata::test]
async fn only_models_that_lost_rows_are_listed(db: Db) -> kata::Result<()> {
    let ann = setup(&db).await?;
    // bob has no books: the cascade deletes nothing, and Book is not listed.
    let bob = Author::objects().filter(Author::name.eq("bob")).adelete(&db).await?;
    assert_eq!((bob.total, bob.per_model.clone()), (1, vec![("Author", 1)]));
    let gone = ann.adelete(&db).await?;
    assert_eq!((gone.total, gone.per_model.clone()), (3, vec![("Author", 1), ("Book", 2)]));
    let tags = Tag::objects().adelete(&db).await?;
    assert_eq!(tags.per_model, [("Tag", 1)]);
    Ok(())
}
