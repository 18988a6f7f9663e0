#!/usr/bin/env python3
"""Lines the two engines report on one workspace, side by side: both, semantic only, aiocop only.

Usage: compare.py ROOT SEMANTIC.jsonl AIOCOP.jsonl OUT.csv
ROOT is the workspace directory (semantic-eval prints absolute paths, cargo aiocop relative ones).
Findings of the same line are compared by their final event.
"""
import csv
import json
import os
import sys

root, sem_path, lint_path, out_path = sys.argv[1:5]


def load(path, absolute):
    out = {}
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line.startswith("{"):
            continue
        f = json.loads(line)
        if f.get("rule") not in (None, "blocking-call", "blocking-chain"):
            continue
        file = os.path.relpath(f["file"], root) if absolute else f["file"]
        out.setdefault((file, f["line"]), set()).add(f["event"])
    return out


sem = load(sem_path, True)
lint = load(lint_path, False)
rows = []
counts = {"both": 0, "semantic only": 0, "aiocop only": 0}
for key in sorted(set(sem) | set(lint)):
    s, l = sem.get(key, set()), lint.get(key, set())
    where = "both" if s and l else ("semantic only" if s else "aiocop only")
    counts[where] += 1
    rows.append([*key, " | ".join(sorted(s)), " | ".join(sorted(l)), where])
with open(out_path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["file", "line", "semantic_events", "aiocop_events", "reported_by"])
    w.writerows(rows)
print(", ".join(f"{k}: {v}" for k, v in counts.items()))
