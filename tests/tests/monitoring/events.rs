//! Events and severity: when a monitored poll produces a `SlowTaskEvent` and what it contains
//! (DESIGN §5 and the reference's "When Callbacks Are Invoked" table).
//!
//! Global settings of this process: trace depth 0, inline delivery, a 60 s global threshold (so
//! only polls that record blocking calls, or set their own threshold, produce events), the default
//! cap of 50 events per poll. Every test isolates its events with `collect_events`.

use crate::core_support;

use std::fmt;
use std::time::Duration;

use aiocop::{
    FutureExt, Reason, SeverityLevel, WEIGHT_HEAVY, WEIGHT_LIGHT, WEIGHT_MODERATE, WEIGHT_TRIVIAL,
};
use aiocop_tests::setup;
use core_support::{QUIET_THRESHOLD_MS, Recorder, TempFile, texts};

const SLOW_POLL: Duration = Duration::from_millis(30);
const SMALL_THRESHOLD: Duration = Duration::from_millis(10);
/// What a poll that slept `SLOW_POLL` measures at least, with room for the poll clock's
/// calibration error.
const SLOW_POLL_MEASURED: Duration = Duration::from_millis(25);

// --- "When Callbacks Are Invoked" ---------------------------------------------------------------

#[tokio::test]
async fn blocking_io_in_a_fast_poll_is_io_blocking_and_not_exceeded() {
    setup();
    let file = TempFile::new("fast-io", b"hello");
    let path = file.path.display().to_string();
    let (contents, events) = aiocop::events::collect_events(
        async {
            aiocop::audit("std::fs::read", WEIGHT_MODERATE, &[&path]);
            std::fs::read(&file.path).expect("read temp file")
        }
        .monitored_as("events_fast_io"),
    )
    .await;
    assert_eq!(contents, b"hello");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.reason(), Reason::IoBlocking);
    assert_eq!(event.reason().to_string(), "io_blocking");
    assert!(!event.exceeded_threshold());
    assert_eq!(event.threshold(), Duration::from_millis(QUIET_THRESHOLD_MS));
    assert_eq!(event.severity_score(), WEIGHT_MODERATE);
    assert_eq!(event.severity_level(), SeverityLevel::Medium);
    assert_eq!(event.function().name(), "events_fast_io");
    assert_eq!(texts(event), [format!("std::fs::read({path})")]);
    assert_eq!(event.dropped_events(), 0);
    assert!(event.cpu_stack_samples().is_empty());
}

#[tokio::test]
async fn blocking_io_in_a_slow_poll_is_io_blocking_and_exceeded() {
    setup();
    let ((), events) = aiocop::events::collect_events(
        async {
            aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[&"30ms"]);
            std::thread::sleep(SLOW_POLL);
        }
        .monitored_as("events_slow_io")
        .with_threshold(SMALL_THRESHOLD),
    )
    .await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.reason(), Reason::IoBlocking);
    assert!(event.exceeded_threshold());
    assert!(
        event.elapsed() >= SLOW_POLL_MEASURED,
        "{:?}",
        event.elapsed()
    );
    assert!(event.elapsed_ms() >= 25.0);
    assert_eq!(event.threshold(), SMALL_THRESHOLD);
    assert_eq!(event.threshold_ms(), 10.0);
    assert_eq!(event.severity_score(), WEIGHT_HEAVY);
    assert_eq!(event.severity_level(), SeverityLevel::High);
    assert_eq!(texts(event), ["std::thread::sleep(30ms)"]);
}

