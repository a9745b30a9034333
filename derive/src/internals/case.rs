//! The `rename_all` rules of `#[derive(Choices)]`: how a variant's name becomes the text
//! stored for it.

use crate::internals::ast::snake_case;

/// One `rename_all = "..."` rule. Variant names are expected in PascalCase, as rustc's
/// `non_camel_case_types` lint asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenameRule {
    /// `InReview` -> `inreview`.
    Lower,
    /// `InReview` -> `INREVIEW`.
    Upper,
    /// `InReview` -> `inReview`.
    Camel,
    /// `InReview` -> `in_review`; an acronym stays one word (`HTTPError` -> `http_error`).
    Snake,
    /// `InReview` -> `IN_REVIEW`.
    ScreamingSnake,
    /// `InReview` -> `in-review`.
    Kebab,
}

/// Every rule with the name `rename_all` takes, in the order error messages list them.
const RULES: &[(&str, RenameRule)] = &[
    ("snake_case", RenameRule::Snake),
    ("lowercase", RenameRule::Lower),
    ("UPPERCASE", RenameRule::Upper),
    ("camelCase", RenameRule::Camel),
    ("kebab-case", RenameRule::Kebab),
    ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnake),
];

impl RenameRule {
    /// The rule named `name`, exactly as written in `rename_all = "..."`.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        RULES.iter().find(|(rule_name, _)| *rule_name == name).map(|(_, rule)| *rule)
    }

    /// `"snake_case", "lowercase", ...`: the names an error message suggests.
    pub(crate) fn names() -> String {
        RULES.iter().map(|(name, _)| format!("\"{name}\"")).collect::<Vec<_>>().join(", ")
    }

    /// The text for a variant named `variant`.
    pub(crate) fn apply(self, variant: &str) -> String {
        match self {
            RenameRule::Lower => variant.to_lowercase(),
            RenameRule::Upper => variant.to_uppercase(),
            RenameRule::Camel => {
                let mut chars = variant.chars();
                match chars.next() {
                    Some(first) => first.to_lowercase().chain(chars).collect(),
                    None => String::new(),
                }
            }
            RenameRule::Snake => snake_case(variant),
            RenameRule::ScreamingSnake => snake_case(variant).to_uppercase(),
            RenameRule::Kebab => snake_case(variant).replace('_', "-"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RenameRule;

    #[test]
    fn every_rule_renames_a_two_word_variant() {
        let cases = [
            ("snake_case", "in_review"),
            ("lowercase", "inreview"),
            ("UPPERCASE", "INREVIEW"),
            ("camelCase", "inReview"),
            ("kebab-case", "in-review"),
            ("SCREAMING_SNAKE_CASE", "IN_REVIEW"),
        ];
        for (name, expected) in cases {
            let rule = RenameRule::from_name(name).unwrap_or_else(|| panic!("no rule named {name}"));
            assert_eq!(rule.apply("InReview"), expected, "rule {name}");
        }
    }

    #[test]
    fn snake_case_keeps_acronyms_together() {
        assert_eq!(RenameRule::Snake.apply("HTTPError"), "http_error");
        assert_eq!(RenameRule::Kebab.apply("V2Draft"), "v2-draft");
    }

    #[test]
    fn rule_names_are_case_sensitive() {
        assert_eq!(RenameRule::from_name("snake_case"), Some(RenameRule::Snake));
        assert_eq!(RenameRule::from_name("SnakeCase"), None);
        assert_eq!(RenameRule::from_name("Lowercase"), None);
    }
}
