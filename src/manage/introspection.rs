//! `manage check` and `manage inspectdb`: the commands that read the live schema.

use std::fmt::Write as _;

use super::{Args, DRIFT, Manage, OK, Usage};
use crate::error::Result;
use crate::migrate;

pub(super) const CHECK_HELP: &str = "usage: manage check [--database URL]

  compares the models with the live database: missing or extra tables and columns, column
  types (naming the Rust type that fits), nullability, primary and foreign keys, unique
  constraints and indexes. Exit code 0 when they match, 1 when they drift.";

pub(super) const INSPECT_HELP: &str = "usage: manage inspectdb [TABLE]... [--database URL]

  prints kata models for the tables of the database (or only the tables named): table and
  column attributes, keys, uniques and indexes, foreign keys as ForeignKey (OneToOne when
  unique), link tables as models that a ManyToMany goes through.";

impl Manage<'_> {
    pub(super) async fn check(
        &self,
        args: Vec<String>,
        out: &mut String,
    ) -> std::result::Result<Result<u8>, Usage> {
        let Some(args) = Args::parse_command(args, &["--database"], &[], CHECK_HELP, out)? else {
            return Ok(Ok(OK));
        };
        if !args.positional.is_empty() {
            return Err(Usage(format!("check takes no arguments\n\n{CHECK_HELP}")));
        }
        Ok(async {
            let db = self.connect(&args).await?;
            let drift = migrate::check(&db, self.models).await?;
            if drift.is_empty() {
                out.push_str("No drift: the database matches the models.\n");
                return Ok(OK);
            }
            let _ = writeln!(out, "The database drifts from the models ({} issues):", drift.len());
            for d in &drift {
                let _ = writeln!(out, "  - {d}");
            }
            Ok(DRIFT)
        }
        .await)
    }

    pub(super) async fn inspectdb(
        &self,
        args: Vec<String>,
        out: &mut String,
    ) -> std::result::Result<Result<u8>, Usage> {
        let Some(args) = Args::parse_command(args, &["--database"], &[], INSPECT_HELP, out)? else {
            return Ok(Ok(OK));
        };
        Ok(async {
            let db = self.connect(&args).await?;
            let mut schema = migrate::introspect(&db).await?;
            if !args.positional.is_empty() {
                schema.tables.retain(|t| args.positional.contains(&t.name));
            }
            out.push_str(&migrate::inspectdb(&schema));
            Ok(OK)
        }
        .await)
    }
}
