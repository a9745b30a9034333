//! Decimal arithmetic and aggregates without float rounding (issue 13, point 2), and the
//! parts of a duration (Django's `Extract` on a `DurationField`): exact on PostgreSQL,
//! MySQL and MariaDB; refused on SQLite with `ConfigError::Unsupported` before any SQL,
//! where decimals are kept as sortable text and durations as microseconds.

use std::str::FromStr;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use kata::prelude::*;
use kata::rust_decimal::Decimal;
use kata::{Backend, ConfigError, Error};

/// The books of Django's `aggregation` tests, by price.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Book {
    #[kata(primary_key, auto)]
    pub id: i64,
    #[kata(max_length = 20)]
    pub name: String,
    #[kata(max_digits = 6, decimal_places = 2)]
    pub price: Decimal,
    #[kata(max_digits = 6, decimal_places = 2)]
    pub cost: Option<Decimal>,
    pub pages: i32,
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

const BOOKS: [(&str, &str, Option<&str>, i32); 6] = [
    ("b1", "30.00", Some("10.10"), 447),
    ("b2", "23.09", Some("0.20"), 528),
    ("b3", "29.69", None, 300),
    ("b4", "29.69", Some("29.69"), 350),
    ("b5", "82.80", Some("0.10"), 1132),
    ("b6", "75.00", Some("37.50"), 946),
];

async fn books(db: &Db) {
    db.create_tables(&[Book::meta()]).await.unwrap();
    for (name, price, cost, pages) in BOOKS {
        let mut book = Book { id: 0, name: name.into(), price: dec(price), cost: cost.map(dec), pages };
        book.asave(db).await.unwrap();
    }
}

fn sqlite(db: &Db) -> bool {
    db.backend() == Backend::Sqlite
}

/// Asserts that `run` is refused with `ConfigError::Unsupported` without sending a query.
async fn refused<T: std::fmt::Debug>(db: &Db, run: impl std::future::Future<Output = kata::Result<T>>) {
    let (result, queries) = kata::testing::capture_queries(db, run).await;
    assert!(matches!(result, Err(Error::Config(ConfigError::Unsupported { .. }))), "{result:?}");
    assert!(queries.is_empty(), "{queries:?}");
}

#[kata::test]
async fn sum_and_avg_of_decimals_are_exact_decimals(db: Db) {
    books(&db).await;
    let all = Book::objects();
    // Min and Max compare exactly on every backend, SQLite's text form included.
    let (min, max) = all.clone().aaggregate(&db, (Min(Book::price), Max(Book::price))).await.unwrap();
    assert_eq!((min, max), (Some(dec("23.09")), Some(dec("82.80"))));
    let totals = (Sum(Book::price), Avg(Book::price), Sum(Book::cost));
    if sqlite(&db) {
        refused(&db, all.clone().aaggregate(&db, totals)).await;
        refused(&db, all.clone().aaggregate(&db, Avg(Book::price))).await;
        return;
    }
    // Django: Book.objects.aggregate(Sum("price")) == Decimal("270.27"); as floats the
    // sum is 270.27000000000004.
    let (sum, avg, cost) = all.clone().aaggregate(&db, totals).await.unwrap();
    assert_eq!(sum, Some(dec("270.27")));
    assert_eq!(avg, Some(dec("45.045")));
    assert_eq!(cost, Some(dec("77.59")));
    // Grouped, filtered, and over no rows (None, or the default).
    let cheap = Sum(Book::price).filter(Book::price.lt(dec("30")));
    assert_eq!(all.clone().aaggregate(&db, cheap).await.unwrap(), Some(dec("82.47")));
    let none = Book::objects().filter(Book::pages.gt(5000));
    let (sum, avg) = none.clone().aaggregate(&db, (Sum(Book::price), Avg(Book::price))).await.unwrap();
    assert_eq!((sum, avg), (None, None));
    assert_eq!(none.aaggregate(&db, Sum(Book::cost).default(Decimal::ZERO)).await.unwrap(), Decimal::ZERO);
    let by_price =
        Book::objects().filter(Book::price.eq(dec("29.69"))).values_list((Book::price, Sum(Book::pages)));
    assert_eq!(by_price.alist(&db).await.unwrap(), [(dec("29.69"), Some(650))]);
}

