//! One cfg for what several modules gate together: `worker_probes`, the watchdog's probes of
//! worker threads (slow polls of unannotated tasks on stable tokio, see `watchdog::workers`).
//! They need the `runtime` feature, and are left out under `--cfg tokio_unstable`, where reading
//! tokio's budget from a signal handler is not safe (see `coop::probe_and_mark`) and the poll
//! hooks of `runtime_hooks` see every poll anyway.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(worker_probes)");
    println!("cargo::rerun-if-changed=build.rs");
    let runtime = std::env::var_os("CARGO_FEATURE_RUNTIME").is_some();
    let unstable = std::env::var_os("CARGO_CFG_TOKIO_UNSTABLE").is_some();
    if runtime && !unstable {
        println!("cargo::rustc-cfg=worker_probes");
    }
}
