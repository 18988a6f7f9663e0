//! The `tracing` integration against a real subscriber: tracing-subscriber's JSON formatter writes
//! into a shared buffer, and the tests read back the lines their own monitored functions caused.
//!
//! Callbacks run on aiocop's delivery thread in this process (`Delivery::Background`), so every
//! test also checks that the event lands in the request's span although it is emitted elsewhere.

use std::io;
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::time::{Duration, Instant};

use aiocop::integrations::tracing::{
    PollLayer, SPAN_ID_KEY, SPAN_KEY, SPAN_NAME_KEY, SpanFieldsLayer, TracingCallback, span_context,
};
use aiocop::{ContextValue, SeverityLevel, SlowTaskEvent};
use serde_json::Value;
use tracing::{Instrument, Level};
use tracing_subscriber::layer::SubscriberExt;

const THRESHOLD_MS: u64 = 20;
const BLOCK: Duration = Duration::from_millis(35);

static OUTPUT: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct SharedBuffer;

impl io::Write for SharedBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        OUTPUT
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Identical for every test of this module: settings and callbacks are process-wide.
fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let subscriber = tracing_subscriber::registry()
            .with(SpanFieldsLayer::new().with_field("tenant"))
            // Spans as poll boundaries: the tests below with "span" in their names.
            .with(PollLayer::new().with_name_field("route"))
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(true)
                    .with_thread_names(true)
                    .with_writer(|| SharedBuffer),
            );
        tracing::subscriber::set_global_default(subscriber).expect("first global subscriber");
        aiocop::delivery::set_mode(aiocop::delivery::Delivery::Background);
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(0).unwrap();
        aiocop::detect_slow_tasks(THRESHOLD_MS, aiocop::no_callback).unwrap();
        aiocop::integrations::tracing::register_context_provider();
        TracingCallback::new().register();
        aiocop::register_slow_task_callback(|event: &SlowTaskEvent| {
            EVENTS
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(event.clone());
        });
        aiocop::activate();
    });
}

/// Every event delivered so far.
static EVENTS: Mutex<Vec<SlowTaskEvent>> = Mutex::new(Vec::new());

/// The events whose function's name starts with `name` (spans named with fields go on with
/// `{field=value}`).
fn events_named(name: &str) -> Vec<SlowTaskEvent> {
    aiocop::delivery::flush();
    EVENTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter(|e| {
            e.function()
                .name()
                .strip_prefix(name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('{'))
        })
        .cloned()
        .collect()
}

/// Every JSON line written so far.
fn lines() -> Vec<Value> {
    let output = OUTPUT.lock().unwrap_or_else(PoisonError::into_inner);
    String::from_utf8_lossy(&output)
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON object"))
        .collect()
}

/// The slow-task events emitted for the monitored function `name`.
fn task_events(name: &str) -> Vec<Value> {
    aiocop::delivery::flush();
    let suffix = format!("::{name}");
    lines()
        .into_iter()
        .filter(|l| {
            l["fields"]["function"]
                .as_str()
                .is_some_and(|f| f.ends_with(&suffix))
        })
        .collect()
}

/// The per-blocking-call events whose entry point is in the monitored function `name`.
fn blocking_events(name: &str) -> Vec<Value> {
    aiocop::delivery::flush();
    let suffix = format!(":{name}");
    lines()
        .into_iter()
        .filter(|l| {
            l["fields"]["entry_point"]
                .as_str()
                .is_some_and(|f| f.ends_with(&suffix))
        })
        .collect()
}

fn busy_wait(duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        std::hint::spin_loop();
    }
}

/// The one event named `name`: a CPU event whose first stack sample names `busy_wait`.
fn assert_one_cpu_event_sampled_in_busy_wait(name: &str) -> SlowTaskEvent {
    let events = events_named(name);
    assert_eq!(events.len(), 1, "{events:#?}");
    let event = events.into_iter().next().expect("one event");
    assert_eq!(event.reason(), aiocop::Reason::CpuBlocking);
    let top = event
        .cpu_stack_samples()
        .first()
        .unwrap_or_else(|| panic!("no samples: {event:#?}"));
    assert!(
        top.entry_point().contains("busy_wait"),
        "{}",
        top.entry_point()
    );
    event
}

