#!/usr/bin/env python3
"""Distinct compiler warnings of a cargo build log, as `message @ path:line` (path relative to the
crate's tree, so a baseline and an annotated tree compare; cargo replays cached crates' warnings,
so a warm build lists them too).

Usage: warnings.py BUILD_LOG TREE > OUT
"""
import os, re, sys

log, tree = sys.argv[1], os.path.realpath(sys.argv[2])
out, cur = set(), None
for line in open(log, errors='replace'):
    line = line.rstrip('\n')
    m = re.match(r'^warning: (.*)$', line)
    if m:
        msg = m.group(1)
        cur = None if re.search(r'generated \d+ warnings?|build failed|waiting for other jobs', msg) else msg
        if cur and not re.search(r'^\S', msg):
            cur = None
        continue
    m = re.match(r'^\s*--> (.+?):(\d+):\d+$', line)
    if m and cur:
        path = m.group(1)
        full = os.path.realpath(path if os.path.isabs(path) else os.path.join(tree, path))
        rel = os.path.relpath(full, tree) if full.startswith(tree + os.sep) else path
        out.add(f'{cur} @ {rel}:{m.group(2)}')
        cur = None
print('\n'.join(sorted(out)))
