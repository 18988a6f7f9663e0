#!/usr/bin/env bash
# Instructions per HTTP request of the zero-annotation service against the same app with
# tower-http's TraceLayer and no aiocop (examples/benches/http_zero_annotation.rs), counted by
# valgrind. Each variant runs twice, with N and 3N sequential requests on one connection; the
# difference divided by 2N leaves out start-up (and the idle servers of the other variants).
# The load generator is the main thread (callgrind's thread 1, with --separate-threads): "server"
# is every other thread, "whole process" adds the client.
#
# Usage: benches/http-zero-annotation-instructions.sh [N=1000]   (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
cargo bench -p aiocop-examples --bench http_zero_annotation --features zero-annotation --no-run 2>/dev/null
bin=$(ls -t target/release/deps/http_zero_annotation-* | grep -v '\.d$' | head -1)
names=$(grep -o 'name: "[^"]*"' examples/benches/http_zero_annotation.rs | sed 's/name: "//; s/"$//')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count() { # $1 = variant, $2 = requests; prints "<server> <whole process>"
  rm -f "$out"/cg*
  AIOCOP_BENCH_VARIANT=$1 AIOCOP_BENCH_REQUESTS=$2 valgrind --tool=callgrind \
    --separate-threads=yes --callgrind-out-file="$out/cg" "$bin" >/dev/null 2>&1
  awk '/^summary:/ { total += $2; if (FILENAME !~ /-01$/) server += $2 }
       END { print server, total }' "$out"/cg-*
}
baseline=1 # "TraceLayer, no aiocop"
declare -a per per_all
i=0
while IFS= read -r name; do
  read -r a a_all <<< "$(count "$i" "$n")"
  read -r b b_all <<< "$(count "$i" $((3 * n)))"
  per[i]=$(( (b - a) / (2 * n) ))
  per_all[i]=$(( (b_all - a_all) / (2 * n) ))
  i=$((i + 1))
done <<< "$names"
printf '| variant | server instructions per request | vs TraceLayer alone | whole process | vs TraceLayer alone |\n'
printf '|---|---:|---:|---:|---:|\n'
i=0
while IFS= read -r name; do
  awk -v name="$name" -v per="${per[i]}" -v base="${per[baseline]}" -v all="${per_all[i]}" \
      -v base_all="${per_all[baseline]}" \
    'BEGIN { printf "| %s | %d | %+d (%+.1f %%) | %d | %+d (%+.1f %%) |\n", name, per, per - base,
             100 * (per - base) / base, all, all - base_all, 100 * (all - base_all) / base_all }'
  i=$((i + 1))
done <<< "$names"
