//! The OpenTelemetry integration against the real SDK: spans go through a simple span processor
//! into the SDK's in-memory exporter, and the tests read the finished spans' attributes.
//!
//! Each test has its own tracer provider and exporter, and runs in a process of its own
//! (`own_process!`) with this module's aiocop set-up.

use std::time::{Duration, Instant};

use aiocop::integrations::opentelemetry::{
    CONTEXT_KEY, OpenTelemetryCallback, SPAN_EVENT_NAME, otel_context,
};
use opentelemetry::trace::{FutureExt as _, TraceContextExt, Tracer, TracerProvider as _};
use opentelemetry::{Context, Key, Value};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};

const THRESHOLD_MS: u64 = 20;
const BLOCK: Duration = Duration::from_millis(30);

fn setup() {
    aiocop_tests::setup_at(THRESHOLD_MS, || {
        aiocop::integrations::opentelemetry::register_context_provider();
        OpenTelemetryCallback::new().register();
    });
}

struct Traces {
    provider: SdkTracerProvider,
    exporter: InMemorySpanExporter,
}

impl Traces {
    fn new() -> Self {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        Self { provider, exporter }
    }

    /// A started span, as the active span of a new context.
    fn request(&self, name: &'static str) -> Context {
        let span = self.provider.tracer("aiocop-tests").start(name);
        Context::current_with_span(span)
    }

    /// The finished span named `name`.
    fn finished(&self, name: &str) -> SpanData {
        let spans = self.exporter.get_finished_spans().unwrap();
        let mut matching: Vec<_> = spans.into_iter().filter(|s| s.name == name).collect();
        assert_eq!(matching.len(), 1, "{matching:#?}");
        matching.remove(0)
    }
}

fn attr(span: &SpanData, key: &str) -> Option<Value> {
    attr_in(&span.attributes, key)
}

fn attr_in(attributes: &[opentelemetry::KeyValue], key: &str) -> Option<Value> {
    attributes
        .iter()
        .find(|kv| kv.key == Key::from(key.to_owned()))
        .map(|kv| kv.value.clone())
}

fn aiocop_attrs(span: &SpanData) -> Vec<String> {
    span.attributes
        .iter()
        .map(|kv| kv.key.to_string())
        .filter(|k| k.starts_with("aiocop."))
        .collect()
}

fn busy_wait(duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        std::hint::spin_loop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_blocking_poll_tags_the_active_span() {
    aiocop_tests::own_process!("slow_blocking_poll_tags_the_active_span");
    setup();
    let traces = Traces::new();
    let cx = traces.request("GET /users");
    tokio::spawn(
        aiocop::monitored!("otel_high_handler", async {
            aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"30ms"]);
            std::thread::sleep(BLOCK);
            tokio::task::yield_now().await;
        })
        .with_context(cx.clone()),
    )
    .await
    .unwrap();
    cx.span().end();

    let span = traces.finished("GET /users");
    assert_eq!(attr(&span, "aiocop.slow_task"), Some(Value::Bool(true)));
    assert_eq!(
        attr(&span, "aiocop.severity_level"),
        Some(Value::from("high"))
    );
    assert_eq!(
        attr(&span, "aiocop.reason"),
        Some(Value::from("io_blocking"))
    );
    let Some(Value::F64(elapsed)) = attr(&span, "aiocop.elapsed_ms") else {
        panic!("elapsed_ms is a float: {span:#?}");
    };
    assert!(elapsed >= BLOCK.as_millis() as f64, "{elapsed}");
    assert_eq!(
        attr(&span, "aiocop.threshold_ms"),
        Some(Value::F64(THRESHOLD_MS as f64))
    );
    assert_eq!(attr(&span, "aiocop.severity_score"), Some(Value::I64(50)));
    assert_eq!(
        attr(&span, "aiocop.blocking_events_count"),
        Some(Value::I64(1))
    );
    assert_eq!(
        attr(&span, "aiocop.blocking_events"),
        Some(Value::from("std::thread::sleep(30ms)"))
    );
    assert_eq!(
        attr(&span, "aiocop.function"),
        Some(Value::from(
            "integrations::opentelemetry::otel_high_handler"
        ))
    );
    assert!(span.events.is_empty(), "no span events by default");
}

