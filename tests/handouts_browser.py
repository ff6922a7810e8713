#!/usr/bin/env python3
"""handouts_browser.py: the handouts' web pages read well in a real browser.

usage: handouts_browser.py --build BUILD [--no-pandoc] LABDIR...

Opens BUILD/handouts/index.html and BUILD/handouts/LABDIR.html in headless
Chromium (driven over --remote-debugging-pipe, the DevTools protocol), at
1280x900 and at 390x844 (a phone), and checks on each page:
  - nothing makes the page scroll sideways, no table or code block is wider
    than the text column (a table may be, inside a box that scrolls sideways),
    and no word of inline code (a path, an option) is broken across lines;
  - the top bar is one short line that covers no text at the top, nor a heading
    jumped to by its #link; after scrolling to the bottom the contents are still
    in view (the sidebar when wide; on a phone the bar's "Contents" link, which
    shows them);
  - the page loads nothing from outside itself, and its pictures are drawn;
and that a reader goes, by clicking links alone, from the index to every lab,
and from each lab to the next one and back to the index.
Screenshots of the index and of LABDIR[1] at both sizes go to
BUILD/handouts/screenshots/ (the build folder, not git).
Exit 0 when all holds, 1 with one line per problem, 77 (skipped) when Chromium
is not installed, or pandoc was not (--no-pandoc: there are no pages).
"""
import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {"wide": (1280, 900), "phone": (390, 844)}
TIMEOUT = 60  # seconds for the whole run; Chromium is killed after it

problems = []


def problem(msg):
    """Records one problem; the test fails at the end if there is any."""
    problems.append(msg)
    print("FAIL: " + msg)


class Browser:
    """Headless Chromium, one tab, driven over the DevTools pipe (fds 3 and 4)."""

    def __init__(self, binary):
        self.profile = tempfile.mkdtemp(prefix="handouts-browser.")
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        args = [binary, "--headless=new", "--remote-debugging-pipe", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
                "--disable-extensions", "--mute-audio", f"--user-data-dir={self.profile}"]
        if os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox

        def fds():
            """In the child: the pipe's ends as fds 3 (commands) and 4 (replies)."""
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome_r, from_chrome_w)]
            os.dup2(high[0], 3)  # dup2 to another fd clears close-on-exec
            os.dup2(high[1], 4)

        self.proc = subprocess.Popen(args + ["about:blank"], preexec_fn=fds, close_fds=False,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.deadline = time.monotonic() + TIMEOUT
        self.next_id, self.buffer, self.events = 0, b"", []
        try:
            self.attach()
        except BaseException:
            self.close()
            raise

    def attach(self):
        """Opens the tab that every command goes to."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")

    def close(self):
        """Ends Chromium and every process it started; removes its profile."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        for fd in (self.to_chrome, self.from_chrome):
            os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)

    def read_message(self):
        """The next JSON message from Chromium; TimeoutError past the deadline."""
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.from_chrome], [], [], left)[0]:
                raise TimeoutError(f"Chromium did not answer within {TIMEOUT} s")
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium exited")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def call(self, method, session=None, **params):
        """Sends one DevTools command and returns its result (events are kept)."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self.read_message()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            self.events.append(reply)

    def send(self, method, **params):
        """A DevTools command to the tab."""
        return self.call(method, self.session, **params)

    def wait_load(self):
        """Waits for the tab's next load event."""
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == "Page.loadEventFired":
                    del self.events[:i + 1]
                    return
            self.events.append(self.read_message())

    def open(self, url):
        """Loads URL in the tab and waits until it has loaded."""
        self.events.clear()
        self.send("Page.navigate", url=url)
        self.wait_load()

    def js(self, expression):
        """The value of a JavaScript expression in the page (promises awaited)."""
        r = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"JavaScript failed: {r['exceptionDetails'].get('text')} "
                               f"{r['result'].get('description', '')}")
        return r["result"].get("value")

    def click(self, selector):
        """Clicks the first element SELECTOR matches and waits for the page it opens."""
        self.events.clear()
        if not self.js(f"(() => {{ const a = document.querySelector({json.dumps(selector)});"
                       f" if (!a) return false; a.click(); return true; }})()"):
            return False
        self.wait_load()
        return True

    def resize(self, width, height):
        """Makes the tab's viewport WIDTH x HEIGHT CSS pixels."""
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                  deviceScaleFactor=1, mobile=width < 600)

    def screenshot(self, path):
        """Saves the viewport as a PNG at PATH."""
        Path(path).write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))


