#!/usr/bin/env python3
"""handouts_html.py: every handout shows its lab's picture, on GitHub and in HTML.

usage: handouts_html.py --source SOURCE --build BUILD [--no-pandoc] LABDIR...

For each LABDIR (01-mqueue, ...):
  - handouts/LABDIR.md shows img/LABDIR.svg (`![alt](img/LABDIR.svg)`) before its
    first step, with an italic caption line under it, and every picture it names exists;
  - each SVG it shows is a standalone, accessible picture: it parses as XML, is an
    <svg> in the SVG namespace with width, height and viewBox, has a <title> and a
    <desc>, a white background, generic font families only, no script and no
    reference to anything outside itself;
  - unless --no-pandoc (pandoc was not found when the build was configured):
    BUILD/handouts/LABDIR.html exists and is not older than its sources, holds the
    picture embedded (a data: URI, or an inline <svg>), loads nothing from outside
    itself, and links only to local files and #anchors that exist;
    BUILD/handouts/index.html links every handout's page and shows its picture,
    embedded (handouts/make-index; tests/handouts_browser.py checks the layout).
Exit 0 when all of this holds, 1 with every problem found (one line each).
"""
import argparse, base64, html.parser, os, re, sys, urllib.parse
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
GENERIC_FONTS = {"sans-serif", "serif", "monospace"}
WHITE = {"#fff", "#ffffff", "white"}

problems = []


def problem(msg):
    """Records one problem; the test fails at the end if there is any."""
    problems.append(msg)
    print("FAIL: " + msg)


def svg_title(root):
    """The text of an SVG root's <title> child, or None."""
    t = root.find(SVG_NS + "title")
    return t.text.strip() if t is not None and t.text and t.text.strip() else None


