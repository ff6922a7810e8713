#!/usr/bin/env python3
"""batch.py: `ipcgrade batch` grades a small class, each submission built on
its own, resumes an interrupted or finished batch, and rejects bad input.

usage: batch.py --build BUILD --source SOURCE
The class (in a temporary folder), graded on two labs to keep it fast:
  alice  the reference solutions, as labs/NN-topic/
  bob    the untouched skeleton (a copy of labs/)
  carol  a copy of the whole repository whose labs/02-mmap is the solution
  dave   the solutions, with 03-shm broken (does not compile)
  eve    a folder without labs/ (not a submission)
Exit 0 when every expectation holds, 1 with the reason otherwise.
"""
import argparse, csv, fcntl, json, os, shutil, signal, subprocess, sys, tempfile, time

LABS = ["mmap", "shm"]

def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)

def make_class(source, root):
    """The five students' folders under root/class."""
    cls = os.path.join(root, "class")
    sol, labs = os.path.join(source, "solutions"), os.path.join(source, "labs")
    lab_dirs = sorted(d for d in os.listdir(sol) if os.path.isdir(os.path.join(sol, d)))
    for name in ("alice", "dave"):
        for d in lab_dirs:
            shutil.copytree(os.path.join(sol, d), os.path.join(cls, name, "labs", d))
    shutil.copytree(labs, os.path.join(cls, "bob", "labs"))
    shutil.copytree(source, os.path.join(cls, "carol"),
                    ignore=shutil.ignore_patterns("build*", ".git", "ipcgrade-batch"))
    shutil.rmtree(os.path.join(cls, "carol", "labs", "02-mmap"))
    shutil.copytree(os.path.join(sol, "02-mmap"), os.path.join(cls, "carol", "labs", "02-mmap"))
    with open(os.path.join(cls, "dave", "labs", "03-shm", "shm_write.cpp"), "a") as f:
        f.write("\nint broken( { this is not C++\n")
    os.makedirs(os.path.join(cls, "eve", "homework"))
    return cls

