//! The command line of `cargo aiocop`: arguments, the run, the output, the exit status
//! (0: nothing reaches the deny level, 1: something does, 2: usage, configuration or I/O error).

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::analyzer::{Config, DenyLevel, LintError, Linter, Report};
use crate::baseline::Baseline;
use crate::output::{self, Format, RenderOptions};
use crate::workspace::Workspace;

/// Exit status: nothing reaches the deny level.
pub const EXIT_OK: i32 = 0;
/// Exit status: at least one finding reaches the deny level.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit status: bad usage, a malformed configuration, or an I/O error.
pub const EXIT_ERROR: i32 = 2;

const USAGE: &str = "\
Finds blocking calls in async Rust code.

Usage: cargo aiocop [OPTIONS] [PATH]...

Lints the cargo package or workspace in the current directory (or --manifest-path), every target
of every member; or, given PATHs, those files and directories.

Options:
      --manifest-path <PATH>  Cargo.toml of the package or workspace to lint
  -p, --package <NAME>        Lint only this workspace member (repeatable)
      --message-format <FMT>  human (default), or json: rustc's JSON diagnostics as cargo check
                              prints them (for rust-analyzer's check command)
      --format <FMT>          human, json (one object per finding, the linter's own fields)
                              or sarif (SARIF 2.1.0)
      --report-trivial        Also report operations of weight 0 (binds, current_dir) and calls
                              that never wait (UdpSocket::connect), as `report_trivial = true`
      --deps                  Also read the dependencies' sources (cargo mode): a call to a
                              dependency's function that blocks is reported with its chain
      --baseline <FILE>       Leave out the findings FILE lists (an earlier run's --format json
                              or --format sarif output) and report its stale entries
      --deny <LEVEL>          Fail (exit 1) on findings of at least this level: any (default),
                              light, moderate, heavy, none, or a weight
      --color <WHEN>          auto (default: only on a terminal), always, never
  -q, --quiet                 No summary line
  -h, --help                  Print this help
  -V, --version               Print the version

Exit status: 0 when nothing reaches the deny level, 1 when something does, 2 on usage,
configuration or I/O errors. Files that cannot be parsed are reported and skipped.
";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug)]
struct Args {
    manifest_path: Option<PathBuf>,
    packages: Vec<String>,
    format: Format,
    deny: Option<DenyLevel>,
    color: Color,
    quiet: bool,
    baseline: Option<PathBuf>,
    deps: bool,
    report_trivial: bool,
    paths: Vec<PathBuf>,
}

enum Parsed {
    Run(Args),
    Help,
    Version,
}

fn parse_args(args: Vec<OsString>) -> Result<Parsed, String> {
    let mut parsed = Args {
        manifest_path: None,
        packages: Vec::new(),
        format: Format::Human,
        deny: None,
        color: Color::Auto,
        quiet: false,
        baseline: None,
        deps: false,
        report_trivial: false,
        paths: Vec::new(),
    };
    let mut iter = args.into_iter().peekable();
    // Run as `cargo aiocop ...`, cargo passes the subcommand's name first.
    if iter.peek().is_some_and(|a| a == "aiocop") {
        iter.next();
    }
    let mut only_paths = false;
    while let Some(arg) = iter.next() {
        let Some(text) = arg.to_str().map(str::to_string) else {
            parsed.paths.push(PathBuf::from(arg));
            continue;
        };
        if only_paths || !text.starts_with('-') || text == "-" {
            parsed.paths.push(PathBuf::from(arg));
            continue;
        }
        let (flag, inline) = match text.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (text.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => iter
                    .next()
                    .and_then(|v| v.into_string().ok())
                    .ok_or_else(|| format!("`{name}` needs a value")),
            }
        };
        match flag.as_str() {
            "--" => only_paths = true,
            "-h" | "--help" => return Ok(Parsed::Help),
            "-V" | "--version" => return Ok(Parsed::Version),
            "-q" | "--quiet" => parsed.quiet = true,
            "--manifest-path" => parsed.manifest_path = Some(PathBuf::from(value(&flag)?)),
            "-p" | "--package" => parsed.packages.push(value(&flag)?),
            "--baseline" => parsed.baseline = Some(PathBuf::from(value(&flag)?)),
            "--deps" => parsed.deps = true,
            "--report-trivial" => parsed.report_trivial = true,
            "--message-format" => {
                parsed.format = match value(&flag)?.as_str() {
                    "human" | "short" => Format::Human,
                    // cargo's spellings: the diagnostics' rendering options change nothing here.
                    "json"
                    | "json-diagnostic-short"
                    | "json-diagnostic-rendered-ansi"
                    | "json-render-diagnostics" => Format::Diagnostics,
                    other => {
                        return Err(format!(
                            "`--message-format` must be `human` or `json`, not `{other}`"
                        ));
                    }
                }
            }
            "--format" => {
                parsed.format = match value(&flag)?.as_str() {
                    "human" => Format::Human,
                    "json" => Format::Json,
                    "sarif" => Format::Sarif,
                    other => {
                        return Err(format!(
                            "`--format` must be `human`, `json` or `sarif`, not `{other}`"
                        ));
                    }
                }
            }
            "--deny" => {
                parsed.deny = Some(
                    value(&flag)?
                        .parse()
                        .map_err(|e| format!("`--deny`: {e}"))?,
                )
            }
            "--color" => {
                parsed.color = match value(&flag)?.as_str() {
                    "auto" => Color::Auto,
                    "always" => Color::Always,
                    "never" => Color::Never,
                    other => {
                        return Err(format!(
                            "`--color` must be `auto`, `always` or `never`, not `{other}`"
                        ));
                    }
                }
            }
            _ => return Err(format!("unknown option `{text}`")),
        }
    }
    if !parsed.packages.is_empty() && !parsed.paths.is_empty() {
        return Err("`--package` selects workspace members; it cannot be used with paths".into());
    }
    Ok(Parsed::Run(parsed))
}

/// Runs `cargo aiocop` with the process's arguments, printing to stdout and stderr; returns
/// the exit status.
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> i32 {
    let terminal = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr().lock();
    run(args, &mut stdout, &mut stderr, terminal)
}

/// Runs `cargo aiocop` with `args` (without the program name), writing the report to `out`
/// and errors to `err`; `terminal` says whether `--color auto` means colours. Returns the exit
/// status.
pub fn run(
    args: impl IntoIterator<Item = OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    terminal: bool,
) -> i32 {
    let args = match parse_args(args.into_iter().collect()) {
        Ok(Parsed::Run(args)) => args,
        Ok(Parsed::Help) => {
            let _ = out.write_all(USAGE.as_bytes());
            return EXIT_OK;
        }
        Ok(Parsed::Version) => {
            let _ = writeln!(out, "cargo-aiocop {}", env!("CARGO_PKG_VERSION"));
            return EXIT_OK;
        }
        Err(message) => {
            let _ = writeln!(err, "error: {message}\n\n{USAGE}");
            return EXIT_ERROR;
        }
    };
    let baseline = match args.baseline.as_deref().map(Baseline::read).transpose() {
        Ok(baseline) => baseline,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_ERROR;
        }
    };
    let (mut report, deny, base) = match lint(&args, err) {
        Ok(done) => done,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_ERROR;
        }
    };
    if let Some(baseline) = &baseline {
        let outcome = baseline.apply(&mut report);
        for stale in &outcome.stale {
            let _ = writeln!(
                err,
                "warning: stale baseline entry (nothing matches it any more; remove it): {}: {} `{}`: {}",
                stale.file,
                stale.rule,
                stale.event.as_deref().unwrap_or(""),
                stale.text
            );
        }
        if !args.quiet {
            let _ = writeln!(
                err,
                "aiocop: {} finding{} left out by the baseline, {} stale baseline entr{}",
                outcome.known,
                if outcome.known == 1 { "" } else { "s" },
                outcome.stale.len(),
                if outcome.stale.len() == 1 { "y" } else { "ies" }
            );
        }
    }
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => terminal,
    };
    let options = RenderOptions {
        color,
        deny,
        base: base.as_deref(),
    };
    let mut text = output::render(&report, args.format, &options);
    if args.quiet && args.format == Format::Human {
        // The summary is the last line.
        let trimmed = text.trim_end_matches('\n');
        let cut = trimmed.rfind('\n').map(|i| i + 1).unwrap_or(0);
        text.truncate(cut);
    }
    if !matches!(args.format, Format::Human | Format::Diagnostics) {
        for error in &report.file_errors {
            let _ = writeln!(
                err,
                "warning: {}:{}:{}: {} (file skipped)",
                error.file, error.line, error.column, error.message
            );
        }
    }
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        let _ = writeln!(err, "error: cannot write the report: {e}");
        return EXIT_ERROR;
    }
    if report.denied() > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

