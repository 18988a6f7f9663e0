//! The walk over every function body of a crate: it tracks the execution context (async body,
//! sync function, offloaded closure), local types, block scopes and suppressions, and at each
//! call decides whether it is a blocking operation, a call to a same-crate function, or neither.
//! Items and function bodies are entered in `items.rs`, expression types come from `infer.rs`.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use proc_macro2::LineColumn;
use syn::punctuated::Punctuated;
use syn::visit::{self, Visit};
use syn::{Block, Expr, ExprCall, ExprMethodCall, Item, Token};

use super::callgraph::{Call, CallGraph, Cond};
use super::cond;
use super::guard::MAX_WALK_DEPTH;
use super::index::{CrateIndex, is_offload_name};
use super::ops::{OpId, OpTable};
use super::resolve::{Resolver, Scope, path_segments};
use super::scope::{AsyncKind, Ctx, Locals, Origin};
use super::source::SourceFile;
use super::suppress::{LineAllows, MissingReason};
use super::types::{self, Ty};
use super::{FileError, Finding, Location, Rule};

/// The longest chain of builder methods whose result the conditional-chain rule follows.
const MAX_BUILDER_CALLS: usize = 64;

/// A call from an async body to a same-crate sync function, judged once the whole crate is
/// walked.
pub(crate) struct PendingCall {
    pub(crate) callee: String,
    pub(crate) ctx: Ctx,
    pub(crate) at: Location,
    pub(crate) source_line: String,
    /// Where each argument's value comes from, by the callee's parameter positions (the
    /// receiver of a method call first): a conditional chain is judged on them.
    pub(crate) args: Vec<Origin>,
}

/// The arguments of a call, by the callee's parameter positions.
#[derive(Clone, Copy)]
pub(super) enum CallArgs<'e> {
    /// `f(a, b)`: `a` is position 0 (also the receiver of `Type::method(x, ..)`).
    Path(&'e Punctuated<Expr, Token![,]>),
    /// `r.m(a, b)`: the receiver is position 0.
    Method(&'e Expr, Option<&'e Punctuated<Expr, Token![,]>>),
}

impl<'e> CallArgs<'e> {
    fn all(self) -> Vec<&'e Expr> {
        match self {
            CallArgs::Path(args) => args.iter().collect(),
            CallArgs::Method(receiver, args) => std::iter::once(receiver)
                .chain(args.into_iter().flatten())
                .collect(),
        }
    }
}

/// A function defined inside a block (invisible to the crate index).
pub(super) struct LocalFn {
    pub(super) is_async: bool,
    pub(super) output: Ty,
}

/// What walking a crate produces.
pub(crate) struct CrateWalk<'a> {
    pub(super) index: &'a CrateIndex<'a>,
    pub(super) ops: &'a OpTable,
    pub(crate) graph: CallGraph,
    pub(crate) findings: Vec<Finding>,
    pub(crate) pending: Vec<PendingCall>,
    pub(super) local_fns: HashMap<String, LocalFn>,
    pub(super) blocks_seen: usize,
    /// Files whose expressions nest deeper than the walker descends.
    pub(crate) errors: Vec<FileError>,
    /// Every suppression seen, and what it suppressed.
    pub(crate) suppressions: Vec<Suppression>,
}

/// One `#[aiocop::allow_blocking]` attribute or `// aiocop: allow(..)` comment, and whether it
/// suppresses anything: a blocking operation directly, or calls to the same-crate functions
/// in `calls` (it does if one of them blocks, known once the crate is walked).
pub(crate) struct Suppression {
    pub(crate) at: Location,
    pub(crate) source_line: String,
    pub(crate) kind: &'static str,
    pub(crate) used: bool,
    pub(crate) calls: Vec<String>,
}

impl<'a> CrateWalk<'a> {
    pub(crate) fn new(index: &'a CrateIndex<'a>, ops: &'a OpTable) -> Self {
        CrateWalk {
            index,
            ops,
            graph: CallGraph::default(),
            findings: Vec::new(),
            pending: Vec::new(),
            local_fns: HashMap::new(),
            blocks_seen: 0,
            errors: Vec::new(),
            suppressions: Vec::new(),
        }
    }

