//! Background delivery: a bounded queue and one thread ("aiocop-delivery") that symbolizes traces
//! and runs the callbacks, so neither happens on a runtime worker.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::time::Duration;

use crate::callbacks;
use crate::event::SlowTaskEvent;
use crate::report;

/// Events waiting for delivery at most; beyond it events are dropped and counted.
pub const DELIVERY_QUEUE_CAPACITY: usize = 4096;

enum Message {
    Event(Box<SlowTaskEvent>),
    Flush(SyncSender<()>),
}

static QUEUE: OnceLock<Option<SyncSender<Message>>> = OnceLock::new();
static DROPPED: AtomicU64 = AtomicU64::new(0);
static WARNED_FULL: AtomicBool = AtomicBool::new(false);

fn queue() -> Option<&'static SyncSender<Message>> {
    QUEUE
        .get_or_init(|| {
            let (tx, rx) = mpsc::sync_channel::<Message>(DELIVERY_QUEUE_CAPACITY);
            let spawned = std::thread::Builder::new()
                .name("aiocop-delivery".into())
                .spawn(move || {
                    for message in rx {
                        match message {
                            Message::Event(event) => {
                                event.resolve_traces();
                                callbacks::invoke(&event);
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

/// Waits until every event queued for background delivery before this call has been handed to
/// the callbacks. Returns at once when nothing was ever queued. Blocks: call it from tests, at
/// shutdown, or from `spawn_blocking`, not from a runtime worker.
pub fn flush() {
    flush_timeout(Duration::MAX);
}

/// Like [`flush`], giving up after `timeout`; `true` if everything was delivered in time.
pub fn flush_timeout(timeout: Duration) -> bool {
    let Some(Some(queue)) = QUEUE.get() else {
        return true;
    };
    let (done_tx, done_rx) = mpsc::sync_channel(1);
    if queue.send(Message::Flush(done_tx)).is_err() {
        return true;
    }
    // `recv_timeout` waits forever when the deadline overflows, so `Duration::MAX` is fine.
    done_rx.recv_timeout(timeout).is_ok()
}

/// Number of events dropped because the delivery queue was full.
pub fn dropped_deliveries() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}
