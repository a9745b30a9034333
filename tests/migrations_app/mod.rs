//! The migrations of this application, listed by kata's `makemigrations` (regenerated on each run).

#[rustfmt::skip]
mod m0001_initial;

/// Every migration, for `kata::manage` and `kata::migrate::Migrator`.
#[rustfmt::skip]
pub const MIGRATIONS: &[kata::migrate::Migration] = &[
    m0001_initial::MIGRATION,
];
