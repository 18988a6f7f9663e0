//! An annotated handler against the same handler unannotated, per call (each call polls the
//! handler's future to completion once), side by side in one run: monitoring deactivated, active
//! with nothing blocking, and active with one std blocking call routed through a probe.
//!
//! Run: `cargo bench -p aiocop --bench handler`

use std::collections::HashMap;
use std::future::Future;
use std::hint::black_box;
use std::path::Path;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/handlers.rs"]
mod handlers;
use handlers::*;

fn run<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the handlers complete in one poll"),
    }
}

fn handlers(c: &mut Criterion) {
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0).unwrap();
    aiocop::detect_slow_tasks(60_000, aiocop::no_callback).unwrap();
    aiocop::delivery::set_mode(aiocop::delivery::Delivery::Inline);
    let state = State {
        users: HashMap::from([(7, "ada".to_owned())]),
    };
    let missing = Path::new("/nonexistent/aiocop-bench");

    aiocop::deactivate();
    c.bench_function("handler/plain", |b| {
        b.iter(|| run(plain_handler(&state, black_box(7))))
    });
    c.bench_function("handler/monitored_deactivated", |b| {
        b.iter(|| run(monitored_handler(&state, black_box(7))))
    });
    aiocop::activate();
    c.bench_function("handler/monitored_active", |b| {
        b.iter(|| run(monitored_handler(&state, black_box(7))))
    });
    aiocop::deactivate();

    c.bench_function("blocking_handler/plain", |b| {
        b.iter(|| run(plain_blocking_handler(&state, black_box(7), missing)))
    });
    c.bench_function("blocking_handler/monitored_deactivated", |b| {
        b.iter(|| run(monitored_blocking_handler(&state, black_box(7), missing)))
    });
    aiocop::activate();
    c.bench_function("blocking_handler/monitored_active", |b| {
        b.iter(|| run(monitored_blocking_handler(&state, black_box(7), missing)))
    });
    aiocop::deactivate();
}

criterion_group!(benches, handlers);
criterion_main!(benches);
