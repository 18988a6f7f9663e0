use std::sync::mpsc::Receiver;

#[aiocop::monitor(deny)]
async fn next_job(jobs: &Receiver<u32>) -> Option<u32> {
    jobs.recv().ok()
}

fn main() {}
