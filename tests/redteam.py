#!/usr/bin/env python3
"""redteam.py: a class with hostile students, graded by `ipcgrade batch`, gains
nothing, changes nothing outside its own grade and leaves the host as it was
(issue 16).

usage: redteam.py --build BUILD --source SOURCE --mode sandbox|names CASE

Each CASE but `class` is a class of an honest student (the reference
solutions' 01-mqueue) and hostile ones, graded on one check
(mqueue/recv-exact-bytes, whose report shows what mq_recv printed), in a
temporary folder under /var/tmp; in names mode with IPCGRADE_ISOLATION=names.
Cases:
  links   labs/ a link to the kit's solutions, a lab folder and a file linking
          to the honest student's, a student folder that is a link, a FIFO, a
          device and a 2 MiB file as mq_recv.cpp: each 0 with a note naming it
  names   student folders named =HYPERLINK(..), @SUM(..), +1, -2, with ESC/OSC
          bytes, and 250 characters long, all correct: each full marks; the
          gradebook cells are formula-safe and no report holds a control byte
  cache   OUT on another filesystem than TMPDIR (the EXDEV bug), and two
          submissions whose files the old cache key could not tell apart
          (the same names+contents concatenated): each has its own entry, the
          skeleton earns 0 beside them
  peek    tests/redteam/peek.cpp as mq_recv.cpp looks for a classmate's
          sources, the gradebook, another grader's staging folder (of this
          kit's layout: older graders' are not this grader's to hide), a host
          queue through a host mqueue mount, the host's network, /run/lock
          and unbounded System V memory (see its header); meanwhile two other
          graders run beside the batch, in a loop (one builds a submission,
          one runs the solutions' mqueue checks), and the program looks in
          /proc for the programs they run and in their $TMPDIR for their
          build folders, and tries to read, run and list them; no LEAKED
          finding in either mode, no SHARED one with namespaces, and without
          namespaces it must have FOUND both (else it tried nothing)
  bombs   mq_recv.cpp that #includes /dev/zero, and one with a 400 MB array:
          each lab 0 with a note, the batch finishes, the honest student keeps
          full marks
  class   two honest students (all five labs of solutions/) and one student
          per tests/hostile/ENTRY.cpp (the five labs, the program on its
          `replaces:` line replaced by the entry as one source file), graded
          on the union of the entries' `grade:` checks: every student graded,
          with both reports; the honest ones full marks on every check; each
          hostile one 0 on its `loses:` checks (its lab built) and full marks
          on every check of the other labs, as an honest student (with
          `namespaces-only:`, in names mode only graded); no report shows an
          entry's `hidden:` text
Always asserted: the batch exits 0 (every student graded), the honest student
(in the cases that have one) earns full marks, the gradebook and every report
are valid UTF-8 with no control byte, and nothing new of a student or
compiler uid (or named after the case) is left in /dev/shm, the POSIX queues,
System V, the processes, /tmp, /var/tmp, /run and /run/lock. Exit 0 when all holds, 1 with every
reason otherwise, 77 to skip (not root).
"""
import argparse, csv, ctypes, json, os, secrets, shutil, socket, stat, subprocess, sys, tempfile
import threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as H  # noqa: E402  (snapshot, check_bytes, mqueue_shell, problem, remove)
import batch as B  # noqa: E402  (batch)

CHECK = "mqueue/recv-exact-bytes"
LAB = "01-mqueue"
MARKER = secrets.token_hex(6)
# The deadlines' factor in `class`: hostile.py's (none). Its hostile students
# wait out their deadlines (about 180 s in all, over the 2 jobs); the
# solutions finish each check at least 20 times within its deadline.
SLOW_CLASS = "1"


def copy_lab(src_root, dest):
    """dest/labs/01-mqueue: a copy of src_root/01-mqueue."""
    shutil.copytree(os.path.join(src_root, LAB), os.path.join(dest, "labs", LAB))
    return os.path.join(dest, "labs", LAB)


