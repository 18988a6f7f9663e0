//! HTTP throughput of the zero-annotation service (examples/examples/zero_annotation.rs) against
//! the same app with tower-http's `TraceLayer` and no aiocop, side by side in one run.
//!
//! ```sh
//! cargo bench -p aiocop-examples --bench http_zero_annotation --features zero-annotation
//! AIOCOP_BENCH_ROUNDS=20 AIOCOP_BENCH_SECONDS=2 cargo bench -p aiocop-examples --bench http_zero_annotation --features zero-annotation
//! AIOCOP_BENCH_SLICE_MS=200 AIOCOP_BENCH_ROUNDS=900 AIOCOP_BENCH_SUBSCRIBER=fmt cargo bench -p aiocop-examples --bench http_zero_annotation --features zero-annotation
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
//! With `AIOCOP_BENCH_SUBSCRIBER=fmt` the subscriber of the last two is what a service shows its
//! logs with: tracing-subscriber's `fmt` layer (plain text, no colours, written to
//! `io::sink()`: formatting counted, no write) before the `PollLayer`, `TraceLayer`'s request
//! spans and its two events per request (`started`/`finished processing request`) formatted by it.
//! There the `PollLayer` formats no span field itself (it reads the `fmt` layer's text back when a
//! poll makes an event).
//!
//! The zero-annotation variant's CPU time includes aiocop's own threads (the stall watchdog, the
//! event delivery) over its windows.
//!
//! Interception is process-wide: the `bare` and `traced` servers' libc calls take its fast path
//! too (one thread-local read: no scope is open on their threads).
//!
//! A load generator (a current-thread runtime on the main thread, 32 keep-alive HTTP/1.1
//! connections) drives each variant in turn; rounds rotate the order. With
//! `AIOCOP_BENCH_SLICE_MS=200` each variant's connections stay open for the whole run and a
//! round gives each variant one slice of that many milliseconds (`AIOCOP_BENCH_ROUNDS=900`: ten
//! minutes): slices a fraction of a second apart see the same load from the rest of the machine,
//! and the geometric mean's interval narrows to about ±0.4 % (one-second windows: ±2 % over 200
//! rounds). For instruction counts one
//! variant can be driven with a fixed number of sequential requests
//! (`AIOCOP_BENCH_VARIANT=2 AIOCOP_BENCH_REQUESTS=1000`): `benches/http-zero-annotation-instructions.sh`
//! runs each so under valgrind.

#[path = "support/http_load.rs"]
mod http_load;

use std::cell::RefCell;
use std::net::SocketAddr;

use aiocop::integrations::tracing::PollLayer;
use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use tokio::runtime::{Builder, Runtime};
use tower_http::trace::TraceLayer;
use tracing::dispatcher::{DefaultGuard, Dispatch};
use tracing_subscriber::layer::SubscriberExt;

use http_load::{Settings, Target};

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

/// Whether the traced variants' subscriber has the `fmt` layer (`AIOCOP_BENCH_SUBSCRIBER=fmt`).
fn with_fmt() -> bool {
    std::env::var("AIOCOP_BENCH_SUBSCRIBER").is_ok_and(|v| v == "fmt")
}

/// A service's log output, formatted and thrown away.
fn fmt_layer<S>() -> impl tracing_subscriber::Layer<S>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(std::io::sink)
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
                let dispatch = if with_fmt() {
                    Dispatch::new(tracing_subscriber::registry().with(fmt_layer()))
                } else {
                    Dispatch::new(tracing_subscriber::registry())
                };
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

fn main() {
    let settings = Settings::from_env();

    // The zero-annotation set-up: interception (this workspace turns it off for its test suites
    // through .cargo/config.toml, which `cargo bench` passes on: switched on explicitly), the
    // process's subscriber with the PollLayer, detection on with a callback, active.
    aiocop::patch_audit_functions();
    aiocop::intercept::enable();
    aiocop::start_blocking_io_detection(0).expect("trace depth");
    let events = http_load::count_slow_task_events();
    let poll_layer = PollLayer::new().with_name_field("method");
    if with_fmt() {
        let subscriber = tracing_subscriber::registry()
            .with(fmt_layer())
            .with(poll_layer);
        tracing::subscriber::set_global_default(subscriber).expect("global subscriber");
    } else {
        let subscriber = tracing_subscriber::registry().with(poll_layer);
        tracing::subscriber::set_global_default(subscriber).expect("global subscriber");
    }
    aiocop::activate();

    let servers: Vec<Runtime> = VARIANTS.iter().map(server_runtime).collect();
    let addrs: Vec<SocketAddr> = VARIANTS
        .iter()
        .zip(&servers)
        .map(|(variant, server)| http_load::serve(server, (variant.app)()))
        .collect();

    let client = http_load::client_runtime();

    if let Some((i, requests)) = http_load::single_variant() {
        http_load::sequential(&client, addrs[i], requests);
        return;
    }

    let targets: Vec<Target<'_>> = VARIANTS
        .iter()
        .zip(&addrs)
        .map(|(variant, &addr)| Target {
            addr,
            thread: variant.thread,
            // aiocop's own threads count with the variant that runs it.
            helpers: match variant.mode {
                Mode::ZeroAnnotation => http_load::AIOCOP_THREADS,
                Mode::NoSubscriber | Mode::Registry => &[],
            },
        })
        .collect();
    let samples = http_load::measure(&client, &targets, &settings, |_| {});

    aiocop::deactivate();

    // Ratios per round against the baseline of the same round, then the median over rounds.
    println!();
    if with_fmt() {
        println!("subscriber of the traced variants: registry + fmt layer (to io::sink)");
    }
    println!(
        "| variant | requests/s (median) | request rate vs TraceLayer alone | server CPU per request (median) | TraceLayer alone's CPU per request / this one's (min / median / max) | the same, trimmed geometric mean [95 % interval] |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (i, variant) in VARIANTS.iter().enumerate() {
        let (rate, cpu) = http_load::medians(&samples[i]);
        let (_, rate_ratio, _) =
            http_load::paired(&samples, i, BASELINE, |s, base| s.rate / base.rate);
        let (lo, mid, hi) = http_load::paired(&samples, i, BASELINE, |s, base| {
            base.cpu_per_request / s.cpu_per_request
        });
        let (mean_lo, mean, mean_hi) = http_load::paired_mean(&samples, i, BASELINE, |s, base| {
            base.cpu_per_request / s.cpu_per_request
        });
        println!(
            "| {} | {rate:.0} | {rate_ratio:.3} | {cpu:.2} µs | {lo:.3} / **{mid:.3}** / {hi:.3} | {mean:.3} [{mean_lo:.3}, {mean_hi:.3}] |",
            variant.name,
        );
    }
    http_load::report_events(&events);
}
