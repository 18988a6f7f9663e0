//! aiocop's probe table (`aiocop/src/probe/table.rs`) is generated from the catalog, and this test
//! is its generator: it renders the table from [`CATALOG`] and fails when the checked-in file
//! differs, so a catalog change that is not carried into the runtime's probes cannot pass CI. Run
//! with `AIOCOP_BLESS=1` it writes the file instead:
//!
//! ```sh
//! AIOCOP_BLESS=1 cargo test -p aiocop-lints --test probe_table
//! ```
//!
//! The table holds one line per routed function (an operation with a shim) giving the type its
//! probe compares the call's result with, and per routed method name the receiver types its probe
//! compares with, then the text of the `deny` diagnostics. Every type comes from the catalog
//! ([`BlockingOp::probe_types`]); the `function_probes!` and `method_probes!` macros in
//! `aiocop/src/probe.rs` turn the table into code.

use std::fmt::Write as _;
use std::path::PathBuf;

use aiocop_lints::catalog::{self, BlockingOp, CATALOG, Callee, Category};

/// The command that regenerates the table, as the failure message tells it.
const BLESS: &str = "AIOCOP_BLESS=1 cargo test -p aiocop-lints --test probe_table";

/// The generated file, relative to the workspace's root.
const TABLE: &str = "aiocop/src/probe/table.rs";

fn table_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(TABLE)
}

/// The probe module of a routed function: its path in snake case (`std_fs_file_open`). The macro
/// names the module it calls the same way (`routes::function_module` in aiocop-macros).
fn function_module(path: &str) -> String {
    path.to_lowercase().replace("::", "_")
}

/// `text` as a Rust string literal.
fn rust_str(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The `deny` diagnostic of a method operation: what blocks, and the catalog's async alternative.
fn denial(op: &BlockingOp, receiver: &str, method: &str, via_trait: Option<&str>) -> [String; 2] {
    let message = if via_trait == Some(receiver) {
        // The receiver is the trait itself (`ToSocketAddrs`): name it, not a type.
        let what = if op.category == Category::Dns {
            "resolves names and blocks"
        } else {
            "blocks"
        };
        format!("`.{method}()` ({receiver}) {what} the async runtime")
    } else {
        format!("`.{method}()` on a `{receiver}` blocks the async runtime")
    };
    let note = format!("async alternative: {}", op.alternative);
    [rust_str(&message), rust_str(&note)]
}

/// The table's text, from the catalog.
fn render_probe_table() -> String {
    let routed = || CATALOG.iter().filter(|op| op.shim.is_some());
    let mut out = String::new();
    out.push_str("// Generated from aiocop-lints/src/catalog.rs: do not edit. After changing the catalog, run\n");
    writeln!(out, "// {BLESS}").unwrap();
    out.push_str("//! Which types the probes recognise, per catalog operation.\n\n");

    out.push_str("function_probes! {\n");
    for op in routed() {
        let Callee::Function { path } = op.callee else {
            continue;
        };
        let [result] = op.probe_types else {
            panic!(
                "{path} has a shim but no result type: write `function(\"{path}\", returns \
                 \"Type\")` in aiocop-lints/src/catalog.rs"
            );
        };
        writeln!(
            out,
            "    {} => {}: [{}] {};",
            function_module(path),
            op.name,
            result.generics,
            result.ty
        )
        .unwrap();
    }
    out.push_str("}\n\n");

    // Method names in the order the catalog first lists them, each with its operations.
    let mut methods: Vec<(&str, Vec<&BlockingOp>)> = Vec::new();
    for op in routed() {
        if let Callee::Method { method, .. } = op.callee {
            match methods.iter_mut().find(|(name, _)| *name == method) {
                Some((_, ops)) => ops.push(op),
                None => methods.push((method, vec![op])),
            }
        }
    }
    out.push_str("method_probes! {\n");
    for (method, ops) in &methods {
        let mode = if catalog::probed_by_traits(method) {
            "by_traits"
        } else {
            "by_type"
        };
        writeln!(out, "    {method} {mode}: [").unwrap();
        for op in ops {
            assert!(
                !op.probe_types.is_empty(),
                "{} has a shim but no receiver types: add its receiver to RECEIVER_TYPES in \
                 aiocop-lints/src/catalog.rs",
                op.event
            );
            for ty in op.probe_types {
                let kind = if ty.described { "described" } else { "plain" };
                // Generic parameters end with a comma so the `deny` impls can add theirs after.
                let generics = if ty.generics.is_empty() {
                    String::new()
                } else {
                    format!("{},", ty.generics)
                };
                writeln!(out, "        {kind} [{generics}] {} => {},", ty.ty, op.name).unwrap();
            }
        }
        out.push_str("    ] deny [\n");
        for op in ops {
            let Callee::Method {
                receiver,
                method,
                via_trait,
            } = op.callee
            else {
                unreachable!("grouped from method operations only");
            };
            let [message, note] = denial(op, receiver, method, via_trait);
            writeln!(out, "        {} =>", op.name).unwrap();
            writeln!(out, "            {message},").unwrap();
            writeln!(out, "            {note};").unwrap();
        }
        out.push_str("    ];\n");
    }
    out.push_str("}\n");
    out
}

#[test]
fn probe_table_is_generated_from_the_catalog() {
    let path = table_path();
    let rendered = render_probe_table();
    let current = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if rendered == current {
        return;
    }
    if std::env::var_os("AIOCOP_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &rendered)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        eprintln!("wrote {}", path.display());
        return;
    }
    // Point at the first difference, so the failure says what changed.
    let line = rendered
        .lines()
        .zip(current.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| rendered.lines().count().min(current.lines().count()));
    panic!(
        "probe table is stale: run `{BLESS}`\n\
         first difference at {TABLE}:{}:\n  generated: {}\n  in file:   {}",
        line + 1,
        rendered.lines().nth(line).unwrap_or("(end of text)"),
        current.lines().nth(line).unwrap_or("(end of file)"),
    );
}
