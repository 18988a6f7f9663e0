//! The monitor never stalls, breaks or changes what it monitors (`monitor`), and neither does the
//! stall watchdog's signal (`watchdog`). Each test runs its scenario in a fresh process of its
//! own (`aiocop_tests::in_fresh_process`).

#[path = "no_harm/monitor.rs"]
mod monitor;
#[path = "no_harm/watchdog.rs"]
mod watchdog;
