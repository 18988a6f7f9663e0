//! With the `intercept` feature, the test executables are linked the way a program that hides its
//! archives' symbols is (`--exclude-libs,ALL`: none of aiocop's interposed functions would be in
//! the dynamic symbol table, so C code in shared libraries would bind to the C library's), then
//! export `read`, `usleep` and `close` by name: the documented route by which shared libraries'
//! calls reach aiocop anyway (docs/interception.md, "Shared libraries"), tested by
//! `tests/intercept.rs`.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var_os("CARGO_FEATURE_INTERCEPT").is_some() {
        println!("cargo:rustc-link-arg-tests=-Wl,--exclude-libs,ALL");
        for symbol in ["read", "usleep", "close"] {
            println!("cargo:rustc-link-arg-tests=-Wl,--export-dynamic-symbol={symbol}");
        }
    }
}
