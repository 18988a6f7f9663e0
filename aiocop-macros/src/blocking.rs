//! `#[aiocop::blocking]`: declares a sync function blocking, so every call records an event at
//! the caller's location, and registers it for `get_blocking_events_dict()`.
//!
//! The function gets `#[track_caller]` so the event points at the call; its body runs inside a
//! closure so that panics in it still report their own location, as before.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::args::BlockingArgs;
use crate::item::{FnItem, parse_fn};
use crate::monitor::fake_return;

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let args = BlockingArgs::parse(args)?;
    let FnItem {
        attrs,
        vis,
        sig,
        body,
    } = parse_fn(item, "`#[aiocop::blocking]`")?;
    if let Some(asyncness) = &sig.asyncness {
        return Err(syn::Error::new(
            asyncness.span,
            "`#[aiocop::blocking]` marks sync functions that block; an `async fn` should not block \
             (monitor it with `#[aiocop::monitor]`)",
        ));
    }
    if let Some(constness) = &sig.constness {
        return Err(syn::Error::new(
            constness.span,
            "`#[aiocop::blocking]` cannot be used on a `const fn`",
        ));
    }
    let body = match body {
        Ok(body) => body,
        Err(semi) => {
            return Err(syn::Error::new(
                semi.span,
                "`#[aiocop::blocking]` needs a function body; put it on the implementations",
            ));
        }
    };
    let fn_name = sig.ident.to_string();
    let fn_name = fn_name.trim_start_matches("r#");
    let event = match &args.name {
        Some(name) => quote!(#name),
        None => quote!(::core::concat!(::core::module_path!(), "::", #fn_name)),
    };
    let weight = args.weight;
    let registration = quote! {
        ::aiocop::__aiocop_register!(
            blocking: __AIOCOP_BLOCKING =
                ::aiocop::__private::BlockingFunction::new(#event, #weight)
        );
    };

    // `#[track_caller]` needs the Rust ABI; such functions record their own location instead.
    let rust_abi = sig
        .abi
        .as_ref()
        .is_none_or(|abi| abi.name.as_ref().is_some_and(|name| name.value() == "Rust"));
    let track_caller = rust_abi.then(|| quote!(#[track_caller]));
    let record = quote_spanned!(sig.ident.span()=> __AIOCOP_BLOCKING.record(););

    // A closure keeps panic locations inside the body as they were; it needs the return type
    // written out for `?` to infer, and cannot hold an `unsafe fn`'s implicitly unsafe body.
    let fake = fake_return(&sig.output);
    let closure_safe = sig.unsafety.is_none()
        && (!fake.is_empty() || matches!(sig.output, syn::ReturnType::Default));
    let stmts = &body.stmts;
    let inner = if closure_safe {
        quote_spanned! {body.span()=>
            #[allow(clippy::redundant_closure_call)]
            (move || {
                #fake
                #(#stmts)*
            })()
        }
    } else {
        quote!(#(#stmts)*)
    };
    Ok(quote! {
        #(#attrs)*
        #track_caller
        #vis #sig {
            #registration
            #record
            #inner
        }
    })
}
