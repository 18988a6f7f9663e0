//! Context providers: merge order, isolation of a failing provider, when the context is captured
//! for io and cpu events, and the `Context` value itself.
//!
//! Global settings: trace depth 0, inline delivery, a 60 s global threshold. Providers are
//! process-wide and run in every test's polls, so each provider here answers only on the thread of
//! the test that registered it (a thread-local says which test runs there).

use crate::core_support;

use std::cell::{Cell, RefCell};
use std::sync::Arc;
use std::time::Duration;

use aiocop::{Context, ContextValue, FutureExt, Reason, WEIGHT_HEAVY, WEIGHT_LIGHT};
use aiocop_tests::setup;

thread_local! {
    /// The test running on this thread, for providers to decide whether to answer.
    static TEST: Cell<&'static str> = const { Cell::new("") };
    /// A value the body changes during a poll, read by providers.
    static PHASE: RefCell<String> = const { RefCell::new(String::new()) };
}

fn set_phase(phase: &str) {
    PHASE.with_borrow_mut(|p| phase.clone_into(p));
}

fn phase() -> String {
    PHASE.with_borrow(Clone::clone)
}

/// Registers a provider that answers only on the thread where test `test` runs.
fn provider_for(
    test: &'static str,
    provide: impl Fn() -> Context + Send + Sync + 'static,
) -> aiocop::ProviderHandle {
    aiocop::register_context_provider(move || {
        if TEST.get() == test {
            provide()
        } else {
            Context::new()
        }
    })
}

async fn one_blocking_poll(name: &'static str) -> aiocop::SlowTaskEvent {
    let ((), mut events) = aiocop::events::collect_events(
        async {
            aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&name]);
        }
        .monitored_as(name),
    )
    .await;
    assert_eq!(events.len(), 1);
    events.remove(0)
}

#[tokio::test]
async fn providers_merge_in_registration_order_and_later_keys_win() {
    setup();
    TEST.set("order");
    let handles = [
        provider_for("order", || {
            Context::new()
                .with("ctx_order_shared", "first")
                .with("ctx_order_first", 1)
        }),
        provider_for("order", || {
            Context::new()
                .with("ctx_order_shared", "second")
                .with("ctx_order_second", 2)
        }),
        provider_for("order", || Context::new().with("ctx_order_shared", "third")),
    ];
    let event = one_blocking_poll("context_order").await;
    let ctx = event.context();
    assert_eq!(ctx.get_str("ctx_order_shared"), Some("third"));
    assert_eq!(
        ctx.get("ctx_order_first").and_then(ContextValue::as_i64),
        Some(1)
    );
    assert_eq!(
        ctx.get("ctx_order_second").and_then(ContextValue::as_i64),
        Some(2)
    );

    // Unregistering the last one lets the second win.
    assert!(aiocop::unregister_context_provider(handles[2]));
    assert!(!aiocop::unregister_context_provider(handles[2]));
    let event = one_blocking_poll("context_order").await;
    assert_eq!(event.context().get_str("ctx_order_shared"), Some("second"));
    for handle in &handles[..2] {
        assert!(aiocop::unregister_context_provider(*handle));
    }
    let event = one_blocking_poll("context_order").await;
    assert!(!event.context().contains_key("ctx_order_shared"));
    TEST.set("");
}

#[tokio::test]
async fn a_panicking_provider_is_skipped_and_the_others_still_run() {
    setup();
    TEST.set("panic");
    let handles = [
        provider_for("panic", || Context::new().with("ctx_panic_before", true)),
        provider_for("panic", || panic!("a buggy provider")),
        provider_for("panic", || Context::new().with("ctx_panic_after", true)),
    ];
    let (output, events) = aiocop::events::collect_events(
        async {
            aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[]);
            tokio::task::yield_now().await;
            std::thread::sleep(Duration::from_millis(30));
            "the task finished"
        }
        .monitored_as("context_panic")
        .with_threshold(Duration::from_millis(10)),
    )
    .await;
    assert_eq!(output, "the task finished");
    let [io, cpu]: [aiocop::SlowTaskEvent; 2] = events.try_into().expect("two events");
    for event in [&io, &cpu] {
        let ctx = event.context();
        assert_eq!(
            ctx.get("ctx_panic_before").and_then(ContextValue::as_bool),
            Some(true)
        );
        assert_eq!(
            ctx.get("ctx_panic_after").and_then(ContextValue::as_bool),
            Some(true)
        );
    }
    assert_eq!(io.reason(), Reason::IoBlocking);
    assert_eq!(cpu.reason(), Reason::CpuBlocking);
    for handle in handles {
        assert!(aiocop::unregister_context_provider(handle));
    }
    TEST.set("");
}

