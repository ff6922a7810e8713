#!/usr/bin/env python3
"""capabilities.py: grading as root with only some capabilities, as a container
grants them (Docker's defaults, or fewer), judged by the exit code, the
Gradescope JSON and the text report.

usage: capabilities.py --build BUILD --source SOURCE SCENARIO
  no-ptrace      root without CAP_SYS_PTRACE, CAP_IPC_OWNER and CAP_SYS_ADMIN
                 (so unique names): the solutions earn full marks, the skeletons 0
  docker         root with Docker's 14 default capabilities, unique names (Docker's
                 seccomp profile forbids namespaces): full marks and 0 again
  docker-userns  the same capabilities, but namespaces allowed (the grader then uses a
                 user namespace): full marks, and no student program runs as root
  none           root without any capability: one line saying what to grant, exit 2,
                 and a Gradescope file that says it is not a grade
  foreign-proc   in a PID namespace whose /proc is still the host's (unshare --pid,
                 as a chroot that kept its host's /proc): with Docker's capabilities
                 (no CAP_SYS_ADMIN) one line saying what to mount, exit 2, with
                 unique names and with a user namespace alike; with every
                 capability the grader mounts its own /proc and the solutions'
                 mqueue lab earns full marks
  two-containers two graders at once, each the first process of a PID namespace of
                 its own (so both of pid 1) with Docker's capabilities, as two
                 containers on one machine: their students run as different uids
                 (the kernel counts a uid's processes across containers), and the
                 second one's solutions earn full marks
  closed-root    root (every capability) where "/" has mode 0700, as in a chroot made
                 from a private folder: ipcgrade refuses in one line, exit 2, lending
                 no student a capability to get past it; `./kit grade` opens "/" and
                 the solutions earn full marks (a view of the host's folders in a
                 mount namespace of its own, under a root of its own)
Each run drops the capabilities from the bounding set with setpriv (util-linux),
so that ipcgrade, exec'd as root, starts without them in any set.
Exit 0 when the expectation holds, 1 with the reason otherwise, 77 to skip.
"""
import argparse, json, os, re, shutil, signal, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hostile as H  # noqa: E402  (PRIVATE_MOUNTS: nothing mounted reaches the host)

DOCKER = ["chown", "dac_override", "fsetid", "fowner", "mknod", "net_raw", "setgid", "setuid",
          "setfcap", "setpcap", "net_bind_service", "sys_chroot", "kill", "audit_write"]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def grade(build, bounding, tree, names, json_out=True):
    """Run ipcgrade under setpriv --bounding-set; return (exit code, JSON or None, stdout, stderr)."""
    with tempfile.TemporaryDirectory(prefix="ipcgrade-caps.") as tmp:
        out = os.path.join(tmp, "results.json")
        env = dict(os.environ)
        env.pop("IPCGRADE_ISOLATION", None)
        if names:
            env["IPCGRADE_ISOLATION"] = "names"
        cmd = ["setpriv", "--bounding-set", bounding, "--",
               os.path.join(build, "grader", "ipcgrade"), "--no-build", "--tree", tree]
        if json_out:
            cmd += ["--json", out]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=400, env=env)
        print("$ " + ("IPCGRADE_ISOLATION=names " if names else "") + " ".join(cmd) +
              f"  -> exit {p.returncode}")
        print(p.stdout, p.stderr, sep="")
        doc = json.load(open(out)) if json_out and os.path.exists(out) else None
        return p.returncode, doc, p.stdout, p.stderr


def isolation_line(out):
    """The report's one line saying which isolation was chosen."""
    lines = [l for l in out.splitlines() if l.startswith("isolation: ")]
    if len(lines) != 1: fail(f"the report has {len(lines)} 'isolation:' lines, not one")
    return lines[0]


def foreign_proc():
    """Whether this machine's /proc shows another PID namespace than ours (a
    chroot that kept its host's /proc, as fresh-debian's)."""
    return os.readlink("/proc/self") != str(os.getpid())


def refuses_foreign_proc(lines):
    """The grader's stderr `lines`, without CAP_SYS_ADMIN under a /proc of
    another PID namespace: one line refusing (it could not see the processes it
    forks, nor map a user namespace's ids)."""
    if len(lines) != 1: fail(f"{len(lines)} lines on stderr, expected one")
    for words in ("/proc shows another PID namespace", "mount -t proc proc /proc",
                  "CAP_SYS_ADMIN"):
        if words not in lines[0]: fail(f"the line does not say {words!r}")


