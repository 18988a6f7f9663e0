#!/usr/bin/env bash
# The server CPU ratios of an HTTP benchmark (examples/benches/BENCH.rs) over several processes.
#
# One run of a bench interleaves its variants in short slices, so its ratios' interval is narrow
# (±0.2 % over 400 rounds); but runs of one binary differ from each other by more than that
# (0.974 to 0.986 for one build of http_zero_annotation): something fixed for a process's life —
# where its memory and code land, which core each thread keeps — moves a variant's cost. Only
# many processes average it out. This runs RUNS processes of ROUNDS slice-rounds each and reports
# each variant's ratio (the bench's trimmed geometric mean per run) as the mean over runs, with
# the 95 % interval of that mean (Student's t over the runs).
#
# Given several bench binaries (built from different trees), their runs alternate (a, b, a, b,
# ...) so that both see the same hours of the machine, and each gets its own summary.
#
# Usage: benches/cpu-ratio-runs.sh BENCH FEATURES RUNS [ROUNDS=100] [BINARY...]
#   e.g. benches/cpu-ratio-runs.sh http_zero_annotation zero-annotation 8
#        AIOCOP_BENCH_SUBSCRIBER=fmt benches/cpu-ratio-runs.sh http_zero_annotation zero-annotation 8
#        benches/cpu-ratio-runs.sh http_throughput axum 6 100 /tmp/before-bin /tmp/after-bin
# Without binaries the bench is built from this tree. Slices are AIOCOP_BENCH_SLICE_MS (200).
set -euo pipefail
cd "$(dirname "$0")/.."
bench=$1 features=$2 runs=$3 rounds=${4:-100}
shift $(($# < 4 ? $# : 4))
bins=("$@")
if [ ${#bins[@]} -eq 0 ]; then
  cargo bench -p aiocop-examples --bench "$bench" --features "$features" --no-run 2>/dev/null
  bins=("$(ls -t target/release/deps/"$bench"-* | grep -v '\.d$' | head -1)")
fi
out=$(mktemp -d)
for ((run = 1; run <= runs; run++)); do
  for i in "${!bins[@]}"; do
    AIOCOP_BENCH_SLICE_MS=${AIOCOP_BENCH_SLICE_MS:-200} AIOCOP_BENCH_ROUNDS=$rounds \
      "${bins[$i]}" > "$out/bin$i-run$run.txt" 2>/dev/null
    echo "run $run of ${bins[$i]}: done" >&2
  done
done
for i in "${!bins[@]}"; do
  echo "## ${bins[$i]}: $runs runs of $rounds rounds"
  echo
  echo "| variant | CPU ratio per run (trimmed geometric mean) | mean over runs [95 %] |"
  echo "|---|---|---:|"
  # Each run's means: a table row "| name | ... | mean [lo, hi] | ..." (its first such column:
  # http_zero_annotation), or a line "  name: ... trimmed geometric mean M [95 % interval ...]"
  # (http_throughput).
  cat "$out"/bin"$i"-run*.txt | awk -F'|' '
    function add(name, value) {
      if (!(name in n)) order[++count] = name
      n[name]++; sum[name] += value; sq[name] += value * value
      list[name] = list[name] (n[name] > 1 ? ", " : "") sprintf("%.3f", value)
    }
    /trimmed geometric mean [0-9.]+ \[95 % interval/ {
      name = $0; sub(/: [0-9.]+ \/ .*/, "", name); gsub(/^ +| +$/, "", name)
      value = $0; sub(/.*trimmed geometric mean /, "", value)
      add(name, value + 0)
      next
    }
    /^\| / {
      column = 0
      for (c = 3; c < NF; c++) if ($c ~ /^ *[0-9.]+ \[[0-9.]+, [0-9.]+\] *$/) { column = c; break }
      if (!column) next
      name = $2; gsub(/^ +| +$/, "", name)
      split($column, parts, " ")
      add(name, parts[1] + 0)
    }
    END {
      # Two-sided 95 % Student t for 1..30 degrees of freedom, then the normal value.
      split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086 2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042", t, " ")
      for (k = 1; k <= count; k++) {
        name = order[k]; m = sum[name] / n[name]
        half = 0
        if (n[name] > 1) {
          var = (sq[name] - n[name] * m * m) / (n[name] - 1); if (var < 0) var = 0
          df = n[name] - 1; tv = df <= 30 ? t[df] : 1.96
          half = tv * sqrt(var / n[name])
        }
        printf "| %s | %s | %.3f [%.3f, %.3f] |\n", name, list[name], m, m - half, m + half
      }
    }'
  echo
done
rm -r "$out"
