//! A field type of the user's own (issue 13, point 4), written as another crate would: with
//! kata's public, documented items only (`FieldType`, `Args`, `RowRef`, `Value`,
//! `ColumnType`, the marker traits `Text`, `Ordered` and `Bounded`), nothing from
//! `kata::__private`. An integration test is its own crate, so this is that crate. Each type
//! round-trips, filters, orders and sits in a ModelSchema on every backend.

use std::borrow::Cow;

use kata::prelude::*;
use kata::schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use kata::{Args, ColumnType, FieldType, RowRef, Value};
use serde::{Deserialize, Serialize};

/// An e-mail address, stored as text: text lookups, ordering, `max_length` and `email`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(pub String);

impl FieldType for Email {
    type Inner = Email;
    const COLUMN_TYPE: ColumnType = ColumnType::Text;
    fn decode(row: RowRef<'_>, index: usize) -> kata::Result<Self> {
        String::decode(row, index).map(Email)
    }
    fn bind(&self, args: &mut Args) -> kata::Result<()> {
        self.0.bind(args)
    }
    fn to_value(&self) -> Value {
        Value::Text(self.0.clone())
    }
    fn into_value(self) -> Value {
        Value::Text(self.0)
    }
    fn from_value(value: &Value) -> Option<Self> {
        String::from_value(value).map(Email)
    }
    fn char_len(&self) -> Option<usize> {
        Some(self.0.chars().count())
    }
    fn as_text(&self) -> Option<&str> {
        Some(&self.0)
    }
}
impl kata::Text for Email {}
impl kata::Ordered for Email {}

/// Inline, so that a field's rules (`maxLength`, `format`) land beside `"type": "string"`
/// rather than next to a `$ref`.
impl JsonSchema for Email {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Email".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": "email" })
    }
}

/// An amount of money in cents, stored as a BIGINT: ordered, bounded by `min_value`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(pub i64);

impl FieldType for Money {
    type Inner = Money;
    const COLUMN_TYPE: ColumnType = ColumnType::BigInt;
    fn decode(row: RowRef<'_>, index: usize) -> kata::Result<Self> {
        i64::decode(row, index).map(Money)
    }
    fn bind(&self, args: &mut Args) -> kata::Result<()> {
        self.0.bind(args)
    }
    fn to_value(&self) -> Value {
        Value::BigInt(self.0)
    }
    fn into_value(self) -> Value {
        Value::BigInt(self.0)
    }
    fn from_value(value: &Value) -> Option<Self> {
        i64::from_value(value).map(Money)
    }
}
impl kata::Ordered for Money {}
impl kata::Bounded for Money {}

impl JsonSchema for Money {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Money".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "integer", "description": "an amount in cents" })
    }
}

/// No refund larger than a thousand: a custom validator on the user's own type.
fn modest(refund: &Money) -> Result<(), String> {
    if refund.0 <= 100_000 { Ok(()) } else { Err("refunds over 1000.00 need a manager".into()) }
}

// Clippy's `duplicated_attributes` misreads field names repeated across schemas.
#[allow(clippy::duplicated_attributes)]
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(InvoiceOut, fields = "__all__")]
#[model_schema(InvoiceIn, exclude(id))]
#[model_schema(InvoicePatch, exclude(id), optional = "__all__")]
pub struct Invoice {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 60, email)]
    pub customer: Email,
    #[kata(min_value = 0)]
    pub total: Money,
    #[kata(validators(modest))]
    pub refund: Option<Money>,
}

fn invoice(customer: &str, total: i64, refund: Option<i64>) -> Invoice {
    Invoice { id: 0, customer: Email(customer.into()), total: Money(total), refund: refund.map(Money) }
}

async fn invoices(db: &Db) -> Vec<Invoice> {
    db.create_tables(&[Invoice::meta()]).await.unwrap();
    let mut rows = vec![
        invoice("zoe@example.com", 500, None),
        invoice("ann@example.org", 120_000, Some(100)),
        invoice("bob@EXAMPLE.com", 0, Some(0)),
        invoice("eve@example.net", i64::MAX, Some(100_000)),
    ];
    for row in &mut rows {
        row.asave(db).await.unwrap();
    }
    rows
}

