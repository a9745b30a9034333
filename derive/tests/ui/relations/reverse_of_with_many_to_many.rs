use kata::prelude::*;

#[derive(Model, Debug, Clone)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(many_to_many)]
    groups: ManyToMany<Group>,
}

#[derive(Model, Debug, Clone)]
struct Group {
    #[kata(primary_key, auto)]
    id: i64,
    // The reverse side has `reverse_of` only; `many_to_many` would make a second link table.
    #[kata(many_to_many, reverse_of = User::groups)]
    users: ManyToMany<User>,
}

fn main() {}
