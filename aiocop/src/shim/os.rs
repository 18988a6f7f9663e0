//! [`std::os`], audited: the Unix extensions that block.

pub mod unix;
