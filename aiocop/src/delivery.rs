//! Delivery of events to the callbacks: inline on the polling thread, or through a bounded queue
//! and one thread ("aiocop-delivery") that symbolizes traces and runs the callbacks, so neither
//! happens on a runtime worker. [`set_mode`] chooses; [`flush`] waits for the queue (in tests, at
//! shutdown); [`dropped_deliveries`] and [`reentrant_events`] count what was not delivered.
//!
//! The delivery thread belongs to one process: a child forked from it starts its own on first use
//! (see the crate's fork handler), and never delivers its parent's events. At normal process exit the
//! queue is drained for at most [`EXIT_FLUSH_TIMEOUT`]; what is still queued then is counted in one
//! line on stderr.

use std::cell::Cell;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::time::{Duration, Instant};

use crate::callbacks;
use crate::event::SlowTaskEvent;
use crate::fork;
use crate::isolate;
use crate::report;
use crate::trace::Trace;

/// Events waiting for delivery at most; beyond it events are dropped and counted.
pub const DELIVERY_QUEUE_CAPACITY: usize = 4096;

/// How long the process waits at exit (return from `main`, `std::process::exit`) for queued events
/// to reach the callbacks. Events still queued after it are not delivered; one line on stderr
/// says how many.
pub const EXIT_FLUSH_TIMEOUT: Duration = Duration::from_secs(2);

static DELIVERY: AtomicU8 = AtomicU8::new(Delivery::Auto as u8);

/// Joins the fork handler ([`fork`]): the delivery thread's queue and what the thread locks
/// (symbolization, the callback and provider registries).
fn join_fork() {
    fork::join(
        fork::Rank::Delivery,
        fork::Participant {
            prepare: || Box::new(()),
            parent: drop,
            child: |_| after_fork_in_child(),
        },
    );
    crate::trace::join_fork();
    callbacks::join_fork();
    crate::context::join_fork();
}

/// Where callbacks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[repr(u8)]
pub enum Delivery {
    /// [`Background`](Delivery::Background) when traces are captured (trace depth above 0, so
    /// symbolization stays off the runtime's threads), [`Inline`](Delivery::Inline) otherwise.
    /// (The stall watchdog's stack samples are symbolized on its own thread.)
    #[default]
    Auto = 0,
    /// On the thread that polled the task, right after the poll, as in the reference.
    /// Deterministic; callbacks must be fast. Reading a trace there symbolizes on that thread.
    Inline = 1,
    /// On aiocop's delivery thread, through a bounded queue, after traces are symbolized.
    /// Use [`flush`] to wait for queued events (in tests, at shutdown).
    Background = 2,
}

/// Chooses where callbacks run.
pub fn set_mode(delivery: Delivery) {
    DELIVERY.store(delivery as u8, Ordering::Relaxed);
}

/// Where callbacks run, as set (see [`Delivery::Auto`]).
pub fn mode() -> Delivery {
    match DELIVERY.load(Ordering::Relaxed) {
        1 => Delivery::Inline,
        2 => Delivery::Background,
        _ => Delivery::Auto,
    }
}

/// Whether the next event goes to the delivery thread.
pub(crate) fn deliver_in_background() -> bool {
    match mode() {
        Delivery::Inline => false,
        Delivery::Background => true,
        Delivery::Auto => crate::settings::trace_depth() > 0,
    }
}

enum Message {
    Event(Box<SlowTaskEvent>),
    /// A trace to symbolize ahead of its readers (the watchdog's samples).
    Resolve(Trace),
    Flush(SyncSender<()>),
}

/// The delivery thread of one process generation (see [`fork::generation`]).
struct Channel {
    generation: u64,
    /// `None`: the thread could not be started; events are delivered inline.
    sender: Option<SyncSender<Message>>,
}

