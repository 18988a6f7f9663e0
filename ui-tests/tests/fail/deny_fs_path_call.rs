use std::path::Path;

#[aiocop::monitor(deny)]
async fn load(path: &Path) -> std::io::Result<String> {
    let text = std::fs::read_to_string(path)?;
    Ok(text)
}

fn main() {}
