//! Differential test of the query layer (issue 18, point 1): random rows and random
//! querysets run on each backend and on a small reference evaluator of kata's documented
//! semantics; every result must agree. Since each backend is held to the same reference,
//! the backends agree with each other.
//!
//! Seeded and reproducible: `KATA_DIFF_SEED` (default fixed) and `KATA_DIFF_CASES`
//! (default 500 per backend, what CI runs; `KATA_DIFF_CASES=5000` for a long local run).
//! A failing case is shrunk (proptest's value trees) to a minimal one and printed; keep it
//! as a regression test.
//!
//! What the reference encodes, from README's tables: NOT is two-valued (`exclude` keeps
//! rows whose condition is unknown), `ne` is SQL's `<>` (never matches NULL), NULLs sort
//! first ascending on SQLite and MySQL and last on PostgreSQL, case-insensitive lookups fold
//! ASCII only on SQLite and Unicode elsewhere.

use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use kata::prelude::*;
use kata::{Backend, CountOf, Max, Min, OrderBy, Sum};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "diff_rows")]
struct Row {
    #[kata(primary_key)]
    id: i64,
    a: i64,
    b: Option<i64>,
    big: i64,
    s: String,
    t: Option<String>,
    flag: bool,
    c: i64,
    day: NaiveDate,
}

#[derive(Debug, Clone, Copy)]
enum Cmp {
    Eq,
    Ne,
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, Copy)]
enum TextOp {
    Exact,
    IExact,
    Contains,
    IContains,
    StartsWith,
    IStartsWith,
    EndsWith,
    IEndsWith,
}

/// A filter, convertible both into a `Q<Row>` and into the reference's predicate.
#[derive(Debug, Clone)]
enum Cond {
    A(Cmp, i64),
    B(Cmp, i64),
    Big(Cmp, i64),
    BNull(bool),
    TNull(bool),
    AIn(Vec<i64>),
    BIn(Vec<i64>),
    ARange(i64, i64),
    S(TextOp, String),
    T(TextOp, String),
    Flag(bool),
    /// `a <cmp> F(c) + k`.
    AvsC(Cmp, i64),
    /// `day__year <cmp> v`.
    Year(Cmp, i64),
    /// `day__month <cmp> v`.
    Month(Cmp, i64),
    /// `day__day <cmp> v`.
    Day(Cmp, i64),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
    Xor(Box<Cond>, Box<Cond>),
    Not(Box<Cond>),
}

#[derive(Debug, Clone, Copy)]
enum Key {
    A,
    B,
    Big,
    Flag,
}

#[derive(Debug, Clone)]
enum Write {
    /// `filter(cond).aupdate(a = F(a) + k)`.
    AddToA(Cond, i64),
    /// `filter(cond).aupdate(t = NULL)`.
    ClearT(Cond),
    /// `filter(cond).adelete()`.
    Delete(Cond),
}

#[derive(Debug, Clone)]
struct Case {
    rows: Vec<Row>,
    cond: Cond,
    order: Vec<(Key, bool)>,
    slice: Option<(u64, u64)>,
    write: Option<Write>,
    /// `k` in the annotation `F(a) * F(c) + k`.
    annotate: i64,
}

// --- generation --------------------------------------------------------------------------

fn text() -> impl Strategy<Value = String> {
    let alphabet = vec!['a', 'A', 'b', 'B', 'é', 'É', '%', '_', '\\', '\'', ' ', '日'];
    proptest::collection::vec(proptest::sample::select(alphabet), 0..4).prop_map(|v| v.into_iter().collect())
}

fn pattern() -> impl Strategy<Value = String> {
    let alphabet = vec!['a', 'A', 'b', 'é', 'É', '%', '_', '\\', ' '];
    proptest::collection::vec(proptest::sample::select(alphabet), 0..3).prop_map(|v| v.into_iter().collect())
}

fn small() -> impl Strategy<Value = i64> {
    -3i64..=3
}

fn big() -> impl Strategy<Value = i64> {
    prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(0), -2i64..=2, any::<i64>()]
}

fn cmp() -> impl Strategy<Value = Cmp> {
    proptest::sample::select(vec![Cmp::Eq, Cmp::Ne, Cmp::Gt, Cmp::Gte, Cmp::Lt, Cmp::Lte])
}

