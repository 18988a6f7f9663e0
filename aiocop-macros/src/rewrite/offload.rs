//! Calls that hand a closure to another thread, or allow it to block: `spawn_blocking`,
//! `block_in_place`, `thread::spawn`, `scope.spawn(..)`, `Builder::spawn_scoped`.
//!
//! Their closures are left as written (blocking there is the point), but for `block_in_place`'s,
//! which runs on the polling thread and is wrapped as code allowed to block; the callee and the
//! other arguments are rewritten as anywhere else.

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::spanned::Spanned;
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
        let (callee, args, in_place) = match expr {
            Expr::Call(call) if offloads_call(call) => {
                let in_place = matches!(&*call.func, Expr::Path(p)
                    if p.path.segments.last().is_some_and(|s| s.ident == "block_in_place"));
                (&mut *call.func, &mut call.args, in_place)
            }
            Expr::MethodCall(call) if offloads_method(call) => {
                let in_place = call.method == "block_in_place";
                (&mut *call.receiver, &mut call.args, in_place)
            }
            _ => return false,
        };
        self.visit_expr_mut(callee);
        for arg in args.iter_mut() {
            if !matches!(arg, Expr::Closure(_)) {
                self.visit_expr_mut(arg);
            } else if in_place {
                // `block_in_place` runs its closure on the polling thread, inside the poll's
                // scope: the closure may block, so nothing it does is recorded (calls caught by
                // interception included).
                let closure = std::mem::replace(arg, Expr::Verbatim(TokenStream::new()));
                *arg = Expr::Verbatim(quote_spanned! {closure.span()=>
                    ::aiocop::__private::may_block(#closure)
                });
            }
        }
        true
    }
}
