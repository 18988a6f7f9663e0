#!/usr/bin/env bash
# Instructions per HTTP request of the zero-annotation service against the same app with
# tower-http's TraceLayer and no aiocop (examples/benches/http_zero_annotation.rs), counted by
# valgrind. Each variant runs twice, with N and 3N sequential requests on one connection; the
# difference divided by 2N leaves out start-up (and the idle servers of the other variants).
# The load generator is the main thread (callgrind's thread 1, with --separate-threads): "server"
# is every other thread, "whole process" adds the client. The counting is
# benches/lib/callgrind-per-request.sh's.
#
# Usage: benches/http-zero-annotation-instructions.sh [N=1000]   (needs valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/lib/callgrind-per-request.sh
# Variant 1: "TraceLayer, no aiocop".
callgrind_per_request http_zero_annotation zero-annotation 1 "TraceLayer alone" "${1:-1000}"
