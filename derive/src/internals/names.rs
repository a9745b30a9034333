//! Link-table names that fit every backend: the same rule as kata's `truncate_name` (a
//! test in kata's `tests/long_names.rs` checks that the two agree).

/// The longest name kata generates (PostgreSQL's 63 bytes, the smallest limit).
const MAX_NAME_LEN: usize = 63;
const HASH_LEN: usize = 8;

/// `name`, or its first bytes, `_` and 8 hex digits of the MD5 of the whole name.
pub(crate) fn truncate_name(name: &str) -> String {
    if name.len() <= MAX_NAME_LEN {
        return name.to_owned();
    }
    let mut keep = MAX_NAME_LEN - HASH_LEN - 1;
    while !name.is_char_boundary(keep) {
        keep -= 1;
    }
    use md5::Digest;
    let digest = md5::Md5::digest(name.as_bytes());
    let hash: String = digest.iter().take(HASH_LEN / 2).map(|b| format!("{b:02x}")).collect();
    format!("{}_{hash}", &name[..keep])
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_runtime_rule() {
        assert_eq!(super::truncate_name("short"), "short");
        assert_eq!(super::truncate_name(&"x".repeat(64)), format!("{}_c1bb4f81", "x".repeat(54)));
    }
}
