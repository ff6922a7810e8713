"""submission.py: what every course platform's entry point shares.

Gradescope's run_autograder, PrairieLearn's entrypoint and Autolab's driver
import it. It finds a student's labs in a submission (a copy of the
repository, its labs/ folder, the NN-topic lab folders, or loose lab files;
never following symbolic links), unpacks an uploaded archive safely, runs
ipcgrade with a timeout in a session of its own while keeping the end of its
output, stops it, and says in words how a grader that left no results ended
("this is not a grade"). Each entry point adds only its platform's format.

Python 3.11 standard library only.
"""

import collections
import ctypes
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from pathlib import Path

# How much of the grader's output a failure report quotes.
TAIL_LINES = 30
TAIL_CHARS = 4000
# The grader is told to end this long before it would be stopped
# (--time-limit): it then writes a grade, in which the checks it had no time
# for score 0 and say why, instead of being stopped with no grade at all.
STOP_MARGIN = 30
# Folders never searched for a student's labs.
SKIPPED_DIRS = {"solutions", "build", "__MACOSX", "node_modules"}
# How deep below the submission's top the labs are looked for.
MAX_DEPTH = 4
# What an uploaded archive may unpack to: this many files, this many bytes.
ARCHIVE_MAX_FILES = 2000
ARCHIVE_MAX_BYTES = 64 * 1024 * 1024
# The archive names unpacked (any other file is taken as a lab file).
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".zip")
# A lab folder's name: NN-topic.
LAB_NAME = re.compile(r"\d\d-[a-z0-9-]+")
# A lab's grader id is its folder name without the number: 01-mqueue -> mqueue.
LAB_ID = re.compile(r"\d\d-([a-z0-9-]+)")


def kit_labs(source):
    """The kit's labs: {NN-topic: [the skeleton's files besides meson.build]}."""
    labs = {}
    for lab in sorted((source / "labs").iterdir()):
        if lab.is_dir() and LAB_NAME.fullmatch(lab.name):
            labs[lab.name] = sorted(
                f.name for f in lab.iterdir() if f.is_file() and f.name != "meson.build")
    return labs


def lab_id(name, labs):
    """The grader id (mqueue) of a lab named as NN-topic or as its id; None
    when the kit has no such lab."""
    for folder in labs:
        if name in (folder, LAB_ID.fullmatch(folder).group(1)):
            return LAB_ID.fullmatch(folder).group(1)
    return None


def walk(top):
    """(depth, folder, subfolders, files) under `top`, shallow first, skipping
    hidden and SKIPPED_DIRS folders and never following symbolic links."""
    found = []
    for folder, dirs, files in os.walk(top):
        depth = len(Path(folder).relative_to(top).parts)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS
                         and depth < MAX_DEPTH)
        found.append((depth, Path(folder), dirs, sorted(files)))
    return sorted(found, key=lambda t: (t[0], str(t[1])))


def find_lab_folders(submission, labs):
    """The folder that holds the submission's NN-topic lab folders: one named
    labs/ first, the shallowest first; None when there is none."""
    holders = [(folder.name != "labs", depth, str(folder), folder)
               for depth, folder, dirs, _ in walk(submission)
               if any(d in labs for d in dirs)]
    return min(holders)[3] if holders else None


def find_lab_files(submission, labs):
    """Loose lab files (an upload of the files themselves): {lab: {name: path}},
    the shallowest copy of each name."""
    owner = {name: lab for lab, names in labs.items() for name in names}
    found = collections.defaultdict(dict)
    for _, folder, _, files in walk(submission):
        for name in files:
            path = folder / name
            if name in owner and path.is_file() and not path.is_symlink():
                found[owner[name]].setdefault(name, path)
    return found


def stage_lab_files(found, labs, source, into):
    """Lay the loose files out as into/labs/NN-topic/, taking each file a
    student did not upload from the kit's skeleton; a note that says which."""
    notes = []
    for lab, files in sorted(found.items()):
        dest = into / "labs" / lab
        dest.mkdir(parents=True)
        for name in labs[lab]:
            shutil.copyfile(files.get(name, source / "labs" / lab / name), dest / name)
        skeleton = [n for n in labs[lab] if n not in files]
        notes.append(f"{lab}: your {', '.join(sorted(files))}"
                     + (f"; from the skeleton: {', '.join(skeleton)}" if skeleton else ""))
    return ("Your submission holds lab files but no lab folders; they were graded as\n  "
            + "\n  ".join(notes))


def locate(submission, source, scratch):
    """What to pass to ipcgrade --sources, a note for the student (or None),
    and whether any lab was found at all. `source` is the kit (its labs/
    give the lab names and the skeleton); loose files are staged in `scratch`."""
    labs = kit_labs(source)
    folder = find_lab_folders(submission, labs) if submission.is_dir() else None
    if folder is not None:
        where = folder.relative_to(submission)
        note = None if str(where) in (".", "labs") else f"Graded the lab folders in {where}/ of your submission."
        return folder, note, True
    found = find_lab_files(submission, labs) if submission.is_dir() else {}
    if found:
        return scratch, stage_lab_files(found, labs, source, scratch), True
    return submission, None, False


