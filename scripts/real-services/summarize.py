#!/usr/bin/env python3
"""Summarizes aiocop event files (JSON lines written by recorder/): per file, the events grouped
by (function, reason) with their blocking operations, entry points and hottest CPU stacks."""
import collections
import json
import sys


def short(s, n=110):
    return s if len(s) <= n else s[: n - 3] + "..."


def summarize(path):
    events = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                events.append(json.loads(line))
    print(f"== {path}: {len(events)} events")
    groups = collections.OrderedDict()
    for e in events:
        key = (e["function"], e["reason"])
        g = groups.setdefault(key, {"n": 0, "ms": [], "ops": collections.Counter(),
                                    "cpu": collections.Counter(), "dropped": 0})
        g["n"] += 1
        g["ms"].append(e["elapsed_ms"])
        g["dropped"] += e.get("dropped_events", 0)
        for b in e["blocking"]:
            who = f" (by {b['calling_crate']})" if b.get("calling_crate") else ""
            g["ops"][f"{b['operation']} at {b['entry_point']}{who}"] += 1
        for s in e["cpu_samples"][:1]:
            g["cpu"][s["entry_point"]] += 1
    for (function, reason), g in groups.items():
        ms = sorted(g["ms"])
        print(f"  {g['n']:6d} x {function} [{reason}] elapsed ms min {ms[0]:.1f} "
              f"median {ms[len(ms)//2]:.1f} max {ms[-1]:.1f}"
              + (f", dropped calls {g['dropped']}" if g["dropped"] else ""))
        for op, n in g["ops"].most_common(6):
            print(f"         {n:6d} call: {short(op)}")
        for ep, n in g["cpu"].most_common(3):
            print(f"         {n:6d} hottest stack at: {short(ep)}")


for p in sys.argv[1:]:
    summarize(p)
