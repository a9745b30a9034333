//! Django's expression language beyond comparisons (issue 12, points 9 to 12): the
//! `week_day`, `iso_week_day`, `week` and `quarter` transforms, `exact=None`, `None` in an
//! `in` list, text lookups against `F()`, `%`, powers, bitwise operators, unary minus,
//! integers mixed with floats, nullable right-hand sides, and the database functions.
//! Every expected value is Django's documented result.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use kata::prelude::*;
use kata::testing::assert_num_queries;
use kata::{
    Case, Coalesce, Concat, Exists, Greatest, Least, Length, Lower, Now, NullIf, OuterRef, StdDev, StringAgg,
    Subquery, Substr, Trim, TruncDate, TruncDay, TruncHour, TruncMonth, TruncYear, Upper, Variance, When,
};

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "exprmore_row")]
struct Row {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    name: String,
    #[kata(max_length = 50)]
    note: Option<String>,
    n: i64,
    price: f64,
    bonus: Option<i64>,
    at: DateTime<Utc>,
    day: NaiveDate,
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, s).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// a..f: 2024-01-01 is a Monday, 2023-01-01 a Sunday in ISO week 52 of 2022, 2024-12-30 a
/// Monday in ISO week 1 of 2025, 2024-05-18 a Saturday.
async fn rows(db: &Db) {
    db.create_tables(&[Row::meta()]).await.unwrap();
    let data = [
        ("Alpha", Some("al"), 10, 2.5, Some(1), utc(2024, 1, 1, 10, 30, 0), date(2024, 1, 1)),
        ("beta%", Some("a%"), 7, 4.0, None, utc(2023, 1, 1, 23, 59, 59), date(2023, 1, 1)),
        ("Gamma_x", None, -3, 0.5, Some(5), utc(2024, 12, 30, 0, 0, 0), date(2024, 12, 30)),
        ("delta", Some("DEL"), 12, 1.0, Some(12), utc(2024, 5, 18, 12, 0, 0), date(2024, 5, 18)),
        ("ab", Some("_b"), 5, 3.0, None, utc(2024, 7, 4, 8, 0, 0), date(2024, 7, 4)),
        ("Zeta", Some("zeta"), 0, 2.0, Some(0), utc(2024, 10, 31, 18, 45, 0), date(2024, 10, 31)),
    ];
    let models = data
        .into_iter()
        .map(|(name, note, n, price, bonus, at, day)| Row {
            id: 0,
            name: name.into(),
            note: note.map(Into::into),
            n,
            price,
            bonus,
            at,
            day,
        })
        .collect();
    Row::objects().abulk_create(db, models).await.unwrap();
}

fn ordered() -> QuerySet<Row> {
    Row::objects().order_by([Row::id.asc()])
}

async fn names(db: &Db, q: Q<Row>) -> Vec<String> {
    ordered().filter(q).values_list(Row::name).alist(db).await.unwrap()
}

async fn column<T: kata::FieldType>(db: &Db, expr: kata::Expr<Row, T>) -> Vec<T> {
    ordered().values_list(expr).alist(db).await.unwrap()
}

fn is_invalid<T: std::fmt::Debug>(result: &kata::Result<T>, words: &str) -> bool {
    matches!(result, Err(kata::Error::InvalidQuery(message)) if message.contains(words))
}

// --- point 9: lookups --------------------------------------------------------------------

#[kata::test]
async fn week_day_iso_week_day_week_and_quarter_follow_django(db: Db) {
    rows(&db).await;
    // Django: week_day 1 = Sunday .. 7 = Saturday; iso_week_day 1 = Monday; week is ISO-8601.
    let expected = [(2, 1, 1, 1), (1, 7, 52, 1), (2, 1, 1, 4), (7, 6, 20, 2), (5, 4, 27, 3), (5, 4, 44, 4)];
    let on_dates = ordered()
        .values_list((Row::day.week_day(), Row::day.iso_week_day(), Row::day.week(), Row::day.quarter()))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(on_dates, expected);
    let on_timestamps = ordered()
        .values_list((Row::at.week_day(), Row::at.iso_week_day(), Row::at.week(), Row::at.quarter()))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(on_timestamps, expected);
    // Django: filter(day__week_day=7), filter(at__iso_week_day=4), filter(day__week=1), filter(at__quarter=4)
    assert_eq!(names(&db, Row::day.week_day().eq(7)).await, ["delta"]);
    assert_eq!(names(&db, Row::at.iso_week_day().eq(4)).await, ["ab", "Zeta"]);
    assert_eq!(names(&db, Row::day.week().eq(1)).await, ["Alpha", "Gamma_x"]);
    assert_eq!(names(&db, Row::at.quarter().gte(3)).await, ["Gamma_x", "ab", "Zeta"]);
}

