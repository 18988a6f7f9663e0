//! Extending aiocop at start-up: registering names of your own, overriding weights, and what
//! `get_blocking_events_dict()` reports. Each test uses names no other test in this module uses, and runs in a process of its own
//! (`own_process!`): overridden catalog weights would change the other shim tests' events.

use std::time::Duration;

use aiocop::{ConfigError, FutureExt, SlowTaskEvent, operations::MAX_EVENT_WEIGHT};
use aiocop_tests::{current_thread, setup};

fn collect<T>(body: impl Future<Output = T>) -> (T, Vec<SlowTaskEvent>) {
    current_thread().block_on(aiocop::events::collect_events(
        body.monitored_as("registry"),
    ))
}

#[test]
fn the_dict_lists_every_catalog_operation_with_its_weight() {
    aiocop_tests::own_process!("the_dict_lists_every_catalog_operation_with_its_weight");
    setup();
    let dict = aiocop::get_blocking_events_dict();
    for op in aiocop_lints::catalog::CATALOG {
        if op.event == "std::process::Child::kill" {
            continue; // overridden by another test of this module
        }
        assert_eq!(dict.get(op.event), Some(&op.weight), "{}", op.event);
    }
    assert_eq!(dict["std::thread::sleep"], aiocop::WEIGHT_HEAVY);
    assert_eq!(dict["futures::executor::block_on"], aiocop::WEIGHT_HEAVY);
    assert_eq!(dict["std::env::current_dir"], aiocop::WEIGHT_TRIVIAL);
}

#[test]
fn registered_events_are_listed_and_weigh_what_was_registered() {
    aiocop_tests::own_process!("registered_events_are_listed_and_weigh_what_was_registered");
    setup();
    aiocop::operations::register_blocking_event("mylib::sync_http_call", aiocop::WEIGHT_HEAVY)
        .unwrap();
    // Registering the same thing again is fine.
    aiocop::operations::register_blocking_event("mylib::sync_http_call", aiocop::WEIGHT_HEAVY)
        .unwrap();
    assert_eq!(
        aiocop::get_blocking_events_dict()["mylib::sync_http_call"],
        50
    );

    // The registered weight is the name's weight, whatever the call site passes.
    let ((), events) = collect(async {
        aiocop::audit("mylib::sync_http_call", aiocop::WEIGHT_LIGHT, &[&"GET /"]);
    });
    let call = &events[0].blocking_events()[0];
    assert_eq!(call.event(), "mylib::sync_http_call(GET /)");
    assert_eq!(call.severity(), 50);
    assert_eq!(events[0].severity_score(), 50);
}

#[test]
fn unregistered_names_still_record_with_the_weight_they_are_given() {
    aiocop_tests::own_process!("unregistered_names_still_record_with_the_weight_they_are_given");
    setup();
    let ((), events) = collect(async {
        aiocop::audit("mylib::never_registered", 7, &[]);
    });
    assert_eq!(events[0].blocking_events()[0].severity(), 7);
    assert!(!aiocop::get_blocking_events_dict().contains_key("mylib::never_registered"));
}

#[test]
fn overriding_a_catalog_weight_changes_the_shims_events() {
    aiocop_tests::own_process!("overriding_a_catalog_weight_changes_the_shims_events");
    setup();
    aiocop::operations::override_weight("std::process::Child::kill", 30).unwrap();
    assert_eq!(
        aiocop::get_blocking_events_dict()["std::process::Child::kill"],
        30
    );
    let (status, events) = collect(async {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        aiocop::shim::process::child::kill(&mut child).unwrap();
        child.wait().unwrap()
    });
    assert!(!status.success());
    let call = &events[0].blocking_events()[0];
    assert_eq!(call.operation(), "std::process::Child::kill");
    assert_eq!(call.severity(), 30);
    assert_eq!(events[0].severity_score(), 30);
}

