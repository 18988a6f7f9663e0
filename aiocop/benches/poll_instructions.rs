//! Instruction counts per poll, for `valgrind --tool=callgrind` (repeatable where wall-clock
//! benchmarks on a shared VM are noisy). Each variant polls a trivial future 1,000,000 times, or
//! the number of times given after the variant's name.
//!
//! Run: `cargo bench -p aiocop --bench poll_instructions --no-run` and then
//! `valgrind --tool=callgrind <bench binary> <variant> [polls]` for each variant (`bare`,
//! `deactivated`, `active`, `active_watchdog`, `activate_only`, `tokio_metrics`).
//!
//! The `poll` and `handler` benches' rows that record, as instruction counts: `events_1_depth_0`,
//! `events_10_depth_0`, `events_1_depth_20`, `events_10_depth_20` (a poll announcing 1 or 10
//! blocking calls, judged and emitted inline, as in `benches/poll.rs`), and the handlers of
//! `benches/handler.rs`, one call each poll: `handler_plain`, `handler_deactivated`,
//! `handler_active`, `blocking_handler_plain`, `blocking_handler_deactivated`,
//! `blocking_handler_active`; and `audit_outside`, one `aiocop::audit` call outside any monitored
//! poll per iteration. Start-up (and the first event's one-time work) is left out by
//! running a variant with N and 3N polls and dividing the difference by 2N.

use std::collections::HashMap;
use std::future::Future;
use std::hint::black_box;
use std::path::Path;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};

mod spin;

use spin::{AuditingSpin, Spin};

/// Polls per variant: 1,000,000 unless given on the command line.
static POLLS: AtomicU64 = AtomicU64::new(1_000_000);

fn run<F: Future>(future: F) {
    let mut future = Box::pin(future);
    let mut cx = Context::from_waker(Waker::noop());
    let polls = POLLS.load(Ordering::Relaxed);
    for _ in 0..polls {
        let _ = black_box(future.as_mut().poll(&mut cx));
    }
}

/// The handlers of `benches/handler.rs`, the same bodies.
#[path = "support/handlers.rs"]
mod handlers;
use handlers::*;

/// Calls a handler and polls its future to completion (one poll), `POLLS` times.
fn call<F: Future<Output = usize>>(mut handler: impl FnMut() -> F) {
    let mut cx = Context::from_waker(Waker::noop());
    let polls = POLLS.load(Ordering::Relaxed);
    for _ in 0..polls {
        let future = pin!(handler());
        match future.poll(&mut cx) {
            Poll::Ready(output) => {
                black_box(output);
            }
            Poll::Pending => unreachable!("the handlers complete in one poll"),
        }
    }
}

fn main() {
    let variant = std::env::args().nth(1).unwrap_or_default();
    if let Some(polls) = std::env::args().nth(2) {
        POLLS.store(polls.parse().expect("polls: a number"), Ordering::Relaxed);
    }
    aiocop::start_blocking_io_detection(0).unwrap();
    // The watchdog is measured on its own (`active_watchdog`).
    aiocop::watchdog::stop_cpu_sampling();
    aiocop::detect_slow_tasks(60_000, aiocop::no_callback).unwrap();
    if variant.starts_with("events_") || variant.contains("handler_") {
        // As in `benches/poll.rs` and `benches/handler.rs`: probes recorded, events judged and
        // emitted inline, no callback.
        aiocop::patch_audit_functions();
        aiocop::delivery::set_mode(aiocop::delivery::Delivery::Inline);
    }
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
        // `audit` outside any monitored poll (monitoring active): what every shim and probe costs
        // there, one call per "poll".
        "audit_outside" => {
            aiocop::activate();
            for _ in 0..POLLS.load(Ordering::Relaxed) {
                aiocop::audit(
                    "std::fs::read",
                    aiocop::WEIGHT_MODERATE,
                    &[&black_box("/etc/hosts")],
                );
            }
        }
        "events_1_depth_0" | "events_10_depth_0" | "events_1_depth_20" | "events_10_depth_20" => {
            if variant.ends_with("_depth_20") {
                aiocop::setup::set_trace_depth(20).unwrap();
            }
            let audits = if variant.starts_with("events_10") {
                10
            } else {
                1
            };
            aiocop::activate();
            run(aiocop::monitored(AuditingSpin::new(audits)));
        }
        "handler_plain"
        | "handler_deactivated"
        | "handler_active"
        | "blocking_handler_plain"
        | "blocking_handler_deactivated"
        | "blocking_handler_active" => {
            let state = State {
                users: HashMap::from([(7, "ada".to_owned())]),
            };
            let missing = Path::new("/nonexistent/aiocop-bench");
            if variant.ends_with("_active") {
                aiocop::activate();
            }
            match variant.as_str() {
                "handler_plain" => call(|| plain_handler(&state, black_box(7))),
                "handler_deactivated" | "handler_active" => {
                    call(|| monitored_handler(&state, black_box(7)))
                }
                "blocking_handler_plain" => {
                    call(|| plain_blocking_handler(&state, black_box(7), missing))
                }
                _ => call(|| monitored_blocking_handler(&state, black_box(7), missing)),
            }
        }
        "" => {} // `cargo bench` runs every bench target with no argument: nothing to do.
        other => {
            eprintln!(
                "unknown variant {other:?}: bare | deactivated | active | active_watchdog | \
                 activate_only | tokio_metrics | events_{{1,10}}_depth_{{0,20}} | \
                 [blocking_]handler_{{plain,deactivated,active}} | audit_outside"
            );
            std::process::exit(2);
        }
    }
}
