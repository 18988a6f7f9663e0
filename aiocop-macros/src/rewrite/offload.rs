//! Calls that hand a closure to another thread, or allow it to block: `spawn_blocking`,
//! `block_in_place`, `thread::spawn`, `scope.spawn(..)`, `Builder::spawn_scoped`.
//!
//! Their closures are left as written (blocking there is the point); the callee and the other
//! arguments are rewritten as anywhere else.

use syn::visit_mut::VisitMut;
use syn::{Expr, ExprCall, ExprMethodCall};

use super::Rewriter;

/// Functions whose closure argument runs off the polling thread, or is allowed to block it.
fn offloads_call(call: &ExprCall) -> bool {
    let Expr::Path(func) = &*call.func else {
        return false;
    };
    let Some(last) = func.path.segments.last() else {
        return false;
    };
    match last.ident.to_string().as_str() {
        "spawn_blocking" | "block_in_place" => true,
        "spawn" => func.path.segments.iter().any(|s| s.ident == "thread"),
        _ => false,
    }
}

/// Methods whose closure argument runs off the polling thread: `handle.spawn_blocking(..)`,
/// `scope.spawn(..)` inside `thread::scope`, `thread::Builder::spawn`.
fn offloads_method(call: &ExprMethodCall) -> bool {
    matches!(
        call.method.to_string().as_str(),
        "spawn_blocking" | "block_in_place" | "spawn_scoped"
    ) || (call.method == "spawn"
        && call
            .args
            .iter()
            .any(|a| matches!(a, Expr::Closure(c) if c.asyncness.is_none())))
}

impl Rewriter {
    /// Visits a call that hands a closure to another thread (or allows it to block) without the
    /// closure; false if `expr` is no such call.
    pub(super) fn visit_offloaded(&mut self, expr: &mut Expr) -> bool {
        let (callee, args) = match expr {
            Expr::Call(call) if offloads_call(call) => (&mut *call.func, &mut call.args),
            Expr::MethodCall(call) if offloads_method(call) => {
                (&mut *call.receiver, &mut call.args)
            }
            _ => return false,
        };
        self.visit_expr_mut(callee);
        for arg in args.iter_mut() {
            if !matches!(arg, Expr::Closure(_)) {
                self.visit_expr_mut(arg);
            }
        }
        true
    }
}
