#!/usr/bin/env python3
"""Lists Swift functions (func, init, subscript, computed var) whose body is
longer than a limit, longest first: `python3 scripts/long-functions.py [--max 60] [DIR...]`.

docs/architecture.md asks for no function in Sources/ over about 60 lines
without a comment that says why. A function whose doc comment (or the line
before it) says why it is long (a sentence with "Long", e.g. "Long on purpose: ...") counts as justified and is listed with that mark.
Reads the text only: string literals and comments are blanked before braces
are counted, which is enough for this code base.
"""
import argparse
import os
import re
import sys

DECL = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|static|final|override|mutating|nonisolated|class|convenience|required|@inlinable)\s+)*"
                  r"(func\s+[^\s(<]+|init[?!]?|subscript|var\s+\w+)")

TYPE = re.compile(r"^\s*(?:(?:public|private|fileprivate|internal|final|indirect)\s+)*(?:class|struct|enum|protocol|extension|actor)\b")


def blank_strings(lines):
    """Each line with string literals, regex literals and comments blanked."""
    out = []
    in_multiline = False
    in_block_comment = False
    for line in lines:
        if in_multiline:
            if '"""' in line:
                in_multiline = False
                line = line[line.index('"""') + 3:]
            else:
                out.append("")
                continue
        if in_block_comment:
            if "*/" in line:
                in_block_comment = False
                line = line[line.index("*/") + 2:]
            else:
                out.append("")
                continue
        line = re.sub(r'#"(?:[^"]|"(?!#))*"#', '""', line)
        line = re.sub(r'"(?:[^"\\]|\\.)*"', '""', line)
        line = re.sub(r"#/.*?/#", "nil", line)
        line = re.sub(r"//.*", "", line)
        if '"""' in line:
            in_multiline = True
            line = line[: line.index('"""')]
        if "/*" in line:
            in_block_comment = "*/" not in line[line.index("/*"):]
            line = line[: line.index("/*")]
        out.append(line)
    return out


def functions(path):
    with open(path, encoding="utf-8") as f:
        raw = f.read().split("\n")
    code = blank_strings(raw)
    i = 0
    while i < len(code):
        m = DECL.match(code[i])
        if not m:
            i += 1
            continue
        # Find the opening brace of the body (a signature may span lines).
        j, depth_paren, start = i, 0, None
        while j < len(code) and j < i + 15:
            # A requirement without a body (a protocol's) ends before the next declaration.
            if j > i and (DECL.match(code[j]) or TYPE.match(code[j]) or code[j].strip().startswith("}")):
                break
            for k, ch in enumerate(code[j]):
                if ch == "(":
                    depth_paren += 1
                elif ch == ")":
                    depth_paren -= 1
                elif ch == "{" and depth_paren == 0:
                    start = (j, k)
                    break
            if start or (code[j].rstrip().endswith(";")):
                break
            if m.group(1).startswith("var") and "{" not in code[j] and j == i:
                break
            j += 1
        if not start:
            i += 1
            continue
        depth, end = 0, None
        for jj in range(start[0], len(code)):
            segment = code[jj][start[1]:] if jj == start[0] else code[jj]
            for ch in segment:
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if depth == 0:
                        end = jj
                        break
            if end is not None:
                break
        if end is None:
            i += 1
            continue
        # The doc comment above the declaration.
        k = i - 1
        doc = []
        while k >= 0 and (raw[k].strip().startswith("//") or raw[k].strip().startswith("@")):
            doc.append(raw[k])
            k -= 1
        justified = any(re.search(r"\bLong\b", d) for d in doc)
        yield (end - i + 1, i + 1, m.group(1), justified)
        i += 1  # nested functions are listed too


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--max", type=int, default=60)
    ap.add_argument("dirs", nargs="*", default=["Sources"])
    args = ap.parse_args()
    rows = []
    for d in args.dirs:
        for root, _, files in os.walk(d):
            for name in files:
                if name.endswith(".swift"):
                    p = os.path.join(root, name)
                    for n, line, what, justified in functions(p):
                        if n > args.max:
                            rows.append((n, p, line, what, justified))
    rows.sort(reverse=True)
    for n, p, line, what, justified in rows:
        print(f"{n:4d} {p}:{line} {what}{'  (justified)' if justified else ''}")
    unjustified = sum(1 for r in rows if not r[4])
    print(f"{len(rows)} function(s) over {args.max} lines, {unjustified} without a reason ('Long ...' in its doc comment)", file=sys.stderr)


if __name__ == "__main__":
    main()
