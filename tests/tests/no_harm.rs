//! The monitor never stalls, breaks or changes what it monitors (`monitor`), and neither does the
//! stall watchdog's signal (`watchdog`). Each test runs its scenario in a fresh process of its
//! own (`aiocop_tests::in_fresh_process`).
//!
//! The two modules take turns ([`take_turn`]): the watchdog's checks count the samples a loaded
//! machine still delivers, so they do not share the CPU with the other module's scenarios (as when
//! each module was a binary of its own, run one after the other). The tests of one module run in
//! parallel, as they did then.

use std::sync::{Condvar, Mutex, PoisonError};

#[path = "no_harm/monitor.rs"]
mod monitor;
#[path = "no_harm/watchdog.rs"]
mod watchdog;

/// Which module's tests are running, and how many of them.
struct Turns {
    module: Option<&'static str>,
    running: usize,
}

static TURNS: Mutex<Turns> = Mutex::new(Turns {
    module: None,
    running: 0,
});
static TURN_ENDED: Condvar = Condvar::new();

/// Waits until no test of another module runs, then counts the caller's test as running until the
/// returned [`Turn`] is dropped. `module` is the caller's `module_path!()`.
fn take_turn(module: &'static str) -> Turn {
    let mut turns = TURNS.lock().unwrap_or_else(PoisonError::into_inner);
    while turns.module.is_some_and(|running| running != module) {
        turns = TURN_ENDED
            .wait(turns)
            .unwrap_or_else(PoisonError::into_inner);
    }
    turns.module = Some(module);
    turns.running += 1;
    Turn
}

/// A running test's share of its module's turn.
struct Turn;

impl Drop for Turn {
    fn drop(&mut self) {
        let mut turns = TURNS.lock().unwrap_or_else(PoisonError::into_inner);
        turns.running -= 1;
        if turns.running == 0 {
            turns.module = None;
            TURN_ENDED.notify_all();
        }
    }
}