fn text_op() -> impl Strategy<Value = TextOp> {
    use TextOp::*;
    proptest::sample::select(vec![
        Exact,
        IExact,
        Contains,
        IContains,
        StartsWith,
        IStartsWith,
        EndsWith,
        IEndsWith,
    ])
}

/// Days at month, year and leap-day boundaries.
fn day() -> impl Strategy<Value = NaiveDate> {
    let days = [
        (1999, 12, 31),
        (2000, 1, 1),
        (2000, 2, 29),
        (2000, 3, 1),
        (2023, 12, 31),
        (2024, 1, 1),
        (1970, 1, 1),
    ];
    proptest::sample::select(days.to_vec())
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN))
}

fn rows() -> impl Strategy<Value = Vec<Row>> {
    let row = (
        (small(), proptest::option::of(small()), big(), text(), proptest::option::of(text()), any::<bool>()),
        (small(), day()),
    );
    proptest::collection::vec(row, 0..10).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, ((a, b, big, s, t, flag), (c, day)))| Row {
                id: i as i64 + 1,
                a,
                b,
                big,
                s,
                t,
                flag,
                c,
                day,
            })
            .collect()
    })
}

fn cond() -> impl Strategy<Value = Cond> {
    let leaf = prop_oneof![
        (cmp(), small()).prop_map(|(c, v)| Cond::A(c, v)),
        (cmp(), small()).prop_map(|(c, v)| Cond::B(c, v)),
        (cmp(), big()).prop_map(|(c, v)| Cond::Big(c, v)),
        any::<bool>().prop_map(Cond::BNull),
        any::<bool>().prop_map(Cond::TNull),
        proptest::collection::vec(small(), 0..3).prop_map(Cond::AIn),
        proptest::collection::vec(small(), 0..3).prop_map(Cond::BIn),
        (small(), small()).prop_map(|(x, y)| Cond::ARange(x, y)),
        (text_op(), pattern()).prop_map(|(o, p)| Cond::S(o, p)),
        (text_op(), pattern()).prop_map(|(o, p)| Cond::T(o, p)),
        any::<bool>().prop_map(Cond::Flag),
        (cmp(), small()).prop_map(|(c, k)| Cond::AvsC(c, k)),
        (cmp(), proptest::sample::select(vec![1970i64, 1999, 2000, 2023, 2024]))
            .prop_map(|(c, v)| Cond::Year(c, v)),
        (cmp(), proptest::sample::select(vec![1i64, 2, 3, 12])).prop_map(|(c, v)| Cond::Month(c, v)),
        (cmp(), proptest::sample::select(vec![1i64, 28, 29, 31])).prop_map(|(c, v)| Cond::Day(c, v)),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(x, y)| Cond::And(Box::new(x), Box::new(y))),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| Cond::Or(Box::new(x), Box::new(y))),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| Cond::Xor(Box::new(x), Box::new(y))),
            inner.prop_map(|x| Cond::Not(Box::new(x))),
        ]
    })
}

fn case() -> impl Strategy<Value = Case> {
    let key = proptest::sample::select(vec![Key::A, Key::B, Key::Big, Key::Flag]);
    let write = proptest::option::of(prop_oneof![
        (cond(), small()).prop_map(|(c, k)| Write::AddToA(c, k)),
        cond().prop_map(Write::ClearT),
        cond().prop_map(Write::Delete),
    ]);
    (
        rows(),
        cond(),
        proptest::collection::vec((key, any::<bool>()), 0..3),
        proptest::option::of((0u64..4, 0u64..6)),
        write,
        small(),
    )
        .prop_map(|(rows, cond, order, slice, write, annotate)| Case {
            rows,
            cond,
            order,
            slice,
            write,
            annotate,
        })
}

// --- kata ----------------------------------------------------------------------------------

/// A text lookup on `$field` (a `String` or an `Option<String>` field).
macro_rules! text_lookup {
    ($field:expr, $op:expr, $p:expr) => {{
        let p = $p.clone();
        match $op {
            TextOp::Exact => $field.eq(p),
            TextOp::IExact => $field.iexact(p),
            TextOp::Contains => $field.contains(p),
            TextOp::IContains => $field.icontains(p),
            TextOp::StartsWith => $field.startswith(p),
            TextOp::IStartsWith => $field.istartswith(p),
            TextOp::EndsWith => $field.endswith(p),
            TextOp::IEndsWith => $field.iendswith(p),
        }
    }};
}

