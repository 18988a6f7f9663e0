//! `#[aiocop::monitor]` on real threads and sync primitives: every routed `std::thread` and
//! `std::sync` operation is recorded with its catalog name and weight at the line of the call,
//! and returns what the same code returns unannotated.

use std::rc::Rc;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use aiocop::events::collect_events;
use aiocop_lints::catalog::*;
use aiocop_tests::{
    Source, assert_nothing_routed, assert_routed, dbg, route_tests, routed, setup, twin,
};

const FILE: &str = "tests/tests/macros/routes_thread_sync.rs";
const SRC: Source = Source(include_str!("routes_thread_sync.rs"));

fn at(marker: &str) -> u32 {
    SRC.line(marker)
}

twin! {
    /// `sleep` by full path, through `use std::thread` and imported by name; `park`,
    /// `park_timeout`, `scope` and both `join`s.
    async fn threads / threads_plain() -> Vec<String> {
        use std::thread::sleep;
        let start = Instant::now();
        std::thread::sleep(Duration::from_millis(2)); // @sleep_full
        let pause = Duration::from_millis(1);
        thread::sleep(pause); // @sleep_module
        sleep(pause); // @sleep_imported
        let slept = start.elapsed() >= Duration::from_millis(4);
        // The token is there already, so `park` returns at once.
        thread::current().unpark();
        thread::park(); // @park
        thread::park_timeout(Duration::from_micros(100)); // @park_timeout
        let mut counter = 0;
        let scoped = thread::scope(|s| { // @scope
            let handle = s.spawn(|| {
                counter += 40;
                2
            });
            handle.join() // @scoped_join
        });
        let handle = thread::spawn(|| 7);
        let joined = handle.join(); // @join
        let named = thread::Builder::new().name("worker".into()).spawn(|| thread::current().name().map(str::to_owned)).expect("spawn").join(); // @join_temporary
        let panicked = thread::spawn(|| -> u8 { std::panic::resume_unwind(Box::new("expected")) }).join().is_err(); // @join_panicked
        vec![
            dbg(&slept),
            dbg(&(scoped, counter, joined, named, panicked)),
        ]
    }
}

async fn threads_are_recorded() -> Vec<&'static str> {
    setup();
    let (out, events) = collect_events(threads()).await;
    let plain = threads_plain().await;
    assert_eq!(out, plain);
    assert_eq!(
        out,
        ["true", r#"(Ok(2), 40, Ok(7), Ok(Some("worker")), true)"#]
    );
    assert_routed(
        FILE,
        &events,
        &[
            routed(
                &STD_THREAD_SLEEP,
                at("sleep_full"),
                "Duration::from_millis(2)",
            ),
            routed(&STD_THREAD_SLEEP, at("sleep_module"), "1ms"),
            routed(&STD_THREAD_SLEEP, at("sleep_imported"), "1ms"),
            routed(&STD_THREAD_PARK, at("park"), ""),
            routed(
                &STD_THREAD_PARK_TIMEOUT,
                at("park_timeout"),
                "Duration::from_micros(100)",
            ),
            // A path call is recorded when it returns: the join inside the scope first.
            routed(&STD_THREAD_SCOPED_JOIN_HANDLE_JOIN, at("scoped_join"), ""),
            routed(
                &STD_THREAD_SCOPE,
                at("scope"),
                "|s| { let handle = s.spawn(|| { counter += 40; 2 }); handle.join() }",
            ),
            routed(&STD_THREAD_JOIN_HANDLE_JOIN, at("join"), ""),
            routed(&STD_THREAD_JOIN_HANDLE_JOIN, at("join_temporary"), ""),
            routed(&STD_THREAD_JOIN_HANDLE_JOIN, at("join_panicked"), ""),
        ],
    )
}

twin! {
    /// `Receiver::recv`/`recv_timeout`/`iter` and `SyncSender::send`, on places, a temporary
    /// and through `Rc`.
    async fn channels / channels_plain() -> Vec<String> {
        let (tx, rx) = mpsc::channel();
        tx.send(1).expect("receiver alive");
        let first = rx.recv(); // @recv
        let wait = Duration::from_millis(1);
        let timed_out = rx.recv_timeout(wait); // @recv_timeout
        tx.send(2).expect("receiver alive");
        tx.send(3).expect("receiver alive");
        drop(tx);
        let rest: Vec<i32> = rx.iter().collect(); // @iter
        let disconnected = rx.recv(); // @recv_disconnected
        let (sync_tx, sync_rx) = mpsc::sync_channel(1);
        let sent = sync_tx.send(5); // @sync_send
        let full = sync_tx.try_send(6);
        let shared = Rc::new(sync_rx);
        let got = shared.recv(); // @rc_recv
        let from_thread = {
            let (tx, rx) = mpsc::channel();
            thread::spawn(move || tx.send("hi"));
            rx.recv_timeout(Duration::from_secs(30)) // @recv_timeout_thread
        };
        vec![
            dbg(&(first, timed_out == Err(RecvTimeoutError::Timeout), rest, disconnected)),
            dbg(&(sent, full, got, from_thread)),
        ]
    }
}

