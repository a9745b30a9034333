//! The migrations acceptance walk: eleven successive model edits (add a field, rename one,
//! change a type, add a foreign key, add a many-to-many, add an index and a unique-together,
//! drop a field, rename a model, make a column nullable and back). After each edit,
//! `makemigrations` + `migrate` on the live database keeps every row, the step's models
//! read and write their tables, nothing is left to migrate, and `check` finds no drift
//! between the migrated database and the models. Then migrating to zero and
//! forward again gives the same schema, and two migrators started at once apply each
//! migration once.

mod common;

use kata::migrate::{Hints, Migration, Migrator, Target, makemigrations};
use kata::prelude::*;
use kata::{Backend, DefaultValue, ModelMeta};

mod v1 {
    use kata::prelude::*;
    #[derive(Model, Debug)]
    #[kata(table = "author")]
    pub struct Author {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 100)]
        pub name: String,
    }
    #[derive(Model, Debug)]
    #[kata(table = "post")]
    pub struct Post {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 200)]
        pub title: String,
    }
}

/// Adds `body` (with a default) and `views` (NOT NULL, a one-off default for the rows).
mod v2 {
    pub use super::v1::Author;
    use kata::prelude::*;
    #[derive(Model, Debug)]
    #[kata(table = "post")]
    pub struct Post {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 200)]
        pub title: String,
        #[kata(default = "")]
        pub body: String,
        pub views: i32,
    }
}

/// Renames `title` to `headline`.
mod v3 {
    pub use super::v1::Author;
    use kata::prelude::*;
    #[derive(Model, Debug)]
    #[kata(table = "post")]
    pub struct Post {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 200)]
        pub headline: String,
        #[kata(default = "")]
        pub body: String,
        pub views: i32,
    }
}

/// Changes `views` from `i32` to `i64` (with a default).
mod v4 {
    pub use super::v1::Author;
    use kata::prelude::*;
    #[derive(Model, Debug)]
    #[kata(table = "post")]
    pub struct Post {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 200)]
        pub headline: String,
        #[kata(default = "")]
        pub body: String,
        #[kata(default = 0)]
        pub views: i64,
    }
}

/// Adds a foreign key to the author.
mod v5 {
    pub use super::v1::Author;
    use kata::prelude::*;
    #[derive(Model, Debug)]
    #[kata(table = "post")]
    pub struct Post {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 200)]
        pub headline: String,
        #[kata(default = "")]
        pub body: String,
        #[kata(default = 0)]
        pub views: i64,
        #[kata(foreign_key, on_delete = "set_null")]
        pub author: Option<ForeignKey<Author>>,
    }
}

/// Adds tags, a many-to-many.
mod v6 {
    pub use super::v1::Author;
    use kata::prelude::*;
    #[derive(Model, Debug)]
    #[kata(table = "tag")]
    pub struct Tag {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 50)]
        pub label: String,
    }
    #[derive(Model, Debug)]
    #[kata(table = "post")]
    pub struct Post {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 200)]
        pub headline: String,
        #[kata(default = "")]
        pub body: String,
        #[kata(default = 0)]
        pub views: i64,
        #[kata(foreign_key, on_delete = "set_null")]
        pub author: Option<ForeignKey<Author>>,
        #[kata(many_to_many(through = "post_tags"))]
        pub tags: ManyToMany<Tag>,
    }
}

/// Adds an index on the author's name and a unique-together on the post.
mod v7 {
    pub use super::v6::Tag;
    use kata::prelude::*;
    #[derive(Model, Debug)]
    #[kata(table = "author")]
    pub struct Author {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 100, index)]
        pub name: String,
    }
    #[derive(Model, Debug)]
    #[kata(table = "post", unique_together(headline, author))]
    pub struct Post {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 200)]
        pub headline: String,
        #[kata(default = "")]
        pub body: String,
        #[kata(default = 0)]
        pub views: i64,
        #[kata(foreign_key, on_delete = "set_null")]
        pub author: Option<ForeignKey<Author>>,
        #[kata(many_to_many(through = "post_tags"))]
        pub tags: ManyToMany<Tag>,
    }
}

/// Drops `body`.
mod v8 {
    pub use super::v6::Tag;
    pub use super::v7::Author;
    use kata::prelude::*;
    #[derive(Model, Debug)]
    #[kata(table = "post", unique_together(headline, author))]
    pub struct Post {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 200)]
        pub headline: String,
        #[kata(default = 0)]
        pub views: i64,
        #[kata(foreign_key, on_delete = "set_null")]
        pub author: Option<ForeignKey<Author>>,
        #[kata(many_to_many(through = "post_tags"))]
        pub tags: ManyToMany<Tag>,
    }
}

