//! The command line of an application's own `manage` binary (Django's `manage.py`):
//! `makemigrations`, `migrate`, `sqlmigrate`, `showmigrations`, `check` and `inspectdb`.
//!
//! ```no_run
//! // src/bin/manage.rs of your crate, which includes its migrations folder with
//! // `#[path = "../../migrations/mod.rs"] mod migrations;`
//! # mod migrations { pub const MIGRATIONS: &[kata::migrate::Migration] = &[]; }
//! # use kata::prelude::*;
//! # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64 }
//!
//! #[tokio::main]
//! async fn main() -> std::process::ExitCode {
//!     let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
//!     kata::manage::Manage::new(&[Tag::meta()], migrations::MIGRATIONS, dir).run(std::env::args().skip(1)).await
//! }
//! ```
//!
//! Exit codes: 0 success; 1 `makemigrations --check` found model changes without a
//! migration, or `check` found the database drifting from the models; 2 bad usage; 3 the command failed (a database or migration error, printed
//! on stderr).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::db::Db;
use crate::driver::Backend;
use crate::error::{Error, Result};
use crate::migrate::{self, Hints, Migration, Migrator, ProjectState, Target};
use crate::model::{DefaultValue, ModelMeta};
use crate::value::ColumnType;

mod introspection;
mod more;

/// Exit code: the command succeeded.
pub const OK: u8 = 0;
/// Exit code: `makemigrations --check` found model changes without a migration.
pub const CHANGES: u8 = 1;
/// Exit code: `check` found the database drifting from the models.
pub const DRIFT: u8 = 1;
/// Exit code: the command line is wrong.
pub const USAGE: u8 = 2;
/// Exit code: the command failed.
pub const FAILED: u8 = 3;

const HELP: &str = "usage: manage <command> [options]

commands:
  makemigrations   write the migration the model changes need
  migrate          apply (or unapply) migrations
  sqlmigrate       print the SQL of a migration
  showmigrations   list the migrations and whether each is applied
  check            compare the models with the live database (exit 1 on drift)
  inspectdb        print models for the tables of an existing database
  squashmigrations squash a range of migrations into one that replaces them

`manage <command> --help` describes each. The database is DATABASE_URL or --database URL.";

const MAKE_HELP: &str = "usage: manage makemigrations [--name N] [--check] [--dry-run] [--empty] [--merge]
                           [--rename-model OLD=NEW]... [--rename-field TABLE.OLD=NEW]...
                           [--default TABLE.COLUMN=VALUE]...

  --name N          name the migration 000X_N
  --check           write nothing; exit 1 when the models changed without a migration
  --dry-run         print the migration instead of writing it
  --empty           write a migration with no operations (for RunSql or data changes)
  --merge           two or more leaf migrations (branches merged in git): write the migration
                    that depends on them all
  --rename-model    the table OLD is now NEW (never guessed: without it, a drop and a create)
  --rename-field    the column TABLE.OLD is now NEW
  --default         a one-off value for the existing rows of a new NOT NULL column
                    (true/false, a number, text, or `now` for a timestamp)";

const MIGRATE_HELP: &str = "usage: manage migrate [TARGET | zero] [--plan] [--fake] [--database URL]

  TARGET      migrate forwards or backwards to this migration (default: the latest)
  zero        unapply every migration
  --plan      print what would run, flagging destructive operations; change nothing
  --fake      record the migrations as applied (or unapplied) without running their SQL";

const SQL_HELP: &str =
    "usage: manage sqlmigrate NAME [--backwards] [--backend sqlite|postgres|mysql|mariadb | --database URL]

  prints the SQL of migration NAME for the backend (of --backend, or of the database)";

const SHOW_HELP: &str = "usage: manage showmigrations [--database URL]

  lists the migrations in order, [X] for applied";

/// An application's models, migrations and migrations folder: what its `manage` binary
/// runs commands on.
#[derive(Debug)]
pub struct Manage<'a> {
    models: &'a [&'static ModelMeta],
    migrations: &'a [Migration],
    dir: PathBuf,
}

struct Usage(String);

struct Args {
    positional: Vec<String>,
    flags: Vec<String>,
    values: Vec<(String, String)>,
}

