//! trybuild suite of aiocop; the cases live in `tests/`.
