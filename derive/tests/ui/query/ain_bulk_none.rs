// `None` is not a list of keys: Django's `in_bulk()` without ids reads every row, which is
// `ain_bulk_all` in kata; an untyped `None` must not silently mean "no keys".
use kata::prelude::*;

#[derive(Model, Debug)]
struct Tag {
    #[kata(primary_key, auto)]
    id: i64,
    name: String,
}

async fn all_tags(db: &Db) -> kata::Result<()> {
    let _ = Tag::objects().ain_bulk(db, None).await?;
    Ok(())
}

fn main() {
    let _ = all_tags;
}
