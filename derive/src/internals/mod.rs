//! The parse and check stages shared by the derives: attributes into an internal AST, with
//! every error collected in a context before anything is generated.

pub(crate) mod ast;
pub(crate) mod attr;
pub(crate) mod case;
pub(crate) mod check;
pub(crate) mod check_schema;
mod ctxt;
pub(crate) mod names;
pub(crate) mod symbol;

pub(crate) use ctxt::Ctxt;
