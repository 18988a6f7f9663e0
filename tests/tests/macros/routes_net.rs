//! `#[aiocop::monitor]` on real sockets on loopback: every routed `std::net` and
//! `std::os::unix::net` operation (and name resolution through `ToSocketAddrs`) is recorded with
//! its catalog name and weight at the line of the call, and returns what the same code returns
//! unannotated.

use std::io::{IoSlice, IoSliceMut, Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use std::os::unix::net::{SocketAddr as UnixAddr, UnixDatagram, UnixListener, UnixStream};
use std::time::Duration;

use aiocop::events::collect_events;
use aiocop_lints::catalog::*;
use aiocop_tests::{
    Fixture, Source, assert_nothing_routed, assert_routed, dbg, route_tests, routed, setup, twin,
};

const FILE: &str = "tests/tests/macros/routes_net.rs";
const SRC: Source = Source(include_str!("routes_net.rs"));

fn at(marker: &str) -> u32 {
    SRC.line(marker)
}

twin! {
    /// A TCP listener, two connections to it, and every routed `TcpStream` method.
    async fn tcp / tcp_plain() -> std::io::Result<Vec<String>> {
        let mut out = Vec::new();
        let listener = TcpListener::bind("127.0.0.1:0")?; // @tcp_bind
        let addr = listener.local_addr()?;
        let mut client = TcpStream::connect(addr)?; // @tcp_connect
        let (mut server, from) = listener.accept()?; // @tcp_accept
        out.push(dbg(&(from == client.local_addr()?)));
        client.write_all(b"hello")?; // @tcp_write_all
        out.push(dbg(&client.write(b" "))); // @tcp_write
        let n = client.write_vectored(&[IoSlice::new(b"wor"), IoSlice::new(b"ld")])?; // @tcp_write_vectored
        write!(client, "{}", 42)?; // @tcp_write_macro
        client.flush()?;
        // Reads and peeks on TCP return what has arrived, at least one byte: ask for one at
        // first, so that the results do not depend on how fast loopback delivers.
        let mut peeked = [0u8; 1];
        let peek = server.peek(&mut peeked)?; // @tcp_peek
        out.push(dbg(&(n, peek, peeked)));
        let mut head = [0u8; 5];
        server.read_exact(&mut head)?; // @tcp_read_exact
        let mut one = [0u8; 1];
        let got = server.read(&mut one)?; // @tcp_read
        let (mut a, mut b) = ([0u8; 3], [0u8; 2]);
        let vectored = server.read_vectored(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])?; // @tcp_read_vectored
        out.push(dbg(&(head, got, one, vectored >= 1, a[0])));
        let mut word = vec![0u8; 5 - vectored];
        server.read_exact(&mut word)?; // @tcp_read_exact_rest
        drop(client);
        let mut rest = Vec::new();
        server.read_to_end(&mut rest)?; // @tcp_read_to_end
        out.push(String::from_utf8_lossy(&rest).into_owned());
        let second = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?; // @tcp_connect_timeout
        let mut incoming = listener.incoming(); // @tcp_incoming
        let mut accepted = incoming.next().expect("a connection")?;
        (&second).write_all(b"bye")?; // @tcp_ref_write_all
        drop(second);
        let mut text = String::new();
        accepted.read_to_string(&mut text)?; // @tcp_read_to_string
        out.push(text);
        Ok(out)
    }
}

