#!/usr/bin/env python3
"""Re-align the continuation lines of multi-line trailing comments to
their opening '/*' after clang-format moved it (clang-format 14 moves
the opening of a trailing comment but leaves its other lines)."""
import sys

def col(line, upto):
    c = 0
    for ch in line[:upto]:
        c = (c // 8 + 1) * 8 if ch == '\t' else c + 1
    return c

def indent_to(n):
    return '\t' * (n // 8) + ' ' * (n % 8)

def fix(text):
    lines = text.split('\n')
    out = []
    i = 0
    while i < len(lines):
        l = lines[i]
        out.append(l)
        s = l.find('/*')
        # a trailing comment: code before it, and it does not close here
        if s > 0 and l[:s].strip() and '*/' not in l[s:] and '//' not in l[:s] \
                and l[:s].count('"') % 2 == 0:
            star = col(l, s) + 1
            j = i + 1
            while j < len(lines):
                c = lines[j]
                st = c.lstrip(' \t')
                if not st.startswith('*'):
                    break
                out.append(indent_to(star) + st)
                if '*/' in st:
                    break
                j += 1
            i = j + 1
            continue
        i += 1
    return '\n'.join(out)

for p in sys.argv[1:]:
    s = open(p).read()
    t = fix(s)
    if t != s:
        open(p, 'w').write(t)
