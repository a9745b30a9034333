//! Running the embedded migrations when the application starts (what `manage.py migrate`
//! in a container's entry point does for Django).

use crate::db::Db;
use crate::error::Result;
use crate::migrate::migration::Migration;
use crate::migrate::runner::{Migrator, Target};

impl Db {
    /// Applies every migration of `migrations` that is not applied yet (the application's
    /// `migrations::MIGRATIONS`, embedded at compile time) and returns their names. Safe
    /// to call from every instance at once: each migration is applied once, under the
    /// migration lock. The same as `Migrator::new(self, migrations)?.migrate(&Target::Latest, false)`.
    ///
    /// ```
    /// use kata::migrate::prelude::*;
    /// fn initial() -> Vec<Operation> {
    ///     vec![Operation::create_model(Table::new("tag", vec![Column::new("id", BigInt).primary_key().auto()]))]
    /// }
    /// const MIGRATIONS: &[Migration] = &[Migration::new("0001_initial", &[], initial)];
    /// # async fn demo() -> kata::Result<()> {
    /// let db = kata::Db::connect("sqlite::memory:").await?;
    /// assert_eq!(db.migrate(MIGRATIONS).await?, ["0001_initial"]);
    /// assert!(db.migrate(MIGRATIONS).await?.is_empty()); // nothing left to apply
    /// # Ok(()) }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo()).unwrap();
    /// ```
    pub async fn migrate(&self, migrations: &[Migration]) -> Result<Vec<String>> {
        Migrator::new(self, migrations)?.migrate(&Target::Latest, false).await
    }
}
