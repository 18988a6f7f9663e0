//! The static analyzer behind `cargo aiocop`: finds blocking calls in async code.
//!
//! Each crate (a cargo target, or a root file given on the command line, with every module file
//! reachable from it) is parsed once, indexed (modules, imports, functions, methods, fields),
//! then every function body is walked. A call in an async body (`async fn`, `async` block,
//! async closure) is reported when it resolves to a catalog operation, or to a same-crate sync
//! function that blocks, directly or through other same-crate functions (reported with the
//! chain). Closures handed to `spawn_blocking`, `block_in_place` or a thread are not async code.
//!
//! ```
//! use aiocop_lints::analyzer::{Config, Linter};
//!
//! let linter = Linter::new(Config::default());
//! let report = linter.lint_source(
//!     "src/lib.rs",
//!     r#"
//!     use std::fs as f;
//!     async fn handler(p: &str) -> Vec<u8> { f::read(p).unwrap() }
//!     "#,
//! );
//! assert_eq!(report.findings.len(), 1);
//! assert_eq!(report.findings[0].event.as_deref(), Some("std::fs::read"));
//! assert_eq!(report.findings[0].at.line, 3);
//! ```

mod callgraph;
mod cond;
mod config;
mod declared;
mod deps;
mod guard;
mod index;
mod infer;
mod items;
mod ops;
mod resolve;
mod scope;
mod source;
pub(crate) mod summary;
mod suppress;
mod types;
mod walk;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

pub use config::{Config, ConfigError, DenyLevel, ExtraBlocking, weight_name};
pub use source::FileError;
pub use summary::DepSummary;

use callgraph::Terminal;
use index::CrateIndex;
use ops::OpTable;
use source::{CrateSources, SourceCache, module_declarations};
use walk::CrateWalk;

/// Where something is in a source file: 1-based lines and columns (columns count characters),
/// the end exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file, as shown in diagnostics (relative to the workspace root in cargo mode).
    pub file: String,
    /// First line.
    pub line: usize,
    /// First column.
    pub column: usize,
    /// Last line.
    pub end_line: usize,
    /// The column after the last character.
    pub end_column: usize,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// A blocking operation called directly in async code.
    BlockingCall,
    /// A same-crate sync function that blocks, called from async code.
    BlockingChain,
    /// An `allow_blocking` attribute or `// aiocop: allow` comment without a reason.
    AllowWithoutReason,
    /// An `allow_blocking` attribute or `// aiocop: allow` comment that suppresses nothing
    /// (a warning: it never fails the run).
    UnusedSuppression,
}

impl Rule {
    /// Every rule, in the order SARIF lists them.
    pub const ALL: [Rule; 4] = [
        Rule::BlockingCall,
        Rule::BlockingChain,
        Rule::AllowWithoutReason,
        Rule::UnusedSuppression,
    ];

    /// The rule's stable id: `blocking-call`, `blocking-chain`, `allow-without-reason`.
    pub const fn id(self) -> &'static str {
        match self {
            Rule::BlockingCall => "blocking-call",
            Rule::BlockingChain => "blocking-chain",
            Rule::AllowWithoutReason => "allow-without-reason",
            Rule::UnusedSuppression => "unused-suppression",
        }
    }

    /// A one-line description of the rule.
    pub const fn description(self) -> &'static str {
        match self {
            Rule::BlockingCall => {
                "A blocking call in async code stalls the runtime worker and every task queued behind it."
            }
            Rule::BlockingChain => {
                "A call from async code to a sync function of the same crate that blocks, directly or through other functions."
            }
            Rule::AllowWithoutReason => {
                "A suppression (`#[aiocop::allow_blocking]` or `// aiocop: allow(..)`) must say why blocking is acceptable."
            }
            Rule::UnusedSuppression => {
                "A suppression that no longer suppresses anything (the blocking call it covered is gone or now async) should be removed."
            }
        }
    }
}

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What kind of problem.
    pub rule: Rule,
    /// Where: the call (or the suppression without a reason).
    pub at: Location,
    /// The text of the finding's first line.
    pub source_line: String,
    /// One-line description.
    pub message: String,
    /// The blocking operation's event name (`std::fs::read`); for a chain, the operation at its end.
    pub event: Option<String>,
    /// The operation's weight.
    pub weight: Option<u32>,
    /// The operation's category (`file`, `network`, ..., `custom`).
    pub category: Option<String>,
    /// What to use instead.
    pub alternative: Option<String>,
    /// The async body the call is in: "async fn `handler`", "async block in `main`".
    pub context: String,
    /// From the async body to the operation: `["handler", "load_config", "std::fs::read_to_string"]`.
    pub chain: Vec<String>,
    /// For a chain, where each further step happens (the call into each function, then the
    /// blocking call), one per element of `chain` after the second.
    pub related: Vec<Location>,
    /// Whether the finding reaches the deny level (it then makes the run fail).
    pub denied: bool,
}