/// Renames the model (and its table) `author` to `writer`.
mod v9 {
    pub use super::v6::Tag;
    use kata::prelude::*;
    #[derive(Model, Debug)]
    #[kata(table = "writer")]
    pub struct Writer {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 100, index)]
        pub name: String,
    }
    #[derive(Model, Debug)]
    #[kata(table = "post", unique_together(headline, author))]
    pub struct Post {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 200)]
        pub headline: String,
        #[kata(default = 0)]
        pub views: i64,
        #[kata(foreign_key, on_delete = "set_null")]
        pub author: Option<ForeignKey<Writer>>,
        #[kata(many_to_many(through = "post_tags"))]
        pub tags: ManyToMany<Tag>,
    }
}

/// Makes `views` nullable.
mod v10 {
    pub use super::v6::Tag;
    pub use super::v9::Writer;
    use kata::prelude::*;
    #[derive(Model, Debug)]
    #[kata(table = "post", unique_together(headline, author))]
    pub struct Post {
        #[kata(primary_key, auto)]
        pub id: i64,
        #[kata(max_length = 200)]
        pub headline: String,
        pub views: Option<i64>,
        #[kata(foreign_key, on_delete = "set_null")]
        pub author: Option<ForeignKey<Writer>>,
        #[kata(many_to_many(through = "post_tags"))]
        pub tags: ManyToMany<Tag>,
    }
}

/// The models of each step, and the hints its `makemigrations` needs.
fn steps() -> Vec<(Vec<&'static ModelMeta>, Hints)> {
    let none = Hints::default;
    vec![
        (vec![v1::Author::meta(), v1::Post::meta()], none()),
        (
            vec![v2::Author::meta(), v2::Post::meta()],
            none().one_off_default("post", "views", DefaultValue::Int(7)),
        ),
        (vec![v3::Author::meta(), v3::Post::meta()], none().rename_field("post", "title", "headline")),
        (vec![v4::Author::meta(), v4::Post::meta()], none()),
        (vec![v5::Author::meta(), v5::Post::meta()], none()),
        (vec![v6::Author::meta(), v6::Tag::meta(), v6::Post::meta()], none()),
        (vec![v7::Author::meta(), v7::Tag::meta(), v7::Post::meta()], none()),
        (vec![v8::Author::meta(), v8::Tag::meta(), v8::Post::meta()], none()),
        (
            vec![v9::Writer::meta(), v9::Tag::meta(), v9::Post::meta()],
            none().rename_model("author", "writer"),
        ),
        (vec![v10::Writer::meta(), v10::Tag::meta(), v10::Post::meta()], none()),
        // And back to NOT NULL with a default (v9's post): the NULLs get the default.
        (vec![v9::Writer::meta(), v9::Tag::meta(), v9::Post::meta()], none()),
    ]
}

async fn count(db: &Db, table: &str) -> kata::Result<i64> {
    let rows = db.raw_query::<i64>(&format!("SELECT COUNT(*) FROM {table}"), ()).await?;
    Ok(rows[0])
}

/// Reads every row of every model of the step (each column, decoded by its field type):
/// fails when the live table lacks a column or holds another type.
async fn read_all(db: &Db, step: usize) -> kata::Result<()> {
    match step {
        0 => drop((v1::Author::objects().alist(db).await?, v1::Post::objects().alist(db).await?)),
        1 => drop(v2::Post::objects().alist(db).await?),
        2 => drop(v3::Post::objects().alist(db).await?),
        3 => drop(v4::Post::objects().alist(db).await?),
        4 => drop(v5::Post::objects().alist(db).await?),
        5 => drop((v6::Post::objects().alist(db).await?, v6::Tag::objects().alist(db).await?)),
        6 => drop((v7::Post::objects().alist(db).await?, v7::Author::objects().alist(db).await?)),
        7 => drop(v8::Post::objects().alist(db).await?),
        8 | 10 => drop((v9::Post::objects().alist(db).await?, v9::Writer::objects().alist(db).await?)),
        9 => drop(v10::Post::objects().alist(db).await?),
        _ => {}
    }
    Ok(())
}

