//! HTTP throughput of the zero-annotation service (examples/examples/zero_annotation.rs) against
//! the same app with tower-http's `TraceLayer` and no aiocop, side by side in one run.
//!
//! ```sh
//! cargo bench -p aiocop-examples --bench http_zero_annotation --features zero-annotation
//! AIOCOP_BENCH_ROUNDS=20 AIOCOP_BENCH_SECONDS=2 cargo bench -p aiocop-examples --bench http_zero_annotation --features zero-annotation
//! ```
//!
//! Each variant is served by a server runtime of its own (one worker thread, named after the
//! variant, so that its threads' CPU time can be read apart), on its own loopback port:
//!
//! - `bare`: the app without `TraceLayer`, no subscriber (what tracing itself costs, for scale);
//! - `traced`: the app with `TraceLayer`, its request spans recorded by a `tracing_subscriber`
//!   registry (the threads' default subscriber), no aiocop;
//! - `zero-annotation`: the same app on a runtime built with `aiocop::runtime::instrument`, the
//!   process's subscriber being the registry with aiocop's `PollLayer`, interception on,
//!   monitoring active: every request span's poll is a monitored poll, every worker stretch is
//!   watched, every libc call is checked.
//!
//! Interception is process-wide: the `bare` and `traced` servers' libc calls take its fast path
//! too (one thread-local read: no scope is open on their threads).
//!
//! A load generator (a current-thread runtime on the main thread, 32 keep-alive HTTP/1.1
//! connections) drives each variant in turn; rounds rotate the order. For instruction counts one
//! variant can be driven with a fixed number of sequential requests
//! (`AIOCOP_BENCH_VARIANT=2 AIOCOP_BENCH_REQUESTS=1000`): `benches/http-zero-annotation-instructions.sh`
//! runs each so under valgrind.

use std::cell::RefCell;
use std::future::IntoFuture;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aiocop::integrations::tracing::PollLayer;
use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::routing::get;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::{Builder, Runtime};
use tower_http::trace::TraceLayer;
use tracing::dispatcher::{DefaultGuard, Dispatch};
use tracing_subscriber::layer::SubscriberExt;

const CONNECTIONS: usize = 32;

/// The handler every variant serves: a path parameter in, a small body out (as in the
/// `http_throughput` bench).
async fn user(Path(id): Path<u32>) -> String {
    format!("{{\"id\":{id},\"name\":\"user {id}\"}}")
}

fn bare_app() -> Router {
    Router::new().route("/users/{id}", get(user))
}

fn traced_app() -> Router {
    bare_app().layer(TraceLayer::new_for_http())
}

#[derive(Clone, Copy)]
enum Mode {
    /// No subscriber on the server's threads.
    NoSubscriber,
    /// A registry as the server threads' default subscriber.
    Registry,
    /// The process's subscriber (registry + `PollLayer`) and an instrumented runtime.
    ZeroAnnotation,
}

struct Variant {
    name: &'static str,
    /// The server runtime's thread name (at most 15 bytes: what Linux keeps of it).
    thread: &'static str,
    mode: Mode,
    app: fn() -> Router,
}

const VARIANTS: [Variant; 3] = [
    Variant {
        name: "bare app (no TraceLayer, no aiocop)",
        thread: "zb-bare",
        mode: Mode::NoSubscriber,
        app: bare_app,
    },
    Variant {
        name: "TraceLayer, no aiocop",
        thread: "zb-traced",
        mode: Mode::Registry,
        app: traced_app,
    },
    Variant {
        name: "TraceLayer, zero-annotation aiocop",
        thread: "zb-aiocop",
        mode: Mode::ZeroAnnotation,
        app: traced_app,
    },
];

/// The variant the ratios are taken against.
const BASELINE: usize = 1;

thread_local! {
    /// A server thread's default subscriber, kept for the thread's life.
    static DEFAULT: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
}

