#!/usr/bin/env python3
"""verbatim: how much of each lab's solution a student can copy instead of write.

usage: tests/verbatim.py [--source DIR] [--max PERCENT] [--show] LABDIR...

A solution line counts when it lies inside a "// BEGIN SOLUTION" region of
solutions/LABDIR/ and its code (without a trailing // comment, whitespace
collapsed) is at least 20 characters long. It is given away when that code appears
word for word, within one line, in handouts/LABDIR.md or in a file of the skeleton
labs/LABDIR/. A step's last hint is the one place where code may be shown: in
each "## Step" section of the handout, the last <details> block whose <summary>
starts with "Hint" is left out of the text searched.

Prints one line per lab (lines given away, of how many, and the percentage) and,
with --show, each line given away. Exit 0 when every lab is at or under --max
percent (default 10), 1 when one is over, 2 for bad usage or a missing lab.
"""
import argparse, re, sys
from pathlib import Path

BEGIN, END = "// BEGIN SOLUTION", "// END SOLUTION"
MIN_CHARS = 20
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".c"}


def code_of(line):
    """LINE without a trailing // comment (outside string and character
    literals), whitespace collapsed."""
    quote, i = None, 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif line.startswith("//", i):
            line = line[:i]
            break
        i += 1
    return " ".join(line.split())


def solution_lines(lab):
    """The code of every solution-region line of LAB long enough to count."""
    out = []
    for path in sorted(lab.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES:
            continue
        inside = False
        for raw in path.read_text(errors="replace").split("\n"):
            stripped = raw.strip()
            if stripped.startswith(BEGIN):
                inside = True
            elif stripped.startswith(END):
                inside = False
            elif inside:
                code = code_of(raw)
                if len(code) >= MIN_CHARS:
                    out.append((path, code))
    return out


def without_last_hints(handout):
    """HANDOUT's text with the last "Hint" <details> block of each step removed."""
    sections = re.split(r"(?m)^(?=## )", handout)
    kept = []
    for section in sections:
        if section.startswith("## Step"):
            hints = list(re.finditer(
                r"(?ims)^<details>\s*<summary>\s*hint.*?^</details>[ \t]*$", section))
            if hints:
                last = hints[-1]
                section = section[:last.start()] + section[last.end():]
        kept.append(section)
    return "".join(kept)


def searchable(text):
    """TEXT with each line's whitespace collapsed, lines kept apart."""
    return "\n".join(" ".join(line.split()) for line in text.split("\n"))


def skeleton_text(lab):
    """Every text file of the skeleton LAB, one string."""
    parts = []
    for path in sorted(lab.rglob("*")):
        if path.is_file():
            try:
                parts.append(path.read_text())
            except UnicodeDecodeError:
                pass
    return "\n".join(parts)


def measure(source, labdir):
    """(given away, all) solution lines of LABDIR."""
    handout = source / "handouts" / f"{labdir}.md"
    solution, skeleton = source / "solutions" / labdir, source / "labs" / labdir
    for needed in (handout, solution, skeleton):
        if not needed.exists():
            print(f"verbatim: {needed} is missing: is {labdir} a lab of this kit?", file=sys.stderr)
            sys.exit(2)
    text = searchable(without_last_hints(handout.read_text())) + "\n" + searchable(skeleton_text(skeleton))
    lines = solution_lines(solution)
    return [(p, c) for p, c in lines if c in text], lines


def main():
    ap = argparse.ArgumentParser(description="Solution lines given away by handouts and skeletons.")
    ap.add_argument("--source", default=str(Path(__file__).resolve().parent.parent))
    ap.add_argument("--max", type=float, default=10.0)
    ap.add_argument("--show", action="store_true")
    ap.add_argument("labdirs", nargs="+", metavar="LABDIR")
    args = ap.parse_args()
    source, over = Path(args.source), []
    for labdir in args.labdirs:
        given, lines = measure(source, labdir)
        percent = 100.0 * len(given) / len(lines) if lines else 0.0
        verdict = "over" if percent > args.max else "ok"
        print(f"{labdir}: {len(given)} of {len(lines)} solution lines ({percent:.1f}%) appear word for word "
              f"outside a step's last hint ({verdict}, limit {args.max:g}%)")
        if args.show:
            for path, code in given:
                print(f"    {path.relative_to(source)}: {code}")
        if percent > args.max:
            over.append(labdir)
    if over:
        print(f"verbatim: {', '.join(over)} give away more than {args.max:g}% of their solution; "
              "move the code into a step's last hint, or describe it instead (--show lists the lines)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
