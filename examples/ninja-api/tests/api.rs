//! Every endpoint of the tutorial's API through the in-process test client, on every
//! configured backend: status codes and bodies.

use std::sync::Arc;

use kata::prelude::*;
use kata_axum::TestClient;
use ninja_api::models::{Group, Order, OrderItem, Post, Product, Profile, User};
use ninja_api::{AppState, app, password, prepare, token};
use serde_json::{Value, json};

const SECRET: &[u8] = b"test secret";

async fn client(db: &Db) -> TestClient {
    prepare(db).await.unwrap();
    TestClient::new(app(AppState { db: db.clone(), secret: Arc::from(SECRET) }))
}

async fn user(db: &Db, username: &str, email: &str) -> User {
    User::objects().acreate(db, [User::username.set(username), User::email.set(email)]).await.unwrap()
}

fn user_json(u: &User) -> Value {
    json!({"id": u.id, "username": u.username, "email": u.email, "first_name": u.first_name, "last_name": u.last_name})
}

#[kata::test]
async fn hello_add_and_say_async(db: Db) {
    let c = client(&db).await;
    let hello = c.get("/api/hello").await;
    assert_eq!((hello.status().as_u16(), hello.json()), (200, json!("Hello world")));
    assert_eq!(c.get("/api/add?a=2&b=40").await.json(), json!({"result": 42}));

    let bad = c.get("/api/add?a=two").await;
    assert_eq!(bad.status(), 422);
    assert_eq!(
        bad.json(),
        json!({"detail": [
            {"type": "int_parsing", "loc": ["query", "a"],
             "msg": "Input should be a valid integer, unable to parse string as an integer"},
            {"type": "missing", "loc": ["query", "b"], "msg": "Field required"},
        ]})
    );
    assert_eq!(
        c.get(&format!("/api/add?a={}&b=1", i64::MAX)).await.status(),
        422,
        "overflow is bad input, not a 500"
    );

    let started = std::time::Instant::now();
    let said = c.get("/api/say-async?delay=0.05&word=hi").await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(50));
    assert_eq!(said.json(), json!({"saying": "hi"}));
    let negative = c.get("/api/say-async?delay=-1&word=hi").await;
    assert_eq!(negative.status(), 422);
    assert_eq!(negative.json()["detail"][0]["ctx"], json!({"ge": 0}));
    assert_eq!(c.get("/api/say-async?delay=soon&word=hi").await.json()["detail"][0]["type"], "float_parsing");
}

#[kata::test]
async fn users_get_list_create(db: Db) {
    let c = client(&db).await;
    let ann = user(&db, "ann", "ann@example.com").await;
    let bob = user(&db, "bob", "bob@example.com").await;

    let got = c.get(&format!("/api/users/{}", ann.id)).await;
    assert_eq!((got.status().as_u16(), got.json()), (200, user_json(&ann)));
    let missing = c.get("/api/users/999999").await;
    assert_eq!((missing.status().as_u16(), missing.json()), (404, json!({"error": "User not found"})));
    let bad_id = c.get("/api/users/abc").await;
    assert_eq!(bad_id.status(), 422);
    assert_eq!(bad_id.json()["detail"][0]["loc"], json!(["path", "id"]));
    assert_eq!(c.get("/api/users/99999999999").await.status(), 422, "an id past i32 is bad input");

    assert_eq!(c.get("/api/users").await.json(), json!([user_json(&ann), user_json(&bob)]));

    let created = c.post("/api/users").json(&json!({"username": "cy", "email": "cy@example.com"})).await;
    assert_eq!(created.status(), 200);
    let body = created.json();
    assert_eq!(body["username"], "cy");
    assert_eq!((body["first_name"].clone(), body["last_name"].clone()), (json!(""), json!("")));
    let cy = User::objects().aget(&db, User::username.eq("cy")).await.unwrap();
    assert_eq!(body["id"], json!(cy.id));

    let duplicate = c.post("/api/users").json(&json!({"username": "cy"})).await;
    assert_eq!(duplicate.status(), 409, "{}", duplicate.text());
    let text = duplicate.text();
    assert!(
        !text.to_lowercase().contains("insert") && !text.contains("auth_user"),
        "no SQL or table in {text}"
    );
}