#[kata::test]
async fn exact_none_is_isnull_and_none_cannot_be_ordered(db: Db) {
    rows(&db).await;
    // Django: filter(note=None) is filter(note__isnull=True); exclude(note=None) keeps the rest.
    assert_eq!(names(&db, Row::note.eq(None)).await, ["Gamma_x"]);
    assert_eq!(names(&db, Row::note.exact(None)).await, ["Gamma_x"]);
    assert_eq!(names(&db, Row::bonus.ne(None)).await, ["Alpha", "Gamma_x", "delta", "Zeta"]);
    let kept = ordered().exclude(Row::note.eq(None)).values_list(Row::name).alist(&db).await.unwrap();
    assert_eq!(kept, ["Alpha", "beta%", "delta", "ab", "Zeta"]);
    // A value still compares with a nullable field.
    assert_eq!(names(&db, Row::bonus.eq(5)).await, ["Gamma_x"]);
    // Django: filter(bonus__gt=None) raises "Cannot use None as a query value".
    let refused = ordered().filter(Row::bonus.gt(None)).alist(&db).await;
    assert!(is_invalid(&refused, "None"), "{refused:?}");
}

#[kata::test]
async fn none_in_an_in_list_is_dropped(db: Db) {
    rows(&db).await;
    // Django: filter(note__in=["al", None]) is note IN ('al').
    assert_eq!(
        names(&db, Row::note.is_in_options([Some("al"), None, Some("zeta")])).await,
        ["Alpha", "Zeta"]
    );
    assert_eq!(names(&db, Row::bonus.is_in_options([None, Some(0)])).await, ["Zeta"]);
    // Only None: nothing can match, and no query is sent.
    let only_none = ordered().filter(Row::bonus.is_in_options([None::<i64>]));
    let found = assert_num_queries(&db, 0, only_none.alist(&db)).await.unwrap();
    assert!(found.is_empty());
}

#[kata::test]
async fn text_lookups_against_f_escape_the_columns_wildcards(db: Db) {
    rows(&db).await;
    // "beta%" contains "a%" literally; "ab" does not contain "_b" (an unescaped "_" would match).
    assert_eq!(names(&db, Row::name.contains(F(Row::note))).await, ["beta%"]);
    assert_eq!(names(&db, Row::name.icontains(F(Row::note))).await, ["Alpha", "beta%", "delta", "Zeta"]);
    assert_eq!(names(&db, Row::name.startswith(F(Row::note))).await, Vec::<String>::new());
    assert_eq!(names(&db, Row::name.istartswith(Row::note)).await, ["Alpha", "delta", "Zeta"]);
    assert_eq!(names(&db, Row::name.endswith(F(Row::note))).await, ["beta%"]);
    assert_eq!(names(&db, Row::name.iendswith(F(Row::note))).await, ["beta%", "Zeta"]);
    assert_eq!(names(&db, Row::name.iexact(F(Row::note))).await, ["Zeta"]);
    // An expression on the right: Lower(note) is "del" for delta.
    assert_eq!(names(&db, Row::name.startswith(Lower(Row::note))).await, ["delta"]);
}

#[kata::test]
async fn regex_on_a_number_goes_through_a_cast(db: Db) {
    rows(&db).await;
    // Django: filter(n__regex=r"^1") matches the number's text.
    assert_eq!(names(&db, F(Row::n).cast::<String>().regex("^1")).await, ["Alpha", "delta"]);
    assert_eq!(names(&db, F(Row::n).cast::<String>().regex("^-")).await, ["Gamma_x"]);
}

// --- point 10: arithmetic ----------------------------------------------------------------