/// The result of a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Findings, ordered by file, line and column.
    pub findings: Vec<Finding>,
    /// Files that could not be read or parsed (skipped).
    pub file_errors: Vec<FileError>,
    /// How many files were analyzed.
    pub files_analyzed: usize,
}

impl Report {
    /// How many findings reach the deny level.
    pub fn denied(&self) -> usize {
        self.findings.iter().filter(|f| f.denied).count()
    }

    /// Adds another report's findings and errors, dropping duplicates (a file shared by two
    /// targets is reported once).
    pub fn merge(&mut self, other: Report) {
        self.findings.extend(other.findings);
        self.file_errors.extend(other.file_errors);
        self.files_analyzed += other.files_analyzed;
        self.normalize();
    }

    fn normalize(&mut self) {
        self.findings.sort_by(|a, b| {
            (&a.at, a.rule, &a.event, &a.chain).cmp(&(&b.at, b.rule, &b.event, &b.chain))
        });
        self.findings.dedup_by(|a, b| {
            a.at == b.at && a.rule == b.rule && a.event == b.event && a.chain == b.chain
        });
        self.file_errors.sort_by(|a, b| a.file.cmp(&b.file));
        self.file_errors.dedup();
    }
}

/// A run that could not be carried out (exit status 2).
#[derive(Debug)]
pub enum LintError {
    /// A path given on the command line cannot be read.
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The configuration is malformed.
    Config(ConfigError),
    /// `cargo metadata` failed or printed something unexpected.
    Metadata(String),
}

impl fmt::Display for LintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LintError::Io { path, message } => write!(f, "{}: {message}", path.display()),
            LintError::Config(e) => e.fmt(f),
            LintError::Metadata(m) => write!(f, "cargo metadata failed: {m}"),
        }
    }
}

impl std::error::Error for LintError {}

impl From<ConfigError> for LintError {
    fn from(e: ConfigError) -> Self {
        LintError::Config(e)
    }
}

/// Lints sources with one configuration.
pub struct Linter {
    ops: OpTable,
    deny: DenyLevel,
}

impl Linter {
    /// A linter using `config` (its deny level, or any finding if it has none).
    pub fn new(config: Config) -> Linter {
        Linter {
            ops: OpTable::new(&config),
            deny: config.deny.unwrap_or_default(),
        }
    }

    /// Overrides the deny level (the command line's `--deny`).
    pub fn with_deny(mut self, deny: DenyLevel) -> Linter {
        self.deny = deny;
        self
    }

    /// The deny level in force.
    pub fn deny(&self) -> DenyLevel {
        self.deny
    }

    /// Lints files and directories (every `.rs` file below them, skipping `target` and hidden
    /// folders). Files that another given file declares as a module (`mod x;`) are analyzed as
    /// part of that file's crate; the others are crate roots.
    pub fn lint_paths(&self, paths: &[PathBuf]) -> Result<Report, LintError> {
        guard::on_big_stack(|| self.lint_paths_here(paths))
    }

