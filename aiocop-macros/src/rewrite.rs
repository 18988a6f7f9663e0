//! Call rewriting inside a monitored body.
//!
//! A call the catalog knows is kept exactly as written; the macro only adds a probe that records
//! it when the types involved are std's (see `aiocop::__private::probe`). Awaited calls, closures
//! handed to `spawn_blocking` / `block_in_place` / `thread::spawn`, and nested items are left
//! alone. With `deny`, a recognised blocking path call is a compile error instead.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, ExprCall, ExprMethodCall, Ident, Token};

use crate::args::MonitorArgs;
use crate::routes::{self, Receiving};

pub(crate) fn rewrite_block(block: &mut Block, args: &MonitorArgs) -> syn::Result<()> {
    let mut locals = Locals::default();
    locals.visit_block(block);
    let mut rewriter = Rewriter {
        deny: args.deny,
        locals: locals.0,
        errors: Vec::new(),
    };
    rewriter.visit_block_mut(block);
    let mut errors = rewriter.errors.into_iter();
    match errors.next() {
        None => Ok(()),
        Some(mut first) => {
            first.extend(errors);
            Err(first)
        }
    }
}

/// Names bound by patterns in the body: a call through one of them is a local closure, not std.
#[derive(Default)]
struct Locals(HashSet<String>);

impl<'ast> Visit<'ast> for Locals {
    fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
        self.0.insert(pat.ident.to_string());
        syn::visit::visit_pat_ident(self, pat);
    }
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

struct Rewriter {
    deny: bool,
    locals: HashSet<String>,
    errors: Vec<syn::Error>,
}

