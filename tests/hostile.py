#!/usr/bin/env python3
"""hostile.py: grades one hostile submission and proves that it changed nothing
but its own score.

usage: hostile.py --build BUILD --source SOURCE --mode sandbox|names
                  [--results PATH] ENTRY

ENTRY names tests/hostile/ENTRY.cpp, built as BUILD/tests/hostile/hostile-ENTRY.
Its header says what it does and what the grader must make of it:
  // hostile: one line naming the behaviour
  // replaces: LAB/PROGRAM        the lab program it stands in for
  // grade: LAB/CHECK ...         the checks to run (the last one of another lab)
  // loses: LAB/CHECK ...         must earn 0; every other graded check full marks
  // says: TEXT                   in the first lost check's report (JSON and text)
  // hidden: TEXT                 optional: must appear nowhere in the report or JSON
  // namespaces-only: REASON      optional: with --mode names assert only that the
                                  grading finishes and leaves nothing behind

The tree graded holds copies of BUILD/solutions/NN-topic/* for every lab graded,
with the program replaced by the entry. The grader runs with --jobs 1 and
--json PATH (the fixed path results-file.cpp plants a fake at), as root, in its
own session (no controlling terminal for a student to write to), and in names
mode with IPCGRADE_ISOLATION=names. Asserted:
  (a) it finishes within the sum of the checks' deadlines + 15 s;
  (b) exit 1; `loses` checks earn 0, the others full marks; `says` is in the
      first lost check's output in the JSON and in the text report;
  (c) the text report and the JSON are valid UTF-8 and hold no control byte
      but \\n and \\t, no DEL, no C1 control and no bidirectional override; the
      JSON parses; stdout ends with `Score: X/Y` equal to the JSON's; no line
      starts (after spaces) with "Score:" or "PASS" except that last one;
  (d) nothing is left on the host: no new object in /dev/shm, /proc/sysvipc/*,
      the POSIX queues (listed through a private mqueue mount), no process of
      the run's student uids, no new entry named ipcgrade* or owned by a
      student uid in /tmp, /var/tmp, /run, /run/lock;
  (e) the results file is a regular file of the grader's (not a symlink, not
      the student's), whose score is the one stdout ends with.
Whatever the run left behind is removed afterwards (only what belongs to it).
Exit 0 when everything holds, 1 with every reason otherwise, 77 to skip (not root).
"""
import argparse, json, os, re, shutil, signal, stat, subprocess, sys, tempfile, time

STUDENT_UID_MIN = 3000000
UIDS_PER_GRADER = 64  # one per job slot, from the block the grader claimed (core/uids.hpp)
DIRS_WATCHED = ("/tmp", "/var/tmp", "/run", "/run/lock")
problems = []


def problem(msg):
    """Record one failed expectation (every one is reported, not only the first)."""
    problems.append(msg)
    print("FAIL: " + msg)


# ---------------------------------------------------------------- the entry

def parse_header(path):
    """The entry's `// key: value` header lines, as a dict of strings."""
    head = {}
    for line in open(path, encoding="utf-8"):
        m = re.match(r"//\s*([a-z-]+):\s*(.*)", line)
        if not m:
            break
        head[m.group(1)] = m.group(2).strip()
    for key in ("hostile", "replaces", "grade", "loses", "says"):
        if key not in head:
            sys.exit(f"FAIL: {path} has no '// {key}:' header line")
    return head


def lab_dirs(source):
    """{'mqueue': '01-mqueue', ...} from the solutions' folders."""
    root = os.path.join(source, "solutions")
    return {d.split("-", 1)[1]: d for d in os.listdir(root)
            if re.match(r"\d\d-", d) and os.path.isdir(os.path.join(root, d))}


def deadlines(source):
    """{'mqueue/notify': seconds} from the check tables in grader/checks/<lab>.cpp."""
    found = {}
    row = re.compile(r'\{"([a-z0-9-]+)",\s*"(?:[^"\\]|\\.)*",\s*\d+,\s*\w+,\s*(\d+)(ms|s)\b')
    checks = os.path.join(source, "grader", "checks")
    for name in os.listdir(checks):
        if name.endswith(".cpp"):
            text = open(os.path.join(checks, name), encoding="utf-8").read()
            for cid, n, unit in row.findall(text):
                found[f"{name[:-4]}/{cid}"] = int(n) / (1000 if unit == "ms" else 1)
    return found