def gradebook(out):
    """{student cell: row dict} and the raw bytes of OUT/gradebook.csv."""
    raw = open(os.path.join(out, "gradebook.csv"), "rb").read()
    rows = list(csv.reader(raw.decode("utf-8", "replace").splitlines()))
    header = rows[0]
    return {r[0]: dict(zip(header, r)) for r in rows[2:]}, rows[1], raw


# ---------------------------------------------------------------- the cases

def case_links(a, cls):
    """Links and special files in place of a lab's files: {student: note word}."""
    sol = os.path.join(a.source, "solutions")
    honest = copy_lab(sol, os.path.join(cls, "honest"))
    os.makedirs(os.path.join(cls, "thief"))
    os.symlink(sol, os.path.join(cls, "thief", "labs"))
    os.makedirs(os.path.join(cls, "borrower", "labs"))
    os.symlink(honest, os.path.join(cls, "borrower", "labs", LAB))
    os.symlink(os.path.join(cls, "honest"), os.path.join(cls, "linked"))
    expect = {"thief": "symbolic link", "borrower": "symbolic link", "linked": "symbolic link"}
    for name, make, word in (
            ("filelink", lambda p: os.symlink(os.path.join(honest, "mq_recv.cpp"), p),
             "symbolic link"),
            ("fifo", lambda p: os.mkfifo(p), "FIFO"),
            ("device", lambda p: os.mknod(p, 0o644 | stat.S_IFCHR, os.makedev(1, 3)), "device"),
            ("huge", lambda p: open(p, "w").write("//" + "x" * (2 << 20)), "bytes")):
        lab = copy_lab(sol, os.path.join(cls, name))
        os.unlink(os.path.join(lab, "mq_recv.cpp"))
        make(os.path.join(lab, "mq_recv.cpp"))
        expect[name] = word
    return {n: ("zero", w) for n, w in expect.items()}


HOSTILE_NAMES = ['=HYPERLINK("http:evil"&A1)', "@SUM(A1)", "+1", "-2",
                 "esc\x1b]0;pwned\x07\x1b[2Jname", "a" * 250]


def case_names(a, cls):
    """Correct submissions under hostile folder names: each earns full marks."""
    sol = os.path.join(a.source, "solutions")
    for name in HOSTILE_NAMES:
        copy_lab(sol, os.path.join(cls, name))
    return {n: ("full", None) for n in HOSTILE_NAMES}


def shifted(src, dest, extra):
    """A copy of src's 01-mqueue whose first two files trade `extra` bytes
    across their boundary, keeping the old key's names+contents concatenation."""
    lab = copy_lab(src, dest)
    names = sorted(f for f in os.listdir(os.path.join(a_source_labs, LAB)) if f != "meson.build")
    n2 = names[1]
    f1, f2 = os.path.join(lab, names[0]), os.path.join(lab, names[1])
    c1, c2 = open(f1).read(), open(f2).read()
    # A: f1 = c1 "\n//", f2 = "\n//" n2 "\n" c2;  B: f1 = c1 "\n//" n2 "\n//", f2 = "\n" c2
    if extra:
        open(f1, "w").write(c1 + "\n//" + n2 + "\n//")
        open(f2, "w").write("\n" + c2)
    else:
        open(f1, "w").write(c1 + "\n//")
        open(f2, "w").write("\n//" + n2 + "\n" + c2)


def case_cache(a, cls):
    """Two old-key twins and the skeleton, with OUT on another filesystem."""
    sol = os.path.join(a.source, "solutions")
    copy_lab(sol, os.path.join(cls, "honest"))
    shifted(sol, os.path.join(cls, "twin-a"), False)
    shifted(sol, os.path.join(cls, "twin-b"), True)
    copy_lab(os.path.join(a.source, "labs"), os.path.join(cls, "skeleton"))
    return {"twin-a": ("full", None), "twin-b": ("full", None), "skeleton": ("zero", None)}


