// Suppressions that no longer suppress anything are reported (as warnings) where they are
// written; ones that still do are not.
use std::time::Duration;

#[aiocop::allow_blocking(reason = "used to read the cache synchronously")] //~ UNUSED-SUPPRESSION
async fn now_async() {
    let _ = tokio::fs::read("cache.bin").await; //~ OK
}

#[aiocop::allow_blocking(reason = "still reads a file")] //~ OK
async fn still_blocking() {
    let _ = std::fs::read("cache.bin"); //~ OK
}

async fn comments(p: &str) {
    let _ = p.len(); // aiocop: allow(was a stat once) //~ UNUSED-SUPPRESSION
    // aiocop: allow(was a sleep once) //~ UNUSED-SUPPRESSION
    tokio::time::sleep(Duration::from_millis(1)).await;
    let _ = std::fs::metadata(p); // aiocop: allow(one stat) //~ OK
    let _ = pure_helper(); // aiocop: allow(the helper used to read a file) //~ UNUSED-SUPPRESSION
    let _ = reading_helper(); // aiocop: allow(small file) //~ OK
    let _ = tokio::task::spawn_blocking(|| {
        std::fs::read("x") // aiocop: allow(offloaded anyway) //~ UNUSED-SUPPRESSION
    });
}

fn pure_helper() -> usize {
    3
}

fn reading_helper() -> Vec<u8> {
    std::fs::read("x").unwrap_or_default()
}

// An allowed sync function that no longer blocks.
#[aiocop::allow_blocking(reason = "read the settings file")] //~ UNUSED-SUPPRESSION
fn settings() -> u32 {
    7
}

async fn uses_settings() -> u32 {
    settings()
}

fn main() {}
