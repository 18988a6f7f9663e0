//! CI strict mode, written the way a user's test suite would use it (docs/testing.md walks through
//! it): aiocop is set up once for the whole binary, set-up code and assertions may block, and only
//! the handler call runs under `aiocop::raise_on_violations`, so a handler that blocks fails its
//! test and a clean one passes.
//!
//! The "handlers" are ordinary `#[aiocop::monitor]` async functions of an imaginary service that
//! serves user profiles from a directory of JSON-ish files.

use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Once};
use std::time::Duration;

use aiocop::HighSeverityBlockingIo;

// --- set-up, once per test binary (the reference's session-scoped pytest fixture) ---------------

fn setup_aiocop() {
    static SETUP: Once = Once::new();
    SETUP.call_once(|| {
        aiocop::patch_audit_functions();
        aiocop::start_blocking_io_detection(0).expect("trace depth");
        aiocop::detect_slow_tasks(50, aiocop::no_callback).expect("threshold");
        aiocop::activate();
        // Not strict by default: strictness is switched on per handler call, below.
        aiocop::strict::set_raise_on_violations_default(false);

        // Warm up lazily-initialised state *before* any strict section: its first use blocks
        // (it reads a file), every later use does not. Left cold, the first strict handler to
        // touch it would fail for a one-off cost that production pays at start-up.
        LazyLock::force(&TEMPLATE);
    });
}

/// A directory of profiles for one test, removed when dropped (set-up and teardown: blocking file
/// I/O is fine here).
struct Profiles(PathBuf);

