//! Tests of the code around aiocop's `unsafe` blocks (the thread's scope pointer, the pinned
//! future adaptors), written to run under Miri: `cargo +nightly miri test -p aiocop --lib`.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use crate::{
    WEIGHT_HEAVY, WEIGHT_MODERATE, activate, audit, events::collect_events, monitored,
    raise_on_violations, reset_blocking_events, start_blocking_io_detection,
};

/// Polls `future` until it completes with a no-op waker (the futures here never wait).
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// Returns `Pending` once, so the future around it is polled twice.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

fn setup() {
    start_blocking_io_detection(0).unwrap();
    activate();
}

#[test]
fn nested_scopes_record_into_the_outer_one_across_polls() {
    setup();
    let ((), events) = block_on(collect_events(monitored(async {
        audit("op::outer", WEIGHT_MODERATE, &[&"a"]);
        monitored(async {
            audit("op::inner", WEIGHT_MODERATE, &[&"b"]);
            YieldOnce(false).await;
            audit("op::inner_again", WEIGHT_MODERATE, &[&"c"]);
        })
        .await;
        reset_blocking_events();
        audit("op::after_reset", WEIGHT_MODERATE, &[]);
    })));
    let ops: Vec<Vec<&str>> = events
        .iter()
        .map(|e| e.blocking_events().iter().map(|b| b.operation()).collect())
        .collect();
    assert_eq!(
        ops,
        [vec!["op::outer", "op::inner"], vec!["op::after_reset"]]
    );
}

#[test]
fn a_panicking_poll_leaves_the_thread_without_a_scope() {
    setup();
    let caught = std::panic::catch_unwind(|| {
        block_on(monitored(async {
            audit("op::before_panic", WEIGHT_MODERATE, &[]);
            panic!("body panics");
        }))
    });
    assert!(caught.is_err());
    // Outside any poll again: nothing is recorded, nothing dangles.
    audit("op::outside", WEIGHT_MODERATE, &[]);
    assert!(!crate::operations::is_auditing());
}

#[test]
fn strict_adaptor_restores_the_switch_after_a_panic() {
    setup();
    let caught = std::panic::catch_unwind(|| {
        block_on(raise_on_violations(monitored(async {
            audit("op::heavy", WEIGHT_HEAVY, &[]);
        })))
    });
    let payload = caught.expect_err("high severity under strict mode panics");
    assert!(crate::HighSeverityBlockingIo::from_panic(&*payload).is_some());
    assert!(!crate::is_raise_on_violations_enabled());
}

#[test]
fn a_receiver_is_found_through_every_pointer_and_read_as_its_std_type() {
    use std::path::{Path, PathBuf};
    use std::rc::Rc;
    use std::sync::Arc;

    use crate::probe::{receiver_as, receiver_is};

    let owned = PathBuf::from("/srv/data");
    let path: &Path = &owned;
    assert_eq!(receiver_as::<Path, Path>(path), Some(path));
    assert_eq!(receiver_as::<&Path, Path>(&path), Some(path));
    assert_eq!(receiver_as::<&&Path, Path>(&&path), Some(path));
    assert_eq!(receiver_as::<&&&Path, Path>(&&&path), Some(path));
    let mut moved = owned.clone();
    let by_mut = &mut moved;
    assert_eq!(
        receiver_as::<&mut PathBuf, PathBuf>(&by_mut).map(|p| p.as_path()),
        Some(path)
    );
    let boxed: Box<Path> = path.into();
    assert_eq!(receiver_as::<Box<Path>, Path>(&boxed), Some(path));
    let shared: Arc<Path> = path.into();
    assert_eq!(receiver_as::<Arc<Path>, Path>(&shared), Some(path));
    let counted: Rc<Path> = path.into();
    assert_eq!(receiver_as::<Rc<Path>, Path>(&counted), Some(path));
    // A tuple with a borrowed part, as `("host", 80).to_socket_addrs()` has.
    let host = String::from("example.com");
    let pair = (host.as_str(), 80u16);
    assert_eq!(receiver_as::<(&str, u16), (&str, u16)>(&pair), Some(&pair));

    // Look-alikes are none of them.
    assert_eq!(receiver_as::<String, Path>(&host), None);
    assert!(!receiver_is::<Vec<&Path>, Path>() && !receiver_is::<Option<&Path>, Path>());
    assert!(receiver_is::<&&PathBuf, PathBuf>());
}

#[test]
fn a_quiet_poll_frees_what_its_scope_held_before_the_poll() {
    // With a context provider the scope takes the context before each poll, in a box: the scope
    // itself is never dropped (it lives in the polling frame), so judging a quiet poll must free
    // it. Under Miri a leak here fails the run.
    setup();
    let handle = crate::register_context_provider(|| crate::Context::new().with("k", "v"));
    let quiet = block_on(monitored(async {
        YieldOnce(false).await;
        7
    }));
    assert!(crate::unregister_context_provider(handle));
    assert_eq!(quiet, 7);
}