fn lint(
    args: &Args,
    err: &mut dyn Write,
) -> Result<(Report, DenyLevel, Option<PathBuf>), LintError> {
    if args.paths.is_empty() {
        let workspace = Workspace::load(args.manifest_path.as_deref())?;
        let dependencies = if args.deps {
            let started = std::time::Instant::now();
            let (summaries, stats) = workspace.summarize_dependencies();
            if !args.quiet {
                let _ = writeln!(
                    err,
                    "aiocop: {} dependencies read ({} from the cache), {} of their functions block; {:.2} s",
                    stats.libraries,
                    stats.from_cache,
                    stats.functions,
                    started.elapsed().as_secs_f64()
                );
            }
            summaries
        } else {
            Vec::new()
        };
        let report_trivial = args.report_trivial.then_some(true);
        let report = workspace.lint(&args.packages, args.deny, &dependencies, report_trivial)?;
        let deny = args
            .deny
            .unwrap_or_else(|| workspace.deny_level(&args.packages));
        return Ok((report, deny, Some(workspace.root.clone())));
    }
    // Paths: the configuration comes from --manifest-path when given.
    let mut config = match &args.manifest_path {
        Some(manifest) => Workspace::load(Some(manifest))?.config_for(manifest)?,
        None => Config::default(),
    };
    if args.report_trivial {
        config.report_trivial = Some(true);
    }
    let mut linter = Linter::new(config);
    if let Some(deny) = args.deny {
        linter = linter.with_deny(deny);
    }
    let report = linter.lint_paths(&args.paths)?;
    Ok((report, linter.deny(), std::env::current_dir().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, String> {
        match parse_args(args.iter().map(OsString::from).collect())? {
            Parsed::Run(a) => Ok(a),
            _ => Err("not a run".into()),
        }
    }

    #[test]
    fn parses_options_in_both_spellings() {
        let a = parse(&[
            "aiocop",
            "--format=sarif",
            "--deny",
            "heavy",
            "-p",
            "x",
            "--color",
            "never",
        ])
        .unwrap();
        assert_eq!(a.format, Format::Sarif);
        assert_eq!(a.deny, Some(DenyLevel::Weight(50)));
        assert_eq!(a.packages, ["x"]);
        assert_eq!(a.color, Color::Never);
        let b = parse(&["--message-format", "json", "src", "--", "--odd-file.rs"]).unwrap();
        assert_eq!(b.format, Format::Diagnostics);
        assert_eq!(
            b.paths,
            [PathBuf::from("src"), PathBuf::from("--odd-file.rs")]
        );
    }

    #[test]
    fn rejects_bad_usage() {
        for bad in [
            &["--frobnicate"][..],
            &["--deny", "sometimes"],
            &["--format", "xml"],
            &["--manifest-path"],
            &["-p", "x", "src/"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
