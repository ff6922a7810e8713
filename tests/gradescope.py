#!/usr/bin/env python3
"""gradescope.py: the Gradescope bundle, unpacked into a simulated /autograder
(AUTOGRADER_ROOT), grades submissions as Gradescope would run it.

usage: gradescope.py --build DIR --source DIR --bundle ZIP --ipcgrade PATH

It checks the zip's layout, that the bundle's source configures without
solutions/, and the results.json that run_autograder writes for: a correct
submission, the skeleton, one lab that does not compile (in a nested folder),
loose lab files, a submission without labs, and a grader that dies, is
missing, writes garbage, or overruns its time. The already-built ipcgrade
grades (IPCGRADE), so nothing of the kit is built again. Exit 0 when every
check holds, 1 otherwise.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

# The lab that the broken submission breaks, its grader id, and the file.
BROKEN_LAB, BROKEN_ID, BROKEN_FILE = "02-mmap", "mmap", "mm_edit.cpp"
# The lab whose files the loose submission uploads, and its grader id.
LOOSE_LAB, LOOSE_ID = "01-mqueue", "mqueue"
# What the bundle must hold, and what it must not.
REQUIRED = ["setup.sh", "run_autograder", "kit", "meson.build", "labs/meson.build",
            "labs/01-mqueue/meson.build", "grader/main.cpp", "grader/meson.build",
            "handouts/01-mqueue.md", "tools/gradescope/meson.build", "tools/platforms/submission.py"]
FORBIDDEN = ("solutions/", "tests/mutants/", "tests/hostile/", "tests/alt/", ".ci/")

failures = []


def expect(ok, what):
    """Record `what` as a failure unless `ok`."""
    if not ok:
        failures.append(what)
        print(f"FAIL: {what}", flush=True)


def check_layout(bundle):
    """setup.sh and run_autograder at the zip's root and executable; the kit's
    files beside them; nothing of solutions/, the test variants or CI."""
    with zipfile.ZipFile(bundle) as zf:
        infos = {i.filename: i for i in zf.infolist()}
    for name in REQUIRED:
        expect(name in infos, f"the bundle holds {name}")
    for name in ["setup.sh", "run_autograder"]:
        mode = (infos[name].external_attr >> 16) & 0o777 if name in infos else 0
        expect(mode == 0o755, f"{name} is mode 755 in the zip (it is {mode:o})")
    bad = [n for n in infos if n.startswith(FORBIDDEN) or "/solutions/" in n]
    expect(not bad, f"the bundle leaves out solutions/, tests/mutants/, tests/hostile/, tests/alt/, .ci/ ({bad[:3]})")


def unpack(bundle, root):
    """Unpack the bundle as Gradescope does: into ROOT/source, with
    run_autograder copied to ROOT/run_autograder; modes as the zip says."""
    source = root / "source"
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():
            zf.extract(info, source)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(source / info.filename, mode)
    shutil.copy2(source / "run_autograder", root / "run_autograder")


def check_packages(source, kit):
    """setup.sh installs exactly the kit script's `packages` list."""
    text = (kit / "kit").read_text()
    listed = re.search(r"^packages=\(([^)]*)\)", text, re.M).group(1).split()
    out = subprocess.run([source / "setup.sh", "--print-packages"], capture_output=True,
                         text=True)
    expect(out.returncode == 0 and out.stdout.split() == listed,
           f"setup.sh --print-packages gives the kit's list {listed}, not {out.stdout.split()}")


def check_configures(source, scratch):
    """The bundle's source configures with meson (no solutions/ in it)."""
    out = subprocess.run(["meson", "setup", str(scratch / "configure"), str(source)],
                         capture_output=True, text=True)
    expect(out.returncode == 0,
           "the bundle's source configures without solutions/:\n" + out.stdout[-1500:]
           + out.stderr[-1500:])
    shutil.rmtree(scratch / "configure", ignore_errors=True)


# The last run_autograder's stdout.
last_stdout = [""]


