//! The handlers the `handler` and `poll_instructions` benches measure: one body, written plain and
//! annotated, with and without a blocking std call. Included by both with `#[path]`.

use std::collections::HashMap;
use std::path::Path;

pub(crate) struct State {
    pub(crate) users: HashMap<u64, String>,
}

/// The handler's body, written twice below: once plain, once annotated.
macro_rules! handler_body {
    ($state:ident, $id:ident) => {{
        let name = $state
            .users
            .get(&$id)
            .map(String::as_str)
            .unwrap_or("anonymous");
        let greeting = format!("hello, {name} (#{})", $id);
        greeting.len()
    }};
}

pub(crate) async fn plain_handler(state: &State, id: u64) -> usize {
    handler_body!(state, id)
}

#[aiocop::monitor]
pub(crate) async fn monitored_handler(state: &State, id: u64) -> usize {
    handler_body!(state, id)
}

pub(crate) async fn plain_blocking_handler(state: &State, id: u64, path: &Path) -> usize {
    let exists = path.exists();
    handler_body!(state, id) + usize::from(exists)
}

#[aiocop::monitor]
pub(crate) async fn monitored_blocking_handler(state: &State, id: u64, path: &Path) -> usize {
    let exists = path.exists();
    handler_body!(state, id) + usize::from(exists)
}
