#!/usr/bin/env python3
"""autolab.py: the Autolab autograder runs as Tango runs it, without a
container: autograde.tar, the Makefile and a handin in one folder, `make` as
an unprivileged uid with limits like autodriver's (processes, file size),
stdout and stderr together.

usage: autolab.py --source DIR --tar AUTOGRADE.TAR --makefile FILE --ipcgrade PATH

Each run must exit 0 and end with one valid scores line, nothing after it:
the solutions (as handin.tar) with one lab that does not compile, which
costs only that lab; the skeleton's sem_counter.cpp handed in alone (one
lab, 0); a handin without labs (every lab 0); a student program that calls
kill(-1, SIGKILL), with namespaces and without; and a grader that dies or
overruns (a message that says it is not a grade, then {"scores": {}}).
Nothing may be left running as the uid. Exit 0 when every check holds, 1
otherwise, 77 (skipped) when not run as root.
"""

import argparse
import io
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as H  # noqa: E402  (private_mount_shell)

# The lab that the broken handin breaks, and the file.
BROKEN_LAB, BROKEN_FILE = "02-mmap", "mm_edit.cpp"
# autodriver's limits: processes of the uid, and the largest file (1 KB blocks).
LIMITS = "ulimit -u 200; ulimit -f 204800"
# The uid that make runs as: one of its own for this run.
UID = 1900000 + os.getpid() % 100000

failures = []


def expect(ok, what):
    """Record `what` as a failure unless `ok`."""
    if not ok:
        failures.append(what)
        print(f"FAIL: {what}", flush=True)


def lab_points(ipcgrade):
    """{lab id: its points}, from ipcgrade --list --json."""
    out = subprocess.run([ipcgrade, "--list", "--json"], capture_output=True, text=True, check=True)
    return {lab["id"]: lab["points"] for lab in json.loads(out.stdout)["labs"]}


def new_folder(scratch, a):
    """A fresh folder as Tango lays it out: autograde.tar and Makefile."""
    folder = scratch / "job"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    shutil.copy(a.tar, folder / "autograde.tar")
    shutil.copy(a.makefile, folder / "Makefile")
    return folder


def run_make(folder, scratch, env_extra, make_args=()):
    """Run make in `folder` as UID with autodriver-like limits; its output's
    lines (stdout and stderr together)."""
    for path in [folder, *folder.rglob("*"), scratch / "cache"]:
        os.chown(path, UID, UID)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), **env_extra}
    argv = ["setpriv", f"--reuid={UID}", f"--regid={UID}", "--clear-groups",
            "bash", "-c", f"{LIMITS}; exec make \"$@\"", "make", *make_args]
    started = time.monotonic()
    out = subprocess.run(argv, cwd=folder, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, errors="replace", timeout=900)
    print(f"make {' '.join(make_args)}: exit {out.returncode} in {time.monotonic() - started:.0f} s",
          flush=True)
    expect(out.returncode == 0, f"make exits 0 (it exited {out.returncode}):\n{out.stdout[-3000:]}")
    return out.stdout.splitlines()


def scores_of(lines, case):
    """The last line as Autolab parses it: {"scores": {...}}; {} if it is not."""
    last = lines[-1] if lines else ""
    try:
        doc = json.loads(last)
    except ValueError:
        doc = None
    ok = isinstance(doc, dict) and isinstance(doc.get("scores"), dict)
    expect(ok, f"{case}: the last line is a scores line, not {last!r}:\n" + "\n".join(lines[-15:]))
    expect(not any(l.startswith("make:") for l in lines), f"{case}: make prints no error line")
    return doc["scores"] if ok else {}


def closed_to_others(path):
    """The first folder on the way to `path` that other users may not search, or None."""
    for folder in reversed([path, *path.parents]):
        if folder.is_dir() and not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    return None


