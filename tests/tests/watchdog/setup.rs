//! Starting, stopping and configuring the stall watchdog: defaults derived from the slow-task
//! threshold (and following it), explicit settings winning, idempotent start, invalid settings
//! rejected, `stop_cpu_sampling` as the reference's `cpu_sampling=False`.
//!
//! One test, in steps, in a process of its own (`own_process!`): the watchdog and
//! `detect_slow_tasks` are once-per-process.

use std::time::Duration;

use aiocop::{ConfigError, watchdog::CpuSampling, watchdog::CpuSamplingStatus};

const MS: Duration = Duration::from_millis(1);

#[test]
fn the_watchdog_lifecycle() {
    aiocop_tests::own_process!("the_watchdog_lifecycle");
    // Not started by anything yet.
    assert_eq!(
        aiocop::watchdog::cpu_sampling_status(),
        CpuSamplingStatus::Stopped
    );
    assert!(!aiocop::watchdog::is_cpu_sampling_started());
    assert_eq!(aiocop::watchdog::effective_cpu_sampling(), None);

    // Stopping before `detect_slow_tasks` keeps it from starting the watchdog.
    aiocop::watchdog::stop_cpu_sampling();
    aiocop::detect_slow_tasks(100, aiocop::no_callback).unwrap();
    assert_eq!(
        aiocop::watchdog::cpu_sampling_status(),
        CpuSamplingStatus::Stopped
    );

    // Defaults: arm at half the threshold, idle interval min(50 ms, max(arm, interval)).
    aiocop::watchdog::start_cpu_sampling(CpuSampling::new()).unwrap();
    assert!(aiocop::watchdog::is_cpu_sampling_started());
    let effective = aiocop::watchdog::effective_cpu_sampling().unwrap();
    assert_eq!(effective.interval, 10 * MS);
    assert_eq!(effective.arm_after, 50 * MS);
    assert_eq!(effective.idle_interval, 50 * MS);
    assert_eq!(effective.max_samples_per_poll, 32);
    assert_eq!(effective.trace_depth, 20);
    assert_eq!(effective.stuck_after, Some(Duration::from_secs(1)));

    // The derived values follow later threshold changes.
    aiocop::setup::set_slow_task_threshold_ms(30).unwrap();
    let effective = aiocop::watchdog::effective_cpu_sampling().unwrap();
    assert_eq!(
        (effective.arm_after, effective.idle_interval),
        (15 * MS, 15 * MS)
    );
    // A threshold below the default pulls the arming delay under it.
    aiocop::setup::set_slow_task_threshold_ms(10).unwrap();
    let effective = aiocop::watchdog::effective_cpu_sampling().unwrap();
    assert_eq!(
        (effective.arm_after, effective.idle_interval),
        (5 * MS, 10 * MS)
    );
    // ... never under 1 ms.
    aiocop::setup::set_slow_task_threshold_ms(1).unwrap();
    assert_eq!(
        aiocop::watchdog::effective_cpu_sampling()
            .unwrap()
            .arm_after,
        MS
    );

    // Starting again changes nothing (and warns once).
    aiocop::watchdog::start_cpu_sampling(CpuSampling::new().arm_after(7 * MS)).unwrap();
    assert_eq!(
        aiocop::watchdog::effective_cpu_sampling()
            .unwrap()
            .arm_after,
        MS
    );

    // Stop, then start with explicit settings: they win over the derived ones.
    aiocop::watchdog::stop_cpu_sampling();
    assert_eq!(
        aiocop::watchdog::cpu_sampling_status(),
        CpuSamplingStatus::Stopped
    );
    assert_eq!(aiocop::watchdog::effective_cpu_sampling(), None);
    aiocop::setup::set_slow_task_threshold_ms(100).unwrap();
    aiocop::watchdog::start_cpu_sampling(CpuSampling::new().arm_after(7 * MS)).unwrap();
    let effective = aiocop::watchdog::effective_cpu_sampling().unwrap();
    assert_eq!(
        (effective.arm_after, effective.idle_interval),
        (7 * MS, 10 * MS)
    );
    aiocop::watchdog::stop_cpu_sampling();

    // Arming at 0 ("sample every poll at once") does not make the idle watchdog spin: its idle
    // interval is the sampling interval.
    aiocop::watchdog::start_cpu_sampling(CpuSampling::new().arm_after(Duration::ZERO)).unwrap();
    let effective = aiocop::watchdog::effective_cpu_sampling().unwrap();
    assert_eq!(
        (effective.arm_after, effective.idle_interval),
        (Duration::ZERO, 10 * MS)
    );
    aiocop::watchdog::stop_cpu_sampling();

    // Invalid settings: an error naming the setting, nothing started.
    for (settings, setting) in [
        (
            CpuSampling::new().max_samples_per_poll(0),
            "max_samples_per_poll",
        ),
        (
            CpuSampling::new().max_samples_per_poll(5000),
            "max_samples_per_poll",
        ),
        (CpuSampling::new().trace_depth(0), "trace_depth"),
        (CpuSampling::new().trace_depth(1000), "trace_depth"),
        (
            CpuSampling::new().interval(Duration::from_secs(7200)),
            "interval",
        ),
        (
            CpuSampling::new().stuck_after(Some(Duration::ZERO)),
            "stuck_after",
        ),
    ] {
        let error = aiocop::watchdog::start_cpu_sampling(settings).unwrap_err();
        assert!(
            matches!(&error, ConfigError::InvalidCpuSampling { setting: s, .. } if *s == setting),
            "{error:?}"
        );
        assert!(error.to_string().contains(setting), "{error}");
        assert_eq!(
            aiocop::watchdog::cpu_sampling_status(),
            CpuSamplingStatus::Stopped
        );
    }
}