def case_peek(a, cls):
    """The peeking program as one student's mq_recv.cpp."""
    sol = os.path.join(a.source, "solutions")
    copy_lab(sol, os.path.join(cls, "honest"))
    lab = copy_lab(sol, os.path.join(cls, "peeker"))
    text = open(os.path.join(a.source, "tests", "redteam", "peek.cpp")).read()
    for k, v in (("@CLASS@", cls), ("@OUT@", a.out), ("@MARKER@", MARKER), ("@PORT@", str(a.port)),
                 ("@BGTMP@", a.bgtmp), ("@WAIT@", "90" if a.mode == "names" else "3")):
        text = text.replace(k, v)
    open(os.path.join(lab, "mq_recv.cpp"), "w").write(text)
    return {"peeker": ("zero", None)}


def case_bombs(a, cls):
    """Compiler bombs: each lab 0 with a note."""
    sol = os.path.join(a.source, "solutions")
    copy_lab(sol, os.path.join(cls, "honest"))
    lab = copy_lab(sol, os.path.join(cls, "zero"))
    open(os.path.join(lab, "mq_recv.cpp"), "w").write('#include "/dev/zero"\n')
    lab = copy_lab(sol, os.path.join(cls, "big"))
    with open(os.path.join(lab, "mq_recv.cpp"), "a") as f:
        f.write("\nchar redteam_big[400 << 20] = {1};\n"
                "int redteam_touch() { return redteam_big[12345]; }\n")
    return {"zero": ("zero", "did not build"), "big": ("zero", "did not build")}


# Entries of tests/hostile/ that cannot be a source submission, with why.
# None today: results-file.cpp plants its fake at HOSTILE_RESULTS, which
# hostile.py makes the grader's --json path; here it is that student's own
# grader's results file in the batch (OUT/reports/.STUDENT.json.part).
NOT_SUBMISSIONS = {}


def entry_source(a, entry, head, student):
    """tests/hostile/ENTRY.cpp as one source file, to stand as PROGRAM.cpp in its
    lab: the grader takes only the files the skeleton has from a submission and
    builds them with the kit's own meson.build, so hostile.hpp goes inside it,
    and for an entry that runs the reference program (solution_main) so does
    that program's solution with main renamed (tests/hostile/meson.build's
    wraps); the macros that meson.build defines come first."""
    folder = os.path.join(a.source, "tests", "hostile")
    helpers = open(os.path.join(folder, "hostile.hpp")).read().replace("#pragma once\n", "")
    text = open(os.path.join(folder, entry + ".cpp")).read()
    lab, prog = head["replaces"].split("/")
    results = os.path.join(a.out, "reports", f".{student}.json.part")
    grader = os.path.join(os.path.abspath(a.build), "grader", "ipcgrade")
    parts = [f"#define HOSTILE_RESULTS {json.dumps(results)}",
             f"#define KIT_SOURCE {json.dumps(os.path.abspath(a.source))}",
             f"#define GRADER_BIN {json.dumps(grader)}"]
    if "solution_main" in text:
        sol = os.path.join(a.source, "solutions", H.lab_dirs(a.source)[lab], prog + ".cpp")
        parts += ["#define main solution_main", open(sol).read(), "#undef main"]
    parts.append(text.replace('#include "hostile.hpp"\n', helpers))
    return "\n".join(parts)


def case_class(a, cls):
    """Two honest students and one per hostile entry, each with all five labs,
    graded on the union of the entries' checks (a.checks); a.students maps
    each student to its entry's header (None: honest)."""
    sol = os.path.join(a.source, "solutions")
    dirs = H.lab_dirs(a.source)
    folder = os.path.join(a.source, "tests", "hostile")
    a.students, checks = {"honest-1": None, "honest-2": None}, set()
    for name in sorted(os.listdir(folder)):
        if name.endswith(".cpp") and name[:-4] not in NOT_SUBMISSIONS:
            a.students[name[:-4]] = H.parse_header(os.path.join(folder, name))
    for student, head in a.students.items():
        for d in dirs.values():
            shutil.copytree(os.path.join(sol, d), os.path.join(cls, student, "labs", d))
        if head:
            checks |= set(head["grade"].split())
            lab, prog = head["replaces"].split("/")
            with open(os.path.join(cls, student, "labs", dirs[lab], prog + ".cpp"), "w") as f:
                f.write(entry_source(a, student, head, student))
    a.checks = sorted(checks)
    return {}