def check_svg(path, label):
    """Checks that PATH is a standalone, accessible SVG; returns its title or None."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        problem(f"{label}: does not parse as XML: {e}")
        return None
    if root.tag != SVG_NS + "svg":
        problem(f"{label}: the root is <{root.tag}>, not an <svg> in the SVG namespace (xmlns)")
        return None
    for attr in ("width", "height", "viewBox"):
        if not root.get(attr):
            problem(f"{label}: the <svg> has no {attr}")
    title = svg_title(root)
    if title is None:
        problem(f"{label}: no <title> (screen readers need it)")
    desc = root.find(SVG_NS + "desc")
    if desc is None or not (desc.text or "").strip():
        problem(f"{label}: no <desc> (screen readers need it)")
    if not any(r.get("fill", "").lower() in WHITE and r.get("width") in ("100%", root.get("width"))
               and r.get("height") in ("100%", root.get("height"))
               for r in root.iter(SVG_NS + "rect")):
        problem(f"{label}: no white background rect as large as the picture "
                "(it would be unreadable on a dark page)")
    for el in root.iter():
        name = el.tag.replace(SVG_NS, "")
        if name in ("script", "foreignObject", "image"):
            problem(f"{label}: holds a <{name}> element")
        if name == "style" and re.search(r"@import|url\((?!#)", el.text or ""):
            problem(f"{label}: its <style> refers to something outside the picture")
        for k, v in el.attrib.items():
            if k in ("href", XLINK_HREF) and not v.startswith("#"):
                problem(f"{label}: <{name}> refers to {v}, outside the picture")
            if "url(" in v and not re.fullmatch(r"url\(#[\w-]+\)", v.strip()):
                problem(f"{label}: <{name} {k}=\"{v}\"> refers to something outside the picture")
            if k.startswith("on"):
                problem(f"{label}: <{name}> has an event handler ({k})")
            families = [v] if k == "font-family" else re.findall(r"font-family\s*:\s*([^;]+)", v)
            for family in families:
                fonts = {f.strip().strip("'\"") for f in family.split(",")}
                if not fonts <= GENERIC_FONTS:
                    problem(f"{label}: font-family {family}: use only "
                            f"{', '.join(sorted(GENERIC_FONTS))}")
    return title


def check_markdown(source, lab):
    """Checks LAB's handout and the pictures it shows; returns its picture's title."""
    md_path = os.path.join(source, "handouts", lab + ".md")
    try:
        lines = open(md_path, encoding="utf-8").read().split("\n")
    except OSError as e:
        problem(f"handouts/{lab}.md: cannot read it: {e.strerror}")
        return None
    picture = f"img/{lab}.svg"
    first_step = next((i for i, l in enumerate(lines) if l.startswith("## Step")), len(lines))
    title, found = None, False
    for i, line in enumerate(lines):
        for alt, target in re.findall(r"!\[([^\]]*)\]\(([^)\s]+)\)", line):
            where = f"handouts/{lab}.md:{i + 1}"
            if urllib.parse.urlparse(target).scheme:
                problem(f"{where}: the picture {target} is not a file in the kit")
                continue
            found = found or target == picture
            path = os.path.normpath(os.path.join(source, "handouts", target))
            if not os.path.isfile(path):
                problem(f"{where}: shows {target}, but handouts/{target} does not exist")
                continue
            if not target.endswith(".svg"):
                continue
            t = check_svg(path, "handouts/" + target)
            if target != picture:
                continue
            title = t
            if not alt.strip():
                problem(f"{where}: the picture has no alt text")
            if i > first_step:
                problem(f"{where}: the picture comes after the first step; put it near the top")
            caption = next((l for l in lines[i + 1:] if l.strip()), "")
            if not re.fullmatch(r"\*[^*].*[^*]\*", caption.strip()):
                problem(f"{where}: no one-line italic caption (*...*) under the picture")
    if not found:
        problem(f"handouts/{lab}.md: does not show its picture: no ![alt text]({picture}) in it")
    return title


class Page(html.parser.HTMLParser):
    """An HTML page's ids, links, embedded resources and inline SVG titles."""

    def __init__(self):
        super().__init__()
        self.ids, self.links, self.resources, self.svg_titles = set(), [], [], []
        self._svg_depth, self._in_title, self._title = 0, False, ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("name"):
            self.ids.add(a["name"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("src"):
            self.resources.append((tag, a["src"]))
        if tag == "link" and a.get("href"):
            self.resources.append((tag, a["href"]))
        if tag == "svg":
            self._svg_depth += 1
        if tag == "title" and self._svg_depth:
            self._in_title, self._title = True, ""

    def handle_endtag(self, tag):
        if tag == "svg" and self._svg_depth:
            self._svg_depth -= 1
        if tag == "title" and self._in_title:
            self._in_title = False
            self.svg_titles.append(self._title.strip())

    def handle_data(self, data):
        if self._in_title:
            self._title += data


def parse_page(path):
    """Parses the HTML page at PATH; None (and a problem) if it cannot be read."""
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        problem(f"{path}: cannot read it: {e.strerror}")
        return None
    page = Page()
    page.feed(text)
    return page


def embedded_svg_titles(page):
    """The titles of the SVG pictures a page holds, as data: URIs or inline."""
    titles = list(page.svg_titles)
    for tag, src in page.resources:
        m = re.match(r"data:image/svg\+xml(;base64)?,(.*)", src, re.S)
        if tag != "img" or not m:
            continue
        data = base64.b64decode(m.group(2)) if m.group(1) else urllib.parse.unquote(m.group(2)).encode()
        try:
            titles.append(svg_title(ET.fromstring(data)))
        except ET.ParseError:
            pass
    return titles


def check_links(name, page, pages, folder):
    """Every local link of PAGE leads to a file, and every #anchor to an id."""
    for href in page.links:
        if urllib.parse.urlparse(href).scheme:
            continue
        path, _, fragment = href.partition("#")
        path = urllib.parse.unquote(path.partition("?")[0])
        target = os.path.normpath(os.path.join(folder, path)) if path else os.path.join(folder, name)
        if not os.path.exists(target):
            problem(f"{name}: links to {href}, and {os.path.relpath(target, folder)} does not exist")
            continue
        if not fragment:
            continue
        key = os.path.basename(target)
        if key not in pages and target.endswith(".html"):
            pages[key] = parse_page(target)
        ids = pages[key].ids if pages.get(key) else None
        if ids is not None and urllib.parse.unquote(fragment) not in ids:
            problem(f"{name}: links to {href}, but no heading or element there has the id {fragment}")


def check_html(source, build, labs, titles):
    """Checks BUILD/handouts/: one stand-alone page per handout, and the index."""
    folder = os.path.join(build, "handouts")
    hint = f"render them: ninja -C {build} handouts-html"
    pages = {}
    for lab in labs:
        path = os.path.join(folder, lab + ".html")
        if not os.path.isfile(path):
            problem(f"{lab}.html was not rendered ({hint})")
            continue
        sources = [os.path.join(source, "handouts", lab + ".md"),
                   os.path.join(source, "handouts", "img", lab + ".svg")]
        newest = max((os.path.getmtime(s) for s in sources if os.path.exists(s)), default=0)
        if os.path.getmtime(path) < newest:
            problem(f"{lab}.html is older than its Markdown or its picture ({hint})")
        page = pages[lab + ".html"] = parse_page(path)
        if page is None:
            continue
        if titles.get(lab) and titles[lab] not in embedded_svg_titles(page):
            problem(f"{lab}.html does not hold its picture img/{lab}.svg embedded "
                    "(as a data: URI or an inline <svg>)")
        for tag, src in page.resources:
            if not src.startswith("data:"):
                problem(f"{lab}.html: <{tag}> loads {src[:80]} from outside the page "
                        "(it must stand alone: pandoc --self-contained)")
    index = os.path.join(folder, "index.html")
    if not os.path.isfile(index):
        problem(f"index.html was not rendered ({hint})")
    else:
        pages["index.html"] = parse_page(index)
        linked = {urllib.parse.unquote(h.partition("#")[0]) for h in pages["index.html"].links}
        shown = embedded_svg_titles(pages["index.html"])
        for lab in labs:
            if lab + ".html" not in linked:
                problem(f"index.html does not link {lab}.html")
            if titles.get(lab) and titles[lab] not in shown:
                problem(f"index.html does not show {lab}'s picture img/{lab}.svg embedded")
    for name, page in list(pages.items()):
        if page is not None:
            check_links(name, page, pages, folder)


def main():
    ap = argparse.ArgumentParser(description="every handout renders to HTML with its picture")
    ap.add_argument("--source", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--no-pandoc", action="store_true",
                    help="pandoc was not found: check the Markdown and the pictures only")
    ap.add_argument("labs", nargs="+", metavar="LABDIR")
    args = ap.parse_args()
    titles = {lab: check_markdown(args.source, lab) for lab in args.labs}
    print(f"checked the Markdown of {len(args.labs)} handouts and their pictures")
    if args.no_pandoc:
        print("skipped the HTML checks: pandoc is not installed (apt-get install pandoc, "
              "then meson setup --reconfigure the build folder)")
    else:
        check_html(args.source, args.build, args.labs, titles)
        print(f"checked {len(args.labs)} HTML pages and index.html in "
              f"{os.path.join(args.build, 'handouts')}")
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