/// Walks the steps on `db`, returning the migrations made.
async fn walk(db: &Db) -> kata::Result<Vec<Migration>> {
    let mut migrations: Vec<Migration> = Vec::new();
    for (i, (models, hints)) in steps().into_iter().enumerate() {
        let draft = makemigrations(&models, &migrations, &hints, None, false)?
            .unwrap_or_else(|| panic!("step {}: no change detected", i + 1));
        migrations.push(draft.migration());
        let migrator = Migrator::new(db, &migrations)?;
        assert_eq!(
            migrator.migrate(&Target::Latest, false).await?,
            std::slice::from_ref(&draft.name),
            "step {}",
            i + 1
        );
        assert!(
            makemigrations(&models, &migrations, &Hints::default(), None, false)?.is_none(),
            "step {}",
            i + 1
        );
        read_all(db, i).await?;
        let drift = kata::migrate::check(db, &models).await?;
        assert!(drift.is_empty(), "step {}: check finds drift: {drift:#?}", i + 1);
        match i {
            0 => {
                for name in ["ann", "bob", "cy"] {
                    db.raw_execute("INSERT INTO author (name) VALUES (?)", (name,)).await?;
                }
                for title in ["one", "two", "three", "four", "five"] {
                    db.raw_execute("INSERT INTO post (title) VALUES (?)", (title,)).await?;
                }
            }
            1 => {
                // The one-off default filled the rows that existed, and is not kept.
                let views = db.raw_query::<i32>("SELECT views FROM post ORDER BY id", ()).await?;
                assert_eq!(views, [7; 5]);
                let refused = db.raw_execute("INSERT INTO post (title) VALUES ('six')", ()).await;
                assert!(refused.is_err(), "views has no default after the migration");
            }
            2 => {
                let headlines = db.raw_query::<String>("SELECT headline FROM post ORDER BY id", ()).await?;
                assert_eq!(headlines, ["one", "two", "three", "four", "five"]);
            }
            3 => {
                db.raw_execute("UPDATE post SET views = ? WHERE id = 1", (5_000_000_000_i64,)).await?;
            }
            4 => {
                db.raw_execute("UPDATE post SET author_id = (SELECT MIN(id) FROM author)", ()).await?;
            }
            9 => {
                db.raw_execute("INSERT INTO post (headline) VALUES ('no views')", ()).await?;
            }
            10 => {
                let views = db.raw_query::<i64>("SELECT views FROM post ORDER BY id", ()).await?;
                assert_eq!(views, [5_000_000_000, 7, 7, 7, 7, 0]);
            }
            _ => {}
        }
        let authors = if i >= 8 { "writer" } else { "author" };
        assert_eq!(count(db, authors).await?, 3, "step {}", i + 1);
        let posts = count(db, "post").await?;
        assert_eq!(posts, if i >= 9 { 6 } else { 5 }, "step {}: every row kept", i + 1);
        if i >= 4 {
            let linked =
                db.raw_query::<i64>("SELECT COUNT(*) FROM post WHERE author_id IS NOT NULL", ()).await?;
            assert_eq!(linked[0], 5, "step {}: the foreign keys kept", i + 1);
        }
    }
    Ok(migrations)
}

/// The tables, columns, types, nullability and constraint names of the live schema.
async fn schema(db: &Db) -> kata::Result<Vec<String>> {
    let sql = match db.backend() {
        Backend::Sqlite => "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master \
                            WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
            .to_owned(),
        Backend::Postgres => "SELECT CAST(table_name AS TEXT) || ' ' || CAST(column_name AS TEXT) || ' ' || \
                              CAST(data_type AS TEXT) || ' ' || CAST(is_nullable AS TEXT) || ' ' || \
                              COALESCE(CAST(column_default AS TEXT), '') FROM information_schema.columns \
                              WHERE table_schema = current_schema() UNION ALL \
                              SELECT CAST(indexname AS TEXT) || ' ' || CAST(indexdef AS TEXT) FROM pg_indexes \
                              WHERE schemaname = current_schema() UNION ALL \
                              SELECT CAST(constraint_name AS TEXT) || ' ' || CAST(constraint_type AS TEXT) \
                              FROM information_schema.table_constraints WHERE table_schema = current_schema() \
                              AND constraint_type <> 'CHECK' ORDER BY 1"
            .to_owned(),
        _ => "SELECT CAST(CONCAT_WS(' ', table_name, column_name, column_type, is_nullable, column_default) AS CHAR) \
              FROM information_schema.columns WHERE table_schema = DATABASE() UNION ALL \
              SELECT CAST(CONCAT_WS(' ', table_name, index_name, column_name, non_unique) AS CHAR) \
              FROM information_schema.statistics WHERE table_schema = DATABASE() UNION ALL \
              SELECT CAST(CONCAT_WS(' ', table_name, constraint_name, constraint_type) AS CHAR) \
              FROM information_schema.table_constraints WHERE table_schema = DATABASE() ORDER BY 1"
            .to_owned(),
    };
    let mut rows = db.raw_query::<String>(&sql, ()).await?;
    rows.retain(|r| !r.contains("kata_migrations"));
    Ok(rows)
}

