//! Turns driver errors into `kata::Error`, naming the broken constraint on every backend.

use sqlx::error::ErrorKind;

use crate::error::{Error, IntegrityKind};
use crate::model::ModelMeta;

/// Classifies a sqlx error. Constraint names come from the driver where it gives them
/// (PostgreSQL) and from the message otherwise (SQLite, MySQL).
pub(crate) fn classify(err: sqlx::Error) -> Error {
    match err {
        sqlx::Error::PoolTimedOut => Error::PoolTimedOut,
        sqlx::Error::Database(db) => {
            let kind = match db.kind() {
                ErrorKind::UniqueViolation => IntegrityKind::Unique,
                ErrorKind::ForeignKeyViolation => IntegrityKind::ForeignKey,
                ErrorKind::NotNullViolation => IntegrityKind::NotNull,
                ErrorKind::CheckViolation => IntegrityKind::Check,
                _ => return Error::Database(sqlx::Error::Database(db)),
            };
            let message = db.message().to_owned();
            let constraint = db
                .constraint()
                .map(str::to_owned)
                .or_else(|| postgres_not_null(&*db))
                .unwrap_or_else(|| constraint_from_message(kind, &message));
            Error::Integrity { kind, constraint, message }
        }
        other => Error::Database(other),
    }
}

#[cfg(feature = "postgres")]
fn postgres_not_null(db: &dyn sqlx::error::DatabaseError) -> Option<String> {
    let pg = db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()?;
    Some(format!("{}.{}", pg.table()?, pg.column()?))
}

#[cfg(not(feature = "postgres"))]
fn postgres_not_null(_db: &dyn sqlx::error::DatabaseError) -> Option<String> {
    None
}

/// Reads the constraint out of SQLite's and MySQL's messages.
fn constraint_from_message(kind: IntegrityKind, message: &str) -> String {
    // SQLite: "UNIQUE constraint failed: auth_user.username, auth_user.email"
    if let Some((_, columns)) = message.split_once("constraint failed: ") {
        let columns: Vec<&str> = columns.split(", ").collect();
        return match kind {
            IntegrityKind::Unique => {
                let table = columns[0].split_once('.').map_or("", |(t, _)| t);
                let names: Vec<&str> =
                    columns.iter().map(|c| c.split_once('.').map_or(*c, |(_, n)| n)).collect();
                format!("{table}_{}_key", names.join("_"))
            }
            // "NOT NULL constraint failed: t.c" and "CHECK constraint failed: name"
            _ => columns.join(", "),
        };
    }
    // MySQL: "Duplicate entry 'x' for key 'auth_user.auth_user_username_key'"
    if let Some((_, rest)) = message.rsplit_once("for key '") {
        let key = rest.trim_end_matches('\'');
        return key.rsplit_once('.').map_or(key, |(_, k)| k).to_owned();
    }
    // MySQL: "... CONSTRAINT `fk_name` FOREIGN KEY ..." and MariaDB "CONSTRAINT `name` failed"
    if let Some((_, rest)) = message.split_once("CONSTRAINT `")
        && let Some((name, _)) = rest.split_once('`')
    {
        return name.to_owned();
    }
    // MySQL 8: "Check constraint 'name' is violated."
    if let Some((_, rest)) = message.split_once("constraint '")
        && let Some((name, _)) = rest.split_once('\'')
    {
        return name.to_owned();
    }
    // MySQL: "Column 'email' cannot be null" / "Field 'email' doesn't have a default value"
    for prefix in ["Column '", "Field '"] {
        if let Some(rest) = message.strip_prefix(prefix)
            && let Some((column, _)) = rest.split_once('\'')
        {
            return column.to_owned();
        }
    }
    String::new()
}

/// Rewrites an integrity error of a write to `meta`'s table so that its constraint has the
/// name kata gave it in the DDL, whatever the backend reported: `auth_user_pkey` for
/// MySQL's `PRIMARY` and for SQLite's primary-key columns, `table.column` for not-null.
pub(crate) fn for_model(err: Error, meta: &ModelMeta) -> Error {
    let Error::Integrity { kind, constraint, message } = err else { return err };
    let constraint = match kind {
        IntegrityKind::Unique => {
            let pk_columns: Vec<&str> = meta.primary_key.iter().map(|&i| meta.columns[i].name).collect();
            if constraint == "PRIMARY" || constraint == meta.unique_name(&pk_columns) {
                meta.primary_key_name()
            } else {
                constraint
            }
        }
        IntegrityKind::NotNull if !constraint.contains('.') => format!("{}.{}", meta.table, constraint),
        _ => constraint,
    };
    Error::Integrity { kind, constraint, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_unique_message_gives_postgres_style_name() {
        let name = constraint_from_message(
            IntegrityKind::Unique,
            "UNIQUE constraint failed: order_item.order_id, order_item.product_id",
        );
        assert_eq!(name, "order_item_order_id_product_id_key");
    }

    #[test]
    fn mysql_duplicate_message_gives_key_name() {
        let msg = "Duplicate entry 'ann' for key 'auth_user.auth_user_username_key'";
        assert_eq!(constraint_from_message(IntegrityKind::Unique, msg), "auth_user_username_key");
        let msg = "Duplicate entry 'ann' for key 'auth_user_username_key'";
        assert_eq!(constraint_from_message(IntegrityKind::Unique, msg), "auth_user_username_key");
    }

    #[test]
    fn mysql_not_null_message_gives_column() {
        let msg = "Column 'email' cannot be null";
        assert_eq!(constraint_from_message(IntegrityKind::NotNull, msg), "email");
    }
}
