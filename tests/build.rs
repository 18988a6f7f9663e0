//! With the `intercept` feature, the test executables export the interposed `read` and `usleep`
//! dynamically: the documented route by which C code in shared libraries reaches aiocop's
//! definitions (see docs/interception.md, "Shared libraries"), tested by `tests/intercept.rs`.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_INTERCEPT").is_some() {
        for symbol in ["read", "usleep", "close"] {
            println!("cargo:rustc-link-arg-tests=-Wl,--export-dynamic-symbol={symbol}");
        }
    }
}
