//! The internal representation of a `#[derive(Model)]` input: the struct with its parsed
//! attributes, resolved names (table, columns) and its fields in order.

use syn::ext::IdentExt;
use syn::{Data, DeriveInput, Fields, Ident, Type};

use crate::internals::{Ctxt, attr};

/// A model struct.
#[derive(Debug)]
pub(crate) struct Container<'a> {
    /// The struct's identifier.
    pub(crate) ident: &'a Ident,
    /// The struct's name without a raw prefix (what `ModelMeta::name` holds).
    pub(crate) name: String,
    /// The table name: `table = "..."`, or the struct name in snake_case (shortened past 63
    /// bytes).
    pub(crate) table: String,
    /// The `unique_together` groups, by Rust field name.
    pub(crate) unique_together: Vec<attr::UniqueTogether>,
    /// `#[kata(hooks)]`: the model implements `ModelHooks`.
    pub(crate) hooks: bool,
    /// The fields, in declaration order (the order of every SELECT list).
    pub(crate) fields: Vec<Field<'a>>,
}

/// One field of a model: one column.
#[derive(Debug)]
pub(crate) struct Field<'a> {
    /// The field's identifier (possibly raw, `r#type`).
    pub(crate) ident: &'a Ident,
    /// The field's name without a raw prefix.
    pub(crate) name: String,
    /// The column name: `column = "..."`, or the field's name.
    pub(crate) column: String,
    /// The field's type.
    pub(crate) ty: &'a Type,
    /// The parsed `#[kata(...)]` attributes.
    pub(crate) attrs: attr::Field,
    /// The position among the model's columns (`None` for `ManyToMany`/`HasMany` fields).
    pub(crate) column_index: Option<usize>,
    /// The position among the model's non-column relations.
    pub(crate) relation_index: Option<usize>,
}

impl Field<'_> {
    /// `blank` (Django's `blank=True`): the empty string passes the rules, an input schema
    /// does not require the field, and `null` takes its default.
    pub(crate) fn is_blank(&self) -> bool {
        self.attrs.blank.is_some()
    }

    /// The empty string passes the field's rules (`email`): a `blank` field, or one whose
    /// default is `""` (a default must pass its own field's rules).
    pub(crate) fn accepts_empty(&self) -> bool {
        self.is_blank()
            || matches!(&self.attrs.default, Some(d) if d.value == attr::DefaultValue::Str(String::new()))
    }

    /// A foreign key or one-to-one column.
    pub(crate) fn is_foreign_key(&self) -> bool {
        self.attrs.foreign_key.is_some() || self.attrs.one_to_one.is_some()
    }

    /// Whether schema `spec` holds this field: selected by `fields`/`exclude`, and not a
    /// reverse relation (those belong to the other model's schemas).
    pub(crate) fn in_schema(&self, spec: &attr::SchemaSpec) -> bool {
        self.attrs.reverse_of.is_none() && spec.selects(&self.name)
    }
}

impl<'a> Container<'a> {
    /// Builds the model from the derive input. Returns `None` when the input is not a struct
    /// with named fields (the reason is recorded in `cx`); other problems are recorded but
    /// still give a container, so later checks can report theirs too.
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let attrs = attr::Container::from_ast(cx, &input.attrs);
        let name = input.ident.unraw().to_string();

