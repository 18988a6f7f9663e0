//! Stuck polls: a monitored poll running past the stuck limit is reported while it is still
//! stuck, once, with its function and its stack. Each test here unblocks its stuck poll from the
//! stuck-poll callback itself: the test can only finish if the report came while the poll was
//! stuck.
//!
//! Settings of each test's process (`own_process!`): stuck limit 200 ms; threshold 30 ms. The
//! tests also run one after another (a lock), as the stuck-poll callbacks are process-wide.

use std::net::UdpSocket;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::time::{Duration, Instant};

use aiocop::{watchdog::CpuSampling, watchdog::StuckPoll};

const LIMIT: Duration = Duration::from_millis(200);

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        aiocop::watchdog::start_cpu_sampling(CpuSampling::new().stuck_after(Some(LIMIT)))
            .expect("the watchdog runs on Linux x86_64");
        aiocop::detect_slow_tasks(30, aiocop::no_callback).expect("valid threshold");
        aiocop::activate();
    });
}

/// One test at a time: the callbacks are process-wide.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Records the stuck-poll reports of one function, and runs `on_report` on the first.
struct Reports {
    seen: Arc<Mutex<Vec<(StuckPoll, Instant)>>>,
    handle: aiocop::watchdog::StuckPollHandle,
}

impl Reports {
    fn new(function: &'static str, on_report: impl Fn() + Send + Sync + 'static) -> Self {
        let seen: Arc<Mutex<Vec<(StuckPoll, Instant)>>> = Arc::default();
        let sink = seen.clone();
        let handle = aiocop::watchdog::register_stuck_poll_callback(move |stuck| {
            if stuck.function().name() == function {
                sink.lock().unwrap().push((stuck.clone(), Instant::now()));
                on_report();
            }
        });
        Reports { seen, handle }
    }

    fn take(self) -> Vec<(StuckPoll, Instant)> {
        aiocop::watchdog::unregister_stuck_poll_callback(self.handle);
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

#[aiocop::monitor]
async fn wait_for_the_lock(lock: Arc<Mutex<u32>>) -> u32 {
    tokio::task::yield_now().await;
    *lock.lock().unwrap()
}

#[test]
fn a_deadlocked_poll_is_reported_while_stuck_and_only_once() {
    aiocop_tests::own_process!("a_deadlocked_poll_is_reported_while_stuck_and_only_once");
    let _serial = serial();
    setup();
    let lock = Arc::new(Mutex::new(7));
    let (release_tx, release_rx) = mpsc::channel::<()>();
    // Another thread holds the lock until the stuck report arrives, then three limits more: the
    // poll stays stuck long after its report, which must not come again.
    let (held_tx, held_rx) = mpsc::channel();
    let holder = {
        let lock = lock.clone();
        std::thread::spawn(move || {
            let guard = lock.lock().unwrap();
            held_tx.send(()).unwrap();
            release_rx.recv().unwrap();
            std::thread::sleep(3 * LIMIT);
            drop(guard);
        })
    };
    held_rx.recv().unwrap();
    let release = Mutex::new(Some(release_tx));
    let reports = Reports::new("wait_for_the_lock", move || {
        if let Some(tx) = release.lock().unwrap().take() {
            tx.send(()).unwrap();
        }
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    let value = runtime.block_on(wait_for_the_lock(lock));
    let ended = Instant::now();
    holder.join().unwrap();
    assert_eq!(value, 7);
    let reports = reports.take();
    assert_eq!(reports.len(), 1, "one report per stuck poll: {reports:#?}");
    let (stuck, reported_at) = &reports[0];
    assert!(*reported_at < ended, "reported while stuck");
    assert!(*reported_at - started >= LIMIT);
    assert!(stuck.elapsed() >= LIMIT && stuck.elapsed() < ended - started);
    assert_eq!(stuck.limit(), LIMIT);
    let trace = stuck.trace().to_string();
    assert!(trace.contains("wait_for_the_lock"), "{trace}");
    assert!(trace.contains("Mutex"), "blocked in the mutex: {trace}");
    let text = stuck.to_string();
    assert!(text.starts_with("poll of "), "{text}");
    assert!(text.contains("wait_for_the_lock"), "{text}");
}

#[aiocop::monitor]
async fn wait_for_a_datagram(socket: UdpSocket) -> Vec<u8> {
    tokio::task::yield_now().await;
    let mut buf = [0u8; 64];
    let n = socket
        .recv(&mut buf)
        .expect("recv is not interrupted by sampling");
    buf[..n].to_vec()
}

#[test]
fn a_poll_stuck_in_recv_on_a_worker_thread_is_reported_and_recv_completes() {
    aiocop_tests::own_process!(
        "a_poll_stuck_in_recv_on_a_worker_thread_is_reported_and_recv_completes"
    );
    let _serial = serial();
    setup();
    let receiver = UdpSocket::bind("127.0.0.1:0").unwrap();
    let address = receiver.local_addr().unwrap();
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    let sent = Arc::new(AtomicUsize::new(0));
    let reports = {
        let sent = sent.clone();
        Reports::new("wait_for_a_datagram", move || {
            if sent.fetch_add(1, Ordering::SeqCst) == 0 {
                sender.send_to(b"unstuck", address).unwrap();
            }
        })
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let received = runtime
        .block_on(async { tokio::spawn(wait_for_a_datagram(receiver)).await })
        .unwrap();
    assert_eq!(received, b"unstuck");
    let reports = reports.take();
    assert_eq!(reports.len(), 1);
    let stuck = &reports[0].0;
    assert!(
        stuck.thread_name().is_some_and(|n| n.contains("tokio")),
        "{stuck:?}"
    );
    let trace = stuck.trace().to_string();
    assert!(trace.contains("wait_for_a_datagram"), "{trace}");
    assert!(trace.contains("recv"), "blocked in recv: {trace}");
}

#[test]
fn polls_shorter_than_the_limit_are_not_reported() {
    aiocop_tests::own_process!("polls_shorter_than_the_limit_are_not_reported");
    let _serial = serial();
    setup();
    let reports = Reports::new("short_stall", || {});
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(aiocop::monitored!("short_stall", async {
        std::thread::sleep(LIMIT / 2);
    }));
    // Give the watchdog a few rounds to (wrongly) report it.
    std::thread::sleep(LIMIT);
    assert!(reports.take().is_empty());

    // The same stall past the limit is reported: the silence above is the limit's doing, not a
    // watchdog that reports nothing.
    let reports = Reports::new("long_stall", || {});
    runtime.block_on(aiocop::monitored!("long_stall", async {
        std::thread::sleep(3 * LIMIT);
    }));
    let reports = reports.take();
    assert_eq!(reports.len(), 1, "{reports:#?}");
    assert!(reports[0].0.elapsed() >= LIMIT);
}
