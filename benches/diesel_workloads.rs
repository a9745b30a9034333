//! diesel_bench's workloads: kata against hand-written sqlx on one shared pool.
//!
//! `cargo bench --all-features --bench diesel_workloads`; PostgreSQL and MySQL run too when
//! `KATA_BENCH_POSTGRES` / `KATA_BENCH_MYSQL` hold server URLs. See benches/README.md.

mod workloads;

fn main() {
    let mut c = workloads::criterion(std::time::Duration::from_secs(2));
    workloads::run::<workloads::runner::NoPeer>(&mut c);
    c.final_summary();
}
