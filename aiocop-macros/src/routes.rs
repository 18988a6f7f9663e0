//! Which calls the macro routes, read from the catalog: path calls of std functions and method
//! calls whose name a std blocking method has. The probe modules in `aiocop::__private::probe`
//! are named the same way (see `scripts/gen-probe-table.py`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use aiocop_lints::catalog::{self, BlockingOp, Callee};

/// A routed function: its path segments and operation.
pub(crate) struct RoutedFn {
    pub(crate) segments: Vec<&'static str>,
    pub(crate) op: &'static BlockingOp,
}

pub(crate) struct RoutedMethod {
    pub(crate) ops: Vec<&'static BlockingOp>,
    /// Every receiver has it from `Read`, `Write`, `BufRead` or `FileExt`: its arguments are
    /// buffers (and offsets), not worth showing.
    pub(crate) io_buffers_only: bool,
    /// Every std method of this name returns `()` or a `Result` of `()`.
    pub(crate) returns_unit: bool,
    /// Probed by trait selection rather than by the `probe` function of its module (see
    /// `catalog::probed_by_traits`).
    pub(crate) by_traits: bool,
    /// The argument counts of the std methods of this name; `None` among them if one is unknown.
    arities: BTreeSet<Option<u8>>,
}

impl RoutedMethod {
    /// Whether a call of this name with `args` arguments may be one of the std methods.
    pub(crate) fn takes(&self, args: usize) -> bool {
        self.arities.contains(&None)
            || u8::try_from(args).is_ok_and(|n| self.arities.contains(&Some(n)))
    }
}

struct Routes {
    functions: Vec<RoutedFn>,
    methods: BTreeMap<&'static str, RoutedMethod>,
    /// The last segments of the routed functions' paths.
    function_names: BTreeSet<&'static str>,
}

fn routes() -> &'static Routes {
    static ROUTES: OnceLock<Routes> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let mut functions = Vec::new();
        let mut methods: BTreeMap<&'static str, RoutedMethod> = BTreeMap::new();
        // Only operations with a shim are std's and have a probe in the runtime.
        for op in catalog::CATALOG.iter().filter(|op| op.shim.is_some()) {
            match op.callee {
                Callee::Function { path } => functions.push(RoutedFn {
                    segments: path.split("::").collect(),
                    op,
                }),
                Callee::Method { method, .. } => {
                    let io_trait = matches!(
                        op.callee,
                        Callee::Method { via_trait: Some(t), .. }
                            if t.starts_with("std::io::") || t.ends_with("::FileExt")
                    );
                    let entry = methods.entry(method).or_insert(RoutedMethod {
                        ops: Vec::new(),
                        io_buffers_only: true,
                        returns_unit: true,
                        by_traits: catalog::probed_by_traits(method),
                        arities: BTreeSet::new(),
                    });
                    entry.arities.insert(op.arity);
                    entry.io_buffers_only &= io_trait;
                    entry.returns_unit &= op.returns_unit;
                    entry.ops.push(op);
                }
            }
        }
        let function_names = functions
            .iter()
            .filter_map(|f: &RoutedFn| f.segments.last().copied())
            .collect();
        Routes {
            functions,
            methods,
            function_names,
        }
    })
}

/// The function a path call names, if exactly one routed function's path ends with `segments`.
///
/// `fs::read`, `std::fs::read` and `File::open` match; a path starting at `crate`, `self` or
/// `super` is the user's own. A single segment (`sleep` after `use std::thread::sleep`) matches
/// unless it is a local binding of the function.
pub(crate) fn function(segments: &[String]) -> Option<&'static RoutedFn> {
    let first = segments.first()?;
    if matches!(first.as_str(), "crate" | "self" | "super" | "Self") {
        return None;
    }
    let mut hits = routes().functions.iter().filter(|f| {
        f.segments.len() >= segments.len()
            && f.segments[f.segments.len() - segments.len()..]
                .iter()
                .zip(segments)
                .all(|(a, b)| *a == b)
    });
    match (hits.next(), hits.next()) {
        (Some(hit), None) => Some(hit),
        _ => None,
    }
}

/// Whether a path call ending in `name` may be a routed function.
pub(crate) fn names_a_function(name: &proc_macro2::Ident) -> bool {
    routes().function_names.contains(name.to_string().as_str())
}

/// Whether `tokens` (a macro's arguments) contain the name of a routed function or method, that
/// is whether rewriting them could change anything.
pub(crate) fn mentions_routed_name(tokens: &proc_macro2::TokenStream) -> bool {
    tokens.clone().into_iter().any(|tree| match tree {
        proc_macro2::TokenTree::Ident(ident) => {
            let name = ident.to_string();
            routes().methods.contains_key(name.as_str())
                || routes().function_names.contains(name.as_str())
        }
        proc_macro2::TokenTree::Group(group) => mentions_routed_name(&group.stream()),
        _ => false,
    })
}

/// The routed method of this name, if any.
pub(crate) fn method(name: &str) -> Option<&'static RoutedMethod> {
    routes().methods.get(name)
}

/// The probe module of a routed function: its path in snake case.
pub(crate) fn function_module(op: &BlockingOp) -> String {
    op.event.to_lowercase().replace("::", "_")
}
