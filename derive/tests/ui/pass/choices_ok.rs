//! A crate that depends on kata only: the derive reaches serde and schemars through kata.

#[derive(kata::Choices, Debug, Clone, Copy, PartialEq)]
#[kata(rename_all = "kebab-case")]
pub enum Status {
    Draft,
    InReview,
    #[kata(value = "pub")]
    Published,
}

#[derive(kata::Choices, Debug, Clone, Copy, PartialEq)]
#[repr(i64)]
pub enum Priority {
    Low = -1,
    Normal,
    High = 10,
}

#[derive(kata::Model, Debug, Clone, PartialEq)]
pub struct Post {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 20)]
    pub status: Status,
    pub previous: Option<Status>,
    pub priority: Priority,
}

fn main() {
    use kata::{Choices, ColumnType, FieldType};

    assert_eq!(Status::VALUES, &["draft", "in-review", "pub"]);
    assert_eq!(Priority::VALUES, &["-1", "0", "10"]);
    assert_eq!(Priority::Normal.as_str(), "0");
    assert_eq!(Status::from_str_value("in-review"), Some(Status::InReview));
    assert_eq!(<Priority as FieldType>::COLUMN_TYPE, ColumnType::BigInt);

    let meta = Post::meta();
    assert_eq!(meta.columns[1].ty, ColumnType::Text);
    assert_eq!(meta.columns[1].max_length, Some(20));
    assert!(meta.columns[2].nullable);
    assert_eq!(meta.columns[3].ty, ColumnType::BigInt);

    let _ = Post::objects().filter(Post::status.eq(Status::Draft) & Post::previous.isnull(true));
    let _ = Post::priority.is_in([Priority::Low, Priority::High]);
}
