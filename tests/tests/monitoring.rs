//! Core behaviour of monitored polls: callbacks, context providers, events and severity, other
//! executors, `Monitored` itself, many tasks at once, stack traces.
//!
//! One process set up the common way (`aiocop_tests::setup`: patched, trace depth 0, inline
//! delivery, a 60 s global threshold) runs every module but `traces`, whose tests each run in a
//! process of their own (`aiocop_tests::own_process!`) with trace depth 16. Tests of one process
//! share callbacks and providers: each acts only on its own test's function names or thread.

mod core_support;

#[path = "monitoring/callbacks.rs"]
mod callbacks;
#[path = "monitoring/context.rs"]
mod context;
#[path = "monitoring/events.rs"]
mod events;
#[path = "monitoring/executors.rs"]
mod executors;
#[path = "monitoring/monitored.rs"]
mod monitored;
#[path = "monitoring/stress.rs"]
mod stress;
#[path = "monitoring/traces.rs"]
mod traces;
