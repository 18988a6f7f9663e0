//! Helpers shared by the `monitoring`, `strict` and `config` test binaries (each includes this
//! module with `mod core_support;`): runtimes, a std-only executor, and a callback that records the events of
//! one monitored function so that tests running in parallel in one process do not see each
//! other's events.

// Each binary uses a different subset of these helpers.
#![allow(dead_code, unused_imports)]

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

use aiocop::{CallbackHandle, HighSeverityBlockingIo, SlowTaskEvent};

pub(crate) use aiocop_tests::{QUIET_THRESHOLD_MS, current_thread, multi_thread};

/// Wakes a parked thread.
struct Unparker(Thread);

impl Wake for Unparker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// A waker that unparks the current thread.
pub(crate) fn thread_waker() -> Waker {
    Waker::from(Arc::new(Unparker(thread::current())))
}

/// The smallest executor there is: polls `future` on this thread, parking between polls until its
/// waker is called. No tokio anywhere.
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let waker = thread_waker();
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        thread::park();
    }
}

/// Polls `future` once with a waker for this thread.
pub(crate) fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>) -> Poll<F::Output> {
    let waker = thread_waker();
    future.poll(&mut Context::from_waker(&waker))
}

/// Returns `Pending` once (waking itself at once), then `Ready`: one poll boundary, on any
/// executor.
pub(crate) fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// Future returned by [`yield_now`].
pub(crate) struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// One event as a callback received it, and the name of the thread the callback ran on.
#[derive(Clone)]
pub(crate) struct Delivered {
    pub(crate) event: SlowTaskEvent,
    pub(crate) thread: Option<String>,
}

/// A slow-task callback keeping the events whose monitored function is named `name`; it
/// unregisters itself when dropped.
pub(crate) struct Recorder {
    delivered: Arc<Mutex<Vec<Delivered>>>,
    handle: CallbackHandle,
}

impl Recorder {
    pub(crate) fn new(name: &'static str) -> Self {
        let delivered = Arc::new(Mutex::new(Vec::new()));
        let sink = delivered.clone();
        let handle = aiocop::register_slow_task_callback(move |event| {
            if event.function().name() == name {
                sink.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(Delivered {
                        event: event.clone(),
                        thread: thread::current().name().map(str::to_owned),
                    });
            }
        });
        Recorder { delivered, handle }
    }

    /// Everything delivered so far.
    pub(crate) fn delivered(&self) -> Vec<Delivered> {
        self.delivered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The events delivered so far.
    pub(crate) fn events(&self) -> Vec<SlowTaskEvent> {
        self.delivered().into_iter().map(|d| d.event).collect()
    }

    /// How many events were delivered so far.
    pub(crate) fn len(&self) -> usize {
        self.delivered
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        aiocop::unregister_slow_task_callback(self.handle);
    }
}

/// Runs `run`, which must panic in strict mode (`why` says why it must), and returns the report
/// the panic carries; fails if it returns or panics with anything but an aiocop report.
#[track_caller]
pub(crate) fn strict_report<R>(why: &str, run: impl FnOnce() -> R) -> Arc<HighSeverityBlockingIo> {
    let payload = catch_unwind(AssertUnwindSafe(|| drop(run()))).expect_err(why);
    HighSeverityBlockingIo::from_panic(&*payload).expect("an aiocop report")
}

/// The `event()` texts of an event's blocking calls.
pub(crate) fn texts(event: &SlowTaskEvent) -> Vec<&str> {
    event.blocking_events().iter().map(|b| b.event()).collect()
}

/// A file under the system's temp directory, unique to this process and `tag`, removed on drop.
pub(crate) struct TempFile {
    pub(crate) path: std::path::PathBuf,
}

impl TempFile {
    pub(crate) fn new(tag: &str, contents: &[u8]) -> Self {
        let path =
            std::env::temp_dir().join(format!("aiocop-core-tests-{}-{tag}", std::process::id()));
        std::fs::write(&path, contents).expect("write temp file");
        TempFile { path }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