CASES = {"links": case_links, "names": case_names, "cache": case_cache, "peek": case_peek,
         "bombs": case_bombs, "class": case_class}


# ---------------------------------------------------------------- the host side

class HostBait:
    """For `peek`: what a student must not reach on the host: a POSIX queue
    holding one message (mode 0600), the host's queues mounted at a folder in
    /run, a TCP listener on 127.0.0.1 and an abstract Unix socket."""

    def __init__(self, a):
        self.rt = ctypes.CDLL("librt.so.1", use_errno=True)
        self.rt.mq_open.restype = ctypes.c_int
        q = self.rt.mq_open(f"/redteam.{MARKER}".encode(), os.O_RDWR | os.O_CREAT, 0o600, None)
        if q < 0:
            H.problem(f"setup: mq_open: {os.strerror(ctypes.get_errno())}")
        self.rt.mq_send(q, b"secret", 6, 0)
        self.rt.mq_close(q)
        self.mount = f"/run/redteam-mq.{MARKER}"
        os.makedirs(self.mount)
        subprocess.run(["mount", "-t", "mqueue", "none", self.mount], check=True)
        self.tcp = socket.socket()
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(8)
        a.port = self.tcp.getsockname()[1]
        self.unix = socket.socket(socket.AF_UNIX)
        self.unix.bind(f"\0redteam.{MARKER}")
        self.unix.listen(8)

    def queue_intact(self):
        """Whether the host queue still holds its one message."""
        out = H.mqueue_shell('cat "$0/$1"', f"redteam.{MARKER}")
        return "QSIZE:6" in out

    def close(self):
        subprocess.run(["umount", "-l", self.mount])
        os.rmdir(self.mount)
        self.rt.mq_unlink(f"/redteam.{MARKER}".encode())
        self.tcp.close()
        self.unix.close()


class OtherGraders:
    """For `peek`: two graders beside the batch, each rerun until stopped, as
    two classmates graded at once would be: one builds a copy of the honest
    submission (no cache: its build folders live in a.bgtmp, its $TMPDIR) and
    grades one check, one grades the solutions' mqueue lab. Their pids go to
    a.bgtmp/graders (the peeking program reads it) and to `graders`."""

    def __init__(self, a, env, graders):
        self.stop, self.procs, self.graders = threading.Event(), {}, graders
        self.path = os.path.join(a.bgtmp, "graders")
        self.env = dict(env, TMPDIR=a.bgtmp)
        sub = tempfile.mkdtemp(prefix=f"redteam-{MARKER}.", dir="/var/tmp")
        self.sub = sub
        copy_lab(os.path.join(a.source, "solutions"), sub)
        ipcgrade = os.path.join(a.build, "grader", "ipcgrade")
        cmds = [[ipcgrade, "--sources", sub, "--jobs", "1", CHECK],
                [ipcgrade, "--tree", "solutions", "--no-build", "--jobs", "1", "mqueue"]]
        self.threads = [threading.Thread(target=self.loop, args=(c,)) for c in cmds]
        for t in self.threads:
            t.start()

    def loop(self, cmd):
        """Run `cmd` again and again until stopped, noting each pid."""
        while not self.stop.is_set():
            p = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            self.procs[cmd[2]] = p
            self.graders.add(p.pid)
            with open(self.path, "a") as f:
                f.write(f"{p.pid}\n")
            os.chmod(self.path, 0o644)
            p.wait()

    def close(self):
        """Stop the loops: each grader is asked to stop (SIGTERM) and waited for."""
        self.stop.set()
        for p in list(self.procs.values()):
            if p.poll() is None:
                p.terminate()
        for t in self.threads:
            t.join()
        shutil.rmtree(self.sub, ignore_errors=True)