async fn tcp_is_recorded() -> Vec<&'static str> {
    setup();
    let (out, events) = collect_events(tcp()).await;
    let plain = tcp_plain().await;
    assert_eq!(dbg(&out), dbg(&plain));
    assert_eq!(
        out.unwrap(),
        [
            "true",
            "Ok(1)",
            "(5, 1, [104])",
            "([104, 101, 108, 108, 111], 1, [32], true, 119)",
            "42",
            "bye",
        ]
    );
    // The ports are the listener's, which only the events know: take them from there.
    let texts: Vec<String> = events
        .iter()
        .flat_map(|e| e.blocking_events())
        .map(|b| b.event().to_owned())
        .collect();
    let addr = texts[1]
        .strip_prefix("std::net::TcpStream::connect(")
        .and_then(|t| t.strip_suffix(')'))
        .expect("the connect event shows its address");
    assert!(
        addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
        "{addr}"
    );
    assert_routed(
        FILE,
        &events,
        &[
            routed(&STD_NET_TCP_LISTENER_BIND, at("tcp_bind"), "127.0.0.1:0"),
            routed(&STD_NET_TCP_STREAM_CONNECT, at("tcp_connect"), addr),
            routed(&STD_NET_TCP_LISTENER_ACCEPT, at("tcp_accept"), ""),
            routed(&STD_NET_TCP_STREAM_WRITE_ALL, at("tcp_write_all"), ""),
            routed(&STD_NET_TCP_STREAM_WRITE, at("tcp_write"), ""),
            routed(
                &STD_NET_TCP_STREAM_WRITE_VECTORED,
                at("tcp_write_vectored"),
                "",
            ),
            routed(&STD_NET_TCP_STREAM_WRITE_FMT, at("tcp_write_macro"), ""),
            routed(&STD_NET_TCP_STREAM_PEEK, at("tcp_peek"), "1 bytes"),
            routed(&STD_NET_TCP_STREAM_READ_EXACT, at("tcp_read_exact"), ""),
            routed(&STD_NET_TCP_STREAM_READ, at("tcp_read"), ""),
            routed(
                &STD_NET_TCP_STREAM_READ_VECTORED,
                at("tcp_read_vectored"),
                "",
            ),
            routed(
                &STD_NET_TCP_STREAM_READ_EXACT,
                at("tcp_read_exact_rest"),
                "",
            ),
            routed(&STD_NET_TCP_STREAM_READ_TO_END, at("tcp_read_to_end"), ""),
            routed(
                &STD_NET_TCP_STREAM_CONNECT_TIMEOUT,
                at("tcp_connect_timeout"),
                format!("{addr}, Duration::from_secs(5)"),
            ),
            routed(&STD_NET_TCP_LISTENER_INCOMING, at("tcp_incoming"), ""),
            routed(&STD_NET_TCP_STREAM_WRITE_ALL, at("tcp_ref_write_all"), ""),
            routed(
                &STD_NET_TCP_STREAM_READ_TO_STRING,
                at("tcp_read_to_string"),
                "",
            ),
        ],
    )
}

twin! {
    /// Two UDP sockets on loopback and every routed `UdpSocket` method.
    async fn udp / udp_plain() -> std::io::Result<Vec<String>> {
        let a = UdpSocket::bind("127.0.0.1:0")?; // @udp_bind
        let b = UdpSocket::bind(("127.0.0.1", 0))?; // @udp_bind_tuple
        let (a_addr, b_addr) = (a.local_addr()?, b.local_addr()?);
        a.connect(b_addr)?; // @udp_connect
        a.send(b"ping")?; // @udp_send
        let mut buf = [0u8; 16];
        let peeked = b.peek(&mut buf)?; // @udp_peek
        let (peeked_from, peer) = b.peek_from(&mut buf)?; // @udp_peek_from
        let received = b.recv(&mut buf)?; // @udp_recv
        let first = buf[..received].to_vec();
        b.send_to(b"pong", a_addr)?; // @udp_send_to
        let mut reply = [0u8; 16];
        let (n, from) = a.recv_from(&mut reply)?; // @udp_recv_from
        Ok(vec![
            dbg(&(peeked, peeked_from, peer == a_addr, first)),
            dbg(&(n, from == b_addr, &reply[..n])),
        ])
    }
}

