//! `#[aiocop::monitor]`: wraps an async fn's body in the per-poll guard and routes its blocking
//! calls through audited probes.
//!
//! The body moves into an inner `async move` block that `Monitored` polls; the outer function
//! keeps its exact signature, so callers see no difference. A never-taken `return` of a value of
//! the declared return type pins the inner block's type, so `?` and early `return` infer as they
//! did in the original body.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Block, Expr, ReturnType, Stmt, Type};

use crate::args::MonitorArgs;
use crate::item::{FnItem, parse_fn};
use crate::rewrite;
use crate::site::{site_ident, site_items};

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let args = MonitorArgs::parse(args)?;
    let FnItem {
        attrs,
        vis,
        sig,
        body,
    } = parse_fn(item, "`#[aiocop::monitor]`")?;

    if let Some(constness) = &sig.constness {
        return Err(syn::Error::new(
            constness.span,
            "`#[aiocop::monitor]` cannot be used on a `const fn`: it monitors async functions",
        ));
    }
    let mut body = match body {
        Ok(body) => body,
        Err(semi) => {
            return Err(syn::Error::new(
                semi.span,
                "`#[aiocop::monitor]` needs a function body; put it on the implementations of \
                 this trait method",
            ));
        }
    };
    let line = sig.fn_token.span.start().line;
    let site = site_items(&args, &sig.ident, line);
    let site_ident = site_ident();
    // Another attribute still to expand (`#[tokio::main]`, `#[tracing::instrument]`, ...) decides
    // which shape the monitored function keeps.
    let more_attributes = attrs.iter().any(|a| !is_inert(a));
    // The function's body keeps the braces' span as written: rustc takes an item whose span comes
    // from a macro's expansion for generated code and reports no `dead_code` on it (so an unused
    // function would neither warn nor fulfil `#[expect(dead_code)]`).
    let body_span = body.brace_token.span.join();

    if sig.asyncness.is_some() {
        let fake_return = fake_return(&sig.output);
        let mut inner = Block {
            brace_token: body.brace_token,
            stmts: std::mem::take(&mut body.stmts),
        };
        if args.rewrite {
            rewrite::rewrite_block(&mut inner, &args, &sig)?;
        }
        let stmts = &inner.stmts;

        // Another attribute still to expand may need an `async fn`: keep one, awaiting the
        // monitored body. So does `#[must_use]`: rustc reports an unused `.await`ed result only
        // for a call of an `async fn` itself.
        if more_attributes || attrs.iter().any(|a| a.path().is_ident("must_use")) {
            let wrapped = quote_spanned! {body_span=>
                ::aiocop::__private::Monitored::new(
                    async move {
                        #fake_return
                        #(#stmts)*
                    },
                    #site_ident,
                )
                .await
            };
            let body = braced(body_span, quote!(#site #wrapped));
            return Ok(quote! {
                #(#attrs)*
                #vis #sig #body
            });
        }

        // Otherwise the fn returns the monitored future itself: one state machine instead of an
        // `async fn` awaiting another, which halves the code generated per function. The future
        // captures every parameter, as an `async fn`'s does (so they drop when it completes), and
        // the `impl` token, generated here, gets edition-2024 capture rules in any edition.
        let (sig, captures) = as_future_returning(sig);
        let body = braced(
            body_span,
            quote! {
                #site
                ::aiocop::__private::Monitored::new(
                    async move {
                        #captures
                        #fake_return
                        #(#stmts)*
                    },
                    #site_ident,
                )
            },
        );
        return Ok(quote! {
            #(#attrs)*
            #vis #sig #body
        });
    }

    // `#[async_trait]` ran first: the method is now a plain fn returning
    // `Box::pin(async move { .. })`. Monitor that future.
    if let Some(future) = async_trait_future(&mut body) {
        if let Expr::Async(block) = future
            && args.rewrite
        {
            rewrite::rewrite_block(&mut block.block, &args, &sig)?;
        }
        let original = future.to_token_stream();
        *future = if more_attributes {
            // An attribute still to expand (`#[tracing::instrument]`) looks for `#[async_trait]`'s
            // `Box::pin(async move { .. })` to wrap the future rather than the sync function that
            // makes it: keep that shape, the async block awaiting the monitored original.
            Expr::Verbatim(quote_spanned! {original.span()=>
                async move { ::aiocop::__private::Monitored::new(#original, #site_ident).await }
            })
        } else {
            Expr::Verbatim(quote_spanned! {original.span()=>
                ::aiocop::__private::Monitored::new(#original, #site_ident)
            })
        };
        let stmts = &body.stmts;
        let body = braced(body_span, quote!(#site #(#stmts)*));
        return Ok(quote! {
            #(#attrs)*
            #vis #sig #body
        });
    }

    if let Some(future) = returned_future(&sig.output) {
        return Err(syn::Error::new_spanned(
            future,
            format!(
                "`{}` returns a future but is not an `async fn`: `#[aiocop::monitor]` monitors \
                 the body of an `async fn`; write it as `async fn`, or wrap the future it returns \
                 with `aiocop::monitored!(\"name\", future)`",
                sig.ident
            ),
        ));
    }
    Err(syn::Error::new(
        sig.fn_token.span,
        "`#[aiocop::monitor]` requires an `async fn`; to monitor a future made elsewhere use \
         `aiocop::monitored!(\"name\", future)`, and with `#[tokio::main]` or `#[tokio::test]` \
         put `#[aiocop::monitor]` above that attribute",
    ))
}

/// `{ tokens }`, the braces spanning `span`.
fn braced(span: proc_macro2::Span, tokens: TokenStream) -> proc_macro2::Group {
    let mut group = proc_macro2::Group::new(proc_macro2::Delimiter::Brace, tokens);
    group.set_span(span);
    group
}

/// Attributes that only inform the compiler or tools; any other is a macro still to expand.
fn is_inert(attr: &syn::Attribute) -> bool {
    const INERT: &[&str] = &[
        "doc",
        "allow",
        "warn",
        "deny",
        "forbid",
        "expect",
        "must_use",
        "inline",
        "cold",
        "deprecated",
        "cfg",
        "cfg_attr",
        "rustfmt",
        "clippy",
    ];
    attr.path()
        .segments
        .first()
        .is_some_and(|s| INERT.contains(&s.ident.to_string().as_str()))
}

/// `async fn f(a: A, (b, c): (B, C)) -> R` becomes `fn f(a: A, __aiocop_arg1: (B, C)) -> impl
/// Future<Output = R>`, with the statements that make the body's future capture every parameter
/// (and destructure the patterns inside it, as an `async fn` does).
fn as_future_returning(mut sig: syn::Signature) -> (syn::Signature, TokenStream) {
    let mut captures = TokenStream::new();
    for (index, input) in sig.inputs.iter_mut().enumerate() {
        // A parameter configured away (`#[cfg(..)] x: u32`) is captured under the same condition.
        let cfg = input_attrs(input)
            .iter()
            .filter(|a| a.path().is_ident("cfg") || a.path().is_ident("cfg_attr"))
            .cloned()
            .collect::<Vec<_>>();
        let cfg = quote!(#(#cfg)*);
        match input {
            syn::FnArg::Receiver(receiver) => {
                let token = &receiver.self_token;
                captures.extend(quote!(#cfg let _ = &#token;));
            }
            syn::FnArg::Typed(typed) => {
                // The parameter's bindings become the future's locals (below): the lint
                // attributes written on it (`#[allow(unused_variables)]`, `#[expect(..)]`) go
                // with them.
                let (lints, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut typed.attrs)
                    .into_iter()
                    .partition(is_lint);
                typed.attrs = kept;
                let lints = quote!(#(#lints)*);
                let pattern = (*typed.pat).clone();
                match &mut *typed.pat {
                    syn::Pat::Ident(syn::PatIdent {
                        by_ref: None,
                        subpat: None,
                        ident,
                        mutability,
                        ..
                    }) => {
                        // As the compiler desugars an `async fn`: the parameter, without its
                        // `mut`, moves into a local of the future bound by the pattern as
                        // written, so that `unused_variables` and `unused_mut` judge that local
                        // as they would judge the parameter.
                        *mutability = None;
                        captures.extend(quote!(#cfg #lints let #pattern = #ident;));
                    }
                    pat => {
                        let fresh = syn::Ident::new(
                            &format!("__aiocop_arg{index}"),
                            proc_macro2::Span::mixed_site(),
                        );
                        *pat = syn::Pat::Ident(syn::PatIdent {
                            attrs: Vec::new(),
                            by_ref: None,
                            mutability: None,
                            ident: fresh.clone(),
                            subpat: None,
                        });
                        // As the compiler desugars an `async fn`: the whole argument moves into
                        // the future first (a `_` or a partly binding pattern alone would capture
                        // only what it binds, dropping the rest when the future is made), then
                        // the pattern takes it apart.
                        captures.extend(quote! {
                            #cfg let #fresh = #fresh;
                            #cfg #lints let #pattern = #fresh;
                        });
                    }
                }
            }
        }
    }
    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => writable(ty),
    };
    let arrow = syn::Token![->](sig.fn_token.span);
    // Kept as tokens: parsing generated code would only cost compile time.
    sig.output = ReturnType::Type(
        arrow,
        Box::new(Type::Verbatim(
            quote!(impl ::core::future::Future<Output = #output>),
        )),
    );
    sig.asyncness = None;
    (sig, captures)
}

/// A lint level attribute: `allow`, `warn`, `deny`, `forbid` or `expect`.
fn is_lint(attr: &syn::Attribute) -> bool {
    ["allow", "warn", "deny", "forbid", "expect"]
        .iter()
        .any(|lint| attr.path().is_ident(lint))
}

/// The attributes of a parameter.
fn input_attrs(input: &syn::FnArg) -> &[syn::Attribute] {
    match input {
        syn::FnArg::Receiver(receiver) => &receiver.attrs,
        syn::FnArg::Typed(typed) => &typed.attrs,
    }
}

/// `if false { let v: R = unreachable!(); return v; }` when `R` can be written as a `let` type.
/// (`unreachable!` rather than `loop {}`: the tokens carry the user's span, and clippy would
/// report an empty loop in their code.)
pub(crate) fn fake_return(output: &ReturnType) -> TokenStream {
    let ReturnType::Type(_, ty) = output else {
        return TokenStream::new();
    };
    if !is_nameable_let_type(ty) {
        return TokenStream::new();
    }
    let span = ty.span();
    let ty = writable(ty);
    quote_spanned! {span=>
        #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::needless_return)]
        if false {
            let __aiocop_return_type: #ty = ::core::unreachable!();
            return __aiocop_return_type;
        }
    }
}

/// `ty` as generated code can write it: `!` only stands as a function's return type on stable
/// Rust, so elsewhere (`impl Future<Output = !>`, a `let` type) it is written as its alias.
fn writable(ty: &Type) -> TokenStream {
    match ty {
        Type::Never(never) => quote_spanned!(never.bang_token.span=> ::aiocop::__private::Never),
        ty => ty.to_token_stream(),
    }
}

/// `impl Trait` cannot annotate a `let`; everything else can (`!` through [`writable`]).
fn is_nameable_let_type(ty: &Type) -> bool {
    if matches!(ty, Type::Never(_)) {
        return true;
    }
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
        // A `!` inside another type cannot be written on stable Rust.
        fn visit_type_never(&mut self, _: &'ast syn::TypeNever) {
            self.0 = true;
        }
        fn visit_type_macro(&mut self, _: &'ast syn::TypeMacro) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    finder.visit_type(ty);
    !finder.0
}

/// The `async move { .. }` of a body whose tail is `Box::pin(async move { .. })`, as
/// `#[async_trait]` generates.
fn async_trait_future(body: &mut Block) -> Option<&mut Expr> {
    let Some(Stmt::Expr(Expr::Call(call), None)) = body.stmts.last_mut() else {
        return None;
    };
    let Expr::Path(func) = &*call.func else {
        return None;
    };
    let segments = crate::item::path_segments(&func.path);
    if !segments.ends_with(&["Box".to_owned(), "pin".to_owned()]) || call.args.len() != 1 {
        return None;
    }
    let arg = call.args.first_mut()?;
    matches!(arg, Expr::Async(_)).then_some(arg)
}

/// The `impl Future<..>` (or `impl IntoFuture<..>`) a sync fn returns, if it returns one.
fn returned_future(output: &ReturnType) -> Option<&Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let Type::ImplTrait(imp) = &**ty else {
        return None;
    };
    imp.bounds
        .iter()
        .any(|bound| {
            matches!(bound, syn::TypeParamBound::Trait(t)
                if t.path.segments.last().is_some_and(|s| s.ident == "Future" || s.ident == "IntoFuture"))
        })
        .then_some(&**ty)
}
