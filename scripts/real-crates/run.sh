#!/usr/bin/env bash
# Annotates every async fn of real crates with #[aiocop::monitor] (aiocop taken from AIOCOP_DIR),
# builds them, runs their tests and compares the results with the unannotated baseline.
#
#   ./run.sh AIOCOP_DIR [CRATE...]     annotated comparison (default: all crates)
#   ./run.sh --baseline [CRATE...]     (re)build and test the unannotated crates in src/
#   ./run.sh --table AIOCOP_DIR [CRATE...]  print the table of the last run again
#
# Layout (all under $REAL_CRATES_DIR, default /work/realcrates):
#   src/<crate>               pristine clones (plus the Cargo.lock the baseline resolved)
#   target-<crate>            one CARGO_TARGET_DIR per crate (baseline and annotated share it:
#                             crates.io dependencies build once; the annotated tree has other paths)
#   results/<crate>-base.*    baseline per-test results (.tests) and per-binary counts (.summary)
#   runs/<label>/<crate>      fresh annotated copy for AIOCOP_DIR (label = dir name + commit)
#   runs/<label>/<crate>.*    annotate.txt, build-N.log, errors.tsv (every distinct compile error:
#                             code, message, place, source line), skip (functions left out to get
#                             past them), test.log, tests, summary, diff
#
# When the annotated tree does not compile, the functions around the errors are left unannotated
# and it is rebuilt (up to MAX_ROUNDS), so every error is found (not only those of the first crate
# that fails) and the remaining annotations are still tested. "builds?" in the table says whether
# it compiled with every function annotated.
set -uo pipefail
# Where the crates, their target dirs and the runs live (large: ~30 GB with all five).
ROOT=${REAL_CRATES_DIR:-/work/realcrates}
HERE=$(cd "$(dirname "$0")" && pwd)
ANNOTATOR=$ROOT/annotator-bin/release/annotator
# The annotator (this folder's annotator/, a crate of its own outside the workspace), built once.
[ -x "$ANNOTATOR" ] || cargo build --release --quiet --manifest-path "$HERE/annotator/Cargo.toml" \
  --target-dir "$ROOT/annotator-bin" || exit 1
mkdir -p "$ROOT/results" "$ROOT/logs" "$ROOT/runs"
MAX_ROUNDS=${MAX_ROUNDS:-15}
ALL_CRATES=(h2 quinn warp rust-postgres tonic)
# No incremental caches: every annotated tree is a fresh copy (they would only fill the disk).
export RUST_BACKTRACE=0 CARGO_TERM_COLOR=never CARGO_INCREMENTAL=0

# The cargo test arguments of each crate (what its CI runs, narrowed to what works offline here).
test_args() {
  case $1 in
    h2) echo "--workspace" ;;
    quinn) echo "--workspace" ;;
    warp) echo "--all-features" ;;
    rust-postgres) echo "--workspace" ;;
    tonic) echo "--workspace --exclude codegen --exclude interop --exclude grpc-protobuf-build" ;;
  esac
}
# Runs before a crate's tests (servers the tests need; loopback only).
pre_test() {
  case $1 in
    rust-postgres) "$HERE/scripts/pg.sh" start ;;
  esac
}

now() { date +%s; }
log_time() { echo "$1 $2 $3 $(( $5 - $4 ))s" >> "$ROOT/results/times.txt"; }

baseline() {
  local c=$1 args; args=$(test_args "$c")
  cd "$ROOT/src/$c" || return 1
  local t0; t0=$(now)
  CARGO_TARGET_DIR=$ROOT/target-$c cargo test $args --no-run > "$ROOT/logs/$c-base-build.log" 2>&1
  local t1; t1=$(now); log_time "$c" base build "$t0" "$t1"
  pre_test "$c"
  CARGO_TARGET_DIR=$ROOT/target-$c cargo test $args --no-fail-fast > "$ROOT/logs/$c-base-test.log" 2>&1
  log_time "$c" base test "$t1" "$(now)"
  "$HERE/scripts/summarize.py" "$ROOT/logs/$c-base-test.log" "$ROOT/results/$c-base.tests" "$ROOT/results/$c-base.summary"
  "$HERE/scripts/warnings.py" "$ROOT/logs/$c-base-build.log" "$ROOT/src/$c" > "$ROOT/results/$c-base.warnings"
}

totals() {  # passed/failed/ignored summed over a .summary file
  awk -F'\t' '{split($2,a," "); for(i in a){split(a[i],kv,"="); s[kv[1]]+=kv[2]}} END {printf "%d/%d/%d", s["passed"], s["failed"], s["ignored"]}' "$1"
}

