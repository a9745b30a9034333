//! `ain_bulk` and `ain_bulk_all` (Django's `in_bulk(ids)` and `in_bulk()`): every row by key
//! needs its own call, an empty key list reads nothing, and `None` does not compile as a
//! key list (derive/tests/ui/query/ain_bulk_none.rs).

use kata::prelude::*;
use kata::testing::assert_num_queries;

#[derive(Model, Debug, Clone, PartialEq)]
struct Tag {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    name: String,
}

/// A table whose key is text, which is not `Copy`.
#[derive(Model, Debug, Clone, PartialEq)]
struct Country {
    #[kata(primary_key, max_length = 2)]
    code: String,
    name: String,
}

async fn tags(db: &Db) -> kata::Result<Vec<Tag>> {
    db.create_tables(&[Tag::meta(), Country::meta()]).await?;
    let mut out = Vec::new();
    for name in ["a", "b", "c"] {
        out.push(Tag::objects().acreate(db, [Tag::name.set(name)]).await?);
    }
    Ok(out)
}

#[kata::test]
async fn ain_bulk_all_maps_every_row_by_key_in_one_query(db: Db) -> kata::Result<()> {
    let made = tags(&db).await?;
    let all = assert_num_queries(&db, 1, Tag::objects().ain_bulk_all(&db)).await?;
    assert_eq!(all.len(), 3);
    for tag in &made {
        assert_eq!(all[&tag.id], *tag);
    }
    let some = Tag::objects().filter(Tag::name.ne("b")).ain_bulk_all(&db).await?;
    let mut keys: Vec<i64> = some.keys().copied().collect();
    keys.sort();
    assert_eq!(keys, [made[0].id, made[2].id]);
    Ok(())
}

#[kata::test]
async fn ain_bulk_all_on_an_empty_table_is_empty(db: Db) -> kata::Result<()> {
    tags(&db).await?;
    Tag::objects().adelete(&db).await?;
    assert!(Tag::objects().ain_bulk_all(&db).await?.is_empty());
    Ok(())
}

#[kata::test]
async fn ain_bulk_all_refuses_a_sliced_query(db: Db) -> kata::Result<()> {
    tags(&db).await?;
    let sliced = Tag::objects().limit(1).ain_bulk_all(&db).await;
    assert!(matches!(sliced, Err(kata::Error::InvalidQuery(ref m)) if m.contains("sliced")), "{sliced:?}");
    Ok(())
}

#[kata::test]
async fn an_empty_key_list_returns_an_empty_map_without_a_query(db: Db) -> kata::Result<()> {
    tags(&db).await?;
    let none = assert_num_queries(&db, 0, Tag::objects().ain_bulk(&db, Vec::<i64>::new())).await?;
    assert!(none.is_empty());
    let none = assert_num_queries(&db, 0, Tag::objects().ain_bulk(&db, [0i64; 0])).await?;
    assert!(none.is_empty());
    Ok(())
}

#[kata::test]
async fn ain_bulk_takes_owned_and_borrowed_keys(db: Db) -> kata::Result<()> {
    let made = tags(&db).await?;
    let ids: Vec<i64> = made.iter().map(|t| t.id).collect();
    assert_eq!(Tag::objects().ain_bulk(&db, &ids).await?.len(), 3, "a borrowed Vec");
    assert_eq!(Tag::objects().ain_bulk(&db, &ids[1..]).await?.len(), 2, "a borrowed slice");
    assert_eq!(Tag::objects().ain_bulk(&db, made.iter().map(|t| t.id)).await?.len(), 3, "an iterator");
    assert_eq!(Tag::objects().ain_bulk(&db, ids.iter()).await?.len(), 3, "an iterator of references");
    assert_eq!(Tag::objects().ain_bulk(&db, [ids[0]]).await?.len(), 1, "an array");
    Ok(())
}

#[kata::test]
async fn ain_bulk_works_with_a_text_key(db: Db) -> kata::Result<()> {
    tags(&db).await?;
    for (code, name) in [("fr", "France"), ("jp", "Japan")] {
        Country::objects().acreate(&db, [Country::code.set(code), Country::name.set(name)]).await?;
    }
    let codes = vec!["jp".to_string(), "xx".to_string()];
    let found = Country::objects().ain_bulk(&db, &codes).await?;
    assert_eq!(found.len(), 1);
    assert_eq!(found["jp"].name, "Japan");
    let all = Country::objects().ain_bulk_all(&db).await?;
    assert_eq!(all["fr"].name, "France");
    Ok(())
}