#[tokio::test]
async fn a_slow_poll_without_blocking_calls_is_cpu_blocking_with_score_zero() {
    setup();
    let ((), events) = aiocop::events::collect_events(
        async {
            // Not announced to aiocop: this stands for CPU work or an unknown blocking call.
            std::thread::sleep(SLOW_POLL);
        }
        .monitored_as("events_cpu")
        .with_threshold(SMALL_THRESHOLD),
    )
    .await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.reason(), Reason::CpuBlocking);
    assert_eq!(event.reason().to_string(), "cpu_blocking");
    assert!(event.exceeded_threshold());
    assert!(
        event.elapsed() >= SLOW_POLL_MEASURED,
        "{:?}",
        event.elapsed()
    );
    assert_eq!(event.severity_score(), 0);
    assert_eq!(event.severity_level(), SeverityLevel::Low);
    assert!(event.blocking_events().is_empty());
    assert_eq!(event.dropped_events(), 0);
}

#[tokio::test]
async fn a_fast_poll_without_blocking_calls_produces_nothing() {
    setup();
    let recorder = Recorder::new("events_quiet");
    let (sum, events) = aiocop::events::collect_events(
        async {
            let mut sum = 0u64;
            for i in 0..1000 {
                sum += i;
                tokio::task::yield_now().await;
            }
            sum
        }
        .monitored_as("events_quiet"),
    )
    .await;
    assert_eq!(sum, 499_500);
    assert!(events.is_empty(), "{events:?}");
    assert_eq!(recorder.len(), 0);
}

#[tokio::test]
async fn a_zero_weight_call_still_makes_an_io_blocking_event() {
    setup();
    let ((), events) = aiocop::events::collect_events(
        async {
            aiocop::audit("std::env::current_dir", WEIGHT_TRIVIAL, &[]);
        }
        .monitored_as("events_trivial"),
    )
    .await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].reason(), Reason::IoBlocking);
    assert_eq!(events[0].severity_score(), 0);
    assert_eq!(events[0].severity_level(), SeverityLevel::Low);
    assert_eq!(texts(&events[0]), ["std::env::current_dir()"]);
}

#[tokio::test]
async fn a_zero_threshold_reports_every_poll_as_exceeded() {
    setup();
    let ((), events) = aiocop::events::collect_events(
        async {
            tokio::task::yield_now().await;
        }
        .monitored_as("events_zero_threshold")
        .with_threshold(Duration::ZERO),
    )
    .await;
    // Two polls (before and after the yield), each at least as long as a zero threshold.
    assert_eq!(events.len(), 2);
    for event in &events {
        assert_eq!(event.reason(), Reason::CpuBlocking);
        assert!(event.exceeded_threshold());
        assert_eq!(event.threshold(), Duration::ZERO);
    }
}

// --- one event per poll ---------------------------------------------------------------------------

#[tokio::test]
async fn each_poll_that_blocked_gives_exactly_one_event() {
    setup();
    let ((), events) = aiocop::events::collect_events(
        async {
            aiocop::audit("poll_op", WEIGHT_LIGHT, &[&"first poll"]);
            tokio::task::yield_now().await;
            // Second poll: nothing blocking.
            tokio::task::yield_now().await;
            aiocop::audit("poll_op", WEIGHT_LIGHT, &[&"third poll a"]);
            aiocop::audit("poll_op", WEIGHT_MODERATE, &[&"third poll b"]);
            tokio::task::yield_now().await;
            aiocop::audit("poll_op", WEIGHT_HEAVY, &[&"fourth poll"]);
        }
        .monitored_as("events_per_poll"),
    )
    .await;
    assert_eq!(events.len(), 3, "{events:#?}");
    assert_eq!(texts(&events[0]), ["poll_op(first poll)"]);
    assert_eq!(
        texts(&events[1]),
        ["poll_op(third poll a)", "poll_op(third poll b)"]
    );
    assert_eq!(events[1].severity_score(), 11);
    assert_eq!(texts(&events[2]), ["poll_op(fourth poll)"]);
    assert!(
        events
            .iter()
            .all(|e| e.function().name() == "events_per_poll")
    );
}

