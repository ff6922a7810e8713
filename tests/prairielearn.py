#!/usr/bin/env python3
"""prairielearn.py: the PrairieLearn course bundle, unpacked, grades uploads
as PrairieLearn's external grader would run it, without a container.

usage: prairielearn.py --source DIR --bundle TAR.GZ --ipcgrade PATH

It checks the course (each question external-graded, its upload element
naming the lab's real files, the entry point it names present in the bundle),
that the bundle is made the same byte for byte twice, and the results.json
the entrypoint writes into a simulated /grade (PL_GRADE_ROOT: student/,
serverFilesCourse/, data/data.json, results/), run with the arguments its
question's info.json gives it, for: a lab's correct flat files, the skeleton
as a labs/ tree, labs.zip with one lab that does not compile (the whole kit),
an upload without labs, and a grader that dies, writes garbage or overruns.
The already-built ipcgrade grades, so nothing of the kit is built again.
Exit 0 when every check holds, 1 otherwise.
"""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

# The lab graded flat, the one graded as a skeleton, and the one broken in labs.zip.
FLAT_LAB, SKELETON_LAB, BROKEN_LAB, BROKEN_FILE = "01-mqueue", "02-mmap", "02-mmap", "mm_edit.cpp"
COURSE = "ipc-lab-kit-course"
SERVER_FILES = "/grade/serverFilesCourse/"

failures = []


def expect(ok, what):
    """Record `what` as a failure unless `ok`."""
    if not ok:
        failures.append(what)
        print(f"FAIL: {what}", flush=True)


def lab_of(test):
    """The grader id of a test's lab ("mmap/record-edit" -> "mmap")."""
    return test["name"].split("/", 1)[0]


def upload_names(html, attribute):
    """The file names an upload element's attribute lists."""
    start = html.find(f'{attribute}="')
    if start < 0:
        return []
    value = html[start + len(attribute) + 2:].split('"', 1)[0]
    return [n.strip() for n in value.split(",") if n.strip()]


def check_question(qdir, course, kit):
    """One question: External grading with every option, an entrypoint in the
    bundle, and an upload element that names its lab's real files."""
    info = json.loads((qdir / "info.json").read_text())
    opts = info.get("externalGradingOptions", {})
    expect(info.get("gradingMethod") == "External", f"{qdir.name}: gradingMethod External")
    for key in ["enabled", "image", "entrypoint", "serverFilesCourse", "timeout"]:
        expect(key in opts, f"{qdir.name}: externalGradingOptions has {key}")
    argv = shlex.split(opts.get("entrypoint", ""))
    script = course / "serverFilesCourse" / argv[0][len(SERVER_FILES):] if argv else course
    expect(argv and argv[0].startswith(SERVER_FILES) and script.is_file()
           and os.access(script, os.X_OK), f"{qdir.name}: the entrypoint {argv[:1]} is in the bundle")
    timeout = int(argv[argv.index("--timeout") + 1]) if "--timeout" in argv else 240
    expect(0 < opts.get("timeout", 0) <= 600 and timeout + 40 <= opts.get("timeout", 0),
           f"{qdir.name}: the grader's timeout {timeout} leaves room in PrairieLearn's {opts.get('timeout')}")
    html = (qdir / "question.html").read_text()
    expect("<pl-file-upload" in html and "<pl-external-grader-results" in html,
           f"{qdir.name}: question.html has an upload and the grader's results")
    if "--lab" in argv:
        lab = argv[argv.index("--lab") + 1]
        files = sorted(f.name for f in (kit / "labs" / lab).iterdir() if f.name != "meson.build")
        named = upload_names(html, "file-names") + upload_names(html, "optional-file-names")
        expect(sorted(named) == files, f"{qdir.name}: the upload names {lab}'s files {files}, not {named}")
    return argv


def check_course(course, kit):
    """The course: infoCourse.json, one question per lab and one for the
    whole kit; {lab or None: the entrypoint's arguments}."""
    expect((course / "infoCourse.json").is_file(), "the course has infoCourse.json")
    args = {}
    for qdir in sorted((course / "questions").iterdir()):
        argv = check_question(qdir, course, kit)
        args[argv[argv.index("--lab") + 1] if "--lab" in argv else None] = argv[1:]
    labs = sorted(p.name for p in (kit / "labs").iterdir() if p.is_dir())
    expect(sorted(k for k in args if k) == labs and None in args,
           f"one question per lab {labs} and one for the whole kit ({sorted(map(str, args))})")
    return args


