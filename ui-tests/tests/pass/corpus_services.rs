//! Corpus: service plumbing: std channels and threads next to tokio tasks, `spawn_blocking` and
//! `block_in_place` used correctly, `thread::scope`, name resolution, and a loopback TCP exchange
//! with std sockets. Everything compiles under the attribute and behaves as without it.

#![deny(warnings)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use aiocop_ui_tests::recorded;

#[aiocop::monitor]
async fn fan_out(jobs: Vec<u64>) -> u64 {
    let (tx, rx) = mpsc::channel();
    let handles: Vec<_> = jobs
        .into_iter()
        .map(|n| {
            let tx = tx.clone();
            thread::spawn(move || tx.send(n * n).unwrap())
        })
        .collect();
    drop(tx);
    for h in handles {
        h.join().unwrap();
    }
    rx.iter().sum()
}

#[aiocop::monitor]
async fn offloaded_hash(data: Vec<u8>) -> u64 {
    tokio::task::spawn_blocking(move || {
        thread::sleep(Duration::from_millis(1));
        data.iter().fold(0xcbf29ce484222325u64, |h, b| {
            (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
        })
    })
    .await
    .unwrap_or(0)
}

#[aiocop::monitor]
async fn scoped_sum(chunks: &[Vec<u32>]) -> u32 {
    thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|c| s.spawn(move || c.iter().sum::<u32>()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

#[aiocop::monitor]
async fn resolve_local(port: u16) -> std::io::Result<Vec<String>> {
    let mut addrs: Vec<String> = ("127.0.0.1", port)
        .to_socket_addrs()?
        .map(|a| a.to_string())
        .collect();
    addrs.sort();
    Ok(addrs)
}

#[aiocop::monitor]
async fn ping_pong(listener: &TcpListener) -> std::io::Result<String> {
    let addr = listener.local_addr()?;
    let mut client = TcpStream::connect(addr)?;
    let (mut server, _) = listener.accept()?;
    client.write_all(b"ping")?;
    let mut buf = [0u8; 4];
    server.read_exact(&mut buf)?;
    server.write_all(b"pong")?;
    let mut reply = [0u8; 4];
    client.read_exact(&mut reply)?;
    Ok(format!(
        "{}/{}",
        String::from_utf8_lossy(&buf),
        String::from_utf8_lossy(&reply)
    ))
}

#[aiocop::monitor]
async fn worker_status(rx: &mpsc::Receiver<&'static str>) -> Vec<&'static str> {
    let mut seen = Vec::new();
    while let Ok(status) = rx.try_recv() {
        seen.push(status);
    }
    if let Ok(last) = rx.recv_timeout(Duration::from_millis(1)) {
        seen.push(last);
    }
    seen
}

#[aiocop::monitor]
async fn spawn_tasks(n: u32) -> u32 {
    let mut set = tokio::task::JoinSet::new();
    for i in 0..n {
        set.spawn(async move { i * 2 });
    }
    let mut total = 0;
    while let Some(r) = set.join_next().await {
        total += r.unwrap();
    }
    total
}

pub(crate) fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let (tx, rx) = mpsc::channel();
    tx.send("started").unwrap();
    tx.send("busy").unwrap();

    let (_, ops) = recorded(async {
        assert_eq!(fan_out(vec![1, 2, 3]).await, 14);
        assert_ne!(offloaded_hash(vec![1, 2]).await, 0);
        assert_eq!(scoped_sum(&[vec![1, 2], vec![3]]).await, 6);
        assert_eq!(resolve_local(8080).await.unwrap(), ["127.0.0.1:8080"]);
        assert_eq!(ping_pong(&listener).await.unwrap(), "ping/pong");
        assert_eq!(worker_status(&rx).await, ["started", "busy"]);
        assert_eq!(spawn_tasks(4).await, 12);
    });
    let ops: Vec<&str> = ops.iter().map(String::as_str).collect();
    assert_eq!(
        ops,
        [
            "fan_out: std::thread::JoinHandle::join",
            "fan_out: std::thread::JoinHandle::join",
            "fan_out: std::thread::JoinHandle::join",
            "fan_out: std::sync::mpsc::Receiver::iter",
            // The scope's closure runs on the polling thread: its joins block it. `scope` itself
            // is recorded when it returns (its probe looks at the result).
            "scoped_sum: std::thread::ScopedJoinHandle::join",
            "scoped_sum: std::thread::ScopedJoinHandle::join",
            "scoped_sum: std::thread::scope",
            "resolve_local: std::net::ToSocketAddrs::to_socket_addrs",
            "ping_pong: std::net::TcpStream::connect",
            "ping_pong: std::net::TcpListener::accept",
            "ping_pong: std::net::TcpStream::write_all",
            "ping_pong: std::net::TcpStream::read_exact",
            "ping_pong: std::net::TcpStream::write_all",
            "ping_pong: std::net::TcpStream::read_exact",
            "worker_status: std::sync::mpsc::Receiver::recv_timeout",
        ]
    );
}