#[tokio::test]
async fn nested_monitored_futures_give_one_event_tagged_with_the_innermost_function() {
    setup();
    let ((), events) = aiocop::events::collect_events(
        async {
            aiocop::audit("nest_op", WEIGHT_LIGHT, &[&"outer before"]);
            async {
                aiocop::audit("nest_op", WEIGHT_LIGHT, &[&"middle before"]);
                async {
                    aiocop::audit("nest_op", WEIGHT_LIGHT, &[&"inner"]);
                }
                .monitored_as("events_nested_inner")
                .await;
                aiocop::audit("nest_op", WEIGHT_LIGHT, &[&"middle after"]);
            }
            .monitored_as("events_nested_middle")
            .await;
            aiocop::audit("nest_op", WEIGHT_LIGHT, &[&"outer after"]);
        }
        .monitored_as("events_nested_outer"),
    )
    .await;
    assert_eq!(events.len(), 1, "{events:#?}");
    let event = &events[0];
    assert_eq!(event.function().name(), "events_nested_outer");
    assert_eq!(event.severity_score(), 5);
    let tagged: Vec<(&str, &str)> = event
        .blocking_events()
        .iter()
        .map(|b| (b.event(), b.function().name()))
        .collect();
    assert_eq!(
        tagged,
        [
            ("nest_op(outer before)", "events_nested_outer"),
            ("nest_op(middle before)", "events_nested_middle"),
            ("nest_op(inner)", "events_nested_inner"),
            ("nest_op(middle after)", "events_nested_middle"),
            ("nest_op(outer after)", "events_nested_outer"),
        ]
    );
    for b in event.blocking_events() {
        assert!(
            b.entry_point()
                .ends_with(&format!(":{}", b.function().name())),
            "{}",
            b.entry_point()
        );
    }
}

#[tokio::test]
async fn a_nested_future_that_yields_ends_the_outer_poll() {
    setup();
    let ((), events) = aiocop::events::collect_events(
        async {
            async {
                aiocop::audit("nest_yield_op", WEIGHT_LIGHT, &[&1]);
                tokio::task::yield_now().await;
                aiocop::audit("nest_yield_op", WEIGHT_LIGHT, &[&2]);
            }
            .monitored_as("events_nested_yield_inner")
            .await;
        }
        .monitored_as("events_nested_yield_outer"),
    )
    .await;
    assert_eq!(events.len(), 2);
    for (event, arg) in events.iter().zip(1..) {
        assert_eq!(event.function().name(), "events_nested_yield_outer");
        assert_eq!(texts(event), [format!("nest_yield_op({arg})")]);
        assert_eq!(
            event.blocking_events()[0].function().name(),
            "events_nested_yield_inner"
        );
    }
}

// --- severity -----------------------------------------------------------------------------------

#[tokio::test]
async fn score_is_the_sum_of_weights_and_the_level_follows_the_thresholds() {
    setup();
    let cases: [(&[u32], u32, SeverityLevel); 7] = [
        (&[WEIGHT_LIGHT; 9], 9, SeverityLevel::Low),
        (&[WEIGHT_LIGHT; 10], 10, SeverityLevel::Medium),
        (&[WEIGHT_MODERATE], 10, SeverityLevel::Medium),
        (&[10, 10, 10, 10, 9], 49, SeverityLevel::Medium),
        (&[10, 10, 10, 10, 10], 50, SeverityLevel::High),
        (&[WEIGHT_HEAVY], 50, SeverityLevel::High),
        (
            &[WEIGHT_HEAVY, WEIGHT_HEAVY, WEIGHT_TRIVIAL],
            100,
            SeverityLevel::High,
        ),
    ];
    for (weights, score, level) in cases {
        let ((), events) = aiocop::events::collect_events(
            async {
                for &w in weights {
                    aiocop::audit("weighted_op", w, &[&w]);
                }
            }
            .monitored_as("events_scores"),
        )
        .await;
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.severity_score(), score, "{weights:?}");
        assert_eq!(event.severity_level(), level, "{weights:?}");
        assert_eq!(
            aiocop::calculate_io_severity_score(event.blocking_events()),
            score
        );
        let severities: Vec<u32> = event
            .blocking_events()
            .iter()
            .map(|b| b.severity())
            .collect();
        assert_eq!(severities, weights);
    }
}

