//! `#[aiocop::monitor]` on method calls whose receiver is a place other than a plain binding (a
//! field reached through a call, an index that is an expression, a dereference of a call's
//! result), a constant, or a temporary: the call as written runs exactly once, borrowing or
//! moving its receiver as it does unannotated, so each annotated function returns and changes what
//! its plain twin does; where the receiver is std's, the call is still recorded, with its line.

// The explicit dereferences are shapes under test; each call is a statement of its own, so that
// its temporaries (a `RefMut`) are gone before the next.
#![allow(clippy::explicit_auto_deref, clippy::vec_init_then_push)]

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{Read, Write};
use std::net::ToSocketAddrs;
use std::path::PathBuf;
use std::sync::{Mutex, mpsc};

use aiocop::events::collect_events;
use aiocop_lints::catalog::*;
use aiocop_tests::{Fixture, Source, assert_routed, current_thread, dbg, routed, setup, twin};

const FILE: &str = "tests/tests/macros/receivers.rs";
const SRC: Source = Source(include_str!("receivers.rs"));

fn at(marker: &str) -> u32 {
    SRC.line(marker)
}

/// `Copy`, with methods named like std's blocking ones that change it in place: a probe that
/// copied the receiver would leave the original unchanged.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Counter {
    n: u32,
}

impl Counter {
    /// Named like `UdpSocket::send`.
    fn send(&mut self, k: u32) -> u32 {
        self.n += k;
        self.n
    }

    /// Named like `Child::wait`, by value: a copy is what it gets either way.
    fn wait(self) -> u32 {
        self.n
    }
}

#[derive(Debug, Default, PartialEq)]
struct Holder {
    c: Counter,
    pair: (Counter, Counter),
    cs: Vec<Counter>,
    boxed: Box<Counter>,
}

impl Holder {
    fn new() -> Self {
        Holder {
            cs: vec![Counter::default(); 4],
            ..Holder::default()
        }
    }

    fn get(&mut self) -> &mut Holder {
        self
    }

    async fn get_later(&mut self) -> &mut Holder {
        tokio::task::yield_now().await;
        self
    }
}

twin! {
    /// Every shape of place a `Copy` receiver can stand in, changed in place by `send`.
    async fn copy_places / copy_places_plain(h: &mut Holder, i: usize) -> Vec<u32> {
        let cell = RefCell::new(Counter::default());
        let mut out = Vec::new();
        out.push(h.get().c.send(1));
        out.push(h.get().pair.1.send(2));
        out.push(h.cs[i + 1].send(3));
        out.push(h.get().cs[i * 2].send(4));
        out.push((*h.get()).c.send(5));
        out.push((*h.get().boxed).send(6));
        out.push(h.boxed.send(7));
        out.push(cell.borrow_mut().send(8));
        out.push((*cell.borrow_mut()).send(9));
        out.push(h.get().pair.0.wait());
        out.push(cell.borrow().wait());
        out.push(h.get_later().await.c.send(10));
        out.push((*h.get_later().await).cs[0].send(11));
        out
    }
}

#[test]
fn a_copy_place_is_changed_where_it_stands() {
    setup();
    let rt = current_thread();
    let (mut annotated, mut plain) = (Holder::new(), Holder::new());
    let got = rt.block_on(copy_places(&mut annotated, 1));
    let want = rt.block_on(copy_places_plain(&mut plain, 1));
    assert_eq!(got, want);
    assert_eq!(got, [1, 2, 3, 7, 6, 6, 13, 8, 17, 0, 17, 16, 11]);
    assert_eq!(annotated, plain);
    // Not only equal: changed (a probe's copy would have left every field at 0).
    assert_eq!(
        (annotated.c.n, annotated.pair.1.n, annotated.cs[0].n),
        (16, 2, 11)
    );
    assert_eq!((annotated.cs[2].n, annotated.boxed.n), (7, 13));
}

/// Counts how often the receiver's expression is evaluated.
struct Evaluations {
    evaluations: Cell<u32>,
    holder: RefCell<Holder>,
}

impl Evaluations {
    fn next(&self) -> std::cell::RefMut<'_, Holder> {
        self.evaluations.set(self.evaluations.get() + 1);
        self.holder.borrow_mut()
    }

    fn index(&self) -> usize {
        self.evaluations.set(self.evaluations.get() + 1);
        1
    }
}

