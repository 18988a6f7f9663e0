//! The catalog of known blocking operations, shared by aiocop's attribute macros, its runtime and
//! the `cargo aiocop` linter.
//!
//! The catalog build (`default-features = false`) has no dependencies, so the runtime and the
//! proc-macro crate can use it without pulling in the analyzer. The default features add the
//! static analyzer ([`analyzer`]), its output formats ([`output`]) and the command line of the
//! `cargo-aiocop` binary ([`cli`]); see the crate's README for the linter's usage.
#![forbid(unsafe_code)]

pub mod catalog;

#[cfg(feature = "analyzer")]
pub mod analyzer;
#[cfg(feature = "analyzer")]
pub mod baseline;
#[cfg(feature = "analyzer")]
pub mod cli;
#[cfg(feature = "analyzer")]
pub mod output;
#[cfg(feature = "analyzer")]
mod workspace;

pub use catalog::{BlockingOp, Callee, Category, SelfKind};
