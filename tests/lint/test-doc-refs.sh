#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# lint (TAP): the repository stands on its own.  In every tracked text file (git ls-files; a
# find over the source tree when there is no git):
#   1. nothing refers outside the repository: no path into a sibling "shared" tree, no bare
#      name of a design document (protocol, design, connection-flow, lab or testing notes)
#      without its docs/ directory, no docs/NAME.md that does not exist, no markdown link
#      that leaves the tree;
#   2. no labels of how the work was organised: issue numbers, helper names in quotes,
#      numbered pitfalls of a document outside the tree;
#   3. every docs/NAME.md reference followed by a quoted "Heading text" names a file that
#      exists and a markdown heading (any level) in it with exactly that text;
#   4. every relative markdown link (and [label]: target definition) points at a file or
#      directory that exists, and a #fragment at a heading of its target.
# This script is left out of rules 1 and 2 (it spells the patterns).  Each failure is printed
# as "# FILE:LINE: reason".
# usage: test-doc-refs.sh SRCDIR
set -u
src=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3) || {
	echo "not ok 1 - python3 is missing (needed to read the tree)"
	exit 1
}
exec "$py" - "$src" <<'PY'
import os
import re
import subprocess
import sys

root = os.path.abspath(sys.argv[1])
SELF = "tests/lint/test-doc-refs.sh"


def tracked_files():
    if os.path.isdir(os.path.join(root, ".git")) or os.path.isfile(os.path.join(root, ".git")):
        try:
            out = subprocess.run(["git", "-C", root, "ls-files", "-z"], check=True,
                                 capture_output=True).stdout
            return [p for p in out.decode("utf-8", "replace").split("\0") if p]
        except (OSError, subprocess.CalledProcessError):
            pass
    # No git: the source tree without what .gitignore leaves out.
    skip_top = re.compile(r"^(\.git|build.*|_build.*)$")
    files = []
    for d, dirs, names in os.walk(root):
        rel = os.path.relpath(d, root)
        if rel == ".":
            dirs[:] = [x for x in dirs if not skip_top.match(x)]
            rel = ""
        dirs[:] = [x for x in dirs if x != "__pycache__" and
                   os.path.join(rel, x) != os.path.join("tests", "out")]
        for n in names:
            if n.endswith((".o", ".pyc")):
                continue
            files.append(os.path.join(rel, n) if rel else n)
    return sorted(files)


def read_text(path):
    try:
        with open(os.path.join(root, path), "rb") as f:
            data = f.read()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", "replace")


files = tracked_files()
texts = {}
for p in files:
    t = read_text(p)
    if t is not None:
        texts[p] = t

problems = {1: [], 2: [], 3: [], 4: []}


def report(rule, path, text, pos, why):
    line = text.count("\n", 0, pos) + 1
    problems[rule].append("%s:%d: %s" % (path, line, why))


# --- markdown headings ------------------------------------------------------------------
heading_cache = {}


def headings(path):
    """The heading texts of a markdown file (outside fenced code), or None if it is missing."""
    if path in heading_cache:
        return heading_cache[path]
    full = os.path.join(root, path)
    res = None
    if os.path.isfile(full):
        text = texts.get(path)
        if text is None:
            text = read_text(path) or ""
        res = []
        fence = None
        for line in text.split("\n"):
            m = re.match(r"^ {0,3}(```+|~~~+)", line)
            if m:
                if fence is None:
                    fence = m.group(1)[0] * 3
                elif line.lstrip().startswith(fence):
                    fence = None
                continue
            if fence:
                continue
            m = re.match(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", line)
            if m:
                res.append(m.group(1).strip())
    heading_cache[path] = res
    return res


def slug(h):
    s = h.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


# --- rule 1: references outside the repository ------------------------------------------
# Spelled in pieces, so that a plain grep of the tree for these paths finds nothing, this
# file included.
SHARED = "sha" + "red"
OUTSIDE = [
    (re.compile(r"\.\./" + SHARED + r"\b"), "refers to ../" + SHARED + ", outside the repository"),
    (re.compile(r"\b" + SHARED + r"/docs\b"), "refers to " + SHARED + "/docs, outside the repository"),
]
DOCNAMES = re.compile(r"(?<![\w.-])((?:[\w.-]+/)*)"
                      r"(protocol|design|connection-flow|lab-notes|testing-notes)\.md\b")
DOCPATH = re.compile(r"(?<![\w./-])docs/([\w.-]+\.md)\b")

# --- rule 2: labels ---------------------------------------------------------------------
LABELS = [
    (re.compile(r"\b[Ii]ssues? #?[0-9]+"), "an issue number (say what the code does)"),
    (re.compile(r"\bhelper \"[a-z][\w-]*\"?"),
     "a helper's name in quotes (say what the code does)"),
    (re.compile(r"\b[Pp]itfalls?[ \t]+[0-9]+"),
     "a numbered pitfall of a document outside the repository"),
    (re.compile(r"\b[Pp]itfalls?[ \t]*\n[ \t]*(?:\*|#|//|--)?[ \t]*[0-9]+"),
     "a numbered pitfall of a document outside the repository"),
]

# --- rule 3: a docs/ file named with a quoted heading -------------------------------
HEADREF = re.compile(r"(?<![\w./-])docs/([\w.-]+\.md)`?"
                     r"(?:[ \t]+|[ \t]*\n[ \t]*(?:\*|#|//|--)?[ \t]*)"
                     r"\"([^\"\n]{1,200}(?:\n[^\"\n]{0,200})?)\"")

# --- rule 4: markdown links -------------------------------------------------------------
INLINE_LINK = re.compile(r"\[[^\]\n]*\]\(<?([^)<>\s]+)>?(?:[ \t]+\"[^\"]*\")?\)")
REF_DEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)>?", re.M)


