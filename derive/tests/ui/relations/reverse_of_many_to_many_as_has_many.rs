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
    // `User::groups` is a many-to-many: its reverse side is a `ManyToMany<User>`, not a
    // `HasMany<User>` (which reverses a foreign key).
    #[kata(reverse_of = User::groups)]
    users: HasMany<User>,
}

fn main() {}
