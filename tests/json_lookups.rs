//! Django's JSONField lookups (issue 13, point 2), with the expected results of Django's
//! `tests/model_fields/test_jsonfield.py` (`TestQuerying`) on every backend: key and index
//! paths, `has_key`/`has_keys`/`has_any_keys`, `contains`/`contained_by` (refused on
//! SQLite, as Django refuses them), `isnull` on a key, `exclude`, ordering, `KT` text lookups
//! and keys holding quotes, dots, `$` and Unicode.

use kata::prelude::*;
use kata::serde_json::{Value, json};
use kata::{Backend, ConfigError, Error};

/// Django's `NullableJSONModel`.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct NullableJson {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub value: Option<Value>,
}

/// Django's `setUpTestData` values, then its primitives (every backend here stores them).
fn values() -> Vec<Option<Value>> {
    let mut values = vec![
        None,
        Some(json!([])),
        Some(json!({})),
        Some(json!({"a": "b", "c": 14})),
        Some(json!({
            "a": "b",
            "c": 14,
            "d": ["e", {"f": "g"}],
            "h": true,
            "i": false,
            "j": null,
            "k": {"l": "m"},
            "n": [null, true, false],
            "o": "\"quoted\"",
            "p": 4.2,
            "r": {"s": true, "t": false},
        })),
        Some(json!([1, [2]])),
        Some(json!({"k": true, "l": false, "foo": "bax"})),
        Some(json!({
            "foo": "bar",
            "baz": {"a": "b", "c": "d"},
            "bar": ["foo", "bar"],
            "bax": {"foo": "bar"},
        })),
    ];
    values.extend([json!(true), json!(false), json!("yes"), json!(7), json!(9.6)].map(Some));
    values
}

/// The rows, in creation order: `objs[i]` is the id of Django's `self.objs[i]`.
async fn objs(db: &Db) -> Vec<i64> {
    db.create_tables(&[NullableJson::meta()]).await.unwrap();
    let mut ids = Vec::new();
    for value in values() {
        ids.push(NullableJson::objects().acreate(db, [NullableJson::value.set(value)]).await.unwrap().id);
    }
    ids
}

/// The positions (in `objs`) of the rows matching `q`, in creation order.
async fn matching(db: &Db, objs: &[i64], q: Q<NullableJson>) -> Vec<usize> {
    let qs = NullableJson::objects().filter(q).order_by([NullableJson::id.asc()]);
    let ids = qs.values_list(NullableJson::id).alist(db).await.unwrap();
    ids.iter().map(|id| objs.iter().position(|o| o == id).unwrap()).collect()
}

/// Rows of `exclude(q)`.
async fn excluding(db: &Db, objs: &[i64], q: Q<NullableJson>) -> Vec<usize> {
    matching(db, objs, !q).await
}

const V: kata::Field<NullableJson, Option<Value>> = NullableJson::value;

#[kata::test]
async fn key_and_index_paths_compare_with_json_values(db: Db) {
    let objs = objs(&db).await;
    // test_shallow_obj_lookup, test_deep_lookup_objs, test_shallow_lookup_obj_target
    assert_eq!(matching(&db, &objs, V.key("a").eq("b")).await, [3, 4]);
    assert_eq!(matching(&db, &objs, V.key("k").key("l").eq("m")).await, [4]);
    assert_eq!(matching(&db, &objs, V.key("k").eq(json!({"l": "m"}))).await, [4]);
    // test_shallow_list_lookup, test_deep_lookup_array, test_deep_lookup_mixed
    assert_eq!(matching(&db, &objs, V.nth(0).eq(1)).await, [5]);
    assert_eq!(matching(&db, &objs, V.nth(1).index(0).eq(2)).await, [5]);
    assert_eq!(matching(&db, &objs, V.key("d").index(1).key("f").eq("g")).await, [4]);
    // test_none_key, test_key_quoted_string, test_none_key_and_exact_lookup
    assert_eq!(matching(&db, &objs, V.key("j").eq(Value::Null)).await, [4]);
    assert_eq!(matching(&db, &objs, V.key("o").eq("\"quoted\"")).await, [4]);
    assert_eq!(matching(&db, &objs, V.key("a").eq("b") & V.key("j").eq(Value::Null)).await, [4]);
    // Booleans, and a JSON type is part of the value: the text "true" is not `true`.
    assert_eq!(matching(&db, &objs, V.key("h").eq(true) & V.key("i").eq(false)).await, [4]);
    assert_eq!(matching(&db, &objs, V.key("k").eq(true)).await, [6]);
    assert_eq!(matching(&db, &objs, V.key("c").eq("14")).await, Vec::<usize>::new());
    // test_usage_in_subquery's condition
    assert_eq!(matching(&db, &objs, V.key("c").eq(14)).await, [3, 4]);
}

