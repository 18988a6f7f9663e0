//! A shim called outside any monitored poll against the std call it stands for. Budget: at most
//! 2 ns over std (DESIGN §10).
//!
//! Run with `cargo bench -p aiocop --bench shims`. Auditing is switched on and detection started,
//! as in a production set-up, so the only thing between the shim and std is the check for an
//! open monitored poll.
//!
//! Two measurements: criterion's, one operation after the other, and a paired one that alternates
//! short batches of the std call and the shim and reports medians of the per-batch figures and of
//! their differences. On a shared 2-core VM the paired figures are the ones to trust: drift in the
//! machine's load hits both sides of each pair alike.
//!
//! Then, inside one monitored poll making 1,000,000 calls (all but the first 50 past the per-poll
//! cap): the probes `#[aiocop::monitor]` puts before std calls against the shims. Budget (issue
//! 13): a call past the cap costs what counting it costs, at most 2 × the shim.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use aiocop::shim;
use criterion::{Criterion, criterion_group};

fn set_up() {
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0).expect("valid trace depth");
    aiocop::activate();
}

const MISSING: &str = "/nonexistent/aiocop-bench";

fn shims_outside_a_poll(c: &mut Criterion) {
    set_up();

    let mut group = c.benchmark_group("thread::sleep(0)");
    group.bench_function("std", |b| {
        b.iter(|| std::thread::sleep(black_box(Duration::ZERO)))
    });
    group.bench_function("shim", |b| {
        b.iter(|| shim::thread::sleep(black_box(Duration::ZERO)))
    });
    group.finish();

    let barrier = Barrier::new(1);
    let mut group = c.benchmark_group("Barrier::wait(1 thread)");
    group.bench_function("std", |b| b.iter(|| black_box(&barrier).wait()));
    group.bench_function("shim", |b| {
        b.iter(|| shim::sync::barrier::wait(black_box(&barrier)))
    });
    group.finish();

    let missing = Path::new(MISSING);
    let mut group = c.benchmark_group("Path::exists(missing)");
    group.bench_function("std", |b| b.iter(|| black_box(missing).exists()));
    group.bench_function("shim", |b| {
        b.iter(|| shim::path::path::exists(black_box(missing)))
    });
    group.finish();

    let root = Path::new("/");
    let mut group = c.benchmark_group("fs::metadata(/)");
    group.bench_function("std", |b| b.iter(|| std::fs::metadata(black_box(root))));
    group.bench_function("shim", |b| b.iter(|| shim::fs::metadata(black_box(root))));
    group.finish();
}

criterion_group!(benches, shims_outside_a_poll);

