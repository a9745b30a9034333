//! Schema changes: the DDL that creates a model's table (shared by `create_tables` and
//! the migrations that will grow here).

mod ddl;

pub(crate) use ddl::with_through_tables;