/// The current generation's channel, leaked (one per process generation: a program that forks
/// a thousand times leaks a thousand of these small structs, nothing per event).
static CHANNEL: AtomicPtr<Channel> = AtomicPtr::new(ptr::null_mut());
/// Set while a thread starts the delivery thread; reset in a forked child.
static STARTING: AtomicBool = AtomicBool::new(false);
/// Events queued and not yet handed to the callbacks, in this process.
static QUEUED: AtomicU64 = AtomicU64::new(0);
static DROPPED: AtomicU64 = AtomicU64::new(0);
static REENTRANT: AtomicU64 = AtomicU64::new(0);
static WARNED_FULL: AtomicBool = AtomicBool::new(false);
static WARNED_REENTRANT: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Set on the delivery thread: a callback that flushes must not wait for itself.
    static ON_DELIVERY_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// This generation's channel, if started.
fn current() -> Option<&'static Channel> {
    let channel = CHANNEL.load(Ordering::Acquire);
    // SAFETY: a non-null pointer in `CHANNEL` comes from `Box::leak` in `start`, never freed.
    let channel = unsafe { channel.as_ref() }?;
    (channel.generation == fork::generation()).then_some(channel)
}

/// The sender of this generation's delivery thread, starting it on first use; `None` when it
/// cannot run (events are then delivered inline).
fn sender() -> Option<&'static SyncSender<Message>> {
    loop {
        if let Some(channel) = current() {
            return channel.sender.as_ref();
        }
        if STARTING
            .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
        {
            // Reset even if starting panics, or every later event would wait here for ever.
            struct Started;
            impl Drop for Started {
                fn drop(&mut self) {
                    STARTING.store(false, Ordering::Release);
                }
            }
            let _started = Started;
            if current().is_none() {
                start();
            }
        } else {
            // Another thread is starting it: a thread spawn, tens of microseconds, once per
            // process.
            std::thread::yield_now();
        }
    }
}

