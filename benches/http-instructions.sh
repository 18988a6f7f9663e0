#!/usr/bin/env bash
# Instructions per HTTP request for each variant of the throughput benchmark
# (examples/benches/http_throughput.rs), counted by valgrind: unlike request rates, instruction
# counts do not move with the machine's other load. Each variant runs twice, with N and 3N
# sequential requests on one connection; the difference divided by 2N leaves out start-up.
#
# The load generator runs on the process's main thread and the server on its own runtime's
# threads: callgrind counts each thread apart (--separate-threads), so the "server" column is the
# server's work alone, and "whole process" adds the client (which, for request ids, parses one
# more header).
#
# Usage: benches/http-instructions.sh [N=1000]     (needs valgrind: apt-get install -y valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
cargo bench -p aiocop-examples --bench http_throughput --features axum --no-run 2>/dev/null
bin=$(ls -t target/release/deps/http_throughput-* | grep -v '\.d$' | head -1)
names=$(grep -o 'name: "[^"]*"' examples/benches/http_throughput.rs | sed 's/name: "//; s/"$//')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() { # $1 = variant, $2 = requests; prints "<server> <whole process>"
  rm -f "$out"/cg*
  AIOCOP_BENCH_VARIANT=$1 AIOCOP_BENCH_REQUESTS=$2 valgrind --tool=callgrind \
    --separate-threads=yes --callgrind-out-file="$out/cg" "$bin" >/dev/null 2>&1
  # Thread 1 is the main thread: the load generator.
  awk '/^summary:/ { total += $2; if (FILENAME !~ /-01$/) server += $2 }
       END { print server, total }' "$out"/cg-*
}
bare=""
bare_all=""
i=0
printf '| variant | server instructions per request | vs bare | whole process | vs bare |\n'
printf '|---|---:|---:|---:|---:|\n'
while IFS= read -r name; do
  read -r a a_all <<< "$(count "$i" "$n")"
  read -r b b_all <<< "$(count "$i" $((3 * n)))"
  per=$(( (b - a) / (2 * n) ))
  per_all=$(( (b_all - a_all) / (2 * n) ))
  [ -z "$bare" ] && bare=$per && bare_all=$per_all
  awk -v name="$name" -v per="$per" -v bare="$bare" -v all="$per_all" -v bare_all="$bare_all" \
    'BEGIN { printf "| %s | %d | %+d (%+.1f %%) | %d | %+d (%+.1f %%) |\n", name, per, per - bare,
             100 * (per - bare) / bare, all, all - bare_all, 100 * (all - bare_all) / bare_all }'
  i=$((i + 1))
done <<< "$names"