        let fields = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => &named.named,
                Fields::Unnamed(_) => {
                    cx.error_spanned_by(
                        &data.fields,
                        format!(
                            "#[derive(Model)] needs named fields: `{name}` is a tuple struct; \
                             write `struct {name} {{ id: i64, .. }}`"
                        ),
                    );
                    return None;
                }
                Fields::Unit => {
                    cx.error_spanned_by(
                        &input.ident,
                        format!(
                            "#[derive(Model)] needs named fields: `{name}` is a unit struct; \
                             write `struct {name} {{ id: i64, .. }}`"
                        ),
                    );
                    return None;
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    format!(
                        "#[derive(Model)] supports only structs with named fields, and `{name}` is an enum"
                    ),
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(
                    data.union_token,
                    format!(
                        "#[derive(Model)] supports only structs with named fields, and `{name}` is a union"
                    ),
                );
                return None;
            }
        };

        if !input.generics.params.is_empty() || input.generics.where_clause.is_some() {
            cx.error_spanned_by(
                &input.generics,
                format!("#[derive(Model)] does not support generic structs: `{name}` has generic parameters"),
            );
        }

        let mut columns = 0;
        let mut relations = 0;
        let fields = fields
            .iter()
            .filter_map(|field| {
                let ident = field.ident.as_ref()?;
                let attrs = attr::Field::from_ast(cx, &field.attrs);
                let name = ident.unraw().to_string();
                let is_relation = attrs.many_to_many.is_some() || attrs.reverse_of.is_some();
                let is_fk = attrs.foreign_key.is_some() || attrs.one_to_one.is_some();
                let column = attrs.column.as_ref().map_or_else(
                    || if is_fk { format!("{name}_id") } else { name.clone() },
                    |column| column.value.clone(),
                );
                let (column_index, relation_index) = if is_relation {
                    relations += 1;
                    (None, Some(relations - 1))
                } else {
                    columns += 1;
                    (Some(columns - 1), None)
                };
                Some(Field { ident, name, column, ty: &field.ty, attrs, column_index, relation_index })
            })
            .collect();

        // A derived name is shortened to fit every backend (Django's `truncate_name`); a
        // name given with `table = ".."` is the user's and stays as written.
        let table =
            attrs.table.map_or_else(|| super::names::truncate_name(&snake_case(&name)), |table| table.value);

        Some(Container {
            ident: &input.ident,
            name,
            table,
            unique_together: attrs.unique_together,
            hooks: attrs.hooks,
            fields,
        })
    }

    /// The primary-key fields with their column positions, in declaration order.
    pub(crate) fn primary_key(&self) -> impl Iterator<Item = (usize, &Field<'a>)> {
        self.columns().filter(|(_, field)| field.attrs.primary_key.is_some())
    }

    /// The fields that are columns, with their column positions.
    pub(crate) fn columns(&self) -> impl Iterator<Item = (usize, &Field<'a>)> {
        self.fields.iter().filter_map(|field| field.column_index.map(|i| (i, field)))
    }

    /// The fields that are non-column relations, with their relation positions.
    pub(crate) fn relations(&self) -> impl Iterator<Item = (usize, &Field<'a>)> {
        self.fields.iter().filter_map(|field| field.relation_index.map(|i| (i, field)))
    }

    /// The `auto` field, if any (the checks allow at most one).
    pub(crate) fn auto_field(&self) -> Option<&Field<'a>> {
        self.fields.iter().find(|field| field.attrs.auto.is_some())
    }

    /// The field with this Rust name (without a raw prefix).
    pub(crate) fn field_named(&self, name: &str) -> Option<&Field<'a>> {
        self.fields.iter().find(|field| field.name == name)
    }
}

/// `OrderItem` -> `order_item`, `HTTPRequest` -> `http_request`, `User2` -> `user2`.
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let starts_word = match prev {
                None | Some('_') => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                // The last capital of an acronym starts the next word: HTTPRequest.
                Some(p) if p.is_uppercase() => next.is_some_and(|n| n.is_lowercase()),
                Some(_) => false,
            };
            if starts_word {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::snake_case;

    #[test]
    fn snake_case_splits_words_and_acronyms() {
        assert_eq!(snake_case("User"), "user");
        assert_eq!(snake_case("OrderItem"), "order_item");
        assert_eq!(snake_case("HTTPRequest"), "http_request");
        assert_eq!(snake_case("UserV2Token"), "user_v2_token");
        assert_eq!(snake_case("Already_Snake"), "already_snake");
        assert_eq!(snake_case("ABC"), "abc");
    }
}