fn server_runtime(variant: &Variant) -> Runtime {
    let mut builder = Builder::new_multi_thread();
    builder
        .worker_threads(1)
        .thread_name(variant.thread)
        .enable_all();
    match variant.mode {
        Mode::NoSubscriber => {
            builder.on_thread_start(|| {
                let guard = tracing::dispatcher::set_default(&Dispatch::none());
                DEFAULT.with(|slot| *slot.borrow_mut() = Some(guard));
            });
        }
        Mode::Registry => {
            builder.on_thread_start(|| {
                let dispatch = Dispatch::new(tracing_subscriber::registry());
                let guard = tracing::dispatcher::set_default(&dispatch);
                DEFAULT.with(|slot| *slot.borrow_mut() = Some(guard));
            });
        }
        Mode::ZeroAnnotation => {
            aiocop::runtime::instrument(&mut builder);
        }
    }
    builder.build().expect("server runtime")
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

fn main() {
    let rounds = env_number("AIOCOP_BENCH_ROUNDS", 10) as usize;
    let window = Duration::from_millis(env_number("AIOCOP_BENCH_SECONDS", 1) * 1000);

    // The zero-annotation set-up: interception (this workspace turns it off for its test suites
    // through .cargo/config.toml, which `cargo bench` passes on: switched on explicitly), the
    // process's subscriber with the PollLayer, detection on with a callback, active.
    aiocop::patch_audit_functions();
    aiocop::intercept::enable();
    aiocop::start_blocking_io_detection(0).expect("trace depth");
    let events = Arc::new(AtomicU64::new(0));
    let counted = events.clone();
    aiocop::detect_slow_tasks(30, move |_: &aiocop::SlowTaskEvent| {
        counted.fetch_add(1, Ordering::Relaxed);
    })
    .expect("threshold");
    let subscriber =
        tracing_subscriber::registry().with(PollLayer::new().with_name_field("method"));
    tracing::subscriber::set_global_default(subscriber).expect("global subscriber");
    aiocop::activate();

    let servers: Vec<Runtime> = VARIANTS.iter().map(server_runtime).collect();
    let addrs: Vec<SocketAddr> = VARIANTS
        .iter()
        .zip(&servers)
        .map(|(variant, server)| {
            server.block_on(async {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                let addr = listener.local_addr().expect("address");
                tokio::spawn(axum::serve(listener, (variant.app)()).into_future());
                addr
            })
        })
        .collect();

    let client = Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");

    if let Ok(variant) = std::env::var("AIOCOP_BENCH_VARIANT") {
        let i: usize = variant
            .parse()
            .expect("AIOCOP_BENCH_VARIANT: a variant's index");
        sequential(&client, addrs[i], env_number("AIOCOP_BENCH_REQUESTS", 1000));
        return;
    }

    println!(
        "{} variants, {rounds} rounds of {} ms each, {CONNECTIONS} connections",
        VARIANTS.len(),
        window.as_millis()
    );
    for (variant, addr) in VARIANTS.iter().zip(&addrs) {
        load(&client, *addr, variant.thread, Duration::from_millis(300));
    }
    let mut samples: Vec<Vec<Sample>> = VARIANTS.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        for k in 0..VARIANTS.len() {
            let i = (round + k) % VARIANTS.len();
            samples[i].push(load(&client, addrs[i], VARIANTS[i].thread, window));
        }
    }
    aiocop::deactivate();

    // Ratios per round against the baseline of the same round, then the median over rounds.
    let paired = |i: usize, f: &dyn Fn(&Sample, &Sample) -> f64| -> (f64, f64, f64) {
        let mut ratios: Vec<f64> = samples[i]
            .iter()
            .zip(&samples[BASELINE])
            .map(|(s, base)| f(s, base))
            .collect();
        let med = median(&mut ratios);
        (ratios[0], med, ratios[ratios.len() - 1])
    };
    println!();
    println!(
        "| variant | requests/s (median) | request rate vs TraceLayer alone | server CPU per request (median) | TraceLayer alone's CPU per request / this one's (min / median / max) |"
    );
    println!("|---|---:|---:|---:|---:|");
    for (i, variant) in VARIANTS.iter().enumerate() {
        let mut rates: Vec<f64> = samples[i].iter().map(|s| s.rate).collect();
        let mut cpu: Vec<f64> = samples[i].iter().map(|s| s.cpu_per_request).collect();
        let (_, rate_ratio, _) = paired(i, &|s, base| s.rate / base.rate);
        let (lo, mid, hi) = paired(i, &|s, base| base.cpu_per_request / s.cpu_per_request);
        println!(
            "| {} | {:.0} | {:.3} | {:.2} µs | {lo:.3} / **{mid:.3}** / {hi:.3} |",
            variant.name,
            median(&mut rates),
            rate_ratio,
            median(&mut cpu) / 1e3,
        );
    }
    println!(
        "events reported during the run: {} (the handler never blocks)",
        events.load(Ordering::Relaxed)
    );
}

