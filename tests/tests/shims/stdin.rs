//! The stdin shims, on a real pipe: each runs in the `stdin_shims` helper process with a known
//! input, inside and outside a monitored poll, unpatched and without argument capture, and
//! returns exactly what the std method returns on the same input.

use crate::shim_cases;

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::process::{Command, Stdio};

use shim_cases::event_text;
use shim_cases::io::STDIN_SHIMS;

const INPUT: &str = "first line\nsecond line\n";

/// Runs the helper on `INPUT`; returns its report as `key → values`.
fn helper(shim: &str, mode: &str) -> HashMap<String, Vec<String>> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stdin_shims"))
        .args([shim, mode])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the helper");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(INPUT.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{shim} {mode}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut report: HashMap<String, Vec<String>> = HashMap::new();
    for line in String::from_utf8(output.stdout).unwrap().lines() {
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        report.entry(key.into()).or_default().push(value.into());
    }
    report
}

fn one<'a>(report: &'a HashMap<String, Vec<String>>, key: &str) -> &'a str {
    match report.get(key).map(Vec::as_slice) {
        Some([value]) => value,
        other => panic!("{key}: {other:?}"),
    }
}

/// The shims these tests loop over are exactly the catalog's stdin shims, so that no loop here
/// passes over an empty or partial list.
#[test]
fn the_stdin_shims_are_every_catalog_shim_of_stdin() {
    let catalog: BTreeSet<&str> = aiocop_lints::catalog::with_shims()
        .filter(|op| aiocop_tests::area_of(op) == Some("io_stdin"))
        .filter_map(|op| op.shim)
        .collect();
    let listed: BTreeSet<&str> = STDIN_SHIMS.iter().copied().collect();
    assert_eq!(
        listed.len(),
        STDIN_SHIMS.len(),
        "listed twice: {STDIN_SHIMS:?}"
    );
    assert!(!catalog.is_empty());
    assert_eq!(listed, catalog);
}

#[test]
fn stdin_shims_record_their_event_and_return_what_std_returns() {
    for &shim in STDIN_SHIMS {
        let op = aiocop_lints::catalog::find_shim(shim).unwrap();
        let audited = helper(shim, "shim");
        let plain = helper(shim, "std");
        assert_eq!(one(&audited, "result"), one(&plain, "result"), "{shim}");
        assert_eq!(one(&plain, "events"), "0", "{shim}: std is not audited");

        assert_eq!(one(&audited, "events"), "1", "{shim}");
        assert_eq!(one(&audited, "operation"), op.event);
        let args = one(&audited, "args");
        assert_eq!(one(&audited, "event"), event_text(op, args, true));
        assert_eq!(one(&audited, "weight"), op.weight.to_string(), "{shim}");
        let expected = one(&audited, "expected");
        assert_eq!(one(&audited, "location"), expected, "{shim}");
        assert_eq!(
            one(&audited, "entry_point"),
            format!("{expected}:stdin_case")
        );
    }
}

#[test]
fn stdin_shims_record_nothing_outside_a_poll_or_unpatched() {
    for &shim in STDIN_SHIMS {
        let plain = helper(shim, "std");
        for mode in ["outside", "unpatched"] {
            let report = helper(shim, mode);
            assert_eq!(one(&report, "events"), "0", "{shim} {mode}");
            assert_eq!(
                one(&report, "result"),
                one(&plain, "result"),
                "{shim} {mode}"
            );
        }
    }
}

#[test]
fn stdin_shims_without_argument_capture_name_the_operation_only() {
    for &shim in STDIN_SHIMS {
        let op = aiocop_lints::catalog::find_shim(shim).unwrap();
        let report = helper(shim, "no-capture");
        assert_eq!(one(&report, "event"), op.event, "{shim}");
    }
}