/// A comparison on `$field` (an `i64` or an `Option<i64>` field).
macro_rules! compare {
    ($field:expr, $c:expr, $v:expr) => {{
        let v = Clone::clone($v);
        match $c {
            Cmp::Eq => $field.eq(v),
            Cmp::Ne => $field.ne(v),
            Cmp::Gt => $field.gt(v),
            Cmp::Gte => $field.gte(v),
            Cmp::Lt => $field.lt(v),
            Cmp::Lte => $field.lte(v),
        }
    }};
}

fn q(c: &Cond) -> Q<Row> {
    match c {
        Cond::A(c, v) => compare!(Row::a, c, v),
        Cond::B(c, v) => compare!(Row::b, c, v),
        Cond::Big(c, v) => compare!(Row::big, c, v),
        Cond::BNull(n) => Row::b.isnull(*n),
        Cond::TNull(n) => Row::t.isnull(*n),
        Cond::AIn(v) => Row::a.is_in(v.clone()),
        Cond::BIn(v) => Row::b.is_in(v.clone()),
        Cond::ARange(x, y) => Row::a.range(*x, *y),
        Cond::S(op, p) => text_lookup!(Row::s, op, p),
        Cond::T(op, p) => text_lookup!(Row::t, op, p),
        Cond::Flag(f) => Row::flag.eq(*f),
        Cond::AvsC(c, k) => compare!(Row::a, c, &(F(Row::c) + *k)),
        Cond::Year(c, v) => compare!(Row::day.year(), c, v),
        Cond::Month(c, v) => compare!(Row::day.month(), c, v),
        Cond::Day(c, v) => compare!(Row::day.day(), c, v),
        Cond::And(x, y) => q(x) & q(y),
        Cond::Or(x, y) => q(x) | q(y),
        Cond::Xor(x, y) => q(x) ^ q(y),
        Cond::Not(x) => !q(x),
    }
}

fn order(keys: &[(Key, bool)]) -> Vec<OrderBy<Row>> {
    let mut out: Vec<OrderBy<Row>> = keys
        .iter()
        .map(|&(k, desc)| match (k, desc) {
            (Key::A, false) => Row::a.asc(),
            (Key::A, true) => Row::a.desc(),
            (Key::B, false) => Row::b.asc(),
            (Key::B, true) => Row::b.desc(),
            (Key::Big, false) => Row::big.asc(),
            (Key::Big, true) => Row::big.desc(),
            (Key::Flag, false) => Row::flag.asc(),
            (Key::Flag, true) => Row::flag.desc(),
        })
        .collect();
    out.push(Row::id.asc()); // equal keys: a total order, the same everywhere
    out
}

/// What one case observed: the rows a query returned, its aggregates, the table after a
/// write.
#[derive(Debug, PartialEq)]
struct Observed {
    ids: Vec<i64>,
    /// `(id, F(a) * F(c) + k)` of the same filtered, ordered, sliced rows.
    annotated: Vec<(i64, i64)>,
    /// `values_list(a).distinct()` of the filtered rows, ordered by `a`.
    distinct_a: Vec<i64>,
    aggregates: (i64, Option<i64>, Option<i64>, Option<i64>),
    written: Option<(u64, Vec<Row>)>,
}

async fn run_kata(db: &Db, case: &Case) -> kata::Result<Observed> {
    Row::objects().adelete(db).await?;
    Row::objects().abulk_insert(db, case.rows.clone()).await?;
    let mut query = Row::objects().filter(q(&case.cond)).order_by(order(&case.order));
    if let Some((offset, limit)) = case.slice {
        query = query.offset(offset).limit(limit);
    }
    let ids = query.clone().values_list(Row::id).alist(db).await?;
    let annotated = query
        .annotate(F(Row::a) * F(Row::c) + case.annotate)
        .alist(db)
        .await?
        .into_iter()
        .map(|(row, value)| (row.id, value))
        .collect();
    let distinct_a = Row::objects()
        .filter(q(&case.cond))
        .order_by([Row::a.asc()])
        .distinct()
        .values_list(Row::a)
        .alist(db)
        .await?;
    let aggregates = Row::objects()
        .filter(q(&case.cond))
        .aaggregate(db, (CountOf::all(), Sum(Row::a), Max(Row::big), Min(Row::b)))
        .await?;
    let written = match &case.write {
        None => None,
        Some(write) => {
            let n = match write {
                Write::AddToA(c, k) => {
                    Row::objects().filter(q(c)).aupdate(db, [Row::a.set(F(Row::a) + *k)]).await?
                }
                Write::ClearT(c) => {
                    Row::objects().filter(q(c)).aupdate(db, [Row::t.set(None::<String>)]).await?
                }
                Write::Delete(c) => Row::objects().filter(q(c)).adelete(db).await?.total,
            };
            Some((n, Row::objects().order_by([Row::id.asc()]).alist(db).await?))
        }
    };
    Ok(Observed { ids, annotated, distinct_a, aggregates, written })
}

