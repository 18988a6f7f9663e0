//! Corpus: CLI commands and library code as people write it: `?` everywhere with custom error
//! enums and `From` impls, lifetimes in and out, closures and iterators calling std blocking
//! functions, `match` / `if let` chains, std macros with blocking calls inside, names that shadow
//! std's, tokio look-alikes, and user types with methods named like std's blocking ones.

#![deny(warnings)]

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use aiocop_ui_tests::recorded;

#[derive(Debug)]
enum CliError {
    Io(io::Error),
    Parse { line: usize, reason: String },
    Usage(&'static str),
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Io(e) => write!(f, "i/o error: {e}"),
            CliError::Parse { line, reason } => write!(f, "line {line}: {reason}"),
            CliError::Usage(u) => write!(f, "usage: {u}"),
        }
    }
}

impl std::error::Error for CliError {}

impl From<io::Error> for CliError {
    fn from(e: io::Error) -> Self {
        CliError::Io(e)
    }
}

impl From<std::num::ParseIntError> for CliError {
    fn from(e: std::num::ParseIntError) -> Self {
        CliError::Parse {
            line: 0,
            reason: e.to_string(),
        }
    }
}

type Result<T, E = CliError> = std::result::Result<T, E>;

#[aiocop::monitor]
async fn cmd_count_lines(files: &[PathBuf]) -> Result<BTreeMap<String, usize>> {
    let mut counts = BTreeMap::new();
    for file in files {
        let text = fs::read_to_string(file)?;
        let name = file.file_name().ok_or(CliError::Usage("a file"))?;
        counts.insert(name.to_string_lossy().into_owned(), text.lines().count());
    }
    Ok(counts)
}

#[aiocop::monitor]
async fn cmd_parse_config(path: &Path) -> Result<BTreeMap<String, i64>> {
    let text = fs::read_to_string(path)?;
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once('=').ok_or_else(|| CliError::Parse {
            line: i + 1,
            reason: "expected key=value".into(),
        })?;
        let value: i64 =
            value
                .trim()
                .parse()
                .map_err(|e: std::num::ParseIntError| CliError::Parse {
                    line: i + 1,
                    reason: e.to_string(),
                })?;
        out.insert(key.trim().to_owned(), value);
    }
    Ok(out)
}

#[aiocop::monitor]
async fn cmd_sum(args: &[&str]) -> Result<i64> {
    let mut total = 0i64;
    for a in args {
        total += a.parse::<i64>()?;
    }
    Ok(total)
}

#[aiocop::monitor]
async fn cmd_echo(args: &[&str]) -> Result<String> {
    let out = Command::new("echo").args(args).output()?;
    if !out.status.success() {
        return Err(CliError::Usage("echo failed"));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_owned())
}

#[aiocop::monitor]
async fn cmd_largest(dir: &Path) -> Result<Option<(String, u64)>> {
    let largest = fs::read_dir(dir)?
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let meta = fs::metadata(entry.path()).ok()?;
            meta.is_file()
                .then(|| (entry.file_name().to_string_lossy().into_owned(), meta.len()))
        })
        .max_by_key(|(_, len)| *len);
    Ok(largest)
}

#[aiocop::monitor]
async fn first_word<'a>(text: &'a str) -> &'a str {
    text.split_whitespace().next().unwrap_or("")
}

#[aiocop::monitor]
async fn pick<'a, 'b>(
    config: &'a BTreeMap<String, i64>,
    fallback: &'b str,
) -> std::borrow::Cow<'a, str>
where
    'b: 'a,
{
    match config.get("mode") {
        Some(1) => "fast".into(),
        Some(n) if *n > 1 => format!("level-{n}").into(),
        Some(_) | None => fallback.into(),
    }
}

#[aiocop::monitor]
async fn classify(path: &Path) -> &'static str {
    if let Ok(meta) = fs::symlink_metadata(path)
        && meta.file_type().is_symlink()
    {
        "symlink"
    } else if path.is_dir() {
        "dir"
    } else if let Some(ext) = path.extension() {
        if ext == "rs" { "rust" } else { "file" }
    } else {
        "unknown"
    }
}

#[aiocop::monitor]
async fn report(path: &Path) -> String {
    let mut out = String::new();
    use std::fmt::Write as _;
    writeln!(
        out,
        "size: {}",
        fs::metadata(path).map(|m| m.len()).unwrap_or(0)
    )
    .unwrap();
    let mut lines = vec![fs::read_to_string(path).unwrap_or_default().len()];
    lines.push(1);
    assert!(!lines.is_empty(), "read {}", fs::read(path).unwrap().len());
    println!("{}", format_args!("report for {}", path.display()));
    out.push_str(&format!("len: {}", lines[0]));
    out
}

mod sleep {
    pub(super) fn sleep(ms: u64) -> u64 {
        ms
    }
}

#[aiocop::monitor]
async fn shadows(path: &Path) -> u64 {
    let read = |n: u64| n * 10;
    let metadata = read(1);
    let waited = sleep::sleep(5);
    let exists = path.to_str().map(str::len).unwrap_or(0) as u64;
    metadata + waited + exists
}

#[aiocop::monitor]
async fn tokio_look_alikes(path: &Path) -> io::Result<usize> {
    tokio::time::sleep(Duration::from_millis(1)).await;
    let fut = tokio::fs::read(path);
    let bytes = fut.await?;
    let mut file = tokio::fs::File::open(path).await?;
    let mut text = String::new();
    tokio::io::AsyncReadExt::read_to_string(&mut file, &mut text).await?;
    Ok(bytes.len() + text.len())
}

