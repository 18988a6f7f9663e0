//! `#[aiocop::monitor]`, `#[aiocop::blocking]` and `#[aiocop::allow_blocking]` at run time: the
//! probe table against the catalog, the attributes' options, receivers, and every catalog
//! operation the macro routes, area by area (`routes_*`), in one process set up the common way
//! (`aiocop_tests::setup`).

#[path = "macros/catalog.rs"]
mod catalog;
#[path = "macros/monitor.rs"]
mod monitor;
#[path = "macros/receivers.rs"]
mod receivers;
#[path = "macros/routes_coverage.rs"]
mod routes_coverage;
#[path = "macros/routes_fs.rs"]
mod routes_fs;
#[path = "macros/routes_io_stdin.rs"]
mod routes_io_stdin;
#[path = "macros/routes_net.rs"]
mod routes_net;
#[path = "macros/routes_path.rs"]
mod routes_path;
#[path = "macros/routes_process.rs"]
mod routes_process;
#[path = "macros/routes_thread_sync.rs"]
mod routes_thread_sync;
