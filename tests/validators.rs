//! Django's field validators (issue 13, point 3): `min_value`, `max_value`, `min_length`,
//! `url`, `slug`, `regex` and custom functions. Every write path that validates runs them
//! first, reports every violation together (field, code, message, as Django's
//! `ValidationError` dict) and writes nothing.

use std::str::FromStr;

use kata::prelude::*;
use kata::rust_decimal::Decimal;
use kata::{Error, ValidationError, ValidationErrors};

/// Django's `validators=[not_reserved]`: a plain message is code `invalid`. It takes the
/// field's own type, as a validator may.
#[allow(clippy::ptr_arg)]
fn not_reserved(name: &String) -> Result<(), String> {
    if ["admin", "root"].contains(&name.as_str()) { Err(format!("{name} is reserved")) } else { Ok(()) }
}

/// A validator of `&str` on a text field, returning a `&str` message.
fn no_spaces(text: &str) -> Result<(), &'static str> {
    if text.contains(' ') { Err("no spaces, please") } else { Ok(()) }
}

/// A validator with its own code and parameters, as `ValidationError(.., code=.., params=..)`.
fn even(n: &i64) -> Result<(), ValidationError> {
    if n % 2 == 0 {
        Ok(())
    } else {
        Err(ValidationError::new("even", format!("{n} is not even")).param("value", *n))
    }
}

// Clippy's `duplicated_attributes` misreads field names repeated across schemas.
#[allow(clippy::duplicated_attributes)]
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(ProductIn, exclude(id))]
#[model_schema(ProductPatch, exclude(id), optional = "__all__")]
pub struct Product {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 50, min_length = 3, slug)]
    pub slug: String,
    #[kata(max_length = 200, url)]
    pub homepage: String,
    #[kata(max_length = 20, regex = "^[A-Z]{3}-[0-9]+$")]
    pub sku: String,
    #[kata(min_value = 1, max_value = 100)]
    pub quantity: i64,
    #[kata(max_digits = 6, decimal_places = 2, min_value = "0.01", max_value = "9999.99")]
    pub price: Decimal,
    #[kata(min_value = 0, max_value = 5.0)]
    pub rating: Option<f64>,
    #[kata(max_length = 30, validators(not_reserved, no_spaces))]
    pub name: String,
    #[kata(validators(even))]
    pub pack: i64,
    #[kata(max_length = 20, blank, min_length = 2, validators(no_spaces))]
    pub note: String,
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn good() -> Product {
    Product {
        id: 0,
        slug: "blue-pen_2".into(),
        homepage: "https://example.com/pens?color=blue".into(),
        sku: "PEN-42".into(),
        quantity: 1,
        price: dec("0.01"),
        rating: Some(0.0),
        name: "pen".into(),
        pack: 2,
        note: String::new(),
    }
}

/// Breaks every rule once (two on `slug`).
fn bad() -> Product {
    Product {
        id: 0,
        slug: "a!".into(),
        homepage: "not a url".into(),
        sku: "pen-42".into(),
        quantity: 0,
        price: dec("0.00"),
        rating: Some(5.5),
        name: "admin".into(),
        pack: 3,
        note: "a b".into(),
    }
}

const ALL_CODES: [(&str, &str); 10] = [
    ("slug", "min_length"),
    ("slug", "slug"),
    ("homepage", "url"),
    ("sku", "regex"),
    ("quantity", "min_value"),
    ("price", "min_value"),
    ("rating", "max_value"),
    ("name", "invalid"),
    ("pack", "even"),
    ("note", "invalid"),
];

fn codes(errors: &ValidationErrors) -> Vec<(&str, &str)> {
    errors.iter().map(|e| (e.field.as_str(), e.code)).collect()
}

fn codes_of(err: &Error) -> Vec<(&str, &str)> {
    codes(err.validation_errors().unwrap_or_else(|| panic!("expected a validation error, got {err:?}")))
}

async fn count(db: &Db) -> i64 {
    Product::objects().acount(db).await.unwrap()
}

#[test]
fn every_violation_is_reported_with_field_code_message_and_params() {
    let errors = bad().validation_errors();
    assert_eq!(codes(&errors), ALL_CODES);
    let by = |field: &str, code: &str| errors.iter().find(|e| e.field == field && e.code == code).unwrap();
    assert_eq!(by("slug", "min_length").params["min_length"], 3);
    assert_eq!(by("slug", "min_length").message, "ensure this value has at least 3 characters (it has 2)");
    assert_eq!(by("quantity", "min_value").params["min_value"], 1);
    assert_eq!(by("quantity", "min_value").message, "ensure this value is greater than or equal to 1");
    assert_eq!(by("price", "min_value").message, "ensure this value is greater than or equal to 0.01");
    assert_eq!(by("rating", "max_value").params["max_value"], 5);
    assert_eq!(by("sku", "regex").params["pattern"], "^[A-Z]{3}-[0-9]+$");
    assert_eq!(by("name", "invalid").message, "admin is reserved");
    assert_eq!(by("pack", "even").params["value"], 3);
    assert_eq!(by("note", "invalid").message, "no spaces, please");
    // The same list as JSON, Django's `ValidationError.message_dict` in kata's shape.
    let json = serde_json::to_value(&errors).unwrap();
    assert_eq!(json[0]["field"], "slug");
    assert_eq!(json[0]["code"], "min_length");
    assert!(good().validate().is_ok());
}

