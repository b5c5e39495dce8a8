#!/usr/bin/env python3
"""Turn annotators' files (the gold format of ANNOTATION.md) into stand-off records.

Usage: build_standoff.py SOURCE OUT.jsonl ANNOTATION_DIR... [--rename MAP.tsv]

SOURCE holds the texts: a JSON-lines file (``id`` and ``text`` per line, as
``../shared/data/regional_news/regional_news.jsonl``) or a folder of ``<id>.txt`` files;
each ANNOTATION_DIR holds ``<id>.json`` files. ``--rename`` maps the ids annotators saw
to the texts' ids (tab-separated), for texts handed out under neutral ids. The output has one JSON line per annotated document with no
article text, only offsets into it (the texts stay in ../shared; see
:func:`kg.nlp.corpora.read_silver`):

``{"doc", "sha1" (of the text), "jurisdiction", "entities": [{"name", "type",
"optional"?}], "mentions": [[start, end, entity index]], "titles": [[start, end]],
"relations": [{"head": index, "rel", "tail": index, "title"?}]}``

Annotators list each entity's surface forms, not offsets, so the offsets are found
here: every occurrence of every mention (line breaks inside a word allowed), longest
first, never overlapping; a post of a HOLDS_POSITION (its title, split at 、) is a
TITLE span wherever it occurs outside an entity. Prints counts.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path


def occurrences(text: str, surface: str) -> list[tuple[int, int]]:
    """Every (start, end) of ``surface`` in ``text``, whitespace allowed between its characters."""
    chars = [c for c in surface if not c.isspace()]
    if not chars:
        return []
    pattern = re.compile(r"\s*".join(map(re.escape, chars)))
    out = []
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        out.append(m.span())
        pos = m.start() + 1
    return out


def project(text: str, ann: dict) -> dict:
    """The stand-off record of one annotation."""
    entities = [e for e in ann["entities"] if e.get("name")]
    index = {e["name"]: i for i, e in enumerate(entities)}
    # (length, kind, start, end, what): entities before titles on equal length
    cands: list[tuple[int, int, int, int, int]] = []
    for i, e in enumerate(entities):
        for surface in sorted(set(e.get("mentions") or [])):
            for s, t in occurrences(text, surface):
                cands.append((t - s, 0, s, t, i))
    posts = set()
    for r in ann["relations"]:
        if r.get("rel") == "HOLDS_POSITION":
            posts.update(p.strip() for p in (r.get("title") or "").split("、") if p.strip())
    for post in sorted(posts):
        for s, t in occurrences(text, post):
            cands.append((t - s, 1, s, t, -1))
    taken = [False] * len(text)
    mentions, titles = [], []
    for length, kind, s, t, i in sorted(cands, key=lambda c: (-c[0], c[1], c[2], c[4])):
        if any(taken[s:t]):
            continue
        taken[s:t] = [True] * length
        (titles if kind else mentions).append([s, t] if kind else [s, t, i])
    relations = []
    for r in ann["relations"]:
        if r.get("head") in index and r.get("tail") in index:
            rel = {"head": index[r["head"]], "rel": r["rel"], "tail": index[r["tail"]]}
            if r.get("title"):
                rel["title"] = r["title"]
            relations.append(rel)
    return {
        "doc": ann["doc"],
        "sha1": hashlib.sha1(text.encode("utf-8")).hexdigest(),
        "jurisdiction": ann.get("jurisdiction"),
        "entities": [{"name": e["name"], "type": e["type"], **({"optional": True} if e.get("optional") else {})} for e in entities],
        "mentions": sorted(mentions),
        "titles": sorted(titles),
        "relations": relations,
    }


def read_texts(source: Path) -> dict[str, str]:
    """id -> text, from a JSON-lines file or a folder of ``<id>.txt`` files."""
    if source.is_dir():
        return {p.stem: p.read_text(encoding="utf-8") for p in sorted(source.glob("*.txt"))}
    with source.open(encoding="utf-8") as fh:
        return {item["id"]: item["text"] for item in map(json.loads, fh) if item}


def main(argv: list[str]) -> int:
    rename: dict[str, str] = {}
    if "--rename" in argv:
        i = argv.index("--rename")
        rename = dict(line.split("\t") for line in Path(argv[i + 1]).read_text(encoding="utf-8").splitlines() if line)
        argv = argv[:i] + argv[i + 2 :]
    if len(argv) < 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    texts = read_texts(Path(argv[1]))
    records = []
    for folder in argv[3:]:
        for path in sorted(Path(folder).glob("*.json")):
            doc = Path(rename.get(path.stem, path.stem)).stem
            if doc not in texts:
                print(f"skipped {path}: no text with id {doc}", file=sys.stderr)
                continue
            ann = json.loads(path.read_text(encoding="utf-8"))
            ann["doc"] = doc
            records.append(project(texts[doc], ann))
    records.sort(key=lambda r: r["doc"])
    with open(argv[2], "w", encoding="utf-8") as out:
        for r in records:
            out.write(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n")
    chars = sum(len(texts[r["doc"]]) for r in records)
    n_ent = sum(len(r["entities"]) for r in records)
    n_men = sum(len(r["mentions"]) for r in records)
    n_rel = sum(len(r["relations"]) for r in records)
    print(f"{len(records)} documents, {chars:,} characters: {n_ent} entities, {n_men} mention spans, {n_rel} relations")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
