//! Cases of `aiocop::shim::sync`, with real threads.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::time::Duration;

use aiocop::shim;

use super::Case;

type Flag = Arc<(Mutex<bool>, Condvar)>;

/// A thread that sets the flag and notifies once it can take the lock, which the caller holds
/// until its wait releases it.
fn notifier(flag: &Flag) -> std::thread::JoinHandle<()> {
    let flag = flag.clone();
    std::thread::spawn(move || {
        *flag.0.lock().unwrap() = true;
        flag.1.notify_all();
    })
}

pub fn cases() -> Vec<Case> {
    vec![
        Case::here("sync::mpsc::receiver::recv", |_| {
            let (tx, rx) = mpsc::channel();
            tx.send(1).unwrap();
            let (r, site) = at!(shim::sync::mpsc::receiver::recv(&rx));
            assert_eq!(r, Ok(1));
            site.no_args()
        }),
        Case::here("sync::mpsc::receiver::recv_timeout", |_| {
            let (_tx, rx) = mpsc::channel::<u8>();
            let (r, site) = at!(shim::sync::mpsc::receiver::recv_timeout(
                &rx,
                Duration::from_millis(1)
            ));
            assert_eq!(r, Err(RecvTimeoutError::Timeout));
            site.args("1ms")
        }),
        Case::here("sync::mpsc::receiver::iter", |_| {
            let (tx, rx) = mpsc::channel();
            tx.send(1).unwrap();
            tx.send(2).unwrap();
            drop(tx);
            let (iter, site) = at!(shim::sync::mpsc::receiver::iter(&rx));
            assert_eq!(iter.collect::<Vec<_>>(), [1, 2]);
            site.no_args()
        }),
        Case::here("sync::mpsc::sync_sender::send", |_| {
            let (tx, rx) = mpsc::sync_channel(1);
            let (r, site) = at!(shim::sync::mpsc::sync_sender::send(&tx, 5));
            assert_eq!(r, Ok(()));
            assert_eq!(tx.try_send(6), Err(mpsc::TrySendError::Full(6)));
            assert_eq!(rx.recv(), Ok(5));
            site.no_args()
        }),
        Case::here("sync::condvar::wait", |_| {
            let flag: Flag = Arc::default();
            let mut guard = flag.0.lock().unwrap();
            let thread = notifier(&flag);
            let (r, site) = at!(shim::sync::condvar::wait(&flag.1, guard));
            guard = r.unwrap();
            // A spurious wake-up may come first.
            while !*guard {
                guard = flag.1.wait(guard).unwrap();
            }
            drop(guard);
            thread.join().unwrap();
            site.no_args()
        }),
        Case::here("sync::condvar::wait_while", |_| {
            let flag: Flag = Arc::default();
            let guard = flag.0.lock().unwrap();
            let thread = notifier(&flag);
            let (r, site) = at!(shim::sync::condvar::wait_while(&flag.1, guard, |set| !*set));
            assert!(*r.unwrap());
            thread.join().unwrap();
            site.no_args()
        }),
        Case::here("sync::condvar::wait_timeout", |_| {
            let flag: Flag = Arc::default();
            let guard = flag.0.lock().unwrap();
            let (r, site) = at!(shim::sync::condvar::wait_timeout(
                &flag.1,
                guard,
                Duration::from_millis(1)
            ));
            let (guard, _) = r.unwrap();
            // Nobody notifies or changes the flag; the wait returns on its timeout (or a
            // spurious wake-up) with the lock held again.
            assert!(!*guard);
            assert!(flag.0.try_lock().is_err(), "the guard holds the lock");
            site.args("1ms")
        }),
        Case::here("sync::condvar::wait_timeout_while", |_| {
            let flag: Flag = Arc::default();
            let guard = flag.0.lock().unwrap();
            let dur = Duration::from_millis(1);
            let (r, site) = at!(shim::sync::condvar::wait_timeout_while(
                &flag.1,
                guard,
                dur,
                |set| !*set
            ));
            let (guard, timeout) = r.unwrap();
            assert!(!*guard && timeout.timed_out());
            site.args("1ms")
        }),
        Case::here("sync::barrier::wait", |_| {
            let barrier = Barrier::new(1);
            let (r, site) = at!(shim::sync::barrier::wait(&barrier));
            assert!(r.is_leader());
            site.no_args()
        }),
    ]
}
