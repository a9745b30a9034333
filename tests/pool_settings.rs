//! `Db::builder`'s `idle_timeout` and `max_lifetime` take a `Duration` or `None` (issue 11,
//! point 20): `None` keeps connections however long they idle or live, as Django's
//! `CONN_MAX_AGE = None` does. Checked on every configured server, through the pool's own
//! options, and by running a query on it.

use std::time::Duration;

use kata::prelude::*;

/// The servers to check: SQLite in memory, and each configured server's URL.
fn urls() -> Vec<String> {
    let mut urls = vec!["sqlite::memory:".to_owned()];
    for var in ["KATA_TEST_POSTGRES", "KATA_TEST_MYSQL"] {
        match std::env::var(var) {
            Ok(url) if !url.trim().is_empty() => urls.push(url),
            _ => assert!(
                std::env::var("KATA_TEST_REQUIRE").map_or(true, |r| r.trim() != "all"),
                "KATA_TEST_REQUIRE=all but {var} is not set"
            ),
        }
    }
    urls
}

/// (idle_timeout, max_lifetime) as the pool reports them.
fn timeouts(db: &Db) -> (Option<Duration>, Option<Duration>) {
    if let Some(pool) = db.as_sqlite() {
        (pool.options().get_idle_timeout(), pool.options().get_max_lifetime())
    } else if let Some(pool) = db.as_postgres() {
        (pool.options().get_idle_timeout(), pool.options().get_max_lifetime())
    } else if let Some(pool) = db.as_mysql() {
        (pool.options().get_idle_timeout(), pool.options().get_max_lifetime())
    } else {
        panic!("a pool of no known backend")
    }
}

#[tokio::test]
async fn idle_timeout_and_max_lifetime_can_be_turned_off() -> kata::Result<()> {
    for url in urls() {
        let forever = Db::builder(&url).idle_timeout(None).max_lifetime(None).connect().await?;
        assert_eq!(timeouts(&forever), (None, None), "{url}");
        let one: Vec<String> = forever.raw_query("SELECT ?", ("1",)).await?;
        assert_eq!(one, ["1"]);

        let minute = Duration::from_secs(60);
        let bounded =
            Db::builder(&url).idle_timeout(minute).max_lifetime(Some(minute * 10)).connect().await?;
        assert_eq!(timeouts(&bounded), (Some(minute), Some(minute * 10)), "{url}");
        let defaults = Db::builder(&url).connect().await?;
        let (idle, lifetime) = timeouts(&defaults);
        assert!(idle.is_some() && lifetime.is_some(), "{url}: defaults bound both");
    }
    Ok(())
}
