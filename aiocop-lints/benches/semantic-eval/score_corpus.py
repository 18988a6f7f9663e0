#!/usr/bin/env python3
"""Scores semantic-eval's findings on the labelled corpus (aiocop-lints/tests/corpus/) at default
settings, the way tests/corpus.rs scores cargo aiocop's (which passes that test with precision
and recall 1.0, so the labels are also cargo aiocop's findings line by line).

A `//~ BLOCKING <event>` line is a true positive when a finding on that line has that event (for a
chain `a → b → event`, its last step); `//~ TRIVIAL` lines are look-alikes at default settings;
any other finding is a false positive. `MISSING-REASON` and `UNUSED-SUPPRESSION` are checks of
the suppression syntax, not of an engine, and are left out.

Usage: score_corpus.py FINDINGS.jsonl OUT.csv
"""
import csv
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.normpath(os.path.join(HERE, "../../tests/corpus"))


def labels():
    out = {}
    for dirpath, _, files in os.walk(CORPUS):
        for name in sorted(files):
            if not name.endswith(".rs"):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, CORPUS)
            for i, line in enumerate(open(path, encoding="utf-8"), 1):
                for mark in line.split("//~")[1:]:
                    mark = mark.strip()
                    if mark.startswith("BLOCKING"):
                        out.setdefault((rel, i), []).append(("BLOCKING", mark[8:].strip()))
                    elif mark.startswith("TRIVIAL") or mark == "OK" or mark.startswith("OK ("):
                        out.setdefault((rel, i), []).append(("OK", ""))
    return out


def main():
    findings = {}
    for line in open(sys.argv[1], encoding="utf-8"):
        f = json.loads(line)
        rel = os.path.relpath(f["file"], CORPUS)
        if rel.startswith(".."):
            continue
        findings.setdefault((rel, f["line"]), []).append(f)
    expected = labels()
    rows = []
    tp = fp = fn = 0
    for key in sorted(set(expected) | set(findings)):
        found = list(findings.get(key, []))
        for kind, what in expected.get(key, []):
            if kind != "BLOCKING":
                continue
            event = what.split("→")[-1].strip()
            hit = next((f for f in found if f["event"] == event), None)
            if hit is None and "→" in what:
                # A chain whose final step is a declared or dependency operation: any chain
                # finding on the line counts.
                hit = next((f for f in found if f["chain"]), None)
            if hit:
                found.remove(hit)
                tp += 1
                rows.append([*key, what, hit["event"], " → ".join(hit["chain"]), "TP"])
            else:
                fn += 1
                rows.append([*key, what, "", "", "FN"])
        for f in found:
            fp += 1
            rows.append([*key, "", f["event"], " → ".join(f["chain"]), "FP"])
    with open(sys.argv[2], "w", newline="") as out:
        w = csv.writer(out)
        w.writerow(["file", "line", "label", "semantic_event", "semantic_chain", "outcome"])
        w.writerows(rows)
    positives = tp + fn
    print(f"corpus: {positives} blocking labels; semantic engine TP {tp}, FP {fp}, FN {fn}: "
          f"precision {tp / max(tp + fp, 1):.3f}, recall {tp / max(positives, 1):.3f}")


main()
