//! `semantic-eval`: finds blocking std calls in async code with rust-analyzer's engine (the
//! published `ra_ap_*` crates), so its findings, time and memory can be set beside
//! `cargo aiocop`'s (issue 17, item 2; BENCHMARKS.md "cargo aiocop: a semantic engine, measured").
//!
//! It loads a cargo workspace with its dependencies and the standard library, walks every
//! workspace-member file, and in each async context (async fn, async block, async closure, and
//! closures run in place inside them) resolves every method call and path call with hir's
//! `Semantics`. A callee that is an operation of `aiocop_lints::catalog` (the linter's own
//! list) is a finding; a callee that is a sync function of the workspace is followed into its body
//! (a chain), as the linter does. The policy around the engine copies the linter's defaults
//! (aiocop-lints/src/analyzer/ops.rs): trivial operations and calls that never wait are not
//! reported, closures handed to known offloaders do not run on the worker. Suppressions,
//! branch-awareness and the other policies of the linter are not reproduced: the measurement is
//! of the engine (what a call resolves to), not of the policy.
//!
//! Usage: `semantic-eval [--std-src DIR] [--build-scripts] [--proc-macros] [--offload PATH]...
//! [--load-only] [--json OUT] [--members-under DIR] MANIFEST_DIR`. Timings go to stderr,
//! findings to `--json` (one object per line) or stdout. `SEMANTIC_EVAL_DEBUG=TEXT` prints how
//! the calls whose text contains TEXT resolve.

use std::collections::{HashMap, HashSet};
use std::io::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use aiocop_lints::catalog::{
    self, BlockingOp, Callee, KNOWN_OFFLOADERS, NEVER_WAITS, OFFLOADING_NAMES,
};
use anyhow::{Context as _, bail};
use ra_ap_hir::{self as hir, AsAssocItem, AssocItemContainer, Semantics};
use ra_ap_ide_db::RootDatabase;
use ra_ap_load_cargo::{LoadCargoConfig, ProcMacroServerChoice, load_workspace_at};
use ra_ap_paths::AbsPathBuf;
use ra_ap_project_model::{CargoConfig, RustLibSource};
use ra_ap_syntax::{AstNode, SyntaxKind, SyntaxNode, ast, ast::HasArgList};

struct Args {
    root: PathBuf,
    std_src: Option<PathBuf>,
    build_scripts: bool,
    proc_macros: bool,
    offload: Vec<String>,
    load_only: bool,
    json: Option<PathBuf>,
    members_under: Option<PathBuf>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        root: PathBuf::new(),
        std_src: None,
        build_scripts: false,
        proc_macros: false,
        offload: Vec::new(),
        load_only: false,
        json: None,
        members_under: None,
    };
    let mut root = None;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--std-src" => args.std_src = Some(it.next().context("--std-src DIR")?.into()),
            "--build-scripts" => args.build_scripts = true,
            "--proc-macros" => args.proc_macros = true,
            "--offload" => args.offload.push(it.next().context("--offload PATH")?),
            "--load-only" => args.load_only = true,
            "--json" => args.json = Some(it.next().context("--json OUT")?.into()),
            "--members-under" => {
                args.members_under = Some(it.next().context("--members-under DIR")?.into())
            }
            other if other.starts_with("--") => bail!("unknown flag {other}"),
            other => root = Some(PathBuf::from(other)),
        }
    }
    args.root = root.context("usage: semantic-eval [flags] MANIFEST_DIR")?;
    Ok(args)
}

/// Where a function, type or trait is defined: its crate (core and alloc read as std, the way
/// std re-exports them), its module path below the crate, its type (for an associated item) and
/// its name.
#[derive(Debug, Clone)]
struct DefPath {
    krate: String,
    modules: Vec<String>,
    owner: Option<String>,
    name: String,
}

