//! The criterion runner: every workload, size and backend, each implementation timed in
//! turn with the others.
//!
//! The machine this runs on is shared (other builds come and go within seconds, and a
//! commit's fsync can take 100 µs or 3 ms), so the implementations are measured
//! *interleaved*: rounds run every implementation once, in rotating order, and each
//! implementation's benchmark is fed the times it took in those same rounds (see
//! [`Rounds`]). Load that comes and goes falls on all of them alike, and the ratios stay
//! honest.

use std::cell::RefCell;
use std::future::Future;
use std::hint::black_box;
use std::pin::Pin;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode};
use tokio::runtime::Runtime;

use super::*;

/// One benchmark case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// Select every user; the table holds this many.
    TrivialQuery(usize),
    /// users LEFT JOIN posts WHERE hair_color = 'black'; the table holds this many users.
    MediumComplexQuery(usize),
    /// diesel_bench's insert: this many users, nothing read back.
    Insert(usize),
    /// kata's own case: insert this many users in one statement and read their keys back.
    InsertReturning(usize),
    /// 100 users, their 1,000 posts and those posts' 10,000 comments, nested.
    LoadingAssociations,
}

/// One run of one implementation on one case: returns the time of its timed part (the
/// query and dropping its result; building an insert's input is not timed).
pub type Job<'a> = Box<dyn Fn() -> Pin<Box<dyn Future<Output = Duration> + 'a>> + 'a>;

/// Boxes a job.
pub fn job<'a>(run: impl Fn() -> Pin<Box<dyn Future<Output = Duration> + 'a>> + 'a) -> Job<'a> {
    Box::new(run)
}

/// Times `work`, including dropping what it returns (as criterion's `iter` does).
pub fn timed<'a, T: 'a>(work: impl Future<Output = T> + 'a) -> Pin<Box<dyn Future<Output = Duration> + 'a>> {
    Box::pin(async move {
        let started = Instant::now();
        let out = work.await;
        drop(black_box(out));
        started.elapsed()
    })
}

/// Another implementation timed beside kata and sqlx (SeaORM in `benches/peers`).
pub trait Peer: Sized {
    /// Its name in benchmark ids.
    const NAME: &'static str;
    /// Sets it up on a freshly provisioned backend.
    fn attach(rt: &Runtime, target: &Target) -> Self;
    /// Checks, untimed, that it returns what kata returns on the data in place (panics if not).
    fn check(&self, rt: &Runtime, target: &Target, workload: Workload);
    /// Its job for `workload`; the data is already in place.
    fn job<'a>(&'a self, target: &'a Target, workload: Workload) -> Job<'a>;
}

/// No third implementation.
#[derive(Debug)]
pub struct NoPeer;

impl Peer for NoPeer {
    const NAME: &'static str = "";
    fn attach(_: &Runtime, _: &Target) -> Self {
        NoPeer
    }
    fn check(&self, _: &Runtime, _: &Target, _: Workload) {}
    fn job<'a>(&'a self, _: &'a Target, _: Workload) -> Job<'a> {
        job(|| Box::pin(async { Duration::ZERO }))
    }
}

/// The runtime every implementation runs on: current-thread, as diesel_bench's async benches.
pub fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a tokio runtime")
}

/// Modest sampling: the machine is shared and a full run should take minutes, not hours.
/// Each benchmark runs every implementation, so its wall time is `measurement` (and the
/// half-second warm-up) times the number of implementations. Command-line options
/// (`--measurement-time`, `--sample-size`, a filter) still apply.
pub fn criterion(measurement: Duration) -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(measurement)
        .configure_from_args()
}

/// Sorts a tree by keys so that results of different implementations compare equal.
pub fn canonical(mut tree: UserTree<User, Post, Comment>) -> UserTree<User, Post, Comment> {
    tree.sort_by_key(|(u, _)| u.id);
    for (_, posts) in &mut tree {
        posts.sort_by_key(|(p, _)| p.id);
        for (_, comments) in posts {
            comments.sort_by_key(|c| c.id);
        }
    }
    tree
}

/// Join rows in key order (a hash join returns them in another order than a filter).
pub fn sorted_rows(mut rows: Vec<(User, Option<Post>)>) -> Vec<(User, Option<Post>)> {
    rows.sort_by_key(|(u, p)| (u.id, p.as_ref().map(|p| p.id)));
    rows
}

const HAIR: fn(usize) -> Option<&'static str> = |_| Some("hair_color");

