#!/usr/bin/env python3
# Name the "func:" lines of `fs_insns --funcs` (or a kernel-check console
# log holding them) after the object's functions, matched by length in
# instructions (libbpf appends each called subprogram whole; equal
# lengths print every candidate), most processed first.
#
#   scripts/insns-funcs.py LOG [build/floodshield.bpf.o]
import re
import subprocess
import sys


def functions(obj):
    """{length in instructions: [names]} of the object's functions."""
    out = subprocess.run(["llvm-objdump", "-t", obj], capture_output=True,
                         text=True, check=True).stdout
    by_len = {}
    for line in out.splitlines():
        m = re.match(r"[0-9a-f]+ [lg] +F \S+\s+([0-9a-f]+) (\S+)$", line)
        if m:
            by_len.setdefault(int(m.group(1), 16) // 8, []).append(m.group(2))
    return by_len


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: insns-funcs.py LOG [OBJECT]")
    by_len = functions(sys.argv[2] if len(sys.argv) == 3
                       else "build/floodshield.bpf.o")
    rows = []
    with open(sys.argv[1], errors="replace") as f:
        for line in f:
            m = re.search(r"func: start (\d+) len (\d+) processed (\d+)", line)
            if m:
                start, n, done = map(int, m.groups())
                names = "/".join(by_len.get(n, ["?"]))
                rows.append((done, start, n, names))
    total = sum(r[0] for r in rows) or 1
    for done, start, n, names in sorted(rows, reverse=True):
        print(f"{done:8d} {100 * done / total:5.1f}%  @{start:<6d} "
              f"{n:5d} insns  {names}")


main()
