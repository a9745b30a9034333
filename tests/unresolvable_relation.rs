//! A relation kata cannot follow is an error, never an empty result (issue 10): a
//! many-to-many whose through model has two foreign keys to the owner cannot tell which
//! one is the owner's side.

use kata::Error;
use kata::prelude::*;

#[derive(Model, Debug, Clone)]
pub struct Person {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub name: String,
    #[kata(many_to_many(through = Friendship))]
    pub friends: ManyToMany<Person>,
}

#[derive(Model, Debug, Clone)]
pub struct Friendship {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(foreign_key)]
    pub from_person: ForeignKey<Person>,
    #[kata(foreign_key)]
    pub to_person: ForeignKey<Person>,
}

fn is_relation_error(result: &kata::Result<impl std::fmt::Debug>) -> bool {
    matches!(result, Err(Error::Relation { model: "Person", relation: "friends", reason })
        if reason.contains("Friendship"))
}

#[kata::test]
async fn a_filter_across_an_unresolvable_relation_is_an_error_not_an_empty_result(
    db: Db,
) -> kata::Result<()> {
    db.create_tables(&[Person::meta(), Friendship::meta()]).await?;
    let ann = Person::objects().acreate(&db, [Person::name.set("ann")]).await?;
    Friendship::objects()
        .acreate(&db, [Friendship::from_person.set(&ann), Friendship::to_person.set(&ann)])
        .await?;
    let before = db.query_count();
    let found = Person::objects().filter(Person::friends.then(Person::name).eq("ann")).alist(&db).await;
    assert!(is_relation_error(&found), "{found:?}");
    assert_eq!(db.query_count(), before, "refused before any SQL");
    Ok(())
}

#[kata::test]
async fn counting_across_an_unresolvable_relation_is_an_error_not_zero(db: Db) -> kata::Result<()> {
    db.create_tables(&[Person::meta(), Friendship::meta()]).await?;
    Person::objects().acreate(&db, [Person::name.set("ann")]).await?;
    let counted = Person::objects().annotate(Person::friends.count()).alist(&db).await;
    assert!(is_relation_error(&counted), "{counted:?}");
    Ok(())
}
