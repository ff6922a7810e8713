#!/usr/bin/env python3
"""smoke_test.py: ipcbench --quick runs, writes its table, CSV and SVG plots,
and leaves no IPC object, temp file or process behind; bad arguments get one
line and exit 2; Ctrl-C removes what it made.

usage: smoke_test.py PATH/TO/ipcbench

meson runs it as 'ipcbench runs a quick pass and writes its table, CSV and
SVG' (suite bench). It prints what it expected and what it saw, and exits 1
on the first failed check.
"""
import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

# Every row ipcbench reports, and which plots each one appears in.
LINKS = ["pipe", "fifo", "unix", "posix-mq", "sysv-msg", "shm-slot", "shm-ring", "spin"]
THROUGHPUT_ROWS = LINKS + ["memcpy-libc", "memcpy-vector"]
LATENCY_ROWS = LINKS + ["futex"]
CSV_HEADER = "kind,mechanism,size_bytes,trials,median,min,q1,q3,max,unit,copy,note"
SVG = "{http://www.w3.org/2000/svg}"


def fail(what, expected, observed, hint=""):
    """Report one failed check and stop."""
    print(f"FAIL: {what}\n  expected: {expected}\n  observed: {observed}")
    if hint:
        print(f"  hint: {hint}")
    sys.exit(1)


def sysv_queues():
    """The ids of the System V message queues that exist now."""
    with open("/proc/sysvipc/msg") as f:
        return {line.split()[1] for line in f.readlines()[1:] if line.strip()}


def leftovers(pid, queues_before, exe):
    """Everything ipcbench run `pid` left behind, as readable strings."""
    left = []
    tag = f"ipcbench.{pid}."
    for folder in ["/dev/shm", "/dev/mqueue", os.environ.get("TMPDIR") or "/tmp", "/tmp"]:
        if os.path.isdir(folder):
            left += [f"{folder}/{n}" for n in os.listdir(folder) if n.startswith(tag)]
    left += [f"System V queue {q}" for q in sysv_queues() - queues_before]
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if os.readlink(f"/proc/{p}/exe") == exe:
                    left.append(f"process {p} running ipcbench")
            except OSError:
                pass
    return sorted(set(left))


def check_csv(path):
    """The CSV has its header and a measured row for every mechanism."""
    with open(path) as f:
        text = f.read()
    first = text.splitlines()[0] if text else ""
    if first != CSV_HEADER:
        fail("ipcbench.csv header", CSV_HEADER, first)
    rows = list(csv.DictReader(text.splitlines()))
    for mech in set(THROUGHPUT_ROWS + LATENCY_ROWS):
        measured = [r for r in rows if r["mechanism"] == mech and r["median"]]
        if not measured:
            fail(f"ipcbench.csv rows for {mech}", "at least one row with a median",
                 [r for r in rows if r["mechanism"] == mech] or "no row at all")
        if any(float(r["median"]) <= 0 or int(r["trials"]) < 1 for r in measured):
            fail(f"ipcbench.csv values for {mech}", "positive medians over >= 1 trial", measured)
    for mech, kind in [("shm-ring", "throughput"), ("shm-slot", "latency"), ("futex", "latency")]:
        if not any(r["mechanism"] == mech and r["kind"] == kind for r in rows):
            fail(f"ipcbench.csv {kind} of {mech}", "a row", "none")
    # The limits are reported, not hidden: System V msgmax is 8192 by default.
    for r in rows:
        if not r["median"] and not r["note"].startswith("n/a"):
            fail("an unmeasured CSV row", "a note saying n/a and why", r)
    return rows