#[tokio::test]
async fn io_events_carry_the_context_of_the_first_blocking_call() {
    setup();
    TEST.set("io");
    let handle = provider_for("io", || Context::new().with("ctx_io_phase", phase()));
    set_phase("before the poll");
    let ((), events) = aiocop::events::collect_events(
        async {
            set_phase("at the first call");
            aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&1]);
            set_phase("at the second call");
            aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&2]);
            set_phase("at the end of the first poll");
            tokio::task::yield_now().await;
            set_phase("in the second poll");
            aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&3]);
            set_phase("at the end of the second poll");
        }
        .monitored_as("context_io"),
    )
    .await;
    let phases: Vec<Option<&str>> = events
        .iter()
        .map(|e| e.context().get_str("ctx_io_phase"))
        .collect();
    assert_eq!(
        phases,
        [Some("at the first call"), Some("in the second poll")]
    );
    assert!(aiocop::unregister_context_provider(handle));
    TEST.set("");
}

#[tokio::test]
async fn a_reset_makes_the_next_blocking_call_capture_the_context_again() {
    setup();
    TEST.set("reset");
    let handle = provider_for("reset", || Context::new().with("ctx_reset_phase", phase()));
    let event_context = aiocop::events::collect_events(
        async {
            set_phase("forgotten");
            aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[]);
            aiocop::reset_blocking_events();
            set_phase("after the reset");
            aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[]);
        }
        .monitored_as("context_reset"),
    )
    .await
    .1[0]
        .context()
        .clone();
    assert_eq!(
        event_context.get_str("ctx_reset_phase"),
        Some("after the reset")
    );
    assert!(aiocop::unregister_context_provider(handle));
    TEST.set("");
}

#[tokio::test]
async fn cpu_events_merge_the_context_from_before_and_after_the_poll() {
    setup();
    TEST.set("cpu");
    let handle = provider_for("cpu", || {
        let phase = phase();
        let mut ctx = Context::new().with("ctx_cpu_phase", phase.as_str());
        match phase.as_str() {
            "before" => ctx.insert("ctx_cpu_pre_only", "kept from before"),
            "after" => ctx.insert("ctx_cpu_post_only", "added after"),
            _ => None,
        };
        ctx
    });
    set_phase("before");
    let ((), events) = aiocop::events::collect_events(
        async {
            set_phase("during");
            std::thread::sleep(Duration::from_millis(30));
            set_phase("after");
        }
        .monitored_as("context_cpu")
        .with_threshold(Duration::from_millis(10)),
    )
    .await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.reason(), Reason::CpuBlocking);
    let ctx = event.context();
    // Post-poll values win; a key only the pre-poll capture had survives.
    assert_eq!(ctx.get_str("ctx_cpu_phase"), Some("after"));
    assert_eq!(ctx.get_str("ctx_cpu_pre_only"), Some("kept from before"));
    assert_eq!(ctx.get_str("ctx_cpu_post_only"), Some("added after"));
    assert!(aiocop::unregister_context_provider(handle));
    TEST.set("");
}

#[tokio::test]
async fn blocking_calls_made_by_a_provider_are_not_the_tasks() {
    setup();
    TEST.set("provider_blocks");
    let handle = provider_for("provider_blocks", || {
        aiocop::audit("std::fs::read_to_string", WEIGHT_HEAVY, &[&"/etc/hostname"]);
        Context::new().with("ctx_provider_blocks", "yes")
    });
    let event = one_blocking_poll("context_provider_blocks").await;
    assert_eq!(event.blocking_events().len(), 1);
    assert_eq!(event.severity_score(), aiocop::WEIGHT_MODERATE);
    assert_eq!(event.context().get_str("ctx_provider_blocks"), Some("yes"));
    assert!(aiocop::unregister_context_provider(handle));
    TEST.set("");
}

tokio::task_local! {
    static REQUEST_ID: u64;
}

