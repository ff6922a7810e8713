#!/usr/bin/env python3
"""container.py: the kit's image (Containerfile) run by a real container runtime,
podman, as the course platforms run their graders.

usage: container.py --build BUILD --source SOURCE SCENARIO
  docker-default  root with Docker's 14 default capabilities and Docker's own default
                  seccomp profile: through Gradescope's entry point the solutions earn
                  full marks, the skeletons 0, and a lab that does not compile costs only
                  itself; through PrairieLearn's entry point (the course bundle's, /grade
                  mounted as PrairieLearn's grader host does) and Autolab's (make on the
                  autograde bundle and a handin, as --user 1000 like Tango), full marks and 0
  cap-drop-all    without any capability: as root, through Gradescope's and
                  PrairieLearn's entry points, results that say this is not a grade and
                  what to grant; through Autolab's, whose make runs as --user 1000 and so
                  needs none, full marks
  user            --user 1000:1000, as a platform that runs its grader unprivileged:
                  full marks and 0 again, through all three entry points
  permissive      --privileged (every capability, no seccomp filter): full marks and 0,
                  through all three entry points

Gradescope's entry point is /autograder/run_autograder, with the submission and
results folders mounted where Gradescope puts them.

The image is built from a local Debian 12 base, made once with debootstrap (the
mirror of this machine's apt sources) and `podman import`, as no registry is
reachable; it holds the kit's packages, so the build needs no network. The base
stays in podman's store as BASE_IMAGE for later runs; the kit's image is rebuilt
from the checkout each run, replacing the last one (KIT_IMAGE).

As root it installs what it lacks with apt-get: podman and debootstrap, and Docker's
seccomp profile, taken from Debian's golang-github-docker-docker-dev without
installing it (apt-get download; kept in CACHE).

Exit 0 when the scenario holds, 1 with the reason otherwise, 77 to skip (not root,
or what it needs could not be installed).
"""
import argparse, json, os, re, resource, shutil, subprocess, sys, tarfile, tempfile

BASE_IMAGE = "localhost/ipc-lab-kit-base:bookworm"
KIT_IMAGE = "localhost/ipc-lab-kit:test"
# Podman's quirks met here (Debian 12's podman 4.3):
# - crun refuses a host with hybrid cgroups (v1 controllers beside a v2 mount):
#   "cgroups in hybrid mode not supported"; runc runs there, so runc it is.
# - podman's default ulimits (RLIMIT_NOFILE 1048576, a high RLIMIT_NPROC) are above
#   the hard limits of a root without CAP_SYS_RESOURCE, and the runtime's setrlimit
#   fails with EPERM: each run and build sets them (nofile: this process's hard limit).

# Docker's default capabilities (moby's oci/caps/defaults.go).
DOCKER_CAPS = ["CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
               "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"]
# Docker's default seccomp profile: where Debian's package puts it, and the copy
# this test keeps when that package is not installed.
PROFILE_PATH = "usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json"
CACHE = "/var/tmp/ipc-lab-kit-container"
# The runtime flags of each scenario; PROFILE stands for the seccomp profile's path.
SCENARIOS = {
    "docker-default": ["--cap-drop=all", *[f"--cap-add={c}" for c in DOCKER_CAPS],
                       "--security-opt=seccomp=PROFILE"],
    "cap-drop-all": ["--cap-drop=all", "--security-opt=seccomp=PROFILE"],
    "user": ["--user=1000:1000", "--security-opt=seccomp=PROFILE"],
    "permissive": ["--privileged"],
}