impl Args {
    fn parse(args: Vec<String>, with_value: &[&str], flags: &[&str]) -> std::result::Result<Args, Usage> {
        let mut out = Args { positional: Vec::new(), flags: Vec::new(), values: Vec::new() };
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            if let Some((name, value)) = arg.split_once('=').filter(|(n, _)| with_value.contains(n)) {
                out.values.push((name.to_owned(), value.to_owned()));
            } else if with_value.contains(&arg.as_str()) {
                let value = it.next().ok_or_else(|| Usage(format!("{arg} needs a value")))?;
                out.values.push((arg, value));
            } else if flags.contains(&arg.as_str()) || arg == "--help" || arg == "-h" {
                out.flags.push(arg);
            } else if arg.starts_with('-') {
                return Err(Usage(format!("unknown option {arg}")));
            } else {
                out.positional.push(arg);
            }
        }
        Ok(out)
    }

    /// A command's arguments, or `None` when they ask for `--help` (its text is then in `out`).
    fn parse_command(
        args: Vec<String>,
        with_value: &[&str],
        flags: &[&str],
        help: &str,
        out: &mut String,
    ) -> std::result::Result<Option<Args>, Usage> {
        let args = Args::parse(args, with_value, flags)?;
        if args.help() {
            let _ = writeln!(out, "{help}");
            return Ok(None);
        }
        Ok(Some(args))
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }

    fn help(&self) -> bool {
        self.flag("--help") || self.flag("-h")
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.values.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.values.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

impl<'a> Manage<'a> {
    /// The application's models (every one: a model a relation points at but missing from
    /// the list is an error), its migrations (`migrations::MIGRATIONS`) and the folder
    /// `makemigrations` writes into.
    pub fn new(
        models: &'a [&'static ModelMeta],
        migrations: &'a [Migration],
        dir: impl Into<PathBuf>,
    ) -> Self {
        Manage { models, migrations, dir: dir.into() }
    }

    /// Runs the command in `args` (without the program name), printing its output, and
    /// returns the exit code.
    pub async fn run(&self, args: impl IntoIterator<Item = String>) -> ExitCode {
        let mut out = String::new();
        let code = self.run_to(args, &mut out).await;
        if code == OK || code == CHANGES {
            print!("{out}");
        } else {
            eprint!("{out}");
        }
        ExitCode::from(code)
    }

    /// Runs the command in `args`, appending its output to `out`; returns the exit code.
    ///
    /// ```
    /// # use kata::prelude::*;
    /// # #[derive(Model, Debug)] struct Tag { #[kata(primary_key, auto)] id: i64 }
    /// # async fn demo() {
    /// let models = [Tag::meta()];
    /// let manage = kata::manage::Manage::new(&models, &[], "migrations");
    /// let mut out = String::new();
    /// let code = manage.run_to(["makemigrations".to_owned(), "--check".to_owned()], &mut out).await;
    /// assert_eq!(code, kata::manage::CHANGES); // Tag has no migration yet
    /// assert!(out.contains("Create table tag"), "{out}");
    /// # }
    /// # tokio::runtime::Runtime::new().unwrap().block_on(demo());
    /// ```
    pub async fn run_to(&self, args: impl IntoIterator<Item = String>, out: &mut String) -> u8 {
        let mut args: Vec<String> = args.into_iter().collect();
        if args.is_empty() {
            out.push_str(HELP);
            out.push('\n');
            return USAGE;
        }
        let command = args.remove(0);
        let result = match command.as_str() {
            "makemigrations" => self.makemigrations(args, out).await,
            "migrate" => self.migrate(args, out).await,
            "sqlmigrate" => self.sqlmigrate(args, out).await,
            "showmigrations" => self.showmigrations(args, out).await,
            "squashmigrations" => self.squashmigrations(args, out).await,
            "check" => self.check(args, out).await,
            "inspectdb" => self.inspectdb(args, out).await,
            "help" | "--help" | "-h" => {
                out.push_str(HELP);
                out.push('\n');
                Ok(Ok(OK))
            }
            other => Err(Usage(format!("unknown command {other}\n\n{HELP}"))),
        };
        match result {
            Ok(Ok(code)) => code,
            Ok(Err(e)) => {
                let _ = writeln!(out, "error: {e}");
                FAILED
            }
            Err(Usage(message)) => {
                let _ = writeln!(out, "{message}");
                USAGE
            }
        }
    }

    async fn connect(&self, args: &Args) -> Result<Db> {
        let url = match args.value("--database") {
            Some(url) => url.to_owned(),
            None => std::env::var("DATABASE_URL").map_err(|_| {
                Error::Migration(String::from("no database: set DATABASE_URL or pass --database URL"))
            })?,
        };
        Db::connect(&url).await
    }

    async fn makemigrations(
        &self,
        args: Vec<String>,
        out: &mut String,
    ) -> std::result::Result<Result<u8>, Usage> {
        let Some(args) = Args::parse_command(
            args,
            &["--name", "--rename-model", "--rename-field", "--default"],
            &["--check", "--dry-run", "--empty", "--merge"],
            MAKE_HELP,
            out,
        )?
        else {
            return Ok(Ok(OK));
        };
        if args.flag("--merge") {
            return Ok(self.merge(&args, out));
        }
        let hints = hints(&args, self.models)?;
        let draft = match migrate::makemigrations(
            self.models,
            self.migrations,
            &hints,
            args.value("--name"),
            args.flag("--empty"),
        ) {
            Ok(draft) => draft,
            Err(e) => return Ok(Err(e)),
        };
        let Some(draft) = draft else {
            out.push_str("No changes detected\n");
            return Ok(Ok(OK));
        };
        let _ = writeln!(out, "Migration {}:", draft.name);
        if let Ok(before) = migrate::replay(&migrate::ordered(self.migrations).unwrap_or_default()) {
            describe(&draft.operations, before, out, true);
        }
        if !hints.rename_models.is_empty() || !hints.rename_fields.is_empty() {
            // renames were asked for: nothing to suggest
        } else if let (Ok(from), Ok(to)) = (
            migrate::replay(&migrate::ordered(self.migrations).unwrap_or_default()),
            ProjectState::from_models(self.models),
        ) {
            for hint in migrate::rename_suggestions(&from, &to) {
                let _ = writeln!(out, "  hint: if this is a rename, run again with {hint}");
            }
        }
        if args.flag("--check") {
            return Ok(Ok(CHANGES));
        }
        if args.flag("--dry-run") {
            out.push_str(&draft.source());
            return Ok(Ok(OK));
        }
        Ok(draft.write(&self.dir).map(|path| {
            let _ = writeln!(out, "Wrote {}", path.display());
            OK
        }))
    }

    async fn migrate(&self, args: Vec<String>, out: &mut String) -> std::result::Result<Result<u8>, Usage> {
        let Some(args) =
            Args::parse_command(args, &["--database"], &["--plan", "--fake"], MIGRATE_HELP, out)?
        else {
            return Ok(Ok(OK));
        };
        let target = match args.positional.as_slice() {
            [] => Target::Latest,
            [zero] if zero == "zero" => Target::Zero,
            [name] => Target::Name(name.clone()),
            _ => return Err(Usage(format!("migrate takes one target at most\n\n{MIGRATE_HELP}"))),
        };
        Ok(async {
            let db = self.connect(&args).await?;
            let migrator = Migrator::new(&db, self.migrations)?;
            if args.flag("--plan") {
                let blocking = db.shared.dialect.concurrent_index_build();
                let plan = migrator.plan(&target).await?;
                if plan.is_empty() {
                    out.push_str("No planned migration operations.\n");
                }
                let ordered = migrator.migrations().to_vec();
                for step in plan {
                    let _ = writeln!(
                        out,
                        "{}{}",
                        step.migration.name(),
                        if step.backwards { " (backwards)" } else { "" }
                    );
                    let pos = ordered.iter().position(|m| m.name() == step.migration.name()).unwrap_or(0);
                    let before = migrate::replay(&ordered[..pos])?;
                    if step.backwards {
                        let mut states = vec![before];
                        let ops = step.migration.operations();
                        for op in &ops {
                            let mut next = states[states.len() - 1].clone();
                            op.state_forwards(&mut next)?;
                            states.push(next);
                        }
                        let mut reversed = Vec::new();
                        for (i, op) in ops.iter().enumerate().rev() {
                            reversed.push((op.reverse(&states[i])?, states[i + 1].clone()));
                        }
                        for (op, state) in reversed {
                            describe(std::slice::from_ref(&op), state, out, blocking);
                        }
                    } else {
                        let ops = step.migration.operations();
                        describe(&ops, before, out, blocking);
                        more::flag_rows(&db, &ops, out).await;
                    }
                }
                return Ok(OK);
            }
            let done = migrator.migrate(&target, args.flag("--fake")).await?;
            if done.is_empty() {
                out.push_str("No migrations to apply.\n");
            }
            for name in done {
                let _ = writeln!(out, "  {name}... OK{}", if args.flag("--fake") { " (faked)" } else { "" });
            }
            Ok(OK)
        }
        .await)
    }

    async fn sqlmigrate(
        &self,
        args: Vec<String>,
        out: &mut String,
    ) -> std::result::Result<Result<u8>, Usage> {
        let Some(args) =
            Args::parse_command(args, &["--database", "--backend"], &["--backwards"], SQL_HELP, out)?
        else {
            return Ok(Ok(OK));
        };
        let [name] = args.positional.as_slice() else {
            return Err(Usage(format!("sqlmigrate takes one migration name\n\n{SQL_HELP}")));
        };
        let backend = match args.value("--backend") {
            Some("sqlite") => Some(Backend::Sqlite),
            Some("postgres" | "postgresql") => Some(Backend::Postgres),
            Some("mysql") => Some(Backend::MySql),
            Some("mariadb") => Some(Backend::MariaDb),
            Some(other) => return Err(Usage(format!("unknown backend {other}\n\n{SQL_HELP}"))),
            None => None,
        };
        Ok(async {
            let backend = match backend {
                Some(b) => b,
                None => self.connect(&args).await?.backend(),
            };
            for sql in migrate::sqlmigrate(self.migrations, name, args.flag("--backwards"), backend)? {
                let _ = writeln!(out, "{sql};");
            }
            Ok(OK)
        }
        .await)
    }

    async fn showmigrations(
        &self,
        args: Vec<String>,
        out: &mut String,
    ) -> std::result::Result<Result<u8>, Usage> {
        let Some(args) = Args::parse_command(args, &["--database"], &[], SHOW_HELP, out)? else {
            return Ok(Ok(OK));
        };
        Ok(async {
            let db = self.connect(&args).await?;
            let migrator = Migrator::new(&db, self.migrations)?;
            let applied = migrator.applied().await?;
            if migrator.migrations().is_empty() {
                out.push_str(" (no migrations)\n");
            }
            for m in migrator.migrations() {
                let mark = if migrator.is_applied(m, &applied) { 'X' } else { ' ' };
                let squashed = match m.replaces().len() {
                    0 => String::new(),
                    n => format!(" ({n} squashed migrations)"),
                };
                let _ = writeln!(out, " [{mark}] {}{squashed}", m.name());
            }
            Ok(OK)
        }
        .await)
    }
}

