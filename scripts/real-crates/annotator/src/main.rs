//! Puts `#[aiocop::monitor]` on every `async fn` that has a body, in every `.rs` file of a tree,
//! and adds `aiocop` as a dependency of each package that got an annotation.
//!
//! Usage: `annotator <TREE> <AIOCOP_DIR> [--dry-run] [--skip FILE]`
//!
//! `--skip FILE`: lines `path:line` (path relative to TREE, as rustc prints it from the workspace
//! root); the innermost async fn containing each such line is left unannotated. Used to get past
//! functions the macro fails on and reach the errors (and tests) behind them.
//!
//! Each file is parsed with syn; the attribute is inserted as the function's first attribute, by
//! byte offset, on the same line (so no line number in the file moves: tests comparing panic
//! locations or `line!()` stay identical). The rest of each file is left byte-identical.
//! Functions inside macro bodies (`macro_rules!`, `cfg_if!`, ...) are not parsed and so not
//! annotated; files syn cannot parse are counted and skipped; `build.rs` files are skipped (a build
//! script would need aiocop as a build-dependency, and none of the crates tried has async code there).
//!
//! Output: one `package` line per annotated package, one `parse-failed` line per unparsable file,
//! and a `total` line.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use proc_macro2::{LineColumn, Span};
use syn::spanned::Spanned;
use syn::visit::Visit;

/// The text inserted before each async fn.
const ATTR: &str = "#[aiocop::monitor] ";

/// Collects the start positions of every annotatable async fn in one file.
#[derive(Default)]
struct Finder {
    /// Each function's start (its first outer attribute) and the line of its closing brace.
    fns: Vec<(LineColumn, usize)>,
}

fn is_monitor_attr(attr: &syn::Attribute) -> bool {
    let path = attr.path();
    let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    segs == ["aiocop", "monitor"]
}

fn earlier(a: LineColumn, b: LineColumn) -> LineColumn {
    if (a.line, a.column) <= (b.line, b.column) {
        a
    } else {
        b
    }
}

/// Where an item starts: its first outer attribute, else its visibility or first keyword.
fn item_start(
    attrs: &[syn::Attribute],
    vis: Option<&syn::Visibility>,
    defaultness: Option<Span>,
    sig: &syn::Signature,
) -> LineColumn {
    let mut start = sig.fn_token.span.start();
    for s in [
        sig.abi.as_ref().map(|a| a.extern_token.span),
        sig.unsafety.as_ref().map(|t| t.span),
        sig.asyncness.as_ref().map(|t| t.span),
        sig.constness.as_ref().map(|t| t.span),
        defaultness,
    ]
    .into_iter()
    .flatten()
    {
        start = earlier(start, s.start());
    }
    if let Some(vis) = vis {
        if !matches!(vis, syn::Visibility::Inherited) {
            start = earlier(start, vis.span().start());
        }
    }
    for attr in attrs {
        if matches!(attr.style, syn::AttrStyle::Outer) {
            start = earlier(start, attr.pound_token.span.start());
        }
    }
    start
}

fn wanted(attrs: &[syn::Attribute], sig: &syn::Signature) -> bool {
    sig.asyncness.is_some() && sig.constness.is_none() && !attrs.iter().any(is_monitor_attr)
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if wanted(&f.attrs, &f.sig) {
            let end = f.block.brace_token.span.close().end().line;
            self.fns
                .push((item_start(&f.attrs, Some(&f.vis), None, &f.sig), end));
        }
        syn::visit::visit_item_fn(self, f);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        if wanted(&f.attrs, &f.sig) {
            let d = f.defaultness.as_ref().map(|t| t.span);
            let end = f.block.brace_token.span.close().end().line;
            self.fns
                .push((item_start(&f.attrs, Some(&f.vis), d, &f.sig), end));
        }
        syn::visit::visit_impl_item_fn(self, f);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        // Only trait methods with a default body: a declaration has nothing to monitor.
        if let (Some(block), true) = (&f.default, wanted(&f.attrs, &f.sig)) {
            let end = block.brace_token.span.close().end().line;
            self.fns
                .push((item_start(&f.attrs, None, None, &f.sig), end));
        }
        syn::visit::visit_trait_item_fn(self, f);
    }
}

