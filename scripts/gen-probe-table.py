#!/usr/bin/env python3
"""Writes aiocop/src/probe/table.rs from the catalog (aiocop-lints/src/catalog.rs).

The catalog names operations by strings; the probes need Rust types. This script maps each std
operation that has a shim to the type its probe matches on (the result type of a function, the
receiver type of a method) and writes the table. A test (tests/tests/macro_catalog.rs) checks that
every routed catalog entry has a probe, so rerun this after changing the catalog:

    python3 scripts/gen-probe-table.py
"""
import re
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
catalog = (ROOT / "aiocop-lints/src/catalog.rs").read_text()

entry = re.compile(
    r'^\s+([A-Z0-9_]+) = (function|method)\((.*?)\)\s*\n\s+\w+ \w+ ("(?:[^"\\]|\\.)*"|`[^`]*`) (Some\("[^"]*"\)|None);',
    re.M,
)

# Result types of routed functions.
RESULTS = {
    "std::fs::read": "std::io::Result<Vec<u8>>",
    "std::fs::read_to_string": "std::io::Result<String>",
    "std::fs::write": "std::io::Result<()>",
    "std::fs::copy": "std::io::Result<u64>",
    "std::fs::rename": "std::io::Result<()>",
    "std::fs::remove_file": "std::io::Result<()>",
    "std::fs::remove_dir": "std::io::Result<()>",
    "std::fs::remove_dir_all": "std::io::Result<()>",
    "std::fs::create_dir": "std::io::Result<()>",
    "std::fs::create_dir_all": "std::io::Result<()>",
    "std::fs::hard_link": "std::io::Result<()>",
    "std::fs::read_dir": "std::io::Result<std::fs::ReadDir>",
    "std::fs::set_permissions": "std::io::Result<()>",
    "std::fs::metadata": "std::io::Result<std::fs::Metadata>",
    "std::fs::symlink_metadata": "std::io::Result<std::fs::Metadata>",
    "std::fs::canonicalize": "std::io::Result<std::path::PathBuf>",
    "std::fs::read_link": "std::io::Result<std::path::PathBuf>",
    "std::fs::exists": "std::io::Result<bool>",
    "std::fs::File::open": "std::io::Result<std::fs::File>",
    "std::fs::File::create": "std::io::Result<std::fs::File>",
    "std::fs::File::create_new": "std::io::Result<std::fs::File>",
    "std::os::unix::fs::symlink": "std::io::Result<()>",
    "std::os::unix::fs::chown": "std::io::Result<()>",
    "std::os::unix::fs::fchown": "std::io::Result<()>",
    "std::os::unix::fs::lchown": "std::io::Result<()>",
    "std::env::current_dir": "std::io::Result<std::path::PathBuf>",
    "std::env::set_current_dir": "std::io::Result<()>",
    "std::path::absolute": "std::io::Result<std::path::PathBuf>",
    "std::net::TcpStream::connect": "std::io::Result<std::net::TcpStream>",
    "std::net::TcpStream::connect_timeout": "std::io::Result<std::net::TcpStream>",
    "std::net::TcpListener::bind": "std::io::Result<std::net::TcpListener>",
    "std::net::UdpSocket::bind": "std::io::Result<std::net::UdpSocket>",
    "std::os::unix::net::UnixStream::connect": "std::io::Result<std::os::unix::net::UnixStream>",
    "std::os::unix::net::UnixStream::connect_addr": "std::io::Result<std::os::unix::net::UnixStream>",
    "std::os::unix::net::UnixListener::bind": "std::io::Result<std::os::unix::net::UnixListener>",
    "std::os::unix::net::UnixListener::bind_addr": "std::io::Result<std::os::unix::net::UnixListener>",
    "std::os::unix::net::UnixDatagram::bind": "std::io::Result<std::os::unix::net::UnixDatagram>",
    "std::os::unix::net::UnixDatagram::bind_addr": "std::io::Result<std::os::unix::net::UnixDatagram>",
    "std::thread::sleep": "()",
    "std::thread::park": "()",
    "std::thread::park_timeout": "()",
    "std::thread::scope": "[T] T",
}