async fn channels_are_recorded() -> Vec<&'static str> {
    setup();
    let (out, events) = collect_events(channels()).await;
    let plain = channels_plain().await;
    assert_eq!(out, plain);
    assert_eq!(
        out,
        [
            "(Ok(1), true, [2, 3], Err(RecvError))",
            r#"(Ok(()), Err(TrySendError::Full(..)), Ok(5), Ok("hi"))"#,
        ]
    );
    assert_routed(
        FILE,
        &events,
        &[
            routed(&STD_SYNC_MPSC_RECEIVER_RECV, at("recv"), ""),
            routed(
                &STD_SYNC_MPSC_RECEIVER_RECV_TIMEOUT,
                at("recv_timeout"),
                "1ms",
            ),
            routed(&STD_SYNC_MPSC_RECEIVER_ITER, at("iter"), ""),
            routed(&STD_SYNC_MPSC_RECEIVER_RECV, at("recv_disconnected"), ""),
            routed(&STD_SYNC_MPSC_SYNC_SENDER_SEND, at("sync_send"), "5"),
            routed(&STD_SYNC_MPSC_RECEIVER_RECV, at("rc_recv"), ""),
            routed(
                &STD_SYNC_MPSC_RECEIVER_RECV_TIMEOUT,
                at("recv_timeout_thread"),
                "Duration::from_secs(30)",
            ),
        ],
    )
}

type Flag = Arc<(Mutex<bool>, Condvar)>;

/// A thread that sets the flag and notifies once it can take the lock, which the caller holds
/// until its wait releases it.
fn notifier(flag: &Flag) -> thread::JoinHandle<()> {
    let flag = Arc::clone(flag);
    thread::spawn(move || {
        *flag.0.lock().expect("not poisoned") = true;
        flag.1.notify_all();
    })
}

twin! {
    /// Every `Condvar` wait, and `Barrier::wait` on a place, a temporary and through `Arc`.
    async fn waits / waits_plain() -> Vec<String> {
        let flag: Flag = Arc::default();
        let (lock, cvar) = &*flag;
        let guard = lock.lock().expect("not poisoned");
        let setter = notifier(&flag);
        // One wait: woken by the notifier, or spuriously; either way the lock is held again.
        let guard = cvar.wait(guard).expect("not poisoned"); // @cv_wait
        drop(guard);
        setter.join().expect("notifier ran"); // @join_setter
        let guard = lock.lock().expect("not poisoned");
        let set = *cvar.wait_while(guard, |set| !*set).expect("not poisoned"); // @cv_wait_while
        let other: Flag = Arc::default();
        let (other_lock, other_cvar) = &*other;
        let guard = other_lock.lock().expect("not poisoned");
        let wait = Duration::from_millis(1);
        let (guard, _) = other_cvar.wait_timeout(guard, wait).expect("not poisoned"); // @cv_wait_timeout
        let unset = !*guard;
        let (guard, result) = other_cvar.wait_timeout_while(guard, wait, |set| !*set).expect("not poisoned"); // @cv_wait_timeout_while
        let timed_out = (result.timed_out(), *guard);
        drop(guard);
        let leader = Barrier::new(1).wait().is_leader(); // @barrier_temporary
        let barrier = Arc::new(Barrier::new(2));
        let peer = {
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || barrier.wait().is_leader())
        };
        let mine = barrier.wait().is_leader(); // @barrier_arc
        let theirs = peer.join().expect("peer ran"); // @join_peer
        let single = Barrier::new(1);
        let own = single.wait().is_leader(); // @barrier_place
        vec![dbg(&(set, unset, timed_out, leader, mine != theirs, own))]
    }
}

