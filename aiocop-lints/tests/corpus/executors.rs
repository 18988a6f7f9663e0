// Running a future to completion on the current thread, from async code.
async fn work() -> u32 {
    1
}

async fn nested_block_on() -> u32 {
    futures::executor::block_on(work()) //~ BLOCKING futures::executor::block_on
}

async fn imported_block_on() -> u32 {
    use futures::executor::block_on;
    block_on(work()) //~ BLOCKING futures::executor::block_on
}

async fn runtime_block_on(rt: &tokio::runtime::Runtime) -> u32 {
    rt.block_on(work()) //~ BLOCKING tokio::runtime::Runtime::block_on
}

async fn handle_block_on() -> u32 {
    let handle = tokio::runtime::Handle::current();
    handle.block_on(work()) //~ BLOCKING tokio::runtime::Handle::block_on
}

async fn built_runtime() -> u32 {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(work()) //~ BLOCKING tokio::runtime::Runtime::block_on
}

// The right place for block_on: sync code.
fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(work()); //~ OK
    futures::executor::block_on(work()); //~ OK
}