/// Puts the data of `workload` in place (untimed).
pub async fn seed(target: &Target, workload: Workload) -> kata::Result<()> {
    match workload {
        Workload::TrivialQuery(n) => seed_trivial(target, n).await,
        Workload::MediumComplexQuery(n) => seed_medium(target, n).await,
        Workload::Insert(_) | Workload::InsertReturning(_) => clear(target).await,
        Workload::LoadingAssociations => seed_associations(target).await,
    }
}

/// Checks that kata and sqlx return the same thing on `workload` (untimed; panics if not).
fn check(rt: &Runtime, target: &Target, workload: Workload) {
    let (db, raw) = (&target.db, &target.raw);
    rt.block_on(async {
        match workload {
            Workload::TrivialQuery(n) => {
                let k = with_kata::trivial_query(db).await.expect("kata");
                let s = with_sqlx::trivial_query(raw).await.expect("sqlx");
                assert_eq!(k.len(), n);
                assert_eq!(k, s, "kata and sqlx disagree");
            }
            Workload::MediumComplexQuery(n) => {
                let k = with_kata::as_pairs(with_kata::medium_complex_query(db).await.expect("kata"));
                let s = with_sqlx::medium_complex_query(raw).await.expect("sqlx");
                assert_eq!(k.len(), n.div_ceil(2));
                assert_eq!(sorted_rows(k), sorted_rows(s), "kata and sqlx disagree");
            }
            Workload::Insert(n) => {
                let k = with_kata::insert(db, new_users(n, HAIR)).await.expect("kata");
                let s = with_sqlx::insert(raw, new_users(n, HAIR)).await.expect("sqlx");
                let one = with_sqlx::insert_one_statement(raw, new_users(n, HAIR)).await.expect("sqlx");
                assert_eq!((k, s, one), (n as u64, n as u64, n as u64));
            }
            Workload::InsertReturning(n) => {
                let k = with_kata::insert_returning(db, new_users(n, HAIR)).await.expect("kata");
                let s = with_sqlx::insert_returning(raw, target.returning, new_users(n, HAIR))
                    .await
                    .expect("sqlx");
                assert_eq!((k.len(), s.len()), (n, n));
                assert!(!target.returning || k.iter().chain(&s).all(|u| u.id != 0), "keys are filled in");
            }
            Workload::LoadingAssociations => {
                let k = with_kata::loading_associations(db).await.expect("kata");
                let s = with_sqlx::loading_associations(raw).await.expect("sqlx");
                let (users, posts, comments) = ASSOCIATIONS;
                assert_eq!(k.len(), users);
                assert!(
                    k.iter().all(|(_, p)| p.len() == posts && p.iter().all(|(_, c)| c.len() == comments))
                );
                let p = with_kata::prefetch_related(db).await.expect("kata prefetch_related");
                assert_eq!(
                    canonical(with_kata::as_tree(p)),
                    canonical(s.clone()),
                    "kata prefetch and sqlx disagree"
                );
                assert_eq!(canonical(k), canonical(s), "kata and sqlx disagree");
            }
        }
    });
}

/// kata's and sqlx's jobs for `workload`, with the names they appear under.
fn jobs<'a>(target: &'a Target, workload: Workload) -> Vec<(&'static str, Job<'a>)> {
    let (db, raw, returning) = (&target.db, &target.raw, target.returning);
    match workload {
        Workload::TrivialQuery(_) => vec![
            ("kata", job(move || timed(with_kata::trivial_query(db)))),
            ("sqlx", job(move || timed(with_sqlx::trivial_query(raw)))),
        ],
        Workload::MediumComplexQuery(_) => vec![
            ("kata", job(move || timed(with_kata::medium_complex_query(db)))),
            ("sqlx", job(move || timed(with_sqlx::medium_complex_query(raw)))),
        ],
        Workload::Insert(n) => {
            let mut jobs = vec![
                ("kata", job(move || timed(with_kata::insert(db, new_users(n, HAIR))))),
                ("sqlx", job(move || timed(with_sqlx::insert(raw, new_users(n, HAIR))))),
            ];
            // On SQLite diesel_bench's sqlx sends a statement per row; one multi-row
            // INSERT, kata's form, is the stronger baseline, so it runs too.
            if matches!(raw, RawPool::Sqlite(_)) {
                jobs.push((
                    "sqlx_one_statement",
                    job(move || timed(with_sqlx::insert_one_statement(raw, new_users(n, HAIR)))),
                ));
            }
            jobs
        }
        Workload::InsertReturning(n) => vec![
            ("kata", job(move || timed(with_kata::insert_returning(db, new_users(n, HAIR))))),
            ("sqlx", job(move || timed(with_sqlx::insert_returning(raw, returning, new_users(n, HAIR))))),
        ],
        Workload::LoadingAssociations => vec![
            ("kata_prefetch_related", job(move || timed(with_kata::prefetch_related(db)))),
            ("kata_by_hand", job(move || timed(with_kata::loading_associations(db)))),
            ("sqlx", job(move || timed(with_sqlx::loading_associations(raw)))),
        ],
    }
}

