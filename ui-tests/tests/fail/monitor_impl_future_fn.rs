use std::future::Future;

// Returns a future but is not `async`: the attribute cannot wrap a body it does not see run.
#[aiocop::monitor]
fn handler() -> impl Future<Output = u32> {
    async { 1 }
}

fn main() {}
