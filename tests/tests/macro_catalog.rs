//! The macro routes exactly the catalog operations the runtime can confirm by type: every routed
//! catalog entry (a std operation with a shim) has a probe, and every probe is a routed entry.

use std::collections::BTreeSet;

use aiocop::__private::probe::{FUNCTION_PROBES, METHOD_PROBES, PROBED_METHODS};
use aiocop_lints::catalog::{CATALOG, Callee};

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
    assert_eq!(
        routed(true),
        probes,
        "rerun scripts/gen-probe-table.py after changing the catalog"
    );
}

#[test]
fn every_routed_method_has_a_probe_and_back() {
    let probes: BTreeSet<&str> = METHOD_PROBES.iter().copied().collect();
    assert_eq!(
        routed(false),
        probes,
        "rerun scripts/gen-probe-table.py after changing the catalog"
    );
}

#[test]
fn methods_are_probed_by_traits_exactly_where_the_macro_expects_it() {
    // The macro decides from the catalog; the probe table from the receivers' Rust types.
    for &(method, by_traits) in PROBED_METHODS {
        assert_eq!(
            aiocop_lints::catalog::probed_by_traits(method),
            by_traits,
            ".{method}(): rerun scripts/gen-probe-table.py, or update GENERIC_RECEIVERS"
        );
    }
    assert!(PROBED_METHODS.iter().any(|&(_, by_traits)| by_traits));
    assert!(PROBED_METHODS.iter().any(|&(_, by_traits)| !by_traits));
}
