//! The compile errors of kata's macros and typed queries, pinned with trybuild: each case in
//! `derive/tests/ui/<category>/` must fail with exactly the `.stderr` next to it, and each
//! case in `derive/tests/ui/pass/` must compile and run.
//!
//! Regenerate the `.stderr` files after a deliberate change with
//! `TRYBUILD=overwrite cargo test --all-features --test compile_fail`, then read every diff:
//! each message must point at the user's mistake.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("derive/tests/ui/model/*.rs");
    t.compile_fail("derive/tests/ui/test_attr/*.rs");
    t.compile_fail("derive/tests/ui/query/*.rs");
    t.compile_fail("derive/tests/ui/choices/*.rs");
    t.compile_fail("derive/tests/ui/schema/*.rs");
    t.compile_fail("derive/tests/ui/relations/*.rs");
    t.pass("derive/tests/ui/pass/*.rs");
}