    fn lint_paths_here(&self, paths: &[PathBuf]) -> Result<Report, LintError> {
        let mut files = Vec::new();
        let mut walk_errors = Vec::new();
        let mut visited = HashSet::new();
        for path in paths {
            let meta = std::fs::metadata(path).map_err(|e| LintError::Io {
                path: path.to_path_buf(),
                message: e.to_string(),
            })?;
            if meta.is_file() {
                files.push(path.to_path_buf());
            } else {
                collect_rs_files(path, &mut files, &mut visited, &mut walk_errors);
            }
        }
        files.sort();
        files.dedup();
        let mut cache = SourceCache::new(None);
        cache.errors = walk_errors;
        let mut claimed = HashSet::new();
        for file in &files {
            let Some(parsed) = cache.get(file) else {
                continue;
            };
            let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
            let stem_dir = file.with_extension("");
            for child_dir in [&dir, &stem_dir] {
                let decls = module_declarations(
                    &parsed.ast.items,
                    child_dir,
                    &dir,
                    &["crate".to_string()],
                    false,
                );
                claimed.extend(decls.into_iter().filter_map(|d| d.file));
            }
            claimed.extend(
                source::included_files(&parsed.ast.items, &dir, &["crate".to_string()])
                    .into_iter()
                    .map(|(path, _)| path),
            );
        }
        let roots = files.iter().filter(|f| !claimed.contains(*f));
        Ok(self.lint_crates(cache, roots))
    }

