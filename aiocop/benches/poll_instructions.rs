//! Instruction counts per poll, for `valgrind --tool=callgrind` (repeatable where wall-clock
//! benchmarks on a shared VM are noisy). Each variant polls a trivial future 1,000,000 times.
//!
//! Run: `cargo bench -p aiocop --bench poll_instructions --no-run` and then
//! `valgrind --tool=callgrind <bench binary> <variant>` for each variant (`bare`, `deactivated`,
//! `active`, `active_watchdog`, `activate_only`, `tokio_metrics`).

use std::future::Future;
use std::hint::black_box;
use std::task::{Context, Waker};

mod spin;

use spin::Spin;

const POLLS: u64 = 1_000_000;

fn run<F: Future>(future: F) {
    let mut future = Box::pin(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..POLLS {
        let _ = black_box(future.as_mut().poll(&mut cx));
    }
}

fn main() {
    let variant = std::env::args().nth(1).unwrap_or_default();
    aiocop::start_blocking_io_detection(0).unwrap();
    // The watchdog is measured on its own (`active_watchdog`).
    aiocop::watchdog::stop_cpu_sampling();
    aiocop::detect_slow_tasks(60_000, aiocop::no_callback).unwrap();
    match variant.as_str() {
        "bare" => run(Spin(0)),
        "deactivated" => run(aiocop::monitored(Spin(0))),
        "active" => {
            aiocop::activate();
            run(aiocop::monitored(Spin(0)));
        }
        // With the stall watchdog running (it never samples: no poll reaches its arming delay).
        "active_watchdog" => {
            aiocop::watchdog::start_cpu_sampling(aiocop::watchdog::CpuSampling::new()).unwrap();
            aiocop::activate();
            run(aiocop::monitored(Spin(0)));
        }
        // The fixed cost of `active` (clock calibration), to subtract from it.
        "activate_only" => {
            aiocop::activate();
            run(Spin(0));
        }
        "tokio_metrics" => run(tokio_metrics::TaskMonitor::new().instrument(Spin(0))),
        "" => {} // `cargo bench` runs every bench target with no argument: nothing to do.
        other => {
            eprintln!(
                "unknown variant {other:?}: bare | deactivated | active | active_watchdog | \
                 activate_only | tokio_metrics"
            );
            std::process::exit(2);
        }
    }
}
