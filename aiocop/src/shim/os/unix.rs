//! [`std::os::unix`], audited.

pub mod fs;
pub mod net;
