//! [`std::io`], audited: reads of standard input, and buffered reads of a file.

pub mod buf_reader_file;
pub mod stdin;
pub mod stdin_lock;
