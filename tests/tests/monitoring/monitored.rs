//! `Monitored`: the three ways to build one, what each reports itself as, the static list of
//! `monitored!` entries, and the per-future options.
//!
//! Global settings: trace depth 0, inline delivery, a 60 s global threshold.

use crate::core_support;

use std::future::IntoFuture;
use std::time::Duration;

use aiocop::{FutureExt, WEIGHT_LIGHT, WEIGHT_MODERATE, functions::MonitorOptions};
use aiocop_tests::setup;
use core_support::texts;

async fn answer() -> u32 {
    aiocop::audit("answer_op", WEIGHT_LIGHT, &[&"answer"]);
    42
}

#[tokio::test]
async fn the_free_function_wraps_any_future_and_reports_the_call_site() {
    setup();
    let line = line!() + 1;
    let future = aiocop::monitored(answer());
    let site = *future.site().info();
    assert_eq!(site.name(), "<async block>");
    assert_eq!(site.module_path(), "");
    assert_eq!(site.file(), file!());
    assert_eq!(site.line(), line);
    let (value, events) = aiocop::events::collect_events(future).await;
    assert_eq!(value, 42);
    assert_eq!(events.len(), 1);
    assert_eq!(*events[0].function(), site);
    assert_eq!(texts(&events[0]), ["answer_op(answer)"]);
}

#[tokio::test]
async fn the_extension_methods_wrap_any_future() {
    setup();
    let line = line!() + 1;
    let unnamed = answer().monitored();
    assert_eq!(unnamed.site().info().name(), "<async block>");
    assert_eq!(unnamed.site().info().line(), line);
    assert_eq!(unnamed.site().info().file(), file!());

    let named_line = line!() + 1;
    let named = answer().monitored_as("monitored_ext_named");
    assert_eq!(named.site().info().name(), "monitored_ext_named");
    assert_eq!(named.site().info().line(), named_line);

    let ((a, b), events) =
        aiocop::events::collect_events(async { (unnamed.await, named.await) }).await;
    assert_eq!((a, b), (42, 42));
    let names: Vec<&str> = events.iter().map(|e| e.function().name()).collect();
    assert_eq!(names, ["<async block>", "monitored_ext_named"]);
}

/// Not a future itself: only `IntoFuture`.
struct Deferred(u32);

impl IntoFuture for Deferred {
    type Output = u32;
    type IntoFuture = std::future::Ready<u32>;

    fn into_future(self) -> Self::IntoFuture {
        aiocop::audit("deferred_into_future", WEIGHT_LIGHT, &[]);
        std::future::ready(self.0)
    }
}

#[tokio::test]
async fn into_future_values_are_accepted() {
    setup();
    let ((a, b, c), events) = aiocop::events::collect_events(async {
        (
            aiocop::monitored(Deferred(1)).await,
            Deferred(2).monitored_as("monitored_into_future").await,
            aiocop::monitored!("monitored_into_future_macro", Deferred(3)).await,
        )
    })
    .await;
    assert_eq!((a, b, c), (1, 2, 3));
    // `into_future` runs when the wrapper is built, outside any monitored poll.
    assert!(events.is_empty(), "{events:#?}");
}

#[tokio::test]
async fn the_macro_names_the_future_and_lists_it() {
    setup();
    let line = line!() + 1;
    let future = aiocop::monitored!("monitored_macro_named", answer());
    let info = *future.site().info();
    assert_eq!(info.name(), "monitored_macro_named");
    assert_eq!(info.module_path(), module_path!());
    assert_eq!(info.file(), file!());
    assert_eq!(info.line(), line);
    assert_eq!(*future.site().options(), MonitorOptions::DEFAULT);

    let (value, events) = aiocop::events::collect_events(future).await;
    assert_eq!(value, 42);
    assert_eq!(events.len(), 1);
    assert_eq!(*events[0].function(), info);
    assert_eq!(
        events[0].blocking_events()[0].entry_point(),
        format!(
            "{}:{}:monitored_macro_named",
            file!(),
            events[0].blocking_events()[0].location().line()
        )
    );

    let listed: Vec<_> = aiocop::functions::monitored_functions()
        .filter(|f| f.info().name() == "monitored_macro_named")
        .collect();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(*listed[0].info(), info);
    assert_eq!(*listed[0].options(), MonitorOptions::DEFAULT);
}

