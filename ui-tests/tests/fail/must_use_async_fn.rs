//! `#[must_use]` on an annotated `async fn` warns as it does on a plain one: on the unused future
//! and on the unused output of the awaited call.
#![deny(unused_must_use)]

#[must_use]
#[aiocop::monitor]
async fn annotated() -> u32 {
    1
}

#[must_use]
async fn plain() -> u32 {
    1
}

#[aiocop::monitor]
async fn caller() {
    annotated().await;
    plain().await;
    annotated();
    plain();
}

fn main() {
    drop(caller());
}