annotated() {
  local c=$1 dir=$2 out=$3 args; args=$(test_args "$c")
  local skip=$out.skip
  : > "$skip"; : > "$out.errors.tsv"; rm -f "$out".build-*.log
  local round=1 built_all=no t0; t0=$(now)
  touch "$out.stamp"
  while :; do
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$ROOT/src/$c" && tar --exclude=./.git --exclude=./target -cf - .) | tar -xf - -C "$dir" || return 1
    "$ANNOTATOR" "$dir" "$AIOCOP_DIR" --skip "$skip" > "$out.annotate.txt" || return 1
    cd "$dir" || return 1
    local blog=$out.build-$round.log
    # --keep-going: every crate of the workspace that can be built is, so one round finds the
    # errors of all independent crates; `cargo test --no-run` then builds exactly what the tests use.
    CARGO_TARGET_DIR=$ROOT/target-$c cargo build $args --tests --examples --keep-going > "$blog" 2>&1 \
      && CARGO_TARGET_DIR=$ROOT/target-$c cargo test $args --no-run >> "$blog" 2>&1
    local rc=$?
    if [ $rc -eq 0 ]; then
      [ $round -eq 1 ] && built_all=yes
      break
    fi
    local new; new=$("$HERE/scripts/errors.py" "$blog" "$dir" "$ROOT/src/$c" "$skip" "$out.errors.tsv")
    if [ "$new" = 0 ] || [ $round -ge $MAX_ROUNDS ]; then
      echo "$c: build still fails after round $round and no new function to leave out (see $blog)" >&2
      built_all=never
      break
    fi
    round=$((round + 1))
  done
  local t1; t1=$(now); log_time "$c" "$LABEL" "build($round rounds)" "$t0" "$t1"
  sort -u -o "$out.errors.tsv" "$out.errors.tsv"
  # warnings the annotation added (the round that built; none when it never built)
  "$HERE/scripts/warnings.py" "$blog" "$dir" > "$out.warnings"
  [ -f "$ROOT/results/$c-base.warnings" ] || "$HERE/scripts/warnings.py" "$ROOT/logs/$c-base-build.log" "$ROOT/src/$c" > "$ROOT/results/$c-base.warnings"
  LC_ALL=C comm -13 "$ROOT/results/$c-base.warnings" "$out.warnings" > "$out.new-warnings"
  echo "$built_all" > "$out.built"
  if [ "$built_all" != never ]; then
    pre_test "$c"
    CARGO_TARGET_DIR=$ROOT/target-$c cargo test $args --no-fail-fast > "$out.test.log" 2>&1
    log_time "$c" "$LABEL" test "$t1" "$(now)"
    "$HERE/scripts/summarize.py" "$out.test.log" "$out.tests" "$out.summary"
    diff "$ROOT/results/$c-base.tests" "$out.tests" > "$out.diff"
  fi
  # The annotated tree's artifacts (and everything built for it) are not reused by another run
  # (another AIOCOP_DIR gives other hashes): delete them so the target dirs do not grow per run.
  # The baseline's artifacts, older than the stamp, stay. KEEP_ARTIFACTS=1 keeps them.
  if [ "${KEEP_ARTIFACTS:-0}" = 0 ]; then
    find "$ROOT/target-$c/debug" -type f -newer "$out.stamp" -not -path '*/.fingerprint/*' -delete
  fi
}

# Everything runs from main, parsed whole before it starts: editing this file during a run is safe.
main() {
  mkdir -p "$ROOT/logs" "$ROOT/results"
  if [ "${1:-}" = --baseline ]; then
    shift; crates=("$@"); [ ${#crates[@]} -eq 0 ] && crates=("${ALL_CRATES[@]}")
    for c in "${crates[@]}"; do baseline "$c"; echo "$c: $(totals "$ROOT/results/$c-base.summary") passed/failed/ignored"; done
    exit 0
  fi

  table_only=no
  [ "${1:-}" = --table ] && { table_only=yes; shift; }
  [ $# -ge 1 ] || { sed -n 4,7p "$0"; exit 2; }
  AIOCOP_DIR=$(realpath "$1"); shift
  [ -f "$AIOCOP_DIR/aiocop/Cargo.toml" ] || { echo "no aiocop/Cargo.toml under $AIOCOP_DIR" >&2; exit 2; }
  crates=("$@"); [ ${#crates[@]} -eq 0 ] && crates=("${ALL_CRATES[@]}")
  LABEL=$(basename "$AIOCOP_DIR")-$(git -C "$AIOCOP_DIR" rev-parse --short HEAD 2>/dev/null || echo nogit)
  git -C "$AIOCOP_DIR" diff --quiet HEAD 2>/dev/null || LABEL=$LABEL-dirty
  RUN=$ROOT/runs/$LABEL; mkdir -p "$RUN"
  [ -x "$ANNOTATOR" ] || (cd "$ROOT/annotator" && cargo build --release -q) || exit 1

  if [ $table_only = no ]; then
    for c in "${crates[@]}"; do
      [ -f "$ROOT/results/$c-base.tests" ] || baseline "$c"
      annotated "$c" "$RUN/$c" "$RUN/$c"
    done
  fi

  printf '\n%s (%s)\n' "$LABEL" "$AIOCOP_DIR"
  printf '%-14s %8s %6s %-8s %6s %8s %-10s %-18s %-18s\n' crate async_fn left_out 'builds?' errors new_warn identical 'base(p/f/i)' 'annotated(p/f/i)'
  for c in "${crates[@]}"; do
    out=$RUN/$c
    fns=$(sed -n 's/.*async_fns=\([0-9]*\).*/\1/p' "$out.annotate.txt")
    left=$(sed -n 's/.*left_out=\([0-9]*\).*/\1/p' "$out.annotate.txt")
    built=$(cat "$out.built"); errs=$(wc -l < "$out.errors.tsv"); warns=$(grep -c . "$out.new-warnings")
    if [ "$built" = never ]; then same=n/a; ann=-
    else
      ann=$(totals "$out.summary")
      if [ -s "$out.diff" ]; then same="NO($(grep -c '^[<>]' "$out.diff"))"; else same=yes; fi
    fi
    printf '%-14s %8s %6s %-8s %6s %8s %-10s %-18s %-18s\n' "$c" "$((fns + left))" "$left" "$built" "$errs" "$warns" "$same" "$(totals "$ROOT/results/$c-base.summary")" "$ann"
  done
  echo "details: $RUN/<crate>.{errors.tsv,new-warnings,diff,build-N.log,test.log}"
}

main "$@"; exit $?
