use kata::prelude::*;

#[derive(Model, Debug, Clone)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(many_to_many)]
    groups: ManyToMany<Group>,
    #[kata(many_to_many)]
    teams: ManyToMany<Team>,
}

#[derive(Model, Debug, Clone)]
struct Group {
    #[kata(primary_key, auto)]
    id: i64,
    // `User::teams` links users to teams, not to groups.
    #[kata(reverse_of = User::teams)]
    users: ManyToMany<User>,
}

#[derive(Model, Debug, Clone)]
struct Team {
    #[kata(primary_key, auto)]
    id: i64,
}

fn main() {}