    /// Lints the crate of each root in turn (a file shared by two crates is reported once), and
    /// the files that could not be read or parsed.
    fn lint_crates<'a>(
        &self,
        mut cache: SourceCache,
        roots: impl IntoIterator<Item = &'a PathBuf>,
    ) -> Report {
        let mut report = self.lint_crates_in(&mut cache, roots);
        report.file_errors.extend(std::mem::take(&mut cache.errors));
        report.normalize();
        report
    }

    /// Lints the crate of each root in turn, reading files through `cache` (its errors are
    /// left in it).
    fn lint_crates_in<'a>(
        &self,
        cache: &mut SourceCache,
        roots: impl IntoIterator<Item = &'a PathBuf>,
    ) -> Report {
        let mut report = Report::default();
        let mut seen = HashSet::new();
        for root in roots {
            let sources = cache.load_crate(root);
            report.merge(self.lint_crate_isolated(&sources, &mut seen));
        }
        report
    }

    /// The functions a dependency declares `#[aiocop::blocking]` in its source, as blocking
    /// paths for its users: the crate rooted at `root` is read like a crate being linted, and
    /// each declared function's path from the crate root is prefixed with `crate_name`
    /// (`dep::db::query`). Files that cannot be read or parsed are skipped silently: they are
    /// the dependency's, not the user's.
    pub(crate) fn declared_by_dependency(
        &self,
        crate_name: &str,
        root: &Path,
    ) -> Vec<ExtraBlocking> {
        guard::on_big_stack(|| {
            isolated(|| {
                let mut cache = SourceCache::new(None);
                let sources = cache.load_crate(root);
                let index = CrateIndex::build(&sources, &self.ops);
                let mut walk = CrateWalk::new(&index, &self.ops);
                for file in &sources.files {
                    walk.walk_file(&file.file, &file.module);
                }
                walk.graph
                    .declared()
                    .into_iter()
                    .filter_map(|(key, event, weight)| {
                        let rest = key.strip_prefix("crate::")?;
                        // The event is the attribute's `name`, else the function's path.
                        let named = event != key;
                        Some(ExtraBlocking {
                            path: format!("{crate_name}::{rest}"),
                            weight,
                            category: None,
                            alternative: None,
                            event: named.then_some(event),
                        })
                    })
                    .collect()
            })
        })
    }

    /// Adds dependencies' blocking functions (see [`Linter::summarize_dependency`]).
    pub fn with_dependencies(mut self, summaries: &[DepSummary]) -> Linter {
        for summary in summaries {
            self.ops.add_dependency(summary);
        }
        self
    }

    /// Summarizes the dependency library rooted at `root` under the crate name `crate_name`:
    /// every function of it that blocks (on std's operations, the dependency table's, or its
    /// own `#[aiocop::blocking]` ones), with its chain inside the dependency. Paths are shown
    /// relative to `base` (the folder holding the package's folder, so that they read
    /// `config-0.14.0/src/..`). Unreadable or unparsable files of the dependency are skipped.
    pub fn summarize_dependency(
        &self,
        crate_name: &str,
        root: &Path,
        base: &Path,
    ) -> Vec<DepSummary> {
        guard::on_big_stack(|| {
            isolated(|| {
                let mut cache = SourceCache::new(Some(base.to_path_buf()));
                self.summarize_in(&mut cache, crate_name, root)
            })
        })
    }

    /// [`Linter::summarize_dependency`], reading the crate's files through `cache`.
    fn summarize_in(
        &self,
        cache: &mut SourceCache,
        crate_name: &str,
        root: &Path,
    ) -> Vec<DepSummary> {
        let sources = cache.load_crate(root);
        let index = CrateIndex::build(&sources, &self.ops);
        let mut walk = CrateWalk::new(&index, &self.ops);
        for file in &sources.files {
            walk.walk_file(&file.file, &file.module);
        }
        walk.graph.solve(&self.ops);
        let public = |key: &str| {
            key.strip_prefix("crate::")
                .map(|rest| format!("{crate_name}::{rest}"))
        };
        let keys = walk.graph.blocking_keys();
        let reexports = reexport_paths(&index, &self.ops, &keys);
        // `crate::a::b::Type::method` is also called `crate::Type::method` when no other
        // blocking function of the crate has that short path (a re-export at the root).
        let short = |key: &str| -> Option<String> {
            let rest = key.strip_prefix("crate::")?;
            let segs: Vec<&str> = rest.split("::").collect();
            let tail = match segs.as_slice() {
                [.., ty, m] if ty.starts_with(char::is_uppercase) => format!("{ty}::{m}"),
                [.., f] => (*f).to_string(),
                [] => return None,
            };
            Some(tail)
        };
        let mut short_count: HashMap<String, usize> = HashMap::new();
        for key in &keys {
            if let Some(s) = short(key) {
                *short_count.entry(s).or_default() += 1;
            }
        }
        let entry = Location {
            file: String::new(),
            line: 0,
            column: 0,
            end_line: 0,
            end_column: 0,
        };
        let mut out = Vec::new();
        for key in &keys {
            // A function returning a future is the dependency's async API: what it does
            // before returning the future (tokio's `Command::status` spawns the child) is
            // its design, not the caller's to fix.
            if index.fns.get(key).is_some_and(|f| returns_future(f.output)) {
                continue;
            }
            let (Some(path), Some(chain)) = (public(key), walk.graph.chain(key, &entry, &self.ops))
            else {
                continue;
            };
            let mut paths = vec![path.clone()];
            if let Some(s) = short(key)
                && short_count.get(&s) == Some(&1)
            {
                let alias = format!("{crate_name}::{s}");
                if alias != path {
                    paths.push(alias);
                }
            }
            for alias in reexports.get(key).into_iter().flatten() {
                if let Some(alias) = public(alias)
                    && !paths.contains(&alias)
                {
                    paths.push(alias);
                }
            }
            let (event, weight, category, alternative) = self.terminal(&chain.terminal, None);
            let n = chain.hops.len();
            // The steps are the functions (the last hop is the operation); the called one
            // is named by its public path.
            let mut steps: Vec<String> = chain.hops[..n.saturating_sub(1)]
                .iter()
                .map(|h| h.name.clone())
                .collect();
            if let Some(first) = steps.first_mut() {
                *first = path.clone();
            }
            if steps.is_empty() {
                steps.push(path.clone());
            }
            out.push(DepSummary {
                paths,
                event,
                weight,
                category,
                alternative,
                steps,
                at: chain.hops.iter().skip(1).map(|h| h.at.clone()).collect(),
            });
        }
        out
    }

    /// What a chain's terminal reports: its event, weight, category and alternative (a declared
    /// blocking function's is `declared_alternative`).
    fn terminal(
        &self,
        terminal: &Terminal,
        declared_alternative: Option<String>,
    ) -> (String, u32, String, Option<String>) {
        match terminal {
            Terminal::Op(op) => {
                let op = self.ops.op(*op);
                (
                    op.event.clone(),
                    op.weight,
                    op.category.clone(),
                    op.alternative.clone(),
                )
            }
            Terminal::Declared(event, weight) => (
                event.clone(),
                *weight,
                "custom".to_string(),
                declared_alternative,
            ),
        }
    }

    /// Lints one source text as a crate root (no module files are read).
    pub fn lint_source(&self, name: &str, text: &str) -> Report {
        guard::on_big_stack(|| self.lint_source_here(name, text))
    }

    fn lint_source_here(&self, name: &str, text: &str) -> Report {
        let mut report = Report::default();
        match guard::parse_file(text) {
            Ok(mut ast) => {
                source::inline_item_macros(&mut ast.items);
                let file = source::SourceFile::new(name.to_string(), text.to_string(), ast);
                let sources = CrateSources {
                    files: vec![source::ModuleFile {
                        file: std::rc::Rc::new(file),
                        module: vec!["crate".to_string()],
                    }],
                };
                report.merge(self.lint_crate_isolated(&sources, &mut HashSet::new()));
            }
            Err(e) => {
                report.file_errors.push(FileError {
                    file: name.to_string(),
                    line: e.line,
                    column: e.column,
                    message: e.message,
                });
            }
        }
        report
    }

    /// Lints one crate; if the analysis panics (a bug of the linter's, on some input it did
    /// not expect), the crate's files are reported as skipped with the panic's message, and
    /// the run goes on with the other crates.
    fn lint_crate_isolated(&self, sources: &CrateSources, seen: &mut HashSet<String>) -> Report {
        let mut seen_here = seen.clone();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.lint_crate(sources, &mut seen_here)
        }));
        match outcome {
            Ok(report) => {
                *seen = seen_here;
                report
            }
            Err(panic) => {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_string());
                Report {
                    findings: Vec::new(),
                    file_errors: sources
                        .files
                        .iter()
                        .map(|f| FileError {
                            file: f.file.display.clone(),
                            line: 0,
                            column: 0,
                            message: format!(
                                "internal error of cargo aiocop while analyzing this file's crate ({why}); please report it"
                            ),
                        })
                        .collect(),
                    files_analyzed: 0,
                }
            }
        }
    }

    fn lint_crate(&self, sources: &CrateSources, seen: &mut HashSet<String>) -> Report {
        #[cfg(test)]
        tests::maybe_panic(sources);
        let index = CrateIndex::build(sources, &self.ops);
        let mut walk = CrateWalk::new(&index, &self.ops);
        let mut files_analyzed = 0;
        for file in &sources.files {
            if seen.insert(file.file.display.clone()) {
                files_analyzed += 1;
            }
            walk.walk_file(&file.file, &file.module);
        }
        walk.graph.solve(&self.ops);
        let file_errors = std::mem::take(&mut walk.errors);
        // A file the walker could not finish is skipped, like one that cannot be parsed.
        let skipped: HashSet<&str> = file_errors.iter().map(|e| e.file.as_str()).collect();
        let mut findings = std::mem::take(&mut walk.findings);
        findings.retain(|f| !skipped.contains(f.at.file.as_str()));
        walk.pending
            .retain(|call| !skipped.contains(call.at.file.as_str()));
        for call in &walk.pending {
            let Some(chain) = walk.graph.chain(&call.callee, &call.at, &self.ops) else {
                continue;
            };
            if chain
                .cond
                .as_deref()
                .is_some_and(|c| left_unset(&index, c, call.args.get(c.param)))
            {
                continue;
            }
            let (event, weight, category, alternative) = self.terminal(
                &chain.terminal,
                Some("tokio::task::spawn_blocking(move || ..).await".to_string()),
            );
            let callee = walk.graph.label(&call.callee).unwrap_or(&call.callee);
            let mut names = vec![call.ctx.chain_name()];
            names.extend(chain.hops.iter().map(|h| h.name.clone()));
            // A call straight to a function declared `#[aiocop::blocking]` is a blocking call.
            let (rule, message) = if chain.hops.len() == 1 {
                (
                    Rule::BlockingCall,
                    format!("blocking call `{event}` in {}", call.ctx.describe()),
                )
            } else {
                (
                    Rule::BlockingChain,
                    format!(
                        "call to `{callee}` in {} blocks: it reaches `{event}`",
                        call.ctx.describe()
                    ),
                )
            };
            findings.push(Finding {
                rule,
                at: call.at.clone(),
                source_line: call.source_line.clone(),
                message,
                event: Some(event),
                weight: Some(weight),
                category: Some(category),
                alternative,
                context: call.ctx.describe(),
                chain: names,
                related: chain.hops.iter().skip(1).map(|h| h.at.clone()).collect(),
                denied: false,
            });
        }
        // Suppressions that suppress nothing: stale, once the code they covered changed.
        for suppression in &walk.suppressions {
            let used = suppression.used
                || suppression.calls.iter().any(|callee| {
                    walk.graph
                        .chain(callee, &suppression.at, &self.ops)
                        .is_some()
                });
            if used || skipped.contains(suppression.at.file.as_str()) {
                continue;
            }
            findings.push(Finding {
                rule: Rule::UnusedSuppression,
                at: suppression.at.clone(),
                source_line: suppression.source_line.clone(),
                message: format!(
                    "{} suppresses nothing: no blocking call is left under it; remove it",
                    suppression.kind
                ),
                event: None,
                weight: None,
                category: None,
                alternative: None,
                context: String::new(),
                chain: Vec::new(),
                related: Vec::new(),
                denied: false,
            });
        }
        for finding in &mut findings {
            // A stale suppression is a warning: removing it is tidying, not a fix.
            finding.denied =
                finding.rule != Rule::UnusedSuppression && self.deny.denies(finding.weight);
        }
        let mut report = Report {
            findings,
            file_errors,
            files_analyzed,
        };
        report.normalize();
        report
    }
}

