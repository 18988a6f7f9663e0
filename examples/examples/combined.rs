//! Several integrations at once: metrics for every event, logs for slow tasks, Sentry for the
//! high-severity ones.
//!
//! The Rust form of "Combining Multiple Integrations" in the integrations guide. Both of its
//! shapes work: one routing callback (below), or one registered callback per integration
//! (`MetricsCallback::new().register(); TracingCallback::new().register(); ...`), each keeping its
//! own filters.
//!
//! ```sh
//! cargo run -p aiocop-examples --example combined --features tracing,metrics,sentry
//! ```
//!
//! Prints the log lines (stderr), then the Sentry events and the Prometheus series (stdout).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use aiocop::SeverityLevel;
use aiocop::integrations::metrics::{self as aiocop_metrics, HISTOGRAM_BUCKETS, MetricsCallback};
use aiocop::integrations::sentry::SentryCallback;
use aiocop::integrations::tracing::{SpanFieldsLayer, TracingCallback};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};
use sentry::protocol::Envelope;
use sentry::{ClientOptions, Transport};
use tracing::Instrument;
use tracing_subscriber::layer::SubscriberExt;

/// Prints the events Sentry would send (message and tags).
struct PrintTransport;

impl Transport for PrintTransport {
    fn send_envelope(&self, envelope: Envelope) {
        if let Some(event) = envelope.event() {
            println!(
                "sentry: {} {:?}",
                event.message.as_deref().unwrap_or_default(),
                event.tags
            );
        }
    }
}

/// Until `#[aiocop::monitor]` rewrites std calls by itself, each blocking call is announced with
/// `aiocop::audit` right before it.
async fn handle(route: &str, file: &Path) -> std::io::Result<usize> {
    aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&file.display()]);
    let body = std::fs::read(file)?;
    match route {
        "/export" => {
            aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"50ms"]);
            std::thread::sleep(Duration::from_millis(50));
        }
        "/search" => {
            // CPU work on top of the read: slow, but medium severity.
            let start = Instant::now();
            while start.elapsed() < Duration::from_millis(35) {
                std::hint::spin_loop();
            }
        }
        _ => {}
    }
    tokio::time::sleep(Duration::from_millis(1)).await;
    Ok(body.len())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Logs: human-readable on stderr, with request_id remembered for aiocop's context.
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry()
            .with(SpanFieldsLayer::new())
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(std::io::stderr)
                    .with_ansi(std::io::stderr().is_terminal()),
            ),
    )?;
    // Metrics: rendered at the end instead of served.
    let mut builder = PrometheusBuilder::new();
    for (name, buckets) in HISTOGRAM_BUCKETS {
        builder = builder.set_buckets_for_metric(Matcher::Full(name.to_owned()), buckets)?;
    }
    let prometheus = builder.install_recorder()?;
    aiocop_metrics::describe_metrics();
    // Errors: Sentry, printed instead of sent.
    let _sentry = sentry::init(ClientOptions {
        dsn: Some("https://public@sentry.invalid/1".parse()?),
        transport: Some(Arc::new(Arc::new(PrintTransport))),
        ..ClientOptions::default()
    });

    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0)?;
    aiocop::detect_slow_tasks(30, aiocop::no_callback)?;
    aiocop::integrations::tracing::register_context_provider();
    aiocop::integrations::sentry::register_context_provider();

    // The guide's combined_callback: always metrics; slow tasks logged; high severity alerted.
    let metrics = MetricsCallback::new();
    let logs = TracingCallback::new();
    let alerts = SentryCallback::new();
    aiocop::register_slow_task_callback(move |event| {
        metrics.record(event);
        if event.exceeded_threshold() {
            logs.emit(event);
            if event.severity_level() == SeverityLevel::High {
                alerts.capture(event);
            }
        }
    });
    aiocop::activate();

    let file = data_file()?;
    for (n, route) in ["/export", "/search", "/health", "/export"]
        .into_iter()
        .enumerate()
    {
        let file = file.clone();
        let span = tracing::info_span!("request", request_id = n as u64 + 1, route);
        tokio::spawn(
            aiocop::monitored!("handle", async move { handle(route, &file).await })
                .instrument(span),
        )
        .await??;
    }
    std::fs::remove_file(&file)?;

    println!();
    for line in prometheus
        .render()
        .lines()
        .filter(|l| l.starts_with("aiocop_"))
    {
        println!("{line}");
    }
    Ok(())
}

fn data_file() -> std::io::Result<PathBuf> {
    let path = std::env::temp_dir().join(format!("aiocop-combined-{}.json", std::process::id()));
    std::fs::write(&path, br#"{"items": [1, 2, 3]}"#)?;
    Ok(path)
}