fn crate_name(db: &RootDatabase, krate: hir::Crate) -> String {
    let name = krate
        .display_name(db)
        .map(|n| n.to_string())
        .unwrap_or_default()
        .replace('-', "_");
    match name.as_str() {
        "core" | "alloc" => "std".to_string(),
        _ => name,
    }
}

fn module_path(db: &RootDatabase, module: hir::Module) -> (String, Vec<String>) {
    let mut modules: Vec<String> = module
        .path_to_root(db)
        .into_iter()
        .filter_map(|m| m.name(db).map(|n| n.as_str().to_string()))
        .collect();
    modules.reverse();
    (crate_name(db, module.krate(db)), modules)
}

/// `needle` appears in `hay` in order, gaps allowed: `std::thread` names the private module
/// `std::thread::functions` through a re-export.
fn subsequence(needle: &[&str], hay: &[String]) -> bool {
    let mut hay = hay.iter();
    needle.iter().all(|n| hay.any(|h| h == n))
}

/// A catalog path (`std::net::TcpStream::connect`, `std::fs::read`) names this definition.
fn path_names(path: &str, def: &DefPath) -> bool {
    let segs: Vec<&str> = path.split("::").collect();
    let Some((last, rest)) = segs.split_last() else {
        return false;
    };
    // A facade crate re-exports its parts' items (`futures::executor::block_on` is defined in
    // `futures_executor`): the defining crate's name starts with the facade's.
    let same_crate = rest
        .first()
        .is_some_and(|k| *k == def.krate || def.krate.starts_with(&format!("{k}_")));
    if *last != def.name || !same_crate {
        return false;
    }
    let middle = &rest[1..];
    // Through a facade the facade's modules are not the defining crate's: they are not compared.
    let facade = rest[0] != def.krate;
    match &def.owner {
        Some(owner) => match middle.split_last() {
            Some((ty, mods)) => ty == owner && (facade || subsequence(mods, &def.modules)),
            None => false,
        },
        None => facade || subsequence(middle, &def.modules),
    }
}

/// A catalog receiver (`std::fs::File`, `std::io::BufReader<std::fs::File>`) names this type.
fn type_matches(db: &RootDatabase, spec: &str, ty: &hir::Type<'_>) -> bool {
    let ty = ty.strip_references();
    let (base, arg) = match spec.split_once('<') {
        Some((base, rest)) => (base, Some(rest.trim_end_matches('>'))),
        None => (spec, None),
    };
    let Some(adt) = ty.as_adt() else {
        return false;
    };
    let (krate, modules) = module_path(db, adt.module(db));
    let def = DefPath {
        krate,
        modules,
        owner: None,
        name: adt.name(db).as_str().to_string(),
    };
    if !path_names(base, &def) {
        return false;
    }
    match arg {
        None => true,
        Some(arg) => ty
            .type_arguments()
            .next()
            .is_some_and(|first| type_matches(db, arg, &first)),
    }
}

fn trait_def(db: &RootDatabase, tr: hir::Trait) -> DefPath {
    let (krate, modules) = module_path(db, tr.module(db));
    DefPath {
        krate,
        modules,
        owner: None,
        name: tr.name(db).as_str().to_string(),
    }
}

/// One finding: a line in async code that reaches a blocking operation.
#[derive(Debug, Clone)]
struct Finding {
    file: String,
    line: usize,
    event: String,
    /// The functions of the workspace between the call and the operation; empty for a direct call.
    chain: Vec<String>,
}

/// How the code being walked runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// On the async worker (or, for a summary, in the body of the function being summarised).
    Active,
    /// Not run by the code around it: a sync function's body at file level, an offloaded
    /// closure.
    Inactive,
}

struct Scanner<'a> {
    db: &'a RootDatabase,
    sema: Semantics<'a, RootDatabase>,
    ops: Vec<&'static BlockingOp>,
    offloaders: Vec<String>,
    local_crates: HashSet<hir::Crate>,
    /// Per sync workspace function: the chain to the first blocking operation its body reaches.
    summaries: HashMap<hir::Function, Option<(Vec<String>, String)>>,
    in_progress: HashSet<hir::Function>,
    calls_resolved: usize,
    calls_unresolved: usize,
}