#[kata::test]
async fn create_user_bad_bodies_are_422_in_ninjas_shape(db: Db) {
    let c = client(&db).await;
    let long = "x".repeat(151);
    let bad = c.post("/api/users").json(&json!({"username": long, "nickname": "x", "email": 3})).await;
    assert_eq!(bad.status(), 422);
    assert_eq!(
        bad.json(),
        json!({"detail": [
            {"type": "string_type", "loc": ["body", "email"], "msg": "Input should be a valid string"},
            {"type": "string_too_long", "loc": ["body", "username"],
             "msg": "String should have at most 150 characters", "ctx": {"max_length": 150}},
            {"type": "extra_forbidden", "loc": ["body", "nickname"], "msg": "Extra inputs are not permitted"},
        ]})
    );
    let missing = c.post("/api/users").json(&json!({"email": "a@b.co"})).await;
    assert_eq!(
        missing.json()["detail"],
        json!([{"type": "missing", "loc": ["body", "username"], "msg": "Field required"}])
    );
    let not_json = c.post("/api/users").body("{nope").await;
    assert_eq!(not_json.status(), 422);
    assert_eq!(not_json.json()["detail"][0]["type"], "json_invalid");
    let not_email = c.post("/api/users").json(&json!({"username": "dee", "email": "not-an-email"})).await;
    assert_eq!(not_email.status(), 422);
    assert_eq!(not_email.json()["detail"][0]["loc"], json!(["body", "email"]));
    assert_eq!(User::objects().acount(&db).await.unwrap(), 0, "nothing was written");
}

#[kata::test]
async fn patch_and_delete_users(db: Db) {
    let c = client(&db).await;
    let ann = user(&db, "ann", "ann@example.com").await;
    user(&db, "bob", "bob@example.com").await;

    let patched = c.patch(&format!("/api/users/{}", ann.id)).json(&json!({"first_name": "Ann"})).await;
    assert_eq!(patched.status(), 200);
    assert_eq!(patched.json()["first_name"], "Ann");
    assert_eq!(patched.json()["email"], "ann@example.com", "fields not sent stay");
    let stored = User::objects().aget(&db, User::pk.eq(ann.id)).await.unwrap();
    assert_eq!((stored.first_name.as_str(), stored.username.as_str()), ("Ann", "ann"));

    let taken = c.patch(&format!("/api/users/{}", ann.id)).json(&json!({"username": "bob"})).await;
    assert_eq!(taken.status(), 409);
    assert_eq!(c.patch("/api/users/999999").json(&json!({"first_name": "x"})).await.status(), 404);
    let too_long =
        c.patch(&format!("/api/users/{}", ann.id)).json(&json!({"last_name": "y".repeat(151)})).await;
    assert_eq!(too_long.status(), 422);

    let group = Group::objects().acreate(&db, [Group::name.set("staff")]).await.unwrap();
    ann.groups.aadd(&db, &group).await.unwrap();
    let deleted = c.delete(&format!("/api/users/{}", ann.id)).await;
    assert_eq!((deleted.status().as_u16(), deleted.json()), (200, json!({"success": true})));
    assert!(!User::objects().filter(User::pk.eq(ann.id)).aexists(&db).await.unwrap());
    let again = c.delete(&format!("/api/users/{}", ann.id)).await;
    assert_eq!((again.status().as_u16(), again.json()), (404, json!({"error": "User not found"})));
}

#[kata::test]
async fn groups_are_added_and_removed(db: Db) {
    let c = client(&db).await;
    let ann = user(&db, "ann", "ann@example.com").await;
    let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await.unwrap();

    let added = c.post(&format!("/api/users/{}/groups?group_id={}", ann.id, staff.id)).await;
    assert_eq!((added.status().as_u16(), added.json()), (200, json!({"success": true})));
    assert_eq!(ann.groups.acount(&db).await.unwrap(), 1);

    let no_user = c.post(&format!("/api/users/999999/groups?group_id={}", staff.id)).await;
    assert_eq!((no_user.status().as_u16(), no_user.json()), (404, json!({"error": "User not found"})));
    let no_group = c.post(&format!("/api/users/{}/groups?group_id=999999", ann.id)).await;
    assert_eq!((no_group.status().as_u16(), no_group.json()), (404, json!({"error": "Group not found"})));
    let no_param = c.post(&format!("/api/users/{}/groups", ann.id)).await;
    assert_eq!(no_param.json()["detail"][0]["loc"], json!(["query", "group_id"]));

    let removed = c.delete(&format!("/api/users/{}/groups/{}", ann.id, staff.id)).await;
    assert_eq!((removed.status().as_u16(), removed.json()), (200, json!({"success": true})));
    assert_eq!(ann.groups.acount(&db).await.unwrap(), 0);
    let gone_group = c.delete(&format!("/api/users/{}/groups/999999", ann.id)).await;
    assert_eq!((gone_group.status().as_u16(), gone_group.json()), (404, json!({"error": "Group not found"})));
    let gone_user = c.delete(&format!("/api/users/999999/groups/{}", staff.id)).await;
    assert_eq!(gone_user.json(), json!({"error": "User not found"}));
}

