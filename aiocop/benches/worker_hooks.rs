//! What `aiocop::runtime::instrument` costs a worker each time it parks and unparks.
//!
//! Run: `cargo bench -p aiocop --bench worker_hooks --features runtime` prints nanoseconds per
//! park+unpark pair; for instruction counts, run the bench binary under
//! `valgrind --tool=callgrind` with a variant's name and a count (see below and BENCHMARKS.md,
//! "Worker hooks per park and unpark").
//!
//! Variants:
//!
//! - `hooks <pairs>` / `hooks_inactive <pairs>` / `empty <pairs>`: one thread calls aiocop's unpark
//!   then park hook `pairs` times, monitoring active or not, against an empty loop: the hooks'
//!   own work per pair (a worker scope opened and judged empty), without tokio's parking.
//! - `pingpong <round trips>` / `pingpong_instrumented <round trips>`: a task on a multi-thread
//!   runtime with one worker and a plain thread bounce a message `round trips` times; the worker
//!   parks waiting for each message and is unparked by it. Both variants count the parks in their
//!   hooks; the instrumented one also calls aiocop's four hooks, exactly what `instrument` installs.
//!   Their difference, divided by the parks counted, is the hooks' cost in a real runtime.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tokio::runtime::Builder;

static PARKS: AtomicU64 = AtomicU64::new(0);

fn hooks(pairs: u64) {
    for _ in 0..pairs {
        aiocop::runtime::worker_unparked();
        aiocop::runtime::worker_parked();
    }
}

fn empty(pairs: u64) {
    for i in 0..pairs {
        black_box(i);
    }
}

/// Bounces a message `round_trips` times between a task of a one-worker runtime and this thread;
/// returns the parks counted.
fn pingpong(round_trips: u64, instrumented: bool) -> u64 {
    PARKS.store(0, Ordering::Relaxed);
    let mut builder = Builder::new_multi_thread();
    builder.worker_threads(1).enable_all();
    if instrumented {
        builder
            .on_thread_start(aiocop::runtime::worker_started)
            .on_thread_stop(aiocop::runtime::worker_stopped)
            .on_thread_park(|| {
                PARKS.fetch_add(1, Ordering::Relaxed);
                aiocop::runtime::worker_parked();
            })
            .on_thread_unpark(aiocop::runtime::worker_unparked);
    } else {
        builder
            .on_thread_start(|| {})
            .on_thread_stop(|| {})
            .on_thread_park(|| {
                PARKS.fetch_add(1, Ordering::Relaxed);
            })
            .on_thread_unpark(|| {});
    }
    let runtime = builder.build().expect("runtime");
    let (to_task, mut from_thread) = tokio::sync::mpsc::unbounded_channel::<u64>();
    let (to_thread, from_task) = std::sync::mpsc::channel::<u64>();
    let task = runtime.spawn(async move {
        while let Some(n) = from_thread.recv().await {
            if to_thread.send(n + 1).is_err() {
                break;
            }
        }
    });
    let mut n = 0;
    for _ in 0..round_trips {
        to_task.send(n).expect("send");
        n = from_task.recv().expect("reply");
    }
    assert_eq!(n, round_trips);
    drop(to_task);
    runtime.block_on(task).expect("task");
    drop(runtime);
    PARKS.load(Ordering::Relaxed)
}

fn setup(active: bool) {
    aiocop::start_blocking_io_detection(0).expect("trace depth");
    aiocop::detect_slow_tasks(30, aiocop::no_callback).expect("threshold");
    if active {
        aiocop::activate();
    }
}

fn per_pair(f: impl Fn(u64), pairs: u64) -> f64 {
    // Best of five: the machine's other load only ever adds time.
    (0..5)
        .map(|_| {
            let start = Instant::now();
            f(pairs);
            start.elapsed().as_nanos() as f64 / pairs as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| !a.starts_with("--"));
    if let Some(variant) = args.next() {
        let count: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
        setup(variant != "hooks_inactive");
        match variant.as_str() {
            "hooks" | "hooks_inactive" => hooks(count),
            "empty" => empty(count),
            "pingpong" => println!("parks: {}", pingpong(count, false)),
            "pingpong_instrumented" => println!("parks: {}", pingpong(count, true)),
            other => panic!("unknown variant {other:?}"),
        }
        return;
    }

    setup(true);
    let pairs = 10_000_000;
    let hooks_ns = per_pair(hooks, pairs);
    let empty_ns = per_pair(empty, pairs);
    println!(
        "aiocop's unpark + park hooks, active: {:.1} ns per pair ({hooks_ns:.1} - {empty_ns:.1} for the loop)",
        hooks_ns - empty_ns
    );
    aiocop::deactivate();
    let inactive_ns = per_pair(hooks, pairs);
    println!(
        "the same, monitoring inactive: {:.1} ns per pair",
        inactive_ns - empty_ns
    );
    aiocop::activate();

    // Round trips through a parking worker: interleaved, best of several, per park.
    let trips = 20_000;
    let mut best = [f64::INFINITY; 2];
    for _ in 0..5 {
        for (i, instrumented) in [false, true].into_iter().enumerate() {
            let start = Instant::now();
            let parks = pingpong(trips, instrumented).max(1);
            let per_park = start.elapsed().as_nanos() as f64 / parks as f64;
            best[i] = best[i].min(per_park);
        }
    }
    println!(
        "one-worker runtime, round trip per park: {:.0} ns without aiocop's hooks, {:.0} ns with \
         (difference {:+.0} ns; scheduling noise dominates it, see the instruction counts)",
        best[0],
        best[1],
        best[1] - best[0]
    );
}