async fn udp_is_recorded() -> Vec<&'static str> {
    setup();
    let (out, events) = collect_events(udp()).await;
    let plain = udp_plain().await;
    assert_eq!(dbg(&out), dbg(&plain));
    assert_eq!(
        out.unwrap(),
        [
            "(4, 4, true, [112, 105, 110, 103])",
            "(4, true, [112, 111, 110, 103])"
        ]
    );
    let texts: Vec<String> = events
        .iter()
        .flat_map(|e| e.blocking_events())
        .map(|b| b.event().to_owned())
        .collect();
    let b_addr = texts[2]
        .strip_prefix("std::net::UdpSocket::connect(")
        .and_then(|t| t.strip_suffix(')'))
        .expect("the connect event shows its address");
    let a_addr = texts[7]
        .strip_prefix("std::net::UdpSocket::send_to(4 bytes, ")
        .and_then(|t| t.strip_suffix(')'))
        .expect("the send_to event shows its address");
    assert_ne!(a_addr, b_addr);
    assert_routed(
        FILE,
        &events,
        &[
            routed(&STD_NET_UDP_SOCKET_BIND, at("udp_bind"), "127.0.0.1:0"),
            routed(
                &STD_NET_UDP_SOCKET_BIND,
                at("udp_bind_tuple"),
                "(\"127.0.0.1\", 0)",
            ),
            routed(&STD_NET_UDP_SOCKET_CONNECT, at("udp_connect"), b_addr),
            routed(&STD_NET_UDP_SOCKET_SEND, at("udp_send"), "4 bytes"),
            routed(&STD_NET_UDP_SOCKET_PEEK, at("udp_peek"), "16 bytes"),
            routed(
                &STD_NET_UDP_SOCKET_PEEK_FROM,
                at("udp_peek_from"),
                "16 bytes",
            ),
            routed(&STD_NET_UDP_SOCKET_RECV, at("udp_recv"), "16 bytes"),
            routed(
                &STD_NET_UDP_SOCKET_SEND_TO,
                at("udp_send_to"),
                format!("4 bytes, {a_addr}"),
            ),
            routed(
                &STD_NET_UDP_SOCKET_RECV_FROM,
                at("udp_recv_from"),
                "16 bytes",
            ),
        ],
    )
}

twin! {
    /// Name resolution through every `ToSocketAddrs` source that resolves: `str`, `String`,
    /// `(&str, u16)` and `(String, u16)`.
    async fn resolve / resolve_plain() -> std::io::Result<Vec<String>> {
        let literal: Vec<_> = "127.0.0.1:80".to_socket_addrs()?.collect(); // @resolve_str
        let host = String::from("localhost:8080");
        let named: Vec<_> = host.to_socket_addrs()?.collect(); // @resolve_string
        let pair: Vec<_> = ("127.0.0.1", 443).to_socket_addrs()?.collect(); // @resolve_pair
        let owned = (String::from("127.0.0.1"), 9);
        let owned_pair: Vec<_> = owned.to_socket_addrs()?.collect(); // @resolve_owned_pair
        let bad = "no port here".to_socket_addrs().map(|_| ()).map_err(|e| e.kind()); // @resolve_bad
        Ok(vec![
            dbg(&literal),
            dbg(&named.iter().all(|a| a.ip().is_loopback() && a.port() == 8080)),
            dbg(&pair),
            dbg(&owned_pair),
            dbg(&bad),
        ])
    }
}

async fn name_resolution_is_recorded() -> Vec<&'static str> {
    setup();
    let (out, events) = collect_events(resolve()).await;
    let plain = resolve_plain().await;
    assert_eq!(dbg(&out), dbg(&plain));
    assert_eq!(
        out.unwrap(),
        [
            "[127.0.0.1:80]",
            "true",
            "[127.0.0.1:443]",
            "[127.0.0.1:9]",
            "Err(InvalidInput)",
        ]
    );
    let op = &STD_NET_TO_SOCKET_ADDRS_TO_SOCKET_ADDRS;
    assert_routed(
        FILE,
        &events,
        &[
            routed(op, at("resolve_str"), "127.0.0.1:80"),
            routed(op, at("resolve_string"), "localhost:8080"),
            routed(op, at("resolve_pair"), "127.0.0.1:443"),
            routed(op, at("resolve_owned_pair"), "127.0.0.1:9"),
            routed(op, at("resolve_bad"), "no port here"),
        ],
    )
}

