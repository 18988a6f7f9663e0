//! The labelled corpus: every line of `tests/corpus/` that must be reported carries a
//! `//~ BLOCKING <event>` (or `//~ BLOCKING <chain>` with `→` between its steps, or
//! `//~ MISSING-REASON`, or `//~ UNUSED-SUPPRESSION` on a suppression that suppresses nothing) comment; look-alikes that must not be reported carry `//~ OK`, and any
//! other reported line counts as a false positive. `//~ TRIVIAL <event>` marks a trivial
//! operation: not reported at default settings, reported with `report_trivial`.
//!
//! The corpus is linted twice, at default settings and with `report_trivial` on (both with the
//! offloaders `defaults.rs` declares), and every labelled line must come out exactly as
//! labelled: no finding missing, none extra. The test prints precision and recall.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aiocop_lints::analyzer::{Config, Finding, Linter, Rule};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    Blocking(String),
    MissingReason,
    UnusedSuppression,
    Ok,
    /// A trivial operation: blocking when trivial operations are reported, else look-alike.
    Trivial(String),
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// (file as the linter shows it, line) → expectations.
fn expectations() -> BTreeMap<(String, usize), Vec<Expect>> {
    let mut files = Vec::new();
    rs_files(&corpus_dir(), &mut files);
    let mut out = BTreeMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, line) in text.lines().enumerate() {
            let mut marks = Vec::new();
            for mark in line.split("//~").skip(1) {
                let mark = mark.trim();
                let expect = if let Some(what) = mark.strip_prefix("BLOCKING") {
                    Expect::Blocking(what.trim().to_string())
                } else if let Some(what) = mark.strip_prefix("TRIVIAL") {
                    Expect::Trivial(what.trim().to_string())
                } else if mark == "UNUSED-SUPPRESSION" {
                    Expect::UnusedSuppression
                } else if mark == "MISSING-REASON" {
                    Expect::MissingReason
                } else if mark == "OK" || mark.starts_with("OK (") {
                    Expect::Ok
                } else {
                    panic!("{}:{}: unknown marker `{mark}`", file.display(), i + 1);
                };
                marks.push(expect);
            }
            if !marks.is_empty() {
                out.insert((file.display().to_string(), i + 1), marks);
            }
        }
    }
    out
}

fn matches(expect: &Expect, finding: &Finding) -> bool {
    match expect {
        Expect::Blocking(what) if what.contains('→') => {
            finding.rule == Rule::BlockingChain && finding.chain.join(" → ") == *what
        }
        Expect::Blocking(event) => {
            finding.rule == Rule::BlockingCall && finding.event.as_deref() == Some(event.as_str())
        }
        Expect::MissingReason => finding.rule == Rule::AllowWithoutReason,
        Expect::UnusedSuppression => finding.rule == Rule::UnusedSuppression,
        Expect::Ok | Expect::Trivial(_) => false,
    }
}

#[test]
fn corpus_at_default_settings() {
    check_corpus(false);
}

#[test]
fn corpus_with_trivial_operations_reported() {
    check_corpus(true);
}