#[test]
fn every_macro_site_is_listed_even_before_it_runs() {
    // This site is never polled: registration happens at program start, not at first use.
    fn never_called() -> impl std::future::Future<Output = u32> {
        aiocop::monitored!("monitored_macro_never_polled", answer())
    }
    let _ = never_called;
    let line = line!() + 1;
    let _unpolled = aiocop::monitored!(async { 1 });
    let names: Vec<&str> = aiocop::functions::monitored_functions()
        .map(|f| f.info().name())
        .collect();
    assert!(names.contains(&"monitored_macro_never_polled"), "{names:?}");
    assert!(names.contains(&"monitored_macro_named"), "{names:?}");
    let unnamed = aiocop::functions::monitored_functions()
        .find(|f| f.info().name() == "<async block>" && f.info().line() == line)
        .expect("monitored!(future) without a name is listed as <async block>");
    assert_eq!(unnamed.info().module_path(), module_path!());
    assert_eq!(unnamed.info().file(), file!());
    // `monitored()` and `monitored_as()` are not macro sites: nothing to list.
    assert!(!names.contains(&"monitored_ext_named"), "{names:?}");
}

#[tokio::test]
async fn the_macro_in_a_loop_is_one_site() {
    setup();
    let ((), events) = aiocop::events::collect_events(async {
        for i in 0..3 {
            aiocop::monitored!("monitored_macro_loop", async move {
                aiocop::audit("loop_op", WEIGHT_LIGHT, &[&i]);
            })
            .await;
        }
    })
    .await;
    assert_eq!(events.len(), 3);
    assert_eq!(
        aiocop::functions::monitored_functions()
            .filter(|f| f.info().name() == "monitored_macro_loop")
            .count(),
        1
    );
}

#[tokio::test]
async fn per_future_options_are_visible_and_applied() {
    setup();
    const ALLOWED: &[&str] = &["allowed_op"];
    let future = async {
        aiocop::audit("allowed_op", WEIGHT_MODERATE, &[&"not recorded"]);
        aiocop::audit("other_op", WEIGHT_LIGHT, &[&"recorded"]);
        7
    }
    .monitored_as("monitored_options")
    .with_threshold(Duration::from_millis(5))
    .with_strict(false)
    .with_allow(ALLOWED);
    let options = *future.site().options();
    assert_eq!(options.threshold(), Some(Duration::from_millis(5)));
    assert!(!options.strict());
    assert_eq!(options.allow(), ALLOWED);
    let (value, events) = aiocop::events::collect_events(future).await;
    assert_eq!(value, 7);
    assert_eq!(events.len(), 1);
    assert_eq!(texts(&events[0]), ["other_op(recorded)"]);
    assert_eq!(events[0].severity_score(), WEIGHT_LIGHT);
    assert_eq!(events[0].threshold(), Duration::from_millis(5));
}

#[tokio::test]
async fn into_inner_gives_back_the_unmonitored_future() {
    setup();
    let ((), events) = aiocop::events::collect_events(async {
        let inner = async {
            aiocop::audit("inner_op", WEIGHT_LIGHT, &[]);
        }
        .monitored_as("monitored_into_inner")
        .into_inner();
        inner.await;
    })
    .await;
    assert!(events.is_empty(), "{events:#?}");
}

#[test]
fn function_info_and_options_are_plain_values() {
    let info = aiocop::functions::FunctionInfo::new("handler", "", "src/main.rs", 3);
    assert_eq!(info.to_string(), "handler (src/main.rs:3)");
    let site =
        aiocop::functions::MonitoredFunction::new(info, MonitorOptions::DEFAULT.with_strict(true));
    assert!(site.options().strict());
    assert_eq!(site.options().threshold(), None);
    assert_eq!(MonitorOptions::default(), MonitorOptions::DEFAULT);
    let future = aiocop::Monitored::new(std::future::ready(1), site);
    assert!(format!("{future:?}").contains("handler"));
}

#[tokio::test]
#[ignore = "gap in the core: an allow list covers only the calls made directly in its own \
            function, not those of the monitored futures it awaits, although `with_allow` says \
            \"while this function runs\"; the scope keeps only the innermost site, so honouring \
            enclosing allow lists needs a chain of enclosing sites"]
async fn an_allow_list_covers_the_monitored_futures_the_function_awaits() {
    setup();
    const ALLOWED: &[&str] = &["allowed_nested_op"];
    let ((), events) = aiocop::events::collect_events(
        async {
            async {
                aiocop::audit("allowed_nested_op", WEIGHT_MODERATE, &[]);
            }
            .monitored_as("monitored_allow_inner")
            .await;
        }
        .monitored_as("monitored_allow_outer")
        .with_allow(ALLOWED),
    )
    .await;
    assert!(events.is_empty(), "{events:#?}");
}
