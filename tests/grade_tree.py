#!/usr/bin/env python3
"""grade_tree.py: the kit's integration tests, each one run of ipcgrade judged
from its exit code and its Gradescope JSON.

usage: grade_tree.py --build BUILD --source SOURCE MODE [ARGS]
  solutions              the reference solutions earn full marks (exit 0)
  solutions-names        ... also with unique names instead of namespaces
  tree DIR LABDIR        the programs in DIR/LABDIR (another correct implementation) earn
                         full marks in that lab
  skeleton               the untouched skeleton earns 0 on every check (exit 1)
  mutant LABDIR STEM     the buggy variant tests/mutants/LABDIR/STEM.mutant loses the
                         check on its "# kills:" line, and only the checks listed there
                         ("# kills: nothing": an equivalent mutant keeps full marks;
                         "CHECK?": it may lose that check, depending on timing);
                         each "# says: TEXT" line must appear in that check's report
  coverage               every check of every lab is on the kills: line (without "?")
                         of at least one buggy variant, so each one is shown to catch a bug
  says LABDIR...         every variant of those labs has a "# says:" line (the words
                         its report must hold: the report names its cause)
  broken-build           a lab that does not compile is reported "did not build"
                         with the compiler's first error
  no-leaks               a grading run leaves no IPC object, file or process
  bad-usage              bad arguments get one clear line and exit 2
Exit 0 when the expectation holds, 1 with the reason otherwise, 77 to skip.
"""
import argparse, ctypes, json, os, re, shutil, subprocess, sys, tempfile, time

def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)

def grade(args, build, *extra, check_json=True):
    """Run ipcgrade with --json; return (exit code, parsed JSON, stdout)."""
    with tempfile.TemporaryDirectory(prefix="ipcgrade-test.") as tmp:
        out = os.path.join(tmp, "results.json")
        cmd = [os.path.join(build, "grader", "ipcgrade"), "--no-build", "--json", out, *extra]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=240)
        print("$ " + " ".join(cmd) + f"  -> exit {p.returncode}")
        print(p.stdout, p.stderr, sep="")
        doc = json.load(open(out)) if check_json and os.path.exists(out) else None
        return p.returncode, doc, p.stdout

def check_gradescope(doc):
    """The JSON has the fields Gradescope reads, and its score adds up."""
    for key in ("score", "execution_time", "tests"):
        if key not in doc: fail(f"results.json has no '{key}'")
    for t in doc["tests"]:
        for key in ("name", "number", "score", "max_score", "status", "output", "visibility"):
            if key not in t: fail(f"test {t.get('name')} has no '{key}'")
        if t["status"] not in ("passed", "failed"): fail(f"bad status {t['status']}")
    if doc["score"] != sum(t["score"] for t in doc["tests"]): fail("score is not the sum")

def check_id(test):
    """'mqueue/notify: title' -> 'notify'."""
    return test["name"].split(":")[0].split("/")[1]

def solutions(a):
    rc, doc, out = grade(a, a.build, "--tree", "solutions")
    check_gradescope(doc)
    full = sum(t["max_score"] for t in doc["tests"])
    if rc != 0 or doc["score"] != full: fail(f"solutions earned {doc['score']}/{full}, exit {rc}")
    if f"Score: {full}/{full}" not in out.splitlines()[-1]: fail("no closing Score line")
    return out

