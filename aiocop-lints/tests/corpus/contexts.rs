// Which code runs on the async worker, and which does not.
use std::time::Duration;

// An async block inside a sync function is async code.
fn spawn_work(rt: &tokio::runtime::Runtime) {
    std::thread::sleep(Duration::from_millis(1)); //~ OK
    rt.spawn(async {
        std::thread::sleep(Duration::from_millis(1)); //~ BLOCKING std::thread::sleep
    });
}

// Async closures, and closures returning async blocks.
fn closures() {
    let _a = async |p: String| {
        let _ = std::fs::read(p); //~ BLOCKING std::fs::read
    };
    let _b = |p: String| async move {
        let _ = std::fs::read_to_string(p); //~ BLOCKING std::fs::read_to_string
    };
    let _c = |p: String| std::fs::read(p); //~ OK
}

// Work handed to a blocking thread is fine.
async fn offloaded(p: String) {
    let q = p.clone();
    let _ = tokio::task::spawn_blocking(move || std::fs::read(q)).await; //~ OK
    tokio::task::block_in_place(|| std::thread::sleep(Duration::from_millis(1))); //~ OK
    std::thread::spawn(move || {
        let _ = std::fs::read_to_string(p); //~ OK
    });
    // `scope` itself waits, on the worker, for the threads it spawns.
    std::thread::scope(|s| { //~ BLOCKING std::thread::scope
        s.spawn(|| std::thread::sleep(Duration::from_millis(1))); //~ OK
    });
    let handle = tokio::runtime::Handle::current();
    let _ = handle.spawn_blocking(|| std::fs::remove_file("x")).await; //~ OK
}

// A crate function that hands its closure parameter to `spawn_blocking` offloads too.
async fn asyncify<F, T>(f: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f).await.unwrap()
}

async fn through_wrapper(p: String) {
    let _ = asyncify(move || std::fs::read(p)).await; //~ OK
}

// Closures run in place (iterator adapters) are still async code.
async fn inline_closures(paths: Vec<String>) -> usize {
    paths
        .iter()
        .map(|p| std::fs::read(p).map(|v| v.len()).unwrap_or(0)) //~ BLOCKING std::fs::read
        .sum()
}

// A sync function nested in an async one is sync code until called.
async fn with_nested_helper() {
    fn helper() {
        std::thread::sleep(Duration::from_millis(1)); //~ OK
    }
    let _ = helper;
}

async fn calls_nested_helper() {
    fn nested_loader() -> String {
        std::fs::read_to_string("cfg").unwrap_or_default() //~ OK
    }
    let _cfg = nested_loader(); //~ BLOCKING calls_nested_helper → nested_loader → std::fs::read_to_string
}

// Macros taking expressions are read.
async fn in_macros(p: &str) {
    println!("{:?}", std::fs::read(p)); //~ BLOCKING std::fs::read
    assert!(std::fs::metadata(p).is_ok()); //~ BLOCKING std::fs::metadata
    let _v = vec![std::fs::read_to_string(p)]; //~ BLOCKING std::fs::read_to_string
}

// Trait methods with default bodies and impls.
trait Loader {
    async fn load(&self) -> Vec<u8> {
        std::fs::read("default").unwrap_or_default() //~ BLOCKING std::fs::read
    }
    fn load_sync(&self) -> Vec<u8> {
        std::fs::read("sync").unwrap_or_default() //~ OK
    }
}

struct Disk;

impl Loader for Disk {
    async fn load(&self) -> Vec<u8> {
        std::fs::read("disk").unwrap_or_default() //~ BLOCKING std::fs::read
    }
}

#[tokio::main]
async fn main() {
    std::thread::sleep(Duration::from_millis(1)); //~ BLOCKING std::thread::sleep
}
