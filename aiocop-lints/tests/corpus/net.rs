// Blocking sockets and DNS.
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::time::Duration;

async fn client(addr: &str) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?; //~ BLOCKING std::net::TcpStream::connect
    stream.write_all(b"GET / HTTP/1.0\r\n\r\n")?; //~ BLOCKING std::net::TcpStream::write_all
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf)?; //~ BLOCKING std::net::TcpStream::read_to_end
    let mut small = [0u8; 8];
    stream.read(&mut small)?; //~ BLOCKING std::net::TcpStream::read
    stream.write(b"x")?; //~ BLOCKING std::net::TcpStream::write
    Ok(buf)
}

async fn with_timeout(addr: std::net::SocketAddr) -> std::io::Result<()> {
    let _s = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?; //~ BLOCKING std::net::TcpStream::connect_timeout
    Ok(())
}

async fn server() -> std::io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?; //~ OK (literal address)
    let (mut conn, _peer) = listener.accept()?; //~ BLOCKING std::net::TcpListener::accept
    conn.write_all(b"hi")?; //~ BLOCKING std::net::TcpStream::write_all
    for incoming in listener.incoming() { //~ BLOCKING std::net::TcpListener::incoming
        let _ = incoming;
    }
    Ok(())
}

async fn udp() -> std::io::Result<()> {
    let socket = UdpSocket::bind("127.0.0.1:0")?; //~ OK (literal address)
    socket.send_to(b"ping", "127.0.0.1:9")?; //~ BLOCKING std::net::UdpSocket::send_to
    let mut buf = [0u8; 64];
    socket.recv_from(&mut buf)?; //~ BLOCKING std::net::UdpSocket::recv_from
    socket.send(b"x")?; //~ BLOCKING std::net::UdpSocket::send
    socket.recv(&mut buf)?; //~ BLOCKING std::net::UdpSocket::recv
    Ok(())
}

async fn dns(host: &str) -> std::io::Result<usize> {
    let addrs = (host, 443).to_socket_addrs()?; //~ BLOCKING std::net::ToSocketAddrs::to_socket_addrs
    let more = "example.com:80".to_socket_addrs()?; //~ BLOCKING std::net::ToSocketAddrs::to_socket_addrs
    Ok(addrs.count() + more.count())
}

#[cfg(unix)]
async fn unix(path: &str) -> std::io::Result<()> {
    use std::os::unix::net::UnixStream;
    let mut s = UnixStream::connect(path)?; //~ BLOCKING std::os::unix::net::UnixStream::connect
    s.write_all(b"ping")?; //~ BLOCKING std::os::unix::net::UnixStream::write_all
    let mut out = String::new();
    s.read_to_string(&mut out)?; //~ BLOCKING std::os::unix::net::UnixStream::read_to_string
    Ok(())
}

// tokio's sockets are awaited and never reported.
async fn tokio_client(addr: &str) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut s = tokio::net::TcpStream::connect(addr).await?; //~ OK
    s.write_all(b"ok").await?; //~ OK
    let _l = tokio::net::TcpListener::bind("127.0.0.1:0").await?; //~ OK
    let _addrs = tokio::net::lookup_host(addr).await?; //~ OK
    Ok(())
}

fn main() {}
