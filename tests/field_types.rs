//! Django's field types beyond the basic ones (issue 13): each written, read back equal,
//! filtered and ordered on every backend, with its extremes.

use std::net::IpAddr;
use std::str::FromStr;

use chrono::TimeDelta;
use kata::prelude::*;
use kata::rust_decimal::Decimal;
use kata::uuid::Uuid;

/// Django's `DecimalField(max_digits=10, decimal_places=2)` and a wide one.
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(PriceIn, exclude(id))]
#[model_schema(PricePatch, fields(amount, big), optional = "__all__")]
pub struct Price {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_digits = 10, decimal_places = 2)]
    pub amount: Decimal,
    #[kata(max_digits = 28, decimal_places = 0)]
    pub big: Option<Decimal>,
}

/// Django's `UUIDField(primary_key=True, default=uuid.uuid4)`.
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(TokenIn, exclude(id))]
#[model_schema(TokenOut, fields = "__all__")]
pub struct Token {
    #[kata(primary_key, default = uuid4)]
    pub id: Uuid,
    #[kata(max_length = 20)]
    pub name: String,
    pub other: Option<Uuid>,
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn price(amount: &str, big: Option<&str>) -> Price {
    Price { id: 0, amount: dec(amount), big: big.map(dec) }
}

const AMOUNTS: [&str; 8] = ["-99999999.99", "-12.5", "-0.01", "0", "0.01", "1.50", "12.25", "99999999.99"];

async fn prices(db: &Db) -> Vec<Price> {
    db.create_tables(&[Price::meta()]).await.unwrap();
    let largest = "9999999999999999999999999999"; // 28 digits, NUMERIC(28, 0)'s largest
    let mut rows: Vec<Price> = AMOUNTS.iter().map(|a| price(a, None)).collect();
    rows[0].big = Some(-dec(largest));
    rows[7].big = Some(dec(largest));
    // Inserted out of order, so that ordering is the database's doing.
    rows.reverse();
    rows.swap(1, 5);
    for row in &mut rows {
        row.asave(db).await.unwrap();
    }
    rows
}

#[kata::test]
async fn decimals_round_trip_exactly_with_their_extremes(db: Db) {
    let written = prices(&db).await;
    for row in &written {
        let read = Price::objects().aget(&db, Price::id.eq(row.id)).await.unwrap();
        assert_eq!(read, *row);
    }
    // Normalized on every backend: 1.50 reads as 1.5 (equal to it) everywhere.
    let one_fifty = Price::objects().aget(&db, Price::amount.eq(dec("1.5"))).await.unwrap();
    assert_eq!(one_fifty.amount.to_string(), "1.5");
    let big = Price::objects().filter(Price::big.isnull(false)).order_by([Price::big.asc()]);
    let big: Vec<Option<Decimal>> = big.values_list(Price::big).alist(&db).await.unwrap();
    assert_eq!(big, [Some(dec("-9999999999999999999999999999")), Some(dec("9999999999999999999999999999"))]);
}

#[kata::test]
async fn decimals_filter_and_order_as_numbers(db: Db) {
    prices(&db).await;
    let ordered = |q: Q<Price>| {
        let db = db.clone();
        async move {
            let qs = Price::objects().filter(q).order_by([Price::amount.asc()]);
            let values: Vec<Decimal> = qs.values_list(Price::amount).alist(&db).await.unwrap();
            values.iter().map(ToString::to_string).collect::<Vec<_>>()
        }
    };
    let all: Vec<String> = AMOUNTS.iter().map(|a| dec(a).normalize().to_string()).collect();
    assert_eq!(ordered(Q::all()).await, all);
    assert_eq!(ordered(Price::amount.gt(dec("0"))).await, all[4..]);
    assert_eq!(ordered(Price::amount.lt(dec("-0.01"))).await, all[..2]);
    assert_eq!(ordered(Price::amount.lte(dec("-0.010"))).await, all[..3]);
    assert_eq!(ordered(Price::amount.range(dec("-12.5"), dec("1.5"))).await, all[1..6]);
    assert_eq!(ordered(Price::amount.eq(dec("0.00"))).await, ["0"]);
    assert_eq!(
        ordered(Price::amount.is_in([dec("12.25"), dec("-12.5"), dec("7")])).await,
        ["-12.5", "12.25"]
    );
    let desc: Vec<Decimal> = Price::objects()
        .order_by([Price::amount.desc()])
        .values_list(Price::amount)
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(desc.first(), Some(&dec("99999999.99")));
    assert_eq!(desc.last(), Some(&dec("-99999999.99")));
    let (min, max) =
        Price::objects().aaggregate(&db, (Min(Price::amount), Max(Price::amount))).await.unwrap();
    assert_eq!((min, max), (Some(dec("-99999999.99")), Some(dec("99999999.99"))));
}

#[kata::test]
async fn decimals_beyond_their_precision_are_refused_before_any_write(db: Db) {
    db.create_tables(&[Price::meta()]).await.unwrap();
    // Every violation together, nothing written.
    let mut bad = price("123456789.12", Some("1.5"));
    let err = bad.asave(&db).await.unwrap_err();
    let errors = err.validation_errors().unwrap();
    let codes: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(codes, [("amount", "max_digits"), ("big", "max_decimal_places")]);
    assert_eq!(errors.iter().next().unwrap().params["max_digits"], 10);
    let err = price("1.234", None).validate().unwrap_err();
    assert_eq!(err.validation_errors().unwrap().iter().next().unwrap().code, "max_decimal_places");
    let err = price("123456789", None).validate().unwrap_err();
    assert_eq!(err.validation_errors().unwrap().iter().next().unwrap().code, "max_whole_digits");
    // Through assignments and input schemas too.
    let err = Price::objects().acreate(&db, [Price::amount.set(dec("0.001"))]).await.unwrap_err();
    assert_eq!(err.validation_errors().unwrap().iter().next().unwrap().code, "max_decimal_places");
    let input = PriceIn { amount: dec("1e10"), big: None };
    assert!(input.validate().is_err());
    let patch = PricePatch { amount: Patch::Set(dec("0.125")), ..PricePatch::default() };
    assert!(patch.validate().is_err());
    assert_eq!(Price::objects().acount(&db).await.unwrap(), 0);
    // Trailing zeros beyond the places are no violation: 1.500 is 1.5.
    assert!(price("1.500", None).validate().is_ok());
}

#[kata::test]
async fn decimal_schemas_are_strings_with_a_pattern_and_patches_apply(db: Db) {
    db.create_tables(&[Price::meta()]).await.unwrap();
    let schema = serde_json::to_value(schemars::schema_for!(PriceIn)).unwrap();
    let amount = &schema["properties"]["amount"];
    assert!(amount["pattern"].is_string(), "{schema}");
    let json = serde_json::to_value(PriceIn { amount: dec("12.25"), big: None }).unwrap();
    assert_eq!(json["amount"], "12.25");
    let created = Price::objects().acreate(&db, PriceIn { amount: dec("12.25"), big: None }).await.unwrap();
    let patch: PricePatch = serde_json::from_value(serde_json::json!({"amount": "0.5"})).unwrap();
    Price::objects().filter(Price::id.eq(created.id)).aupdate(&db, patch.clone()).await.unwrap();
    let read = Price::objects().aget(&db, Price::id.eq(created.id)).await.unwrap();
    assert_eq!(read.amount, dec("0.5"));
    let mut local = created.clone();
    patch.apply(&mut local);
    assert_eq!(local, read);
}

#[kata::test]
async fn uuids_round_trip_filter_and_order_with_their_extremes(db: Db) {
    db.create_tables(&[Token::meta()]).await.unwrap();
    let ids = [
        Uuid::nil(),
        Uuid::from_str("00000000-0000-0000-0000-000000000001").unwrap(),
        Uuid::new_v4(),
        Uuid::max(),
    ];
    for (i, id) in ids.iter().rev().enumerate() {
        let mut token = Token { id: *id, name: format!("t{i}"), other: (i % 2 == 0).then_some(*id) };
        token.asave(&db).await.unwrap();
        assert_eq!(Token::objects().aget(&db, Token::id.eq(*id)).await.unwrap(), token);
    }
    let mut sorted = ids.to_vec();
    sorted.sort();
    let read: Vec<Uuid> =
        Token::objects().order_by([Token::id.asc()]).values_list(Token::id).alist(&db).await.unwrap();
    assert_eq!(read, sorted);
    let nil = Token::objects().aget(&db, Token::id.eq(Uuid::nil())).await.unwrap();
    assert_eq!(nil.id, Uuid::nil());
    let above_nil = Token::objects().filter(Token::id.gt(Uuid::nil())).acount(&db).await.unwrap();
    assert_eq!(above_nil, 3);
    let listed =
        Token::objects().filter(Token::id.is_in([Uuid::max(), Uuid::nil()])).acount(&db).await.unwrap();
    assert_eq!(listed, 2);
    assert_eq!(Token::objects().filter(Token::other.isnull(true)).acount(&db).await.unwrap(), 2);
}

#[kata::test]
async fn a_uuid4_default_fills_each_new_row(db: Db) {
    db.create_tables(&[Token::meta()]).await.unwrap();
    let a = Token::objects().acreate(&db, TokenIn { name: "a".into(), other: None }).await.unwrap();
    let b = Token::objects().acreate(&db, [Token::name.set("b")]).await.unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!(a.id.get_version_num(), 4);
    assert_eq!(Token::objects().aget(&db, Token::id.eq(b.id)).await.unwrap().name, "b");
    // A schema input that leaves the key out gets a fresh one too.
    let input: TokenIn = serde_json::from_value(serde_json::json!({"name": "c"})).unwrap();
    assert_eq!(input.other, None);
    let schema = serde_json::to_value(schemars::schema_for!(TokenOut)).unwrap();
    assert_eq!(schema["properties"]["id"]["format"], "uuid", "{schema}");
    let out = serde_json::to_value(TokenOut::from(&a)).unwrap();
    assert_eq!(out["id"], a.id.to_string());
}

/// Django's `DurationField`.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Span {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub took: TimeDelta,
    pub limit: Option<TimeDelta>,
}