    /// Records a suppression at `at`; returns its index.
    pub(super) fn suppression(
        &mut self,
        at: Location,
        source_line: &str,
        kind: &'static str,
    ) -> usize {
        self.suppressions.push(Suppression {
            at,
            source_line: source_line.to_string(),
            kind,
            used: false,
            calls: Vec::new(),
        });
        self.suppressions.len() - 1
    }

    /// Walks every item of one file of the crate.
    pub(crate) fn walk_file(&mut self, file: &SourceFile, module: &[String]) {
        let allows = LineAllows::scan(&file.text);
        let mut walker = Walker {
            index: self.index,
            ops: self.ops,
            out: self,
            file,
            module: module.to_vec(),
            blocks: Vec::new(),
            locals: Locals::default(),
            self_ty: None,
            ctx: Vec::new(),
            labels: Vec::new(),
            keys: Vec::new(),
            allowed_depth: 0,
            awaited: HashSet::new(),
            closure_param: None,
            allows: LineAllows::default(),
            depth: 0,
            too_deep: false,
            allow_stack: Vec::new(),
            comment_ids: HashMap::new(),
            method_types: RefCell::new(HashMap::new()),
            guards: Vec::new(),
            bounded: HashSet::new(),
        };
        for missing in &allows.missing_reasons {
            walker.missing_reason(
                *missing,
                "`// aiocop: allow(...)` needs a reason in the parentheses",
            );
        }
        for comment in allows.comments() {
            let at = Location {
                file: file.display.clone(),
                line: comment.line,
                column: comment.column,
                end_line: comment.line,
                end_column: comment.end_column,
            };
            let id = walker
                .out
                .suppression(at, file.line(comment.line), "`// aiocop: allow(..)`");
            walker.comment_ids.insert(comment.line, id);
        }
        walker.allows = allows;
        for item in &file.ast.items {
            walker.walk_item(item);
        }
    }
}

pub(super) struct Walker<'w, 'a> {
    pub(super) index: &'a CrateIndex<'a>,
    pub(super) ops: &'a OpTable,
    pub(super) out: &'w mut CrateWalk<'a>,
    pub(super) file: &'w SourceFile,
    pub(super) module: Vec<String>,
    pub(super) blocks: Vec<Scope>,
    pub(super) locals: Locals,
    pub(super) self_ty: Option<String>,
    pub(super) ctx: Vec<Ctx>,
    /// Labels of the functions being walked, innermost last.
    pub(super) labels: Vec<String>,
    /// Keys of the functions being walked, innermost last (prefix of nested functions' keys).
    pub(super) keys: Vec<String>,
    /// Greater than zero inside an item marked `#[aiocop::allow_blocking]`.
    pub(super) allowed_depth: usize,
    /// Calls (by address) that are awaited: async, whatever their name.
    pub(super) awaited: HashSet<usize>,
    /// The type of the first parameter of the closure about to be walked, when the call it is
    /// passed to says (`paths.iter().map(|p| ..)`: an item of `paths`).
    pub(super) closure_param: Option<Ty>,
    pub(super) allows: LineAllows,
    /// How many expressions the walk is inside.
    pub(super) depth: usize,
    /// Whether this file has been reported as nesting too deep.
    pub(super) too_deep: bool,
    /// The `allow_blocking` attributes in force (indices into the crate's suppressions).
    pub(super) allow_stack: Vec<usize>,
    /// Allow comments by their own line (indices into the crate's suppressions).
    pub(super) comment_ids: HashMap<usize, usize>,
    /// The types of method calls already computed (by address): chains of calls are typed
    /// once each, not once per call of the chain.
    pub(super) method_types: RefCell<HashMap<usize, Ty>>,
    /// The conditions on the sync function's inputs that the code being walked runs under
    /// (`if let Some(p) = config.key_log { .. }`), outermost first.
    pub(super) guards: Vec<Rc<Cond>>,
    /// `let` statements (by address) binding the sender of a `sync_channel` whose sends in
    /// its block never wait.
    pub(super) bounded: HashSet<usize>,
}

pub(super) fn addr<T>(node: &T) -> usize {
    node as *const T as usize
}

