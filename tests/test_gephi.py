"""What Gephi keeps of kg's GraphML and GEXF files.

Gephi's importers (0.10) merge parallel edges of one kind under their default
settings: the kind is the XML attribute ``label`` of a GraphML ``<edge>`` and ``kind``
of a GEXF ``<edge>``. These tests group the edges of the seeds' files the way Gephi
does and count what survives; they also check the drawing keys Gephi reads from
GraphML nodes (x, y, size, r, g, b), and that networkx still reads both files.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import networkx as nx

from kg.layout import TYPE_COLORS, hex_to_rgb
from kg.readwrite import read_graphml

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"
GEXF = "{http://gexf.net/1.3}"


def _gephi_edges(path: Path, ns: str, kind_attr: str) -> Counter:
    """Edges as Gephi's default import keeps them: one per (source, target, kind)."""
    root = ET.parse(path).getroot()
    return Counter((e.get("source"), e.get("target"), e.get(kind_attr)) for e in root.iter(f"{ns}edge"))


def test_gephi_keeps_every_edge_of_the_graphml(seed_outdir: Path, seed_graph: nx.MultiDiGraph) -> None:
    kept = _gephi_edges(seed_outdir / "graph.graphml", GRAPHML, "label")
    assert None not in {k for _, _, k in kept}
    assert len(kept) == seed_graph.number_of_edges()  # nothing merged


def test_gephi_keeps_every_edge_of_the_gexf(seed_outdir: Path, seed_graph: nx.MultiDiGraph) -> None:
    kept = _gephi_edges(seed_outdir / "graph.gexf", GEXF, "kind")
    assert len(kept) == seed_graph.number_of_edges()


def test_two_posts_at_one_body_are_two_kinds(seed_outdir: Path, seed_graph: nx.MultiDiGraph) -> None:
    pairs = Counter((u, v) for u, v, d in seed_graph.edges(data=True) if d["type"] == "HOLDS_POSITION")
    root = ET.parse(seed_outdir / "graph.graphml").getroot()
    labels = [e.get("label") for e in root.iter(f"{GRAPHML}edge") if e.get("label", "").startswith("HOLDS_POSITION")]
    assert len(labels) == sum(pairs.values())
    assert all(label.startswith("HOLDS_POSITION:") for label in labels)  # the title tells them apart


def test_graphml_nodes_carry_gephis_drawing_keys(seed_outdir: Path, seed_graph: nx.MultiDiGraph) -> None:
    H = nx.read_graphml(seed_outdir / "graph.graphml")
    assert H.number_of_nodes() == seed_graph.number_of_nodes() and H.number_of_edges() == seed_graph.number_of_edges()
    xs = set()
    for _, a in H.nodes(data=True):
        assert (a["r"], a["g"], a["b"]) == hex_to_rgb(TYPE_COLORS[a["type"]])
        assert a["size"] > 0
        xs.add((a["x"], a["y"]))
    assert len(xs) == H.number_of_nodes()  # laid out, no two nodes on one spot


def test_kg_reads_the_graph_without_its_drawing(seed_outdir: Path, seed_graph: nx.MultiDiGraph) -> None:
    G = read_graphml(seed_outdir / "graph.graphml")
    assert dict(G.nodes(data=True)) == dict(seed_graph.nodes(data=True))