def leftovers():
    """The pids of processes still running as UID."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and entry.stat().st_uid == UID:
                pids.append(int(entry.name))
        except OSError:
            pass
    return pids


def owned_objects():
    """Files, folders and IPC objects of UID: in /tmp, /var/tmp, /dev/shm, the
    POSIX queues (through a private mqueue mount) and System V's tables."""
    found = [str(p) for d in ["/tmp", "/var/tmp", "/dev/shm"] for p in Path(d).iterdir()
             if p.lstat().st_uid == UID]
    queues = H.private_mount_shell(
        "mount -t mqueue none /mnt && find /mnt -mindepth 1 -uid " + str(UID)).stdout.split()
    found += [q.replace("/mnt/", "mqueue:") for q in queues]
    for kind in ["shm", "sem", "msg"]:
        rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        head = rows[0].split()
        found += [f"sysv {kind} {r.split()[1]}" for r in rows[1:]
                  if int(r.split()[head.index("uid")]) == UID]
    return found


def remove_objects(found):
    """Remove what owned_objects() found."""
    for item in found:
        if item.startswith("mqueue:"):
            H.private_mount_shell(f"mount -t mqueue none /mnt && rm -f /mnt/{item[7:]}")
        elif item.startswith("sysv "):
            _, kind, ident = item.split()
            subprocess.run(["ipcrm", {"shm": "-m", "sem": "-s", "msg": "-q"}[kind], ident])
        else:
            subprocess.run(["rm", "-rf", "--", item])


def check_nothing_left(case):
    """No process, file or IPC object of UID is left; any that is, is removed."""
    time.sleep(0.5)
    pids = leftovers()
    expect(not pids, f"{case}: no process of the uid is left ({pids})")
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    found = owned_objects()
    expect(not found, f"{case}: no file or IPC object of the uid is left ({found[:5]})")
    remove_objects(found)


def tar_labs(folder, labs_root, edit=None):
    """folder/handin.tar holding labs/NN-topic/* from `labs_root`; `edit`
    (lab, file, text) appends text to one file."""
    with tarfile.open(folder / "handin.tar", "w") as tf:
        for lab in sorted(p for p in labs_root.iterdir() if p.is_dir()):
            for f in sorted(lab.iterdir()):
                info = tf.gettarinfo(f, f"labs/{lab.name}/{f.name}")
                data = f.read_bytes()
                if edit and (lab.name, f.name) == edit[:2]:
                    data += edit[2]
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))


def grade_broken(kit, scratch, a, env, points):
    """The solutions with one lab that does not compile: that lab 0, every
    other its full points."""
    folder = new_folder(scratch, a)
    tar_labs(folder, kit / "solutions", (BROKEN_LAB, BROKEN_FILE, b"\nthis is not C++\n"))
    lines = run_make(folder, scratch, env)
    scores = scores_of(lines, "broken")
    broken = BROKEN_LAB.split("-", 1)[1]
    want = {lab: 0 if lab == broken else p for lab, p in points.items()}
    expect(scores == want, f"broken: scores {scores}, not {want}")
    expect(any(BROKEN_FILE in l and "error" in l for l in lines), "broken: the compiler's error is shown")
    check_nothing_left("broken")


def grade_single_file(kit, scratch, a, env):
    """The skeleton's sem_counter.cpp handed in alone, for one lab: sem 0."""
    folder = new_folder(scratch, a)
    shutil.copy(kit / "labs/04-sem/sem_counter.cpp", folder / "sem_counter.cpp")
    scores = scores_of(run_make(folder, scratch, env, ["LAB=04-sem"]), "single file")
    expect(scores == {"sem": 0}, f"single file: scores {scores}, not {{'sem': 0}}")
    check_nothing_left("single file")


def grade_no_labs(scratch, a, env, points):
    """A handin without labs: every lab 0, and why."""
    folder = new_folder(scratch, a)
    (folder / "handin.txt").write_text("I forgot my code.\n")
    lines = run_make(folder, scratch, env)
    scores = scores_of(lines, "no labs")
    expect(scores == {lab: 0 for lab in points}, f"no labs: every lab 0, not {scores}")
    expect(any("Nothing was graded" in l for l in lines), "no labs: the output says nothing was graded")
    check_nothing_left("no labs")


