// Same-crate functions declared blocking with `#[aiocop::blocking]` are blocking operations.
use aiocop::blocking;

#[aiocop::blocking(weight = heavy)]
fn legacy_query(sql: &str) -> usize {
    sql.len()
}

#[blocking(name = "db.ping", weight = 10)]
fn ping() {}

fn report() -> usize {
    legacy_query("select 2") //~ OK
}

async fn handler() -> usize {
    legacy_query("select 1") //~ BLOCKING crate::legacy_query
}

async fn pinger() {
    ping(); //~ BLOCKING db.ping
}

async fn via_helper() -> usize {
    report() //~ BLOCKING via_helper → report → crate::legacy_query
}

fn sync_caller() {
    ping(); //~ OK
}

async fn offloaded() {
    let _ = tokio::task::spawn_blocking(ping).await; //~ OK
    let _ = tokio::task::spawn_blocking(|| ping()).await; //~ OK
}

fn main() {
    sync_caller();
}
