//! Two rules that keep calls which cannot block on the path the code takes out of the report:
//!
//! - **Conditional chains**: a blocking step of a sync function that runs only when an optional
//!   input is set (`if let Some(path) = config.key_log { File::create(path) }`, `if self.verbose`)
//!   does not make a call block when the call's argument visibly leaves that input unset:
//!   `None`, `false`, or a value built by a same-crate constructor that sets the field to `None`
//!   followed by builder methods none of which sets it (`Config::new().with_roots(r)`). When
//!   the argument's value is not evident the chain is reported, as before.
//! - **Bounded channels**: `let (tx, rx) = mpsc::sync_channel(n)` (n at least 1) whose sender,
//!   in the rest of its block, is only sent on (or dropped), at most `n` times, none of the
//!   sends repeatable (not in a loop, nor in a closure that may run more than once): the
//!   buffer always has room, so those sends never wait.

use std::collections::HashMap;

use syn::visit::{self, Visit};
use syn::{Block, Expr, Lit, Member, Pat, Stmt};

use super::index::{CrateIndex, is_offload_name, type_path};

/// What a same-crate function leaves in a field of the value it builds or updates (a
/// constructor's `Self { key_log: None, .. }`, a builder's `self.key_log = Some(p)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldState {
    /// `None` or `false`, everywhere the function sets it.
    Off,
    /// Anything else (or `None` in some places only).
    Set,
}

/// The place an expression reads, as a local's name and the named fields below it
/// (`config.tls.key_log` → `config`, `[tls, key_log]`), seen through `&`, parentheses and
/// methods that only borrow or copy an option (`as_ref`, `as_deref`, `clone`, `take`, ...).
pub(crate) fn place(e: &Expr) -> Option<(String, Vec<String>)> {
    let mut current = e;
    let mut fields = Vec::new();
    loop {
        match current {
            Expr::Paren(p) => current = &p.expr,
            Expr::Reference(r) => current = &r.expr,
            Expr::MethodCall(m)
                if m.args.is_empty()
                    && fields.is_empty()
                    && matches!(
                        m.method.to_string().as_str(),
                        "as_ref" | "as_deref" | "as_mut" | "as_deref_mut" | "clone" | "take"
                    ) =>
            {
                current = &m.receiver
            }
            Expr::Field(f) => match &f.member {
                Member::Named(name) => {
                    fields.push(name.to_string());
                    current = &f.base;
                }
                Member::Unnamed(_) => return None,
            },
            Expr::Path(p) if p.qself.is_none() => {
                let ident = p.path.get_ident()?;
                fields.reverse();
                return Some((ident.to_string(), fields));
            }
            _ => return None,
        }
    }
}

/// The place an `if` condition makes its branch depend on being set: `let Some(..) = place`
/// (also as one operand of a `&&` chain) or a `bool` place (`if self.verbose`).
pub(crate) fn guarded_place(cond: &Expr) -> Option<(String, Vec<String>)> {
    match cond {
        Expr::Let(l) if is_some_pattern(&l.pat) => place(&l.expr),
        Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
            guarded_place(&b.left).or_else(|| guarded_place(&b.right))
        }
        Expr::Paren(p) => guarded_place(&p.expr),
        Expr::Field(_) | Expr::Path(_) => place(cond),
        _ => None,
    }
}

/// Whether a pattern matches only `Some(..)`.
pub(crate) fn is_some_pattern(pat: &Pat) -> bool {
    matches!(pat, Pat::TupleStruct(t) if t.path.segments.last().is_some_and(|s| s.ident == "Some"))
}

/// Whether an expression is `None` or `false`: an optional input left off.
pub(crate) fn is_off(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => is_off(&p.expr),
        Expr::Path(p) => {
            p.qself.is_none()
                && p.path.segments.last().is_some_and(|s| s.ident == "None")
                && p.path.segments.len() <= 2
        }
        Expr::Lit(l) => matches!(&l.lit, Lit::Bool(b) if !b.value),
        _ => false,
    }
}

/// What the chain of same-crate calls `keys` (a constructor, then builder methods) leaves in
/// the field `field` of the value it builds; `None` when that is not evident: a function of
/// the chain has no body, the constructor does not name the field, or a builder method does
/// more with `self` than assign its fields and return it.
pub(crate) fn field_after(
    index: &CrateIndex<'_>,
    keys: &[String],
    field: &str,
) -> Option<FieldState> {
    let mut state = None;
    for (i, key) in keys.iter().enumerate() {
        let info = index.fns.get(key)?;
        let type_name = info
            .self_ty
            .as_deref()
            .and_then(|t| t.rsplit("::").next())
            .map(str::to_string);
        // Every step must build or pass on a value of its own type (`-> Self`): a step to
        // another type (`.build()`) says nothing of that type's fields.
        let returns_own_type = match info.output {
            syn::ReturnType::Type(_, ty) => type_path(ty)
                .and_then(|segs| segs.last().cloned())
                .is_some_and(|last| last == "Self" || Some(&last) == type_name.as_ref()),
            syn::ReturnType::Default => false,
        };
        if !returns_own_type {
            return None;
        }
        let effects = field_effects(info.body?, type_name.as_deref(), i > 0)?;
        match effects.get(field) {
            Some(s) => state = Some(*s),
            // A builder method that does not name the field leaves it as it was; a
            // constructor that does not name it says nothing.
            None if i == 0 => return None,
            None => {}
        }
    }
    state
}

