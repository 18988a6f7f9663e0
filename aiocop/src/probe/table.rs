// Generated from aiocop-lints/src/catalog.rs: do not edit. After changing the catalog, run
// AIOCOP_BLESS=1 cargo test -p aiocop-lints --test probe_table
//! Which types the probes recognise, per catalog operation.

function_probes! {
    std_fs_read => STD_FS_READ: [] std::io::Result<Vec<u8>>;
    std_fs_read_to_string => STD_FS_READ_TO_STRING: [] std::io::Result<String>;
    std_fs_write => STD_FS_WRITE: [] std::io::Result<()>;
    std_fs_copy => STD_FS_COPY: [] std::io::Result<u64>;
    std_fs_rename => STD_FS_RENAME: [] std::io::Result<()>;
    std_fs_remove_file => STD_FS_REMOVE_FILE: [] std::io::Result<()>;
    std_fs_remove_dir => STD_FS_REMOVE_DIR: [] std::io::Result<()>;
    std_fs_remove_dir_all => STD_FS_REMOVE_DIR_ALL: [] std::io::Result<()>;
    std_fs_create_dir => STD_FS_CREATE_DIR: [] std::io::Result<()>;
    std_fs_create_dir_all => STD_FS_CREATE_DIR_ALL: [] std::io::Result<()>;
    std_fs_hard_link => STD_FS_HARD_LINK: [] std::io::Result<()>;
    std_fs_read_dir => STD_FS_READ_DIR: [] std::io::Result<std::fs::ReadDir>;
    std_fs_set_permissions => STD_FS_SET_PERMISSIONS: [] std::io::Result<()>;
    std_fs_metadata => STD_FS_METADATA: [] std::io::Result<std::fs::Metadata>;
    std_fs_symlink_metadata => STD_FS_SYMLINK_METADATA: [] std::io::Result<std::fs::Metadata>;
    std_fs_canonicalize => STD_FS_CANONICALIZE: [] std::io::Result<std::path::PathBuf>;
    std_fs_read_link => STD_FS_READ_LINK: [] std::io::Result<std::path::PathBuf>;
    std_fs_exists => STD_FS_EXISTS: [] std::io::Result<bool>;
    std_fs_file_open => STD_FS_FILE_OPEN: [] std::io::Result<std::fs::File>;
    std_fs_file_create => STD_FS_FILE_CREATE: [] std::io::Result<std::fs::File>;
    std_fs_file_create_new => STD_FS_FILE_CREATE_NEW: [] std::io::Result<std::fs::File>;
    std_os_unix_fs_symlink => STD_OS_UNIX_FS_SYMLINK: [] std::io::Result<()>;
    std_os_unix_fs_chown => STD_OS_UNIX_FS_CHOWN: [] std::io::Result<()>;
    std_os_unix_fs_fchown => STD_OS_UNIX_FS_FCHOWN: [] std::io::Result<()>;
    std_os_unix_fs_lchown => STD_OS_UNIX_FS_LCHOWN: [] std::io::Result<()>;
    std_env_current_dir => STD_ENV_CURRENT_DIR: [] std::io::Result<std::path::PathBuf>;
    std_env_set_current_dir => STD_ENV_SET_CURRENT_DIR: [] std::io::Result<()>;
    std_path_absolute => STD_PATH_ABSOLUTE: [] std::io::Result<std::path::PathBuf>;
    std_net_tcpstream_connect => STD_NET_TCP_STREAM_CONNECT: [] std::io::Result<std::net::TcpStream>;
    std_net_tcpstream_connect_timeout => STD_NET_TCP_STREAM_CONNECT_TIMEOUT: [] std::io::Result<std::net::TcpStream>;
    std_net_tcplistener_bind => STD_NET_TCP_LISTENER_BIND: [] std::io::Result<std::net::TcpListener>;
    std_net_udpsocket_bind => STD_NET_UDP_SOCKET_BIND: [] std::io::Result<std::net::UdpSocket>;
    std_os_unix_net_unixstream_connect => STD_OS_UNIX_NET_UNIX_STREAM_CONNECT: [] std::io::Result<std::os::unix::net::UnixStream>;
    std_os_unix_net_unixstream_connect_addr => STD_OS_UNIX_NET_UNIX_STREAM_CONNECT_ADDR: [] std::io::Result<std::os::unix::net::UnixStream>;
    std_os_unix_net_unixlistener_bind => STD_OS_UNIX_NET_UNIX_LISTENER_BIND: [] std::io::Result<std::os::unix::net::UnixListener>;
    std_os_unix_net_unixlistener_bind_addr => STD_OS_UNIX_NET_UNIX_LISTENER_BIND_ADDR: [] std::io::Result<std::os::unix::net::UnixListener>;
    std_os_unix_net_unixdatagram_bind => STD_OS_UNIX_NET_UNIX_DATAGRAM_BIND: [] std::io::Result<std::os::unix::net::UnixDatagram>;
    std_os_unix_net_unixdatagram_bind_addr => STD_OS_UNIX_NET_UNIX_DATAGRAM_BIND_ADDR: [] std::io::Result<std::os::unix::net::UnixDatagram>;
    std_thread_sleep => STD_THREAD_SLEEP: [] ();
    std_thread_park => STD_THREAD_PARK: [] ();
    std_thread_park_timeout => STD_THREAD_PARK_TIMEOUT: [] ();
    std_thread_scope => STD_THREAD_SCOPE: [T] T;
}

