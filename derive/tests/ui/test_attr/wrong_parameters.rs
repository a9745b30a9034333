use kata::prelude::*;

#[kata::test]
async fn no_database() {}

#[kata::test]
async fn two_databases(a: Db, b: Db) {
    let _ = (a, b);
}

fn main() {}
