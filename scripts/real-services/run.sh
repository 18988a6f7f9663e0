#!/usr/bin/env bash
# Zero-annotation mode on real services nobody here wrote: see README.md next to this script.
#
#   ./run.sh setup                  # workspace under $REALSVC_DIR from the checkouts + patches; build
#   ./run.sh events                 # clean runs and injected blocking, events to $OUT/*.jsonl
#   ./run.sh overhead [ROUNDS] [SECS]  # original vs set-up build under load, $OUT/overhead.csv
#   ./run.sh cpurate [N]            # N spawned 100 ms CPU loops: how many are reported
#   ./run.sh nodebug                # mini-redis in the default release profile (no debug info)
#   ./run.sh all
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
REALSVC_DIR=${REALSVC_DIR:-/work/realsvc}
REALCODE=${REALCODE:-/work/realcode}          # mini-redis and axum checkouts (commits in README)
AIOCOP_PATH=${AIOCOP_PATH:-$REPO/aiocop}
WS=$REALSVC_DIR/ws
OUT=${OUT:-$REALSVC_DIR/results}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REALSVC_DIR/target}
BIN=$CARGO_TARGET_DIR/release
MR_PORT=16379
PG_URL=http://127.0.0.1:3000/

setup() {
  rm -rf "$WS"; mkdir -p "$WS"
  for d in mini-redis mini-redis-aiocop; do
    mkdir -p "$WS/$d"
    (cd "$REALCODE/mini-redis" && cp -r Cargo.toml src tests examples README.md LICENSE "$WS/$d/")
  done
  for d in pg pg-aiocop kv kv-aiocop; do
    local src=tokio-postgres; [[ $d == kv* ]] && src=key-value-store
    mkdir -p "$WS/$d"; cp -r "$REALCODE/axum/examples/$src/"* "$WS/$d/"
    # The example takes axum from its repository by path; the published 0.8 is the same API.
    sed -i 's#axum = { path = "../../axum" }#axum = "0.8"#' "$WS/$d/Cargo.toml"
  done
  cp -r "$HERE/recorder" "$HERE/loadgen" "$WS/"
  cp "$HERE/workspace.toml" "$WS/Cargo.toml"
  cp "$REPO/Cargo.lock" "$WS/Cargo.lock"   # the versions aiocop is tested with
  for p in "$HERE"/patches/*.patch; do (cd "$WS" && patch -s -p1 < "$p"); done
  sed -i "s#AIOCOP_PATH#$AIOCOP_PATH#" "$WS"/*/Cargo.toml
  cd "$WS"
  # One package set per invocation: the original and the copy both have a library `mini_redis`.
  cargo build --release -p mini-redis-aiocop --bins
  cargo build --release -p mini-redis --bins -p realsvc-loadgen
  cargo build --release -p example-tokio-postgres -p example-tokio-postgres-aiocop \
    -p example-key-value-store -p example-key-value-store-aiocop
}

# CPU seconds (user+system) a process has used so far.
cpu_s() { awk -v t="$(getconf CLK_TCK)" '{print ($14+$15)/t}' "/proc/$1/stat"; }

