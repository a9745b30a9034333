//! The `rename_all` rules, serde's set, shared by `#[derive(Choices)]` (variant names become
//! stored text) and `#[derive(ModelSchema)]` (field names become JSON keys).

use crate::internals::ast::snake_case;

/// One `rename_all = "..."` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenameRule {
    /// `InReview` -> `inreview`; `in_review` -> `in_review`.
    Lower,
    /// `InReview` -> `INREVIEW`; `in_review` -> `IN_REVIEW`.
    Upper,
    /// `InReview` -> `InReview`; `in_review` -> `InReview`.
    Pascal,
    /// `InReview` -> `inReview`; `in_review` -> `inReview`.
    Camel,
    /// `InReview` -> `in_review`; `in_review` -> `in_review`.
    Snake,
    /// `InReview` -> `IN_REVIEW`; `in_review` -> `IN_REVIEW`.
    ScreamingSnake,
    /// `InReview` -> `in-review`; `in_review` -> `in-review`.
    Kebab,
    /// `InReview` -> `IN-REVIEW`; `in_review` -> `IN-REVIEW`.
    ScreamingKebab,
}

/// Every rule with the name `rename_all` takes, in serde's order (the order error messages
/// list them).
const RULES: &[(&str, RenameRule)] = &[
    ("lowercase", RenameRule::Lower),
    ("UPPERCASE", RenameRule::Upper),
    ("PascalCase", RenameRule::Pascal),
    ("camelCase", RenameRule::Camel),
    ("snake_case", RenameRule::Snake),
    ("SCREAMING_SNAKE_CASE", RenameRule::ScreamingSnake),
    ("kebab-case", RenameRule::Kebab),
    ("SCREAMING-KEBAB-CASE", RenameRule::ScreamingKebab),
];

impl RenameRule {
    /// The rule named `name`, exactly as written in `rename_all = "..."`.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        RULES.iter().find(|(rule_name, _)| *rule_name == name).map(|(_, rule)| *rule)
    }

    /// The rule's name, as `rename_all = "..."` writes it (and serde reads it).
    pub(crate) fn name(self) -> &'static str {
        RULES.iter().find(|(_, rule)| *rule == self).map_or("snake_case", |(name, _)| name)
    }

    /// `"lowercase", "UPPERCASE", ...`: the names an error message suggests.
    pub(crate) fn names() -> String {
        RULES.iter().map(|(name, _)| format!("\"{name}\"")).collect::<Vec<_>>().join(", ")
    }

    /// The text for an enum variant named `variant` (PascalCase, as rustc's
    /// `non_camel_case_types` lint asks). Unlike serde, an acronym stays one word:
    /// `HTTPError` -> `http_error`.
    pub(crate) fn apply_to_variant(self, variant: &str) -> String {
        match self {
            RenameRule::Pascal => variant.to_owned(),
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
            RenameRule::ScreamingKebab => snake_case(variant).to_uppercase().replace('_', "-"),
        }
    }

    /// The key for a struct field named `field` (snake_case). This is serde's
    /// `apply_to_field`, so kata's validation messages name the same key serde reads.
    pub(crate) fn apply_to_field(self, field: &str) -> String {
        match self {
            RenameRule::Lower | RenameRule::Snake => field.to_owned(),
            RenameRule::Upper | RenameRule::ScreamingSnake => field.to_ascii_uppercase(),
            RenameRule::Pascal => {
                let mut pascal = String::with_capacity(field.len());
                let mut capitalize = true;
                for ch in field.chars() {
                    if ch == '_' {
                        capitalize = true;
                    } else if capitalize {
                        pascal.push(ch.to_ascii_uppercase());
                        capitalize = false;
                    } else {
                        pascal.push(ch);
                    }
                }
                pascal
            }
            RenameRule::Camel => {
                let pascal = RenameRule::Pascal.apply_to_field(field);
                let mut chars = pascal.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                    None => String::new(),
                }
            }
            RenameRule::Kebab => field.replace('_', "-"),
            RenameRule::ScreamingKebab => field.to_ascii_uppercase().replace('_', "-"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RenameRule;

    #[test]
    fn every_rule_renames_a_two_word_variant() {
        let cases = [
            ("lowercase", "inreview"),
            ("UPPERCASE", "INREVIEW"),
            ("PascalCase", "InReview"),
            ("camelCase", "inReview"),
            ("snake_case", "in_review"),
            ("SCREAMING_SNAKE_CASE", "IN_REVIEW"),
            ("kebab-case", "in-review"),
            ("SCREAMING-KEBAB-CASE", "IN-REVIEW"),
        ];
        for (name, expected) in cases {
            let rule = RenameRule::from_name(name).unwrap_or_else(|| panic!("no rule named {name}"));
            assert_eq!(rule.apply_to_variant("InReview"), expected, "rule {name}");
        }
    }

    #[test]
    fn every_rule_renames_a_two_word_field_as_serde_does() {
        let cases = [
            ("lowercase", "last_login"),
            ("UPPERCASE", "LAST_LOGIN"),
            ("PascalCase", "LastLogin"),
            ("camelCase", "lastLogin"),
            ("snake_case", "last_login"),
            ("SCREAMING_SNAKE_CASE", "LAST_LOGIN"),
            ("kebab-case", "last-login"),
            ("SCREAMING-KEBAB-CASE", "LAST-LOGIN"),
        ];
        for (name, expected) in cases {
            let rule = RenameRule::from_name(name).unwrap_or_else(|| panic!("no rule named {name}"));
            assert_eq!(rule.apply_to_field("last_login"), expected, "rule {name}");
        }
    }

    #[test]
    fn snake_case_keeps_acronyms_together() {
        assert_eq!(RenameRule::Snake.apply_to_variant("HTTPError"), "http_error");
        assert_eq!(RenameRule::Kebab.apply_to_variant("V2Draft"), "v2-draft");
    }

    #[test]
    fn rule_names_are_case_sensitive() {
        assert_eq!(RenameRule::from_name("snake_case"), Some(RenameRule::Snake));
        assert_eq!(RenameRule::from_name("SnakeCase"), None);
        assert_eq!(RenameRule::from_name("Lowercase"), None);
    }
}
