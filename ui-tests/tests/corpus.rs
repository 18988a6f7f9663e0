//! The corpus and regression pass cases again, as modules of an ordinary test target: this way
//! `cargo clippy --all-targets -- -D warnings` lints the code `#[aiocop::monitor]` generates in
//! realistic functions (generated tokens carry the user's spans, so a lint on them would land in
//! the user's code), and each case's `main` also runs as a test here.

#[path = "pass/corpus_cli.rs"]
mod corpus_cli;
#[path = "pass/corpus_services.rs"]
mod corpus_services;
#[path = "pass/corpus_storage.rs"]
mod corpus_storage;
#[path = "pass/corpus_web_handlers.rs"]
mod corpus_web_handlers;
#[path = "pass/deny_accepts_non_std.rs"]
mod deny_accepts_non_std;
#[path = "pass/receivers_in_place.rs"]
mod receivers_in_place;
#[path = "pass/regression_rewrites.rs"]
mod regression_rewrites;

#[test]
fn cli_commands() {
    corpus_cli::main();
}

#[test]
fn services() {
    corpus_services::main();
}

#[test]
fn storage_and_file_server() {
    corpus_storage::main();
}

#[test]
fn web_handlers() {
    corpus_web_handlers::main();
}

#[test]
fn deny_accepts_non_std() {
    deny_accepts_non_std::main();
}

#[test]
fn regressions() {
    regression_rewrites::main();
}

#[test]
fn receivers_in_place() {
    receivers_in_place::main();
}
