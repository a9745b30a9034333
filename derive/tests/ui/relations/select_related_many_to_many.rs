use kata::prelude::*;

#[derive(Model, Debug, Clone)]
struct Group {
    #[kata(primary_key, auto)]
    id: i64,
    name: String,
}

#[derive(Model, Debug, Clone)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    username: String,
    #[kata(many_to_many)]
    groups: ManyToMany<Group>,
}

fn main() {
    // A many-to-many needs prefetch_related: a JOIN would repeat each user per group.
    let _ = User::objects().select_related(User::groups);
}
