//! The stall watchdog: stack samples of slow polls (`samples`, in this process, set up for them);
//! its lifecycle (`setup`) and stuck polls (`stuck`), whose tests each run in a process of their
//! own (`aiocop_tests::own_process!`): the watchdog starts once per process.

#[path = "watchdog/samples.rs"]
mod samples;
#[path = "watchdog/setup.rs"]
mod setup;
#[path = "watchdog/stuck.rs"]
mod stuck;
