//! Durations in ModelSchema's JSON: ISO 8601 strings (`"P1DT2H3M4.5S"`, `"-PT0.000001S"`),
//! as Django Ninja (pydantic) writes a `timedelta`, with JSON Schema `format: duration`.
//! chrono's own serde form of a `TimeDelta` is a `[seconds, nanoseconds]` pair, which no
//! API client expects; the derive routes `chrono::Duration` fields through here.

use std::borrow::Cow;

use chrono::TimeDelta;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serializer};

use crate::schema::Patch;

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// A unit of an ISO 8601 duration and its length in nanoseconds.
type Unit = (char, i128);

/// A duration as ISO 8601: `P[nD][T[nH][nM][n[.f]S]]`, with a leading `-` when negative;
/// `PT0S` for zero. Exact to the nanosecond.
///
/// ```
/// use chrono::TimeDelta;
/// use kata::__private::iso_duration::{format, parse};
/// let d = TimeDelta::days(1) + TimeDelta::hours(2) + TimeDelta::minutes(3) + TimeDelta::milliseconds(4500);
/// assert_eq!(format(d), "P1DT2H3M4.5S");
/// assert_eq!(format(-TimeDelta::microseconds(1)), "-PT0.000001S");
/// assert_eq!(parse("P1DT2H3M4.5S").unwrap(), d);
/// assert!(parse("1 day").is_err());
/// ```
pub fn format(duration: TimeDelta) -> String {
    let negative = duration < TimeDelta::zero();
    let magnitude = duration.abs();
    let seconds = magnitude.num_seconds();
    let nanos = magnitude.subsec_nanos();
    let (days, hours, minutes, secs) =
        (seconds / 86_400, seconds % 86_400 / 3_600, seconds % 3_600 / 60, seconds % 60);
    let mut out = String::from(if negative { "-P" } else { "P" });
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if hours > 0 || minutes > 0 || secs > 0 || nanos > 0 || days == 0 {
        out.push('T');
        if hours > 0 {
            out.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            out.push_str(&format!("{minutes}M"));
        }
        if secs > 0 || nanos > 0 || (days == 0 && hours == 0 && minutes == 0) {
            out.push_str(&secs.to_string());
            if nanos > 0 {
                let fraction = format!("{nanos:09}");
                out.push('.');
                out.push_str(fraction.trim_end_matches('0'));
            }
            out.push('S');
        }
    }
    out
}

/// Reads an ISO 8601 duration: an optional sign, `P`, then weeks (`W`) and days (`D`), and
/// after `T` hours, minutes and seconds, each a number with an optional fraction (`.` or
/// `,`), in that order. Years and months are refused (they have no fixed length), as is a
/// value finer than a nanosecond or beyond chrono's range.
pub fn parse(text: &str) -> Result<TimeDelta, String> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let rest = rest.strip_prefix('P').ok_or("it does not start with `P`")?;
    let (date, time) = match rest.split_once('T') {
        Some((date, "")) => return Err(format!("nothing follows `T` in {date}T")),
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    let mut total: i128 = 0;
    let mut components = 0;
    let units: [(&[Unit], Option<&str>); 2] = [
        (&[('W', 7 * 86_400 * NANOS_PER_SECOND), ('D', 86_400 * NANOS_PER_SECOND)], Some(date)),
        (&[('H', 3_600 * NANOS_PER_SECOND), ('M', 60 * NANOS_PER_SECOND), ('S', NANOS_PER_SECOND)], time),
    ];
    for (allowed, part) in units {
        let Some(mut part) = part else { continue };
        let mut next = 0;
        while !part.is_empty() {
            let end = part
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))
                .ok_or("a number has no unit")?;
            let (number, unit) = (&part[..end], part[end..].chars().next().unwrap_or(' '));
            part = &part[end + unit.len_utf8()..];
            if matches!(unit, 'Y') || (unit == 'M' && allowed[0].0 == 'W') {
                return Err("years and months have no fixed length; use days".into());
            }
            let position = allowed[next..].iter().position(|(u, _)| *u == unit).ok_or_else(|| {
                format!(
                    "unexpected `{unit}` (the units are W and D before `T`, then H, M and S, in that order)"
                )
            })?;
            let scale = allowed[next + position].1;
            next += position + 1;
            total = total.checked_add(component(number, scale)?).ok_or("the duration is too long")?;
            components += 1;
        }
    }
    if components == 0 {
        return Err("it has no components".into());
    }
    let total = if negative { -total } else { total };
    let seconds =
        i64::try_from(total.div_euclid(NANOS_PER_SECOND)).map_err(|_| "the duration is too long")?;
    let nanos = u32::try_from(total.rem_euclid(NANOS_PER_SECOND)).map_err(|_| "the duration is too long")?;
    TimeDelta::new(seconds, nanos).ok_or_else(|| "the duration is too long".into())
}