fn profiles_dir(test: &str) -> Profiles {
    let dir = std::env::temp_dir().join(format!("aiocop-ci-strict-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("profiles directory");
    std::fs::write(dir.join("1.json"), r#"{"name": "Ada"}"#).expect("profile");
    Profiles(dir)
}

impl std::ops::Deref for Profiles {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Profiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// --- the service under test --------------------------------------------------------------------

/// Reads the profile with std's blocking file API: holds the runtime's thread while the disk
/// answers. Then "rate-limits" with a blocking sleep. What strict mode is there to catch.
#[aiocop::monitor]
async fn get_profile_blocking(dir: &Path, id: u32) -> String {
    let path = dir.join(format!("{id}.json"));
    let profile = std::fs::read_to_string(&path).unwrap_or_default();
    std::thread::sleep(Duration::from_millis(1));
    profile
}

/// The same handler done right: tokio's file API.
#[aiocop::monitor]
async fn get_profile(dir: &Path, id: u32) -> String {
    tokio::time::sleep(Duration::from_millis(1)).await;
    tokio::fs::read_to_string(dir.join(format!("{id}.json")))
        .await
        .unwrap_or_default()
}

/// Loads the page template from disk: a blocking function, declared so aiocop records its calls.
#[aiocop::blocking(weight = heavy)]
fn load_template(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

const TEMPLATE_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");

/// Loaded on first use. `setup_aiocop` forces it before the strict sections.
static TEMPLATE: LazyLock<String> = LazyLock::new(|| load_template(TEMPLATE_FILE));

/// The same kind of state, which no set-up warms up.
static COLD_TEMPLATE: LazyLock<String> = LazyLock::new(|| load_template(TEMPLATE_FILE));

#[aiocop::monitor]
async fn render_profile(dir: &Path, id: u32) -> String {
    let profile = get_profile(dir, id).await;
    format!("{} bytes of template, {profile}", TEMPLATE.len())
}

#[aiocop::monitor]
async fn render_profile_cold(dir: &Path, id: u32) -> String {
    let profile = get_profile(dir, id).await;
    format!("{} bytes of template, {profile}", COLD_TEMPLATE.len())
}

/// A handler that blocks on purpose, and says so: reading the tiny feature-flag file
/// synchronously, and a short back-off before it, are accepted here, nothing else is. (The sleep
/// alone would be a high-severity violation: without the `allow`, strict mode fails the test.)
#[aiocop::monitor(allow(std::fs::read_to_string, std::thread::sleep))]
async fn get_flags(dir: &Path) -> String {
    std::thread::sleep(Duration::from_millis(1));
    std::fs::read_to_string(dir.join("1.json")).unwrap_or_default()
}

// --- the tests ---------------------------------------------------------------------------------

#[tokio::test]
#[should_panic(expected = "high-severity blocking I/O")]
async fn a_blocking_handler_fails_its_test() {
    setup_aiocop();
    let dir = profiles_dir("blocking"); // set-up may block

    // Only the handler call is strict.
    let profile = aiocop::raise_on_violations(get_profile_blocking(&dir, 1)).await;

    assert!(profile.contains("Ada")); // never reached: the call above panics
}

#[tokio::test]
async fn the_failure_report_names_the_calls_and_the_handler() {
    setup_aiocop();
    let dir = profiles_dir("report");

    // Run the strict call as a task to look at the panic instead of failing on it.
    let failure =
        tokio::spawn(
            async move { aiocop::raise_on_violations(get_profile_blocking(&dir, 1)).await },
        )
        .await
        .expect_err("the blocking handler panics under strict mode");
    let payload = failure.into_panic();
    let report = HighSeverityBlockingIo::from_panic(&*payload).expect("an aiocop report");

    assert_eq!(report.function().name(), "get_profile_blocking");
    let calls: Vec<&str> = report.events().iter().map(|e| e.operation()).collect();
    assert_eq!(calls, ["std::fs::read_to_string", "std::thread::sleep"]);
    assert_eq!(report.severity_score(), 60); // 10 for the read, 50 for the sleep
    assert!(
        report.message().contains("get_profile_blocking"),
        "{report}"
    );
    assert!(
        report.events()[0].entry_point().contains("ci_strict.rs"),
        "the entry point is the handler's line: {}",
        report.events()[0].entry_point()
    );
}

#[test]
fn the_report_can_also_be_caught_around_a_runtime() {
    setup_aiocop();
    let dir = profiles_dir("catch-unwind");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let caught = std::panic::catch_unwind(|| {
        runtime.block_on(aiocop::raise_on_violations(get_profile_blocking(&dir, 1)))
    });
    let payload = caught.expect_err("strict mode panics");
    let report = HighSeverityBlockingIo::from_panic(&*payload).expect("an aiocop report");
    assert_eq!(report.events().len(), 2);
}

#[tokio::test]
async fn a_clean_handler_passes() {
    setup_aiocop();
    let dir = profiles_dir("clean");

    let profile = aiocop::raise_on_violations(get_profile(&dir, 1)).await;

    // Assertions may block (here: reading the file again with std).
    let on_disk = std::fs::read_to_string(dir.join("1.json")).expect("profile");
    assert_eq!(profile, on_disk);
}

#[tokio::test]
async fn lazily_initialised_state_warmed_up_before_the_strict_section_passes() {
    setup_aiocop(); // forces TEMPLATE
    let dir = profiles_dir("warm");

    let page = aiocop::raise_on_violations(render_profile(&dir, 1)).await;

    assert!(page.contains("Ada"), "{page}");
}

#[tokio::test]
#[should_panic(expected = "ci_strict::load_template")]
async fn lazily_initialised_state_left_cold_is_a_false_positive() {
    setup_aiocop();
    let dir = profiles_dir("cold");

    // The first use of COLD_TEMPLATE loads it inside the handler's poll: strict mode reports
    // `load_template`, a one-off start-up cost. The fix is the warm-up in `setup_aiocop`.
    aiocop::raise_on_violations(render_profile_cold(&dir, 1)).await;
}

#[tokio::test]
async fn blocking_that_a_handler_allows_is_not_a_violation() {
    setup_aiocop();
    let dir = profiles_dir("allowed");

    let flags = aiocop::raise_on_violations(get_flags(&dir)).await;

    assert!(flags.contains("Ada"));
    // Not merely below the strict level: the allowed calls are not recorded at all.
    let (flags, events) = aiocop::events::collect_events(get_flags(&dir)).await;
    assert!(flags.contains("Ada"));
    assert!(events.is_empty(), "{events:#?}");
}