/// What a call reaches.
enum Hit {
    Op(&'static BlockingOp),
    Chain(Vec<String>, String),
}

impl<'a> Scanner<'a> {
    fn def_path(&self, f: hir::Function) -> DefPath {
        let db = self.db;
        let (krate, modules) = module_path(db, f.module(db));
        let owner = f
            .as_assoc_item(db)
            .and_then(|item| match item.container(db) {
                AssocItemContainer::Impl(imp) => imp
                    .self_ty(db)
                    .strip_references()
                    .as_adt()
                    .map(|adt| adt.name(db).as_str().to_string()),
                AssocItemContainer::Trait(tr) => Some(tr.name(db).as_str().to_string()),
            });
        DefPath {
            krate,
            modules,
            owner,
            name: f.name(db).as_str().to_string(),
        }
    }

    /// The catalog operation `f` is, called with a receiver of type `receiver` (for a method).
    fn op_of(
        &self,
        f: hir::Function,
        receiver: Option<hir::Type<'a>>,
    ) -> Option<&'static BlockingOp> {
        let db = self.db;
        let def = self.def_path(f);
        let container = f.as_assoc_item(db).map(|item| item.container(db));
        let (self_ty, trait_) = match &container {
            Some(AssocItemContainer::Impl(imp)) => (Some(imp.self_ty(db)), imp.trait_(db)),
            Some(AssocItemContainer::Trait(tr)) => (None, Some(*tr)),
            None => (None, None),
        };
        for op in &self.ops {
            match op.callee {
                Callee::Function { path } => {
                    if path_names(path, &def) {
                        return Some(op);
                    }
                }
                Callee::Method {
                    receiver: spec,
                    method,
                    ..
                } => {
                    if method != def.name || !f.has_self_param(db) {
                        continue;
                    }
                    // The type that defines the method (an inherent or trait impl), or for a
                    // trait's provided method the receiver's type along its deref chain.
                    let by_impl = self_ty.as_ref().is_some_and(|t| type_matches(db, spec, t));
                    // (also where the impl is generic: `impl<R: Read> Read for BufReader<R>`)
                    let by_receiver = receiver
                        .as_ref()
                        .is_some_and(|r| r.autoderef(db).any(|t| type_matches(db, spec, &t)));
                    // A receiver that is a trait (`ToSocketAddrs`): any implementation.
                    let by_trait = trait_.is_some_and(|tr| {
                        let td = trait_def(db, tr);
                        path_names(spec, &td)
                    });
                    if by_impl || by_receiver || by_trait {
                        return Some(op);
                    }
                }
            }
        }
        None
    }

    fn is_offloader(&self, f: hir::Function) -> bool {
        let def = self.def_path(f);
        OFFLOADING_NAMES.contains(&def.name.as_str())
            || self.offloaders.iter().any(|p| path_names(p, &def))
    }

    fn is_local(&self, f: hir::Function) -> bool {
        self.local_crates
            .contains(&f.module(self.db).krate(self.db))
    }

    fn callee_of_call(&self, call: &ast::CallExpr) -> Option<hir::Function> {
        let ast::Expr::PathExpr(p) = call.expr()? else {
            return None;
        };
        match self.sema.resolve_path(&p.path()?)? {
            hir::PathResolution::Def(hir::ModuleDef::Function(f)) => Some(f),
            _ => None,
        }
    }

