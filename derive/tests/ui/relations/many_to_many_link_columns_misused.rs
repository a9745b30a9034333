use kata::prelude::*;

#[derive(Model)]
struct Group {
    #[kata(primary_key, auto)]
    id: i64,
}

#[derive(Model)]
struct Membership {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(foreign_key)]
    user: ForeignKey<User>,
    #[kata(foreign_key)]
    group: ForeignKey<Group>,
}

// `columns` names the columns of a link table kata creates; `through_fields` picks the
// foreign keys of a through model. Each on the other kind of table is refused, as are two
// columns with one name.
#[derive(Model)]
struct User {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(many_to_many(through = Membership, columns("user_id", "group_id")))]
    clubs: ManyToMany<Group>,
    #[kata(many_to_many(through = "user_teams", through_fields(user, group)))]
    teams: ManyToMany<Group>,
    #[kata(many_to_many(columns("id_of", "id_of")))]
    bands: ManyToMany<Group>,
}

fn main() {}
