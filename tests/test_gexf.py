"""GEXF output: Gephi opens the graph laid out, coloured by type and sized by degree.

Checked through two independent readers (networkx.read_gexf, which is what a
notebook would use, and xml.etree on the raw elements, which is closer to what
Gephi reads), on a hand-made graph holding what article text throws at writers:
CJK, markup, control characters, parallel edges, missing attributes.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from kg.layout import EDGE_COLORS, TYPE_COLORS, hex_to_rgb, layout_positions, node_size
from kg.readwrite import generate_gexf, write_gexf
from kg.readwrite.html import TYPE_COLORS as HTML_TYPE_COLORS

G_NS = "{http://gexf.net/1.3}"
V_NS = "{http://gexf.net/1.3/viz}"
XSS_LABEL = "<script>alert(1)</script>"
XSS_ALIAS = '"><img src=x onerror=alert(1)>'
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

NODES = [
    (
        "PLACE:晋中市",
        {
            "label": "晋中市",
            "type": "PLACE",
            "aliases": "晋中|晋中市",
            "docs": "a.txt|b.txt",
            "mentions": 5,
            "adcode": "140700",
            "level": "city",
        },
    ),
    (
        "PLACE:太谷区",
        {"label": "太谷区", "type": "PLACE", "aliases": "太谷", "docs": "a.txt", "mentions": 2, "adcode": "140703", "level": "county"},
    ),
    (
        "PERSON:韩亮",
        {"label": "韩亮", "type": "PERSON", "aliases": "韩亮", "docs": "a.txt", "mentions": 3, "posts": "主任@晋中市发展和改革委员会"},
    ),
    (
        "AGENCY:晋中市发展和改革委员会",
        {"label": "晋中市发展和改革委员会", "type": "AGENCY", "aliases": "市发改委", "docs": "a.txt", "mentions": 2},
    ),
    ("ORG:evil", {"label": XSS_LABEL, "type": "ORG", "aliases": XSS_ALIAS, "docs": "b.txt", "mentions": 1}),
    ("POLICY:ctl", {"label": "控制\x00字符\x1f测试\x0b", "type": "POLICY", "aliases": "a\x07b", "docs": "b.txt", "mentions": 1}),
    ("PROJECT:龙城大街贯通", {"label": "龙城大街贯通", "type": "PROJECT"}),
    ("MYSTERY:x", {"label": "无类型", "type": "MYSTERY"}),
]
EDGES = [
    (
        "PERSON:韩亮",
        "AGENCY:晋中市发展和改革委员会",
        "HOLDS_POSITION",
        {
            "type": "HOLDS_POSITION",
            "title": "党组书记、局长",
            "docs": "a.txt",
            "evidence": '韩亮说："<b>加快</b>"</script>\r\n推进',
            "weight": 1.0,
        },
    ),
    (
        "PERSON:韩亮",
        "AGENCY:晋中市发展和改革委员会",
        "CO_MENTION",
        {"type": "CO_MENTION", "title": "", "docs": "a.txt", "evidence": "", "weight": 2.5},
    ),
    (
        "PLACE:太谷区",
        "PLACE:晋中市",
        "PART_OF",
        {"type": "PART_OF", "title": "", "docs": "a.txt", "evidence": "太谷区是晋中市的市辖区。", "weight": 1.0},
    ),
    (
        "AGENCY:晋中市发展和改革委员会",
        "PLACE:晋中市",
        "LOCATED_IN",
        {"type": "LOCATED_IN", "title": "", "docs": "a.txt", "evidence": "", "weight": 1.0},
    ),
    (
        "ORG:evil",
        "PLACE:晋中市",
        "COOPERATES_WITH",
        {"type": "COOPERATES_WITH", "title": XSS_ALIAS, "docs": "b.txt", "evidence": "bad\x00\x08text " + XSS_LABEL, "weight": 0.25},
    ),
    ("PROJECT:龙城大街贯通", "PLACE:太谷区", "LOCATED_IN", {"type": "LOCATED_IN"}),  # attributes missing
]


def make_graph(reverse: bool = False) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for n, d in reversed(NODES) if reverse else NODES:
        G.add_node(n, **d)
    for u, v, k, d in reversed(EDGES) if reverse else EDGES:
        G.add_edge(u, v, key=k, **d)
    return G


@pytest.fixture
def gexf(tmp_path: Path) -> Path:
    p = tmp_path / "graph.gexf"
    write_gexf(make_graph(), p)
    return p


def test_networkx_reads_every_node_with_label_type_colour_and_position(gexf: Path) -> None:
    H = nx.read_gexf(gexf)
    G = make_graph()
    assert isinstance(H, nx.MultiDiGraph)
    assert set(H.nodes) == set(G.nodes)
    assert H.number_of_edges() == G.number_of_edges()
    for n, a in H.nodes(data=True):
        assert a["label"] and a["type"] == G.nodes[n]["type"]
        viz = a["viz"]
        assert {"r", "g", "b"} <= set(viz["color"])
        assert set(viz["position"]) == {"x", "y", "z"}
        assert viz["size"] > 0
    city = H.nodes["PLACE:晋中市"]
    assert city["label"] == "晋中市"
    assert (city["aliases"], city["docs"], city["mentions"], city["adcode"], city["level"]) == (
        "晋中|晋中市",
        "a.txt|b.txt",
        5,
        "140700",
        "city",
    )
    assert H.nodes["PERSON:韩亮"]["posts"] == "主任@晋中市发展和改革委员会"
    assert H.nodes["ORG:evil"]["label"] == XSS_LABEL and H.nodes["ORG:evil"]["aliases"] == XSS_ALIAS
    assert H.nodes["POLICY:ctl"]["label"] == "控制字符测试" and H.nodes["POLICY:ctl"]["aliases"] == "ab"
    assert H.nodes["PROJECT:龙城大街贯通"]["label"] == "龙城大街贯通"  # no other attributes: still labelled


def test_networkx_reads_edge_attributes(gexf: Path) -> None:
    H = nx.read_gexf(gexf)
    edges = {(u, v, d["type"]): d for u, v, d in H.edges(data=True)}
    assert len(edges) == len(EDGES)  # the parallel edges stay apart
    hp = edges[("PERSON:韩亮", "AGENCY:晋中市发展和改革委员会", "HOLDS_POSITION")]
    assert hp["title"] == "党组书记、局长" and hp["docs"] == "a.txt" and hp["weight"] == 1.0
    assert hp["evidence"] == '韩亮说："<b>加快</b>"</script>\r\n推进'  # \r survives XML newline normalisation
    assert edges[("PERSON:韩亮", "AGENCY:晋中市发展和改革委员会", "CO_MENTION")]["weight"] == 2.5
    coop = edges[("ORG:evil", "PLACE:晋中市", "COOPERATES_WITH")]
    assert coop["title"] == XSS_ALIAS and coop["evidence"] == "badtext " + XSS_LABEL
    bare = edges[("PROJECT:龙城大街贯通", "PLACE:太谷区", "LOCATED_IN")]
    assert "weight" not in bare and "evidence" not in bare


def test_raw_xml_colours_sizes_positions(gexf: Path) -> None:
    raw = gexf.read_text(encoding="utf-8")
    assert not CONTROL.search(raw)
    assert "<script>" not in raw and "<img" not in raw  # markup is escaped text
    root = ET.parse(gexf).getroot()
    assert root.tag == G_NS + "gexf" and root.get("version") == "1.3"
    graph = root.find(G_NS + "graph")
    assert graph.get("defaultedgetype") == "directed"
    G = make_graph()
    positions = layout_positions(G)
    degree = dict(G.degree())
    nodes = graph.find(G_NS + "nodes").findall(G_NS + "node")
    assert len(nodes) == G.number_of_nodes()
    for el in nodes:
        n = el.get("id")
        assert el.get("label")
        ntype = G.nodes[n]["type"]
        colour = el.find(V_NS + "color")
        expected = hex_to_rgb(TYPE_COLORS.get(ntype, "#9d9d9d"))
        assert (int(colour.get("r")), int(colour.get("g")), int(colour.get("b"))) == expected
        pos = el.find(V_NS + "position")
        assert (float(pos.get("x")), -float(pos.get("y"))) == pytest.approx(positions[n])  # Gephi's y points up
        assert float(el.find(V_NS + "size").get("value")) == node_size(degree[n])
    # one colour per known type, and it is the HTML legend's colour
    assert HTML_TYPE_COLORS == TYPE_COLORS
    # edges: relation as label and kind (Gephi keeps parallel edges of different kinds)
    edges = graph.find(G_NS + "edges").findall(G_NS + "edge")
    assert len(edges) == G.number_of_edges() and len({e.get("id") for e in edges}) == len(edges)
    for el in edges:
        assert el.get("label") == el.get("kind") and el.get("kind") in EDGE_COLORS
        c = el.find(V_NS + "color")
        assert (int(c.get("r")), int(c.get("g")), int(c.get("b"))) == hex_to_rgb(EDGE_COLORS[el.get("kind")])
    declared = {(cls.get("class"), a.get("title"), a.get("type")) for cls in graph.findall(G_NS + "attributes") for a in cls}
    assert ("node", "mentions", "integer") in declared
    assert {("node", t, "string") for t in ("type", "aliases", "docs", "adcode", "level", "posts")} <= declared
    assert {("edge", t, "string") for t in ("type", "title", "docs", "evidence")} <= declared


def test_positions_spread_and_components_do_not_overlap() -> None:
    positions = layout_positions(make_graph())
    pts = sorted(positions.values())
    assert len(set(pts)) == len(pts)  # no two nodes on one spot
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    assert max(xs) - min(xs) > 50 or max(ys) - min(ys) > 50


def test_deterministic_and_independent_of_insertion_order(tmp_path: Path) -> None:
    a, b = tmp_path / "a.gexf", tmp_path / "b.gexf"
    write_gexf(make_graph(), a)
    write_gexf(make_graph(reverse=True), b)
    assert a.read_bytes() == b.read_bytes()
    assert generate_gexf(make_graph()) == a.read_text(encoding="utf-8")


def test_written_atomically(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "graph.gexf"
    write_gexf(make_graph(), p)
    before = p.read_bytes()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    G = make_graph()
    G.add_node("PLACE:兴县", label="兴县", type="PLACE")
    with pytest.raises(OSError):
        write_gexf(G, p)
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["graph.gexf"]


def test_empty_and_undirected_graphs(tmp_path: Path) -> None:
    write_gexf(nx.MultiDiGraph(), tmp_path / "empty.gexf")
    assert nx.read_gexf(tmp_path / "empty.gexf").number_of_nodes() == 0
    U = nx.Graph()
    U.add_edge("a", "b", weight=2)
    U.add_node("c", label="丙", type="PLACE")
    write_gexf(U, tmp_path / "u.gexf")
    H = nx.read_gexf(tmp_path / "u.gexf")
    assert not H.is_directed() and H.number_of_edges() == 1 and H.nodes["c"]["label"] == "丙"
    assert H.nodes["a"]["label"] == "a"  # id stands in for a missing label


def test_seed_build_gexf_opens(tmp_path: Path, seed_graph: nx.MultiDiGraph) -> None:
    """The real graph: every node coloured by its type and placed."""
    p = tmp_path / "graph.gexf"
    write_gexf(seed_graph, p)
    H = nx.read_gexf(p)
    assert H.number_of_nodes() == seed_graph.number_of_nodes() and H.number_of_edges() == seed_graph.number_of_edges()
    for n, a in H.nodes(data=True):
        assert a["type"] == seed_graph.nodes[n]["type"]
        c = a["viz"]["color"]
        assert (c["r"], c["g"], c["b"]) == hex_to_rgb(TYPE_COLORS[a["type"]])
        assert "position" in a["viz"]


def test_layout_of_big_components_is_deterministic_and_finite(monkeypatch) -> None:
    """Above DENSE_LIMIT nodes per component repulsion is sampled (seeded)."""
    import math

    import kg.layout

    monkeypatch.setattr(kg.layout, "DENSE_LIMIT", 50)
    G = nx.MultiDiGraph()
    for i in range(300):
        G.add_node(f"n{i}", label=f"节点{i}", type="PLACE")
    for i in range(1, 300):  # a binary tree plus chords
        G.add_edge(f"n{i}", f"n{i // 2}", key="PART_OF", type="PART_OF")
        if i % 5 == 0:
            G.add_edge(f"n{i}", f"n{(i * 13) % 300}", key="CO_MENTION", type="CO_MENTION")
    a = layout_positions(G)
    b = layout_positions(nx.MultiDiGraph(list(reversed(list(G.edges(keys=True, data=True))))))
    assert a == b and len(a) == 300
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in a.values())
    assert len(set(a.values())) == 300
