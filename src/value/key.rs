//! Values as hash keys, for grouping rows by a relation's key.

use super::Value;

/// A value used as a hash key (relation keys when grouping prefetched rows). Floats compare
/// by their bits.
#[derive(Debug, Clone)]
pub(crate) struct Key(pub(crate) Value);

impl PartialEq for Key {
    // Inlined, integers first: grouping rows (prefetch, delete's collector) compares a key per row.
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Value::BigInt(a), Value::BigInt(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Double(a), Value::Double(b)) => a.to_bits() == b.to_bits(),
            (a, b) => a == b,
        }
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    /// Hashes the payload only: equal keys have the same variant, and keys of two variants
    /// with the same payload (`Int(1)`, `BigInt(1)`) only share a hash, which `eq` tells
    /// apart. So an integer key is one `write_i64`.
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match &self.0 {
            Value::Null(_) => state.write_u8(0),
            Value::Bool(v) => v.hash(state),
            Value::SmallInt(v) => state.write_i64(i64::from(*v)),
            Value::Int(v) => state.write_i64(i64::from(*v)),
            Value::BigInt(v) => state.write_i64(*v),
            Value::Float(v) => state.write_u32(v.to_bits()),
            Value::Double(v) => state.write_u64(v.to_bits()),
            Value::Text(v) => v.hash(state),
            Value::Bytes(v) => v.hash(state),
            Value::TimestampTz(v) => v.hash(state),
            Value::Date(v) => v.hash(state),
            Value::Timestamp(v) => v.hash(state),
            Value::Time(v) => v.hash(state),
            Value::Json(v) => v.to_string().hash(state),
            #[cfg(feature = "rust_decimal")]
            Value::Decimal(v) => v.normalize().hash(state),
            #[cfg(feature = "uuid")]
            Value::Uuid(v) => v.hash(state),
            Value::Duration(v) => v.hash(state),
            Value::IpAddr(v) => v.hash(state),
            Value::UnsignedSmallInt(v) => state.write_u64(u64::from(*v)),
            Value::UnsignedInt(v) => state.write_u64(u64::from(*v)),
            Value::UnsignedBigInt(v) => state.write_u64(*v),
            Value::Array(v) => v.hash_into(state),
        }
    }
}