#[cold]
fn start() {
    let generation = fork::generation();
    join_fork();
    QUEUED.store(0, Ordering::Relaxed);
    let (tx, rx) = mpsc::sync_channel::<Message>(DELIVERY_QUEUE_CAPACITY);
    let spawned = std::thread::Builder::new()
        .name("aiocop-delivery".into())
        .spawn(move || {
            ON_DELIVERY_THREAD.set(true);
            lower_priority();
            for message in rx {
                match message {
                    Message::Event(event) => {
                        // Symbolizing reads the program's debug information, which aiocop does
                        // not control: whatever happens there, the thread goes on.
                        isolate::call(
                            |line| line.push_str("symbolizing an event's traces"),
                            || event.resolve_traces(),
                        );
                        callbacks::invoke(&event);
                        QUEUED.fetch_sub(1, Ordering::Relaxed);
                    }
                    Message::Resolve(trace) => {
                        isolate::call(
                            |line| line.push_str("symbolizing a stack sample"),
                            || {
                                trace.resolve();
                            },
                        );
                    }
                    Message::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
    let sender = match spawned {
        Ok(_) => {
            register_exit_flush();
            Some(tx)
        }
        Err(e) => {
            report::warn(format_args!(
                "could not start the delivery thread ({e}); delivering inline"
            ));
            None
        }
    };
    let channel = Box::leak(Box::new(Channel { generation, sender }));
    CHANNEL.store(channel, Ordering::Release);
}

/// Lowers the delivery thread's scheduling priority: its work (symbolizing, callbacks) can wait,
/// a runtime worker's cannot, and on a machine with few cores the first symbolization (milliseconds
/// of CPU) would otherwise compete with the workers for them.
fn lower_priority() {
    // On Linux `setpriority(PRIO_PROCESS, 0, ..)` applies to the calling thread only. Failure
    // (a sandbox that forbids it) changes nothing else.
    #[cfg(target_os = "linux")]
    // SAFETY: a plain system call on the calling thread, with no pointers.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// Hands `event` to the callbacks: queued for the delivery thread when `background` (never
/// blocks; a full queue drops the event), else right here.
///
/// Events raised by code that a callback (or context provider) runs on this thread are not
/// delivered at all, only counted ([`reentrant_events`]): delivering them would call the
/// callback from inside itself, without end if it keeps polling monitored code.
pub(crate) fn deliver(event: SlowTaskEvent, background: bool) {
    if isolate::in_callback() {
        REENTRANT.fetch_add(1, Ordering::Relaxed);
        report::warn_once(
            &WARNED_REENTRANT,
            format_args!(
                "an event raised by code running inside an aiocop callback was not delivered \
                 (callbacks are never called from inside themselves); see reentrant_events()"
            ),
        );
        return;
    }
    if !background {
        callbacks::invoke(&event);
        return;
    }
    let Some(queue) = sender() else {
        callbacks::invoke(&event);
        return;
    };
    QUEUED.fetch_add(1, Ordering::Relaxed);
    match queue.try_send(Message::Event(Box::new(event))) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => {
            QUEUED.fetch_sub(1, Ordering::Relaxed);
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
            QUEUED.fetch_sub(1, Ordering::Relaxed);
            if let Message::Event(event) = message {
                callbacks::invoke(&event);
            }
        }
    }
}

/// Starts the delivery thread now, if it is not running: from set-up, so that the first event
/// does not pay for a thread spawn on a runtime worker.
pub(crate) fn start_early() {
    let _ = sender();
}

/// Has the delivery thread symbolize `trace` soon, so that whoever reads it later finds it ready
/// (a full queue leaves it to the reader).
pub(crate) fn resolve_later(trace: Trace) {
    if let Some(queue) = sender() {
        let _ = queue.try_send(Message::Resolve(trace));
    }
}

/// Waits until every event queued for background delivery before this call has been handed to
/// the callbacks. Returns at once when nothing was ever queued in this process. Blocks: call it
/// from tests, at shutdown, or from `spawn_blocking`, not from a runtime worker.
pub fn flush() {
    flush_timeout(Duration::MAX);
}

/// Like [`flush`], giving up after `timeout`; `true` if everything was delivered in time.
///
/// Called from a callback (on the delivery thread, which cannot drain its queue while it waits),
/// it returns `false` at once.
pub fn flush_timeout(timeout: Duration) -> bool {
    let Some(Some(queue)) = current().map(|c| c.sender.as_ref()) else {
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

/// Number of events not delivered because they were raised by code running inside a callback or
/// context provider, on the thread running it (a callback that polls monitored code): callbacks
/// are never called from inside themselves.
pub fn reentrant_events() -> u64 {
    REENTRANT.load(Ordering::Relaxed)
}

/// Flushes at normal process exit. Registered with the C library's `atexit` when the delivery
/// thread starts: Rust runs no destructors of statics, and both a return from `main` and
/// `std::process::exit` end in `exit`, which runs these.
fn register_exit_flush() {
    #[cfg(unix)]
    {
        static REGISTERED: AtomicBool = AtomicBool::new(false);
        if REGISTERED.swap(true, Ordering::Relaxed) {
            return;
        }
        extern "C" fn at_exit() {
            flush_at_exit();
        }
        // SAFETY: `at_exit` is a plain `extern "C" fn()` that never unwinds (`flush_at_exit`
        // catches panics).
        if unsafe { libc::atexit(at_exit) } != 0 {
            report::warn(format_args!(
                "could not register the exit flush; events queued at exit may be lost"
            ));
        }
    }
}

/// Drains the queue for at most [`EXIT_FLUSH_TIMEOUT`]; says how many events were left.
fn flush_at_exit() {
    let _ = std::panic::catch_unwind(|| {
        // Only this process's own delivery thread, if it ever started.
        if current().is_none_or(|c| c.sender.is_none()) {
            return;
        }
        if QUEUED.load(Ordering::Relaxed) == 0 {
            return;
        }
        if !flush_timeout(EXIT_FLUSH_TIMEOUT) {
            let left = QUEUED.load(Ordering::Relaxed);
            if left > 0 {
                report::warn(format_args!(
                    "{left} slow-task event(s) were not delivered before the process exited \
                     (waited {} ms)",
                    EXIT_FLUSH_TIMEOUT.as_millis()
                ));
            }
        }
    });
}

/// For [`fork`]: the child has no delivery thread and none is being started.
pub(crate) fn after_fork_in_child() {
    STARTING.store(false, Ordering::Relaxed);
    QUEUED.store(0, Ordering::Relaxed);
}
