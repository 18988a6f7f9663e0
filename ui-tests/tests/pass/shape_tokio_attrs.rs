//! `#[aiocop::monitor]` above `#[tokio::main]`: the attribute wraps the async body before tokio
//! turns it into a sync fn, so the whole of `main` is monitored. (`#[tokio::test]` functions exist
//! only under `cargo test`: `tests/tokio_test_attr.rs` runs them.)

#![deny(warnings)]

#[aiocop::monitor(threshold_ms = 500)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    aiocop_ui_tests::setup();
    // This first poll started before `setup` turned monitoring on; the next one is monitored.
    tokio::task::yield_now().await;
    // A blocking call in `main`'s body is recorded under its name, and reported when the poll
    // ends: at the next `.await` that yields.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let handle = aiocop::register_slow_task_callback(move |event: &aiocop::SlowTaskEvent| {
        sink.lock().unwrap().extend(
            event
                .blocking_events()
                .iter()
                .map(|e| format!("{}: {}", e.function().name(), e.operation())),
        );
    });
    assert!(std::fs::metadata(".")?.is_dir());
    tokio::task::yield_now().await;
    assert_eq!(*seen.lock().unwrap(), ["main: std::fs::metadata"]);
    assert!(aiocop::unregister_slow_task_callback(handle));
    let (_, events) = aiocop::events::collect_events(async {
        tokio::task::yield_now().await;
    })
    .await;
    assert!(events.is_empty());
    assert!(aiocop::functions::monitored_functions().any(|f| f.info().name() == "main"
        && f.options().threshold() == Some(std::time::Duration::from_millis(500))));
    // `main` itself is the monitored poll: a blocking call here is recorded under its name. The
    // collector sees it because its own future is polled inside `main`'s poll.
    let (len, events) = aiocop::events::collect_events(async { std::fs::metadata(".").map(|m| m.len()) })
        .await;
    assert!(len.is_ok());
    assert!(events.is_empty(), "the async block is not monitored itself");
    Ok(())
}