impl Walker<'_, '_> {
    pub(super) fn resolver(&self) -> Resolver<'_> {
        Resolver {
            index: self.index,
            ops: self.ops,
            module: &self.module,
            blocks: &self.blocks,
            self_ty: self.self_ty.as_deref(),
        }
    }

    pub(super) fn location(&self, start: LineColumn, end: LineColumn) -> Location {
        Location {
            file: self.file.display.clone(),
            line: start.line,
            column: start.column + 1,
            end_line: end.line,
            end_column: end.column + 1,
        }
    }

    pub(super) fn missing_reason(&mut self, m: MissingReason, message: &str) {
        let at = Location {
            file: self.file.display.clone(),
            line: m.line,
            column: m.column,
            end_line: m.line,
            end_column: m.end_column,
        };
        let source_line = self.file.line(m.line).to_string();
        self.out.findings.push(Finding {
            rule: Rule::AllowWithoutReason,
            message: message.to_string(),
            source_line,
            event: None,
            weight: None,
            category: None,
            alternative: None,
            context: String::new(),
            chain: Vec::new(),
            related: Vec::new(),
            denied: false,
            at,
        });
    }

    pub(super) fn declared(&self, ty: &syn::Type) -> Ty {
        types::from_syn(ty, &self.resolver())
    }

    pub(super) fn bind(&mut self, pat: &syn::Pat, ty: Ty) {
        let resolver = Resolver {
            index: self.index,
            ops: self.ops,
            module: &self.module,
            blocks: &self.blocks,
            self_ty: self.self_ty.as_deref(),
        };
        let mut declared = |t: &syn::Type| types::from_syn(t, &resolver);
        let (index, ops) = (self.index, self.ops);
        let mut struct_field = |ty: &Ty, path: &syn::Path, name: &str| {
            let ty = match ty {
                Ty::Named(..) => ty.clone(),
                _ => match resolver.resolve(&path_segments(path)) {
                    Some(full) => Ty::named(&full.join("::")),
                    None => return Ty::Unknown,
                },
            };
            super::infer::field_type(index, ops, &ty, name)
        };
        self.locals.bind(pat, ty, &mut declared, &mut struct_field);
    }

    pub(super) fn current_label(&self) -> String {
        self.labels
            .last()
            .cloned()
            .unwrap_or_else(|| "<item>".to_string())
    }

    /// The suppression that applies at 1-based `line`: the innermost `allow_blocking`
    /// attribute in force, else the allow comment covering the line.
    fn suppressed_by(&self, line: usize) -> Option<usize> {
        if let Some(&id) = self.allow_stack.last() {
            return Some(id);
        }
        let comment = self.allows.comment(line)?;
        self.comment_ids.get(&comment.line).copied()
    }

    /// Whether something found here would count: in async code or in a sync function (whose
    /// callers' chains it would make blocking), not in an offloaded closure.
    fn would_count(&self) -> bool {
        matches!(
            self.ctx.last(),
            Some(Ctx::Async { .. } | Ctx::SyncFn { .. })
        )
    }

    /// Records a blocking operation called at `start..end`.
    pub(super) fn op_call(&mut self, op: OpId, start: LineColumn, end: LineColumn) {
        let at = self.location(start, end);
        if self.allowed_depth > 0 || self.allows.covers(at.line) {
            if self.would_count()
                && let Some(id) = self.suppressed_by(at.line)
            {
                self.out.suppressions[id].used = true;
            }
            return;
        }
        match self.ctx.last() {
            Some(ctx @ Ctx::Async { .. }) if self.ops.op(op).via.is_some() => {
                // A dependency's function that blocks: reported with its chain inside the
                // dependency.
                let op = self.ops.op(op);
                let ctx = ctx.clone();
                let Some(via) = op.via.as_deref() else { return };
                let callee = via.steps.first().cloned().unwrap_or_default();
                let mut chain = vec![ctx.chain_name()];
                chain.extend(via.steps.iter().cloned());
                chain.push(op.event.clone());
                self.out.findings.push(Finding {
                    rule: Rule::BlockingChain,
                    message: format!(
                        "call to `{callee}` in {} blocks: it reaches `{}`",
                        ctx.describe(),
                        op.event
                    ),
                    source_line: self.file.line(at.line).to_string(),
                    event: Some(op.event.clone()),
                    weight: Some(op.weight),
                    category: Some(op.category.clone()),
                    alternative: op.alternative.clone(),
                    context: ctx.describe(),
                    chain,
                    related: via.at.clone(),
                    denied: false,
                    at,
                });
            }
            Some(ctx @ Ctx::Async { .. }) => {
                let op = self.ops.op(op);
                let ctx = ctx.clone();
                self.out.findings.push(Finding {
                    rule: Rule::BlockingCall,
                    message: format!("blocking call `{}` in {}", op.event, ctx.describe()),
                    source_line: self.file.line(at.line).to_string(),
                    event: Some(op.event.clone()),
                    weight: Some(op.weight),
                    category: Some(op.category.clone()),
                    alternative: op.alternative.clone(),
                    context: ctx.describe(),
                    chain: vec![ctx.chain_name(), op.event.clone()],
                    related: Vec::new(),
                    denied: false,
                    at,
                });
            }
            Some(Ctx::SyncFn { key }) => {
                let key = key.clone();
                let label = self.current_label();
                let guard = self.guards.first().cloned();
                self.out
                    .graph
                    .node(&key, &label)
                    .direct
                    .push((op, at, guard));
            }
            Some(Ctx::Offloaded) | None => {}
        }
    }

    /// Records a call to the same-crate function `callee` at `start..end`.
    pub(super) fn crate_call(
        &mut self,
        callee: &str,
        start: LineColumn,
        end: LineColumn,
        args: CallArgs<'_>,
    ) {
        let is_async = match self.index.fns.get(callee) {
            Some(info) => info.is_async,
            None => match self.out.local_fns.get(callee) {
                Some(local) => local.is_async,
                None => return,
            },
        };
        if is_async {
            return;
        }
        let at = self.location(start, end);
        if self.allowed_depth > 0 || self.allows.covers(at.line) {
            if self.would_count()
                && let Some(id) = self.suppressed_by(at.line)
            {
                self.out.suppressions[id].calls.push(callee.to_string());
            }
            return;
        }
        match self.ctx.last() {
            Some(ctx @ Ctx::Async { .. }) => {
                let ctx = ctx.clone();
                let args = args.all().into_iter().map(|a| self.origin_of(a)).collect();
                self.out.pending.push(PendingCall {
                    callee: callee.to_string(),
                    ctx,
                    source_line: self.file.line(at.line).to_string(),
                    at,
                    args,
                });
            }
            Some(Ctx::SyncFn { key }) => {
                let key = key.clone();
                let label = self.current_label();
                let args = args
                    .all()
                    .into_iter()
                    .map(|a| self.param_place(a))
                    .collect();
                let guard = self.guards.first().cloned();
                self.out.graph.node(&key, &label).calls.push(Call {
                    callee: callee.to_string(),
                    at,
                    guard,
                    args,
                });
            }
            Some(Ctx::Offloaded) | None => {}
        }
    }

    pub(super) fn is_crate_fn(&self, path: &str) -> bool {
        self.index.fns.contains_key(path) || self.out.local_fns.contains_key(path)
    }

    pub(super) fn on_path_call(&mut self, full: &str, call: &ExprCall, start: LineColumn) {
        let end = call.paren_token.span.close().end();
        if self.is_crate_fn(full) {
            self.crate_call(full, start, end, CallArgs::Path(&call.args));
            return;
        }
        if let Some(op) = self.ops.by_path(full) {
            if self.ops.takes_address(op) && call.args.first().is_some_and(literal_address) {
                return;
            }
            self.op_call(op, start, end);
            return;
        }
        // `Trait::method(&value, ..)`: the first argument is the receiver.
        if let Some((tr, method)) = full.rsplit_once("::")
            && let Some(first) = call.args.first()
        {
            let recv = self.type_of(first);
            if let Some(op) = self.ops.trait_call(tr, method, recv.path()) {
                self.op_call(op, start, end);
            }
        }
    }

    pub(super) fn on_method_call(&mut self, call: &ExprMethodCall) {
        let method = call.method.to_string();
        let start = call.method.span().start();
        let end = call.paren_token.span.close().end();
        self.method_named(&call.receiver, &method, Some(&call.args), start, end);
    }

    /// Records the call of `method` on `receiver` at `start..end`.
    pub(super) fn method_named(
        &mut self,
        receiver: &Expr,
        method: &str,
        args: Option<&Punctuated<Expr, Token![,]>>,
        start: LineColumn,
        end: LineColumn,
    ) {
        let first_arg = args.and_then(|a| a.first());
        let method = method.to_string();
        let mut ty = Some(self.type_of(receiver));
        let mut steps = 0;
        while let Some(t) = ty {
            if let Some(path) = t.path() {
                if let Some(key) = self.index.method(path, &method) {
                    let key = key.to_string();
                    self.crate_call(&key, start, end, CallArgs::Method(receiver, args));
                    return;
                }
                // `BufReader<File>` before `BufReader`.
                let op = t
                    .full_name()
                    .and_then(|full| self.ops.method_on(&full, &method))
                    .or_else(|| self.ops.method_on(path, &method));
                if let Some(op) = op {
                    let never_waits = (self.ops.takes_address(op)
                        && first_arg.is_some_and(literal_address))
                        || (method == "open" && opens_nonblocking(receiver))
                        || (method == "send" && self.origin_of(receiver) == Origin::BoundedSender);
                    if !never_waits {
                        self.op_call(op, start, end);
                    }
                    return;
                }
            }
            steps += 1;
            ty = if steps < 8 { t.deref() } else { None };
        }
        let resolver = self.resolver();
        if let Some(op) = self
            .ops
            .trait_method(&method, |tr| resolver.trait_in_scope(tr))
        {
            self.op_call(op, start, end);
        }
    }

    /// Where the value of `e` visibly comes from (see [`Origin`]).
    pub(super) fn origin_of(&self, e: &Expr) -> Origin {
        match e {
            Expr::Paren(p) => self.origin_of(&p.expr),
            Expr::Reference(r) => self.origin_of(&r.expr),
            _ if cond::is_off(e) => Origin::Off,
            Expr::Path(p) if p.qself.is_none() => match p.path.get_ident() {
                Some(ident) => self.locals.origin(&ident.to_string()),
                None => Origin::Unknown,
            },
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) if p.qself.is_none() => {
                    match self.resolver().resolve(&path_segments(&p.path)) {
                        Some(full) => {
                            let full = full.join("::");
                            if self.index.fns.contains_key(&full) {
                                Origin::Built(Rc::from(vec![full]))
                            } else {
                                Origin::Unknown
                            }
                        }
                        None => Origin::Unknown,
                    }
                }
                _ => Origin::Unknown,
            },
            Expr::MethodCall(m) => {
                // A builder chain `Config::new().a(..).b(..)`, walked in a loop (generated
                // code chains thousands of calls); longer than any builder, it is not evident.
                let mut methods = vec![m];
                let mut root = &*m.receiver;
                while let Expr::MethodCall(inner) = root {
                    if methods.len() >= MAX_BUILDER_CALLS {
                        return Origin::Unknown;
                    }
                    methods.push(inner);
                    root = &*inner.receiver;
                }
                let Origin::Built(keys) = self.origin_of(root) else {
                    return Origin::Unknown;
                };
                let mut keys = keys.to_vec();
                for call in methods.iter().rev() {
                    let ty = self.type_of(&call.receiver);
                    match ty
                        .path()
                        .and_then(|path| self.index.method(path, &call.method.to_string()))
                    {
                        Some(key) => keys.push(key.to_string()),
                        None => return Origin::Unknown,
                    }
                }
                Origin::Built(Rc::from(keys))
            }
            _ => Origin::Unknown,
        }
    }

    /// The parameter of the sync function being walked (and the fields below it) that `e`
    /// reads, if it reads one.
    fn param_place(&self, e: &Expr) -> Option<(usize, Vec<String>)> {
        let (root, fields) = cond::place(e)?;
        match self.locals.origin(&root) {
            Origin::Param(i) => Some((i, fields)),
            _ => None,
        }
    }

    /// The condition on the sync function's inputs that a branch taken when `place` is set
    /// runs under.
    fn guard_for(&self, place: Option<(String, Vec<String>)>) -> Option<Rc<Cond>> {
        if !matches!(self.ctx.last(), Some(Ctx::SyncFn { .. })) {
            return None;
        }
        let (root, fields) = place?;
        match self.locals.origin(&root) {
            Origin::Param(param) => Some(Rc::new(Cond { param, fields })),
            _ => None,
        }
    }

    /// Marks the `let` statements of `block` that bind the sender of a local
    /// `mpsc::sync_channel(n)` whose sends never wait (see [`cond::sends_within_capacity`]).
    fn find_bounded_senders(&mut self, block: &Block) {
        for (i, stmt) in block.stmts.iter().enumerate() {
            let syn::Stmt::Local(local) = stmt else {
                continue;
            };
            let Some(init) = &local.init else { continue };
            let Expr::Call(call) = &*init.expr else {
                continue;
            };
            let Expr::Path(func) = &*call.func else {
                continue;
            };
            if func
                .path
                .segments
                .last()
                .is_none_or(|s| s.ident != "sync_channel")
            {
                continue;
            }
            let resolved = self.resolver().resolve(&path_segments(&func.path));
            if resolved.is_none_or(|full| full.join("::") != "std::sync::mpsc::sync_channel") {
                continue;
            }
            let mut pat = &local.pat;
            if let syn::Pat::Type(t) = pat {
                pat = &t.pat;
            }
            let syn::Pat::Tuple(tuple) = pat else {
                continue;
            };
            let Some(syn::Pat::Ident(sender)) = tuple.elems.first() else {
                continue;
            };
            if let Some(capacity) = cond::channel_capacity(call)
                && cond::sends_within_capacity(
                    &sender.ident.to_string(),
                    capacity,
                    &block.stmts[i + 1..],
                )
            {
                self.bounded.insert(addr(local));
            }
        }
    }

    pub(super) fn visit_arg(&mut self, arg: &Expr, offload: bool) {
        match arg {
            Expr::Closure(c) if offload && c.asyncness.is_none() => {
                self.ctx.push(Ctx::Offloaded);
                self.visit_expr_closure(c);
                self.ctx.pop();
            }
            _ => self.visit_expr(arg),
        }
    }
}