# JavaScript: the layout problems of the page as it is now, as a list of strings.
LAYOUT_JS = r"""
(() => {
  const out = [], vw = window.innerWidth;
  const main = document.querySelector('main');
  if (!main) return ['the page has no <main>'];
  const col = main.getBoundingClientRect();
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    ' "' + e.textContent.trim().slice(0, 40).replace(/\s+/g, ' ') + '"';
  if (document.documentElement.scrollWidth > vw)
    out.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide in a ${vw} px window`);
  const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const inside = e => { const r = e.getBoundingClientRect(); return r.left >= col.left - 1 && r.right <= col.right + 1; };
  for (const t of main.querySelectorAll('table')) {
    const box = t.closest('.table-wrap');
    if (box ? !(scrolls(box) && inside(box)) : !inside(t))
      out.push(`a table (${name(t.querySelector('th,td') || t)}) is wider than the text column and not in a box that scrolls`);
  }
  for (const p of main.querySelectorAll('pre')) {
    if (!inside(p)) out.push(`a code block (${name(p)}) is wider than the text column`);
    else if (p.scrollWidth > p.clientWidth && !scrolls(p)) out.push(`a code block (${name(p)}) is cut off: it does not scroll`);
  }
  let broken = 0, first = '';
  for (const w of main.querySelectorAll('code .w')) {
    const lines = new Set([...w.getClientRects()].map(r => Math.round(r.top)));
    if (lines.size > 1) { broken++; first = first || w.textContent; }
  }
  if (broken) out.push(`${broken} words of inline code are broken across lines, the first: ${first}`);
  for (const r of performance.getEntriesByType('resource'))
    if (!r.name.startsWith('data:')) out.push(`loads ${r.name.slice(0, 80)} from outside the page`);
  for (const img of document.images)
    if (!img.complete || img.naturalWidth === 0) out.push(`a picture is not drawn: ${img.alt.slice(0, 60)}`);
  return out;
})()
"""

# JavaScript: problems with the top bar and the contents, at the top, at a
# heading jumped to by its #link, and after scrolling to the bottom.
NAV_JS = r"""
(async () => {
  const out = [], frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const bar = document.querySelector('.topbar');
  if (!bar) return ['the page has no top bar (.topbar)'];
  const barBottom = () => bar.getBoundingClientRect().bottom;
  const seen = e => { const r = e.getBoundingClientRect();
    if (r.width === 0 || r.bottom <= 0 || r.top >= innerHeight) return false;
    const x = Math.min(Math.max(r.left + 8, 0), innerWidth - 1);
    const y = Math.min(Math.max((Math.max(r.top, 0) + Math.min(r.bottom, innerHeight)) / 2, 0), innerHeight - 1);
    const hit = document.elementFromPoint(x, y); return !!hit && (e === hit || e.contains(hit)); };
  scrollTo(0, 0); await frame();
  if (barBottom() > Math.max(60, innerHeight * 0.08)) out.push(`the top bar is ${Math.round(barBottom())} px high: more than one short line`);
  const title = document.querySelector('main h1');
  if (title && title.getBoundingClientRect().top < barBottom()) out.push('the top bar covers the title');
  const heading = [...document.querySelectorAll('main h1[id], main h2[id]')].at(-1);
  if (heading) {
    location.hash = '#' + heading.id; await frame();
    const top = heading.getBoundingClientRect().top;
    if (top < barBottom() - 1) out.push(`the top bar covers the heading #${heading.id} when its link is followed`);
    history.replaceState(null, '', location.pathname);
  }
  const toc = document.getElementById('TOC');
  if (!toc) return out;
  scrollTo(0, document.documentElement.scrollHeight); await frame();
  if (seen(toc)) return out;
  const link = bar.querySelector('a[href="#TOC"]');
  if (!link || !seen(link)) { out.push('after scrolling to the bottom, neither the contents nor a Contents link is in view'); return out; }
  link.click(); await frame();
  if (!seen(toc)) out.push('the Contents link of the top bar does not show the contents');
  history.replaceState(null, '', location.pathname); scrollTo(0, 0);
  return out;
})()
"""