#[kata::test]
async fn durations_round_trip_filter_and_order_with_negative_and_extreme_ones(db: Db) {
    db.create_tables(&[Span::meta()]).await.unwrap();
    let micros = TimeDelta::microseconds;
    let spans = [
        -micros(i64::MAX),
        -TimeDelta::days(3) - micros(1),
        -micros(1),
        TimeDelta::zero(),
        micros(1),
        TimeDelta::days(1) + TimeDelta::hours(25),
        micros(i64::MAX),
    ];
    for (i, took) in spans.iter().enumerate().rev() {
        let mut row = Span { id: 0, took: *took, limit: (i % 2 == 0).then_some(*took) };
        row.asave(&db).await.unwrap();
        assert_eq!(Span::objects().aget(&db, Span::id.eq(row.id)).await.unwrap(), row);
    }
    let ordered = |q: Q<Span>| {
        let db = db.clone();
        async move {
            let qs = Span::objects().filter(q).order_by([Span::took.asc()]);
            qs.values_list(Span::took).alist(&db).await.unwrap()
        }
    };
    assert_eq!(ordered(Q::all()).await, spans);
    assert_eq!(ordered(Span::took.lt(TimeDelta::zero())).await, spans[..3]);
    assert_eq!(ordered(Span::took.gte(micros(1))).await, spans[4..]);
    assert_eq!(ordered(Span::took.eq(-micros(1))).await, [-micros(1)]);
    assert_eq!(ordered(Span::took.is_in([micros(1), TimeDelta::days(9)])).await, [micros(1)]);
    assert_eq!(Span::objects().filter(Span::limit.isnull(true)).acount(&db).await.unwrap(), 3);
    let (min, max) = Span::objects().aaggregate(&db, (Min(Span::took), Max(Span::took))).await.unwrap();
    assert_eq!((min, max), (Some(spans[0]), Some(spans[6])));
    // Stored to the microsecond: a finer duration is refused, not rounded.
    let mut fine = Span { id: 0, took: TimeDelta::nanoseconds(1_500), limit: None };
    assert!(fine.asave(&db).await.is_err());
    assert_eq!(Span::objects().acount(&db).await.unwrap(), spans.len() as i64);
}