fn temp_file(name: &str) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("aiocop-tracing-{}-{name}", std::process::id()));
    std::fs::write(&path, b"payload").unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn high_severity_task_is_one_error_event_with_fields_in_the_request_span() {
    setup();
    let span = tracing::info_span!("request", request_id = "req-123", tenant = 7u64);
    tokio::spawn(
        aiocop::monitored!("tracing_high_handler", async {
            aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"35ms"]);
            std::thread::sleep(BLOCK);
            tokio::task::yield_now().await;
        })
        .instrument(span),
    )
    .await
    .unwrap();

    let events = task_events("tracing_high_handler");
    assert_eq!(events.len(), 1, "{events:#?}");
    let line = &events[0];
    assert_eq!(line["level"], "ERROR");
    assert_eq!(line["target"], "aiocop");
    let fields = &line["fields"];
    assert_eq!(fields["message"], "High severity blocking I/O detected");
    assert!(fields["elapsed_ms"].as_f64().unwrap() >= BLOCK.as_millis() as f64);
    assert_eq!(fields["threshold_ms"].as_f64(), Some(THRESHOLD_MS as f64));
    assert_eq!(fields["exceeded_threshold"], true);
    assert_eq!(fields["severity_score"], 50);
    assert_eq!(fields["severity_level"], "high");
    assert_eq!(fields["reason"], "io_blocking");
    assert_eq!(
        fields["function"],
        "integrations::tracing::tracing_high_handler"
    );
    assert_eq!(fields["blocking_events_count"], 1);
    let summary = fields["blocking_events"].as_str().unwrap();
    assert!(
        summary.starts_with("std::thread::sleep(35ms) at ")
            && summary.ends_with(":tracing_high_handler"),
        "{summary}"
    );
    assert_eq!(fields["dropped_events"], 0);
    assert_eq!(fields["request_id"], "req-123");
    let context = fields["context"].as_str().unwrap();
    assert!(context.contains(r#""request_id": "req-123""#), "{context}");
    assert!(context.contains(r#""tenant": 7"#), "{context}");
    assert!(context.contains(r#""span_name": "request""#), "{context}");
    assert!(!context.contains("opaque"), "{context}");

    // Emitted on aiocop's delivery thread, yet inside the request's span.
    assert_eq!(line["threadName"], "aiocop-delivery");
    assert_eq!(line["span"]["name"], "request");
    assert_eq!(line["span"]["request_id"], "req-123");

    let per_call = blocking_events("tracing_high_handler");
    assert_eq!(per_call.len(), 1, "{per_call:#?}");
    assert_eq!(per_call[0]["level"], "DEBUG");
    assert_eq!(per_call[0]["fields"]["message"], "Blocking event");
    assert_eq!(per_call[0]["fields"]["event"], "std::thread::sleep(35ms)");
    assert_eq!(per_call[0]["fields"]["severity"], 50);
    assert_eq!(per_call[0]["span"]["name"], "request");
}

#[tokio::test(flavor = "current_thread")]
async fn medium_severity_file_read_is_a_warning() {
    setup();
    let path = temp_file("medium");
    let data = aiocop::monitored!("tracing_medium_handler", async {
        aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&path.display()]);
        let data = std::fs::read(&path).unwrap();
        // Unrecorded blocking on top, so the poll exceeds the threshold.
        std::thread::sleep(BLOCK);
        data
    })
    .instrument(tracing::info_span!("request", request_id = 42u64))
    .await;
    assert_eq!(data, b"payload");
    std::fs::remove_file(&path).unwrap();

    let events = task_events("tracing_medium_handler");
    assert_eq!(events.len(), 1, "{events:#?}");
    let fields = &events[0]["fields"];
    assert_eq!(events[0]["level"], "WARN");
    assert_eq!(fields["message"], "Medium severity blocking I/O detected");
    assert_eq!(fields["severity_level"], "medium");
    assert_eq!(fields["severity_score"], 10);
    assert_eq!(fields["request_id"], "42");
    let summary = fields["blocking_events"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!("std::fs::read({}) at ", path.display())),
        "{summary}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn cpu_bound_task_is_info_and_outside_any_span_has_no_request_id() {
    setup();
    aiocop::monitored!("tracing_cpu_handler", async { busy_wait(BLOCK) }).await;

    let events = task_events("tracing_cpu_handler");
    assert_eq!(events.len(), 1, "{events:#?}");
    let line = &events[0];
    assert_eq!(line["level"], "INFO");
    assert_eq!(
        line["fields"]["message"],
        "Slow task detected (cpu_blocking)"
    );
    assert_eq!(line["fields"]["reason"], "cpu_blocking");
    assert_eq!(line["fields"]["severity_level"], "low");
    assert_eq!(line["fields"]["blocking_events_count"], 0);
    assert!(line["fields"].get("request_id").is_none(), "{line}");
    assert_eq!(line["fields"]["context"], "{}");
    assert!(line.get("span").is_none(), "{line}");
}

#[tokio::test(flavor = "current_thread")]
async fn quick_blocking_poll_is_not_logged_by_default_but_is_with_only_exceeded_off() {
    setup();
    let path = temp_file("quick");
    let ((), events) =
        aiocop::events::collect_events(aiocop::monitored!("tracing_quick_handler", async {
            aiocop::audit(
                "std::fs::metadata",
                aiocop::WEIGHT_LIGHT,
                &[&path.display()],
            );
            assert!(std::fs::metadata(&path).unwrap().is_file());
        }))
        .await;
    std::fs::remove_file(&path).unwrap();
    assert_eq!(events.len(), 1);
    assert!(!events[0].exceeded_threshold());
    assert!(
        task_events("tracing_quick_handler").is_empty(),
        "the default callback only logs polls that exceeded the threshold"
    );

    // The same event through a reconfigured callback, into a subscriber of this thread.
    let local = Arc::new(Mutex::new(Vec::new()));
    let writer = local.clone();
    let subscriber = tracing_subscriber::registry().with(
        tracing_subscriber::fmt::layer()
            .json()
            .with_writer(move || LocalBuffer(writer.clone())),
    );
    let callback = TracingCallback::new()
        .level_for(SeverityLevel::Low, Level::DEBUG)
        .only_exceeded(false)
        .blocking_event_level(None);
    assert_eq!(callback.level_of(&events[0]), Some(Level::DEBUG));
    assert_eq!(
        callback
            .clone()
            .min_severity(SeverityLevel::Medium)
            .level_of(&events[0]),
        None
    );
    tracing::subscriber::with_default(subscriber, || callback.emit(&events[0]));
    let text = String::from_utf8(local.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "no per-call event when its level is None: {text}"
    );
    assert_eq!(lines[0]["level"], "DEBUG");
    assert_eq!(lines[0]["fields"]["exceeded_threshold"], false);
    assert_eq!(lines[0]["fields"]["severity_score"], 1);
    assert_eq!(
        lines[0]["fields"]["message"],
        "Low severity blocking I/O detected"
    );
}

struct LocalBuffer(Arc<Mutex<Vec<u8>>>);

impl io::Write for LocalBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A request under a scoped subscriber (`set_default`, as tests and per-tenant logging do): the
/// delivery thread does not see that subscriber as its default, yet the event reaches it.
#[tokio::test(flavor = "current_thread")]
async fn event_reaches_the_scoped_subscriber_of_its_span() {
    setup();
    let local = Arc::new(Mutex::new(Vec::new()));
    let writer = local.clone();
    let subscriber = tracing_subscriber::registry()
        .with(SpanFieldsLayer::new())
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(true)
                .with_thread_names(true)
                .with_writer(move || LocalBuffer(writer.clone())),
        );
    let guard = tracing::subscriber::set_default(subscriber);
    aiocop::monitored!("tracing_scoped_handler", async {
        aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"35ms"]);
        std::thread::sleep(BLOCK);
    })
    .instrument(tracing::info_span!(
        "scoped_request",
        request_id = "req-scoped"
    ))
    .await;
    drop(guard);

    assert!(
        task_events("tracing_scoped_handler").is_empty(),
        "not the global subscriber"
    );
    let text = String::from_utf8(local.lock().unwrap().clone()).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|l: &Value| l["fields"]["severity_score"] == 50)
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    assert_eq!(lines[0]["level"], "ERROR");
    assert_eq!(lines[0]["threadName"], "aiocop-delivery");
    assert_eq!(lines[0]["span"]["name"], "scoped_request");
    assert_eq!(lines[0]["fields"]["request_id"], "req-scoped");
}