#[test]
fn overriding_a_registered_weight_wins_over_the_registration() {
    aiocop_tests::own_process!("overriding_a_registered_weight_wins_over_the_registration");
    setup();
    aiocop::operations::register_blocking_event("mylib::cache_lookup", aiocop::WEIGHT_MODERATE)
        .unwrap();
    aiocop::operations::override_weight("mylib::cache_lookup", aiocop::WEIGHT_LIGHT).unwrap();
    assert_eq!(aiocop::get_blocking_events_dict()["mylib::cache_lookup"], 1);
    let ((), events) = collect(async {
        aiocop::audit("mylib::cache_lookup", aiocop::WEIGHT_HEAVY, &[]);
    });
    assert_eq!(events[0].blocking_events()[0].severity(), 1);
    // Overriding again replaces the earlier override.
    aiocop::operations::override_weight("mylib::cache_lookup", 3).unwrap();
    assert_eq!(aiocop::get_blocking_events_dict()["mylib::cache_lookup"], 3);
}

#[test]
fn bad_registrations_are_rejected_and_change_nothing() {
    aiocop_tests::own_process!("bad_registrations_are_rejected_and_change_nothing");
    setup();
    let before = aiocop::get_blocking_events_dict();
    assert!(matches!(
        aiocop::operations::register_blocking_event("", 1),
        Err(ConfigError::InvalidEventName { .. })
    ));
    assert!(matches!(
        aiocop::operations::register_blocking_event("has space", 1),
        Err(ConfigError::InvalidEventName { .. })
    ));
    assert_eq!(
        aiocop::operations::register_blocking_event("mylib::too_heavy", MAX_EVENT_WEIGHT + 1),
        Err(ConfigError::WeightTooLarge {
            weight: MAX_EVENT_WEIGHT + 1,
            max: MAX_EVENT_WEIGHT
        })
    );
    assert_eq!(
        aiocop::operations::register_blocking_event("std::fs::read", 1),
        Err(ConfigError::EventInCatalog {
            name: "std::fs::read".into()
        })
    );
    aiocop::operations::register_blocking_event("mylib::registered_once", 10).unwrap();
    assert_eq!(
        aiocop::operations::register_blocking_event("mylib::registered_once", 20),
        Err(ConfigError::EventAlreadyRegistered {
            name: "mylib::registered_once".into(),
            weight: 10
        })
    );
    assert_eq!(
        aiocop::operations::override_weight("mylib::no_such_event", 1),
        Err(ConfigError::UnknownEvent {
            name: "mylib::no_such_event".into()
        })
    );
    assert!(matches!(
        aiocop::operations::override_weight("std::fs::read", MAX_EVENT_WEIGHT + 1),
        Err(ConfigError::WeightTooLarge { .. })
    ));
    let after = aiocop::get_blocking_events_dict();
    assert_eq!(after["std::fs::read"], before["std::fs::read"]);
    assert_eq!(after["mylib::registered_once"], 10);
    assert!(!after.contains_key("mylib::too_heavy"));
    // Errors explain themselves.
    let message = aiocop::operations::register_blocking_event("std::fs::read", 1)
        .unwrap_err()
        .to_string();
    assert!(message.contains("override_weight"), "{message}");
}

#[test]
fn the_overridden_weight_drives_severity_and_strict_mode() {
    aiocop_tests::own_process!("the_overridden_weight_drives_severity_and_strict_mode");
    setup();
    aiocop::operations::register_blocking_event("mylib::legacy_rpc", aiocop::WEIGHT_LIGHT).unwrap();
    aiocop::operations::override_weight("mylib::legacy_rpc", aiocop::WEIGHT_HEAVY).unwrap();
    let ((), events) = collect(async {
        aiocop::audit("mylib::legacy_rpc", aiocop::WEIGHT_LIGHT, &[]);
        tokio::time::sleep(Duration::from_millis(1)).await;
    });
    assert_eq!(events[0].severity_level(), aiocop::SeverityLevel::High);
}