fn check_corpus(report_trivial: bool) {
    let config = Config {
        offload: vec![
            "my_pool::run_blocking".to_string(),
            "my_pool::Pool::install".to_string(),
        ],
        report_trivial: Some(report_trivial),
        ..Config::default()
    };
    let linter = Linter::new(config);
    let report = linter.lint_paths(&[corpus_dir()]).unwrap();
    assert!(report.file_errors.is_empty(), "{:#?}", report.file_errors);

    let expected: BTreeMap<(String, usize), Vec<Expect>> = expectations()
        .into_iter()
        .map(|(key, marks)| {
            let marks = marks
                .into_iter()
                .map(|m| match m {
                    Expect::Trivial(event) if report_trivial => Expect::Blocking(event),
                    Expect::Trivial(_) => Expect::Ok,
                    other => other,
                })
                .collect();
            (key, marks)
        })
        .collect();
    let positives: usize = expected
        .values()
        .flatten()
        .filter(|e| **e != Expect::Ok)
        .count();
    let negatives: usize = expected
        .values()
        .flatten()
        .filter(|e| **e == Expect::Ok)
        .count();

    let mut by_line: BTreeMap<(String, usize), Vec<&Finding>> = BTreeMap::new();
    for finding in &report.findings {
        by_line
            .entry((finding.at.file.clone(), finding.at.line))
            .or_default()
            .push(finding);
    }

    let mut true_positives = 0;
    let mut false_negatives = Vec::new();
    let mut false_positives = Vec::new();
    let mut keys: Vec<_> = expected.keys().chain(by_line.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let mut found: Vec<&Finding> = by_line.get(&key).cloned().unwrap_or_default();
        for expect in expected.get(&key).into_iter().flatten() {
            if *expect == Expect::Ok {
                continue;
            }
            match found.iter().position(|f| matches(expect, f)) {
                Some(i) => {
                    found.remove(i);
                    true_positives += 1;
                }
                None => false_negatives.push((key.clone(), expect.clone(), found.clone())),
            }
        }
        for f in found {
            false_positives.push((key.clone(), f.clone()));
        }
    }

    let precision = true_positives as f64 / (true_positives + false_positives.len()).max(1) as f64;
    let recall = true_positives as f64 / positives.max(1) as f64;
    println!(
        "corpus: {} cases ({positives} blocking, {negatives} look-alikes) in {} files",
        positives + negatives,
        report.files_analyzed
    );
    for ((file, line), f) in &false_positives {
        println!(
            "false positive {file}:{line}: {:?} {:?} {}",
            f.rule,
            f.event,
            f.chain.join(" → ")
        );
    }
    let mut missing_from_catalog = Vec::new();
    for ((file, line), expect, found) in &false_negatives {
        if let Expect::Blocking(event) = expect
            && !event.contains('→')
            && aiocop_lints::catalog::find_event(event).is_none()
        {
            missing_from_catalog.push(event.clone());
        }
        let found: Vec<String> = found
            .iter()
            .map(|f| format!("{:?} {}", f.event, f.chain.join(" → ")))
            .collect();
        println!("false negative {file}:{line}: expected {expect:?}, found {found:?}");
    }
    missing_from_catalog.sort();
    missing_from_catalog.dedup();
    if !missing_from_catalog.is_empty() {
        println!(
            "events the catalog does not have ({}): {}",
            missing_from_catalog.len(),
            missing_from_catalog.join(", ")
        );
    }
    println!(
        "precision {precision:.3} ({true_positives}/{}), recall {recall:.3} ({true_positives}/{positives})",
        true_positives + false_positives.len()
    );
    // Every catalog category has labelled blocking calls.
    let mut per_category: BTreeMap<&str, usize> = BTreeMap::new();
    for expect in expected.values().flatten() {
        if let Expect::Blocking(what) = expect {
            let event = what.rsplit(" → ").next().unwrap_or(what);
            if let Some(op) = aiocop_lints::catalog::find_event(event) {
                *per_category.entry(op.category.as_str()).or_default() += 1;
            }
        }
    }
    println!("labelled blocking calls per category: {per_category:?}");
    for category in [
        "sleep",
        "file",
        "fs-metadata",
        "network",
        "dns",
        "process",
        "sync-primitive",
        "stdin",
        "executor",
    ] {
        assert!(
            per_category.contains_key(category),
            "no labelled case of category {category}"
        );
    }
    assert!(
        positives + negatives >= 150,
        "the corpus needs at least 150 cases"
    );
    // Exact: every labelled line as labelled, nothing else reported.
    assert!(
        false_positives.is_empty() && false_negatives.is_empty(),
        "{} false positives, {} false negatives (listed above); precision {precision:.3}, recall {recall:.3}",
        false_positives.len(),
        false_negatives.len()
    );
}