/// Django's `GenericIPAddressField`.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Visit {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub ip: IpAddr,
    pub proxy: Option<IpAddr>,
}

#[kata::test]
async fn ip_addresses_round_trip_and_filter_ipv4_and_ipv6(db: Db) {
    db.create_tables(&[Visit::meta()]).await.unwrap();
    let ips: Vec<IpAddr> = [
        "0.0.0.0",
        "255.255.255.255",
        "192.0.2.1",
        "::",
        "::1",
        "2001:db8::1",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "::ffff:192.0.2.1",
    ]
    .iter()
    .map(|s| s.parse().unwrap())
    .collect();
    for (i, ip) in ips.iter().enumerate() {
        let mut row = Visit { id: 0, ip: *ip, proxy: (i % 2 == 1).then_some(*ip) };
        row.asave(&db).await.unwrap();
        assert_eq!(Visit::objects().aget(&db, Visit::id.eq(row.id)).await.unwrap(), row);
    }
    // Written in full, found by the canonical form: one address, one row.
    let long: IpAddr = "2001:0db8:0000:0000:0000:0000:0000:0001".parse().unwrap();
    let found = Visit::objects().aget(&db, Visit::ip.eq(long)).await.unwrap();
    assert_eq!(found.ip.to_string(), "2001:db8::1");
    let v4: IpAddr = "192.0.2.1".parse().unwrap();
    let listed = Visit::objects().filter(Visit::ip.is_in([v4, ips[4]])).order_by([Visit::id.asc()]);
    assert_eq!(listed.values_list(Visit::ip).alist(&db).await.unwrap(), [v4, ips[4]]);
    assert_eq!(Visit::objects().filter(Visit::proxy.isnull(false)).acount(&db).await.unwrap(), 4);
}

