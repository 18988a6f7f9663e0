//! Macros in a monitored body: std's formatting and assertion macros, whose arguments are
//! expressions and are rewritten like any other, and `write!` / `writeln!`, whose hidden
//! `write_fmt` call on the destination is probed around the macro as written.
//!
//! Any other macro's tokens are out of the rewriter's sight and left alone.

use quote::ToTokens;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Token};

use super::Rewriter;
use super::places::repeatable;
use super::receivers::{self, Probing};
use super::render;
use crate::routes;

/// std's formatting and assertion macros, whose arguments are expressions.
const EXPR_MACROS: &[&str] = &[
    "println",
    "print",
    "eprintln",
    "eprint",
    "format",
    "write",
    "writeln",
    "panic",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "vec",
    "dbg",
    "format_args",
];

impl Rewriter {
    /// Rewrites inside std macros whose arguments parse as expressions; others are left alone.
    pub(super) fn visit_macro_args(&mut self, mac: &mut syn::Macro) {
        let Some(name) = mac.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        // Parsing the arguments costs more than looking for a routed name among their tokens.
        if !EXPR_MACROS.contains(&name.as_str()) || !routes::mentions_routed_name(&mac.tokens) {
            return;
        }
        let Ok(mut args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        else {
            return;
        };
        let before = self.rewritten;
        for arg in args.iter_mut() {
            self.visit_expr_mut(arg);
        }
        // Re-emitted only when something inside was rewritten: the macro's tokens stay as written.
        if self.rewritten != before {
            mac.tokens = args.to_token_stream();
        }
    }

    /// `write!(dst, ..)` / `writeln!(dst, ..)` call `dst.write_fmt(..)`: probe that method on
    /// `dst` (as written, before the macro's arguments were rewritten) when it is a place,
    /// keeping the macro as written.
    pub(super) fn write_macro(&mut self, mac: &syn::ExprMacro, dst: &Expr) -> Option<Expr> {
        if !mac.attrs.is_empty() {
            return None;
        }
        let probing = match receivers::probing(dst) {
            probing @ (Probing::ByReference | Probing::ByType) => probing,
            // The macro stays as written, its destination included: known by its type.
            Probing::ByBase if repeatable(dst) => Probing::ByType,
            Probing::ByBase | Probing::Skip | Probing::Value => return None,
        };
        let span = mac.span();
        let shown = render::shown(std::iter::empty(), &self.bindings, span);
        let tokens = self.probe_receiver(dst, dst, probing, "write_fmt", shown, span, |_| {
            mac.to_token_stream()
        });
        match syn::parse2::<Expr>(tokens) {
            Ok(expr) => Some(expr),
            Err(e) => {
                self.errors.push(e);
                None
            }
        }
    }
}

/// The destination of `write!(dst, ..)` / `writeln!(dst, ..)` as written, if `mac` is one and
/// `write_fmt` is a routed method.
pub(super) fn write_destination(mac: &syn::Macro) -> Option<Expr> {
    if !is_write_macro(mac) {
        return None;
    }
    routes::method("write_fmt")?;
    let args = mac
        .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .ok()?;
    args.into_iter().next()
}

/// `write!` or `writeln!`, however the path is written.
fn is_write_macro(mac: &syn::Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|s| s.ident == "write" || s.ident == "writeln")
}