#[kata::test]
async fn key_in_and_order_comparisons(db: Db) {
    let objs = objs(&db).await;
    // test_key_in
    let cases: Vec<(Q<NullableJson>, Vec<usize>)> = vec![
        (V.key("c").is_in([14]), vec![3, 4]),
        (V.key("c").is_in([14, 15]), vec![3, 4]),
        (V.nth(0).is_in([1]), vec![5]),
        (V.nth(0).is_in([1, 3]), vec![5]),
        (V.key("foo").is_in(["bar"]), vec![7]),
        (V.key("foo").is_in(["bar", "baz"]), vec![7]),
        (V.key("bar").is_in([json!(["foo", "bar"])]), vec![7]),
        (V.key("bar").is_in([json!(["foo", "bar"]), json!(["a"])]), vec![7]),
        (V.key("bax").is_in([json!({"foo": "bar"}), json!({"a": "b"})]), vec![7]),
        (V.key("h").is_in([json!(true), json!("foo")]), vec![4]),
        (V.key("i").is_in([json!(false), json!("foo")]), vec![4]),
        (V.key("c").is_in(Vec::<Value>::new()), vec![]),
    ];
    for (q, expected) in cases {
        let debug = format!("{q:?}");
        assert_eq!(matching(&db, &objs, q).await, expected, "{debug}");
    }
    // test_deep_lookup_transform
    assert_eq!(matching(&db, &objs, V.key("c").gt(2)).await, [3, 4]);
    assert_eq!(matching(&db, &objs, V.key("c").gt(2.33)).await, [3, 4]);
    assert_eq!(matching(&db, &objs, V.key("c").lt(5)).await, Vec::<usize>::new());
    assert_eq!(matching(&db, &objs, V.key("c").gte(14) & V.key("c").lte(14)).await, [3, 4]);
    assert_eq!(matching(&db, &objs, V.key("p").lt(4.5)).await, [4]);
    assert_eq!(matching(&db, &objs, V.key("foo").gte("bas")).await, [6]);
}

#[kata::test]
async fn key_isnull_is_has_key(db: Db) {
    let objs = objs(&db).await;
    let all: Vec<usize> = (0..objs.len()).collect();
    let but = |skip: &[usize]| all.iter().copied().filter(|i| !skip.contains(i)).collect::<Vec<_>>();
    // test_isnull, test_isnull_key
    assert_eq!(matching(&db, &objs, V.isnull(true)).await, [0]);
    assert_eq!(matching(&db, &objs, V.key("a").isnull(true)).await, but(&[3, 4]));
    assert_eq!(matching(&db, &objs, V.key("j").isnull(true)).await, but(&[4]));
    assert_eq!(matching(&db, &objs, V.key("a").isnull(false)).await, [3, 4]);
    assert_eq!(matching(&db, &objs, V.key("j").isnull(false)).await, [4]);
    assert_eq!(matching(&db, &objs, V.key("d").index(0).isnull(false)).await, [4]);
    // test_isnull_key_or_none
    let a_null = NullableJson::objects().acreate(&db, [V.set(Some(json!({"a": null})))]).await.unwrap();
    let mut objs = objs;
    objs.push(a_null.id);
    let mut expected = but(&[3, 4]);
    expected.push(objs.len() - 1);
    assert_eq!(matching(&db, &objs, V.key("a").isnull(true) | V.key("a").eq(Value::Null)).await, expected);
}

