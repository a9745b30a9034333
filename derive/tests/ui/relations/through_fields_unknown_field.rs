use kata::prelude::*;

#[derive(Model)]
struct Person {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(many_to_many(through = Follow, through_fields(follower, followee)))]
    follows: ManyToMany<Person>,
}

#[derive(Model)]
struct Follow {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key)]
    follower: ForeignKey<Person>,
    #[kata(foreign_key)]
    followed: ForeignKey<Person>,
}

fn main() {}