twin! {
    /// A Unix listener, streams connected by path and by address, and every routed
    /// `UnixStream` and `UnixListener` operation.
    async fn unix_streams / unix_streams_plain(fx: &Fixture) -> std::io::Result<Vec<String>> {
        let path = fx.path("s.sock");
        let mut out = Vec::new();
        let listener = UnixListener::bind(&path)?; // @unix_bind
        let mut client = UnixStream::connect(&path)?; // @unix_connect
        let (mut server, _) = listener.accept()?; // @unix_accept
        client.write_all(b"hello")?; // @unix_write_all
        out.push(dbg(&client.write(b" "))); // @unix_write
        let n = client.write_vectored(&[IoSlice::new(b"wor"), IoSlice::new(b"ld")])?; // @unix_write_vectored
        writeln!(client, "!")?; // @unix_write_macro
        let mut head = [0u8; 5];
        server.read_exact(&mut head)?; // @unix_read_exact
        let mut one = [0u8; 1];
        let got = server.read(&mut one)?; // @unix_read
        let (mut a, mut b) = ([0u8; 3], [0u8; 2]);
        let vectored = server.read_vectored(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])?; // @unix_read_vectored
        out.push(dbg(&(n, head, got, one, vectored, a, b)));
        drop(client);
        let mut rest = Vec::new();
        server.read_to_end(&mut rest)?; // @unix_read_to_end
        out.push(String::from_utf8_lossy(&rest).into_owned());
        let addr = UnixAddr::from_pathname(&path)?;
        let second = UnixStream::connect_addr(&addr)?; // @unix_connect_addr
        let mut incoming = listener.incoming(); // @unix_incoming
        let mut accepted = incoming.next().expect("a connection")?;
        (&second).write_all(b"bye")?; // @unix_ref_write_all
        drop(second);
        let mut text = String::new();
        accepted.read_to_string(&mut text)?; // @unix_read_to_string
        out.push(text);
        let other = fx.path("other.sock");
        let by_addr = UnixListener::bind_addr(&UnixAddr::from_pathname(&other)?)?; // @unix_listener_bind_addr
        out.push(fx.rel(by_addr.local_addr()?.as_pathname().expect("a path")));
        Ok(out)
    }
}

async fn unix_streams_are_recorded() -> Vec<&'static str> {
    setup();
    let fx = Fixture::new();
    let (out, events) = collect_events(unix_streams(&fx)).await;
    let plain = unix_streams_plain(&Fixture::new()).await;
    assert_eq!(dbg(&out), dbg(&plain));
    assert_eq!(
        out.unwrap(),
        [
            "Ok(1)",
            "(5, [104, 101, 108, 108, 111], 1, [32], 5, [119, 111, 114], [108, 100])",
            "!\n",
            "bye",
            "<fx>/other.sock",
        ]
    );
    let path = fx.path("s.sock");
    let path = path.display();
    assert_routed(
        FILE,
        &events,
        &[
            routed(&STD_OS_UNIX_NET_UNIX_LISTENER_BIND, at("unix_bind"), &path),
            routed(
                &STD_OS_UNIX_NET_UNIX_STREAM_CONNECT,
                at("unix_connect"),
                &path,
            ),
            routed(&STD_OS_UNIX_NET_UNIX_LISTENER_ACCEPT, at("unix_accept"), ""),
            routed(
                &STD_OS_UNIX_NET_UNIX_STREAM_WRITE_ALL,
                at("unix_write_all"),
                "",
            ),
            routed(&STD_OS_UNIX_NET_UNIX_STREAM_WRITE, at("unix_write"), ""),
            routed(
                &STD_OS_UNIX_NET_UNIX_STREAM_WRITE_VECTORED,
                at("unix_write_vectored"),
                "",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_STREAM_WRITE_FMT,
                at("unix_write_macro"),
                "",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_STREAM_READ_EXACT,
                at("unix_read_exact"),
                "",
            ),
            routed(&STD_OS_UNIX_NET_UNIX_STREAM_READ, at("unix_read"), ""),
            routed(
                &STD_OS_UNIX_NET_UNIX_STREAM_READ_VECTORED,
                at("unix_read_vectored"),
                "",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_STREAM_READ_TO_END,
                at("unix_read_to_end"),
                "",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_STREAM_CONNECT_ADDR,
                at("unix_connect_addr"),
                "&addr",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_LISTENER_INCOMING,
                at("unix_incoming"),
                "",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_STREAM_WRITE_ALL,
                at("unix_ref_write_all"),
                "",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_STREAM_READ_TO_STRING,
                at("unix_read_to_string"),
                "",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_LISTENER_BIND_ADDR,
                at("unix_listener_bind_addr"),
                "&UnixAddr::from_pathname(&other)?",
            ),
        ],
    )
}

