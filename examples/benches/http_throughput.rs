//! HTTP throughput with and without aiocop, side by side (DESIGN §10: "HTTP service with every
//! handler monitored, under load on loopback: ≥ 99 % of the unmonitored request rate").
//!
//! ```sh
//! cargo bench -p aiocop-examples --bench http_throughput --features axum
//! # more rounds or longer windows:
//! AIOCOP_BENCH_ROUNDS=20 AIOCOP_BENCH_SECONDS=2 cargo bench -p aiocop-examples --bench http_throughput --features axum
//! # short interleaved slices over connections kept open (steadier CPU ratios):
//! AIOCOP_BENCH_SLICE_MS=200 AIOCOP_BENCH_ROUNDS=300 cargo bench -p aiocop-examples --bench http_throughput --features axum
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

#[path = "support/http_load.rs"]
mod http_load;

use std::net::SocketAddr;

use aiocop::tower::{AiocopLayer, AxumRoute};
use axum::Router;
use axum::extract::Path;
use axum::routing::get;

use http_load::{Settings, Target};

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

fn main() {
    let settings = Settings::from_env();

    // A production-like set-up: detection on, a callback, request ids in the context.
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0).expect("trace depth");
    let events = http_load::count_slow_task_events();

    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name(SERVER_THREAD)
        .enable_all()
        .build()
        .expect("server runtime");
    let addrs: Vec<SocketAddr> = VARIANTS
        .iter()
        .map(|variant| http_load::serve(&server, (variant.app)()))
        .collect();

    let client = http_load::client_runtime();

    if let Some((i, requests)) = http_load::single_variant() {
        set_active(VARIANTS[i].active);
        http_load::sequential(&client, addrs[i], requests);
        return;
    }

    // Every variant is served by the same runtime: its threads' CPU time is each one's in turn.
    let targets: Vec<Target<'_>> = addrs
        .iter()
        .map(|&addr| Target {
            addr,
            thread: SERVER_THREAD,
            // One process runs every variant: aiocop's threads count with each (idle while
            // monitoring is off).
            helpers: http_load::AIOCOP_THREADS,
        })
        .collect();
    let samples = http_load::measure(&client, &targets, &settings, |i| {
        set_active(VARIANTS[i].active);
    });
    aiocop::deactivate();

    // Ratios are taken per round against the bare app (variant 0) measured in the same round.
    println!();
    println!(
        "| variant | requests/s (median) | request rate vs bare | server CPU per request (median) | bare's CPU per request / this one's |"
    );
    println!("|---|---:|---:|---:|---:|");
    for (i, variant) in VARIANTS.iter().enumerate() {
        let (rate, cpu) = http_load::medians(&samples[i]);
        let (_, rate_ratio, _) = http_load::paired(&samples, i, 0, |s, bare| s.rate / bare.rate);
        let (_, cpu_ratio, _) = http_load::paired(&samples, i, 0, |s, bare| {
            bare.cpu_per_request / s.cpu_per_request
        });
        println!(
            "| {} | {:.0} | {:.3} | {:.2} µs | {:.3} |",
            variant.name, rate, rate_ratio, cpu, cpu_ratio,
        );
    }
    println!();
    println!("spread over rounds (min / median / max), request rate vs bare | CPU ratio:");
    for (i, variant) in VARIANTS.iter().enumerate().skip(1) {
        let rate = http_load::paired(&samples, i, 0, |s, bare| s.rate / bare.rate);
        let cpu = http_load::paired(&samples, i, 0, |s, bare| {
            bare.cpu_per_request / s.cpu_per_request
        });
        let (mean_lo, mean, mean_hi) = http_load::paired_mean(&samples, i, 0, |s, bare| {
            bare.cpu_per_request / s.cpu_per_request
        });
        println!(
            "  {}: {:.3} / {:.3} / {:.3} | {:.3} / {:.3} / {:.3}; CPU ratio's trimmed geometric mean {mean:.3} [95 % interval {mean_lo:.3}, {mean_hi:.3}]",
            variant.name, rate.0, rate.1, rate.2, cpu.0, cpu.1, cpu.2
        );
    }
    http_load::report_events(&events);
}

fn set_active(active: bool) {
    if active {
        aiocop::activate();
    } else {
        aiocop::deactivate();
    }
}