    /// What the call `node` (a method or path call) reaches, if anything blocking.
    fn hit(&mut self, node: &SyntaxNode) -> Option<Hit> {
        let (f, receiver) = if let Some(mc) = ast::MethodCallExpr::cast(node.clone()) {
            let f = self.sema.resolve_method_call(&mc);
            let recv = mc
                .receiver()
                .and_then(|r| self.sema.type_of_expr(&r))
                .map(|t| t.original);
            (f, recv)
        } else if let Some(call) = ast::CallExpr::cast(node.clone()) {
            let f = self.callee_of_call(&call);
            // A method called by path (`Read::read_to_end(&mut f, ..)`) takes its receiver first.
            let recv = call
                .arg_list()
                .and_then(|a| a.args().next())
                .and_then(|a| self.sema.type_of_expr(&a))
                .map(|t| t.original);
            (f, recv)
        } else {
            return None;
        };
        self.debug_call(node, f, receiver.as_ref());
        let Some(f) = f else {
            self.calls_unresolved += 1;
            return None;
        };
        self.calls_resolved += 1;
        if let Some(op) = self.op_of(f, receiver) {
            return Some(Hit::Op(op));
        }
        if self.is_local(f)
            && !f.is_async(self.db)
            && let Some((chain, event)) = self.summary(f)
        {
            return Some(Hit::Chain(chain, event));
        }
        None
    }

    /// With `SEMANTIC_EVAL_DEBUG=TEXT`, prints what each call whose text contains TEXT resolves
    /// to and its receiver's type: how the differences in the results were looked into.
    fn debug_call(
        &self,
        node: &SyntaxNode,
        f: Option<hir::Function>,
        receiver: Option<&hir::Type<'a>>,
    ) {
        let Ok(needle) = std::env::var("SEMANTIC_EVAL_DEBUG") else {
            return;
        };
        if !node.text().to_string().contains(&needle) {
            return;
        }
        let krate = f
            .map(|f| f.module(self.db).krate(self.db))
            .or_else(|| self.local_crates.iter().next().copied());
        let receiver = receiver.zip(krate).map(|(r, k)| {
            let target = hir::DisplayTarget::from_crate(self.db, k.into());
            hir::HirDisplay::display(r, self.db, target).to_string()
        });
        eprintln!(
            "debug: {} -> {:?} receiver {:?}",
            node.text(),
            f.map(|f| self.def_path(f)),
            receiver
        );
    }

    /// The chain from the sync workspace function `f` to the first blocking operation its body
    /// reaches, memoised; recursion is cut at a function already being summarised.
    fn summary(&mut self, f: hir::Function) -> Option<(Vec<String>, String)> {
        if let Some(s) = self.summaries.get(&f) {
            return s.clone();
        }
        if !self.in_progress.insert(f) {
            return None;
        }
        let mut found = None;
        if let Some(src) = self.sema.source(f) {
            let def = self.def_path(f);
            let label = match &def.owner {
                Some(owner) => format!("{owner}::{}", def.name),
                None => def.name.clone(),
            };
            if let Some(body) = src.value.body() {
                let mut hits = Vec::new();
                self.walk(body.syntax(), Ctx::Active, true, &mut hits);
                if let Some((_, hit)) = hits.into_iter().next() {
                    found = Some(match hit {
                        Hit::Op(op) => (vec![label], op.event.to_string()),
                        Hit::Chain(mut chain, event) => {
                            chain.insert(0, label);
                            (chain, event)
                        }
                    });
                }
            }
        }
        self.in_progress.remove(&f);
        self.summaries.insert(f, found.clone());
        found
    }