// --- the reference ---------------------------------------------------------------------------

/// ASCII-only folding (SQLite's `LOWER`) or Unicode folding (PostgreSQL, MySQL).
fn fold(text: &str, backend: Backend) -> String {
    match backend {
        Backend::Sqlite => text.to_ascii_lowercase(),
        _ => text.to_lowercase(),
    }
}

fn cmp_i64(c: Cmp, x: i64, v: i64) -> bool {
    match c {
        Cmp::Eq => x == v,
        Cmp::Ne => x != v,
        Cmp::Gt => x > v,
        Cmp::Gte => x >= v,
        Cmp::Lt => x < v,
        Cmp::Lte => x <= v,
    }
}

fn text_matches(op: TextOp, value: &str, p: &str, backend: Backend) -> bool {
    let (v, p) = match op {
        TextOp::IExact | TextOp::IContains | TextOp::IStartsWith | TextOp::IEndsWith => {
            (fold(value, backend), fold(p, backend))
        }
        _ => (value.to_owned(), p.to_owned()),
    };
    match op {
        TextOp::Exact | TextOp::IExact => v == p,
        TextOp::Contains | TextOp::IContains => v.contains(&p),
        TextOp::StartsWith | TextOp::IStartsWith => v.starts_with(&p),
        TextOp::EndsWith | TextOp::IEndsWith => v.ends_with(&p),
    }
}

/// SQL's three-valued result of `c` on `r` (None: unknown), with kata's two-valued NOT.
fn eval(c: &Cond, r: &Row, backend: Backend) -> Option<bool> {
    Some(match c {
        Cond::A(c, v) => cmp_i64(*c, r.a, *v),
        Cond::B(c, v) => cmp_i64(*c, r.b?, *v),
        Cond::Big(c, v) => cmp_i64(*c, r.big, *v),
        Cond::BNull(n) => r.b.is_none() == *n,
        Cond::TNull(n) => r.t.is_none() == *n,
        Cond::AIn(v) => v.contains(&r.a),
        Cond::BIn(v) => v.contains(&r.b?),
        Cond::ARange(x, y) => *x <= r.a && r.a <= *y,
        Cond::S(op, p) => text_matches(*op, &r.s, p, backend),
        Cond::T(op, p) => text_matches(*op, r.t.as_deref()?, p, backend),
        Cond::Flag(f) => r.flag == *f,
        Cond::AvsC(c, k) => cmp_i64(*c, r.a, r.c + k),
        Cond::Year(c, v) => cmp_i64(*c, i64::from(r.day.year()), *v),
        Cond::Month(c, v) => cmp_i64(*c, i64::from(r.day.month()), *v),
        Cond::Day(c, v) => cmp_i64(*c, i64::from(r.day.day()), *v),
        Cond::And(x, y) => match (eval(x, r, backend), eval(y, r, backend)) {
            (Some(false), _) | (_, Some(false)) => false,
            (Some(true), Some(true)) => true,
            _ => return None,
        },
        Cond::Or(x, y) => match (eval(x, r, backend), eval(y, r, backend)) {
            (Some(true), _) | (_, Some(true)) => true,
            (Some(false), Some(false)) => false,
            _ => return None,
        },
        // An odd number of true operands; unknown counts as not true.
        Cond::Xor(x, y) => (eval(x, r, backend) == Some(true)) ^ (eval(y, r, backend) == Some(true)),
        Cond::Not(x) => eval(x, r, backend) != Some(true),
    })
}

fn key_of(r: &Row, k: Key) -> Option<i64> {
    match k {
        Key::A => Some(r.a),
        Key::B => r.b,
        Key::Big => Some(r.big),
        Key::Flag => Some(i64::from(r.flag)),
    }
}