def full_and_zero(build, bounding, names, must_say):
    """The solutions earn full marks, the skeletons nothing; the reports say how.
    Where /proc shows another PID namespace and CAP_SYS_ADMIN is dropped, the
    grader refuses instead, in one line."""
    rc, doc, out, err = grade(build, bounding, "solutions", names)
    drops_admin = "-sys_admin" in bounding or (bounding.startswith("-all") and
                                               "+sys_admin" not in bounding)
    if foreign_proc() and drops_admin:
        if rc != 2: fail(f"under a foreign /proc without CAP_SYS_ADMIN: exit {rc}, expected 2")
        refuses_foreign_proc(err.strip().splitlines())
        print("this machine's /proc shows another PID namespace: the refusal was asserted")
        return
    if doc is None: fail("no results.json")
    full = sum(t["max_score"] for t in doc["tests"])
    lost = [t["name"] for t in doc["tests"] if t["score"] < t["max_score"]]
    if rc != 0 or doc["score"] != full or lost:
        fail(f"the solutions earned {doc['score']}/{full}, exit {rc}; lost: {', '.join(lost)}")
    if out.splitlines()[-1] != f"Score: {full}/{full}": fail("no closing Score line")
    line = isolation_line(out)
    for words in must_say:
        if words not in line: fail(f"the isolation line does not say {words!r}: {line!r}")
    extra = doc.get("extra_data", {})
    if extra.get("isolation") != line[len("isolation: "):]:
        fail(f"extra_data.isolation is not the report's line: {extra!r}")
    if names != ("unbounded" in extra) or names != out.startswith("note: no namespaces"):
        fail("the note on what the fallback cannot bound is " +
             ("missing" if names else "there with namespaces") + f": {extra!r}")
    if names and doc.get("output") != "note: " + extra["unbounded"]:
        fail(f"Gradescope's output does not carry the fallback's note: {doc.get('output')!r}")
    unobserved = [t["name"] for t in doc["tests"] if "could not observe" in t.get("output", "")]
    if unobserved: fail("checks the grader could not observe: " + ", ".join(unobserved))
    rc, doc, out, _ = grade(build, bounding, "labs", names)
    earned = [t["name"] for t in doc["tests"] if t["score"] > 0]
    if earned: fail("the skeletons earned points on: " + ", ".join(earned))
    if rc != 1: fail(f"the skeletons: exit {rc}, expected 1")


def no_ptrace(a):
    full_and_zero(a.build, "-sys_ptrace,-ipc_owner,-sys_admin", True,
                  ["unique names", "CAP_SYS_PTRACE", "CAP_IPC_OWNER"])


def docker(a):
    full_and_zero(a.build, "-all," + ",".join("+" + c for c in DOCKER), True,
                  ["unique names", "CAP_SYS_PTRACE", "CAP_IPC_OWNER"])


def docker_userns(a):
    full_and_zero(a.build, "-all," + ",".join("+" + c for c in DOCKER), False, ["students as uid"])


def none(a):
    with tempfile.TemporaryDirectory(prefix="ipcgrade-caps.") as tmp:
        out = os.path.join(tmp, "results.json")
        cmd = ["setpriv", "--bounding-set", "-all", "--",
               os.path.join(a.build, "grader", "ipcgrade"), "--no-build", "--tree", "solutions",
               "--json", out]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=400)
        print("$ " + " ".join(cmd) + f"  -> exit {p.returncode}")
        print(p.stdout, p.stderr, sep="")
        lines = p.stderr.strip().splitlines()
        if p.returncode != 2: fail(f"exit {p.returncode}, expected 2")
        if len(lines) != 1: fail(f"{len(lines)} lines on stderr, expected one")
        for words in ("CAP_SETUID", "CAP_SETGID", "CAP_CHOWN", "non-root"):
            if words not in lines[0]: fail(f"the line does not say {words!r}")
        if "internal error" in lines[0]: fail("it calls itself an internal error")
        doc = json.load(open(out)) if os.path.exists(out) else {}
        if doc.get("extra_data", {}).get("grader_failed") is not True:
            fail("results.json does not say that the grader failed")
        if "CAP_SETUID" not in doc.get("output", ""): fail("results.json does not say why")


