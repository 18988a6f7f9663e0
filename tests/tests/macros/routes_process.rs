//! `#[aiocop::monitor]` on real child processes: every routed `Command`, `Child` and child pipe
//! operation is recorded with its catalog name and weight at the line of the call (a command with
//! its program and arguments), and returns what the same code returns unannotated.

use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

use aiocop::events::collect_events;
use aiocop_lints::catalog::*;
use aiocop_tests::{
    Source, assert_nothing_routed, assert_routed, dbg, route_tests, routed, setup, twin,
};

const FILE: &str = "tests/tests/macros/routes_process.rs";
const SRC: Source = Source(include_str!("routes_process.rs"));

fn at(marker: &str) -> u32 {
    SRC.line(marker)
}

twin! {
    /// `Command::output`/`status`/`spawn` and `Child::wait`/`kill`/`wait_with_output`.
    async fn commands / commands_plain() -> std::io::Result<Vec<String>> {
        let output = Command::new("echo").args(["hello", "two words"]).output()?; // @output
        let mut sh = Command::new("sh");
        sh.args(["-c", "exit 3"]);
        let status = sh.status()?; // @status
        let mut child = Command::new("sh").args(["-c", "exit 7"]).spawn()?; // @spawn
        let code = child.wait()?.code(); // @wait
        let mut sleeper = Command::new("sleep").arg("30").spawn()?; // @spawn_sleeper
        sleeper.kill()?; // @kill
        let signal = sleeper.wait()?.signal(); // @wait_killed
        let piped = Command::new("echo").arg("out").stdout(Stdio::piped()).spawn()?; // @spawn_piped
        let collected = piped.wait_with_output()?; // @wait_with_output
        let missing = Command::new("/nonexistent/aiocop").status().map_err(|e| e.kind()); // @status_missing
        Ok(vec![
            dbg(&(output.status.success(), String::from_utf8_lossy(&output.stdout))),
            dbg(&(status.code(), code, signal)),
            dbg(&(collected.status.success(), collected.stdout)),
            dbg(&missing),
        ])
    }
}

async fn commands_are_recorded() -> Vec<&'static str> {
    setup();
    let (out, events) = collect_events(commands()).await;
    let plain = commands_plain().await;
    assert_eq!(dbg(&out), dbg(&plain));
    assert_eq!(
        out.unwrap(),
        [
            r#"(true, "hello two words\n")"#,
            "(Some(3), Some(7), Some(9))",
            "(true, [111, 117, 116, 10])",
            "Err(NotFound)",
        ]
    );
    let shown = |command: &mut Command| format!("{command:?}");
    assert_routed(
        FILE,
        &events,
        &[
            routed(
                &STD_PROCESS_COMMAND_OUTPUT,
                at("output"),
                shown(Command::new("echo").args(["hello", "two words"])),
            ),
            routed(
                &STD_PROCESS_COMMAND_STATUS,
                at("status"),
                shown(Command::new("sh").args(["-c", "exit 3"])),
            ),
            routed(
                &STD_PROCESS_COMMAND_SPAWN,
                at("spawn"),
                shown(Command::new("sh").args(["-c", "exit 7"])),
            ),
            routed(&STD_PROCESS_CHILD_WAIT, at("wait"), ""),
            routed(
                &STD_PROCESS_COMMAND_SPAWN,
                at("spawn_sleeper"),
                shown(Command::new("sleep").arg("30")),
            ),
            routed(&STD_PROCESS_CHILD_KILL, at("kill"), ""),
            routed(&STD_PROCESS_CHILD_WAIT, at("wait_killed"), ""),
            routed(
                &STD_PROCESS_COMMAND_SPAWN,
                at("spawn_piped"),
                shown(Command::new("echo").arg("out").stdout(Stdio::piped())),
            ),
            routed(
                &STD_PROCESS_CHILD_WAIT_WITH_OUTPUT,
                at("wait_with_output"),
                "",
            ),
            routed(
                &STD_PROCESS_COMMAND_STATUS,
                at("status_missing"),
                shown(&mut Command::new("/nonexistent/aiocop")),
            ),
        ],
    )
}

