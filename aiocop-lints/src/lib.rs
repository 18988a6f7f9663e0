//! The catalog of known blocking operations, shared by aiocop's attribute macros, its runtime and
//! the `cargo aiocop` linter.
#![forbid(unsafe_code)]
