//! Monitored futures on other executors than tokio's, and futures that move between threads
//! between polls: the scope belongs to a poll, never to a thread or a task.
//!
//! Global settings: trace depth 0, inline delivery (callbacks run on the polling thread), a 60 s
//! global threshold.

use crate::core_support;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;

use aiocop::{FutureExt, Reason, WEIGHT_HEAVY, WEIGHT_LIGHT, WEIGHT_MODERATE};
use aiocop_tests::setup;
use core_support::{Recorder, block_on, poll_once, texts, yield_now};

fn thread_name() -> String {
    thread::current().name().unwrap_or("<unnamed>").to_owned()
}

/// A one-shot channel made of std parts, so the std-only executor below is woken from another
/// thread with no runtime involved.
struct Slot<T> {
    state: Mutex<(Option<T>, Option<Waker>)>,
}

impl<T> Slot<T> {
    fn new() -> Arc<Self> {
        Arc::new(Slot {
            state: Mutex::new((None, None)),
        })
    }

    fn send(&self, value: T) {
        let waker = {
            let mut state = self.state.lock().unwrap();
            state.0 = Some(value);
            state.1.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// Waits (polling, off any runtime) until a receiver has parked on the slot.
    fn wait_for_receiver(&self) {
        while self.state.lock().unwrap().1.is_none() {
            thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    fn recv(self: &Arc<Self>) -> Recv<T> {
        Recv(self.clone())
    }
}

struct Recv<T>(Arc<Slot<T>>);

impl<T> Future for Recv<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = self.0.state.lock().unwrap();
        match state.0.take() {
            Some(value) => Poll::Ready(value),
            None => {
                state.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

#[test]
fn a_std_only_executor_gets_one_event_per_blocked_poll() {
    setup();
    let recorder = Recorder::new("exec_std");
    let slot = Slot::new();
    let sender = {
        let slot = slot.clone();
        thread::spawn(move || {
            // Only once the first poll has returned `Pending` on the slot: two polls, for sure.
            slot.wait_for_receiver();
            slot.send(5u32);
        })
    };
    let ((value, polled_on), events) = block_on(aiocop::events::collect_events(
        async {
            aiocop::audit("std_exec_op", WEIGHT_MODERATE, &[&"before waiting"]);
            let value = slot.recv().await;
            aiocop::audit("std_exec_op", WEIGHT_LIGHT, &[&value]);
            yield_now().await;
            (value, thread_name())
        }
        .monitored_as("exec_std"),
    ));
    sender.join().unwrap();
    assert_eq!(value, 5);
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(texts(&events[0]), ["std_exec_op(before waiting)"]);
    assert_eq!(texts(&events[1]), ["std_exec_op(5)"]);
    assert!(events.iter().all(|e| e.reason() == Reason::IoBlocking));
    // Inline delivery: the callbacks ran on the thread that polled.
    let delivered = recorder.delivered();
    assert_eq!(delivered.len(), 2);
    assert!(
        delivered
            .iter()
            .all(|d| d.thread.as_deref() == Some(&*polled_on))
    );
}

#[test]
fn a_panicking_body_on_a_std_executor_leaves_the_thread_clean() {
    setup();
    let recorder = Recorder::new("exec_std_panics");
    let caught = std::panic::catch_unwind(|| {
        block_on(
            async {
                aiocop::audit("std_panic_op", WEIGHT_HEAVY, &[&"before the panic"]);
                async {
                    panic!("boom");
                }
                .monitored_as("exec_std_panics_inner")
                .await
            }
            .monitored_as("exec_std_panics"),
        )
    });
    let payload = caught.expect_err("the body panicked");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    // The event of the interrupted poll was reported, and not re-raised.
    let reported = recorder.events();
    assert_eq!(reported.len(), 1);
    assert_eq!(texts(&reported[0]), ["std_panic_op(before the panic)"]);

    // Same thread: no scope left open, nothing recorded outside a monitored poll, the next
    // monitored poll reports only itself.
    assert!(!aiocop::operations::is_auditing());
    let ((), events) = block_on(aiocop::events::collect_events(async {
        aiocop::audit("std_panic_op", WEIGHT_HEAVY, &[&"outside"]);
        async {
            aiocop::audit("std_panic_op", WEIGHT_LIGHT, &[&"next poll"]);
        }
        .monitored_as("exec_std_after_panic")
        .await;
    }));
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].function().name(), "exec_std_after_panic");
    assert_eq!(texts(&events[0]), ["std_panic_op(next poll)"]);
}

#[test]
fn a_future_moved_between_threads_between_polls_reports_each_poll_where_it_ran() {
    setup();
    let recorder = Recorder::new("exec_moved");
    let mut future: Pin<Box<dyn Future<Output = String> + Send>> = Box::pin(
        async {
            let first = thread_name();
            aiocop::audit("moved_op", WEIGHT_MODERATE, &[&first]);
            async {
                yield_now().await;
            }
            .monitored_as("exec_moved_nested")
            .await;
            let second = thread_name();
            aiocop::audit("moved_op", WEIGHT_HEAVY, &[&second]);
            format!("{first} then {second}")
        }
        .monitored_as("exec_moved"),
    );
    let future = thread::Builder::new()
        .name("poller-a".into())
        .spawn(move || {
            assert!(poll_once(future.as_mut()).is_pending());
            // The poll is over: thread A holds no scope any more.
            assert!(!aiocop::operations::is_auditing());
            future
        })
        .unwrap()
        .join()
        .unwrap();
    let mut future = future;
    let output = thread::Builder::new()
        .name("poller-b".into())
        .spawn(move || match poll_once(future.as_mut()) {
            Poll::Ready(output) => {
                assert!(!aiocop::operations::is_auditing());
                output
            }
            Poll::Pending => panic!("the second poll completes"),
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(output, "poller-a then poller-b");
    let delivered = recorder.delivered();
    assert_eq!(delivered.len(), 2);
    assert_eq!(delivered[0].thread.as_deref(), Some("poller-a"));
    assert_eq!(texts(&delivered[0].event), ["moved_op(poller-a)"]);
    assert_eq!(delivered[0].event.severity_score(), WEIGHT_MODERATE);
    assert_eq!(delivered[1].thread.as_deref(), Some("poller-b"));
    assert_eq!(texts(&delivered[1].event), ["moved_op(poller-b)"]);
    assert_eq!(delivered[1].event.severity_score(), WEIGHT_HEAVY);
}

#[test]
fn a_future_moved_between_two_tokio_runtimes_reports_each_poll_where_it_ran() {
    setup();
    let recorder = Recorder::new("exec_moved_runtimes");
    let runtime = |name: &str| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(name)
            .enable_all()
            .build()
            .unwrap()
    };
    let (a, b) = (runtime("runtime-a"), runtime("runtime-b"));
    let mut future = Box::pin(
        async {
            aiocop::audit("moved_rt_op", WEIGHT_LIGHT, &[&thread_name()]);
            tokio::task::yield_now().await;
            aiocop::audit("moved_rt_op", WEIGHT_LIGHT, &[&thread_name()]);
            tokio::task::yield_now().await;
            thread_name()
        }
        .monitored_as("exec_moved_runtimes"),
    );
    // First poll on runtime A's worker, then hand the half-run future to runtime B.
    let (first, future) = a
        .block_on(a.spawn(async move {
            let first = std::future::poll_fn(|cx| Poll::Ready(future.as_mut().poll(cx))).await;
            (first, future)
        }))
        .unwrap();
    assert!(first.is_pending());
    let last = b.block_on(b.spawn(future)).unwrap();
    assert_eq!(last, "runtime-b");
    let delivered = recorder.delivered();
    let seen: Vec<(Option<&str>, Vec<&str>)> = delivered
        .iter()
        .map(|d| (d.thread.as_deref(), texts(&d.event)))
        .collect();
    assert_eq!(
        seen,
        [
            (Some("runtime-a"), vec!["moved_rt_op(runtime-a)"]),
            (Some("runtime-b"), vec!["moved_rt_op(runtime-b)"]),
        ]
    );
}

#[test]
fn tasks_on_a_multi_thread_runtime_are_monitored_on_every_worker() {
    setup();
    let recorder = Recorder::new("exec_workers");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .thread_name("exec-worker")
        .build()
        .unwrap();
    let tasks = 64;
    rt.block_on(async {
        let handles: Vec<_> = (0..tasks)
            .map(|i| {
                tokio::spawn(
                    async move {
                        aiocop::audit("worker_op", WEIGHT_LIGHT, &[&i]);
                        tokio::task::yield_now().await;
                        i
                    }
                    .monitored_as("exec_workers"),
                )
            })
            .collect();
        for (i, handle) in handles.into_iter().enumerate() {
            assert_eq!(handle.await.unwrap(), i);
        }
    });
    let delivered = recorder.delivered();
    assert_eq!(delivered.len(), tasks);
    let mut args: Vec<String> = delivered
        .iter()
        .map(|d| texts(&d.event)[0].to_owned())
        .collect();
    args.sort_by_key(|t| {
        t.trim_start_matches("worker_op(")
            .trim_end_matches(')')
            .parse::<usize>()
            .unwrap()
    });
    let expected: Vec<String> = (0..tasks).map(|i| format!("worker_op({i})")).collect();
    assert_eq!(args, expected);
    // Inline delivery: each callback ran on the worker that polled the task.
    assert!(
        delivered
            .iter()
            .all(|d| d.thread.as_deref() == Some("exec-worker")),
    );
}

#[test]
fn spawn_blocking_threads_are_not_monitored() {
    setup();
    let recorder = Recorder::new("exec_spawn_blocking");
    let rt = core_support::multi_thread(2);
    let ((), events) = rt.block_on(aiocop::events::collect_events(
        async {
            let inside = tokio::task::spawn_blocking(|| {
                aiocop::audit("blocking_pool_op", WEIGHT_HEAVY, &[&"in spawn_blocking"]);
                aiocop::operations::is_auditing()
            })
            .await
            .unwrap();
            assert!(!inside);
        }
        .monitored_as("exec_spawn_blocking"),
    ));
    assert!(events.is_empty(), "{events:#?}");
    assert_eq!(recorder.len(), 0);
}
