"""GraphML output for Gephi and the scorer, and the matching reader.

We write GraphML ourselves instead of calling :func:`networkx.write_graphml`
because the networkx writer

* keeps XML-invalid control characters (``\\x00``-``\\x1f``), which makes the
  file unreadable for every XML parser, the scorer included;
* crashes on ``None`` and list/dict attribute values;
* writes nodes and edges in insertion order, so two builds of the same graph can
  differ byte-wise and produce noisy diffs;
* uses the multigraph key as the edge ``id``: our keys are relation types, which
  repeat, and Gephi drops edges whose id it has already seen;
* writes no edge ``label``, from which Gephi takes an edge's kind: without it Gephi
  merges parallel edges (a post and a co-mention of one pair) into one.

Gephi draws nodes from the keys x, y, size, r, g, b, written when the layout's
positions are given (``kg build`` does), so the file opens laid out and coloured
like the GEXF and the page.

The layout follows what :mod:`networkx` reads back: ``<key>`` ids are the
attribute names (``label``, ``type``, ``weight`` ... rather than ``d0``), a
node and an edge attribute of the same name and value type share one id, as
networkx's ``named_key_ids=True`` does and as ``score_graph.py`` expects.  The
multigraph key is stored as an edge attribute ``key``, which
:func:`networkx.read_graphml` turns back into the edge key when an edge has no
``id``.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter
from typing import Any

import networkx as nx

from kg.atomic import LineSink, atomic_lines
from kg.layout import hex_to_rgb, node_color, node_size

__all__ = [
    "clean_text",
    "edge_kind",
    "generate_graphml",
    "node_visuals",
    "read_graphml",
    "sorted_edges",
    "sorted_nodes",
    "to_scalar",
    "unique_node_ids",
    "write_graphml",
]

NS = "http://graphml.graphdrawing.org/xmlns"

# C0 controls other than TAB/LF/CR are not allowed in XML 1.0; lone surrogates
# cannot be encoded as UTF-8; U+FFFE/U+FFFF are XML non-characters.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Attributes that are read as numbers by consumers even when a build happens to
# store only whole values: keep their GraphML type stable across builds.
_FLOAT_ATTRS = frozenset({"weight"})

# Contract attributes first (Gephi shows columns in key order), the rest sorted.
_PREFERRED_ORDER = {
    "graph": (),
    "node": (
        "label",
        "type",
        "aliases",
        "docs",
        "mentions",
        "adcode",
        "level",
        "posts",
        "x",
        "y",
        "size",
        "r",
        "g",
        "b",
    ),
    "edge": ("type", "title", "docs", "evidence", "weight"),
}
_DOMAINS = ("graph", "node", "edge")
# the drawing Gephi reads from node keys: derived from the layout, so a reader drops them
VISUAL_KEYS = frozenset({"x", "y", "size", "r", "g", "b"})
_INT32 = 2**31


def clean_text(value: str) -> str:
    """Remove characters that XML 1.0 cannot carry (``\\x00``-``\\x08``,
    ``\\x0b``, ``\\x0c``, ``\\x0e``-``\\x1f``, lone surrogates, U+FFFE/U+FFFF).

    Article text scraped from the web does contain such bytes; dropping them is
    the only option that keeps every output format parseable. A printable string
    (nearly every one) has none of them: all are control, surrogate or unassigned.
    """
    return value if value.isprintable() else _INVALID_XML.sub("", value)


class CleanNames(dict):
    """Attribute name as given -> as written (:func:`clean_text` of its text): each made
    once per file, not once per value."""

    def __missing__(self, name: Any) -> str:
        self[name] = clean = clean_text(str(name))
        return clean


def _sort_key(obj: Any) -> tuple[str, str]:
    return (str(obj), type(obj).__name__)


def _all_str(items: Iterable[Any]) -> bool:
    return all(type(x) is str for x in items)


def sorted_nodes(G: nx.Graph) -> list[Any]:
    """Nodes in a deterministic order (by ``str(id)``), independent of insertion."""
    if _all_str(G):  # kg's own graphs: the same order, without a key per node
        return sorted(G.nodes)
    return sorted(G.nodes, key=_sort_key)


def sorted_edges(G: nx.Graph) -> list[tuple[Any, Any, Any, dict[str, Any]]]:
    """``(u, v, key, data)`` in a deterministic order; ``key`` is None for
    simple graphs.  Sorting by string form keeps mixed id types comparable."""
    if G.is_multigraph():
        edges = list(G.edges(keys=True, data=True))
        plain = _all_str(G) and _all_str(k for _, _, k, _ in edges)
    else:
        edges = [(u, v, None, d) for u, v, d in G.edges(data=True)]
        plain = _all_str(G)  # no two edges share both ends: None keys are never compared
    if plain:  # string ids and keys (kg's own graphs) sort as themselves, 5 times as fast
        return sorted(edges, key=itemgetter(0, 1, 2))
    return sorted(edges, key=lambda e: (_sort_key(e[0]), _sort_key(e[1]), _sort_key(e[2])))


def to_scalar(value: Any) -> str | int | float | bool | None:
    """Reduce an attribute value to a GraphML scalar, or None for "missing".

    Lists/tuples become the project's "|"-joined form, sets are sorted first so
    the output is deterministic, dicts become sorted JSON.
    """
    kind = type(value)  # the exact common types first: the writers call this millions of times
    if kind is str:
        return clean_text(value)
    if kind is int or kind is float or kind is bool:
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (bytes, bytearray)):
        return clean_text(bytes(value).decode("utf-8", errors="replace"))
    if isinstance(value, (set, frozenset)):
        return clean_text("|".join(sorted(str(x) for x in value if x is not None)))
    if isinstance(value, (list, tuple)):
        return clean_text("|".join(str(x) for x in value if x is not None))
    if isinstance(value, dict):
        return clean_text(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
    return clean_text(str(value))


def _infer_type(name: str, values: Iterable[str | int | float | bool]) -> str:
    """One GraphML type per key: boolean, int/long, double, else string."""
    kinds = {type(v) for v in values}
    if kinds == {bool}:
        return "boolean"
    if kinds <= {int, float} and kinds:
        if kinds == {int} and name not in _FLOAT_ATTRS:
            big = any(not -_INT32 <= v < _INT32 for v in values)  # type: ignore[operator]
            return "long" if big else "int"
        return "double"
    return "string"


def format_value(value: str | float | bool, gtype: str) -> str:
    """A scalar as GraphML/GEXF/CSV text for its declared type (int/integer, long,
    double, boolean, string): one rendering for every writer."""
    if gtype == "string" and type(value) is str:  # nearly every value: as it is
        return value
    if gtype == "boolean":
        return "true" if value else "false"
    if gtype in ("int", "integer", "long"):
        return str(int(value))
    if gtype == "double":
        x = float(value)
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "INF" if x > 0 else "-INF"
        return repr(x)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


_ESCAPED = re.compile("[&<>\r]")


def _esc_text(s: str) -> str:
    # \r would be normalised to \n by every XML parser: keep it as a reference.
    if not _ESCAPED.search(s):
        return s
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _esc_attr(s: str) -> str:
    return _esc_text(s).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def _ordered_names(domain: str, names: Iterable[str]) -> list[str]:
    pref = _PREFERRED_ORDER[domain]
    rank = {n: i for i, n in enumerate(pref)}
    return sorted(names, key=lambda n: (rank.get(n, len(pref)), n))


def unique_node_ids(nodes: list[Any]) -> dict[Any, str]:
    """Map nodes to XML-safe, unique string ids (stable for a given node set).

    Removing control characters could make two ids equal; those get a
    ``#2``, ``#3`` ... suffix so that no writer silently merges two nodes.
    """
    cleaned = {n: clean_text(str(n)) for n in nodes}
    taken = set()
    ids: dict[Any, str] = {}
    counts: dict[str, int] = {}
    for c in cleaned.values():
        counts[c] = counts.get(c, 0) + 1
    reserved = {c for c, k in counts.items() if k == 1}
    for n in nodes:
        cid = cleaned[n]
        if counts[cid] > 1 or cid in taken:
            i = 2
            while f"{cid}#{i}" in taken or f"{cid}#{i}" in reserved:
                i += 1
            cid = f"{cid}#{i}"
        taken.add(cid)
        ids[n] = cid
    return ids


def edge_kind(key: Any, data: dict[str, Any]) -> str:
    """What Gephi tells parallel edges apart by (GraphML ``label``, GEXF ``kind``): the edge
    key, which is the relation type, or type and title for a post (one edge per title).
    Gephi merges parallel edges of one kind, so two relations of a pair must differ here."""
    k = to_scalar(key)
    return str(k) if isinstance(k, str) and k else str(to_scalar(data.get("type")) or "")


def node_visuals(G: nx.Graph, nodes: list[Any], positions: Mapping[Any, tuple[float, float]]) -> list[dict[str, Any]]:
    """How Gephi draws each node, in GraphML keys and GEXF ``viz`` alike: x, y (pointing up,
    where the browser's y points down), size by degree, r, g, b by entity type (the
    palette of the page's legend)."""
    degree = dict(G.degree())
    out = []
    for n in nodes:
        x, y = positions[n]
        r, g, b = hex_to_rgb(node_color(str(G.nodes[n].get("type", ""))))
        out.append({"x": float(x) + 0.0, "y": -float(y) + 0.0, "size": float(node_size(degree.get(n, 0))), "r": r, "g": g, "b": b})
    return out


def generate_graphml(G: nx.Graph, positions: Mapping[Any, tuple[float, float]] | None = None) -> str:
    """Serialise *G* to a GraphML string (deterministic for equal graphs).

    *positions*: node -> (x, y) in the browser's orientation, as
    :func:`kg.layout.layout_positions` gives; with them every node carries the x, y,
    size, r, g, b keys Gephi draws with. Every edge carries its kind as the XML
    attribute ``label`` (:func:`edge_kind`).
    """
    lines: list[str] = []
    _graphml_lines(G, positions, lines)
    return "\n".join(lines) + "\n"


def _graphml_lines(G: nx.Graph, positions: Mapping[Any, tuple[float, float]] | None, out: list[str] | LineSink) -> None:
    """The lines of :func:`generate_graphml`, appended to `out`."""
    nodes = sorted_nodes(G)
    edges = sorted_edges(G)
    multi = G.is_multigraph()

    # Collect scalar attribute values per domain.
    graph_attrs = {k: s for k, v in G.graph.items() if k not in ("node_default", "edge_default") and (s := to_scalar(v)) is not None}
    node_attrs = [{k: s for k, v in G.nodes[n].items() if (s := to_scalar(v)) is not None} for n in nodes]
    if positions is not None:
        for row, extra in zip(node_attrs, node_visuals(G, nodes, positions), strict=True):
            row.update(extra)
    edge_attrs = []
    for _u, _v, k, d in edges:
        row = {name: s for name, v in d.items() if not (multi and name == "key") and (s := to_scalar(v)) is not None}
        if multi and (ks := to_scalar(k)) is not None:
            row["key"] = ks
        edge_attrs.append(row)

    values: dict[str, dict[str, list[Any]]] = {dom: {} for dom in _DOMAINS}
    clean_names = CleanNames()
    for dom, rows in (
        ("graph", [graph_attrs]),
        ("node", node_attrs),
        ("edge", edge_attrs),
    ):
        for row in rows:
            for name, val in row.items():
                values[dom].setdefault(clean_names[name], []).append(val)
    gtypes = {dom: {name: _infer_type(name, vals) for name, vals in values[dom].items()} for dom in _DOMAINS}

    # Key ids are the attribute names; a name used in several domains with
    # different types gets a domain prefix so that readers keying only on the
    # id (networkx) never decode a value with the wrong type.
    key_ids: dict[tuple[str, str], str] = {}
    used_ids: dict[str, str] = {}  # id -> type
    for dom in _DOMAINS:
        for name in _ordered_names(dom, gtypes[dom]):
            gtype = gtypes[dom][name]
            kid = name
            if kid in used_ids and used_ids[kid] != gtype:
                kid = f"{dom}_{name}"
                while kid in used_ids and used_ids[kid] != gtype:
                    kid = "_" + kid
            used_ids[kid] = gtype
            key_ids[(dom, name)] = kid

    out.append('<?xml version="1.0" encoding="UTF-8"?>')
    xsi = "http://www.w3.org/2001/XMLSchema-instance"
    out.append(f'<graphml xmlns="{NS}" xmlns:xsi="{xsi}" xsi:schemaLocation="{NS} {NS}/1.0/graphml.xsd">')
    for dom in _DOMAINS:
        for name in _ordered_names(dom, gtypes[dom]):
            out.append(
                f'  <key id="{_esc_attr(key_ids[(dom, name)])}" for="{dom}" '
                f'attr.name="{_esc_attr(name)}" attr.type="{gtypes[dom][name]}" />'
            )

    # per domain, in the written order: (attribute name, its type, the opening tag)
    columns = {
        dom: [(name, gtypes[dom][name], f'<data key="{_esc_attr(key_ids[(dom, name)])}">') for name in _ordered_names(dom, gtypes[dom])]
        for dom in _DOMAINS
    }

    # rows are keyed by the names as given: where each is already as written, as good as cleaned
    names_clean = all(type(k) is str and k == c for k, c in clean_names.items())

    def data_lines(dom: str, row: dict[Any, Any], indent: str) -> Iterator[str]:
        cleaned = row if names_clean else {clean_names[k]: v for k, v in row.items()}
        for name, gtype, tag in columns[dom]:
            value = cleaned.get(name)  # rows hold no None (to_scalar's "missing")
            if value is not None:
                yield f"{indent}{tag}{_esc_text(format_value(value, gtype))}</data>"

    direction = "directed" if G.is_directed() else "undirected"
    out.append(f'  <graph edgedefault="{direction}">')
    out.extend(data_lines("graph", graph_attrs, "    "))
    ids = unique_node_ids(nodes)
    for n, row in zip(nodes, node_attrs, strict=False):
        if row:
            out.append(f'    <node id="{_esc_attr(ids[n])}">')
            out.extend(data_lines("node", row, "      "))
            out.append("    </node>")
        else:
            out.append(f'    <node id="{_esc_attr(ids[n])}" />')
    for (u, v, k, d), row in zip(edges, edge_attrs, strict=False):
        head = f'    <edge source="{_esc_attr(ids[u])}" target="{_esc_attr(ids[v])}"'
        if kind := edge_kind(k, d):
            head += f' label="{_esc_attr(kind)}"'
        if row:
            out.append(head + ">")
            out.extend(data_lines("edge", row, "      "))
            out.append("    </edge>")
        else:
            out.append(head + " />")
    out.append("  </graph>")
    out.append("</graphml>")


def write_graphml(G: nx.Graph, path: str | os.PathLike[str], positions: Mapping[Any, tuple[float, float]] | None = None) -> None:
    """Write *G* as GraphML to *path* atomically (UTF-8, byte-identical for
    equal graphs, readable by Gephi, networkx and ``score_graph.py``)."""
    with atomic_lines(path) as sink:
        _graphml_lines(G, positions, sink)


def read_graphml(path: str | os.PathLike[str]) -> nx.MultiDiGraph:
    """Read a GraphML file written by :func:`write_graphml` into a MultiDiGraph.

    Edge keys come back from the ``key`` attribute (networkx does that when an
    edge has no ``id``), which is then dropped from the edge data, and so are the
    drawing keys (x, y, size, r, g, b), so that a write/read round trip returns the
    original attributes.
    """
    H = nx.read_graphml(path, node_type=str, force_multigraph=True)
    G = nx.MultiDiGraph()
    G.graph.update({k: v for k, v in H.graph.items() if not (k in ("node_default", "edge_default") and not v)})
    G.add_nodes_from((n, {k: v for k, v in d.items() if k not in VISUAL_KEYS}) for n, d in H.nodes(data=True))
    for u, v, k, d in H.edges(keys=True, data=True):
        data = dict(d)
        data.pop("key", None)
        G.add_edge(u, v, key=k, **data)
    return G
