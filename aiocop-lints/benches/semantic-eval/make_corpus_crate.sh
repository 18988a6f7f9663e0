#!/bin/sh
# Wraps aiocop-lints/tests/corpus/ in a cargo package so rust-analyzer can load it with the
# dependencies its files use: each top-level corpus file is a bin target (each is a crate root
# with its own `fn main`), multi_file/ is the library. The files are referenced in place (by
# absolute path), so line numbers are the corpus's own.
# Usage: make_corpus_crate.sh OUT_DIR
set -eu
out=$1
corpus=$(cd "$(dirname "$0")/../../tests/corpus" && pwd)
aiocop=$(cd "$(dirname "$0")/../../../aiocop" && pwd)
mkdir -p "$out"
{
  cat <<TOML
[package]
name = "aiocop-corpus"
version = "0.1.0"
edition = "2024"
publish = false

[workspace]

[lib]
path = "$corpus/multi_file/lib.rs"

[dependencies]
aiocop = { path = "$aiocop" }
tokio = { version = "1", features = ["full"] }
futures = "0.3"
tempfile = "3"
reqwest = { version = "0.12", features = ["blocking"] }
postgres = "0.19"
rusqlite = "0.32"
libc = "0.2"
smol = "2"
async-std = "1"
blocking = "1"
rayon = "1"
actix-web = "4"
TOML
  for f in "$corpus"/*.rs; do
    name=$(basename "$f" .rs)
    printf '\n[[bin]]\nname = "%s"\npath = "%s"\n' "$name" "$f"
  done
} > "$out/Cargo.toml"
(cd "$out" && cargo generate-lockfile -q && cargo fetch -q)
echo "corpus crate in $out"