#[test]
fn span_context_finds_fields_on_parents_and_recorded_later() {
    setup();
    let request = tracing::info_span!(
        "request",
        request_id = tracing::field::Empty,
        tenant = "acme"
    );
    request.record("request_id", "req-late");
    let _request = request.enter();
    let db = tracing::info_span!("db_query");
    let _db = db.enter();

    let ctx = span_context();
    assert_eq!(ctx.get_str(SPAN_NAME_KEY), Some("db_query"));
    assert_eq!(ctx.get_str("request_id"), Some("req-late"));
    assert_eq!(ctx.get_str("tenant"), Some("acme"));
    assert_eq!(
        ctx.get(SPAN_ID_KEY).and_then(ContextValue::as_u64),
        db.id().map(|id| id.into_u64())
    );
    let captured = ctx
        .get(SPAN_KEY)
        .and_then(ContextValue::downcast_ref::<tracing::Span>)
        .expect("the span itself is carried");
    assert_eq!(captured.id(), db.id());

    // The innermost span's own value wins over its parent's.
    let retry = tracing::info_span!("retry", request_id = "req-inner");
    let _retry = retry.enter();
    assert_eq!(span_context().get_str("request_id"), Some("req-inner"));
}

#[test]
fn span_context_is_empty_outside_spans() {
    setup();
    assert!(span_context().is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn a_sampled_poll_names_its_hottest_stack() {
    setup();
    aiocop::monitored!("tracing_sampled_handler", async {
        busy_wait(Duration::from_millis(150))
    })
    .await;

    let events = task_events("tracing_sampled_handler");
    assert_eq!(events.len(), 1, "{events:#?}");
    let hottest = events[0]["fields"]["hottest_stack"]
        .as_str()
        .unwrap_or_else(|| panic!("no hottest_stack: {}", events[0]));
    // `entry point (n/total)`: the busy function, found by most of the samples.
    assert!(hottest.contains("busy_wait"), "{hottest}");
    assert!(hottest.ends_with(')') && hottest.contains('/'), "{hottest}");
}

/// A store whose method is monitored and instrumented, under `#[async_trait]`, in both orders of
/// the two attributes, and a twin without `#[aiocop::monitor]`: each reports the span current
/// while its body runs.
#[async_trait::async_trait]
trait Store {
    async fn monitored_above(&self) -> Option<&'static str>;
    async fn monitored_below(&self) -> Option<&'static str>;
    async fn unmonitored(&self) -> Option<&'static str>;
}

struct Db;

fn current_span_name() -> Option<&'static str> {
    tracing::Span::current().metadata().map(|m| m.name())
}

#[async_trait::async_trait]
impl Store for Db {
    #[aiocop::monitor]
    #[tracing::instrument(skip(self))]
    async fn monitored_above(&self) -> Option<&'static str> {
        tokio::task::yield_now().await;
        current_span_name()
    }

    #[tracing::instrument(skip(self))]
    #[aiocop::monitor]
    async fn monitored_below(&self) -> Option<&'static str> {
        tokio::task::yield_now().await;
        current_span_name()
    }

    #[tracing::instrument(skip(self))]
    async fn unmonitored(&self) -> Option<&'static str> {
        tokio::task::yield_now().await;
        current_span_name()
    }
}