wait_port() { for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

# start_mr NAME ENV...: the mini-redis server with the set-up, events to $OUT/NAME.jsonl
start_mr() {
  local name=$1; shift
  rm -f "$OUT/$name.jsonl"
  env AIOCOP_EVENTS="$OUT/$name.jsonl" "$@" "$BIN/mini-redis-server-aiocop" --port $MR_PORT \
    > "$OUT/$name.log" 2>&1 & SERVER=$!
  wait_port $MR_PORT
}
start_pg() {
  local name=$1; shift
  rm -f "$OUT/$name.jsonl"
  env AIOCOP_EVENTS="$OUT/$name.jsonl" "$@" "$BIN/example-tokio-postgres-aiocop" \
    > "$OUT/$name.log" 2>&1 & SERVER=$!
  wait_port 3000
}
stop() { kill -INT "$SERVER"; wait "$SERVER" || true; sleep 0.2; }
# stop_hard: axum's example has no graceful shutdown: SIGTERM (events are written as they come).
stop_hard() { sleep 1; kill -TERM "$SERVER"; wait "$SERVER" || true; }

# The service's own client: each command path three times (SET, GET, PUBLISH, PING, SUBSCRIBE).
drive_mr_cli() {
  local c="$BIN/mini-redis-cli --port $MR_PORT"
  for _ in 1 2 3; do
    $c set foo bar >/dev/null; $c get foo >/dev/null; $c publish ch hi >/dev/null; $c ping >/dev/null
  done
  (timeout 2 $c subscribe ch >/dev/null & sleep 0.5; $c publish ch msg >/dev/null; wait) || true
}
drive_pg_curl() {
  for _ in 1 2 3; do curl -sf $PG_URL >/dev/null; curl -sf -X POST $PG_URL >/dev/null; done
}

events() {
  mkdir -p "$OUT"
  # The summary covers this run's files only (an earlier run may have left others in $OUT).
  local started="$OUT/.events-started"
  touch "$started"
  "$HERE/pg.sh" start
  # mini-redis, clean: its client, then 15 s of load (8 connections); default logging (RUST_LOG
  # unset: the `fmt` filter is ERROR, its `run` span disabled), then RUST_LOG=info (span enabled).
  for log in off info; do
    local e=(); [ $log = info ] && e=(RUST_LOG=mini_redis=info)
    start_mr "mr-clean-log$log" "${e[@]}"
    drive_mr_cli; "$BIN/realsvc-loadgen" redis 127.0.0.1:$MR_PORT 8 15 > "$OUT/mr-clean-log$log.load"
    stop
  done
  # mini-redis, each injection alone, driven by its CLI (3 calls of each command path).
  for inj in fsread sleep usleep dns cpu; do
    for log in off info; do
      local e=(INJECT=$inj); [ $log = info ] && e+=(RUST_LOG=mini_redis=info)
      start_mr "mr-$inj-log$log" "${e[@]}"; drive_mr_cli; sleep 0.5; stop
    done
  done
  # All at once, under load (5 s, 4 connections).
  start_mr mr-all-load INJECT=all RUST_LOG=mini_redis=info
  "$BIN/realsvc-loadgen" redis 127.0.0.1:$MR_PORT 4 5 > "$OUT/mr-all-load.load"; sleep 0.5; stop

  # axum tokio-postgres example, clean: curl, then 15 s of GET load and 15 s of POST load.
  start_pg pg-clean
  drive_pg_curl
  "$BIN/realsvc-loadgen" http $PG_URL 8 15 get > "$OUT/pg-clean.load"
  "$BIN/realsvc-loadgen" http $PG_URL 8 15 post >> "$OUT/pg-clean.load"
  stop_hard
  for inj in fsread sleep usleep dns cpu; do
    start_pg "pg-$inj" INJECT=$inj; drive_pg_curl; stop_hard
  done
  start_pg pg-all-load INJECT=all
  "$BIN/realsvc-loadgen" http $PG_URL 4 5 get > "$OUT/pg-all-load.load"; stop_hard

  # axum key-value-store (tower-http TraceLayer spans, its default filter logs every request at
  # DEBUG): a POST, a GET, /keys, then 5 s of GETs; its stdout to a file (as a service's log), then
  # to /dev/null.
  local sink
  for sink in file devnull; do
    rm -f "$OUT/kv-$sink.jsonl"
    local log="$OUT/kv-$sink.log"; [ $sink = devnull ] && log=/dev/null
    AIOCOP_EVENTS="$OUT/kv-$sink.jsonl" "$BIN/example-key-value-store-aiocop" > "$log" \
      2> "$OUT/kv-$sink.err" & SERVER=$!
    wait_port 3000
    curl -sf -X POST --data hello ${PG_URL}foo >/dev/null; curl -sf ${PG_URL}foo >/dev/null
    curl -sf ${PG_URL}keys >/dev/null
    "$BIN/realsvc-loadgen" http ${PG_URL}foo 8 5 get > "$OUT/kv-$sink.load"
    stop_hard
  done
  find "$OUT" -maxdepth 1 -name '*.jsonl' -newer "$started" -print0 | sort -z \
    | xargs -0 python3 "$HERE/summarize.py" | tee "$OUT/events-summary.txt"
}

# overhead ROUNDS SECS: per round and service, the original build then the set-up build, back to
# back, under the same closed-loop load (8 connections); ops/s from the load tool, the server's CPU
# seconds from /proc. Ratios are taken per round (adjacent runs), so a change in the shared
# machine's load between rounds cancels out.
overhead() {
  local rounds=${1:-5} secs=${2:-10}
  mkdir -p "$OUT"; "$HERE/pg.sh" start
  echo "service,build,round,ops_per_s,errors,server_cpu_s,cpu_s_per_10k_ops" > "$OUT/overhead.csv"
  local r build bin log c0 c1 res sink
  for r in $(seq "$rounds"); do
    # mini-redis with its default logging (the `run` span disabled), then RUST_LOG=mini_redis=info
    # (enabled: every poll of a connection task enters it, so PollLayer monitors it).
    for log in "" mini_redis=info; do
      for build in orig aiocop; do
        bin=mini-redis-server; [ $build = aiocop ] && bin=mini-redis-server-aiocop
        env ${log:+RUST_LOG=$log} AIOCOP_EVENTS="$OUT/overhead-mr.jsonl" "$BIN/$bin" --port $MR_PORT \
          > /dev/null 2>&1 & SERVER=$!
        wait_port $MR_PORT; c0=$(cpu_s $SERVER)
        res=$("$BIN/realsvc-loadgen" redis 127.0.0.1:$MR_PORT 8 "$secs")
        c1=$(cpu_s $SERVER); stop
        row "mini-redis${log:+ RUST_LOG=$log}" $build "$r" "$res" "$c0" "$c1"
      done
    done
    # axum key-value-store: GET /foo (set first), its stdout (a DEBUG line per request event) to
    # /dev/null, then to a file.
    for sink in devnull file; do
      for build in orig aiocop; do
        bin=example-key-value-store; [ $build = aiocop ] && bin=example-key-value-store-aiocop
        local log=/dev/null; [ $sink = file ] && log="$OUT/overhead-kv.log" && rm -f "$log"
        AIOCOP_EVENTS="$OUT/overhead-kv.jsonl" "$BIN/$bin" > "$log" 2>&1 & SERVER=$!
        wait_port 3000; curl -sf -X POST --data hello ${PG_URL}foo >/dev/null; c0=$(cpu_s $SERVER)
        res=$("$BIN/realsvc-loadgen" http ${PG_URL}foo 8 "$secs" get)
        c1=$(cpu_s $SERVER); kill -TERM $SERVER; wait $SERVER || true
        row "axum-key-value-store stdout to $sink" $build "$r" "$res" "$c0" "$c1"
      done
    done
    for build in orig aiocop; do
      bin=example-tokio-postgres; [ $build = aiocop ] && bin=example-tokio-postgres-aiocop
      AIOCOP_EVENTS="$OUT/overhead-pg.jsonl" "$BIN/$bin" > /dev/null 2>&1 & SERVER=$!
      wait_port 3000; c0=$(cpu_s $SERVER)
      res=$("$BIN/realsvc-loadgen" http $PG_URL 8 "$secs" get)
      c1=$(cpu_s $SERVER); kill -TERM $SERVER; wait $SERVER || true
      row axum-tokio-postgres $build "$r" "$res" "$c0" "$c1"
    done
  done
  python3 - "$OUT/overhead.csv" <<'PY' | tee "$OUT/overhead-summary.txt"
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def q(xs):
    xs = sorted(xs)
    return f"{xs[0]:.3f} / {statistics.median(xs):.3f} / {xs[-1]:.3f}"
print("service | orig ops/s median | set-up ops/s median | ops/s ratio set-up/orig per round min/median/max"
      " | server CPU per op ratio orig/set-up per round min/median/max")
for svc in dict.fromkeys(r["service"] for r in rows):
    by = {(r["build"], r["round"]): r for r in rows if r["service"] == svc}
    rounds = sorted({k[1] for k in by}, key=int)
    ops = {b: [float(by[(b, n)]["ops_per_s"]) for n in rounds] for b in ("orig", "aiocop")}
    cpu = {b: [float(by[(b, n)]["cpu_s_per_10k_ops"]) for n in rounds] for b in ("orig", "aiocop")}
    rate = [a / o for a, o in zip(ops["aiocop"], ops["orig"])]
    cost = [o / a for a, o in zip(cpu["aiocop"], cpu["orig"])]
    print(f"{svc} | {statistics.median(ops['orig']):.0f} | {statistics.median(ops['aiocop']):.0f} | "
          f"{q(rate)} | {q(cost)}")
PY
}
row() {
  python3 - "$@" >> "$OUT/overhead.csv" <<'PY'
import json, sys
svc, build, rnd, res, c0, c1 = sys.argv[1:7]
r = json.loads(res); cpu = float(c1) - float(c0)
print(f"{svc},{build},{rnd},{r['ops_per_s']},{r['errors']},{cpu:.2f},{cpu / max(r['ops'], 1) * 1e4:.4f}")
PY
}

# cpurate N: how many of N spawned 100 ms CPU loops (one per request, 0.4 s apart so that they
# never overlap) are reported, in each service.
cpurate() {
  local n=${1:-20}
  mkdir -p "$OUT"; "$HERE/pg.sh" start
  start_mr mr-cpurate INJECT=cpu
  for _ in $(seq "$n"); do "$BIN/mini-redis-cli" --port $MR_PORT get foo >/dev/null; sleep 0.4; done
  sleep 0.5; stop
  start_pg pg-cpurate INJECT=cpu
  for _ in $(seq "$n"); do curl -sf $PG_URL >/dev/null; sleep 0.4; done
  stop_hard
  for f in mr-cpurate pg-cpurate; do
    python3 - "$OUT/$f.jsonl" "$n" <<'PY' | tee "$OUT/$f.txt"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cpu = [e for e in ev if e["reason"] == "cpu_blocking"]
named = [e for e in cpu if any("inject.rs" in s["trace"].split(" <- ")[1] if " <- " in s["trace"] else False
                               for s in e["cpu_samples"])]
ms = sorted(e["elapsed_ms"] for e in cpu)
print(f"{sys.argv[1]}: {len(cpu)} of {sys.argv[2]} CPU loops reported (elapsed ms seen: "
      f"{', '.join(f'{m:.0f}' for m in ms)}); with samples: {sum(1 for e in cpu if e['cpu_samples'])}; "
      f"a sample naming the loop's file (inject.rs) in its first two frames: {len(named)}")
PY
  done
}

# nodebug: mini-redis's set-up build in cargo's default release profile (no debug information),
# each injection driven by its CLI: what entry points and CPU samples say without line tables.
nodebug() {
  local out="$OUT/nodebug" target=$REALSVC_DIR/target-nodebug
  mkdir -p "$out"
  (cd "$WS" && CARGO_TARGET_DIR=$target cargo build --release --config 'profile.release.debug=false' \
    -p mini-redis-aiocop --bins)
  local inj c="$BIN/mini-redis-cli --port $MR_PORT"
  for inj in fsread sleep usleep dns cpu; do
    rm -f "$out/mr-$inj.jsonl"
    AIOCOP_EVENTS="$out/mr-$inj.jsonl" INJECT=$inj "$target/release/mini-redis-server-aiocop" \
      --port $MR_PORT > "$out/mr-$inj.log" 2>&1 & SERVER=$!
    wait_port $MR_PORT
    for _ in 1 2 3; do
      $c set foo bar >/dev/null; $c get foo >/dev/null; $c publish ch x >/dev/null; $c ping >/dev/null
      sleep 0.3
    done
    sleep 0.5; stop
  done
  python3 "$HERE/summarize.py" "$out"/mr-*.jsonl | tee "$out/events-summary.txt"
}

case "${1:-}" in
setup) setup ;;
events) events ;;
overhead) shift; overhead "$@" ;;
cpurate) shift; cpurate "$@" ;;
nodebug) nodebug ;;
all) setup; events; cpurate; nodebug; overhead ;;
*) sed -n 2,10p "$0"; exit 2 ;;
esac
