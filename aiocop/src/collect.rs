//! [`collect_events`]: the events one future's polls produce, handed back with its output.

use std::cell::RefCell;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use crate::event::SlowTaskEvent;

type Sink = Arc<Mutex<Vec<SlowTaskEvent>>>;

thread_local! {
    /// The collectors whose futures are being polled on this thread, outermost first.
    static SINKS: RefCell<Vec<Sink>> = const { RefCell::new(Vec::new()) };
    /// What sees every event of this thread, whatever polls it (a strict test runtime's
    /// workers: see `runtime::run_strict`).
    static THREAD_WATCHER: RefCell<Option<Watcher>> = const { RefCell::new(None) };
}

/// Sees each event emitted on the threads it watches.
pub(crate) type Watcher = Arc<dyn Fn(&SlowTaskEvent) + Send + Sync>;

/// Sets what sees every event emitted on this thread from now on (`None`: nothing), returning
/// the one it replaces.
#[cfg_attr(not(feature = "runtime"), allow(dead_code))]
pub(crate) fn watch_thread(watcher: Option<Watcher>) -> Option<Watcher> {
    THREAD_WATCHER
        .try_with(|slot| {
            slot.try_borrow_mut()
                .ok()
                .map(|mut slot| std::mem::replace(&mut *slot, watcher))
        })
        .ok()
        .flatten()
        .flatten()
}

/// Whether `watcher` watches this thread already.
#[cfg_attr(not(feature = "runtime"), allow(dead_code))]
pub(crate) fn watches_thread(watcher: &Watcher) -> bool {
    THREAD_WATCHER
        .try_with(|slot| {
            slot.try_borrow()
                .is_ok_and(|slot| slot.as_ref().is_some_and(|w| Arc::ptr_eq(w, watcher)))
        })
        .unwrap_or(false)
}

/// Runs `future` and returns its output together with every [`SlowTaskEvent`] produced by
/// monitored polls inside it, in order. Callbacks still receive the events too.
///
/// Only polls that happen inside `future`'s own polls count: work it spawns onto other tasks is
/// polled elsewhere (wrap those tasks too). Events are kept until the future completes, so wrap
/// bounded work (a request, a test body), not a server's main loop.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// aiocop::activate();
/// aiocop::start_blocking_io_detection(0).unwrap();
/// let (value, events) = aiocop::events::collect_events(aiocop::monitored(async {
///     aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&"/etc/hosts"]);
///     42
/// }))
/// .await;
/// assert_eq!(value, 42);
/// assert_eq!(events.len(), 1);
/// assert_eq!(events[0].blocking_events()[0].event(), "std::fs::read(/etc/hosts)");
/// # }
/// ```
pub fn collect_events<F: IntoFuture>(future: F) -> CollectEvents<F::IntoFuture> {
    CollectEvents {
        inner: future.into_future(),
        sink: Sink::default(),
    }
}

pin_project_lite::pin_project! {
    /// Future returned by [`collect_events`].
    #[must_use = "futures do nothing unless polled"]
    #[derive(Debug)]
    pub struct CollectEvents<F> {
        #[pin]
        inner: F,
        sink: Sink,
    }
}

impl<F: Future> Future for CollectEvents<F> {
    type Output = (F::Output, Vec<SlowTaskEvent>);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let inner = this.inner;
        SINKS.with_borrow_mut(|s| s.push(this.sink.clone()));
        struct Pop;
        impl Drop for Pop {
            fn drop(&mut self) {
                SINKS.with_borrow_mut(|s| s.pop());
            }
        }
        let pop = Pop;
        let poll = inner.poll(cx);
        drop(pop);
        poll.map(|output| {
            let events =
                std::mem::take(&mut *this.sink.lock().unwrap_or_else(PoisonError::into_inner));
            (output, events)
        })
    }
}

/// Hands `event` to every collector polling on this thread, and to the thread's watcher.
pub(crate) fn offer(event: &SlowTaskEvent) {
    let _ = THREAD_WATCHER.try_with(|watcher| {
        // Cloned out: the watcher may run code that emits (it does not today).
        let watcher = watcher.try_borrow().ok().and_then(|w| w.clone());
        if let Some(watcher) = watcher {
            watcher(event);
        }
    });
    // `try_with`: the event may be built while the thread's locals are being destroyed.
    let _ = SINKS.try_with(|sinks| {
        if let Ok(sinks) = sinks.try_borrow() {
            for sink in sinks.iter() {
                sink.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(event.clone());
            }
        }
    });
}
