//! Method calls with a routed name whose receiver is a place other than a plain binding, or a
//! constant: found annotating h2 and quinn throughout. Each once broke under the attribute (the
//! receiver was moved or copied out of its place, E0507 / E0716 / E0277, or silently copied), or
//! lost a warning the function had; under the attribute each must compile without a new warning
//! and return, and change, exactly what it does without it.

#![deny(warnings)]
// The explicit dereferences are shapes under test.
#![allow(clippy::explicit_auto_deref)]

use std::io::Read;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::{Mutex, mpsc};

use aiocop_ui_tests::recorded;

/// `Copy`, with a method named like `UdpSocket::send` that changes it in place: a copy made by the
/// probe would take the change away.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Counter {
    n: u32,
}

impl Counter {
    fn send(&mut self, k: u32) -> u32 {
        self.n += k;
        self.n
    }
}

#[derive(Debug, Default, PartialEq)]
pub(crate) struct Holder {
    c: Counter,
    pair: (Counter, Counter),
    cs: Vec<Counter>,
}

impl Holder {
    fn get(&mut self) -> &mut Holder {
        self
    }
}

pub(crate) struct Codec {
    inner: Mutex<Vec<u8>>,
    file: std::fs::File,
}

/// h2's shape: the codec is reached through `get_mut()`.
pub(crate) struct Framed(Codec);

impl Framed {
    fn get_mut(&mut self) -> &mut Codec {
        &mut self.0
    }
}

pub(crate) struct Connection {
    codec: Framed,
}

impl Connection {
    #[aiocop::monitor]
    async fn locked_len(&mut self) -> usize {
        // E0507 + E0716: the `Mutex` was moved out of the borrowed codec.
        let guard = self.codec.get_mut().inner.lock().unwrap();
        guard.len()
    }

    #[aiocop::monitor]
    async fn read_codec_file(&mut self) -> std::io::Result<usize> {
        let mut buf = Vec::new();
        self.codec.get_mut().file.read_to_end(&mut buf)
    }
}

#[aiocop::monitor]
async fn unsized_places(bufs: &[u8], size: usize, s: &str) -> (usize, usize) {
    // E0277: `[u8]` and `str` cannot be passed by value.
    (bufs[..size].iter().count(), s[1..].lines().count())
}

#[aiocop::monitor]
async fn indexed_by_expressions(v: &[Mutex<u32>], w: &[(u8, Vec<u32>)], i: usize) -> u32 {
    // E0507: out of a slice, through an index that is an expression.
    let guard = v[i + 1].lock().unwrap();
    *guard + w[i * 2].1.iter().sum::<u32>()
}

#[aiocop::monitor]
async fn deref_of_a_call(v: Box<[u32]>) -> u32 {
    (*v.as_ref()).iter().sum()
}

#[aiocop::monitor]
async fn range_index_moved_once(bufs: &[u8], r: Range<usize>) -> usize {
    // `Range` is not `Copy`: indexing with it twice would move it twice.
    bufs[r].iter().count()
}

#[aiocop::monitor]
async fn copy_places(h: &mut Holder, i: usize) -> Vec<u32> {
    // Compiled, and changed a copy: `h` stayed as it was.
    vec![
        h.get().c.send(1),
        h.cs[i + 1].send(2),
        h.get().pair.1.send(3),
        (*h.get()).c.send(4),
    ]
}

#[aiocop::monitor]
async fn through_a_raw_pointer(h: &mut Holder) -> u32 {
    let ptr: *mut Holder = h;
    // SAFETY: `ptr` comes from a live `&mut Holder` used by nothing else meanwhile.
    unsafe { (*ptr).c.send(10) }
}

static TEXT: &str = "a\nb\nc";
const NAMES: [&str; 2] = ["a\nb", "c"];

fn texts() -> Vec<String> {
    vec!["x\ny".into(), "z".into()]
}

#[aiocop::monitor]
async fn static_place(from: usize) -> usize {
    TEXT[from..].lines().count()
}

#[aiocop::monitor]
async fn constant_and_temporary_indexed(i: usize) -> usize {
    // A constant and a temporary cannot be borrowed raw (E0745): read by reference.
    NAMES[i].lines().count() + texts()[i].lines().count()
}