/// Prints each operation, flagging the destructive ones (and, with `blocking`, the ones
/// that block writes on PostgreSQL).
fn describe(ops: &[migrate::Operation], mut state: ProjectState, out: &mut String, blocking: bool) {
    for op in ops {
        let _ = writeln!(out, "  - {}", op.describe());
        if let Some(danger) = op.danger(&state) {
            let _ = writeln!(out, "    ! destructive: {danger}");
        }
        if let Some(why) = migrate::blocking(op, &state).filter(|_| blocking) {
            let _ = writeln!(out, "    ! blocking: {why}");
        }
        let _ = op.state_forwards(&mut state);
    }
}

fn hints(args: &Args, models: &[&'static ModelMeta]) -> std::result::Result<Hints, Usage> {
    let mut hints = Hints::default();
    for pair in args.all("--rename-model") {
        let (old, new) =
            pair.split_once('=').ok_or_else(|| Usage(format!("--rename-model {pair}: expected OLD=NEW")))?;
        hints = hints.rename_model(old, new);
    }
    for pair in args.all("--rename-field") {
        let bad = || Usage(format!("--rename-field {pair}: expected TABLE.OLD=NEW"));
        let (left, new) = pair.split_once('=').ok_or_else(bad)?;
        let (table, old) = left.split_once('.').ok_or_else(bad)?;
        hints = hints.rename_field(table, old, new);
    }
    let state = ProjectState::from_models(models).map_err(|e| Usage(e.to_string()))?;
    for pair in args.all("--default") {
        let bad = |why: &str| Usage(format!("--default {pair}: {why}"));
        let (left, value) = pair.split_once('=').ok_or_else(|| bad("expected TABLE.COLUMN=VALUE"))?;
        let (table, column) = left.split_once('.').ok_or_else(|| bad("expected TABLE.COLUMN=VALUE"))?;
        let ty = state
            .table(table)
            .and_then(|t| t.column(column))
            .map(|c| c.ty)
            .ok_or_else(|| bad("no such column"))?;
        hints = hints.one_off_default(
            table,
            column,
            parse_default(value, ty).ok_or_else(|| bad("the value does not fit the column"))?,
        );
    }
    Ok(hints)
}

fn parse_default(value: &str, ty: ColumnType) -> Option<DefaultValue> {
    Some(match ty {
        ColumnType::Bool => DefaultValue::Bool(value.parse().ok()?),
        ColumnType::SmallInt
        | ColumnType::Integer
        | ColumnType::BigInt
        | ColumnType::UnsignedSmallInt
        | ColumnType::UnsignedInt
        | ColumnType::UnsignedBigInt => DefaultValue::Int(value.parse().ok()?),
        ColumnType::Float | ColumnType::Double => DefaultValue::Float(value.parse().ok()?),
        ColumnType::Timestamp | ColumnType::TimestampTz | ColumnType::Date | ColumnType::Time
            if value == "now" =>
        {
            DefaultValue::Now
        }
        // A command runs once per process: the text lives as long as it, as the
        // `&'static str` of a default written in a model does.
        ColumnType::Text => DefaultValue::Str(Box::leak(value.to_owned().into_boxed_str())),
        _ => return None,
    })
}
