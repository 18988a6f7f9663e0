//! Stack traces: captured unresolved on the runtime's threads, symbolized and delivered on
//! aiocop's own thread, innermost user frame first.
//!
//! Each test runs in a process of its own (`own_process!`). Global settings: trace depth 16 and the default delivery (`Auto`, hence background), a 60 s
//! global threshold.

use crate::core_support;

use std::sync::Once;

use aiocop::{FutureExt, WEIGHT_HEAVY, WEIGHT_LIGHT, delivery::Delivery};
use core_support::{QUIET_THRESHOLD_MS, Recorder};

const DEPTH: usize = 16;

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(DEPTH).expect("valid trace depth");
        aiocop::detect_slow_tasks(QUIET_THRESHOLD_MS, aiocop::no_callback)
            .expect("valid threshold");
        aiocop::activate();
    });
}

/// `file:line:` of a line of this file, as frames show it (paths relative to the working
/// directory, so compare the file name only).
fn at_line(line: u32) -> String {
    format!("{}:{line}:", file!().rsplit('/').next().unwrap())
}

/// Whether `frame` is at `line` of this file.
fn is_at(frame: &str, line: u32) -> bool {
    frame.contains(&format!("/{}", at_line(line))) || frame.starts_with(&at_line(line))
}

/// No frame of aiocop itself, of the executor or of the unwinder: named (`aiocop::...`) or, for
/// code inlined in optimized builds, by source file.
#[track_caller]
fn assert_only_user_frames(frames: &[&str]) {
    for frame in frames {
        for foreign in [
            "aiocop::",
            "aiocop/src/",
            "tokio",
            "backtrace",
            "core::",
            "std::",
        ] {
            assert!(!frame.contains(foreign), "{foreign} frame in {frames:#?}");
        }
    }
}

#[test]
fn with_traces_callbacks_run_on_the_delivery_thread_with_traces_resolved() {
    aiocop_tests::own_process!(
        "with_traces_callbacks_run_on_the_delivery_thread_with_traces_resolved"
    );
    setup();
    assert_eq!(aiocop::setup::trace_depth(), DEPTH);
    assert_eq!(aiocop::delivery::mode(), Delivery::Auto);
    let resolved_in_callback = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let handle = {
        let seen = resolved_in_callback.clone();
        aiocop::register_slow_task_callback(move |event| {
            if event.function().name() == "traces_delivery" {
                let trace = event.blocking_events()[0].trace();
                seen.lock()
                    .unwrap()
                    .push(trace.resolved().map(str::to_owned));
            }
        })
    };
    let recorder = Recorder::new("traces_delivery");
    let rt = core_support::multi_thread(2);
    let lines = rt.block_on(async {
        let tasks: Vec<_> = (0..8)
            .map(|i| {
                tokio::spawn(
                    async move {
                        let line = line!() + 1;
                        aiocop::audit("traced_op", WEIGHT_LIGHT, &[&i]);
                        line
                    }
                    .monitored_as("traces_delivery"),
                )
            })
            .collect();
        let mut lines = Vec::new();
        for task in tasks {
            lines.push(task.await.unwrap());
        }
        lines
    });
    aiocop::delivery::flush();
    // `flush` returned: everything queued before it has been handed to the callbacks.
    let delivered = recorder.delivered();
    assert_eq!(delivered.len(), 8);
    assert!(
        delivered
            .iter()
            .all(|d| d.thread.as_deref() == Some("aiocop-delivery")),
        "{:?}",
        delivered.iter().map(|d| &d.thread).collect::<Vec<_>>()
    );
    let resolved = resolved_in_callback.lock().unwrap().clone();
    assert_eq!(resolved.len(), 8);
    for (text, line) in resolved.into_iter().zip(lines) {
        let text = text.expect("the trace was symbolized before the callback ran");
        assert!(!text.is_empty());
        // Symbolized to the user's code: the first frame is the audit call.
        let first = text.split(" <- ").next().unwrap_or_default();
        assert!(is_at(first, line), "first frame is not line {line}: {text}");
    }
    assert!(aiocop::unregister_slow_task_callback(handle));
}

