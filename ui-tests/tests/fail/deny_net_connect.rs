use std::net::TcpStream;

#[aiocop::monitor(deny)]
async fn ping(addr: &str) -> bool {
    TcpStream::connect(addr).is_ok()
}

fn main() {}