# Receiver types (with generic parameters in brackets) of routed methods; `described` receivers
# are shown in the event text.
RECEIVERS = {
    "std::fs::OpenOptions": ("", "std::fs::OpenOptions", False),
    "std::fs::DirBuilder": ("", "std::fs::DirBuilder", False),
    "std::fs::DirEntry": ("", "std::fs::DirEntry", False),
    "std::fs::File": ("", "std::fs::File", False),
    "std::path::Path": ("", "std::path::Path", True),
    "std::net::TcpStream": ("", "std::net::TcpStream", False),
    "std::net::TcpListener": ("", "std::net::TcpListener", False),
    "std::net::UdpSocket": ("", "std::net::UdpSocket", False),
    "std::os::unix::net::UnixStream": ("", "std::os::unix::net::UnixStream", False),
    "std::os::unix::net::UnixListener": ("", "std::os::unix::net::UnixListener", False),
    "std::os::unix::net::UnixDatagram": ("", "std::os::unix::net::UnixDatagram", False),
    "std::process::Command": ("", "std::process::Command", True),
    "std::process::Child": ("", "std::process::Child", False),
    "std::process::ChildStdout": ("", "std::process::ChildStdout", False),
    "std::process::ChildStderr": ("", "std::process::ChildStderr", False),
    "std::process::ChildStdin": ("", "std::process::ChildStdin", False),
    "std::thread::JoinHandle": ("T", "std::thread::JoinHandle<T>", False),
    "std::thread::ScopedJoinHandle": ("'s, T", "std::thread::ScopedJoinHandle<'s, T>", False),
    "std::sync::mpsc::Receiver": ("T", "std::sync::mpsc::Receiver<T>", False),
    "std::sync::mpsc::SyncSender": ("T", "std::sync::mpsc::SyncSender<T>", False),
    "std::sync::Condvar": ("", "std::sync::Condvar", False),
    "std::sync::Barrier": ("", "std::sync::Barrier", False),
    "std::io::Stdin": ("", "std::io::Stdin", False),
    "std::io::StdinLock": ("'l", "std::io::StdinLock<'l>", False),
    "std::io::BufReader<std::fs::File>": ("", "std::io::BufReader<std::fs::File>", False),
}
# Receivers that stand for another one (a PathBuf reaches Path's methods by deref).
ALSO = {"std::path::Path": [("", "std::path::PathBuf", True)]}
# `ToSocketAddrs::to_socket_addrs` resolves names only for these implementors.
SOCKET_ADDR_SOURCES = [("", "str", True), ("", "String", True), ("'h", "(&'h str, u16)", True), ("", "(String, u16)", True)]

functions = []
methods = OrderedDict()
denials = OrderedDict()
for name, kind, callee, alternative, shim in entry.findall(catalog):
    if shim == "None":
        continue
    if kind == "function":
        path = re.match(r'"([^"]+)"', callee).group(1)
        if path not in RESULTS:
            raise SystemExit(f"no result type for {path}: add it to RESULTS")
        functions.append((path, name, RESULTS[path]))
    else:
        m = re.match(r'(\w+) "([^"]+)", "([^"]+)"', callee)
        receiver, method = m.group(2), m.group(3)
        if receiver == "std::net::ToSocketAddrs":
            rows = SOCKET_ADDR_SOURCES
        elif receiver in RECEIVERS:
            rows = [RECEIVERS[receiver]] + ALSO.get(receiver, [])
        else:
            raise SystemExit(f"no receiver type for {receiver}: add it to RECEIVERS")
        for generics, ty, described in rows:
            methods.setdefault(method, []).append((generics, ty, described, name))
        # The `deny` diagnostic: what blocks, and the catalog's async alternative.
        if receiver.startswith("std::net::ToSocketAddrs"):
            message = f"`.{method}()` ({receiver}) resolves names and blocks the async runtime"
        else:
            message = f"`.{method}()` on a `{receiver}` blocks the async runtime"
        note = "async alternative: " + alternative.strip('"`').replace('\\"', '"')
        denials.setdefault(method, OrderedDict())[name] = (message, note)


def module_name(path):
    return "_".join(path.lower().split("::"))


out = ["// Generated by scripts/gen-probe-table.py from aiocop-lints/src/catalog.rs: do not edit.",
       "//! Which types the probes recognise, per catalog operation.",
       "",
       "function_probes! {"]
for path, name, result in functions:
    generics, ty = ("", result)
    if result.startswith("["):
        generics, ty = re.match(r"\[(.*?)\] (.*)", result).groups()
    out.append(f"    {module_name(path)} => {name}: [{generics}] {ty};")
out.append("}")
out.append("")
def rust_str(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


out.append("method_probes! {")
for method, rows in methods.items():
    # A receiver generic over a type (`Receiver<T>`) cannot be compared with constant type ids at
    # run time: such methods are probed by trait selection at compile time instead.
    by_traits = any(g for generics, *_ in rows for g in generics.split(", ") if g and not g.startswith("'"))
    out.append(f"    {method} {'by_traits' if by_traits else 'by_type'}: [")
    for generics, ty, described, name in rows:
        kind = "described" if described else "plain"
        # Generic parameters end with a comma so the `deny` impls can add theirs after them.
        generics = f"{generics}," if generics else ""
        out.append(f"        {kind} [{generics}] {ty} => {name},")
    out.append("    ] deny [")
    for name, (message, note) in denials[method].items():
        out.append(f"        {name} =>")
        out.append(f"            {rust_str(message)},")
        out.append(f"            {rust_str(note)};")
    out.append("    ];")
out.append("}")
(ROOT / "aiocop/src/probe/table.rs").write_text("\n".join(out) + "\n")
print(f"{len(functions)} function probes, {len(methods)} method names")