#[kata::test]
async fn decimal_arithmetic_is_exact(db: Db) {
    books(&db).await;
    let ordered = || Book::objects().order_by([Book::id.asc()]);
    if sqlite(&db) {
        refused(&db, ordered().values_list(F(Book::price) * 2).alist(&db)).await;
        refused(&db, ordered().filter(Book::price.gt(F(Book::cost) * 2)).alist(&db)).await;
        refused(&db, ordered().values_list(-F(Book::price)).alist(&db)).await;
        let all = Book::objects();
        refused(&db, all.aupdate(&db, [Book::price.set(F(Book::price) + dec("1"))])).await;
        let unchanged = ordered().values_list(Book::price).alist(&db).await.unwrap();
        assert_eq!(unchanged[0], dec("30"));
        return;
    }
    let column = |expr: kata::Expr<Book, Decimal>| {
        let db = db.clone();
        async move { ordered().values_list(expr).alist(&db).await.unwrap() }
    };
    let prices: Vec<Decimal> = BOOKS.iter().map(|b| dec(b.1)).collect();
    // Django: F("price") * 2, + Decimal, - F, * an integer field.
    let doubled: Vec<Decimal> = prices.iter().map(|p| p * Decimal::from(2)).collect();
    assert_eq!(column(F(Book::price) * 2).await, doubled);
    assert_eq!(column(F(Book::price) * dec("2")).await, doubled);
    let plus: Vec<Decimal> = prices.iter().map(|p| p + dec("0.01")).collect();
    assert_eq!(column(F(Book::price) + dec("0.01")).await, plus);
    let times_pages: Vec<Decimal> = BOOKS.iter().map(|b| dec(b.1) * Decimal::from(b.3)).collect();
    assert_eq!(column(F(Book::price) * F(Book::pages)).await, times_pages);
    assert_eq!(column(F(Book::pages) * F(Book::price)).await, times_pages);
    assert_eq!(column(-F(Book::price)).await, prices.iter().map(|p| -p).collect::<Vec<_>>());
    assert_eq!(column(F(Book::price) / 4).await[0], dec("7.5"));
    // A nullable operand gives a nullable result.
    let margin = ordered().values_list(F(Book::price) - F(Book::cost)).alist(&db).await.unwrap();
    assert_eq!(margin[..3], [Some(dec("19.90")), Some(dec("22.89")), None]);
    // 0.10 + 0.20 == 0.30, which floats miss (0.30000000000000004).
    let exact = Book::objects().filter((F(Book::cost) + dec("0.20")).eq(dec("0.30")));
    assert_eq!(exact.values_list(Book::name).alist(&db).await.unwrap(), ["b5"]);
    // Comparisons between decimal expressions, and updates with them.
    let above = ordered().filter(Book::price.gt(F(Book::cost) * 2)).values_list(Book::name);
    assert_eq!(above.alist(&db).await.unwrap(), ["b1", "b2", "b5"]);
    let sum = Sum(F(Book::price) * F(Book::pages));
    let total: Decimal = times_pages.iter().sum();
    assert_eq!(Book::objects().aaggregate(&db, sum).await.unwrap(), Some(total));
    Book::objects()
        .filter(Book::name.eq("b2"))
        .aupdate(&db, [Book::price.set(F(Book::price) * 2 - dec("0.18"))])
        .await
        .unwrap();
    let b2 = Book::objects().aget(&db, Book::name.eq("b2")).await.unwrap();
    assert_eq!(b2.price, dec("46"));
}

