//! Runnable examples of aiocop live in `examples/`.
