use kata::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_user")]
pub struct User {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(unique, max_length = 150)]
    pub username: String,
    #[kata(max_length = 254, email)]
    pub email: String,
    #[kata(default = true)]
    pub is_active: bool,
    pub age: Option<i32>,
}

#[kata::test]
async fn smoke(db: Db) {
    db.create_tables(&[User::meta()]).await.unwrap();
    let u = User::objects()
        .acreate(&db, User { id: 0, username: "ann".into(), email: "ann@example.com".into(), is_active: true, age: Some(30) })
        .await
        .unwrap();
    assert!(u.id > 0);
    let got = User::objects().aget(&db, User::pk.eq(u.id)).await.unwrap();
    assert_eq!(got, u);
    let n = User::objects().filter(User::username.icontains("AN")).acount(&db).await.unwrap();
    assert_eq!(n, 1);
    let b = User::objects().acreate(&db, [User::username.set("bob"), User::email.set("b@x.io")]).await.unwrap();
    assert!(b.is_active);
    let ids: Vec<i64> = User::objects().filter(User::id.is_in([u.id, b.id])).values_list(User::id).alist(&db).await.unwrap();
    assert_eq!(ids.len(), 2);
}