/// Whether an argument visibly leaves unset the input a conditional chain needs: `None` or
/// `false` for the parameter itself, or a value built by same-crate calls that leave the field
/// `None` or `false`.
fn left_unset(index: &CrateIndex<'_>, cond: &callgraph::Cond, arg: Option<&scope::Origin>) -> bool {
    match (arg, cond.fields.as_slice()) {
        (Some(scope::Origin::Off), []) => true,
        (Some(scope::Origin::Built(keys)), [field]) => {
            cond::field_after(index, keys, field) == Some(cond::FieldState::Off)
        }
        _ => false,
    }
}

/// One workspace member, for [`lint_members`].
pub(crate) struct Member {
    /// Its configuration (the workspace's with its own on top).
    pub(crate) config: Config,
    /// The deny level given on the command line, if any.
    pub(crate) deny: Option<DenyLevel>,
    /// Its library target (crate name and root file), when other targets or members may call
    /// it: it is then summarized like a dependency.
    pub(crate) callable_lib: Option<(String, PathBuf)>,
    /// Its targets' root files, when it is to be linted.
    pub(crate) roots: Option<Vec<PathBuf>>,
}

/// Lints workspace members: the libraries other targets may call are summarized first (so that
/// a call from a binary, test or example to its package's library, or from one member to
/// another, is followed into it), then every member to lint is linted with the `dependencies`'
/// summaries and those. Paths are shown relative to `base`. Syntax trees are dropped after each
/// library and each member (memory stays that of the largest, not of the workspace), so a
/// library that is summarized is parsed again when its own package is linted.
pub(crate) fn lint_members(members: &[Member], dependencies: &[DepSummary], base: &Path) -> Report {
    guard::on_big_stack(|| {
        let mut cache = SourceCache::new(Some(base.to_path_buf()));
        let mut libraries = Vec::new();
        for member in members {
            if let Some((crate_name, root)) = &member.callable_lib {
                let summarizer = Linter::new(member.config.clone());
                libraries.extend(isolated(|| {
                    summarizer.summarize_in(&mut cache, crate_name, root)
                }));
                cache.clear_files();
            }
        }
        let mut report = Report::default();
        for member in members {
            let Some(roots) = &member.roots else { continue };
            let mut linter = Linter::new(member.config.clone())
                .with_dependencies(dependencies)
                .with_dependencies(&libraries);
            if let Some(deny) = member.deny {
                linter = linter.with_deny(deny);
            }
            report.merge(linter.lint_crates_in(&mut cache, roots));
            cache.clear_files();
        }
        report.file_errors.extend(std::mem::take(&mut cache.errors));
        report.normalize();
        report
    })
}