#[kata::test]
async fn versioned_user_lists(db: Db) {
    let c = client(&db).await;
    let mut users = Vec::new();
    for i in 0..25 {
        users.push(user(&db, &format!("user{i:02}"), &format!("u{i}@example.com")).await);
    }
    let v1 = c.get("/api/v1/users").await.json();
    assert_eq!(v1["version"], "1.0");
    assert_eq!(v1["users"].as_array().unwrap().len(), 25);
    assert_eq!(v1["users"][0], user_json(&users[0]));

    let page = c.get("/api/v2/users?page=3&size=10").await;
    assert_eq!(page.status(), 200);
    assert_eq!(
        page.json(),
        json!({"version": "2.0", "users": users[20..].iter().map(user_json).collect::<Vec<_>>(),
               "pagination": {"page": 3, "size": 10, "total": 25, "has_next": false}})
    );
    let first = c.get("/api/v2/users").await.json();
    assert_eq!(first["pagination"], json!({"page": 1, "size": 10, "total": 25, "has_next": true}));
    let past = c.get("/api/v2/users?page=9").await.json();
    assert_eq!((past["users"].clone(), past["pagination"]["has_next"].clone()), (json!([]), json!(false)));

    for (query, loc, kind) in [
        ("page=0", "page", "greater_than_equal"),
        ("page=-1", "page", "greater_than_equal"),
        ("size=0", "size", "greater_than_equal"),
        ("size=101", "size", "less_than_equal"),
        ("page=x", "page", "int_parsing"),
    ] {
        let bad = c.get(&format!("/api/v2/users?{query}")).await;
        assert_eq!(bad.status(), 422, "{query}");
        assert_eq!(bad.json()["detail"][0]["loc"], json!(["query", loc]), "{query}");
        assert_eq!(bad.json()["detail"][0]["type"], kind, "{query}");
    }
    assert_eq!(c.get("/api/v2/users?size=101").await.json()["detail"][0]["ctx"], json!({"le": 100}));
}

#[kata::test]
async fn order_item_by_composite_key(db: Db) {
    let c = client(&db).await;
    let order = Order::objects().acreate(&db, Vec::new()).await.unwrap();
    let product = Product::objects().acreate(&db, [Product::name.set("pen")]).await.unwrap();
    OrderItem::objects()
        .acreate(
            &db,
            [OrderItem::order.set(&order), OrderItem::product.set(&product), OrderItem::quantity.set(3)],
        )
        .await
        .unwrap();
    let found = c.get(&format!("/api/order-items/{}/{}", order.id, product.id)).await;
    assert_eq!(found.json(), json!({"order_id": order.id, "product_id": product.id, "quantity": 3}));
    let missing = c.get(&format!("/api/order-items/{}/999999", order.id)).await;
    assert_eq!((missing.status().as_u16(), missing.json()), (404, json!({"error": "Order item not found"})));
}

#[kata::test]
async fn bulk_create_is_all_or_nothing(db: Db) {
    let c = client(&db).await;
    let created = c
        .post("/api/bulk-create")
        .json(&json!([{"username": "a1", "email": "a1@example.com"}, {"username": "a2", "email": "a2@example.com"}]))
        .await;
    assert_eq!((created.status().as_u16(), created.json()), (200, json!({"created": 2, "success": true})));
    let clash = c
        .post("/api/bulk-create")
        .json(&json!([{"username": "a3", "email": "a3@example.com"}, {"username": "a1", "email": "x@example.com"}]))
        .await;
    assert_eq!(clash.status(), 409);
    assert_eq!(User::objects().acount(&db).await.unwrap(), 2, "the failed batch left nothing behind");
    let bad = c.post("/api/bulk-create").json(&json!([{"username": "a4"}])).await;
    assert_eq!(bad.json()["detail"][0]["loc"], json!(["body", 0, "email"]));
}

