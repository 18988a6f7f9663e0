//! The zero-annotation service: an axum app with tower-http's `TraceLayer`, as services already
//! are, watched by aiocop with no annotation on any handler or task. Three lines of set-up:
//!
//! 1. the runtime built with `aiocop::runtime::instrument(&mut builder)`: every worker thread is a
//!    non-blocking thread, so a blocking call in *any* task is reported (`<tokio worker>` events);
//! 2. `aiocop::integrations::tracing::PollLayer` in the tracing subscriber: each poll of a request
//!    span (`TraceLayer`'s) is a monitored poll, named by the span and its route, and timed;
//! 3. `aiocop::patch_audit_functions()` with feature `intercept`: the C library calls of any code
//!    (std, a dependency, C code) are caught, with the line of your code that led to them.
//!
//! ```sh
//! cargo run -p aiocop-examples --example zero_annotation --features zero-annotation
//! ```
//!
//! It serves on a loopback port, sends itself a few requests, lets two background tasks run (one
//! blocks, one spins on the CPU), shuts down and prints every event aiocop delivered. It exits by
//! itself in about a second.

use std::error::Error;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use aiocop::SlowTaskEvent;
use aiocop::integrations::tracing::PollLayer;
use axum::Router;
use axum::body::Bytes;
use axum::extract::MatchedPath;
use axum::http::Request;
use axum::routing::get;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;
use tracing_subscriber::layer::SubscriberExt;

/// Polls longer than this are slow.
const THRESHOLD_MS: u64 = 50;

/// The files the app works with, in a directory of its own.
struct Files {
    dir: PathBuf,
    config: PathBuf,
    dotenv: PathBuf,
    database: PathBuf,
}

static FILES: OnceLock<Files> = OnceLock::new();

fn files() -> &'static Files {
    FILES.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("aiocop-zero-annotation-{}", std::process::id()));
        Files {
            config: dir.join("app.toml"),
            dotenv: dir.join("app.env"),
            database: dir.join("visits.db"),
            dir,
        }
    })
}

// ---- The app: ordinary handlers and tasks, nothing of aiocop in them. ----

/// Reads its configuration with std, in the handler.
async fn config() -> String {
    let text = std::fs::read_to_string(&files().config).unwrap_or_default();
    format!("config: {} bytes\n", text.len())
}

/// A sync dependency that reads a file inside (a dotenv loader).
async fn environment() -> String {
    let pairs = dotenvy::from_path_iter(&files().dotenv)
        .map(|iter| iter.filter_map(Result::ok).count())
        .unwrap_or(0);
    format!("environment: {pairs} variables\n")
}

/// C code: SQLite (bundled) opens and writes its database file.
async fn visits() -> String {
    let count = count_visit(&files().database).unwrap_or(-1);
    format!("visits: {count}\n")
}

fn count_visit(path: &Path) -> rusqlite::Result<i64> {
    let db = rusqlite::Connection::open(path)?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS visits (at INTEGER); INSERT INTO visits VALUES (1);",
    )?;
    db.query_row("SELECT count(*) FROM visits", [], |row| row.get(0))
}

/// Awaits instead of blocking: no event.
async fn health() -> &'static str {
    tokio::time::sleep(Duration::from_millis(1)).await;
    "ok\n"
}

/// A background job that blocks: it reloads the configuration with std and sleeps on the worker.
async fn refresh_cache() {
    tokio::time::sleep(Duration::from_millis(20)).await;
    let _ = std::fs::read(&files().config);
    std::thread::sleep(Duration::from_millis(5));
}

/// A background job that spins on the CPU for 200 ms without a blocking call: the stall watchdog's
/// probes of the workers report its poll, with samples naming this function (docs/runtime.md).
async fn crunch_numbers() -> u64 {
    tokio::time::sleep(Duration::from_millis(30)).await;
    let start = Instant::now();
    let mut x = 0u64;
    while start.elapsed() < Duration::from_millis(200) {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        std::hint::black_box(x);
    }
    x
}

fn app() -> Router {
    Router::new()
        .route("/config", get(config))
        .route("/environment", get(environment))
        .route("/visits", get(visits))
        .route("/health", get(health))
        // tower-http's request spans, with the route (as many services already have them).
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let route = request
                .extensions()
                .get::<MatchedPath>()
                .map_or("<unmatched>", MatchedPath::as_str);
            tracing::info_span!("request", method = %request.method(), route, uri = %request.uri())
        }))
}

// ---- aiocop: set-up only. ----

/// The events delivered, printed at the end in the order they came.
static EVENTS: Mutex<Vec<SlowTaskEvent>> = Mutex::new(Vec::new());