twin! {
    /// Receivers whose expression has side effects: each is evaluated once, by the call.
    async fn evaluated_once / evaluated_once_plain(src: &Evaluations, cs: &mut [Counter]) -> Vec<u32> {
        let mut out = Vec::new();
        out.push(src.next().c.send(1));
        out.push(src.next().cs[src.index()].send(2));
        out.push(cs[src.index()].send(3));
        out.push((*src.next()).pair.0.send(4));
        out
    }
}

#[test]
fn a_receiver_is_evaluated_once() {
    setup();
    let rt = current_thread();
    let source = || Evaluations {
        evaluations: Cell::new(0),
        holder: RefCell::new(Holder::new()),
    };
    let (annotated, plain) = (source(), source());
    let (mut cs, mut cs_plain) = ([Counter::default(); 2], [Counter::default(); 2]);
    let got = rt.block_on(evaluated_once(&annotated, &mut cs));
    let want = rt.block_on(evaluated_once_plain(&plain, &mut cs_plain));
    assert_eq!(got, want);
    assert_eq!(got, [1, 2, 3, 4]);
    assert_eq!(annotated.evaluations.get(), 5);
    assert_eq!(plain.evaluations.get(), 5);
    assert_eq!(cs, cs_plain);
    assert_eq!(*annotated.holder.borrow(), *plain.holder.borrow());
}

/// h2's and quinn's shapes, around std types.
struct Codec {
    file: File,
    lines: Mutex<Vec<String>>,
}

struct Framed(Codec);

impl Framed {
    fn get_mut(&mut self) -> &mut Codec {
        &mut self.0
    }
}

struct Connection {
    codec: Framed,
    state: Mutex<Codec>,
    shared: tokio::sync::Mutex<Codec>,
}

impl Connection {
    #[aiocop::monitor]
    async fn read_through_calls(&mut self, i: usize) -> std::io::Result<Vec<String>> {
        let mut out = Vec::new();
        let mut text = String::new();
        self.codec.get_mut().file.read_to_string(&mut text)?; // @codec_read
        out.push(text);
        let mut buf = Vec::new();
        self.state.lock().unwrap().file.read_to_end(&mut buf)?; // @guard_read
        out.push(dbg(&buf));
        out.push(dbg(&self.codec.get_mut().lines.lock().unwrap().len()));
        let files = [&self.codec.0.file, &self.codec.0.file];
        out.push(dbg(&files[i + 1].metadata()?.len())); // @indexed_metadata
        let mut buf = Vec::new();
        self.shared.lock().await.file.read_to_end(&mut buf)?; // @awaited_read
        out.push(dbg(&buf));
        Ok(out)
    }
}

twin! {
    /// Std receivers at places reached through indexes and dereferences.
    async fn std_places / std_places_plain(
        fx: &Fixture,
        paths: &[(u8, PathBuf)],
        rxs: &[mpsc::Receiver<u32>],
        addr: &str,
        i: usize,
    ) -> std::io::Result<Vec<String>> {
        let mut out = Vec::new();
        out.push(dbg(&paths[i * 2].1.exists())); // @indexed_exists
        out.push(dbg(&rxs[i + 1].recv())); // @indexed_recv
        out.push(dbg(&addr[1..].to_socket_addrs()?.count())); // @unsized_resolve
        let written = fx.path("out.txt");
        let mut files = vec![File::create(&written)?]; // @create
        write!(files[i / 2], "x")?; // @indexed_write
        let boxed: Box<[File]> = files.into_boxed_slice();
        (*boxed.as_ref())[0].sync_all()?; // @deref_sync
        Ok(out)
    }
}