#[test]
fn severity_functions_and_constants_match_the_reference() {
    use aiocop::get_severity_level_from_score as level;
    assert_eq!(
        (WEIGHT_HEAVY, WEIGHT_MODERATE, WEIGHT_LIGHT, WEIGHT_TRIVIAL),
        (50, 10, 1, 0)
    );
    assert_eq!(
        (
            aiocop::events::THRESHOLD_HIGH,
            aiocop::events::THRESHOLD_MEDIUM,
            aiocop::events::THRESHOLD_LOW
        ),
        (50, 10, 1)
    );
    assert_eq!(level(0), SeverityLevel::Low);
    assert_eq!(level(9), SeverityLevel::Low);
    assert_eq!(level(10), SeverityLevel::Medium);
    assert_eq!(level(49), SeverityLevel::Medium);
    assert_eq!(level(50), SeverityLevel::High);
    assert_eq!(level(u32::MAX), SeverityLevel::High);
    assert_eq!(SeverityLevel::Low.to_string(), "low");
    assert_eq!(SeverityLevel::Medium.to_string(), "medium");
    assert_eq!(SeverityLevel::High.to_string(), "high");
    assert!(SeverityLevel::High == "high");
    assert!(Reason::CpuBlocking == "cpu_blocking");
    assert_eq!(aiocop::calculate_io_severity_score(&[]), 0);
}

#[tokio::test]
async fn the_default_cap_keeps_50_events_and_counts_the_rest_in_the_score() {
    setup();
    assert_eq!(aiocop::setup::DEFAULT_MAX_EVENTS_PER_POLL, 50);
    let ((), events) = aiocop::events::collect_events(
        async {
            for i in 0..60 {
                aiocop::audit("capped_op", WEIGHT_LIGHT, &[&i]);
            }
        }
        .monitored_as("events_cap"),
    )
    .await;
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.blocking_events().len(), 50);
    assert_eq!(event.dropped_events(), 10);
    // The 10 dropped light events still count: 60 is high, 50 kept would be high too, so check
    // the exact sum.
    assert_eq!(event.severity_score(), 60);
    assert_eq!(event.severity_level(), SeverityLevel::High);
    let expected: Vec<String> = (0..50).map(|i| format!("capped_op({i})")).collect();
    assert_eq!(texts(event), expected);
    assert!(
        event
            .to_string()
            .contains("and 10 more blocking events not kept"),
        "{event}"
    );
}

// --- what a blocking event says ------------------------------------------------------------------

/// Formats as 150 characters, written in 15 pieces, to check the cut across several writes.
struct InPieces;

impl fmt::Display for InPieces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for _ in 0..15 {
            f.write_str("0123456789")?;
        }
        Ok(())
    }
}

#[tokio::test]
async fn arguments_are_cut_at_100_characters_each() {
    setup();
    assert_eq!(aiocop::operations::MAX_ARGUMENT_CHARS, 100);
    let ascii = "a".repeat(150);
    let accented = "é".repeat(150);
    let wide = "日本語🎉".repeat(40); // 160 characters, 3 and 4 bytes each
    let exact = "x".repeat(100);
    let ((), events) = aiocop::events::collect_events(
        async {
            aiocop::audit("arg_op", WEIGHT_LIGHT, &[&ascii]);
            aiocop::audit("arg_op", WEIGHT_LIGHT, &[&accented, &7]);
            aiocop::audit("arg_op", WEIGHT_LIGHT, &[&wide]);
            aiocop::audit("arg_op", WEIGHT_LIGHT, &[&InPieces, &ascii]);
            aiocop::audit("arg_op", WEIGHT_LIGHT, &[&exact]);
            aiocop::audit("arg_op", WEIGHT_LIGHT, &[]);
        }
        .monitored_as("events_args"),
    )
    .await;
    assert_eq!(events.len(), 1);
    let got = texts(&events[0]);
    let a100 = "a".repeat(100);
    let digits100 = "0123456789".repeat(10);
    let wide100: String = wide.chars().take(100).collect();
    assert_eq!(got[0], format!("arg_op({a100})"));
    assert_eq!(got[1], format!("arg_op({}, 7)", "é".repeat(100)));
    assert_eq!(got[2], format!("arg_op({wide100})"));
    assert_eq!(got[3], format!("arg_op({digits100}, {a100})"));
    assert_eq!(got[4], format!("arg_op({exact})"));
    assert_eq!(got[5], "arg_op()");
    assert_eq!(got.len(), 6);
}

