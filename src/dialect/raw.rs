//! Hand-written SQL (`raw_query`, `raw_execute`, `araw`): finding its `?` placeholders with
//! the lexical rules of each backend, so that a `?` inside a string literal, a quoted
//! identifier or a comment is left alone, and writing each one as the backend's placeholder.

use crate::error::{Error, Result};

/// What a backend's SQL text can hold around placeholders: the quoted and commented regions
/// in which a `?` is not a placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawLexicon {
    /// A backslash escapes the next character inside `'...'` and `"..."` (MySQL, MariaDB).
    pub(crate) backslash_escapes: bool,
    /// `# comment` to the end of the line (MySQL, MariaDB).
    pub(crate) hash_comments: bool,
    /// `--` starts a comment only before whitespace (MySQL, MariaDB).
    pub(crate) dash_comment_needs_space: bool,
    /// `[identifier]` (SQLite).
    pub(crate) bracket_identifiers: bool,
    /// `` `identifier` `` (SQLite, MySQL, MariaDB).
    pub(crate) backtick_identifiers: bool,
    /// `$tag$ .. $tag$` strings, `E'..'` strings with backslash escapes, nested `/* */`
    /// comments, and `??` for a literal `?` (PostgreSQL, whose JSON operators are `?`,
    /// `?|` and `?&`).
    pub(crate) postgres: bool,
}

impl RawLexicon {
    /// Standard SQL: `'string'`, `"identifier"`, `-- comment`, `/* comment */`.
    pub(crate) const STANDARD: RawLexicon = RawLexicon {
        backslash_escapes: false,
        hash_comments: false,
        dash_comment_needs_space: false,
        bracket_identifiers: false,
        backtick_identifiers: false,
        postgres: false,
    };
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// `sql` with every `?` placeholder written by `placeholder` (given its 1-based number),
/// and how many there were. A `?` followed by a digit (SQLite's numbered `?1`) is refused:
/// kata numbers placeholders itself.
pub(crate) fn rewrite(
    sql: &str,
    lexicon: RawLexicon,
    mut placeholder: impl FnMut(&mut String, usize),
) -> Result<(String, usize)> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut count = 0;
    // Everything in sql[copied..i] is still to be copied to `out` as is.
    let mut copied = 0;
    let mut i = 0;
    // Skips a quoted region opened at `i` by `close`; `i` ends after the closing quote.
    let skip_quoted = |i: &mut usize, close: u8, backslash: bool| {
        *i += 1;
        while *i < bytes.len() {
            let b = bytes[*i];
            if backslash && b == b'\\' {
                *i += 2;
                continue;
            }
            *i += 1;
            if b == close {
                return;
            }
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        let prev_ident = i > 0 && is_ident_byte(bytes[i - 1]);
        match b {
            b'\'' => {
                let escape_string = lexicon.postgres && i > 0 && matches!(bytes[i - 1], b'E' | b'e') && {
                    // `E'..'`, not the end of an identifier such as `name'..` (never valid anyway).
                    i < 2 || !is_ident_byte(bytes[i - 2])
                };
                skip_quoted(&mut i, b'\'', lexicon.backslash_escapes || escape_string);
            }
            b'"' => skip_quoted(&mut i, b'"', lexicon.backslash_escapes),
            b'`' if lexicon.backtick_identifiers => skip_quoted(&mut i, b'`', false),
            b'[' if lexicon.bracket_identifiers => skip_quoted(&mut i, b']', false),
            b'-' if bytes.get(i + 1) == Some(&b'-')
                && (!lexicon.dash_comment_needs_space
                    || bytes.get(i + 2).is_none_or(|c| c.is_ascii_whitespace() || c.is_ascii_control())) =>
            {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            }
            b'#' if lexicon.hash_comments => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let mut depth = 1;
                i += 2;
                while i < bytes.len() && depth > 0 {
                    if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                        depth -= 1;
                        i += 2;
                    } else if lexicon.postgres && bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                        depth += 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
            }
            b'$' if lexicon.postgres && !prev_ident => {
                // `$tag$ .. $tag$` (the tag may be empty); `$1` is not a tag.
                let tag_end = sql[i + 1..]
                    .bytes()
                    .position(|c| !is_ident_byte(c))
                    .map(|n| i + 1 + n)
                    .filter(|&end| bytes[end] == b'$' && !bytes[i + 1].is_ascii_digit());
                match tag_end {
                    Some(end) => {
                        let tag = &sql[i..=end];
                        i = sql[end + 1..].find(tag).map_or(bytes.len(), |n| end + 1 + n + tag.len());
                    }
                    None => i += 1,
                }
            }
            b'?' => {
                if lexicon.postgres && bytes.get(i + 1) == Some(&b'?') {
                    // `??`: a literal `?` (a JSON operator).
                    out.push_str(&sql[copied..=i]);
                    i += 2;
                    copied = i;
                    continue;
                }
                if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    return Err(Error::InvalidQuery(
                        "numbered placeholders such as `?1` are not portable: write each placeholder as `?`, \
                         and give the values in order"
                            .into(),
                    ));
                }
                out.push_str(&sql[copied..i]);
                count += 1;
                placeholder(&mut out, count);
                i += 1;
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&sql[copied.min(sql.len())..]);
    Ok((out, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dollar(out: &mut String, n: usize) {
        out.push('$');
        out.push_str(&n.to_string());
    }

    fn postgres(sql: &str) -> (String, usize) {
        let lexicon = RawLexicon { postgres: true, ..RawLexicon::STANDARD };
        rewrite(sql, lexicon, dollar).unwrap()
    }

    fn mysql(sql: &str) -> (String, usize) {
        let lexicon = RawLexicon {
            backslash_escapes: true,
            hash_comments: true,
            dash_comment_needs_space: true,
            backtick_identifiers: true,
            ..RawLexicon::STANDARD
        };
        rewrite(sql, lexicon, dollar).unwrap()
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            postgres("SELECT * FROM t WHERE a = ? AND b > ?"),
            ("SELECT * FROM t WHERE a = $1 AND b > $2".into(), 2)
        );
        assert_eq!(postgres("SELECT 1"), ("SELECT 1".into(), 0));
        assert_eq!(postgres("?"), ("$1".into(), 1));
    }

    #[test]
    fn quoted_and_commented_question_marks_are_left_alone() {
        let sql = "SELECT '?', \"a?\", $$?$$, $x$ ? $x$, E'\\'?' -- ?\n /* ? /* ? */ ? */ FROM t WHERE a = ?";
        let (out, n) = postgres(sql);
        assert_eq!(n, 1, "{out}");
        assert!(out.ends_with("a = $1"), "{out}");
        let (out, n) = mysql("SELECT '\\'?', \"?\", `?` # ?\n, a--? \n -- ?\n FROM t WHERE a = ?");
        assert_eq!(n, 2, "{out}");
    }

    #[test]
    fn postgres_writes_a_literal_question_mark_as_two() {
        assert_eq!(
            postgres("SELECT data ?? 'k' FROM t WHERE id = ?"),
            ("SELECT data ? 'k' FROM t WHERE id = $1".into(), 1)
        );
    }

    #[test]
    fn numbered_placeholders_are_refused() {
        assert!(rewrite("SELECT ?1", RawLexicon::STANDARD, dollar).is_err());
    }

    #[test]
    fn unterminated_regions_end_the_text() {
        assert_eq!(postgres("SELECT '?").1, 0);
        assert_eq!(postgres("SELECT $a$ ?").1, 0);
        assert_eq!(postgres("SELECT ?, /* ?").1, 1);
    }
}