#[kata::test]
async fn exclude_leaves_out_documents_without_the_key(db: Db) {
    let mut objs = objs(&db).await;
    let foo = || V.key("foo").eq("bax");
    // test_lookup_exclude: exclude() and filter(~q) alike
    assert_eq!(excluding(&db, &objs, V.key("a").eq("b")).await, [0]);
    assert_eq!(excluding(&db, &objs, foo()).await, [0, 7]);
    // test_lookup_exclude_nonexistent_key
    assert_eq!(excluding(&db, &objs, !foo()).await, [6]);
    assert_eq!(matching(&db, &objs, foo() | !foo()).await, [0, 6, 7]);
    assert_eq!(excluding(&db, &objs, foo() & !foo()).await, [0, 6, 7]);
    let exhaustive: Vec<usize> = (0..objs.len()).filter(|i| *i != 6).collect();
    assert_eq!(excluding(&db, &objs, foo() & V.key("foo").isnull(false)).await, exhaustive);
    assert_eq!(matching(&db, &objs, foo() & V.key("foo").isnull(false)).await, [6]);
    let excluded = NullableJson::objects().exclude(foo()).order_by([NullableJson::id.asc()]);
    assert_eq!(excluded.values_list(NullableJson::id).alist(&db).await.unwrap(), [objs[0], objs[7]]);
    // test_none_key_exclude: a comparison with JSON null leaves out NULL documents too.
    let j_one = NullableJson::objects().acreate(&db, [V.set(Some(json!({"j": 1})))]).await.unwrap();
    objs.push(j_one.id);
    assert_eq!(excluding(&db, &objs, V.key("j").eq(Value::Null)).await, [objs.len() - 1]);
    // Comparisons in order and `in` lists are guarded the same way.
    assert_eq!(excluding(&db, &objs, V.key("c").gt(2)).await, [0]);
    assert_eq!(excluding(&db, &objs, V.key("foo").is_in(["bar"])).await, [0, 6]);
    // KT text lookups too: `exclude(value__foo__icontains="BA")` keeps only the NULL document.
    assert_eq!(excluding(&db, &objs, V.key("foo").text().icontains("BA")).await, [0]);
    assert_eq!(excluding(&db, &objs, V.key("foo").text().icontains("Z")).await, [0, 6, 7]);
    assert_eq!(excluding(&db, &objs, V.key("foo").text().startswith("bar")).await, [0, 6]);
    assert_eq!(excluding(&db, &objs, V.key("foo").text().eq("bax")).await, [0, 7]);
}

#[kata::test]
async fn has_key_has_keys_and_has_any_keys(db: Db) {
    let objs = objs(&db).await;
    // test_has_key, test_has_key_null_value, test_has_keys, test_has_any_keys
    assert_eq!(matching(&db, &objs, V.has_key("a")).await, [3, 4]);
    assert_eq!(matching(&db, &objs, V.has_key("j")).await, [4]);
    assert_eq!(matching(&db, &objs, V.has_keys(["a", "c", "h"])).await, [4]);
    assert_eq!(matching(&db, &objs, V.has_any_keys(["c", "l"])).await, [3, 4, 6]);
    // test_has_key_deep, test_lookups_with_key_transform
    assert_eq!(matching(&db, &objs, V.key("baz").has_key("a")).await, [7]);
    assert_eq!(matching(&db, &objs, V.key("baz").has_key("c")).await, [7]);
    assert_eq!(matching(&db, &objs, V.key("d").index(1).has_key("f")).await, [4]);
    assert_eq!(matching(&db, &objs, V.key("baz").has_keys(["a", "c"])).await, [7]);
    assert_eq!(matching(&db, &objs, V.key("baz").has_any_keys(["a", "x"])).await, [7]);
    // Nothing to have: all of no keys, none of no keys.
    assert_eq!(matching(&db, &objs, V.has_keys(Vec::<String>::new())).await.len(), objs.len());
    assert!(matching(&db, &objs, V.has_any_keys(Vec::<String>::new())).await.is_empty());
    // test_has_key_list
    let list = NullableJson::objects().acreate(&db, [V.set(Some(json!([{"a": 1}, {"b": "x"}])))]).await;
    let mut objs = objs;
    objs.push(list.unwrap().id);
    assert_eq!(matching(&db, &objs, V.nth(1).has_key("b")).await, [objs.len() - 1]);
    // test_has_key_number: keys that look like numbers are keys
    let number = json!({
        "123": "value",
        "nested": {"456": "bar", "lorem": "abc", "999": true},
        "array": [{"789": "baz", "777": "def", "ipsum": 200}],
        "000": "val",
    });
    objs.push(NullableJson::objects().acreate(&db, [V.set(Some(number))]).await.unwrap().id);
    let last = [objs.len() - 1];
    for q in [
        V.has_key("123"),
        V.key("nested").has_key("456"),
        V.key("array").index(0).has_key("789"),
        V.has_keys(["nested", "123", "array", "000"]),
        V.key("nested").has_keys(["lorem", "999", "456"]),
        V.key("array").index(0).has_keys(["789", "ipsum", "777"]),
        V.has_any_keys(["000", "nonexistent"]),
        V.key("nested").has_any_keys(["999", "nonexistent"]),
        V.key("array").index(0).has_any_keys(["777", "nonexistent"]),
        V.key("123").eq("value"),
        V.key("nested").key("999").eq(true),
    ] {
        let debug = format!("{q:?}");
        assert_eq!(matching(&db, &objs, q).await, last, "{debug}");
    }
}

