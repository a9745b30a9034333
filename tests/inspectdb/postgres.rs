//! Models written by `manage inspectdb` from the live database. Review them before use:
//! rename the structs and fields, add `default`s, `email`, reverse relations, and
//! list them all in `Manage::new`.

use kata::chrono;
use kata::prelude::*;

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_group")]
pub struct AuthGroup {
    #[kata(primary_key, auto)]
    pub id: i32,
    #[kata(unique, max_length = 150)]
    pub name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_user")]
pub struct AuthUser {
    #[kata(primary_key, auto)]
    pub id: i32,
    #[kata(max_length = 128)]
    pub password: String,
    pub last_login: Option<chrono::DateTime<chrono::Utc>>,
    pub is_superuser: bool,
    #[kata(unique, max_length = 150)]
    pub username: String,
    #[kata(max_length = 150)]
    pub first_name: String,
    #[kata(max_length = 150)]
    pub last_name: String,
    #[kata(max_length = 254)]
    pub email: String,
    pub is_staff: bool,
    pub is_active: bool,
    pub date_joined: chrono::DateTime<chrono::Utc>,
    #[kata(many_to_many(through = AuthUserGroups))]
    pub groups: ManyToMany<AuthGroup>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_user_groups", unique_together(user, group))]
pub struct AuthUserGroups {
    #[kata(primary_key, auto)]
    pub id: i32,
    #[kata(foreign_key, on_delete = "do_nothing")]
    pub user: ForeignKey<AuthUser>,
    #[kata(foreign_key, on_delete = "do_nothing")]
    pub group: ForeignKey<AuthGroup>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "blog_post")]
pub struct BlogPost {
    #[kata(primary_key, auto)]
    pub id: i32,
    #[kata(max_length = 200)]
    pub title: String,
    pub published: bool,
    #[kata(foreign_key, on_delete = "do_nothing")]
    pub author: ForeignKey<AuthUser>,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "blog_profile")]
pub struct BlogProfile {
    #[kata(primary_key, auto)]
    pub id: i32,
    #[kata(max_length = 500)]
    pub bio: String,
    #[kata(one_to_one, on_delete = "do_nothing")]
    pub user: OneToOne<AuthUser>,
}