def is_archive(path):
    """Whether `path` is named as an archive that unpack_archive takes."""
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def safe_member_path(into, name):
    """into/name when `name` is a plain relative path that stays inside
    `into`; None otherwise (absolute, '..', empty)."""
    parts = [p for p in Path(name).parts if p not in ("", ".")]
    if not parts or Path(name).is_absolute() or ".." in parts:
        return None
    return into.joinpath(*parts)


def archive_members(path):
    """(name, is_dir, size, opener) of each regular file and folder in the
    archive at `path`; links, devices and FIFOs are left out."""
    if path.name.lower().endswith(".zip"):
        zf = zipfile.ZipFile(path)
        for info in zf.infolist():
            mode = (info.external_attr >> 16) & 0o170000
            if mode in (0, 0o100000, 0o040000):  # a link (0o120000) is left out
                yield info.filename, info.is_dir(), info.file_size, lambda i=info: zf.open(i)
        return
    tf = tarfile.open(path)
    for m in tf.getmembers():
        if m.isfile() or m.isdir():
            yield m.name, m.isdir(), m.size, lambda m=m: tf.extractfile(m)


def unpack_archive(path, into):
    """Unpack the archive at `path` into the folder `into`: regular files and
    folders only, every one inside `into`, within ARCHIVE_MAX_FILES files and
    ARCHIVE_MAX_BYTES bytes. Raises ValueError with a sentence when the archive
    is unreadable or too big."""
    count = total = 0
    try:
        for name, is_dir, size, opener in archive_members(path):
            dest = safe_member_path(into, name)
            if dest is None:
                continue
            count, total = count + 1, total + size
            if count > ARCHIVE_MAX_FILES or total > ARCHIVE_MAX_BYTES:
                raise ValueError(f"{path.name} unpacks to more than {ARCHIVE_MAX_FILES} files "
                                 f"or {ARCHIVE_MAX_BYTES // 2**20} MB")
            if is_dir:
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            with opener() as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError) as e:
        raise ValueError(f"cannot unpack {path.name}: {e}") from None


class Output:
    """The grader's output: each line handed to `sink` (by default our
    stdout, where the platform keeps it for the instructor), its end kept."""

    def __init__(self, stream, sink=None):
        """Start passing `stream` on, line by line, in a thread."""
        self.tail = collections.deque(maxlen=TAIL_LINES)
        self.sink = sink or echo
        self.thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self.thread.start()

    def _pump(self, stream):
        """Read `stream` to its end (the thread's work)."""
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace")
            self.sink(line)
            self.tail.append(line.rstrip("\n"))

    def text(self):
        """The end of the output, at most TAIL_CHARS characters."""
        self.thread.join(timeout=5)
        return "\n".join(self.tail)[-TAIL_CHARS:]


def echo(line):
    """Write one line of the grader's output to our stdout at once."""
    sys.stdout.write(line)
    sys.stdout.flush()


# Landlock (Linux 6.12+, ABI 6): a ruleset that handles no file access but
# scopes signals, so that no process under it signals one outside it.
LANDLOCK_CREATE_RULESET, LANDLOCK_RESTRICT_SELF = 444, 446  # the same on x86-64 and arm64
LANDLOCK_SCOPE_SIGNAL = 1 << 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36


def confine_signals():
    """In the child before exec: from now on this process and all it starts
    can signal no process outside them (a student's kill(-1, SIGKILL) cannot
    reach the entry point that waits for the grader). Does nothing where the
    kernel lacks Landlock's signal scoping."""
    libc = ctypes.CDLL(None, use_errno=True)
    attr = (ctypes.c_uint64 * 3)(0, 0, LANDLOCK_SCOPE_SIGNAL)  # fs, net, scoped
    fd = libc.syscall(LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.sizeof(attr), 0)
    if fd < 0:
        return
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
        libc.syscall(LANDLOCK_RESTRICT_SELF, fd, 0)
    os.close(fd)


def signals_confinable():
    """Whether this kernel has Landlock's signal scoping (ABI 6 or newer)."""
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(LANDLOCK_CREATE_RULESET, None, 0, 1) >= 6  # 1: the ABI version


def time_limit_args(argv, timeout):
    """The --time-limit that makes the grader end STOP_MARGIN seconds before
    `timeout`; none when `argv` has one already or the timeout leaves no room."""
    limit = timeout - STOP_MARGIN
    if any(a == "--time-limit" or a.startswith("--time-limit=") for a in argv) or limit < 10:
        return []
    return ["--time-limit", str(limit)]


