//! Call rewriting inside a monitored body.
//!
//! A call the catalog knows is kept exactly as written; the macro only adds a probe that records
//! it when the types involved are std's (see `aiocop::__private::probe`). Awaited calls, closures
//! handed to `spawn_blocking` / `block_in_place` / `thread::spawn`, and nested items are left
//! alone. With `deny`, a recognised blocking path call is a compile error instead.

use std::collections::HashSet;

use proc_macro2::{Delimiter, Spacing, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote_spanned};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::{self, VisitMut};
use syn::{Block, Expr, ExprCall, ExprMethodCall, Ident, Token};

use crate::args::MonitorArgs;
use crate::routes;

pub(crate) fn rewrite_block(
    block: &mut Block,
    args: &MonitorArgs,
    sig: &syn::Signature,
) -> syn::Result<()> {
    let mut locals = Locals::default();
    for input in &sig.inputs {
        if let syn::FnArg::Typed(typed) = input {
            locals.visit_pat(&typed.pat);
        }
    }
    locals.visit_block(block);
    let mut rewriter = Rewriter {
        deny: args.deny,
        rewritten: 0,
        locals: locals.0,
        not_std: HashSet::new(),
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

/// Names the parameters and the body bind or declare: a call through one of them (`read(x)` with
/// `let read = |x| ..`, `sleep(d)` with a parameter `sleep: impl Fn(Duration)`, `sleep(d)` after
/// `use tokio::time::sleep`, `fs::read(p)` with a nested `mod fs`) is not std's.
#[derive(Default)]
struct Locals(HashSet<String>);

impl Locals {
    fn add(&mut self, ident: &Ident) {
        self.0.insert(ident.to_string());
    }

    /// The names a nested `use` brings in, unless they come from std (`use std::thread::sleep`).
    fn add_use(&mut self, tree: &syn::UseTree, from_std: Option<bool>) {
        let std_root =
            |ident: &Ident| matches!(ident.to_string().as_str(), "std" | "core" | "alloc");
        match tree {
            syn::UseTree::Path(path) => {
                let from_std = from_std.unwrap_or_else(|| std_root(&path.ident));
                self.add_use(&path.tree, Some(from_std));
            }
            syn::UseTree::Name(name) => {
                if !from_std.unwrap_or_else(|| std_root(&name.ident)) {
                    self.add(&name.ident);
                }
            }
            syn::UseTree::Rename(rename) => self.add(&rename.rename),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.add_use(tree, from_std);
                }
            }
            syn::UseTree::Glob(_) => {}
        }
    }
}

impl<'ast> Visit<'ast> for Locals {
    fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
        self.add(&pat.ident);
        syn::visit::visit_pat_ident(self, pat);
    }

    // A nested item shadows a std name of the same name; its own body is not monitored.
    fn visit_item(&mut self, item: &'ast syn::Item) {
        match item {
            syn::Item::Fn(f) => self.add(&f.sig.ident),
            syn::Item::Mod(m) => self.add(&m.ident),
            syn::Item::Struct(s) => self.add(&s.ident),
            syn::Item::Enum(e) => self.add(&e.ident),
            syn::Item::Union(u) => self.add(&u.ident),
            syn::Item::Type(t) => self.add(&t.ident),
            syn::Item::Trait(t) => self.add(&t.ident),
            syn::Item::Const(c) => self.add(&c.ident),
            syn::Item::Static(s) => self.add(&s.ident),
            syn::Item::Use(u) => self.add_use(&u.tree, None),
            _ => {}
        }
    }
}

