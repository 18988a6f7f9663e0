//! The Sentry integration against the sentry crate's test transport: real clients, hubs and
//! scopes; the transport keeps the envelopes instead of sending them. Each test runs in a process
//! of its own (`own_process!`) with this module's aiocop set-up.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use aiocop::integrations::sentry::{CATEGORY, HUB_KEY, SentryCallback};
use aiocop::{Context, SeverityLevel};
use sentry::protocol::{Event, Level, Value};
use sentry::test::{TestTransport, with_captured_events};
use sentry::{ClientOptions, Hub, Scope, SentryFutureExt};

const THRESHOLD_MS: u64 = 20;

fn setup() {
    aiocop_tests::setup_at(THRESHOLD_MS, || {
        aiocop::register_context_provider(|| Context::new().with("service", "checkout"));
        aiocop::integrations::sentry::register_context_provider();
        SentryCallback::new().register();
    });
}

fn current_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn temp_file(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("aiocop-sentry-{}-{name}", std::process::id()));
    std::fs::write(&path, b"order #1").unwrap();
    path
}

/// A heavy sleep and a file read: score 60, high.
async fn checkout(path: PathBuf) -> Vec<u8> {
    aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"30ms"]);
    std::thread::sleep(Duration::from_millis(30));
    aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&path.display()]);
    std::fs::read(&path).unwrap()
}

fn assert_high_severity_report(event: &Event<'static>, function: &str, path: &std::path::Path) {
    let message = event.message.as_deref().unwrap();
    let elapsed: f64 = message
        .strip_prefix("High severity blocking I/O: ")
        .and_then(|m| m.strip_suffix("ms"))
        .unwrap_or_else(|| panic!("unexpected message {message:?}"))
        .parse()
        .unwrap();
    assert!(elapsed >= 30.0, "{message}");
    assert_eq!(event.level, Level::Warning);

    assert_eq!(event.tags["aiocop.severity_level"], "high");
    assert_eq!(event.tags["aiocop.reason"], "io_blocking");
    assert_eq!(event.tags["aiocop.function"], function);

    let extra = &event.extra;
    assert!((extra["elapsed_ms"].as_f64().unwrap() - elapsed).abs() < 0.06);
    assert_eq!(extra["threshold_ms"], Value::from(THRESHOLD_MS as f64));
    assert_eq!(extra["severity_score"], Value::from(60));
    let read = format!("std::fs::read({})", path.display());
    let blocking = extra["blocking_events"].as_array().unwrap();
    assert_eq!(blocking.len(), 2);
    assert_eq!(blocking[0]["event"], "std::thread::sleep(30ms)");
    assert_eq!(blocking[0]["severity"], 50);
    assert_eq!(blocking[0]["trace"], "", "trace depth 0");
    assert!(
        blocking[0]["entry_point"]
            .as_str()
            .unwrap()
            .starts_with("tests/tests/integrations/sentry.rs:"),
        "{blocking:?}"
    );
    assert_eq!(blocking[1]["event"], read.as_str());
    assert_eq!(blocking[1]["severity"], 10);
    assert_eq!(
        extra["context"],
        serde_context(&[("service", "checkout")]),
        "opaque values (the hub) are left out"
    );
    assert!(!extra.contains_key("dropped_events"));

    let crumbs: Vec<_> = event
        .breadcrumbs
        .values
        .iter()
        .filter(|b| b.category.as_deref() == Some(CATEGORY))
        .collect();
    assert_eq!(crumbs.len(), 2, "{:#?}", event.breadcrumbs);
    assert_eq!(
        crumbs[0].message.as_deref(),
        Some("std::thread::sleep(30ms)")
    );
    assert_eq!(crumbs[0].level, Level::Warning);
    assert_eq!(crumbs[0].data["severity"], 50);
    assert_eq!(crumbs[0].data["trace"], "");
    assert_eq!(crumbs[1].message.as_deref(), Some(read.as_str()));
    assert_eq!(crumbs[1].data["severity"], 10);
    assert_eq!(crumbs[1].data["entry_point"], blocking[1]["entry_point"]);

    assert_eq!(
        event
            .fingerprint
            .iter()
            .map(|f| f.as_ref())
            .collect::<Vec<_>>(),
        ["aiocop", "io_blocking", function]
    );
}

fn serde_context(entries: &[(&str, &str)]) -> Value {
    Value::Object(
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
            .collect(),
    )
}

#[test]
fn high_severity_task_is_reported_with_tags_extras_and_breadcrumbs() {
    aiocop_tests::own_process!("high_severity_task_is_reported_with_tags_extras_and_breadcrumbs");
    setup();
    let path = temp_file("high");
    let events = with_captured_events(|| {
        let data = current_thread_runtime().block_on(aiocop::monitored!(
            "sentry_checkout",
            checkout(path.clone())
        ));
        assert_eq!(data, b"order #1");
    });
    std::fs::remove_file(&path).unwrap();

    assert_eq!(events.len(), 1, "{events:#?}");
    assert_high_severity_report(&events[0], "integrations::sentry::sentry_checkout", &path);
}