/// The fields a function's body sets in the value of its own type it builds (struct literals
/// of `Self` or of `type_name`) or, for a method (`method`), in `self` (`self.f = v`,
/// `self.f.g = v` sets `f`). `None` when a method uses `self` otherwise than by assigning its
/// fields, reading them and returning it (it may set fields through calls).
fn field_effects(
    body: &Block,
    type_name: Option<&str>,
    method: bool,
) -> Option<HashMap<String, FieldState>> {
    struct Effects<'t> {
        type_name: Option<&'t str>,
        method: bool,
        fields: HashMap<String, FieldState>,
        opaque: bool,
    }
    impl Effects<'_> {
        fn set(&mut self, field: String, value: &Expr) {
            let state = if is_off(value) {
                FieldState::Off
            } else {
                FieldState::Set
            };
            let entry = self.fields.entry(field).or_insert(state);
            if state == FieldState::Set {
                *entry = FieldState::Set;
            }
        }
        fn is_self(e: &Expr) -> bool {
            matches!(e, Expr::Path(p) if p.path.is_ident("self"))
        }
    }
    impl<'ast> Visit<'ast> for Effects<'_> {
        fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
            if self.method
                && let Some((root, fields)) = place(&a.left)
                && root == "self"
                && let Some(first) = fields.first()
            {
                let value = if fields.len() == 1 {
                    &*a.right
                } else {
                    // `self.f.g = None` leaves `f` set to something.
                    &*a.left
                };
                self.set(first.clone(), value);
                self.visit_expr(&a.right);
                return;
            }
            visit::visit_expr_assign(self, a);
        }
        fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
            let last = s.path.segments.last().map(|seg| seg.ident.to_string());
            if last.as_deref() == Some("Self")
                || (last.is_some() && last.as_deref() == self.type_name)
            {
                for field in &s.fields {
                    if let Member::Named(name) = &field.member {
                        self.set(name.to_string(), &field.expr);
                    }
                }
            }
            for field in &s.fields {
                self.visit_expr(&field.expr);
            }
            // `..self` keeps the other fields; any other base is visited like any expression.
            if let Some(rest) = &s.rest
                && !Self::is_self(rest)
            {
                self.visit_expr(rest);
            }
        }
        fn visit_expr_field(&mut self, f: &'ast syn::ExprField) {
            // Reading a field of `self` changes nothing.
            let mut base = &*f.base;
            while let Expr::Field(inner) = base {
                base = &inner.base;
            }
            if Self::is_self(base) {
                return;
            }
            visit::visit_expr_field(self, f);
        }
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            if self.method
                && place(&m.receiver).is_some_and(|(root, _)| root == "self")
                && !matches!(
                    m.method.to_string().as_str(),
                    "clone" | "is_some" | "is_none"
                )
            {
                self.opaque = true;
            }
            visit::visit_expr_method_call(self, m);
        }
        fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
            match &r.expr {
                Some(e) if Self::is_self(e) => {}
                _ => visit::visit_expr_return(self, r),
            }
        }
        fn visit_block(&mut self, b: &'ast Block) {
            for (i, stmt) in b.stmts.iter().enumerate() {
                // A block ending in `self` returns it.
                if i + 1 == b.stmts.len()
                    && let Stmt::Expr(e, None) = stmt
                    && Self::is_self(e)
                {
                    continue;
                }
                self.visit_stmt(stmt);
            }
        }
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            if p.path.is_ident("self") {
                self.opaque = true;
            }
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            if self.method && mentions(m.tokens.clone(), "self") {
                self.opaque = true;
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut effects = Effects {
        type_name,
        method,
        fields: HashMap::new(),
        opaque: false,
    };
    effects.visit_block(body);
    (!(method && effects.opaque)).then_some(effects.fields)
}

/// Whether a token stream names the identifier `name` anywhere.
fn mentions(tokens: proc_macro2::TokenStream, name: &str) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => mentions(g.stream(), name),
        _ => false,
    })
}

