use kata::prelude::*;

#[kata::test(backend = "postgres")]
async fn creates_users(db: Db) {
    let _ = db;
}

#[kata::test(backends = "postgres,oracle")]
async fn deletes_users(db: Db) {
    let _ = db;
}

fn main() {}
