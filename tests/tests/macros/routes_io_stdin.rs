//! `#[aiocop::monitor]` on reads of standard input: every routed `Stdin` and `StdinLock`
//! operation is recorded with its catalog name and weight at the line of the call, and returns
//! what the same code returns unannotated. A test process cannot hand its own standard input a
//! known text, so the calls run in the `stdin_routes` helper process, on a pipe this test writes.

use std::io::Write;
use std::process::{Command, Stdio};

use aiocop_lints::catalog::*;
use aiocop_tests::{Source, assert_reported, route_tests, routed};

const HELPER: &str = "tests/src/bin/stdin_routes.rs";
const SRC: Source = Source(include_str!("../../src/bin/stdin_routes.rs"));

const INPUT: &str = "first line\nsecond line\nthird line\nfourth line\nfifth\nsixth\nthe rest\n";

fn at(marker: &str) -> u32 {
    SRC.line(marker)
}

/// What the helper printed for `case` in `mode` on [`INPUT`]: the result line and the calls.
fn run_helper(case: &str, mode: &str) -> (String, Vec<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stdin_routes"))
        .args([case, mode])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the helper");
    let mut input = child.stdin.take().expect("piped stdin");
    input.write_all(INPUT.as_bytes()).expect("write the input");
    drop(input);
    let output = child.wait_with_output().expect("the helper finishes");
    assert!(
        output.status.success(),
        "{case} {mode}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 report");
    let mut result = None;
    let mut calls = Vec::new();
    for line in stdout.lines() {
        if let Some(text) = line.strip_prefix("result ") {
            result = Some(text.to_owned());
        } else if let Some(call) = line.strip_prefix("call ") {
            calls.push(call.to_owned());
        }
    }
    (result.expect("a result line"), calls)
}

/// Runs `case` annotated and plain; checks both returned the same, and returns the annotated
/// run's result and calls.
fn run_twins(case: &str) -> (String, Vec<String>) {
    let (result, calls) = run_helper(case, "monitored");
    let (plain, none) = run_helper(case, "plain");
    assert_eq!(
        result, plain,
        "{case}: the annotated code returned something else"
    );
    assert!(none.is_empty(), "{case}: the plain twin recorded {none:?}");
    (result, calls)
}

async fn stdin_and_lock_reads_are_recorded() -> Vec<&'static str> {
    let (result, calls) = run_twins("stdin_and_lock");
    assert_eq!(
        result,
        r#"Ok(["(\"first line\\n\", [115, 101, 99, 111], 1, [110])", "(\"d line\\n\", [116, 104, 105, 114, 100, 32], [108, 105], 3, [110, 101, 10])", "(Some(\"fourth line\"), Some(\"fifth\"), \"sixth\\nthe rest\\n\")"])"#
    );
    assert_reported(
        HELPER,
        &calls,
        &[
            routed(&STD_IO_STDIN_READ_LINE, at("stdin_read_line"), ""),
            routed(&STD_IO_STDIN_READ_EXACT, at("stdin_read_exact"), ""),
            routed(&STD_IO_STDIN_READ, at("stdin_read"), ""),
            routed(&STD_IO_STDIN_LOCK_READ_LINE, at("lock_read_line"), ""),
            routed(&STD_IO_STDIN_LOCK_READ_UNTIL, at("lock_read_until"), ""),
            routed(&STD_IO_STDIN_LOCK_READ_EXACT, at("lock_read_exact"), ""),
            routed(&STD_IO_STDIN_LOCK_READ, at("lock_read"), ""),
            routed(&STD_IO_STDIN_LINES, at("stdin_lines"), ""),
            routed(&STD_IO_STDIN_LOCK_LINES, at("lock_lines"), ""),
            routed(&STD_IO_STDIN_READ_TO_STRING, at("stdin_read_to_string"), ""),
        ],
    )
}

/// Runs `case`, whose one routed call is `op` at `@marker`; checks that it returned `expected`
/// and recorded that call only.
fn one_call(
    case: &str,
    expected: &str,
    op: &'static BlockingOp,
    marker: &str,
) -> Vec<&'static str> {
    let (result, calls) = run_twins(case);
    assert_eq!(result, expected);
    assert_reported(HELPER, &calls, &[routed(op, at(marker), "")])
}

async fn stdin_read_to_end_is_recorded() -> Vec<&'static str> {
    let n = INPUT.len();
    let expected = format!(r#"Ok(["({n}, {n})"])"#);
    one_call(
        "stdin_to_end",
        &expected,
        &STD_IO_STDIN_READ_TO_END,
        "stdin_read_to_end",
    )
}

async fn lock_read_to_end_is_recorded() -> Vec<&'static str> {
    let n = INPUT.len();
    let expected = format!(r#"Ok(["({n}, {n})"])"#);
    one_call(
        "lock_to_end",
        &expected,
        &STD_IO_STDIN_LOCK_READ_TO_END,
        "lock_read_to_end",
    )
}

async fn lock_read_to_string_is_recorded() -> Vec<&'static str> {
    let expected = format!("Ok([{:?}])", INPUT);
    one_call(
        "lock_to_string",
        &expected,
        &STD_IO_STDIN_LOCK_READ_TO_STRING,
        "lock_read_to_string",
    )
}

async fn stdin_look_alikes_record_nothing() -> Vec<&'static str> {
    let (result, calls) = run_helper("look_alikes", "monitored");
    assert_eq!(
        result,
        r#"Ok(["(\"first line\\n\", 6, 2)", "((1, 2), \"x\", \"xy\", [\"x\", \"y\"])"])"#
    );
    assert!(calls.is_empty(), "unexpected calls recorded: {calls:?}");
    Vec::new()
}

route_tests!(
    "io_stdin";
    stdin_and_lock_reads_are_recorded,
    stdin_read_to_end_is_recorded,
    lock_read_to_end_is_recorded,
    lock_read_to_string_is_recorded,
    stdin_look_alikes_record_nothing,
);
