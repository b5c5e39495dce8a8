#!/usr/bin/env python3
"""Check the form of annotation files against their texts (docs/annotation_protocol.md).

Usage: check_annotation.py TEXT_DIR ANNOTATION_DIR

For every ANNOTATION_DIR/<id>.json with a TEXT_DIR/<id>.txt, prints one line per problem:
a mention that is not a substring of the text, a relation whose ends are not entities of
the file or have the wrong types, a title none of whose parts is in the text, a duplicate name.
It checks form only, never content, so annotators can run it without seeing any system's
opinion. Stand-alone on purpose: it imports nothing from kg. Exit status 1 on any error.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

TYPES = {"PLACE", "PERSON", "AGENCY", "ORG", "PROJECT", "POLICY"}
RELATION_ENDS = {
    "HOLDS_POSITION": ({"PERSON"}, {"AGENCY", "ORG"}),
    "PART_OF": ({"PLACE"}, {"PLACE"}),
    "LOCATED_IN": ({"AGENCY", "ORG", "PROJECT"}, {"PLACE"}),
}


def occurs(mention: str, text: str) -> bool:
    """Whether the mention is in the text, allowing line breaks and spaces between its
    characters (pages arrive hard-wrapped inside words)."""
    chars = [c for c in mention if not c.isspace()]
    return bool(chars) and re.search(r"\s*".join(map(re.escape, chars)), text) is not None


def problems(text: str, ann: dict) -> list[str]:
    """Every form error of one annotation against its text."""
    out: list[str] = []
    if not isinstance(ann.get("entities"), list) or not isinstance(ann.get("relations"), list):
        return ["needs lists 'entities' and 'relations'"]
    types: dict[str, str] = {}
    for i, ent in enumerate(ann["entities"]):
        name, etype = ent.get("name"), ent.get("type")
        if not isinstance(name, str) or not name.strip():
            out.append(f"entity {i}: no name")
            continue
        if etype not in TYPES:
            out.append(f"{name}: type {etype!r} is not one of {sorted(TYPES)}")
        if name in types:
            out.append(f"{name}: named twice (merge the two entries)")
        types[name] = etype
        mentions = ent.get("mentions", [])
        if not isinstance(mentions, list):
            out.append(f"{name}: mentions must be a list")
            continue
        for m in mentions:
            if not isinstance(m, str) or not occurs(m, text):
                out.append(f"{name}: mention {m!r} is not in the text")
        if not mentions and etype != "AGENCY":
            out.append(f"{name}: no mentions (only an AGENCY implied by a post may have none)")
    for r in ann["relations"]:
        rel, head, tail = r.get("rel"), r.get("head"), r.get("tail")
        where = f"{head} -{rel}-> {tail}"
        if rel not in RELATION_ENDS:
            out.append(f"{where}: relation must be one of {sorted(RELATION_ENDS)}")
            continue
        heads, tails = RELATION_ENDS[rel]
        for end, allowed in ((head, heads), (tail, tails)):
            if end not in types:
                out.append(f"{where}: {end!r} is not an entity name of this file")
            elif types[end] not in allowed:
                out.append(f"{where}: {end} is {types[end]}, expected {sorted(allowed)}")
        if rel == "HOLDS_POSITION":
            title = r.get("title") or ""
            if not title:
                out.append(f"{where}: HOLDS_POSITION needs a title")
            if title and not any(occurs(part, text) for part in title.split("、")):
                out.append(f"{where}: no part of the title {title!r} is in the text")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    text_dir, ann_dir = Path(argv[1]), Path(argv[2])
    failed = 0
    checked = 0
    for path in sorted(ann_dir.glob("*.json")):
        text_path = text_dir / (path.stem + ".txt")
        if not text_path.exists():
            continue
        checked += 1
        try:
            ann = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            print(f"{path.name}: not valid JSON: {exc}")
            failed += 1
            continue
        errs = problems(text_path.read_text(encoding="utf-8"), ann)
        for e in errs:
            print(f"{path.name}: {e}")
        failed += bool(errs)
    print(f"checked {checked} files, {failed} with errors")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
