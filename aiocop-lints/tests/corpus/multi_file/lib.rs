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

// Files pulled in with `include!` (generated code checked in, as prost's output often is) hold
// items of the module they are included in: they see its imports, and it sees their functions.
use std::fs::read as read_bytes;

mod proto {
    include!("generated/proto.rs");
}

include!("generated/api.rs");

pub async fn serve_api() -> usize {
    api_descriptor().len() //~ BLOCKING serve_api → api_descriptor → std::fs::read
}

pub async fn serve_proto() -> usize {
    proto::descriptor_set().len() //~ BLOCKING serve_proto → proto::descriptor_set → std::fs::read_to_string
}