def batch(a, *args, timeout=800):
    """Run ipcgrade batch; return (exit code, stdout, stderr)."""
    cmd = [os.path.join(a.build, "grader", "ipcgrade"), "batch", *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    print("$ " + " ".join(cmd) + f"  -> exit {p.returncode}")
    print(p.stdout, p.stderr, sep="")
    return p.returncode, p.stdout, p.stderr

def gradebook(out):
    """The gradebook's rows as {student: row}, and its header and maximum row."""
    with open(os.path.join(out, "gradebook.csv"), newline="") as f:
        rows = list(csv.reader(f))
    header, maxima = rows[0], rows[1]
    if header != ["student", *LABS, "total", "notes"]: fail(f"header {header}")
    if maxima[0] != "(max points)": fail(f"second row {maxima}, expected the maximum points")
    return {r[0]: dict(zip(header, r)) for r in rows[2:]}, maxima

def check_gradebook(out):
    """Every student's points and notes are what their submission deserves."""
    book, maxima = gradebook(out)
    full = dict(zip(["student", *LABS, "total"], maxima))
    if sorted(book) != ["alice", "bob", "carol", "dave", "eve"]: fail(f"students {sorted(book)}")
    want = {"alice": (full["mmap"], full["shm"]), "bob": ("0", "0"), "carol": (full["mmap"], "0"),
            "dave": (full["mmap"], "0"), "eve": ("0", "0")}
    for student, (mmap, shm) in want.items():
        row = book[student]
        if (row["mmap"], row["shm"]) != (mmap, shm):
            print(open(os.path.join(out, "reports", student + ".txt")).read())
            fail(f"{student}: mmap {row['mmap']}, shm {row['shm']}; expected {mmap}, {shm}")
        if int(row["total"]) != int(mmap) + int(shm): fail(f"{student}: total {row['total']}")
    for student in ("alice", "bob", "carol"):
        if book[student]["notes"]: fail(f"{student} has notes: {book[student]['notes']}")
    notes = book["dave"]["notes"]
    if not notes.startswith("shm: did not build:") or "shm_write.cpp" not in notes \
            or "error:" not in notes or "mmap" in notes:
        fail(f"dave's notes do not give shm's first compiler error alone: {notes!r}")
    if not book["eve"]["notes"].startswith("not a submission: eve: no labs/ folder"):
        fail(f"eve's notes: {book['eve']['notes']!r}")
    return book

def check_reports(out):
    """One text and one Gradescope report per graded student, no half-written one."""
    reports = os.path.join(out, "reports")
    names = sorted(os.listdir(reports))
    if any(n.endswith(".part") for n in names): fail(f"half-written reports left: {names}")
    for student in ("alice", "bob", "carol", "dave"):
        doc = json.load(open(os.path.join(reports, student + ".json")))
        labs = {t["name"].split("/")[0] for t in doc["tests"]}
        if labs != set(LABS): fail(f"{student}.json grades {labs}, expected {LABS}")
        text = open(os.path.join(reports, student + ".txt")).read()
        if "Score: " not in text: fail(f"{student}.txt has no Score line")
    if "error:" not in open(os.path.join(reports, "dave.txt")).read():
        fail("dave.txt does not show the compiler's error")
    if "not a submission" not in open(os.path.join(reports, "eve.txt")).read():
        fail("eve.txt does not say why she was not graded")

def graders_of(cls):
    """Processes whose command line names the class folder (its graders, their children)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
        except OSError:
            continue
        if cls in cmd and int(pid) != os.getpid(): found.append(pid + " " + cmd.replace("\0", " "))
    return found

def interrupted_run(a, cls, out):
    """Ctrl-C while graders run: exit 130, every grader stopped, no half report, a valid
    gradebook that says who is not graded yet."""
    cmd = [os.path.join(a.build, "grader", "ipcgrade"), "batch", cls, "--out", out, "--jobs", "2",
           *LABS]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reports = os.path.join(out, "reports")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and p.poll() is None:
        if os.path.isdir(reports) and any(n.endswith(".part") for n in os.listdir(reports)): break
        time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=600)
    print(f"$ {' '.join(cmd)}  (SIGINT while grading) -> exit {p.returncode}\n{stdout}{stderr}")
    if p.returncode != 130: fail(f"interrupted batch: exit {p.returncode}, expected 130")
    if "interrupted" not in stderr: fail("the interrupted batch does not say so")
    left = graders_of(cls)
    if left: fail("processes left running: " + "; ".join(left))
    if any(n.endswith(".part") for n in os.listdir(reports)): fail("a half report was left")
    book, _ = gradebook(out)
    waiting = [s for s, row in book.items() if row["notes"] == "not graded yet"]
    if not waiting: fail("after an interrupt no student is 'not graded yet'")
    if any(book[s]["total"] for s in waiting): fail("a student not graded yet has a total")

def mtimes(out):
    """Each Gradescope report's modification time."""
    reports = os.path.join(out, "reports")
    return {n: os.stat(os.path.join(reports, n)).st_mtime_ns
            for n in os.listdir(reports) if n.endswith(".json")}

def bad_input(a, root):
    """A missing folder, a file, an empty folder, one submission: one line, exit 2."""
    empty = os.path.join(root, "empty")
    os.mkdir(empty)
    a_file = os.path.join(root, "a-file")
    open(a_file, "w").close()
    one = os.path.join(root, "class", "alice")
    for folder, words in ((os.path.join(root, "missing"), "no such folder"),
                          (a_file, "not a folder"), (empty, "no student folders"),
                          (one, "this is one submission")):
        rc, out, err = batch(a, folder, "--out", os.path.join(root, "bad-out"), timeout=60)
        lines = err.strip().splitlines()
        if rc != 2: fail(f"{folder}: exit {rc}, expected 2")
        if len(lines) != 1 or words not in lines[0] or out:
            fail(f"{folder}: expected one line on stderr saying '{words}'")
    if os.path.exists(os.path.join(root, "bad-out")): fail("bad input still made --out")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    a.build, a.source = os.path.abspath(a.build), os.path.abspath(a.source)
    with tempfile.TemporaryDirectory(prefix="ipcgrade-batch-test.") as root:
        cls = make_class(a.source, root)
        out = os.path.join(root, "out")
        bad_input(a, root)
        interrupted_run(a, cls, out)
        # The next run grades the rest and finishes the gradebook.
        rc, stdout, _ = batch(a, cls, "--out", out, *LABS)
        if rc != 0: fail(f"exit {rc}, expected 0")
        if "5 students graded" not in stdout: fail("no summary line '5 students graded'")
        book = check_gradebook(out)
        check_reports(out)
        # A finished batch run again grades nothing: same reports, same gradebook.
        before = mtimes(out)
        rc, stdout, _ = batch(a, cls, "--out", out, *LABS)
        if rc != 0 or "(4 resumed, 1 not a submission)" not in stdout:
            fail("the second run did not resume all four submissions")
        if mtimes(out) != before: fail("the second run graded a student again")
        if check_gradebook(out) != book: fail("the second run changed the gradebook")
        # --force grades everyone again.
        rc, stdout, _ = batch(a, cls, "--out", out, "--force", *LABS)
        if rc != 0 or "(0 resumed" not in stdout: fail("--force resumed a student")
        after = mtimes(out)
        if any(after[n] == before[n] for n in before): fail("--force left a report as it was")
        check_gradebook(out)
        # A second batch on the same --out while one runs is refused.
        with open(os.path.join(out, ".lock"), "a") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            rc, stdout, stderr = batch(a, cls, "--out", out, *LABS, timeout=60)
        if rc != 2 or "another ipcgrade batch" not in stderr or len(stderr.splitlines()) != 1:
            fail("a second batch on the same --out was not refused with one line")
        if graders_of(cls): fail("processes left running: " + "; ".join(graders_of(cls)))
    print("ok")

if __name__ == "__main__":
    main()
