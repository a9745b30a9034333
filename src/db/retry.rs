//! Retrying a transaction that lost a race: `Retry` and the `Conflict` test of an error.

use std::time::Duration;

use crate::error::Error;

/// How [`TransactionBuilder::atomic_with`](crate::TransactionBuilder::atomic_with) retries a transaction that lost a race.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub(crate) attempts: u32,
    pub(crate) backoff: Duration,
}

impl Retry {
    /// Up to `attempts` runs in all, retrying on serialization failures, deadlocks and lock
    /// timeouts, waiting 10 ms, 20 ms, 40 ms ... (capped at one second) in between.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// use kata::{Conflict, Retry};
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// # #[derive(Debug)] enum Failed { Kata(kata::Error), Conflict }
    /// # impl From<kata::Error> for Failed { fn from(e: kata::Error) -> Self { Failed::Kata(e) } }
    /// # impl Conflict for Failed { fn is_conflict(&self) -> bool { matches!(self, Failed::Conflict) } }
    /// # async fn demo() -> Result<(), Failed> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// let attempts = AtomicU32::new(0);
    /// let answer = db.transaction().atomic_with(Retry::on_conflict(5), async |_tx| {
    ///     // Lose the race twice, then succeed.
    ///     match attempts.fetch_add(1, Ordering::SeqCst) {
    ///         0 | 1 => Err(Failed::Conflict),
    ///         _ => Ok(42),
    ///     }
    /// }).await?;
    /// assert_eq!((answer, attempts.load(Ordering::SeqCst)), (42, 3));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn on_conflict(attempts: u32) -> Self {
        Retry { attempts: attempts.max(1), backoff: Duration::from_millis(10) }
    }

    /// The first wait between attempts (doubled each time).
    ///
    /// ```
    /// # use kata::prelude::*;
    /// use kata::{Conflict, Retry};
    /// use std::time::{Duration, Instant};
    /// # #[derive(Debug)] enum Failed { Kata(kata::Error), Conflict }
    /// # impl From<kata::Error> for Failed { fn from(e: kata::Error) -> Self { Failed::Kata(e) } }
    /// # impl Conflict for Failed { fn is_conflict(&self) -> bool { matches!(self, Failed::Conflict) } }
    /// # async fn demo() -> Result<(), Failed> {
    /// # let db = Db::connect("sqlite::memory:").await?;
    /// let retry = Retry::on_conflict(3).backoff(Duration::from_millis(20)); // waits 20 ms, then 40 ms
    /// let start = Instant::now();
    /// let gave_up = db.transaction().atomic_with(retry, async |_tx| Err::<(), _>(Failed::Conflict)).await;
    /// assert!(matches!(gave_up, Err(Failed::Conflict))); // three attempts, then the last error
    /// assert!(start.elapsed() >= Duration::from_millis(60));
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub fn backoff(mut self, first: Duration) -> Self {
        self.backoff = first;
        self
    }
}

/// Errors that say whether a transaction lost a race with another one and may succeed if
/// run again. `kata::Error` implements it; implement it for your own error type to use
/// [`TransactionBuilder::atomic_with`](crate::TransactionBuilder::atomic_with) with it.
pub trait Conflict {
    /// True for serialization failures, deadlocks and lock timeouts.
    ///
    /// ```
    /// use kata::{Conflict, Retry};
    ///
    /// #[derive(Debug)]
    /// enum Failed { Kata(kata::Error), OutOfStock }
    /// impl From<kata::Error> for Failed {
    ///     fn from(e: kata::Error) -> Self { Failed::Kata(e) }
    /// }
    /// impl Conflict for Failed {
    ///     fn is_conflict(&self) -> bool { matches!(self, Failed::Kata(e) if e.is_conflict()) }
    /// }
    /// # async fn demo() -> Result<(), Failed> {
    /// # let db = kata::Db::connect("sqlite::memory:").await?;
    /// assert!(!Failed::OutOfStock.is_conflict());
    /// let result = db
    ///     .transaction()
    ///     .atomic_with(Retry::on_conflict(3), async |_tx| Err::<(), _>(Failed::OutOfStock))
    ///     .await;
    /// assert!(matches!(result, Err(Failed::OutOfStock))); // not a conflict: not retried
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    fn is_conflict(&self) -> bool;
}

impl Conflict for Error {
    fn is_conflict(&self) -> bool {
        Error::is_conflict(self)
    }
}
