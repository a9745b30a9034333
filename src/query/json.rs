//! Rendering of JSON key and path lookups (`Node::Json`): fills in the dialect's
//! templates, binding the path, the keys and the arguments.

use crate::dialect::{JsonPiece, JsonTemplate};
use crate::error::{Error, Result};
use crate::expr::{BinOp, JsonOp, JsonStep, Node};
use crate::query::sql::SqlWriter;
use crate::value::Value;

/// `$."key"[0]..`: each key a JSON string, so quotes, dots, `$` and brackets in a key stay
/// inside it.
pub(crate) fn json_path_text(path: &[JsonStep], key: Option<&str>) -> String {
    use std::fmt::Write as _;
    fn member(out: &mut String, key: &str) {
        out.push('.');
        out.push_str(&serde_json::Value::String(key.to_owned()).to_string());
    }
    let mut out = String::from("$");
    for step in path {
        match step {
            JsonStep::Key(key) => member(&mut out, key),
            JsonStep::Index(index) => {
                // Writing into a String cannot fail.
                let _ = write!(out, "[{index}]");
            }
        }
    }
    if let Some(key) = key {
        member(&mut out, key);
    }
    out
}

impl SqlWriter {
    /// A JSON value at a path, or a lookup on it.
    pub(crate) fn json(&mut self, doc: &Node, path: &[JsonStep], op: &JsonOp) -> Result<()> {
        match op {
            JsonOp::Value => self.json_template(JsonTemplate::Value, doc, path, None, None, None),
            JsonOp::Order => self.json_template(JsonTemplate::Order, doc, path, None, None, None),
            JsonOp::Text => self.json_template(JsonTemplate::Text, doc, path, None, None, None),
            JsonOp::Exact(value) => self.json_guarded(doc, value.is_null(), |w| {
                w.json_template(JsonTemplate::Exact, doc, path, None, Some(value), None)
            }),
            JsonOp::Compare(op, value) => self.json_guarded(doc, false, |w| {
                w.json_template(JsonTemplate::Compare, doc, path, None, Some(value), Some(*op))
            }),
            JsonOp::HasKeys(keys, all) => {
                if keys.is_empty() {
                    // No key to have: every document has all of none, and none of none.
                    self.push(if *all { "(1 = 1)" } else { "(1 = 0)" });
                    return Ok(());
                }
                self.push("(");
                for (i, key) in keys.iter().enumerate() {
                    if i > 0 {
                        self.push(if *all { " AND " } else { " OR " });
                    }
                    self.json_template(JsonTemplate::HasKey, doc, path, Some(key.as_str()), None, None)?;
                }
                self.push(")");
                Ok(())
            }
            JsonOp::Contains(value) => {
                self.json_template(JsonTemplate::Contains, doc, path, None, Some(value), None)
            }
            JsonOp::ContainedBy(value) => {
                self.json_template(JsonTemplate::ContainedBy, doc, path, None, Some(value), None)
            }
        }
    }

    /// A comparison of a key's value. Under a negation (`exclude`, `!q`) a row whose
    /// document lacks the key is left out, as Django leaves it out (its `NOT (.. AND col IS
    /// NOT NULL)`); a row whose document is NULL is kept, except for a comparison with JSON
    /// null, which Django does not guard.
    pub(crate) fn json_guarded(
        &mut self,
        doc: &Node,
        null_argument: bool,
        comparison: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        if !self.negated {
            return comparison(self);
        }
        self.push("COALESCE(");
        comparison(self)?;
        if null_argument {
            self.push(", (1 = 1))");
        } else {
            self.push(", (");
            self.node(doc)?;
            self.push(" IS NOT NULL))");
        }
        Ok(())
    }

