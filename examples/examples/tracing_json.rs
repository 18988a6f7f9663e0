//! Structured logging: every slow task as one JSON log line through `tracing`.
//!
//! The Rust form of the "Structured Logging" section of the integrations guide.
//!
//! ```sh
//! cargo run -p aiocop-examples --example tracing_json --features tracing
//! ```
//!
//! Prints JSON lines on stdout: an `ERROR` line for the request that sleeps (high severity), a
//! `WARN` line for the one that only reads a file slowly (medium), an `INFO` line for the
//! CPU-bound one, and a `DEBUG` line per blocking call. Each line sits in its request's span and
//! carries its `request_id`, although aiocop delivers it from its own thread (trace depth 5).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aiocop::integrations::tracing::{SpanFieldsLayer, TracingCallback};
use tracing::{Instrument, Level};
use tracing_subscriber::Layer as _;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;

/// The same handler serves three kinds of request; each blocks its runtime worker differently.
///
/// Until `#[aiocop::monitor]` rewrites std calls by itself, each blocking call is announced with
/// `aiocop::audit` right before it.
async fn handle_request(kind: &str, config: &Path) -> std::io::Result<usize> {
    aiocop::audit(
        "std::fs::read",
        aiocop::WEIGHT_MODERATE,
        &[&config.display()],
    );
    let config = std::fs::read(config)?;
    match kind {
        // A synchronous client with a retry back-off: the worst kind of blocking.
        "retry" => {
            aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"60ms"]);
            std::thread::sleep(Duration::from_millis(60));
        }
        // Slow disk: only the read is known to aiocop, the rest of the stall is not.
        "slow-disk" => std::thread::sleep(Duration::from_millis(40)),
        _ => {}
    }
    tokio::time::sleep(Duration::from_millis(1)).await;
    Ok(config.len())
}

/// Pure CPU work inside a poll: a `cpu_blocking` event, no blocking call recorded.
async fn render_report() -> u64 {
    let start = Instant::now();
    let mut checksum = 0u64;
    while start.elapsed() < Duration::from_millis(40) {
        checksum = checksum.wrapping_mul(31).wrapping_add(7);
    }
    checksum
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // JSON lines on stdout; DEBUG for aiocop's per-call lines, INFO for everything else.
    let json = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_thread_names(true)
        .with_filter(
            Targets::new()
                .with_target("aiocop", Level::DEBUG)
                .with_default(Level::INFO),
        );
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry()
            .with(SpanFieldsLayer::new())
            .with(json),
    )?;

    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(5)?;
    aiocop::detect_slow_tasks(30, aiocop::no_callback)?;
    aiocop::integrations::tracing::register_context_provider();
    TracingCallback::new().register();
    aiocop::activate();

    let config = config_file()?;
    let mut requests = Vec::new();
    for (n, kind) in ["retry", "slow-disk", "fast"].into_iter().enumerate() {
        let span = tracing::info_span!("request", request_id = %format!("req-{}", n + 1), kind);
        let config = config.clone();
        requests.push(tokio::spawn(
            aiocop::monitored!("handle_request", async move {
                handle_request(kind, &config).await
            })
            .instrument(span),
        ));
    }
    for request in requests {
        request.await??;
    }
    tokio::spawn(
        aiocop::monitored!("render_report", render_report())
            .instrument(tracing::info_span!("report", request_id = "req-4")),
    )
    .await?;

    // Events are delivered from aiocop's thread at trace depth > 0: wait for them before exiting.
    tokio::task::spawn_blocking(aiocop::delivery::flush).await?;
    std::fs::remove_file(&config)?;
    Ok(())
}

fn config_file() -> std::io::Result<PathBuf> {
    let path = std::env::temp_dir().join(format!("aiocop-example-{}.toml", std::process::id()));
    std::fs::write(&path, "[server]\nport = 8080\n")?;
    Ok(path)
}