/// Whether an address argument is literal, so that binding or connecting to it resolves no
/// host name: `"127.0.0.1:0"`, `"[::1]:80"`, `("0.0.0.0", port)`, `(Ipv4Addr::LOCALHOST, 0)`,
/// `SocketAddr::from(..)`, `SocketAddrV4::new(..)`.
pub(super) fn literal_address(e: &Expr) -> bool {
    let ip_expr = |e: &Expr| match e {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Str(s) => s.value().parse::<std::net::IpAddr>().is_ok(),
            _ => false,
        },
        Expr::Path(p) => p.path.segments.iter().any(|s| {
            matches!(
                s.ident.to_string().as_str(),
                "Ipv4Addr" | "Ipv6Addr" | "IpAddr"
            )
        }),
        Expr::Call(c) => matches!(&*c.func, Expr::Path(p) if p.path.segments.iter().any(|s| {
            matches!(s.ident.to_string().as_str(), "Ipv4Addr" | "Ipv6Addr" | "IpAddr")
        })),
        Expr::Array(_) => true,
        _ => false,
    };
    match e {
        Expr::Reference(r) => literal_address(&r.expr),
        Expr::Paren(p) => literal_address(&p.expr),
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Str(s) => s.value().parse::<std::net::SocketAddr>().is_ok(),
            _ => false,
        },
        Expr::Tuple(t) => t.elems.first().is_some_and(ip_expr),
        Expr::Call(c) => matches!(&*c.func, Expr::Path(p) if p.path.segments.iter().any(|s| {
            matches!(
                s.ident.to_string().as_str(),
                "SocketAddr" | "SocketAddrV4" | "SocketAddrV6"
            )
        })),
        _ => false,
    }
}