twin! {
    /// Unix datagram sockets bound by path and by address, and every routed `UnixDatagram`
    /// method.
    async fn unix_datagrams / unix_datagrams_plain(fx: &Fixture) -> std::io::Result<Vec<String>> {
        let (a_path, b_path) = (fx.path("a.dgram"), fx.path("b.dgram"));
        let a = UnixDatagram::bind(&a_path)?; // @dgram_bind
        let b = UnixDatagram::bind_addr(&UnixAddr::from_pathname(&b_path)?)?; // @dgram_bind_addr
        a.connect(&b_path)?; // @dgram_connect
        a.send(b"one")?; // @dgram_send
        let mut buf = [0u8; 8];
        let first = b.recv(&mut buf)?; // @dgram_recv
        b.send_to(b"two", &a_path)?; // @dgram_send_to
        let (second, from) = a.recv_from(&mut buf)?; // @dgram_recv_from
        let b_addr = UnixAddr::from_pathname(&b_path)?;
        let c = UnixDatagram::unbound()?;
        c.connect_addr(&b_addr)?; // @dgram_connect_addr
        let sent = c.send_to_addr(b"three", &b_addr)?; // @dgram_send_to_addr
        let mut last = [0u8; 8];
        let third = b.recv(&mut last)?; // @dgram_recv_again
        Ok(vec![
            dbg(&(first, second, fx.rel(from.as_pathname().expect("a path")))),
            dbg(&(sent, third, &last[..third])),
        ])
    }
}

async fn unix_datagrams_are_recorded() -> Vec<&'static str> {
    setup();
    let fx = Fixture::new();
    let (out, events) = collect_events(unix_datagrams(&fx)).await;
    let plain = unix_datagrams_plain(&Fixture::new()).await;
    assert_eq!(dbg(&out), dbg(&plain));
    assert_eq!(
        out.unwrap(),
        [
            r#"(3, 3, "<fx>/b.dgram")"#,
            "(5, 5, [116, 104, 114, 101, 101])"
        ]
    );
    let (a_path, b_path) = (fx.path("a.dgram"), fx.path("b.dgram"));
    let (a_path, b_path) = (a_path.display(), b_path.display());
    assert_routed(
        FILE,
        &events,
        &[
            routed(
                &STD_OS_UNIX_NET_UNIX_DATAGRAM_BIND,
                at("dgram_bind"),
                &a_path,
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_DATAGRAM_BIND_ADDR,
                at("dgram_bind_addr"),
                "&UnixAddr::from_pathname(&b_path)?",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_DATAGRAM_CONNECT,
                at("dgram_connect"),
                &b_path,
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND,
                at("dgram_send"),
                "3 bytes",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_DATAGRAM_RECV,
                at("dgram_recv"),
                "8 bytes",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND_TO,
                at("dgram_send_to"),
                format!("3 bytes, {a_path}"),
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_DATAGRAM_RECV_FROM,
                at("dgram_recv_from"),
                "8 bytes",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_DATAGRAM_CONNECT_ADDR,
                at("dgram_connect_addr"),
                "&b_addr",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND_TO_ADDR,
                at("dgram_send_to_addr"),
                "5 bytes, &b_addr",
            ),
            routed(
                &STD_OS_UNIX_NET_UNIX_DATAGRAM_RECV,
                at("dgram_recv_again"),
                "8 bytes",
            ),
        ],
    )
}