#[test]
fn monitoring_an_instrumented_async_trait_method_keeps_its_span_around_the_body() {
    let _subscriber = tracing::subscriber::set_default(tracing_subscriber::registry());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let db = Db;
    assert_eq!(runtime.block_on(db.unmonitored()), Some("unmonitored"));
    assert_eq!(
        runtime.block_on(db.monitored_above()),
        Some("monitored_above")
    );
    assert_eq!(
        runtime.block_on(db.monitored_below()),
        Some("monitored_below")
    );
}

// --- spans as poll boundaries (`PollLayer`): no aiocop annotation below ------------------------

/// A request handler instrumented the usual way, with a route field the layer names events by.
#[tracing::instrument(fields(route = "/users/{id}"))]
async fn span_users_handler(user: u64) -> u64 {
    span_users_lookup(user).await;
    tokio::task::yield_now().await;
    user
}

/// A nested instrumented function: the blocking call is its own.
#[tracing::instrument]
async fn span_users_lookup(user: u64) {
    aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"35ms"]);
    std::thread::sleep(BLOCK);
}

/// The event of `span_users_handler(user)`'s blocking poll, checked whole.
fn assert_span_handler_event(user: u64) {
    let events: Vec<_> = events_named("span_users_handler")
        .into_iter()
        .filter(|e| e.context().get("user").map(ToString::to_string) == Some(user.to_string()))
        .collect();
    assert_eq!(
        events.len(),
        1,
        "one event for the one blocking poll: {events:#?}"
    );
    let event = &events[0];
    let function = event.function();
    assert_eq!(function.name(), "span_users_handler{route=/users/{id}}");
    assert_eq!(function.module_path(), "integrations::tracing");
    assert!(function.file().ends_with("tracing.rs"), "{function:?}");
    assert_eq!(event.severity_level(), SeverityLevel::High);
    assert!(event.exceeded_threshold());
    let context = event.context();
    assert_eq!(context.get_str("route"), Some("/users/{id}"));
    // The span context provider registered here wins over the layer's `span_name`: the span
    // current at the blocking call.
    assert_eq!(context.get_str(SPAN_NAME_KEY), Some("span_users_lookup"));
    let [blocking] = event.blocking_events() else {
        panic!("{:#?}", event.blocking_events());
    };
    assert_eq!(blocking.event(), "std::thread::sleep(35ms)");
    // Tagged by the nested span, as a nested monitored function would be.
    assert_eq!(blocking.function().name(), "span_users_lookup");
}

#[tokio::test(flavor = "current_thread")]
async fn span_instrumented_handler_is_monitored_on_the_current_thread_runtime() {
    setup();
    assert_eq!(tokio::spawn(span_users_handler(1)).await.unwrap(), 1);
    assert_span_handler_event(1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn span_instrumented_handler_is_monitored_on_the_multi_thread_runtime() {
    setup();
    assert_eq!(tokio::spawn(span_users_handler(2)).await.unwrap(), 2);
    assert_span_handler_event(2);
}

/// A span made on one thread (a request accepted by a thread of the service's own) and polled on
/// the runtime's workers: the event has the fields it was made with, and its name.
#[test]
fn a_span_made_on_another_thread_keeps_its_fields_for_its_polls() {
    setup();
    let span = std::thread::spawn(|| {
        tracing::info_span!(
            "span_made_elsewhere",
            route = "/made/{elsewhere}",
            uri = %"/made/7?x=1",
            attempt = 3u64
        )
    })
    .join()
    .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    runtime.block_on(async move {
        tokio::spawn(
            async {
                tokio::task::yield_now().await;
                aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"35ms"]);
                std::thread::sleep(BLOCK);
            }
            .instrument(span),
        )
        .await
        .unwrap();
    });
    let events = events_named("span_made_elsewhere");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(
        events[0].function().name(),
        "span_made_elsewhere{route=/made/{elsewhere}}"
    );
    let context = events[0].context();
    assert_eq!(context.get_str("uri"), Some("/made/7?x=1"));
    assert_eq!(context.get("attempt"), Some(&ContextValue::U64(3)));
}

/// A value whose `Display` makes and records a span of its own (under the global subscriber,
/// tracing hands those to the subscriber even while it is inside one of its own callbacks).
struct MakesSpans(u64);

impl std::fmt::Display for MakesSpans {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = tracing::info_span!(
            "made_while_formatting",
            n = self.0,
            late = tracing::field::Empty
        );
        inner.record("late", self.0);
        write!(f, "m{}", self.0)
    }
}