async fn waits_are_recorded() -> Vec<&'static str> {
    setup();
    let (out, events) = collect_events(waits()).await;
    let plain = waits_plain().await;
    assert_eq!(out, plain);
    assert_eq!(out, ["(true, true, (true, false), true, true, true)"]);
    assert_routed(
        FILE,
        &events,
        &[
            routed(&STD_SYNC_CONDVAR_WAIT, at("cv_wait"), "guard"),
            routed(&STD_THREAD_JOIN_HANDLE_JOIN, at("join_setter"), ""),
            routed(
                &STD_SYNC_CONDVAR_WAIT_WHILE,
                at("cv_wait_while"),
                "guard, |set| !*set",
            ),
            routed(
                &STD_SYNC_CONDVAR_WAIT_TIMEOUT,
                at("cv_wait_timeout"),
                "guard, 1ms",
            ),
            routed(
                &STD_SYNC_CONDVAR_WAIT_TIMEOUT_WHILE,
                at("cv_wait_timeout_while"),
                "guard, 1ms, |set| !*set",
            ),
            routed(&STD_SYNC_BARRIER_WAIT, at("barrier_temporary"), ""),
            routed(&STD_SYNC_BARRIER_WAIT, at("barrier_arc"), ""),
            routed(&STD_THREAD_JOIN_HANDLE_JOIN, at("join_peer"), ""),
            routed(&STD_SYNC_BARRIER_WAIT, at("barrier_place"), ""),
        ],
    )
}

/// A user type whose methods are named like the channels' and threads'.
struct Queue(Vec<u32>);

impl Queue {
    fn send(&mut self, item: u32) -> usize {
        self.0.push(item);
        self.0.len()
    }
    fn recv(&mut self) -> Option<u32> {
        self.0.pop()
    }
    fn recv_timeout(&mut self, _: Duration) -> Option<u32> {
        self.0.pop()
    }
    fn iter(&self) -> std::slice::Iter<'_, u32> {
        self.0.iter()
    }
    fn wait(&self) -> bool {
        self.0.is_empty()
    }
    fn join(self) -> usize {
        self.0.len()
    }
}

mod tokio_names {
    //! tokio's `sleep` under std's name, as a module that imports it sees it.

    use std::time::Duration;

    use tokio::time::sleep;

    #[aiocop::monitor]
    pub(crate) async fn sleeps_by_tokio() -> u8 {
        let sleeping = sleep(Duration::from_millis(1));
        sleeping.await;
        sleep(Duration::from_millis(1)).await;
        1
    }
}

#[aiocop::monitor]
async fn thread_sync_look_alikes(sleep: impl Fn(Duration), park: impl Fn() -> u8) -> Vec<String> {
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    tx.send(1).await.expect("receiver alive");
    let sending = tx.send(2);
    sending.await.expect("receiver alive");
    let first = rx.recv().await;
    let receiving = rx.recv();
    let second = receiving.await;
    let (once_tx, once_rx) = tokio::sync::oneshot::channel();
    once_tx.send(3).expect("receiver alive");
    let third = once_rx.await;
    let barrier = tokio::sync::Barrier::new(1);
    let waiting = barrier.wait();
    let leader = waiting.await.is_leader();
    let task = tokio::spawn(async { 4 });
    let joined = task.await.expect("task ran");
    let sleeping = tokio::time::sleep(Duration::from_millis(1));
    sleeping.await;
    sleep(Duration::from_millis(1));
    let parked = park();
    let mut queue = Queue(vec![5]);
    let sent = queue.send(6);
    let got = (queue.recv(), queue.recv_timeout(Duration::from_secs(1)));
    let listed: Vec<u32> = queue.iter().copied().collect();
    let empty = queue.wait();
    let std_mutex = Mutex::new(7);
    let locked = *std_mutex.lock().expect("not poisoned");
    vec![
        dbg(&(first, second, third, leader, joined, parked)),
        dbg(&(sent, got, listed, empty, queue.join(), locked)),
    ]
}

async fn thread_sync_look_alikes_record_nothing() -> Vec<&'static str> {
    setup();
    let (out, events) = collect_events(thread_sync_look_alikes(|_| {}, || 9)).await;
    assert_eq!(
        out,
        [
            "(Some(1), Some(2), Ok(3), true, 4, 9)",
            "(2, (Some(6), Some(5)), [], true, 0, 7)",
        ]
    );
    assert_nothing_routed(&events);
    let (out, events) = collect_events(tokio_names::sleeps_by_tokio()).await;
    assert_eq!(out, 1);
    assert_nothing_routed(&events)
}

route_tests!(
    "thread_sync";
    threads_are_recorded,
    channels_are_recorded,
    waits_are_recorded,
    thread_sync_look_alikes_record_nothing,
);