#[kata::test]
async fn optimized_users_and_combined_data(db: Db) {
    let c = client(&db).await;
    let ann = user(&db, "ann", "ann@example.com").await;
    let bob = user(&db, "bob", "bob@example.com").await;
    let staff = Group::objects().acreate(&db, [Group::name.set("staff")]).await.unwrap();
    ann.groups.aadd(&db, &staff).await.unwrap();
    Profile::objects()
        .acreate(&db, [Profile::user.set(&ann), Profile::bio.set("Writes Rust.")])
        .await
        .unwrap();
    let mut posts = Vec::new();
    for (title, published) in [("one", true), ("two", false)] {
        posts.push(
            Post::objects()
                .acreate(
                    &db,
                    [Post::author.set(&ann), Post::title.set(title), Post::published.set(published)],
                )
                .await
                .unwrap(),
        );
    }
    let optimized = c.get("/api/optimized-users").await.json();
    assert_eq!(
        optimized,
        json!([
            {"id": ann.id, "username": "ann", "email": "ann@example.com", "profile": "Writes Rust.",
             "groups_count": 1, "published_posts_count": 1},
            {"id": bob.id, "username": "bob", "email": "bob@example.com", "profile": null,
             "groups_count": 0, "published_posts_count": 0},
        ])
    );
    let combined = c.get(&format!("/api/combined-data/{}", ann.id)).await.json();
    assert_eq!(
        combined,
        json!({"user": user_json(&ann),
               "posts": posts.iter().map(|p| json!({"id": p.id, "author_id": ann.id, "title": p.title, "published": p.published})).collect::<Vec<_>>(),
               "external": {}})
    );
    let missing = c.get("/api/combined-data/999999").await;
    assert_eq!((missing.status().as_u16(), missing.json()), (404, json!({"error": "User not found"})));
}

#[kata::test]
async fn login_and_profile(db: Db) {
    let c = client(&db).await;
    // A hash as Django writes it (`make_password("secret")`, 1,000 iterations to keep tests quick).
    let django_hash = "pbkdf2_sha256$1000$abc$ezAwPW/wuspSU83Z4aU2LP5+de/RqK3RFrreZbJFqEM=";
    let ann = User::objects()
        .acreate(
            &db,
            [User::username.set("ann"), User::email.set("ann@example.com"), User::password.set(django_hash)],
        )
        .await
        .unwrap();
    let new_hash = password::make_password("pw2", 1000).unwrap();
    User::objects().acreate(&db, [User::username.set("bob"), User::password.set(new_hash)]).await.unwrap();

    let login = c.post("/api/login").json(&json!({"username": "ann", "password": "secret"})).await;
    assert_eq!(login.status(), 200);
    let token = login.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(token::decode(SECRET, &token, 0), Some(ann.id));
    assert_eq!(c.post("/api/login").json(&json!({"username": "bob", "password": "pw2"})).await.status(), 200);

    for (username, pw) in [("ann", "wrong"), ("nobody", "secret")] {
        let refused = c.post("/api/login").json(&json!({"username": username, "password": pw})).await;
        assert_eq!(
            (refused.status().as_u16(), refused.json()),
            (401, json!({"error": "Invalid credentials"}))
        );
    }

    let profile = c.get("/api/profile").bearer(&token).await;
    assert_eq!(
        (profile.status().as_u16(), profile.json()),
        (200, json!({"id": ann.id, "username": "ann", "email": "ann@example.com"}))
    );
    let anonymous = c.get("/api/profile").await;
    assert_eq!((anonymous.status().as_u16(), anonymous.json()), (401, json!({"error": "Unauthorized"})));
    assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"), "the renderer keeps the headers");
    assert_eq!(c.get("/api/profile").bearer("not-a-token").await.status(), 401);
    let forged = token::encode(b"another secret", ann.id, i64::MAX);
    assert_eq!(c.get("/api/profile").bearer(&forged).await.status(), 401);
    let expired = token::encode(SECRET, ann.id, 1);
    assert_eq!(c.get("/api/profile").bearer(&expired).await.status(), 401);
    assert_eq!(c.get("/api/profile").header("authorization", &format!("Basic {token}")).await.status(), 401);
}