def landlock_abi():
    """The kernel's Landlock ABI version (landlock_create_ruleset: 444 on every architecture), 0 without it."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return max(0, libc.syscall(444, None, 0, 1))

def solutions_names(a):
    """Without namespaces (forced), unique names still give full marks and leave nothing."""
    os.environ["IPCGRADE_ISOLATION"] = "names"
    before = snapshot()
    out = solutions(a)
    after = snapshot()
    if after - before: fail("left behind: " + ", ".join(sorted(after - before)))
    # Where the kernel has no Landlock nothing hides the grader's folders: the
    # report says so (IPCGRADE_LANDLOCK=off plays that kernel); with it, it does not.
    if landlock_abi() > 0 and "no Landlock" in out:
        fail("the report says there is no Landlock, and this kernel has it")
    os.environ["IPCGRADE_LANDLOCK"] = "off"
    rc, doc, out = grade(a, a.build, "--tree", "solutions", "mqueue/bad-input")
    del os.environ["IPCGRADE_LANDLOCK"]
    if rc != 0: fail(f"without Landlock the solutions lost a point, exit {rc}")
    line = next((l for l in out.splitlines() if l.startswith("isolation: ")), "")
    if "no Landlock: the kit's folders and the reports are only as private as their modes" \
            not in line:
        fail(f"without Landlock the isolation line does not say so: {line!r}")

def tree(a):
    """Another correct implementation, DIR/LABDIR, earns full marks (the lab's cleanup
    check charges for anything its programs leave behind)."""
    root, labdir = a.args
    rc, doc, out = grade(a, a.build, "--tree", root, labdir.split("-", 1)[1])
    check_gradescope(doc)
    lost = [f"{t['name']} {t['score']}/{t['max_score']}" for t in doc["tests"]
            if t["score"] != t["max_score"]]
    if lost or rc != 0: fail(f"{labdir} in {root} lost points (exit {rc}): " + "; ".join(lost))

def skeleton(a):
    rc, doc, out = grade(a, a.build, "--tree", "labs")
    check_gradescope(doc)
    earned = [t["name"] for t in doc["tests"] if t["score"] > 0]
    if earned: fail("the skeleton earned points on: " + ", ".join(earned))
    if rc != 1: fail(f"exit {rc}, expected 1")
    if not out.splitlines()[-1].startswith("Score: 0/"): fail("no closing Score: 0/ line")

def kills_line(recipe):
    """The check ids on a mutant recipe's '# kills:' first line."""
    first = open(recipe).readline()
    m = re.match(r"#\s*kills:\s*(.+)", first)
    if not m: fail(f"{recipe} does not start with '# kills: CHECK'")
    return m.group(1).split()

def says_lines(recipe):
    """The phrases of a recipe's '# says:' lines: the named check's report must hold each."""
    return [m.group(1).strip() for m in
            (re.match(r"#\s*says:\s*(.+)", l) for l in open(recipe)) if m]