    /// Walks `node` in context `ctx`, pushing (call node, hit) for each blocking call in an
    /// active context. `summary` is true inside a sync function's body being summarised, where
    /// async blocks are not run by the call.
    fn walk(
        &mut self,
        node: &SyntaxNode,
        ctx: Ctx,
        summary: bool,
        out: &mut Vec<(SyntaxNode, Hit)>,
    ) {
        let mut ctx = ctx;
        match node.kind() {
            SyntaxKind::FN => {
                let f = ast::Fn::cast(node.clone()).unwrap();
                // A nested fn: its body runs when it is called, not here.
                ctx = if f.async_token().is_some() && !summary {
                    Ctx::Active
                } else {
                    Ctx::Inactive
                };
            }
            SyntaxKind::BLOCK_EXPR => {
                let b = ast::BlockExpr::cast(node.clone()).unwrap();
                if b.async_token().is_some() {
                    ctx = if summary { Ctx::Inactive } else { Ctx::Active };
                }
            }
            SyntaxKind::CLOSURE_EXPR => {
                let c = ast::ClosureExpr::cast(node.clone()).unwrap();
                if c.async_token().is_some() {
                    ctx = if summary { Ctx::Inactive } else { Ctx::Active };
                } else if self.offloaded(node) {
                    ctx = Ctx::Inactive;
                }
            }
            SyntaxKind::MACRO_CALL => {
                let mc = ast::MacroCall::cast(node.clone()).unwrap();
                if let Some(expansion) = self.sema.expand_macro_call(&mc) {
                    let expansion = expansion.value;
                    // The hits keep their nodes in the expansion: `original_range` maps a call
                    // written in the macro's input back to where it is written, anything else to
                    // the macro call.
                    self.walk(&expansion, ctx, summary, out);
                }
                return;
            }
            SyntaxKind::METHOD_CALL_EXPR | SyntaxKind::CALL_EXPR if ctx == Ctx::Active => {
                if let Some(hit) = self.hit(node) {
                    out.push((node.clone(), hit));
                }
            }
            _ => {}
        }
        for child in node.children() {
            self.walk(&child, ctx, summary, out);
        }
    }

    /// The closure `node` is an argument of a call to an offloader.
    fn offloaded(&self, node: &SyntaxNode) -> bool {
        let Some(arg_list) = node.parent().filter(|p| p.kind() == SyntaxKind::ARG_LIST) else {
            return false;
        };
        let Some(call) = arg_list.parent() else {
            return false;
        };
        let f = if let Some(mc) = ast::MethodCallExpr::cast(call.clone()) {
            self.sema.resolve_method_call(&mc)
        } else if let Some(c) = ast::CallExpr::cast(call) {
            self.callee_of_call(&c)
        } else {
            None
        };
        f.is_some_and(|f| self.is_offloader(f))
    }
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let started = Instant::now();
    let root = std::fs::canonicalize(&args.root)?;

    let mut cargo_config = CargoConfig {
        sysroot: Some(RustLibSource::Discover),
        all_targets: true,
        // `#[cfg(test)]` code is code the linter reads too (async tests).
        set_test: true,
        // Every feature on: cargo aiocop reads every file whatever its cfg.
        features: ra_ap_project_model::CargoFeatures::All,
        ..CargoConfig::default()
    };
    if let Some(src) = &args.std_src {
        cargo_config.sysroot_src = Some(AbsPathBuf::assert_utf8(std::fs::canonicalize(src)?));
    }
    let load_config = LoadCargoConfig {
        load_out_dirs_from_check: args.build_scripts,
        with_proc_macro_server: if args.proc_macros {
            ProcMacroServerChoice::Sysroot
        } else {
            ProcMacroServerChoice::None
        },
        prefill_caches: false,
        num_worker_threads: 2,
        proc_macro_processes: 1,
    };
    let (db, vfs, _proc_macro) = load_workspace_at(&root, &cargo_config, &load_config, &|_| {})?;
    let members_under = match &args.members_under {
        Some(dir) => std::fs::canonicalize(dir)?,
        None => root.clone(),
    }
    .to_string_lossy()
    .into_owned();
    let loaded = started.elapsed();
    let all_crates = hir::Crate::all(&db);
    let local_crates: HashSet<hir::Crate> = all_crates
        .iter()
        .copied()
        .filter(|k| k.origin(&db).is_local())
        // Path dependencies are local too: keep the crates whose root file is under the
        // workspace (or the directory given).
        .filter(|k| {
            let path = vfs.file_path(k.root_file(&db)).to_string();
            path.starts_with(&members_under)
        })
        .collect();
    eprintln!(
        "loaded {} crates ({} workspace members) in {:.2} s",
        all_crates.len(),
        local_crates.len(),
        loaded.as_secs_f64()
    );
    if args.load_only {
        return Ok(());
    }
    // hir's type queries read the database from a thread-local slot.
    hir::attach_db(&db, || {
        scan(&db, &vfs, &args, local_crates, started, loaded)
    })
}

