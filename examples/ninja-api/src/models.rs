//! The tutorial's models on Django's own tables and columns, so this service can serve a
//! database that `manage.py migrate` created: `auth_user` (integer keys), `auth_group`,
//! `auth_user_groups`, and the `blog` app's `blog_profile`, `blog_post`, `blog_order`,
//! `blog_product`, `blog_orderitem`.

use chrono::{DateTime, Utc};
use kata::chrono;
use kata::prelude::*;

/// `django.contrib.auth.models.User`, column for column.
///
/// Clippy's `duplicated_attributes` misreads field names repeated across several
/// `#[model_schema]` attributes as duplicates (rust-lang/rust-clippy#13238), hence the allow.
#[allow(clippy::duplicated_attributes)]
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[kata(table = "auth_user")]
#[model_schema(
    UserOut,
    fields(id, username, email, first_name, last_name),
    doc = "A user, as the API shows it."
)]
#[model_schema(UserIn, fields(username, email, first_name, last_name), doc = "A new user.")]
#[model_schema(
    UserPatch,
    fields(username, email, first_name, last_name),
    optional = "__all__",
    doc = "The fields to change; the others are left as they are."
)]
pub struct User {
    /// Django's `AutoField`: an `integer`.
    #[kata(primary_key, auto)]
    pub id: i32,
    /// `pbkdf2_sha256$<iterations>$<salt>$<hash>`.
    #[kata(max_length = 128, default = "")]
    pub password: String,
    pub last_login: Option<DateTime<Utc>>,
    #[kata(default = false)]
    pub is_superuser: bool,
    /// The login name: 150 characters or fewer.
    #[kata(unique, max_length = 150)]
    pub username: String,
    #[kata(max_length = 150, default = "")]
    pub first_name: String,
    #[kata(max_length = 150, default = "")]
    pub last_name: String,
    /// The e-mail address, or empty (Django's `EmailField(blank=True)`; kata's `email`
    /// rule refuses an empty string, so the handlers check the format instead).
    #[kata(max_length = 254, default = "")]
    pub email: String,
    #[kata(default = false)]
    pub is_staff: bool,
    #[kata(default = true)]
    pub is_active: bool,
    #[kata(default = now)]
    pub date_joined: DateTime<Utc>,
    /// `auth_user_groups (id, user_id, group_id)`.
    #[kata(many_to_many(through = "auth_user_groups"))]
    pub groups: ManyToMany<Group>,
    #[kata(reverse_of = Post::author)]
    pub posts: HasMany<Post>,
    #[kata(reverse_of = Profile::user)]
    pub profile: HasOne<Profile>,
}

/// `django.contrib.auth.models.Group`.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_group")]
pub struct Group {
    #[kata(primary_key, auto)]
    pub id: i32,
    #[kata(unique, max_length = 150)]
    pub name: String,
}

/// `blog.Profile`: one per user.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "blog_profile")]
pub struct Profile {
    #[kata(primary_key, auto)]
    pub id: i32,
    #[kata(one_to_one, on_delete = "cascade")]
    pub user: OneToOne<User>,
    #[kata(max_length = 500, default = "")]
    pub bio: String,
}

/// `blog.Post`.
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[kata(table = "blog_post")]
#[model_schema(PostOut, fields(id, author, title, published))]
pub struct Post {
    #[kata(primary_key, auto)]
    pub id: i32,
    #[kata(foreign_key, on_delete = "cascade")]
    pub author: ForeignKey<User>,
    #[kata(max_length = 200)]
    pub title: String,
    #[kata(default = false)]
    pub published: bool,
}

/// `blog.Order`.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "blog_order")]
pub struct Order {
    #[kata(primary_key, auto)]
    pub id: i32,
}

/// `blog.Product`.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "blog_product")]
pub struct Product {
    #[kata(primary_key, auto)]
    pub id: i32,
    #[kata(max_length = 100)]
    pub name: String,
}

/// `blog.OrderItem`: unique on (order, product), the tutorial's `unique_order_product`.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "blog_orderitem", unique_together(order, product))]
pub struct OrderItem {
    #[kata(primary_key, auto)]
    pub id: i32,
    #[kata(foreign_key, on_delete = "cascade")]
    pub order: ForeignKey<Order>,
    #[kata(foreign_key, on_delete = "cascade")]
    pub product: ForeignKey<Product>,
    pub quantity: i32,
}

/// Every table, parents first.
pub fn all_tables() -> [&'static kata::ModelMeta; 7] {
    [
        User::meta(),
        Group::meta(),
        Profile::meta(),
        Post::meta(),
        Order::meta(),
        Product::meta(),
        OrderItem::meta(),
    ]
}
