//! What `PollLayer` costs one span segment: a task enters and exits a span (what an instrumented
//! future does around each poll of its inner future), with the layer in the subscriber or without.
//!
//! Run: `cargo bench -p aiocop --bench span_segment --features runtime,tracing-polls` prints
//! nanoseconds per enter+exit for both, side by side; for instruction counts run the bench binary
//! under `valgrind --tool=callgrind` with a variant and a count twice (`registry 100000`,
//! `registry 300000`, `layer 100000`, `layer 300000`): the difference of the two runs of one
//! variant divided by 200 000 is its cost per segment (BENCHMARKS.md, "The zero-annotation
//! service").
//!
//! Both variants run on a runtime built with `aiocop::runtime::instrument`, monitoring active:
//! the layer's segments suspend the worker's stretch, as a request span's polls do in a service.

use std::time::Instant;

use aiocop::integrations::tracing::PollLayer;
use tracing::Dispatch;
use tracing_subscriber::layer::SubscriberExt;

/// Enters and exits one span `segments` times in a task; nanoseconds per segment.
fn run(dispatch: &Dispatch, segments: u64) -> f64 {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    builder.worker_threads(1);
    aiocop::runtime::instrument(&mut builder);
    let runtime = builder.build().expect("runtime");
    let dispatch = dispatch.clone();
    runtime.block_on(async move {
        tokio::spawn(async move {
            tracing::dispatcher::with_default(&dispatch, || {
                let span = tracing::info_span!("segment", field = 1);
                let start = Instant::now();
                for _ in 0..segments {
                    span.in_scope(|| std::hint::black_box(()));
                }
                start.elapsed().as_nanos() as f64 / segments as f64
            })
        })
        .await
        .expect("the task")
    })
}

fn main() {
    aiocop::start_blocking_io_detection(0).expect("trace depth");
    aiocop::detect_slow_tasks(100, aiocop::no_callback).expect("threshold");
    aiocop::activate();
    let registry = Dispatch::new(tracing_subscriber::registry());
    let layer = Dispatch::new(tracing_subscriber::registry().with(PollLayer::new()));

    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    if let (Some(variant), Some(count)) = (args.next(), args.next()) {
        let count = count.parse().expect("a count of segments");
        let dispatch = if variant == "layer" {
            &layer
        } else {
            &registry
        };
        run(dispatch, count);
        return;
    }
    let segments = 2_000_000;
    println!("| round | registry (ns per segment) | with PollLayer | difference |");
    println!("|---|---:|---:|---:|");
    for round in 1..=5 {
        let (base, with) = (run(&registry, segments), run(&layer, segments));
        println!("| {round} | {base:.1} | {with:.1} | +{:.1} |", with - base);
    }
}