def make_tree(a, head, tree):
    """Copies of the solutions of every graded lab, the entry in place of its program."""
    dirs = lab_dirs(a.source)
    labs = {c.split("/")[0] for c in head["grade"].split()}
    for lab in labs:
        src = os.path.join(a.build, "solutions", dirs[lab])
        dst = os.path.join(tree, dirs[lab])
        os.mkdir(dst)
        for name in os.listdir(src):
            path = os.path.join(src, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                shutil.copy2(path, os.path.join(dst, name))
    lab, prog = head["replaces"].split("/")
    target = os.path.join(tree, dirs[lab], prog)
    if not os.path.exists(target):
        sys.exit(f"FAIL: replaces: {head['replaces']}: no such program in the solutions")
    shutil.copy2(os.path.join(a.build, "tests", "hostile", "hostile-" + a.entry), target)


# ---------------------------------------------------------------- the host's state

# A shell prelude that makes every shared mount private, so that nothing the
# script mounts reaches the host: `unshare --mount`'s own --propagation private
# fails where / is no mount point (a chroot), so it runs with "unchanged".
PRIVATE_MOUNTS = ('findmnt -rn -o TARGET,PROPAGATION | while read -r t p; do '
                  'case $p in shared*) mount --make-private "$t" || exit 1 ;; esac; done || exit 1; ')


def private_mount_shell(script, *args, timeout=60):
    """Run `sh -c script args` in a mount namespace of its own whose mounts
    reach nothing outside it; the CompletedProcess. Fails the test (with the
    shell's words) when that cannot be set up: a check that cannot look must
    not pass as one that found nothing."""
    p = subprocess.run(["unshare", "--mount", "--propagation", "unchanged", "sh", "-c",
                        PRIVATE_MOUNTS + script, *args],
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        problem(f"a private mount namespace for `{script}`: exit {p.returncode}: {p.stderr.strip()}")
    return p


def mqueue_shell(script, *args):
    """Run `sh -c script DIR args` with the host's POSIX queues mounted at DIR,
    in a private mount namespace (/dev/mqueue is not mounted here); its stdout."""
    with tempfile.TemporaryDirectory(prefix="hostile-mq.") as d:
        return private_mount_shell('mount -t mqueue none "$0" && ' + script, d, *args).stdout


def sysv_rows(kind):
    """Rows of /proc/sysvipc/KIND as dicts keyed by its header's column names."""
    with open("/proc/sysvipc/" + kind) as f:
        lines = f.read().splitlines()
    cols = lines[0].split()
    return [dict(zip(cols, l.split())) for l in lines[1:]]


def processes():
    """{pid: uid} of every process with a student uid (>= 3000000)."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/status") as f:
                uid = next(int(l.split()[1]) for l in f if l.startswith("Uid:"))
        except (OSError, StopIteration):
            continue
        if uid >= STUDENT_UID_MIN:
            found[pid] = uid
    return found


def snapshot():
    """Everything a run could leave on the host: {(kind, name): owner uids}."""
    items = {}
    for e in os.listdir("/dev/shm"):
        try:
            items[("/dev/shm", e)] = {os.lstat("/dev/shm/" + e).st_uid}
        except OSError:
            pass
    for line in mqueue_shell('find "$0" -mindepth 1 -maxdepth 1 -printf "%U %f\\n"').splitlines():
        uid, name = line.split(" ", 1)
        items[("POSIX queue", "/" + name)] = {int(uid)}
    for kind, idcol in (("msg", "msqid"), ("shm", "shmid"), ("sem", "semid")):
        for r in sysv_rows(kind):
            items[("sysv " + kind, r[idcol] + " key " + r["key"])] = {int(r["uid"]), int(r["cuid"])}
    for pid, uid in processes().items():
        items[("process", pid)] = {uid}
    for d in DIRS_WATCHED:
        if os.path.isdir(d):
            for e in os.listdir(d):
                try:
                    items[(d, e)] = {os.lstat(os.path.join(d, e)).st_uid}
                except OSError:
                    pass
    return items


def other_graders(mine):
    """Pids of ipcgrade processes other than this run's (another agent's run)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        if os.path.basename(exe).startswith("ipcgrade") and int(pid) != mine:
            found.append(pid)
    return found


def ours(item, owners, grader_pid, uids, alone):
    """Is this new item the run's: owned by its student uids, named after its
    grader, or (when no other grader runs) an ipcgrade* temp folder?"""
    if owners & uids:
        return True
    name = item[1]
    if f"ipcg.{grader_pid}." in name or f"ipcgrade-{grader_pid}." in name:
        return True
    return alone and item[0] in DIRS_WATCHED and name.startswith("ipcgrade")


def remove(item):
    """Remove one leftover of the run from the host."""
    kind, name = item
    try:
        if kind == "process":
            os.kill(int(name), signal.SIGKILL)
        elif kind == "POSIX queue":
            mqueue_shell('rm -f "$0/$1"', name[1:])
        elif kind.startswith("sysv "):
            flag = {"msg": "-q", "shm": "-m", "sem": "-s"}[kind[5:]]
            subprocess.run(["ipcrm", flag, name.split()[0]], capture_output=True)
        else:
            path = os.path.join(kind, name)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
    except OSError:
        pass


def student_uids(out, grader_pid):
    """The uids a grader's students ran as: the block its report's isolation
    line names, else the block of its pid (the one it prefers)."""
    m = re.search(rb"^isolation: .*?students as uids? (\d+)", out or b"", re.M)
    base = int(m.group(1)) if m else STUDENT_UID_MIN + grader_pid * UIDS_PER_GRADER
    return set(range(base, base + UIDS_PER_GRADER))


def check_leftovers(before, grader_pid, results, out):
    """(d): nothing new of the run's on the host; remove what there is."""
    uids = student_uids(out, grader_pid)
    skip = {("/tmp", os.path.basename(results))} if os.path.dirname(results) == "/tmp" else set()
    for _ in range(20):  # processes killed at the end may take a moment to go
        after = snapshot()
        alone = not other_graders(grader_pid)
        left = [i for i, owners in after.items()
                if i not in before and i not in skip and ours(i, owners, grader_pid, uids, alone)]
        if not any(kind == "process" for kind, _ in left):
            break
        time.sleep(0.1)
    if left:
        shown = ", ".join(f"{k} {n}" for k, n in sorted(left)[:12])
        more = f" and {len(left) - 12} more" if len(left) > 12 else ""
        problem(f"(d) left on the host: {shown}{more}")
    for i in sorted(left, key=lambda i: i[0] != "process"):  # processes first
        remove(i)


# ---------------------------------------------------------------- the report

BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
C1 = re.compile("[\u0080-\u009f]")


def check_bytes(what, data):
    """(c): valid UTF-8, no control byte but \\n and \\t, no DEL, C1 or bidi override."""
    bad = sorted({b for b in data if (b < 0x20 and b not in (0x0a, 0x09)) or b == 0x7f})
    if bad:
        at = min(data.index(bytes([b])) for b in bad)
        problem(f"(c) the {what} holds control bytes {[hex(b) for b in bad]} "
                f"(first near {data[max(0, at - 40):at + 10]!r})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        problem(f"(c) the {what} is not valid UTF-8: {e}")
        return
    for name, pat in (("C1 control characters", C1), ("bidirectional overrides", BIDI)):
        m = pat.search(text)
        if m:
            problem(f"(c) the {what} holds {name} (U+{ord(m.group()):04X}, near "
                    f"{text[max(0, m.start() - 40):m.start()]!r})")


def check_lines(what, text, last_score_allowed):
    """(c): no line that looks like the grader's verdict but is not."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        s = line.lstrip()
        final = last_score_allowed and i == len(lines) - 1
        if (s.startswith("Score:") and not final) or s.startswith("PASS"):
            problem(f"(c) the {what} has a line of its own that is not the grader's: {line!r}")


def report_block(stdout, lab, cid):
    """The text report's lines about one check: its row and the lines under it."""
    lines, block, in_lab = stdout.splitlines(), [], False
    for line in lines:
        if line.startswith("== "):
            in_lab = line.startswith(f"== {lab} ")
            continue
        if in_lab and re.match(rf"  {re.escape(cid)}\s", line):
            block = [line]
            continue
        if block and line.startswith("      "):
            block.append(line)
        elif block:
            break
    return "\n".join(block)


def check_scores(head, doc, rc, stdout):
    """(b) and the score parts of (c) and (e)."""
    tests = {t["name"].split(":")[0]: t for t in doc.get("tests", [])}
    graded, loses = head["grade"].split(), head["loses"].split()
    score, full = doc.get("score"), sum(t.get("max_score", 0) for t in tests.values())
    last = stdout.splitlines()[-1] if stdout.splitlines() else ""
    if last != f"Score: {score}/{full}":
        problem(f"(c) stdout ends with {last!r}, not the JSON's 'Score: {score}/{full}'")
    if rc != 1:
        problem(f"(b) exit {rc}, expected 1")
    for c in graded:
        t = tests.get(c)
        if t is None:
            problem(f"(b) {c} is missing from the JSON")
            continue
        want = 0 if c in loses else t["max_score"]
        if t["score"] != want:
            problem(f"(b) {c} earned {t['score']}/{t['max_score']}, expected {want}: "
                    + t.get("output", "").replace("\n", " | ")[:600])
    first = loses[0]
    if first in tests and head["says"] not in tests[first].get("output", ""):
        problem(f"(b) the JSON output of {first} does not say {head['says']!r}")
    lab, cid = first.split("/")
    block = report_block(stdout, lab, cid)
    if head["says"] not in block:
        problem(f"(b) the text report of {first} does not say {head['says']!r}:\n{block}")


def check_results_file(path, stdout):
    """(e): the grader's own regular file, with the score stdout ends with."""
    try:
        st = os.lstat(path)
    except OSError:
        problem(f"(e) there is no results file at {path}")
        return None
    if not stat.S_ISREG(st.st_mode):
        problem(f"(e) {path} is not a regular file (mode {st.st_mode:o}): a student planted it")
    if st.st_uid != os.geteuid():
        problem(f"(e) {path} belongs to uid {st.st_uid}, not the grader's {os.geteuid()}")
    data = open(path, "rb").read()
    check_bytes("JSON", data)
    try:
        doc = json.loads(data)
    except ValueError as e:
        problem(f"(e) the results file does not parse: {e}")
        return None
    check_lines("JSON", "\n".join(t.get("output", "") for t in doc.get("tests", [])), False)
    return doc


def clear_results(path):
    """Remove the results file and what a student may have planted beside it."""
    for p in (path, path + ".target"):
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass


# ---------------------------------------------------------------- main

def run(a, head, tree):
    """Grade the tree; returns (exit code or None if it overran, stdout, stderr, grader pid)."""
    graded = head["grade"].split()
    known = deadlines(a.source)
    budget = sum(known.get(c, 30) for c in graded) + 15
    env = {k: v for k, v in os.environ.items() if k != "IPCGRADE_ISOLATION"}
    if a.mode == "names":
        env["IPCGRADE_ISOLATION"] = "names"
    cmd = [os.path.join(a.build, "grader", "ipcgrade"), "--no-build", "--tree", tree,
           "--jobs", "1", "--json", a.results, *graded]
    print(("IPCGRADE_ISOLATION=names " if a.mode == "names" else "") + "$ " + " ".join(cmd))
    started = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, start_new_session=True)
    try:
        out, err = p.communicate(timeout=budget)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        rc = None
        problem(f"(a) the grading did not finish within {budget:.0f} s")
    print(f"-> exit {rc} after {time.monotonic() - started:.1f} s (budget {budget:.0f} s)")
    sys.stdout.write(out.decode("utf-8", "backslashreplace"))
    sys.stdout.write(err.decode("utf-8", "backslashreplace"))
    return rc, out, err, p.pid


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("--mode", choices=("sandbox", "names"), required=True)
    ap.add_argument("--results", default="/tmp/ipcgrade-hostile.results.json")
    ap.add_argument("entry")
    a = ap.parse_args()
    a.build, a.source = os.path.abspath(a.build), os.path.abspath(a.source)
    if os.geteuid() != 0:
        print("skip: the hostile entries run only as root (students as unprivileged uids)")
        sys.exit(77)
    head = parse_header(os.path.join(a.source, "tests", "hostile", a.entry + ".cpp"))
    names_only = a.mode == "names" and "namespaces-only" in head
    print(f"{a.entry}: {head['hostile']} (in place of {head['replaces']}, {a.mode} mode"
          + (f"; only finishing and leaving nothing: {head['namespaces-only']}" if names_only
             else "") + ")")
    clear_results(a.results)
    with tempfile.TemporaryDirectory(prefix="hostile-tree.") as tree:
        make_tree(a, head, tree)
        before = snapshot()
        rc, out, err, pid = run(a, head, tree)
        check_leftovers(before, pid, a.results, out)
    if rc is not None and not names_only:
        report = out + err
        check_bytes("text report", report)
        stdout = out.decode("utf-8", "replace")
        check_lines("text report", stdout, True)
        check_lines("stderr", err.decode("utf-8", "replace"), False)
        doc = check_results_file(a.results, stdout)
        if doc is not None:
            check_scores(head, doc, rc, stdout)
        hidden = head.get("hidden")
        if hidden:
            raw = open(a.results, "rb").read() if os.path.exists(a.results) else b""
            if hidden.encode() in report or hidden.encode() in raw:
                problem(f"(b) {hidden!r} shows in the report: the student could read it")
    clear_results(a.results)
    if problems:
        print(f"{a.entry} ({a.mode}): {len(problems)} problem(s)")
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