def md_code_mask(text):
    """Positions inside fenced code blocks or inline code spans, to ignore their links."""
    mask = bytearray(len(text))
    pos = 0
    fence = None
    start = 0
    for line in text.split("\n"):
        m = re.match(r"^ {0,3}(```+|~~~+)", line)
        end = pos + len(line)
        if m and fence is None:
            fence = m.group(1)[0] * 3
            start = pos
        elif m and line.lstrip().startswith(fence):
            fence = None
            mask[start:end] = b"\1" * (end - start)
        pos = end + 1
    if fence is not None:
        mask[start:] = b"\1" * (len(text) - start)
    for m in re.finditer(r"(`+)(?:(?!\1).)+?\1", text, re.S):
        mask[m.start():m.end()] = b"\1" * (m.end() - m.start())
    return mask


def check_link(path, text, pos, target):
    if re.match(r"^[A-Za-z][\w+.-]*:", target) or target.startswith("//"):
        return  # a URL (http:, mailto:...): not a file of the tree
    t, _, frag = target.partition("#")
    if t.startswith("/"):
        report(4, path, text, pos, "link %s is absolute, not relative to this file" % target)
        return
    if t:
        resolved = os.path.normpath(os.path.join(os.path.dirname(path), t))
        if resolved == ".." or resolved.startswith("../"):
            report(1, path, text, pos, "link %s leaves the repository" % target)
            return
        if not os.path.exists(os.path.join(root, resolved)):
            report(4, path, text, pos, "link %s: %s does not exist" % (target, resolved))
            return
    else:
        resolved = path
    if frag and resolved.endswith(".md"):
        hs = headings(resolved) or []
        if frag not in {slug(h) for h in hs}:
            report(4, path, text, pos, "link %s: %s has no heading with anchor #%s"
                   % (target, resolved, frag))


for path, text in texts.items():
    if path != SELF:
        for rx, why in OUTSIDE:
            for m in rx.finditer(text):
                report(1, path, text, m.start(), why)
        for m in DOCNAMES.finditer(text):
            prefix, name = m.group(1), m.group(2) + ".md"
            if prefix.endswith(SHARED + "/docs/"):
                continue  # reported above
            # docs/NAME.md from the top, or a path relative to this file that lands in docs/
            cands = [os.path.normpath(os.path.join(os.path.dirname(path), prefix + name))]
            if prefix == "docs/":
                cands.append("docs/" + name)
            cands = [c for c in cands if re.fullmatch(r"docs/[^/]+", c)]
            if not cands:
                report(1, path, text, m.start(),
                       "%s without docs/: a document that is not in the repository" % name)
            elif not any(os.path.isfile(os.path.join(root, c)) for c in cands):
                report(1, path, text, m.start(), "%s does not exist" % cands[-1])
        for m in DOCPATH.finditer(text):
            if DOCNAMES.fullmatch(m.group(1)):
                continue  # checked above
            if not os.path.isfile(os.path.join(root, "docs", m.group(1))):
                report(1, path, text, m.start(), "docs/%s does not exist" % m.group(1))
        for rx, why in LABELS:
            for m in rx.finditer(text):
                shown = re.sub(r"[ \t]*\n[ \t]*(?:\*|#|//|--)?[ \t]*", " ", m.group(0))
                report(2, path, text, m.start(), "%s: '%s'" % (why, shown))

    for m in HEADREF.finditer(text):
        name, head = m.group(1), m.group(2)
        head = re.sub(r"[ \t]*\n[ \t]*(?:\*|#|//|--)?[ \t]*", " ", head).strip()
        hs = headings("docs/" + name)
        if hs is None:
            report(3, path, text, m.start(), "docs/%s does not exist (heading \"%s\")"
                   % (name, head))
        elif head not in hs:
            report(3, path, text, m.start(), "docs/%s has no heading \"%s\"" % (name, head))

    if path.endswith(".md"):
        mask = md_code_mask(text)
        for rx in (INLINE_LINK, REF_DEF):
            for m in rx.finditer(text):
                if mask[m.start()]:
                    continue
                check_link(path, text, m.start(), m.group(1))

titles = {
    1: "nothing refers outside the repository",
    2: "no labels of how the work was organised (issue numbers, helper names, pitfall numbers)",
    3: "every docs/NAME.md \"Heading\" reference names an existing heading",
    4: "every relative markdown link points at something that exists",
}
print("1..4")
failed = 0
for n in (1, 2, 3, 4):
    if problems[n]:
        failed += 1
        print("not ok %d - %s: %d problem(s) in %d text files" % (n, titles[n], len(problems[n]),
                                                                 len(texts)))
        for p in sorted(set(problems[n]), key=lambda s: (s.split(":")[0],
                                                         int(s.split(":")[1]))):
            print("#   " + p)
    else:
        print("ok %d - %s (%d text files)" % (n, titles[n], len(texts)))
sys.exit(1 if failed else 0)
PY
