use std::io::Read;

#[aiocop::monitor(deny)]
async fn slurp(file: &mut std::fs::File) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    file.read_to_end(&mut buf)?;
    Ok(buf)
}

fn main() {}
