//! The field types whose storage differs per backend beyond one sqlx call: decimals
//! (kata's sortable text on SQLite), durations (`INTERVAL` on PostgreSQL, microseconds
//! elsewhere) and IP addresses (`INET` on PostgreSQL, canonical text elsewhere).

use super::{Args, RowRef, encode_error};
use crate::error::{Error, Result};

/// Binds a decimal: natively where the backend has a decimal type, as kata's
/// order-preserving text on SQLite (which has none; see `types.rs`).
#[cfg(feature = "rust_decimal")]
pub(crate) fn bind_decimal(value: rust_decimal::Decimal, args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(crate::types::decimal_to_sortable(value)),
        #[cfg(feature = "postgres")]
        Args::Postgres(a) => a.add(value),
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(value),
    }
    .map_err(encode_error)
}

/// Binds a NULL of a decimal column.
pub(crate) fn bind_null_decimal(args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(None::<String>),
        #[cfg(all(feature = "postgres", feature = "rust_decimal"))]
        Args::Postgres(a) => a.add(None::<rust_decimal::Decimal>),
        #[cfg(all(feature = "postgres", not(feature = "rust_decimal")))]
        Args::Postgres(a) => a.add(None::<String>),
        #[cfg(all(feature = "mysql", feature = "rust_decimal"))]
        Args::MySql(a) => a.add(None::<rust_decimal::Decimal>),
        #[cfg(all(feature = "mysql", not(feature = "rust_decimal")))]
        Args::MySql(a) => a.add(None::<String>),
    }
    .map_err(encode_error)
}

/// Decodes a decimal column (SQLite's text form, or the backend's own type), normalized so
/// that every backend reads the same value the same way.
#[cfg(feature = "rust_decimal")]
pub(crate) fn decode_decimal(row: RowRef<'_>, index: usize) -> Result<rust_decimal::Decimal> {
    use sqlx::Row as _;
    let value = match row {
        #[cfg(feature = "sqlite")]
        RowRef::Sqlite(r) => crate::types::decimal_from_sortable(&r.try_get::<String, _>(index)?)?,
        #[cfg(feature = "postgres")]
        RowRef::Postgres(r) => r.try_get(index)?,
        #[cfg(feature = "mysql")]
        RowRef::MySql(r) => r.try_get(index)?,
        RowRef::__Phantom(_, never) => match never {},
    };
    Ok(value.normalize())
}

/// A duration in whole microseconds, what every backend stores; a finer or larger one is
/// refused rather than rounded.
fn duration_micros(value: chrono::TimeDelta) -> Result<i64> {
    match value.num_microseconds() {
        Some(micros) if value.subsec_nanos() % 1_000 == 0 => Ok(micros),
        Some(_) => {
            Err(encode_error("a duration is stored to the microsecond; this one has nanoseconds".into()))
        }
        None => Err(encode_error("a duration beyond about 292,000 years cannot be stored".into())),
    }
}

#[cfg(feature = "postgres")]
fn interval(micros: i64) -> sqlx::postgres::types::PgInterval {
    sqlx::postgres::types::PgInterval { months: 0, days: 0, microseconds: micros }
}

/// Binds a duration: an `INTERVAL` on PostgreSQL, microseconds elsewhere (as Django).
pub(crate) fn bind_duration(value: chrono::TimeDelta, args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    let micros = duration_micros(value)?;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(micros),
        #[cfg(feature = "postgres")]
        Args::Postgres(a) => a.add(interval(micros)),
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(micros),
    }
    .map_err(encode_error)
}

/// Binds a NULL of a duration column.
pub(crate) fn bind_null_duration(args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(None::<i64>),
        #[cfg(feature = "postgres")]
        Args::Postgres(a) => a.add(None::<sqlx::postgres::types::PgInterval>),
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(None::<i64>),
    }
    .map_err(encode_error)
}