/// The layer formats span values before it takes any lock of its own: values whose formatting
/// makes and records spans, on many threads at once, never wait on the layer (with a lock held
/// while formatting, a span made inside would wait on its own thread's lock).
#[test]
fn span_values_that_make_spans_while_formatted_never_wait_on_the_layer() {
    setup();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .build()
            .unwrap();
        runtime.block_on(async {
            let tasks: Vec<_> = (0..8u64)
                .map(|task| {
                    tokio::spawn(async move {
                        for i in 0..500u64 {
                            let span = tracing::info_span!(
                                "span_with_values_that_make_spans",
                                value = %MakesSpans(task * 1_000 + i),
                                late = tracing::field::Empty
                            );
                            span.record("late", tracing::field::display(MakesSpans(i)));
                            async { tokio::task::yield_now().await }
                                .instrument(span)
                                .await;
                        }
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
        });
        let _ = done.send(());
    });
    finished
        .recv_timeout(Duration::from_secs(60))
        .expect("4 000 spans made in a minute: the layer waited on itself");
}

/// Blocks inside a sync span named `name`: a poll only where a task's poll runs it.
fn block_in_sync_span(name: &'static str) {
    let span = tracing::info_span!("sync", which = name);
    span.in_scope(|| {
        aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"35ms"]);
        std::thread::sleep(BLOCK);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn span_entered_off_the_runtime_polls_is_not_a_poll() {
    setup();
    tokio::task::spawn_blocking(|| block_in_sync_span("spawn_blocking"))
        .await
        .unwrap();
    std::thread::spawn(|| block_in_sync_span("std_thread"))
        .join()
        .unwrap();
    // The same span in a task's poll runs on the worker: that one is.
    tokio::spawn(async { block_in_sync_span("task") })
        .await
        .unwrap();

    let which: Vec<String> = events_named("sync")
        .iter()
        .map(|e| {
            e.context()
                .get("which")
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(which, ["task"], "only the span entered in a task's poll");
}

/// A monitored future inside a span's poll reports its own poll, under its own name; the span's
/// poll leaves that time out, and reports nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn span_around_a_monitored_future_leaves_its_poll_to_it() {
    setup();
    tokio::spawn(
        aiocop::monitored!("span_inner_monitored", async {
            aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"35ms"]);
            std::thread::sleep(BLOCK);
        })
        .instrument(tracing::info_span!("span_outer_of_monitored")),
    )
    .await
    .unwrap();

    let inner = events_named("span_inner_monitored");
    assert_eq!(inner.len(), 1, "{inner:#?}");
    assert_eq!(inner[0].blocking_events().len(), 1);
    assert!(events_named("span_outer_of_monitored").is_empty());
}

#[tracing::instrument]
async fn span_cpu_handler() {
    busy_wait(Duration::from_millis(150));
}

/// A CPU-bound poll of an instrumented task is sampled like a monitored one: the samples name
/// the busy function (the stack is read up to the span's poll, within the worker's stack).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn span_cpu_bound_poll_is_sampled() {
    setup();
    tokio::spawn(span_cpu_handler()).await.unwrap();

    assert_one_cpu_event_sampled_in_busy_wait("span_cpu_handler");
}

/// A span guard held across an `.await` (a bug `tracing` warns about) leaves its span entered
/// while other tasks run on the thread: the next task's span takes over, and neither the held
/// span nor the other task's poll is reported under the held span's name.
#[tokio::test(flavor = "current_thread")]
async fn span_guard_held_across_an_await_does_not_take_over_the_thread() {
    setup();
    let held = tracing::info_span!("span_held_guard");
    let guard = held.enter();
    // The spawned task runs on this thread while the guard is held.
    assert_eq!(tokio::spawn(span_other_task()).await.unwrap(), 3);
    drop(guard);

    assert!(events_named("span_held_guard").is_empty());
    let other = events_named("span_other_task");
    assert_eq!(other.len(), 1, "{other:#?}");
    assert_eq!(other[0].blocking_events().len(), 1);
}

/// A span field that counts how often it is formatted.
struct CountedUri(&'static str, &'static std::sync::atomic::AtomicUsize);

impl std::fmt::Display for CountedUri {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        f.write_str(self.0)
    }
}

/// Runs a request span (`method` as a string, `uri` counting its formatting) whose poll blocks,
/// under `subscriber` on this thread; returns how often `uri` was formatted.
fn block_in_request_span(
    subscriber: impl tracing::Subscriber + Send + Sync + 'static,
    name: &'static str,
    uri: &'static str,
) -> usize {
    static FORMATTED: [std::sync::atomic::AtomicUsize; 2] =
        [const { std::sync::atomic::AtomicUsize::new(0) }; 2];
    let counter = &FORMATTED[usize::from(name.ends_with("inner"))];
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let span = if name.ends_with("inner") {
                tracing::info_span!("fmt_request_inner", method = "GET", uri = %CountedUri(uri, counter))
            } else {
                tracing::info_span!("fmt_request_outer", method = "GET", uri = %CountedUri(uri, counter))
            };
            tokio::spawn(
                async {
                    aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"35ms"]);
                    std::thread::sleep(BLOCK);
                }
                .instrument(span),
            )
            .await
            .unwrap();
        });
    });
    counter.load(std::sync::atomic::Ordering::Relaxed)
}

