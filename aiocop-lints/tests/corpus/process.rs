// Child processes.
use std::process::{Command, Stdio};

async fn run() -> std::io::Result<()> {
    let out = Command::new("ls").arg("-l").output()?; //~ BLOCKING std::process::Command::output
    let status = Command::new("true").status()?; //~ BLOCKING std::process::Command::status
    let mut child = Command::new("sleep").arg("1").stdout(Stdio::null()).spawn()?; //~ BLOCKING std::process::Command::spawn
    child.kill()?; //~ BLOCKING std::process::Child::kill
    child.wait()?; //~ BLOCKING std::process::Child::wait
    let other = Command::new("echo").spawn()?; //~ BLOCKING std::process::Command::spawn
    let _o = other.wait_with_output()?; //~ BLOCKING std::process::Child::wait_with_output
    let _ = (out, status);
    Ok(())
}

async fn builder_in_a_variable() -> std::io::Result<()> {
    let mut cmd = std::process::Command::new("git"); //~ OK
    cmd.args(["status", "--short"]); //~ OK
    let _ = cmd.output()?; //~ BLOCKING std::process::Command::output
    Ok(())
}

async fn tokio_process() -> std::io::Result<()> {
    let _ = tokio::process::Command::new("ls").output().await?; //~ OK
    let mut child = tokio::process::Command::new("ls").spawn()?; //~ OK
    child.wait().await?; //~ OK
    Ok(())
}

fn main() {}
