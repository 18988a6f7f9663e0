// What a default run leaves alone: trivial operations (reported only with `report_trivial`),
// binds and connects on literal addresses (never), calls that never wait, and closures run by
// every common executor or declared as offloading in the configuration.
// Lines marked TRIVIAL are reported only when `report_trivial` is on.
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::os::unix::fs::OpenOptionsExt;

async fn binds(host: &str, addr: SocketAddr) -> std::io::Result<()> {
    let _a = TcpListener::bind("127.0.0.1:0")?; //~ OK (literal address)
    let _b = TcpListener::bind("[::1]:8080")?; //~ OK (literal address)
    let _c = TcpListener::bind(("0.0.0.0", 0))?; //~ OK (literal address)
    let _d = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?; //~ OK (literal address)
    let _e = UdpSocket::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?; //~ OK (literal address)
    let _f = TcpListener::bind(host)?; //~ TRIVIAL std::net::TcpListener::bind
    let _g = UdpSocket::bind("localhost:0")?; //~ TRIVIAL std::net::UdpSocket::bind
    let _h = TcpListener::bind(addr)?; //~ TRIVIAL std::net::TcpListener::bind
    Ok(())
}

async fn udp_connect(peer: &str) -> std::io::Result<()> {
    let socket = UdpSocket::bind("0.0.0.0:0")?; //~ OK (literal address)
    socket.connect("127.0.0.1:9")?; //~ OK (records the peer; literal)
    socket.connect(peer)?; //~ TRIVIAL std::net::UdpSocket::connect
    socket.send(b"x")?; //~ BLOCKING std::net::UdpSocket::send
    Ok(())
}

async fn cwd() -> std::io::Result<()> {
    let _cwd = std::env::current_dir()?; //~ TRIVIAL std::env::current_dir
    Ok(())
}

async fn fifo(path: &str) -> std::io::Result<()> {
    let _fifo = std::fs::OpenOptions::new() //~ OK (O_NONBLOCK: returns at once)
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)?;
    let _both = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC).open(path)?; //~ OK
    let _appending = std::fs::OpenOptions::new().append(true).custom_flags(libc::O_APPEND).open(path)?; //~ BLOCKING std::fs::OpenOptions::open
    Ok(())
}

// Every common executor's offloading call runs its closure on another thread.
async fn executors(p: String) {
    let q = p.clone();
    let _ = tokio::task::spawn_blocking(move || std::fs::read(q)).await; //~ OK
    let _ = tokio::task::block_in_place(|| std::fs::read("x")); //~ OK
    let _ = actix_web::web::block(|| std::fs::read("x")).await; //~ OK
    let _ = async_std::task::spawn_blocking(|| std::fs::read("x")).await; //~ OK
    let _ = smol::unblock(|| std::fs::read("x")).await; //~ OK
    let _ = blocking::unblock(|| std::fs::read("x")).await; //~ OK
    rayon::spawn(|| std::thread::sleep(std::time::Duration::from_secs(1))); //~ OK
}

async fn actix_imported() {
    use actix_web::web;
    let _ = web::block(|| std::fs::read_to_string("x")).await; //~ OK
}

// Offloaders declared in the configuration (`offload = [...]` in the corpus test).
async fn declared_offloaders(pool: &my_pool::Pool) {
    my_pool::run_blocking(|| std::fs::read("x")); //~ OK
    pool.install(|| std::fs::read("x")); //~ OK
    // Not declared: its closure runs here, on the worker.
    my_pool::run_inline(|| std::fs::read("x")); //~ BLOCKING std::fs::read
}

// `std::thread::scope` waits for its threads (a finding); the threads it spawns are offloaded,
// the scope's own closure runs on the worker.
async fn scoped(paths: Vec<String>) {
    std::thread::scope(|s| { //~ BLOCKING std::thread::scope
        for p in &paths {
            s.spawn(move || std::fs::read(p)); //~ OK
        }
        std::thread::Builder::new().spawn_scoped(s, || std::fs::read("y")).unwrap(); //~ OK
        std::fs::read("z").ok(); //~ BLOCKING std::fs::read
    });
}

fn main() {}
