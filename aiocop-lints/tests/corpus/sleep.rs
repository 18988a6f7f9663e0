// thread::sleep in every import style.
use std::time::Duration;

async fn full_path() {
    std::thread::sleep(Duration::from_millis(10)); //~ BLOCKING std::thread::sleep
}

async fn module_import() {
    use std::thread;
    thread::sleep(Duration::from_secs(1)); //~ BLOCKING std::thread::sleep
}

async fn function_import() {
    use std::thread::sleep;
    sleep(Duration::from_secs(1)); //~ BLOCKING std::thread::sleep
}

async fn renamed_import() {
    use std::thread::sleep as nap;
    nap(Duration::from_secs(1)); //~ BLOCKING std::thread::sleep
}

async fn absolute_path() {
    ::std::thread::sleep(Duration::from_secs(1)); //~ BLOCKING std::thread::sleep
}

async fn tokio_sleep() {
    tokio::time::sleep(Duration::from_secs(1)).await; //~ OK
}

async fn tokio_sleep_imported() {
    use tokio::time::sleep;
    sleep(Duration::from_secs(1)).await; //~ OK
}

async fn async_block_in_async_fn() {
    let task = async {
        std::thread::sleep(Duration::from_millis(1)); //~ BLOCKING std::thread::sleep
    };
    task.await;
}

fn sync_sleep() {
    std::thread::sleep(Duration::from_millis(1)); //~ OK
}

fn main() {
    sync_sleep();
}