def check_deterministic(kit, bundle, scratch):
    """make-platform-bundle makes the same bytes again."""
    again = scratch / "again.tar.gz"
    subprocess.run([kit / "tools/make-platform-bundle", "prairielearn", again], check=True)
    expect(again.read_bytes() == Path(bundle).read_bytes(), "the course bundle is the same bytes twice")


def new_job(grade, data=None):
    """An empty simulated /grade (student/, data/data.json, no results/),
    keeping serverFilesCourse/."""
    for name in ["student", "data", "results"]:
        shutil.rmtree(grade / name, ignore_errors=True)
    (grade / "student").mkdir()
    (grade / "data").mkdir()
    (grade / "data/data.json").write_text(json.dumps(data or {"params": {}, "submitted_answers": {}}))
    return grade / "student"


def run_entrypoint(grade, args, env_extra):
    """Run the entrypoint as PrairieLearn does; its results.json."""
    env = dict(os.environ, PL_GRADE_ROOT=str(grade), **env_extra)
    script = grade / "serverFilesCourse/ipc-lab-kit/prairielearn/entrypoint"
    out = subprocess.run([script, *args], cwd=grade, env=env, capture_output=True, text=True,
                         timeout=900)
    expect(out.returncode == 0, f"the entrypoint exits 0 (it exited {out.returncode}):\n"
           + out.stdout[-2000:] + out.stderr[-2000:])
    try:
        return json.loads((grade / "results/results.json").read_text())
    except (OSError, ValueError) as e:
        expect(False, f"the entrypoint wrote a readable results.json ({e})")
        return {}


def check_format(doc, case):
    """PrairieLearn's fields: gradable, a score in 0..1, a message, tests."""
    expect(isinstance(doc.get("gradable"), bool), f"{case}: gradable is a boolean")
    expect(isinstance(doc.get("score"), (int, float)) and 0 <= doc["score"] <= 1,
           f"{case}: score {doc.get('score')} is in 0..1")
    expect(isinstance(doc.get("message"), str), f"{case}: there is a message")
    tests = doc.get("tests")
    expect(isinstance(tests, list), f"{case}: tests is a list")
    for t in tests or []:
        ok = all(k in t for k in ["name", "points", "max_points", "output"])
        expect(ok, f"{case}: test {t.get('name')} has a name, points, max_points and output")


def grade_flat(kit, grade, args, env):
    """A lab's correct files, uploaded flat: gradable, score 1, that lab only."""
    student = new_job(grade)
    for f in sorted((kit / "solutions" / FLAT_LAB).glob("*.cpp")):
        shutil.copy(f, student / f.name)
    doc = run_entrypoint(grade, args[FLAT_LAB], env)
    check_format(doc, "flat")
    tests = doc.get("tests", [])
    expect(doc.get("gradable") is True and doc.get("score") == 1, f"flat: score 1, not {doc.get('score')}")
    expect(tests and {lab_of(t) for t in tests} == {FLAT_LAB.split("-", 1)[1]},
           "flat: only the question's lab is graded")
    expect("skeleton" in doc.get("output", ""), "flat: the output names the files from the skeleton")


def grade_skeleton(kit, grade, args, env):
    """The skeleton as a labs/ tree: gradable, score 0."""
    shutil.copytree(kit / "labs", new_job(grade) / "labs")
    doc = run_entrypoint(grade, args[SKELETON_LAB], env)
    check_format(doc, "skeleton")
    expect(doc.get("gradable") is True and doc.get("score") == 0 and doc.get("tests"),
           f"skeleton: gradable with score 0, not {doc.get('score')}")


