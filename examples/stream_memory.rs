//! Peak memory of `aiterator`: streaming 1,000,000 rows should cost about what streaming
//! 10,000 does (the goal: within 2x), because each row is decoded and dropped as it arrives.
//!
//! ```sh
//! cargo run --release --example stream_memory                    # SQLite, a temporary file
//! cargo run --release --all-features --example stream_memory -- postgres://postgres@127.0.0.1:5432/postgres
//! cargo run --release --all-features --example stream_memory -- mysql://root@127.0.0.1:3306/test
//! ```
//!
//! With a server URL it creates (and afterwards drops) the table `stream_memory_rows` in that
//! database. Each measurement runs in a child process of its own, so that one's peak resident
//! memory (`VmHWM` in `/proc/self/status`, Linux only) does not hide the next one's. `alist`
//! over the same million rows is measured too, to show what holding every row costs.

use std::process::{Command, ExitCode};

use futures_util::TryStreamExt as _;
use kata::prelude::*;

/// A row shaped like diesel_bench's users.
#[derive(Model, Debug, Clone, PartialEq)]
#[kata(table = "stream_memory_rows")]
struct Row {
    #[kata(primary_key, auto)]
    id: i64,
    name: String,
    hair_color: Option<String>,
}

const SMALL: u64 = 10_000;
const LARGE: u64 = 1_000_000;
const CHUNK: u64 = 10_000;

/// Peak resident set size of this process, in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The child: reads `rows` rows with `mode` and prints `<rows read> <peak KiB at start> <peak KiB>`.
async fn child(url: &str, rows: u64, mode: &str) -> kata::Result<()> {
    let db = Db::builder(url).max_connections(1).connect().await?;
    let at_start = peak_rss_kib().unwrap_or(0);
    let query = Row::objects().order_by([Row::id.asc()]).limit(rows);
    let mut read = 0u64;
    let mut bytes = 0usize;
    if mode == "alist" {
        let all = query.alist(&db).await?;
        read = all.len() as u64;
        bytes = all.iter().map(|r| r.name.len()).sum();
    } else {
        let mut stream = std::pin::pin!(query.aiterator(&db));
        while let Some(row) = stream.try_next().await? {
            read += 1;
            bytes += row.name.len();
        }
    }
    std::hint::black_box(bytes);
    println!("{read} {at_start} {}", peak_rss_kib().unwrap_or(0));
    db.close().await;
    Ok(())
}

/// Runs one measurement in a fresh process; returns (rows read, peak KiB at start, peak KiB).
fn measure(url: &str, rows: u64, mode: &str) -> Result<(u64, u64, u64), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe)
        .args(["--child", url, &rows.to_string(), mode])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let numbers: Vec<u64> = text.split_whitespace().filter_map(|n| n.parse().ok()).collect();
    match numbers[..] {
        [read, start, peak] => Ok((read, start, peak)),
        _ => Err(format!("unexpected child output: {text}")),
    }
}

async fn seed(url: &str) -> kata::Result<()> {
    let db = Db::connect(url).await?;
    db.execute_unprepared("DROP TABLE IF EXISTS stream_memory_rows").await?;
    db.create_tables(&[Row::meta()]).await?;
    for chunk in 0..LARGE / CHUNK {
        let rows = (0..CHUNK)
            .map(|i| Row { id: 0, name: format!("User {}", chunk * CHUNK + i), hair_color: None })
            .collect();
        Row::objects().abulk_create(&db, rows).await?;
    }
    db.close().await;
    Ok(())
}

async fn drop_table(url: &str) -> kata::Result<()> {
    let db = Db::connect(url).await?;
    db.execute_unprepared("DROP TABLE IF EXISTS stream_memory_rows").await?;
    db.close().await;
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime");
    if let [flag, url, rows, mode] = &args[..]
        && flag == "--child"
    {
        let rows = rows.parse().unwrap_or(SMALL);
        return match rt.block_on(child(url, rows, mode)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{e}");
                ExitCode::FAILURE
            }
        };
    }
    let temp = std::env::temp_dir().join(format!("kata_stream_memory_{}.db", std::process::id()));
    let url = args.first().cloned().unwrap_or_else(|| format!("sqlite://{}?mode=rwc", temp.display()));
    let backend = url.split(':').next().unwrap_or_default().to_owned();

    println!("seeding {LARGE} rows on {backend} ...");
    if let Err(e) = rt.block_on(seed(&url)) {
        eprintln!("seeding failed: {e}");
        return ExitCode::FAILURE;
    }
    let mut results = Vec::new();
    for (rows, mode) in [(SMALL, "aiterator"), (LARGE, "aiterator"), (LARGE, "alist")] {
        match measure(&url, rows, mode) {
            Ok(r) => results.push((rows, mode, r)),
            Err(e) => {
                eprintln!("{mode} over {rows} rows failed: {e}");
                let _ = rt.block_on(drop_table(&url));
                return ExitCode::FAILURE;
            }
        }
    }
    let _ = rt.block_on(drop_table(&url));
    for suffix in ["", "-wal", "-shm"] {
        let mut p = temp.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }

    println!("| backend | operation | rows | peak RSS after connecting | peak RSS |");
    println!("|---|---|---:|---:|---:|");
    for (rows, mode, (read, start, peak)) in &results {
        assert_eq!(read, rows, "{mode} read {read} rows, expected {rows}");
        println!(
            "| {backend} | {mode} | {rows} | {:.1} MiB | {:.1} MiB |",
            *start as f64 / 1024.0,
            *peak as f64 / 1024.0
        );
    }
    let peak = |rows: u64, mode: &str| {
        results.iter().find(|(r, m, _)| *r == rows && *m == mode).map(|(_, _, (_, _, p))| *p).unwrap_or(0)
    };
    let (small, large) = (peak(SMALL, "aiterator"), peak(LARGE, "aiterator"));
    if small == 0 {
        println!("VmHWM is not available here (Linux only): no verdict");
        return ExitCode::SUCCESS;
    }
    let ratio = large as f64 / small as f64;
    let verdict = if ratio <= 2.0 { "within" } else { "NOT within" };
    println!("aiterator: {LARGE} rows peak at {ratio:.2}x the peak of {SMALL} rows ({verdict} the 2x goal)");
    if ratio <= 2.0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