#[track_caller]
fn legacy_query(sql: &str) -> usize {
    aiocop::audit("mylib::legacy_query", WEIGHT_HEAVY, &[&sql]);
    sql.len()
}

#[tokio::test]
async fn the_call_site_comes_from_track_caller() {
    setup();
    let ((direct_line, helper_line), events) = aiocop::events::collect_events(
        async {
            let direct_line = line!() + 1;
            aiocop::audit("site_op", WEIGHT_LIGHT, &[&"direct"]);
            let helper_line = line!() + 1;
            assert_eq!(legacy_query("SELECT 1"), 8);
            (direct_line, helper_line)
        }
        .monitored_as("events_call_site"),
    )
    .await;
    assert_eq!(events.len(), 1);
    let [direct, helper] = events[0].blocking_events() else {
        panic!("two blocking events expected: {:#?}", events[0]);
    };
    assert_eq!(direct.operation(), "site_op");
    assert_eq!(direct.location().file(), file!());
    assert_eq!(direct.location().line(), direct_line);
    assert_eq!(
        direct.entry_point(),
        format!("{}:{direct_line}:events_call_site", file!())
    );
    // The helper is `#[track_caller]`: the site is its caller, not the `audit` inside it.
    assert_eq!(helper.operation(), "mylib::legacy_query");
    assert_eq!(helper.event(), "mylib::legacy_query(SELECT 1)");
    assert_eq!(helper.location().line(), helper_line);
    assert_eq!(
        helper.entry_point(),
        format!("{}:{helper_line}:events_call_site", file!())
    );
    // Trace depth 0: no frames, and reading the trace costs nothing.
    assert!(direct.trace().is_empty());
    assert_eq!(direct.trace().resolved(), Some(""));
    assert!(direct.trace().frames().is_empty());
    assert_eq!(
        direct.to_string(),
        format!("site_op(direct) at {} (weight 1)", direct.entry_point())
    );
}

#[test]
fn format_blocking_event_builds_the_text_and_entry_point() {
    let function =
        aiocop::functions::FunctionInfo::new("handler", "my_crate::api", "src/api.rs", 12);
    let long = "x".repeat(150);
    let line = line!() + 1;
    let info = aiocop::format_blocking_event(
        "std::fs::File::open",
        WEIGHT_MODERATE,
        &[&"/etc/hosts", &long],
        &function,
    );
    assert_eq!(
        info.event(),
        format!("std::fs::File::open(/etc/hosts, {})", "x".repeat(100))
    );
    assert_eq!(info.operation(), "std::fs::File::open");
    assert_eq!(info.entry_point(), format!("{}:{line}:handler", file!()));
    assert_eq!(info.severity(), WEIGHT_MODERATE);
    assert_eq!(info.function(), &function);
    assert!(info.trace().is_empty());
    assert_eq!(
        aiocop::format_blocking_event("std::fs::File::open", 10, &[], &function).event(),
        "std::fs::File::open"
    );
    assert_eq!(
        function.to_string(),
        "my_crate::api::handler (src/api.rs:12)"
    );
}

