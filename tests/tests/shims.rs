//! The audited shims: every shim against std (`catalog`) and through a helper's standard input
//! (`stdin`), in one process set up the common way (`aiocop_tests::setup`). The tests of
//! `registry` (which overrides catalog weights), `trace` (stack traces on), `no_capture`
//! (argument capture off) and `unpatched` (never patched) each run in a process of their own
//! (`aiocop_tests::own_process!`).

mod shim_cases;

#[path = "shims/catalog.rs"]
mod catalog;
#[path = "shims/no_capture.rs"]
mod no_capture;
#[path = "shims/registry.rs"]
mod registry;
#[path = "shims/stdin.rs"]
mod stdin;
#[path = "shims/trace.rs"]
mod trace;
#[path = "shims/unpatched.rs"]
mod unpatched;
