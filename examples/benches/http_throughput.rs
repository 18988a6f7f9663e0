//! HTTP throughput with and without aiocop, side by side (DESIGN §10: "HTTP service with every
//! handler monitored, under load on loopback: ≥ 99 % of the unmonitored request rate").
//!
//! ```sh
//! cargo bench -p aiocop-examples --bench http_throughput --features axum
//! # more rounds or longer windows:
//! AIOCOP_BENCH_ROUNDS=20 AIOCOP_BENCH_SECONDS=2 cargo bench -p aiocop-examples --bench http_throughput --features axum
//! ```
//!
//! For instruction counts, which the machine's other load does not move, one variant can be driven
//! with a fixed number of sequential requests (`AIOCOP_BENCH_VARIANT=2 AIOCOP_BENCH_REQUESTS=1000`);
//! `benches/http-instructions.sh` runs every variant so under valgrind and prints instructions per
//! request.
//!
//! One process serves the same axum app several ways on loopback ports (one server runtime with
//! one worker thread), and a load generator (another runtime, one thread, 32 keep-alive HTTP/1.1
//! connections) drives each in turn for a short window. Rounds interleave the variants, rotating
//! their order, so that machine noise spreads evenly; the report gives each variant's median
//! request rate and its ratio to the bare app's.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aiocop::tower::{AiocopLayer, AxumRoute};
use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::routing::get;
use http_body_util::{BodyExt, Empty};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

const CONNECTIONS: usize = 32;
/// The server runtime's thread name (at most 15 bytes: what Linux keeps of it).
const SERVER_THREAD: &str = "bench-server";

/// The handler every variant serves: a path parameter in, a small body out.
async fn user(Path(id): Path<u32>) -> String {
    format!("{{\"id\":{id},\"name\":\"user {id}\"}}")
}

/// The same handler with the attribute.
#[aiocop::monitor]
async fn user_monitored(Path(id): Path<u32>) -> String {
    format!("{{\"id\":{id},\"name\":\"user {id}\"}}")
}

/// The app behind aiocop's tower layer (route names from axum).
fn with_layer() -> Router {
    Router::new()
        .route("/users/{id}", get(user))
        .route_layer(AiocopLayer::new().route_name(AxumRoute))
}

/// The same, without request ids.
fn with_layer_without_request_ids() -> Router {
    Router::new().route("/users/{id}", get(user)).route_layer(
        AiocopLayer::new()
            .route_name(AxumRoute)
            .without_request_id(),
    )
}

struct Variant {
    name: &'static str,
    /// Whether aiocop's monitoring is active while this variant is measured.
    active: bool,
    app: fn() -> Router,
}

