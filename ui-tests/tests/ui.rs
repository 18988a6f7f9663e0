//! Runs the trybuild cases: `tests/pass/*.rs` must compile and run, `tests/fail/*.rs` must fail to
//! compile with exactly the diagnostics in the `.stderr` beside each.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/pass/*.rs");
    cases.compile_fail("tests/fail/*.rs");
}
