//! The migrations of this application, listed by kata's `makemigrations` (regenerated on each run).

mod m0001_initial;

/// Every migration, for `kata::manage` and `kata::migrate::Migrator`.
pub const MIGRATIONS: &[kata::migrate::Migration] = &[m0001_initial::MIGRATION];
