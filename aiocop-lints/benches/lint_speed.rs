//! How long `cargo aiocop` takes on a 50,000-line workspace (budget: under 2 s on the 2-core
//! reference machine). Run with `cargo bench -p aiocop-lints --bench lint_speed`.
//!
//! A generator writes a synthetic workspace of realistic async/sync code (handlers, sync
//! helpers, impls with fields, closures, `spawn_blocking`, imports of every style, tokio and std
//! calls mixed) into a temporary directory; the release `cargo-aiocop` binary is then run on it
//! several times, side by side with `cargo metadata` alone (the floor every cargo subcommand
//! pays) and with parsing the same files with syn alone.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const CRATES: usize = 4;
const FILES_PER_CRATE: usize = 25;
const UNITS_PER_FILE: usize = 23;
const RUNS: usize = 7;

/// One unit of code (about 25 lines); `k` varies names and the shape.
fn unit(out: &mut String, m: usize, k: usize) {
    let id = format!("{m}_{k}");
    match k % 5 {
        0 => {
            let _ = write!(
                out,
                r#"
/// Loads the settings of part {id}.
pub fn load_settings_{id}(root: &Path) -> Settings {{
    let path = root.join("settings_{id}.toml");
    let text = fs::read_to_string(&path).unwrap_or_default();
    let mut values = HashMap::new();
    for line in text.lines() {{
        if let Some((key, value)) = line.split_once('=') {{
            values.insert(key.trim().to_string(), value.trim().to_string());
        }}
    }}
    Settings {{ values }}
}}

/// Serves part {id}.
pub async fn handle_{id}(state: Arc<State>, request: Request) -> Response {{
    let settings = load_settings_{id}(&state.root);
    let body = match request.path.as_str() {{
        "/" => format!("index {{}}", settings.values.len()),
        other => format!("not found: {{other}}"),
    }};
    tokio::time::sleep(Duration::from_millis(1)).await;
    Response {{ status: 200, body }}
}}
"#
            );
        }
        1 => {
            let _ = write!(
                out,
                r#"
pub struct Store{id} {{
    file: File,
    name: String,
    hits: u64,
}}

impl Store{id} {{
    pub fn open(path: &Path) -> std::io::Result<Self> {{
        let file = File::open(path)?;
        Ok(Store{id} {{ file, name: path.display().to_string(), hits: 0 }})
    }}

    pub async fn read_all(&mut self) -> std::io::Result<Vec<u8>> {{
        let mut buf = Vec::with_capacity(4096);
        self.file.read_to_end(&mut buf)?;
        self.hits += 1;
        Ok(buf)
    }}

    pub fn name(&self) -> &str {{
        &self.name
    }}
}}
"#
            );
        }
        2 => {
            let _ = write!(
                out,
                r#"
/// Offloads the heavy work of part {id} correctly.
pub async fn checksum_{id}(path: PathBuf) -> u64 {{
    let data = tokio::task::spawn_blocking(move || std::fs::read(&path))
        .await
        .ok()
        .and_then(Result::ok)
        .unwrap_or_default();
    let mut sum = 0u64;
    for (i, byte) in data.iter().enumerate() {{
        sum = sum.wrapping_add(u64::from(*byte) * (i as u64 + 1));
    }}
    let words: Vec<String> = data
        .split(|b| *b == b' ')
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .filter(|w| !w.is_empty())
        .collect();
    sum + words.len() as u64
}}
"#
            );
        }
        3 => {
            let _ = write!(
                out,
                r#"
fn helper_{id}(values: &[u32]) -> u32 {{
    values.iter().copied().filter(|v| v % 2 == 0).sum()
}}

fn slow_helper_{id}() {{
    thread::sleep(Duration::from_millis(2));
}}

pub async fn compute_{id}(values: Vec<u32>) -> u32 {{
    let total = helper_{id}(&values);
    if total > 1_000 {{
        slow_helper_{id}();
    }}
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {{
        let _ = tx.send(total).await;
    }});
    rx.recv().await.unwrap_or(total)
}}
"#
            );
        }
        _ => {
            let _ = write!(
                out,
                r#"
pub async fn exists_{id}(root: &Path, names: &[&str]) -> usize {{
    let mut found = 0;
    for name in names {{
        let candidate = root.join(name);
        if candidate.exists() {{
            found += 1;
        }}
        let meta = tokio::fs::metadata(&candidate).await;
        if meta.map(|m| m.is_file()).unwrap_or(false) {{
            found += 1;
        }}
    }}
    println!("found {{found}} of {{}}", names.len());
    found
}}

pub fn sync_report_{id}(root: &Path) -> std::io::Result<()> {{
    let mut out = File::create(root.join("report_{id}.txt"))?;
    out.write_all(b"report")?;
    Ok(())
}}
"#
            );
        }
    }
}

const HEADER: &str = r#"//! Generated module.
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::{Request, Response, Settings, State};
"#;

const LIB_TYPES: &str = r#"
pub struct Request {
    pub path: String,
}

pub struct Response {
    pub status: u16,
    pub body: String,
}

pub struct Settings {
    pub values: std::collections::HashMap<String, String>,
}