def children(pid):
    """The pids whose parent is `pid`."""
    found = set()
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat_line = open(f"/proc/{p}/stat").read()
        except OSError:
            continue
        if int(stat_line[stat_line.rindex(")") + 2:].split()[1]) == pid:
            found.add(int(p))
    return found


def run_batch(cmd, env, graders):
    """Run the batch, noting the pids of its graders (its children) in `graders`."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    out = []
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()))
    reader.start()
    deadline = time.monotonic() + 1500
    while proc.poll() is None and time.monotonic() < deadline:
        graders |= children(proc.pid)
        time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
        H.problem("the batch did not finish in 1500 s")
    proc.wait()
    reader.join()
    return proc.returncode, "".join(out)


def ours(item, owners, graders):
    """Is this new host item the batch's: owned by one of its graders' student
    or compiler uids, named after one of them, or after this case?"""
    uids = {3000000 + g * 64 + s for g in graders for s in range(64)} | {(1 << 30) + g for g in graders}
    if owners & uids or MARKER in item[1]:
        return True
    return any(f"ipcg.{g}." in item[1] or f"ipcgrade-{g}." in item[1] for g in graders)


def check_host(before, graders):
    """Nothing new on the host of the batch's graders, or named after this case."""
    for _ in range(20):
        after = H.snapshot()
        left = [i for i, owners in after.items() if i not in before and ours(i, owners, graders)]
        if not any(k == "process" for k, _ in left):
            break
        time.sleep(0.2)
    if left:
        H.problem("left on the host: " + ", ".join(f"{k} {n}" for k, n in sorted(left)[:12]))
    for i in sorted(left, key=lambda i: i[0] != "process"):
        H.remove(i)


# ---------------------------------------------------------------- judging

def judge(a, expect, rc, stdout, started):
    """The gradebook, the reports and the case's own expectations."""
    if rc != 0:
        H.problem(f"the batch exited {rc}, not 0 (every student graded)")
    book, maxima, raw = gradebook(a.out)
    full = int(maxima[1])
    H.check_bytes("gradebook", raw.replace(b"\r\n", b"\n"))  # CSV rows end in CRLF
    for line in raw.decode("utf-8", "replace").splitlines()[2:]:
        if line[:1] in "=+-@\t\r":
            H.problem(f"a gradebook row starts with a formula character: {line[:60]!r}")
    for f in os.listdir(os.path.join(a.out, "reports")):
        H.check_bytes("report " + f, open(os.path.join(a.out, "reports", f), "rb").read())
    rows = {}
    for cell, row in book.items():  # cells are escaped and formula-guarded: match loosely
        rows[cell] = row
    if "honest" in expect or "honest" in os.listdir(a.cls):
        expect.setdefault("honest", ("full", None))
    if len(book) != len(os.listdir(a.cls)):
        H.problem(f"{len(book)} gradebook rows for {len(os.listdir(a.cls))} student folders")
    for name, (points, note) in expect.items():
        row = find_row(rows, name)
        if row is None:
            H.problem(f"no gradebook row for {name!r}")
            continue
        want = str(full) if points == "full" else "0"
        if row.get("mqueue") != want:
            H.problem(f"{name!r} earned {row.get('mqueue')!r}, expected {want} "
                      f"(notes: {row.get('notes')!r})")
        if note and note not in row.get("notes", ""):
            H.problem(f"{name!r}'s note does not say {note!r}: {row.get('notes')!r}")
        if "not graded" in row.get("notes", ""):
            H.problem(f"{name!r} was not graded: {row.get('notes')!r}")
    return book