#[kata::test]
async fn eleven_model_edits_keep_every_row(db: Db) -> kata::Result<()> {
    let migrations = walk(&db).await?;
    assert_eq!(migrations.len(), 11);

    // Zero and forward again: the same schema.
    let before = schema(&db).await?;
    assert!(before.iter().any(|r| r.contains("writer")), "{before:?}");
    let migrator = Migrator::new(&db, &migrations)?;
    // Unapplying 0004 narrows `views` back to 32 bits: a value that does not fit stops it
    // (PostgreSQL and MySQL refuse; the migration rolls back where DDL is transactional).
    db.raw_execute("UPDATE post SET views = 1 WHERE id = 1", ()).await?;
    assert_eq!(migrator.migrate(&Target::Zero, false).await?.len(), 11);
    assert!(schema(&db).await?.is_empty(), "every table is gone: {:?}", schema(&db).await?);
    assert_eq!(migrator.migrate(&Target::Latest, false).await?.len(), 11);
    assert_eq!(schema(&db).await?, before);

    // Back to a named migration, and forwards.
    let fourth = migrations[3].name().to_owned();
    assert_eq!(migrator.migrate(&Target::Name(fourth.clone()), false).await?.len(), 7);
    assert_eq!(migrator.applied().await?.last(), Some(&fourth));
    migrator.migrate(&Target::Latest, false).await?;
    assert_eq!(schema(&db).await?, before);
    Ok(())
}

#[kata::test]
async fn two_migrators_at_once_apply_each_migration_once(db: Db) -> kata::Result<()> {
    let mut migrations = Vec::new();
    for (models, hints) in steps().into_iter().take(6) {
        if let Some(draft) = makemigrations(&models, &migrations, &hints, None, false)? {
            migrations.push(draft.migration());
        }
    }
    let (a, b) = (Db::connect(db.url()).await?, Db::connect(db.url()).await?);
    let (first, second) = (Migrator::new(&a, &migrations)?, Migrator::new(&b, &migrations)?);
    let (x, y) = tokio::join!(first.migrate(&Target::Latest, false), second.migrate(&Target::Latest, false));
    let (x, y) = (x?, y?);
    let mut all: Vec<String> = x.iter().chain(&y).cloned().collect();
    all.sort();
    let mut names: Vec<String> = migrations.iter().map(|m| m.name().to_owned()).collect();
    names.sort();
    assert_eq!(all, names, "each applied exactly once: {x:?} and {y:?}");
    assert_eq!(count(&db, "kata_migrations").await?, 6);
    Ok(())
}

#[kata::test]
async fn fake_records_without_running_and_plan_changes_nothing(db: Db) -> kata::Result<()> {
    let models = [v1::Author::meta(), v1::Post::meta()];
    let draft = makemigrations(&models, &[], &Hints::default(), None, false)?.expect("initial");
    let migrations = [draft.migration()];
    let migrator = Migrator::new(&db, &migrations)?;
    assert_eq!(migrator.plan(&Target::Latest).await?.len(), 1);
    migrator.migrate(&Target::Latest, true).await?;
    assert_eq!(migrator.applied().await?, ["0001_initial"]);
    assert!(count(&db, "post").await.is_err(), "--fake ran no DDL");
    assert!(migrator.plan(&Target::Latest).await?.is_empty());
    Ok(())
}

#[test]
fn a_model_missing_from_the_list_is_named() {
    let err = makemigrations(&[v5::Post::meta()], &[], &Hints::default(), None, false).unwrap_err();
    assert!(err.to_string().contains("Author"), "{err}");
}

#[test]
fn a_not_null_column_without_a_default_needs_a_one_off_default() {
    let first = makemigrations(&[v1::Author::meta(), v1::Post::meta()], &[], &Hints::default(), None, false)
        .unwrap()
        .unwrap();
    let err = makemigrations(
        &[v2::Author::meta(), v2::Post::meta()],
        &[first.migration()],
        &Hints::default(),
        None,
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("post.views is NOT NULL without a default"), "{err}");
}

#[test]
fn a_rename_without_a_hint_is_a_drop_and_an_add() {
    let first = makemigrations(&[v2::Author::meta(), v2::Post::meta()], &[], &Hints::default(), None, false)
        .unwrap()
        .unwrap();
    let next = makemigrations(
        &[v3::Author::meta(), v3::Post::meta()],
        &[first.migration()],
        &Hints::default().one_off_default("post", "headline", DefaultValue::Str("")),
        None,
        false,
    )
    .unwrap()
    .unwrap();
    let described: Vec<String> = next.operations.iter().map(|o| o.describe()).collect();
    assert_eq!(described, ["Remove field title from post", "Add field headline to post"]);
}