/// With tracing-subscriber's `fmt` layer before it (the usual order), the poll layer formats no
/// span field itself: the `fmt` layer's text is read back when a poll makes an event, colours
/// and quotes taken off.
#[test]
fn span_fields_formatted_by_the_fmt_layer_are_not_formatted_again() {
    setup();
    let subscriber = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(true)
                .with_writer(io::sink),
        )
        .with(PollLayer::new().with_name_field("method"));
    let formatted = block_in_request_span(subscriber, "fmt_request_inner", "/users/9?tab=a b");

    let events = events_named("fmt_request_inner");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].function().name(), "fmt_request_inner{method=GET}");
    let context = events[0].context();
    assert_eq!(context.get_str("uri"), Some("/users/9?tab=a b"));
    assert_eq!(context.get_str("method"), Some("GET"));
    assert_eq!(formatted, 1, "formatted by the fmt layer only");
}

/// With the `fmt` layer after it, the poll layer keeps the fields itself (formatted twice, as
/// two layers that each keep them do), and the event has them all the same.
#[test]
fn span_fields_are_kept_when_the_fmt_layer_comes_after() {
    setup();
    let subscriber = tracing_subscriber::registry()
        .with(PollLayer::new().with_name_field("method"))
        .with(tracing_subscriber::fmt::layer().with_writer(io::sink));
    let formatted = block_in_request_span(subscriber, "fmt_request_outer", "/users/10");

    let events = events_named("fmt_request_outer");
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].function().name(), "fmt_request_outer{method=GET}");
    assert_eq!(events[0].context().get_str("uri"), Some("/users/10"));
    assert_eq!(formatted, 2);
}

#[tracing::instrument]
async fn span_other_task() -> u64 {
    aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"35ms"]);
    std::thread::sleep(BLOCK);
    3
}

/// An axum app whose requests run in a span (`route` and `method` fields, as a tracing
/// middleware makes them) and whose handlers carry no annotation, served on loopback.
#[cfg(feature = "axum")]
mod app {
    use axum::extract::{MatchedPath, Request};
    use axum::middleware::Next;
    use axum::response::Response;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tracing::Instrument;

    use super::{BLOCK, events_named, setup};

    async fn in_request_span(request: Request, next: Next) -> Response {
        let route = request
            .extensions()
            .get::<MatchedPath>()
            .map(|path| path.as_str().to_owned())
            .unwrap_or_default();
        let span = tracing::info_span!("span_request", route, method = %request.method());
        next.run(request).instrument(span).await
    }

    async fn blocking_handler() -> &'static str {
        aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"35ms"]);
        std::thread::sleep(BLOCK);
        "slept"
    }

    async fn clean_handler() -> &'static str {
        tokio::task::yield_now().await;
        "clean"
    }

    async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn span_of_an_axum_request_names_its_blocking_poll() {
        setup();
        let app = axum::Router::new()
            .route("/span/sleep/{id}", get(blocking_handler))
            .route("/span/clean", get(clean_handler))
            .route_layer(axum::middleware::from_fn(in_request_span));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move { axum::serve(listener, app).await });

        assert!(http_get(addr, "/span/sleep/7").await.ends_with("slept"));
        assert!(http_get(addr, "/span/clean").await.ends_with("clean"));
        server.abort();

        let events = events_named("span_request");
        assert_eq!(events.len(), 1, "only the blocking request: {events:#?}");
        let event = &events[0];
        assert_eq!(
            event.function().name(),
            "span_request{route=/span/sleep/{id}}"
        );
        assert_eq!(event.context().get_str("method"), Some("GET"));
        assert_eq!(event.context().get_str("route"), Some("/span/sleep/{id}"));
        let [blocking] = event.blocking_events() else {
            panic!("{:#?}", event.blocking_events());
        };
        assert_eq!(blocking.event(), "std::thread::sleep(35ms)");
        assert_eq!(
            blocking.function().name(),
            "span_request{route=/span/sleep/{id}}"
        );
    }
}

/// Spans as poll boundaries on a runtime whose workers are watched (`aiocop::runtime::instrument`),
/// where a span's poll is timed without a scope of its own: its blocking calls go to the worker's
/// stretch and move into the span's event when its poll ends.
#[cfg(feature = "runtime")]
mod watched_worker {
    use super::*;

    fn watched(multi_thread: bool) -> tokio::runtime::Runtime {
        let mut builder = aiocop_tests::runtime_builder(multi_thread);
        aiocop::runtime::instrument(&mut builder);
        builder.build().unwrap()
    }

    /// Runs `task` as a spawned task on a watched multi-thread runtime, which is then dropped
    /// (its workers stop and report their last stretches).
    fn in_watched_task(task: impl Future<Output = ()> + Send + 'static) {
        let runtime = watched(true);
        runtime.block_on(async { tokio::spawn(task).await.unwrap() });
        drop(runtime);
    }

    /// The worker events with a blocking call whose text contains `part`.
    fn worker_events_with_text(part: &str) -> Vec<SlowTaskEvent> {
        events_named(aiocop::runtime::WORKER_NAME)
            .into_iter()
            .filter(|e| call_texts(e).iter().any(|text| text.contains(part)))
            .collect()
    }

    /// The texts of `event`'s blocking calls.
    fn call_texts(event: &SlowTaskEvent) -> Vec<String> {
        event
            .blocking_events()
            .iter()
            .map(|b| b.event().to_owned())
            .collect()
    }

