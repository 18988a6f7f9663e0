#!/usr/bin/env python3
"""Rebuilds the standard library's source tree from the toolchain's own rustdoc source pages.

rust-analyzer needs std's source (the `rust-src` rustup component) to know std's types; this
machine's toolchain has no `rust-src` and cannot download it, but it ships `rust-docs`, whose
`html/src/<crate>/**.rs.html` pages hold every documented source file of core, alloc, std,
std_detect, proc_macro and test of the same version (1.95). This script turns each page back
into its `.rs` file (line-number anchors and highlighting tags removed, entities unescaped), in
the `library/<crate>/src/` layout that rust-analyzer's sysroot loader expects.

Usage: make_std_src.py OUT_DIR   (then point semantic-eval at OUT_DIR/library with --std-src)
"""
import html
import os
import re
import subprocess
import sys

out = sys.argv[1]
sysroot = subprocess.check_output(["rustc", "--print", "sysroot"], text=True).strip()
src = os.path.join(sysroot, "share/doc/rust/html/src")
code_re = re.compile(r'<pre class="rust"><code>(.*?)</code></pre>', re.S)
anchor_re = re.compile(r"<a href=#\d+ id=\d+ data-nosnippet>\d+</a>")
tag_re = re.compile(r"<[^>]+>")
written = 0
for crate in sorted(os.listdir(src)):
    base = os.path.join(src, crate)
    if not os.path.isdir(base):
        continue
    for dirpath, _, files in os.walk(base):
        for name in files:
            if not name.endswith(".rs.html"):
                continue
            page = open(os.path.join(dirpath, name), encoding="utf-8").read()
            m = code_re.search(page)
            if not m:
                print("no code in", os.path.join(dirpath, name), file=sys.stderr)
                continue
            text = html.unescape(tag_re.sub("", anchor_re.sub("", m.group(1))))
            rel = os.path.relpath(os.path.join(dirpath, name[: -len(".html")]), base)
            dest = os.path.join(out, "library", crate, "src", rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w", encoding="utf-8") as f:
                f.write(text if text.endswith("\n") else text + "\n")
            written += 1
print(f"{written} files under {out}/library")