/// A user type whose methods are named like the sockets'.
struct Peer {
    inbox: Vec<u8>,
}

impl Peer {
    fn connect(&mut self, addr: &str) -> usize {
        addr.len()
    }
    fn accept(&self) -> Option<u8> {
        self.inbox.first().copied()
    }
    fn send(&mut self, byte: u8) -> usize {
        self.inbox.push(byte);
        self.inbox.len()
    }
    fn recv(&mut self) -> Option<u8> {
        self.inbox.pop()
    }
    fn peek(&self) -> Option<&u8> {
        self.inbox.last()
    }
    fn incoming(&self) -> std::slice::Iter<'_, u8> {
        self.inbox.iter()
    }
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.inbox.extend_from_slice(bytes);
        Ok(())
    }
}

mod tokio_side {
    //! tokio's socket types under std's names, as a module that imports them would see them.

    use std::net::{Ipv4Addr, SocketAddr};

    use aiocop_tests::dbg;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::{TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream};

    #[aiocop::monitor]
    pub(crate) async fn tokio_sockets(dir: &std::path::Path) -> std::io::Result<Vec<String>> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let connecting = TcpStream::connect(addr);
        let mut client = connecting.await?;
        let accepting = listener.accept();
        let (mut server, _) = accepting.await?;
        let writing = client.write_all(b"hi");
        writing.await?;
        let mut buf = [0u8; 2];
        let reading = server.read_exact(&mut buf);
        reading.await?;
        let udp = UdpSocket::bind(("127.0.0.1", 0)).await?;
        let other = UdpSocket::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await?;
        let sending = udp.send_to(b"u", other.local_addr()?);
        sending.await?;
        let mut one = [0u8; 1];
        let receiving = other.recv_from(&mut one);
        let (n, _) = receiving.await?;
        let path = dir.join("t.sock");
        let unix = UnixListener::bind(&path)?;
        let connecting = UnixStream::connect(&path);
        let _stream = connecting.await?;
        let (_accepted, _) = unix.accept().await?;
        Ok(vec![dbg(&(buf, n, one))])
    }
}

#[aiocop::monitor]
async fn net_look_alikes() -> Vec<String> {
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};
    let mut peer = Peer { inbox: vec![1] };
    let resolved: Vec<SocketAddr> = SocketAddr::from(([127, 0, 0, 1], 80))
        .to_socket_addrs()
        .unwrap()
        .collect();
    let by_ip: Vec<SocketAddr> = (IpAddr::from(Ipv4Addr::LOCALHOST), 81)
        .to_socket_addrs()
        .unwrap()
        .collect();
    let by_v4: Vec<SocketAddr> = (Ipv4Addr::LOCALHOST, 82)
        .to_socket_addrs()
        .unwrap()
        .collect();
    let sent = peer.send(2);
    peer.write_all(&[3]).unwrap();
    vec![
        dbg(&(resolved, by_ip, by_v4)),
        dbg(&(
            peer.connect("x:1"),
            peer.accept(),
            sent,
            peer.recv(),
            peer.peek(),
        )),
        dbg(&peer.incoming().count()),
    ]
}

async fn net_look_alikes_record_nothing() -> Vec<&'static str> {
    setup();
    let (out, events) = collect_events(net_look_alikes()).await;
    assert_eq!(
        out,
        [
            "([127.0.0.1:80], [127.0.0.1:81], [127.0.0.1:82])",
            "(3, Some(1), 2, Some(3), Some(2))",
            "2",
        ]
    );
    assert_nothing_routed(&events);
    let fx = Fixture::new();
    let (out, events) = collect_events(tokio_side::tokio_sockets(fx.dir())).await;
    assert_eq!(out.unwrap(), ["([104, 105], 1, [117])"]);
    assert_nothing_routed(&events)
}

route_tests!(
    "net";
    tcp_is_recorded,
    udp_is_recorded,
    name_resolution_is_recorded,
    unix_streams_are_recorded,
    unix_datagrams_are_recorded,
    net_look_alikes_record_nothing,
);