#[test]
fn bounds_are_inclusive_and_null_and_blank_pass() {
    let mut p = good();
    (p.quantity, p.price, p.rating) = (100, dec("9999.99"), Some(5.0));
    assert!(p.validate().is_ok(), "{:?}", p.validation_errors());
    p.rating = None;
    assert!(p.validate().is_ok());
    p.quantity = 101;
    p.price = dec("10000.00"); // four whole digits at most too: both rules report
    let errors = p.validation_errors();
    assert_eq!(
        codes(&errors),
        [("quantity", "max_value"), ("price", "max_whole_digits"), ("price", "max_value")]
    );
    // `note` is blank: "" skips its rules (min_length, no_spaces); one character does not.
    let mut p = good();
    p.note = "x".into();
    assert_eq!(codes(&p.validation_errors()), [("note", "min_length")]);
}

#[test]
fn urls_and_slugs_as_django_reads_them() {
    for (url, ok) in [
        ("http://localhost:8000/admin/", true),
        ("ftp://files.example.org/a.txt", true),
        ("https://[2001:db8::1]/", true),
        ("https://example", false),
        ("mailto:ann@example.com", false),
        ("//example.com", false),
    ] {
        let p = Product { homepage: url.into(), ..good() };
        assert_eq!(p.validate().is_ok(), ok, "{url}");
    }
    for (slug, ok) in [("a-b_c", true), ("ABC123", true), ("with space", false), ("ünï", false)] {
        let p = Product { slug: slug.into(), ..good() };
        assert_eq!(p.validate().is_ok(), ok, "{slug}");
    }
}

#[kata::test]
async fn model_writes_refuse_every_violation_and_write_nothing(db: Db) {
    db.create_tables(&[Product::meta()]).await.unwrap();
    let mut row = bad();
    assert_eq!(codes_of(&row.asave(&db).await.unwrap_err()), ALL_CODES);
    assert_eq!(codes_of(&Product::objects().acreate(&db, bad()).await.unwrap_err()), ALL_CODES);
    let err = Product::objects().abulk_create(&db, vec![good(), bad()]).await.unwrap_err();
    let fields: Vec<&str> = err.validation_errors().unwrap().fields().collect();
    assert_eq!(fields.len(), ALL_CODES.len());
    assert!(fields.iter().all(|f| f.starts_with("[1].")), "{fields:?}");
    assert_eq!(count(&db).await, 0);

    // An update of a saved row: refused, the row left as it was.
    let mut saved = good();
    saved.asave(&db).await.unwrap();
    let mut changed = saved.clone();
    (changed.quantity, changed.sku) = (500, "nope".into());
    assert_eq!(
        codes_of(&changed.asave(&db).await.unwrap_err()),
        [("sku", "regex"), ("quantity", "max_value")]
    );
    let err = Product::objects().abulk_update(&db, &[changed], (Product::quantity,)).await.unwrap_err();
    assert_eq!(codes_of(&err), [("sku", "regex"), ("quantity", "max_value")]);
    assert_eq!(Product::objects().aget(&db, Product::id.eq(saved.id)).await.unwrap(), saved);
    assert_eq!(count(&db).await, 1);
}

#[kata::test]
async fn assignments_are_checked_by_every_validator_custom_ones_too(db: Db) {
    db.create_tables(&[Product::meta()]).await.unwrap();
    let mut saved = good();
    saved.asave(&db).await.unwrap();
    let err = Product::objects()
        .acreate(
            &db,
            [
                Product::slug.set("x y"),
                Product::homepage.set("example.com"),
                Product::sku.set("PEN"),
                Product::quantity.set(1000),
                Product::price.set(dec("-1")),
                Product::rating.set(Some(-0.5)),
                Product::name.set("root"),
                Product::pack.set(7),
                Product::note.set(""),
            ],
        )
        .await
        .unwrap_err();
    let expected = [
        ("slug", "slug"),
        ("homepage", "url"),
        ("sku", "regex"),
        ("quantity", "max_value"),
        ("price", "min_value"),
        ("rating", "min_value"),
        ("name", "invalid"),
        ("pack", "even"),
    ];
    assert_eq!(codes_of(&err), expected);
    let qs = Product::objects().filter(Product::id.eq(saved.id));
    let err = qs.aupdate(&db, [Product::name.set("has space"), Product::rating.set(None)]).await.unwrap_err();
    assert_eq!(codes_of(&err), [("name", "invalid")]);
    // F expressions are the database's to compute: not checked.
    qs.aupdate(&db, [Product::pack.set(F(Product::pack) + 2)]).await.unwrap();
    let err = Product::objects()
        .aupdate_or_create(&db, [Product::sku.set("PEN-42")], [Product::quantity.set(0)])
        .await
        .unwrap_err();
    assert_eq!(codes_of(&err), [("quantity", "min_value")]);
    let row = Product::objects().aget(&db, Product::id.eq(saved.id)).await.unwrap();
    assert_eq!(row, Product { pack: 4, ..saved });
    assert_eq!(count(&db).await, 1);
}

