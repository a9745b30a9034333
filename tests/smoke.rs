//! The quickest end-to-end check: create, read back and filter on every backend.

mod common;

use common::User;
use kata::prelude::*;

#[kata::test]
async fn create_get_filter_round_trip(db: Db) {
    db.create_tables(&common::all_tables()).await.unwrap();
    let ann = User::objects().acreate(&db, User::new("ann", "ann@example.com")).await.unwrap();
    assert!(ann.id > 0);
    let got = User::objects().aget(&db, User::pk.eq(ann.id)).await.unwrap();
    assert_eq!(got.username, "ann");
    assert_eq!(got.email, ann.email);
    assert_eq!(got.date_joined.timestamp_micros(), ann.date_joined.timestamp_micros());
    let bob =
        User::objects().acreate(&db, [User::username.set("bob"), User::email.set("b@x.io")]).await.unwrap();
    assert!(bob.is_active, "the database default applies to columns left out");
    let n = User::objects().filter(User::username.icontains("AN")).acount(&db).await.unwrap();
    assert_eq!(n, 1);
}
