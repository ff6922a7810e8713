#!/usr/bin/env python3
"""export_release.py: tools/export-release makes a student release that holds
no solution code, and that builds and grades out of the box.

usage: export_release.py SOURCE

1. Bad destinations are refused with one line and exit 2.
2. The release (made with --git: one commit) has no solutions/, tests/, tools/
   or .ci/; no file names solutions/ or holds a BEGIN/END SOLUTION marker; and
   no solution region of SOURCE/solutions (the code between "// BEGIN SOLUTION"
   and "// END SOLUTION" lines, compared line by line without whitespace or
   comments; regions of fewer than 3 meaningful lines are ignored) is in any
   of its files, but for the few that a handout shows on purpose
   (GIVEN_IN_HANDOUTS), and those only in that handout.
   No text file names a tool the release lacks (LACKS: tools/, tests/, .ci/,
   ipcbench, stability, the platform bundles, meson test --setup, ...), and its
   README and handouts name no instructor-only command its grader has (batch,
   --tree, --sources, course platforms, ./kit test), but for ALLOWED.
3. The release is configured and built in a build folder of its own; its own
   ipcgrade grades its labs/ (the untouched skeletons): every check 0, exit 1,
   with the text report, Gradescope's and PrairieLearn's results.json and
   Autolab's closing scores line agreeing; --tree solutions is one clear line,
   exit 2, and the results files it was asked for say the grader failed.
4. The release's own `meson test` passes.
Everything is made in one temporary folder, removed at the end.
Exit 0 when all of this holds, 1 with the reason otherwise.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BEGIN = "// BEGIN SOLUTION"
END = "// END SOLUTION"
MIN_LINES = 3  # a solution region with fewer meaningful lines is too common to count

# Solution regions that a handout shows on purpose, as teaching code: (handout,
# the region's first code line). A handout may hold these; no other file may.
GIVEN_IN_HANDOUTS = {
    ("handouts/01-mqueue.md", 'printf("%u %zd ", prio, len);'),  # print_record(), Step 3
    ("handouts/04-sem.md", "while (sem_wait(sem) == -1) {"),  # the EINTR retry loop
}

# What the release lacks: no text file of it may name these (tools/ scripts,
# tests/, CI, the benchmark, the platform bundles, test setups and the tools
# that make the kit). Lab and grader code may not either: comments are reworded.
LACKS = [
    (r"(?<![\w/.])tools/", "tools/ (instructor scripts)"),
    (r"(?<![\w/])tests/", "tests/ (the kit's tests)"),
    (r"(?<![\w])\.ci/", ".ci/"),
    (r"ipcbench", "ipcbench"),
    (r"\bstability\b", "tools/stability"),
    (r"gradescope-bundle|prairielearn-course|autolab-bundle|autograder\.zip|autograde\.tar|"
     r"autograde-Makefile|run_autograder|make-gradescope-bundle|make-platform-bundle|Containerfile",
     "a course platform's bundle"),
    (r"meson test --setup|--setup (fallback|container)|--suite (integration|hostile|redteam|container)",
     "the kit's test setups"),
    (r"host-snapshot|grading-tables|make-skeleton|make-mutant|export-release|build-sanitize",
     "an instructor tool"),
]
# What the release's grader has but only instructors use: the student-facing
# text (README.md, the handouts) may not name these. grader/README.md, the
# grader's own design notes, and the grader's --help may.
INSTRUCTOR_ONLY = [
    (r"\(instructors\b|\bbatch\b|ipcgrade-batch|--tree\b|--sources\b|--build-cache\b",
     "an instructor's grading command"),
    (r"Gradescope|PrairieLearn|Autolab", "a course platform"),
    (r"\./kit test|meson test\b", "./kit test (in the release, only the grader's unit tests)"),
]
STUDENT_TEXT = re.compile(r"README\.md|handouts/.*\.md")
# Mentions that stay, and why: (file, what).
ALLOWED = {
    # The Measuring section names the benchmark and says that a starter
    # repository may leave it out, then gives our figures instead.
    ("handouts/05-channels.md", "ipcbench"),
}


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def run(cmd, timeout, **kw):
    """Run CMD, print it with its exit code and output; return the CompletedProcess."""
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kw)
    print(f"$ {' '.join(str(c) for c in cmd)}  -> exit {p.returncode}")
    if p.returncode != 0:
        print(p.stdout[-4000:], p.stderr[-4000:], sep="")
    return p


def meaningful(text):
    """TEXT's code lines, whitespace collapsed: no blank lines, no comment-only
    lines, no lines of punctuation alone (braces)."""
    out = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if line and not line.startswith("//") and re.search(r"\w", line):
            out.append(line)
    return out


def solution_regions(source):
    """Every solution region of SOURCE/solutions with at least MIN_LINES
    meaningful lines, as (where, its meaningful lines)."""
    regions = []
    for path in sorted((source / "solutions").rglob("*")):
        if path.suffix not in (".cpp", ".hpp"):
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        start = None
        for n, line in enumerate(lines):
            if line.strip() == BEGIN:
                start = n
            elif line.strip().startswith(END) and start is not None:
                code = meaningful("\n".join(lines[start + 1:n]))
                if len(code) >= MIN_LINES:
                    regions.append((f"{path.relative_to(source)}:{start + 1}", code))
                start = None
    return regions


def check_refusals(tool, tmp):
    """A destination that is a file, not empty, or inside the checkout: exit 2, one line."""
    full = tmp / "full"
    full.mkdir()
    (full / "something").write_text("x\n")
    afile = tmp / "a-file"
    afile.write_text("x\n")
    for dest in (full, afile, tool.parent.parent / "release-inside-checkout"):
        p = run([tool, dest], 60)
        lines = p.stderr.strip().split("\n")
        if p.returncode != 2 or len(lines) != 1 or not lines[0].startswith("export-release: "):
            fail(f"export-release {dest}: expected one line and exit 2, got exit {p.returncode}:"
                 f" {p.stderr!r}")
    if (tool.parent.parent / "release-inside-checkout").exists():
        fail("export-release made a release inside the checkout")
    p = run([tool], 60)
    if p.returncode != 2:
        fail(f"export-release without DEST: exit {p.returncode}, expected 2")


def check_contents(release, source):
    """No instructor folder, no marker, no solutions/ path, no solution region."""
    for folder in ("solutions", "tests", "tools", ".ci"):
        if (release / folder).exists():
            fail(f"the release has {folder}/")
    files = [p for p in sorted(release.rglob("*"))
             if p.is_file() and ".git" not in p.relative_to(release).parts]
    if not any(p.relative_to(release).as_posix() == "labs/01-mqueue/mq_send.cpp" for p in files):
        fail("the release has no labs/01-mqueue/mq_send.cpp")
    regions = solution_regions(source)
    if len(regions) < 20:
        fail(f"only {len(regions)} solution regions found in {source}/solutions: is the parser wrong?")
    print(f"{len(files)} files exported; {len(regions)} solution regions to look for")
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        rel = path.relative_to(release)
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "solutions/"):
            if marker in text:
                fail(f"{rel} holds {marker!r}")
        body = "\n" + "\n".join(meaningful(text)) + "\n"
        for where, code in regions:
            if (rel.as_posix(), code[0]) in GIVEN_IN_HANDOUTS:
                continue
            if "\n" + "\n".join(code) + "\n" in body:
                fail(f"{rel} holds the solution region of {where}:\n  " + "\n  ".join(code))


def text_files(release):
    """(relative path, text) of every text file of the release, .git/ aside."""
    for path in sorted(release.rglob("*")):
        rel = path.relative_to(release)
        if not path.is_file() or ".git" in rel.parts:
            continue
        try:
            yield rel.as_posix(), path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def instructor_mentions(release):
    """'file:line: names WHAT: text' for every line of the release that names a
    tool it lacks, or (in its README and handouts) an instructor-only command."""
    found = []
    for rel, text in text_files(release):
        rules = LACKS + (INSTRUCTOR_ONLY if STUDENT_TEXT.fullmatch(rel) else [])
        for n, line in enumerate(text.split("\n"), 1):
            for pattern, what in rules:
                if re.search(pattern, line) and (rel, what) not in ALLOWED:
                    found.append(f"{rel}:{n}: names {what}: {line.strip()[:120]}")
    return found


def check_student_text(release):
    """No text of the release describes a tool it lacks; its README and handouts
    have no instructor paragraphs."""
    found = instructor_mentions(release)
    for line in found:
        print("FAIL: " + line)
    if found:
        fail(f"{len(found)} line(s) of the release name instructor-only tools or commands")
    readme = (release / "README.md").read_text(encoding="utf-8")
    if "./kit grade" not in readme:
        fail("the release's README does not say how to grade: ./kit grade")


def check_git(release):
    """--git made one commit that holds every file, and nothing is left out of it."""
    log = run(["git", "-C", release, "log", "--format=%s"], 60)
    if log.returncode != 0 or len(log.stdout.strip().split("\n")) != 1:
        fail(f"the release's git history is not one commit: {log.stdout!r}")
    status = run(["git", "-C", release, "status", "--porcelain"], 60)
    if status.stdout.strip():
        fail(f"files of the release are not in its commit: {status.stdout!r}")


def check_grading(build, tmp):
    """The release's ipcgrade gives its skeletons 0 everywhere, in every format."""
    gradescope, prairielearn = tmp / "gradescope.json", tmp / "prairielearn.json"
    p = run([build / "grader" / "ipcgrade", "--tree", "labs", "--no-build", "--json", gradescope,
             "--prairielearn", prairielearn, "--autolab"], 600)
    if p.returncode != 1:
        fail(f"grading the skeletons: exit {p.returncode}, expected 1")
    gs = json.loads(gradescope.read_text())
    if gs["score"] != 0 or not gs["tests"] or any(t["score"] != 0 for t in gs["tests"]):
        fail("a check of the untouched skeletons earned points (Gradescope results.json)")
    pl = json.loads(prairielearn.read_text())
    if pl.get("gradable") is not True or pl["score"] != 0 or len(pl["tests"]) != len(gs["tests"]):
        fail(f"PrairieLearn results.json: gradable {pl.get('gradable')}, score {pl.get('score')}")
    if any(t["points"] != 0 or "message" not in t for t in pl["tests"]):
        fail("a PrairieLearn test earned points or has no message")
    lines = p.stdout.rstrip("\n").split("\n")
    if not re.fullmatch(r"Score: 0/\d+", lines[-2]):
        fail(f"the text report does not end in Score: 0/N before the scores line: {lines[-2]!r}")
    scores = json.loads(lines[-1])["scores"]
    labs = {t["name"].split("/")[0] for t in gs["tests"]}
    if set(scores) != labs or any(v != 0 for v in scores.values()):
        fail(f"Autolab's scores line is not 0 for each lab: {lines[-1]!r}")


