#!/usr/bin/env python3
"""Reads a cargo build log of an annotated tree.

Usage: errors.py BUILD_LOG TREE ORIG_TREE SKIP_OUT DIGEST_OUT
SKIP_OUT gets one `path:line` per error located in TREE (for the annotator's --skip);
DIGEST_OUT gets one line per error: code, message, location, and the source line as written in
ORIG_TREE (the unannotated copy: same line numbers). Prints the number of new locations.
"""
import os, re, sys

log, tree, orig, skip_out, digest_out = sys.argv[1:6]
tree = os.path.realpath(tree)
head_re = re.compile(r'^error(\[(E\d+)\])?: (.*)$')
loc_re = re.compile(r'^\s*--> (.+?):(\d+):(\d+)$')
skip, digest = [], []
pending = None
for line in open(log, errors='replace'):
    line = line.rstrip('\n')
    m = head_re.match(line)
    if m:
        msg = m.group(3)
        if msg.startswith(('could not compile', 'aborting due to')):
            pending = None
            continue
        pending = (m.group(2) or '-', msg)
        continue
    m = loc_re.match(line)
    if m and pending:
        path, ln, col = m.group(1), int(m.group(2)), m.group(3)
        full = path if os.path.isabs(path) else os.path.join(tree, path)
        full = os.path.realpath(full)
        if full.startswith(tree + os.sep):
            rel = os.path.relpath(full, tree)
            src = ''
            try:
                with open(os.path.join(orig, rel), errors='replace') as f:
                    src = f.read().split('\n')[ln - 1].strip()
            except (OSError, IndexError):
                pass
            skip.append(f'{rel}:{ln}')
            digest.append(f'{pending[0]}\t{pending[1]}\t{rel}:{ln}:{col}\t{src}')
        else:
            digest.append(f'{pending[0]}\t{pending[1]}\t{path}:{ln}:{col}\tUNMAPPED (outside the tree)')
        pending = None
old = set()
if os.path.exists(skip_out):
    old = set(l.strip() for l in open(skip_out) if l.strip())
new = [s for s in dict.fromkeys(skip) if s not in old]
with open(skip_out, 'a') as f:
    f.write(''.join(s + '\n' for s in new))
with open(digest_out, 'a') as f:
    f.write(''.join(d + '\n' for d in dict.fromkeys(digest)))
print(len(new))
