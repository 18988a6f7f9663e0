//! Procedural macros of [aiocop](https://docs.rs/aiocop): `#[monitor]`, `#[blocking]` and
//! `#[allow_blocking]`. Use them through the `aiocop` crate, which re-exports them and provides the
//! run-time parts their expansions call.
//!
//! The macros know which calls block from the shared catalog in `aiocop-lints`; they hold no list
//! of their own.
#![forbid(unsafe_code)]

mod allow;
mod args;
mod blocking;
mod item;
mod monitor;
mod rewrite;
mod routes;
mod site;

use proc_macro::TokenStream;

/// Monitors an `async fn`: every poll of its future is timed, and blocking std calls in its body
/// are recorded. See the `aiocop` crate for the arguments and what is rewritten.
#[proc_macro_attribute]
pub fn monitor(args: TokenStream, item: TokenStream) -> TokenStream {
    keep_item_on_error(monitor::expand(args.into(), item.clone().into()), item)
}

/// Declares a sync function blocking: every call records an event. See the `aiocop` crate.
#[proc_macro_attribute]
pub fn blocking(args: TokenStream, item: TokenStream) -> TokenStream {
    keep_item_on_error(blocking::expand(args.into(), item.clone().into()), item)
}

/// Allows an item to block, with a reason: the linter skips it, and calls made while an allowed
/// function runs are not recorded. See the `aiocop` crate.
#[proc_macro_attribute]
pub fn allow_blocking(args: TokenStream, item: TokenStream) -> TokenStream {
    keep_item_on_error(allow::expand(args.into(), item.clone().into()), item)
}

/// The expansion, or the errors followed by the item as written: the user sees the attribute's
/// errors only, not a cascade of "function not found" and "unused import" errors caused by an
/// item that vanished.
fn keep_item_on_error(
    expansion: syn::Result<proc_macro2::TokenStream>,
    item: TokenStream,
) -> TokenStream {
    match expansion {
        Ok(tokens) => tokens.into(),
        Err(error) => {
            let mut tokens = error.into_compile_error();
            tokens.extend(proc_macro2::TokenStream::from(item));
            tokens.into()
        }
    }
}
