#!/usr/bin/env python3
"""Turns a `cargo test --no-fail-fast` log into sorted per-test results.

Usage: summarize.py LOG TESTS_OUT SUMMARY_OUT
TESTS_OUT: one line per test, "<binary>\t<test>\t<ok|FAILED|ignored>", sorted.
SUMMARY_OUT: one line per test binary, "<binary>\tpassed=N failed=N ignored=N", in run order.
A binary is named by its target and its file name without cargo's hash, so runs from
different directories compare.
"""
import re, sys

log, tests_out, summary_out = sys.argv[1:4]
binary = None
tests, summary = [], []
seen = {}
run_re = re.compile(r'^\s+Running (\S+(?: \S+)?) \((.*)\)$')
doc_re = re.compile(r'^\s+Doc-tests (\S+)$')
test_re = re.compile(r'^test (.+?) \.\.\. (ok|FAILED|ignored)(?:, .*)?$')
# a doc-test name carries a line number: "src/lib.rs - foo (line 12)"; keep it (files are
# annotated on the same line, so lines do not move)
res_re = re.compile(r'^test result: \S+ (\d+) passed; (\d+) failed; (\d+) ignored')
for line in open(log, errors='replace'):
    line = line.rstrip('\n')
    m = run_re.match(line)
    if m:
        target, path = m.groups()
        name = re.sub(r'-[0-9a-f]{16}$', '', path.rsplit('/', 1)[-1])
        binary = f'{target} [{name}]'
        continue
    m = doc_re.match(line)
    if m:
        binary = f'doctests [{m.group(1)}]'
        continue
    m = test_re.match(line)
    if m and binary:
        tests.append(f'{binary}\t{m.group(1)}\t{m.group(2)}')
        continue
    m = res_re.match(line)
    if m and binary:
        summary.append(f'{binary}\tpassed={m.group(1)} failed={m.group(2)} ignored={m.group(3)}')
with open(tests_out, 'w') as f:
    f.write(''.join(t + '\n' for t in sorted(tests)))
with open(summary_out, 'w') as f:
    f.write(''.join(s + '\n' for s in summary))
