use std::io::Read;

// Every denied call is reported, each at its own call.
#[aiocop::monitor(deny)]
async fn copy_config(from: &str, to: &str) -> std::io::Result<u64> {
    std::fs::create_dir_all("/tmp/aiocop-deny")?;
    let mut text = String::new();
    std::fs::File::open(from)?.read_to_string(&mut text)?;
    std::fs::copy(from, to)
}

fn main() {}
