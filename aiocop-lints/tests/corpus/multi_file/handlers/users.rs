use crate::db::query;
use super::super::config;

pub async fn list() -> usize {
    let rows = query("select 1"); //~ BLOCKING handlers::users::list → db::query → std::net::TcpStream::connect
    let raw = config::read_file("users.toml"); //~ BLOCKING handlers::users::list → config::read_file → std::fs::read_to_string
    rows + raw.len()
}
