//! The one place that names generated constraints, indexes and link tables, so that every
//! name fits every backend and stays the same from one run (and one backend) to the next.
//!
//! PostgreSQL keeps 63 bytes of an identifier (and silently cuts the rest, so two long
//! names can collide), MySQL and MariaDB refuse more than 64. A generated name longer than
//! [`MAX_NAME_LEN`] keeps its beginning and ends with a hash of the whole name, as Django's
//! `truncate_name` / `names_digest` do: deterministic, so migrations find the name again,
//! and one limit for all backends, so a migration written against one finds its names on
//! another.

/// The longest name kata generates: PostgreSQL's limit, the smallest of the backends'.
pub const MAX_NAME_LEN: usize = 63;

/// How many hex digits of the hash end a shortened name.
const HASH_LEN: usize = 8;

/// `name` itself when it fits in [`MAX_NAME_LEN`] bytes; otherwise its first bytes, `_`
/// and the first 8 hex digits of the MD5 of the whole name (Django's `truncate_name`,
/// with `names_digest`).
///
/// ```
/// use kata::migrate::{MAX_NAME_LEN, truncate_name};
/// assert_eq!(truncate_name("auth_user_username_key"), "auth_user_username_key");
/// let long = "a_table_with_a_rather_long_name_a_column_with_a_long_name_too_key";
/// let short = truncate_name(long);
/// assert_eq!(short.len(), MAX_NAME_LEN);
/// assert!(short.starts_with("a_table_with_a_rather_long_name"));
/// assert_eq!(short, truncate_name(long)); // the same every time
/// ```
pub fn truncate_name(name: &str) -> String {
    if name.len() <= MAX_NAME_LEN {
        return name.to_owned();
    }
    let mut keep = MAX_NAME_LEN - HASH_LEN - 1;
    while !name.is_char_boundary(keep) {
        keep -= 1;
    }
    format!("{}_{}", &name[..keep], names_digest(name))
}

/// The first 8 hex digits of the MD5 of `name` (Django's `names_digest`).
fn names_digest(name: &str) -> String {
    use md5::Digest;
    let digest = md5::Md5::digest(name.as_bytes());
    digest.iter().take(HASH_LEN / 2).map(|b| format!("{b:02x}")).collect()
}

/// `table_col1_col2_suffix` (PostgreSQL's own convention: `_pkey`, `_key`, `_fkey`,
/// `_idx`), shortened by [`truncate_name`] when it is too long.
pub(crate) fn generated_name(table: &str, columns: &[&str], suffix: &str) -> String {
    if columns.is_empty() {
        return truncate_name(&format!("{table}_{suffix}"));
    }
    truncate_name(&format!("{table}_{}_{suffix}", columns.join("_")))
}

#[cfg(test)]
mod tests {
    use super::{MAX_NAME_LEN, generated_name, truncate_name};

    #[test]
    fn names_follow_postgres_conventions() {
        assert_eq!(generated_name("post", &[], "pkey"), "post_pkey");
        assert_eq!(generated_name("post", &["a", "b"], "key"), "post_a_b_key");
    }

    #[test]
    fn long_names_are_cut_with_a_hash_of_the_whole_name() {
        let a = generated_name(&"t".repeat(40), &[&"c".repeat(30)], "key");
        let b = generated_name(&"t".repeat(40), &[&"c".repeat(31)], "key");
        assert_eq!(a.len(), MAX_NAME_LEN);
        assert_eq!(&a[..54], &b[..54]);
        assert_ne!(a, b, "names that share their first 54 bytes still differ");
        // Pinned: a name must never change between releases, or migrations lose it.
        assert_eq!(truncate_name(&"x".repeat(64)), format!("{}_{}", "x".repeat(54), "c1bb4f81"));
    }

    #[test]
    fn a_cut_never_splits_a_character() {
        let name = format!("{}é{}", "a".repeat(53), "b".repeat(20));
        let short = truncate_name(&name);
        assert!(short.len() <= MAX_NAME_LEN);
        assert!(short.starts_with(&"a".repeat(53)) && !short.contains('é'));
    }
}
