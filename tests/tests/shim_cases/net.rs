//! Cases of `aiocop::shim::net` and `aiocop::shim::os::unix::net`, on loopback.

use std::io::{IoSlice, IoSliceMut, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::os::unix::net::{SocketAddr as UnixAddr, UnixListener, UnixStream};
use std::path::PathBuf;
use std::time::Duration;

use aiocop::shim;

use super::{Case, tcp_listener, tcp_pair, udp_pair, udp_sockets, unix_datagrams, unix_pair};

fn peer(stream: &TcpStream) -> SocketAddr {
    stream.peer_addr().unwrap()
}

fn local(socket: &UdpSocket) -> SocketAddr {
    socket.local_addr().unwrap()
}

/// The next `n` bytes `stream` receives.
fn received(stream: &mut impl Read, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    stream.read_exact(&mut buf).unwrap();
    buf
}

/// Everything `stream` receives until its peer stops writing.
fn received_to_end(stream: &mut impl Read) -> Vec<u8> {
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).unwrap();
    buf
}

/// The path a Unix socket address names.
fn named(addr: std::io::Result<UnixAddr>) -> PathBuf {
    addr.unwrap().as_pathname().expect("a path").to_owned()
}

pub fn cases() -> Vec<Case> {
    let mut cases = tcp();
    cases.extend(udp());
    cases.extend(unix());
    cases
}

