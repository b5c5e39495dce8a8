"""Tests for kg.atomic and kg.readwrite (GraphML, CSV, HTML).

The graph is built by hand to contain what real article text throws at the
writers: CJK, parallel edges, markup in labels and evidence, control
characters, missing attributes and odd value types.
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest

from kg.atomic import atomic_open, atomic_write
from kg.evaluate import read_graph
from kg.readwrite import (
    generate_graphml,
    read_graphml,
    write_entities_csv,
    write_graphml,
    write_html,
    write_relations_csv,
)
from kg.readwrite.csv import ENTITY_COLUMNS, RELATION_COLUMNS
from kg.readwrite.graphml import clean_text

NS = "{http://graphml.graphdrawing.org/xmlns}"
XSS_LABEL = "<script>alert(1)</script>"
XSS_ALIAS = '"><img src=x onerror=alert(1)>'
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

NODES: list[tuple[str, dict]] = [
    (
        "PLACE:晋中市",
        {
            "label": "晋中市",
            "type": "PLACE",
            "aliases": "晋中|晋中市",
            "docs": "000.txt|001.txt",
            "mentions": 5,
            "adcode": "140700",
            "level": "city",
        },
    ),
    (
        "PLACE:太谷区",
        {
            "label": "太谷区",
            "type": "PLACE",
            "aliases": "太谷",
            "docs": "000.txt",
            "mentions": 2,
            "adcode": "140703",
            "level": "county",
        },
    ),
    (
        "PERSON:韩亮",
        {
            "label": "韩亮",
            "type": "PERSON",
            "aliases": "韩亮",
            "docs": "000.txt",
            "mentions": 3,
            "posts": "主任@晋中市发展和改革委员会",
        },
    ),
    (
        "AGENCY:晋中市发展和改革委员会",
        {
            "label": "晋中市发展和改革委员会",
            "type": "AGENCY",
            "aliases": "市发改委|晋中市发改委",
            "docs": "000.txt",
            "mentions": 2,
        },
    ),
    (
        "ORG:evil",
        {
            "label": XSS_LABEL,
            "type": "ORG",
            "aliases": XSS_ALIAS,
            "docs": "001.txt",
            "mentions": 1,
        },
    ),
    (
        "POLICY:ctl",
        {
            "label": "控制\x00字符\x1f测试\x0b",
            "type": "POLICY",
            "aliases": "a\x07b",
            "docs": "001.txt",
            "mentions": 1,
        },
    ),
    (
        "PROJECT:龙城大街贯通",
        {"label": "龙城大街贯通", "type": "PROJECT"},
    ),  # attributes missing
]
EDGES: list[tuple[str, str, str, dict]] = [
    (
        "PERSON:韩亮",
        "AGENCY:晋中市发展和改革委员会",
        "HOLDS_POSITION",
        {
            "type": "HOLDS_POSITION",
            "title": "党组书记、局长",
            "docs": "000.txt",
            "evidence": '韩亮说："<b>加快</b>"</script><!-- 推进\r\n项目',
            "weight": 1.0,
        },
    ),
    # parallel edge between the same pair
    (
        "PERSON:韩亮",
        "AGENCY:晋中市发展和改革委员会",
        "CO_MENTION",
        {
            "type": "CO_MENTION",
            "title": "",
            "docs": "000.txt",
            "evidence": "",
            "weight": 2.5,
        },
    ),
    (
        "PLACE:太谷区",
        "PLACE:晋中市",
        "PART_OF",
        {
            "type": "PART_OF",
            "title": "",
            "docs": "000.txt",
            "evidence": "太谷区是晋中市的市辖区。",
            "weight": 1.0,
        },
    ),
    (
        "AGENCY:晋中市发展和改革委员会",
        "PLACE:晋中市",
        "LOCATED_IN",
        {
            "type": "LOCATED_IN",
            "title": "",
            "docs": "000.txt",
            "evidence": "",
            "weight": 1.0,
        },
    ),
    (
        "ORG:evil",
        "PLACE:晋中市",
        "COOPERATES_WITH",
        {
            "type": "COOPERATES_WITH",
            "title": XSS_ALIAS,
            "docs": "001.txt",
            "evidence": "bad\x00\x08text " + XSS_LABEL,
            "weight": 0.25,
        },
    ),
    ("PROJECT:龙城大街贯通", "PLACE:太谷区", "LOCATED_IN", {"type": "LOCATED_IN"}),
]


def make_graph(reverse: bool = False) -> nx.MultiDiGraph:
    """The test graph; ``reverse`` inserts everything in the opposite order."""
    G = nx.MultiDiGraph()
    for n, d in reversed(NODES) if reverse else NODES:
        G.add_node(n, **d)
    for u, v, k, d in reversed(EDGES) if reverse else EDGES:
        G.add_edge(u, v, key=k, **d)
    return G


def cleaned(value):
    return clean_text(value) if isinstance(value, str) else value


@pytest.fixture
def G() -> nx.MultiDiGraph:
    return make_graph()


# --------------------------------------------------------------------- atomic


def test_atomic_write_text_and_bytes(tmp_path: Path) -> None:
    p = tmp_path / "out.txt"
    atomic_write(p, "第一\r\n行")
    assert p.read_bytes() == "第一\r\n行".encode()  # no newline translation
    atomic_write(p, b"\x00bytes")
    assert p.read_bytes() == b"\x00bytes"
    assert sorted(os.listdir(tmp_path)) == ["out.txt"]
    with pytest.raises(TypeError):
        atomic_write(p, 123)  # type: ignore[arg-type]


def test_atomic_open_failure_midway_keeps_old_file(tmp_path: Path) -> None:
    p = tmp_path / "graph.graphml"
    p.write_text("old content", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_open(p) as fh:
        fh.write("half of the new")
        raise RuntimeError("interrupted")
    assert p.read_text(encoding="utf-8") == "old content"
    assert os.listdir(tmp_path) == ["graph.graphml"]  # temp file removed


def test_atomic_write_failing_replace_keeps_old_file(tmp_path: Path, monkeypatch) -> None:
    p = tmp_path / "g.csv"
    p.write_text("old", encoding="utf-8")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(p, "new")
    assert p.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["g.csv"]


def test_writer_failing_midway_keeps_old_file(tmp_path: Path, G, monkeypatch) -> None:
    """A writer whose serialisation dies leaves the previous output alone."""
    p = tmp_path / "g.graphml"
    write_graphml(G, p)
    before = p.read_bytes()
    calls = {"n": 0}
    real_fsync = os.fsync

    def fsync_then_die(fd):
        calls["n"] += 1
        real_fsync(fd)
        raise KeyboardInterrupt  # e.g. Ctrl-C after the data hit the temp file

    monkeypatch.setattr(os, "fsync", fsync_then_die)
    G.add_node("PLACE:兴县", label="兴县", type="PLACE")
    with pytest.raises(KeyboardInterrupt):
        write_graphml(G, p)
    assert calls["n"] == 1
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["g.graphml"]


def test_atomic_write_permissions(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    atomic_write(p, "a")
    mask = os.umask(0o022)
    os.umask(mask)
    assert p.stat().st_mode & 0o777 == 0o666 & ~mask  # not mkstemp's 0600
    os.chmod(p, 0o640)
    atomic_write(p, "b")
    assert p.stat().st_mode & 0o777 == 0o640


# -------------------------------------------------------------------- GraphML


def test_graphml_roundtrip_networkx(tmp_path: Path, G) -> None:
    p = tmp_path / "g.graphml"
    write_graphml(G, p)
    H = nx.read_graphml(p, force_multigraph=True)
    assert isinstance(H, nx.MultiDiGraph)
    assert set(H.nodes) == set(G.nodes)
    for n, d in G.nodes(data=True):
        expected = {k: cleaned(v) for k, v in d.items()}
        assert H.nodes[n] == expected
        for k, v in H.nodes[n].items():
            assert type(v) is type(d[k])
    assert isinstance(H.nodes["PLACE:晋中市"]["mentions"], int)
    got = {(u, v, k): {a: b for a, b in d.items() if a != "key"} for u, v, k, d in H.edges(keys=True, data=True)}
    want = {(u, v, k): {a: cleaned(b) for a, b in d.items()} for u, v, k, d in G.edges(keys=True, data=True)}
    assert got == want
    for d in got.values():
        if "weight" in d:
            assert isinstance(d["weight"], float)
    # the \r inside the evidence survives XML newline normalisation
    ev = H.edges["PERSON:韩亮", "AGENCY:晋中市发展和改革委员会", "HOLDS_POSITION"]["evidence"]
    assert ev == EDGES[0][3]["evidence"]


def test_read_graphml_roundtrip(tmp_path: Path, G) -> None:
    p = tmp_path / "g.graphml"
    write_graphml(G, p)
    H = read_graphml(p)
    assert isinstance(H, nx.MultiDiGraph)
    assert dict(H.nodes(data=True)) == {n: {k: cleaned(v) for k, v in d.items()} for n, d in G.nodes(data=True)}
    assert sorted((u, v, k, tuple(sorted(d.items()))) for u, v, k, d in H.edges(keys=True, data=True)) == sorted(
        (u, v, k, tuple(sorted((a, cleaned(b)) for a, b in d.items()))) for u, v, k, d in G.edges(keys=True, data=True)
    )
    # writing what was read gives the same bytes
    q = tmp_path / "h.graphml"
    write_graphml(H, q)
    assert q.read_bytes() == p.read_bytes()


def test_graphml_is_valid_xml_with_named_keys(tmp_path: Path, G) -> None:
    p = tmp_path / "g.graphml"
    write_graphml(G, p)
    raw = p.read_bytes()
    assert not CONTROL.search(raw.decode("utf-8"))
    root = ET.parse(p).getroot()
    keys = root.findall(NS + "key")
    assert keys
    types: dict[tuple[str, str], str] = {}
    for k in keys:
        assert not re.fullmatch(r"d\d+", k.get("id"))
        assert k.get("id") == k.get("attr.name")
        assert k.get("attr.type") in {"string", "int", "long", "double", "boolean"}
        assert (k.get("for"), k.get("attr.name")) not in types  # one type per key
        types[(k.get("for"), k.get("attr.name"))] = k.get("attr.type")
    assert types[("node", "mentions")] == "int"
    assert types[("edge", "weight")] == "double"
    assert types[("node", "label")] == "string"
    assert len(root.find(NS + "graph").findall(NS + "edge")) == G.number_of_edges()


def test_graphml_as_the_scorer_reads_it(tmp_path: Path, G) -> None:
    p = tmp_path / "g.graphml"
    write_graphml(G, p)
    nodes, edges = read_graph(p)
    assert nodes["PLACE:晋中市"]["type"] == "PLACE"
    assert nodes["ORG:evil"]["label"] == XSS_LABEL
    assert nodes["POLICY:ctl"]["label"] == "控制字符测试"
    rels = sorted(a["type"] for _, _, a in edges)
    assert rels == sorted(k for _, _, k, _ in EDGES)


def test_graphml_deterministic(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.graphml", tmp_path / "b.graphml", tmp_path / "c.graphml"
    write_graphml(make_graph(), a)
    write_graphml(make_graph(), b)
    write_graphml(make_graph(reverse=True), c)
    assert a.read_bytes() == b.read_bytes() == c.read_bytes()
    assert b"<?xml" in a.read_bytes()[:10]


def test_sorted_nodes_and_edges_do_not_depend_on_insertion_or_id_types() -> None:
    """String ids sort as themselves; mixed ids by their string form, then their type."""
    import random

    from kg.readwrite.graphml import sorted_edges, sorted_nodes

    edges = [(f"n{i % 7}", f"n{i % 5}", f"k{i % 3}") for i in range(40)]
    orders = []
    for seed in range(3):
        shuffled = edges[:]
        random.Random(seed).shuffle(shuffled)
        H = nx.MultiDiGraph()
        H.add_edges_from((u, v, k, {"w": i}) for i, (u, v, k) in enumerate(shuffled))
        orders.append((sorted_nodes(H), [(u, v, k) for u, v, k, _ in sorted_edges(H)]))
    assert orders[0] == orders[1] == orders[2]
    assert orders[0] == (sorted({x for e in edges for x in e[:2]}), sorted(set(edges)))
    mixed = nx.MultiDiGraph([(1, "1", "a"), ("1", 1, 2), (10, 2, "a"), (2, 10, "a")])
    assert sorted_nodes(mixed) == [1, "1", 10, 2]
    assert [(u, v, k) for u, v, k, _ in sorted_edges(mixed)] == [(1, "1", "a"), ("1", 1, 2), (10, 2, "a"), (2, 10, "a")]
    simple = nx.DiGraph([("b", "a"), ("a", "c"), ("a", "b")])
    assert [(u, v, k) for u, v, k, _ in sorted_edges(simple)] == [("a", "b", None), ("a", "c", None), ("b", "a", None)]


def test_graphml_odd_values() -> None:
    """None is skipped, lists/sets joined, int+float promoted, one type per key."""
    G = nx.MultiDiGraph()
    G.add_node(
        "a",
        label=None,
        aliases=["甲", "乙"],
        docs={"2.txt", "1.txt"},
        mentions=2,
        flag=True,
        score=1,
        extra={"k": "v"},
    )
    G.add_node("b", label="b", mentions=3, flag=False, score=0.5)
    G.add_node(3, label="int id")
    G.add_edge("a", "b", weight=1)  # integer key 0, integer weight
    G.add_edge("a", "b", weight=float("nan"))
    text = generate_graphml(G)
    root = ET.fromstring(text.encode("utf-8"))
    ktypes = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in root.findall(NS + "key")}
    assert ktypes[("node", "score")] == "double"
    assert ktypes[("node", "flag")] == "boolean"
    assert ktypes[("edge", "weight")] == "double"
    assert ktypes[("edge", "key")] == "int"
    assert "None" not in text
    H = nx.read_graphml(io.BytesIO(text.encode("utf-8")), force_multigraph=True)
    assert "label" not in H.nodes["a"]
    assert H.nodes["a"]["aliases"] == "甲|乙"
    assert H.nodes["a"]["docs"] == "1.txt|2.txt"
    assert H.nodes["a"]["extra"] == '{"k": "v"}'
    assert H.nodes["a"]["score"] == 1.0 and H.nodes["b"]["flag"] is False
    assert H.nodes["3"]["label"] == "int id"
    assert sorted(k for _, _, k in H.edges(keys=True)) == [0, 1]


def test_graphml_shared_key_with_different_types() -> None:
    """A name used by nodes and edges with different types gets distinct ids."""
    G = nx.MultiDiGraph()
    G.add_node("a", weight="heavy")
    G.add_node("b")
    G.add_edge("a", "b", key="X", weight=0.5)
    root = ET.fromstring(generate_graphml(G).encode("utf-8"))
    ids = [k.get("id") for k in root.findall(NS + "key")]
    assert len(ids) == len(set(ids))
    H = nx.read_graphml(io.BytesIO(generate_graphml(G).encode("utf-8")), force_multigraph=True)
    assert H.nodes["a"]["weight"] == "heavy"
    assert H.edges["a", "b", "X"]["weight"] == 0.5


# ------------------------------------------------------------------------ CSV


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_entities_csv(tmp_path: Path, G) -> None:
    p = tmp_path / "entities.csv"
    write_entities_csv(G, p)
    rows = read_csv(p)
    assert tuple(rows[0]) == ENTITY_COLUMNS
    assert len(rows) == 1 + G.number_of_nodes()
    by_id = {r[0]: dict(zip(rows[0], r, strict=False)) for r in rows[1:]}
    assert by_id["PLACE:晋中市"] == {
        "id": "PLACE:晋中市",
        "label": "晋中市",
        "type": "PLACE",
        "aliases": "晋中|晋中市",
        "docs": "000.txt|001.txt",
        "mentions": "5",
        "adcode": "140700",
        "level": "city",
        "posts": "",
    }
    assert by_id["ORG:evil"]["aliases"] == XSS_ALIAS
    assert by_id["POLICY:ctl"]["label"] == "控制字符测试"
    assert by_id["PROJECT:龙城大街贯通"]["docs"] == ""
    assert not p.read_bytes().startswith(b"\xef\xbb\xbf")


def test_relations_csv(tmp_path: Path, G) -> None:
    p = tmp_path / "relations.csv"
    write_relations_csv(G, p)
    rows = read_csv(p)
    assert tuple(rows[0]) == RELATION_COLUMNS
    assert len(rows) == 1 + G.number_of_edges()
    recs = [dict(zip(rows[0], r, strict=False)) for r in rows[1:]]
    hp = next(r for r in recs if r["type"] == "HOLDS_POSITION")
    assert hp["source_label"] == "韩亮"
    assert hp["target_label"] == "晋中市发展和改革委员会"
    assert hp["title"] == "党组书记、局长"
    assert hp["evidence"] == EDGES[0][3]["evidence"]
    assert hp["weight"] == "1.0"
    assert sum(r["source"] == "PERSON:韩亮" for r in recs) == 2  # parallel edges kept
    coop = next(r for r in recs if r["type"] == "COOPERATES_WITH")
    assert coop["evidence"] == "badtext " + XSS_LABEL


def test_csv_deterministic(tmp_path: Path) -> None:
    for name, writer in (("e", write_entities_csv), ("r", write_relations_csv)):
        a, b = tmp_path / f"{name}1.csv", tmp_path / f"{name}2.csv"
        writer(make_graph(), a)
        writer(make_graph(reverse=True), b)
        assert a.read_bytes() == b.read_bytes()


# ----------------------------------------------------------------------- HTML


@pytest.fixture
def page(tmp_path: Path, G) -> str:
    p = tmp_path / "graph.html"
    write_html(G, p, title="晋中 <b>知识图谱</b>")
    return p.read_text(encoding="utf-8")


def test_html_offline(page: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", page, re.IGNORECASE)
    assert not re.search(r"<link\b", page, re.IGNORECASE)
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert "vis.Network" in page and "vis-network" in page  # library is inlined
    assert "default-src 'none'" in page


def test_html_contains_labels_escaped(page: str, G) -> None:
    for _, d in G.nodes(data=True):
        assert html.escape(clean_text(d["label"])) in page
    assert "晋中市发展和改革委员会" in page  # CJK written as characters, not \\u escapes
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "<b>知识图谱" not in page and "&lt;b&gt;知识图谱" in page
    assert not CONTROL.search(page)


def test_html_script_blocks_cannot_be_broken(page: str) -> None:
    """Only our four script elements exist, and the data blocks are valid JSON."""
    opens = re.findall(r"^<script\b[^>]*>", page, re.MULTILINE)
    assert page.count("</script") == 4
    assert "<!--" not in page  # would switch the HTML parser into escaped script states
    assert opens == [
        "<script>",
        '<script type="application/json" id="kg-data">',
        '<script type="application/json" id="kg-more">',
        "<script>",
    ]
    more = re.search(r'<script type="application/json" id="kg-more">(.*?)</script>', page, re.DOTALL)
    assert more and "<" not in more.group(1) and ">" not in more.group(1)
    assert json.loads(more.group(1)) == {"rels": [], "docs": [], "nodes": [], "edges": []}  # all drawn
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.DOTALL)
    assert m
    block = m.group(1)
    assert "<" not in block and ">" not in block
    data = json.loads(block)
    labels = {n["label"] for n in data["nodes"]}
    assert XSS_LABEL in labels
    assert len(data["nodes"]) == 7 and len(data["edges"]) == 6
    ids = [e["id"] for e in data["edges"]]
    assert len(ids) == len(set(ids))
    # the side panel and tooltips get type, aliases, division, posts and documents
    # of nodes; relation, title, evidence and documents of edges
    evil = next(n for n in data["nodes"] if n["label"] == XSS_LABEL)
    assert evil["type"] == "ORG" and evil["aliases"] == [XSS_ALIAS] and evil["docs"] == ["001.txt"]
    city = next(n for n in data["nodes"] if n["label"] == "晋中市")
    assert (city["adcode"], city["level"], city["aliases"]) == ("140700", "city", ["晋中", "晋中市"])
    han = next(n for n in data["nodes"] if n["label"] == "韩亮")
    assert han["posts"] == ["主任@晋中市发展和改革委员会"]
    hp = next(e for e in data["edges"] if e["type"] == "HOLDS_POSITION")
    assert hp["title"] == "党组书记、局长" and hp["docs"] == ["000.txt"]
    assert "</script>" in data["evidence"][hp["ev"]]
    # node size grows with degree; colour by type; every node has a position
    sizes = {n["label"]: n["size"] for n in data["nodes"]}
    assert sizes["晋中市"] > sizes["龙城大街贯通"]
    colors = {n["type"]: n["color"] for n in data["nodes"]}
    assert len(set(colors.values())) == len(colors)
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    # positions are precomputed, so the page starts without physics; the
    # optional "relax" stabilisation turns physics off again when done
    assert data["options"]["physics"]["enabled"] is False
    assert data["options"]["physics"]["stabilization"]["enabled"] is True
    assert "physics: { enabled: false }" in page
    assert data["summary"] == {"nodes_total": 7, "nodes_shown": 7, "edges_total": 6, "edges_shown": 6}


def test_html_never_uses_inner_html(page: str) -> None:
    """Page text reaches the DOM through textContent only; the CSP allows no
    script but ours (by hash), so injected markup could not run anyway."""
    script = page[page.rindex("<script>") :]
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "document.write" not in script
    assert "textContent" in script
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]
    assert len(re.findall(r"'sha256-[A-Za-z0-9+/=]+'", csp)) == 2


def test_html_legend(page: str) -> None:
    legend = re.search(r'<details id="kg-legend".*?\n</details>', page, re.DOTALL)
    assert legend
    for t in (
        "PLACE",
        "PERSON",
        "AGENCY",
        "ORG",
        "PROJECT",
        "POLICY",
        "HOLDS_POSITION",
        "PART_OF",
    ):
        assert t in legend.group(0)
        # each legend entry is the check box that shows or hides its type
        assert re.search(rf'<input type="checkbox" checked data-kind="(node|edge)" value="{t}">', legend.group(0))


def test_html_max_nodes_keeps_most_connected(tmp_path: Path, G) -> None:
    """Above max_nodes the page keeps the best-connected nodes and says so."""
    p = tmp_path / "small.html"
    write_html(G, p, max_nodes=3)
    page = p.read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="kg-data">(.*?)</script>', page, re.DOTALL).group(1))
    assert {n["label"] for n in data["nodes"]} >= {"晋中市", "晋中市发展和改革委员会"}
    assert len(data["nodes"]) == 3
    shown = {n["id"] for n in data["nodes"]}
    assert all(e["from"] in shown and e["to"] in shown for e in data["edges"])
    assert data["summary"]["nodes_total"] == 7 and data["summary"]["edges_total"] == 6
    assert "4 entities are left out" in page
    write_html(G, p, max_nodes=None)
    assert "left out" not in p.read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        write_html(G, p, max_nodes=-1)


def test_html_deterministic(tmp_path: Path) -> None:
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    write_html(make_graph(), a, title="t")
    write_html(make_graph(reverse=True), b, title="t")
    assert a.read_bytes() == b.read_bytes()
    assert str(tmp_path) not in a.read_text(encoding="utf-8")
    assert sorted(os.listdir(tmp_path)) == ["a.html", "b.html"]


def test_html_empty_graph(tmp_path: Path) -> None:
    p = tmp_path / "empty.html"
    write_html(nx.MultiDiGraph(), p)
    assert "0 entities, 0 relations" in p.read_text(encoding="utf-8")


def test_ids_that_clash_after_cleaning_stay_distinct(tmp_path: Path) -> None:
    """Dropping control characters must not merge two nodes in any output."""
    G = nx.MultiDiGraph()
    G.add_node("晋中\x00市", label="甲", type="PLACE")
    G.add_node("晋中市", label="乙", type="PLACE")
    G.add_edge("晋中\x00市", "晋中市", key="PART_OF", type="PART_OF")
    write_graphml(G, tmp_path / "g.graphml")
    H = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    assert H.number_of_nodes() == 2 and H.number_of_edges() == 1
    write_html(G, tmp_path / "g.html")
    page = (tmp_path / "g.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'id="kg-data">(.*?)</script>', page, re.DOTALL).group(1))
    assert len({n["id"] for n in data["nodes"]}) == 2
    write_entities_csv(G, tmp_path / "e.csv")
    ids = [r[0] for r in read_csv(tmp_path / "e.csv")[1:]]
    assert sorted(ids) == sorted(H.nodes)


def test_a_popular_entitys_documents_are_cut_to_what_a_spreadsheet_holds(tmp_path: Path) -> None:
    """20,000 documents (260,000 characters): the CSV cell stops at whole names under
    Excel's 32,767 and says how many it left out; GraphML keeps them all."""
    import csv as std_csv

    docs = [f"19980101-01-{i:05d}.txt" for i in range(20_000)]
    G = nx.MultiDiGraph()
    G.add_node("PLACE:11", label="北京市", type="PLACE", docs="|".join(docs), mentions=20_000)
    G.add_node("PERSON:张三", label="张三", type="PERSON", docs=docs[0], mentions=1)
    G.add_edge("PERSON:张三", "PLACE:11", key="CO_MENTION", type="CO_MENTION", docs="|".join(docs), weight=1.0)
    write_entities_csv(G, tmp_path / "e.csv")
    write_relations_csv(G, tmp_path / "r.csv")
    for name, column in (("e.csv", "docs"), ("r.csv", "docs")):
        with (tmp_path / name).open(encoding="utf-8", newline="") as fh:  # the default field limit: 131,072
            rows = list(std_csv.DictReader(fh))
        cell = max((r[column] for r in rows), key=len)
        assert len(cell) <= 32_767
        *kept, note = cell.split("|")
        assert kept == docs[: len(kept)] and note == f"… {len(docs) - len(kept)} more (all in graph.graphml)"
    write_graphml(G, tmp_path / "g.graphml")
    assert nx.read_graphml(tmp_path / "g.graphml").nodes["PLACE:11"]["docs"] == "|".join(docs)


