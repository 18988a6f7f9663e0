//! `cargo aiocop`: finds blocking calls in async Rust code. See the crate's README.
#![forbid(unsafe_code)]

fn main() {
    std::process::exit(aiocop_lints::cli::main_with_args(
        std::env::args_os().skip(1),
    ));
}