#[test]
fn report_scope_does_not_leak_into_the_callers_scope() {
    aiocop_tests::own_process!("report_scope_does_not_leak_into_the_callers_scope");
    setup();
    let path = temp_file("scope");
    let events = with_captured_events(|| {
        current_thread_runtime()
            .block_on(aiocop::monitored!("sentry_scope", checkout(path.clone())));
        sentry::capture_message("after", sentry::Level::Info);
    });
    std::fs::remove_file(&path).unwrap();

    assert_eq!(events.len(), 2);
    let after = &events[1];
    assert_eq!(after.message.as_deref(), Some("after"));
    assert!(
        after.tags.keys().all(|k| !k.starts_with("aiocop.")),
        "{after:#?}"
    );
    assert!(!after.extra.contains_key("blocking_events"));
    assert!(
        after
            .breadcrumbs
            .values
            .iter()
            .all(|b| b.category.as_deref() != Some(CATEGORY))
    );
}

#[test]
fn medium_severity_is_not_reported_by_default_but_can_be_through_the_recorded_hub() {
    aiocop_tests::own_process!(
        "medium_severity_is_not_reported_by_default_but_can_be_through_the_recorded_hub"
    );
    setup();
    let transport = TestTransport::new();
    let hub_at_poll = Arc::new(Hub::new(
        Some(Arc::new(test_client(&transport))),
        Arc::new(Scope::default()),
    ));
    let dir = std::env::temp_dir();
    let ((), events) =
        current_thread_runtime().block_on(aiocop::events::collect_events(aiocop::monitored!(
            "sentry_medium",
            async {
                aiocop::audit(
                    "std::fs::read_dir",
                    aiocop::WEIGHT_MODERATE,
                    &[&dir.display()],
                );
                std::fs::read_dir(&dir).unwrap().count();
                std::thread::sleep(Duration::from_millis(30));
            }
            .bind_hub(hub_at_poll)
        )));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].severity_level(), SeverityLevel::Medium);
    assert!(events[0].context().contains_key(HUB_KEY));
    assert!(
        transport.fetch_and_clear_events().is_empty(),
        "medium severity is not reported by default"
    );

    // Reported from this thread, whose own hub has no client: the hub recorded at the poll wins.
    let callback = SentryCallback::new()
        .min_severity(SeverityLevel::Medium)
        .level(Level::Error)
        .breadcrumbs(false)
        .group_by_function(false);
    assert!(Hub::current().client().is_none());
    assert!(callback.capture(&events[0]).is_some());
    assert!(SentryCallback::new().capture(&events[0]).is_none());
    let reported = transport.fetch_and_clear_events();
    assert_eq!(reported.len(), 1);
    let message = reported[0].message.as_deref().unwrap();
    assert!(
        message.starts_with("Medium severity blocking I/O: "),
        "{message}"
    );
    assert_eq!(reported[0].level, Level::Error);
    assert_eq!(reported[0].tags["aiocop.severity_level"], "medium");
    assert!(reported[0].fingerprint.iter().all(|f| f != "aiocop"));
    assert!(
        reported[0]
            .breadcrumbs
            .values
            .iter()
            .all(|b| b.category.as_deref() != Some(CATEGORY))
    );
}

fn test_client(transport: &Arc<TestTransport>) -> sentry::Client {
    ClientOptions {
        dsn: Some("https://public@sentry.invalid/1".parse().unwrap()),
        transport: Some(Arc::new(transport.clone())),
        ..ClientOptions::default()
    }
    .into()
}

/// On a multi-thread runtime the hub bound to the request is only current inside its polls;
/// the context provider carries it to the callback, which runs after the inner poll.
#[test]
fn the_requests_hub_is_used_on_a_multi_thread_runtime() {
    aiocop_tests::own_process!("the_requests_hub_is_used_on_a_multi_thread_runtime");
    setup();
    let transport = TestTransport::new();
    let request_hub = Arc::new(Hub::new(
        Some(Arc::new(test_client(&transport))),
        Arc::new(Scope::default()),
    ));
    request_hub.configure_scope(|scope| scope.set_tag("request", "r-9"));
    let path = temp_file("multi");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let data = runtime.block_on(async {
        tokio::spawn(aiocop::monitored!(
            "sentry_multi_thread",
            checkout(path.clone()).bind_hub(request_hub)
        ))
        .await
        .unwrap()
    });
    assert_eq!(data, b"order #1");
    std::fs::remove_file(&path).unwrap();

    let reported = transport.fetch_and_clear_events();
    assert_eq!(reported.len(), 1, "{reported:#?}");
    assert_high_severity_report(
        &reported[0],
        "integrations::sentry::sentry_multi_thread",
        &path,
    );
    assert_eq!(
        reported[0].tags["request"], "r-9",
        "the request's scope applies"
    );
}
