//! `#[aiocop::monitor]` above `#[tokio::test]`, run as real tests: the test body is the monitored
//! future, so its blocking calls are recorded under the test's name.

use std::sync::Mutex;

/// Events of the monitored test bodies below, by function name (tests run in parallel threads).
static SEEN: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

fn setup() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        aiocop_ui_tests::setup();
        aiocop::register_slow_task_callback(|event: &aiocop::SlowTaskEvent| {
            for e in event.blocking_events() {
                SEEN.lock()
                    .unwrap()
                    .push((e.function().name().to_owned(), e.operation().to_owned()));
            }
        });
    });
}

fn seen_by(name: &str) -> Vec<String> {
    SEEN.lock()
        .unwrap()
        .iter()
        .filter(|(f, _)| f == name)
        .map(|(_, op)| op.clone())
        .collect()
}

#[aiocop::monitor]
#[tokio::test]
async fn current_thread_test_is_monitored() {
    setup();
    // The first poll of the body ran `setup`; blocking calls from here on are recorded.
    tokio::task::yield_now().await;
    let meta = std::fs::metadata(env!("CARGO_MANIFEST_DIR")).unwrap();
    assert!(meta.is_dir());
    tokio::task::yield_now().await;
    assert_eq!(
        seen_by("current_thread_test_is_monitored"),
        ["std::fs::metadata"]
    );
}

#[aiocop::monitor(name = "flavoured_test")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_thread_test_is_monitored() -> Result<(), std::io::Error> {
    setup();
    tokio::task::yield_now().await;
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))?;
    assert!(text.contains("aiocop-ui-tests"));
    tokio::task::yield_now().await;
    assert_eq!(seen_by("flavoured_test"), ["std::fs::read_to_string"]);
    Ok(())
}
