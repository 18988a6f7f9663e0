//! `#[aiocop::test]`: `#[tokio::test]` on a strict runtime. The `async fn` becomes a plain `#[test]`
//! function whose body runs through `aiocop::__private::run_test`, which sets monitoring up (once,
//! unless the program did) and runs the body with `aiocop::runtime::run_strict`: a high-severity
//! blocking call on any of the runtime's threads, the body's own included, fails the test.

use proc_macro2::TokenStream;
use quote::quote;
use syn::spanned::Spanned;
use syn::{ItemFn, ReturnType};

use crate::args::TestArgs;

/// Whether `attr` is a test attribute this one replaces (`#[test]`, `#[tokio::test]`).
fn is_test_attribute(attr: &syn::Attribute) -> bool {
    let segments = crate::item::path_segments(attr.path());
    matches!(
        segments.iter().map(String::as_str).collect::<Vec<_>>()[..],
        ["test"]
            | ["tokio", "test"]
            | ["core", "prelude", _, "test"]
            | ["std", "prelude", _, "test"]
    )
}

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let args = TestArgs::parse(args)?;
    let mut function: ItemFn = syn::parse2(item)?;
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new(
            sig.fn_token.span(),
            "`#[aiocop::test]` runs an `async fn`: add `async` (a plain test needs `#[test]`)",
        ));
    }
    if !sig.inputs.is_empty() {
        return Err(syn::Error::new_spanned(
            &sig.inputs,
            "a test function takes no arguments",
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &sig.generics,
            "a test function cannot be generic",
        ));
    }
    if let Some(attr) = function.attrs.iter().find(|a| is_test_attribute(a)) {
        return Err(syn::Error::new_spanned(
            attr,
            "remove this attribute: `#[aiocop::test]` makes the function a test already",
        ));
    }
    let flavor = match (args.multi_thread, args.worker_threads) {
        (false, _) => quote!(::aiocop::__private::TestFlavor::CurrentThread),
        (true, Some(workers)) => {
            let workers = workers as usize;
            quote!(::aiocop::__private::TestFlavor::MultiThread(
                ::core::option::Option::Some(#workers)
            ))
        }
        (true, None) => {
            quote!(::aiocop::__private::TestFlavor::MultiThread(
                ::core::option::Option::None
            ))
        }
    };
    let output = match &function.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    function.sig.asyncness = None;
    let body = &function.block;
    // The body keeps its spans: errors in it point into the test as written; the declared output
    // type names the body's type, so `?` in it knows its error type. The call itself is the
    // attribute's: a missing `runtime` feature is reported there.
    let run = quote! {
        ::aiocop::__private::run_test::<#output, _, _>(#flavor, async move #body)
    };
    function.block = syn::parse_quote!({ #run });
    Ok(quote! {
        #[::core::prelude::v1::test]
        #function
    })
}
