#!/usr/bin/env python3
"""contract.py: every promise of every lab's Contract section is graded.

usage: contract.py --build BUILD --source SOURCE [LAB_ID...]

Each lab's contract is data in the grader (grader/checks/<id>_contract.cpp,
printed by `ipcgrade --list --json` as "contract" and "prose"). This test holds
that data against the handout and the buggy variants:

  1. every clause's and prose passage's quote stands, word for word, in the
     lab's "## Contract" section (whitespace may differ);
  2. every word of that section (outside code blocks and headings) lies inside
     some quote: a sentence added to the contract without a clause fails here;
  3. every clause names at least one check of its lab, and binds a program of
     the lab (or "all");
  4. every clause is broken by at least one buggy variant: a recipe in
     tests/mutants/NN-topic/ whose "# breaks: ID" line names the clause and
     whose "# kills:" line is sure (no "?") to fail one of the clause's checks;
     every "# breaks:" line names a clause that exists;
  5. every program of the lab has a clause, so some check runs it and some
     variant of it is caught.

Exit 0 when all of it holds, 1 listing every gap otherwise.
"""
import argparse, json, os, re, subprocess, sys


def normalized(text):
    """Text with every run of whitespace made one space."""
    return re.sub(r"\s+", " ", text).strip()


def contract_section(handout):
    """The '## Contract' section's text: no code blocks, headings or table rules."""
    lines = open(handout).read().split("\n")
    try:
        start = lines.index("## Contract")
    except ValueError:
        return None
    kept, in_code = [], False
    for line in lines[start + 1:]:
        if line.startswith("## "):
            break
        if line.startswith("```"):
            in_code = not in_code
            continue
        if in_code or line.startswith("#") or re.fullmatch(r"\|?[\s|:-]+\|?", line):
            continue
        kept.append(line)
    return normalized("\n".join(kept))


def covered(section, quotes):
    """A flag per character of `section`: inside an occurrence of some quote."""
    flags = [False] * len(section)
    for q in quotes:
        q = normalized(q)
        at = section.find(q)
        while q and at != -1:
            for i in range(at, at + len(q)):
                flags[i] = True
            at = section.find(q, at + 1)
    return flags


def uncovered_words(section, flags):
    """The passages of `section` whose letters or digits no quote covers."""
    gaps, run = [], []
    for i, ch in enumerate(section):
        if ch.isalnum() and not flags[i]:
            run.append(i)
        elif ch.isalnum() and run:
            gaps.append(run)
            run = []
    if run:
        gaps.append(run)
    shown = []
    for g in gaps:
        a, b = g[0], g[-1] + 1
        while a > 0 and section[a - 1].isalnum():
            a -= 1
        while b < len(section) and section[b].isalnum():
            b += 1
        words = section[a:b] if b - a <= 200 else section[a:a + 200] + " ..."
        shown.append(section[max(0, a - 30):a] + "[[" + words + "]]" + section[b:b + 30])
    return shown


def recipes(source, labdir):
    """Each buggy variant of a lab: (stem, sure kills, clause ids it breaks)."""
    root = os.path.join(source, "tests", "mutants", labdir)
    out = []
    for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
        if not name.endswith(".mutant"):
            continue
        text = open(os.path.join(root, name)).read().split("\n")
        m = re.match(r"#\s*kills:\s*(.+)", text[0])
        kills = [k for k in m.group(1).split() if not k.endswith("?")] if m else []
        breaks = [w for l in text for w in (l.split(":", 1)[1].split() if
                                            re.match(r"#\s*breaks:", l) else [])]
        out.append((name[:-len(".mutant")], kills, breaks))
    return out


def lab_gaps(source, lab):
    """Every way this lab's contract map falls short, one line each."""
    gaps = []
    where = f"{lab['id']} (handouts/{lab['dir']}.md)"
    section = contract_section(os.path.join(source, lab["handout"]))
    if section is None:
        return [f"{where}: no '## Contract' section"]
    clauses = lab["contract"]
    checks = {c["id"] for c in lab["checks"]}
    for text in [c["quote"] for c in clauses] + lab["prose"]:
        if normalized(text) not in section:
            gaps.append(f"{where}: this quote is not in the Contract section: {text!r}")
    for g in uncovered_words(section, covered(section, [c["quote"] for c in clauses] + lab["prose"])):
        gaps.append(f"{where}: no clause quotes: ...{g}...")
    ids = [c["id"] for c in clauses]
    for i in sorted({i for i in ids if ids.count(i) > 1}):
        gaps.append(f"{where}: clause id {i} is used twice")
    for c in clauses:
        if c["program"] not in lab["programs"] and c["program"] != "all":
            gaps.append(f"{where}: clause {c['id']} names no program of the lab")
        if not c["checks"]:
            gaps.append(f"{where}: clause {c['id']} has no check")
        for k in c["checks"]:
            if k not in checks:
                gaps.append(f"{where}: clause {c['id']} names {k}, which is no check of the lab")
    variants = recipes(source, lab["dir"])
    for stem, _, breaks in variants:
        for b in breaks:
            if b not in ids:
                gaps.append(f"{where}: {stem}.mutant breaks {b}, which is no clause of the lab")
    for c in clauses:
        proof = [s for s, kills, breaks in variants
                 if c["id"] in breaks and set(kills) & set(c["checks"])]
        if not proof:
            gaps.append(f"{where}: no variant breaks {c['id']} and surely loses one of "
                        f"{', '.join(c['checks']) or '(no checks)'}")
    bound = {c["program"] for c in clauses}
    for p in lab["programs"]:
        if p not in bound:
            gaps.append(f"{where}: the program {p} has no clause, so nothing proves a check runs it")
    return gaps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("labs", nargs="*", help="lab ids (default: every lab)")
    a = ap.parse_args()
    p = subprocess.run([os.path.join(a.build, "grader", "ipcgrade"), "--list", "--json"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        print("FAIL: ipcgrade --list --json: " + p.stderr.strip())
        return 1
    labs = [l for l in json.loads(p.stdout)["labs"] if not a.labs or l["id"] in a.labs]
    gaps = []
    for lab in labs:
        lab_gaps_found = lab_gaps(a.source, lab)
        print(f"{lab['id']}: {len(lab['contract'])} clauses, {len(lab_gaps_found)} gaps")
        gaps += lab_gaps_found
    for g in gaps:
        print("FAIL: " + g)
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