/// Collects the `.rs` files below the directory `dir` (skipping `target` and hidden folders).
/// Each directory is entered once (by its canonical path), so symlink loops end; entries that
/// cannot be read are recorded in `errors` and skipped.
/// Runs `f`, or gives the empty result if it panics: a dependency's source the analysis
/// cannot handle is skipped, not the end of the run.
fn isolated<T: Default>(f: impl FnOnce() -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_default()
}

/// The other paths by which a crate's users reach each of `keys` (functions, `crate::` paths):
/// through its `pub use` re-exports (`pub use self::inner::Config as Settings` in `crate::api`
/// makes `crate::inner::Config::load` also `crate::api::Settings::load`), glob ones
/// (`pub use inner::*`) and chains of them (a re-export of a re-export, three levels deep at
/// most). Private imports are left out: nobody outside can write their paths.
fn reexport_paths(
    index: &CrateIndex<'_>,
    ops: &OpTable,
    keys: &[String],
) -> HashMap<String, Vec<String>> {
    // Each module's imports, resolved: (the module's path, the name or None for a glob,
    // the target's full path).
    let mut imports: Vec<(String, Option<String>, String)> = Vec::new();
    let mut modules: Vec<(&str, &resolve::Scope)> = index.modules().collect();
    modules.sort_by(|a, b| a.0.cmp(b.0));
    for (module, scope) in modules {
        let segs: Vec<String> = module.split("::").map(str::to_string).collect();
        let resolver = resolve::Resolver {
            index,
            ops,
            module: &segs,
            blocks: &[],
            self_ty: None,
        };
        for (name, target) in &scope.reexports {
            if let Some(full) = resolver.resolve(target)
                && full.first().is_some_and(|f| f == "crate")
            {
                imports.push((module.to_string(), name.clone(), full.join("::")));
            }
        }
    }
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    // Known paths of each key, growing by one level of re-export per round.
    let mut known: Vec<(String, String)> = keys.iter().map(|k| (k.clone(), k.clone())).collect();
    let mut seen: HashSet<String> = keys.iter().cloned().collect();
    for _ in 0..3 {
        let mut found = Vec::new();
        for (key, path) in &known {
            for (module, name, target) in &imports {
                let rest = match path.strip_prefix(target.as_str()) {
                    Some("") => "",
                    Some(rest) if rest.starts_with("::") => rest,
                    _ => continue,
                };
                let alias = match name {
                    Some(name) => format!("{module}::{name}{rest}"),
                    // A glob brings in the first segment below the target.
                    None if !rest.is_empty() => format!("{module}{rest}"),
                    None => continue,
                };
                if seen.insert(alias.clone()) {
                    found.push((key.clone(), alias));
                }
            }
        }
        if found.is_empty() {
            break;
        }
        for (key, alias) in &found {
            out.entry(key.clone()).or_default().push(alias.clone());
        }
        known = found;
    }
    out
}