/// `digits[(.|,)digits]` of a unit worth `scale` nanoseconds, exactly.
fn component(number: &str, scale: i128) -> Result<i128, String> {
    let (whole, fraction) = match number.split_once(['.', ',']) {
        Some((whole, fraction)) => (whole, fraction),
        None => (number, ""),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (number.len() > whole.len() && !digits(fraction)) {
        return Err(format!("`{number}` is not a number"));
    }
    let too_long = || "the duration is too long".to_owned();
    let whole: i128 = whole.parse().map_err(|_| too_long())?;
    let mut value = whole.checked_mul(scale).ok_or_else(too_long)?;
    let fraction = fraction.trim_end_matches('0');
    if !fraction.is_empty() {
        let places =
            u32::try_from(fraction.len()).ok().filter(|p| *p <= 30).ok_or("too many decimal places")?;
        let numerator: i128 = fraction.parse().map_err(|_| too_long())?;
        let unit = 10i128.pow(places);
        let scaled = numerator.checked_mul(scale).ok_or_else(too_long)?;
        if scaled % unit != 0 {
            return Err("it is finer than a nanosecond".into());
        }
        value = value.checked_add(scaled / unit).ok_or_else(too_long)?;
    }
    Ok(value)
}

/// `#[serde(with = ..)]` for a `TimeDelta` field.
pub fn serialize<S: Serializer>(value: &TimeDelta, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(*value))
}

/// `#[serde(with = ..)]` for a `TimeDelta` field: a clear error for a string that is not
/// an ISO 8601 duration.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<TimeDelta, D::Error> {
    let text = Cow::<str>::deserialize(deserializer)?;
    parse(&text).map_err(|reason| {
        serde::de::Error::custom(format!(
            "invalid duration {text:?}: {reason}; expected an ISO 8601 duration such as \"P1DT2H3M4.5S\""
        ))
    })
}

/// `#[serde(with = ..)]` for an `Option<TimeDelta>` field.
pub mod option {
    use super::*;

    /// Serialises `None` as `null`.
    pub fn serialize<S: Serializer>(value: &Option<TimeDelta>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => super::serialize(d, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads `null` as `None`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<TimeDelta>, D::Error> {
        Option::<Iso>::deserialize(deserializer).map(|o| o.map(|Iso(d)| d))
    }
}

/// `#[serde(with = ..)]` for a `Patch<TimeDelta>` field.
pub mod patch {
    use super::*;

    /// Serialises `Set` as the string, the others as `null`.
    pub fn serialize<S: Serializer>(value: &Patch<TimeDelta>, serializer: S) -> Result<S::Ok, S::Error> {
        super::option::serialize(&value.as_set().copied(), serializer)
    }

    /// Reads `null` as `Patch::Null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Patch<TimeDelta>, D::Error> {
        super::option::deserialize(deserializer).map(Patch::from)
    }
}

/// A `TimeDelta` read from its ISO 8601 string.
struct Iso(TimeDelta);

impl<'de> Deserialize<'de> for Iso {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer).map(Iso)
    }
}

/// The JSON Schema of a duration field: `{"type": "string", "format": "duration"}`.
#[derive(Debug)]
pub struct IsoDuration;

impl JsonSchema for IsoDuration {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({ "type": "string", "format": "duration" })
    }
}

/// The JSON Schema of an IP address field: an IPv4 or an IPv6 address (schemars says
/// `format: ip`, which JSON Schema does not define).
#[derive(Debug)]
pub struct IpAddress;

impl JsonSchema for IpAddress {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "IpAddress".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        schemars::json_schema!({
            "type": "string",
            "anyOf": [{ "format": "ipv4" }, { "format": "ipv6" }]
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_reads_back_exactly() {
        let micros = TimeDelta::microseconds;
        for (d, text) in [
            (TimeDelta::zero(), "PT0S"),
            (TimeDelta::days(1), "P1D"),
            (TimeDelta::days(2) + TimeDelta::seconds(1), "P2DT1S"),
            (TimeDelta::hours(25), "P1DT1H"),
            (micros(1_500_000), "PT1.5S"),
            (-micros(1), "-PT0.000001S"),
            (-(TimeDelta::days(3) + micros(1)), "-P3DT0.000001S"),
            (TimeDelta::minutes(90), "PT1H30M"),
        ] {
            assert_eq!(format(d), text);
            assert_eq!(parse(text), Ok(d), "{text}");
        }
        for extreme in [micros(i64::MAX), -micros(i64::MAX), TimeDelta::MAX, TimeDelta::MIN] {
            assert_eq!(parse(&format(extreme)), Ok(extreme));
        }
    }

    #[test]
    fn reads_other_iso_forms_and_refuses_bad_ones() {
        assert_eq!(parse("P1W"), Ok(TimeDelta::days(7)));
        assert_eq!(parse("PT1.5H"), Ok(TimeDelta::minutes(90)));
        assert_eq!(parse("PT0,5S"), Ok(TimeDelta::milliseconds(500)));
        assert_eq!(parse("+PT36H"), Ok(TimeDelta::hours(36)));
        assert_eq!(parse("-P1DT2H"), Ok(-(TimeDelta::days(1) + TimeDelta::hours(2))));
        for bad in
            ["", "P", "PT", "1D", "P1Y", "P1M", "PT1S2M", "P1D1D", "PT1.S", "PTxS", "PT0.0000000001S", "P1H"]
        {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("P99999999999999999999D").is_err());
    }
}
