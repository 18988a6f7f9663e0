//! Prometheus metrics: the guide's counter and histograms, served on `/metrics`.
//!
//! The Rust form of the "Prometheus" section of the integrations guide, with the `metrics` facade
//! and `metrics-exporter-prometheus`.
//!
//! ```sh
//! cargo run -p aiocop-examples --example prometheus --features metrics
//! # while it runs (5 s by default, or until Ctrl-C):
//! curl http://127.0.0.1:9000/metrics
//! ```
//!
//! `AIOCOP_METRICS_ADDR` changes the address, `AIOCOP_SERVE_SECS` how long it serves. Before
//! exiting, the example scrapes its own endpoint and prints the aiocop series.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use aiocop::integrations::metrics::{HISTOGRAM_BUCKETS, MetricsCallback};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// A request handler that blocks its worker: a file read on every request, a synchronous
/// back-off sleep on every third, and a CPU-heavy checksum on every fifth.
///
/// Until `#[aiocop::monitor]` rewrites std calls by itself, each blocking call is announced with
/// `aiocop::audit` right before it.
async fn handle_request(n: u64, data: &Path) -> std::io::Result<u64> {
    aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&data.display()]);
    let bytes = std::fs::read(data)?;
    if n.is_multiple_of(3) {
        aiocop::audit("std::thread::sleep", aiocop::WEIGHT_HEAVY, &[&"40ms"]);
        std::thread::sleep(Duration::from_millis(40));
    }
    let mut checksum = bytes.iter().map(|b| u64::from(*b)).sum::<u64>();
    if n.is_multiple_of(5) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(35) {
            checksum = checksum.wrapping_mul(31).wrapping_add(n);
        }
    }
    tokio::time::sleep(Duration::from_millis(2)).await;
    Ok(checksum)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let addr: SocketAddr = std::env::var("AIOCOP_METRICS_ADDR")
        .unwrap_or_else(|_| "127.0.0.1:9000".into())
        .parse()?;
    let serve_for = Duration::from_secs(
        std::env::var("AIOCOP_SERVE_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(5),
    );

    // The exporter first (with the guide's buckets), then aiocop's callback.
    let mut builder = PrometheusBuilder::new().with_http_listener(addr);
    for (name, buckets) in HISTOGRAM_BUCKETS {
        builder = builder.set_buckets_for_metric(Matcher::Full(name.to_owned()), buckets)?;
    }
    builder.install()?;

    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0)?;
    aiocop::detect_slow_tasks(30, aiocop::no_callback)?;
    MetricsCallback::new().register();
    aiocop::activate();

    println!("serving metrics for {serve_for:?} (Ctrl-C to stop early):");
    println!("  curl http://{addr}/metrics");

    let data = std::env::temp_dir().join(format!("aiocop-example-{}.bin", std::process::id()));
    std::fs::write(&data, vec![1u8; 64 * 1024])?;
    let deadline = tokio::time::Instant::now() + serve_for;
    let mut n = 0u64;
    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    loop {
        tokio::select! {
            _ = ticker.tick() => {}
            _ = tokio::time::sleep_until(deadline) => break,
            _ = tokio::signal::ctrl_c() => break,
        }
        n += 1;
        let data = data.clone();
        tokio::spawn(aiocop::monitored!("handle_request", async move {
            handle_request(n, &data).await
        }))
        .await??;
    }
    std::fs::remove_file(&data)?;

    println!("\n{n} requests handled; the aiocop series on http://{addr}/metrics:\n");
    let body = tokio::task::spawn_blocking(move || scrape(addr)).await??;
    for line in body.lines().filter(|l| l.contains("aiocop_")) {
        println!("{line}");
    }
    Ok(())
}

/// One plain HTTP GET of the endpoint, as Prometheus (or curl) would do it.
fn scrape(addr: SocketAddr) -> Result<String, Error> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (_, body) = response
        .split_once("\r\n\r\n")
        .ok_or("malformed HTTP response")?;
    Ok(body.to_owned())
}