#[tokio::test]
async fn the_event_displays_as_a_report() {
    setup();
    let ((), events) = aiocop::events::collect_events(
        async {
            aiocop::audit("std::thread::sleep", WEIGHT_HEAVY, &[&"1ms"]);
        }
        .monitored_as("events_display"),
    )
    .await;
    let text = events[0].to_string();
    assert!(text.starts_with("io_blocking in "), "{text}");
    assert!(text.contains("events_display"), "{text}");
    assert!(text.contains("severity high (score 50)"), "{text}");
    assert!(text.contains("\n  - std::thread::sleep(1ms) at "), "{text}");
}

// --- where audit records -------------------------------------------------------------------------

#[tokio::test]
async fn audit_outside_a_monitored_poll_records_nothing() {
    setup();
    let recorder = Recorder::new("events_outside");
    let ((), events) = aiocop::events::collect_events(async {
        assert!(!aiocop::operations::is_auditing());
        aiocop::audit("outside_op", WEIGHT_HEAVY, &[&"not monitored"]);
        tokio::task::yield_now().await;
        async {
            assert!(aiocop::operations::is_auditing());
        }
        .monitored_as("events_outside")
        .await;
        assert!(!aiocop::operations::is_auditing());
        aiocop::audit("outside_op", WEIGHT_HEAVY, &[&"after the monitored future"]);
    })
    .await;
    assert!(events.is_empty(), "{events:#?}");
    assert_eq!(recorder.len(), 0);
    assert!(!aiocop::operations::is_auditing());
}

#[tokio::test]
async fn reset_blocking_events_forgets_what_the_poll_recorded_so_far() {
    setup();
    let ((), events) = aiocop::events::collect_events(
        async {
            aiocop::audit("reset_op", WEIGHT_HEAVY, &[&"forgotten"]);
            aiocop::reset_blocking_events();
            aiocop::audit("reset_op", WEIGHT_LIGHT, &[&"kept"]);
            tokio::task::yield_now().await;
            // A poll whose only events are reset produces nothing.
            aiocop::audit("reset_op", WEIGHT_HEAVY, &[&"forgotten too"]);
            aiocop::reset_blocking_events();
        }
        .monitored_as("events_reset"),
    )
    .await;
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(texts(&events[0]), ["reset_op(kept)"]);
    assert_eq!(events[0].severity_score(), 1);
    // Outside a monitored poll it does nothing (and does not panic).
    aiocop::reset_blocking_events();
}

#[tokio::test]
async fn the_cap_counts_again_after_a_reset() {
    setup();
    let ((), events) = aiocop::events::collect_events(
        async {
            for i in 0..70 {
                aiocop::audit("reset_cap_op", WEIGHT_LIGHT, &[&i]);
            }
            aiocop::reset_blocking_events();
            aiocop::audit("reset_cap_op", WEIGHT_LIGHT, &[&"after"]);
        }
        .monitored_as("events_reset_cap"),
    )
    .await;
    assert_eq!(events.len(), 1);
    assert_eq!(texts(&events[0]), ["reset_cap_op(after)"]);
    assert_eq!(events[0].dropped_events(), 0);
    assert_eq!(events[0].severity_score(), 1);
}

// --- collect_events -------------------------------------------------------------------------------

