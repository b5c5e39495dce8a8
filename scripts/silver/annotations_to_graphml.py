#!/usr/bin/env python3
"""Write annotation files (the gold format) as one GraphML that score_graph.py reads.

Usage: annotations_to_graphml.py ANNOTATION_DIR OUT.graphml [--rename MAP.tsv]

Why: to score annotators against reviewed gold with the same scorer as kg
(``python ../shared/tools/score_graph.py OUT.graphml GOLD_DIR``). Each document's
entities are nodes of their own (documents are never merged), with the mentions as
aliases. ``--rename`` maps an annotation file's id to the gold's document name
(tab-separated: id, name), for texts handed to annotators under neutral ids.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import networkx as nx


def to_graph(ann_dir: Path, rename: dict[str, str]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for path in sorted(ann_dir.glob("*.json")):
        ann = json.loads(path.read_text(encoding="utf-8"))
        doc = rename.get(path.stem, ann.get("doc") or path.stem)
        types = {}
        for e in ann["entities"]:
            node = f"{doc}|{e['type']}|{e['name']}"
            types[e["name"]] = node
            g.add_node(node, label=e["name"], type=e["type"], aliases="|".join(sorted(set(e.get("mentions", [])))), docs=doc)
        for r in ann["relations"]:
            if r.get("head") in types and r.get("tail") in types:
                g.add_edge(types[r["head"]], types[r["tail"]], type=r["rel"], docs=doc, title=r.get("title", ""))
    return g


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("ann_dir", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--rename", type=Path)
    args = ap.parse_args()
    rename = {}
    if args.rename:
        for line in args.rename.read_text(encoding="utf-8").splitlines():
            if line.strip():
                a, b = line.split("\t")
                rename[a] = b
    nx.write_graphml(to_graph(args.ann_dir, rename), args.out, named_key_ids=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