def run_grader(argv, timeout, name, sink=None, confine=False, env=None):
    """Run the grader in a session of its own (with `confine`, unable to
    signal anything outside it), told to end before `timeout` seconds
    (time_limit_args); its exit code (negative: the signal that ended it,
    None: it could not start), its output's end, and whether it overran
    `timeout` seconds. `name` prefixes the lines said about it."""
    argv = [*argv, *time_limit_args(argv, timeout)]
    say(name, shlex.join(argv))
    become_subreaper()
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True, env=env,
                                preexec_fn=confine_signals if confine else None)
    except (OSError, subprocess.SubprocessError) as e:
        message = f"cannot run {argv[0]}: {getattr(e, 'strerror', None) or e}"
        say(name, message)
        return None, message, False
    out = Output(proc.stdout, sink)
    started = time.time()
    overran = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        overran = True
        stop(proc)
    sweep(proc)
    if overran or proc.returncode < 0:
        remove_leftovers(proc.pid, started)
    return proc.returncode, out.text(), overran


def say(name, message):
    """One line about the grader on our stdout, prefixed with `name`."""
    print(f"{name}: {message}", flush=True)


def stop(proc):
    """End an overrunning grader: SIGTERM (it cleans up and reports), then
    after 30 seconds SIGKILL to its whole process group."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        proc.wait()


def sweep(proc):
    """Kill whatever the ended grader left: its process group, and every
    process orphaned under us (we are their subreaper), until none is left."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for _ in range(100):
        orphans = children(os.getpid())
        if not orphans:
            return
        for pid in orphans:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def children(parent):
    """The pids of the processes whose parent is `parent` (from /proc)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            pids.append(int(entry.name))
    return pids


def become_subreaper():
    """Make the programs that the grader leaves orphaned our children, so
    that sweep() finds them even in sessions and groups of their own."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def owned(path):
    """Whether `path` (not followed) is ours: owned by our effective uid."""
    try:
        return path.lstat().st_uid == os.geteuid()
    except OSError:
        return False


def remove(path):
    """Remove the file or folder `path`, whatever is in it; quietly."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_leftovers(pid, since):
    """What a grader (process `pid`, started at `since`) killed before its
    clean-up leaves that is ours: its objects in /dev/shm and /dev/mqueue and
    its check folders in the temp folder (named after its pid); as a user,
    also its staging and build folders in /var/tmp and the temp folder made
    since it started (as root they may be another grader's)."""
    tmp = Path(os.environ.get("TMPDIR") or "/tmp")
    found = [p for d, prefixes in ((Path("/dev/shm"), (f"ipcg.{pid}.", f"sem.ipcg.{pid}.")),
                                   (Path("/dev/mqueue"), (f"ipcg.{pid}.",)),
                                   (tmp, (f"ipcgrade-{pid}.",)))
             if d.is_dir() for p in d.iterdir() if p.name.startswith(prefixes)]
    if os.geteuid() != 0:
        found += [p for d in {Path("/var/tmp"), tmp} for p in d.glob("ipcgrade[.-]*")
                  if owned(p) and p.lstat().st_mtime >= since - 1]
    for path in found:
        if owned(path):
            remove(path)


def how_it_ended(code, overran, timeout):
    """The grader's end in words."""
    if code is None:
        return "it could not be started"
    if overran:
        return f"it was stopped after {timeout} seconds"
    if code < 0:
        try:
            return f"it was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"it was killed by signal {-code}"
    return f"it exited with code {code} without writing usable results"


def failure_text(code, tail, overran, timeout):
    """What a student reads when the grader failed: no grade, why, and the
    end of the grader's output."""
    return (f"The grader failed before it could grade this submission: "
            f"{how_it_ended(code, overran, timeout)}. This is not a grade: no points were "
            f"given or taken; please tell your instructor.\n\n"
            f"The last lines of the grader's output:\n{tail or '(none)'}")


def usage_reason(tail):
    """The one-line reason ipcgrade gave for refusing a submission, if any."""
    lines = [l for l in tail.splitlines() if l.startswith("ipcgrade: ")]
    return lines[-1][len("ipcgrade: "):] if lines else None


def no_labs_text(reason):
    """What a student reads when the submission holds no labs."""
    return (f"Nothing was graded: {reason}.\n\nSubmit your copy of the kit (a repository "
            f"that holds labs/), its labs/ folder, the NN-topic lab folders, or the lab "
            f"files you edited.")


def read_json(path):
    """The JSON document at `path`, or None when it is missing or not JSON."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path, doc):
    """Write `doc` to `path` whole or not at all (mode 644)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2)
            f.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def env_timeout(default):
    """IPCGRADE_TIMEOUT in seconds, or `default`; exits 2 with one line when
    it is not a positive whole number."""
    text = os.environ.get("IPCGRADE_TIMEOUT", str(default))
    if not text.isdigit() or int(text) == 0:
        print(f"IPCGRADE_TIMEOUT must be a positive number of seconds, not {text!r}",
              file=sys.stderr)
        sys.exit(2)
    return int(text)