    /// The worker events whose blocking calls include one named `function`.
    fn worker_events_with_call_of(function: &str) -> Vec<SlowTaskEvent> {
        events_named(aiocop::runtime::WORKER_NAME)
            .into_iter()
            .filter(|e| {
                e.blocking_events()
                    .iter()
                    .any(|b| b.function().name() == function)
            })
            .collect()
    }

    /// The handler's event is the one of the unwatched runtime, whole (name with its route,
    /// severity, the nested span naming the call, the context provider's span), and the call is
    /// not reported a second time in the worker's event.
    #[test]
    fn span_instrumented_handler_is_monitored_on_watched_workers() {
        setup();
        for (multi_thread, user) in [(false, 11), (true, 12)] {
            let runtime = watched(multi_thread);
            let got = runtime
                .block_on(async move { tokio::spawn(span_users_handler(user)).await.unwrap() });
            drop(runtime);
            assert_eq!(got, user);
            assert_span_handler_event(user);
        }
        let twice = worker_events_with_call_of("span_users_lookup");
        assert!(twice.is_empty(), "moved out of the stretch: {twice:#?}");
    }

    #[tracing::instrument]
    async fn span_watched_cpu_handler() {
        busy_wait(Duration::from_millis(150));
    }

    /// A CPU-bound poll in a span on a watched worker: one event, named by the span, with
    /// samples naming the busy function; the worker's probes do not report it again.
    #[test]
    fn span_cpu_bound_poll_on_a_watched_worker_is_sampled_once() {
        setup();
        in_watched_task(span_watched_cpu_handler());

        let event = assert_one_cpu_event_sampled_in_busy_wait("span_watched_cpu_handler");
        // (The poll clock and `Instant` may differ by a few microseconds over 150 ms.)
        assert!(event.elapsed() >= Duration::from_millis(140), "{event:#?}");
        let stalls: Vec<_> = events_named(aiocop::runtime::WORKER_NAME)
            .into_iter()
            .filter(|e| {
                e.reason() == aiocop::Reason::CpuBlocking
                    && e.cpu_stack_samples()
                        .iter()
                        .any(|s| s.entry_point().contains("busy_wait"))
            })
            .collect();
        assert!(stalls.is_empty(), "reported twice: {stalls:#?}");
    }

    #[tracing::instrument]
    async fn span_watched_cpu_after_monitored() {
        aiocop::monitored!("span_watched_quick_monitored", async {}).await;
        busy_wait(Duration::from_millis(150));
    }

    /// A monitored future polled inside a span's poll hands the watchdog back to the span's poll
    /// when it returns: CPU work after it is still sampled.
    #[test]
    fn a_span_poll_is_sampled_after_a_monitored_future_inside_it() {
        setup();
        in_watched_task(span_watched_cpu_after_monitored());

        assert_one_cpu_event_sampled_in_busy_wait("span_watched_cpu_after_monitored");
    }

    #[tracing::instrument]
    async fn span_watched_around_slow_monitored() {
        aiocop::monitored!("span_watched_slow_monitored", async {
            busy_wait(Duration::from_millis(150));
        })
        .await;
    }

    /// The time of a monitored future polled inside a span's poll is the monitored future's: its
    /// own event reports it, and the span's poll, which spent all its time there, reports
    /// nothing (the span's poll's time leaves it out).
    #[test]
    fn a_monitored_future_inside_a_span_poll_takes_its_time_with_it() {
        setup();
        in_watched_task(span_watched_around_slow_monitored());

        let own = events_named("span_watched_slow_monitored");
        assert_eq!(own.len(), 1, "{own:#?}");
        // (The poll clock and `Instant` may differ by a few microseconds over 150 ms.)
        assert!(own[0].elapsed() >= Duration::from_millis(140), "{own:#?}");
        let span = events_named("span_watched_around_slow_monitored");
        assert!(span.is_empty(), "counted twice: {span:#?}");
    }

    /// A span aiocop's own callback enters, inline on the worker, to emit a nested monitored
    /// future's event in it (the `tracing` callback enters the event's span) ends nothing: the
    /// call the span's poll makes after the nested future is still the span's.
    #[test]
    fn a_span_entered_by_an_inline_callback_keeps_its_poll() {
        aiocop_tests::own_process!("a_span_entered_by_an_inline_callback_keeps_its_poll");
        // This process's own set-up: events delivered inline, on the worker.
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(PollLayer::new()),
        )
        .expect("first global subscriber");
        aiocop::delivery::set_mode(aiocop::delivery::Delivery::Inline);
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(0).unwrap();
        aiocop::detect_slow_tasks(THRESHOLD_MS, aiocop::no_callback).unwrap();
        aiocop::integrations::tracing::register_context_provider();
        // Quick polls that blocked are emitted too: the nested future's is one.
        TracingCallback::new().only_exceeded(false).register();
        let events = Arc::new(Mutex::new(Vec::<SlowTaskEvent>::new()));
        let sink = events.clone();
        aiocop::register_slow_task_callback(move |event: &SlowTaskEvent| {
            sink.lock().unwrap().push(event.clone());
        });
        aiocop::activate();