#[kata::test]
async fn modulo_power_and_unary_minus(db: Db) {
    rows(&db).await;
    // SQL's % keeps the dividend's sign, as Python's Django tests expect of the database.
    assert_eq!(column(&db, F(Row::n) % 4).await, [2, 3, -3, 0, 1, 0]);
    assert_eq!(names(&db, (F(Row::n) % 2).eq(0)).await, ["Alpha", "delta", "Zeta"]);
    // Django's `**`: SQLite (as sqlx bundles it) has no POWER, and kata says so before any SQL.
    let powers = ordered().values_list(F(Row::n).pow(2)).alist(&db).await;
    if db.backend() == kata::Backend::Sqlite {
        assert!(
            matches!(powers, Err(kata::Error::Config(kata::ConfigError::Unsupported { .. }))),
            "{powers:?}"
        );
    } else {
        assert_eq!(powers.unwrap(), [100.0, 49.0, 9.0, 144.0, 25.0, 0.0]);
    }
    assert_eq!(column(&db, -F(Row::n)).await, [-10, -7, 3, -12, -5, 0]);
    assert_eq!(names(&db, Row::n.lt(-F(Row::n))).await, ["Gamma_x"]);
}

#[kata::test]
async fn bitwise_operators_give_signed_integers(db: Db) {
    rows(&db).await;
    assert_eq!(column(&db, F(Row::n).bitand(6)).await, [2, 6, 4, 4, 4, 0]);
    assert_eq!(column(&db, F(Row::n).bitor(1)).await, [11, 7, -3, 13, 5, 1]);
    assert_eq!(column(&db, F(Row::n).bitxor(5)).await, [15, 2, -8, 9, 0, 5]);
    assert_eq!(column(&db, F(Row::n).bitleftshift(2)).await, [40, 28, -12, 48, 20, 0]);
    let shifted =
        ordered().filter(Row::n.gte(0)).values_list(F(Row::n).bitrightshift(1)).alist(&db).await.unwrap();
    assert_eq!(shifted, [5, 3, 6, 2, 0]);
    // Django: filter(n=F("n").bitand(12)): the bits of 12 cover n.
    assert_eq!(names(&db, Row::n.eq(F(Row::n).bitand(12))).await, ["delta", "Zeta"]);
}

#[kata::test]
async fn integers_mixed_with_floats_give_floats(db: Db) {
    rows(&db).await;
    let total: Vec<f64> = column(&db, F(Row::n) * F(Row::price)).await;
    assert_eq!(total, [25.0, 28.0, -1.5, 12.0, 15.0, 0.0]);
    // Django: n / 4.0 is a true division.
    assert_eq!(column(&db, F(Row::n) / 4.0).await, [2.5, 1.75, -0.75, 3.0, 1.25, 0.0]);
    assert_eq!(column(&db, F(Row::price) + Row::n).await, [12.5, 11.0, -2.5, 13.0, 8.0, 2.0]);
    assert_eq!(names(&db, Row::price.gt(F(Row::n) / 2.0)).await, ["beta%", "Gamma_x", "ab", "Zeta"]);
    // An integer division stays an integer division.
    assert_eq!(column(&db, F(Row::n) / 4).await, [2, 1, 0, 3, 1, 0]);
}

#[kata::test]
async fn one_statement_text_never_serves_an_integer_and_a_float(db: Db) {
    // On one connection (a transaction), `n / 4` then `n / 4.0` then `n / 4` again: a
    // statement cache keyed by the text alone would read one parameter's bytes as the other
    // type (PostgreSQL), giving 0 or an overflow.
    rows(&db).await;
    let checked: kata::Result<()> = db
        .atomic(async |tx| {
            for _ in 0..2 {
                let ints: Vec<i64> = ordered().values_list(F(Row::n) / 4).alist(&tx).await?;
                assert_eq!(ints, [2, 1, 0, 3, 1, 0]);
                let floats: Vec<f64> = ordered().values_list(F(Row::n) / 4.0).alist(&tx).await?;
                assert_eq!(floats, [2.5, 1.75, -0.75, 3.0, 1.25, 0.0]);
            }
            kata::Result::Ok(())
        })
        .await;
    checked.unwrap();
}

