use chrono::{DateTime, Utc};
use kata::prelude::*;

/// A user, as in Django's `auth_user`.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_user", unique_together(first_name, last_name))]
pub struct User {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(unique, max_length = 150)]
    pub username: String,
    #[kata(max_length = 254, email)]
    pub email: String,
    #[kata(max_length = 150, default = "")]
    pub first_name: String,
    #[kata(max_length = 150)]
    #[kata(default = "", column = "surname")]
    pub last_name: String,
    #[kata(default = true, index)]
    pub is_active: bool,
    #[kata(default = -1)]
    pub karma: i32,
    #[kata(default = 0.5)]
    pub ratio: f64,
    #[kata(default = now)]
    pub date_joined: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
    pub r#type: Option<String>,
}

/// A composite primary key, no `auto` field, default table name.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct OrderItem {
    #[kata(primary_key)]
    pub order_id: i64,
    #[kata(primary_key)]
    pub product_id: i32,
    pub quantity: i32,
}

fn main() {
    let meta = User::meta();
    assert_eq!(meta.table, "auth_user");
    assert_eq!(meta.primary_key, &[0]);
    assert_eq!(meta.unique_together, &[&["first_name", "surname"][..]]);
    assert_eq!(meta.columns[4].name, "surname");
    assert_eq!(meta.columns[10].field, "type");
    assert_eq!(User::username.index(), 1);
    assert_eq!(User::pk.index(), 0);
    let _all = User::objects();

    assert_eq!(OrderItem::meta().table, "order_item");
    assert_eq!(OrderItem::pk.indexes(), &[0, 1]);
    let item = OrderItem { order_id: 1, product_id: 2, quantity: 3 };
    let key: (i64, i32) = item.pk();
    assert_eq!(key, (1, 2));
    assert_eq!(item.quantity, 3);
}