#[test]
fn std_receivers_at_any_place_are_recorded() {
    setup();
    let rt = current_thread();
    let fx = Fixture::new();
    let path = fx.file("in.txt", b"abc");
    let mut connection = Connection {
        codec: Framed(Codec {
            file: File::open(&path).unwrap(),
            lines: Mutex::new(vec!["l".into()]),
        }),
        state: Mutex::new(Codec {
            file: File::open(&path).unwrap(),
            lines: Mutex::new(Vec::new()),
        }),
        shared: tokio::sync::Mutex::new(Codec {
            file: File::open(&path).unwrap(),
            lines: Mutex::new(Vec::new()),
        }),
    };
    let (out, events) = rt.block_on(collect_events(connection.read_through_calls(0)));
    assert_eq!(
        out.unwrap(),
        ["abc", "[97, 98, 99]", "1", "3", "[97, 98, 99]"].map(String::from)
    );
    assert_routed(
        FILE,
        &events,
        &[
            routed(&STD_FS_FILE_READ_TO_STRING, at("codec_read"), ""),
            routed(&STD_FS_FILE_READ_TO_END, at("guard_read"), ""),
            routed(&STD_FS_FILE_METADATA, at("indexed_metadata"), ""),
            routed(&STD_FS_FILE_READ_TO_END, at("awaited_read"), ""),
        ],
    );

    let channels = || {
        let (tx, rx) = mpsc::channel();
        tx.send(5).unwrap();
        [mpsc::channel().1, rx]
    };
    let paths = [(0, path.clone()), (1, PathBuf::from("/nonexistent"))];
    let (out, events) = rt.block_on(collect_events(std_places(
        &fx,
        &paths,
        &channels(),
        " 127.0.0.1:80",
        0,
    )));
    let plain_fx = Fixture::new();
    let plain = rt.block_on(std_places_plain(
        &plain_fx,
        &paths,
        &channels(),
        " 127.0.0.1:80",
        0,
    ));
    assert_eq!(dbg(&out), dbg(&plain));
    assert_eq!(out.unwrap(), ["true", "Ok(5)", "1"].map(String::from));
    assert_eq!(std::fs::read_to_string(fx.path("out.txt")).unwrap(), "x");
    let created = fx.path("out.txt");
    assert_routed(
        FILE,
        &events,
        &[
            // A place known by its type alone is shown by its text as written.
            routed(
                &STD_PATH_PATH_EXISTS,
                at("indexed_exists"),
                "paths[i * 2].1",
            ),
            routed(&STD_SYNC_MPSC_RECEIVER_RECV, at("indexed_recv"), ""),
            routed(
                &STD_NET_TO_SOCKET_ADDRS_TO_SOCKET_ADDRS,
                at("unsized_resolve"),
                "addr[1..]",
            ),
            routed(&STD_FS_FILE_CREATE, at("create"), created.display()),
            routed(&STD_FS_FILE_WRITE_FMT, at("indexed_write"), ""),
            routed(&STD_FS_FILE_SYNC_ALL, at("deref_sync"), ""),
        ],
    );
}

twin! {
    /// Receivers that are constants or temporaries.
    async fn constants_and_temporaries / constants_and_temporaries_plain(
        fx: &Fixture,
    ) -> std::io::Result<Vec<String>> {
        let mut out = Vec::new();
        // Promoted to `'static` and borrowed past the statement, as without the attribute.
        let some = Some(3).iter();
        let none: std::option::Iter<'_, u8> = None.iter();
        out.push(dbg(&(some.count(), none.count())));
        out.push(dbg(&("127.0.0.1", 443).to_socket_addrs()?.count())); // @tuple_resolve
        out.push(dbg(&"127.0.0.1:80".to_socket_addrs()?.count())); // @literal_resolve
        let mut text = String::new();
        let path = fx.file("t.txt", b"t");
        File::open(&path)?.read_to_string(&mut text)?; // @temporary_read
        out.push(text);
        Ok(out)
    }
}

#[test]
fn constants_keep_their_promotion_and_temporaries_are_probed() {
    setup();
    let rt = current_thread();
    let fx = Fixture::new();
    let (out, events) = rt.block_on(collect_events(constants_and_temporaries(&fx)));
    let plain = rt.block_on(constants_and_temporaries_plain(&Fixture::new()));
    assert_eq!(dbg(&out), dbg(&plain));
    let path = fx.path("t.txt");
    assert_routed(
        FILE,
        &events,
        &[
            routed(
                &STD_NET_TO_SOCKET_ADDRS_TO_SOCKET_ADDRS,
                at("tuple_resolve"),
                "127.0.0.1:443",
            ),
            routed(
                &STD_NET_TO_SOCKET_ADDRS_TO_SOCKET_ADDRS,
                at("literal_resolve"),
                "127.0.0.1:80",
            ),
            routed(&STD_FS_FILE_OPEN, at("temporary_read"), path.display()),
            routed(&STD_FS_FILE_READ_TO_STRING, at("temporary_read"), ""),
        ],
    );
}