        in_watched_task(
            async {
                aiocop::monitored!("span_inline_nested", async {
                    aiocop::audit("std::fs::read", aiocop::WEIGHT_HEAVY, &[&"nested"]);
                })
                .await;
                aiocop::audit("std::fs::read", aiocop::WEIGHT_HEAVY, &[&"after-nested"]);
            }
            .instrument(tracing::info_span!("span_inline_outer")),
        );

        let events = events.lock().unwrap();
        let texts = |name: &str| -> Vec<Vec<String>> {
            events
                .iter()
                .filter(|e| e.function().name() == name)
                .map(call_texts)
                .collect()
        };
        assert_eq!(texts("span_inline_nested"), [["std::fs::read(nested)"]]);
        assert_eq!(
            texts("span_inline_outer"),
            [["std::fs::read(after-nested)"]],
            "{events:#?}"
        );
    }

    #[tracing::instrument]
    async fn span_watched_helper_in_monitored() {}

    /// A span entered inside a monitored future that is itself polled inside a span's poll is
    /// the monitored future's (it names its calls): the outer span's poll goes on, and a call it
    /// makes after the monitored future is its own.
    #[test]
    fn a_span_inside_a_monitored_future_inside_a_span_poll_ends_nothing() {
        setup();
        in_watched_task(
            async {
                aiocop::monitored!("span_watched_middle_monitored", async {
                    span_watched_helper_in_monitored().await;
                })
                .await;
                aiocop::audit(
                    "std::fs::read",
                    aiocop::WEIGHT_HEAVY,
                    &[&"after-the-middle"],
                );
            }
            .instrument(tracing::info_span!("span_watched_outer_of_middle")),
        );

        let outer = events_named("span_watched_outer_of_middle");
        assert_eq!(outer.len(), 1, "{outer:#?}");
        assert_eq!(call_texts(&outer[0]), ["std::fs::read(after-the-middle)"]);
        let worker = worker_events_with_text("after-the-middle");
        assert!(worker.is_empty(), "reported twice: {worker:#?}");
    }

    /// A span entered in a `spawn_blocking` closure, or inside `block_in_place` (after the same
    /// span was entered in the task's poll, so found to be a task's poll once already), is no
    /// poll: no event, however long it blocks.
    #[test]
    fn span_in_blocking_closures_on_a_watched_runtime_is_not_a_poll() {
        setup();
        let runtime = watched(true);
        runtime.block_on(async {
            tokio::task::spawn_blocking(|| block_in_sync_span("watched_spawn_blocking"))
                .await
                .unwrap();
            tokio::spawn(async {
                let span = tracing::info_span!("sync", which = "watched_in_place");
                span.in_scope(|| {});
                tokio::task::block_in_place(|| {
                    span.in_scope(|| {
                        aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"35ms"]);
                        std::thread::sleep(BLOCK);
                    });
                });
            })
            .await
            .unwrap();
            // The same span in a task's poll is one.
            tokio::spawn(async { block_in_sync_span("watched_task") })
                .await
                .unwrap();
        });
        drop(runtime);

        let which: Vec<String> = events_named("sync")
            .iter()
            .filter_map(|e| e.context().get("which").map(ToString::to_string))
            .filter(|which| which.starts_with("watched_"))
            .collect();
        assert_eq!(
            which,
            ["watched_task"],
            "only the span entered in a task's poll"
        );
    }

    /// In one task's poll, a call outside any span stays the worker's and a call inside the
    /// span's poll is the span's: each reported once, in its own event.
    #[test]
    fn calls_outside_a_span_stay_the_workers_and_inside_move_to_the_span() {
        setup();
        in_watched_task(async {
            aiocop::audit(
                "std::fs::read",
                aiocop::WEIGHT_MODERATE,
                &[&"outside-the-span"],
            );
            async {
                aiocop::audit(
                    "std::fs::read",
                    aiocop::WEIGHT_MODERATE,
                    &[&"inside-the-span"],
                );
            }
            .instrument(tracing::info_span!("span_watched_split"))
            .await;
        });

        let span = events_named("span_watched_split");
        assert_eq!(span.len(), 1, "{span:#?}");
        assert_eq!(call_texts(&span[0]), ["std::fs::read(inside-the-span)"]);
        let worker = worker_events_with_text("-the-span");
        assert_eq!(worker.len(), 1, "{worker:#?}");
        assert_eq!(call_texts(&worker[0]), ["std::fs::read(outside-the-span)"]);
    }

    /// A monitored future inside a span's poll on a watched worker reports its own poll; the
    /// span reports nothing, the worker nothing.
    #[test]
    fn span_around_a_monitored_future_on_a_watched_worker_leaves_its_poll_to_it() {
        setup();
        in_watched_task(
            aiocop::monitored!("span_watched_inner_monitored", async {
                aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"35ms"]);
                std::thread::sleep(BLOCK);
            })
            .instrument(tracing::info_span!("span_watched_outer_of_monitored")),
        );

        let inner = events_named("span_watched_inner_monitored");
        assert_eq!(inner.len(), 1, "{inner:#?}");
        assert_eq!(inner[0].blocking_events().len(), 1);
        assert!(events_named("span_watched_outer_of_monitored").is_empty());
        assert!(worker_events_with_call_of("span_watched_inner_monitored").is_empty());
    }
}