fn setup_aiocop() -> Result<(), Box<dyn Error>> {
    // Switches interception on, unless AIOCOP_INTERCEPT says off. This workspace sets it off for
    // its own test suites (.cargo/config.toml) and `cargo run` passes that on: switch it on here.
    aiocop::patch_audit_functions();
    aiocop::intercept::enable();
    println!("interception: {}", aiocop::intercept::status());
    aiocop::start_blocking_io_detection(0)?;
    aiocop::detect_slow_tasks(THRESHOLD_MS, |event: &SlowTaskEvent| {
        EVENTS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event.clone());
    })?;
    // Request spans as polls, named `request{method=GET route=/config}`; every span field in the
    // events' context. (A service's `fmt` layer goes before it: the poll layer then reads the
    // span fields that layer keeps instead of formatting them again.)
    let subscriber = tracing_subscriber::registry().with(
        PollLayer::new()
            .with_name_field("method")
            .with_name_field("route"),
    );
    tracing::subscriber::set_global_default(subscriber)?;
    aiocop::activate();
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    setup_aiocop()?;
    std::fs::create_dir_all(&files().dir)?;
    std::fs::write(&files().config, "[server]\nport = 8080\n")?;
    std::fs::write(
        &files().dotenv,
        "DATABASE_URL=sqlite://visits.db\nLOG=info\n",
    )?;

    // `#[tokio::main]` written out, with the one added line.
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(2).enable_all();
    aiocop::runtime::instrument(&mut builder);
    let runtime = builder.build()?;
    let served = runtime.block_on(serve());
    // Joins the workers: each reports its last stretch as it stops.
    drop(runtime);
    // The watchdog reports a slow poll of a worker from its own thread once it has seen the poll
    // end: give it a moment.
    let deadline = Instant::now() + Duration::from_secs(1);
    while !spinning_reported() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    aiocop::deactivate();
    aiocop::delivery::flush();
    let _ = std::fs::remove_dir_all(&files().dir);
    served?;
    print_events();
    Ok(())
}

async fn serve() -> Result<(), Box<dyn Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    println!("serving on http://{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(
        axum::serve(listener, app())
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );
    let jobs = [
        tokio::spawn(refresh_cache()),
        tokio::spawn(async {
            crunch_numbers().await;
        }),
    ];

    // This future runs on the calling thread, not a worker: the client is not watched.
    for path in ["/health", "/config", "/environment", "/visits"] {
        let body = fetch(addr, path).await?;
        println!("GET {path} -> {}", body.trim_end());
    }
    for job in jobs {
        job.await?;
    }
    let _ = stop.send(());
    server.await??;
    Ok(())
}

async fn fetch(addr: SocketAddr, path: &str) -> Result<String, Box<dyn Error>> {
    let client = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
    let response = client.get(format!("http://{addr}{path}").parse()?).await?;
    let body = response.into_body().collect().await?.to_bytes();
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// Whether the spinning job's slow poll has been reported (its samples name it).
fn reports_spinning(event: &SlowTaskEvent) -> bool {
    event
        .cpu_stack_samples()
        .iter()
        .any(|s| s.trace().to_string().contains("crunch_numbers"))
}

fn spinning_reported() -> bool {
    EVENTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .any(reports_spinning)
}

fn print_events() {
    let events = std::mem::take(&mut *EVENTS.lock().unwrap_or_else(PoisonError::into_inner));
    println!("\n{} events:", events.len());
    let spinning = events.iter().any(reports_spinning);
    for event in &events {
        let context = event.context();
        let uri = context.get_str("uri").map(|uri| format!(" uri={uri}"));
        println!(
            "{} [{}] {:.1} ms, severity {}{}",
            event.function().name(),
            event.reason(),
            event.elapsed_ms(),
            event.severity_level(),
            uri.unwrap_or_default(),
        );
        /// SQLite makes dozens of calls per request: the first few say where.
        const SHOWN: usize = 4;
        let calls = event.blocking_events();
        if calls.len() > SHOWN {
            println!("    ({} blocking calls, the first {SHOWN}:)", calls.len());
        }
        for call in calls.iter().take(SHOWN) {
            let by = call
                .calling_crate()
                .map(|krate| format!(" (called by {krate})"))
                .unwrap_or_default();
            let took = call
                .duration()
                .map(|took| format!(", {took:.1?}"))
                .unwrap_or_default();
            println!("    - {} at {}{by}{took}", call.event(), call.entry_point());
        }
        for sample in event.cpu_stack_samples().iter().take(1) {
            println!(
                "    hottest stack: {} ({} samples)",
                sample.entry_point(),
                sample.count()
            );
        }
    }
    if !spinning {
        println!(
            "(the spinning task `crunch_numbers` was not reported: its poll's CPU work is found by \
             the stall watchdog's probes of the workers, Linux x86_64; see docs/runtime.md)"
        );
    }
}
