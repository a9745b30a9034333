//! Models shared by the integration tests.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use kata::prelude::*;

/// Django's auth user, as in the tutorial.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "auth_user")]
pub struct User {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(unique, max_length = 150)]
    pub username: String,
    #[kata(max_length = 254, email)]
    pub email: String,
    #[kata(max_length = 150, default = "")]
    pub first_name: String,
    #[kata(max_length = 150, default = "")]
    pub last_name: String,
    #[kata(default = true)]
    pub is_active: bool,
    #[kata(default = now)]
    pub date_joined: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
}

impl User {
    /// A user with defaults for everything but the name and e-mail.
    pub fn new(username: &str, email: &str) -> User {
        User {
            id: 0,
            username: username.into(),
            email: email.into(),
            first_name: String::new(),
            last_name: String::new(),
            is_active: true,
            date_joined: Utc::now(),
            last_login: None,
        }
    }
}

/// A row counter for `F` updates.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Counter {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(unique, max_length = 50)]
    pub name: String,
    #[kata(default = 0)]
    pub n: i64,
}

/// Numbers of every width, for arithmetic, ordering and aggregates.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Item {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 100)]
    pub name: String,
    pub price: f64,
    pub cost: f64,
    pub quantity: i32,
    pub rank: i16,
    pub weight: f32,
    pub note: Option<String>,
    pub data: Option<Vec<u8>>,
    pub extra: Option<serde_json::Value>,
}

/// Dates and times, for the date-part lookups.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Event {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub title: String,
    pub at: DateTime<Utc>,
    pub day: NaiveDate,
    pub local: NaiveDateTime,
    pub time: NaiveTime,
}

/// A composite primary key (Django 5.2), as the tutorial's order items.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "shop_orderitem")]
pub struct OrderItem {
    #[kata(primary_key)]
    pub order_id: i64,
    #[kata(primary_key)]
    pub product_id: i64,
    pub quantity: i32,
}

/// Every table above.
pub fn all_tables() -> Vec<&'static kata::ModelMeta> {
    vec![User::meta(), Counter::meta(), Item::meta(), Event::meta(), OrderItem::meta()]
}
