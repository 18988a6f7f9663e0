//! The crate's layers, checked: every module refers (through `crate::` paths, in code, not
//! comments) only to modules listed before it in [`ORDER`], lowest layer first, except for the
//! one named back edge in [`BACK_EDGES`]. ARCHITECTURE.md draws the same order.

use std::collections::BTreeSet;
use std::path::Path;

/// Every top-level module, each layer's in its own order, lowest layer first.
const ORDER: &[&[&str]] = &[
    // Base: settings and plumbing that know nothing of polls or events.
    &[
        "clock",
        "coop",
        "error",
        "report",
        "isolate",
        "registry",
        "fork",
        "intern",
        "settings",
        "suppress",
        "text",
        "request_sampling",
        "repeats",
        "stack",
    ],
    // Descriptors of the program's code, and the weights of operations.
    &["functions", "weights"],
    // Events and what they carry.
    &["severity", "trace", "origin", "context", "event"],
    // Sinks: where an event goes.
    &["callbacks", "collect", "strict", "delivery", "watchdog"],
    // Emission: a finished poll's record becomes an event.
    &["emit"],
    // The thread's open poll scope.
    &["scope"],
    // Recording: the one entry point, and what calls it.
    &["record", "intercept", "audit", "probe", "shim"],
    // Guards: what opens scopes.
    &["monitor", "runtime", "runtime_hooks", "tower"],
    // Set-up and the integrations.
    &["setup", "integrations"],
];

/// The back edges allowed, and why.
const BACK_EDGES: &[(&str, &str)] = &[
    // The watchdog samples a thread inside a monitored poll: its signal handler and its reader of
    // blocked threads need the scope's view (the executor boundary, the outer function) without
    // going through the scope's callers. The scope, in turn, publishes each poll to the watchdog.
    ("watchdog", "scope"),
];

/// Modules that are not layers: the crate root and test-only modules.
const OUTSIDE: &[&str] = &["lib", "layering", "unsafe_tests"];

fn rank(module: &str) -> Option<usize> {
    ORDER
        .iter()
        .flat_map(|layer| layer.iter())
        .position(|m| *m == module)
}

/// The top-level modules named by `crate::` paths in `source`, comments left out: `crate::a::b`,
/// `crate::{a, b::c}`.
fn referenced(source: &str) -> BTreeSet<String> {
    let code: String = source
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        let preceded = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        // `$crate::` (exported macros) names the crate as its users see it: not a dependency.
        if preceded == Some('$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.insert(name);
        }
    }
    found
}

/// `(module, file source)` for every source file, the module being the top-level one it belongs
/// to.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, top: Option<&str>, out: &mut Vec<(String, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("aiocop's src directory is readable")
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                walk(&path, Some(top.unwrap_or(&stem)), out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let module = top.map_or(stem, str::to_owned);
                out.push((module, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        None,
        &mut out,
    );
    out
}

/// Items of the crate root that code may name through `crate::` without depending on a layer:
/// the macros' support module and the root re-exports used in docs' paths.
fn is_root_item(name: &str) -> bool {
    name == "__private" || name.starts_with("__aiocop") || rank(name).is_none()
}

#[test]
fn every_module_depends_only_on_lower_layers() {
    let mut wrong = Vec::new();
    for (module, source) in sources() {
        if OUTSIDE.contains(&module.as_str()) {
            continue;
        }
        let Some(own) = rank(&module) else {
            wrong.push(format!("module `{module}` is in no layer: add it to ORDER"));
            continue;
        };
        for used in referenced(&source) {
            if used == module || is_root_item(&used) {
                continue;
            }
            let theirs = rank(&used).unwrap();
            if theirs > own && !BACK_EDGES.contains(&(module.as_str(), used.as_str())) {
                wrong.push(format!("`{module}` uses `{used}`, a higher layer"));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn every_listed_module_exists() {
    let modules: BTreeSet<String> = sources().into_iter().map(|(m, _)| m).collect();
    for module in ORDER.iter().flat_map(|layer| layer.iter()) {
        assert!(
            modules.contains(*module),
            "`{module}` is listed but has no file"
        );
    }
}

#[test]
fn references_are_found_in_paths_and_groups_but_not_comments() {
    let source = "use crate::scope::Scope;\nuse crate::{emit, text::Args};\n\
                  // crate::tower\n$crate::__private::x\nlet x = crate::settings::get();";
    let found: Vec<String> = referenced(source).into_iter().collect();
    assert_eq!(found, ["emit", "scope", "settings", "text"]);
}