/// The cases, in order: every workload and size.
fn cases() -> Vec<(&'static str, usize, Workload)> {
    let mut out = Vec::new();
    out.extend(QUERY_SIZES.iter().map(|&n| ("trivial_query", n, Workload::TrivialQuery(n))));
    out.extend(QUERY_SIZES.iter().map(|&n| ("medium_complex_query", n, Workload::MediumComplexQuery(n))));
    out.extend(INSERT_SIZES.iter().map(|&n| ("insert", n, Workload::Insert(n))));
    out.extend(INSERT_SIZES.iter().map(|&n| ("insert_returning", n, Workload::InsertReturning(n))));
    let (users, posts, comments) = ASSOCIATIONS;
    out.push(("loading_associations", users * posts * comments, Workload::LoadingAssociations));
    out
}

/// Interleaved rounds of one case: each round runs every implementation once, in rotating
/// order, and keeps each one's time. Criterion asks for one implementation's iterations at
/// a time and gets that implementation's times from the first round on; new rounds run
/// only when it has used up the rounds run so far. So every implementation's samples come
/// from the same rounds, the same stretch of wall-clock time, and a burst of load from
/// elsewhere on the machine falls on all of them alike. (Criterion plans its iterations
/// from its warm-up, so a faster implementation reads further into the rounds; the
/// per-round medians that [`Rounds::summary`] writes use every round, which every
/// implementation ran.)
struct Rounds<'a> {
    jobs: Vec<(&'static str, Job<'a>)>,
    times: RefCell<Vec<Vec<Duration>>>,
    read: RefCell<Vec<usize>>,
}

impl<'a> Rounds<'a> {
    fn new(jobs: Vec<(&'static str, Job<'a>)>) -> Self {
        let times = RefCell::new(jobs.iter().map(|_| Vec::new()).collect());
        let read = RefCell::new(vec![0; jobs.len()]);
        Rounds { jobs, times, read }
    }

    fn names(&self) -> Vec<&'static str> {
        self.jobs.iter().map(|(name, _)| *name).collect()
    }

    /// One round; who goes first rotates, so no one always runs on a warm cache.
    async fn round(&self) {
        let first = self.times.borrow()[0].len();
        for k in 0..self.jobs.len() {
            let j = (first + k) % self.jobs.len();
            let elapsed = (self.jobs[j].1)().await;
            self.times.borrow_mut()[j].push(elapsed);
        }
    }

    /// The total time of the next `iters` iterations of implementation `index`.
    async fn take(&self, index: usize, iters: u64) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let at = self.read.borrow()[index];
            if at == self.times.borrow()[index].len() {
                self.round().await;
            }
            total += self.times.borrow()[index].get(at).copied().unwrap_or_default();
            self.read.borrow_mut()[index] = at + 1;
        }
        total
    }

    /// One JSON line: each implementation's median time per iteration over every round,
    /// for `benches/summarize.py`.
    fn summary(&self, workload: &str, backend: &str, size: usize) -> String {
        let times = self.times.borrow();
        let medians: Vec<String> = self
            .jobs
            .iter()
            .zip(times.iter())
            .map(|((name, _), times)| {
                let mut ns: Vec<u128> = times.iter().map(Duration::as_nanos).collect();
                ns.sort_unstable();
                let median = ns.get(ns.len() / 2).copied().unwrap_or_default();
                format!("\"{name}\": {median}")
            })
            .collect();
        let rounds = times.first().map_or(0, Vec::len);
        format!(
            "{{\"workload\": \"{workload}\", \"backend\": \"{backend}\", \"size\": {size}, \"rounds\": {rounds}, \"median_ns\": {{{}}}}}",
            medians.join(", ")
        )
    }
}

/// Where the per-round medians of a run go (one JSON line per case), beside criterion's
/// own reports.
const PAIRED: &str = "target/criterion/paired-rounds.jsonl";

