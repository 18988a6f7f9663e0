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

async fn sync_channel_pair() {
    let (tx, _rx) = std::sync::mpsc::sync_channel::<u8>(1);
    tx.send(2).ok(); //~ BLOCKING std::sync::mpsc::SyncSender::send
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
