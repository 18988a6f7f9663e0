//! The macro routes exactly the catalog operations the runtime can confirm by type: every routed
//! catalog entry (a std operation with a shim) has a probe, and every probe is a routed entry.
//!
//! The probe table is generated from the catalog, and `aiocop-lints/tests/probe_table.rs` fails
//! while the checked-in file is stale; these tests check the other end: what the runtime compiled
//! from the table (its probe lists) is what the macro routes.

use std::collections::BTreeSet;

use aiocop::__private::probe::{FUNCTION_PROBES, METHOD_PROBES, PROBED_METHODS};
use aiocop_lints::catalog::{CATALOG, Callee};

const STALE: &str =
    "the probe table is stale: run `AIOCOP_BLESS=1 cargo test -p aiocop-lints --test probe_table`";

fn routed(function: bool) -> BTreeSet<&'static str> {
    CATALOG
        .iter()
        .filter(|op| op.shim.is_some())
        .filter(|op| matches!(op.callee, Callee::Function { .. }) == function)
        .map(|op| op.event)
        .collect()
}

#[test]
fn every_routed_function_has_a_probe_and_back() {
    let probes: BTreeSet<&str> = FUNCTION_PROBES.iter().copied().collect();
    assert_eq!(routed(true), probes, "{STALE}");
}

#[test]
fn every_routed_method_has_a_probe_and_back() {
    let probes: BTreeSet<&str> = METHOD_PROBES.iter().copied().collect();
    assert_eq!(routed(false), probes, "{STALE}");
}

#[test]
fn methods_are_probed_by_traits_exactly_where_the_macro_expects_it() {
    // The macro asks the catalog when it expands a call; the runtime's probes were compiled from
    // the table, rendered with the same answer (from the receiver types in `RECEIVER_TYPES`).
    for &(method, by_traits) in PROBED_METHODS {
        assert_eq!(
            aiocop_lints::catalog::probed_by_traits(method),
            by_traits,
            ".{method}(): {STALE}"
        );
    }
    assert!(PROBED_METHODS.iter().any(|&(_, by_traits)| by_traits));
    assert!(PROBED_METHODS.iter().any(|&(_, by_traits)| !by_traits));
}