/// Whether a return type names `Future` (`impl Future<..>`, `Pin<Box<dyn Future<..>>>`,
/// `BoxFuture<..>`).
fn returns_future(output: &syn::ReturnType) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
            if ident.to_string().ends_with("Future") {
                self.0 = true;
            }
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_return_type(&mut finder, output);
    finder.0
}

fn collect_rs_files(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    visited: &mut HashSet<PathBuf>,
    errors: &mut Vec<FileError>,
) {
    fn error(errors: &mut Vec<FileError>, path: &Path, what: &str, e: std::io::Error) {
        errors.push(FileError {
            file: path.display().to_string(),
            line: 0,
            column: 0,
            message: format!("{what}: {e}"),
        });
    }
    match dir.canonicalize() {
        Ok(real) => {
            if !visited.insert(real) {
                return;
            }
        }
        Err(e) => return error(errors, dir, "cannot read directory", e),
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return error(errors, dir, "cannot read directory", e),
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let meta = match std::fs::metadata(&entry) {
            Ok(meta) => meta,
            // A dangling symlink or a loop of symlinks: only a file that looks like Rust is
            // worth mentioning.
            Err(e) => {
                if name.ends_with(".rs") {
                    error(errors, &entry, "cannot read file", e);
                }
                continue;
            }
        };
        if meta.is_dir() {
            if name == "target" || name.starts_with('.') {
                continue;
            }
            collect_rs_files(&entry, out, visited, errors);
        } else if name.ends_with(".rs") {
            out.push(entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// A crate whose root file has this name makes the analysis panic (tests of the
        /// isolation of panics).
        static PANIC_ON: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    }

    pub(super) fn maybe_panic(sources: &CrateSources) {
        let target = PANIC_ON.with(|p| p.borrow().clone());
        if let Some(target) = target
            && sources
                .files
                .iter()
                .any(|f| f.file.display.ends_with(&target))
        {
            panic!("injected failure on {target}");
        }
    }

    #[test]
    fn a_panic_in_one_crate_skips_its_files_and_keeps_the_others_findings() {
        let dir = std::env::temp_dir().join(format!("aiocop-panic-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("good.rs"),
            "async fn g() { std::thread::sleep(D); }\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("bad.rs"),
            "async fn b() { std::thread::sleep(D); }\n",
        )
        .unwrap();
        // The flag is thread-local: it is set on the thread the analysis runs on.
        let linter = Linter::new(Config::default());
        let report = guard::on_big_stack(|| {
            PANIC_ON.with(|p| *p.borrow_mut() = Some("bad.rs".to_string()));
            let roots = [dir.join("bad.rs"), dir.join("good.rs")];
            linter.lint_crates(SourceCache::new(None), roots.iter())
        });
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(report.findings.len(), 1);
        assert!(report.findings[0].at.file.ends_with("good.rs"));
        assert_eq!(report.file_errors.len(), 1);
        assert!(report.file_errors[0].file.ends_with("bad.rs"));
        assert!(
            report.file_errors[0]
                .message
                .contains("injected failure on bad.rs"),
            "{:?}",
            report.file_errors
        );
    }

    fn events(text: &str) -> Vec<(usize, String)> {
        let report = Linter::new(Config::default()).lint_source("lib.rs", text);
        assert!(report.file_errors.is_empty(), "{:?}", report.file_errors);
        report
            .findings
            .iter()
            .map(|f| (f.at.line, f.chain.join(" > ")))
            .collect()
    }

    #[test]
    fn glob_imports_in_cycles_resolve_once() {
        // Every module glob-imports every other one, and re-exports cycle: resolution must
        // neither loop nor blow up, and still find the blocking function.
        let mut text = String::from("use std::fs::*;\n");
        for i in 0..12 {
            text.push_str(&format!("pub mod m{i} {{\n"));
            for j in 0..12 {
                if i != j {
                    text.push_str(&format!("    pub use crate::m{j}::*;\n"));
                }
            }
            text.push_str(&format!(
                "    pub use super::*;\n    pub fn f{i}() {{}}\n}}\n"
            ));
        }
        text.push_str("async fn handler() { m3::read(\"x\").ok(); m5::f7(); }\n");
        let line = text.lines().count();
        assert_eq!(
            events(&text),
            [(line, "handler > std::fs::read".to_string())]
        );
    }

    #[test]
    fn items_inside_item_macros_are_analyzed() {
        let text = "cfg_feature! {\n    async fn wrapped() { std::thread::sleep(D); }\n}\n";
        assert_eq!(
            events(text),
            [(2, "wrapped > std::thread::sleep".to_string())]
        );
    }
}
