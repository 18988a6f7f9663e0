#!/bin/bash
# Runs semantic-eval and cargo aiocop side by side on each target under /usr/bin/time -v and
# appends one line per run to results/timings.csv (tool, target, mode, wall seconds, peak RSS);
# findings go to results/<tool>-<target>.jsonl.
#
# Usage: measure.sh SEMANTIC_EVAL_BIN CARGO_AIOCOP_BIN STD_SRC NAME=DIR[@MEMBERS_DIR]...
#   (MEMBERS_DIR: the directory of the files to scan, if not under DIR: the corpus)
#   SEMANTIC_EVAL_BIN  release build of this package
#   CARGO_AIOCOP_BIN   release build of aiocop-lints' cargo-aiocop
#   STD_SRC            std sources in library/ layout (make_std_src.py's OUT_DIR/library)
set -u
here=$(cd "$(dirname "$0")" && pwd)
sem=$1 lint=$2 std=$3
shift 3
mkdir -p "$here/results"
csv=$here/results/timings.csv
[ -f "$csv" ] || echo "tool,target,mode,wall_s,peak_rss_kib,exit,findings" > "$csv"

run() { # tool target mode out-file command...
  local tool=$1 target=$2 mode=$3 out=$4
  shift 4
  local log=$here/results/time-$tool-$target-$mode.txt
  /usr/bin/time -v -o "$log" "$@" > "$out" 2> "$log.stderr"
  local rc=$?
  local wall rss n
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  n=$(grep -c . "$out" 2>/dev/null); n=${n:-0}
  echo "$tool,$target,$mode,$wall,$rss,$rc,$n" | tee -a "$csv"
}

for spec in "$@"; do
  name=${spec%%=*} dir=${spec#*=} members=
  case $dir in *@*) members=${dir#*@} dir=${dir%@*} ;; esac
  run semantic "$name" load-only /dev/null "$sem" --std-src "$std" --load-only "$dir"
  run semantic "$name" scan "$here/results/semantic-$name.jsonl" \
    "$sem" --std-src "$std" --offload my_pool::run_blocking --offload my_pool::Pool::install \
    ${members:+--members-under "$members"} --json /dev/stdout "$dir"
  [ -n "$members" ] && continue
  run aiocop "$name" default "$here/results/aiocop-$name.jsonl" \
    "$lint" aiocop --format json --deny none --manifest-path "$dir/Cargo.toml"
  # --deps, cold: a fresh target directory holds no cached dependency summaries.
  fresh=$(mktemp -d)
  CARGO_TARGET_DIR=$fresh run aiocop "$name" deps-cold "$here/results/aiocop-deps-$name.jsonl" \
    "$lint" aiocop --deps --format json --deny none --manifest-path "$dir/Cargo.toml"
  rm -rf "$fresh"
done
