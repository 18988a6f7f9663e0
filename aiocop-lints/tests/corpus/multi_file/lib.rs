// A crate spread over several files: modules found through `mod` declarations.
mod config;
mod handlers;
#[path = "db_impl.rs"]
mod db;

pub use config::Settings;

pub async fn entry() -> usize {
    let s = Settings::load(); //~ BLOCKING entry → Settings::load → config::read_file → std::fs::read_to_string
    s.len() + handlers::index().await
}
