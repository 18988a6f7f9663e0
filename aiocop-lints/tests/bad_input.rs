//! No input ends a run abnormally: deep nesting, long chains, invalid UTF-8 and symlink loops.
//! Each bad file is reported by name and skipped; every other file's findings are kept.
//! (How long the long chains take is measured by the `lint_speed` bench, not asserted here.)

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use aiocop_lints::analyzer::{Config, Linter, Report};

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "aiocop-bad-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A good file next to the bad one: its finding must survive.
const GOOD: &str = "async fn good() { std::thread::sleep(D); }\n";

fn lint_dir(dir: &TempDir) -> Report {
    Linter::new(Config::default())
        .lint_paths(std::slice::from_ref(&dir.0))
        .unwrap()
}

/// (file name, line) of each finding.
fn found(report: &Report) -> Vec<(String, usize)> {
    report
        .findings
        .iter()
        .map(|f| {
            let name = Path::new(&f.at.file).file_name().unwrap();
            (name.to_string_lossy().into_owned(), f.at.line)
        })
        .collect()
}

/// Names of the files reported as skipped, with their messages.
fn skipped(report: &Report) -> Vec<(String, String)> {
    report
        .file_errors
        .iter()
        .map(|e| {
            let name = Path::new(&e.file).file_name().unwrap();
            (name.to_string_lossy().into_owned(), e.message.clone())
        })
        .collect()
}

/// `bad.rs` holding `bad`, next to `good.rs`, linted as a directory.
fn with_good(bad: &str) -> Report {
    let dir = TempDir::new("mixed");
    dir.write("good.rs", GOOD);
    dir.write("bad.rs", bad);
    lint_dir(&dir)
}

fn sleep_inside(open: &str, close: &str, depth: usize) -> String {
    format!(
        "async fn deep() {{ let _x = {}std::thread::sleep(D){}; }}\n",
        open.repeat(depth),
        close.repeat(depth)
    )
}

#[test]
fn deep_but_plausible_nesting_is_analyzed() {
    // The depths that used to overflow the stack (1,700 blocks, 3,000 parentheses) are within
    // the limit now that parsing and walking run on a large stack.
    for (open, close, depth) in [("{", "}", 1_700), ("(", ")", 3_000), ("[", "]", 3_000)] {
        let report = with_good(&sleep_inside(open, close, depth));
        assert!(report.file_errors.is_empty(), "{:?}", skipped(&report));
        assert_eq!(
            found(&report),
            [("bad.rs".to_string(), 1), ("good.rs".to_string(), 1)],
            "{open} x {depth}"
        );
    }
}

#[test]
fn nesting_beyond_the_limit_is_reported_and_skipped() {
    let cases = [
        sleep_inside("(", ")", 100_000),
        sleep_inside("{", "}", 50_000),
        format!(
            "async fn h() {{ let _x = {}a; std::thread::sleep(D); }}\n",
            "!".repeat(200_000)
        ),
        format!(
            "async fn h() {{ let _x = {}a; std::thread::sleep(D); }}\n",
            "-".repeat(200_000)
        ),
        format!(
            "async fn h() {{ if a {{}} {} std::thread::sleep(D); }}\n",
            "else if a {} ".repeat(50_000)
        ),
        format!(
            "async fn h() {{ let _f = {}0; std::thread::sleep(D); }}\n",
            "|| ".repeat(100_000)
        ),
        format!(
            "async fn h() {{ a = {}0; std::thread::sleep(D); }}\n",
            "a = ".repeat(100_000)
        ),
        format!(
            "fn f(_: {}u8{}) {{}}\nasync fn h() {{ std::thread::sleep(D); }}\n",
            "Vec<".repeat(50_000),
            ">".repeat(50_000)
        ),
    ];
    for bad in cases {
        let report = with_good(&bad);
        assert_eq!(
            found(&report),
            [("good.rs".to_string(), 1)],
            "{}",
            &bad[..60]
        );
        let errors = skipped(&report);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "bad.rs");
        assert!(errors[0].1.contains("nesting too deep"), "{errors:?}");
    }
}