fn tcp() -> Vec<Case> {
    vec![
        Case::here("net::to_socket_addrs", |_| {
            let (r, site) = at!(shim::net::to_socket_addrs("127.0.0.1:80"));
            let resolved: Vec<SocketAddr> = r.unwrap().collect();
            let expected: Vec<SocketAddr> = "127.0.0.1:80".to_socket_addrs().unwrap().collect();
            assert_eq!(resolved, expected);
            site.no_args()
        }),
        Case::here("net::tcp_stream::connect", |_| {
            let (_listener, addr) = tcp_listener();
            let (r, site) = at!(shim::net::tcp_stream::connect(addr));
            assert_eq!(peer(&r.unwrap()), addr);
            site.args(addr)
        }),
        Case::here("net::tcp_stream::connect_timeout", |_| {
            let (_listener, addr) = tcp_listener();
            let timeout = Duration::from_secs(5);
            let (r, site) = at!(shim::net::tcp_stream::connect_timeout(&addr, timeout));
            assert_eq!(peer(&r.unwrap()), addr);
            site.args(format!("{addr}, 5s"))
        }),
        Case::here("net::tcp_stream::read", |_| {
            let (mut client, mut server) = tcp_pair();
            server.write_all(b"hello").unwrap();
            let mut buf = [0u8; 5];
            let (r, site) = at!(shim::net::tcp_stream::read(&mut client, &mut buf));
            let n = r.unwrap();
            assert_eq!(&buf[..n], &b"hello"[..n]);
            site.args(format!("{}, 5 bytes", peer(&client)))
        }),
        Case::here("net::tcp_stream::read_vectored", |_| {
            let (mut client, mut server) = tcp_pair();
            server.write_all(b"hello").unwrap();
            let (mut a, mut b) = ([0u8; 1], [0u8; 4]);
            let mut bufs = [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)];
            let (r, site) = at!(shim::net::tcp_stream::read_vectored(&mut client, &mut bufs));
            assert!(r.unwrap() >= 1);
            assert_eq!(&a, b"h");
            site.args(format!("{}, 5 bytes", peer(&client)))
        }),
        Case::here("net::tcp_stream::read_to_end", |_| {
            let (mut client, mut server) = tcp_pair();
            server.write_all(b"hello").unwrap();
            drop(server);
            let mut buf = Vec::new();
            let (r, site) = at!(shim::net::tcp_stream::read_to_end(&mut client, &mut buf));
            assert_eq!((r.unwrap(), buf.as_slice()), (5, &b"hello"[..]));
            site.args(peer(&client))
        }),
        Case::here("net::tcp_stream::read_to_string", |_| {
            let (mut client, mut server) = tcp_pair();
            server.write_all(b"hello").unwrap();
            drop(server);
            let mut text = String::new();
            let (r, site) = at!(shim::net::tcp_stream::read_to_string(
                &mut client,
                &mut text
            ));
            assert_eq!((r.unwrap(), text.as_str()), (5, "hello"));
            site.args(peer(&client))
        }),
        Case::here("net::tcp_stream::read_exact", |_| {
            let (mut client, mut server) = tcp_pair();
            server.write_all(b"hello").unwrap();
            let mut buf = [0u8; 5];
            let (r, site) = at!(shim::net::tcp_stream::read_exact(&mut client, &mut buf));
            r.unwrap();
            assert_eq!(&buf, b"hello");
            site.args(format!("{}, 5 bytes", peer(&client)))
        }),
        Case::here("net::tcp_stream::write", |_| {
            let (mut client, mut server) = tcp_pair();
            let (r, site) = at!(shim::net::tcp_stream::write(&mut client, b"hello"));
            assert_eq!(r.unwrap(), 5);
            assert_eq!(received(&mut server, 5), b"hello");
            site.args(format!("{}, 5 bytes", peer(&client)))
        }),
        Case::here("net::tcp_stream::write_vectored", |_| {
            let (mut client, mut server) = tcp_pair();
            let bufs = [IoSlice::new(b"he"), IoSlice::new(b"llo")];
            let (r, site) = at!(shim::net::tcp_stream::write_vectored(&mut client, &bufs));
            let n = r.unwrap();
            assert_eq!(received(&mut server, n), &b"hello"[..n]);
            site.args(format!("{}, 5 bytes", peer(&client)))
        }),
        Case::here("net::tcp_stream::write_all", |_| {
            let (mut client, mut server) = tcp_pair();
            let (r, site) = at!(shim::net::tcp_stream::write_all(&mut client, b"hello"));
            r.unwrap();
            client.shutdown(Shutdown::Write).unwrap();
            assert_eq!(received_to_end(&mut server), b"hello");
            site.args(format!("{}, 5 bytes", peer(&client)))
        }),
        Case::here("net::tcp_stream::write_fmt", |_| {
            let (mut client, mut server) = tcp_pair();
            let (r, site) = at!(shim::net::tcp_stream::write_fmt(
                &mut client,
                format_args!("{}", 42)
            ));
            r.unwrap();
            client.shutdown(Shutdown::Write).unwrap();
            assert_eq!(received_to_end(&mut server), b"42");
            site.args(peer(&client))
        }),
        Case::here("net::tcp_stream::peek", |_| {
            let (client, mut server) = tcp_pair();
            server.write_all(b"hello").unwrap();
            let mut buf = [0u8; 1];
            let (r, site) = at!(shim::net::tcp_stream::peek(&client, &mut buf));
            assert_eq!((r.unwrap(), &buf), (1, b"h"));
            let mut again = [0u8; 1];
            client.peek(&mut again).unwrap();
            assert_eq!(&again, b"h", "peek leaves the data in place");
            site.args(format!("{}, 1 bytes", peer(&client)))
        }),
        Case::here("net::tcp_listener::bind", |_| {
            let (r, site) = at!(shim::net::tcp_listener::bind("127.0.0.1:0"));
            let addr = r.unwrap().local_addr().unwrap();
            assert!(addr.ip().is_loopback() && addr.port() != 0);
            site.args("127.0.0.1:0")
        }),
        Case::here("net::tcp_listener::accept", |_| {
            let (listener, addr) = tcp_listener();
            let client = TcpStream::connect(addr).unwrap();
            let (r, site) = at!(shim::net::tcp_listener::accept(&listener));
            let (server, from) = r.unwrap();
            assert_eq!(from, client.local_addr().unwrap());
            assert_eq!(server.peer_addr().unwrap(), from);
            site.args(addr)
        }),
        Case::here("net::tcp_listener::incoming", |_| {
            let (listener, addr) = tcp_listener();
            let client = TcpStream::connect(addr).unwrap();
            let (mut incoming, site) = at!(shim::net::tcp_listener::incoming(&listener));
            let server = incoming.next().unwrap().unwrap();
            assert_eq!(server.peer_addr().unwrap(), client.local_addr().unwrap());
            site.args(addr)
        }),
    ]
}

