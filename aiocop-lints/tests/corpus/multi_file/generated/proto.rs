// Included inside lib.rs's inline module `proto`.
use std::fs;

pub fn descriptor_set() -> String {
    fs::read_to_string("descriptor.bin").unwrap_or_default() //~ OK
}

pub async fn reflect() -> String {
    descriptor_set() //~ BLOCKING proto::reflect → proto::descriptor_set → std::fs::read_to_string
}