#[kata::test]
async fn keys_with_quotes_dots_dollars_and_unicode_are_bound_not_spliced(db: Db) {
    db.create_tables(&[NullableJson::meta()]).await.unwrap();
    // test_lookups_special_chars and test_lookups_special_chars_double_quotes
    let keys = [
        "CONTROL",
        "single'",
        "dollar$",
        "$",
        "dot.dot",
        "with space",
        "back\\slash",
        "question?mark",
        "user@name",
        "emo🤡'ji",
        "com,ma",
        "curly{{{brace}}}s",
        "escape\u{ffff}'seq'\u{ffff}ue\u{ffff}'nce",
        "double\"",
        "m\\i@x. m🤡'a,t{{{ch}}}e?d$\"'es\u{ffff}'ca\u{ffff}'pe",
        "[0]",
        "a\".\"b",
        "日本語 キー",
        "%total",
        "test' = '\"a\"') OR 1 = 1 OR ('d",
    ];
    let document: serde_json::Map<String, Value> =
        keys.iter().map(|k| (k.to_string(), json!("some value"))).collect();
    let obj =
        NullableJson::objects().acreate(&db, [V.set(Some(Value::Object(document.clone())))]).await.unwrap();
    let read = NullableJson::objects().aget(&db, NullableJson::id.eq(obj.id)).await.unwrap();
    assert_eq!(read.value, Some(Value::Object(document)));
    let objs = [obj.id];
    assert_eq!(matching(&db, &objs, V.has_keys(keys)).await, [0]);
    for key in keys {
        for q in [
            V.has_key(key),
            V.has_keys([key, "CONTROL"]),
            V.has_any_keys([key, "does_not_exist"]),
            V.key(key).eq("some value"),
            V.key(key).isnull(false),
            V.key(key).text().eq("some value"),
        ] {
            assert_eq!(matching(&db, &objs, q).await, [0], "{key:?}");
        }
        let value = NullableJson::objects().values_list(V.key(key)).afirst(&db).await.unwrap().unwrap();
        assert_eq!(value, Some(json!("some value")), "{key:?}");
    }
    // test_key_sql_injection: the whole text is one key, which no document has.
    let injection = V.key("test' = '\"a\"') OR 1 = 1 OR ('d").eq("x");
    assert!(matching(&db, &objs, injection).await.is_empty());
    assert!(matching(&db, &objs, V.key("dot").key("dot").isnull(false)).await.is_empty());
}