twin! {
    /// `Read` on `ChildStdout`/`ChildStderr` and `Write` on `ChildStdin`, through places and
    /// through the `Option` fields of `Child`.
    async fn pipes / pipes_plain() -> std::io::Result<Vec<String>> {
        let mut cat = Command::new("cat").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn()?; // @spawn_cat
        let mut input = cat.stdin.take().expect("piped stdin");
        input.write_all(b"ping ")?; // @stdin_write_all
        let wrote = input.write(b"pong")?; // @stdin_write
        drop(input);
        let mut output = cat.stdout.take().expect("piped stdout");
        let mut head = [0u8; 4];
        output.read_exact(&mut head)?; // @stdout_read_exact
        let mut one = [0u8; 1];
        let got = output.read(&mut one)?; // @stdout_read
        let mut rest = String::new();
        output.read_to_string(&mut rest)?; // @stdout_read_to_string
        cat.wait()?; // @wait_cat
        let mut echo = Command::new("echo").arg("bytes").stdout(Stdio::piped()).spawn()?; // @spawn_echo
        let mut bytes = Vec::new();
        echo.stdout.as_mut().expect("piped stdout").read_to_end(&mut bytes)?; // @stdout_read_to_end
        echo.wait()?; // @wait_echo
        let script = "printf oops >&2; printf ' more' >&2";
        let mut noisy = Command::new("sh").args(["-c", script]).stderr(Stdio::piped()).spawn()?; // @spawn_noisy
        let mut errors = noisy.stderr.take().expect("piped stderr");
        let mut two = [0u8; 2];
        errors.read_exact(&mut two)?; // @stderr_read_exact
        let mut first = [0u8; 1];
        let got_err = errors.read(&mut first)?; // @stderr_read
        let mut tail = String::new();
        errors.read_to_string(&mut tail)?; // @stderr_read_to_string
        noisy.wait()?; // @wait_noisy
        let mut again = Command::new("sh").args(["-c", "printf err >&2"]).stderr(Stdio::piped()).spawn()?; // @spawn_again
        let mut all = Vec::new();
        again.stderr.as_mut().expect("piped stderr").read_to_end(&mut all)?; // @stderr_read_to_end
        again.wait()?; // @wait_again
        Ok(vec![
            dbg(&(wrote, head, got, one, rest, bytes)),
            dbg(&(two, got_err, first, tail, all)),
        ])
    }
}