#[kata::test]
async fn a_nullable_column_on_the_right_makes_the_result_nullable(db: Db) {
    rows(&db).await;
    let sums: Vec<Option<i64>> = column(&db, F(Row::n) + F(Row::bonus)).await;
    assert_eq!(sums, [Some(11), None, Some(2), Some(24), None, Some(0)]);
    let products: Vec<Option<i64>> = column(&db, F(Row::n) * Row::bonus).await;
    assert_eq!(products, [Some(10), None, Some(-15), Some(144), None, Some(0)]);
    // A comparison with NULL matches nothing, as in Django.
    assert_eq!(names(&db, Row::n.gt(F(Row::bonus))).await, ["Alpha"]);
    assert_eq!(names(&db, Row::n.gte(Row::bonus)).await, ["Alpha", "delta", "Zeta"]);
    assert_eq!(names(&db, Row::n.eq(F(Row::bonus) * 2)).await, ["Zeta"]);
}

// --- point 11: functions -----------------------------------------------------------------

fn size() -> kata::Expr<Row, String> {
    Case([When(Row::n.gt(10), "big"), When(Row::n.gt(5), "mid")], "small")
}

#[kata::test]
async fn case_when_in_values_order_by_filter_and_update(db: Db) {
    rows(&db).await;
    assert_eq!(column(&db, size()).await, ["mid", "mid", "small", "big", "small", "small"]);
    let by_size = Row::objects()
        .order_by([size().asc(), Row::id.asc()])
        .values_list(Row::name)
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(by_size, ["delta", "Alpha", "beta%", "Gamma_x", "ab", "Zeta"]);
    assert_eq!(names(&db, size().eq("mid")).await, ["Alpha", "beta%"]);
    let annotated = ordered().filter(Row::n.gt(6)).annotate(size()).alist(&db).await.unwrap();
    let labels: Vec<(&str, &str)> = annotated.iter().map(|(r, s)| (r.name.as_str(), s.as_str())).collect();
    assert_eq!(labels, [("Alpha", "mid"), ("beta%", "mid"), ("delta", "big")]);
    // Without a matching branch and a None default, NULL.
    let maybe: Vec<Option<i64>> = column(&db, Case([When(Row::note.eq(None), Some(1))], None)).await;
    assert_eq!(maybe, [None, None, Some(1), None, None, None]);
    // Django: update(n=Case(When(n__lt=0, then=0), default=F("n") + 100))
    let changed = Row::objects()
        .aupdate(&db, [Row::n.set(Case([When(Row::n.lt(0), 0)], F(Row::n) + 100))])
        .await
        .unwrap();
    assert_eq!(changed, 6);
    assert_eq!(column(&db, F(Row::n)).await, [110, 107, 0, 112, 105, 100]);
}

#[kata::test]
async fn coalesce_nullif_greatest_and_least(db: Db) {
    rows(&db).await;
    let labels: Vec<String> = column(&db, Coalesce(Row::note, Row::name)).await;
    assert_eq!(labels, ["al", "a%", "Gamma_x", "DEL", "_b", "zeta"]);
    assert_eq!(column(&db, Coalesce(Row::bonus, 0)).await, [1, 0, 5, 12, 0, 0]);
    let nonzero: Vec<Option<i64>> = column(&db, NullIf(Row::n, 0)).await;
    assert_eq!(nonzero, [Some(10), Some(7), Some(-3), Some(12), Some(5), None]);
    // NULL when any argument is NULL, on every backend (PostgreSQL's own GREATEST would give 3).
    let high: Vec<Option<i64>> = column(&db, Greatest(Row::bonus, Some(3))).await;
    assert_eq!(high, [Some(3), None, Some(5), Some(12), None, Some(3)]);
    assert_eq!(column(&db, Least(Row::n, 5)).await, [5, 5, -3, 5, 5, 0]);
    assert_eq!(names(&db, Greatest(Row::n, F(Row::n) * 2).gt(15)).await, ["Alpha", "delta"]);
}

