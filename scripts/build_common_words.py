#!/usr/bin/env python3
"""Build kg/data/common_words.txt: two- and three-character words that People's
Daily 1998 uses as ordinary words (not names), with their counts.

Why: Chinese names have no capital letters, so a frame such as "X说" can wrap an
ordinary word (应该说, 许诺说). A word the corpus uses mostly as an ordinary word
is not taken as a person's name. Only this derived word list ships, not the corpus.

Usage: python scripts/build_common_words.py [--data ../shared/data] [--out kg/data]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

NAME_TAGS = {"nr", "nrf", "nrg", "ns", "nt", "nz"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = Path(__file__).resolve().parents[1]
    ap.add_argument("--data", type=Path, default=root / ".." / "shared" / "data")
    ap.add_argument("--out", type=Path, default=root / "kg" / "data")
    args = ap.parse_args()
    common: Counter[str] = Counter()
    names: Counter[str] = Counter()
    for line in (args.data / "peoples_daily" / "199801.utf8.txt").read_text(encoding="utf-8").splitlines():
        toks = line.split()[1:]
        words = []
        for tok in toks:
            word, _, tag = tok.lstrip("[").partition("/")
            words.append((word, tag.split("]")[0]))
        # surname and given name are separate words tagged nr: join them back
        i = 0
        while i < len(words):
            w, t = words[i]
            if t == "nr" and i + 1 < len(words) and words[i + 1][1] == "nr" and len(w) == 1:
                names[w + words[i + 1][0]] += 1
                i += 2
                continue
            if 2 <= len(w) <= 3:
                (names if t in NAME_TAGS else common)[w] += 1
            i += 1
    keep = sorted(w for w, n in common.items() if n >= 3 and n > names[w])
    (args.out / "common_words.txt").write_text("\n".join(keep) + "\n", encoding="utf-8")
    print(f"common words: {len(keep)}")


if __name__ == "__main__":
    main()