fn udp() -> Vec<Case> {
    vec![
        Case::here("net::udp_socket::bind", |_| {
            let (r, site) = at!(shim::net::udp_socket::bind(("127.0.0.1", 0)));
            assert!(local(&r.unwrap()).ip().is_loopback());
            site.args("127.0.0.1:0")
        }),
        Case::here("net::udp_socket::connect", |_| {
            let (a, b) = udp_sockets();
            let (r, site) = at!(shim::net::udp_socket::connect(&a, local(&b)));
            r.unwrap();
            assert_eq!(a.peer_addr().unwrap(), local(&b));
            site.args(local(&b))
        }),
        Case::here("net::udp_socket::send", |_| {
            let (a, b) = udp_pair();
            let (r, site) = at!(shim::net::udp_socket::send(&a, b"hi"));
            assert_eq!(r.unwrap(), 2);
            let mut buf = [0u8; 8];
            assert_eq!(b.recv(&mut buf).unwrap(), 2);
            site.args(format!("{}, 2 bytes", local(&b)))
        }),
        Case::here("net::udp_socket::send_to", |_| {
            let (a, b) = udp_sockets();
            let (r, site) = at!(shim::net::udp_socket::send_to(&a, b"hi", local(&b)));
            assert_eq!(r.unwrap(), 2);
            let mut buf = [0u8; 8];
            assert_eq!(b.recv_from(&mut buf).unwrap(), (2, local(&a)));
            site.args(format!("2 bytes, {}", local(&b)))
        }),
        Case::here("net::udp_socket::recv", |_| {
            let (a, b) = udp_pair();
            a.send(b"hi").unwrap();
            let mut buf = [0u8; 8];
            let (r, site) = at!(shim::net::udp_socket::recv(&b, &mut buf));
            assert_eq!((r.unwrap(), &buf[..2]), (2, &b"hi"[..]));
            site.args(format!("{}, 8 bytes", local(&b)))
        }),
        Case::here("net::udp_socket::recv_from", |_| {
            let (a, b) = udp_pair();
            a.send(b"hi").unwrap();
            let mut buf = [0u8; 8];
            let (r, site) = at!(shim::net::udp_socket::recv_from(&b, &mut buf));
            assert_eq!(r.unwrap(), (2, local(&a)));
            site.args(format!("{}, 8 bytes", local(&b)))
        }),
        Case::here("net::udp_socket::peek", |_| {
            let (a, b) = udp_pair();
            a.send(b"hi").unwrap();
            let mut buf = [0u8; 8];
            let (r, site) = at!(shim::net::udp_socket::peek(&b, &mut buf));
            assert_eq!(r.unwrap(), 2);
            assert_eq!(
                b.recv(&mut buf).unwrap(),
                2,
                "peek leaves the datagram queued"
            );
            site.args(format!("{}, 8 bytes", local(&b)))
        }),
        Case::here("net::udp_socket::peek_from", |_| {
            let (a, b) = udp_pair();
            a.send(b"hi").unwrap();
            let mut buf = [0u8; 8];
            let (r, site) = at!(shim::net::udp_socket::peek_from(&b, &mut buf));
            assert_eq!(r.unwrap(), (2, local(&a)));
            site.args(format!("{}, 8 bytes", local(&b)))
        }),
    ]
}

