//! An axum service monitored by aiocop's tower layer: the Rust form of the Python guide's FastAPI
//! sections (set-up before the app, activation in the lifespan, request ids in events, gradual
//! rollout from the environment).
//!
//! ```sh
//! cargo run -p aiocop-examples --example axum_service --features axum
//! AIOCOP_SAMPLE_RATE=0.5 cargo run -p aiocop-examples --example axum_service --features axum
//! ```
//!
//! It serves on a loopback port for a couple of seconds, sends itself a few requests with a real
//! HTTP client, prints what aiocop reports, and shuts down gracefully.

use std::error::Error;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::time::Duration;

use aiocop::tower::{AiocopLayer, AxumRoute, X_REQUEST_ID};
use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::Request;
use axum::routing::get;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Configures aiocop before the app is built (the guide's `setup_aiocop`). The environment drives
/// the rollout: `AIOCOP_ENABLED`, `AIOCOP_SAMPLE_RATE`, `AIOCOP_THRESHOLD_MS`,
/// `AIOCOP_TRACE_DEPTH`; a malformed value stops the service with an error naming it.
fn setup_aiocop() -> Result<aiocop::setup::Config, Box<dyn Error>> {
    let config = aiocop::setup::Config::from_env()?;
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(config.trace_depth())?;
    aiocop::detect_slow_tasks(config.threshold_ms(), log_slow_task)?;
    Ok(config)
}

fn log_slow_task(event: &aiocop::SlowTaskEvent) {
    let request_id = event.context().get_str("request_id").unwrap_or("unknown");
    println!(
        "[{request_id}] {} {}: {:.1} ms{}, severity {}",
        event.function().name(),
        event.reason(),
        event.elapsed_ms(),
        if event.exceeded_threshold() {
            " (slow)"
        } else {
            ""
        },
        event.severity_level(),
    );
    for evt in event.blocking_events() {
        println!("    - {} at {}", evt.event(), evt.entry_point());
    }
}

/// The app's lifespan: monitoring on at start-up, off at shutdown (the guide's `lifespan`).
async fn lifespan<F: IntoFuture>(config: &aiocop::setup::Config, serve: F) -> F::Output {
    if config.enabled() {
        aiocop::activate();
    }
    let output = serve.await;
    aiocop::deactivate();
    // With traces on, events are delivered from aiocop's thread: let the last ones out.
    aiocop::delivery::flush();
    output
}

/// A file the handlers read.
const MANIFEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");

async fn root() -> &'static str {
    "Hello World"
}

/// Awaits instead of blocking: no event.
async fn clean() -> String {
    tokio::time::sleep(Duration::from_millis(5)).await;
    let manifest = tokio::fs::read_to_string(MANIFEST)
        .await
        .unwrap_or_default();
    format!("clean: read {} bytes without blocking\n", manifest.len())
}

/// No attribute: the layer still times every poll, so the sleep shows up as a slow poll
/// (`cpu_blocking`: aiocop cannot tell which call it was).
async fn blocking() -> &'static str {
    std::thread::sleep(Duration::from_millis(50));
    "blocking: slept 50 ms on a runtime thread\n"
}

/// With the attribute the blocking call itself is recorded: operation, argument, line.
#[aiocop::monitor]
async fn profile(Path(name): Path<String>) -> String {
    let manifest = std::fs::read_to_string(MANIFEST).unwrap_or_default();
    format!(
        "profile of {name}: read {} bytes, blocking\n",
        manifest.len()
    )
}

fn app(config: &aiocop::setup::Config) -> Router {
    Router::new()
        .route("/", get(root))
        .route("/clean", get(clean))
        .route("/blocking", get(blocking))
        .route("/users/{name}", get(profile))
        // After routing, so events are named by route (`GET /users/{name}`); one request in
        // `1 / AIOCOP_SAMPLE_RATE` is monitored.
        .route_layer(
            AiocopLayer::new()
                .route_name(AxumRoute)
                .sampler(config.sampler()),
        )
}

/// Sends the demo requests, as any HTTP client would.
async fn send_requests(addr: SocketAddr) -> Result<(), Box<dyn Error + Send + Sync>> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let requests = [
        ("/", Some("req-root")),
        ("/clean", Some("req-clean")),
        ("/blocking", Some("req-blocking")),
        ("/users/ada", None), // the layer makes up an id
    ];
    for (path, id) in requests {
        let mut request = Request::get(format!("http://{addr}{path}"));
        if let Some(id) = id {
            request = request.header(X_REQUEST_ID, id);
        }
        let response = client.request(request.body(Empty::new())?).await?;
        let status = response.status();
        let echoed = response
            .headers()
            .get(X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_owned();
        let body = response.into_body().collect().await?.to_bytes();
        println!(
            "GET {path} -> {status} [x-request-id: {echoed}] {}",
            String::from_utf8_lossy(&body).trim_end()
        );
        // Let the background delivery print this request's event before the next line.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // For a malformed variable: `invalid AIOCOP_SAMPLE_RATE="2": expected a number ...`.
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn Error>> {
    let config = setup_aiocop()?;
    let app = app(&config);

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    println!(
        "serving on http://{addr} (sample rate {}, threshold {} ms)",
        config.sample_rate(),
        config.threshold_ms()
    );

    let (shutdown, stop) = oneshot::channel::<()>();
    let client = tokio::spawn(async move {
        let result = send_requests(addr).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
        let _ = shutdown.send(());
        result
    });

    lifespan(
        &config,
        axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = stop.await;
        }),
    )
    .await?;
    println!("shut down gracefully");

    client.await?.map_err(|e| e as Box<dyn Error>)?;
    Ok(())
}