def check_page(b, url, label, shots, shot_name):
    """Layout and navigation checks of one page at both sizes; screenshots if asked."""
    for size, (w, h) in SIZES.items():
        b.resize(w, h)
        b.open(url)
        if shot_name:
            b.screenshot(shots / f"{shot_name}-{w}.png")
        for p in b.js(LAYOUT_JS) + b.js(NAV_JS):
            problem(f"{label} at {w} px: {p}")


def links(b, selector):
    """The hrefs (resolved) of the links SELECTOR matches on the page."""
    return b.js(f"[...document.querySelectorAll({json.dumps(selector)})].map(a => a.href)")


def page_name(b):
    """The file name of the page the tab shows."""
    return b.js("location.pathname.split('/').pop()")


def check_walk(b, folder, labs):
    """By clicking alone: index -> every lab; each lab -> the next and -> the index."""
    index = (folder / "index.html").as_uri()
    b.resize(*SIZES["wide"])
    for lab in labs:
        b.open(index)
        selector = f'main a[href="{lab}.html"]'
        if not b.click(selector):
            problem(f"index.html has no link to {lab}.html in its text")
        elif page_name(b) != f"{lab}.html":
            problem(f"index.html: its link to {lab}.html opened {page_name(b)}")
    b.open(index)
    if not b.click(f'main a[href="{labs[0]}.html"]'):
        return
    for i, lab in enumerate(labs):
        expected = labs[i + 1] + ".html" if i + 1 < len(labs) else None
        has_next = b.js("!!document.querySelector('.topbar a[rel=next]')")
        if expected is None:
            if has_next:
                problem(f"{lab}.html, the last lab, links a next lab")
            break
        if b.js("!!document.querySelector('.topbar a[rel=prev]')") != (i > 0):
            problem(f"{lab}.html: its top bar {'lacks' if i else 'has'} a link to a previous lab")
        if not b.click(".topbar a[rel=next]") or page_name(b) != expected:
            problem(f"{lab}.html: the top bar's next link does not open {expected}")
            return
    if not b.click(".topbar a[rel=index]") or page_name(b) != "index.html":
        problem(f"{labs[-1]}.html: the top bar's index link does not open index.html")


def main():
    ap = argparse.ArgumentParser(description="the handouts' web pages in headless Chromium")
    ap.add_argument("--build", required=True, type=Path)
    ap.add_argument("--no-pandoc", action="store_true", help="pandoc was not found: no pages")
    ap.add_argument("labs", nargs="+", metavar="LABDIR")
    args = ap.parse_args()
    if args.no_pandoc:
        print("skipped: pandoc is not installed, so there are no pages (apt-get install pandoc)")
        return 77
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if not binary:
        print("skipped: Chromium is not installed: apt-get install chromium")
        return 77
    folder = (args.build / "handouts").resolve()
    missing = [n for n in ["index"] + args.labs if not (folder / f"{n}.html").is_file()]
    if missing:
        print(f"FAIL: not rendered: {', '.join(missing)} (ninja -C {args.build} handouts-html)")
        return 1
    shots = folder / "screenshots"
    shots.mkdir(exist_ok=True)
    started = time.monotonic()
    b = Browser(binary)
    try:
        check_page(b, (folder / "index.html").as_uri(), "index.html", shots, "index")
        for i, lab in enumerate(args.labs):
            check_page(b, (folder / f"{lab}.html").as_uri(), f"{lab}.html", shots,
                       lab if i == 1 else None)
        check_walk(b, folder, args.labs)
    except (TimeoutError, RuntimeError, OSError) as e:
        problem(f"the browser: {e}")
    finally:
        b.close()
    print(f"checked index.html and {len(args.labs)} handouts at {' and '.join(f'{w} px' for w, _ in SIZES.values())}"
          f" in {time.monotonic() - started:.1f} s; screenshots in {shots}")
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
