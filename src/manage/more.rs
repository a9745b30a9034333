//! `makemigrations --merge`, `squashmigrations` and the row checks of `migrate --plan`.

use std::fmt::Write as _;

use super::{Args, Manage, OK, Usage};
use crate::db::Db;
use crate::error::Result;
use crate::migrate::{self, Operation};

const SQUASH_HELP: &str =
    "usage: manage squashmigrations [FROM] TO [--squashed-name N] [--no-optimize] [--dry-run]

  writes one migration that replaces FROM (default: the first migration) to TO, in order,
  with their operations optimised (a column added to a table made in the range goes into
  its CreateModel, a column added then removed disappears, renames and alterations fold).
  Keep the old files until every database has migrated past them: the runner uses the
  squashed migration where none or all of them are applied, and them where some are;
  then delete them (and the `replaces` line) and run makemigrations --check.

  --squashed-name N   name it 000X_N instead of FROM_squashed_TO
  --no-optimize       copy the operations as they are
  --dry-run           print the migration instead of writing it";

impl Manage<'_> {
    /// `makemigrations --merge`.
    pub(super) fn merge(&self, args: &Args, out: &mut String) -> Result<u8> {
        let Some(draft) = migrate::merge(self.migrations, args.value("--name"))? else {
            out.push_str("No conflicts detected to merge.\n");
            return Ok(OK);
        };
        let _ = writeln!(out, "Merging {}:", draft.dependencies.join(" and "));
        let _ = writeln!(out, "Migration {}", draft.name);
        if args.flag("--dry-run") {
            out.push_str(&draft.source());
            return Ok(OK);
        }
        if args.flag("--check") {
            return Ok(super::CHANGES);
        }
        let path = draft.write(&self.dir)?;
        let _ = writeln!(out, "Wrote {}", path.display());
        Ok(OK)
    }

    /// `squashmigrations [FROM] TO`.
    pub(super) async fn squashmigrations(
        &self,
        args: Vec<String>,
        out: &mut String,
    ) -> std::result::Result<Result<u8>, Usage> {
        let Some(args) = Args::parse_command(
            args,
            &["--squashed-name"],
            &["--no-optimize", "--dry-run"],
            SQUASH_HELP,
            out,
        )?
        else {
            return Ok(Ok(OK));
        };
        let (from, to) = match args.positional.as_slice() {
            [to] => (None, to.as_str()),
            [from, to] => (Some(from.as_str()), to.as_str()),
            _ => {
                return Err(Usage(format!(
                    "squashmigrations takes one or two migration names\n\n{SQUASH_HELP}"
                )));
            }
        };
        Ok((|| {
            let draft = migrate::squash(
                self.migrations,
                from,
                to,
                args.value("--squashed-name"),
                !args.flag("--no-optimize"),
            )?;
            let before: usize = draft.replaces.len();
            let ops: usize = self
                .migrations
                .iter()
                .filter(|m| draft.replaces.iter().any(|r| r == m.name()))
                .map(|m| m.operations().len())
                .sum();
            let _ = writeln!(
                out,
                "Squashed {before} migrations into {}: {} operations (from {ops})",
                draft.name,
                draft.operations.len()
            );
            if args.flag("--dry-run") {
                out.push_str(&draft.source());
                return Ok(OK);
            }
            let path = draft.write(&self.dir)?;
            let _ = writeln!(out, "Wrote {}", path.display());
            Ok(OK)
        })())
    }
}

/// Flags, for `migrate --plan`, the new NOT NULL columns without a default on tables that
/// have rows.
pub(super) async fn flag_rows(db: &Db, ops: &[Operation], out: &mut String) {
    for op in ops {
        if let Some(why) = migrate::fails_on_rows(db, op).await {
            let _ = writeln!(out, "    ! {why}");
        }
    }
}
