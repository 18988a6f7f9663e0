//! The catalog of known blocking operations, shared by aiocop's attribute macros, its runtime and
//! the `cargo aiocop` linter.
//!
//! The default build is the catalog alone, with no dependencies, so the runtime and the
//! proc-macro crate can use it without pulling in the analyzer.
#![forbid(unsafe_code)]

pub mod catalog;

pub use catalog::{BlockingOp, Callee, Category, SelfKind};
