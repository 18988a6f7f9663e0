//! `cargo-aiocop` end to end: the real binary on real temporary cargo workspaces and files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

/// A temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "aiocop-cli-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn aiocop(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-aiocop"))
        .arg("aiocop")
        .args(args)
        .current_dir(cwd)
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

const APP_LIB: &str = r#"
mod config;
pub mod handlers;
"#;

const APP_CONFIG: &str = r#"
pub fn load_config() -> Vec<u8> {
    std::fs::read("app.toml").unwrap_or_default()
}
"#;

const APP_HANDLERS: &str = r#"
use std::fs as f;
use std::time::Duration;

pub async fn index() -> usize {
    std::thread::sleep(Duration::from_millis(5));
    crate::config::load_config().len()
}

pub async fn fine() -> usize {
    let data = tokio::task::spawn_blocking(|| f::read("x")).await;
    data.is_ok() as usize
}
"#;

const APP_MAIN: &str = r#"
#[tokio::main]
async fn main() {
    let _ = std::fs::read("main.txt");
}
"#;

const CLEAN_LIB: &str = r#"
pub async fn clean() -> u32 {
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    1
}

pub fn sync_read() -> Vec<u8> {
    std::fs::read("sync.bin").unwrap_or_default()
}
"#;

/// A workspace with a member `app` (lib with modules, bin, example) and a member `clean`.
fn workspace(app_metadata: &str, workspace_metadata: &str) -> TempDir {
    let dir = TempDir::new("ws");
    dir.write(
        "Cargo.toml",
        &format!(
            "[workspace]\nmembers = [\"app\", \"clean\"]\nresolver = \"3\"\n{workspace_metadata}\n"
        ),
    );
    dir.write(
        "app/Cargo.toml",
        &format!(
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n{app_metadata}\n"
        ),
    );
    dir.write("app/src/lib.rs", APP_LIB);
    dir.write("app/src/config.rs", APP_CONFIG);
    dir.write("app/src/handlers.rs", APP_HANDLERS);
    dir.write("app/src/main.rs", APP_MAIN);
    dir.write(
        "app/examples/demo.rs",
        "async fn demo() { let _ = std::path::Path::new(\"x\").exists(); }\nfn main() {}\n",
    );
    dir.write(
        "clean/Cargo.toml",
        "[package]\nname = \"clean\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    dir.write("clean/src/lib.rs", CLEAN_LIB);
    dir
}

#[test]
fn a_workspace_with_blocking_calls_fails_with_rustc_style_diagnostics() {
    let ws = workspace("", "");
    let manifest = ws.path().join("Cargo.toml");
    let out = aiocop(&["--manifest-path", manifest.to_str().unwrap()], ws.path());
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}\n{}", stderr(&out));
    // Every target is linted: lib modules, the binary, the example.
    assert!(text.contains("--> app/src/handlers.rs:6:5"), "{text}");
    assert!(text.contains("--> app/src/main.rs:4:13"), "{text}");
    assert!(text.contains("--> app/examples/demo.rs:1:"), "{text}");
    // The source line, an underline, the weight and the alternative.
    assert!(
        text.contains("6 |     std::thread::sleep(Duration::from_millis(5));"),
        "{text}"
    );
    let underline = format!("  |     {} heavy (weight 50), sleep", "^".repeat(44));
    assert!(text.contains(&underline), "{text}");
    let sleep = aiocop_lints::catalog::find_event("std::thread::sleep").unwrap();
    let help = format!("help: use `{}` instead", sleep.alternative);
    assert!(text.contains(&help), "{text}");
    // The chain through a same-crate module.
    assert!(
        text.contains("chain: handlers::index → config::load_config → std::fs::read"),
        "{text}"
    );
    // Offloaded work and sync code are not reported.
    assert!(!text.contains("handlers.rs:11"), "{text}");
    assert!(!text.contains("clean/src"), "{text}");
    // No colours when stdout is not a terminal.
    assert!(!text.contains('\x1b'), "{text}");
    let summary = text.lines().last().unwrap();
    assert!(
        summary.starts_with("aiocop: 4 findings (1 heavy, 2 moderate, 1 light) in 6 files"),
        "{summary}"
    );
}