/// Whether a pattern binds the name `name`.
fn binds(pat: &Pat, name: &str) -> bool {
    struct Binds<'n>(&'n str, bool);
    impl<'ast> Visit<'ast> for Binds<'_> {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            if p.ident == self.0 {
                self.1 = true;
            }
            visit::visit_pat_ident(self, p);
        }
    }
    let mut b = Binds(name, false);
    b.visit_pat(pat);
    b.1
}

/// The buffer size of `sync_channel(n)`, when `n` is an integer literal.
pub(crate) fn channel_capacity(call: &syn::ExprCall) -> Option<u64> {
    match call.args.first()? {
        Expr::Lit(l) => match &l.lit {
            Lit::Int(i) => i.base10_parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

/// Whether, in the statements `rest` (what follows the sender's binding in its block), the
/// sender `name` is only sent on (or dropped), at most `capacity` times, with no send that can
/// run more than once: inside a loop, or inside a closure other than one handed to a thread or
/// `spawn_blocking` (which runs once). Any other use (passed on, cloned, shadowed) says no.
pub(crate) fn sends_within_capacity(name: &str, capacity: u64, rest: &[Stmt]) -> bool {
    struct Scan<'n> {
        name: &'n str,
        sends: u64,
        repeated: usize,
        repeatable: bool,
        other_use: bool,
    }
    impl Scan<'_> {
        fn is_name(&self, e: &Expr) -> bool {
            matches!(e, Expr::Path(p) if p.path.is_ident(self.name))
        }
        fn args<'ast>(&mut self, once: bool, args: impl IntoIterator<Item = &'ast Expr>) {
            for arg in args {
                match arg {
                    Expr::Closure(c) if once => self.visit_expr(&c.body),
                    _ => self.visit_expr(arg),
                }
            }
        }
        /// Scans statements of one block; a `let` that binds the name again ends the sender's
        /// scope there (its initializer still sees the sender).
        fn stmts(&mut self, stmts: &[Stmt]) {
            for stmt in stmts {
                if let Stmt::Local(local) = stmt {
                    if let Some(init) = &local.init {
                        self.visit_expr(&init.expr);
                        if let Some((_, diverge)) = &init.diverge {
                            self.visit_expr(diverge);
                        }
                    }
                    if binds(&local.pat, self.name) {
                        return;
                    }
                    continue;
                }
                self.visit_stmt(stmt);
            }
        }
        fn repeat<T>(&mut self, node: T, f: impl FnOnce(&mut Self, T)) {
            self.repeated += 1;
            f(self, node);
            self.repeated -= 1;
        }
    }
    impl<'ast> Visit<'ast> for Scan<'_> {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            if self.is_name(&m.receiver) && m.method == "send" {
                self.sends += 1;
                if self.repeated > 0 {
                    self.repeatable = true;
                }
            } else {
                self.visit_expr(&m.receiver);
            }
            let once = is_offload_name(&m.method.to_string());
            self.args(once, &m.args);
        }
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            let callee = match &*c.func {
                Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            if callee.as_deref() == Some("drop") && c.args.len() == 1 && self.is_name(&c.args[0]) {
                return;
            }
            self.visit_expr(&c.func);
            let once = callee.as_deref().is_some_and(is_offload_name);
            self.args(once, &c.args);
        }
        fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
            self.repeat(c, visit::visit_expr_closure);
        }
        fn visit_expr_for_loop(&mut self, l: &'ast syn::ExprForLoop) {
            self.repeat(l, visit::visit_expr_for_loop);
        }
        fn visit_expr_while(&mut self, l: &'ast syn::ExprWhile) {
            self.repeat(l, visit::visit_expr_while);
        }
        fn visit_expr_loop(&mut self, l: &'ast syn::ExprLoop) {
            self.repeat(l, visit::visit_expr_loop);
        }
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            if p.path.is_ident(self.name) {
                self.other_use = true;
            }
        }
        fn visit_block(&mut self, b: &'ast Block) {
            self.stmts(&b.stmts);
        }
        // A pattern other than a `let`'s binding the name (a closure's parameter, a match
        // arm): what follows may be either; the scan gives up.
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            if p.ident == self.name {
                self.other_use = true;
            }
            visit::visit_pat_ident(self, p);
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            use syn::punctuated::Punctuated;
            match m.parse_body_with(Punctuated::<Expr, syn::Token![,]>::parse_terminated) {
                Ok(args) => {
                    for arg in &args {
                        self.visit_expr(arg);
                    }
                }
                Err(_) => {
                    if mentions(m.tokens.clone(), self.name) {
                        self.other_use = true;
                    }
                }
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    if capacity == 0 {
        return false;
    }
    let mut scan = Scan {
        name,
        sends: 0,
        repeated: 0,
        repeatable: false,
        other_use: false,
    };
    scan.stmts(rest);
    !scan.other_use && !scan.repeatable && scan.sends <= capacity
}