/// Walks every file of the workspace members and writes the findings.
fn scan(
    db: &RootDatabase,
    vfs: &ra_ap_vfs::Vfs,
    args: &Args,
    local_crates: HashSet<hir::Crate>,
    started: Instant,
    loaded: std::time::Duration,
) -> anyhow::Result<()> {
    let report_trivial = false;
    let ops: Vec<&'static BlockingOp> = catalog::CATALOG
        .iter()
        .filter(|op| {
            let weight = if NEVER_WAITS.contains(&op.event) {
                catalog::WEIGHT_TRIVIAL
            } else {
                op.weight
            };
            report_trivial || weight != catalog::WEIGHT_TRIVIAL
        })
        .collect();
    let mut offloaders: Vec<String> = KNOWN_OFFLOADERS.iter().map(|s| s.to_string()).collect();
    offloaders.extend(args.offload.iter().cloned());

    let mut scanner = Scanner {
        db,
        sema: Semantics::new(db),
        ops,
        offloaders,
        local_crates,
        summaries: HashMap::new(),
        in_progress: HashSet::new(),
        calls_resolved: 0,
        calls_unresolved: 0,
    };

    // Every file of the workspace members, once.
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    for krate in &scanner.local_crates {
        for module in krate.modules(db) {
            if let Some(file) = module.as_source_file_id(db)
                && seen.insert(file)
            {
                files.push(file);
            }
        }
    }

    let mut findings = Vec::new();
    for file in files {
        let source = scanner.sema.parse(file);
        let mut hits = Vec::new();
        scanner.walk(source.syntax(), Ctx::Inactive, false, &mut hits);
        for (node, hit) in hits {
            // A method call is reported where its name is (a builder chain spans lines).
            let at = ast::MethodCallExpr::cast(node.clone())
                .and_then(|mc| mc.name_ref())
                .map(|n| n.syntax().clone())
                .unwrap_or(node);
            let range = scanner.sema.original_range(&at);
            let text = db_file_text(db, range.file_id.file_id(db));
            let line = text[..usize::from(range.range.start())]
                .matches('\n')
                .count()
                + 1;
            let (event, chain) = match hit {
                Hit::Op(op) => (op.event.to_string(), Vec::new()),
                Hit::Chain(chain, event) => (event, chain),
            };
            findings.push(Finding {
                file: vfs.file_path(range.file_id.file_id(db)).to_string(),
                line,
                event,
                chain,
            });
        }
    }
    findings.sort_by(|a, b| (&a.file, a.line, &a.event).cmp(&(&b.file, b.line, &b.event)));
    findings.dedup_by(|a, b| a.file == b.file && a.line == b.line && a.event == b.event);
    let analysed = started.elapsed();
    eprintln!(
        "analysed in {:.2} s (total {:.2} s): {} findings, {} calls resolved, {} unresolved",
        (analysed - loaded).as_secs_f64(),
        analysed.as_secs_f64(),
        findings.len(),
        scanner.calls_resolved,
        scanner.calls_unresolved
    );

    let mut out: Box<dyn std::io::Write> = match &args.json {
        Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => Box::new(std::io::stdout().lock()),
    };
    for f in &findings {
        writeln!(
            out,
            "{}",
            serde_json::json!({
                "file": f.file, "line": f.line, "event": f.event, "chain": f.chain,
            })
        )?;
    }
    Ok(())
}

fn db_file_text(db: &RootDatabase, file: ra_ap_vfs::FileId) -> String {
    use ra_ap_ide_db::base_db::SourceDatabase as _;
    db.file_text(file).text(db).to_string()
}
