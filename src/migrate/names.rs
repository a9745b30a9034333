//! The one function that names generated constraints and indexes (primary keys, uniques,
//! foreign keys, indexes). Every name the migrations write comes from here, so that a
//! change to how names are built (or shortened to fit a backend's limit) is made once.

/// `table_col1_col2_suffix`: PostgreSQL's own convention (`_pkey`, `_key`, `_fkey`, `_idx`).
pub(crate) fn generated_name(table: &str, columns: &[&str], suffix: &str) -> String {
    if columns.is_empty() {
        return format!("{table}_{suffix}");
    }
    format!("{table}_{}_{suffix}", columns.join("_"))
}

#[cfg(test)]
mod tests {
    use super::generated_name;

    #[test]
    fn names_follow_postgres_conventions() {
        assert_eq!(generated_name("post", &[], "pkey"), "post_pkey");
        assert_eq!(generated_name("post", &["a", "b"], "key"), "post_a_b_key");
    }
}
