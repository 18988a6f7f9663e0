#!/usr/bin/env bash
# Instructions per HTTP request for each variant of the throughput benchmark
# (examples/benches/http_throughput.rs), counted by valgrind: unlike request rates, instruction
# counts do not move with the machine's other load. Each variant runs twice, with N and 3N
# sequential requests on one connection; the difference divided by 2N leaves out start-up. Counts
# cover the server and the load generator (one process), so differences between variants are what
# the server does more (plus, for request ids, the client parsing one more header).
#
# Usage: benches/http-instructions.sh [N=1000]     (needs valgrind: apt-get install -y valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
cargo bench -p aiocop-examples --bench http_throughput --features axum --no-run 2>/dev/null
bin=$(ls -t target/release/deps/http_throughput-* | grep -v '\.d$' | head -1)
names=$(grep -o 'name: "[^"]*"' examples/benches/http_throughput.rs | sed 's/name: "//; s/"$//')
count() { # $1 = variant, $2 = requests
  AIOCOP_BENCH_VARIANT=$1 AIOCOP_BENCH_REQUESTS=$2 valgrind --tool=callgrind \
    --callgrind-out-file=/dev/null "$bin" 2>&1 | sed -n 's/.*Collected : //p'
}
bare=""
i=0
printf '| variant | instructions per request | vs bare |\n|---|---:|---:|\n'
while IFS= read -r name; do
  a=$(count "$i" "$n")
  b=$(count "$i" $((3 * n)))
  per=$(( (b - a) / (2 * n) ))
  [ -z "$bare" ] && bare=$per
  awk -v name="$name" -v per="$per" -v bare="$bare" \
    'BEGIN { printf "| %s | %d | %+d (%+.1f %%) |\n", name, per, per - bare, 100 * (per - bare) / bare }'
  i=$((i + 1))
done <<< "$names"
