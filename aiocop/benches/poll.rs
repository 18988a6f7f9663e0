//! What monitoring adds to one poll, side by side in one run:
//! bare poll, monitored with monitoring deactivated, monitored and active (nothing recorded),
//! `tokio_metrics::TaskMonitor::instrument`, and a monitored poll that records one blocking event
//! at trace depth 0 and 20; monitored and active with the stall watchdog running.
//!
//! Run: `cargo bench -p aiocop --bench poll`

use std::future::Future;
use std::hint::black_box;
use std::task::{Context, Waker};

use criterion::{Criterion, criterion_group, criterion_main};

mod spin;

use spin::{AuditingSpin, Spin};

fn poll_repeatedly<F: Future>(c: &mut Criterion, name: &str, future: F) {
    let mut future = Box::pin(future);
    let mut cx = Context::from_waker(Waker::noop());
    c.bench_function(name, |b| {
        b.iter(|| black_box(future.as_mut().poll(&mut cx)));
    });
}

fn polls(c: &mut Criterion) {
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0).unwrap();
    // A threshold no poll here reaches: an idle poll must cost only the guard. The watchdog is
    // measured on its own, below.
    aiocop::watchdog::stop_cpu_sampling();
    aiocop::detect_slow_tasks(60_000, aiocop::no_callback).unwrap();
    aiocop::delivery::set_mode(aiocop::delivery::Delivery::Inline);

    aiocop::deactivate();
    poll_repeatedly(c, "poll/bare", Spin(0));
    poll_repeatedly(c, "poll/monitored_deactivated", aiocop::monitored(Spin(0)));

    let monitor = tokio_metrics::TaskMonitor::new();
    poll_repeatedly(
        c,
        "poll/tokio_metrics_instrument",
        monitor.instrument(Spin(0)),
    );

    aiocop::activate();
    poll_repeatedly(c, "poll/monitored_active", aiocop::monitored(Spin(0)));
    // The stall watchdog adds two stores per poll (it never samples here: no poll reaches its
    // arming delay of half the threshold).
    aiocop::watchdog::start_cpu_sampling(aiocop::watchdog::CpuSampling::new()).unwrap();
    poll_repeatedly(
        c,
        "poll/monitored_active_watchdog_on",
        aiocop::monitored(Spin(0)),
    );
    aiocop::watchdog::stop_cpu_sampling();

    poll_repeatedly(
        c,
        "poll/monitored_active_one_event_depth_0",
        aiocop::monitored(AuditingSpin::new(1)),
    );
    poll_repeatedly(
        c,
        "poll/monitored_active_ten_events_depth_0",
        aiocop::monitored(AuditingSpin::new(10)),
    );
    aiocop::setup::set_trace_depth(20).unwrap();
    poll_repeatedly(
        c,
        "poll/monitored_active_ten_events_depth_20",
        aiocop::monitored(AuditingSpin::new(10)),
    );
    poll_repeatedly(
        c,
        "poll/monitored_active_one_event_depth_20",
        aiocop::monitored(AuditingSpin::new(1)),
    );
    aiocop::setup::set_trace_depth(0).unwrap();

    // The floor DESIGN §10 names: two TSC reads, and two `Instant::now()`, back to back.
    #[cfg(target_arch = "x86_64")]
    c.bench_function("clock/two_tsc_reads", |b| {
        b.iter(|| {
            // SAFETY: `rdtsc` exists on every x86_64 CPU and only reads the time-stamp counter.
            let (start, end) =
                unsafe { (core::arch::x86_64::_rdtsc(), core::arch::x86_64::_rdtsc()) };
            black_box(end.wrapping_sub(start))
        });
    });
    c.bench_function("clock/two_instant_now", |b| {
        b.iter(|| {
            let start = std::time::Instant::now();
            black_box(std::time::Instant::now().duration_since(start))
        });
    });

    // `audit` outside any monitored poll: the cost every shim pays when nothing is monitored.
    c.bench_function("audit/outside_poll", |b| {
        b.iter(|| {
            aiocop::audit(
                "std::fs::read",
                aiocop::WEIGHT_MODERATE,
                &[&black_box("/etc/hosts")],
            )
        });
    });
    aiocop::deactivate();
}

criterion_group!(benches, polls);
criterion_main!(benches);
