//! Decoding a model from a row, with errors that name the model and the field.

use crate::error::{Error, Result};
use crate::model::{Model, RowReader};

pub(crate) fn decode_model<M: Model>(row: crate::driver::RowRef<'_>) -> Result<M> {
    decode_named(&mut RowReader::new(row))
}

/// Decodes a model from where `reader` stands; a column whose SQL type its field cannot
/// read is an [`Error::FieldType`] naming the model, the field and the Rust type that fits
/// (issue 11, point 5).
pub(crate) fn decode_named<M: Model>(reader: &mut RowReader<'_>) -> Result<M> {
    let (start, row) = reader.position();
    M::__decode(reader).map_err(|err| {
        let source = match err {
            Error::Decode { source: Some(source), .. } => source,
            other => return other,
        };
        let (end, _) = reader.position();
        let meta = M::meta();
        let Some(column) = end.checked_sub(start + 1).and_then(|i| meta.columns.get(i)) else {
            return Error::Decode { what: format!("a column of {}", meta.name), source: Some(source) };
        };
        if !source.to_string().starts_with("mismatched types") {
            // The type fits but the value does not (a malformed date, say): name the field.
            let what = format!("{}.{} (column `{}`)", meta.name, column.field, column.name);
            return Error::Decode { what, source: Some(source) };
        }
        let typed = crate::driver::value_type(row, end - 1);
        let fits = typed
            .as_ref()
            .and_then(|(backend, name)| crate::dialect::of(*backend).column_type_of(name))
            .map(|(ty, _)| crate::dialect::rust_type(ty));
        let sql_type = typed.map_or_else(|| String::from("unknown"), |(_, name)| name);
        Error::FieldType {
            model: meta.name,
            field: column.field,
            column: column.name,
            sql_type,
            fits,
            source,
        }
    })
}