#[test]
fn the_first_frame_is_the_users_code() {
    aiocop_tests::own_process!("the_first_frame_is_the_users_code");
    setup();
    let recorder = Recorder::new("traces_first_frame");
    let rt = core_support::current_thread();
    let line = rt.block_on(
        async {
            let line = line!() + 1;
            aiocop::audit("traced_op", WEIGHT_HEAVY, &[&"first frame"]);
            line
        }
        .monitored_as("traces_first_frame"),
    );
    aiocop::delivery::flush();
    let events = recorder.events();
    assert_eq!(events.len(), 1);
    let info = &events[0].blocking_events()[0];
    let frames = info.trace().frames();
    assert!(!frames.is_empty());
    assert!(frames.len() <= DEPTH);
    let first = frames[0];
    assert!(
        is_at(first, line),
        "first frame {first:?} is not the audit call at line {line}; trace: {frames:#?}"
    );
    // The async block of this test (optimized builds name an inlined block `{async_block#0}`).
    assert!(
        first.ends_with("monitoring::traces::the_first_frame_is_the_users_code::{{closure}}")
            || first.ends_with("{async_block#0}"),
        "{first}"
    );
    assert_only_user_frames(&frames);
    // Same text through every accessor: frames joined by " <- ".
    assert_eq!(info.trace().to_string(), frames.join(" <- "));
    assert_eq!(info.trace().resolve(), frames.join(" <- "));
    // The entry point still comes from the call site.
    assert_eq!(
        info.entry_point(),
        format!("{}:{line}:traces_first_frame", file!())
    );
}

/// Returns the line of its blocking call.
#[inline(never)]
fn load_settings() -> u32 {
    let line = line!() + 1;
    aiocop::audit("std::fs::read", WEIGHT_LIGHT, &[&"settings.toml"]);
    line
}

/// Returns the lines of its call to `load_settings` and of the blocking call in it.
#[inline(never)]
async fn handler() -> (u32, u32) {
    let line = line!() + 1;
    let inner = load_settings();
    (line, inner)
}

#[test]
fn frames_go_from_the_blocking_call_outwards() {
    aiocop_tests::own_process!("frames_go_from_the_blocking_call_outwards");
    setup();
    let recorder = Recorder::new("traces_order");
    let rt = core_support::current_thread();
    let (block_line, (handler_line, helper_line)) = rt.block_on(
        async {
            let line = line!() + 1;
            let lines = handler().await;
            (line, lines)
        }
        .monitored_as("traces_order"),
    );
    aiocop::delivery::flush();
    let events = recorder.events();
    let frames = events[0].blocking_events()[0].trace().frames();
    let frame_lines: Vec<Option<u32>> = frames
        .iter()
        .map(|f| {
            [helper_line, handler_line, block_line]
                .into_iter()
                .find(|&line| is_at(f, line))
        })
        .collect();
    assert_eq!(
        frame_lines,
        [Some(helper_line), Some(handler_line), Some(block_line)],
        "{frames:#?}"
    );
    assert!(frames[0].ends_with("load_settings"), "{frames:#?}");
    assert_only_user_frames(&frames);
}

#[test]
fn nested_monitored_futures_do_not_cut_the_trace() {
    aiocop_tests::own_process!("nested_monitored_futures_do_not_cut_the_trace");
    setup();
    let recorder = Recorder::new("traces_nested_outer");
    let rt = core_support::current_thread();
    let (outer_line, inner_line) = rt.block_on(
        async {
            let outer_line = line!() + 1;
            let inner_line = async {
                let line = line!() + 1;
                aiocop::audit("traced_op", WEIGHT_LIGHT, &[&"nested"]);
                line
            }
            .monitored_as("traces_nested_inner")
            .await;
            (outer_line, inner_line)
        }
        .monitored_as("traces_nested_outer"),
    );
    aiocop::delivery::flush();
    let events = recorder.events();
    let frames = events[0].blocking_events()[0].trace().frames();
    // The inner block, then (past aiocop's nested guard, left out) the outer block's await.
    assert_eq!(frames.len(), 2, "{frames:#?}");
    assert!(is_at(frames[0], inner_line), "{frames:#?}");
    // The statement awaiting the inner future spans 7 lines (the `.await` is the last).
    assert!(
        (outer_line..=outer_line + 6).any(|line| is_at(frames[1], line)),
        "{frames:#?}"
    );
    assert_only_user_frames(&frames);
}

