// Included by lib.rs: `read_bytes` is lib.rs's import.
pub fn api_descriptor() -> Vec<u8> {
    read_bytes("api.bin").unwrap_or_default() //~ OK
}

pub async fn api_handler() -> Vec<u8> {
    read_bytes("api.bin").unwrap_or_default() //~ BLOCKING std::fs::read
}