/// Functions whose closure argument runs off the polling thread, or is allowed to block it.
fn offloads_call(call: &ExprCall) -> bool {
    let Expr::Path(func) = &*call.func else {
        return false;
    };
    let segments: Vec<String> = func
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    match segments.last().map(String::as_str) {
        Some("spawn_blocking" | "block_in_place") => true,
        Some("spawn") => segments.iter().any(|s| s == "thread"),
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

impl VisitMut for Rewriter {
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        match expr {
            // An awaited call is async: look inside it, but keep the call.
            Expr::Await(awaited) => {
                visit_mut::visit_expr_mut(self, &mut awaited.base);
                return;
            }
            Expr::Call(call) if offloads_call(call) => {
                self.visit_expr_mut(&mut call.func);
                for arg in call.args.iter_mut() {
                    if !matches!(arg, Expr::Closure(_)) {
                        self.visit_expr_mut(arg);
                    }
                }
                return;
            }
            Expr::MethodCall(call) if offloads_method(call) => {
                self.visit_expr_mut(&mut call.receiver);
                for arg in call.args.iter_mut() {
                    if !matches!(arg, Expr::Closure(_)) {
                        self.visit_expr_mut(arg);
                    }
                }
                return;
            }
            Expr::Macro(mac) => {
                self.visit_macro_args(&mut mac.mac);
                return;
            }
            _ => {}
        }
        // The span of the call as the user wrote it, before its arguments are rewritten: the
        // probe's `#[track_caller]` location, and the span of everything generated for it.
        let span = expr.span();
        visit_mut::visit_expr_mut(self, expr);
        self.transform(expr, span);
    }

    fn visit_stmt_mut(&mut self, stmt: &mut syn::Stmt) {
        if let syn::Stmt::Macro(mac) = stmt {
            self.visit_macro_args(&mut mac.mac);
            return;
        }
        visit_mut::visit_stmt_mut(self, stmt);
    }
}

impl Rewriter {
    /// Rewrites inside std macros whose arguments parse as expressions; others are left alone.
    fn visit_macro_args(&mut self, mac: &mut syn::Macro) {
        let Some(name) = mac.path.segments.last().map(|s| s.ident.to_string()) else {
            return;
        };
        if !EXPR_MACROS.contains(&name.as_str()) {
            return;
        }
        let Ok(mut args) = mac.parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        else {
            return;
        };
        let before = args.to_token_stream().to_string();
        for arg in args.iter_mut() {
            self.visit_expr_mut(arg);
        }
        if args.to_token_stream().to_string() != before {
            mac.tokens = args.to_token_stream();
        }
    }

    fn transform(&mut self, expr: &mut Expr, span: Span) {
        let replacement = match expr {
            Expr::Call(call) => self.path_call(call, span),
            Expr::MethodCall(call) => self.method_call(call, span),
            _ => None,
        };
        if let Some(replacement) = replacement {
            // Kept as tokens: re-parsing generated code would only cost compile time.
            *expr = Expr::Verbatim(replacement);
        }
    }

    fn path_call(&mut self, call: &ExprCall, span: Span) -> Option<TokenStream> {
        let Expr::Path(func) = &*call.func else {
            return None;
        };
        if func.qself.is_some() {
            return None;
        }
        let segments: Vec<String> = func
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if segments.len() == 1 && self.locals.contains(&segments[0]) {
            return None;
        }
        let routed = routes::function(&segments)?;
        if self.deny {
            self.errors.push(syn::Error::new(
                span,
                format!(
                    "blocking call to `{}` in a function marked `#[aiocop::monitor(deny)]`; use \
                     `{}`",
                    routed.op.event, routed.op.alternative
                ),
            ));
            return None;
        }
        let module = Ident::new(&routes::function_module(routed.op), Span::call_site());
        let args = format_args(call.args.iter(), span);
        let result = Ident::new("__aiocop_result", Span::mixed_site().located_at(span));
        let shown = Ident::new("__aiocop_args", Span::mixed_site().located_at(span));
        let probe = quote_spanned! {span=>
            (&&::aiocop::__private::probe::Res(&#result)).__aiocop_probe(#shown)
        };
        Some(quote_spanned! {span=>
            {
                let #shown = #args;
                let #result = #call;
                {
                    #[allow(unused_imports)]
                    use ::aiocop::__private::probe::fns::#module::{Yes as _, No as _};
                    #probe;
                }
                #result
            }
        })
    }

    fn method_call(&mut self, call: &ExprMethodCall, span: Span) -> Option<TokenStream> {
        let name = call.method.to_string();
        let routed = routes::method(&name)?;
        let module = Ident::new(&name, Span::call_site());
        // Buffers of `Read`/`Write` methods say nothing worth a report; other arguments do.
        let args = if routed.io_buffers_only {
            format_args(std::iter::empty(), span)
        } else {
            format_args(call.args.iter(), span)
        };
        let shown = Ident::new("__aiocop_args", Span::mixed_site().located_at(span));
        let probe_of = |receiver: TokenStream| {
            let probe = quote_spanned! {span=>
                (&&::aiocop::__private::probe::Recv(&#receiver)).__aiocop_probe(#shown)
            };
            quote_spanned! {span=>
                {
                    let #shown = #args;
                    #[allow(unused_imports)]
                    use ::aiocop::__private::probe::methods::#module::{Yes as _, No as _};
                    #probe;
                }
            }
        };
        if is_place(&call.receiver) {
            let probe = probe_of(call.receiver.to_token_stream());
            return Some(quote_spanned! {span=>
                {
                    #probe
                    #call
                }
            });
        }
        if !is_rvalue(&call.receiver) {
            return None;
        }
        let bound = Ident::new("__aiocop_receiver", Span::mixed_site().located_at(span));
        let pattern = match routed.receiving {
            // Bound by reference, the temporary lives exactly as long as before (to the end of the
            // enclosing statement), so results that borrow it stay valid.
            Receiving::ByRef => quote!(ref mut #bound),
            Receiving::ByValue => quote!(#[allow(unused_mut)] mut #bound),
            Receiving::Mixed => return None,
        };
        let receiver = &call.receiver;
        let probe = probe_of(bound.to_token_stream());
        let mut rebuilt = call.clone();
        *rebuilt.receiver = syn::parse_quote!(#bound);
        Some(quote_spanned! {span=>
            match #receiver {
                #pattern => {
                    #probe
                    #rebuilt
                }
            }
        })
    }
}

/// `if recording() { Some(vec![..]) } else { None }`: the arguments' text, built only when a
/// probe would record. Arguments that are plain places or literals are shown by value; others by
/// their source text, since evaluating them twice could change what the code does.
fn format_args<'a>(args: impl Iterator<Item = &'a Expr>, span: Span) -> TokenStream {
    let shown: Vec<TokenStream> = args
        .map(|arg| {
            let source = render(arg);
            match pure_operand(arg) {
                Some(value) => quote_spanned! {span=>
                    {
                        #[allow(unused_imports)]
                        use ::aiocop::__private::probe::{
                            ArgOpaque as _, ArgViaBytes as _, ArgViaDebug as _, ArgViaDisplay as _,
                            ArgViaPath as _,
                        };
                        (&&&&&::aiocop::__private::probe::Arg(&#value)).__aiocop_arg()
                    }
                    .unwrap_or_else(|| ::std::string::String::from(#source))
                },
                None => quote_spanned!(span=> ::std::string::String::from(#source)),
            }
        })
        .collect();
    if shown.is_empty() {
        return quote_spanned!(span=> ::core::option::Option::None);
    }
    quote_spanned! {span=>
        if ::aiocop::__private::probe::recording() {
            ::core::option::Option::Some(::std::vec![#(#shown),*])
        } else {
            ::core::option::Option::None
        }
    }
}

/// The expression to show for an argument that can be read again without side effects: a literal
/// or a place, through `&`/`&mut` (read through a shared reference).
fn pure_operand(expr: &Expr) -> Option<TokenStream> {
    match expr {
        Expr::Lit(_) => Some(expr.to_token_stream()),
        Expr::Reference(r) => pure_operand(&r.expr),
        Expr::Paren(p) => pure_operand(&p.expr),
        _ if is_place(expr) => Some(expr.to_token_stream()),
        _ => None,
    }
}

/// A place expression without side effects: `x`, `self.file`, `*guard`, `items[0]`, `(x)`.
fn is_place(expr: &Expr) -> bool {
    match expr {
        Expr::Path(p) => p.qself.is_none(),
        Expr::Field(f) => is_place(&f.base),
        Expr::Paren(p) => is_place(&p.expr),
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)) && is_place(&u.expr),
        Expr::Index(i) => is_place(&i.expr) && matches!(&*i.index, Expr::Lit(_) | Expr::Path(_)),
        _ => false,
    }
}

/// A receiver that produces a fresh value, which the rewrite may bind: a call's result.
fn is_rvalue(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Call(_) | Expr::MethodCall(_) | Expr::Try(_) | Expr::Await(_) | Expr::Macro(_)
    )
}

/// Source text of an expression, spaced the way people write it.
fn render(expr: &Expr) -> String {
    let raw = expr.to_token_stream().to_string();
    let mut out = String::with_capacity(raw.len());
    let tokens: Vec<&str> = raw.split(' ').collect();
    for (i, token) in tokens.iter().enumerate() {
        let prev = if i > 0 { tokens[i - 1] } else { "" };
        let glue = i == 0
            || matches!(*token, "::" | "." | "(" | ")" | "," | "[" | "]" | "?" | ";")
            || matches!(prev, "::" | "." | "(" | "[" | "&" | "!" | "*");
        if !glue {
            out.push(' ');
        }
        out.push_str(token);
    }
    out
}