#[aiocop::monitor]
async fn constants_keep_their_promotion() -> usize {
    // E0716: the constant was passed through a function, a temporary the iterator outlived.
    let some = Some(3).iter();
    let none: std::option::Iter<'_, u8> = None.iter();
    let tuple = (1, 2);
    some.count() + none.count() + tuple.0
}

async fn make_holder() -> Holder {
    Holder {
        cs: vec![Counter::default(); 2],
        ..Holder::default()
    }
}

#[aiocop::monitor]
async fn awaited_base() -> u32 {
    make_holder().await.cs[1].send(7)
}

#[aiocop::monitor]
async fn std_receivers(
    files: &[std::fs::File],
    paths: &[(u8, PathBuf)],
    rxs: &[mpsc::Receiver<u32>],
    i: usize,
) -> (bool, bool, u32) {
    let meta = files[i + 1].metadata().is_ok();
    let exists = paths[i * 2].1.exists();
    (meta, exists, rxs[i + 1].recv().unwrap())
}

#[aiocop::monitor]
async fn with_cfg_parameters(
    #[cfg(any())] removed: u32,
    #[cfg(unix)] kept: u32,
    #[cfg(any())] (a, b): (u32, u32),
    #[cfg(unix)] (c, _d): (u32, u32),
) -> u32 {
    kept + c
}

/// Unused, as the expectation says: the attribute must leave it a `dead_code` warning to fulfil.
#[expect(dead_code)]
#[aiocop::monitor]
async fn unused_annotated() -> u32 {
    1
}

#[must_use]
#[aiocop::monitor]
async fn must_use_result() -> u32 {
    2
}

pub(crate) fn main() {
    let path = std::env::temp_dir().join(format!("aiocop-ui-receivers-{}", std::process::id()));
    std::fs::write(&path, "abc").unwrap();

    let (_, ops) = recorded(async {
        let mut connection = Connection {
            codec: Framed(Codec {
                inner: Mutex::new(vec![1, 2]),
                file: std::fs::File::open(&path).unwrap(),
            }),
        };
        assert_eq!(connection.locked_len().await, 2);
        assert_eq!(connection.read_codec_file().await.unwrap(), 3);
        assert_eq!(unsized_places(&[1, 2, 3], 2, "x\ny\nz").await, (2, 3));
        let locks = [Mutex::new(1), Mutex::new(2)];
        let pairs = [(0, vec![3, 4]), (1, vec![])];
        assert_eq!(indexed_by_expressions(&locks, &pairs, 0).await, 9);
        assert_eq!(deref_of_a_call(vec![1, 2, 3].into_boxed_slice()).await, 6);
        assert_eq!(range_index_moved_once(&[1, 2, 3, 4], 1..3).await, 2);

        let mut annotated = make_holder().await;
        let mut plain = make_holder().await;
        let changed = copy_places(&mut annotated, 0).await;
        let expected = vec![
            plain.get().c.send(1),
            plain.cs[1].send(2),
            plain.get().pair.1.send(3),
            (*plain.get()).c.send(4),
        ];
        assert_eq!(changed, expected);
        assert_eq!(annotated, plain);
        assert_eq!(annotated.c.n, 5);
        assert_eq!(through_a_raw_pointer(&mut annotated).await, 15);
        assert_eq!(static_place(2).await, 2);
        assert_eq!(constant_and_temporary_indexed(0).await, 4);
        assert_eq!(constants_keep_their_promotion().await, 2);
        assert_eq!(awaited_base().await, 7);

        let files = [
            std::fs::File::open(&path).unwrap(),
            std::fs::File::open(&path).unwrap(),
        ];
        let paths = [(0, path.clone()), (1, PathBuf::from("/nonexistent"))];
        let (tx, rx) = mpsc::channel();
        tx.send(8).unwrap();
        let (_, unused) = mpsc::channel();
        assert_eq!(
            std_receivers(&files, &paths, &[unused, rx], 0).await,
            (true, true, 8)
        );
        assert_eq!(with_cfg_parameters(1, (2, 3)).await, 3);
        assert_eq!(must_use_result().await, 2);
    });
    assert_eq!(
        ops,
        [
            "read_codec_file: std::fs::File::read_to_end",
            "std_receivers: std::fs::File::metadata",
            "std_receivers: std::path::Path::exists",
            "std_receivers: std::sync::mpsc::Receiver::recv",
        ]
    );
    std::fs::remove_file(&path).unwrap();
}