def check_svg(path, rows):
    """The SVG parses as XML and has exactly one polyline per row."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail(f"{path} parses as XML", "well-formed SVG", e)
    if root.tag != f"{SVG}svg" or root.get("version") != "1.1":
        fail(f"{path} root element", "<svg version='1.1'> in the SVG namespace", (root.tag, root.attrib))
    lines = [p.get("id", "") for p in root.iter(f"{SVG}polyline")]
    for mech in rows:
        n = lines.count(f"series-{mech}")
        if n != 1:
            fail(f"{path}: the line of {mech}", "exactly one <polyline id='series-...'>", f"{n} (all: {lines})")
        points = [p for p in root.iter(f"{SVG}polyline") if p.get("id") == f"series-{mech}"][0].get("points", "")
        if not points.strip():
            fail(f"{path}: the line of {mech}", "at least one point", "an empty polyline")
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    for word in ["message size", "64 B", "64 KiB"]:
        if word not in texts:
            fail(f"{path} labels", f"a text label with '{word}'", texts[:300])


def check_quick_run(exe):
    """A --quick run: exit 0, the four files, a table with targets, nothing left behind."""
    queues = sysv_queues()
    with tempfile.TemporaryDirectory() as out:
        started = time.monotonic()
        p = subprocess.Popen([exe, "--quick", "--out", out], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        stdout, stderr = p.communicate(timeout=50)
        took = time.monotonic() - started
        if p.returncode != 0:
            fail("ipcbench --quick exit code", 0, p.returncode, stderr.strip())
        print(f"ipcbench --quick took {took:.1f} s")
        for name in ["ipcbench.txt", "ipcbench.csv", "throughput.svg", "latency.svg"]:
            if not os.path.isfile(os.path.join(out, name)):
                fail(f"{out}/{name}", "written", os.listdir(out))
        for words in ["round trip, us", "throughput, GB/s", "targets", "copy routines",
                      "the slow-rep-movsb (ERMS/FSRM) effect is", "pinned"]:
            if words not in stdout:
                fail("the printed report", f"a line with '{words}'", stdout[-1500:])
        with open(os.path.join(out, "ipcbench.txt")) as f:
            if f.read() != stdout:
                fail("ipcbench.txt", "the same text as printed", "a different text")
        check_csv(os.path.join(out, "ipcbench.csv"))
        check_svg(os.path.join(out, "throughput.svg"), THROUGHPUT_ROWS)
        check_svg(os.path.join(out, "latency.svg"), LATENCY_ROWS)
        left = leftovers(p.pid, queues, exe)
        if left:
            fail("objects after a run", "none", left)


def check_bad_usage(exe):
    """Each bad argument: one line on stderr naming the problem, exit 2."""
    for args, word in [(["--sizes", "0"], "--sizes"), (["--sizes", "12X"], "--sizes"),
                       (["--mechanisms", "carrier-pigeon"], "carrier-pigeon"),
                       (["--trials", "0"], "--trials"), (["--copy", "fast"], "--copy"),
                       (["--no-such-option"], "no-such-option")]:
        p = subprocess.run([exe, *args, "--out", "/nonexistent/never"], capture_output=True,
                           text=True, timeout=10)
        lines = p.stderr.strip().splitlines()
        if p.returncode != 2 or len(lines) != 1 or word not in lines[0] or "ipcbench" not in lines[0]:
            fail(f"ipcbench {' '.join(args)}", f"exit 2 and one line on stderr naming {word}",
                 f"exit {p.returncode}, stderr {p.stderr!r}")


def check_interrupt(exe):
    """Ctrl-C while a System V queue exists: exit 130, the queue and the helper gone."""
    queues = sysv_queues()
    with tempfile.TemporaryDirectory() as out:
        p = subprocess.Popen([exe, "--mechanisms", "sysv-msg", "--sizes", "64", "--trials", "400",
                              "--trial-ms", "2", "--out", out],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        while not (sysv_queues() - queues) and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.01)
        if not (sysv_queues() - queues):
            p.kill()
            fail("a System V queue while sysv-msg is measured", "one new queue", "none appeared")
        p.send_signal(signal.SIGINT)
        _, stderr = p.communicate(timeout=10)
        if p.returncode != 130 or "interrupted" not in stderr:
            fail("ipcbench after SIGINT", "exit 130 and 'interrupted' on stderr",
                 f"exit {p.returncode}, stderr {stderr!r}")
        time.sleep(0.2)  # the helper's SIGKILL is delivered asynchronously
        left = leftovers(p.pid, queues, exe)
        if left:
            fail("objects after SIGINT", "none", left)


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    exe = os.path.realpath(sys.argv[1])
    check_bad_usage(exe)
    check_quick_run(exe)
    check_interrupt(exe)
    print("ok: quick run, CSV, SVG, no leftovers, bad usage, Ctrl-C cleanup")


if __name__ == "__main__":
    main()