def variant_tree(build, labdir, stem, tree):
    """Fill TREE/LABDIR with the lab's solutions, the variant STEM in place of its program."""
    prog = stem.split(".", 1)[1]
    os.mkdir(os.path.join(tree, labdir))
    sol = os.path.join(build, "solutions", labdir)
    for name in os.listdir(sol):
        path = os.path.join(sol, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            os.symlink(path, os.path.join(tree, labdir, name))
    os.remove(os.path.join(tree, labdir, prog))
    os.symlink(os.path.join(build, "tests", "mutants", stem), os.path.join(tree, labdir, prog))

def variant_verdict(recipe, doc, rc, whole=True):
    """Why the variant's grading breaks its recipe's promises, or None when it keeps them.
    With whole=False only the checks on its kills: line were graded."""
    kills = kills_line(recipe)
    by_id = {check_id(t): t for t in doc["tests"]}
    if kills == ["nothing"]:  # an equivalent mutant: no check can tell it apart
        lost = [i for i, t in by_id.items() if t["score"] < t["max_score"]]
        return f"said to kill nothing, it lost points on {lost}" if lost or rc != 0 else None
    sure = [k for k in kills if not k.endswith("?")]
    kills = [k.rstrip("?") for k in kills]
    for k in kills:
        if k not in by_id: return f"'# kills: {k}' names no check that was graded"
    if by_id[kills[0]]["score"] != 0:
        return f"it kept the points of {kills[0]}, the check named for its bug"
    kept = [k for k in sure if by_id[k]["score"] == by_id[k]["max_score"]]
    if kept: return f"it kept the points of {', '.join(kept)}, on its kills: line"
    # Without namespaces names carry the check's unique prefix: "/ipcg.PID.TAG.LAB.CHECK.ring".
    said = re.sub(r"/ipcg\.\d+\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.", "/", by_id[kills[0]]["output"])
    for phrase in says_lines(recipe):
        if phrase not in said: return f"the report of {kills[0]} does not say {phrase!r}"
    if not whole: return None
    spared = [i for i, t in by_id.items() if i not in kills and t["score"] < t["max_score"]]
    if spared: return f"it also lost points on {', '.join(spared)}, not on its kills: line"
    return f"exit {rc}, expected 1" if rc != 1 else None

def cleanup_checks(build, lab):
    """The ids of lab's cleanup checks, which are charged for what any check leaves."""
    p = subprocess.run([os.path.join(build, "grader", "ipcgrade"), "--list", "--json"],
                       capture_output=True, text=True, check=True)
    return {c["id"] for l in json.loads(p.stdout)["labs"] if l["id"] == lab
            for c in l["checks"] if c["cleanup"]}

def mutant(a):
    """The variant loses its kills: line and says its cause. Graded whole, it loses
    nothing else; with KIT_MUTANT_GRADING=kills (the fallback setup, where the
    default pass has already proven that) only the checks on its kills: line run,
    unless one is the cleanup check, whose verdict counts every check of the lab."""
    labdir, stem = a.args
    recipe = os.path.join(a.source, "tests", "mutants", labdir, stem + ".mutant")
    lab = labdir.split("-", 1)[1]
    kills = [k.rstrip("?") for k in kills_line(recipe)]
    whole = os.environ.get("KIT_MUTANT_GRADING", "whole") != "kills" or kills == ["nothing"] \
        or bool(cleanup_checks(a.build, lab) & set(kills))
    selectors = [lab] if whole else [f"{lab}/{k}" for k in kills]
    with tempfile.TemporaryDirectory(prefix="ipcgrade-mutant.") as tree:
        variant_tree(a.build, labdir, stem, tree)
        rc, doc, _ = grade(a, a.build, "--tree", tree, *selectors)
    check_gradescope(doc)
    why = variant_verdict(recipe, doc, rc, whole)
    if why: fail(f"{stem}: {why}")

def coverage(a):
    """Every check is sure to lose its points to at least one recipe."""
    p = subprocess.run([os.path.join(a.build, "grader", "ipcgrade"), "--list"],
                       capture_output=True, text=True)
    checks = [w[0] for w in (l.split() for l in p.stdout.splitlines()) if w and "/" in w[0]]
    killed = set()
    root = os.path.join(a.source, "tests", "mutants")
    for labdir in os.listdir(root):
        if not os.path.isdir(os.path.join(root, labdir)): continue
        lab_id = labdir.split("-", 1)[1]
        for name in os.listdir(os.path.join(root, labdir)):
            if name.endswith(".mutant"):
                killed |= {f"{lab_id}/{k}" for k in kills_line(os.path.join(root, labdir, name))
                           if not k.endswith("?")}
    missing = [c for c in checks if c not in killed]
    if not checks: fail("ipcgrade --list listed no checks")
    if missing: fail("no buggy variant is sure to lose: " + ", ".join(missing))
    print(f"{len(checks)} checks, each on a buggy variant's kills: line")

def says(a):
    """Every variant of the labs named (LABDIR...) has a '# says:' line, so each one's
    test proves that the report names its cause (variant_verdict checks the words)."""
    root = os.path.join(a.source, "tests", "mutants")
    silent = []
    for labdir in a.args:
        for name in sorted(os.listdir(os.path.join(root, labdir))):
            if name.endswith(".mutant") and kills_line(os.path.join(root, labdir, name)) != ["nothing"] \
                    and not says_lines(os.path.join(root, labdir, name)):
                silent.append(f"{labdir}/{name}")
    if silent: fail(f"{len(silent)} variants have no '# says:' line: " + ", ".join(silent))
    print(f"every variant of {', '.join(a.args)} says what its report must name")

def broken_build(a):
    """Labs made of the solutions, with 01-mqueue's mq_send broken: the checks
    that run mq_send say "did not build" (skipped), its first error is shown
    once, and every other check, of mqueue too, still earns full marks."""
    with tempfile.TemporaryDirectory(prefix="ipcgrade-broken.") as tmp:
        src = os.path.join(tmp, "kit")
        shutil.copytree(a.source, src, ignore=shutil.ignore_patterns("build*", ".git"))
        for lab in os.listdir(os.path.join(src, "labs")):
            if os.path.isdir(os.path.join(src, "labs", lab)):
                shutil.rmtree(os.path.join(src, "labs", lab))
                shutil.copytree(os.path.join(a.source, "solutions", lab),
                                os.path.join(src, "labs", lab))
        victim = os.path.join(src, "labs", "01-mqueue", "mq_send.cpp")
        with open(victim, "a") as f: f.write("\nint broken( { this is not C++\n")
        b = os.path.join(tmp, "b")
        subprocess.run(["meson", "setup", b, src], check=True, capture_output=True, timeout=240)
        subprocess.run(["ninja", "-C", b, "grader/ipcgrade"], check=True, capture_output=True,
                       timeout=600)
        out = os.path.join(tmp, "results.json")
        p = subprocess.run([os.path.join(b, "grader", "ipcgrade"), "--json", out],
                           capture_output=True, text=True, timeout=600)
        print(p.stdout, p.stderr)
        doc = json.load(open(out))
        if p.returncode != 1: fail(f"exit {p.returncode}, expected 1")
        skipped = []
        for t in doc["tests"]:
            lab = t["name"].split("/")[0]
            if lab == "mqueue" and t["output"].startswith("did not build"):
                if "skipped: mq_send did not build" not in t["output"]:
                    fail(f"{t['name']} does not say that mq_send did not build")
                skipped.append(t["name"])
            elif t["score"] != t["max_score"]:
                fail(f"{t['name']} lost points although it runs no program that did not build")
        if not skipped: fail("no check of mqueue was skipped for mq_send")
        if p.stdout.count("mq_send did not build:") != 1:
            fail("the compiler's first error is not shown exactly once, under mqueue")
        if "mq_send.cpp" not in p.stdout or "error:" not in p.stdout:
            fail("the compiler's first error is not shown")

def snapshot():
    """Every IPC object, grader temp folder and orphaned kit process on the host."""
    items = set()
    for d in ("/dev/shm", "/dev/mqueue"):
        if os.path.isdir(d): items |= {d + "/" + e for e in os.listdir(d)}
    for kind in ("msg", "shm", "sem"):
        with open("/proc/sysvipc/" + kind) as f:
            items |= {kind + ":" + " ".join(l.split()[:2]) for l in list(f)[1:]}
    for d in ("/run", "/tmp", "/var/tmp"):
        if os.path.isdir(d):
            items |= {d + "/" + e for e in os.listdir(d) if e.startswith("ipcg")}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{pid}/stat").read()
            exe = os.readlink(f"/proc/{pid}/exe")
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[1] == "1" and ("ipcgrade" in exe or "/solutions/" in exe
                                                        or "/mutants/" in exe or "/labs/" in exe):
            items.add("process " + pid + " " + exe)
    return items

def reader_gone(a):
    """Grade with a stdout pipe whose reader has ended: exit 2 with one line
    on stderr, the JSON results written all the same."""
    with tempfile.TemporaryDirectory(prefix="ipcgrade-test.") as tmp:
        out = os.path.join(tmp, "results.json")
        r, w = os.pipe()
        os.close(r)
        cmd = [os.path.join(a.build, "grader", "ipcgrade"), "--no-build", "--json", out,
               "--tree", "solutions", "mqueue"]
        p = subprocess.run(cmd, stdout=w, stderr=subprocess.PIPE, text=True, timeout=240)
        os.close(w)
        print("$ " + " ".join(cmd) + f" >closed-pipe  -> exit {p.returncode}\n" + p.stderr)
        lines = p.stderr.strip().splitlines()
        if p.returncode != 2: fail(f"with its reader gone the grader exited {p.returncode}, not 2")
        if len(lines) != 1 or "stdout" not in lines[0]: fail("expected one line naming stdout")
        doc = json.load(open(out))
        if doc["score"] != sum(t["max_score"] for t in doc["tests"]): fail("the results file lost points")

def no_leaks(a):
    before = snapshot()
    grade(a, a.build, "--tree", "solutions")
    grade(a, a.build, "--tree", "labs")
    reader_gone(a)
    after = snapshot()
    if after - before: fail("left behind: " + ", ".join(sorted(after - before)))

def bad_usage(a):
    exe = os.path.join(a.build, "grader", "ipcgrade")
    for args, words in ((["--jobs", "0"], "jobs"), (["nosuchlab"], "unknown lab"),
                        (["mqueue/nosuchcheck"], "unknown check"),
                        (["--tree", "/nonexistent"], "no such folder"),
                        (["--bogus"], "--bogus")):
        p = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
        lines = p.stderr.strip().splitlines()
        print(args, p.returncode, lines)
        if p.returncode != 2: fail(f"{args}: exit {p.returncode}, expected 2")
        if len(lines) != 1 or words not in lines[0] or p.stdout:
            fail(f"{args}: expected one line on stderr naming '{words}'")

def time_limit(a):
    """Under --time-limit, a tree whose sem and channels programs all hang is
    graded in time: every other lab full marks, only hanging labs' checks not
    run, and a valid results file (a grade, not a timeout)."""
    limit = 40
    with tempfile.TemporaryDirectory(prefix="ipcgrade-hangs.") as tree:
        os.chmod(tree, 0o755)
        hanging = {"04-sem", "05-channels"}
        for labdir in sorted(os.listdir(os.path.join(a.build, "solutions"))):
            sol = os.path.join(a.build, "solutions", labdir)
            if not os.path.isdir(sol): continue
            os.mkdir(os.path.join(tree, labdir), 0o755)
            for name in os.listdir(sol):
                path = os.path.join(sol, name)
                if not (os.path.isfile(path) and os.access(path, os.X_OK)): continue
                to = os.path.join(tree, labdir, name)
                if labdir in hanging:
                    with open(to, "w") as f: f.write("#!/bin/sh\nexec sleep 1000\n")
                    os.chmod(to, 0o755)
                else:
                    os.symlink(path, to)
        started = time.monotonic()
        rc, doc, out = grade(a, a.build, "--tree", tree, "-j1", "--time-limit", str(limit))
        took = time.monotonic() - started
    print(f"graded in {took:.1f} s under --time-limit {limit}")
    # A check may overrun its deadline by the runner's 5 s of grace before it is
    # killed, and the sandbox's teardown follows: the platforms keep 30 s.
    if took > limit + 15: fail(f"the grading took {took:.1f} s, well over its limit of {limit} s")
    if doc is None: fail("no results.json")
    check_gradescope(doc)
    unrun = [t["name"] for t in doc["tests"] if "not run: the grading had" in t["output"]]
    if not unrun: fail("every check ran: the limit cut nothing (the test proves nothing)")
    labs_unrun = {n.split("/")[0] for n in unrun}
    if not labs_unrun <= {"sem", "channels"}: fail(f"checks of working labs not run: {unrun}")
    for t in doc["tests"]:
        if t["name"].split("/")[0] not in ("sem", "channels") and t["score"] != t["max_score"]:
            fail(f"{t['name']}: {t['score']}/{t['max_score']} though its programs work")
    if rc != 1: fail(f"exit {rc}, expected 1 (points lost)")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("mode")
    ap.add_argument("args", nargs="*")
    a = ap.parse_args()
    a.build, a.source = os.path.abspath(a.build), os.path.abspath(a.source)
    modes = {"solutions": solutions, "solutions-names": solutions_names, "tree": tree, "skeleton": skeleton, "mutant": mutant,
             "coverage": coverage, "says": says, "broken-build": broken_build, "no-leaks": no_leaks, "bad-usage": bad_usage,
             "time-limit": time_limit}
    if a.mode not in modes: fail("unknown mode " + a.mode)
    modes[a.mode](a)
    print("ok")

if __name__ == "__main__":
    main()
