//! Call rewriting inside a monitored body: the visitor.
//!
//! A call the catalog knows is kept exactly as written; the macro only adds a probe that records
//! it when the types involved are std's (see `aiocop::__private::probe`). Awaited calls, closures
//! handed to `spawn_blocking` / `block_in_place` / `thread::spawn`, and nested items are left
//! alone. With `deny`, a recognised blocking path call is a compile error instead.
//!
//! This module walks the body and rewrites the calls it routes; what it asks along the way lives
//! in the modules below: the function's [`bindings`] (shadowing), calls that [`offload`] their
//! closures, [`macros`] whose arguments are expressions, method calls ruled out as std's by the
//! use made of their result ([`not_std`], the context carried down the walk), the [`receivers`]'
//! probing, the [`places`] and constants expressions are, and how arguments are [`render`]ed.

mod bindings;
mod macros;
mod not_std;
mod offload;
mod places;
mod receivers;
mod render;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote_spanned};
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, ExprCall, ExprMethodCall, Ident};

use crate::args::MonitorArgs;
use crate::routes;
use bindings::Bindings;
use macros::write_destination;
use not_std::ValueUse;
use places::is_array_expression;
use receivers::Probing;

/// Rewrites the routed calls of a monitored body in place (`sig` is its function's signature, whose
/// parameters may shadow std's names); under `deny`, every blocking call found is an error, all
/// of them reported together.
pub(crate) fn rewrite_block(
    block: &mut Block,
    args: &MonitorArgs,
    sig: &syn::Signature,
) -> syn::Result<()> {
    let mut rewriter = Rewriter {
        deny: args.deny,
        rewritten: 0,
        bindings: Bindings::of(sig, block),
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

/// The walk over one monitored body. What it carries from a node to its children is passed as
/// an argument ([`ValueUse`]); what it keeps are only the settings, the body's bindings and the
/// results.
struct Rewriter {
    deny: bool,
    /// How many calls have been rewritten so far.
    rewritten: usize,
    /// The names the parameters and the body bind or declare.
    bindings: Bindings,
    errors: Vec<syn::Error>,
}

impl VisitMut for Rewriter {
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        self.visit_expr_used(expr, ValueUse::Unknown);
    }

    fn visit_stmt_mut(&mut self, stmt: &mut syn::Stmt) {
        if let syn::Stmt::Macro(mac) = stmt {
            let dst = write_destination(&mac.mac);
            self.visit_macro_args(&mut mac.mac);
            if let Some(dst) = dst {
                let as_expr = syn::ExprMacro {
                    attrs: mac.attrs.clone(),
                    mac: mac.mac.clone(),
                };
                if let Some(probed) = self.write_macro(&as_expr, &dst) {
                    *stmt = syn::Stmt::Expr(probed, mac.semi_token);
                }
            }
            return;
        }
        visit_mut::visit_stmt_mut(self, stmt);
    }
}

impl Rewriter {
    /// Visits `expr`, which its parent uses as `used`, and rewrites it if it is a routed call.
    fn visit_expr_used(&mut self, expr: &mut Expr, used: ValueUse) {
        match expr {
            // An awaited call is async: look inside it, but keep the call.
            Expr::Await(awaited) => {
                if !self.visit_offloaded(&mut awaited.base) {
                    visit_mut::visit_expr_mut(self, &mut awaited.base);
                }
                return;
            }
            Expr::Macro(mac) => {
                let dst = write_destination(&mac.mac);
                self.visit_macro_args(&mut mac.mac);
                if let Some(dst) = dst
                    && let Some(probed) = self.write_macro(mac, &dst)
                {
                    *expr = probed;
                }
                return;
            }
            _ => {}
        }
        if self.visit_offloaded(expr) {
            return;
        }
        // A method call whose result the parent uses as no std form of it could be is left as
        // written (its parts are still visited).
        let not_std = matches!(expr, Expr::MethodCall(call) if used.rules_out_std(call));
        let sources = if not_std {
            None
        } else {
            self.arg_sources(expr)
        };
        let Some(sources) = sources else {
            self.visit_parts(expr, used);
            return;
        };
        // The span of the call as the user wrote it, before its arguments are rewritten: the
        // probe's `#[track_caller]` location, and the span of everything generated for it. Taken
        // only for routed calls: `span()` walks the expression's tokens, so taking it at every
        // node would make the macro quadratic in the nesting depth.
        let span = expr.span();
        // A receiver probed by its type is repeated in a never-taken branch as written, before
        // its own calls are rewritten: probes there would never run.
        let receiver = match &*expr {
            Expr::MethodCall(call) => {
                let probing = receivers::probing(&call.receiver);
                let copy = matches!(probing, Probing::ByType).then(|| (*call.receiver).clone());
                Some((probing, copy))
            }
            _ => None,
        };
        self.visit_parts(expr, used);
        self.transform(expr, span, &sources, receiver);
    }

    /// The source text of a routed call's arguments as written, taken before the arguments
    /// themselves are rewritten (`fs::canonicalize(dir.join("a"))` shows `dir.join("a")`, not the
    /// probe of `join`); `None` if `expr` is no routed call.
    fn arg_sources(&self, expr: &Expr) -> Option<Vec<String>> {
        let args = match expr {
            Expr::Call(call) if self.routed_function(call).is_some() => &call.args,
            // A call with an argument count no std method of its name takes is not std's
            // (`path.join("x")` is not `JoinHandle::join()`).
            Expr::MethodCall(call)
                if routes::method(&call.method.to_string())
                    .is_some_and(|m| m.takes(call.args.len()))
                    && !is_array_expression(&call.receiver) =>
            {
                &call.args
            }
            _ => return None,
        };
        Some(args.iter().map(render::source_text).collect())
    }

    fn transform(
        &mut self,
        expr: &mut Expr,
        span: Span,
        sources: &[String],
        receiver: Option<(Probing, Option<Expr>)>,
    ) {
        let replacement = match (&mut *expr, receiver) {
            (Expr::Call(call), _) => self.path_call(call, span, sources),
            (Expr::MethodCall(call), Some((probing, copy))) => {
                self.method_call(call, probing, copy, span, sources)
            }
            _ => None,
        };
        if let Some(replacement) = replacement {
            self.rewritten += 1;
            // Kept as tokens: re-parsing generated code would only cost compile time.
            *expr = Expr::Verbatim(replacement);
        }
    }

    /// The std function a path call names, unless a parameter or local item shadows it.
    fn routed_function(&self, call: &ExprCall) -> Option<&'static routes::RoutedFn> {
        let Expr::Path(func) = &*call.func else {
            return None;
        };
        if func.qself.is_some() || !routes::names_a_function(&func.path.segments.last()?.ident) {
            return None;
        }
        let segments = crate::item::path_segments(&func.path);
        if self.bindings.contains(&segments[0]) {
            return None;
        }
        routes::function(&segments)
    }

    fn path_call(
        &mut self,
        call: &ExprCall,
        span: Span,
        sources: &[String],
    ) -> Option<TokenStream> {
        let routed = self.routed_function(call)?;
        if self.deny {
            self.errors.push(syn::Error::new_spanned(
                call,
                format!(
                    "`{}` blocks the async runtime: this function is marked \
                     `#[aiocop::monitor(deny)]`\n\
                     async alternative: {}",
                    routed.op.event,
                    alternative(routed.op.alternative),
                ),
            ));
            return None;
        }
        let module = Ident::new(&routes::function_module(routed.op), Span::call_site());
        let args = render::shown(call.args.iter().zip(sources), &self.bindings, span);
        // The arguments' text is taken before the call, which may move them; the result passes
        // through `probe` unbound, so its temporaries live as long as before.
        Some(quote_spanned! {span=>
            ::aiocop::__private::probe::fns::#module::probe(#args, #call)
        })
    }

    fn method_call(
        &mut self,
        call: &ExprMethodCall,
        probing: Probing,
        copy: Option<Expr>,
        span: Span,
        sources: &[String],
    ) -> Option<TokenStream> {
        if matches!(probing, Probing::Skip) {
            return None;
        }
        let name = call.method.to_string();
        let routed = routes::method(&name)?;
        // Buffers of `Read`/`Write` methods say nothing worth a report; other arguments do.
        let args = if routed.io_buffers_only {
            render::shown(std::iter::empty(), &self.bindings, span)
        } else {
            render::shown(call.args.iter().zip(sources), &self.bindings, span)
        };
        // Under `deny` the diagnostic points at the method's name.
        let span = if self.deny { call.method.span() } else { span };
        let copy = copy.as_ref().unwrap_or(&call.receiver);
        Some(self.probe_receiver(
            &call.receiver,
            copy,
            probing,
            &name,
            args,
            span,
            |receiver| {
                let mut rebuilt = call.clone();
                *rebuilt.receiver = receiver;
                rebuilt.into_token_stream()
            },
        ))
    }
}

