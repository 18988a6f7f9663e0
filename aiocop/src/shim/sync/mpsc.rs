//! [`std::sync::mpsc`], audited: receiving, and sending on a bounded channel.

pub mod receiver;
pub mod sync_sender;