/// PostgreSQL's `= ANY($1)` list of durations.
pub(crate) fn bind_duration_array(values: Vec<Option<chrono::TimeDelta>>, args: &mut Args) -> Result<()> {
    #[cfg(feature = "postgres")]
    #[allow(irrefutable_let_patterns)] // the only variant when PostgreSQL is the one backend
    if let Args::Postgres(a) = args {
        use sqlx::Arguments as _;
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            out.push(v.map(duration_micros).transpose()?.map(interval));
        }
        return a.add(out).map_err(encode_error);
    }
    let _ = (values, args);
    Err(Error::Internal("an array parameter bound for a backend without arrays"))
}

/// Decodes a duration column.
pub(crate) fn decode_duration(row: RowRef<'_>, index: usize) -> Result<chrono::TimeDelta> {
    use sqlx::Row as _;
    let micros: i64 = match row {
        #[cfg(feature = "sqlite")]
        RowRef::Sqlite(r) => r.try_get(index)?,
        #[cfg(feature = "postgres")]
        RowRef::Postgres(r) => {
            let i: sqlx::postgres::types::PgInterval = r.try_get(index)?;
            // kata writes days and months as 0; one written by hand counts a day as 24 hours
            // and refuses months, whose length varies.
            if i.months != 0 {
                return Err(Error::decode_msg(format!(
                    "column {index}: an interval with months is no fixed duration"
                )));
            }
            i64::from(i.days)
                .checked_mul(86_400_000_000)
                .and_then(|d| d.checked_add(i.microseconds))
                .ok_or_else(|| Error::decode_msg(format!("column {index}: the interval overflows")))?
        }
        #[cfg(feature = "mysql")]
        RowRef::MySql(r) => r.try_get(index)?,
        RowRef::__Phantom(_, never) => match never {},
    };
    Ok(chrono::TimeDelta::microseconds(micros))
}

/// Binds an IP address: `INET` on PostgreSQL (feature `ipnet`), its canonical text elsewhere.
pub(crate) fn bind_ip(value: std::net::IpAddr, args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(value.to_string()),
        #[cfg(all(feature = "postgres", feature = "ipnet"))]
        Args::Postgres(a) => a.add(value),
        #[cfg(all(feature = "postgres", not(feature = "ipnet")))]
        Args::Postgres(a) => a.add(value.to_string()),
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(value.to_string()),
    }
    .map_err(encode_error)
}

/// Binds a NULL of an IP address column.
pub(crate) fn bind_null_ip(args: &mut Args) -> Result<()> {
    use sqlx::Arguments as _;
    match args {
        #[cfg(feature = "sqlite")]
        Args::Sqlite(a) => a.add(None::<String>),
        #[cfg(all(feature = "postgres", feature = "ipnet"))]
        Args::Postgres(a) => a.add(None::<std::net::IpAddr>),
        #[cfg(all(feature = "postgres", not(feature = "ipnet")))]
        Args::Postgres(a) => a.add(None::<String>),
        #[cfg(feature = "mysql")]
        Args::MySql(a) => a.add(None::<String>),
    }
    .map_err(encode_error)
}

/// PostgreSQL's `= ANY($1)` list of addresses.
pub(crate) fn bind_ip_array(values: Vec<Option<std::net::IpAddr>>, args: &mut Args) -> Result<()> {
    #[cfg(all(feature = "postgres", feature = "ipnet"))]
    #[allow(irrefutable_let_patterns)] // the only variant when PostgreSQL is the one backend
    if let Args::Postgres(a) = args {
        use sqlx::Arguments as _;
        return a.add(values).map_err(encode_error);
    }
    let _ = (values, args);
    Err(Error::Internal("an array parameter bound for a backend without arrays"))
}

/// Decodes an IP address column.
#[cfg(feature = "ipnet")]
pub(crate) fn decode_ip(row: RowRef<'_>, index: usize) -> Result<std::net::IpAddr> {
    use sqlx::Row as _;
    let text: String = match row {
        #[cfg(feature = "sqlite")]
        RowRef::Sqlite(r) => r.try_get(index)?,
        #[cfg(feature = "postgres")]
        RowRef::Postgres(r) => return r.try_get(index).map_err(Error::from),
        #[cfg(feature = "mysql")]
        RowRef::MySql(r) => r.try_get(index)?,
        RowRef::__Phantom(_, never) => match never {},
    };
    text.parse().map_err(|e| Error::decode(format!("column {index} as an IP address"), e))
}
