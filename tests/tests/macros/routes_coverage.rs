//! The `routes_*` modules split the operations `#[aiocop::monitor]` routes into areas; each
//! area's module checks, against the events its tests recorded, that every routed operation of
//! its area is recorded by one of them (`route_tests!`). This test checks that the areas cover
//! the whole routed catalog and that every area has its module (`macros/routes_<area>.rs`) with
//! that check.

use std::collections::BTreeMap;
use std::path::Path;

use aiocop_tests::{AREAS, area_of, routed_operations};

#[test]
fn every_routed_operation_belongs_to_an_area() {
    let mut per_area: BTreeMap<&str, usize> = BTreeMap::new();
    let mut homeless = Vec::new();
    for op in routed_operations() {
        match area_of(op) {
            Some(area) if AREAS.contains(&area) => *per_area.entry(area).or_default() += 1,
            _ => homeless.push(op.event),
        }
    }
    assert!(
        homeless.is_empty(),
        "routed operations in no area: {homeless:?}"
    );
    assert_eq!(
        per_area.keys().copied().collect::<Vec<_>>(),
        {
            let mut sorted = AREAS.to_vec();
            sorted.sort_unstable();
            sorted
        },
        "an area without operations"
    );
    let total: usize = per_area.values().sum();
    assert_eq!(total, routed_operations().count());
    assert!(total > 160, "{per_area:?}");
}

#[test]
fn every_area_has_a_test_binary_that_checks_its_coverage() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/macros");
    for area in AREAS {
        let file = dir.join(format!("routes_{area}.rs"));
        let source =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let compact: String = source.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            compact.contains(&format!("route_tests!(\"{area}\";")),
            "{} does not declare its tests with route_tests!(\"{area}\"; ..)",
            file.display()
        );
    }
    let mut binaries: Vec<String> = std::fs::read_dir(&dir)
        .expect("the macros tests directory")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter_map(|name| {
            name.strip_prefix("routes_")
                .and_then(|rest| rest.strip_suffix(".rs"))
                .map(str::to_owned)
        })
        .filter(|area| area != "coverage")
        .collect();
    binaries.sort();
    let mut areas: Vec<String> = AREAS.iter().map(|a| (*a).to_owned()).collect();
    areas.sort();
    assert_eq!(binaries, areas, "macros/routes_* files and AREAS differ");
}
