//! The process-wide strict-mode default: threads and tasks that have not chosen inherit it; a
//! thread or task can still opt out.
//!
//! Each test runs in a process of its own (`own_process!`). Global settings: trace depth 0, inline delivery, a 60 s global threshold, strict by default.

use crate::core_support;

use std::panic::catch_unwind;
use std::thread;

use aiocop::{FutureExt, HighSeverityBlockingIo, WEIGHT_HEAVY};
use core_support::{block_on, current_thread, strict_report};

fn setup() {
    aiocop_tests::setup_with(|| aiocop::strict::set_raise_on_violations_default(true));
}

fn blocking_poll(name: &'static str) -> aiocop::Monitored<impl Future<Output = ()>> {
    async {
        aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[&"default"]);
    }
    .monitored_as(name)
}

#[test]
fn every_thread_inherits_the_default() {
    aiocop_tests::own_process!("every_thread_inherits_the_default");
    setup();
    let caught = thread::spawn(|| {
        assert!(aiocop::is_raise_on_violations_enabled());
        catch_unwind(|| block_on(blocking_poll("default_fresh_thread")))
            .map_err(|payload| HighSeverityBlockingIo::from_panic(&*payload).is_some())
    })
    .join()
    .unwrap();
    assert_eq!(caught, Err(true));
}

#[test]
fn tasks_on_a_runtime_inherit_the_default() {
    aiocop_tests::own_process!("tasks_on_a_runtime_inherit_the_default");
    setup();
    let rt = core_support::multi_thread(2);
    rt.block_on(async {
        let error = tokio::spawn(blocking_poll("default_task"))
            .await
            .expect_err("strict by default");
        assert!(HighSeverityBlockingIo::from_panic(&*error.into_panic()).is_some());
    });
}

#[test]
fn a_thread_can_opt_out() {
    aiocop_tests::own_process!("a_thread_can_opt_out");
    setup();
    thread::spawn(|| {
        aiocop::disable_raise_on_violations();
        assert!(!aiocop::is_raise_on_violations_enabled());
        let ((), events) = block_on(aiocop::events::collect_events(blocking_poll(
            "default_opt_out",
        )));
        assert_eq!(events.len(), 1);
        // A guard restores the opt-out, not the default.
        drop(aiocop::strict::raise_on_violations_guard());
        assert!(!aiocop::is_raise_on_violations_enabled());
    })
    .join()
    .unwrap();
}

#[test]
fn a_task_can_opt_out_without_changing_its_thread() {
    aiocop_tests::own_process!("a_task_can_opt_out_without_changing_its_thread");
    setup();
    let rt = current_thread();
    rt.block_on(async {
        let ((), events) = aiocop::raise_on_violations(async {
            aiocop::disable_raise_on_violations();
            aiocop::events::collect_events(blocking_poll("default_task_opt_out")).await
        })
        .await;
        assert_eq!(events.len(), 1);
        assert!(aiocop::is_raise_on_violations_enabled());
    });
    let report = strict_report("the thread is still strict by default", || {
        current_thread().block_on(blocking_poll("default_after_opt_out"))
    });
    assert_eq!(report.function().name(), "default_after_opt_out");
}