# A root of its own: a tmpfs of mode $VIEW_MODE holding the host's top-level
# folders (bound) and links, in a mount namespace of this script's own; chroot
# into it and run the rest in the folder it was started in, as fresh-debian's
# chroot does. $0 is that root, the rest is the command.
ROOT_VIEW = H.PRIVATE_MOUNTS + r"""
set -e
r=$0
mount -t tmpfs -o "mode=$VIEW_MODE" ipcgrade-root-view "$r"
for d in /*; do
  n=${d#/}
  if [ -L "$d" ]; then ln -s "$(readlink "$d")" "$r/$n"
  elif [ -d "$d" ]; then mkdir "$r/$n"; mount --rbind "$d" "$r/$n"
  fi
done
exec chroot "$r" sh -c 'cd "$0" && exec "$@"' "$PWD" "$@"
"""


def under_root_view(cmd, mode, env=None):
    """Run `cmd` as root chrooted into a view of this machine whose "/" has
    `mode` (octal text); its CompletedProcess."""
    root = tempfile.mkdtemp(prefix="ipcgrade-root-view.", dir="/var/tmp")
    try:
        full = ["unshare", "--mount", "--propagation", "unchanged", "sh", "-c", ROOT_VIEW, root,
                "sh", "-c", 'stat -c "root folder mode %a" / >&2; exec "$@"', "sh", *cmd]
        p = subprocess.run(full, capture_output=True, text=True, timeout=900,
                           env=dict(env or os.environ, VIEW_MODE=mode))
        print(f"$ (chrooted, / of mode {mode}) " + " ".join(cmd) + f"  -> exit {p.returncode}")
        print(p.stdout[-3000:], p.stderr[-3000:], sep="")
        return p
    finally:
        os.rmdir(root)


def foreign_proc_scenario(a):
    ipcgrade = os.path.join(os.path.abspath(a.build), "grader", "ipcgrade")
    docker_caps = "-all," + ",".join("+" + c for c in DOCKER)
    for bounding, names, full in ((docker_caps, True, False), (docker_caps, False, False),
                                  ("+all", True, True)):
        env = dict(os.environ)
        env.pop("IPCGRADE_ISOLATION", None)
        if names: env["IPCGRADE_ISOLATION"] = "names"
        # In a chroot, as fresh-debian's: a grader that mounts its own /proc there
        # must still find its own files (/proc/self/exe names them from the host's
        # root once the grader has a mount namespace of its own).
        cmd = ["unshare", "--pid", "--fork", "sh", "-c",
               'test "$(readlink /proc/self)" != "$$" || { echo "/proc is this namespace\'s" >&2; '
               'exit 9; }; exec "$@"', "sh", "setpriv", "--bounding-set", bounding, "--",
               ipcgrade, "--no-build", "--tree", "solutions", "mqueue"]
        p = under_root_view(cmd, "0755", env)
        if p.returncode == 9: fail("the test's PID namespace has a /proc of its own")
        if full:
            if p.returncode != 0 or not re.search(r"^Score: (\d+)/\1$", p.stdout, re.M):
                fail(f"with every capability: exit {p.returncode}, expected full marks")
        else:
            if p.returncode != 2: fail(f"without CAP_SYS_ADMIN: exit {p.returncode}, expected 2")
            refuses_foreign_proc([l for l in p.stderr.strip().splitlines()
                                  if not l.startswith("root folder mode")])


CLAIM_UIDS = range(1 << 31, (1 << 31) + (1 << 24))  # the uids holding student uids (core/uids.hpp)


def descendants(pid):
    """{pid: (uid, parent pid)} of the processes below `pid`."""
    parent, uid = {}, {}
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = open(f"/proc/{p}/status").read()
        except OSError:
            continue
        fields = dict(l.split(":", 1) for l in status.splitlines() if ":" in l)
        parent[int(p)] = int(fields["PPid"])
        uid[int(p)] = int(fields["Uid"].split()[0])
    found = {}
    for p in parent:
        q = p
        while q in parent and q != pid and q > 1:
            q = parent[q]
        if q == pid and p != pid:
            found[p] = (uid[p], parent[p])
    return found