#[test]
fn run_from_the_workspace_directory_and_select_a_package() {
    let ws = workspace("", "");
    let out = aiocop(&["-p", "clean"], ws.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("aiocop: no blocking calls in async code (1 file analyzed)"));
    let out = aiocop(&["-p", "nonesuch"], ws.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("`nonesuch` is not a member"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn json_lines_have_the_documented_fields() {
    let ws = workspace("", "");
    let out = aiocop(&["--format", "json"], ws.path());
    assert_eq!(out.status.code(), Some(1));
    let findings: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(findings.len(), 4);
    let fields = [
        "rule",
        "level",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "source_line",
        "event",
        "weight",
        "severity",
        "category",
        "alternative",
        "context",
        "chain",
        "related",
    ];
    for f in &findings {
        let obj = f.as_object().unwrap();
        for field in fields {
            assert!(obj.contains_key(field), "{field} missing in {f}");
        }
        assert_eq!(obj.len(), fields.len(), "{f}");
    }
    let sleep = findings
        .iter()
        .find(|f| f["event"] == "std::thread::sleep")
        .unwrap();
    assert_eq!(sleep["rule"], "blocking-call");
    assert_eq!(sleep["level"], "error");
    assert_eq!(sleep["file"], "app/src/handlers.rs");
    assert_eq!(
        (sleep["line"].as_u64(), sleep["column"].as_u64()),
        (Some(6), Some(5))
    );
    assert_eq!(sleep["end_column"].as_u64(), Some(49));
    assert_eq!(sleep["weight"].as_u64(), Some(50));
    assert_eq!(sleep["severity"], "heavy");
    assert_eq!(sleep["category"], "sleep");
    assert_eq!(sleep["context"], "async fn `handlers::index`");
    let chain = findings
        .iter()
        .find(|f| f["rule"] == "blocking-chain")
        .unwrap();
    assert_eq!(
        chain["chain"],
        serde_json::json!(["handlers::index", "config::load_config", "std::fs::read"])
    );
    assert_eq!(chain["related"][0]["file"], "app/src/config.rs");
    assert_eq!(chain["related"][0]["line"].as_u64(), Some(3));
}

#[test]
fn sarif_output_is_a_valid_2_1_0_log() {
    let ws = workspace("", "");
    let out = aiocop(&["--format", "sarif"], ws.path());
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "cargo-aiocop");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        rule_ids,
        [
            "blocking-call",
            "blocking-chain",
            "allow-without-reason",
            "unused-suppression"
        ]
    );
    for rule in rules {
        assert!(rule["shortDescription"]["text"].is_string());
    }
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rule_ids[index], id);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        assert!(result["message"]["text"].as_str().unwrap().len() > 10);
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("app/") && !uri.contains('\\'), "{uri}");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &location["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1);
        assert!(region["startColumn"].as_u64().unwrap() >= 1);
        assert!(region["endColumn"].as_u64().unwrap() > region["startColumn"].as_u64().unwrap());
    }
    let chain = results
        .iter()
        .find(|r| r["ruleId"] == "blocking-chain")
        .unwrap();
    assert_eq!(
        chain["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app/src/config.rs"
    );
    assert_eq!(
        chain["codeFlows"][0]["threadFlows"][0]["locations"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
}

#[test]
fn the_deny_level_decides_the_exit_status() {
    let ws = workspace("", "");
    // The heaviest finding is `thread::sleep` (50).
    assert_eq!(
        aiocop(&["--deny", "heavy"], ws.path()).status.code(),
        Some(1)
    );
    let out = aiocop(
        &["--deny", "heavy", "-p", "app", "--", "app/src/main.rs"],
        ws.path(),
    );
    assert_eq!(out.status.code(), Some(2), "paths and -p do not mix");
    let out = aiocop(&["--deny", "heavy", "app/src/main.rs"], ws.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("warning[blocking-call]"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        aiocop(&["--deny", "none"], ws.path()).status.code(),
        Some(0)
    );
    assert_eq!(aiocop(&["--deny", "51"], ws.path()).status.code(), Some(0));

    // From the configuration, overridden by the command line.
    let configured = workspace("[package.metadata.aiocop]\ndeny = \"none\"\n", "");
    assert_eq!(aiocop(&[], configured.path()).status.code(), Some(0));
    let out = aiocop(&["-p", "app"], configured.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("none at or above the deny level `none`"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        aiocop(&["--deny", "any"], configured.path()).status.code(),
        Some(1)
    );
}

#[test]
fn extra_blocking_paths_and_allowed_paths_come_from_the_manifest() {
    let ws = workspace(
        "[package.metadata.aiocop]\nallow = [\"std::thread::sleep\", \"crate::config::load_config\"]\n",
        "[workspace.metadata.aiocop.blocking]\n\"legacy_db::query\" = { weight = \"heavy\", alternative = \"legacy_db::r#async::query\" }\n\"std::fs::read\" = 3\n",
    );
    ws.write(
        "clean/src/lib.rs",
        "pub async fn q() { let _ = legacy_db::query(\"select 1\"); }\n",
    );
    let out = aiocop(&["--format", "json"], ws.path());
    let findings: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let events: Vec<(&str, u64)> = findings
        .iter()
        .map(|f| (f["event"].as_str().unwrap(), f["weight"].as_u64().unwrap()))
        .collect();
    // `sleep` and the chain through `load_config` are allowed in `app`; `std::fs::read` is
    // re-weighted; `legacy_db::query` is blocking in `clean`.
    assert_eq!(
        events,
        [
            ("std::path::Path::exists", 1),
            ("std::fs::read", 3),
            ("legacy_db::query", 50)
        ],
        "{findings:#?}"
    );
    assert_eq!(findings[2]["alternative"], "legacy_db::r#async::query");
    assert_eq!(findings[2]["category"], "custom");
}

#[test]
fn a_malformed_configuration_is_an_error_naming_the_key() {
    let cases = [
        (
            "[package.metadata.aiocop]\ndeny = \"sometimes\"\n",
            "",
            "package.metadata.aiocop.deny",
        ),
        (
            "",
            "[workspace.metadata.aiocop]\nalow = []\n",
            "workspace.metadata.aiocop.alow",
        ),
        (
            "[package.metadata.aiocop.blocking]\n\"a::b\" = { weight = -1 }\n",
            "",
            "package.metadata.aiocop.blocking.\"a::b\".weight",
        ),
        (
            "[package.metadata.aiocop]\nallow = [1]\n",
            "",
            "package.metadata.aiocop.allow[0]",
        ),
    ];
    for (package, workspace_meta, key) in cases {
        let ws = workspace(package, workspace_meta);
        let out = aiocop(&[], ws.path());
        assert_eq!(out.status.code(), Some(2), "{key}: {}", stdout(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("`{key}`")), "{key}: {err}");
        assert!(err.contains("Cargo.toml"), "{err}");
        assert!(stdout(&out).is_empty());
    }
}

#[test]
fn an_unparsable_file_is_reported_and_skipped() {
    let ws = workspace("", "");
    ws.write("app/src/config.rs", "pub fn load_config( -> Vec<u8> {\n");
    let out = aiocop(&[], ws.path());
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("warning: app/src/config.rs:1:"), "{text}");
    assert!(text.contains("(file skipped)"), "{text}");
    // The rest of the crate is still linted.
    assert!(text.contains("--> app/src/handlers.rs:6:5"), "{text}");
    assert!(text.contains("1 file skipped"), "{text}");

    // In the machine formats the notice goes to stderr (and into SARIF's notifications).
    let out = aiocop(&["--format", "sarif"], ws.path());
    assert!(
        stderr(&out).contains("app/src/config.rs"),
        "{}",
        stderr(&out)
    );
    let log: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let notes = &log["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "app/src/config.rs"
    );
}

#[test]
fn files_and_directories_given_on_the_command_line() {
    let dir = TempDir::new("paths");
    dir.write(
        "lone.rs",
        "async fn f() { std::thread::sleep(std::time::Duration::ZERO); }\n",
    );
    dir.write("tree/lib.rs", "mod child;\n");
    dir.write(
        "tree/child.rs",
        "pub async fn g() { let _ = super::helper(); }\n",
    );
    dir.write(
        "tree/helper.rs",
        "pub async fn h() { let _ = std::fs::read(\"x\"); }\n",
    );
    let out = aiocop(&["--format", "json", "lone.rs", "tree"], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let findings: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let places: Vec<String> = findings
        .iter()
        .map(|f| format!("{}:{}", f["file"].as_str().unwrap(), f["line"]))
        .collect();
    assert_eq!(places, ["lone.rs:1", "tree/helper.rs:1"]);

    // A path that does not exist is an I/O error.
    let out = aiocop(&["missing.rs"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing.rs"), "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let dir = TempDir::new("usage");
    for args in [&["--frobnicate"][..], &["--format", "xml"], &["--deny"]] {
        let out = aiocop(args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains("Usage: cargo aiocop"), "{args:?}");
    }
    let out = aiocop(&["--manifest-path", "/nonexistent/Cargo.toml"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cargo metadata failed"),
        "{}",
        stderr(&out)
    );
    let out = aiocop(&["--help"], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("--message-format"));
}

#[test]
fn colours_only_when_asked_or_on_a_terminal() {
    let dir = TempDir::new("color");
    dir.write("a.rs", "async fn f() { let _ = std::fs::read(\"x\"); }\n");
    let plain = stdout(&aiocop(&["a.rs"], dir.path()));
    assert!(!plain.contains('\x1b'), "{plain}");
    let coloured = stdout(&aiocop(&["--color", "always", "a.rs"], dir.path()));
    assert!(
        coloured.contains("\x1b[1;31merror[blocking-call]\x1b[0m"),
        "{coloured}"
    );
}

/// One line of `--message-format json`, read the way rust-analyzer reads a check command's
/// output: a cargo message (tagged by `reason`), or else a rustc diagnostic.
enum CheckLine {
    Cargo(cargo_metadata::Message),
    Rustc(cargo_metadata::diagnostic::Diagnostic),
}

fn check_line(line: &str) -> CheckLine {
    if let Ok(message) = serde_json::from_str::<cargo_metadata::Message>(line)
        && !matches!(message, cargo_metadata::Message::TextLine(_))
    {
        return CheckLine::Cargo(message);
    }
    match serde_json::from_str(line) {
        Ok(diagnostic) => CheckLine::Rustc(diagnostic),
        Err(e) => panic!("neither a cargo message nor a rustc diagnostic ({e}): {line}"),
    }
}

#[test]
fn message_format_json_is_what_rust_analyzer_reads_from_a_check_command() {
    use cargo_metadata::diagnostic::DiagnosticLevel;

    let ws = workspace("", "");
    // A multi-byte character before the call: byte offsets differ from columns.
    ws.write(
        "clean/src/lib.rs",
        "pub async fn clean() { let _é = \"ü\"; std::thread::sleep(D); }\n",
    );
    let out = aiocop(&["--message-format=json"], ws.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "everything is on stdout");
    let lines: Vec<CheckLine> = stdout(&out).lines().map(check_line).collect();
    let Some(CheckLine::Cargo(cargo_metadata::Message::BuildFinished(finished))) = lines.last()
    else {
        panic!("the stream ends with build-finished");
    };
    assert!(!finished.success);
    let diagnostics: Vec<&cargo_metadata::diagnostic::Diagnostic> = lines
        .iter()
        .filter_map(|l| match l {
            CheckLine::Rustc(d) => Some(d),
            CheckLine::Cargo(_) => None,
        })
        .collect();
    assert_eq!(diagnostics.len(), 5, "{}", stdout(&out));

    let sleep = diagnostics
        .iter()
        .find(|d| d.spans[0].file_name == "clean/src/lib.rs")
        .unwrap();
    assert_eq!(sleep.level, DiagnosticLevel::Error);
    assert_eq!(sleep.code.as_ref().unwrap().code, "aiocop::blocking-call");
    let span = &sleep.spans[0];
    assert!(span.is_primary);
    assert_eq!((span.line_start, span.column_start), (1, 38));
    let text = std::fs::read_to_string(ws.path().join("clean/src/lib.rs")).unwrap();
    assert_eq!(
        &text[span.byte_start as usize..span.byte_end as usize],
        "std::thread::sleep(D)"
    );
    assert_eq!(span.text[0].highlight_start, 38);
    assert_eq!(span.label.as_deref(), Some("heavy (weight 50), sleep"));
    let help = sleep
        .children
        .iter()
        .find(|c| c.level == DiagnosticLevel::Help)
        .unwrap();
    assert_eq!(help.message, "use `tokio::time::sleep(dur).await` instead");
    assert!(
        sleep
            .rendered
            .as_deref()
            .unwrap()
            .contains("--> clean/src/lib.rs:1:38")
    );

    // A chain: the callee's blocking call is a related location.
    let chain = diagnostics
        .iter()
        .find(|d| d.code.as_ref().unwrap().code == "aiocop::blocking-chain")
        .unwrap();
    assert_eq!(chain.spans[0].file_name, "app/src/handlers.rs");
    let note = &chain.children[0];
    assert_eq!(note.level, DiagnosticLevel::Note);
    assert_eq!(
        note.message,
        "`config::load_config` calls `std::fs::read` here"
    );
    assert_eq!(note.spans[0].file_name, "app/src/config.rs");
    assert_eq!(note.spans[0].line_start, 3);
}

#[test]
fn a_clean_run_in_message_format_json_finishes_successfully() {
    let dir = TempDir::new("clean-json");
    dir.write("ok.rs", CLEAN_LIB);
    dir.write("broken.rs", "fn (");
    let out = aiocop(
        &["--message-format", "json", "ok.rs", "broken.rs"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines: Vec<CheckLine> = stdout(&out).lines().map(check_line).collect();
    assert_eq!(lines.len(), 2);
    let CheckLine::Rustc(skipped) = &lines[0] else {
        panic!("the unparsable file is a diagnostic");
    };
    assert_eq!(skipped.spans[0].file_name, "broken.rs");
    assert_eq!(skipped.code.as_ref().unwrap().code, "aiocop::file-skipped");
    assert!(matches!(
        &lines[1],
        CheckLine::Cargo(cargo_metadata::Message::BuildFinished(f)) if f.success
    ));
}

#[test]
fn a_baseline_leaves_out_known_findings_and_reports_stale_entries() {
    let ws = workspace("", "");
    for format in ["json", "sarif"] {
        let out = aiocop(&["--format", format], ws.path());
        assert_eq!(out.status.code(), Some(1));
        let baseline = ws.path().join(format!("baseline.{format}"));
        std::fs::write(&baseline, out.stdout).unwrap();
        // Nothing new: the run passes.
        let again = aiocop(&["--baseline", baseline.to_str().unwrap()], ws.path());
        assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
        assert!(
            stderr(&again)
                .contains("4 findings left out by the baseline, 0 stale baseline entries"),
            "{}",
            stderr(&again)
        );
    }
    // Lines move, one old finding is fixed, one new one appears.
    ws.write(
        "app/src/main.rs",
        "// moved down\n\n#[tokio::main]\nasync fn main() {\n    let _ = std::fs::read_to_string(\"main.txt\");\n}\n",
    );
    ws.write(
        "app/src/handlers.rs",
        &format!("// a new first line\n{APP_HANDLERS}"),
    );
    for format in ["json", "sarif"] {
        let baseline = ws.path().join(format!("baseline.{format}"));
        let out = aiocop(
            &["--format", "json", "--baseline", baseline.to_str().unwrap()],
            ws.path(),
        );
        assert_eq!(out.status.code(), Some(1));
        let findings: Vec<Value> = stdout(&out)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(findings.len(), 1, "{}", stdout(&out));
        assert_eq!(findings[0]["event"], "std::fs::read_to_string");
        let err = stderr(&out);
        assert!(
            err.contains("warning: stale baseline entry (nothing matches it any more; remove it): app/src/main.rs: blocking-call `std::fs::read`"),
            "{err}"
        );
        assert!(
            err.contains("3 findings left out by the baseline, 1 stale baseline entry"),
            "{err}"
        );
    }
    let missing = aiocop(&["--baseline", "no-such-file.json"], ws.path());
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read the baseline"));
}

#[test]
fn dependencies_declare_their_blocking_functions_in_their_manifest() {
    let root = TempDir::new("deps");
    root.write(
        "dep/Cargo.toml",
        "[package]\nname = \"dep\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [dependencies]\naiocop = { path = \"../aiocop\" }\n\n\
         [package.metadata.aiocop]\ndeny = \"none\"\noffload = [\"dep::pool::run\"]\n\n\
         [package.metadata.aiocop.blocking]\n\"dep::Client::query\" = \"heavy\"\n\"dep::load\" = { weight = \"moderate\", name = \"dep.load\" }\n",
    );
    root.write(
        "dep/src/lib.rs",
        "pub mod db;\npub struct Client;\nimpl Client { pub fn query(&self) {} }\npub fn load() {}\npub mod pool { pub fn run<F: FnOnce()>(f: F) { f() } }\n",
    );
    // Functions declared blocking in the dependency's source (it depends on aiocop).
    root.write(
        "dep/src/db.rs",
        "use aiocop::blocking;\n#[aiocop::blocking(weight = heavy)]\npub fn select() {}\n#[blocking]\npub fn insert() {}\npub fn pure() {}\n#[aiocop::blocking(weight = light, name = \"db.update\")]\npub fn update() {}\n",
    );
    // A stand-in for aiocop: only its name matters to the linter.
    root.write(
        "aiocop/Cargo.toml",
        "[package]\nname = \"aiocop\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    root.write("aiocop/src/lib.rs", "");
    root.write(
        "ws/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [dependencies]\ndep = { path = \"../dep\" }\n",
    );
    root.write(
        "ws/src/lib.rs",
        "pub async fn handler(c: &dep::Client) {\n    c.query();\n    dep::load();\n    dep::pool::run(|| dep::load());\n    dep::db::select();\n    dep::db::insert();\n    dep::db::pure();\n    dep::db::update();\n}\n",
    );
    let ws = root.0.join("ws");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    // Without a lock file the dependency graph is not resolved (the linter never writes one):
    // nothing is known about `dep`.
    let out = aiocop(&["--format", "json"], &ws);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        !ws.join("Cargo.lock").exists(),
        "the linter wrote a lock file"
    );
    let lock = Command::new(&cargo)
        .args(["generate-lockfile", "--offline"])
        .current_dir(&ws)
        .output()
        .unwrap();
    assert!(
        lock.status.success(),
        "{}",
        String::from_utf8_lossy(&lock.stderr)
    );
    let out = aiocop(&["--format", "json"], &ws);
    // The dependency's `deny = "none"` is its own: the workspace's default denies.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let events: Vec<(u64, String, u64)> = stdout(&out)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v["line"].as_u64().unwrap(),
                v["event"].as_str().unwrap().to_string(),
                v["weight"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            (2, "dep::Client::query".to_string(), 50),
            // The events are the names the dependency gives (its table's `name`, the
            // attribute's `name = ..`), else the paths.
            (3, "dep.load".to_string(), 10),
            (5, "dep::db::select".to_string(), 50),
            (6, "dep::db::insert".to_string(), 10),
            (8, "db.update".to_string(), 1),
        ]
    );
}

#[test]
fn with_deps_a_call_into_a_dependency_that_blocks_is_reported_with_its_chain() {
    let root = TempDir::new("follow-deps");
    root.write(
        "dep/Cargo.toml",
        "[package]\nname = \"dep\"\nversion = \"0.1.0\"\nedition = \"2024\"\n",
    );
    root.write(
        "dep/src/lib.rs",
        "pub mod config;\npub fn pure() -> u32 { 1 }\n\
         pub mod api { pub use crate::config::Config as Settings; pub use crate::config::*; }\n\
         pub mod prelude { pub use super::api::Settings; }\n\
         pub fn run() -> impl std::future::Future<Output = ()> { let _ = std::fs::read(\"x\"); async {} }\n\
         pub struct Client;\nimpl Client {\n    pub fn new() -> Client { Client }\n    \
         pub fn fetch(&self) -> String { std::fs::read_to_string(\"f\").unwrap_or_default() }\n}\n",
    );
    root.write(
        "dep/src/config.rs",
        "pub struct Config;\nimpl Config {\n    pub fn load() -> Config {\n        read_file();\n        Config\n    }\n}\n\
         fn read_file() -> String {\n    std::fs::read_to_string(\"app.toml\").unwrap_or_default()\n}\n",
    );
    root.write(
        "ws/Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [dependencies]\ndep = { path = \"../dep\" }\nmemchr = \"2\"\n",
    );
    root.write(
        "ws/src/lib.rs",
        "pub async fn handler() {\n    let _c = dep::config::Config::load();\n    let _n = dep::pure();\n    let fut = dep::run();\n    fut.await;\n    let _f = dep::Config::load();\n    let client = dep::Client::new();\n    let _ = client.fetch();\n    \
         let _s = dep::api::Settings::load();\n    let _p = dep::prelude::Settings::load();\n    \
         let _g = dep::api::Config::load();\n}\n",
    );
    let ws = root.0.join("ws");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let lock = Command::new(&cargo)
        .args(["generate-lockfile", "--offline"])
        .current_dir(&ws)
        .output()
        .unwrap();
    assert!(
        lock.status.success(),
        "{}",
        String::from_utf8_lossy(&lock.stderr)
    );
    // Without --deps the dependency's source is not read.
    let out = aiocop(&["--format", "json"], &ws);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));

    let out = aiocop(&["--deps", "--format", "json"], &ws);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("2 dependencies read (0 from the cache)"),
        "{}",
        stderr(&out)
    );
    let findings: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The definition path and the short one (`dep::Config::load`, unique in the crate); the
    // future-returning `dep::run` and the pure function are not reported.
    let lines: Vec<u64> = findings
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    // Re-exports in modules (a renaming one, a chain of two, a glob) reach it too.
    assert_eq!(lines, [2, 6, 8, 9, 10, 11], "{}", stdout(&out));
    // A method of a dependency's type, on a value from its constructor.
    assert_eq!(
        findings[2]["chain"],
        serde_json::json!(["handler", "dep::Client::fetch", "std::fs::read_to_string"])
    );
    let f = &findings[0];
    assert_eq!(f["rule"], "blocking-chain");
    assert_eq!(f["event"], "std::fs::read_to_string");
    assert_eq!(
        f["chain"],
        serde_json::json!([
            "handler",
            "dep::config::Config::load",
            "config::read_file",
            "std::fs::read_to_string"
        ])
    );
    assert_eq!(f["related"][0]["file"], "dep/src/config.rs");
    assert_eq!(f["related"][0]["line"].as_u64(), Some(4));
    assert_eq!(f["related"][1]["line"].as_u64(), Some(9));

    // memchr comes from the registry: its summary is cached, the second run reads it.
    let again = aiocop(&["--deps", "--format", "json"], &ws);
    assert!(
        stderr(&again).contains("2 dependencies read (1 from the cache)"),
        "{}",
        stderr(&again)
    );
    assert_eq!(stdout(&again), stdout(&out));
}

#[test]
fn calls_into_the_workspace_members_libraries_are_followed() {
    let root = TempDir::new("members");
    root.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"core\", \"server\"]\nresolver = \"3\"\n",
    );
    root.write(
        "core/Cargo.toml",
        "[package]\nname = \"app-core\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [package.metadata.aiocop]\nallow = [\"crate::allowed\"]\n",
    );
    root.write(
        "core/src/lib.rs",
        "pub mod config;\npub fn pure() -> u32 { 1 }\npub fn allowed() { std::thread::sleep(std::time::Duration::from_millis(1)); }\n",
    );
    root.write(
        "core/src/config.rs",
        "pub fn load() -> String {\n    std::fs::read_to_string(\"app.toml\").unwrap_or_default()\n}\n",
    );
    // The package's own binary calls its library.
    root.write(
        "core/src/main.rs",
        "#[tokio::main]\nasync fn main() {\n    let _ = app_core::config::load();\n    app_core::pure();\n}\n",
    );
    root.write(
        "server/Cargo.toml",
        "[package]\nname = \"server\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [dependencies]\napp-core = { path = \"../core\" }\n",
    );
    root.write(
        "server/src/lib.rs",
        "pub async fn handler() -> usize {\n    app_core::allowed();\n    app_core::config::load().len()\n}\n",
    );
    let out = aiocop(&["--format", "json"], root.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let findings: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seen: Vec<(String, u64, Value)> = findings
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["chain"].clone(),
            )
        })
        .collect();
    // The function the member's own configuration allows stays allowed.
    assert_eq!(
        seen,
        [
            (
                "core/src/main.rs".to_string(),
                3,
                serde_json::json!(["main", "app_core::config::load", "std::fs::read_to_string"])
            ),
            (
                "server/src/lib.rs".to_string(),
                3,
                serde_json::json!([
                    "handler",
                    "app_core::config::load",
                    "std::fs::read_to_string"
                ])
            ),
        ],
        "{}",
        stdout(&out)
    );
    assert_eq!(findings[1]["rule"], "blocking-chain");
    assert_eq!(findings[1]["related"][0]["file"], "core/src/config.rs");
    assert_eq!(findings[1]["related"][0]["line"].as_u64(), Some(2));
    // Linting one member still follows calls into the other.
    let out = aiocop(&["--format", "json", "-p", "server"], root.path());
    assert_eq!(stdout(&out).lines().count(), 1, "{}", stdout(&out));
}

#[test]
fn trivial_operations_are_reported_only_when_asked() {
    let ws = workspace("", "");
    ws.write(
        "clean/src/lib.rs",
        "pub async fn serve(host: &str) {\n    let _l = std::net::TcpListener::bind(host);\n    let _m = std::net::TcpListener::bind(\"127.0.0.1:0\");\n}\n",
    );
    let events = |out: &Output| -> Vec<(u64, String)> {
        stdout(out)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|v| v["file"] == "clean/src/lib.rs")
            .map(|v| {
                (
                    v["line"].as_u64().unwrap(),
                    v["event"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let plain = aiocop(&["--format", "json", "-p", "clean"], ws.path());
    assert_eq!(plain.status.code(), Some(0), "{}", stdout(&plain));
    assert!(events(&plain).is_empty());
    // Asked for: the bind on a host name; never the one on a literal address.
    for args in [
        &["--format", "json", "-p", "clean", "--report-trivial"][..],
        &["--format", "json", "--report-trivial", "clean/src/lib.rs"],
    ] {
        let out = aiocop(args, ws.path());
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(
            events(&out),
            [(2, "std::net::TcpListener::bind".to_string())],
            "{args:?}"
        );
    }
    let configured = workspace("", "[workspace.metadata.aiocop]\nreport_trivial = true\n");
    configured.write(
        "clean/src/lib.rs",
        "pub async fn serve(host: &str) {\n    let _l = std::net::TcpListener::bind(host);\n}\n",
    );
    let out = aiocop(&["--format", "json", "-p", "clean"], configured.path());
    assert_eq!(
        events(&out),
        [(2, "std::net::TcpListener::bind".to_string())]
    );
}