#[kata::test]
async fn decimal_columns_compare_and_order_exactly_everywhere(db: Db) {
    books(&db).await;
    // Column against column: exact on SQLite's text form too.
    let cheaper = Book::objects().filter(Book::price.lte(F(Book::cost))).values_list(Book::name);
    assert_eq!(cheaper.alist(&db).await.unwrap(), ["b4"]);
    let ranked = Book::objects().order_by([Book::price.desc(), Book::name.asc()]).values_list(Book::name);
    assert_eq!(ranked.alist(&db).await.unwrap(), ["b5", "b6", "b1", "b3", "b4", "b2"]);
}

/// Django's `DTModel` of `db_functions/datetime/test_extract_trunc.py`.
#[derive(Model, Debug, Clone, PartialEq)]
pub struct Span {
    #[kata(primary_key, auto)]
    pub id: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub duration: TimeDelta,
}

async fn spans(db: &Db) -> (DateTime<Utc>, DateTime<Utc>) {
    db.create_tables(&[Span::meta()]).await.unwrap();
    let start = Utc.with_ymd_and_hms(2015, 6, 15, 23, 30, 50).unwrap() + TimeDelta::microseconds(321);
    let end = Utc.with_ymd_and_hms(2016, 6, 15, 14, 10, 50).unwrap() + TimeDelta::microseconds(123);
    for (a, b) in [(start, end), (end, start)] {
        Span { id: 0, start: a, end: b, duration: b - a }.asave(db).await.unwrap();
    }
    (start, end)
}

#[kata::test]
async fn duration_parts_split_as_python_timedelta_on_postgres_only(db: Db) {
    let (start, end) = spans(&db).await;
    let parts =
        (Span::duration.day(), Span::duration.hour(), Span::duration.minute(), Span::duration.second());
    let ordered = Span::objects().order_by([Span::start.asc()]);
    if db.backend() != Backend::Postgres {
        // Django: "Extract requires native DurationField database support."
        refused(&db, ordered.values_list(parts).alist(&db)).await;
        refused(&db, Span::objects().filter(Span::duration.day().gt(200)).acount(&db)).await;
        return;
    }
    // test_extract_duration: (end - start).seconds % 60, and the negative span's.
    // end - start is 365 days 14:39:59.999802; start - end is -366 days + 9:20:00.000198.
    assert_eq!((end - start).num_seconds() % 60, 59);
    let read = ordered.values_list(parts).alist(&db).await.unwrap();
    assert_eq!(read, [(365, 14, 39, 59), (-366, 9, 20, 0)]);
    assert_eq!(Span::objects().filter(Span::duration.day().gt(200)).acount(&db).await.unwrap(), 1);
    // On an expression too.
    let seconds = Span::objects().order_by([Span::start.asc()]).values_list(F(Span::duration).second());
    assert_eq!(seconds.alist(&db).await.unwrap(), [59, 0]);
}

#[kata::test]
async fn timestamps_plus_or_minus_durations(db: Db) {
    let (start, end) = spans(&db).await;
    // Django's FTimeDeltaTests: filter(end=F("start") + F("duration")).
    let exact = Span::objects().filter(Span::end.eq(F(Span::start) + F(Span::duration)));
    if db.backend() == Backend::Sqlite {
        refused(&db, exact.acount(&db)).await;
        return;
    }
    assert_eq!(exact.acount(&db).await.unwrap(), 2);
    let back = Span::objects().filter(Span::start.eq(F(Span::end) - F(Span::duration)));
    assert_eq!(back.acount(&db).await.unwrap(), 2);
    let later =
        Span::objects().order_by([Span::start.asc()]).values_list(F(Span::start) + TimeDelta::days(1));
    assert_eq!(later.alist(&db).await.unwrap(), [start + TimeDelta::days(1), end + TimeDelta::days(1)]);
    let late = Span::objects().filter(Span::end.gt(F(Span::start) + TimeDelta::microseconds(1)));
    assert_eq!(late.values_list(Span::start).alist(&db).await.unwrap(), [start]);
}
