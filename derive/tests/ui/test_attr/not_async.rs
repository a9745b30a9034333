use kata::prelude::*;

#[kata::test]
fn creates_users(db: Db) {
    let _ = db;
}

fn main() {}