#[kata::test]
async fn openapi_document_and_offline_docs(db: Db) {
    let c = client(&db).await;
    let doc = c.get("/api/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path} has its doc comment"
            );
        }
    }
    assert_eq!(operations, 18);
    let get_user = &doc["paths"]["/api/users/{id}"]["get"];
    assert_eq!(get_user["parameters"][0]["name"], "id");
    assert_eq!(get_user["parameters"][0]["in"], "path");
    assert_eq!(
        get_user["responses"]["404"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody",
        "the custom error's body, not the default one"
    );
    assert_eq!(
        get_user["responses"]["422"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/HTTPValidationError"
    );
    let create = &doc["paths"]["/api/users"]["post"];
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/UserIn"
    );
    assert_eq!(doc["components"]["schemas"]["UserIn"]["properties"]["username"]["maxLength"], 150);
    assert_eq!(doc["paths"]["/api/profile"]["get"]["security"], json!([{"BearerAuth": []}]));
    assert_eq!(
        doc["components"]["schemas"]["Message"]["$ref"], "#/components/schemas/ErrorBody",
        "the renderer's body"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["BearerAuth"],
        json!({"type": "http", "scheme": "bearer"})
    );
    let v2 = &doc["paths"]["/api/v2/users"]["get"]["parameters"];
    assert!(v2.as_array().unwrap().iter().any(|p| p["name"] == "size" && p["schema"]["maximum"] == 100));

    let docs = c.get("/api/docs").await;
    assert_eq!(docs.status(), 200);
    let html = docs.text();
    assert!(html.contains("/api/docs/swagger-ui-bundle.js") && !html.contains("http"), "no CDN: {html}");
    assert!(c.get("/api/docs/swagger-ui-bundle.js").await.bytes().len() > 100_000);
    assert!(c.get("/api/docs/swagger-ui.css").await.bytes().len() > 10_000);
    let redoc = c.get("/api/redoc").await.text();
    assert!(redoc.contains("/api/redoc/redoc.standalone.js") && !redoc.contains("http"));
    assert!(c.get("/api/redoc/redoc.standalone.js").await.bytes().len() > 100_000);
}

#[kata::test]
async fn no_bad_input_gets_a_500(db: Db) {
    let c = client(&db).await;
    let ann = user(&db, "ann", "ann@example.com").await;
    let id = ann.id;
    let gets = [
        "/api/add?a=1&b=".to_owned(),
        "/api/add?a=9223372036854775807&b=9223372036854775807".into(),
        "/api/add?a=-9223372036854775808&b=-1".into(),
        "/api/add?a=1e3&b=2".into(),
        "/api/say-async?delay=NaN&word=x".into(),
        "/api/say-async?delay=1e308&word=x".into(),
        "/api/say-async?word=x".into(),
        "/api/users/-1".into(),
        "/api/users/%FF".into(),
        "/api/users/2147483648".into(),
        "/api/v2/users?page=18446744073709551615&size=100".into(),
        "/api/v2/users?page=18446744073709551616".into(),
        "/api/v2/users?size=1.5".into(),
        "/api/order-items/x/1".into(),
        "/api/order-items/1/99999999999".into(),
        "/api/combined-data/abc".into(),
    ];
    for uri in &gets {
        let r = c.get(uri).await;
        assert!(r.status().is_client_error() || r.status().is_success(), "GET {uri}: {}", r.status());
    }
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let bodies = [
        ("/api/users", "".to_owned()),
        ("/api/users", "null".into()),
        ("/api/users", "[]".into()),
        ("/api/users", r#"{"username": null}"#.into()),
        ("/api/users", r#"{"username": ["a"]}"#.into()),
        ("/api/users", r#"{"username": "ok", "email": "a@b"}"#.into()),
        ("/api/users", deep.clone()),
        ("/api/bulk-create", "{}".into()),
        ("/api/bulk-create", r#"[{"username": "x", "email": "x@example.com", "is_staff": true}]"#.into()),
        ("/api/login", r#"{"username": "ann"}"#.into()),
        ("/api/login", format!(r#"{{"username": "ann", "password": "{}"}}"#, "p".repeat(5000))),
    ];
    for (uri, body) in &bodies {
        let r = c.post(uri).header("content-type", "application/json").body(body.clone()).await;
        assert!(r.status().is_client_error(), "POST {uri} {:.60}: {}", body, r.status());
    }
    let patches = [r#"{"username": null}"#, r#"{"id": 5}"#, r#"{"email": 7}"#];
    for body in patches {
        let r =
            c.patch(&format!("/api/users/{id}")).header("content-type", "application/json").body(body).await;
        assert!(r.status().is_client_error(), "PATCH {body}: {}", r.status());
    }
    assert_eq!(
        User::objects().aget(&db, User::pk.eq(id)).await.unwrap(),
        ann,
        "no bad input changed the user"
    );
}
