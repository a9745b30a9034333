//! The three supported databases, and the connection, row and argument types of each.
//!
//! Every backend difference in *types* lives here; differences in *SQL* live in
//! `query::dialect`.

use crate::error::{Error, Result};

/// Which database a [`Db`](crate::Db) or [`Transaction`](crate::Transaction) talks to.
///
/// ```
/// # async fn demo() -> kata::Result<()> {
/// let db = kata::Db::connect("sqlite::memory:").await?;
/// assert_eq!(db.backend(), kata::Backend::Sqlite);
/// # Ok(()) }
/// # tokio_test(demo());
/// # fn tokio_test<F: std::future::Future>(f: F) -> F::Output { tokio::runtime::Runtime::new().unwrap().block_on(f) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Backend {
    /// SQLite 3.35 or later (embedded; the default feature).
    Sqlite,
    /// PostgreSQL 12 or later (feature `postgres`).
    Postgres,
    /// MySQL 8 or MariaDB 10.5 or later (feature `mysql`).
    MySql,
}

impl Backend {
    /// The lower-case name used in logs and in `KATA_TEST_*` variables.
    ///
    /// ```
    /// assert_eq!(kata::Backend::Postgres.name(), "postgres");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
            Backend::MySql => "mysql",
        }
    }

    /// The most bind parameters one statement may carry on this backend.
    pub(crate) fn max_params(self) -> usize {
        match self {
            // SQLite's SQLITE_MAX_VARIABLE_NUMBER is 32766 since 3.32.
            Backend::Sqlite => 32_766,
            Backend::Postgres | Backend::MySql => 65_535,
        }
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A row being decoded, borrowed from the driver.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub enum RowRef<'r> {
    #[cfg(feature = "sqlite")]
    Sqlite(&'r sqlx::sqlite::SqliteRow),
    #[cfg(feature = "postgres")]
    Postgres(&'r sqlx::postgres::PgRow),
    #[cfg(feature = "mysql")]
    MySql(&'r sqlx::mysql::MySqlRow),
    #[doc(hidden)]
    #[allow(dead_code)]
    __Phantom(std::marker::PhantomData<&'r ()>, std::convert::Infallible),
}

/// Bind parameters of one statement, in the backend's own wire format.
#[doc(hidden)]
#[derive(Debug)]
pub enum Args {
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::sqlite::SqliteArguments),
    #[cfg(feature = "postgres")]
    Postgres(sqlx::postgres::PgArguments),
    #[cfg(feature = "mysql")]
    MySql(sqlx::mysql::MySqlArguments),
}

impl Args {
    pub(crate) fn new(backend: Backend) -> Result<Self> {
        match backend {
            #[cfg(feature = "sqlite")]
            Backend::Sqlite => Ok(Args::Sqlite(Default::default())),
            #[cfg(feature = "postgres")]
            Backend::Postgres => Ok(Args::Postgres(Default::default())),
            #[cfg(feature = "mysql")]
            Backend::MySql => Ok(Args::MySql(Default::default())),
            #[allow(unreachable_patterns)]
            other => Err(Error::BackendDisabled(other)),
        }
    }

    /// How many parameters have been bound so far.
    pub(crate) fn len(&self) -> usize {
        use sqlx::Arguments as _;
        match self {
            #[cfg(feature = "sqlite")]
            Args::Sqlite(a) => a.len(),
            #[cfg(feature = "postgres")]
            Args::Postgres(a) => a.len(),
            #[cfg(feature = "mysql")]
            Args::MySql(a) => a.len(),
        }
    }
}

/// Implemented by every Rust type that sqlx can encode and decode on each enabled backend.
///
/// The per-backend halves are empty traits when a backend's feature is off, so one bound
/// works for any feature combination.
#[doc(hidden)]
pub trait Native: SqliteNative + PostgresNative + MySqlNative + Send + Sync + 'static {}
impl<T: SqliteNative + PostgresNative + MySqlNative + Send + Sync + 'static> Native for T {}

macro_rules! native_trait {
    ($feature:literal, $name:ident, $db:ty) => {
        #[cfg(feature = $feature)]
        #[doc(hidden)]
        pub trait $name: for<'r> sqlx::Decode<'r, $db> + for<'q> sqlx::Encode<'q, $db> + sqlx::Type<$db> {}
        #[cfg(feature = $feature)]
        impl<T: for<'r> sqlx::Decode<'r, $db> + for<'q> sqlx::Encode<'q, $db> + sqlx::Type<$db>> $name
            for T
        {
        }
        #[cfg(not(feature = $feature))]
        #[doc(hidden)]
        pub trait $name {}
        #[cfg(not(feature = $feature))]
        impl<T> $name for T {}
    };
}
native_trait!("sqlite", SqliteNative, sqlx::Sqlite);
native_trait!("postgres", PostgresNative, sqlx::Postgres);
native_trait!("mysql", MySqlNative, sqlx::MySql);

/// Decodes column `index` of `row` as `T` through sqlx.
#[doc(hidden)]
pub fn decode_native<T: Native>(row: RowRef<'_>, index: usize) -> Result<T> {
    use sqlx::Row as _;
    let decoded = match row {
        #[cfg(feature = "sqlite")]
        RowRef::Sqlite(r) => r.try_get::<T, _>(index),
        #[cfg(feature = "postgres")]
        RowRef::Postgres(r) => r.try_get::<T, _>(index),
        #[cfg(feature = "mysql")]
        RowRef::MySql(r) => r.try_get::<T, _>(index),
        RowRef::__Phantom(_, never) => match never {},
    };
    decoded.map_err(Error::from)
}

/// Binds `value` as the next parameter through sqlx.
#[doc(hidden)]
pub fn bind_native<T: Native>(value: &T, args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    let added = match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(value),
        #[cfg(feature = "postgres")]
        Args::Postgres(a) => a.add(value),
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(value),
    };
    added.map_err(|e| Error::Database(sqlx::Error::Encode(e)))
}

/// Binds a `&'static str` (the stored text of a `Choices` value) as the next parameter.
/// [`bind_native`] cannot take it: its bound also asks for decoding, and a `&'static str`
/// cannot be decoded from a borrowed row.
pub(crate) fn bind_static_str(value: &'static str, args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    let added = match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(value),
        #[cfg(feature = "postgres")]
        Args::Postgres(a) => a.add(value),
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(value),
    };
    added.map_err(|e| Error::Database(sqlx::Error::Encode(e)))
}

/// Binds a PostgreSQL array parameter (used for `IN` lists: `col = ANY($1)`).
#[cfg(feature = "postgres")]
pub(crate) fn bind_pg_array<T>(values: Vec<T>, args: &mut Args) -> Result<()>
where
    T: for<'q> sqlx::Encode<'q, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>
        + sqlx::postgres::PgHasArrayType
        + Send,
    Vec<T>: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    use sqlx::Arguments as _;
    match args {
        Args::Postgres(a) => a.add(values).map_err(|e| Error::Database(sqlx::Error::Encode(e))),
        #[allow(unreachable_patterns)]
        _ => Err(Error::Internal("a PostgreSQL array bound for another backend")),
    }
}
