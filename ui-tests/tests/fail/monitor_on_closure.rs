fn main() {
    let handler = #[aiocop::monitor] async || 1;
    let _ = handler;
}