def run_autograder(root, env_extra):
    """Run ROOT/run_autograder as Gradescope does (cwd ROOT); results.json."""
    shutil.rmtree(root / "results", ignore_errors=True)
    env = dict(os.environ, AUTOGRADER_ROOT=str(root), **env_extra)
    out = subprocess.run([root / "run_autograder"], cwd=root, env=env, capture_output=True,
                         text=True, timeout=540)
    last_stdout[0] = out.stdout
    expect(out.returncode == 0, f"run_autograder exits 0 (it exited {out.returncode}):\n"
           + out.stdout[-2000:] + out.stderr[-2000:])
    try:
        return json.loads((root / "results" / "results.json").read_text())
    except (OSError, ValueError) as e:
        expect(False, f"run_autograder wrote a readable results.json ({e})")
        return {"score": None, "tests": []}


def check_fields(doc, case):
    """The fields Gradescope needs, and a score that is the sum of the tests'."""
    expect(isinstance(doc.get("score"), (int, float)), f"{case}: results.json has a numeric score")
    tests = doc.get("tests", [])
    expect(isinstance(tests, list), f"{case}: tests is a list")
    for t in tests:
        ok = (isinstance(t.get("name"), str) and isinstance(t.get("score"), (int, float))
              and isinstance(t.get("max_score"), (int, float)) and isinstance(t.get("output"), str))
        expect(ok, f"{case}: test {t.get('name')} has a name, score, max_score and output")
    total = sum(t.get("score", 0) for t in tests)
    expect(doc.get("score") == total, f"{case}: score {doc.get('score')} is the tests' sum {total}")


def lab_of(test):
    """The grader id of a test's lab ("mmap/record-edit: ..." -> "mmap")."""
    return test["name"].split("/", 1)[0]


def new_submission(root):
    """An empty ROOT/submission."""
    sub = root / "submission"
    shutil.rmtree(sub, ignore_errors=True)
    sub.mkdir()
    return sub


def correct_into(kit, labs_dir):
    """The reference solutions laid out as labs_dir/NN-topic."""
    for lab in sorted((kit / "labs").iterdir()):
        if lab.is_dir():
            shutil.copytree(kit / "solutions" / lab.name, labs_dir / lab.name)


def grade_correct(kit, root, env):
    """A correct submission earns every test's full points."""
    correct_into(kit, new_submission(root) / "labs")
    doc = run_autograder(root, env)
    check_fields(doc, "correct")
    expect("--time-limit 510" in last_stdout[0],
           "correct: the grader is told to end 30 s before run_autograder's 540 s (--time-limit 510)")
    tests = doc.get("tests", [])
    expect(len({lab_of(t) for t in tests}) == 5, f"correct: tests of 5 labs ({len(tests)} tests)")
    lost = [t["name"] for t in tests if t["score"] != t["max_score"]]
    expect(tests and not lost, f"correct: every test earns full points ({len(lost)} lost: {lost[:3]})")
    return {t["name"] for t in tests}


def grade_skeleton(kit, root, env, names):
    """The untouched skeleton earns nothing, on the same tests."""
    shutil.copytree(kit / "labs", new_submission(root) / "labs")
    doc = run_autograder(root, env)
    check_fields(doc, "skeleton")
    expect({t["name"] for t in doc.get("tests", [])} == names, "skeleton: the same tests as correct")
    expect(doc.get("score") == 0, f"skeleton: score 0, not {doc.get('score')}")


def grade_broken(kit, root, env, names):
    """A correct submission, nested in a folder, with a syntax error in one lab:
    that lab earns 0 with the compiler's message, the others keep their points."""
    labs_dir = new_submission(root) / "ipc-kit-main" / "labs"
    correct_into(kit, labs_dir)
    with open(labs_dir / BROKEN_LAB / BROKEN_FILE, "a") as f:
        f.write("\nthis is not C++ at all\n")
    doc = run_autograder(root, env)
    check_fields(doc, "broken")
    tests = doc.get("tests", [])
    expect({t["name"] for t in tests} == names, "broken: the same tests as correct")
    expect("ipc-kit-main/labs/" in doc.get("output", ""),
           "broken: the output says which folder of the submission was graded")
    for t in tests:
        if lab_of(t) == BROKEN_ID:
            out = t["output"]
            expect(t["score"] == 0 and "did not build" in out and BROKEN_FILE in out
                   and "error" in out,
                   f"broken: {t['name']} earns 0 with the compiler's error, not:\n{out}")
        else:
            expect(t["score"] == t["max_score"], f"broken: {t['name']} keeps its points")


