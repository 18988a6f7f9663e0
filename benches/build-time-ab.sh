#!/usr/bin/env bash
# Build time of the annotated 200-handler crate against another tree of aiocop (an earlier commit)
# and against this one, alternating round by round, with the plain crate in the same rounds: the
# comparison that separates a change in the generated code from the machine's load.
#
# Usage: benches/build-time-ab.sh BASE_TREE [rounds=11]
#   BASE_TREE: a checkout or export of the other commit (`git archive <commit> | tar -x -C dir`).
#   Both trees must have run benches/build-time.sh once (it generates the crates and builds their
#   dependencies under target/build-time-bench/).
set -euo pipefail
cd "$(dirname "$0")/.."
this=$PWD
base=${1:?usage: benches/build-time-ab.sh BASE_TREE [rounds]}
rounds=${2:-11}
time_build() { # $1 = tree, $2 = crate
  local out=$1/target/build-time-bench
  export CARGO_TARGET_DIR=$out/target
  cargo clean -q -p "$2" --manifest-path "$out/$2/Cargo.toml"
  /usr/bin/time -f "%U %S" -o "$out/time.txt" cargo build -q --manifest-path "$out/$2/Cargo.toml"
  awk '{print $1 + $2}' "$out/time.txt"
}
declare -a before after plain
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then
    before+=("$(time_build "$base" annotated)")
    after+=("$(time_build "$this" annotated)")
  else
    after+=("$(time_build "$this" annotated)")
    before+=("$(time_build "$base" annotated)")
  fi
  plain+=("$(time_build "$this" plain)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
p=$(median "${plain[@]}")
b=$(median "${before[@]}")
a=$(median "${after[@]}")
echo "rounds: $rounds (CPU seconds of a clean debug build of the crate alone)"
echo "plain:              ${plain[*]}  -> median ${p}s"
echo "annotated, base:    ${before[*]}  -> median ${b}s, ratio $(echo "scale=3; $b / $p" | bc)"
echo "annotated, this:    ${after[*]}  -> median ${a}s, ratio $(echo "scale=3; $a / $p" | bc)"