struct Rewriter {
    deny: bool,
    /// How many calls have been rewritten so far.
    rewritten: usize,
    locals: HashSet<String>,
    /// Method calls with a routed name that the syntax shows are not std's (see
    /// [`unit_used_as_value`]), by address: marked by the expression around them, which is
    /// visited first, and left as they are (and unmarked) when they are visited.
    not_std: HashSet<*const ExprMethodCall>,
    errors: Vec<syn::Error>,
}

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
        if let Some(call) = unit_used_as_value(expr) {
            self.not_std.insert(call);
        }
        // A mark is used once, when its call is reached, so that no later node at a reused
        // address can match it.
        let marked = matches!(expr, Expr::MethodCall(call) if self.not_std.remove(&(call as *const ExprMethodCall)));
        let sources = if marked { None } else { self.arg_sources(expr) };
        let Some(sources) = sources else {
            visit_mut::visit_expr_mut(self, expr);
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
                let probing = self.receiver_probing(&call.receiver);
                let copy = matches!(probing, Probing::ByType).then(|| (*call.receiver).clone());
                Some((probing, copy))
            }
            _ => None,
        };
        visit_mut::visit_expr_mut(self, expr);
        self.transform(expr, span, &sources, receiver);
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
    /// Visits a call that hands a closure to another thread (or allows it to block) without the
    /// closure; false if `expr` is no such call.
    fn visit_offloaded(&mut self, expr: &mut Expr) -> bool {
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

    /// Rewrites inside std macros whose arguments parse as expressions; others are left alone.
    fn visit_macro_args(&mut self, mac: &mut syn::Macro) {
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
    fn write_macro(&mut self, mac: &syn::ExprMacro, dst: &Expr) -> Option<Expr> {
        if !mac.attrs.is_empty() {
            return None;
        }
        let probing = match self.receiver_probing(dst) {
            probing @ (Probing::ByReference | Probing::ByType) => probing,
            // The macro stays as written, its destination included: known by its type.
            Probing::ByBase if repeatable(dst) => Probing::ByType,
            Probing::ByBase | Probing::Skip | Probing::Value => return None,
        };
        let span = mac.span();
        let shown = self.format_args(std::iter::empty(), span);
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
        Some(args.iter().map(render).collect())
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
        if self.locals.contains(&segments[0]) {
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
        let args = self.format_args(call.args.iter().zip(sources), span);
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
            self.format_args(std::iter::empty(), span)
        } else {
            self.format_args(call.args.iter().zip(sources), span)
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

    /// `shown([arg(&x, "x"), source("f(y)")])`: the arguments' text, formatted only when a probe
    /// would record. Arguments that are plain places or literals are shown by value; others by
    /// their source text, since evaluating them twice could change what the code does.
    fn format_args<'a>(
        &self,
        args: impl Iterator<Item = (&'a Expr, &'a String)>,
        span: Span,
    ) -> TokenStream {
        let shown: Vec<TokenStream> = args
            .map(|(arg, source)| match self.pure_operand(arg) {
                Some(value) => quote_spanned! {span=>
                    ::aiocop::__private::probe::arg(&#value, #source)
                },
                None => quote_spanned!(span=> ::aiocop::__private::probe::source(#source)),
            })
            .collect();
        if shown.is_empty() {
            return quote_spanned!(span=> ::core::option::Option::None);
        }
        quote_spanned! {span=>
            ::aiocop::__private::probe::shown([#(#shown),*])
        }
    }

    /// The expression to show for an argument that can be read again without side effects, and
    /// whose second reading has the type of the first: a literal, or a place rooted at a
    /// parameter or local binding or at a constant (`SCREAMING_CASE`), through `&`/`&mut` (read
    /// through a shared reference). Any other path may be generic (`None`, a generic fn item): a
    /// second mention of it would be a new value whose type nothing infers.
    fn pure_operand(&self, expr: &Expr) -> Option<TokenStream> {
        match expr {
            Expr::Lit(_) => Some(expr.to_token_stream()),
            Expr::Reference(r) => self.pure_operand(&r.expr),
            Expr::Paren(p) => self.pure_operand(&p.expr),
            _ if is_place(expr) && self.rooted_in_binding(expr) => Some(expr.to_token_stream()),
            _ => None,
        }
    }

    /// Whether the place `expr` starts at a parameter, a local binding or a constant.
    fn rooted_in_binding(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Path(p) => {
                let Some(last) = p.path.segments.last() else {
                    return false;
                };
                let name = last.ident.to_string();
                let constant = name.chars().any(|c| c.is_ascii_uppercase())
                    && !name.chars().any(|c| c.is_lowercase());
                constant
                    || (p.path.segments.len() == 1
                        && (name == "self" || self.locals.contains(&name)))
            }
            Expr::Field(f) => self.rooted_in_binding(&f.base),
            Expr::Paren(p) => self.rooted_in_binding(&p.expr),
            Expr::Unary(u) => self.rooted_in_binding(&u.expr),
            Expr::Index(i) => self.rooted_in_binding(&i.expr),
            _ => false,
        }
    }

    /// How the receiver of a routed method call is probed (see [`Probing`]).
    fn receiver_probing(&self, receiver: &Expr) -> Probing {
        let receiver = unparenthesized(receiver);
        if is_array_expression(receiver) {
            return Probing::Skip;
        }
        if is_constant(receiver) {
            return match receiver {
                // Typed as written (`&'static str`), and worth showing (`"host:80"`).
                Expr::Lit(lit) if matches!(lit.lit, syn::Lit::Str(_) | syn::Lit::ByteStr(_)) => {
                    Probing::ByReference
                }
                // A constant or a static: a place read again by reference, as before.
                Expr::Path(path) if is_screaming(path) => Probing::ByReference,
                // Handed on unchanged: `&` keeps its promotion to `'static`, and a tuple may be
                // an address (`("localhost", 80).to_socket_addrs()`), whose port literal is typed
                // only by the call itself.
                Expr::Reference(_) | Expr::Tuple(_) => Probing::Value,
                // A number, `None`, `Some(3)`, a struct of constants: no std receiver of a
                // blocking method is one, and a probe would cost the constant its promotion to
                // `'static` (`Some(3).iter()` borrowed past its statement).
                _ => Probing::Skip,
            };
        }
        if is_rooted_place(receiver) {
            return Probing::ByReference;
        }
        if is_place_expression(receiver) {
            let base = place_base(receiver);
            if plain_projections(receiver) && !is_constant(base) && !matches!(base, Expr::Path(_)) {
                return Probing::ByBase;
            }
            // Repeated in a branch that is never taken: a dead `.await` there would still change
            // the future's type (its size, whether it is `Send`), and a dead assignment what the
            // liveness lints say.
            return if repeatable(receiver) {
                Probing::ByType
            } else {
                Probing::Skip
            };
        }
        Probing::Value
    }

    /// Whether `&raw const place` is allowed: the place ends in a dereference or in a binding,
    /// not in a temporary or a constant (error E0745).
    fn raw_borrowable(&self, place: &Expr) -> bool {
        match place {
            Expr::Path(path) => {
                path.qself.is_none()
                    && path.path.segments.len() == 1
                    && (path.path.segments[0].ident == "self"
                        || self
                            .locals
                            .contains(&path.path.segments[0].ident.to_string()))
            }
            Expr::Field(field) => self.raw_borrowable(&field.base),
            Expr::Index(index) => self.raw_borrowable(&index.expr),
            Expr::Paren(paren) => self.raw_borrowable(&paren.expr),
            Expr::Unary(unary) => matches!(unary.op, syn::UnOp::Deref(_)),
            _ => false,
        }
    }

    /// The call that `rebuild` makes from its receiver, with the probe of `method` on that
    /// receiver before it (through `then` or `pass_receiver` rather than in a block, so that the
    /// call's temporaries live as long as before). How the receiver is looked at depends on
    /// `probing`: a place rooted in a binding by reference; a place over a temporary by reference
    /// from that temporary, which passes through `pass_receiver`; any other place by its type,
    /// inferred from `copy` (the receiver as written) in a branch that is never taken; a value
    /// through `pass_receiver`, unbound, so that it is borrowed or moved by the method as before.
    #[allow(clippy::too_many_arguments)]
    fn probe_receiver(
        &self,
        receiver: &Expr,
        copy: &Expr,
        probing: Probing,
        method: &str,
        args: TokenStream,
        span: Span,
        rebuild: impl FnOnce(Expr) -> TokenStream,
    ) -> TokenStream {
        let module = Ident::new(method, Span::call_site());
        let by_traits = routes::method(method).is_some_and(|m| m.by_traits);
        // `recv` is `Recv<T>` for the traits; `by_type` the call of the `probe` function.
        let probe_of = |recv: TokenStream, by_type: TokenStream| {
            if self.deny {
                quote_spanned! {span=>
                    {
                        #[allow(unused_imports)]
                        use ::aiocop::__private::probe::methods::#module::{
                            DenyNo as _, DenyYes as _,
                        };
                        (&&#recv).__aiocop_deny(::aiocop::__private::probe::BlockingCallDenied)
                    }
                }
            } else if by_traits {
                quote_spanned! {span=>
                    {
                        #[allow(unused_imports)]
                        use ::aiocop::__private::probe::methods::#module::{No as _, Yes as _};
                        (&&#recv).__aiocop_probe(#args)
                    }
                }
            } else {
                by_type
            }
        };
        match probing {
            Probing::ByReference => {
                let probe = probe_of(
                    quote_spanned!(span=> ::aiocop::__private::probe::Recv::of(&#receiver)),
                    quote_spanned! {span=>
                        ::aiocop::__private::probe::methods::#module::probe(&#receiver, #args)
                    },
                );
                let call = rebuild(receiver.clone());
                quote_spanned! {span=>
                    ::aiocop::__private::probe::then(#probe, #call)
                }
            }
            Probing::ByType => {
                let ty = Ident::new("__aiocop_type", Span::mixed_site().located_at(span));
                let borrow = if self.raw_borrowable(unparenthesized(copy)) {
                    quote_spanned!(span=> &raw const)
                } else {
                    quote_spanned!(span=> &)
                };
                let source = render(copy);
                let probe = probe_of(
                    quote_spanned!(span=> ::aiocop::__private::probe::Recv::typed(#ty)),
                    quote_spanned! {span=>
                        ::aiocop::__private::probe::methods::#module::probe_type(
                            #ty, #args, #source,
                        )
                    },
                );
                let call = rebuild(receiver.clone());
                // Nothing in the never-taken branch runs, and none of its moves or borrows
                // reaches the call as written: the branch diverges.
                quote_spanned! {span=>
                    ::aiocop::__private::probe::then(
                        {
                            let #ty = ::core::marker::PhantomData;
                            #[allow(unreachable_code)]
                            if false {
                                ::aiocop::__private::probe::tie(&#ty, #borrow #copy);
                                ::aiocop::__private::probe::never()
                            }
                            #probe
                        },
                        #call,
                    )
                }
            }
            Probing::ByBase => {
                let bound = Ident::new("__aiocop_base", Span::mixed_site().located_at(span));
                // The place again, on the base the probe is handed: `(*base).inner`.
                let mut place = unparenthesized(receiver).clone();
                *place_base_mut(&mut place) = Expr::Verbatim(quote_spanned!(span=> (*#bound)));
                let probe = probe_of(
                    quote_spanned!(span=> ::aiocop::__private::probe::Recv::of(&#place)),
                    quote_spanned! {span=>
                        ::aiocop::__private::probe::methods::#module::probe(&#place, #args)
                    },
                );
                // The call as written, its base passed through the probe.
                let mut receiver = receiver.clone();
                let base = place_base_mut(&mut receiver);
                let value = std::mem::replace(base, Expr::Verbatim(TokenStream::new()));
                *base = Expr::Verbatim(quote_spanned! {span=>
                    ::aiocop::__private::probe::pass_receiver(#value, |#bound| {
                        #probe;
                    })
                });
                rebuild(receiver)
            }
            // (`Skip` never reaches here: its calls are left as written.)
            Probing::Value | Probing::Skip => {
                let bound = Ident::new("__aiocop_receiver", Span::mixed_site().located_at(span));
                let probe = probe_of(
                    quote_spanned!(span=> ::aiocop::__private::probe::Recv::of(#bound)),
                    quote_spanned! {span=>
                        ::aiocop::__private::probe::methods::#module::probe(#bound, #args)
                    },
                );
                // `(&*shared).read(..)`: the parentheses a method call needed are unneeded around
                // an argument, where `unused_parens` would warn about them.
                let receiver = unparenthesized(receiver);
                // Kept as tokens: re-parsing generated code would only cost compile time.
                rebuild(Expr::Verbatim(quote_spanned! {span=>
                    ::aiocop::__private::probe::pass_receiver(#receiver, |#bound| {
                        #probe;
                    })
                }))
            }
        }
    }
}

/// How the receiver of a routed method call is looked at.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Probing {
    /// Not at all: no std receiver of a blocking method has its shape (a number, `None`,
    /// `Some(3)`, an array), or it cannot be repeated in a never-taken branch (it awaits).
    Skip,
    /// A place rooted in a binding (`file`, `self.inner.file`, `*guard`, `v[0]`), by reference.
    ByReference,
    /// A place whose base is a temporary, reached through fields, dereferences and literal
    /// indexes (`self.codec.get_mut().inner`, `*v.as_ref()`, `m.lock().await.file`): the
    /// temporary passes through the probe, which reads the place from it by reference.
    ByBase,
    /// Any other place (`bufs[..n]`, `v[i + 1]`, `v[i * 2].1`, `make()[i]`), by its type alone:
    /// it is neither evaluated twice nor moved, copied or re-borrowed.
    ByType,
    /// A value (`File::open(p)?`, `make()`): passed through unchanged.
    Value,
}

/// The call `c` in `c.unwrap().f()`, `c.expect(..).field`, `c?[i]` or `*c.unwrap()` when `c`
/// calls a method whose std forms all return `()` or a `Result` of `()`: the unwrapped result is
/// used as a value with members, which `()` has not, so `c` is some other type's method
/// (`mutex.lock().unwrap().insert(..)` is not `File::lock`). Such a call keeps no probe: it
/// would cost compile time and never record.
fn unit_used_as_value(expr: &Expr) -> Option<*const ExprMethodCall> {
    let mut value = match expr {
        Expr::MethodCall(call) => &*call.receiver,
        Expr::Field(field) => &*field.base,
        Expr::Index(index) => &*index.expr,
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => &*unary.expr,
        _ => return None,
    };
    let mut unwrapped = false;
    loop {
        match value {
            Expr::Try(tried) => value = &tried.expr,
            Expr::Paren(paren) => {
                value = &paren.expr;
                continue;
            }
            Expr::MethodCall(call) => {
                let name = call.method.to_string();
                match (name.as_str(), call.args.len()) {
                    ("unwrap", 0) | ("expect", 1) => value = &call.receiver,
                    _ if unwrapped && routes::method(&name).is_some_and(|m| m.returns_unit) => {
                        return Some(call as *const ExprMethodCall);
                    }
                    _ => return None,
                }
            }
            _ => return None,
        }
        unwrapped = true;
    }
}

/// `write!` or `writeln!`, however the path is written.
fn is_write_macro(mac: &syn::Macro) -> bool {
    mac.path
        .segments
        .last()
        .is_some_and(|s| s.ident == "write" || s.ident == "writeln")
}

/// The catalog's alternative as a diagnostic shows it.
fn alternative(text: &str) -> &str {
    text.trim_matches('`')
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

/// A place made of a binding (or `self`, a constant, a static), its fields, what it dereferences
/// and literal indexes: read again by reference, it is the same place, its second reading borrows
/// nothing for longer than the probe and moves nothing.
fn is_rooted_place(expr: &Expr) -> bool {
    match expr {
        // A binding or `self`, or a static or constant (by its module path).
        Expr::Path(path) => {
            path.qself.is_none()
                && path
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.arguments.is_none() && !is_camel_case(&s.ident))
        }
        Expr::Field(field) => is_rooted_place(&field.base),
        Expr::Paren(paren) => is_rooted_place(&paren.expr),
        Expr::Unary(unary) => {
            matches!(unary.op, syn::UnOp::Deref(_)) && is_rooted_place(&unary.expr)
        }
        Expr::Index(index) => matches!(&*index.index, Expr::Lit(_)) && is_rooted_place(&index.expr),
        _ => false,
    }
}

/// The innermost expression under a place's projections (fields, indexes, dereferences,
/// parentheses): `self.codec.get_mut()` in `self.codec.get_mut().inner`.
fn place_base(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Field(field) => &field.base,
            Expr::Index(index) => &index.expr,
            Expr::Paren(paren) => &paren.expr,
            Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => &unary.expr,
            _ => return expr,
        };
    }
}

/// [`place_base`], to replace it.
fn place_base_mut(expr: &mut Expr) -> &mut Expr {
    let projection = match &*expr {
        Expr::Field(_) | Expr::Index(_) | Expr::Paren(_) => true,
        Expr::Unary(unary) => matches!(unary.op, syn::UnOp::Deref(_)),
        _ => false,
    };
    if !projection {
        return expr;
    }
    match expr {
        Expr::Field(field) => place_base_mut(&mut field.base),
        Expr::Index(index) => place_base_mut(&mut index.expr),
        Expr::Paren(paren) => place_base_mut(&mut paren.expr),
        Expr::Unary(unary) => place_base_mut(&mut unary.expr),
        other => other,
    }
}

/// Whether a place's projections can be applied again without effect: every index is a literal.
fn plain_projections(expr: &Expr) -> bool {
    match expr {
        Expr::Field(field) => plain_projections(&field.base),
        Expr::Index(index) => {
            matches!(&*index.index, Expr::Lit(_)) && plain_projections(&index.expr)
        }
        Expr::Paren(paren) => plain_projections(&paren.expr),
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => {
            plain_projections(&unary.expr)
        }
        _ => true,
    }
}

/// A place expression of any shape: a field, an index or a dereference of anything
/// (`self.codec.get_mut().inner`, `bufs[..n]`, `*v.as_ref()`), in parentheses or not. A path is
/// left out: it may name a constant, a value.
fn is_place_expression(expr: &Expr) -> bool {
    match expr {
        Expr::Field(_) | Expr::Index(_) => true,
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)),
        Expr::Paren(p) => is_place_expression(&p.expr),
        _ => false,
    }
}

/// `expr` without the parentheses around it.
fn unparenthesized(mut expr: &Expr) -> &Expr {
    while let Expr::Paren(inner) = expr {
        expr = &inner.expr;
    }
    expr
}

/// A constant expression, which Rust may promote to a `'static` value when it is borrowed: a
/// literal, a path to a constant or a unit variant (`None`), and tuples, arrays, references,
/// operations, tuple-struct constructors (`Some(3)`) and struct literals of constants.
fn is_constant(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(_) => true,
        Expr::Path(path) => {
            path.qself.is_none()
                && path
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| is_camel_case(&s.ident))
                || is_screaming(path)
        }
        Expr::Paren(p) => is_constant(&p.expr),
        Expr::Group(g) => is_constant(&g.expr),
        Expr::Reference(r) => r.mutability.is_none() && is_constant(&r.expr),
        Expr::Unary(u) => !matches!(u.op, syn::UnOp::Deref(_)) && is_constant(&u.expr),
        Expr::Binary(b) => is_constant(&b.left) && is_constant(&b.right),
        Expr::Tuple(t) => t.elems.iter().all(is_constant),
        Expr::Array(a) => a.elems.iter().all(is_constant),
        Expr::Call(call) => {
            matches!(&*call.func, Expr::Path(path) if path.qself.is_none()
                && path.path.segments.last().is_some_and(|s| is_camel_case(&s.ident)))
                && call.args.iter().all(is_constant)
        }
        Expr::Struct(s) => s.rest.is_none() && s.fields.iter().all(|f| is_constant(&f.expr)),
        _ => false,
    }
}

/// `CamelCase`: a type, a variant or a unit struct, by Rust's naming conventions.
fn is_camel_case(ident: &Ident) -> bool {
    let name = ident.to_string();
    let name = name.trim_start_matches("r#");
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().any(|c| c.is_lowercase())
}

/// A path whose last segment is `SCREAMING_CASE`: a constant or a static.
fn is_screaming(path: &syn::ExprPath) -> bool {
    path.qself.is_none()
        && path.path.segments.last().is_some_and(|s| {
            let name = s.ident.to_string();
            name.chars().any(|c| c.is_ascii_uppercase()) && !name.chars().any(|c| c.is_lowercase())
        })
}

/// Whether `expr` can be repeated in a never-taken branch without changing what the code around
/// it is: no `.await` (a suspension point, even dead, changes the future's type), no async block,
/// no assignment (the liveness lints would see it).
fn repeatable(expr: &Expr) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr(&mut self, expr: &'ast Expr) {
            match expr {
                Expr::Await(_) | Expr::Async(_) | Expr::Assign(_) | Expr::Yield(_) => {
                    self.0 = false;
                }
                // Anything inside a macro's tokens is out of syn's sight: an `.await` may hide
                // there.
                Expr::Macro(mac) if mac.mac.tokens.to_string().contains("await") => {
                    self.0 = false;
                }
                Expr::Binary(binary) if is_compound_assignment(&binary.op) => self.0 = false,
                _ => syn::visit::visit_expr(self, expr),
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut finder = Finder(true);
    finder.visit_expr(expr);
    finder.0
}

/// `+=`, `-=`, ...
fn is_compound_assignment(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

/// The destination of `write!(dst, ..)` / `writeln!(dst, ..)` as written, if `mac` is one and
/// `write_fmt` is a routed method.
fn write_destination(mac: &syn::Macro) -> Option<Expr> {
    if !is_write_macro(mac) {
        return None;
    }
    routes::method("write_fmt")?;
    let args = mac
        .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .ok()?;
    args.into_iter().next()
}

/// An array written out (`[1, 2, 3]`, `&[a, b]`, `[0; 4]`): no std blocking method has an array
/// receiver, and passing one through a probe would turn a promoted constant into a temporary that
/// a result borrowing from it (`[1, 2, 3].iter()`) would outlive.
fn is_array_expression(expr: &Expr) -> bool {
    match expr {
        Expr::Array(_) | Expr::Repeat(_) => true,
        Expr::Paren(paren) => is_array_expression(&paren.expr),
        Expr::Reference(reference) => is_array_expression(&reference.expr),
        _ => false,
    }
}

/// Source text of an expression, spaced the way people write it.
fn render(expr: &Expr) -> String {
    let mut tokens = Vec::new();
    flatten(expr.to_token_stream(), &mut tokens);
    let mut out = String::new();
    // Inside a closure's parameter list (`|a, b|`), between its pipes.
    let mut in_params = false;
    for (i, token) in tokens.iter().enumerate() {
        let prev = if i > 0 { tokens[i - 1].as_str() } else { "" };
        let before_prev = if i > 1 { tokens[i - 2].as_str() } else { "" };
        let closing_pipe = in_params && token == "|";
        // `&`, `*` after an operand are binary (`i * 2`), elsewhere unary (`&x`, `*guard`).
        let unary = matches!(prev, "&" | "*") && !ends_an_operand(before_prev);
        let glue = i == 0
            || closing_pipe
            || unary
            || (in_params && prev == "|")
            || matches!(
                token.as_str(),
                "::" | "." | ".." | "..=" | "(" | ")" | "," | "[" | "]" | "?" | ";"
            )
            || matches!(prev, "::" | "." | ".." | "..=" | "(" | "[" | "!");
        if !glue {
            out.push(' ');
        }
        out.push_str(token);
        if closing_pipe {
            in_params = false;
        } else if token == "|" && matches!(prev, "" | "(" | "," | "move" | "=" | "{" | ";") {
            in_params = true;
        }
    }
    out
}

/// Whether a token can end an operand: a name, a literal, a closing bracket.
fn ends_an_operand(token: &str) -> bool {
    matches!(token, ")" | "]" | "}" | "?")
        || token.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '"' || c == '\'')
            && !matches!(token, "return" | "in" | "mut" | "move" | "break" | "else")
}

/// The tokens of `stream` as text, a group's delimiters as tokens of their own and joint
/// punctuation (`::`, `..`) as one token; literals stay whole, spaces and all.
fn flatten(stream: TokenStream, out: &mut Vec<String>) {
    let mut joining = false;
    for tree in stream {
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                if !open.is_empty() {
                    out.push(open.to_owned());
                }
                flatten(group.stream(), out);
                if !close.is_empty() {
                    out.push(close.to_owned());
                }
                joining = false;
            }
            TokenTree::Punct(punct) => {
                match out.last_mut() {
                    Some(last) if joining => last.push(punct.as_char()),
                    _ => out.push(punct.as_char().to_string()),
                }
                joining = punct.spacing() == Spacing::Joint;
            }
            other => {
                match out.last_mut() {
                    // A lifetime: `'a`.
                    Some(last) if joining && last == "'" => last.push_str(&other.to_string()),
                    _ => out.push(other.to_string()),
                }
                joining = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    /// How many probes of `.method()` the expansion of `item` holds.
    fn probes_of(method: &str, item: proc_macro2::TokenStream) -> usize {
        let expanded = crate::monitor::expand(quote!(), item)
            .expect("expands")
            .to_string();
        expanded.matches(&format!("methods :: {method} ::")).count()
    }

    /// How the receiver of `.read()` in `call` is probed, with `locals` bound.
    fn probing(call: &str, locals: &[&str]) -> super::Probing {
        let expr: syn::Expr = syn::parse_str(call).expect("an expression");
        let syn::Expr::MethodCall(call) = expr else {
            panic!("not a method call: {call}");
        };
        let rewriter = super::Rewriter {
            deny: false,
            rewritten: 0,
            locals: locals.iter().map(|l| l.to_string()).collect(),
            not_std: Default::default(),
            errors: Vec::new(),
        };
        rewriter.receiver_probing(&call.receiver)
    }

    #[test]
    fn receivers_are_probed_where_they_stand() {
        use super::Probing::*;
        let cases = [
            // Places rooted in a binding, `self` or a static: by reference.
            ("file.read(b)", ByReference),
            ("self.inner.file.read(b)", ByReference),
            ("(*guard).read(b)", ByReference),
            ("files[0].read(b)", ByReference),
            ("STDIN.read(b)", ByReference),
            ("\"host:80\".read(b)", ByReference),
            // A temporary under fields, dereferences and literal indexes: the temporary passes
            // through, the place is read from it.
            ("self.codec.get_mut().inner.read(b)", ByBase),
            ("h.get().c.read(b)", ByBase),
            ("(*v.as_ref()).read(b)", ByBase),
            ("m.lock().await.file.read(b)", ByBase),
            ("make()[0].read(b)", ByBase),
            // Anything else that is a place: by type alone.
            ("bufs[..size].read(b)", ByType),
            ("s[1..].read(b)", ByType),
            ("v[i + 1].read(b)", ByType),
            ("v[i * 2].1.read(b)", ByType),
            ("files[i].read(b)", ByType),
            ("make()[i].read(b)", ByType),
            ("TABLE[i].read(b)", ByType),
            // A place that awaits under an index it would have to repeat: not probed.
            ("m.lock().await[i].read(b)", Skip),
            // Constants: kept promotable.
            ("Some(3).read(b)", Skip),
            ("None.read(b)", Skip),
            ("3.read(b)", Skip),
            ("[1, 2].read(b)", Skip),
            ("S { a: 1 }.read(b)", Skip),
            ("(\"localhost\", 80).read(b)", Value),
            ("(&Some(3)).read(b)", Value),
            // Temporaries: passed through.
            ("File::open(p)?.read(b)", Value),
            ("make().read(b)", Value),
            ("Some(x).read(b)", Value),
            ("(&mut *file).read(b)", Value),
        ];
        for (call, want) in cases {
            assert_eq!(
                probing(call, &["file", "guard", "files", "h", "v", "s", "i"]),
                want,
                "{call}"
            );
        }
    }

    #[test]
    fn an_unwrapped_unit_result_used_as_a_value_is_no_std_call() {
        let item = quote! {
            async fn f(m: &std::sync::Mutex<Vec<u32>>, v: &std::sync::RwLock<Vec<u32>>) -> usize {
                m.lock().unwrap().push(1);
                let n = m.lock().expect("not poisoned").len();
                *m.lock().unwrap() = vec![n as u32];
                let first = (m.lock().unwrap())[0];
                let tried = m.try_lock().unwrap().len() + m.lock().unwrap().iter().count();
                let held = (m.lock().unwrap()).capacity();
                v.read().unwrap().len() + first as usize + tried + held
            }
        };
        assert_eq!(probes_of("lock", item.clone()), 0);
        assert_eq!(probes_of("try_lock", item), 0);
    }

    #[test]
    fn a_unit_result_unwrapped_and_dropped_is_still_probed() {
        let item = quote! {
            async fn f(file: &std::fs::File, m: &std::sync::Mutex<u32>) -> std::io::Result<u32> {
                file.lock()?;
                file.lock().unwrap();
                let () = file.lock().expect("locked");
                let _ = file.try_lock();
                let held = file.lock().is_ok();
                let guard = m.lock().unwrap();
                Ok(*guard + u32::from(held))
            }
        };
        assert_eq!(probes_of("lock", item.clone()), 5);
        assert_eq!(probes_of("try_lock", item), 1);
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

    #[test]
    fn methods_that_return_values_keep_their_probe_when_unwrapped_and_used() {
        // `read_to_string` returns a count: `file.read_to_string(..)?.max(1)` may well be std's.
        let item = quote! {
            async fn f(file: &mut std::fs::File) -> std::io::Result<usize> {
                let mut text = String::new();
                Ok(std::io::Read::by_ref(file).read_to_string(&mut text)?.max(1))
            }
        };
        assert_eq!(probes_of("read_to_string", item), 1);
    }
}
