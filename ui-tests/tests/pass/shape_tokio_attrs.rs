//! `#[aiocop::monitor]` above `#[tokio::main]`: the attribute wraps the async body before tokio
//! turns it into a sync fn, so the whole of `main` is monitored. (`#[tokio::test]` functions exist
//! only under `cargo test`: `tests/tokio_test_attr.rs` runs them.)

#![deny(warnings)]

#[aiocop::monitor(threshold_ms = 500)]
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    aiocop_ui_tests::setup();
    let (_, events) = aiocop::collect_events(async {
        tokio::task::yield_now().await;
    })
    .await;
    assert!(events.is_empty());
    assert!(aiocop::monitored_functions().any(|f| f.info().name() == "main"
        && f.options().threshold() == Some(std::time::Duration::from_millis(500))));
    // `main` itself is the monitored poll: a blocking call here is recorded under its name. The
    // collector sees it because its own future is polled inside `main`'s poll.
    let (len, events) = aiocop::collect_events(async { std::fs::metadata(".").map(|m| m.len()) })
        .await;
    assert!(len.is_ok());
    assert!(events.is_empty(), "the async block is not monitored itself");
    Ok(())
}
