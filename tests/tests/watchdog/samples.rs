//! The stall watchdog's stack samples on slow polls (the reference's sampler suite, in Rust):
//! slow polls get samples naming the busy function, fast polls none, identical stacks aggregate
//! with counts, blocking calls the macro cannot see show up, on current-thread and multi-thread
//! runtimes.
//!
//! Settings of this process: watchdog sampling every 2 ms once a poll is 5 ms old, at most 16
//! samples per poll; threshold 30 ms; no blocking-call traces. Events are isolated per test with
//! `collect_events`.

use std::hint::black_box;
use std::sync::Once;
use std::time::{Duration, Instant};

use aiocop::{FutureExt, Reason, SlowTaskEvent, events::CpuStackSample, watchdog::CpuSampling};

const MAX_SAMPLES: usize = 16;
/// How long the CPU-bound polls run. A running thread is sampled through a timer on its CPU-time
/// clock, which expires only at a timer tick (every 4 ms at 250 Hz) that finds the thread on a
/// processor: on a loaded machine, where it runs a fraction of the time, long enough for a few.
const CPU_BOUND: Duration = Duration::from_millis(400);

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(0).expect("valid trace depth");
        aiocop::watchdog::start_cpu_sampling(
            CpuSampling::new()
                .interval(Duration::from_millis(2))
                .arm_after(Duration::from_millis(5))
                .max_samples_per_poll(MAX_SAMPLES),
        )
        .expect("the watchdog runs on Linux x86_64");
        aiocop::detect_slow_tasks(30, aiocop::no_callback).expect("valid threshold");
        aiocop::activate();
    });
}

/// Pure CPU work for `duration`, in a function of its own.
#[inline(never)]
fn burn_cpu(duration: Duration) -> u64 {
    let deadline = Instant::now() + duration;
    let mut acc = 0u64;
    while Instant::now() < deadline {
        for i in 0..10_000u64 {
            acc = black_box(acc.wrapping_mul(31).wrapping_add(i));
        }
    }
    acc
}

/// A blocking sleep hidden in a sync helper, where the macro does not look.
#[inline(never)]
fn nap(duration: Duration) -> Duration {
    let start = Instant::now();
    std::thread::sleep(black_box(duration));
    start.elapsed()
}

fn the_event(events: Vec<SlowTaskEvent>) -> SlowTaskEvent {
    assert_eq!(events.len(), 1, "one slow poll, one event: {events:#?}");
    events.into_iter().next().unwrap()
}

fn total(samples: &[CpuStackSample]) -> usize {
    samples.iter().map(CpuStackSample::count).sum()
}

