#!/usr/bin/env bash
# Build time of a crate with 200 `#[aiocop::monitor]` handlers vs the same crate unannotated.
# Generates both crates (binaries running every handler) under target/build-time-bench/, builds their dependencies once, then times
# building only each crate from clean several times, alternating, and prints the
# medians and their ratio.
#
# Usage: benches/build-time.sh [handlers=200] [rounds=5]
#   ATTR='#[aiocop::monitor(rewrite = false)]'  annotate with other arguments
#   OPTIMIZED_MACROS=1  build proc macros with optimizations (both crates)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
handlers=${1:-200}
rounds=${2:-5}
out=$root/target/build-time-bench
mkdir -p "$out"

gen() { # $1 = name, $2 = attribute line
  local dir=$out/$1
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.1.0"
edition = "2024"
publish = false

[dependencies]
aiocop = { path = "$root/aiocop" }
tokio = { version = "1", features = ["full"] }

[workspace]
TOML
  if [ -n "${OPTIMIZED_MACROS:-}" ]; then
    # What users with many annotated functions can add: proc macros built with optimizations.
    printf '\n[profile.dev.build-override]\nopt-level = 3\n' >> "$dir/Cargo.toml"
  fi
  {
    echo "use std::collections::HashMap;"
    echo "use std::path::Path;"
    echo "use std::sync::Mutex;"
    echo "pub struct State { pub cache: Mutex<HashMap<String, String>> }"
    echo "#[derive(Debug)] pub enum Error { Io(std::io::Error), NotFound(u64) }"
    echo "impl From<std::io::Error> for Error { fn from(e: std::io::Error) -> Self { Error::Io(e) } }"
    for i in $(seq 1 "$handlers"); do
      cat <<RS
$2
pub async fn handler_$i(state: &State, id: u64, path: &Path) -> Result<String, Error> {
    let key = format!("user:{id}:$i");
    if let Some(hit) = state.cache.lock().unwrap().get(&key) {
        return Ok(hit.clone());
    }
    if id == 0 {
        return Err(Error::NotFound(id));
    }
    let text = std::fs::read_to_string(path)?;
    let lines = text.lines().filter(|l| l.contains("x")).count();
    tokio::time::sleep(std::time::Duration::from_millis(0)).await;
    let size = path.metadata()?.len();
    let answer = format!("{key}:{lines}:{size}");
    state.cache.lock().unwrap().insert(key, answer.clone());
    Ok(answer)
}
RS
    done
    # A binary that runs every handler, so that the build includes generating their code.
    echo "#[tokio::main(flavor = \"current_thread\")]"
    echo "async fn main() {"
    echo "    let state = State { cache: Mutex::new(HashMap::new()) };"
    echo "    let path = Path::new(\"Cargo.toml\");"
    echo "    let mut ok = 0;"
    for i in $(seq 1 "$handlers"); do
      echo "    ok += usize::from(handler_$i(&state, $i, path).await.is_ok());"
    done
    echo "    println!(\"{ok}\");"
    echo "}"
  } > "$dir/src/main.rs"
}

gen plain ""
gen annotated "${ATTR:-#[aiocop::monitor]}"

export CARGO_TARGET_DIR=$out/target
for c in plain annotated; do
  cargo build -q --manifest-path "$out/$c/Cargo.toml"
done

time_build() {
  # A clean build of the crate alone (its incremental state too), dependencies already built.
  cargo clean -q -p "$1" --manifest-path "$out/$1/Cargo.toml"
  # CPU time (user + system, rustc included) rather than wall time: on a shared machine it is
  # far less disturbed by other work.
  /usr/bin/time -f "%U %S" -o "$out/time.txt" cargo build -q --manifest-path "$out/$1/Cargo.toml"
  awk '{print $1 + $2}' "$out/time.txt"
}

declare -a plain annotated
for r in $(seq 1 "$rounds"); do
  plain+=("$(time_build plain)")
  annotated+=("$(time_build annotated)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p=$(median "${plain[@]}")
a=$(median "${annotated[@]}")
echo "handlers: $handlers, rounds: $rounds (CPU seconds of a clean debug build of the crate alone, dependencies built)"
echo "plain:     ${plain[*]}  -> median ${p}s"
echo "annotated: ${annotated[*]}  -> median ${a}s"
echo "ratio annotated/plain: $(echo "scale=3; $a / $p" | bc)"
