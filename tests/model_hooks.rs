//! Model hooks (issue 11, point 18; Django's overridable `save()`/`delete()` and its
//! `pre_save`/`post_save`/`pre_delete`/`post_delete` signals): `asave`, `acreate` (also from
//! assignments and through a related manager) and `adelete` run them with the transaction
//! the write runs in, as do `aget_or_create`/`aupdate_or_create` when they create; an error
//! from any of them rolls the write back; bulk and queryset operations skip them; a model
//! without hooks opens no transaction for them.

use kata::prelude::*;
use kata::testing::capture_queries;

/// Every hook call, as a row written in the hook's transaction.
#[derive(Model, Debug, Clone, PartialEq)]
struct AuditEntry {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 100)]
    event: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(hooks)]
struct Article {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 100)]
    title: String,
    #[kata(max_length = 100, default = "")]
    slug: String,
    #[kata(reverse_of = Comment::article)]
    comments: HasMany<Comment>,
}

#[derive(Model, Debug, Clone, PartialEq)]
struct Comment {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key, on_delete = "cascade")]
    article: ForeignKey<Article>,
    #[kata(max_length = 100)]
    body: String,
}

/// Refuses titles "refuse-before" / "refuse-after" in `before_save` / `after_save`, and a
/// delete of "keep-me" in `after_delete`, each after writing its audit entry.
#[kata::async_trait]
impl ModelHooks for Article {
    async fn before_save(&mut self, tx: &Transaction, adding: bool) -> kata::Result<()> {
        audit(tx, format!("before_save {} adding={adding}", self.title)).await?;
        if self.title == "refuse-before" {
            return Err(kata::Error::InvalidQuery("refused before saving".into()));
        }
        self.slug = self.title.to_lowercase().replace(' ', "-");
        Ok(())
    }

    async fn after_save(&mut self, tx: &Transaction, created: bool) -> kata::Result<()> {
        audit(tx, format!("after_save {} created={created} id_set={}", self.title, self.id != 0)).await?;
        if self.title == "refuse-after" {
            return Err(kata::Error::InvalidQuery("refused after saving".into()));
        }
        Ok(())
    }

    async fn before_delete(&self, tx: &Transaction) -> kata::Result<()> {
        audit(tx, format!("before_delete {}", self.title)).await
    }

    async fn after_delete(&self, tx: &Transaction) -> kata::Result<()> {
        audit(tx, format!("after_delete {}", self.title)).await?;
        if self.title == "keep-me" {
            return Err(kata::Error::InvalidQuery("refused after deleting".into()));
        }
        Ok(())
    }
}

async fn audit(tx: &Transaction, event: String) -> kata::Result<()> {
    AuditEntry::objects().acreate(tx, [AuditEntry::event.set(event)]).await?;
    Ok(())
}

async fn setup(db: &Db) -> kata::Result<()> {
    db.create_tables(&[AuditEntry::meta(), Article::meta(), Comment::meta()]).await
}

async fn events(db: &Db) -> kata::Result<Vec<String>> {
    AuditEntry::objects().order_by([AuditEntry::id.asc()]).values_list(AuditEntry::event).alist(db).await
}

fn article(title: &str) -> Article {
    Article { id: 0, title: title.into(), slug: String::new(), comments: HasMany::default() }
}

#[kata::test]
async fn asave_runs_the_save_hooks_in_its_transaction(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let mut a = article("Hello World");
    a.asave(&db).await?;
    assert_eq!(a.slug, "hello-world");
    a.title = "Second Title".into();
    a.asave(&db).await?;
    let stored = Article::objects().aget(&db, Article::id.eq(a.id)).await?;
    assert_eq!(stored.slug, "second-title", "what before_save changed is written");
    assert_eq!(
        events(&db).await?,
        [
            "before_save Hello World adding=true",
            "after_save Hello World created=true id_set=true",
            "before_save Second Title adding=false",
            "after_save Second Title created=false id_set=true",
        ]
    );
    Ok(())
}

#[kata::test]
async fn get_or_create_runs_the_save_hooks_when_it_creates(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let (made, created) =
        Article::objects().aget_or_create(&db, [Article::title.set("Made Here")], []).await?;
    assert!(created);
    assert_eq!(made.slug, "made-here", "before_save ran on the created row");
    let (found, created) =
        Article::objects().aget_or_create(&db, [Article::title.set("Made Here")], []).await?;
    assert_eq!((found.id, created), (made.id, false));
    let (other, created) =
        Article::objects().aupdate_or_create(&db, [Article::title.set("Other One")], []).await?;
    assert!(created);
    assert_eq!(Article::objects().aget(&db, Article::id.eq(other.id)).await?.slug, "other-one");
    assert_eq!(
        events(&db).await?,
        [
            "before_save Made Here adding=true",
            "after_save Made Here created=true id_set=true",
            "before_save Other One adding=true",
            "after_save Other One created=true id_set=true",
        ],
        "hooks run when a row is created, not when one is found"
    );
    assert!(Article::objects().aget_or_create(&db, [Article::title.set("refuse-after")], []).await.is_err());
    assert_eq!(Article::objects().filter(Article::title.eq("refuse-after")).acount(&db).await?, 0);
    Ok(())
}

