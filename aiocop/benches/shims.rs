//! A shim called outside any monitored poll against the std call it stands for, side by side in
//! one run. Budget: at most 2 ns over std (DESIGN §10).
//!
//! Run with `cargo bench -p aiocop --bench shims`. Auditing is switched on and detection started,
//! as in a production set-up, so the only thing between the shim and std is the check for an
//! open monitored poll.
#![allow(missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::sync::Barrier;
use std::time::Duration;

use aiocop::shim;
use criterion::{Criterion, criterion_group, criterion_main};

fn set_up() {
    aiocop::patch_audit_functions();
    aiocop::start_blocking_io_detection(0).expect("valid trace depth");
    aiocop::activate();
}

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

    let missing = Path::new("/nonexistent/aiocop-bench");
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
criterion_main!(benches);
