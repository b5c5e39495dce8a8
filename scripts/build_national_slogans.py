#!/usr/bin/env python3
"""Build kg/data/national_slogans.txt: the national slogans and goal phrases that the
silver annotators mark optional (乡村振兴战略, 新型城镇化, 稳中求进工作总基调).

Why: ANNOTATION.md makes generic national slogans optional, while quoted local
programmes are required. The tagger reads both as programmes; a name the silver
data marks optional in at least two documents and never requires is a national
slogan, and kg leaves it out of the graph. Only the held-out silver documents
(kg.nlp.corpora.is_silver_dev) are left out, so the silver dev scores stay honest.

Usage: python scripts/build_national_slogans.py [--silver silver/regional_news.jsonl] [--out kg/data]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from kg.nlp.corpora import is_silver_dev

MIN_DOCS = 2


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--silver", type=Path, default=root / "silver" / "regional_news.jsonl")
    ap.add_argument("--out", type=Path, default=root / "kg" / "data")
    args = ap.parse_args()
    optional: Counter[str] = Counter()
    required: set[str] = set()
    for line in args.silver.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if is_silver_dev(record["doc"]):
            continue
        for e in record["entities"]:
            if e["type"] == "POLICY":
                if e.get("optional"):
                    optional[e["name"]] += 1
                else:
                    required.add(e["name"])
    names = sorted(n for n, c in optional.items() if c >= MIN_DOCS and n not in required)
    header = "# national slogans the silver data marks optional in >= 2 documents and never requires (scripts/build_national_slogans.py)\n"
    (args.out / "national_slogans.txt").write_text(header + "\n".join(names) + "\n", encoding="utf-8")
    print(f"{len(names)} slogans -> {args.out / 'national_slogans.txt'}")


if __name__ == "__main__":
    main()
