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
mod test;

use proc_macro::TokenStream;

/// Monitors an `async fn`: every poll of its future is timed, and the blocking std calls in its
/// body are recorded (decided by type; the calls themselves run exactly as written).
///
/// ```text
/// #[aiocop::monitor]
/// #[aiocop::monitor(name = "load_user", threshold_ms = 100)]
/// #[aiocop::monitor(strict)]                          // high-severity polls panic
/// #[aiocop::monitor(allow(std::fs::read, "mylib::query"))]
/// #[aiocop::monitor(rewrite = false)]                 // time polls only
/// #[aiocop::monitor(deny)]                            // blocking std calls are compile errors
/// ```
///
/// Arguments:
/// - `name = "..."`: the name events report (default: the function's name);
/// - `threshold_ms = N`: this function's slow-poll threshold (1 to 86,400,000);
/// - `strict` / `strict = bool`: this function's high-severity polls panic, as under
///   `raise_on_violations`;
/// - `rewrite = false`: time the polls, route no call;
/// - `allow(path, "name", ...)`: operations not recorded while this function runs (catalog paths
///   are checked, strings are free-form event names);
/// - `deny` / `deny = bool`: a blocking std call in the body is a compile error naming the async
///   alternative.
///
/// Works on free functions, methods with any receiver, generic functions, `impl Trait` arguments,
/// `async fn` in traits with a body, above `#[tokio::main]` / `#[tokio::test]`, and on methods of
/// `#[async_trait]` impls. The runnable examples are in the `aiocop` crate's documentation.
#[proc_macro_attribute]
pub fn monitor(args: TokenStream, item: TokenStream) -> TokenStream {
    keep_item_on_error(monitor::expand(args.into(), item.clone().into()), item)
}

/// Declares a sync function blocking: every call made inside a monitored poll records an event at
/// the caller's location, and the function is listed by `aiocop::get_blocking_events_dict()`.
///
/// ```text
/// #[aiocop::blocking(weight = heavy)]                  // heavy | moderate | light | trivial | 0..=1000
/// #[aiocop::blocking(weight = light, name = "cache::probe")]
/// ```
///
/// The event is named `module::path::function` unless `name` says otherwise; the weight defaults
/// to moderate (10). Only sync functions with a body are accepted.
#[proc_macro_attribute]
pub fn blocking(args: TokenStream, item: TokenStream) -> TokenStream {
    keep_item_on_error(blocking::expand(args.into(), item.clone().into()), item)
}

/// Allows an item to block, with a reason: `cargo aiocop` skips it, and blocking calls made while
/// an allowed function runs (sync or async) are not recorded.
///
/// ```text
/// #[aiocop::allow_blocking(reason = "reads a small embedded file once at start-up")]
/// fn load_defaults() -> Config { .. }
/// ```
///
/// The reason is required. On items other than functions (modules, impl blocks) the attribute
/// only informs the linter.
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

/// `#[tokio::test]` on a strict runtime: the `async fn` runs as a test on a tokio runtime whose
/// threads are watched (`aiocop::runtime::run_strict`), so a high-severity blocking call made by
/// the test's code, on any of the runtime's threads and inside dependencies too, fails the test
/// with the full report and its call site. Needs aiocop's `runtime` feature.
///
/// ```text
/// #[aiocop::test]
/// #[aiocop::test(flavor = "multi_thread")]
/// #[aiocop::test(flavor = "multi_thread", worker_threads = 2)]
/// ```
///
/// Monitoring is set up with the reference's defaults before the first such test of a process
/// (interception on, as `patch_audit_functions` decides), unless the program has set it up
/// already. Use it in place of `#[tokio::test]`, not with it; other attributes (`#[ignore]`,
/// `#[should_panic]`) apply as usual. The runnable example is in the `aiocop` crate's
/// documentation.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    keep_item_on_error(test::expand(args.into(), item.clone().into()), item)
}