def podman(*args):
    """A podman command line, the quirks above handled."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return ["podman", "--runtime=runc", *args[:1],
            f"--ulimit=nofile={hard}:{hard}", "--ulimit=nproc=4096:4096", *args[1:]]


def fail(msg):
    """Say why the scenario does not hold, and exit 1."""
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def skip(msg):
    """Say why the scenario cannot run here, and exit 77."""
    print("SKIP: " + msg, flush=True)
    sys.exit(77)


def run(cmd, **kw):
    """Run cmd, echoing it; its CompletedProcess (text output captured)."""
    print("$ " + " ".join(cmd), flush=True)
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def install(*packages):
    """apt-get install the packages that are missing; skip the test when that fails."""
    missing = [p for p in packages if subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", p], capture_output=True, text=True).stdout
        != "install ok installed"]
    if not missing: return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    p = run(["sh", "-c", "apt-get update -qq && apt-get install -y -qq --no-install-recommends "
             + " ".join(missing)], env=env, timeout=1800)
    if p.returncode != 0: skip(f"could not install {' '.join(missing)}: {p.stderr.strip()[-300:]}")


def docker_profile():
    """The path of Docker's default seccomp profile: the installed one, or a copy
    taken from Debian's package without installing it."""
    if os.path.exists("/" + PROFILE_PATH): return "/" + PROFILE_PATH
    kept = os.path.join(CACHE, "docker-default.json")
    if os.path.exists(kept): return kept
    os.makedirs(CACHE, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        p = run(["apt-get", "download", "golang-github-docker-docker-dev"], cwd=tmp, timeout=600)
        debs = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if p.returncode != 0 or not debs: skip("could not download golang-github-docker-docker-dev")
        p = run(["sh", "-c", f"dpkg-deb --fsys-tarfile {debs[0]} | tar -x ./{PROFILE_PATH}"],
                cwd=tmp)
        if p.returncode != 0: fail("the package holds no seccomp profile: " + p.stderr)
        os.replace(os.path.join(tmp, PROFILE_PATH), kept)
    return kept


def kit_packages(source):
    """The Debian packages the kit's `kit` script lists (via setup.sh)."""
    p = run([os.path.join(source, "tools", "gradescope", "setup.sh"), "--print-packages"])
    return p.stdout.split()


def apt_mirror():
    """This machine's Debian mirror, from its apt sources."""
    for path in ("/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"):
        if os.path.exists(path):
            m = re.search(r"^(?:URIs:\s*|deb\s+(?:\[[^]]*\]\s+)?)(\S+)", open(path).read(), re.M)
            if m: return m.group(1)
    return "http://deb.debian.org/debian"


def ensure_base(source):
    """BASE_IMAGE in podman's store: a debootstrap'd Debian 12 holding the kit's packages and make."""
    if subprocess.run(["podman", "image", "exists", BASE_IMAGE]).returncode == 0: return
    include = ",".join(kit_packages(source) + ["make", "ca-certificates"])
    with tempfile.TemporaryDirectory(prefix="ipc-lab-kit-base.", dir="/var/tmp") as root:
        p = run(["debootstrap", "--variant=minbase", f"--include={include}", "bookworm", root,
                 apt_mirror()], timeout=1800)
        if p.returncode != 0: fail("debootstrap failed: " + p.stdout[-2000:] + p.stderr[-2000:])
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        p = subprocess.run(["podman", "import", "-", BASE_IMAGE], stdin=tar.stdout,
                           capture_output=True, text=True)
        tar.wait()
        if p.returncode != 0 or tar.returncode != 0: fail("podman import failed: " + p.stderr)


def image_id(name):
    """The id of image `name` in podman's store, or None."""
    p = subprocess.run(["podman", "image", "inspect", "--format", "{{.Id}}", name],
                       capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else None


def build_image(source):
    """KIT_IMAGE, built from the checkout's Containerfile on BASE_IMAGE, without a
    network and without intermediate images; the one it replaces is removed."""
    old = image_id(KIT_IMAGE)
    p = run([*podman("build", "--network=none", "--layers=false"), f"--build-arg=BASE={BASE_IMAGE}",
             "-t", KIT_IMAGE, "-f", os.path.join(source, "Containerfile"), source], timeout=3600)
    print(p.stdout[-3000:], p.stderr[-3000:], sep="")
    if p.returncode != 0: fail("the image did not build")
    if old and old != image_id(KIT_IMAGE):
        subprocess.run(["podman", "rmi", old], capture_output=True)


def gradescope(flags, submission, tmp):
    """Grade `submission` with run_autograder in the container; the results' JSON."""
    results = os.path.join(tmp, "results")
    shutil.rmtree(results, ignore_errors=True)
    os.mkdir(results)
    os.chmod(results, 0o777)  # --user 1000 writes there too
    p = run([*podman("run", "--rm", "--network=none"), *flags,
             "-v", f"{submission}:/autograder/submission:ro", "-v", f"{results}:/autograder/results",
             KIT_IMAGE, "/autograder/run_autograder"], timeout=1500)
    print(p.stdout[-6000:], p.stderr[-3000:], sep="")
    if p.returncode != 0: fail(f"run_autograder exited {p.returncode}")
    try:
        doc = json.load(open(os.path.join(results, "results.json")))
    except (OSError, ValueError) as e:
        fail(f"no valid results.json: {e}")
    print("extra_data: " + json.dumps(doc.get("extra_data")), flush=True)
    return doc


def by_lab(doc):
    """{lab: (score, max score)} from a Gradescope results document."""
    labs = {}
    for t in doc.get("tests", []):
        lab = t["name"].split("/")[0]
        s, m = labs.get(lab, (0, 0))
        labs[lab] = (s + t["score"], m + t["max_score"])
    return labs


def submission_copy(tree, tmp, name):
    """A copy of `tree`'s lab folders (sources only), readable by any uid."""
    dest = os.path.join(tmp, name)
    shutil.copytree(tree, dest, ignore=shutil.ignore_patterns("meson.build"))
    for folder, _, files in os.walk(dest):
        os.chmod(folder, 0o755)
        for f in files: os.chmod(os.path.join(folder, f), 0o644)
    os.chmod(tmp, 0o755)
    return dest


def user_of(flags):
    """The uid a scenario runs the container's processes as (--user=UID:GID), or None for root."""
    for f in flags:
        if f.startswith("--user="): return int(f.split("=", 1)[1].split(":")[0])
    return None


def full_and_zero(source, flags, tmp, broken=False):
    """The solutions earn full marks, the skeletons 0; with `broken`, a lab that
    does not compile costs only itself. Returns {lab: its points}."""
    doc = gradescope(flags, submission_copy(os.path.join(source, "solutions"), tmp, "solutions"), tmp)
    full = sum(t["max_score"] for t in doc["tests"])
    if not doc["tests"] or doc["score"] != full:
        fail(f"the solutions earned {doc['score']}/{full}: " + ", ".join(
            t["name"] for t in doc["tests"] if t["score"] < t["max_score"]))
    points = {lab: m for lab, (s, m) in by_lab(doc).items()}
    doc = gradescope(flags, submission_copy(os.path.join(source, "labs"), tmp, "skeletons"), tmp)
    if doc["score"] != 0: fail(f"the skeletons earned {doc['score']}")
    if not broken: return points
    sub = submission_copy(os.path.join(source, "solutions"), tmp, "broken")
    lab = sorted(os.listdir(sub))[1]
    victim = sorted(f for f in os.listdir(os.path.join(sub, lab)) if f.endswith((".c", ".cpp")))[0]
    with open(os.path.join(sub, lab, victim), "a") as f: f.write("\nthis does not compile\n")
    labs = by_lab(gradescope(flags, sub, tmp))
    for name, (s, m) in labs.items():
        if lab.endswith(name) and s != 0: fail(f"the broken lab {lab} earned {s}")
        if not lab.endswith(name) and s != m: fail(f"{name} earned {s}/{m} beside a broken {lab}")
    return points


def prairielearn(build, flags, labs, tmp):
    """Grade the lab folders `labs` through PrairieLearn's entry point, as the
    kit's question does: /grade with student/ (a labs/ tree), data/ and the course's
    serverFilesCourse/; the results' JSON."""
    grade = os.path.join(tmp, "grade")
    shutil.rmtree(grade, ignore_errors=True)
    for d in ("data", "results", "student"): os.makedirs(os.path.join(grade, d))
    if (uid := user_of(flags)) is not None: os.chown(os.path.join(grade, "results"), uid, uid)
    shutil.copytree(labs, os.path.join(grade, "student", "labs"))
    with open(os.path.join(grade, "data", "data.json"), "w") as f:
        json.dump({"params": {}, "submitted_answers": {}}, f)
    with tarfile.open(os.path.join(build, "tools", "prairielearn", "ipc-lab-kit-course.tar.gz")) as tf:
        tf.extractall(tmp, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    shutil.copytree(os.path.join(tmp, "ipc-lab-kit-course", "serverFilesCourse"),
                    os.path.join(grade, "serverFilesCourse"))
    p = run([*podman("run", "--rm", "--network=none"), *flags, "-v", f"{grade}:/grade", KIT_IMAGE,
             "/grade/serverFilesCourse/ipc-lab-kit/prairielearn/entrypoint", "--timeout", "540"],
            timeout=1500)
    print(p.stdout[-3000:], p.stderr[-3000:], sep="")
    if p.returncode != 0: fail(f"the PrairieLearn entrypoint exited {p.returncode}")
    try:
        return json.load(open(os.path.join(grade, "results", "results.json")))
    except (OSError, ValueError) as e:
        fail(f"the PrairieLearn entrypoint wrote no valid results.json: {e}")


def autolab(build, source, flags, labs, tmp):
    """Grade the lab folders `labs` through Autolab's autograde-Makefile as Tango
    does (make beside autograde.tar and handin.tar, an unprivileged user); the
    scores line, which must be the output's last line."""
    job = os.path.join(tmp, "autolab")
    shutil.rmtree(job, ignore_errors=True)
    os.mkdir(job)
    shutil.copy(os.path.join(build, "tools", "autolab", "autograde.tar"), job)
    shutil.copy(os.path.join(source, "tools", "autolab", "autograde-Makefile"),
                os.path.join(job, "Makefile"))
    with tarfile.open(os.path.join(job, "handin.tar"), "w") as tf:
        tf.add(labs, "labs")
    for folder, dirs, files in os.walk(job):
        for n in [folder] + [os.path.join(folder, f) for f in dirs + files]: os.chown(n, 1000, 1000)
    p = run([*podman("run", "--rm", "--network=none"), *flags, "--user=1000:1000",
             "-v", f"{job}:/home/autograde", "-w", "/home/autograde", KIT_IMAGE, "make"],
            timeout=1500)
    lines = (p.stdout + p.stderr).splitlines()
    print("\n".join(lines[-40:]))
    if p.returncode != 0: fail(f"make exited {p.returncode}")
    try:
        return json.loads(lines[-1])["scores"]
    except (IndexError, ValueError, KeyError, TypeError):
        fail("the last line of make's output is no scores line")


def every_platform(build, source, flags, tmp, points):
    """Through PrairieLearn's and Autolab's entry points too: the solutions earn
    full marks ({lab: points}) and the skeletons 0."""
    solutions = submission_copy(os.path.join(source, "solutions"), tmp, "pl-solutions")
    skeletons = submission_copy(os.path.join(source, "labs"), tmp, "pl-skeletons")
    doc = prairielearn(build, flags, solutions, tmp)
    if not doc.get("gradable") or doc.get("score") != 1:
        fail(f"PrairieLearn: the solutions scored {doc.get('score')} (gradable {doc.get('gradable')})")
    doc = prairielearn(build, flags, skeletons, tmp)
    if not doc.get("gradable") or doc.get("score") != 0:
        fail(f"PrairieLearn: the skeletons scored {doc.get('score')} (gradable {doc.get('gradable')})")
    scores = autolab(build, source, flags, solutions, tmp)
    if scores != points: fail(f"Autolab: the solutions scored {scores}, not {points}")
    scores = autolab(build, source, flags, skeletons, tmp)
    if scores != {lab: 0 for lab in points}: fail(f"Autolab: the skeletons scored {scores}")


def lab_points(build):
    """{lab id: its points}, from the grader's registry."""
    p = run([os.path.join(build, "grader", "ipcgrade"), "--list", "--json"])
    return {l["id"]: l["points"] for l in json.loads(p.stdout)["labs"]}


def no_capabilities(build, source, flags, tmp):
    """Without any capability. As root (Gradescope's and PrairieLearn's entry points),
    the grader cannot run students as another uid: results that say they are no grade
    and what to grant (Gradescope: score 0 with the message; PrairieLearn: not
    gradable). Autolab runs make as an unprivileged user, whose grader needs no
    capability: the solutions earn full marks."""
    solutions = submission_copy(os.path.join(source, "solutions"), tmp, "solutions")
    text = json.dumps(gradescope(flags, solutions, tmp))
    if "not a grade" not in text or "CAP_" not in text:
        fail("Gradescope: the results do not say that this is not a grade and what to grant: "
             + text[:2000])
    doc = prairielearn(build, flags, solutions, tmp)
    if doc.get("gradable") is not False or "CAP_" not in json.dumps(doc):
        fail("PrairieLearn: the results are not ungradable with what to grant: "
             + json.dumps(doc)[:2000])
    scores, points = autolab(build, source, flags, solutions, tmp), lab_points(build)
    if scores != points: fail(f"Autolab, unprivileged: the solutions scored {scores}, not {points}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("scenario", choices=sorted(SCENARIOS))
    a = ap.parse_args()
    if os.geteuid() != 0: skip("not root: the scenarios run rootful podman")
    install("podman", "runc", "debootstrap")
    profile = docker_profile()
    source = os.path.abspath(a.source)
    ensure_base(source)
    build_image(source)
    flags = [f.replace("PROFILE", profile) for f in SCENARIOS[a.scenario]]
    with tempfile.TemporaryDirectory(prefix="ipcgrade-container.") as tmp:
        if a.scenario == "cap-drop-all":
            no_capabilities(os.path.abspath(a.build), source, flags, tmp)
        else:
            points = full_and_zero(source, flags, tmp, broken=a.scenario == "docker-default")
            every_platform(os.path.abspath(a.build), source, flags, tmp, points)
    print("ok")


if __name__ == "__main__":
    main()