#[test]
fn an_expression_tree_deeper_than_the_walk_goes_is_reported_and_skipped() {
    // `a + a + ... + a` parses in a loop but nests 200,000 deep: the walker stops and skips
    // the file instead of recursing off its stack.
    let bad = format!(
        "async fn h() {{ std::thread::sleep(D); let _x = a{}; }}\n",
        " + a".repeat(200_000)
    );
    let report = with_good(&bad);
    assert_eq!(found(&report), [("good.rs".to_string(), 1)]);
    let errors = skipped(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "bad.rs");
    assert!(errors[0].1.contains("nested deeper than"), "{errors:?}");
}

#[test]
fn twenty_thousand_chained_calls_are_analyzed() {
    // Typed and walked in a loop: the `.read_to_string(..)` at the end of a 20,000-call chain
    // on a `File` is still found.
    let bad = format!(
        "async fn chained(f: std::fs::File) {{ let _ = f{}.read_to_string(&mut s); }}\n",
        ".by_ref()".repeat(20_000)
    );
    let report = with_good(&bad);
    assert!(report.file_errors.is_empty(), "{:?}", skipped(&report));
    assert_eq!(
        found(&report),
        [("bad.rs".to_string(), 1), ("good.rs".to_string(), 1)]
    );
}

#[test]
fn a_ten_thousand_deep_call_chain_is_reported_whole() {
    let mut text = String::from("async fn handler() { f0(); }\n");
    for i in 0..10_000 {
        text.push_str(&format!("fn f{i}() {{ f{}(); }}\n", i + 1));
    }
    text.push_str("fn f10000() { std::thread::sleep(D); }\n");
    let report = Linter::new(Config::default()).lint_source("lib.rs", &text);
    assert_eq!(report.findings.len(), 1);
    let chain = &report.findings[0].chain;
    assert_eq!(chain.len(), 10_003);
    assert_eq!(chain[0], "handler");
    assert_eq!(chain[10_001], "f10000");
    assert_eq!(chain[10_002], "std::thread::sleep");
}

#[test]
fn a_library_call_on_a_deep_source_returns_an_error_instead_of_crashing() {
    let report =
        Linter::new(Config::default()).lint_source("deep.rs", &sleep_inside("(", ")", 100_000));
    assert!(report.findings.is_empty());
    assert_eq!(report.file_errors.len(), 1);
    assert_eq!(report.file_errors[0].file, "deep.rs");
}

#[test]
fn invalid_utf8_is_reported_and_skipped() {
    let dir = TempDir::new("utf8");
    dir.write("good.rs", GOOD);
    dir.write(
        "bad.rs",
        b"async fn h() { std::thread::sleep(D); } // \xff\xfe\n",
    );
    let report = lint_dir(&dir);
    assert_eq!(found(&report), [("good.rs".to_string(), 1)]);
    let errors = skipped(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "bad.rs");
}

#[cfg(unix)]
#[test]
fn symlink_loops_end_and_dangling_links_are_reported() {
    let dir = TempDir::new("loops");
    dir.write("src/good.rs", GOOD);
    std::os::unix::fs::symlink(&dir.0, dir.0.join("src/again")).unwrap();
    std::os::unix::fs::symlink("self.rs", dir.0.join("src/self.rs")).unwrap();
    let report = lint_dir(&dir);
    assert_eq!(found(&report), [("good.rs".to_string(), 1)]);
    let errors = skipped(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, "self.rs");
}

#[test]
fn the_command_line_names_the_bad_file_and_keeps_the_other_findings() {
    let dir = TempDir::new("cli");
    dir.write("good.rs", GOOD);
    dir.write("bad.rs", sleep_inside("(", ")", 100_000));
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-aiocop"))
        .args(["aiocop", "--format", "json"])
        .arg(&dir.0)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("good.rs"), "{stdout}");
    assert!(
        stderr.contains("bad.rs") && stderr.contains("nesting too deep"),
        "{stderr}"
    );
}
