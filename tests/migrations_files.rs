//! Migration files: `makemigrations` writes `tests/migrations_app/` (Rust files that this
//! test compiles in), replaying them finds no change against the models, the command line
//! reports it with its exit codes, and `sqlmigrate` prints the golden SQL of each backend.
//! `KATA_BLESS=1` rewrites the golden files.

#[path = "migrations_app/mod.rs"]
mod migrations;

use kata::Backend;
use kata::manage::{CHANGES, Manage, OK, USAGE};
use kata::prelude::*;

#[derive(Model, Debug)]
#[kata(table = "blog_author")]
pub struct Author {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 100, index)]
    pub name: String,
    #[kata(default = true)]
    pub active: bool,
}

#[derive(Model, Debug)]
#[kata(table = "blog_tag")]
pub struct Tag {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(unique, max_length = 50)]
    pub label: String,
}

#[derive(Model, Debug)]
#[kata(table = "blog_post", unique_together(headline, author))]
pub struct Post {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 200)]
    pub headline: String,
    #[kata(default = 0)]
    pub views: i64,
    pub published: Option<chrono::DateTime<chrono::Utc>>,
    #[kata(foreign_key, on_delete = "cascade")]
    pub author: ForeignKey<Author>,
    #[kata(many_to_many(through = "blog_post_tags"))]
    pub tags: ManyToMany<Tag>,
}

fn models() -> [&'static kata::ModelMeta; 3] {
    [Author::meta(), Tag::meta(), Post::meta()]
}

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/migrations_app");

fn bless() -> bool {
    std::env::var_os("KATA_BLESS").is_some()
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn the_written_file_is_what_makemigrations_writes() {
    let models = models();
    let manage = Manage::new(&models, &[], DIR);
    let mut out = String::new();
    assert_eq!(manage.run_to(args(&["makemigrations", "--dry-run"]), &mut out).await, OK, "{out}");
    let source = &out[out.find("//! Generated").expect("the source follows the summary")..];
    let path = format!("{DIR}/m0001_initial.rs");
    if bless() {
        let mut written = String::new();
        assert_eq!(manage.run_to(args(&["makemigrations"]), &mut written).await, OK, "{written}");
    }
    assert_eq!(std::fs::read_to_string(path).expect("the migration file"), source);
}

#[tokio::test]
async fn the_files_replay_to_the_models_and_check_passes() {
    let models = models();
    let manage = Manage::new(&models, migrations::MIGRATIONS, DIR);
    let mut out = String::new();
    assert_eq!(manage.run_to(args(&["makemigrations", "--check"]), &mut out).await, OK, "{out}");
    assert_eq!(out, "No changes detected\n");

    // Without its migration, the check fails with exit code 1 and says what changed.
    let bare = Manage::new(&models, &[], DIR);
    let mut out = String::new();
    assert_eq!(bare.run_to(args(&["makemigrations", "--check"]), &mut out).await, CHANGES);
    assert!(out.contains("Create table blog_post_tags"), "{out}");

    let mut out = String::new();
    assert_eq!(manage.run_to(args(&["migrate", "--bogus"]), &mut out).await, USAGE);
    assert!(out.contains("unknown option --bogus"), "{out}");
    let mut out = String::new();
    assert_eq!(manage.run_to(args(&["sqlmigrate", "--help"]), &mut out).await, OK);
    assert!(out.starts_with("usage: manage sqlmigrate NAME"), "{out}");
}

#[test]
fn sqlmigrate_prints_the_golden_sql_of_each_backend() {
    for (backend, file) in
        [(Backend::Sqlite, "sqlite"), (Backend::Postgres, "postgres"), (Backend::MariaDb, "mariadb")]
    {
        let forwards =
            kata::migrate::sqlmigrate(migrations::MIGRATIONS, "0001_initial", false, backend).unwrap();
        let backwards =
            kata::migrate::sqlmigrate(migrations::MIGRATIONS, "0001_initial", true, backend).unwrap();
        let text =
            format!("-- forwards\n{};\n-- backwards\n{};\n", forwards.join(";\n"), backwards.join(";\n"));
        let path = format!("{DIR}/0001_initial.{file}.sql");
        if bless() {
            std::fs::write(&path, &text).unwrap();
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "{file}");
    }
}

#[kata::test]
async fn the_files_migrate_a_database_and_back(db: Db) -> kata::Result<()> {
    let migrator = kata::migrate::Migrator::new(&db, migrations::MIGRATIONS)?;
    assert_eq!(migrator.migrate(&kata::migrate::Target::Latest, false).await?, ["0001_initial"]);
    let ann = Author::objects().acreate(&db, [Author::name.set("ann")]).await?;
    Post::objects().acreate(&db, [Post::headline.set("hello"), Post::author.set(&ann)]).await?;
    assert_eq!(Post::objects().acount(&db).await?, 1);
    migrator.migrate(&kata::migrate::Target::Zero, false).await?;
    assert!(Post::objects().acount(&db).await.is_err());
    Ok(())
}