def grade_loose(kit, root, env):
    """Loose files of one lab (no folders): graded as that lab, the files not
    uploaded taken from the skeleton; the other labs earn nothing."""
    sub = new_submission(root)
    headers = []
    for f in sorted((kit / "solutions" / LOOSE_LAB).iterdir()):
        if f.suffix == ".cpp":
            shutil.copy(f, sub / f.name)
        elif f.suffix == ".hpp":
            headers.append(f.name)
    doc = run_autograder(root, env)
    check_fields(doc, "loose")
    output = doc.get("output", "")
    expect(all(h in output for h in headers) and "skeleton" in output,
           f"loose: the output names the files taken from the skeleton {headers}:\n{output}")
    tests = doc.get("tests", [])
    mine = [t for t in tests if lab_of(t) == LOOSE_ID]
    expect(mine and all(t["score"] == t["max_score"] for t in mine),
           "loose: the uploaded lab earns full points")
    expect(all(t["score"] == 0 for t in tests if lab_of(t) != LOOSE_ID),
           "loose: the labs not uploaded earn nothing")


def grade_no_labs(root, env):
    """A submission without labs: score 0, no tests, and ipcgrade's reason."""
    (new_submission(root) / "README.txt").write_text("I forgot to add my code.\n")
    doc = run_autograder(root, env)
    check_fields(doc, "no labs")
    output = doc.get("output", "")
    expect(doc.get("score") == 0 and doc.get("tests") == [], "no labs: score 0 and no tests")
    expect("no labs/ folder" in output and "Nothing was graded" in output,
           f"no labs: the output gives ipcgrade's reason:\n{output}")
    expect(doc.get("extra_data", {}).get("grader_failed") is False,
           "no labs: not reported as a grader failure")


def grade_dead(kit, root, scratch, name, script, reason, env=None):
    """A grader that fails without usable results: results.json says the
    grader failed, that this is not a grade, why, and quotes its output."""
    shutil.copytree(kit / "labs", new_submission(root) / "labs")
    stand_in = scratch / name
    if script is not None:
        stand_in.write_text(script)
        stand_in.chmod(0o755)
    doc = run_autograder(root, {"IPCGRADE": str(stand_in), **(env or {})})
    check_fields(doc, name)
    output = doc.get("output", "")
    expect(doc.get("score") == 0 and doc.get("tests") == [], f"{name}: score 0 and no tests")
    expect(doc.get("extra_data", {}).get("grader_failed") is True,
           f"{name}: extra_data.grader_failed is true")
    for words in ["grader failed", "not a grade", reason]:
        expect(words in output, f"{name}: the output says {words!r}:\n{output}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--ipcgrade", required=True)
    a = ap.parse_args()
    kit = Path(a.source)
    # Under /var/tmp, like Gradescope's /autograder not under /tmp (the
    # grader gives each check a private /tmp).
    scratch = Path(tempfile.mkdtemp(prefix="gradescope-test.", dir="/var/tmp"))
    try:
        root = scratch / "autograder"
        root.mkdir()
        check_layout(a.bundle)
        unpack(a.bundle, root)
        check_packages(root / "source", kit)
        check_configures(root / "source", scratch)
        env = {"IPCGRADE": str(Path(a.ipcgrade).resolve()),  # meson gives it relative
               "IPCGRADE_ARGS": f"--build-cache {scratch / 'cache'}"}
        names = grade_correct(kit, root, env)
        grade_skeleton(kit, root, env, names)
        grade_broken(kit, root, env, names)
        grade_loose(kit, root, env)
        grade_no_labs(root, env)
        grade_dead(kit, root, scratch, "killed", "#!/bin/sh\necho 'stand-in: about to die'\n"
                   "kill -KILL $$\n", "SIGKILL")
        grade_dead(kit, root, scratch, "missing", None, "could not be started")
        grade_dead(kit, root, scratch, "garbage",
                   "#!/bin/sh\nwhile [ \"$1\" != --json ]; do shift; done\n"
                   "printf '{\"score\": ' > \"$2\"\necho 'stand-in: wrote half a file'\n",
                   "stand-in: wrote half a file")
        grade_dead(kit, root, scratch, "overrun", "#!/bin/sh\necho 'stand-in: hanging'\n"
                   "exec sleep 300\n", "stopped after 2 seconds", {"IPCGRADE_TIMEOUT": "2"})
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("every check held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