/// Sorts `values` and returns their median.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

fn request(n: u64) -> Request<Empty<Bytes>> {
    Request::get(format!("/users/{}", n % 10_000))
        .header("host", "localhost")
        .body(Empty::new())
        .expect("request")
}

/// Sends `requests` requests one after another on one connection.
fn sequential(client: &Runtime, addr: SocketAddr, requests: u64) {
    client.block_on(async {
        let stream = TcpStream::connect(addr).await.expect("connect");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        let driver = tokio::spawn(connection);
        for n in 0..requests {
            sender.ready().await.expect("ready");
            let response = sender.send_request(request(n)).await.expect("response");
            assert!(response.status().is_success());
            response.into_body().collect().await.expect("body");
        }
        drop(sender);
        let _ = driver.await;
    });
}

/// What one window measured.
struct Sample {
    /// Responses per second.
    rate: f64,
    /// CPU time the server's threads spent per response, in nanoseconds.
    cpu_per_request: f64,
}

/// CPU time consumed so far by the threads named `thread`, in nanoseconds (Linux's
/// `/proc/self/task/*/schedstat`; `None` elsewhere).
fn threads_cpu_ns(thread: &str) -> Option<u64> {
    let mut total = None;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if name.trim_end() != thread {
            continue;
        }
        let schedstat = std::fs::read_to_string(path.join("schedstat")).ok()?;
        let on_cpu: u64 = schedstat.split_whitespace().next()?.parse().ok()?;
        total = Some(total.unwrap_or(0) + on_cpu);
    }
    total
}

/// Drives `addr` with `CONNECTIONS` keep-alive connections for `window`.
fn load(client: &Runtime, addr: SocketAddr, thread: &str, window: Duration) -> Sample {
    client.block_on(async {
        let done = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers = Vec::new();
        for c in 0..CONNECTIONS {
            let (done, stop) = (done.clone(), stop.clone());
            workers.push(tokio::spawn(async move {
                let stream = TcpStream::connect(addr).await.expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let (mut sender, connection) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream))
                        .await
                        .expect("handshake");
                let driver = tokio::spawn(connection);
                let mut n = c as u64;
                while !stop.load(Ordering::Relaxed) {
                    n += CONNECTIONS as u64;
                    sender.ready().await.expect("ready");
                    let response = sender.send_request(request(n)).await.expect("response");
                    assert!(response.status().is_success());
                    response.into_body().collect().await.expect("body");
                    done.fetch_add(1, Ordering::Relaxed);
                }
                drop(sender);
                let _ = driver.await;
            }));
        }
        // Connections are set up by now; count from here.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (first, start, cpu_start) = (
            done.load(Ordering::Relaxed),
            Instant::now(),
            threads_cpu_ns(thread),
        );
        tokio::time::sleep(window).await;
        let counted = done.load(Ordering::Relaxed) - first;
        let elapsed = start.elapsed();
        let cpu = threads_cpu_ns(thread)
            .zip(cpu_start)
            .map(|(end, start)| end - start);
        stop.store(true, Ordering::Relaxed);
        for worker in workers {
            worker.await.expect("load worker");
        }
        Sample {
            rate: counted as f64 / elapsed.as_secs_f64(),
            cpu_per_request: cpu.map_or(f64::NAN, |ns| ns as f64 / counted.max(1) as f64),
        }
    })
}
