#!/usr/bin/env bash
# Instructions per HTTP request for each variant of the throughput benchmark
# (examples/benches/http_throughput.rs), counted by valgrind: unlike request rates, instruction
# counts do not move with the machine's other load. Each variant runs twice, with N and 3N
# sequential requests on one connection; the difference divided by 2N leaves out start-up.
#
# The load generator runs on the process's main thread and the server on its own runtime's
# threads: callgrind counts each thread apart (--separate-threads), so the "server" column is the
# server's work alone, and "whole process" adds the client (which, for request ids, parses one
# more header). The counting is benches/lib/callgrind-per-request.sh's.
#
# Usage: benches/http-instructions.sh [N=1000]     (needs valgrind: apt-get install -y valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib/callgrind-per-request.sh
callgrind_per_request http_throughput axum 0 bare "${1:-1000}" # variant 0: "bare app (no aiocop)"