/// Nanoseconds per call of `f`, over `iters` calls.
fn per_call(iters: u32, f: &mut impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed().as_secs_f64() * 1e9 / f64::from(iters)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Alternates batches of `std_call` and `shim_call` (which goes first alternates too) and prints
/// a table row: medians of std, shim, and of the per-pair difference.
fn paired(name: &str, iters: u32, mut std_call: impl FnMut(), mut shim_call: impl FnMut()) {
    const ROUNDS: usize = 301;
    let (mut stds, mut shims, mut diffs) = (Vec::new(), Vec::new(), Vec::new());
    per_call(iters, &mut std_call);
    per_call(iters, &mut shim_call);
    for round in 0..ROUNDS {
        let (std_ns, shim_ns) = if round % 2 == 0 {
            let s = per_call(iters, &mut std_call);
            (s, per_call(iters, &mut shim_call))
        } else {
            let s = per_call(iters, &mut shim_call);
            (per_call(iters, &mut std_call), s)
        };
        stds.push(std_ns);
        shims.push(shim_ns);
        diffs.push(shim_ns - std_ns);
    }
    let (std_ns, shim_ns, diff) = (median(&mut stds), median(&mut shims), median(&mut diffs));
    println!(
        "| {name} | {std_ns:.2} | {shim_ns:.2} | {diff:+.2} | {:.3} |",
        shim_ns / std_ns
    );
}

fn paired_summary() {
    set_up();
    println!();
    println!("Paired, outside any monitored poll ({} CPUs):", num_cpus());
    println!();
    println!("| operation | std ns | shim ns | shim − std ns (median of pairs) | shim / std |");
    println!("|---|---|---|---|---|");
    paired(
        "thread::sleep(Duration::ZERO)",
        200_000,
        || std::thread::sleep(black_box(Duration::ZERO)),
        || shim::thread::sleep(black_box(Duration::ZERO)),
    );
    let barrier = Barrier::new(1);
    paired(
        "Barrier::wait (1 thread)",
        5_000,
        || {
            black_box(black_box(&barrier).wait());
        },
        || {
            black_box(shim::sync::barrier::wait(black_box(&barrier)));
        },
    );
    let missing = Path::new(MISSING);
    paired(
        "Path::exists (missing path)",
        2_000,
        || {
            black_box(black_box(missing).exists());
        },
        || {
            black_box(shim::path::path::exists(black_box(missing)));
        },
    );
    let root = Path::new("/");
    paired(
        "fs::metadata(\"/\")",
        2_000,
        || {
            let _ = black_box(std::fs::metadata(black_box(root)));
        },
        || {
            let _ = black_box(shim::fs::metadata(black_box(root)));
        },
    );
}

/// One monitored poll making `calls` rounds of blocking calls as `#[aiocop::monitor]` rewrites
/// them (a probe before each std call), past the per-poll cap after the first 50 events.
#[aiocop::monitor(name = "capped_probes")]
async fn capped_probes(calls: u32, op: CappedOp, pause: Duration, missing: &Path) {
    match op {
        CappedOp::Sleep => {
            for _ in 0..calls {
                std::thread::sleep(pause);
            }
        }
        CappedOp::Exists => {
            for _ in 0..calls {
                black_box(missing.exists());
            }
        }
        CappedOp::Metadata => {
            for _ in 0..calls {
                let _ = black_box(std::fs::metadata(missing));
            }
        }
    }
}

/// The same poll through the shims (`rewrite = false`: no probe).
#[aiocop::monitor(name = "capped_shims", rewrite = false)]
async fn capped_shims(calls: u32, op: CappedOp, pause: Duration, missing: &Path) {
    match op {
        CappedOp::Sleep => {
            for _ in 0..calls {
                shim::thread::sleep(pause);
            }
        }
        CappedOp::Exists => {
            for _ in 0..calls {
                black_box(shim::path::path::exists(missing));
            }
        }
        CappedOp::Metadata => {
            for _ in 0..calls {
                let _ = black_box(shim::fs::metadata(missing));
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum CappedOp {
    Sleep,
    Exists,
    Metadata,
}

/// Seconds to run `future`, one poll (it never waits), on this thread.
fn one_poll(future: impl std::future::Future<Output = ()>) -> f64 {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let start = Instant::now();
    assert!(future.as_mut().poll(&mut cx).is_ready());
    start.elapsed().as_secs_f64()
}

/// 1,000,000 blocking calls in one monitored poll, through probes and through shims, alternating
/// (which goes first alternates too): medians of each side's time and of the per-round ratio.
fn capped_summary() {
    set_up();
    const CALLS: u32 = 1_000_000;
    const ROUNDS: usize = 9;
    println!();
    println!(
        "One monitored poll making {CALLS} calls, past the per-poll cap of {} events ({} CPUs):",
        aiocop::setup::max_events_per_poll(),
        num_cpus()
    );
    println!();
    println!("| operation | shims ms | probes ms | probes / shims (median of pairs) |");
    println!("|---|---|---|---|");
    let missing = Path::new(MISSING);
    let pause = black_box(Duration::ZERO);
    for (name, op) in [
        ("thread::sleep(Duration::ZERO)", CappedOp::Sleep),
        ("Path::exists (missing path)", CappedOp::Exists),
        ("fs::metadata (missing path)", CappedOp::Metadata),
    ] {
        let probes = || one_poll(capped_probes(CALLS, op, pause, missing));
        let shims = || one_poll(capped_shims(CALLS, op, pause, missing));
        let (mut probe_s, mut shim_s, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            let (p, s) = if round % 2 == 0 {
                let p = probes();
                (p, shims())
            } else {
                let s = shims();
                (probes(), s)
            };
            probe_s.push(p);
            shim_s.push(s);
            ratios.push(p / s);
        }
        let (p, s, r) = (
            median(&mut probe_s),
            median(&mut shim_s),
            median(&mut ratios),
        );
        println!("| {name} | {:.1} | {:.1} | {r:.2} |", s * 1e3, p * 1e3);
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo bench` passes `--bench`; `cargo test --benches` runs each benchmark once instead.
    if std::env::args().any(|arg| arg == "--bench") {
        paired_summary();
        capped_summary();
    }
}
