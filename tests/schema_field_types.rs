//! ModelSchema carries every field type (issue 13, point 5): each with its JSON Schema
//! (decimals as strings with a pattern, `format: uuid`, durations as ISO 8601 strings with
//! `format: duration`, IP addresses as `ipv4` or `ipv6`, `Json<T>` as `T`), the validators'
//! keywords (`minimum`, `maximum`, `minLength`, `maxLength`, `pattern`, `format: uri`), and
//! `Patch<T>` for each, which writes only what it sets.

use std::net::IpAddr;
use std::str::FromStr;

use chrono::TimeDelta;
use kata::Json;
use kata::prelude::*;
use kata::rust_decimal::Decimal;
use kata::uuid::Uuid;
use serde_json::json;

#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema, Debug, Clone, PartialEq, Default)]
#[schemars(crate = "kata::schemars")]
pub struct Address {
    pub city: String,
    pub lines: Vec<String>,
}

/// One column of each type, nullable where a patch can set NULL.
// Clippy's `duplicated_attributes` misreads field names repeated across schemas.
#[allow(clippy::duplicated_attributes)]
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(ShipmentOut, fields = "__all__")]
#[model_schema(ShipmentIn, exclude(id))]
#[model_schema(ShipmentPatch, exclude(id), optional = "__all__")]
pub struct Shipment {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_digits = 8, decimal_places = 2, min_value = "0.01", max_value = 100000)]
    pub cost: Decimal,
    #[kata(default = uuid4)]
    pub tracking: Uuid,
    pub transit: TimeDelta,
    pub delay: Option<TimeDelta>,
    pub origin: IpAddr,
    pub relay: Option<IpAddr>,
    pub address: Json<Address>,
    #[kata(max_length = 40, min_length = 2, slug)]
    pub code: String,
    #[kata(max_length = 200, url, blank)]
    pub link: String,
    #[kata(min_value = -10, max_value = 10)]
    pub priority: i32,
    #[kata(max_length = 12, regex = "^[A-Z]{2}[0-9]+$")]
    pub reference: Option<String>,
}

fn sample() -> Shipment {
    Shipment {
        id: 0,
        cost: Decimal::from_str("12.50").unwrap(),
        tracking: Uuid::nil(),
        transit: TimeDelta::days(1)
            + TimeDelta::hours(2)
            + TimeDelta::minutes(3)
            + TimeDelta::milliseconds(4500),
        delay: Some(-TimeDelta::microseconds(1)),
        origin: "192.0.2.1".parse().unwrap(),
        relay: Some("2001:db8::1".parse().unwrap()),
        address: Json(Address { city: "Zürich".into(), lines: vec!["Bahnhofstraße 1".into()] }),
        code: "zrh-1".into(),
        link: "https://example.com/track".into(),
        priority: -3,
        reference: Some("CH123".into()),
    }
}

fn properties<T: schemars::JsonSchema>() -> serde_json::Value {
    let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
    schema["properties"].clone()
}