/// Runs every workload on every configured backend, kata and sqlx (and `P`) interleaved.
pub fn run<P: Peer>(c: &mut Criterion) {
    if let Ok(spec) = std::env::var("KATA_BENCH_PROFILE") {
        return profile::<P>(&spec);
    }
    let rt = runtime();
    let mut paired = Vec::new();
    for (backend, url) in setup::configured() {
        let target =
            rt.block_on(Target::provision(backend, url.as_deref())).expect("provision the bench database");
        let peer = (!P::NAME.is_empty()).then(|| P::attach(&rt, &target));
        let mut cases = cases().into_iter().peekable();
        while let Some(&(workload_name, _, _)) = cases.peek() {
            let mut group = c.benchmark_group(format!("{workload_name}/{}", backend.name()));
            while let Some((_, size, workload)) = cases.next_if(|(w, _, _)| *w == workload_name) {
                rt.block_on(seed(&target, workload)).expect("seed");
                check(&rt, &target, workload);
                let mut all = jobs(&target, workload);
                if let Some(peer) = &peer {
                    peer.check(&rt, &target, workload);
                    all.push((P::NAME, peer.job(&target, workload)));
                }
                let rounds = Rounds::new(all);
                let rounds = &rounds;
                // Large cases take milliseconds an iteration: flat sampling (the same count
                // of iterations per sample) keeps them to the measurement time.
                group.sampling_mode(if size >= 1_000 { SamplingMode::Flat } else { SamplingMode::Auto });
                for (index, name) in rounds.names().into_iter().enumerate() {
                    group.bench_with_input(BenchmarkId::new(name, size), &size, |b, _| {
                        b.to_async(&rt).iter_custom(|iters| rounds.take(index, iters))
                    });
                }
                paired.push(rounds.summary(workload_name, backend.name(), size));
            }
            group.finish();
        }
        rt.block_on(target.teardown());
    }
    if !paired.is_empty() {
        let written = std::fs::create_dir_all("target/criterion")
            .and_then(|()| std::fs::write(PAIRED, paired.join("\n") + "\n"));
        match written {
            Ok(()) => println!("per-round medians: {PAIRED}"),
            Err(e) => eprintln!("could not write {PAIRED}: {e}"),
        }
    }
}

/// `KATA_BENCH_PROFILE=<workload>/<backend>/<kata|sqlx|peer>/<size>` runs that one case
/// `KATA_BENCH_ITERS` times (default 100) instead of the criterion run, alone, for
/// callgrind or perf; it prints the mean wall time per iteration.
fn profile<P: Peer>(spec: &str) {
    let parts: Vec<&str> = spec.split('/').collect();
    let [workload_name, backend, implementation, size] = parts[..] else {
        panic!("KATA_BENCH_PROFILE wants <workload>/<backend>/<kata|sqlx|peer>/<size>, got {spec}")
    };
    let size: usize = size.parse().expect("a size");
    let iters: usize = std::env::var("KATA_BENCH_ITERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let workload = cases()
        .into_iter()
        .find(|(w, n, _)| *w == workload_name && *n == size)
        .map(|(_, _, w)| w)
        .unwrap_or_else(|| panic!("no case {workload_name} of size {size}"));
    let rt = runtime();
    let (backend, url) = setup::configured()
        .into_iter()
        .find(|(b, _)| b.name() == backend)
        .unwrap_or_else(|| panic!("backend {backend} is not configured"));
    let target = rt.block_on(Target::provision(backend, url.as_deref())).expect("provision");
    rt.block_on(seed(&target, workload)).expect("seed");
    let peer = (!P::NAME.is_empty() && implementation == P::NAME).then(|| P::attach(&rt, &target));
    let run = match &peer {
        Some(peer) => peer.job(&target, workload),
        None => jobs(&target, workload)
            .into_iter()
            .find(|(name, _)| name.starts_with(implementation))
            .map(|(_, run)| run)
            .unwrap_or_else(|| panic!("no implementation {implementation}")),
    };
    let started = Instant::now();
    profile_loop(&rt, &run, iters);
    println!("{spec}: {:?} per iteration over {iters}", started.elapsed() / iters.max(1) as u32);
    drop(run);
    drop(peer);
    rt.block_on(target.teardown());
}

/// The measured loop of [`profile`], a function of its own so that callgrind can count
/// only it: `valgrind --tool=callgrind --toggle-collect='*profile_loop*' ...`.
#[inline(never)]
fn profile_loop(rt: &Runtime, run: &Job<'_>, iters: usize) {
    rt.block_on(async {
        for _ in 0..iters {
            run().await;
        }
    });
}
