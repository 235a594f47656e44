"""Assembles the demo model's corpus from five domains shipped by Debian packages.

Reproducible: same packages, same seed, same files. Run here (Debian 12), as root:

    apt-get install -y bible-kjv bible-kjv-text fortunes dict-gcide dict-jargon dict-foldoc python3
    python3 models/demo/corpus.py            # writes models/demo/corpus/ (git-ignored)

Per domain: documents are shuffled with a fixed seed; 24 held-out samples (short documents,
public/examples/<domain>.jsonl, committed), 4 % validation, the rest training, capped at
TRAIN_CAP characters per domain so no domain dominates.
"""
import glob
import gzip
import json
import os
import random
import re
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
EXAMPLES = os.path.join(HERE, "..", "..", "public", "examples")
TRAIN_CAP = 3_000_000
SAMPLES = 24
SEED = 1234

SOURCES = {
    "bible": ("King James Bible, Debian package bible-kjv-text (via the bible program of bible-kjv)", "public domain"),
    "quotes": ("fortune cookies, Debian package fortunes (fortune-mod data, offensive set not installed)", "BSD-4-Clause-UC and per-file notes (/usr/share/doc/fortunes/copyright)"),
    "dictionary": ("GNU Collaborative International Dictionary of English, Debian package dict-gcide", "GPL-3+ (/usr/share/doc/dict-gcide/copyright)"),
    "jargon": ("The Jargon File 4.4.7 and FOLDOC, Debian packages dict-jargon and dict-foldoc", "public domain (Jargon File); GFDL-1.1+ (FOLDOC) (/usr/share/doc/dict-*/copyright)"),
    "code": ("Python 3.11 standard library sources, Debian package libpython3.11-stdlib", "PSF-2.0 (/usr/share/doc/libpython3.11-stdlib/copyright)"),
}


def bible():
    text = subprocess.run(["bible", "-f", "Gen1:1-Rev22:21"], capture_output=True, text=True, check=True).stdout
    docs, cur, key = [], [], None
    for line in text.splitlines():
        m = re.match(r"^(\w+?)(\d+):(\d+) (.*)$", line)
        if not m:
            continue
        book, chap, verse, body = m.groups()
        if (book, chap) != key and cur:
            docs.extend(chunk_lines(cur, 6))
            cur = []
        key = (book, chap)
        cur.append(body)
    docs.extend(chunk_lines(cur, 6))
    return docs


def chunk_lines(lines, n):
    return [" ".join(lines[i:i + n]) for i in range(0, len(lines), n)]


def quotes():
    docs = []
    for path in sorted(glob.glob("/usr/share/games/fortunes/*")):
        if path.endswith((".dat", ".u8")) or os.path.islink(path) or os.path.isdir(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            for entry in f.read().split("\n%\n"):
                entry = entry.strip()
                if 20 <= len(entry) <= 1200 and "\ufffd" not in entry:
                    docs.append(entry)
    return docs


def dictd(name):
    with gzip.open(f"/usr/share/dictd/{name}.dict.dz", "rt", encoding="utf-8", errors="replace") as f:
        text = f.read()
    docs = []
    for entry in re.split(r"\n(?=\S)", text):
        entry = entry.strip()
        if 40 <= len(entry) <= 2000 and not entry.startswith("00-database"):
            docs.append(re.sub(r"[ \t]+", " ", entry))
    return docs


def code():
    docs = []
    for path in sorted(glob.glob("/usr/lib/python3.11/*.py")):
        with open(path, encoding="utf-8", errors="replace") as f:
            src = f.read()
        blocks = re.split(r"\n(?=def |class |\S+ = )", src)
        buf = ""
        for b in blocks:
            if len(buf) + len(b) > 1500 and buf:
                docs.append(buf.strip("\n"))
                buf = ""
            buf += b + "\n"
        if buf.strip():
            docs.append(buf.strip("\n"))
    return [d for d in docs if len(d) >= 40]


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(EXAMPLES, exist_ok=True)
    domains = {
        "bible": bible(),
        "quotes": quotes(),
        "dictionary": dictd("gcide"),
        "jargon": dictd("jargon") + dictd("foldoc"),
        "code": code(),
    }
    manifest = {}
    for name, docs in domains.items():
        rnd = random.Random(f"{SEED}:{name}")
        rnd.shuffle(docs)
        short = [i for i, d in enumerate(docs) if 80 <= len(d) <= 700][:SAMPLES]
        held = set(short)
        samples = [docs[i] for i in short]
        rest = [d for i, d in enumerate(docs) if i not in held]
        n_val = max(50, len(rest) * 4 // 100)
        val, train = rest[:n_val], rest[n_val:]
        kept, size = [], 0
        for d in train:
            if size >= TRAIN_CAP:
                break
            kept.append(d)
            size += len(d)
        with open(os.path.join(OUT, f"{name}.train.txt"), "w") as f:
            f.write("\n\n".join(kept))
        with open(os.path.join(OUT, f"{name}.val.txt"), "w") as f:
            f.write("\n\n".join(val))
        with open(os.path.join(EXAMPLES, f"{name}.jsonl"), "w") as f:
            for s in samples:
                f.write(json.dumps({"text": s}, ensure_ascii=False) + "\n")
        manifest[name] = {"source": SOURCES[name][0], "license": SOURCES[name][1], "documents": len(docs),
                          "train_docs": len(kept), "train_chars": size, "val_docs": len(val),
                          "val_chars": sum(map(len, val)), "samples": len(samples)}
        print(name, manifest[name])
    with open(os.path.join(HERE, "corpus-manifest.json"), "w") as f:
        json.dump({"seed": SEED, "train_cap_chars": TRAIN_CAP, "domains": manifest}, f, indent=1)


if __name__ == "__main__":
    main()