/// Whether an `OpenOptions` receiver sets `custom_flags(.. O_NONBLOCK ..)` in its chain of
/// builder calls: opening a FIFO that way returns at once instead of waiting for a writer.
fn opens_nonblocking(receiver: &Expr) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_path(&mut self, p: &'ast syn::Path) {
            if p.segments.last().is_some_and(|s| s.ident == "O_NONBLOCK") {
                self.0 = true;
            }
        }
    }
    let mut current = receiver;
    loop {
        match current {
            Expr::MethodCall(m) => {
                if m.method == "custom_flags" {
                    let mut finder = Finder(false);
                    for arg in &m.args {
                        finder.visit_expr(arg);
                    }
                    if finder.0 {
                        return true;
                    }
                }
                current = &m.receiver;
            }
            Expr::Reference(r) => current = &r.expr,
            Expr::Paren(p) => current = &p.expr,
            _ => return false,
        }
    }
}

impl<'ast> Visit<'ast> for Walker<'_, '_> {
    fn visit_item(&mut self, item: &'ast Item) {
        self.walk_item(item);
    }

    fn visit_block(&mut self, block: &'ast Block) {
        let (scope, fns) = self.block_scope(block);
        self.blocks.push(scope);
        for (key, is_async, output) in fns {
            let output = output.map(|t| self.declared(&t)).unwrap_or(Ty::Unknown);
            self.out.local_fns.insert(key, LocalFn { is_async, output });
        }
        self.locals.push();
        self.find_bounded_senders(block);
        for stmt in &block.stmts {
            self.visit_stmt(stmt);
        }
        self.locals.pop();
        self.blocks.pop();
    }