#[kata::test]
async fn schemas_check_the_same_validators_before_any_write(db: Db) {
    db.create_tables(&[Product::meta()]).await.unwrap();
    let body = serde_json::json!({
        "slug": "a!", "homepage": "not a url", "sku": "pen-42", "quantity": 0, "price": "0.00",
        "rating": 5.5, "name": "admin", "pack": 3, "note": "a b"
    });
    assert_eq!(codes_of(&ProductIn::from_json(body.clone()).unwrap_err()), ALL_CODES);
    let input: ProductIn = serde_json::from_value(body).unwrap();
    assert_eq!(codes_of(&Product::objects().acreate(&db, input).await.unwrap_err()), ALL_CODES);
    assert_eq!(count(&db).await, 0);

    let mut saved = Product::objects().acreate(&db, ProductIn::from(good())).await.unwrap();
    let patch: ProductPatch =
        serde_json::from_value(serde_json::json!({"quantity": 0, "name": "root", "rating": null})).unwrap();
    assert_eq!(codes_of(&patch.validate().unwrap_err()), [("quantity", "min_value"), ("name", "invalid")]);
    let before = saved.clone();
    assert!(saved.apatch(&db, patch.clone()).await.is_err());
    assert!(Product::objects().filter(Product::id.eq(saved.id)).aupdate(&db, patch).await.is_err());
    assert_eq!(Product::objects().aget(&db, Product::id.eq(saved.id)).await.unwrap(), before);
    // A valid patch writes only what it sets.
    let patch: ProductPatch =
        serde_json::from_value(serde_json::json!({"quantity": 50, "rating": null})).unwrap();
    assert_eq!(saved.apatch(&db, patch).await.unwrap(), 1);
    let row = Product::objects().aget(&db, Product::id.eq(saved.id)).await.unwrap();
    assert_eq!(row, Product { quantity: 50, rating: None, ..before });
}

/// Django's `SlugField(allow_unicode=True)` and `RegexValidator(regex, message, code,
/// inverse_match)`.
#[derive(Model, ModelSchema, Debug, Clone, PartialEq)]
#[model_schema(ArticleIn, exclude(id))]
pub struct Article {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 50, slug(allow_unicode))]
    pub slug: String,
    #[kata(
        max_length = 50,
        regex(pattern = "[A-Z]", inverse_match, message = "lower case only", code = "lower")
    )]
    pub path: String,
    #[kata(max_length = 50, regex(pattern = "^[a-z]+$", code = "letters"))]
    pub tag: String,
}

fn article(slug: &str, path: &str, tag: &str) -> Article {
    Article { id: 0, slug: slug.into(), path: path.into(), tag: tag.into() }
}

#[kata::test]
async fn unicode_slugs_and_regex_validators_with_django_arguments(db: Db) {
    db.create_tables(&[Article::meta()]).await.unwrap();
    let mut good = article("日本語-スラッグ_1", "/home", "abc");
    good.asave(&db).await.unwrap();
    let mut bad = article("a b!", "/Home", "ABC");
    let err = bad.asave(&db).await.unwrap_err();
    assert_eq!(codes_of(&err), [("slug", "slug"), ("path", "lower"), ("tag", "letters")]);
    let messages: Vec<&str> = err.validation_errors().unwrap().iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages[1], "lower case only");
    assert!(messages[2].contains("^[a-z]+$"), "{}", messages[2]);
    // An ASCII-only slug is still a Unicode slug; an empty one is not.
    assert!(article("plain-slug", "/", "a").validation_errors().is_empty());
    assert_eq!(codes(&article("", "/", "a").validation_errors()), [("slug", "slug")]);
    assert_eq!(Article::objects().acount(&db).await.unwrap(), 1);

    // The JSON Schema states each rule: the Unicode slug's pattern, a pattern the value must
    // not match, and a plain pattern.
    let schema = serde_json::to_value(kata::schemars::schema_for!(ArticleIn)).unwrap();
    let props = &schema["properties"];
    assert_eq!(props["slug"]["pattern"], r"^[-\p{L}\p{N}_]+$");
    assert_eq!(props["path"]["allOf"], serde_json::json!([{"not": {"pattern": "[A-Z]"}}]));
    assert!(props["path"].get("pattern").is_none());
    assert_eq!(props["tag"]["pattern"], "^[a-z]+$");
    let input = serde_json::json!({"slug": "ok", "path": "/X", "tag": "ok"});
    assert_eq!(codes_of(&ArticleIn::from_json(input).unwrap_err()), [("path", "lower")]);
}
