"""GEXF 1.3 output for Gephi: the graph opens laid out, coloured and sized.

GraphML carries the data but no drawing, so Gephi shows a grey square of
nodes until the user runs a layout.  The GEXF file carries, for every node, a
``viz:color`` by entity type (the palette of the HTML legend,
:data:`kg.layout.TYPE_COLORS`), a ``viz:size`` by degree and a
``viz:position`` from :func:`kg.layout.layout_positions` (deterministic; the y
axis is flipped because Gephi's points up and the browser's down, so both
views look alike).  Edges carry the relation colour, a thickness by weight,
``label`` and ``kind`` set to the edge's kind, its relation type or, for a post, type
and title (:func:`kg.readwrite.graphml.edge_kind`: Gephi keeps parallel edges of
different kinds apart instead of merging them) and the native ``weight``.

Attributes: nodes ``label`` (native) and ``type``, ``aliases``, ``docs``,
``mentions``, ``adcode``, ``level``, ``posts``; edges ``type``, ``title``,
``docs``, ``evidence`` and ``weight`` (native); any other scalar attribute
follows, sorted by name.  Attribute ids equal their titles, so the file reads
well and :func:`networkx.read_gexf` gives back the same names.

Like the GraphML writer: XML-invalid control characters are removed (from
attribute names too), nodes and edges are written in sorted order with the
GraphML ids, nothing time-dependent is written (no ``lastmodifieddate``), and
the file is written atomically.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import networkx as nx

from kg.atomic import LineSink, atomic_lines
from kg.layout import edge_color, hex_to_rgb, layout_positions
from kg.readwrite.graphml import (
    CleanNames,
    clean_text,
    edge_kind,
    format_value,
    node_visuals,
    sorted_edges,
    sorted_nodes,
    to_scalar,
    unique_node_ids,
)

__all__ = ["GEXF_NS", "VIZ_NS", "generate_gexf", "write_gexf"]

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"

_NODE_ORDER = ("type", "aliases", "docs", "mentions", "adcode", "level", "posts")
_EDGE_ORDER = ("type", "title", "docs", "evidence")
# Written natively on the element (or unrepresentable as attributes).
_NODE_NATIVE = frozenset({"label", "id"})
_EDGE_NATIVE = frozenset({"weight", "label", "id", "key", "kind", "source", "target"})
_INT32 = 2**31


_TO_ESCAPE = re.compile('[&<>"\t\n\r]')


def _esc(s: str) -> str:
    """Escape text for a double-quoted XML attribute; \\t \\n \\r survive as references."""
    if not _TO_ESCAPE.search(s):
        return s
    return (
        s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


def _num(x: float) -> str:
    """A finite float in a fixed, round-trippable form."""
    x = float(x)
    if not math.isfinite(x):
        return "0.0"
    return repr(x + 0.0)  # + 0.0 turns -0.0 into 0.0


def _gexf_type(values: list[Any]) -> str:
    kinds = {type(v) for v in values}
    if kinds == {bool}:
        return "boolean"
    if kinds and kinds <= {int, float}:
        if kinds == {int}:
            return "long" if any(not -_INT32 <= v < _INT32 for v in values) else "integer"
        return "double"
    return "string"


def _columns(rows: list[dict[str, Any]], preferred: tuple[str, ...]) -> list[tuple[str, str]]:
    """(name, gexf type) of every attribute present, contract names first."""
    values: dict[str, list[Any]] = {}
    for row in rows:
        for k, v in row.items():
            values.setdefault(k, []).append(v)
    rank = {n: i for i, n in enumerate(preferred)}
    names = sorted(values, key=lambda n: (rank.get(n, len(preferred)), n))
    return [(n, _gexf_type(values[n])) for n in names]


def _attributes_block(cls: str, cols: list[tuple[str, str]]) -> list[str]:
    if not cols:
        return []
    out = [f'    <attributes class="{cls}" mode="static">']
    for name, gtype in cols:
        out.append(f'      <attribute id="{_esc(name)}" title="{_esc(name)}" type="{gtype}"/>')
    out.append("    </attributes>")
    return out


@cache
def _edge_rgb(rel: str) -> tuple[int, int, int]:
    return hex_to_rgb(edge_color(rel))


def _attvalues(row: dict[str, Any], cols: list[tuple[str, str, str]], indent: str) -> str:
    """The ``<attvalues>`` element of `row` as lines joined ("" for none); `cols`: (name,
    gexf type, the opening of its ``<attvalue>``)."""
    out = []
    for name, gtype, opening in cols:
        value = row.get(name)  # rows hold no None (to_scalar's "missing")
        if value is not None:
            out.append(f'{opening}{_esc(format_value(value, gtype))}"/>')
    if not out:
        return ""
    return f"{indent}<attvalues>\n" + "\n".join(out) + f"\n{indent}</attvalues>\n"


def _openings(cols: list[tuple[str, str]], indent: str) -> list[tuple[str, str, str]]:
    return [(name, gtype, f'{indent}  <attvalue for="{_esc(name)}" value="') for name, gtype in cols]


def generate_gexf(G: nx.Graph, positions: Mapping[Any, tuple[float, float]] | None = None) -> str:
    """Serialise *G* as a GEXF 1.3 string (deterministic for equal graphs).

    *positions*: node -> (x, y) in the browser's orientation (y down), as
    :func:`kg.layout.layout_positions` gives; computed when not given.
    """
    lines: list[str] = []
    _gexf_lines(G, positions, lines)
    return "\n".join(lines) + "\n"


def _gexf_lines(G: nx.Graph, positions: Mapping[Any, tuple[float, float]] | None, out: list[str] | LineSink) -> None:
    """The lines of :func:`generate_gexf`, appended to `out`."""
    nodes = sorted_nodes(G)
    edges = sorted_edges(G)
    ids = unique_node_ids(nodes)
    if positions is None or any(n not in positions for n in nodes):
        positions = layout_positions(G)
    multi = G.is_multigraph()

    names = CleanNames()
    node_rows = []
    for n in nodes:
        row = {names[k]: s for k, v in G.nodes[n].items() if k not in _NODE_NATIVE and (s := to_scalar(v)) is not None}
        node_rows.append(row)
    edge_rows = []
    for _u, _v, k, d in edges:
        row = {names[name]: s for name, v in d.items() if name not in _EDGE_NATIVE and (s := to_scalar(v)) is not None}
        if "type" not in row and multi and isinstance(k, str):
            row["type"] = clean_text(k)  # the key is the relation type by contract
        edge_rows.append(row)
    node_cols = _columns(node_rows, _NODE_ORDER)
    edge_cols = _columns(edge_rows, _EDGE_ORDER)

    mode = "directed" if G.is_directed() else "undirected"
    out.extend(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<gexf xmlns="{GEXF_NS}" xmlns:viz="{VIZ_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            f'xsi:schemaLocation="{GEXF_NS} {GEXF_NS}/gexf.xsd" version="1.3">',
            "  <meta>",
            "    <creator>kg</creator>",
            "    <description>regional-development knowledge graph: nodes coloured by entity type, sized by degree</description>",
            "  </meta>",
            f'  <graph defaultedgetype="{mode}" mode="static">',
        ]
    )
    out.extend(_attributes_block("node", node_cols))
    out.extend(_attributes_block("edge", edge_cols))

    # each element is one string of lines: the sink writes it as it would the lines one by one
    out.append("    <nodes>")
    node_openings = _openings(node_cols, "        ")
    for n, row, viz in zip(nodes, node_rows, node_visuals(G, nodes, positions), strict=True):
        label = to_scalar(G.nodes[n].get("label"))
        label_text = ids[n] if label is None or label == "" else format_value(label, "string")
        out.append(
            f'      <node id="{_esc(ids[n])}" label="{_esc(label_text)}">\n'
            + _attvalues(row, node_openings, "        ")
            + f'        <viz:color r="{viz["r"]}" g="{viz["g"]}" b="{viz["b"]}"/>\n'
            f'        <viz:size value="{_num(viz["size"])}"/>\n'
            f'        <viz:position x="{_num(viz["x"])}" y="{_num(viz["y"])}" z="0.0"/>\n'
            "      </node>"
        )
    out.append("    </nodes>")

    out.append("    <edges>")
    edge_openings = _openings(edge_cols, "        ")
    for i, ((u, v, k, d), row) in enumerate(zip(edges, edge_rows, strict=True)):
        rel = str(row.get("type", ""))
        attrs = f'id="e{i}" source="{_esc(ids[u])}" target="{_esc(ids[v])}"'
        if kind := edge_kind(k, {"type": rel}):
            attrs += f' label="{_esc(kind)}" kind="{_esc(kind)}"'
        weight = to_scalar(d.get("weight"))
        thickness = 1.0
        if isinstance(weight, (int, float)) and not isinstance(weight, bool) and math.isfinite(weight):
            attrs += f' weight="{_num(weight)}"'
            thickness = round(1 + min(4.0, math.log1p(max(float(weight), 0.0))), 2)
        r, g, b = _edge_rgb(rel)
        out.append(
            f"      <edge {attrs}>\n" + _attvalues(row, edge_openings, "        ") + f'        <viz:color r="{r}" g="{g}" b="{b}"/>\n'
            f'        <viz:thickness value="{_num(thickness)}"/>\n'
            "      </edge>"
        )
    out.append("    </edges>")
    out.append("  </graph>")
    out.append("</gexf>")


def write_gexf(G: nx.Graph, path: str | os.PathLike[str], positions: Mapping[Any, tuple[float, float]] | None = None) -> None:
    """Write *G* as GEXF 1.3 to *path* atomically (see module docstring)."""
    with atomic_lines(path) as sink:
        _gexf_lines(G, positions, sink)
