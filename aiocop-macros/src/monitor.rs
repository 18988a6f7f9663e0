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

    if sig.asyncness.is_some() {
        let fake_return = fake_return(&sig.output);
        let mut inner = Block {
            brace_token: body.brace_token,
            stmts: std::mem::take(&mut body.stmts),
        };
        if args.rewrite {
            rewrite::rewrite_block(&mut inner, &args)?;
        }
        let stmts = &inner.stmts;
        let wrapped = quote_spanned! {body.brace_token.span.join()=>
            ::aiocop::Monitored::new(
                async move {
                    #fake_return
                    #(#stmts)*
                },
                #site_ident,
            )
            .await
        };
        return Ok(quote! {
            #(#attrs)*
            #vis #sig {
                #site
                #wrapped
            }
        });
    }

    // `#[async_trait]` ran first: the method is now a plain fn returning
    // `Box::pin(async move { .. })`. Monitor that future.
    if let Some(future) = async_trait_future(&mut body) {
        if let Expr::Async(block) = future
            && args.rewrite
        {
            rewrite::rewrite_block(&mut block.block, &args)?;
        }
        let original = future.to_token_stream();
        *future = syn::parse_quote_spanned! {original.span()=>
            ::aiocop::Monitored::new(#original, #site_ident)
        };
        let stmts = &body.stmts;
        return Ok(quote! {
            #(#attrs)*
            #vis #sig {
                #site
                #(#stmts)*
            }
        });
    }

    Err(syn::Error::new(
        sig.fn_token.span,
        "`#[aiocop::monitor]` requires an `async fn`; to monitor a future made elsewhere use \
         `aiocop::monitored!(\"name\", future)`, and with `#[tokio::main]` or `#[tokio::test]` \
         put `#[aiocop::monitor]` above that attribute",
    ))
}

/// `if false { let v: R = loop {}; return v; }` when `R` can be written as a `let` type.
pub(crate) fn fake_return(output: &ReturnType) -> TokenStream {
    let ReturnType::Type(_, ty) = output else {
        return TokenStream::new();
    };
    if !is_nameable_let_type(ty) {
        return TokenStream::new();
    }
    let span = ty.span();
    quote_spanned! {span=>
        #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::needless_return)]
        if false {
            let __aiocop_return_type: #ty = loop {};
            return __aiocop_return_type;
        }
    }
}

/// `impl Trait` and `!` cannot annotate a `let`; everything else can.
fn is_nameable_let_type(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
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
    let segments: Vec<String> = func
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if !segments.ends_with(&["Box".to_owned(), "pin".to_owned()]) || call.args.len() != 1 {
        return None;
    }
    let arg = call.args.first_mut()?;
    matches!(arg, Expr::Async(_)).then_some(arg)
}
