//! What kata's API and derives use is reachable through kata itself: `kata::chrono`,
//! `kata::serde_json`, `kata::schemars` and the stream traits (`kata::stream`, their
//! methods in the prelude), so a user's crate needs no dependency of its own on them.
//! This file names none of those crates directly.

use kata::chrono::{DateTime, TimeZone, Utc};
use kata::prelude::*;
use kata::serde_json::{Value, json};

#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(EventOut, fields(id, title, at, data))]
struct Event {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    title: String,
    at: DateTime<Utc>,
    data: Option<Value>,
}

async fn setup(db: &Db) -> kata::Result<()> {
    db.create_tables(&[Event::meta()]).await?;
    for (title, day) in [("a", 1), ("b", 2), ("c", 3)] {
        let at =
            Utc.with_ymd_and_hms(2024, 5, day, 12, 0, 0).single().ok_or(kata::Error::Internal("date"))?;
        Event::objects()
            .acreate(
                &db,
                [Event::title.set(title), Event::at.set(at), Event::data.set(Some(json!({"day": day})))],
            )
            .await?;
    }
    Ok(())
}

#[kata::test]
async fn chrono_and_serde_json_come_through_kata(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let first = Event::objects().aearliest(&db, Event::at).await?;
    assert_eq!(first.title, "a");
    assert_eq!(first.data, Some(json!({"day": 1})));
    let out = kata::serde_json::to_value(EventOut::from(&first))
        .map_err(|e| kata::Error::InvalidQuery(e.to_string()))?;
    assert_eq!(out["title"], "a");
    Ok(())
}

#[kata::test]
async fn schemars_comes_through_kata(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let schema = kata::schemars::schema_for!(EventOut);
    let properties = schema.get("properties").and_then(Value::as_object).map(|p| p.len());
    assert_eq!(properties, Some(4));
    let generated = kata::schemars::SchemaGenerator::default().into_root_schema_for::<EventOut>();
    assert_eq!(generated, schema);
    Ok(())
}

#[kata::test]
async fn the_prelude_brings_the_stream_methods(db: Db) -> kata::Result<()> {
    setup(&db).await?;
    let mut rows = std::pin::pin!(Event::objects().order_by([Event::at.asc()]).aiterator(&db));
    let mut titles = Vec::new();
    while let Some(event) = rows.try_next().await? {
        titles.push(event.title);
    }
    assert_eq!(titles, ["a", "b", "c"]);
    let days: Vec<i64> = Event::objects()
        .order_by([Event::at.desc()])
        .aiterator(&db)
        .map_ok(|e| i64::from(chrono_day(&e.at)))
        .try_collect()
        .await?;
    assert_eq!(days, [3, 2, 1]);
    // StreamExt too, and the traits by name from kata::stream.
    let count = Event::objects().aiterator(&db).filter(|r| std::future::ready(r.is_ok())).count().await;
    assert_eq!(count, 3);
    let named: Vec<kata::Result<Event>> =
        kata::stream::StreamExt::collect(Event::objects().filter(Event::title.eq("b")).aiterator(&db)).await;
    assert_eq!(named.len(), 1);
    Ok(())
}

fn chrono_day(at: &DateTime<Utc>) -> u32 {
    use kata::chrono::Datelike;
    at.day()
}
