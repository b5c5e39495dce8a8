"""Merge per-document extractions into one graph: one node per real-world entity.

Nodes merge by key (places by division code, others by type and canonical name);
edges by (head, tail, relation). A symmetric relation (:data:`SYMMETRIC_RELATIONS`)
is one edge per pair, from the smaller key to the larger (kg.relations orders
the pair; a person merge only appends to a key, which keeps the order): every
graph file stays directed, because networkx and igraph read no graph that mixes
directed and undirected edges, and the direction of these says nothing. Every
node and edge keeps the documents that support it, and every edge one evidence
sentence. Attribute names and types are the contract of the GraphML output (see
kg.readwrite.graphml).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

import networkx as nx

from kg.extraction import DocExtraction

#: Relations that read the same both ways: the two places cooperate, the two entities share a sentence.
SYMMETRIC_RELATIONS = frozenset({"COOPERATES_WITH", "CO_MENTION"})


def person_merges(extractions: list[DocExtraction]) -> dict[str, str]:
    """Join a name's person keys when they cannot be two people.

    People are keyed by name and the city they serve (PERSON:王静@1407). A name
    seen with at most one city, and elsewhere with none (a national paper, no
    post), is one person: those keys merge into the anchored one. A name seen with
    two cities stays two people.
    """
    by_name: dict[str, set[str]] = {}
    for ex in extractions:
        for e in ex.entities:
            if e.type == "PERSON":
                by_name.setdefault(e.label, set()).add(e.key)
    out = {}
    for keys in by_name.values():
        anchored = sorted(k for k in keys if "@" in k)
        if len(keys) > 1 and len(anchored) <= 1:
            target = anchored[0] if anchored else min(keys)
            out.update({k: target for k in keys if k != target})
    return out


def build_graph(extractions: Iterable[DocExtraction]) -> nx.MultiDiGraph:
    """The knowledge graph of a set of documents, independent of their order."""
    nodes: dict[str, dict] = {}
    edges: dict[tuple[str, str, str], dict] = {}
    extractions = sorted(extractions, key=lambda x: x.doc_id)
    merge = person_merges(extractions)
    for ex in extractions:
        for e in ex.entities:
            if e.key in merge:
                e = replace(e, key=merge[e.key])
            n = nodes.setdefault(
                e.key,
                {"label": e.label, "type": e.type, "aliases": set(), "docs": set(), "mentions": 0, "adcode": e.adcode, "level": e.level},
            )
            if e.surface:
                n["aliases"].add(e.surface)
                n["mentions"] += 1
            n["docs"].add(ex.doc_id)
        for r in ex.relations:
            if r.head in merge or r.tail in merge:
                r = replace(r, head=merge.get(r.head, r.head), tail=merge.get(r.tail, r.tail))
            if r.head == r.tail or r.head not in nodes or r.tail not in nodes:
                continue
            # a post is one edge per title, so a change of post over time stays visible
            key = f"{r.type}:{r.title}" if r.type == "HOLDS_POSITION" else r.type
            ed = edges.setdefault(
                (r.head, r.tail, key), {"type": r.type, "titles": [], "docs": set(), "evidence": r.evidence, "weight": 0.0, "dates": set()}
            )
            if r.title and r.title not in ed["titles"]:
                ed["titles"].append(r.title)
            if r.date:
                ed["dates"].add(r.date)
            if not ed["evidence"] and r.evidence:
                ed["evidence"] = r.evidence
            ed["docs"].add(ex.doc_id)
            ed["weight"] += 1.0

    posts: dict[str, list[str]] = {}
    for (head, tail, _), ed in edges.items():
        if ed["type"] == "HOLDS_POSITION":
            for t in ed["titles"] or [""]:
                posts.setdefault(head, []).append(f"{t}@{nodes[tail]['label']}")

    G = nx.MultiDiGraph()
    for key in sorted(nodes):
        n = nodes[key]
        attrs = {
            "label": n["label"],
            "type": n["type"],
            "aliases": "|".join(sorted(n["aliases"])),
            "docs": "|".join(sorted(n["docs"])),
            "mentions": n["mentions"],
        }
        if n["type"] == "PLACE":
            attrs["adcode"] = n["adcode"]
            attrs["level"] = n["level"]
        if key in posts:
            attrs["posts"] = "|".join(sorted(posts[key]))
        G.add_node(key, **attrs)
    for head, tail, key in sorted(edges):
        ed = edges[(head, tail, key)]
        extra = {"dates": "|".join(sorted(ed["dates"]))} if ed["type"] == "HOLDS_POSITION" else {}
        G.add_edge(
            head,
            tail,
            key=key,
            type=ed["type"],
            title="、".join(ed["titles"]),
            docs="|".join(sorted(ed["docs"])),
            evidence=ed["evidence"],
            weight=ed["weight"],
            **extra,
        )
    return G