#[test]
fn a_panicking_callback_does_not_stop_the_delivery_thread() {
    aiocop_tests::own_process!("a_panicking_callback_does_not_stop_the_delivery_thread");
    setup();
    let panicking = aiocop::register_slow_task_callback(|event| {
        if event.function().name() == "traces_panicking_callback" {
            panic!("a buggy callback on the delivery thread");
        }
    });
    let recorder = Recorder::new("traces_panicking_callback");
    let rt = core_support::current_thread();
    for _ in 0..3 {
        rt.block_on(
            async {
                aiocop::audit("traced_op", WEIGHT_LIGHT, &[]);
            }
            .monitored_as("traces_panicking_callback"),
        );
    }
    aiocop::delivery::flush();
    assert_eq!(recorder.len(), 3);
    assert!(
        recorder
            .delivered()
            .iter()
            .all(|d| d.thread.as_deref() == Some("aiocop-delivery"))
    );
    assert!(aiocop::unregister_slow_task_callback(panicking));
}

#[test]
fn strict_mode_panics_on_the_task_and_the_event_is_still_delivered() {
    aiocop_tests::own_process!("strict_mode_panics_on_the_task_and_the_event_is_still_delivered");
    setup();
    let recorder = Recorder::new("traces_strict");
    let rt = core_support::current_thread();
    let error = rt.block_on(async {
        tokio::spawn(aiocop::raise_on_violations(
            async {
                aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[&"strict"]);
            }
            .monitored_as("traces_strict"),
        ))
        .await
        .expect_err("strict mode panics in the task")
    });
    let report = aiocop::HighSeverityBlockingIo::from_panic(&*error.into_panic()).unwrap();
    assert_eq!(report.severity_score(), WEIGHT_HEAVY);
    aiocop::delivery::flush();
    let delivered = recorder.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].thread.as_deref(), Some("aiocop-delivery"));
    assert!(
        delivered[0].event.blocking_events()[0]
            .trace()
            .resolved()
            .is_some()
    );
}

#[test]
fn collected_events_carry_their_traces_too() {
    aiocop_tests::own_process!("collected_events_carry_their_traces_too");
    setup();
    let rt = core_support::current_thread();
    let (line, events) = rt.block_on(aiocop::events::collect_events(
        async {
            let line = line!() + 1;
            aiocop::audit("traced_op", WEIGHT_LIGHT, &[&"collected"]);
            line
        }
        .monitored_as("traces_collected"),
    ));
    assert_eq!(events.len(), 1);
    let trace = events[0].blocking_events()[0].trace();
    assert!(!trace.is_empty());
    // Reading it here symbolizes on this (test) thread if the delivery thread has not yet.
    assert!(is_at(trace.frames()[0], line), "{:#?}", trace.frames());
}

#[inline(never)]
fn deep(levels: usize) {
    if levels == 0 {
        aiocop::audit("traced_op", WEIGHT_LIGHT, &[&"deep"]);
    } else {
        deep(std::hint::black_box(levels - 1));
    }
    // Keeps the recursive call from being a tail call, so every level has a frame.
    std::hint::black_box(levels);
}

#[test]
fn traces_keep_at_most_the_configured_depth_innermost_first() {
    aiocop_tests::own_process!("traces_keep_at_most_the_configured_depth_innermost_first");
    setup();
    let recorder = Recorder::new("traces_depth");
    let rt = core_support::current_thread();
    rt.block_on(
        async {
            deep(DEPTH + 10);
        }
        .monitored_as("traces_depth"),
    );
    aiocop::delivery::flush();
    let events = recorder.events();
    let frames = events[0].blocking_events()[0].trace().frames();
    assert_eq!(frames.len(), DEPTH, "{frames:#?}");
    assert!(frames.iter().all(|f| f.ends_with("deep")), "{frames:#?}");
}