#[kata::test]
async fn contains_and_contained_by_where_the_backend_has_them(db: Db) {
    let objs = objs(&db).await;
    if db.backend() == Backend::Sqlite {
        // test_contains_unsupported, test_contained_by_unsupported: refused before any SQL.
        for q in [
            V.contains(json!({"baz": {"a": "b"}})),
            V.contained_by(json!({"a": "b"})),
            V.key("d").contains("e"),
        ] {
            let (result, queries) = kata::testing::capture_queries(&db, async {
                NullableJson::objects().filter(q).alist(&db).await
            })
            .await;
            assert!(matches!(result, Err(Error::Config(ConfigError::Unsupported { .. }))), "{result:?}");
            assert!(queries.is_empty());
        }
        return;
    }
    // test_contains
    let cases: Vec<(Value, Vec<usize>)> = vec![
        (json!({}), vec![2, 3, 4, 6, 7]),
        (json!({"baz": {"a": "b", "c": "d"}}), vec![7]),
        (json!({"baz": {"a": "b"}}), vec![7]),
        (json!({"baz": {"c": "d"}}), vec![7]),
        (json!({"k": true, "l": false}), vec![6]),
        (json!({"d": ["e", {"f": "g"}]}), vec![4]),
        (json!({"d": ["e"]}), vec![4]),
        (json!({"d": [{"f": "g"}]}), vec![4]),
        (json!([1, [2]]), vec![5]),
        (json!([1]), vec![5]),
        (json!([[2]]), vec![5]),
        (json!({"n": [null, true, false]}), vec![4]),
        (json!({"j": null}), vec![4]),
    ];
    for (value, expected) in cases {
        assert_eq!(matching(&db, &objs, V.contains(value.clone())).await, expected, "{value}");
    }
    // test_contains_primitives
    for (i, value) in [json!(true), json!(false), json!("yes"), json!(7), json!(9.6)].into_iter().enumerate()
    {
        assert!(matching(&db, &objs, V.contains(value)).await.contains(&(8 + i)));
    }
    // test_contained_by
    assert_eq!(matching(&db, &objs, V.contained_by(json!({"a": "b", "c": 14, "h": true}))).await, [2, 3]);
    // test_array_key_contains, test_key_contains
    assert_eq!(matching(&db, &objs, V.key("bar").contains(json!([]))).await, [7]);
    assert_eq!(matching(&db, &objs, V.key("bar").contains("bar")).await, [7]);
    assert_eq!(matching(&db, &objs, V.key("bar").contains(json!(["bar"]))).await, [7]);
    assert!(matching(&db, &objs, V.key("bar").contains("ar")).await.is_empty());
    assert!(matching(&db, &objs, V.key("foo").contains("ar")).await.is_empty());
    assert_eq!(matching(&db, &objs, V.key("foo").contains("bar")).await, [7]);
    // test_contains_contained_by_with_key_transform
    assert_eq!(matching(&db, &objs, V.key("d").contains("e")).await, [4]);
    assert_eq!(matching(&db, &objs, V.key("d").contains(json!([{"f": "g"}]))).await, [4]);
    assert_eq!(matching(&db, &objs, V.key("baz").contains(json!({"a": "b"}))).await, [7]);
    let wider = json!({"a": "b", "c": "d", "e": "f"});
    assert_eq!(matching(&db, &objs, V.key("baz").contained_by(wider)).await, [7]);
    // json_key_contains_list_matching_requires_list: PostgreSQL only.
    let bare = matching(&db, &objs, V.key("d").contains(json!({"f": "g"}))).await;
    let expected: &[usize] = if db.backend() == Backend::Postgres { &[] } else { &[4] };
    assert_eq!(bare, expected);
}