def two_containers(a):
    if foreign_proc():
        print("SKIP: this machine's /proc shows another PID namespace (a chroot that kept its "
              "host's /proc): the test cannot find the first grader's processes there")
        sys.exit(77)
    ipcgrade = os.path.join(os.path.abspath(a.build), "grader", "ipcgrade")
    docker_caps = "-all," + ",".join("+" + c for c in DOCKER)
    env = dict(os.environ, IPCGRADE_ISOLATION="names")
    def container(*labs):
        # A PID namespace with a /proc of its own, in a mount namespace whose
        # mounts reach nothing outside (not --mount-proc: under a chroot, as
        # fresh-debian's, "/" is no mount point and its propagation cannot change).
        return ["unshare", "--pid", "--fork", "--mount", "--propagation", "unchanged", "sh", "-c",
                H.PRIVATE_MOUNTS + 'mount -t proc proc /proc && exec "$@"', "sh",
                "setpriv", "--bounding-set", docker_caps, "--", ipcgrade, "--no-build", "--tree",
                "solutions", "-j1", *labs]
    first = subprocess.Popen(container(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, env=env)
    grader = None
    try:
        for _ in range(600):  # until the first grader holds its uids: its holder's parent
            held = [ppid for uid, ppid in descendants(first.pid).values() if uid in CLAIM_UIDS]
            if held or first.poll() is not None: break
            subprocess.run(["sleep", "0.05"])
        if not held: fail("the first grader never claimed its students' uids")
        # Stopped, it keeps its claim (its holder runs on) and cannot end before
        # the second grader has claimed: the two overlap for certain.
        grader = held[0]
        os.kill(grader, signal.SIGSTOP)
        p = subprocess.run(container("mqueue"), capture_output=True, text=True, env=env,
                           timeout=400)
        print("$ (second container) " + " ".join(container("mqueue")[10:]) + f"  -> exit {p.returncode}")
        print(p.stdout[-2000:], p.stderr[-2000:], sep="")
        overlapped = first.poll() is None
    finally:
        if grader: os.kill(grader, signal.SIGCONT)
        out, _ = first.communicate(timeout=900)
    print("$ (first container) " + " ".join(container()[10:]) + f"  -> exit {first.returncode}")
    print(out[-2000:])
    if not overlapped: fail("the first grader ended before the second did: they did not overlap")
    lines = [isolation_line(o) for o in (out, p.stdout)]
    print("\n".join(lines))
    uids = [re.search(r"students as uids? (\d+)", l) for l in lines]
    if not all(uids): fail(f"an isolation line names no student uid: {lines}")
    if uids[0].group(1) == uids[1].group(1):
        fail(f"both graders, pid 1 each, gave their students uid {uids[0].group(1)}")
    if p.returncode != 0 or not re.search(r"^Score: (\d+)/\1$", p.stdout, re.M):
        fail(f"the second grader: exit {p.returncode}, expected full marks")
    if first.returncode != 0: fail(f"the first grader: exit {first.returncode}, expected 0")


def closed_root(a):
    p = under_root_view([os.path.join(os.path.abspath(a.build), "grader", "ipcgrade"),
                         "--no-build", "--tree", "solutions"], "0700")
    lines = p.stderr.strip().splitlines()
    if not lines or lines[0] != "root folder mode 700":
        fail(f"the view's root folder is not of mode 700: {lines[:1]}")
    if p.returncode != 2: fail(f"ipcgrade exited {p.returncode}, expected 2")
    if len(lines) != 2: fail(f"ipcgrade wrote {len(lines) - 1} lines on stderr, expected one")
    for words in ("/ is closed to other users", "chmod 755 /"):
        if words not in lines[1]: fail(f"its line does not say {words!r}")
    if "Score" in p.stdout: fail("it graded anyway")
    p = under_root_view([os.path.join(os.path.abspath(a.source), "kit"), "grade", "--no-build",
                         "--tree", "solutions"], "0700")
    if "it is now 755" not in p.stderr: fail("./kit grade did not say it opened /")
    if p.returncode != 0: fail(f"./kit grade exited {p.returncode}, expected 0 (full marks)")
    if "Score" not in p.stdout: fail("./kit grade printed no score")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("scenario",
                    choices=["no-ptrace", "docker", "docker-userns", "none", "foreign-proc",
                             "two-containers", "closed-root"])
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: these scenarios drop capabilities from root; not root")
        sys.exit(77)
    if not shutil.which("setpriv"):
        print("SKIP: no setpriv (util-linux)")
        sys.exit(77)
    {"no-ptrace": no_ptrace, "docker": docker, "docker-userns": docker_userns,
     "none": none, "foreign-proc": foreign_proc_scenario, "two-containers": two_containers,
     "closed-root": closed_root}[a.scenario](a)
    print("ok")


if __name__ == "__main__":
    main()