#[kata::test]
async fn casts_and_text_functions(db: Db) {
    rows(&db).await;
    assert_eq!(column(&db, F(Row::n).cast::<String>()).await, ["10", "7", "-3", "12", "5", "0"]);
    assert_eq!(column(&db, F(Row::n).cast::<f64>() / 4.0).await, [2.5, 1.75, -0.75, 3.0, 1.25, 0.0]);
    assert_eq!(column(&db, Lower(Row::name)).await, ["alpha", "beta%", "gamma_x", "delta", "ab", "zeta"]);
    assert_eq!(
        column(&db, Upper(Row::note)).await,
        [
            Some("AL".to_string()),
            Some("A%".into()),
            None,
            Some("DEL".into()),
            Some("_B".into()),
            Some("ZETA".into())
        ]
    );
    assert_eq!(column(&db, Length(Row::name)).await, [5, 5, 7, 5, 2, 4]);
    assert_eq!(column(&db, Length(Row::note)).await, [Some(2), Some(2), None, Some(3), Some(2), Some(4)]);
    assert_eq!(column(&db, Substr(Row::name, 2, Some(3))).await, ["lph", "eta", "amm", "elt", "b", "eta"]);
    assert_eq!(column(&db, Substr(Row::name, 3, None)).await, ["pha", "ta%", "mma_x", "lta", "", "ta"]);
    // Django's Concat treats a NULL part as empty.
    let joined: Vec<String> = column(&db, Concat(Concat(Row::name, "/"), Row::note)).await;
    assert_eq!(joined, ["Alpha/al", "beta%/a%", "Gamma_x/", "delta/DEL", "ab/_b", "Zeta/zeta"]);
    let padded: Vec<String> = Row::objects()
        .filter(Row::name.eq("ab"))
        .values_list(Trim(Concat(Concat("  ", Row::name), "  ")))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(padded, ["ab"]);
    assert_eq!(names(&db, Length(Row::name).eq(5)).await, ["Alpha", "beta%", "delta"]);
}

#[kata::test]
async fn now_and_date_truncation(db: Db) {
    rows(&db).await;
    assert_eq!(names(&db, Row::at.lte(Now())).await.len(), 6);
    let now: Vec<DateTime<Utc>> =
        Row::objects().filter(Row::id.eq(1)).values_list(Now()).alist(&db).await.unwrap();
    assert!((now[0] - Utc::now()).num_seconds().abs() < 300, "{now:?}");
    let dates: Vec<NaiveDate> = column(&db, TruncDate(Row::at)).await;
    assert_eq!(
        dates,
        [
            date(2024, 1, 1),
            date(2023, 1, 1),
            date(2024, 12, 30),
            date(2024, 5, 18),
            date(2024, 7, 4),
            date(2024, 10, 31)
        ]
    );
    let months: Vec<DateTime<Utc>> = column(&db, TruncMonth(Row::at)).await;
    assert_eq!(months[0], utc(2024, 1, 1, 0, 0, 0));
    assert_eq!(months[3], utc(2024, 5, 1, 0, 0, 0));
    let years: Vec<DateTime<Utc>> = column(&db, TruncYear(Row::at)).await;
    assert_eq!(years[1], utc(2023, 1, 1, 0, 0, 0));
    let days: Vec<DateTime<Utc>> = column(&db, TruncDay(Row::at)).await;
    assert_eq!(days[1], utc(2023, 1, 1, 0, 0, 0));
    let hours: Vec<DateTime<Utc>> = column(&db, TruncHour(Row::at)).await;
    assert_eq!(hours[0], utc(2024, 1, 1, 10, 0, 0));
    assert_eq!(hours[5], utc(2024, 10, 31, 18, 0, 0));
    let date_months: Vec<NaiveDate> = column(&db, TruncMonth(Row::day)).await;
    assert_eq!(
        date_months,
        [
            date(2024, 1, 1),
            date(2023, 1, 1),
            date(2024, 12, 1),
            date(2024, 5, 1),
            date(2024, 7, 1),
            date(2024, 10, 1)
        ]
    );
    assert_eq!(column(&db, TruncYear(Row::day)).await[2], date(2024, 1, 1));
    // Django: filter(at__gte=TruncMonth(..)) style comparisons.
    assert_eq!(names(&db, TruncMonth(Row::day).eq(date(2024, 12, 1))).await, ["Gamma_x"]);
}

// --- point 12: aggregates ----------------------------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "exprmore_book")]
struct Book {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 300)]
    name: String,
    pages: i32,
    rating: f64,
    price: f64,
}

