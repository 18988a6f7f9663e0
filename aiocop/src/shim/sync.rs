//! [`std::sync`], audited: the primitives that wait for another thread. Timeouts are named; the
//! rest carry no argument worth showing.

pub mod barrier;
pub mod condvar;
pub mod mpsc;
