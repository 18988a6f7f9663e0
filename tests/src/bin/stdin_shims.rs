//! Helper process for `tests/shims/stdin.rs`: calls one stdin shim (or the std method it stands
//! for) on this process's standard input and prints what happened, one `key value` per line.
//!
//! Usage: `stdin_shims <shim> <mode>`, mode being `shim` (inside a monitored poll), `std` (the std
//! method, inside a monitored poll), `outside` (the shim outside any poll), `unpatched` (inside a
//! poll, before `patch_audit_functions`) or `no-capture` (inside a poll, argument capture off).

use std::io::{self, BufRead, Read};
use std::process::ExitCode;

use aiocop::{FutureExt, shim};

/// `(value, line)`: a call and the line it is on.
macro_rules! at {
    ($call:expr) => {
        ($call, line!())
    };
}

/// What one call did: its result, the line it was made on, the arguments its event should show.
struct Call {
    result: String,
    line: u32,
    args: String,
}

fn call(name: &str, use_std: bool) -> Option<Call> {
    let no_args = String::new;
    let call = match name {
        "io::stdin::read_line" => {
            let mut buf = String::new();
            let (r, line) = if use_std {
                at!(io::stdin().read_line(&mut buf))
            } else {
                at!(shim::io::stdin::read_line(&io::stdin(), &mut buf))
            };
            Call {
                result: format!("{r:?} {buf:?}"),
                line,
                args: no_args(),
            }
        }
        "io::stdin::lines" => {
            let (lines, line) = if use_std {
                at!(io::stdin().lines())
            } else {
                at!(shim::io::stdin::lines(io::stdin()))
            };
            let lines: Vec<_> = lines.map(|l| l.map_err(|e| e.kind())).collect();
            Call {
                result: format!("{lines:?}"),
                line,
                args: no_args(),
            }
        }
        "io::stdin::read" => {
            let mut buf = [0u8; 4];
            let (r, line) = if use_std {
                at!(io::stdin().read(&mut buf))
            } else {
                at!(shim::io::stdin::read(&mut io::stdin(), &mut buf))
            };
            Call {
                result: format!("{r:?} {buf:?}"),
                line,
                args: "4 bytes".into(),
            }
        }
        "io::stdin::read_to_end" => {
            let mut buf = Vec::new();
            let (r, line) = if use_std {
                at!(io::stdin().read_to_end(&mut buf))
            } else {
                at!(shim::io::stdin::read_to_end(&mut io::stdin(), &mut buf))
            };
            Call {
                result: format!("{r:?} {buf:?}"),
                line,
                args: no_args(),
            }
        }
        "io::stdin::read_to_string" => {
            let mut buf = String::new();
            let (r, line) = if use_std {
                at!(io::stdin().read_to_string(&mut buf))
            } else {
                at!(shim::io::stdin::read_to_string(&mut io::stdin(), &mut buf))
            };
            Call {
                result: format!("{r:?} {buf:?}"),
                line,
                args: no_args(),
            }
        }
        "io::stdin::read_exact" => {
            let mut buf = [0u8; 5];
            let (r, line) = if use_std {
                at!(io::stdin().read_exact(&mut buf))
            } else {
                at!(shim::io::stdin::read_exact(&mut io::stdin(), &mut buf))
            };
            Call {
                result: format!("{:?} {buf:?}", r.map_err(|e| e.kind())),
                line,
                args: "5 bytes".into(),
            }
        }
        "io::stdin_lock::read_line" => {
            let (mut lock, mut buf) = (io::stdin().lock(), String::new());
            let (r, line) = if use_std {
                at!(lock.read_line(&mut buf))
            } else {
                at!(shim::io::stdin_lock::read_line(&mut lock, &mut buf))
            };
            Call {
                result: format!("{r:?} {buf:?}"),
                line,
                args: no_args(),
            }
        }
        "io::stdin_lock::read_until" => {
            let (mut lock, mut buf) = (io::stdin().lock(), Vec::new());
            let (r, line) = if use_std {
                at!(lock.read_until(b' ', &mut buf))
            } else {
                at!(shim::io::stdin_lock::read_until(&mut lock, b' ', &mut buf))
            };
            Call {
                result: format!("{r:?} {buf:?}"),
                line,
                args: no_args(),
            }
        }
        "io::stdin_lock::lines" => {
            let lock = io::stdin().lock();
            let (lines, line) = if use_std {
                at!(lock.lines())
            } else {
                at!(shim::io::stdin_lock::lines(lock))
            };
            let lines: Vec<_> = lines.map(|l| l.map_err(|e| e.kind())).collect();
            Call {
                result: format!("{lines:?}"),
                line,
                args: no_args(),
            }
        }
        "io::stdin_lock::read" => {
            let (mut lock, mut buf) = (io::stdin().lock(), [0u8; 3]);
            let (r, line) = if use_std {
                at!(lock.read(&mut buf))
            } else {
                at!(shim::io::stdin_lock::read(&mut lock, &mut buf))
            };
            Call {
                result: format!("{r:?} {buf:?}"),
                line,
                args: "3 bytes".into(),
            }
        }
        "io::stdin_lock::read_to_end" => {
            let (mut lock, mut buf) = (io::stdin().lock(), Vec::new());
            let (r, line) = if use_std {
                at!(lock.read_to_end(&mut buf))
            } else {
                at!(shim::io::stdin_lock::read_to_end(&mut lock, &mut buf))
            };
            Call {
                result: format!("{r:?} {buf:?}"),
                line,
                args: no_args(),
            }
        }
        "io::stdin_lock::read_to_string" => {
            let (mut lock, mut buf) = (io::stdin().lock(), String::new());
            let (r, line) = if use_std {
                at!(lock.read_to_string(&mut buf))
            } else {
                at!(shim::io::stdin_lock::read_to_string(&mut lock, &mut buf))
            };
            Call {
                result: format!("{r:?} {buf:?}"),
                line,
                args: no_args(),
            }
        }
        "io::stdin_lock::read_exact" => {
            let (mut lock, mut buf) = (io::stdin().lock(), [0u8; 64]);
            let (r, line) = if use_std {
                at!(lock.read_exact(&mut buf))
            } else {
                at!(shim::io::stdin_lock::read_exact(&mut lock, &mut buf))
            };
            Call {
                result: format!("{:?}", r.map_err(|e| e.kind())),
                line,
                args: "64 bytes".into(),
            }
        }
        _ => return None,
    };
    Some(call)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, mode] = args.as_slice() else {
        eprintln!("usage: stdin_shims <shim> <shim|std|outside|unpatched|no-capture>");
        return ExitCode::from(2);
    };
    if mode == "no-capture" {
        aiocop::setup::set_capture_arguments(false);
    }
    if mode != "unpatched" {
        aiocop::patch_audit_functions();
    }
    aiocop::start_blocking_io_detection(0).expect("valid trace depth");
    aiocop::activate();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let use_std = mode == "std";
    let (call, events) = if mode == "outside" {
        runtime.block_on(aiocop::events::collect_events(async {
            call(name, use_std)
        }))
    } else {
        runtime.block_on(aiocop::events::collect_events(
            async { call(name, use_std) }.monitored_as("stdin_case"),
        ))
    };
    let Some(call) = call else {
        eprintln!("unknown stdin shim {name}");
        return ExitCode::from(2);
    };
    println!("result {}", call.result);
    println!("args {}", call.args);
    println!("expected {}:{}", file!(), call.line);
    let blocking: Vec<_> = events.iter().flat_map(|e| e.blocking_events()).collect();
    println!("events {}", blocking.len());
    for event in blocking {
        println!("operation {}", event.operation());
        println!("event {}", event.event());
        println!("weight {}", event.severity());
        println!(
            "location {}:{}",
            event.location().file(),
            event.location().line()
        );
        println!("entry_point {}", event.entry_point());
    }
    ExitCode::SUCCESS
}
