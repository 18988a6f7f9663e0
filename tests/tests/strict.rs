//! Strict mode: when polls panic and how far the switches reach (`mode`, in this process, set up
//! the common way with strictness off by default); the process-wide default (`default`) and
//! violation rule (`rule`), whose tests each run in a process of their own
//! (`aiocop_tests::own_process!`) with that setting changed.
//!
//! (`ci_strict` is a binary of its own: it shows how a user's test suite sets aiocop up once.)

mod core_support;

#[path = "strict/default.rs"]
mod default;
#[path = "strict/mode.rs"]
mod mode;
#[path = "strict/rule.rs"]
mod rule;
