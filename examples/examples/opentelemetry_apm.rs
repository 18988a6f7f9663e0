//! OpenTelemetry spans tagged with what blocked them.
//!
//! The Rust form of the "Datadog / APM Integration" section of the integrations guide: Datadog,
//! Honeycomb, Jaeger, Tempo and the rest ingest OpenTelemetry spans. Here the spans go to an
//! exporter that prints them, so the example runs without a collector; swap in
//! `opentelemetry-otlp` (or `opentelemetry-datadog`) for a real backend.
//!
//! ```sh
//! cargo run -p aiocop-examples --example opentelemetry_apm --features opentelemetry
//! ```
//!
//! Prints each finished request span with its `aiocop.*` attributes: the sleeping request's span
//! is tagged high severity, the fast one is not tagged at all.

use std::path::{Path, PathBuf};
use std::time::Duration;

use aiocop::integrations::opentelemetry::OpenTelemetryCallback;
use opentelemetry::trace::{FutureExt as _, TraceContextExt, Tracer, TracerProvider as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};

/// Prints finished spans: name, then attributes, then events.
#[derive(Debug)]
struct PrintExporter;

impl SpanExporter for PrintExporter {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        for span in batch {
            println!("span {:?} ({})", span.name, span.span_context.span_id());
            for KeyValue { key, value, .. } in &span.attributes {
                println!("  {key} = {value}");
            }
            for event in span.events.iter() {
                println!("  event {:?}", event.name);
            }
        }
        std::future::ready(Ok(()))
    }
}

/// Until `#[aiocop::monitor]` rewrites std calls by itself, each blocking call is announced with
/// `aiocop::audit` right before it.
async fn get_order(id: u32, db: &Path) -> std::io::Result<String> {
    aiocop::audit(
        "std::fs::read_to_string",
        aiocop::WEIGHT_MODERATE,
        &[&db.display()],
    );
    let orders = std::fs::read_to_string(db)?;
    if id == 1 {
        // A synchronous rate limiter: blocks the worker for every request it delays.
        aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"50ms"]);
        std::thread::sleep(Duration::from_millis(50));
    }
    tokio::time::sleep(Duration::from_millis(1)).await;
    Ok(orders
        .lines()
        .nth(id as usize)
        .unwrap_or_default()
        .to_owned())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(PrintExporter)
        .build();
    let tracer = provider.tracer("aiocop-example");

    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0)?;
    aiocop::detect_slow_tasks(30, aiocop::no_callback)?;
    // Callbacks run right after the poll (trace depth 0), before the span ends.
    aiocop::integrations::opentelemetry::register_context_provider();
    OpenTelemetryCallback::new().register();
    aiocop::activate();

    let db = orders_file()?;
    for id in [1, 2] {
        let span = tracer.start(format!("GET /orders/{id}"));
        let cx = Context::current_with_span(span);
        let db = db.clone();
        let order = tokio::spawn(
            aiocop::monitored!("get_order", async move { get_order(id, &db).await })
                .with_context(cx.clone()),
        )
        .await??;
        cx.span()
            .set_attribute(KeyValue::new("order", order.clone()));
        cx.span().end();
    }
    std::fs::remove_file(&db)?;
    provider.shutdown()?;
    Ok(())
}

fn orders_file() -> std::io::Result<PathBuf> {
    let path = std::env::temp_dir().join(format!("aiocop-orders-{}.txt", std::process::id()));
    std::fs::write(&path, "id,item\n1,keyboard\n2,monitor\n")?;
    Ok(path)
}