/// Byte offset of a proc-macro2 position (1-based line, column in chars) in `text`.
fn byte_offset(text: &str, line_starts: &[usize], pos: LineColumn) -> usize {
    let line_start = line_starts[pos.line - 1];
    let rest = &text[line_start..];
    match rest.char_indices().nth(pos.column) {
        Some((i, _)) => line_start + i,
        None => text.len(),
    }
}

/// Annotates one file's text, leaving out the innermost function around each of `skip_lines`;
/// returns the new text, the number of functions annotated and the number left out.
fn annotate(text: &str, skip_lines: &[usize]) -> Result<(String, usize, usize), syn::Error> {
    // syn strips a BOM itself, which would shift offsets: strip it here and put it back.
    const BOM: &str = "\u{feff}";
    let (bom, body) = match text.strip_prefix(BOM) {
        Some(rest) => (BOM, rest),
        None => ("", text),
    };
    let file = syn::parse_file(body)?;
    let mut finder = Finder::default();
    finder.visit_file(&file);
    let mut line_starts = vec![0];
    line_starts.extend(body.match_indices('\n').map(|(i, _)| i + 1));
    let mut skipped = vec![false; finder.fns.len()];
    for &line in skip_lines {
        // innermost: the containing function that starts last
        let inner = (0..finder.fns.len())
            .filter(|&i| finder.fns[i].0.line <= line && line <= finder.fns[i].1)
            .max_by_key(|&i| (finder.fns[i].0.line, finder.fns[i].0.column));
        if let Some(i) = inner {
            skipped[i] = true;
        }
    }
    let n_skipped = skipped.iter().filter(|s| **s).count();
    let mut offsets: Vec<usize> = finder
        .fns
        .iter()
        .zip(&skipped)
        .filter(|(_, s)| !**s)
        .map(|((p, _), _)| byte_offset(body, &line_starts, *p))
        .collect();
    offsets.sort_unstable();
    offsets.dedup();
    let mut out = String::with_capacity(body.len() + offsets.len() * ATTR.len() + bom.len());
    out.push_str(bom);
    let mut last = 0;
    for &off in &offsets {
        out.push_str(&body[last..off]);
        out.push_str(ATTR);
        last = off;
    }
    out.push_str(&body[last..]);
    Ok((out, offsets.len(), n_skipped))
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name == "target" || name.starts_with('.') {
                continue;
            }
            collect_rs(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

/// The manifest of the package that owns `file`: the nearest ancestor Cargo.toml with `[package]`.
fn owning_manifest(file: &Path, root: &Path) -> Option<PathBuf> {
    let mut dir = file.parent();
    while let Some(d) = dir {
        let manifest = d.join("Cargo.toml");
        if let Ok(text) = fs::read_to_string(&manifest) {
            if let Ok(doc) = text.parse::<toml_edit::DocumentMut>() {
                if doc.get("package").is_some() {
                    return Some(manifest);
                }
            }
        }
        if d == root {
            break;
        }
        dir = d.parent();
    }
    None
}

/// True when the file belongs to the package's tests, examples or benches only.
fn is_dev_only(file: &Path, manifest: &Path) -> bool {
    let pkg = manifest.parent().unwrap_or(Path::new(""));
    let rel = file.strip_prefix(pkg).unwrap_or(file);
    matches!(
        rel.components().next().and_then(|c| c.as_os_str().to_str()),
        Some("tests" | "examples" | "benches")
    )
}

fn add_dependency(manifest: &Path, section: &str, aiocop_dir: &Path) -> Result<(), String> {
    let text = fs::read_to_string(manifest).map_err(|e| e.to_string())?;
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    // Cargo still accepts the old `dev_dependencies` spelling; add to it if that is what is used.
    let key = if section == "dev-dependencies" && doc.get("dev_dependencies").is_some() {
        "dev_dependencies"
    } else {
        section
    };
    let table = doc
        .entry(key)
        .or_insert_with(toml_edit::table)
        .as_table_like_mut()
        .ok_or_else(|| format!("[{key}] is not a table"))?;
    let mut dep = toml_edit::InlineTable::new();
    dep.insert(
        "path",
        aiocop_dir.join("aiocop").display().to_string().into(),
    );
    table.insert("aiocop", toml_edit::Item::Value(dep.into()));
    fs::write(manifest, doc.to_string()).map_err(|e| e.to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dry_run = args.iter().any(|a| a == "--dry-run");
    let skip_file = args
        .iter()
        .position(|a| a == "--skip")
        .map(|i| args.get(i + 1).cloned());
    let skip_file = match skip_file {
        Some(None) => {
            eprintln!("--skip needs a file");
            std::process::exit(2);
        }
        Some(Some(f)) => Some(f),
        None => None,
    };
    // positional arguments: neither an option nor the value of --skip
    let pos: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|&(i, a)| !(a.starts_with("--") || (i > 0 && args[i - 1] == "--skip")))
        .map(|(_, a)| a)
        .collect();
    if pos.len() != 2 {
        eprintln!("usage: annotator <TREE> <AIOCOP_DIR> [--dry-run] [--skip FILE]");
        std::process::exit(2);
    }
    // path relative to the tree -> lines inside functions to leave out
    let mut skips: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
    if let Some(f) = &skip_file {
        let text = fs::read_to_string(f).expect("skip file readable");
        for l in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let (path, line) = l.rsplit_once(':').expect("skip entry is path:line");
            let line: usize = line.parse().expect("skip entry line is a number");
            skips.entry(PathBuf::from(path)).or_default().push(line);
        }
    }
    let root = fs::canonicalize(pos[0]).expect("tree exists");
    let aiocop_dir = fs::canonicalize(pos[1]).expect("AIOCOP_DIR exists");

    let mut files = Vec::new();
    collect_rs(&root, &mut files);
    let (mut parsed, mut failed, mut skipped_build, mut total_fns, mut touched) = (0, 0, 0, 0, 0);
    let mut total_skipped = 0;
    // manifest -> (fns, needs a normal dependency)
    let mut packages: BTreeMap<PathBuf, (usize, bool)> = BTreeMap::new();
    let mut orphans = 0;
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap_or(file);
        let Ok(text) = fs::read_to_string(file) else {
            println!("unreadable: {}", rel.display());
            failed += 1;
            continue;
        };
        if file.file_name().is_some_and(|n| n == "build.rs") {
            skipped_build += 1;
            continue;
        }
        let skip_lines = skips.get(rel).map(Vec::as_slice).unwrap_or(&[]);
        match annotate(&text, skip_lines) {
            Err(e) => {
                failed += 1;
                let at = e.span().start();
                println!(
                    "parse-failed: {}:{}:{}: {e}",
                    rel.display(),
                    at.line,
                    at.column + 1
                );
            }
            Ok((_, 0, s)) => {
                parsed += 1;
                total_skipped += s;
            }
            Ok((new, n, s)) => {
                parsed += 1;
                total_skipped += s;
                touched += 1;
                total_fns += n;
                match owning_manifest(file, &root) {
                    Some(m) => {
                        let dev = is_dev_only(file, &m);
                        let e = packages.entry(m).or_insert((0, false));
                        e.0 += n;
                        e.1 |= !dev;
                    }
                    None => {
                        orphans += n;
                        println!("no-package: {} ({n} fns)", rel.display());
                    }
                }
                if !dry_run {
                    fs::write(file, new).expect("write annotated file");
                }
            }
        }
    }
    for (manifest, (n, normal)) in &packages {
        let section = if *normal {
            "dependencies"
        } else {
            "dev-dependencies"
        };
        let rel = manifest.strip_prefix(&root).unwrap_or(manifest);
        println!("package: {} fns={n} section={section}", rel.display());
        if !dry_run {
            if let Err(e) = add_dependency(manifest, section, &aiocop_dir) {
                println!("manifest-failed: {}: {e}", rel.display());
            }
        }
    }
    println!(
        "total: rs_files={} parsed={parsed} parse_failed={failed} build_rs_skipped={skipped_build} \
         files_annotated={touched} async_fns={total_fns} left_out={total_skipped} packages={} \
         fns_without_package={orphans}",
        files.len(),
        packages.len()
    );
}
