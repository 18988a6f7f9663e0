//! Runtime-wide monitoring: every task of a tokio runtime monitored through the runtime's task
//! poll hooks, with no annotation, the way the Python library patches the whole event loop.
//!
//! Tokio's poll hooks are an unstable API: this module exists only with the `tokio-hooks` feature
//! **and** the `tokio_unstable` cfg, set for the whole build:
//!
//! ```sh
//! RUSTFLAGS="--cfg tokio_unstable" cargo run --features aiocop/tokio-hooks
//! ```
//!
//! (or `[build] rustflags = ["--cfg", "tokio_unstable"]` in `.cargo/config.toml`).
//!
//! ```
//! # #[cfg(all(feature = "tokio-hooks", tokio_unstable))]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut builder = tokio::runtime::Builder::new_multi_thread();
//! builder.enable_all();
//! aiocop::runtime_hooks::install(&mut builder);
//! let runtime = builder.build()?;
//!
//! aiocop::start_blocking_io_detection(0)?;
//! aiocop::activate();
//! runtime.block_on(async {
//!     // No `#[aiocop::monitor]`, no `.monitored()`: the hooks time every poll of every task.
//!     tokio::spawn(async { aiocop::audit("std::fs::read", aiocop::WEIGHT_MODERATE, &[&"/etc/hosts"]) })
//!         .await
//! })?;
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "tokio-hooks", tokio_unstable)))]
//! # fn main() {}
//! ```
//!
//! # What is monitored, and how events read
//!
//! - Every poll of every task spawned on the runtime (`tokio::spawn`, `Runtime::spawn`,
//!   `JoinSet`, …), on every worker thread. Not the future passed to `Runtime::block_on` (it is
//!   not a task: wrap it with [`monitored`](crate::monitored())), not `spawn_blocking` closures
//!   (their thread is allowed to block). Tasks of a `LocalSet` are polled inside the poll of the
//!   task (or `block_on`) that drives the set, and count as its work.
//! - An event's [`function`](crate::SlowTaskEvent::function) is named `<tokio task>`, at the file
//!   and line where the task was spawned. The task's id is available to context providers through
//!   `tokio::task::try_id()`; [`task_context`] is such a provider.
//! - Monitored futures inside a hooked task (`#[aiocop::monitor]` functions, the tower layer's
//!   requests) open their own scope as without hooks: their polls produce their own events, with
//!   their own names, thresholds and strict mode; the task's event covers only the rest of its poll.
//! - The hooks run on the runtime's threads between polls, where a panic would bring a worker
//!   down: polls they monitor never panic in strict mode (monitored futures inside them still do).
//! - With monitoring inactive a hook costs one relaxed atomic load.
//!
//! Tokio keeps one before-poll and one after-poll hook per runtime: [`install`] replaces hooks set
//! earlier on the builder. To combine aiocop with hooks of your own, call [`before_task_poll`] and
//! [`after_task_poll`] from them.

use std::cell::Cell;
use std::panic::Location;
use std::ptr;

use tokio::runtime::{Builder, TaskMeta};
use tokio::task::Id;

use crate::context::Context;
use crate::functions::{FunctionInfo, MonitorOptions, MonitoredFunction};
use crate::intern::Interner;
use crate::scope::detached;
use crate::settings;

/// The name events of hooked tasks carry.
pub const TASK_NAME: &str = "<tokio task>";

/// Sets the runtime's before and after task poll hooks to monitor every task it runs.
///
/// Replaces poll hooks set earlier on `builder` (tokio keeps one of each); see the module docs.
pub fn install(builder: &mut Builder) -> &mut Builder {
    builder
        .on_before_task_poll(before_task_poll)
        .on_after_task_poll(after_task_poll)
}

/// aiocop's before-poll hook: opens the thread's scope for the task about to be polled.
#[inline]
pub fn before_task_poll(meta: &TaskMeta<'_>) {
    if !settings::is_active() {
        return;
    }
    // This frame sits right below the scheduler's, as deep as the task's own poll will start:
    // frames above this local belong to the runtime, and traces stop there.
    let marker = 0u8;
    POLLED.set(Some(meta.id()));
    detached::open(site(meta.spawned_at()), ptr::addr_of!(marker) as usize);
    IN_POLL.set(true);
}

/// aiocop's after-poll hook: closes and judges the scope [`before_task_poll`] opened.
#[inline]
pub fn after_task_poll(_meta: &TaskMeta<'_>) {
    IN_POLL.set(false);
    detached::close();
    POLLED.set(None);
}

thread_local! {
    /// The task whose poll the hooks bracket on this thread: tokio's own current task id is set
    /// only inside the poll, and CPU events take their context right before and after it.
    static POLLED: Cell<Option<Id>> = const { Cell::new(None) };
    /// Whether the task's poll itself is running (not the hooks around it).
    static IN_POLL: Cell<bool> = const { Cell::new(false) };
}

/// A context provider giving the polled task's id as `task_id` (empty outside a task), inside the
/// poll and in the hooks around it. Register it with
/// [`register_context_provider`](crate::register_context_provider).
///
/// ```
/// # #[cfg(all(feature = "tokio-hooks", tokio_unstable))]
/// aiocop::register_context_provider(aiocop::runtime_hooks::task_context);
/// ```
pub fn task_context() -> Context {
    // Inside the poll tokio knows the innermost task (a `LocalSet`'s, say); in the hooks around
    // it, tokio's current task is the blocking task running the worker thread itself.
    let id = if IN_POLL.get() {
        tokio::task::try_id().or_else(|| POLLED.get())
    } else {
        POLLED.get().or_else(tokio::task::try_id)
    };
    match id {
        Some(id) => {
            let id = id.to_string();
            match id.parse::<u64>() {
                Ok(number) => Context::new().with("task_id", number),
                Err(_) => Context::new().with("task_id", id),
            }
        }
        None => Context::new(),
    }
}

/// Sites of hooked tasks, one per spawn location (the program's code bounds them).
static SITES: Interner<usize, MonitoredFunction> = Interner::new();

/// Beyond the interner's cap, tasks share a site without a location.
static UNLOCATED: MonitoredFunction = MonitoredFunction::new(
    FunctionInfo::new(TASK_NAME, "", "<unknown>", 0),
    MonitorOptions::DEFAULT,
);

thread_local! {
    /// The last spawn location this thread looked up, and its site: tasks spawned at one place
    /// tend to be polled in runs, and this spares them the shared map.
    static LAST: Cell<(usize, Option<&'static MonitoredFunction>)> = const { Cell::new((0, None)) };
}

fn site(spawned_at: &'static Location<'static>) -> &'static MonitoredFunction {
    let key = ptr::from_ref(spawned_at) as usize;
    if let (last, Some(site)) = LAST.get()
        && last == key
    {
        return site;
    }
    let site = SITES
        .get_or_insert(
            &key,
            || key,
            || {
                MonitoredFunction::new(
                    FunctionInfo::new(TASK_NAME, "", spawned_at.file(), spawned_at.line()),
                    MonitorOptions::DEFAULT,
                )
            },
        )
        .unwrap_or(&UNLOCATED);
    LAST.set((key, Some(site)));
    site
}
