use std::io::Write;

#[aiocop::monitor(deny)]
async fn log_line(log: &mut std::fs::File, line: &str) -> std::io::Result<()> {
    writeln!(log, "{line}")
}

fn main() {}
