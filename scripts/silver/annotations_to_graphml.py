#!/usr/bin/env python3
"""Write annotations as one GraphML that ``../shared/tools/score_graph.py`` reads.

Usage::

    annotations_to_graphml.py ANNOTATION_DIR OUT.graphml [--rename MAP.tsv]
    annotations_to_graphml.py --standoff FILE.jsonl --source SOURCE OUT.graphml

Why: to score annotators against reviewed gold with the same scorer as kg. The first
form reads annotators' files (the gold format of ANNOTATION.md); ``--rename`` maps a
file's id to the gold's document name (tab-separated), for texts handed out under
neutral ids. The second reads stand-off records (``build_standoff.py``) and takes each
mention's surface from the text in SOURCE (a JSON-lines file or a folder of .txt files).
Each document's entities are nodes of their own (documents are never merged), with the
surface forms as aliases; a document is named ``<id>.txt``, as kg names its inputs.

Reproduce the annotators' figures on ../shared/wide (silver/README.md)::

    python scripts/silver/annotations_to_graphml.py --standoff silver/calibration_wide.jsonl \\
        --source ../shared/wide/docs /tmp/annotators.graphml
    python ../shared/tools/score_graph.py /tmp/annotators.graphml ../shared/wide/gold
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import networkx as nx
from build_standoff import read_texts


def from_standoff(path: Path, source: Path) -> list[dict]:
    """Annotations in the gold format, rebuilt from stand-off records and their texts."""
    texts = read_texts(source)
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        text = texts[rec["doc"]]
        surfaces: list[set[str]] = [set() for _ in rec["entities"]]
        for s, e, i in rec["mentions"]:
            surfaces[i].add("".join(text[s:e].split()))
        entities = [{**ent, "mentions": sorted(surfaces[i])} for i, ent in enumerate(rec["entities"])]
        names = [ent["name"] for ent in rec["entities"]]
        relations = [{**r, "head": names[r["head"]], "tail": names[r["tail"]]} for r in rec["relations"]]
        out.append({"doc": rec["doc"] + ".txt", "entities": entities, "relations": relations})
    return out


def from_files(ann_dir: Path, rename: dict[str, str]) -> list[dict]:
    out = []
    for path in sorted(ann_dir.glob("*.json")):
        ann = json.loads(path.read_text(encoding="utf-8"))
        ann["doc"] = rename.get(path.stem, ann.get("doc") or path.stem)
        out.append(ann)
    return out


def to_graph(annotations: list[dict]) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for ann in annotations:
        doc = ann["doc"]
        nodes = {}
        for e in ann["entities"]:
            node = f"{doc}|{e['type']}|{e['name']}"
            nodes[e["name"]] = node
            g.add_node(node, label=e["name"], type=e["type"], aliases="|".join(sorted(set(e.get("mentions", [])))), docs=doc)
        for r in ann["relations"]:
            if r.get("head") in nodes and r.get("tail") in nodes:
                g.add_edge(nodes[r["head"]], nodes[r["tail"]], type=r["rel"], docs=doc, title=r.get("title", ""))
    return g


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", type=Path, help="ANNOTATION_DIR OUT.graphml, or OUT.graphml with --standoff")
    ap.add_argument("--rename", type=Path)
    ap.add_argument("--standoff", type=Path)
    ap.add_argument("--source", type=Path)
    args = ap.parse_args()
    if args.standoff:
        if not args.source or len(args.inputs) != 1:
            ap.error("--standoff needs --source and one output file")
        annotations, out = from_standoff(args.standoff, args.source), args.inputs[0]
    else:
        if len(args.inputs) != 2:
            ap.error("give ANNOTATION_DIR and OUT.graphml")
        rename = {}
        if args.rename:
            rename = dict(line.split("\t") for line in args.rename.read_text(encoding="utf-8").splitlines() if line)
        annotations, out = from_files(args.inputs[0], rename), args.inputs[1]
    nx.write_graphml(to_graph(annotations), out, named_key_ids=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
