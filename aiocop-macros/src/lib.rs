//! Procedural macros of [aiocop](https://docs.rs/aiocop).
#![forbid(unsafe_code)]