fn reference(case: &Case, backend: Backend) -> Observed {
    let matching = |c: &Cond| -> Vec<Row> {
        case.rows.iter().filter(|r| eval(c, r, backend) == Some(true)).cloned().collect()
    };
    let mut rows = matching(&case.cond);
    let nulls_last = backend == Backend::Postgres;
    rows.sort_by(|x, y| {
        for &(k, desc) in &case.order {
            let ord = match (key_of(x, k), key_of(y, k)) {
                (Some(a), Some(b)) => a.cmp(&b),
                (None, None) => std::cmp::Ordering::Equal,
                // NULL is the largest value on PostgreSQL, the smallest elsewhere.
                (None, Some(_)) if nulls_last => std::cmp::Ordering::Greater,
                (None, Some(_)) => std::cmp::Ordering::Less,
                (Some(_), None) if nulls_last => std::cmp::Ordering::Less,
                (Some(_), None) => std::cmp::Ordering::Greater,
            };
            let ord = if desc { ord.reverse() } else { ord };
            if ord != std::cmp::Ordering::Equal {
                return ord;
            }
        }
        x.id.cmp(&y.id)
    });
    let aggregates = (
        rows.len() as i64,
        rows.iter().map(|r| r.a).reduce(|x, y| x + y),
        rows.iter().map(|r| r.big).max(),
        rows.iter().filter_map(|r| r.b).min(),
    );
    let mut distinct_a: Vec<i64> = rows.iter().map(|r| r.a).collect();
    distinct_a.sort_unstable();
    distinct_a.dedup();
    let mut sliced: Vec<&Row> = rows.iter().collect();
    if let Some((offset, limit)) = case.slice {
        sliced = sliced.into_iter().skip(offset as usize).take(limit as usize).collect();
    }
    let ids: Vec<i64> = sliced.iter().map(|r| r.id).collect();
    let annotated = sliced.iter().map(|r| (r.id, r.a * r.c + case.annotate)).collect();
    let written = case.write.as_ref().map(|write| {
        let mut table = case.rows.clone();
        let (Write::AddToA(c, _) | Write::ClearT(c) | Write::Delete(c)) = write;
        let hit = |r: &Row| eval(c, r, backend) == Some(true);
        let n = table.iter().filter(|r| hit(r)).count() as u64;
        match write {
            Write::AddToA(_, k) => table.iter_mut().filter(|r| hit(r)).for_each(|r| r.a += k),
            Write::ClearT(_) => table.iter_mut().filter(|r| hit(r)).for_each(|r| r.t = None),
            Write::Delete(_) => table.retain(|r| !hit(r)),
        }
        (n, table)
    });
    Observed { ids, annotated, distinct_a, aggregates, written }
}

// --- the runner ----------------------------------------------------------------------------

/// `None` when kata and the reference agree on `case`, else what differed.
async fn check(db: &Db, case: &Case) -> Option<String> {
    let expected = reference(case, db.backend());
    match run_kata(db, case).await {
        Ok(got) if got == expected => None,
        Ok(got) => Some(format!("kata:      {got:?}\nreference: {expected:?}")),
        Err(e) => Some(format!("kata failed: {e}\nreference: {expected:?}")),
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[kata::test]
async fn every_backend_agrees_with_the_reference(db: Db) -> kata::Result<()> {
    db.create_tables(&[Row::meta()]).await?;
    let seed: u64 = env_or("KATA_DIFF_SEED", 0x6b61_7461);
    let cases: u32 = env_or("KATA_DIFF_CASES", 500);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner =
        TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes));
    let strategy = case();
    for n in 0..cases {
        let mut tree = match strategy.new_tree(&mut runner) {
            Ok(tree) => tree,
            Err(e) => panic!("generating case {n}: {e}"),
        };
        let Some(mut failure) = check(&db, &tree.current()).await else { continue };
        // Shrink: simplify while the case still fails, step back when it passes.
        let mut minimal = tree.current();
        let mut steps = 0;
        while steps < 2000 && tree.simplify() {
            steps += 1;
            match check(&db, &tree.current()).await {
                Some(f) => {
                    failure = f;
                    minimal = tree.current();
                }
                None => {
                    if !tree.complicate() {
                        break;
                    }
                    if let Some(f) = check(&db, &tree.current()).await {
                        failure = f;
                        minimal = tree.current();
                    }
                }
            }
        }
        let mut report = String::new();
        let _ = write!(
            report,
            "case {n} (seed {seed:#x}) on {:?} disagrees:\n{minimal:#?}\n{failure}",
            db.backend()
        );
        panic!("{report}");
    }
    Ok(())
}
