//! `manage inspectdb` (Django's command of the same name): kata model structs written from
//! a live schema, with table and column attributes, keys, uniques and indexes, foreign keys
//! as `ForeignKey` (`OneToOne` when the column is unique), and a link table (two foreign
//! keys, their unique pair and at most an `id`) as a model that a `ManyToMany` goes
//! through.

use std::fmt::Write as _;

use crate::dialect::rust_type;
use crate::migrate::introspect::{LiveColumn, LiveForeignKey, LiveSchema, LiveTable};
use crate::model::OnDelete;

/// The Rust source of a module with one model per table of `schema`.
///
/// ```
/// # async fn demo() -> kata::Result<()> {
/// let db = kata::Db::connect("sqlite::memory:").await?;
/// db.execute_unprepared("CREATE TABLE blog_tag (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, name varchar(50) NOT NULL UNIQUE)").await?;
/// let source = kata::migrate::inspectdb(&kata::migrate::introspect(&db).await?);
/// assert!(source.contains("#[kata(table = \"blog_tag\")]\npub struct BlogTag {"), "{source}");
/// assert!(source.contains("    #[kata(unique, max_length = 50)]\n    pub name: String,"), "{source}");
/// # Ok(()) }
/// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
/// ```
pub fn inspectdb(schema: &LiveSchema) -> String {
    let mut out = String::from(
        "//! Models written by `manage inspectdb` from the live database. Review them before use:\n\
         //! rename the structs and fields, add `default`s, `email`, reverse relations, and\n\
         //! list them all in `Manage::new`.\n\n",
    );
    let types = || schema.tables.iter().flat_map(|t| &t.columns).filter_map(|c| c.ty);
    let mut imports = Vec::new();
    if types().any(|ty| rust_type(ty).starts_with("chrono::")) {
        imports.push("chrono");
    }
    if types().any(|ty| rust_type(ty).starts_with("serde_json::")) {
        imports.push("serde_json");
    }
    match imports.as_slice() {
        [] => {}
        [one] => {
            let _ = writeln!(out, "use kata::{one};");
        }
        _ => {
            let _ = writeln!(out, "use kata::{{{}}};", imports.join(", "));
        }
    }
    out.push_str("use kata::prelude::*;\n");
    for table in &schema.tables {
        out.push('\n');
        write_model(schema, table, &mut out);
    }
    out
}

/// A table is a link table when it holds two foreign keys to two tables, unique together,
/// and nothing else but an `id` key.
fn link_of(table: &LiveTable) -> Option<(&LiveForeignKey, &LiveForeignKey)> {
    let [a, b] = table.foreign_keys.as_slice() else { return None };
    let others =
        table.columns.iter().filter(|c| c.name != a.column && c.name != b.column).collect::<Vec<_>>();
    let only_id = match others.as_slice() {
        [] => true,
        [id] => table.primary_key == [id.name.clone()],
        _ => false,
    };
    (only_id && a.table != b.table && table.is_unique(&[a.column.as_str(), b.column.as_str()]))
        .then_some((a, b))
}

/// The link tables whose first foreign key points at `table`: (link table, the other side,
/// the field's name).
fn links_from<'s>(
    schema: &'s LiveSchema,
    table: &LiveTable,
) -> Vec<(&'s LiveTable, &'s LiveForeignKey, String)> {
    let mut out = Vec::new();
    for link in &schema.tables {
        let Some((a, b)) = link_of(link) else { continue };
        // Django names a link table `<source table>_<field>`; otherwise the first key's
        // table is the source and the field is named after the other table.
        let (source, target) = if link.name.starts_with(&format!("{}_", b.table))
            && !link.name.starts_with(&format!("{}_", a.table))
        {
            (b, a)
        } else {
            (a, b)
        };
        if source.table != table.name {
            continue;
        }
        let field = link
            .name
            .strip_prefix(&format!("{}_", table.name))
            .map_or_else(|| format!("{}_set", field_name(&target.table)), field_name);
        out.push((link, target, field));
    }
    out
}