#[tokio::test]
async fn collect_events_returns_exactly_the_events_of_its_own_polls() {
    setup();
    let recorder = Recorder::new("events_collect_spawned");
    let (((), a), ((), b)) = tokio::join!(
        aiocop::events::collect_events(
            async {
                aiocop::audit("collect_op", WEIGHT_LIGHT, &[&"a1"]);
                tokio::task::yield_now().await;
                aiocop::audit("collect_op", WEIGHT_LIGHT, &[&"a2"]);
            }
            .monitored_as("events_collect_a")
        ),
        aiocop::events::collect_events(
            async {
                aiocop::audit("collect_op", WEIGHT_LIGHT, &[&"b1"]);
            }
            .monitored_as("events_collect_b")
        ),
    );
    assert_eq!(a.len(), 2);
    assert_eq!(texts(&a[0]), ["collect_op(a1)"]);
    assert_eq!(texts(&a[1]), ["collect_op(a2)"]);
    assert_eq!(b.len(), 1);
    assert_eq!(texts(&b[0]), ["collect_op(b1)"]);

    // Nested collectors both see the inner events; work spawned onto another task is not part of
    // the future's polls.
    let (inner, outer) = aiocop::events::collect_events(async {
        let ((), inner) = aiocop::events::collect_events(
            async {
                aiocop::audit("collect_op", WEIGHT_LIGHT, &[&"inner"]);
            }
            .monitored_as("events_collect_inner"),
        )
        .await;
        tokio::spawn(
            async {
                aiocop::audit("collect_op", WEIGHT_LIGHT, &[&"spawned"]);
            }
            .monitored_as("events_collect_spawned"),
        )
        .await
        .expect("spawned task");
        async {
            aiocop::audit("collect_op", WEIGHT_LIGHT, &[&"outer"]);
        }
        .monitored_as("events_collect_outer")
        .await;
        inner
    })
    .await;
    assert_eq!(inner.len(), 1);
    assert_eq!(texts(&inner[0]), ["collect_op(inner)"]);
    let outer_texts: Vec<Vec<&str>> = outer.iter().map(texts).collect();
    assert_eq!(
        outer_texts,
        [vec!["collect_op(inner)"], vec!["collect_op(outer)"]]
    );
    // The spawned task's event did happen, and callbacks got it.
    let spawned = recorder.events();
    assert_eq!(spawned.len(), 1);
    assert_eq!(texts(&spawned[0]), ["collect_op(spawned)"]);
}

#[tokio::test]
async fn callbacks_receive_collected_events_too() {
    setup();
    let recorder = Recorder::new("events_collect_callbacks");
    let ((), events) = aiocop::events::collect_events(
        async {
            aiocop::audit("collect_cb_op", WEIGHT_LIGHT, &[]);
        }
        .monitored_as("events_collect_callbacks"),
    )
    .await;
    assert_eq!(events.len(), 1);
    let delivered = recorder.events();
    assert_eq!(delivered.len(), 1);
    assert_eq!(texts(&delivered[0]), texts(&events[0]));
}

// --- panics in the body ---------------------------------------------------------------------------

#[test]
fn a_panicking_body_leaves_the_thread_clean_for_the_next_poll() {
    setup();
    let recorder = Recorder::new("events_panicking");
    let rt = core_support::current_thread();
    rt.block_on(async {
        let task = tokio::spawn(
            async {
                aiocop::audit("before_panic", WEIGHT_MODERATE, &[&"recorded"]);
                async {
                    aiocop::audit("before_panic", WEIGHT_LIGHT, &[&"nested"]);
                    panic!("the body panics");
                }
                .monitored_as("events_panicking_inner")
                .await;
            }
            .monitored_as("events_panicking"),
        );
        let error = task.await.expect_err("the task panicked");
        assert!(error.is_panic());

        // Same thread (current-thread runtime): no scope is left open, the next monitored poll
        // opens its own and reports only what it did, under its own name.
        assert!(!aiocop::operations::is_auditing());
        aiocop::audit("after_panic", WEIGHT_HEAVY, &[&"outside"]);
        let ((), events) = aiocop::events::collect_events(
            async {
                aiocop::audit("after_panic", WEIGHT_LIGHT, &[&"inside"]);
            }
            .monitored_as("events_after_panic"),
        )
        .await;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].function().name(), "events_after_panic");
        assert_eq!(texts(&events[0]), ["after_panic(inside)"]);
        assert_eq!(
            events[0].blocking_events()[0].function().name(),
            "events_after_panic"
        );
    });
    // The blocking calls made before the panic were still reported.
    let reported = recorder.events();
    assert_eq!(reported.len(), 1);
    assert_eq!(
        texts(&reported[0]),
        ["before_panic(recorded)", "before_panic(nested)"]
    );
}
