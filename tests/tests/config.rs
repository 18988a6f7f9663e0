//! Tests that change process-wide settings, or need ones no other test shares: the environment,
//! the set-up sequence, clearing callbacks and providers, deactivation, background delivery and
//! its queue, the per-poll event cap. Every test here runs in a process of its own
//! (`aiocop_tests::own_process!`), so none sees another's settings.

mod core_support;

#[path = "config/clear.rs"]
mod clear;
#[path = "config/deactivate.rs"]
mod deactivate;
#[path = "config/delivery.rs"]
mod delivery;
#[path = "config/env.rs"]
mod env;
#[path = "config/event_cap.rs"]
mod event_cap;
#[path = "config/setup.rs"]
mod setup;