fn write_model(schema: &LiveSchema, table: &LiveTable, out: &mut String) {
    let mut container = vec![format!("table = \"{}\"", table.name)];
    let together: Vec<&crate::migrate::LiveIndex> =
        table.indexes.iter().filter(|i| i.unique && i.columns.len() > 1).collect();
    for group in &together {
        let fields: Vec<String> = group.columns.iter().map(|c| field_of(table, c)).collect();
        container.push(format!("unique_together({})", fields.join(", ")));
    }
    let _ = writeln!(out, "#[derive(Model, Debug, Clone, PartialEq)]");
    let _ = writeln!(out, "#[kata({})]", container.join(", "));
    let _ = writeln!(out, "pub struct {} {{", struct_name(&table.name));
    for index in table.indexes.iter().filter(|i| !i.unique && i.columns.len() > 1) {
        let _ = writeln!(
            out,
            "    // index `{}` ({}): not expressed by kata's attributes",
            index.name,
            index.columns.join(", ")
        );
    }
    let keyless = table.primary_key.is_empty();
    for (n, column) in table.columns.iter().enumerate() {
        write_field(schema, table, column, keyless && n == 0, out);
    }
    for (link, target, field) in links_from(schema, table) {
        let _ = writeln!(out, "    #[kata(many_to_many(through = {}))]", struct_name(&link.name));
        let _ = writeln!(out, "    pub {field}: ManyToMany<{}>,", struct_name(&target.table));
    }
    out.push_str("}\n");
}

fn write_field(
    schema: &LiveSchema,
    table: &LiveTable,
    column: &LiveColumn,
    guessed_key: bool,
    out: &mut String,
) {
    let mut attrs: Vec<String> = Vec::new();
    let in_key = table.primary_key.contains(&column.name);
    if guessed_key {
        let _ = writeln!(out, "    // not a key in the database: kata needs one, check that it is unique");
    }
    if in_key || guessed_key {
        attrs.push("primary_key".into());
    }
    if column.auto {
        attrs.push("auto".into());
    }
    let fk = table
        .foreign_key(&column.name)
        .filter(|fk| schema.table(&fk.table).is_some_and(|t| t.primary_key == [fk.target_column.clone()]));
    let unique = !in_key && table.is_unique(&[column.name.as_str()]);
    let indexed = table
        .indexes
        .iter()
        .any(|i| !i.unique && i.columns == [column.name.clone()] && !table.is_foreign_key_index(i));
    let (field, ty) = match fk {
        Some(fk) => {
            let base = column.name.strip_suffix("_id").filter(|b| !b.is_empty()).unwrap_or(&column.name);
            let field = field_name(base);
            attrs.push(if unique { "one_to_one".into() } else { "foreign_key".into() });
            attrs.push(format!("on_delete = \"{}\"", on_delete(fk.on_delete)));
            if format!("{field}_id") != column.name {
                attrs.push(format!("column = \"{}\"", column.name));
            }
            let relation = if unique { "OneToOne" } else { "ForeignKey" };
            (field, format!("{relation}<{}>", struct_name(&fk.table)))
        }
        None => {
            let field = field_name(&column.name);
            if field != column.name {
                attrs.push(format!("column = \"{}\"", column.name));
            }
            if unique {
                attrs.push("unique".into());
            }
            if indexed {
                attrs.push("index".into());
            }
            if let Some(n) = column.max_length {
                attrs.push(format!("max_length = {n}"));
            }
            let ty = match column.ty {
                Some(ty) => rust_type(ty).to_owned(),
                None => {
                    let _ = writeln!(
                        out,
                        "    // column type `{}` is none that kata reads: read as text",
                        column.sql_type
                    );
                    String::from("String")
                }
            };
            (field, ty)
        }
    };
    if !attrs.is_empty() {
        let _ = writeln!(out, "    #[kata({})]", attrs.join(", "));
    }
    let ty = if column.nullable && !in_key { format!("Option<{ty}>") } else { ty };
    let _ = writeln!(out, "    pub {field}: {ty},");
}

/// The field that holds `column` (a foreign key's without its `_id`).
fn field_of(table: &LiveTable, column: &str) -> String {
    match table.foreign_key(column) {
        Some(_) => field_name(column.strip_suffix("_id").filter(|b| !b.is_empty()).unwrap_or(column)),
        None => field_name(column),
    }
}

fn on_delete(rule: OnDelete) -> &'static str {
    match rule {
        OnDelete::Cascade => "cascade",
        OnDelete::Restrict | OnDelete::Protect => "restrict",
        OnDelete::SetNull => "set_null",
        OnDelete::DoNothing => "do_nothing",
    }
}

/// `auth_user` as `AuthUser`.
fn struct_name(table: &str) -> String {
    let mut out = String::new();
    for part in table.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "Table");
    }
    out
}

/// A column name as a Rust field name: snake case, not a keyword.
fn field_name(column: &str) -> String {
    let mut out: String = column
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'f');
    }
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "box", "break", "const", "continue", "crate", "do", "dyn", "else", "enum",
        "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match",
        "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static", "struct",
        "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual", "where",
        "while", "yield",
    ];
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_rust_names() {
        assert_eq!(struct_name("auth_user_groups"), "AuthUserGroups");
        assert_eq!(field_name("Type"), "type_");
        assert_eq!(field_name("first name"), "first_name");
    }
}