/// Django's `tests/aggregation` books.
async fn books(db: &Db) {
    db.create_tables(&[Book::meta()]).await.unwrap();
    let data = [
        ("The Definitive Guide to Django", 447, 4.5, 30.00),
        ("Sams Teach Yourself Django in 24 Hours", 528, 3.0, 23.09),
        ("Practical Django Projects", 300, 4.0, 29.69),
        ("Python Web Development with Django", 350, 4.0, 29.69),
        ("Artificial Intelligence: A Modern Approach", 1132, 4.0, 82.80),
        ("Paradigms of Artificial Intelligence Programming", 946, 5.0, 75.00),
    ];
    let models = data
        .into_iter()
        .map(|(name, pages, rating, price)| Book { id: 0, name: name.into(), pages, rating, price })
        .collect();
    Book::objects().abulk_create(db, models).await.unwrap();
}

#[kata::test]
async fn aggregates_take_filter_and_default(db: Db) {
    books(&db).await;
    let good = || Book::rating.gte(4.0);
    // Django: aggregate(n=Count("id", filter=Q(rating__gte=4)), all=Count("*", filter=..))
    let (n, all, pages, avg) = Book::objects()
        .aaggregate(
            &db,
            (
                Count(Book::id).filter(good()),
                CountOf::all().filter(good()),
                Sum(Book::pages).filter(Book::rating.eq(4.0)),
                Avg(Book::price).filter(Book::rating.lt(4.0)),
            ),
        )
        .await
        .unwrap();
    assert_eq!((n, all, pages), (5, 5, Some(1782)));
    assert!((avg.unwrap() - 23.09).abs() < 1e-9);
    // Django: Sum("pages", filter=Q(rating__gt=5)) is None; with default=0 it is 0.
    let (none, zero, max) = Book::objects()
        .aaggregate(
            &db,
            (
                Sum(Book::pages).filter(Book::rating.gt(5.0)),
                Sum(Book::pages).filter(Book::rating.gt(5.0)).default(0),
                Max(Book::price).default(0.0),
            ),
        )
        .await
        .unwrap();
    assert_eq!((none, zero, max), (None, 0, 82.80));
    // default= over no rows at all.
    let empty =
        Book::objects().filter(Book::pages.gt(10_000)).aaggregate(&db, Sum(Book::pages).default(0)).await;
    assert_eq!(empty.unwrap(), 0);
    // Grouped, and in HAVING.
    let per_rating = || Book::objects().order_by([Book::rating.asc()]);
    let long = || Count(Book::id).filter(Book::pages.gt(320));
    let rows = per_rating().values_list((Book::rating, long())).alist(&db).await.unwrap();
    assert_eq!(rows, [(3.0, 1), (4.0, 2), (4.5, 1), (5.0, 1)]);
    let rows =
        per_rating().filter(long().gt(1)).values_list((Book::rating, long())).alist(&db).await.unwrap();
    assert_eq!(rows, [(4.0, 2)]);
    // filter= on something that is not an aggregate is refused before any SQL.
    let refused = Book::objects().values_list(F(Book::pages).filter(good())).alist(&db).await;
    assert!(is_invalid(&refused, "aggregate"), "{refused:?}");
}

#[kata::test]
async fn std_dev_and_variance_where_the_backend_has_them(db: Db) {
    books(&db).await;
    let spread = Book::objects()
        .aaggregate(
            &db,
            (
                StdDev(Book::pages, false),
                Variance(Book::pages, true),
                StdDev(Book::pages, false).filter(Book::rating.gt(9.0)),
            ),
        )
        .await;
    if db.backend() == kata::Backend::Sqlite {
        // SQLite has no STDDEV or VARIANCE: refused before any SQL.
        assert!(
            matches!(spread, Err(kata::Error::Config(kata::ConfigError::Unsupported { .. }))),
            "{spread:?}"
        );
        return;
    }
    let (std_dev, variance, none) = spread.unwrap();
    assert!((std_dev.unwrap() - 311.465_576_838_8).abs() < 1e-6, "{std_dev:?}");
    assert!((variance.unwrap() - 116_412.966_666_7).abs() < 1e-6, "{variance:?}");
    assert_eq!(none, None);
}