#[kata::test]
async fn key_values_text_lookups_and_ordering(db: Db) {
    let objs = objs(&db).await;
    // test_key_values: None where the key is missing, JSON null as Value::Null.
    let row = NullableJson::objects().filter(V.key("h").eq(true));
    for (key, expected) in [
        ("a", json!("b")),
        ("c", json!(14)),
        ("d", json!(["e", {"f": "g"}])),
        ("h", json!(true)),
        ("i", json!(false)),
        ("j", Value::Null),
        ("k", json!({"l": "m"})),
        ("n", json!([null, true, false])),
        ("p", json!(4.2)),
        ("r", json!({"s": true, "t": false})),
    ] {
        let value = row.clone().values_list(V.key(key)).afirst(&db).await.unwrap().unwrap();
        assert_eq!(value, Some(expected), "{key}");
    }
    // test_deep_values
    let deep = NullableJson::objects().order_by([NullableJson::id.asc()]).values_list(V.key("k").key("l"));
    let mut expected = vec![None; objs.len()];
    expected[4] = Some(json!("m"));
    assert_eq!(deep.alist(&db).await.unwrap(), expected);
    // test_key_iexact .. test_key_iregex, test_key_text_transform_char_lookup (KT)
    let foo = || V.key("foo").text();
    assert_eq!(matching(&db, &objs, foo().iexact("BaR")).await, [7]);
    assert!(matching(&db, &objs, foo().iexact("\"BaR\"")).await.is_empty());
    assert_eq!(matching(&db, &objs, foo().icontains("Ar")).await, [7]);
    assert!(matching(&db, &objs, foo().contains("Ar")).await.is_empty());
    assert_eq!(matching(&db, &objs, foo().startswith("b")).await, [6, 7]);
    assert_eq!(matching(&db, &objs, foo().istartswith("B")).await, [6, 7]);
    assert_eq!(matching(&db, &objs, foo().endswith("r")).await, [7]);
    assert_eq!(matching(&db, &objs, foo().iendswith("R")).await, [7]);
    assert_eq!(matching(&db, &objs, foo().regex("^bar$")).await, [7]);
    assert_eq!(matching(&db, &objs, foo().iregex("^bAr$")).await, [7]);
    assert_eq!(matching(&db, &objs, V.key("bar").index(1).text().startswith("bar")).await, [7]);
    assert_eq!(matching(&db, &objs, V.key("bax").key("foo").text().contains("ar")).await, [7]);
    assert_eq!(matching(&db, &objs, V.key("o").text().contains("uot")).await, [4]);
    assert_eq!(matching(&db, &objs, V.key("c").text().eq("14")).await, [3, 4]);
    assert_eq!(matching(&db, &objs, V.key("h").text().eq("true")).await, [4]);
    assert!(
        matching(&db, &objs, V.key("j").text().isnull(false) & V.key("j").isnull(false)).await.is_empty()
    );
    // test_ordering_by_transform
    let ords = [json!(93), json!(22.1), json!(-1), json!(21.931902), json!(-100291029)];
    let names = ["bar", "foo", "baz", "spam", "eggs"];
    let mut made = Vec::new();
    for (ord, name) in ords.iter().zip(names) {
        let value = Some(json!({"ord": ord, "name": name}));
        made.push(NullableJson::objects().acreate(&db, [V.set(value)]).await.unwrap().id);
    }
    let ordered = NullableJson::objects().filter(V.key("name").isnull(false)).order_by([V.key("ord").asc()]);
    let ids = ordered.values_list(NullableJson::id).alist(&db).await.unwrap();
    let expected = if db.backend() == Backend::MariaDb {
        // MariaDB's JSON values are text (as Django's test expects there).
        [made[2], made[4], made[3], made[1], made[0]]
    } else {
        [made[4], made[2], made[3], made[1], made[0]]
    };
    assert_eq!(ids, expected);
    // test_ordering_grouping_by_key_transform: annotate by a key, order by a key
    let by_key = NullableJson::objects()
        .filter(V.key("d").index(0).isnull(false))
        .order_by([V.key("d").index(0).desc()]);
    let annotated = by_key.annotate(V.key("d").index(0)).alist(&db).await.unwrap();
    assert_eq!(
        annotated.iter().map(|(m, k)| (m.id, k.clone())).collect::<Vec<_>>(),
        [(objs[4], Some(json!("e")))]
    );
}

/// A typed JSON column has the same lookups.
#[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema, Debug, Clone, PartialEq)]
pub struct Owner {
    pub name: String,
    pub pets: Vec<String>,
}

#[derive(Model, Debug, Clone, PartialEq)]
pub struct Household {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub owner: kata::Json<Owner>,
}

#[kata::test]
async fn typed_json_fields_have_the_json_lookups(db: Db) {
    db.create_tables(&[Household::meta()]).await.unwrap();
    for (name, pets) in [("Ann", vec!["cat"]), ("Bob", vec!["dog", "cat"])] {
        let owner = kata::Json(Owner { name: name.into(), pets: pets.into_iter().map(Into::into).collect() });
        Household { id: 0, owner }.asave(&db).await.unwrap();
    }
    let count = |q: Q<Household>| {
        let db = db.clone();
        async move { Household::objects().filter(q).acount(&db).await }
    };
    assert_eq!(count(Household::owner.key("name").eq("Bob")).await.unwrap(), 1);
    assert_eq!(count(Household::owner.key("pets").index(1).eq("cat")).await.unwrap(), 1);
    assert_eq!(count(Household::owner.has_keys(["name", "pets"])).await.unwrap(), 2);
    let cats = count(Household::owner.contains(json!({"pets": ["cat"]}))).await;
    if db.backend() == Backend::Sqlite {
        assert!(matches!(cats, Err(Error::Config(ConfigError::Unsupported { .. }))), "{cats:?}");
    } else {
        assert_eq!(cats.unwrap(), 2);
    }
}