#[test]
fn providers_see_task_locals_of_the_polled_task() {
    setup();
    let handle = aiocop::register_context_provider(|| match REQUEST_ID.try_with(|id| *id) {
        Ok(id) => Context::new().with("ctx_request_id", id),
        Err(_) => Context::new(),
    });
    let rt = core_support::multi_thread(4);
    let tasks = 200u64;
    let results = rt.block_on(async {
        let handles: Vec<_> = (0..tasks)
            .map(|id| {
                tokio::spawn(
                    REQUEST_ID.scope(
                        id,
                        aiocop::events::collect_events(
                            async move {
                                aiocop::audit("std::fs::read", WEIGHT_LIGHT, &[&id]);
                                tokio::task::yield_now().await;
                                aiocop::audit("std::fs::read", WEIGHT_LIGHT, &[&id]);
                            }
                            .monitored_as("context_task_local"),
                        ),
                    ),
                )
            })
            .collect();
        let mut results = Vec::new();
        for handle in handles {
            results.push(handle.await.unwrap().1);
        }
        results
    });
    for (id, events) in (0..tasks).zip(results) {
        assert_eq!(events.len(), 2);
        for event in events {
            assert_eq!(
                event
                    .context()
                    .get("ctx_request_id")
                    .and_then(ContextValue::as_u64),
                Some(id)
            );
            assert_eq!(
                event.blocking_events()[0].event(),
                format!("std::fs::read({id})")
            );
        }
    }
    assert!(aiocop::unregister_context_provider(handle));
}

#[tokio::test]
async fn shared_values_reach_callbacks_intact() {
    setup();
    TEST.set("shared");
    #[derive(Debug, PartialEq)]
    struct Span {
        id: u64,
    }
    let span = Arc::new(Span { id: 9 });
    let handle = {
        let span = span.clone();
        provider_for("shared", move || {
            Context::new().with("ctx_span", ContextValue::Any(span.clone()))
        })
    };
    let event = one_blocking_poll("context_shared").await;
    let value = event.context().get("ctx_span").expect("the span is there");
    assert_eq!(value.downcast_ref::<Span>(), Some(&Span { id: 9 }));
    assert!(value.downcast_ref::<String>().is_none());
    assert_eq!(format!("{value:?}"), "<opaque>");
    assert!(aiocop::unregister_context_provider(handle));
    TEST.set("");
}

#[test]
fn context_values_convert_and_compare() {
    let ctx: Context = [("b", 2), ("a", 1)].into_iter().collect();
    assert_eq!(ctx.iter().map(|(k, _)| k).collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(ctx.len(), 2);
    assert!(!ctx.is_empty());

    let mut ctx = Context::new()
        .with("s", "text")
        .with("n", -3i32)
        .with("u", 7u8);
    assert_eq!(
        ctx.insert("s", "replaced"),
        Some(ContextValue::from("text"))
    );
    assert_eq!(ctx.get_str("s"), Some("replaced"));
    assert_eq!(ctx.get("n").and_then(ContextValue::as_i64), Some(-3));
    assert_eq!(ctx.get("n").and_then(ContextValue::as_u64), None);
    assert_eq!(ctx.get("u").and_then(ContextValue::as_u64), Some(7));
    assert_eq!(ctx.get("u").and_then(ContextValue::as_f64), Some(7.0));
    assert_eq!(ContextValue::from(1.5f32).as_f64(), Some(1.5));
    assert_eq!(ContextValue::from(u64::MAX).as_i64(), None);
    assert_eq!(ContextValue::from(false).as_bool(), Some(false));
    assert_eq!(ContextValue::from("x").as_bool(), None);
    assert_eq!(ContextValue::from(String::from("y")).to_string(), "y");
    assert_eq!(ContextValue::from(3u16).to_string(), "3");

    let mut base = Context::new().with("keep", 1).with("over", "old");
    base.merge(Context::new().with("over", "new").with("add", true));
    assert_eq!(base.get_str("over"), Some("new"));
    assert_eq!(base.get("keep").and_then(ContextValue::as_i64), Some(1));
    assert!(base.contains_key("add"));
    assert_eq!(
        format!("{base:?}"),
        r#"{"add": true, "keep": 1, "over": "new"}"#
    );

    let shared = ContextValue::any(5u8);
    assert_eq!(shared, shared.clone());
    assert_ne!(shared, ContextValue::any(5u8));
    assert_eq!(shared.to_string(), "<opaque>");
}
