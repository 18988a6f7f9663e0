//! `Config::from_env` through the real process environment. The test runs in a process of its
//! own (`own_process!`): it changes the environment and aiocop's process-wide settings.

use std::time::Duration;

fn set(name: &str, value: &str) {
    // SAFETY: the test runs alone in its process (`own_process!`) and spawns no thread of its own,
    // so nothing reads the environment concurrently.
    unsafe { std::env::set_var(name, value) };
}

#[test]
fn the_environment_configures_aiocop_and_a_malformed_variable_is_named() {
    aiocop_tests::own_process!(
        "the_environment_configures_aiocop_and_a_malformed_variable_is_named"
    );
    set("AIOCOP_ENABLED", "yes");
    set("AIOCOP_SAMPLE_RATE", "0.25");
    set("AIOCOP_THRESHOLD_MS", "45");
    set("AIOCOP_TRACE_DEPTH", "3");
    let config = aiocop::setup::Config::from_env().expect("well-formed environment");
    assert!(config.enabled());
    assert_eq!(config.sample_rate(), 0.25);
    assert_eq!(config.sampler().rate(), 0.25);
    assert_eq!((config.threshold_ms(), config.trace_depth()), (45, 3));

    assert!(!aiocop::is_monitoring_active());
    config.install().expect("valid configuration");
    assert!(aiocop::setup::are_audit_functions_patched());
    assert!(aiocop::setup::is_blocking_io_detection_started());
    assert_eq!(aiocop::setup::trace_depth(), 3);
    assert_eq!(
        aiocop::setup::slow_task_threshold(),
        Duration::from_millis(45)
    );
    assert!(aiocop::is_monitoring_active());

    // The installed settings are live: a monitored poll records a shimmed call.
    let events = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(async {
            aiocop::events::collect_events(aiocop::monitored(async {
                aiocop::shim::thread::sleep(Duration::from_millis(1));
            }))
            .await
            .1
        });
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].blocking_events()[0].operation(),
        "std::thread::sleep"
    );
    assert_eq!(events[0].threshold(), Duration::from_millis(45));

    set("AIOCOP_ENABLED", "maybe");
    let error = aiocop::setup::Config::from_env().expect_err("malformed AIOCOP_ENABLED");
    assert_eq!(error.variable(), "AIOCOP_ENABLED");
    assert_eq!(
        error.to_string(),
        "invalid AIOCOP_ENABLED=\"maybe\": expected true or false"
    );

    set("AIOCOP_ENABLED", "false");
    set("AIOCOP_TRACE_DEPTH", "0");
    let config = aiocop::setup::Config::from_env().expect("well-formed environment");
    config.install().expect("valid configuration");
    assert!(!aiocop::is_monitoring_active());
    assert_eq!(aiocop::setup::trace_depth(), 0);
}