#[kata::test]
async fn string_agg_joins_the_texts(db: Db) {
    books(&db).await;
    let joined = Book::objects()
        .aaggregate(&db, StringAgg(Book::name, " | ").filter(Book::rating.eq(4.0)))
        .await
        .unwrap()
        .unwrap();
    let mut names: Vec<&str> = joined.split(" | ").collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "Artificial Intelligence: A Modern Approach",
            "Practical Django Projects",
            "Python Web Development with Django"
        ]
    );
    let one = Book::objects().filter(Book::rating.eq(5.0)).aaggregate(&db, StringAgg(Book::name, ", ")).await;
    assert_eq!(one.unwrap().as_deref(), Some("Paradigms of Artificial Intelligence Programming"));
    let none =
        Book::objects().filter(Book::rating.gt(9.0)).aaggregate(&db, StringAgg(Book::name, ", ")).await;
    assert_eq!(none.unwrap(), None);
    // Grouped: one text per rating.
    let rows = Book::objects()
        .filter(Book::rating.ne(4.0))
        .order_by([Book::rating.asc()])
        .values_list((Book::rating, StringAgg(Book::name, ";")))
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0], (3.0, Some("Sams Teach Yourself Django in 24 Hours".to_string())));
}

// --- point 11, last: Exists, Subquery, OuterRef -------------------------------------------

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "exprmore_writer")]
struct Writer {
    #[kata(primary_key, auto)]
    id: i64,
    #[kata(max_length = 50)]
    name: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "exprmore_work")]
struct Work {
    #[kata(primary_key, auto)]
    id: i64,
    writer_id: i64,
    pages: i32,
    #[kata(max_length = 50)]
    title: String,
}

/// ann: 120 and 700 pages; bob: 90; cid: nothing.
async fn writers(db: &Db) {
    db.create_tables(&[Writer::meta(), Work::meta()]).await.unwrap();
    for name in ["ann", "bob", "cid"] {
        Writer::objects().acreate(db, [Writer::name.set(name)]).await.unwrap();
    }
    for (writer_id, pages, title) in [(1, 120, "a1"), (1, 700, "a2"), (2, 90, "b1")] {
        Work::objects()
            .acreate(db, [Work::writer_id.set(writer_id), Work::pages.set(pages), Work::title.set(title)])
            .await
            .unwrap();
    }
}

#[kata::test]
async fn exists_and_subquery_reach_the_outer_row(db: Db) {
    writers(&db).await;
    let by_name = || Writer::objects().order_by([Writer::name.asc()]);
    let theirs = || Work::writer_id.eq(OuterRef(Writer::id));
    // Django: filter(Exists(Work.objects.filter(writer_id=OuterRef("pk"))))
    let with_work = by_name().filter(Exists(theirs())).values_list(Writer::name).alist(&db).await.unwrap();
    assert_eq!(with_work, ["ann", "bob"]);
    let long = by_name().filter(Exists(theirs() & Work::pages.gt(500))).values_list(Writer::name);
    assert_eq!(long.alist(&db).await.unwrap(), ["ann"]);
    // ~Exists(..)
    let idle = by_name().exclude(Exists(theirs())).values_list(Writer::name).alist(&db).await.unwrap();
    assert_eq!(idle, ["cid"]);
    // Django: annotate(longest=Subquery(..Max("pages")..)): NULL where no row matches.
    let longest =
        by_name().values_list((Writer::name, Subquery(Max(Work::pages), theirs()))).alist(&db).await.unwrap();
    assert_eq!(longest, [("ann".to_string(), Some(700)), ("bob".into(), Some(90)), ("cid".into(), None)]);
    // A single column of the one matching row, and a filter on a subquery.
    let title = Subquery(Work::title, theirs() & Work::pages.lt(200));
    let titles = by_name().values_list(title.clone()).alist(&db).await.unwrap();
    assert_eq!(titles, [Some("a1".to_string()), Some("b1".into()), None]);
    let counted = by_name()
        .filter(Subquery(Count(Work::id), theirs()).gte(1))
        .values_list(Writer::name)
        .alist(&db)
        .await
        .unwrap();
    assert_eq!(counted, ["ann", "bob"]);
}
