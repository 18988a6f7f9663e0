//! Cases of `aiocop::shim::thread`, with real threads.

use std::time::{Duration, Instant};

use aiocop::shim;

use super::Case;

pub fn cases() -> Vec<Case> {
    vec![
        Case::here("thread::sleep", |_| {
            let start = Instant::now();
            let ((), site) = at!(shim::thread::sleep(Duration::from_millis(2)));
            assert!(start.elapsed() >= Duration::from_millis(2));
            site.args("2ms")
        }),
        Case::here("thread::park", |_| {
            // The token is already there, so park returns at once.
            std::thread::current().unpark();
            let ((), site) = at!(shim::thread::park());
            site.no_args()
        }),
        Case::here("thread::park_timeout", |_| {
            let start = Instant::now();
            let ((), site) = at!(shim::thread::park_timeout(Duration::from_micros(1500)));
            assert!(start.elapsed() < Duration::from_secs(5));
            site.args("1.5ms")
        }),
        Case::here("thread::scope", |_| {
            let mut counter = 0;
            let (r, site) = at!(shim::thread::scope(|s| s.spawn(|| counter += 42).join()));
            r.unwrap();
            assert_eq!(counter, 42, "the scope's thread ran and finished");
            site.no_args()
        }),
        Case::here("thread::join_handle::join", |_| {
            let handle = std::thread::Builder::new()
                .name("worker".into())
                .spawn(|| 7)
                .unwrap();
            let (r, site) = at!(shim::thread::join_handle::join(handle));
            assert_eq!(r.unwrap(), 7);
            site.args("worker")
        }),
        Case::here("thread::scoped_join_handle::join", |_| {
            let mut expect = None;
            std::thread::scope(|s| {
                let handle = s.spawn(|| 5);
                let id = handle.thread().id();
                let (r, site) = at!(shim::thread::scoped_join_handle::join(handle));
                assert_eq!(r.unwrap(), 5);
                expect = Some(site.args(format!("{id:?}")));
            });
            expect.unwrap()
        }),
    ]
}