def find_row(rows, name):
    """The gradebook row of student `name` (its cell may be escaped or start with ')."""
    for cell, row in rows.items():
        plain = cell[1:] if cell.startswith("'") else cell
        if plain == name or (plain.startswith('"') and
                             name.split("\x1b")[0] in plain.replace('\\"', '"')):
            return row
    return None


def judge_class(a, book):
    """`class`: every student graded with both reports; the honest ones full
    marks on every check; each hostile one 0 on its loses: checks, its lab
    built, and full marks on every check of the other labs; no hidden: text."""
    reports = os.path.join(a.out, "reports")
    for student, head in a.students.items():
        row = find_row(book, student)
        if row is None:
            H.problem(f"{student}: no gradebook row")
            continue
        notes = row.get("notes", "")
        if "not graded" in notes:
            H.problem(f"{student} was not graded: {notes!r}")
        paths = [os.path.join(reports, f"{student}.{ext}") for ext in ("txt", "json")]
        for path in paths:
            if not os.path.isfile(path):
                H.problem(f"{student}: no report {os.path.basename(path)}")
        try:
            doc = json.load(open(paths[1], "rb"))
        except (OSError, ValueError) as e:
            H.problem(f"{student}: its JSON report cannot be read: {e}")
            continue
        tests = {t["name"].split(":")[0]: t for t in doc.get("tests", [])}
        for c in a.checks:
            if c not in tests:
                H.problem(f"{student}: {c} is not in its JSON report")
        if head is None:
            want = {c: "full" for c in a.checks}
        elif a.mode == "names" and "namespaces-only" in head:
            print(f"{student}: graded only, in names mode: {head['namespaces-only']}")
            continue
        else:
            lab = head["replaces"].split("/")[0]
            if f"{lab}: did not build" in notes:
                H.problem(f"{student}: its {lab} lab did not build, so its losses prove "
                          f"nothing: {notes!r}")
            want = {c: "full" for c in a.checks if c.split("/")[0] != lab}
            want.update({c: 0 for c in head["loses"].split()})
            hidden = head.get("hidden", "").encode()
            for path in paths:
                if hidden and os.path.isfile(path) and hidden in open(path, "rb").read():
                    H.problem(f"{student}: {hidden.decode()!r} shows in "
                              f"{os.path.basename(path)}: the program could read it")
        for c, w in sorted(want.items()):
            t = tests.get(c)
            if t is None:
                continue
            w = t["max_score"] if w == "full" else w
            if t["score"] != w:
                who = "honest" if head is None else f"replaces {head['replaces']}"
                H.problem(f"{student} ({who}) earned {t['score']}/{t['max_score']} on {c}, "
                          f"expected {w}: " + t.get("output", "").replace("\n", " | ")[:300])