    fn json_template(
        &mut self,
        what: JsonTemplate,
        doc: &Node,
        path: &[JsonStep],
        key: Option<&str>,
        argument: Option<&serde_json::Value>,
        op: Option<BinOp>,
    ) -> Result<()> {
        let template = self.dialect.json_template(what).ok_or_else(|| {
            let lookup = match what {
                JsonTemplate::Contains => "the JSON `contains` lookup",
                JsonTemplate::ContainedBy => "the JSON `contained_by` lookup",
                _ => "this JSON lookup",
            };
            crate::dialect::unsupported(self.dialect, lookup)
        })?;
        for piece in template {
            match *piece {
                JsonPiece::Sql(text) => self.push(text),
                JsonPiece::Doc => self.node(doc)?,
                JsonPiece::Path => self.json_path(path, false)?,
                JsonPiece::TextPath => self.json_path(path, true)?,
                JsonPiece::KeyPath => {
                    let key = key.ok_or(Error::Internal("a JSON key template without a key"))?;
                    if self.dialect.json_path_steps() {
                        self.bind_value(&Value::Text(key.to_owned()))?;
                    } else {
                        self.bind_value(&Value::Text(json_path_text(path, Some(key))))?;
                    }
                }
                JsonPiece::Arg => {
                    let argument = argument.ok_or(Error::Internal("a JSON template without an argument"))?;
                    self.json_argument(argument, what == JsonTemplate::Compare)?;
                }
                JsonPiece::Op => self.push(match op {
                    Some(BinOp::Gt) => " > ",
                    Some(BinOp::Gte) => " >= ",
                    Some(BinOp::Lt) => " < ",
                    Some(BinOp::Lte) => " <= ",
                    _ => return Err(Error::Internal("a JSON comparison without its operator")),
                }),
            }
        }
        Ok(())
    }

    /// The path: `-> $1 -> $2` (the last `->>` for text) on PostgreSQL, one bound path text
    /// elsewhere.
    fn json_path(&mut self, path: &[JsonStep], text: bool) -> Result<()> {
        if !self.dialect.json_path_steps() {
            return self.bind_value(&Value::Text(json_path_text(path, None)));
        }
        if path.is_empty() && text {
            return Err(Error::InvalidQuery("a JSON value as text needs a key or an index".into()));
        }
        for (i, step) in path.iter().enumerate() {
            self.push(if text && i + 1 == path.len() { " ->> " } else { " -> " });
            match step {
                JsonStep::Key(key) => self.bind_value(&Value::Text(key.clone()))?,
                JsonStep::Index(index) => {
                    let index = i32::try_from(*index).map_err(|_| {
                        Error::InvalidQuery(format!("the JSON array index {index} is too large"))
                    })?;
                    self.bind_value(&Value::Int(index))?
                }
            }
        }
        Ok(())
    }

    /// A lookup's argument: `jsonb` on PostgreSQL; elsewhere JSON text, or for a comparison
    /// the number or text itself.
    fn json_argument(&mut self, argument: &serde_json::Value, comparison: bool) -> Result<()> {
        if self.dialect.json_native_arguments() {
            return self.bind_value(&Value::Json(argument.clone()));
        }
        if !comparison {
            return self.bind_value(&Value::Text(argument.to_string()));
        }
        let value = match argument {
            serde_json::Value::String(text) => Value::Text(text.clone()),
            serde_json::Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Value::BigInt(i),
                (None, Some(f)) => Value::Double(f),
                (None, None) => {
                    return Err(Error::InvalidQuery(format!("the number {n} cannot be compared")));
                }
            },
            other => {
                return Err(Error::InvalidQuery(format!(
                    "a JSON key compares in order with a number or a text, not {other}"
                )));
            }
        };
        self.bind_value(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_keys_are_json_strings() {
        let path = [JsonStep::Key("a\"b.c$".into()), JsonStep::Index(2), JsonStep::Key("ü 🤡".into())];
        assert_eq!(json_path_text(&path, Some("k")), r#"$."a\"b.c$"[2]."ü 🤡"."k""#);
        assert_eq!(json_path_text(&[], None), "$");
    }
}
