//! The macro routes exactly the catalog operations the runtime can confirm by type: every routed
//! catalog entry (a std operation with a shim) has a probe, and every probe is a routed entry.

use std::collections::BTreeSet;

use aiocop::__private::probe::{FUNCTION_PROBES, METHOD_PROBES};
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