const VARIANTS: [Variant; 7] = [
    Variant {
        name: "bare app (no aiocop)",
        active: false,
        app: || Router::new().route("/users/{id}", get(user)),
    },
    Variant {
        name: "pass-through route_layer (axum's cost of any layer)",
        active: false,
        app: || {
            Router::new()
                .route("/users/{id}", get(user))
                .route_layer(tower_layer::layer_fn(|service| service))
        },
    },
    Variant {
        name: "tower layer, monitoring inactive",
        active: false,
        app: with_layer,
    },
    Variant {
        name: "tower layer, monitoring active",
        active: true,
        app: with_layer,
    },
    Variant {
        name: "tower layer without request ids, inactive",
        active: false,
        app: with_layer_without_request_ids,
    },
    Variant {
        name: "tower layer without request ids, active",
        active: true,
        app: with_layer_without_request_ids,
    },
    Variant {
        name: "#[aiocop::monitor] handler, active",
        active: true,
        app: || Router::new().route("/users/{id}", get(user_monitored)),
    },
];

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

    // A production-like set-up: detection on, a callback, request ids in the context.
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0).expect("trace depth");
    let events = Arc::new(AtomicU64::new(0));
    let counted = events.clone();
    aiocop::detect_slow_tasks(30, move |_: &aiocop::SlowTaskEvent| {
        counted.fetch_add(1, Ordering::Relaxed);
    })
    .expect("threshold");

    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(SERVER_THREAD)
        .enable_all()
        .build()
        .expect("server runtime");
    let addrs: Vec<SocketAddr> = VARIANTS
        .iter()
        .map(|variant| {
            server.block_on(async {
                let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
                let addr = listener.local_addr().expect("address");
                tokio::spawn(async move {
                    axum::serve(listener, (variant.app)()).await.expect("serve");
                });
                addr
            })
        })
        .collect();

    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");

    if let Ok(variant) = std::env::var("AIOCOP_BENCH_VARIANT") {
        let i: usize = variant
            .parse()
            .expect("AIOCOP_BENCH_VARIANT: a variant's index");
        let requests = env_number("AIOCOP_BENCH_REQUESTS", 1000);
        set_active(VARIANTS[i].active);
        sequential(&client, addrs[i], requests);
        return;
    }

    println!(
        "{} variants, {rounds} rounds of {} ms each, {CONNECTIONS} connections",
        VARIANTS.len(),
        window.as_millis()
    );
    // Warm-up: connections, allocator, branch predictors, the interned route name.
    for (variant, addr) in VARIANTS.iter().zip(&addrs) {
        set_active(variant.active);
        load(&client, *addr, Duration::from_millis(300));
    }

    let mut samples: Vec<Vec<Sample>> = VARIANTS.iter().map(|_| Vec::new()).collect();
    for round in 0..rounds {
        for k in 0..VARIANTS.len() {
            let i = (round + k) % VARIANTS.len();
            set_active(VARIANTS[i].active);
            samples[i].push(load(&client, addrs[i], window));
        }
    }
    aiocop::deactivate();

    // Ratios are taken per round (against the bare app measured in the same round), then the
    // median over rounds: a burst of load from elsewhere on the machine hits a round, not a
    // variant.
    let paired = |i: usize, f: &dyn Fn(&Sample, &Sample) -> f64| -> (f64, f64, f64) {
        let mut ratios: Vec<f64> = samples[i]
            .iter()
            .zip(&samples[0])
            .map(|(s, bare)| f(s, bare))
            .collect();
        let med = median(&mut ratios);
        (ratios[0], med, ratios[ratios.len() - 1])
    };
    println!();
    println!(
        "| variant | requests/s (median) | request rate vs bare | server CPU per request (median) | bare's CPU per request / this one's |"
    );
    println!("|---|---:|---:|---:|---:|");
    for (i, variant) in VARIANTS.iter().enumerate() {
        let mut rates: Vec<f64> = samples[i].iter().map(|s| s.rate).collect();
        let mut cpu: Vec<f64> = samples[i].iter().map(|s| s.cpu_per_request).collect();
        let (_, rate_ratio, _) = paired(i, &|s, bare| s.rate / bare.rate);
        let (_, cpu_ratio, _) = paired(i, &|s, bare| bare.cpu_per_request / s.cpu_per_request);
        println!(
            "| {} | {:.0} | {:.3} | {:.2} µs | {:.3} |",
            variant.name,
            median(&mut rates),
            rate_ratio,
            median(&mut cpu) / 1e3,
            cpu_ratio,
        );
    }
    println!();
    println!("spread over rounds (min / median / max), request rate vs bare | CPU ratio:");
    for (i, variant) in VARIANTS.iter().enumerate().skip(1) {
        let rate = paired(i, &|s, bare| s.rate / bare.rate);
        let cpu = paired(i, &|s, bare| bare.cpu_per_request / s.cpu_per_request);
        println!(
            "  {}: {:.3} / {:.3} / {:.3} | {:.3} / {:.3} / {:.3}",
            variant.name, rate.0, rate.1, rate.2, cpu.0, cpu.1, cpu.2
        );
    }
    println!(
        "events reported during the run: {} (the handler never blocks)",
        events.load(Ordering::Relaxed)
    );
}

fn set_active(active: bool) {
    if active {
        aiocop::activate();
    } else {
        aiocop::deactivate();
    }
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

/// Sends `requests` requests one after another on one connection.
fn sequential(client: &Runtime, addr: SocketAddr, requests: u64) {
    client.block_on(async {
        let stream = TcpStream::connect(addr).await.expect("connect");
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        let driver = tokio::spawn(connection);
        for n in 0..requests {
            let request = Request::get(format!("/users/{}", n % 10_000))
                .header("host", "localhost")
                .body(Empty::<Bytes>::new())
                .expect("request");
            sender.ready().await.expect("ready");
            let response = sender.send_request(request).await.expect("response");
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

/// CPU time consumed so far by the server runtime's threads, in nanoseconds (Linux's
/// `/proc/self/task/*/schedstat`; `None` elsewhere).
fn server_cpu_ns() -> Option<u64> {
    let mut total = None;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let path = task.ok()?.path();
        let name = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
        if name.trim_end() != SERVER_THREAD {
            continue;
        }
        let schedstat = std::fs::read_to_string(path.join("schedstat")).ok()?;
        let on_cpu: u64 = schedstat.split_whitespace().next()?.parse().ok()?;
        total = Some(total.unwrap_or(0) + on_cpu);
    }
    total
}

/// Drives `addr` with `CONNECTIONS` keep-alive connections for `window`.
fn load(client: &Runtime, addr: SocketAddr, window: Duration) -> Sample {
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
                let mut n = c as u32;
                while !stop.load(Ordering::Relaxed) {
                    n = n.wrapping_add(CONNECTIONS as u32);
                    let request = Request::get(format!("/users/{}", n % 10_000))
                        .header("host", "localhost")
                        .body(Empty::<Bytes>::new())
                        .expect("request");
                    sender.ready().await.expect("ready");
                    let response = sender.send_request(request).await.expect("response");
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
            server_cpu_ns(),
        );
        tokio::time::sleep(window).await;
        let counted = done.load(Ordering::Relaxed) - first;
        let elapsed = start.elapsed();
        let cpu = server_cpu_ns()
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