#[kata::test]
async fn custom_types_round_trip_filter_and_order(db: Db) {
    let rows = invoices(&db).await;
    for row in &rows {
        assert_eq!(Invoice::objects().aget(&db, Invoice::id.eq(row.id)).await.unwrap(), *row);
    }
    let names = |q: Q<Invoice>, by_total: bool| {
        let db = db.clone();
        async move {
            let order = if by_total { Invoice::total.desc() } else { Invoice::customer.asc() };
            let found = Invoice::objects().filter(q).order_by([order]).values_list(Invoice::customer);
            found.alist(&db).await.unwrap().into_iter().map(|e| e.0).collect::<Vec<_>>()
        }
    };
    let all = ["ann@example.org", "bob@EXAMPLE.com", "eve@example.net", "zoe@example.com"];
    assert_eq!(names(Q::all(), false).await, all);
    assert_eq!(names(Invoice::customer.icontains("example.COM"), false).await, [all[1], all[3]]);
    assert_eq!(names(Invoice::customer.eq(Email(all[2].into())), false).await, [all[2]]);
    assert_eq!(names(Invoice::customer.gt(Email("c".into())), false).await, [all[2], all[3]]);
    assert_eq!(names(Q::all(), true).await, [all[2], all[0], all[3], all[1]]);
    assert_eq!(names(Invoice::total.range(Money(1), Money(200_000)), true).await, [all[0], all[3]]);
    assert_eq!(names(Invoice::refund.gt(Money(50)), true).await, [all[2], all[0]]);
    assert_eq!(names(Invoice::refund.isnull(true), true).await, [all[3]]);
    assert_eq!(names(Invoice::total.is_in([Money(0), Money(500)]), true).await, [all[3], all[1]]);
    let (min, max) =
        Invoice::objects().aaggregate(&db, (Min(Invoice::total), Max(Invoice::total))).await.unwrap();
    assert_eq!((min, max), (Some(Money(0)), Some(Money(i64::MAX))));
}

#[kata::test]
async fn custom_types_are_validated_and_patched_through_schemas(db: Db) {
    let rows = invoices(&db).await;
    // max_length and email through `as_text`/`char_len`, min_value through `Bounded`, the
    // custom validator on the model, on assignments (through `from_value`) and on schemas.
    let bad = invoice("not-an-address", -1, Some(100_001));
    let codes = |e: &kata::Error| {
        e.validation_errors().unwrap().iter().map(|e| (e.field.clone(), e.code)).collect::<Vec<_>>()
    };
    let expected =
        [("customer".to_string(), "email"), ("total".into(), "min_value"), ("refund".into(), "invalid")];
    assert_eq!(codes(&bad.validate().unwrap_err()), expected);
    let err = Invoice::objects()
        .acreate(
            &db,
            [
                Invoice::customer.set(Email("x".into())),
                Invoice::total.set(Money(-5)),
                Invoice::refund.set(Some(Money(200_000))),
            ],
        )
        .await
        .unwrap_err();
    assert_eq!(codes(&err), expected);
    let err = InvoiceIn::from_json(serde_json::json!({"customer": "x", "total": -1, "refund": 100001}))
        .unwrap_err();
    assert_eq!(codes(&err), expected);
    assert_eq!(Invoice::objects().acount(&db).await.unwrap(), rows.len() as i64);

    let props = serde_json::to_value(kata::schemars::schema_for!(InvoiceOut)).unwrap()["properties"].clone();
    assert_eq!(props["customer"]["format"], "email");
    assert_eq!(props["customer"]["maxLength"], 60);
    assert_eq!(props["total"]["minimum"], 0);
    let out = serde_json::to_value(InvoiceOut::from(&rows[1])).unwrap();
    assert_eq!(
        out,
        serde_json::json!({"id": rows[1].id, "customer": "ann@example.org", "total": 120000, "refund": 100})
    );

    let mut ann = rows[1].clone();
    let patch: InvoicePatch =
        serde_json::from_value(serde_json::json!({"customer": "ann@example.com", "refund": null})).unwrap();
    assert_eq!(ann.apatch(&db, patch).await.unwrap(), 1);
    let read = Invoice::objects().aget(&db, Invoice::id.eq(ann.id)).await.unwrap();
    assert_eq!(read, Invoice { customer: Email("ann@example.com".into()), refund: None, ..rows[1].clone() });
    assert_eq!(read, ann);
    let created = Invoice::objects()
        .acreate(
            &db,
            InvoiceIn::from_json(serde_json::json!({"customer": "new@example.com", "total": 1})).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(Invoice::objects().aget(&db, Invoice::id.eq(created.id)).await.unwrap().refund, None);
}