def check_no_solutions_tree(build, tmp):
    """--tree solutions: one clear line, exit 2, and failure documents, not a 0."""
    gradescope, prairielearn = tmp / "failed-gs.json", tmp / "failed-pl.json"
    p = run([build / "grader" / "ipcgrade", "--tree", "solutions", "--json", gradescope,
             "--prairielearn", prairielearn], 120)
    lines = p.stderr.strip().split("\n")
    if p.returncode != 2 or len(lines) != 1 or "student release" not in lines[0]:
        fail(f"--tree solutions: expected one line about the student release and exit 2, got "
             f"exit {p.returncode}: {p.stderr!r}")
    gs = json.loads(gradescope.read_text())
    if gs.get("extra_data", {}).get("grader_failed") is not True or "not a grade" not in gs["output"]:
        fail(f"--tree solutions: the Gradescope file does not say the grader failed: {gs}")
    pl = json.loads(prairielearn.read_text())
    if pl.get("gradable") is not False or "score" in pl or "student release" not in pl["message"]:
        fail(f"--tree solutions: the PrairieLearn file is not 'not gradable': {pl}")


def main():
    if len(sys.argv) != 2:
        print("usage: export_release.py SOURCE", file=sys.stderr)
        return 2
    source = Path(sys.argv[1]).resolve()
    tool = source / "tools" / "export-release"
    tmp = Path(tempfile.mkdtemp(prefix="export-release-test."))
    try:
        check_refusals(tool, tmp)
        release, build = tmp / "release", tmp / "build"
        if run([tool, "--git", release], 300).returncode != 0:
            fail("export-release failed")
        check_contents(release, source)
        check_student_text(release)
        check_git(release)
        if run(["meson", "setup", build, release], 300).returncode != 0:
            fail("meson setup of the release failed")
        if run(["ninja", "-C", build, "-j", "2"], 800).returncode != 0:
            fail("the release does not build")
        check_grading(build, tmp)
        check_no_solutions_tree(build, tmp)
        t = run(["meson", "test", "-C", build, "--no-rebuild", "--print-errorlogs"], 600)
        if t.returncode != 0:
            fail("the release's own meson test failed")
        print(t.stdout.strip().split("\n")[-8:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("the student release holds no solution code and grades out of the box")
    return 0


if __name__ == "__main__":
    sys.exit(main())