def judge_case(a, case, book):
    """What one case adds to the common judgement."""
    if case == "class":
        judge_class(a, book)
    if case == "names":
        cells = list(book)
        for cell in cells:  # a leading ' or the quote visible() adds: text, never a formula
            if cell[:1] in "=+-@\t\r":
                H.problem(f"the cell {cell!r} starts as a formula would")
        for name in HOSTILE_NAMES[1:4]:
            if ("'" + name) not in cells:
                H.problem(f"the cell of {name!r} is not guarded with a leading ': {cells}")
    if case == "cache":
        entries = [e for e in os.listdir(os.path.join(a.out, "cache")) if e.startswith(LAB)]
        if len(entries) != 4:
            H.problem(f"{len(entries)} cache entries for 4 distinct submissions: {entries}")
    if case == "peek":
        text = open(os.path.join(a.out, "reports", "peeker.txt"), errors="replace").read()
        if "PEEKED" not in text:
            H.problem("the peeking program's output is not in its report (did it run?)")
        for line in text.splitlines():
            if "PEEKED" in line:
                print("the peeking program: " + line.strip())
            if "LEAKED" in line:
                H.problem(f"the peeking program reached what it must not: {line.strip()}")
            if "SHARED" in line and a.mode == "sandbox":
                H.problem(f"with namespaces the peeking program reached: {line.strip()}")
            for what in ("classmate-program", "build-folder"):
                if "PEEKED" in line and a.mode == "names" and "FOUND:" + what not in line:
                    H.problem(f"without namespaces the peeking program never saw a {what} "
                              f"of the graders beside it, so it tried nothing: {line.strip()}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--build", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--mode", choices=["sandbox", "names"], required=True)
    p.add_argument("case", choices=sorted(CASES))
    a = p.parse_args()
    if os.geteuid() != 0:
        print("SKIP: the red-team cases need root (student uids, mknod, mounts)")
        return 77
    global a_source_labs
    a_source_labs = os.path.join(a.source, "labs")
    root = tempfile.mkdtemp(prefix=f"redteam-{MARKER}.", dir="/var/tmp")
    a.cls, a.out, a.port = os.path.join(root, "class"), os.path.join(root, "out"), 0
    a.checks = [CHECK]  # the checks graded: `class` grades more
    # The $TMPDIR of the graders beside a `peek` batch: one others may enter.
    a.bgtmp = tempfile.mkdtemp(prefix=f"redteam-{MARKER}-tmp.", dir="/var/tmp")
    os.chmod(a.bgtmp, 0o755)
    os.makedirs(a.cls)
    env = dict(os.environ)
    env.pop("IPCGRADE_ISOLATION", None)
    if a.mode == "names":
        env["IPCGRADE_ISOLATION"] = "names"
    tmpdir = None
    if a.case == "cache":  # the build on another filesystem than OUT (/dev/shm is a tmpfs)
        tmpdir = tempfile.mkdtemp(prefix=f"redteam-{MARKER}.", dir="/dev/shm")
        os.chmod(tmpdir, 0o755)  # the compilers (another uid) work in it
        env["TMPDIR"] = tmpdir
        if os.stat(tmpdir).st_dev == os.stat(root).st_dev:
            H.problem("setup: /dev/shm and /var/tmp are one filesystem here")
    bait = HostBait(a) if a.case == "peek" else None
    before = H.snapshot()
    graders = set()
    try:
        expect = CASES[a.case](a, a.cls)
        started = time.monotonic()
        # --slow: deadlines for a loaded machine (the cases judge access, not speed).
        # peek: mq_recv looks for the graders beside it for up to 90 s.
        # class: SLOW_CLASS, because each hostile student waits out its deadlines.
        slow = {"peek": "24", "class": SLOW_CLASS}.get(a.case, "4")
        # class: the batch's own pace (one student at a time without namespaces,
        # where one student's queues could fill the host's count under another's).
        jobs = [] if a.case == "class" else ["--jobs", "2"]
        cmd = [os.path.join(a.build, "grader", "ipcgrade"), "batch", a.cls, "--out", a.out,
               *jobs, "--slow", slow, *a.checks]
        others = OtherGraders(a, env, graders) if a.case == "peek" else None
        try:
            rc, out = run_batch(cmd, env, graders)
        finally:
            if others:
                others.close()
        print(f"$ {' '.join(map(repr, cmd))} -> exit {rc} "
              f"in {time.monotonic() - started:.0f} s\n{out}")
        book = judge(a, expect, rc, out, started)
        judge_case(a, a.case, book)
        if bait and not bait.queue_intact():
            H.problem("the host queue lost its message")
        if os.path.exists(f"/run/lock/redteam.{MARKER}"):
            H.problem("a file the student made is left in /run/lock")
        print(open(os.path.join(a.out, "gradebook.csv"), errors="replace").read())
    finally:
        if bait:
            bait.close()
        check_host(before, graders)
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(a.bgtmp, ignore_errors=True)
        if tmpdir:
            shutil.rmtree(tmpdir, ignore_errors=True)
    if H.problems:
        print(f"{len(H.problems)} problem(s)")
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