def grade_kill_all(kit, scratch, a, env, names):
    """sem_counter replaced by kill(-1, SIGKILL): make and the driver live on
    and the scores line comes last, with namespaces and without."""
    case = "kill-all" + (" without namespaces" if names else "")
    hostile = kit / "tests/hostile"
    folder = new_folder(scratch, a)
    labs = scratch / "hostile-labs"
    shutil.rmtree(labs, ignore_errors=True)
    shutil.copytree(kit / "solutions/04-sem", labs / "04-sem")
    header = (hostile / "hostile.hpp").read_text().replace("#pragma once", "")
    entry = (hostile / "kill-all.cpp").read_text().replace('#include "hostile.hpp"', header)
    (labs / "04-sem/sem_counter.cpp").write_text(entry)
    tar_labs(folder, labs)
    extra = {"IPCGRADE_ISOLATION": "names"} if names else {}
    lines = run_make(folder, scratch, {**env, **extra}, ["LAB=04-sem"])
    scores = scores_of(lines, case)
    if scores == {}:  # the grader was killed: the driver must say so
        expect(any("not a grade" in l for l in lines), f"{case}: the output says it is not a grade")
    else:
        expect(set(scores) == {"sem"} and scores["sem"] < 58, f"{case}: sem loses points ({scores})")
    check_nothing_left(case)


def grade_dead(scratch, a, env, name, script, reason, env_extra=None):
    """A grader that dies or overruns: a message, then {"scores": {}}."""
    folder = new_folder(scratch, a)
    shutil.copy(a.makefile, folder / "mq_send.cpp")  # any handin
    stand_in = scratch / name
    stand_in.write_text(script)
    stand_in.chmod(0o755)
    lines = run_make(folder, scratch, {**env, "IPCGRADE": str(stand_in), **(env_extra or {})})
    scores = scores_of(lines, name)
    expect(scores == {}, f"{name}: scores {{}} (no grade), not {scores}")
    text = "\n".join(lines)
    for words in ["grader failed", "not a grade", reason]:
        expect(words in text, f"{name}: the output says {words!r}:\n{text[-2000:]}")
    check_nothing_left(name)


def check_bundle(a):
    """autograde.tar holds the driver and the shared module, nothing else."""
    with tarfile.open(a.tar) as tf:
        names = sorted(tf.getnames())
    want = ["ipc-lab-kit/autolab/driver", "ipc-lab-kit/platforms/submission.py"]
    expect(names == want, f"autograde.tar holds {want}, not {names}")


def main():
    """Run every check; 0 when all hold, 77 when not root."""
    ap = argparse.ArgumentParser()
    for opt in ["--source", "--tar", "--makefile", "--ipcgrade"]:
        ap.add_argument(opt, required=True)
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("skipped: run as root (make runs as an unprivileged uid)")
        return 77
    kit = Path(a.source).resolve()
    ipcgrade = str(Path(a.ipcgrade).resolve())
    closed = closed_to_others(kit) or closed_to_others(Path(ipcgrade))
    if closed:
        # Autolab's image holds the kit where every user may read it (/ipc-lab-kit).
        print(f"skipped: {closed} is closed to other users (mode {closed.stat().st_mode & 0o777:o}), "
              "and make runs as an unprivileged uid, as Tango runs it: clone the kit where "
              "other users may read it (not under /root) to run this test")
        return 77
    scratch = Path(tempfile.mkdtemp(prefix="autolab-test.", dir="/var/tmp"))
    scratch.chmod(0o755)
    try:
        (scratch / "cache").mkdir()
        check_bundle(a)
        points = lab_points(ipcgrade)
        env = {"IPC_LAB_KIT": str(kit), "IPCGRADE": ipcgrade,
               "IPCGRADE_ARGS": f"--build-cache {scratch / 'cache'}"}
        grade_broken(kit, scratch, a, env, points)
        grade_single_file(kit, scratch, a, env)
        grade_no_labs(scratch, a, env, points)
        grade_kill_all(kit, scratch, a, env, names=False)
        grade_kill_all(kit, scratch, a, env, names=True)
        grade_dead(scratch, a, env, "killed", "#!/bin/sh\necho 'stand-in: about to die'\n"
                   "kill -KILL $$\n", "SIGKILL")
        grade_dead(scratch, a, env, "overrun", "#!/bin/sh\necho 'stand-in: hanging'\n"
                   "exec sleep 300\n", "stopped after 2 seconds", {"IPCGRADE_TIMEOUT": "2"})
    finally:
        for pid in leftovers():
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(scratch, ignore_errors=True)
        remove_objects(owned_objects())
    failures.extend(H.problems)  # a private mount namespace that could not be set up
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print("every check held")
    return 0


if __name__ == "__main__":
    sys.exit(main())
