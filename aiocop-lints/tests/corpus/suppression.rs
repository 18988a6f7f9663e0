// Suppressions with and without reasons.
use aiocop::allow_blocking;
use std::time::Duration;

#[aiocop::allow_blocking(reason = "runs once at startup, before serving")]
async fn warm_up() {
    let _ = std::fs::read("cache.bin"); //~ OK
}

#[allow_blocking(reason = "imported attribute")]
async fn imported_attribute() {
    std::thread::sleep(Duration::from_millis(1)); //~ OK
}

async fn line_comments() {
    let _ = std::fs::read("a"); // aiocop: allow(tiny file on tmpfs) //~ OK
    // aiocop: allow(the next line is fine too)
    let _ = std::fs::read("b"); //~ OK
    let _ = std::fs::read("c"); //~ BLOCKING std::fs::read
}

// An allowed sync helper does not make its callers blocking.
#[aiocop::allow_blocking(reason = "reads a file of a few bytes")]
fn small_read() -> Vec<u8> {
    std::fs::read("small").unwrap_or_default() //~ OK
}

async fn calls_small_read() -> usize {
    small_read().len() //~ OK
}

// A suppressed call inside a helper.
fn helper() -> Vec<u8> {
    std::fs::read("x").unwrap_or_default() // aiocop: allow(served from page cache) //~ OK
}

async fn calls_helper() -> usize {
    helper().len() //~ OK
}

// Suppressing a chain at the call site.
fn blocking_helper() {
    std::thread::sleep(Duration::from_millis(1)); //~ OK
}

async fn calls_blocking_helper() {
    blocking_helper(); // aiocop: allow(measured at 40us) //~ OK
}

// On an impl block.
struct Legacy;

#[aiocop::allow_blocking(reason = "legacy adapter, scheduled for removal")]
impl Legacy {
    async fn run(&self) {
        let _ = std::fs::read("legacy"); //~ OK
    }
}

// Without a reason: reported, and still suppressing.
#[aiocop::allow_blocking] //~ MISSING-REASON
async fn no_reason() {
    let _ = std::fs::read("n"); //~ OK
}

#[aiocop::allow_blocking(reason = "")] //~ MISSING-REASON
async fn empty_reason() {
    let _ = std::fs::read("e"); //~ OK
}

async fn comment_without_reason() {
    let _ = std::fs::read("d"); // aiocop: allow() //~ MISSING-REASON
}

fn main() {}