#[tokio::test(flavor = "current_thread")]
async fn quick_poll_is_not_recorded_by_default() {
    aiocop_tests::own_process!("quick_poll_is_not_recorded_by_default");
    setup();
    let traces = Traces::new();
    let cx = traces.request("GET /quick");
    let path = std::env::temp_dir();
    let ((), events) = aiocop::events::collect_events(
        aiocop::monitored!("otel_quick_handler", async {
            aiocop::audit(
                "std::fs::metadata",
                aiocop::WEIGHT_LIGHT,
                &[&path.display()],
            );
            assert!(std::fs::metadata(&path).unwrap().is_dir());
        })
        .with_context(cx.clone()),
    )
    .await;
    cx.span().end();

    assert_eq!(events.len(), 1);
    assert!(!events[0].exceeded_threshold());
    assert!(events[0].context().contains_key(CONTEXT_KEY));
    assert!(aiocop_attrs(&traces.finished("GET /quick")).is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn the_captured_context_reaches_a_callback_run_elsewhere_with_span_events() {
    aiocop_tests::own_process!(
        "the_captured_context_reaches_a_callback_run_elsewhere_with_span_events"
    );
    setup();
    let traces = Traces::new();
    let cx = traces.request("GET /later");
    let path = std::env::temp_dir();
    let ((), events) = aiocop::events::collect_events(
        aiocop::monitored!("otel_later_handler", async {
            for _ in 0..7 {
                aiocop::audit(
                    "std::fs::metadata",
                    aiocop::WEIGHT_LIGHT,
                    &[&path.display()],
                );
                std::fs::metadata(&path).unwrap();
            }
        })
        .with_context(cx.clone()),
    )
    .await;
    assert_eq!(events.len(), 1);

    // Out here no span is active: only the context the provider captured leads to the span.
    assert!(!Context::current().has_active_span());
    let callback = OpenTelemetryCallback::new()
        .only_exceeded(false)
        .span_events(true)
        .summary_events(2);
    assert!(callback.record(&events[0]));
    cx.span().end();

    let span = traces.finished("GET /later");
    let call = format!("std::fs::metadata({})", path.display());
    assert_eq!(
        attr(&span, "aiocop.blocking_events"),
        Some(Value::from(format!("{call}; {call}; ... (5 more)")))
    );
    assert_eq!(
        attr(&span, "aiocop.blocking_events_count"),
        Some(Value::I64(7))
    );
    assert_eq!(attr(&span, "aiocop.severity_score"), Some(Value::I64(7)));
    assert_eq!(
        attr(&span, "aiocop.severity_level"),
        Some(Value::from("low"))
    );
    let span_events: Vec<_> = span.events.iter().collect();
    assert_eq!(span_events.len(), 1);
    assert_eq!(span_events[0].name, SPAN_EVENT_NAME);
    assert_eq!(
        attr_in(&span_events[0].attributes, "aiocop.reason"),
        Some(Value::from("io_blocking"))
    );

    // Without a captured context and with no active span there is nothing to tag.
    let ((), events) =
        aiocop::events::collect_events(aiocop::monitored!("otel_no_span_handler", async {
            aiocop::audit(
                "std::fs::metadata",
                aiocop::WEIGHT_LIGHT,
                &[&path.display()],
            );
            std::fs::metadata(&path).unwrap();
        }))
        .await;
    assert!(otel_context().is_empty());
    assert!(!events[0].context().contains_key(CONTEXT_KEY));
    assert!(!callback.record(&events[0]));
}

#[tokio::test(flavor = "current_thread")]
async fn cpu_bound_poll_is_tagged_without_an_events_summary() {
    aiocop_tests::own_process!("cpu_bound_poll_is_tagged_without_an_events_summary");
    setup();
    let traces = Traces::new();
    let cx = traces.request("GET /cpu");
    aiocop::monitored!("otel_cpu_handler", async { busy_wait(BLOCK) })
        .with_context(cx.clone())
        .await;
    cx.span().end();

    let span = traces.finished("GET /cpu");
    assert_eq!(
        attr(&span, "aiocop.reason"),
        Some(Value::from("cpu_blocking"))
    );
    assert_eq!(attr(&span, "aiocop.severity_score"), Some(Value::I64(0)));
    assert_eq!(
        attr(&span, "aiocop.blocking_events_count"),
        Some(Value::I64(0))
    );
    assert_eq!(attr(&span, "aiocop.blocking_events"), None);
}