    fn visit_local(&mut self, local: &'ast syn::Local) {
        let mut ty = Ty::Unknown;
        if let Some(init) = &local.init {
            self.visit_expr(&init.expr);
            if let Some((_, diverge)) = &init.diverge {
                self.visit_expr(diverge);
            }
            ty = self.type_of(&init.expr);
        }
        self.bind(&local.pat, ty);
        if let Some(init) = &local.init {
            let mut pat = &local.pat;
            if let syn::Pat::Type(t) = pat {
                pat = &t.pat;
            }
            match pat {
                // A `mut` local may change after its initializer: its origin is unknown.
                syn::Pat::Ident(p) if p.mutability.is_none() && p.subpat.is_none() => {
                    let origin = self.origin_of(&init.expr);
                    if origin != Origin::Unknown {
                        self.locals.set_origin(&p.ident.to_string(), origin);
                    }
                }
                syn::Pat::Tuple(t) if self.bounded.contains(&addr(local)) => {
                    if let Some(syn::Pat::Ident(sender)) = t.elems.first() {
                        self.locals
                            .set_origin(&sender.ident.to_string(), Origin::BoundedSender);
                    }
                }
                _ => {}
            }
        }
    }

    fn visit_expr_await(&mut self, e: &'ast syn::ExprAwait) {
        let mut base = &*e.base;
        while let Expr::Paren(p) = base {
            base = &p.expr;
        }
        match base {
            Expr::Call(c) => {
                self.awaited.insert(addr(c));
            }
            Expr::MethodCall(m) => {
                self.awaited.insert(addr(m));
            }
            _ => {}
        }
        visit::visit_expr_await(self, e);
    }

