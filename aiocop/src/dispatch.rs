//! Background delivery: a bounded queue and one thread ("aiocop-delivery") that symbolizes traces
//! and runs the callbacks, so neither happens on a runtime worker.

use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use crate::callbacks;
use crate::event::SlowTaskEvent;
use crate::report;
use crate::trace::Trace;

/// Events waiting for delivery at most; beyond it events are dropped and counted.
pub const DELIVERY_QUEUE_CAPACITY: usize = 4096;

enum Message {
    Event(Box<SlowTaskEvent>),
    /// A trace to symbolize ahead of its readers (the watchdog's samples).
    Resolve(Trace),
    Flush(SyncSender<()>),
}

static QUEUE: OnceLock<Option<SyncSender<Message>>> = OnceLock::new();
static DROPPED: AtomicU64 = AtomicU64::new(0);
static WARNED_FULL: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Set on the delivery thread: a callback that flushes must not wait for itself.
    static ON_DELIVERY_THREAD: Cell<bool> = const { Cell::new(false) };
}

fn queue() -> Option<&'static SyncSender<Message>> {
    QUEUE
        .get_or_init(|| {
            let (tx, rx) = mpsc::sync_channel::<Message>(DELIVERY_QUEUE_CAPACITY);
            let spawned = std::thread::Builder::new()
                .name("aiocop-delivery".into())
                .spawn(move || {
                    ON_DELIVERY_THREAD.set(true);
                    for message in rx {
                        match message {
                            Message::Event(event) => {
                                event.resolve_traces();
                                callbacks::invoke(&event);
                            }
                            Message::Resolve(trace) => {
                                trace.resolve();
                            }
                            Message::Flush(done) => {
                                let _ = done.send(());
                            }
                        }
                    }
                });
            match spawned {
                Ok(_) => Some(tx),
                Err(e) => {
                    report::warn(format_args!(
                        "could not start the delivery thread ({e}); delivering inline"
                    ));
                    None
                }
            }
        })
        .as_ref()
}

/// Queues `event` for the delivery thread; never blocks. A full queue drops the event.
pub(crate) fn send(event: SlowTaskEvent) {
    let Some(queue) = queue() else {
        callbacks::invoke(&event);
        return;
    };
    match queue.try_send(Message::Event(Box::new(event))) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => {
            DROPPED.fetch_add(1, Ordering::Relaxed);
            report::warn_once(
                &WARNED_FULL,
                format_args!(
                    "delivery queue full ({DELIVERY_QUEUE_CAPACITY} events): dropping events; \
                     callbacks are too slow"
                ),
            );
        }
        Err(TrySendError::Disconnected(message)) => {
            if let Message::Event(event) = message {
                callbacks::invoke(&event);
            }
        }
    }
}

/// Has the delivery thread symbolize `trace` soon, so that whoever reads it later finds it ready
/// (a full queue leaves it to the reader).
pub(crate) fn resolve_later(trace: Trace) {
    if let Some(queue) = queue() {
        let _ = queue.try_send(Message::Resolve(trace));
    }
}

/// Waits until every event queued for background delivery before this call has been handed to
/// the callbacks. Returns at once when nothing was ever queued. Blocks: call it from tests, at
/// shutdown, or from `spawn_blocking`, not from a runtime worker.
pub fn flush() {
    flush_timeout(Duration::MAX);
}

/// Like [`flush`], giving up after `timeout`; `true` if everything was delivered in time.
///
/// Called from a callback (on the delivery thread, which cannot drain its queue while it waits),
/// it returns `false` at once.
pub fn flush_timeout(timeout: Duration) -> bool {
    let Some(Some(queue)) = QUEUE.get() else {
        return true;
    };
    if ON_DELIVERY_THREAD.get() {
        return false;
    }
    // `None`: no deadline (`flush`, or a timeout too large to add to now).
    let deadline = Instant::now().checked_add(timeout);
    let (done_tx, done_rx) = mpsc::sync_channel(1);
    let mut message = Message::Flush(done_tx);
    // A full queue has no room for the flush marker: wait for room only until the deadline.
    loop {
        match queue.try_send(message) {
            Ok(()) => break,
            Err(TrySendError::Disconnected(_)) => return true,
            Err(TrySendError::Full(again)) => {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    return false;
                }
                message = again;
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
    match deadline {
        None => done_rx.recv().is_ok(),
        Some(d) => done_rx
            .recv_timeout(d.saturating_duration_since(Instant::now()))
            .is_ok(),
    }
}

/// Number of events dropped because the delivery queue was full.
pub fn dropped_deliveries() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}
