# Sourced by benches/http-instructions.sh and benches/http-zero-annotation-instructions.sh: counts,
# under valgrind, the instructions per HTTP request of every variant of one HTTP benchmark
# (examples/benches/*.rs driven with AIOCOP_BENCH_VARIANT and AIOCOP_BENCH_REQUESTS) and prints
# them as a table against one baseline variant. Each variant runs twice, with N and 3N sequential
# requests on one connection; the difference divided by 2N leaves out start-up.
#
# The load generator is the process's main thread (callgrind's thread 1, with --separate-threads):
# "server" is every other thread, "whole process" adds the client.
#
# callgrind_per_request BENCH FEATURES BASELINE LABEL N
#   BENCH: the bench target (examples/benches/BENCH.rs); FEATURES: the cargo features it needs;
#   BASELINE: the index of the variant the others are compared with; LABEL: its name in the
#   table's header ("vs LABEL"); N: requests in the shorter run.
# Runs from the workspace's root; needs valgrind.

callgrind_per_request() {
  local bench=$1 features=$2 baseline=$3 label=$4 n=$5
  cargo bench -p aiocop-examples --bench "$bench" --features "$features" --no-run 2>/dev/null
  local bin names out
  bin=$(ls -t target/release/deps/"$bench"-* | grep -v '\.d$' | head -1)
  names=$(grep -o 'name: "[^"]*"' examples/benches/"$bench".rs | sed 's/name: "//; s/"$//')
  out=$(mktemp -d)
  # The variable is expanded now: the trap runs after this function's locals are gone.
  # shellcheck disable=SC2064
  trap "rm -rf '$out'" EXIT

  local -a per per_all
  local i=0 name a a_all b b_all
  while IFS= read -r name; do
    read -r a a_all <<< "$(callgrind_count "$bin" "$out" "$i" "$n")"
    read -r b b_all <<< "$(callgrind_count "$bin" "$out" "$i" $((3 * n)))"
    per[i]=$(( (b - a) / (2 * n) ))
    per_all[i]=$(( (b_all - a_all) / (2 * n) ))
    i=$((i + 1))
  done <<< "$names"

  printf '| variant | server instructions per request | vs %s | whole process | vs %s |\n' \
    "$label" "$label"
  printf '|---|---:|---:|---:|---:|\n'
  i=0
  while IFS= read -r name; do
    awk -v name="$name" -v per="${per[i]}" -v base="${per[baseline]}" -v all="${per_all[i]}" \
        -v base_all="${per_all[baseline]}" \
      'BEGIN { printf "| %s | %d | %+d (%+.1f %%) | %d | %+d (%+.1f %%) |\n", name, per, per - base,
               100 * (per - base) / base, all, all - base_all, 100 * (all - base_all) / base_all }'
    i=$((i + 1))
  done <<< "$names"
}

# callgrind_count BIN OUT_DIR VARIANT REQUESTS: prints "<server> <whole process>" instructions.
callgrind_count() {
  local bin=$1 out=$2
  rm -f "$out"/cg*
  AIOCOP_BENCH_VARIANT=$3 AIOCOP_BENCH_REQUESTS=$4 valgrind --tool=callgrind \
    --separate-threads=yes --callgrind-out-file="$out/cg" "$bin" >/dev/null 2>&1
  # Thread 1 is the main thread: the load generator.
  awk '/^summary:/ { total += $2; if (FILENAME !~ /-01$/) server += $2 }
       END { print server, total }' "$out"/cg-*
}