pub struct State {
    pub root: std::path::PathBuf,
}
"#;

/// Writes the workspace; returns its root and the number of lines written.
fn generate(root: &Path) -> usize {
    let mut lines = 0;
    let members: Vec<String> = (0..CRATES).map(|c| format!("\"crate{c}\"")).collect();
    let manifest = format!(
        "[workspace]\nmembers = [{}]\nresolver = \"3\"\n",
        members.join(", ")
    );
    std::fs::write(root.join("Cargo.toml"), manifest).unwrap();
    for c in 0..CRATES {
        let dir = root.join(format!("crate{c}"));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            format!("[package]\nname = \"crate{c}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n"),
        )
        .unwrap();
        let mut lib = String::from("//! Generated crate.\n");
        for m in 0..FILES_PER_CRATE {
            let _ = writeln!(lib, "pub mod module{m};");
            let mut text = String::from(HEADER);
            for k in 0..UNITS_PER_FILE {
                unit(&mut text, m, k);
            }
            lines += text.lines().count();
            std::fs::write(dir.join(format!("src/module{m}.rs")), text).unwrap();
        }
        lib.push_str(LIB_TYPES);
        lines += lib.lines().count();
        std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
    }
    lines
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn time_runs(mut run: impl FnMut()) -> (Duration, Duration) {
    run();
    let times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed()
        })
        .collect();
    let min = *times.iter().min().unwrap();
    (min, median(times))
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    let root = std::env::temp_dir().join(format!("aiocop-lint-speed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    let lines = generate(&root);
    let manifest = root.join("Cargo.toml");
    let bin = env!("CARGO_BIN_EXE_cargo-aiocop");

    let mut findings = 0;
    let (lint_min, lint_median) = time_runs(|| {
        let out = Command::new(bin)
            .args(["aiocop", "--format", "json", "--manifest-path"])
            .arg(&manifest)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        findings = out.stdout.iter().filter(|b| **b == b'\n').count();
    });
    let (meta_min, meta_median) = time_runs(|| {
        let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--manifest-path",
            ])
            .arg(&manifest)
            .output()
            .unwrap();
        assert!(out.status.success());
    });
    let mut files = Vec::new();
    rs_files(&root, &mut files);
    let texts: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let (parse_min, parse_median) = time_runs(|| {
        for text in &texts {
            syn::parse_file(text).unwrap();
        }
    });
    let _ = std::fs::remove_dir_all(&root);

    // Adversarial shapes (budget: each under 1 s, linear in their size).
    let shapes = root.with_extension("shapes");
    let _ = std::fs::remove_dir_all(&shapes);
    std::fs::create_dir_all(&shapes).unwrap();
    let chained = shapes.join("chained.rs");
    std::fs::write(
        &chained,
        format!(
            "async fn chained(f: std::fs::File) {{ let _ = f{}.read_to_string(&mut s); }}\n",
            ".by_ref()".repeat(20_000)
        ),
    )
    .unwrap();
    let deep = shapes.join("deep_chain.rs");
    let mut text = String::from("async fn handler() { f0(); }\n");
    for i in 0..10_000 {
        let _ = writeln!(text, "fn f{i}() {{ f{}(); }}", i + 1);
    }
    text.push_str("fn f10000() { std::thread::sleep(D); }\n");
    std::fs::write(&deep, text).unwrap();
    let mut shape_times = Vec::new();
    for (name, file) in [
        ("20,000 chained method calls", &chained),
        ("10,000-deep same-crate chain", &deep),
    ] {
        let (min, median) = time_runs(|| {
            let out = Command::new(bin)
                .args(["aiocop", "--format", "json"])
                .arg(file)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1));
        });
        shape_times.push((name, min, median));
    }
    let _ = std::fs::remove_dir_all(&shapes);

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("cargo aiocop: linting speed");
    println!(
        "workspace: {CRATES} crates, {} files, {lines} lines; {findings} findings",
        files.len()
    );
    println!("runs: {RUNS} (after one warm-up), wall time min / median");
    println!(
        "cargo aiocop (whole run)     {:8.1} ms / {:8.1} ms  ({:.0} lines/s, {:.3} of the 2 s budget)",
        ms(lint_min),
        ms(lint_median),
        lines as f64 / lint_median.as_secs_f64(),
        lint_median.as_secs_f64() / 2.0
    );
    println!(
        "cargo metadata alone         {:8.1} ms / {:8.1} ms  ({:.2} of the run)",
        ms(meta_min),
        ms(meta_median),
        meta_median.as_secs_f64() / lint_median.as_secs_f64()
    );
    println!(
        "syn parsing alone (in proc.) {:8.1} ms / {:8.1} ms  ({:.2} of the run)",
        ms(parse_min),
        ms(parse_median),
        parse_median.as_secs_f64() / lint_median.as_secs_f64()
    );
    for (name, min, median) in shape_times {
        println!(
            "{name:<29}{:8.1} ms / {:8.1} ms  ({:.3} of the 1 s budget)",
            ms(min),
            ms(median),
            median.as_secs_f64()
        );
    }
}