method_probes! {
    open by_type: [
        plain [] std::fs::OpenOptions => STD_FS_OPEN_OPTIONS_OPEN,
    ] deny [
        STD_FS_OPEN_OPTIONS_OPEN =>
            "`.open()` on a `std::fs::OpenOptions` blocks the async runtime",
            "async alternative: tokio::fs::OpenOptions::open(path).await";
    ];
    create by_type: [
        plain [] std::fs::DirBuilder => STD_FS_DIR_BUILDER_CREATE,
    ] deny [
        STD_FS_DIR_BUILDER_CREATE =>
            "`.create()` on a `std::fs::DirBuilder` blocks the async runtime",
            "async alternative: tokio::fs::DirBuilder::create(path).await";
    ];
    metadata by_type: [
        plain [] std::fs::DirEntry => STD_FS_DIR_ENTRY_METADATA,
        plain [] std::fs::File => STD_FS_FILE_METADATA,
        described [] std::path::Path => STD_PATH_PATH_METADATA,
        described [] std::path::PathBuf => STD_PATH_PATH_METADATA,
    ] deny [
        STD_FS_DIR_ENTRY_METADATA =>
            "`.metadata()` on a `std::fs::DirEntry` blocks the async runtime",
            "async alternative: tokio::fs::DirEntry::metadata(..).await";
        STD_FS_FILE_METADATA =>
            "`.metadata()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::fs::File::metadata(..).await";
        STD_PATH_PATH_METADATA =>
            "`.metadata()` on a `std::path::Path` blocks the async runtime",
            "async alternative: tokio::fs::metadata(path).await";
    ];
    sync_all by_type: [
        plain [] std::fs::File => STD_FS_FILE_SYNC_ALL,
    ] deny [
        STD_FS_FILE_SYNC_ALL =>
            "`.sync_all()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::fs::File::sync_all(..).await";
    ];
    sync_data by_type: [
        plain [] std::fs::File => STD_FS_FILE_SYNC_DATA,
    ] deny [
        STD_FS_FILE_SYNC_DATA =>
            "`.sync_data()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::fs::File::sync_data(..).await";
    ];
    set_len by_type: [
        plain [] std::fs::File => STD_FS_FILE_SET_LEN,
    ] deny [
        STD_FS_FILE_SET_LEN =>
            "`.set_len()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::fs::File::set_len(..).await";
    ];
    set_permissions by_type: [
        plain [] std::fs::File => STD_FS_FILE_SET_PERMISSIONS,
    ] deny [
        STD_FS_FILE_SET_PERMISSIONS =>
            "`.set_permissions()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::fs::File::set_permissions(..).await";
    ];
    set_times by_type: [
        plain [] std::fs::File => STD_FS_FILE_SET_TIMES,
    ] deny [
        STD_FS_FILE_SET_TIMES =>
            "`.set_times()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::task::spawn_blocking(move || file.set_times(times)).await";
    ];
    set_modified by_type: [
        plain [] std::fs::File => STD_FS_FILE_SET_MODIFIED,
    ] deny [
        STD_FS_FILE_SET_MODIFIED =>
            "`.set_modified()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::task::spawn_blocking(move || file.set_modified(time)).await";
    ];
    lock by_type: [
        plain [] std::fs::File => STD_FS_FILE_LOCK,
    ] deny [
        STD_FS_FILE_LOCK =>
            "`.lock()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::task::spawn_blocking(move || file.lock()).await";
    ];
    lock_shared by_type: [
        plain [] std::fs::File => STD_FS_FILE_LOCK_SHARED,
    ] deny [
        STD_FS_FILE_LOCK_SHARED =>
            "`.lock_shared()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::task::spawn_blocking(move || file.lock_shared()).await";
    ];
    try_lock by_type: [
        plain [] std::fs::File => STD_FS_FILE_TRY_LOCK,
    ] deny [
        STD_FS_FILE_TRY_LOCK =>
            "`.try_lock()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::task::spawn_blocking(move || file.try_lock()).await";
    ];
    try_lock_shared by_type: [
        plain [] std::fs::File => STD_FS_FILE_TRY_LOCK_SHARED,
    ] deny [
        STD_FS_FILE_TRY_LOCK_SHARED =>
            "`.try_lock_shared()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::task::spawn_blocking(move || file.try_lock_shared()).await";
    ];
    read by_type: [
        plain [] std::fs::File => STD_FS_FILE_READ,
        plain [] std::net::TcpStream => STD_NET_TCP_STREAM_READ,
        plain [] std::os::unix::net::UnixStream => STD_OS_UNIX_NET_UNIX_STREAM_READ,
        plain [] std::process::ChildStdout => STD_PROCESS_CHILD_STDOUT_READ,
        plain [] std::process::ChildStderr => STD_PROCESS_CHILD_STDERR_READ,
        plain [] std::io::Stdin => STD_IO_STDIN_READ,
        plain ['l,] std::io::StdinLock<'l> => STD_IO_STDIN_LOCK_READ,
        plain [] std::io::BufReader<std::fs::File> => STD_IO_BUF_READER_FILE_READ,
    ] deny [
        STD_FS_FILE_READ =>
            "`.read()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read on a tokio::fs::File";
        STD_NET_TCP_STREAM_READ =>
            "`.read()` on a `std::net::TcpStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read on a tokio::net::TcpStream";
        STD_OS_UNIX_NET_UNIX_STREAM_READ =>
            "`.read()` on a `std::os::unix::net::UnixStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read on a tokio::net::UnixStream";
        STD_PROCESS_CHILD_STDOUT_READ =>
            "`.read()` on a `std::process::ChildStdout` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read on a tokio::process::ChildStdout";
        STD_PROCESS_CHILD_STDERR_READ =>
            "`.read()` on a `std::process::ChildStderr` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read on a tokio::process::ChildStderr";
        STD_IO_STDIN_READ =>
            "`.read()` on a `std::io::Stdin` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read on tokio::io::stdin()";
        STD_IO_STDIN_LOCK_READ =>
            "`.read()` on a `std::io::StdinLock` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read on tokio::io::stdin()";
        STD_IO_BUF_READER_FILE_READ =>
            "`.read()` on a `std::io::BufReader<std::fs::File>` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read on a tokio::io::BufReader<tokio::fs::File>";
    ];
    read_vectored by_type: [
        plain [] std::fs::File => STD_FS_FILE_READ_VECTORED,
        plain [] std::net::TcpStream => STD_NET_TCP_STREAM_READ_VECTORED,
        plain [] std::os::unix::net::UnixStream => STD_OS_UNIX_NET_UNIX_STREAM_READ_VECTORED,
    ] deny [
        STD_FS_FILE_READ_VECTORED =>
            "`.read_vectored()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read on a tokio::fs::File";
        STD_NET_TCP_STREAM_READ_VECTORED =>
            "`.read_vectored()` on a `std::net::TcpStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read on a tokio::net::TcpStream";
        STD_OS_UNIX_NET_UNIX_STREAM_READ_VECTORED =>
            "`.read_vectored()` on a `std::os::unix::net::UnixStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read on a tokio::net::UnixStream";
    ];
    read_to_end by_type: [
        plain [] std::fs::File => STD_FS_FILE_READ_TO_END,
        plain [] std::net::TcpStream => STD_NET_TCP_STREAM_READ_TO_END,
        plain [] std::os::unix::net::UnixStream => STD_OS_UNIX_NET_UNIX_STREAM_READ_TO_END,
        plain [] std::process::ChildStdout => STD_PROCESS_CHILD_STDOUT_READ_TO_END,
        plain [] std::process::ChildStderr => STD_PROCESS_CHILD_STDERR_READ_TO_END,
        plain [] std::io::Stdin => STD_IO_STDIN_READ_TO_END,
        plain ['l,] std::io::StdinLock<'l> => STD_IO_STDIN_LOCK_READ_TO_END,
        plain [] std::io::BufReader<std::fs::File> => STD_IO_BUF_READER_FILE_READ_TO_END,
    ] deny [
        STD_FS_FILE_READ_TO_END =>
            "`.read_to_end()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_end on a tokio::fs::File";
        STD_NET_TCP_STREAM_READ_TO_END =>
            "`.read_to_end()` on a `std::net::TcpStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_end on a tokio::net::TcpStream";
        STD_OS_UNIX_NET_UNIX_STREAM_READ_TO_END =>
            "`.read_to_end()` on a `std::os::unix::net::UnixStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_end on a tokio::net::UnixStream";
        STD_PROCESS_CHILD_STDOUT_READ_TO_END =>
            "`.read_to_end()` on a `std::process::ChildStdout` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_end on a tokio::process::ChildStdout";
        STD_PROCESS_CHILD_STDERR_READ_TO_END =>
            "`.read_to_end()` on a `std::process::ChildStderr` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_end on a tokio::process::ChildStderr";
        STD_IO_STDIN_READ_TO_END =>
            "`.read_to_end()` on a `std::io::Stdin` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_end on tokio::io::stdin()";
        STD_IO_STDIN_LOCK_READ_TO_END =>
            "`.read_to_end()` on a `std::io::StdinLock` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_end on tokio::io::stdin()";
        STD_IO_BUF_READER_FILE_READ_TO_END =>
            "`.read_to_end()` on a `std::io::BufReader<std::fs::File>` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_end on a tokio::io::BufReader<tokio::fs::File>";
    ];
    read_to_string by_type: [
        plain [] std::fs::File => STD_FS_FILE_READ_TO_STRING,
        plain [] std::net::TcpStream => STD_NET_TCP_STREAM_READ_TO_STRING,
        plain [] std::os::unix::net::UnixStream => STD_OS_UNIX_NET_UNIX_STREAM_READ_TO_STRING,
        plain [] std::process::ChildStdout => STD_PROCESS_CHILD_STDOUT_READ_TO_STRING,
        plain [] std::process::ChildStderr => STD_PROCESS_CHILD_STDERR_READ_TO_STRING,
        plain [] std::io::Stdin => STD_IO_STDIN_READ_TO_STRING,
        plain ['l,] std::io::StdinLock<'l> => STD_IO_STDIN_LOCK_READ_TO_STRING,
        plain [] std::io::BufReader<std::fs::File> => STD_IO_BUF_READER_FILE_READ_TO_STRING,
    ] deny [
        STD_FS_FILE_READ_TO_STRING =>
            "`.read_to_string()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_string on a tokio::fs::File";
        STD_NET_TCP_STREAM_READ_TO_STRING =>
            "`.read_to_string()` on a `std::net::TcpStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_string on a tokio::net::TcpStream";
        STD_OS_UNIX_NET_UNIX_STREAM_READ_TO_STRING =>
            "`.read_to_string()` on a `std::os::unix::net::UnixStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_string on a tokio::net::UnixStream";
        STD_PROCESS_CHILD_STDOUT_READ_TO_STRING =>
            "`.read_to_string()` on a `std::process::ChildStdout` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_string on a tokio::process::ChildStdout";
        STD_PROCESS_CHILD_STDERR_READ_TO_STRING =>
            "`.read_to_string()` on a `std::process::ChildStderr` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_string on a tokio::process::ChildStderr";
        STD_IO_STDIN_READ_TO_STRING =>
            "`.read_to_string()` on a `std::io::Stdin` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_string on tokio::io::stdin()";
        STD_IO_STDIN_LOCK_READ_TO_STRING =>
            "`.read_to_string()` on a `std::io::StdinLock` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_string on tokio::io::stdin()";
        STD_IO_BUF_READER_FILE_READ_TO_STRING =>
            "`.read_to_string()` on a `std::io::BufReader<std::fs::File>` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_to_string on a tokio::io::BufReader<tokio::fs::File>";
    ];
    read_exact by_type: [
        plain [] std::fs::File => STD_FS_FILE_READ_EXACT,
        plain [] std::net::TcpStream => STD_NET_TCP_STREAM_READ_EXACT,
        plain [] std::os::unix::net::UnixStream => STD_OS_UNIX_NET_UNIX_STREAM_READ_EXACT,
        plain [] std::process::ChildStdout => STD_PROCESS_CHILD_STDOUT_READ_EXACT,
        plain [] std::process::ChildStderr => STD_PROCESS_CHILD_STDERR_READ_EXACT,
        plain [] std::io::Stdin => STD_IO_STDIN_READ_EXACT,
        plain ['l,] std::io::StdinLock<'l> => STD_IO_STDIN_LOCK_READ_EXACT,
        plain [] std::io::BufReader<std::fs::File> => STD_IO_BUF_READER_FILE_READ_EXACT,
    ] deny [
        STD_FS_FILE_READ_EXACT =>
            "`.read_exact()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_exact on a tokio::fs::File";
        STD_NET_TCP_STREAM_READ_EXACT =>
            "`.read_exact()` on a `std::net::TcpStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_exact on a tokio::net::TcpStream";
        STD_OS_UNIX_NET_UNIX_STREAM_READ_EXACT =>
            "`.read_exact()` on a `std::os::unix::net::UnixStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_exact on a tokio::net::UnixStream";
        STD_PROCESS_CHILD_STDOUT_READ_EXACT =>
            "`.read_exact()` on a `std::process::ChildStdout` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_exact on a tokio::process::ChildStdout";
        STD_PROCESS_CHILD_STDERR_READ_EXACT =>
            "`.read_exact()` on a `std::process::ChildStderr` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_exact on a tokio::process::ChildStderr";
        STD_IO_STDIN_READ_EXACT =>
            "`.read_exact()` on a `std::io::Stdin` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_exact on tokio::io::stdin()";
        STD_IO_STDIN_LOCK_READ_EXACT =>
            "`.read_exact()` on a `std::io::StdinLock` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_exact on tokio::io::stdin()";
        STD_IO_BUF_READER_FILE_READ_EXACT =>
            "`.read_exact()` on a `std::io::BufReader<std::fs::File>` blocks the async runtime",
            "async alternative: tokio::io::AsyncReadExt::read_exact on a tokio::io::BufReader<tokio::fs::File>";
    ];
    write by_type: [
        plain [] std::fs::File => STD_FS_FILE_WRITE,
        plain [] std::net::TcpStream => STD_NET_TCP_STREAM_WRITE,
        plain [] std::os::unix::net::UnixStream => STD_OS_UNIX_NET_UNIX_STREAM_WRITE,
        plain [] std::process::ChildStdin => STD_PROCESS_CHILD_STDIN_WRITE,
    ] deny [
        STD_FS_FILE_WRITE =>
            "`.write()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write on a tokio::fs::File";
        STD_NET_TCP_STREAM_WRITE =>
            "`.write()` on a `std::net::TcpStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write on a tokio::net::TcpStream";
        STD_OS_UNIX_NET_UNIX_STREAM_WRITE =>
            "`.write()` on a `std::os::unix::net::UnixStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write on a tokio::net::UnixStream";
        STD_PROCESS_CHILD_STDIN_WRITE =>
            "`.write()` on a `std::process::ChildStdin` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write on a tokio::process::ChildStdin";
    ];
    write_vectored by_type: [
        plain [] std::fs::File => STD_FS_FILE_WRITE_VECTORED,
        plain [] std::net::TcpStream => STD_NET_TCP_STREAM_WRITE_VECTORED,
        plain [] std::os::unix::net::UnixStream => STD_OS_UNIX_NET_UNIX_STREAM_WRITE_VECTORED,
    ] deny [
        STD_FS_FILE_WRITE_VECTORED =>
            "`.write_vectored()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write_vectored on a tokio::fs::File";
        STD_NET_TCP_STREAM_WRITE_VECTORED =>
            "`.write_vectored()` on a `std::net::TcpStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write_vectored on a tokio::net::TcpStream";
        STD_OS_UNIX_NET_UNIX_STREAM_WRITE_VECTORED =>
            "`.write_vectored()` on a `std::os::unix::net::UnixStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write_vectored on a tokio::net::UnixStream";
    ];
    write_all by_type: [
        plain [] std::fs::File => STD_FS_FILE_WRITE_ALL,
        plain [] std::net::TcpStream => STD_NET_TCP_STREAM_WRITE_ALL,
        plain [] std::os::unix::net::UnixStream => STD_OS_UNIX_NET_UNIX_STREAM_WRITE_ALL,
        plain [] std::process::ChildStdin => STD_PROCESS_CHILD_STDIN_WRITE_ALL,
    ] deny [
        STD_FS_FILE_WRITE_ALL =>
            "`.write_all()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write_all on a tokio::fs::File";
        STD_NET_TCP_STREAM_WRITE_ALL =>
            "`.write_all()` on a `std::net::TcpStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write_all on a tokio::net::TcpStream";
        STD_OS_UNIX_NET_UNIX_STREAM_WRITE_ALL =>
            "`.write_all()` on a `std::os::unix::net::UnixStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write_all on a tokio::net::UnixStream";
        STD_PROCESS_CHILD_STDIN_WRITE_ALL =>
            "`.write_all()` on a `std::process::ChildStdin` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write_all on a tokio::process::ChildStdin";
    ];
    write_fmt by_type: [
        plain [] std::fs::File => STD_FS_FILE_WRITE_FMT,
        plain [] std::net::TcpStream => STD_NET_TCP_STREAM_WRITE_FMT,
        plain [] std::os::unix::net::UnixStream => STD_OS_UNIX_NET_UNIX_STREAM_WRITE_FMT,
    ] deny [
        STD_FS_FILE_WRITE_FMT =>
            "`.write_fmt()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write_all (of the formatted text) on a tokio::fs::File";
        STD_NET_TCP_STREAM_WRITE_FMT =>
            "`.write_fmt()` on a `std::net::TcpStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write_all (of the formatted text) on a tokio::net::TcpStream";
        STD_OS_UNIX_NET_UNIX_STREAM_WRITE_FMT =>
            "`.write_fmt()` on a `std::os::unix::net::UnixStream` blocks the async runtime",
            "async alternative: tokio::io::AsyncWriteExt::write_all (of the formatted text) on a tokio::net::UnixStream";
    ];
    read_at by_type: [
        plain [] std::fs::File => STD_FS_FILE_READ_AT,
    ] deny [
        STD_FS_FILE_READ_AT =>
            "`.read_at()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::task::spawn_blocking(move || file.read_at(buf, offset)).await";
    ];
    write_at by_type: [
        plain [] std::fs::File => STD_FS_FILE_WRITE_AT,
    ] deny [
        STD_FS_FILE_WRITE_AT =>
            "`.write_at()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::task::spawn_blocking(move || file.write_at(buf, offset)).await";
    ];
    read_exact_at by_type: [
        plain [] std::fs::File => STD_FS_FILE_READ_EXACT_AT,
    ] deny [
        STD_FS_FILE_READ_EXACT_AT =>
            "`.read_exact_at()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::task::spawn_blocking(move || file.read_exact_at(buf, offset)).await";
    ];
    write_all_at by_type: [
        plain [] std::fs::File => STD_FS_FILE_WRITE_ALL_AT,
    ] deny [
        STD_FS_FILE_WRITE_ALL_AT =>
            "`.write_all_at()` on a `std::fs::File` blocks the async runtime",
            "async alternative: tokio::task::spawn_blocking(move || file.write_all_at(buf, offset)).await";
    ];
    exists by_type: [
        described [] std::path::Path => STD_PATH_PATH_EXISTS,
        described [] std::path::PathBuf => STD_PATH_PATH_EXISTS,
    ] deny [
        STD_PATH_PATH_EXISTS =>
            "`.exists()` on a `std::path::Path` blocks the async runtime",
            "async alternative: tokio::fs::try_exists(path).await";
    ];
    try_exists by_type: [
        described [] std::path::Path => STD_PATH_PATH_TRY_EXISTS,
        described [] std::path::PathBuf => STD_PATH_PATH_TRY_EXISTS,
    ] deny [
        STD_PATH_PATH_TRY_EXISTS =>
            "`.try_exists()` on a `std::path::Path` blocks the async runtime",
            "async alternative: tokio::fs::try_exists(path).await";
    ];
    is_file by_type: [
        described [] std::path::Path => STD_PATH_PATH_IS_FILE,
        described [] std::path::PathBuf => STD_PATH_PATH_IS_FILE,
    ] deny [
        STD_PATH_PATH_IS_FILE =>
            "`.is_file()` on a `std::path::Path` blocks the async runtime",
            "async alternative: tokio::fs::metadata(path).await.is_ok_and(|m| m.is_file())";
    ];
    is_dir by_type: [
        described [] std::path::Path => STD_PATH_PATH_IS_DIR,
        described [] std::path::PathBuf => STD_PATH_PATH_IS_DIR,
    ] deny [
        STD_PATH_PATH_IS_DIR =>
            "`.is_dir()` on a `std::path::Path` blocks the async runtime",
            "async alternative: tokio::fs::metadata(path).await.is_ok_and(|m| m.is_dir())";
    ];
    is_symlink by_type: [
        described [] std::path::Path => STD_PATH_PATH_IS_SYMLINK,
        described [] std::path::PathBuf => STD_PATH_PATH_IS_SYMLINK,
    ] deny [
        STD_PATH_PATH_IS_SYMLINK =>
            "`.is_symlink()` on a `std::path::Path` blocks the async runtime",
            "async alternative: tokio::fs::symlink_metadata(path).await.is_ok_and(|m| m.is_symlink())";
    ];
    symlink_metadata by_type: [
        described [] std::path::Path => STD_PATH_PATH_SYMLINK_METADATA,
        described [] std::path::PathBuf => STD_PATH_PATH_SYMLINK_METADATA,
    ] deny [
        STD_PATH_PATH_SYMLINK_METADATA =>
            "`.symlink_metadata()` on a `std::path::Path` blocks the async runtime",
            "async alternative: tokio::fs::symlink_metadata(path).await";
    ];
    canonicalize by_type: [
        described [] std::path::Path => STD_PATH_PATH_CANONICALIZE,
        described [] std::path::PathBuf => STD_PATH_PATH_CANONICALIZE,
    ] deny [
        STD_PATH_PATH_CANONICALIZE =>
            "`.canonicalize()` on a `std::path::Path` blocks the async runtime",
            "async alternative: tokio::fs::canonicalize(path).await";
    ];
    read_link by_type: [
        described [] std::path::Path => STD_PATH_PATH_READ_LINK,
        described [] std::path::PathBuf => STD_PATH_PATH_READ_LINK,
    ] deny [
        STD_PATH_PATH_READ_LINK =>
            "`.read_link()` on a `std::path::Path` blocks the async runtime",
            "async alternative: tokio::fs::read_link(path).await";
    ];
    read_dir by_type: [
        described [] std::path::Path => STD_PATH_PATH_READ_DIR,
        described [] std::path::PathBuf => STD_PATH_PATH_READ_DIR,
    ] deny [
        STD_PATH_PATH_READ_DIR =>
            "`.read_dir()` on a `std::path::Path` blocks the async runtime",
            "async alternative: tokio::fs::read_dir(path).await";
    ];
    to_socket_addrs by_type: [
        described [] str => STD_NET_TO_SOCKET_ADDRS_TO_SOCKET_ADDRS,
        described [] String => STD_NET_TO_SOCKET_ADDRS_TO_SOCKET_ADDRS,
        described ['h,] (&'h str, u16) => STD_NET_TO_SOCKET_ADDRS_TO_SOCKET_ADDRS,
        described [] (String, u16) => STD_NET_TO_SOCKET_ADDRS_TO_SOCKET_ADDRS,
    ] deny [
        STD_NET_TO_SOCKET_ADDRS_TO_SOCKET_ADDRS =>
            "`.to_socket_addrs()` (std::net::ToSocketAddrs) resolves names and blocks the async runtime",
            "async alternative: tokio::net::lookup_host(addr).await";
    ];
    peek by_type: [
        plain [] std::net::TcpStream => STD_NET_TCP_STREAM_PEEK,
        plain [] std::net::UdpSocket => STD_NET_UDP_SOCKET_PEEK,
    ] deny [
        STD_NET_TCP_STREAM_PEEK =>
            "`.peek()` on a `std::net::TcpStream` blocks the async runtime",
            "async alternative: tokio::net::TcpStream::peek(..).await";
        STD_NET_UDP_SOCKET_PEEK =>
            "`.peek()` on a `std::net::UdpSocket` blocks the async runtime",
            "async alternative: tokio::net::UdpSocket::peek(..).await";
    ];
    accept by_type: [
        plain [] std::net::TcpListener => STD_NET_TCP_LISTENER_ACCEPT,
        plain [] std::os::unix::net::UnixListener => STD_OS_UNIX_NET_UNIX_LISTENER_ACCEPT,
    ] deny [
        STD_NET_TCP_LISTENER_ACCEPT =>
            "`.accept()` on a `std::net::TcpListener` blocks the async runtime",
            "async alternative: tokio::net::TcpListener::accept(..).await";
        STD_OS_UNIX_NET_UNIX_LISTENER_ACCEPT =>
            "`.accept()` on a `std::os::unix::net::UnixListener` blocks the async runtime",
            "async alternative: tokio::net::UnixListener::accept(..).await";
    ];
    incoming by_type: [
        plain [] std::net::TcpListener => STD_NET_TCP_LISTENER_INCOMING,
        plain [] std::os::unix::net::UnixListener => STD_OS_UNIX_NET_UNIX_LISTENER_INCOMING,
    ] deny [
        STD_NET_TCP_LISTENER_INCOMING =>
            "`.incoming()` on a `std::net::TcpListener` blocks the async runtime",
            "async alternative: loop over tokio::net::TcpListener::accept(..).await";
        STD_OS_UNIX_NET_UNIX_LISTENER_INCOMING =>
            "`.incoming()` on a `std::os::unix::net::UnixListener` blocks the async runtime",
            "async alternative: loop over tokio::net::UnixListener::accept(..).await";
    ];
    connect by_type: [
        plain [] std::net::UdpSocket => STD_NET_UDP_SOCKET_CONNECT,
        plain [] std::os::unix::net::UnixDatagram => STD_OS_UNIX_NET_UNIX_DATAGRAM_CONNECT,
    ] deny [
        STD_NET_UDP_SOCKET_CONNECT =>
            "`.connect()` on a `std::net::UdpSocket` blocks the async runtime",
            "async alternative: tokio::net::UdpSocket::connect(addr).await";
        STD_OS_UNIX_NET_UNIX_DATAGRAM_CONNECT =>
            "`.connect()` on a `std::os::unix::net::UnixDatagram` blocks the async runtime",
            "async alternative: tokio::net::UnixDatagram::connect(path)";
    ];
    send by_traits: [
        plain [] std::net::UdpSocket => STD_NET_UDP_SOCKET_SEND,
        plain [] std::os::unix::net::UnixDatagram => STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND,
        plain [T,] std::sync::mpsc::SyncSender<T> => STD_SYNC_MPSC_SYNC_SENDER_SEND,
    ] deny [
        STD_NET_UDP_SOCKET_SEND =>
            "`.send()` on a `std::net::UdpSocket` blocks the async runtime",
            "async alternative: tokio::net::UdpSocket::send(..).await";
        STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND =>
            "`.send()` on a `std::os::unix::net::UnixDatagram` blocks the async runtime",
            "async alternative: tokio::net::UnixDatagram::send(..).await";
        STD_SYNC_MPSC_SYNC_SENDER_SEND =>
            "`.send()` on a `std::sync::mpsc::SyncSender` blocks the async runtime",
            "async alternative: tokio::sync::mpsc::Sender::send(..).await";
    ];
    send_to by_type: [
        plain [] std::net::UdpSocket => STD_NET_UDP_SOCKET_SEND_TO,
        plain [] std::os::unix::net::UnixDatagram => STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND_TO,
    ] deny [
        STD_NET_UDP_SOCKET_SEND_TO =>
            "`.send_to()` on a `std::net::UdpSocket` blocks the async runtime",
            "async alternative: tokio::net::UdpSocket::send_to(..).await";
        STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND_TO =>
            "`.send_to()` on a `std::os::unix::net::UnixDatagram` blocks the async runtime",
            "async alternative: tokio::net::UnixDatagram::send_to(..).await";
    ];
    recv by_traits: [
        plain [] std::net::UdpSocket => STD_NET_UDP_SOCKET_RECV,
        plain [] std::os::unix::net::UnixDatagram => STD_OS_UNIX_NET_UNIX_DATAGRAM_RECV,
        plain [T,] std::sync::mpsc::Receiver<T> => STD_SYNC_MPSC_RECEIVER_RECV,
    ] deny [
        STD_NET_UDP_SOCKET_RECV =>
            "`.recv()` on a `std::net::UdpSocket` blocks the async runtime",
            "async alternative: tokio::net::UdpSocket::recv(..).await";
        STD_OS_UNIX_NET_UNIX_DATAGRAM_RECV =>
            "`.recv()` on a `std::os::unix::net::UnixDatagram` blocks the async runtime",
            "async alternative: tokio::net::UnixDatagram::recv(..).await";
        STD_SYNC_MPSC_RECEIVER_RECV =>
            "`.recv()` on a `std::sync::mpsc::Receiver` blocks the async runtime",
            "async alternative: tokio::sync::mpsc::Receiver::recv(..).await";
    ];
    recv_from by_type: [
        plain [] std::net::UdpSocket => STD_NET_UDP_SOCKET_RECV_FROM,
        plain [] std::os::unix::net::UnixDatagram => STD_OS_UNIX_NET_UNIX_DATAGRAM_RECV_FROM,
    ] deny [
        STD_NET_UDP_SOCKET_RECV_FROM =>
            "`.recv_from()` on a `std::net::UdpSocket` blocks the async runtime",
            "async alternative: tokio::net::UdpSocket::recv_from(..).await";
        STD_OS_UNIX_NET_UNIX_DATAGRAM_RECV_FROM =>
            "`.recv_from()` on a `std::os::unix::net::UnixDatagram` blocks the async runtime",
            "async alternative: tokio::net::UnixDatagram::recv_from(..).await";
    ];
    peek_from by_type: [
        plain [] std::net::UdpSocket => STD_NET_UDP_SOCKET_PEEK_FROM,
    ] deny [
        STD_NET_UDP_SOCKET_PEEK_FROM =>
            "`.peek_from()` on a `std::net::UdpSocket` blocks the async runtime",
            "async alternative: tokio::net::UdpSocket::peek_from(..).await";
    ];
    connect_addr by_type: [
        plain [] std::os::unix::net::UnixDatagram => STD_OS_UNIX_NET_UNIX_DATAGRAM_CONNECT_ADDR,
    ] deny [
        STD_OS_UNIX_NET_UNIX_DATAGRAM_CONNECT_ADDR =>
            "`.connect_addr()` on a `std::os::unix::net::UnixDatagram` blocks the async runtime",
            "async alternative: tokio::net::UnixDatagram::connect(path)";
    ];
    send_to_addr by_type: [
        plain [] std::os::unix::net::UnixDatagram => STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND_TO_ADDR,
    ] deny [
        STD_OS_UNIX_NET_UNIX_DATAGRAM_SEND_TO_ADDR =>
            "`.send_to_addr()` on a `std::os::unix::net::UnixDatagram` blocks the async runtime",
            "async alternative: tokio::net::UnixDatagram::send_to(..).await";
    ];
    output by_type: [
        described [] std::process::Command => STD_PROCESS_COMMAND_OUTPUT,
    ] deny [
        STD_PROCESS_COMMAND_OUTPUT =>
            "`.output()` on a `std::process::Command` blocks the async runtime",
            "async alternative: tokio::process::Command::output(..).await";
    ];
    status by_type: [
        described [] std::process::Command => STD_PROCESS_COMMAND_STATUS,
    ] deny [
        STD_PROCESS_COMMAND_STATUS =>
            "`.status()` on a `std::process::Command` blocks the async runtime",
            "async alternative: tokio::process::Command::status(..).await";
    ];
    spawn by_type: [
        described [] std::process::Command => STD_PROCESS_COMMAND_SPAWN,
    ] deny [
        STD_PROCESS_COMMAND_SPAWN =>
            "`.spawn()` on a `std::process::Command` blocks the async runtime",
            "async alternative: tokio::process::Command::spawn(..), then .wait().await";
    ];
    wait by_type: [
        plain [] std::process::Child => STD_PROCESS_CHILD_WAIT,
        plain [] std::sync::Condvar => STD_SYNC_CONDVAR_WAIT,
        plain [] std::sync::Barrier => STD_SYNC_BARRIER_WAIT,
    ] deny [
        STD_PROCESS_CHILD_WAIT =>
            "`.wait()` on a `std::process::Child` blocks the async runtime",
            "async alternative: tokio::process::Child::wait(..).await";
        STD_SYNC_CONDVAR_WAIT =>
            "`.wait()` on a `std::sync::Condvar` blocks the async runtime",
            "async alternative: tokio::sync::Notify::notified(..).await";
        STD_SYNC_BARRIER_WAIT =>
            "`.wait()` on a `std::sync::Barrier` blocks the async runtime",
            "async alternative: tokio::sync::Barrier::wait(..).await";
    ];
    wait_with_output by_type: [
        plain [] std::process::Child => STD_PROCESS_CHILD_WAIT_WITH_OUTPUT,
    ] deny [
        STD_PROCESS_CHILD_WAIT_WITH_OUTPUT =>
            "`.wait_with_output()` on a `std::process::Child` blocks the async runtime",
            "async alternative: tokio::process::Child::wait_with_output(..).await";
    ];
    kill by_type: [
        plain [] std::process::Child => STD_PROCESS_CHILD_KILL,
    ] deny [
        STD_PROCESS_CHILD_KILL =>
            "`.kill()` on a `std::process::Child` blocks the async runtime",
            "async alternative: tokio::process::Child::kill(..).await";
    ];
    join by_traits: [
        plain [T,] std::thread::JoinHandle<T> => STD_THREAD_JOIN_HANDLE_JOIN,
        plain ['s, T,] std::thread::ScopedJoinHandle<'s, T> => STD_THREAD_SCOPED_JOIN_HANDLE_JOIN,
    ] deny [
        STD_THREAD_JOIN_HANDLE_JOIN =>
            "`.join()` on a `std::thread::JoinHandle` blocks the async runtime",
            "async alternative: tokio::task::spawn_blocking(..).await, or a tokio::sync::oneshot channel";
        STD_THREAD_SCOPED_JOIN_HANDLE_JOIN =>
            "`.join()` on a `std::thread::ScopedJoinHandle` blocks the async runtime",
            "async alternative: tokio::task::spawn_blocking(..).await";
    ];
    recv_timeout by_traits: [
        plain [T,] std::sync::mpsc::Receiver<T> => STD_SYNC_MPSC_RECEIVER_RECV_TIMEOUT,
    ] deny [
        STD_SYNC_MPSC_RECEIVER_RECV_TIMEOUT =>
            "`.recv_timeout()` on a `std::sync::mpsc::Receiver` blocks the async runtime",
            "async alternative: tokio::time::timeout(dur, rx.recv()).await on a tokio::sync::mpsc::Receiver";
    ];
    iter by_traits: [
        plain [T,] std::sync::mpsc::Receiver<T> => STD_SYNC_MPSC_RECEIVER_ITER,
    ] deny [
        STD_SYNC_MPSC_RECEIVER_ITER =>
            "`.iter()` on a `std::sync::mpsc::Receiver` blocks the async runtime",
            "async alternative: while let Some(v) = rx.recv().await on a tokio::sync::mpsc::Receiver";
    ];
    wait_while by_type: [
        plain [] std::sync::Condvar => STD_SYNC_CONDVAR_WAIT_WHILE,
    ] deny [
        STD_SYNC_CONDVAR_WAIT_WHILE =>
            "`.wait_while()` on a `std::sync::Condvar` blocks the async runtime",
            "async alternative: tokio::sync::Notify::notified(..).await";
    ];
    wait_timeout by_type: [
        plain [] std::sync::Condvar => STD_SYNC_CONDVAR_WAIT_TIMEOUT,
    ] deny [
        STD_SYNC_CONDVAR_WAIT_TIMEOUT =>
            "`.wait_timeout()` on a `std::sync::Condvar` blocks the async runtime",
            "async alternative: tokio::sync::Notify::notified(..).await";
    ];
    wait_timeout_while by_type: [
        plain [] std::sync::Condvar => STD_SYNC_CONDVAR_WAIT_TIMEOUT_WHILE,
    ] deny [
        STD_SYNC_CONDVAR_WAIT_TIMEOUT_WHILE =>
            "`.wait_timeout_while()` on a `std::sync::Condvar` blocks the async runtime",
            "async alternative: tokio::sync::Notify::notified(..).await";
    ];
    read_line by_type: [
        plain [] std::io::Stdin => STD_IO_STDIN_READ_LINE,
        plain ['l,] std::io::StdinLock<'l> => STD_IO_STDIN_LOCK_READ_LINE,
        plain [] std::io::BufReader<std::fs::File> => STD_IO_BUF_READER_FILE_READ_LINE,
    ] deny [
        STD_IO_STDIN_READ_LINE =>
            "`.read_line()` on a `std::io::Stdin` blocks the async runtime",
            "async alternative: tokio::io::AsyncBufReadExt::read_line on tokio::io::BufReader::new(tokio::io::stdin())";
        STD_IO_STDIN_LOCK_READ_LINE =>
            "`.read_line()` on a `std::io::StdinLock` blocks the async runtime",
            "async alternative: tokio::io::AsyncBufReadExt::read_line on tokio::io::BufReader::new(tokio::io::stdin())";
        STD_IO_BUF_READER_FILE_READ_LINE =>
            "`.read_line()` on a `std::io::BufReader<std::fs::File>` blocks the async runtime",
            "async alternative: tokio::io::AsyncBufReadExt::read_line on a tokio::io::BufReader<tokio::fs::File>";
    ];
    lines by_type: [
        plain [] std::io::Stdin => STD_IO_STDIN_LINES,
        plain ['l,] std::io::StdinLock<'l> => STD_IO_STDIN_LOCK_LINES,
        plain [] std::io::BufReader<std::fs::File> => STD_IO_BUF_READER_FILE_LINES,
    ] deny [
        STD_IO_STDIN_LINES =>
            "`.lines()` on a `std::io::Stdin` blocks the async runtime",
            "async alternative: tokio::io::AsyncBufReadExt::lines on tokio::io::BufReader::new(tokio::io::stdin())";
        STD_IO_STDIN_LOCK_LINES =>
            "`.lines()` on a `std::io::StdinLock` blocks the async runtime",
            "async alternative: tokio::io::AsyncBufReadExt::lines on tokio::io::BufReader::new(tokio::io::stdin())";
        STD_IO_BUF_READER_FILE_LINES =>
            "`.lines()` on a `std::io::BufReader<std::fs::File>` blocks the async runtime",
            "async alternative: tokio::io::AsyncBufReadExt::lines on a tokio::io::BufReader<tokio::fs::File>";
    ];
    read_until by_type: [
        plain ['l,] std::io::StdinLock<'l> => STD_IO_STDIN_LOCK_READ_UNTIL,
        plain [] std::io::BufReader<std::fs::File> => STD_IO_BUF_READER_FILE_READ_UNTIL,
    ] deny [
        STD_IO_STDIN_LOCK_READ_UNTIL =>
            "`.read_until()` on a `std::io::StdinLock` blocks the async runtime",
            "async alternative: tokio::io::AsyncBufReadExt::read_until on tokio::io::BufReader::new(tokio::io::stdin())";
        STD_IO_BUF_READER_FILE_READ_UNTIL =>
            "`.read_until()` on a `std::io::BufReader<std::fs::File>` blocks the async runtime",
            "async alternative: tokio::io::AsyncBufReadExt::read_until on a tokio::io::BufReader<tokio::fs::File>";
    ];
}
