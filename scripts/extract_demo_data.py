#!/usr/bin/env python3
"""Optional tooling: the second half of scripts/extract_demo_data.sh (run that instead).

Reads what the shell script staged in WORK (R's CSV/text exports, the sentiment npm package, the
`bible` output) plus Debian's wordnet and fortune files, and writes OUT (data/):
  fine_foods/{train,test}.jsonl     {"text": review, "label": "great"|"other"}, original order
  uci_sentiment/{imdb,yelp,amazon}.jsonl  {"text": sentence, "label": 0|1}, original order
  corpus/pretrain.txt               unlabelled text, one verse/paragraph/gloss/fortune per line
  SHA256SUMS                        for checking a regeneration
Standard library only; deterministic (no randomness, sources in a fixed order).
"""
import csv
import glob
import hashlib
import json
import os
import re
import subprocess
import sys

WORK, OUT = sys.argv[1], sys.argv[2]
WS = re.compile(r"\s+")


def squash(text):
    return WS.sub(" ", text).strip()


def write_jsonl(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for text, label in rows:
            f.write(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")


def deb_version(package):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True)
    return r.stdout if r.returncode == 0 else None


def fail(msg):
    sys.exit("extract_demo_data: " + msg)


# --- labelled: fine-food reviews (modeldata::small_fine_foods) -------------------------------
fine_foods = {}
for split, name, expected in (("training_data", "train", 4000), ("testing_data", "test", 1000)):
    with open(os.path.join(WORK, split + ".csv"), encoding="utf-8", newline="") as f:
        rows = [(r["review"], r["score"]) for r in csv.DictReader(f)]
    if len(rows) != expected:
        fail(f"{split}: expected {expected} rows, got {len(rows)}")
    bad = [label for _, label in rows if label not in ("great", "other")]
    if bad:
        fail(f"{split}: expected labels great/other, got {bad[0]!r}")
    write_jsonl(os.path.join(OUT, "fine_foods", name + ".jsonl"), rows)
    fine_foods[name] = rows
    great = sum(label == "great" for _, label in rows)
    print(f"fine_foods/{name}.jsonl: {len(rows)} reviews, great {great} ({100 * great / len(rows):.1f} %), "
          f"other {len(rows) - great}, with <br />: {sum('<br' in t for t, _ in rows)}")

# --- labelled: UCI sentiment sentences (npm sentiment@5.0.2 test fixtures) -------------------
for name in ("imdb", "yelp", "amazon"):
    with open(os.path.join(WORK, "package", "test", "fixtures", name + ".json"), encoding="utf-8") as f:
        entries = json.load(f)
    # The fixtures end with one {"text": "", "class": null} entry; drop it, nothing else.
    if entries and entries[-1].get("class") is None and not entries[-1].get("text"):
        entries = entries[:-1]
    rows = [(e["text"], e["class"]) for e in entries]
    if len(rows) != 1000 or any(label not in (0, 1) for _, label in rows):
        fail(f"{name}.json: expected 1000 sentences labelled 0/1, got {len(rows)}")
    write_jsonl(os.path.join(OUT, "uci_sentiment", name + ".jsonl"), rows)
    print(f"uci_sentiment/{name}.jsonl: {len(rows)} sentences, positive {sum(l for _, l in rows)}")

# --- unlabelled corpus ------------------------------------------------------------------------
def austen():
    books = sorted(glob.glob(os.path.join(WORK, "austen", "*.txt")))
    order = ["sensesensibility", "prideprejudice", "mansfieldpark", "emma", "northangerabbey", "persuasion"]
    books.sort(key=lambda p: order.index(os.path.basename(p)[:-4]))
    for path in books:
        paragraph = []
        with open(path, encoding="utf-8") as f:
            for line in list(f) + [""]:
                if line.strip():
                    paragraph.append(line)
                elif paragraph:
                    yield " ".join(paragraph)
                    paragraph = []


def kjv():
    with open(os.path.join(WORK, "kjv.txt"), encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^\s+\d+ (.*)$", line)  # "  12 verse text"; "Book N" headings are skipped
            if m:
                yield m.group(1)


def wordnet():
    for pos in ("noun", "verb", "adj", "adv"):
        with open(f"/usr/share/wordnet/data.{pos}", encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("  "):  # the licence header
                    continue
                _, bar, gloss = line.partition(" | ")
                if bar:
                    yield gloss


# Files of quotations from single copyrighted works (Pratchett novels, song lyrics) and the
# ASCII-art files are left out; "translate-me" is mostly not English.
FORTUNES_SKIPPED = {"art", "ascii-art", "pratchett", "songs-poems", "translate-me"}


def fortunes():
    for path in sorted(glob.glob("/usr/share/games/fortunes/*.dat")):
        name = path[:-4]
        if os.path.basename(name) in FORTUNES_SKIPPED or not os.path.exists(name):
            continue
        with open(name, encoding="utf-8", errors="replace") as f:
            for fortune in re.split(r"^%\n", f.read(), flags=re.M):
                yield fortune


def reviews():
    # The TRAIN split only, and not the few train reviews whose text is also a test review: no test
    # text reaches pre-training.
    test = {text for text, _ in fine_foods["test"]}
    for text, _ in fine_foods["train"]:
        if text not in test:
            yield text


SOURCES = [  # (name, Debian package for the version, generator, available?)
    ("janeaustenr", "r-cran-janeaustenr", austen, os.path.isdir(os.path.join(WORK, "austen"))),
    ("bible-kjv", "bible-kjv-text", kjv, os.path.exists(os.path.join(WORK, "kjv.txt"))),
    ("wordnet", "wordnet-base", wordnet, os.path.exists("/usr/share/wordnet/data.noun")),
    ("fortunes", "fortunes", fortunes, os.path.isdir("/usr/share/games/fortunes")),
    ("fine_foods train", "r-cran-modeldata", reviews, True),
]

os.makedirs(os.path.join(OUT, "corpus"), exist_ok=True)
seen = set()
print("corpus/pretrain.txt:")
print("| source | package version | lines | characters | duplicates dropped |")
print("| --- | --- | ---: | ---: | ---: |")
with open(os.path.join(OUT, "corpus", "pretrain.txt"), "w", encoding="utf-8", newline="\n") as out:
    for name, package, generate, available in SOURCES:
        if not available:
            print(f"| {name} | not installed: skipped | 0 | 0 | 0 |")
            continue
        lines = chars = dups = 0
        for text in generate():
            text = squash(text)
            if not text:
                continue
            if text in seen:
                dups += 1
                continue
            seen.add(text)
            out.write(text + "\n")
            lines += 1
            chars += len(text)
        print(f"| {name} | {package} {deb_version(package)} | {lines} | {chars} | {dups} |")

# --- checksums --------------------------------------------------------------------------------
files = sorted(os.path.relpath(p, OUT) for p in glob.glob(os.path.join(OUT, "*", "*"))
               if p.endswith((".jsonl", ".txt")))
with open(os.path.join(OUT, "SHA256SUMS"), "w", encoding="utf-8", newline="\n") as f:
    for rel in files:
        with open(os.path.join(OUT, rel), "rb") as g:
            digest = hashlib.sha256(g.read()).hexdigest()
        f.write(f"{digest}  {rel}\n")
        print(f"{os.path.getsize(os.path.join(OUT, rel)):>10}  {rel}")