struct Inbox(Vec<&'static str>);
struct Worker(u32);
struct Doc(String);
struct Registry(Vec<String>);

impl Inbox {
    fn recv(&mut self) -> Option<&'static str> {
        self.0.pop()
    }
}

impl Worker {
    fn join(self) -> u32 {
        self.0 * 2
    }

    fn wait(&mut self, extra: u32) -> u32 {
        self.0 += extra;
        self.0
    }
}

impl Doc {
    fn read(&self) -> &str {
        &self.0
    }
}

impl Registry {
    fn exists(&self, name: &str) -> bool {
        self.0.iter().any(|n| n == name)
    }
}

#[aiocop::monitor]
async fn user_types(
    mut inbox: Inbox,
    registry: &Registry,
    doc: &Doc,
) -> (Vec<&'static str>, u32, u32, bool, usize) {
    let mut got = Vec::new();
    while let Some(msg) = inbox.recv() {
        got.push(msg);
    }
    let mut worker = Worker(1);
    let waited = worker.wait(2);
    let joined = Worker(waited).join();
    (got, waited, joined, registry.exists("a"), doc.read().len())
}

#[aiocop::monitor]
async fn drain_stdin_like(mut source: impl Read) -> io::Result<String> {
    let mut text = String::new();
    source.read_to_string(&mut text)?;
    Ok(text)
}

#[aiocop::monitor]
async fn main_like(args: Vec<String>) -> std::result::Result<String, Box<dyn std::error::Error>> {
    let (cmd, rest) = args.split_first().ok_or(CliError::Usage("cmd args..."))?;
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let out = match cmd.as_str() {
        "sum" => cmd_sum(&rest).await?.to_string(),
        "echo" => cmd_echo(&rest).await?,
        "first" => first_word(rest.first().copied().unwrap_or_default())
            .await
            .to_owned(),
        other => return Err(format!("unknown command {other}").into()),
    };
    Ok(out)
}

pub(crate) fn main() {
    let dir = std::env::temp_dir().join(format!("aiocop-ui-cli-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("app.conf");
    fs::write(&conf, "# conf\nmode = 3\nworkers=4\n").unwrap();
    fs::write(dir.join("big.rs"), "fn main() {}\n// more\n").unwrap();
    let bad = dir.join("bad.conf");
    fs::write(&bad, "mode: 3\n").unwrap();

    let (_, ops) = recorded(async {
        let counts = cmd_count_lines(&[conf.clone(), dir.join("big.rs")])
            .await
            .unwrap();
        assert_eq!(counts["app.conf"], 3);
        assert!(matches!(
            cmd_count_lines(&[dir.join("none")]).await,
            Err(CliError::Io(_))
        ));
        let config = cmd_parse_config(&conf).await.unwrap();
        assert_eq!(config["workers"], 4);
        let err = cmd_parse_config(&bad).await.unwrap_err();
        assert_eq!(err.to_string(), "line 1: expected key=value");
        assert_eq!(cmd_sum(&["1", "2", "-4"]).await.unwrap(), -1);
        assert!(cmd_sum(&["x"]).await.is_err());
        assert_eq!(cmd_echo(&["hi", "there"]).await.unwrap(), "hi there");
        let largest = cmd_largest(&dir).await.unwrap().unwrap();
        assert_eq!(largest.0, "app.conf");
        assert_eq!(first_word("  alpha beta").await, "alpha");
        assert_eq!(pick(&config, "slow").await, "level-3");
        assert_eq!(pick(&BTreeMap::new(), "slow").await, "slow");
        assert_eq!(classify(&dir).await, "dir");
        assert_eq!(classify(&dir.join("big.rs")).await, "rust");
        assert!(report(&conf).await.starts_with("size: 26\nlen: 26"));
        assert_eq!(shadows(Path::new("abc")).await, 18);
        assert_eq!(tokio_look_alikes(&conf).await.unwrap(), 52);
        let registry = Registry(vec!["a".into()]);
        let doc = Doc("text".into());
        assert_eq!(
            user_types(Inbox(vec!["x", "y"]), &registry, &doc).await,
            (vec!["y", "x"], 3, 6, true, 4)
        );
        assert_eq!(drain_stdin_like(&b"piped"[..]).await.unwrap(), "piped");
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(main_like(args(&["sum", "2", "3"])).await.unwrap(), "5");
        assert_eq!(main_like(args(&["first", "x y"])).await.unwrap(), "x");
        assert!(main_like(args(&["nope"])).await.is_err());
    });
    let ops: Vec<&str> = ops.iter().map(String::as_str).collect();
    assert_eq!(
        ops,
        [
            "cmd_count_lines: std::fs::read_to_string",
            "cmd_count_lines: std::fs::read_to_string",
            "cmd_count_lines: std::fs::read_to_string",
            "cmd_parse_config: std::fs::read_to_string",
            "cmd_parse_config: std::fs::read_to_string",
            "cmd_echo: std::process::Command::output",
            "cmd_largest: std::fs::read_dir",
            "cmd_largest: std::fs::metadata",
            "cmd_largest: std::fs::metadata",
            "cmd_largest: std::fs::metadata",
            "classify: std::fs::symlink_metadata",
            "classify: std::path::Path::is_dir",
            "classify: std::fs::symlink_metadata",
            "classify: std::path::Path::is_dir",
            "report: std::fs::metadata",
            "report: std::fs::read_to_string",
        ]
    );
    fs::remove_dir_all(&dir).unwrap();
}
