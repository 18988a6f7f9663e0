//! An annotated function nothing calls is reported as a plain one is.
#![deny(dead_code)]

#[aiocop::monitor]
async fn annotated() -> u32 {
    1
}

async fn plain() -> u32 {
    1
}

fn main() {}