def grade_broken_zip(kit, grade, args, env):
    """labs.zip of the solutions with one lab that does not compile, for the
    whole-kit question: that lab earns 0 with the compiler's error, every
    other lab its full points."""
    student = new_job(grade)
    with zipfile.ZipFile(student / "labs.zip", "w") as zf:
        for f in sorted((kit / "solutions").rglob("*")):
            if f.is_file() and f.parent.parent == kit / "solutions":
                text = f.read_bytes()
                if f.parent.name == BROKEN_LAB and f.name == BROKEN_FILE:
                    text += b"\nthis is not C++ at all\n"
                zf.writestr(f"labs/{f.parent.name}/{f.name}", text)
    doc = run_entrypoint(grade, args[None], env)
    check_format(doc, "broken")
    tests = doc.get("tests", [])
    expect(len({lab_of(t) for t in tests}) == 5, f"broken: tests of 5 labs ({len(tests)} tests)")
    broken_id = BROKEN_LAB.split("-", 1)[1]
    for t in tests:
        if lab_of(t) == broken_id:
            expect(t["points"] == 0 and BROKEN_FILE in t["output"],
                   f"broken: {t['name']} earns 0 with the compiler's error")
        else:
            expect(t["points"] == t["max_points"], f"broken: {t['name']} keeps its points")


def grade_no_labs(grade, args, env):
    """An upload without labs: not gradable, and ipcgrade's reason."""
    (new_job(grade) / "notes.txt").write_text("I forgot my code.\n")
    doc = run_entrypoint(grade, args[None], env)
    check_format(doc, "no labs")
    expect(doc.get("gradable") is False and "Nothing was graded" in doc.get("output", ""),
           f"no labs: not gradable, saying nothing was graded:\n{doc.get('output')}")


def grade_dead(kit, grade, scratch, args, name, script, reason, env=None):
    """A grader that fails: gradable false, "not a grade", why, and its output."""
    shutil.copytree(kit / "labs" / FLAT_LAB, new_job(grade) / "labs" / FLAT_LAB)
    stand_in = scratch / name
    stand_in.write_text(script)
    stand_in.chmod(0o755)
    doc = run_entrypoint(grade, args, {"IPCGRADE": str(stand_in), **(env or {})})
    check_format(doc, name)
    output = doc.get("output", "")
    expect(doc.get("gradable") is False and doc.get("grader_failed") is True,
           f"{name}: gradable false, grader_failed true")
    expect(doc.get("format_errors") and "not a grade" in doc.get("message", "") + output,
           f"{name}: format_errors, and the message says it is not a grade")
    expect(reason in output, f"{name}: the output says {reason!r}:\n{output}")


def main():
    """Run every check; 0 when all hold."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--source", required=True)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--ipcgrade", required=True)
    a = ap.parse_args()
    kit = Path(a.source).resolve()
    scratch = Path(tempfile.mkdtemp(prefix="prairielearn-test.", dir="/var/tmp"))
    try:
        with tarfile.open(a.bundle) as tf:
            tf.extractall(scratch)
        course = scratch / COURSE
        args = check_course(course, kit)
        check_deterministic(kit, a.bundle, scratch)
        grade = scratch / "grade"
        grade.mkdir()
        shutil.copytree(course / "serverFilesCourse", grade / "serverFilesCourse")
        env = {"IPC_LAB_KIT": str(kit), "IPCGRADE": str(Path(a.ipcgrade).resolve()),
               "IPCGRADE_ARGS": f"--build-cache {scratch / 'cache'}"}
        grade_flat(kit, grade, args, env)
        grade_skeleton(kit, grade, args, env)
        grade_broken_zip(kit, grade, args, env)
        grade_no_labs(grade, args, env)
        lab_args = args[FLAT_LAB]
        kit_env = {"IPC_LAB_KIT": str(kit)}
        grade_dead(kit, grade, scratch, lab_args, "killed",
                   "#!/bin/sh\necho 'stand-in: about to die'\nkill -KILL $$\n", "SIGKILL", kit_env)
        grade_dead(kit, grade, scratch, lab_args, "garbage",
                   "#!/bin/sh\nwhile [ \"$1\" != --prairielearn ]; do shift; done\n"
                   "printf '{\"gradable\": tr' > \"$2\"\necho 'stand-in: wrote half a file'\n",
                   "stand-in: wrote half a file", kit_env)
        grade_dead(kit, grade, scratch, [a for a in lab_args if a != "--timeout"][:2] + ["--timeout", "2"],
                   "overrun", "#!/bin/sh\necho 'stand-in: hanging'\nexec sleep 300\n",
                   "stopped after 2 seconds", kit_env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("every check held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