async fn pipes_are_recorded() -> Vec<&'static str> {
    setup();
    let (out, events) = collect_events(pipes()).await;
    let plain = pipes_plain().await;
    assert_eq!(dbg(&out), dbg(&plain));
    assert_eq!(
        out.unwrap(),
        [
            r#"(4, [112, 105, 110, 103], 1, [32], "pong", [98, 121, 116, 101, 115, 10])"#,
            r#"([111, 111], 1, [112], "s more", [101, 114, 114])"#,
        ]
    );
    let shown = |command: &mut Command| format!("{command:?}");
    let script = "printf oops >&2; printf ' more' >&2";
    assert_routed(
        FILE,
        &events,
        &[
            routed(
                &STD_PROCESS_COMMAND_SPAWN,
                at("spawn_cat"),
                shown(
                    Command::new("cat")
                        .stdin(Stdio::piped())
                        .stdout(Stdio::piped()),
                ),
            ),
            routed(
                &STD_PROCESS_CHILD_STDIN_WRITE_ALL,
                at("stdin_write_all"),
                "",
            ),
            routed(&STD_PROCESS_CHILD_STDIN_WRITE, at("stdin_write"), ""),
            routed(
                &STD_PROCESS_CHILD_STDOUT_READ_EXACT,
                at("stdout_read_exact"),
                "",
            ),
            routed(&STD_PROCESS_CHILD_STDOUT_READ, at("stdout_read"), ""),
            routed(
                &STD_PROCESS_CHILD_STDOUT_READ_TO_STRING,
                at("stdout_read_to_string"),
                "",
            ),
            routed(&STD_PROCESS_CHILD_WAIT, at("wait_cat"), ""),
            routed(
                &STD_PROCESS_COMMAND_SPAWN,
                at("spawn_echo"),
                shown(Command::new("echo").arg("bytes").stdout(Stdio::piped())),
            ),
            routed(
                &STD_PROCESS_CHILD_STDOUT_READ_TO_END,
                at("stdout_read_to_end"),
                "",
            ),
            routed(&STD_PROCESS_CHILD_WAIT, at("wait_echo"), ""),
            routed(
                &STD_PROCESS_COMMAND_SPAWN,
                at("spawn_noisy"),
                shown(
                    Command::new("sh")
                        .args(["-c", script])
                        .stderr(Stdio::piped()),
                ),
            ),
            routed(
                &STD_PROCESS_CHILD_STDERR_READ_EXACT,
                at("stderr_read_exact"),
                "",
            ),
            routed(&STD_PROCESS_CHILD_STDERR_READ, at("stderr_read"), ""),
            routed(
                &STD_PROCESS_CHILD_STDERR_READ_TO_STRING,
                at("stderr_read_to_string"),
                "",
            ),
            routed(&STD_PROCESS_CHILD_WAIT, at("wait_noisy"), ""),
            routed(
                &STD_PROCESS_COMMAND_SPAWN,
                at("spawn_again"),
                shown(
                    Command::new("sh")
                        .args(["-c", "printf err >&2"])
                        .stderr(Stdio::piped()),
                ),
            ),
            routed(
                &STD_PROCESS_CHILD_STDERR_READ_TO_END,
                at("stderr_read_to_end"),
                "",
            ),
            routed(&STD_PROCESS_CHILD_WAIT, at("wait_again"), ""),
        ],
    )
}

/// A user type whose methods are named like `Command`'s and `Child`'s.
struct Job {
    steps: Vec<&'static str>,
}

impl Job {
    fn output(&self) -> String {
        self.steps.join(",")
    }
    fn status(&self) -> usize {
        self.steps.len()
    }
    fn spawn(&mut self, step: &'static str) -> usize {
        self.steps.push(step);
        self.steps.len()
    }
    fn wait(&mut self) -> Option<&'static str> {
        self.steps.pop()
    }
    fn kill(&mut self) {
        self.steps.clear();
    }
    fn wait_with_output(self) -> Vec<&'static str> {
        self.steps
    }
}

#[aiocop::monitor]
async fn process_look_alikes() -> std::io::Result<Vec<String>> {
    let output = tokio::process::Command::new("echo")
        .arg("t")
        .output()
        .await?;
    let mut command = tokio::process::Command::new("sh");
    command.args(["-c", "exit 4"]);
    let running = command.status();
    let status = running.await?;
    let mut child = tokio::process::Command::new("sleep").arg("30").spawn()?;
    let killing = child.kill();
    killing.await?;
    let waiting = child.wait();
    let killed = waiting.await?;
    let mut job = Job { steps: vec!["a"] };
    let spawned = job.spawn("b");
    let summary = (job.output(), job.status(), spawned, job.wait());
    let mut other = Job { steps: vec!["c"] };
    other.kill();
    Ok(vec![
        dbg(&(output.stdout, status.code(), killed.signal())),
        dbg(&(summary, other.wait_with_output())),
    ])
}

async fn process_look_alikes_record_nothing() -> Vec<&'static str> {
    setup();
    let (out, events) = collect_events(process_look_alikes()).await;
    assert_eq!(
        out.unwrap(),
        [
            "([116, 10], Some(4), Some(9))",
            r#"(("a,b", 2, 2, Some("b")), [])"#,
        ]
    );
    assert_nothing_routed(&events)
}

route_tests!(
    "process";
    commands_are_recorded,
    pipes_are_recorded,
    process_look_alikes_record_nothing,
);