#[test]
fn each_type_has_its_json_schema_in_every_schema() {
    for props in [properties::<ShipmentOut>(), properties::<ShipmentIn>(), properties::<ShipmentPatch>()] {
        let cost = &props["cost"];
        assert!(cost["pattern"].is_string(), "{cost}");
        assert_eq!((&cost["minimum"], &cost["maximum"]), (&json!(0.01), &json!(100000)), "{cost}");
        assert_eq!(props["tracking"]["format"], "uuid", "{props}");
        assert_eq!(props["transit"], json!({"type": "string", "format": "duration"}));
        assert_eq!(props["delay"]["format"], "duration", "{props}");
        assert!(props["delay"].to_string().contains("null"), "{props}");
        let formats = |p: &serde_json::Value| {
            p["anyOf"].as_array().unwrap().iter().map(|f| f["format"].clone()).collect::<Vec<_>>()
        };
        assert_eq!(formats(&props["origin"]), [json!("ipv4"), json!("ipv6")]);
        // Nullable: schemars wraps it, `anyOf: [<the address>, {"type": "null"}]`.
        let relay = props["relay"].to_string();
        assert!(
            relay.contains(r#""ipv4""#) && relay.contains(r#""ipv6""#) && relay.contains("null"),
            "{relay}"
        );
        assert!(
            props["address"].to_string().contains("city") || props["address"]["$ref"].is_string(),
            "{props}"
        );
        let code = &props["code"];
        assert_eq!((&code["minLength"], &code["maxLength"]), (&json!(2), &json!(40)), "{code}");
        assert_eq!(code["pattern"], "^[-a-zA-Z0-9_]+$");
        assert_eq!(props["link"]["format"], "uri");
        assert_eq!((&props["priority"]["minimum"], &props["priority"]["maximum"]), (&json!(-10), &json!(10)));
        assert_eq!(props["reference"]["pattern"], "^[A-Z]{2}[0-9]+$");
    }
}

#[test]
fn durations_are_iso_8601_strings_both_ways() {
    let out = serde_json::to_value(ShipmentOut::from(sample())).unwrap();
    assert_eq!(out["transit"], "P1DT2H3M4.5S");
    assert_eq!(out["delay"], "-PT0.000001S");
    assert_eq!(out["origin"], "192.0.2.1");
    assert_eq!(out["relay"], "2001:db8::1");
    assert_eq!(out["cost"], "12.50");
    assert_eq!(out["tracking"], Uuid::nil().to_string());
    assert_eq!(out["address"]["city"], "Zürich");
    let back: ShipmentOut = serde_json::from_value(out.clone()).unwrap();
    assert_eq!(back, ShipmentOut::from(sample()));

    let mut body = out;
    body.as_object_mut().unwrap().remove("id");
    body["transit"] = json!("-P3DT0.5S");
    body["delay"] = json!(null);
    let input = ShipmentIn::from_json(body.clone()).unwrap();
    assert_eq!(input.transit, -(TimeDelta::days(3) + TimeDelta::milliseconds(500)));
    assert_eq!(input.delay, None);
    for bad in ["3 days", "P1M", "PT", "P1DT2H3M4.0000000001S"] {
        body["transit"] = json!(bad);
        let err = ShipmentIn::from_json(body.clone()).unwrap_err();
        let message = &err.validation_errors().unwrap().iter().next().unwrap().message;
        assert!(message.contains("invalid duration") && message.contains("P1DT2H3M4.5S"), "{bad}: {message}");
    }
}

#[kata::test]
async fn a_patch_of_each_type_writes_only_what_it_sets(db: Db) {
    db.create_tables(&[Shipment::meta()]).await.unwrap();
    let created = Shipment::objects().acreate(&db, ShipmentIn::from(sample())).await.unwrap();
    // Read back, so that the decimal is the database's normalized one (12.5).
    let mut row = Shipment::objects().aget(&db, Shipment::id.eq(created.id)).await.unwrap();
    assert_eq!(row, Shipment { id: created.id, ..sample() });
    let patches = [
        (json!({"cost": "99.99"}), "cost"),
        (json!({"tracking": "67e55044-10b1-426f-9247-bb680e5fe0c8"}), "tracking"),
        (json!({"transit": "PT0S"}), "transit"),
        (json!({"delay": "P14D"}), "delay"),
        (json!({"delay": null}), "delay"),
        (json!({"origin": "2001:db8::ff"}), "origin"),
        (json!({"relay": null}), "relay"),
        (json!({"address": {"city": "Genève", "lines": []}}), "address"),
        (json!({"code": "gva"}), "code"),
        (json!({"link": null}), "link"),
        (json!({"priority": 10}), "priority"),
        (json!({"reference": null}), "reference"),
    ];
    for (body, field) in patches {
        // Another writer changes `priority` (or `code`) first: a patch that wrote every
        // column from a stale copy would undo it.
        let (other, other_value) =
            if field == "priority" { ("code", json!("other")) } else { ("priority", json!(7)) };
        let other_patch: ShipmentPatch = serde_json::from_value(json!({ other: other_value })).unwrap();
        let qs = Shipment::objects().filter(Shipment::id.eq(row.id));
        assert_eq!(qs.aupdate(&db, other_patch).await.unwrap(), 1);
        let mut expected = serde_json::to_value(ShipmentOut::from(&row)).unwrap();
        expected[other] = other_value;
        expected[field] = body[field].clone();
        if field == "link" {
            expected["link"] = json!(""); // blank: null means its default
        }
        let patch: ShipmentPatch = serde_json::from_value(body.clone()).unwrap();
        assert_eq!(row.apatch(&db, patch).await.unwrap(), 1, "{body}");
        let read = Shipment::objects().aget(&db, Shipment::id.eq(row.id)).await.unwrap();
        assert_eq!(serde_json::to_value(ShipmentOut::from(&read)).unwrap(), expected, "{body}");
        row = read;
    }
    // The validators hold for patches of every kind.
    let patch: ShipmentPatch =
        serde_json::from_value(json!({"cost": "0.00", "priority": 11, "code": "x", "reference": "ch1"}))
            .unwrap();
    let err = row.apatch(&db, patch).await.unwrap_err();
    let codes: Vec<(&str, &str)> =
        err.validation_errors().unwrap().iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert_eq!(
        codes,
        [("cost", "min_value"), ("code", "min_length"), ("priority", "max_value"), ("reference", "regex")]
    );
    assert_eq!(Shipment::objects().aget(&db, Shipment::id.eq(row.id)).await.unwrap(), row);
}