fn unix() -> Vec<Case> {
    vec![
        Case::here("os::unix::net::unix_stream::connect", |fx| {
            let path = fx.path("s.sock");
            let listener = UnixListener::bind(&path).unwrap();
            let (r, site) = at!(shim::os::unix::net::unix_stream::connect(&path));
            let client = r.unwrap();
            assert_eq!(named(client.peer_addr()), path);
            drop(listener);
            site.args(path.display())
        }),
        Case::here("os::unix::net::unix_stream::connect_addr", |fx| {
            let path = fx.path("s.sock");
            let _listener = UnixListener::bind(&path).unwrap();
            let addr = UnixAddr::from_pathname(&path).unwrap();
            let (r, site) = at!(shim::os::unix::net::unix_stream::connect_addr(&addr));
            let client = r.unwrap();
            assert_eq!(named(client.peer_addr()), path);
            site.args(path.display())
        }),
        Case::here("os::unix::net::unix_stream::read", |fx| {
            let (mut client, mut server, path) = unix_pair(fx);
            server.write_all(b"hello").unwrap();
            let mut buf = [0u8; 5];
            let (r, site) = at!(shim::os::unix::net::unix_stream::read(
                &mut client,
                &mut buf
            ));
            let n = r.unwrap();
            assert_eq!(&buf[..n], &b"hello"[..n]);
            site.args(format!("{}, 5 bytes", path.display()))
        }),
        Case::here("os::unix::net::unix_stream::read_vectored", |fx| {
            let (mut client, mut server, path) = unix_pair(fx);
            server.write_all(b"hello").unwrap();
            let (mut a, mut b) = ([0u8; 2], [0u8; 3]);
            let mut bufs = [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)];
            let (r, site) = at!(shim::os::unix::net::unix_stream::read_vectored(
                &mut client,
                &mut bufs
            ));
            assert!(r.unwrap() >= 2);
            assert_eq!(&a, b"he");
            site.args(format!("{}, 5 bytes", path.display()))
        }),
        Case::here("os::unix::net::unix_stream::read_to_end", |fx| {
            let (mut client, mut server, path) = unix_pair(fx);
            server.write_all(b"hello").unwrap();
            drop(server);
            let mut buf = Vec::new();
            let (r, site) = at!(shim::os::unix::net::unix_stream::read_to_end(
                &mut client,
                &mut buf
            ));
            assert_eq!((r.unwrap(), buf.as_slice()), (5, &b"hello"[..]));
            site.args(path.display())
        }),
        Case::here("os::unix::net::unix_stream::read_to_string", |fx| {
            let (mut client, mut server, path) = unix_pair(fx);
            server.write_all(b"hello").unwrap();
            drop(server);
            let mut text = String::new();
            let (r, site) = at!(shim::os::unix::net::unix_stream::read_to_string(
                &mut client,
                &mut text
            ));
            assert_eq!((r.unwrap(), text.as_str()), (5, "hello"));
            site.args(path.display())
        }),
        Case::here("os::unix::net::unix_stream::read_exact", |fx| {
            let (mut client, mut server, path) = unix_pair(fx);
            server.write_all(b"hello").unwrap();
            let mut buf = [0u8; 4];
            let (r, site) = at!(shim::os::unix::net::unix_stream::read_exact(
                &mut client,
                &mut buf
            ));
            r.unwrap();
            assert_eq!(&buf, b"hell");
            site.args(format!("{}, 4 bytes", path.display()))
        }),
        Case::here("os::unix::net::unix_stream::write", |fx| {
            let (mut client, mut server, path) = unix_pair(fx);
            let (r, site) = at!(shim::os::unix::net::unix_stream::write(
                &mut client,
                b"hello"
            ));
            assert_eq!(r.unwrap(), 5);
            assert_eq!(received(&mut server, 5), b"hello");
            site.args(format!("{}, 5 bytes", path.display()))
        }),
        Case::here("os::unix::net::unix_stream::write_vectored", |fx| {
            let (mut client, mut server, path) = unix_pair(fx);
            let bufs = [IoSlice::new(b"he"), IoSlice::new(b"llo")];
            let (r, site) = at!(shim::os::unix::net::unix_stream::write_vectored(
                &mut client,
                &bufs
            ));
            let n = r.unwrap();
            assert_eq!(received(&mut server, n), &b"hello"[..n]);
            site.args(format!("{}, 5 bytes", path.display()))
        }),
        Case::here("os::unix::net::unix_stream::write_all", |fx| {
            let (mut client, mut server, path) = unix_pair(fx);
            let (r, site) = at!(shim::os::unix::net::unix_stream::write_all(
                &mut client,
                b"hello"
            ));
            r.unwrap();
            drop(client);
            assert_eq!(received_to_end(&mut server), b"hello");
            site.args(format!("{}, 5 bytes", path.display()))
        }),
        Case::here("os::unix::net::unix_stream::write_fmt", |fx| {
            let (mut client, mut server, path) = unix_pair(fx);
            let (r, site) = at!(shim::os::unix::net::unix_stream::write_fmt(
                &mut client,
                format_args!("{}", 7)
            ));
            r.unwrap();
            drop(client);
            assert_eq!(received_to_end(&mut server), b"7");
            site.args(path.display())
        }),
        Case::here("os::unix::net::unix_listener::bind", |fx| {
            let path = fx.path("l.sock");
            let (r, site) = at!(shim::os::unix::net::unix_listener::bind(&path));
            let listener = r.unwrap();
            assert_eq!(named(listener.local_addr()), path);
            site.args(path.display())
        }),
        Case::here("os::unix::net::unix_listener::bind_addr", |fx| {
            let path = fx.path("l.sock");
            let addr = UnixAddr::from_pathname(&path).unwrap();
            let (r, site) = at!(shim::os::unix::net::unix_listener::bind_addr(&addr));
            let listener = r.unwrap();
            assert_eq!(named(listener.local_addr()), path);
            site.args(path.display())
        }),
        Case::here("os::unix::net::unix_listener::accept", |fx| {
            let path = fx.path("l.sock");
            let listener = UnixListener::bind(&path).unwrap();
            let mut client = UnixStream::connect(&path).unwrap();
            let (r, site) = at!(shim::os::unix::net::unix_listener::accept(&listener));
            let (mut server, _) = r.unwrap();
            client.write_all(b"x").unwrap();
            assert_eq!(received(&mut server, 1), b"x");
            site.args(path.display())
        }),
        Case::here("os::unix::net::unix_listener::incoming", |fx| {
            let path = fx.path("l.sock");
            let listener = UnixListener::bind(&path).unwrap();
            let _client = UnixStream::connect(&path).unwrap();
            let (mut incoming, site) = at!(shim::os::unix::net::unix_listener::incoming(&listener));
            incoming.next().unwrap().unwrap();
            site.args(path.display())
        }),
        Case::here("os::unix::net::unix_datagram::bind", |fx| {
            let path = fx.path("d.sock");
            let (r, site) = at!(shim::os::unix::net::unix_datagram::bind(&path));
            let socket = r.unwrap();
            assert_eq!(named(socket.local_addr()), path);
            site.args(path.display())
        }),
        Case::here("os::unix::net::unix_datagram::bind_addr", |fx| {
            let path = fx.path("d.sock");
            let addr = UnixAddr::from_pathname(&path).unwrap();
            let (r, site) = at!(shim::os::unix::net::unix_datagram::bind_addr(&addr));
            let socket = r.unwrap();
            assert_eq!(named(socket.local_addr()), path);
            site.args(path.display())
        }),
        Case::here("os::unix::net::unix_datagram::connect_addr", |fx| {
            let (a, _b, _, b_path) = unix_datagrams(fx);
            let addr = UnixAddr::from_pathname(&b_path).unwrap();
            let (r, site) = at!(shim::os::unix::net::unix_datagram::connect_addr(&a, &addr));
            r.unwrap();
            assert_eq!(named(a.peer_addr()), b_path);
            site.args(b_path.display())
        }),
        Case::here("os::unix::net::unix_datagram::send_to_addr", |fx| {
            let (a, b, _, b_path) = unix_datagrams(fx);
            let addr = UnixAddr::from_pathname(&b_path).unwrap();
            let (r, site) = at!(shim::os::unix::net::unix_datagram::send_to_addr(
                &a, b"hi", &addr
            ));
            assert_eq!(r.unwrap(), 2);
            let mut buf = [0u8; 8];
            assert_eq!(b.recv(&mut buf).unwrap(), 2);
            site.args(format!("2 bytes, {}", b_path.display()))
        }),
        Case::here("os::unix::net::unix_datagram::connect", |fx| {
            let (a, _b, _, b_path) = unix_datagrams(fx);
            let (r, site) = at!(shim::os::unix::net::unix_datagram::connect(&a, &b_path));
            r.unwrap();
            assert_eq!(named(a.peer_addr()), b_path);
            site.args(b_path.display())
        }),
        Case::here("os::unix::net::unix_datagram::send", |fx| {
            let (a, b, _, b_path) = unix_datagrams(fx);
            a.connect(&b_path).unwrap();
            let (r, site) = at!(shim::os::unix::net::unix_datagram::send(&a, b"hi"));
            assert_eq!(r.unwrap(), 2);
            let mut buf = [0u8; 8];
            assert_eq!(b.recv(&mut buf).unwrap(), 2);
            site.args(format!("{}, 2 bytes", b_path.display()))
        }),
        Case::here("os::unix::net::unix_datagram::send_to", |fx| {
            let (a, b, a_path, b_path) = unix_datagrams(fx);
            let (r, site) = at!(shim::os::unix::net::unix_datagram::send_to(
                &a, b"hi", &b_path
            ));
            assert_eq!(r.unwrap(), 2);
            let mut buf = [0u8; 8];
            let (n, from) = b.recv_from(&mut buf).unwrap();
            assert_eq!((n, from.as_pathname()), (2, Some(a_path.as_path())));
            site.args(format!("2 bytes, {}", b_path.display()))
        }),
        Case::here("os::unix::net::unix_datagram::recv", |fx| {
            let (a, b, _, b_path) = unix_datagrams(fx);
            a.send_to(b"hi", &b_path).unwrap();
            let mut buf = [0u8; 8];
            let (r, site) = at!(shim::os::unix::net::unix_datagram::recv(&b, &mut buf));
            assert_eq!((r.unwrap(), &buf[..2]), (2, &b"hi"[..]));
            site.args(format!("{}, 8 bytes", b_path.display()))
        }),
        Case::here("os::unix::net::unix_datagram::recv_from", |fx| {
            let (a, b, a_path, b_path) = unix_datagrams(fx);
            a.send_to(b"hi", &b_path).unwrap();
            let mut buf = [0u8; 8];
            let (r, site) = at!(shim::os::unix::net::unix_datagram::recv_from(&b, &mut buf));
            let (n, from) = r.unwrap();
            assert_eq!((n, from.as_pathname()), (2, Some(a_path.as_path())));
            site.args(format!("{}, 8 bytes", b_path.display()))
        }),
    ]
}