fn traces(samples: &[CpuStackSample]) -> String {
    samples
        .iter()
        .map(|s| format!("{} x {}", s.count(), s.trace()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// aiocop's own frames (the watchdog, the poll guard, the scope) never appear in samples.
fn assert_no_own_frames(samples: &[CpuStackSample]) {
    for sample in samples {
        for frame in sample.trace().frames() {
            assert!(
                !frame.contains("aiocop::") && !frame.contains("aiocop/src/"),
                "aiocop frame {frame:?} in {}",
                sample.trace()
            );
        }
    }
}

fn assert_cpu_event_names_burn_cpu(event: &SlowTaskEvent) {
    assert_eq!(event.reason(), Reason::CpuBlocking);
    assert!(event.exceeded_threshold());
    let samples = event.cpu_stack_samples();
    assert!(
        total(samples) >= 3,
        "few samples of a {CPU_BOUND:?} poll: {}",
        traces(samples)
    );
    assert!(total(samples) <= MAX_SAMPLES);
    assert!(
        samples[0].entry_point().contains("burn_cpu"),
        "top entry point {:?} of\n{}",
        samples[0].entry_point(),
        traces(samples)
    );
    for sample in samples {
        assert!(
            sample.trace().to_string().contains("burn_cpu"),
            "a sample outside the busy function:\n{}",
            traces(samples)
        );
        assert!(sample.trace().to_string().contains(sample.entry_point()));
    }
    assert_no_own_frames(samples);
}

#[aiocop::monitor]
async fn crunch() -> u64 {
    tokio::task::yield_now().await;
    burn_cpu(CPU_BOUND)
}

#[tokio::test(flavor = "current_thread")]
async fn a_cpu_bound_poll_gets_samples_naming_the_busy_function() {
    setup();
    let (_, events) = aiocop::events::collect_events(crunch()).await;
    assert_cpu_event_names_burn_cpu(&the_event(events));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cpu_bound_poll_on_a_worker_thread_gets_samples() {
    setup();
    let handle = tokio::spawn(aiocop::events::collect_events(crunch()));
    let (_, events) = handle.await.expect("task");
    assert_cpu_event_names_burn_cpu(&the_event(events));
}

#[aiocop::monitor]
async fn many_fast_polls() {
    for _ in 0..50 {
        tokio::task::yield_now().await;
    }
    aiocop::audit("quick_io", aiocop::WEIGHT_LIGHT, &[]);
}

#[tokio::test(flavor = "current_thread")]
async fn fast_polls_get_no_samples() {
    setup();
    let (_, events) = aiocop::events::collect_events(many_fast_polls()).await;
    let event = the_event(events);
    assert_eq!(event.reason(), Reason::IoBlocking);
    assert!(event.cpu_stack_samples().is_empty());
}

#[aiocop::monitor]
async fn napping() {
    tokio::task::yield_now().await;
    nap(Duration::from_millis(150));
}

#[tokio::test(flavor = "current_thread")]
async fn identical_stacks_aggregate_with_counts_and_a_hidden_sleep_shows() {
    setup();
    let (_, events) = aiocop::events::collect_events(napping()).await;
    let event = the_event(events);
    // The macro cannot see the sleep inside `nap`: the poll is CPU blocking to aiocop...
    assert_eq!(event.reason(), Reason::CpuBlocking);
    assert!(event.blocking_events().is_empty());
    // ... but every sample finds the thread in that sleep, through the same stack.
    let samples = event.cpu_stack_samples();
    assert!(total(samples) >= 3, "{}", traces(samples));
    assert!(
        samples[0].count() >= 3,
        "one stack, counted:\n{}",
        traces(samples)
    );
    let counts: Vec<usize> = samples.iter().map(CpuStackSample::count).collect();
    let mut sorted = counts.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(counts, sorted, "most frequent first");
    assert!(
        samples[0].entry_point().contains("nap"),
        "entry point {:?} of\n{}",
        samples[0].entry_point(),
        traces(samples)
    );
    assert!(samples[0].trace().to_string().contains("sleep"));
    assert_no_own_frames(samples);
}

#[aiocop::monitor]
async fn reads_then_sleeps_in_a_library() {
    tokio::task::yield_now().await;
    aiocop::audit("visible_io", aiocop::WEIGHT_MODERATE, &[]);
    aiocop_tests::sleep_in_a_library(Duration::from_millis(150));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn io_blocking_events_get_samples_of_calls_inside_another_crate() {
    setup();
    let (_, events) = tokio::spawn(aiocop::events::collect_events(
        reads_then_sleeps_in_a_library(),
    ))
    .await
    .expect("task");
    let event = the_event(events);
    assert_eq!(event.reason(), Reason::IoBlocking);
    assert_eq!(event.blocking_events()[0].operation(), "visible_io");
    let samples = event.cpu_stack_samples();
    assert!(
        samples[0].entry_point().contains("sleep_in_a_library"),
        "entry point {:?} of\n{}",
        samples[0].entry_point(),
        traces(samples)
    );
}

#[tokio::test(flavor = "current_thread")]
async fn samples_per_poll_are_capped() {
    setup();
    let (_, events) = aiocop::events::collect_events(
        async {
            tokio::task::yield_now().await;
            nap(Duration::from_millis(250));
        }
        .monitored_as("long_nap"),
    )
    .await;
    let event = the_event(events);
    let samples = event.cpu_stack_samples();
    assert_eq!(total(samples), MAX_SAMPLES, "{}", traces(samples));
}

#[tokio::test(flavor = "current_thread")]
async fn the_report_names_the_hottest_stack() {
    setup();
    let (_, events) = aiocop::events::collect_events(napping()).await;
    let text = the_event(events).to_string();
    assert!(text.contains("hottest stack ("), "{text}");
    assert!(text.contains("nap"), "{text}");
}

/// Spins on the clock: the thread is nearly always inside the vDSO's `clock_gettime`, which the
/// unwinder must get through to reach the program's frames.
#[inline(never)]
fn spin_on_the_clock(duration: Duration) {
    let start = Instant::now();
    while start.elapsed() < duration {
        std::hint::spin_loop();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn samples_inside_the_vdso_reach_the_program() {
    setup();
    let (_, events) = aiocop::events::collect_events(
        async {
            tokio::task::yield_now().await;
            spin_on_the_clock(CPU_BOUND);
        }
        .monitored_as("clock_spinner"),
    )
    .await;
    let event = the_event(events);
    let samples = event.cpu_stack_samples();
    assert!(total(samples) >= 3, "{}", traces(samples));
    for sample in samples {
        assert!(
            sample.entry_point().contains("spin_on_the_clock"),
            "entry point {:?} of\n{}",
            sample.entry_point(),
            traces(samples)
        );
    }
}