/// The shape of a typed JSON column.
#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema, Debug, Clone, PartialEq, Default)]
pub struct Settings {
    pub theme: String,
    pub tags: Vec<String>,
    pub limits: std::collections::BTreeMap<String, Vec<i64>>,
    pub owner: Option<Box<Settings>>,
}

/// Django's `JSONField`, typed.
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(DocOut, fields = "__all__")]
pub struct Doc {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub settings: kata::Json<Settings>,
    pub extra: Option<kata::Json<Vec<Settings>>>,
}

#[kata::test]
async fn typed_json_round_trips_nested_unicode_documents(db: Db) {
    db.create_tables(&[Doc::meta()]).await.unwrap();
    let inner =
        Settings { theme: "日本語 🎉 \"quoted\" \\ back".into(), tags: vec![], ..Settings::default() };
    let settings = Settings {
        theme: "dark".into(),
        tags: vec!["ünïcödé".into(), String::new()],
        limits: [("a".to_string(), vec![i64::MIN, 0, i64::MAX])].into_iter().collect(),
        owner: Some(Box::new(inner.clone())),
    };
    let mut doc = Doc { id: 0, settings: kata::Json(settings.clone()), extra: Some(kata::Json(vec![inner])) };
    doc.asave(&db).await.unwrap();
    let mut empty = Doc { id: 0, settings: kata::Json(Settings::default()), extra: None };
    empty.asave(&db).await.unwrap();
    assert_eq!(Doc::objects().aget(&db, Doc::id.eq(doc.id)).await.unwrap(), doc);
    assert_eq!(Doc::objects().aget(&db, Doc::id.eq(empty.id)).await.unwrap(), empty);
    assert_eq!(Doc::objects().filter(Doc::extra.isnull(true)).acount(&db).await.unwrap(), 1);
    // The schema is T's own, and so is the JSON.
    let out = serde_json::to_value(DocOut::from(&doc)).unwrap();
    assert_eq!(out["settings"]["tags"][0], "ünïcödé");
    let schema = serde_json::to_value(schemars::schema_for!(DocOut)).unwrap();
    assert!(schema.to_string().contains("limits"), "{schema}");
}
