#!/usr/bin/env python3
"""Precision of `cargo aiocop` at default settings on real repositories.

findings.csv holds every finding of a default run (path mode: `cargo aiocop --format
json <repo>` from the folder holding the checkouts) on the repositories of repos.csv, each
classified by reading the code: TP (the call blocks the thread running async code, on a path
the code can take) or FP (it does not), with the reason. repos.csv's `set` column says which
repositories the rules were designed on (`tuned`) and which were added afterwards, untouched
while the rules were written, as a check (`held-out`).

    python3 aiocop-lints/benches/real-code/precision.py            # figures from the data
    python3 aiocop-lints/benches/real-code/precision.py --rerun DIR BIN
        # DIR holds the repositories checked out at repos.csv's commits (DIR/<repo>), BIN is
        # a cargo-aiocop binary: reruns it and lists findings that are new (unclassified) or
        # no longer reported, so the data can be brought up to date.
"""
import csv
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))


def load():
    with open(os.path.join(HERE, "findings.csv"), newline="") as f:
        return list(csv.DictReader(f))


def precision(rows):
    tp = sum(r["verdict"] == "TP" for r in rows)
    return tp, len(rows), (tp / len(rows) if rows else 1.0)


def report(rows):
    tp, n, p = precision(rows)
    print(f"all findings: {n}, true positives {tp}, false positives {n - tp}: precision {p:.3f}")
    by_repo = defaultdict(list)
    for r in rows:
        by_repo[r["repo"]].append(r)
    with open(os.path.join(HERE, "repos.csv"), newline="") as f:
        repos = list(csv.DictReader(f))
    for kind in ("tuned", "held-out"):
        names = {repo["repo"] for repo in repos if repo.get("set", "tuned") == kind}
        tp, n, p = precision([r for r in rows if r["repo"] in names])
        print(f"  {kind} repositories only: {n} findings, {n - tp} FP, precision {p:.3f}")
    for repo in repos:
        tp, n, p = precision(by_repo.get(repo["repo"], []))
        print(f"  {repo['repo']:<11} {n:4} findings, {n - tp:3} FP, precision {p:.3f}")
    direct = [r for r in rows if r["rule"] == "blocking-call"]
    chains = [r for r in rows if r["rule"] == "blocking-chain"]
    for name, part in [("direct calls", direct), ("chains", chains)]:
        tp, n, p = precision(part)
        print(f"{name}: {n}, precision {p:.3f}")
    non_test = [r for r in rows if "test" not in r["file"] and "test" not in r["chain"].split(" > ")[0]]
    tp, n, p = precision(non_test)
    print(f"outside tests: {n}, precision {p:.3f}")
    print("false positives by reason:")
    for reason, count in Counter(r["reason"] for r in rows if r["verdict"] == "FP").most_common():
        print(f"  {count:3}  {reason}")


def rerun(root, binary):
    rows = load()
    known = {(r["file"], int(r["line"]), int(r["column"]), r["event"], r["chain"]) for r in rows}
    seen = set()
    with open(os.path.join(HERE, "repos.csv"), newline="") as f:
        repos = list(csv.DictReader(f))
    for repo in repos:
        out = subprocess.run(
            [os.path.abspath(binary), "aiocop", "--format", "json", repo["repo"]],
            cwd=root, capture_output=True, text=True,
        )
        for line in out.stdout.splitlines():
            d = json.loads(line)
            key = (d["file"], d["line"], d["column"], d["event"], " > ".join(d["chain"]))
            seen.add(key)
            if key not in known:
                print("new, unclassified:", *key)
    for key in sorted(known - seen):
        print("no longer reported:", *key)
    print(f"{len(seen)} findings now, {len(known)} classified, {len(seen & known)} in common")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--rerun":
        rerun(sys.argv[2], sys.argv[3])
    else:
        report(load())