    fn visit_expr_call(&mut self, call: &'ast ExprCall) {
        let awaited = self.awaited.remove(&addr(call));
        let mut offload = false;
        match &*call.func {
            Expr::Path(p) if p.qself.is_none() => {
                let segs = path_segments(&p.path);
                if let Some(full) = self.resolver().resolve(&segs) {
                    let name = full.last().map(String::as_str).unwrap_or("");
                    let full = full.join("::");
                    offload = is_offload_name(name)
                        || self.index.is_offloader(&full)
                        || self.ops.is_offloader(&full);
                    if !awaited {
                        let start = match &p.path.leading_colon {
                            Some(colon) => colon.spans[0].start(),
                            None => p
                                .path
                                .segments
                                .first()
                                .map(|s| s.ident.span().start())
                                .unwrap_or(LineColumn { line: 0, column: 0 }),
                        };
                        self.on_path_call(&full, call, start);
                    }
                }
            }
            func => self.visit_expr(func),
        }
        for arg in &call.args {
            self.visit_arg(arg, offload);
        }
    }

    fn visit_expr(&mut self, e: &'ast Expr) {
        if self.depth >= MAX_WALK_DEPTH {
            if !self.too_deep {
                self.too_deep = true;
                let start = syn::spanned::Spanned::span(e).start();
                self.out.errors.push(FileError {
                    file: self.file.display.clone(),
                    line: start.line,
                    column: start.column + 1,
                    message: format!("expressions nested deeper than {MAX_WALK_DEPTH} levels"),
                });
            }
            return;
        }
        self.depth += 1;
        visit::visit_expr(self, e);
        self.depth -= 1;
    }

    fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
        // A chain `a.b().c().d()` is walked in a loop, not one recursion per call: generated
        // code chains thousands of calls.
        let mut chain = Vec::new();
        let mut current = call;
        loop {
            let awaited = self.awaited.remove(&addr(current));
            if !awaited {
                self.on_method_call(current);
            }
            chain.push(current);
            match &*current.receiver {
                Expr::MethodCall(inner) => current = inner,
                _ => break,
            }
        }
        self.visit_expr(&current.receiver);
        for call in chain.iter().rev() {
            let method = call.method.to_string();
            let offload = is_offload_name(&method)
                || (self.ops.offloads_some_method(&method)
                    && self
                        .type_of(&call.receiver)
                        .path()
                        .is_some_and(|ty| self.ops.is_offloader(&format!("{ty}::{method}"))));
            let item = (types::CLOSURE_TAKES_ITEM.contains(&method.as_str())
                && call.args.iter().any(|a| matches!(a, Expr::Closure(_))))
            .then(|| types::item_type(&self.type_of(&call.receiver)));
            for arg in &call.args {
                if let (Expr::Closure(_), Some(item)) = (arg, &item) {
                    self.closure_param = Some(item.clone());
                }
                self.visit_arg(arg, offload);
                self.closure_param = None;
            }
        }
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        let is_async = c.asyncness.is_some();
        if is_async {
            self.ctx.push(Ctx::Async {
                kind: AsyncKind::Closure,
                function: self.current_label(),
            });
        }
        let mut first = self.closure_param.take();
        self.locals.push();
        for input in &c.inputs {
            self.bind(input, first.take().unwrap_or(Ty::Unknown));
        }
        self.visit_expr(&c.body);
        self.locals.pop();
        if is_async {
            self.ctx.pop();
        }
    }

    fn visit_expr_async(&mut self, e: &'ast syn::ExprAsync) {
        self.ctx.push(Ctx::Async {
            kind: AsyncKind::Block,
            function: self.current_label(),
        });
        self.visit_block(&e.block);
        self.ctx.pop();
    }

    fn visit_expr_if(&mut self, e: &'ast syn::ExprIf) {
        self.locals.push();
        self.visit_expr(&e.cond);
        let guard = self.guard_for(cond::guarded_place(&e.cond));
        let guarded = guard.is_some();
        self.guards.extend(guard);
        self.visit_block(&e.then_branch);
        if guarded {
            self.guards.pop();
        }
        self.locals.pop();
        if let Some((_, els)) = &e.else_branch {
            self.visit_expr(els);
        }
    }

    fn visit_expr_while(&mut self, e: &'ast syn::ExprWhile) {
        self.locals.push();
        self.visit_expr(&e.cond);
        self.visit_block(&e.body);
        self.locals.pop();
    }

    fn visit_expr_let(&mut self, e: &'ast syn::ExprLet) {
        self.visit_expr(&e.expr);
        let ty = self.type_of(&e.expr);
        self.bind(&e.pat, ty);
    }

    fn visit_expr_match(&mut self, e: &'ast syn::ExprMatch) {
        self.visit_expr(&e.expr);
        let ty = self.type_of(&e.expr);
        let scrutinee = cond::place(&e.expr);
        for arm in &e.arms {
            self.locals.push();
            // An arm matching only `Some(..)` of an input runs only when the input is set.
            let guard = if cond::is_some_pattern(&arm.pat) {
                self.guard_for(scrutinee.clone())
            } else {
                None
            };
            self.bind(&arm.pat, ty.clone());
            if let Some((_, guard)) = &arm.guard {
                self.visit_expr(guard);
            }
            let guarded = guard.is_some();
            self.guards.extend(guard);
            self.visit_expr(&arm.body);
            if guarded {
                self.guards.pop();
            }
            self.locals.pop();
        }
    }

    fn visit_expr_for_loop(&mut self, e: &'ast syn::ExprForLoop) {
        self.visit_expr(&e.expr);
        let ty = types::item_type(&self.type_of(&e.expr));
        self.locals.push();
        self.bind(&e.pat, ty);
        self.visit_block(&e.body);
        self.locals.pop();
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // Most macros (`println!`, `assert!`, `tokio::join!`, `write!`) take expressions; the
        // calls inside them run where the macro is. Others (`select!`, DSLs) are left unread.
        if let Ok(args) = m.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated) {
            // `write!(dest, ..)` and `writeln!(dest, ..)` call `dest.write_fmt(..)`.
            let name = m.path.segments.last().map(|s| s.ident.to_string());
            if matches!(name.as_deref(), Some("write" | "writeln"))
                && let Some(dest) = args.first()
            {
                let start = m.path.segments.first().map(|s| s.ident.span().start());
                let end = m.delimiter.span().close().end();
                if let Some(start) = start {
                    self.method_named(dest, "write_fmt", None, start, end);
                }
            }
            for arg in &args {
                self.visit_expr(arg);
            }
        }
    }
}
