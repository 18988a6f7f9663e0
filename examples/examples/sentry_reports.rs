//! Sentry reports for high-severity blocking.
//!
//! The Rust form of the "Sentry" section of the integrations guide. Sentry is initialised as
//! usual, except that a transport printing each event replaces the network one, so the example
//! shows what Sentry would receive without an account. Drop the `transport` line and use your DSN
//! for the real thing.
//!
//! ```sh
//! cargo run -p aiocop-examples --example sentry_reports --features sentry
//! ```
//!
//! Prints one Sentry event, for the request that sleeps (high severity), with its tags, extras
//! and one breadcrumb per blocking call; the request that only reads a file (medium) is not
//! reported.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use aiocop::integrations::sentry::SentryCallback;
use sentry::protocol::Envelope;
use sentry::{ClientOptions, Hub, SentryFutureExt, Transport};

/// Prints the events Sentry would send.
struct PrintTransport;

impl Transport for PrintTransport {
    fn send_envelope(&self, envelope: Envelope) {
        let Some(event) = envelope.event() else {
            return;
        };
        println!("Sentry event {}", event.event_id);
        println!(
            "  message: {}",
            event.message.as_deref().unwrap_or_default()
        );
        println!("  level: {}", event.level);
        println!("  fingerprint: {:?}", event.fingerprint);
        for (key, value) in &event.tags {
            println!("  tag {key} = {value}");
        }
        for (key, value) in &event.extra {
            println!("  extra {key} = {value}");
        }
        for crumb in &event.breadcrumbs.values {
            println!(
                "  breadcrumb [{}] {}: {}",
                crumb.level,
                crumb.category.as_deref().unwrap_or_default(),
                crumb.message.as_deref().unwrap_or_default()
            );
        }
    }
}

/// Until `#[aiocop::monitor]` rewrites std calls by itself, each blocking call is announced with
/// `aiocop::audit` right before it.
async fn checkout(cart: u32, prices: &Path) -> std::io::Result<usize> {
    aiocop::audit(
        "std::fs::read_to_string",
        aiocop::WEIGHT_MODERATE,
        &[&prices.display()],
    );
    let prices = std::fs::read_to_string(prices)?;
    if cart == 1 {
        // A synchronous payment client waiting for the provider.
        aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"80ms"]);
        std::thread::sleep(Duration::from_millis(80));
    } else {
        // A slow disk: the read is known, the rest of the stall is not.
        std::thread::sleep(Duration::from_millis(40));
    }
    tokio::time::sleep(Duration::from_millis(1)).await;
    Ok(prices.len())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _sentry = sentry::init(ClientOptions {
        // A placeholder: the transport below keeps everything on this machine.
        dsn: Some("https://public@sentry.invalid/1".parse()?),
        transport: Some(Arc::new(Arc::new(PrintTransport))),
        ..ClientOptions::default()
    });

    aiocop::patch_audit_functions();
    // Stack traces of 5 frames: events then go to aiocop's own thread, which symbolizes them.
    aiocop::start_blocking_io_detection(5)?;
    aiocop::detect_slow_tasks(30, aiocop::no_callback)?;
    // Reports go through the hub of the request that blocked, with its scope, from whichever
    // thread delivers them.
    aiocop::integrations::sentry::register_context_provider();
    SentryCallback::new().register();
    aiocop::activate();

    let prices = prices_file()?;
    for cart in [1, 2] {
        // One hub per request, as sentry's tower/axum integrations do.
        let hub = Arc::new(Hub::new_from_top(Hub::main()));
        hub.configure_scope(|scope| scope.set_tag("cart", cart));
        let prices = prices.clone();
        tokio::spawn(
            aiocop::monitored!("checkout", async move { checkout(cart, &prices).await })
                .bind_hub(hub),
        )
        .await??;
    }
    std::fs::remove_file(&prices)?;
    // Wait for the delivery thread before the Sentry guard flushes and shuts down.
    tokio::task::spawn_blocking(aiocop::delivery::flush).await?;
    Ok(())
}

fn prices_file() -> std::io::Result<PathBuf> {
    let path = std::env::temp_dir().join(format!("aiocop-prices-{}.csv", std::process::id()));
    std::fs::write(&path, "sku,price\nkb-1,49.90\nmn-2,189.00\n")?;
    Ok(path)
}
