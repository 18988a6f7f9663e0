//! Cases of `aiocop::shim::process`, with real child processes.

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use aiocop::shim;

use super::Case;

fn piped(program: &str, args: &[&str]) -> std::process::Child {
    Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn a child process")
}

pub fn cases() -> Vec<Case> {
    vec![
        Case::here("process::command::output", |_| {
            let mut command = Command::new("echo");
            command.args(["hello", "two words"]);
            let (r, site) = at!(shim::process::command::output(&mut command));
            let output = r.unwrap();
            assert!(output.status.success());
            assert_eq!(output.stdout, b"hello two words\n");
            site.args("echo hello \"two words\"")
        }),
        Case::here("process::command::status", |_| {
            let mut command = Command::new("sh");
            command.args(["-c", "exit 3"]);
            let (r, site) = at!(shim::process::command::status(&mut command));
            assert_eq!(r.unwrap().code(), Some(3));
            site.args("sh -c \"exit 3\"")
        }),
        Case::here("process::command::spawn", |_| {
            let mut command = Command::new("true");
            let (r, site) = at!(shim::process::command::spawn(&mut command));
            assert!(r.unwrap().wait().unwrap().success());
            site.args("true")
        }),
        Case::here("process::child::wait", |_| {
            let mut child = Command::new("sh").args(["-c", "exit 7"]).spawn().unwrap();
            let pid = child.id();
            let (r, site) = at!(shim::process::child::wait(&mut child));
            assert_eq!(r.unwrap().code(), Some(7));
            site.args(format!("pid {pid}"))
        }),
        Case::here("process::child::wait_with_output", |_| {
            let child = piped("echo", &["out"]);
            let pid = child.id();
            let (r, site) = at!(shim::process::child::wait_with_output(child));
            assert_eq!(r.unwrap().stdout, b"out\n");
            site.args(format!("pid {pid}"))
        }),
        Case::here("process::child::kill", |_| {
            let mut child = Command::new("sleep").arg("30").spawn().unwrap();
            let pid = child.id();
            let (r, site) = at!(shim::process::child::kill(&mut child));
            r.unwrap();
            assert_eq!(child.wait().unwrap().signal(), Some(9));
            site.args(format!("pid {pid}"))
        }),
        Case::here("process::child_stdout::read", |_| {
            let mut child = piped("echo", &["hello"]);
            let mut out = child.stdout.take().unwrap();
            let mut buf = [0u8; 2];
            let (r, site) = at!(shim::process::child_stdout::read(&mut out, &mut buf));
            let n = r.unwrap();
            assert_eq!(&buf[..n], &b"he"[..n]);
            child.wait().unwrap();
            site.args(format!("fd {}, 2 bytes", out.as_raw_fd()))
        }),
        Case::here("process::child_stdout::read_to_end", |_| {
            let mut child = piped("echo", &["hello"]);
            let mut out = child.stdout.take().unwrap();
            let mut buf = Vec::new();
            let (r, site) = at!(shim::process::child_stdout::read_to_end(&mut out, &mut buf));
            assert_eq!((r.unwrap(), buf.as_slice()), (6, &b"hello\n"[..]));
            child.wait().unwrap();
            site.args(format!("fd {}", out.as_raw_fd()))
        }),
        Case::here("process::child_stdout::read_to_string", |_| {
            let mut child = piped("echo", &["hello"]);
            let mut out = child.stdout.take().unwrap();
            let mut text = String::new();
            let (r, site) = at!(shim::process::child_stdout::read_to_string(
                &mut out, &mut text
            ));
            assert_eq!((r.unwrap(), text.as_str()), (6, "hello\n"));
            child.wait().unwrap();
            site.args(format!("fd {}", out.as_raw_fd()))
        }),
        Case::here("process::child_stdout::read_exact", |_| {
            let mut child = piped("echo", &["hello"]);
            let mut out = child.stdout.take().unwrap();
            let mut buf = [0u8; 4];
            let (r, site) = at!(shim::process::child_stdout::read_exact(&mut out, &mut buf));
            r.unwrap();
            assert_eq!(&buf, b"hell");
            child.wait().unwrap();
            site.args(format!("fd {}, 4 bytes", out.as_raw_fd()))
        }),
        Case::here("process::child_stderr::read", |_| {
            let mut child = piped("sh", &["-c", "echo oops >&2"]);
            let mut err = child.stderr.take().unwrap();
            let mut buf = [0u8; 2];
            let (r, site) = at!(shim::process::child_stderr::read(&mut err, &mut buf));
            let n = r.unwrap();
            assert_eq!(&buf[..n], &b"oo"[..n]);
            child.wait().unwrap();
            site.args(format!("fd {}, 2 bytes", err.as_raw_fd()))
        }),
        Case::here("process::child_stderr::read_to_end", |_| {
            let mut child = piped("sh", &["-c", "echo oops >&2"]);
            let mut err = child.stderr.take().unwrap();
            let mut buf = Vec::new();
            let (r, site) = at!(shim::process::child_stderr::read_to_end(&mut err, &mut buf));
            assert_eq!((r.unwrap(), buf.as_slice()), (5, &b"oops\n"[..]));
            child.wait().unwrap();
            site.args(format!("fd {}", err.as_raw_fd()))
        }),
        Case::here("process::child_stderr::read_to_string", |_| {
            let mut child = piped("sh", &["-c", "echo oops >&2"]);
            let mut err = child.stderr.take().unwrap();
            let mut text = String::new();
            let (r, site) = at!(shim::process::child_stderr::read_to_string(
                &mut err, &mut text
            ));
            assert_eq!((r.unwrap(), text.as_str()), (5, "oops\n"));
            child.wait().unwrap();
            site.args(format!("fd {}", err.as_raw_fd()))
        }),
        Case::here("process::child_stderr::read_exact", |_| {
            let mut child = piped("sh", &["-c", "echo oops >&2"]);
            let mut err = child.stderr.take().unwrap();
            let mut buf = [0u8; 9];
            let (r, site) = at!(shim::process::child_stderr::read_exact(&mut err, &mut buf));
            assert_eq!(r.unwrap_err().kind(), std::io::ErrorKind::UnexpectedEof);
            child.wait().unwrap();
            site.args(format!("fd {}, 9 bytes", err.as_raw_fd()))
        }),
        Case::here("process::child_stdin::write", |_| {
            let mut child = piped("cat", &[]);
            let mut input = child.stdin.take().unwrap();
            let fd = input.as_raw_fd();
            let (r, site) = at!(shim::process::child_stdin::write(&mut input, b"ping"));
            assert_eq!(r.unwrap(), 4);
            drop(input);
            assert_eq!(child.wait_with_output().unwrap().stdout, b"ping");
            site.args(format!("fd {fd}, 4 bytes"))
        }),
        Case::here("process::child_stdin::write_all", |_| {
            let mut child = piped("cat", &[]);
            let mut input = child.stdin.take().unwrap();
            let fd = input.as_raw_fd();
            let (r, site) = at!(shim::process::child_stdin::write_all(&mut input, b"ping"));
            r.unwrap();
            input.flush().unwrap();
            drop(input);
            let mut out = String::new();
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            child.wait().unwrap();
            assert_eq!(out, "ping");
            site.args(format!("fd {fd}, 4 bytes"))
        }),
    ]
}
