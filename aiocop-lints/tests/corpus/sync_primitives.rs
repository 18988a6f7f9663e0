// Threads, channels, condition variables and barriers.
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::time::Duration;

async fn join_thread() -> u32 {
    let handle = std::thread::spawn(|| 1 + 1);
    handle.join().unwrap() //~ BLOCKING std::thread::JoinHandle::join
}

async fn join_chained() {
    std::thread::spawn(|| ()).join().ok(); //~ BLOCKING std::thread::JoinHandle::join
}

async fn channels() {
    let (tx, rx) = mpsc::channel::<u32>();
    tx.send(1).unwrap(); //~ OK
    let _ = rx.recv(); //~ BLOCKING std::sync::mpsc::Receiver::recv
    let _ = rx.recv_timeout(Duration::from_secs(1)); //~ BLOCKING std::sync::mpsc::Receiver::recv_timeout
    let _ = rx.try_recv(); //~ OK
}

async fn bounded(tx: SyncSender<u8>, rx: Receiver<u8>) {
    tx.send(1).unwrap(); //~ BLOCKING std::sync::mpsc::SyncSender::send
    rx.recv().ok(); //~ BLOCKING std::sync::mpsc::Receiver::recv
}

// A local `sync_channel(n)` whose sender, in the rest of its block, is sent on at most `n`
// times and never repeatably: its buffer always has room, the sends never wait.
async fn sync_channel_pair() {
    let (tx, _rx) = std::sync::mpsc::sync_channel::<u8>(1);
    tx.send(2).ok(); //~ OK (one message into an empty buffer of one)
}

async fn sync_channel_two_of_two() {
    let (tx, rx) = mpsc::sync_channel(2);
    tx.send(1).unwrap(); //~ OK
    tx.send(2).unwrap(); //~ OK
    drop(tx);
    let _ = rx.recv(); //~ BLOCKING std::sync::mpsc::Receiver::recv
}

// Handed to a thread that builds its own runtime: the send runs once.
async fn sync_channel_to_a_thread() {
    let (tx, rx) = mpsc::sync_channel(1);
    let worker = std::thread::spawn(move || {
        futures::executor::block_on(async move {
            tx.send(7).unwrap(); //~ OK
            // A later binding of the same name is another value.
            let (tx, _) = tokio::sync::mpsc::channel::<u8>(1);
            tx.try_send(1).ok(); //~ OK
        })
    });
    rx.recv().ok(); //~ BLOCKING std::sync::mpsc::Receiver::recv
    drop(worker);
}

// Look-alikes that do wait.
async fn sync_channel_more_sends_than_room() {
    let (tx, _rx) = mpsc::sync_channel(1);
    tx.send(1).unwrap(); //~ BLOCKING std::sync::mpsc::SyncSender::send
    tx.send(2).unwrap(); //~ BLOCKING std::sync::mpsc::SyncSender::send
}

async fn sync_channel_rendezvous() {
    let (tx, _rx) = mpsc::sync_channel(0);
    tx.send(1).unwrap(); //~ BLOCKING std::sync::mpsc::SyncSender::send
}

async fn sync_channel_in_a_loop() {
    let (tx, _rx) = mpsc::sync_channel(4);
    for i in 0..3 {
        tx.send(i).unwrap(); //~ BLOCKING std::sync::mpsc::SyncSender::send
    }
}

async fn sync_channel_in_a_repeated_closure() {
    let (tx, _rx) = mpsc::sync_channel(4);
    (0..3).for_each(|i| {
        tx.send(i).unwrap(); //~ BLOCKING std::sync::mpsc::SyncSender::send
    });
}

async fn sync_channel_with_another_sender() {
    let (tx, _rx) = mpsc::sync_channel(1);
    let other = tx.clone();
    other.send(1).unwrap(); //~ BLOCKING std::sync::mpsc::SyncSender::send
    tx.send(2).unwrap(); //~ BLOCKING std::sync::mpsc::SyncSender::send
}

async fn sync_channel_of_unknown_size(n: usize) {
    let (tx, _rx) = mpsc::sync_channel(n);
    tx.send(1).unwrap(); //~ BLOCKING std::sync::mpsc::SyncSender::send
}

async fn condvar(lock: &Mutex<bool>, cv: &Condvar) {
    let guard = lock.lock().unwrap(); //~ OK
    let guard = cv.wait(guard).unwrap(); //~ BLOCKING std::sync::Condvar::wait
    let (guard, _) = cv.wait_timeout(guard, Duration::from_millis(5)).unwrap(); //~ BLOCKING std::sync::Condvar::wait_timeout
    let _g = cv.wait_while(guard, |ready| !*ready).unwrap(); //~ BLOCKING std::sync::Condvar::wait_while
}

async fn barrier(b: Arc<Barrier>) {
    b.wait(); //~ BLOCKING std::sync::Barrier::wait
}

async fn park() {
    std::thread::park(); //~ BLOCKING std::thread::park
}

// tokio's channels and join handles are awaited.
async fn tokio_primitives() {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<u8>(1);
    tx.send(1).await.ok(); //~ OK
    rx.recv().await; //~ OK
    let h = tokio::spawn(async { 1 });
    h.await.ok(); //~ OK
    let n = tokio::sync::Notify::new();
    n.notify_one(); //~ OK
}

fn main() {}
