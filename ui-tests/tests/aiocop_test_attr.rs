//! `#[aiocop::test]` used as a test suite uses it, in place of `#[tokio::test]`: clean tests pass,
//! tests whose code blocks fail with the report, whether the blocking call is in the body, in a
//! spawned task or in a dependency, on both runtime flavours.

use std::time::Duration;

/// A dependency's blocking call, as its probe or the interception reports it.
fn dependency_reads_its_config() -> usize {
    aiocop::audit(
        "std::fs::read_to_string",
        aiocop::WEIGHT_HEAVY,
        &[&"/etc/dependency.toml"],
    );
    42
}

#[aiocop::test]
async fn a_clean_test_passes() {
    tokio::time::sleep(Duration::from_millis(1)).await;
    let spawned = tokio::spawn(async { 1 + 1 }).await.unwrap();
    let read = tokio::fs::read_to_string("Cargo.toml").await.unwrap();
    assert_eq!(spawned, 2);
    assert!(read.contains("aiocop-ui-tests"));
}

#[aiocop::test]
#[should_panic(expected = "high-severity blocking I/O")]
async fn a_blocking_call_in_the_body_fails_the_test() {
    assert_eq!(dependency_reads_its_config(), 42);
}

#[aiocop::test(flavor = "multi_thread")]
#[should_panic(expected = "/etc/dependency.toml")]
async fn a_blocking_call_in_a_spawned_task_fails_the_test() {
    let value = tokio::spawn(async {
        tokio::task::yield_now().await;
        dependency_reads_its_config()
    })
    .await
    .unwrap();
    assert_eq!(value, 42);
}

#[aiocop::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "at ui-tests/tests/aiocop_test_attr.rs:")]
async fn the_report_names_the_call_site_of_the_blocking_call() {
    dependency_reads_its_config();
}

#[aiocop::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_returning_a_result_can_use_the_question_mark() -> Result<(), std::io::Error> {
    let read = tokio::fs::read_to_string("Cargo.toml").await?;
    assert!(!read.is_empty());
    // Offloaded blocking work is fine.
    let value = tokio::task::spawn_blocking(dependency_reads_its_config)
        .await
        .unwrap();
    assert_eq!(value, 42);
    Ok(())
}