#[kata::test]
async fn an_error_from_a_hook_rolls_the_write_back(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    assert!(article("refuse-before").asave(&db).await.is_err());
    assert!(article("refuse-after").asave(&db).await.is_err());
    assert!(Article::objects().acreate(&db, [Article::title.set("refuse-after")]).await.is_err());
    assert_eq!(Article::objects().acount(&db).await?, 0, "no row stayed");
    assert!(events(&db).await?.is_empty(), "nor what the hooks wrote: {:?}", events(&db).await?);

    // Inside the caller's transaction, the refused write alone is undone (a savepoint).
    db.atomic(async |tx| {
        let mut kept = article("kept");
        kept.asave(&tx).await?;
        assert!(article("refuse-after").asave(&tx).await.is_err());
        Article::objects().acreate(&tx, article("also kept")).await?;
        Ok::<_, kata::Error>(())
    })
    .await?;
    let titles =
        Article::objects().order_by([Article::id.asc()]).values_list(Article::title).alist(&db).await?;
    assert_eq!(titles, ["kept", "also kept"]);

    // A refused delete keeps the row and its cascades.
    let keep = Article::objects().acreate(&db, [Article::title.set("keep-me")]).await?;
    keep.comments.acreate(&db, [Comment::body.set("first")]).await?;
    assert!(keep.adelete(&db).await.is_err());
    assert!(Article::objects().filter(Article::id.eq(keep.id)).aexists(&db).await?);
    assert_eq!(keep.comments.acount(&db).await?, 1);
    Ok(())
}

#[kata::test]
async fn acreate_and_adelete_run_their_hooks(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    // From assignments: the hook sees the stored row, and its change is written back.
    let a = Article::objects().acreate(&db, [Article::title.set("From Assignments")]).await?;
    assert_eq!(a.slug, "from-assignments");
    assert_eq!(Article::objects().aget(&db, Article::id.eq(a.id)).await?.slug, "from-assignments");
    let b = Article::objects().acreate(&db, article("Whole Model")).await?;
    assert_eq!(Article::objects().aget(&db, Article::id.eq(b.id)).await?.slug, "whole-model");
    let deleted = b.adelete(&db).await?;
    assert_eq!(deleted, 1);
    assert_eq!(
        events(&db).await?,
        [
            "before_save From Assignments adding=true",
            "after_save From Assignments created=true id_set=true",
            "before_save Whole Model adding=true",
            "after_save Whole Model created=true id_set=true",
            "before_delete Whole Model",
            "after_delete Whole Model",
        ]
    );
    Ok(())
}

#[kata::test]
async fn bulk_and_queryset_operations_skip_hooks(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let rows = Article::objects().abulk_create(&db, vec![article("Bulk One"), article("Bulk Two")]).await?;
    assert!(rows.iter().all(|r| r.slug.is_empty()));
    Article::objects().aupdate(&db, [Article::title.set("Updated")]).await?;
    Article::objects().filter(Article::title.eq("Updated")).adelete(&db).await?;
    assert!(events(&db).await?.is_empty(), "{:?}", events(&db).await?);
    Ok(())
}

#[kata::test]
async fn a_model_without_hooks_opens_no_transaction(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let parent = Article::objects().acreate(&db, [Article::title.set("parent")]).await?;
    let (saved, plain) = capture_queries(&db, async {
        let mut c = Comment { id: 0, article: ForeignKey::from(&parent), body: "plain".into() };
        c.asave(&db).await?;
        c.body = "again".into();
        c.asave(&db).await?;
        c.adelete(&db).await
    })
    .await;
    saved?;
    let transactional =
        |sql: &str| ["BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "START"].iter().any(|w| sql.starts_with(w));
    assert!(
        !plain.iter().any(|q| transactional(&q.sql)),
        "{:?}",
        plain.iter().map(|q| &q.sql).collect::<Vec<_>>()
    );
    let (_, hooked) = capture_queries(&db, article("hooked").asave(&db)).await;
    assert!(
        hooked.iter().any(|q| transactional(&q.sql)),
        "{:?}",
        hooked.iter().map(|q| &q.sql).collect::<Vec<_>>()
    );
    Ok(())
}