def test_csv_cells_a_spreadsheet_would_run_start_with_a_quote(tmp_path: Path) -> None:
    G = nx.MultiDiGraph()
    G.add_node("POLICY:=1+1", label="=1+1", type="POLICY", aliases="@SUM(A1)|+x", docs="-cmd.txt", mentions=1)
    G.add_node("PLACE:x", label="x", type="PLACE", docs="a.txt", mentions=-3)
    G.add_edge(
        "POLICY:=1+1",
        "PLACE:x",
        key="LOCATED_IN",
        type="LOCATED_IN",
        title='=HYPERLINK("//ev.il/1")',
        docs="a.txt",
        evidence="\t=2",
        weight=-1.5,
    )
    write_entities_csv(G, tmp_path / "e.csv")
    write_relations_csv(G, tmp_path / "r.csv")
    entities = {r[0]: r for r in read_csv(tmp_path / "e.csv")[1:]}
    assert entities["POLICY:=1+1"][1:5] == ["'=1+1", "POLICY", "'@SUM(A1)|+x", "'-cmd.txt"]
    assert entities["PLACE:x"][5] == "-3"  # a number stays a number
    relation = read_csv(tmp_path / "r.csv")[1]
    assert relation[3:7] == ['\'=HYPERLINK("//ev.il/1")', "a.txt", "'\t=2", "-1.5"]
    write_entities_csv(G, tmp_path / "n.csv", "neo4j")  # a database import takes the text as written
    assert {r[0]: r for r in read_csv(tmp_path / "n.csv")[1:]}["POLICY:=1+1"][1] == "=1+1"