/// The catalog's alternative as a diagnostic shows it.
fn alternative(text: &str) -> &str {
    text.trim_matches('`')
}

#[cfg(test)]
mod tests {
    use quote::quote;

    /// How many probes of `.method()` the expansion of `item` holds.
    pub(super) fn probes_of(method: &str, item: proc_macro2::TokenStream) -> usize {
        let expanded = crate::monitor::expand(quote!(), item)
            .expect("expands")
            .to_string();
        expanded.matches(&format!("methods :: {method} ::")).count()
    }

    #[test]
    fn a_call_with_an_argument_count_no_std_method_takes_is_no_std_call() {
        let item = quote! {
            async fn f(
                dir: &std::path::Path,
                lock: &std::sync::RwLock<u32>,
                handle: std::thread::JoinHandle<u32>,
                file: &mut std::fs::File,
            ) -> u32 {
                let _ = dir.join("a").join("b");
                let _ = ["a", "b"].join(",");
                let n = *lock.read().unwrap() + *lock.write().unwrap();
                let mut buf = [0u8; 4];
                let _ = std::io::Read::by_ref(file).read(&mut buf);
                n + handle.join().unwrap()
            }
        };
        assert_eq!(probes_of("join", item.clone()), 1);
        assert_eq!(probes_of("read", item.clone()), 1);
        assert_eq!(probes_of("write", item), 0);
    }
}
