"""A single, self-contained, offline HTML view of the graph (vis-network).

The page needs no network: the vis-network 9.1.2 JavaScript and CSS bundled
with pyvis are inlined, and so is the graph.  It offers a search box (canonical
name or any alias, CJK included, over every entity of the graph, drawn or not:
one that is not drawn is brought in with its neighbours) that selects and
focuses a node, check boxes that show or hide each entity and relation type (the
legend of colours; the status line counts what they leave shown), a side panel
with everything known about the selected node (type, aliases, division code and
level, posts, its relations grouped by type with the evidence sentence of each,
its documents folded last, each a link to its input file when the writer is
given ``doc_links``) or edge (relation, title, evidence), and dims
everything but the neighbourhood of the selection.  Keys: Escape clears, ``/``
searches, ``f`` fits, ``+``/``-`` zoom.  On a phone the filters start folded and
the panel is a sheet at the bottom.

An archive's page stays usable: no node is drawn over another's centre
(:func:`kg.layout.separate`), so a click at any zoom gets the node aimed at, and
the most connected entities' names stay readable on screen however far out the
view is, as many as fit without covering each other.

Why not ``pyvis.Network.write_html``:

* its template links Bootstrap (and, for some modes, vis-network and
  tom-select) from CDNs even with ``cdn_resources="in_line"``, so the page is
  blank without network;
* it embeds node data with Jinja's ``tojson``, which writes CJK as ``\\uXXXX``
  (labels are then not searchable in the file) and passes ``title`` strings
  through untouched;
* ``Network.add_node``/``add_edge`` check membership in Python lists, which is
  quadratic in the size of the graph.

Layout: positions are computed in Python (:func:`kg.layout.layout_positions`,
deterministic) and the page starts with physics off, so even 2,000 nodes are
drawn and interactive at once, and nothing jiggles.  "Relax layout" runs a
bounded vis-network stabilisation, after which physics is switched off again.

Size: above ``max_nodes`` entities the page draws the most connected ones
(:func:`kg.layout.most_connected`) and says how many it left out; the others and
their relations travel compactly in the second data block, so search still finds
them; the GraphML file holds the whole graph too.

Safety: graph text reaches the page either HTML-escaped (legend, entity index,
heading) or inside two ``<script type="application/json">`` blocks (the drawn
graph, and the rest, parsed on the first search) in which
``<``, ``>`` and ``&`` are written as JSON ``\\u003c`` escapes, so it can
neither close the script element nor start a comment.  The page script builds
every tooltip, panel line and search suggestion with ``textContent`` and DOM
properties, never ``innerHTML``.  As a second line of defence the
Content-Security-Policy allows only our two scripts by hash, so an injected
``<script>``, inline event handler or ``javascript:`` URL would not run.  A
document link is kept only as a relative path or a ``file://`` URL.

Determinism: nodes and edges are emitted in sorted order, the layout is
seeded, and nothing time-dependent is written, so equal graphs (and document
links) give byte-identical files; the links are the only paths written.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
import os
from collections import Counter
from collections.abc import Mapping
from importlib import resources
from typing import Any, NamedTuple
from urllib.parse import quote

import networkx as nx

from kg.atomic import atomic_write
from kg.graph import SYMMETRIC_RELATIONS
from kg.layout import (
    EDGE_COLORS,
    OTHER_COLOR,
    OTHER_EDGE_COLOR,
    TYPE_COLORS,
    edge_color,
    layout_positions,
    most_connected,
    node_color,
    node_size,
    separate,
)
from kg.readwrite.graphml import (
    clean_text,
    sorted_edges,
    sorted_nodes,
    to_scalar,
    unique_node_ids,
)

__all__ = [
    "DEFAULT_MAX_NODES",
    "EDGE_COLORS",
    "OTHER_COLOR",
    "OTHER_EDGE_COLOR",
    "TYPE_COLORS",
    "generate_html",
    "write_html",
]

DEFAULT_MAX_NODES = 1500
_VIS_DIR = "vis-9.1.2"


def _text(value: Any) -> str:
    """Any attribute value as display text (lists "|"-joined, controls removed)."""
    s = to_scalar(value)
    if s is None:
        return ""
    if isinstance(s, float):
        return repr(s) if math.isfinite(s) else ""
    return str(s)


def _items(value: Any) -> list[str]:
    """A "|"-joined attribute as a list of its non-empty parts."""
    return [s for s in _text(value).split("|") if s]


def _number(value: Any) -> int | float | None:
    s = to_scalar(value)
    if isinstance(s, bool) or not isinstance(s, (int, float)):
        return None
    if isinstance(s, float) and not math.isfinite(s):
        return None
    return s


def _esc(value: Any) -> str:
    return html.escape(_text(value), quote=True)


def _script_json(obj: Any) -> str:
    """JSON that is safe inside ``<script>``: no ``</script``, ``<!--``, ``]]>``
    and no raw U+2028/U+2029; the escapes are ordinary JSON string escapes."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        s.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def _asset(name: str) -> str:
    """Text of a vis-network file bundled with pyvis, made safe to inline."""
    ref = resources.files("pyvis") / "templates" / "lib" / _VIS_DIR / name
    text = ref.read_text(encoding="utf-8")
    # Defensive: such sequences would end the inline element early.
    return text.replace("</script", "<\\/script").replace("</style", "<\\/style")


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


class _Page(NamedTuple):
    payload: dict[str, Any]
    more: dict[str, Any]
    type_counts: Counter[str]
    rel_counts: Counter[str]
    shown: list[Any]


def _build(G: nx.Graph, max_nodes: int | None, positions: Mapping[Any, tuple[float, float]] | None) -> _Page:
    """The JSON payload of the page: node and edge records, vis options."""
    shown = most_connected(G, max_nodes)
    edges = sorted_edges(G)
    if len(shown) == G.number_of_nodes():
        H, drawn_edges = G, edges
    else:  # a graph of its own: every pass over a subgraph view filters all of G's edges again
        drawn = set(shown)
        drawn_edges = [e for e in edges if e[0] in drawn and e[1] in drawn]
        H = G.__class__()
        H.add_nodes_from((n, G.nodes[n]) for n in shown)
        H.add_edges_from(drawn_edges if G.is_multigraph() else ((u, v, d) for u, v, _, d in drawn_edges))
    if positions is None or any(n not in positions for n in shown):
        positions = layout_positions(H)
    vid = unique_node_ids(sorted_nodes(G))  # the GraphML ids; vis.DataSet rejects duplicates
    degree = dict(G.degree())  # degree in the whole graph: what the panel reports
    # no node drawn over another's centre, so a click at any zoom gets the node aimed at
    positions = separate({n: positions[n] for n in shown}, {n: node_size(degree.get(n, 0)) for n in shown})
    type_counts: Counter[str] = Counter()

    node_records: list[dict[str, Any]] = []
    for n in shown:
        rec = _node_record(G, n, vid, degree)
        type_counts[rec["type"]] += 1
        rec["x"], rec["y"] = positions[n]
        node_records.append(rec)

    # Parallel edges (either direction) get increasingly curved arcs so each
    # one stays visible and clickable.  Evidence sentences are stored once
    # (one sentence often supports many co-mention edges) and referenced.
    seen_pairs: Counter[tuple[str, str]] = Counter()
    rel_counts: Counter[str] = Counter()
    evidence: list[str] = []
    evidence_index: dict[str, int] = {}

    def edge_record(eid: str, u: Any, v: Any, k: Any, d: dict[str, Any]) -> dict[str, Any]:
        rel = _text(d.get("type")) or (k if isinstance(k, str) else "") or "?"
        pair = (vid[u], vid[v]) if vid[u] <= vid[v] else (vid[v], vid[u])
        nth = seen_pairs[pair]
        seen_pairs[pair] += 1
        rec = {"id": eid, "from": vid[u], "to": vid[v], "type": rel, "color": edge_color(rel)}
        if title := _text(d.get("title")):
            rec["title"] = title
        if ev := _text(d.get("evidence")):
            rec["ev"] = evidence_index.setdefault(ev, len(evidence))
            if rec["ev"] == len(evidence):
                evidence.append(ev)
        if docs := _items(d.get("docs")):
            rec["docs"] = docs
        weight = _number(d.get("weight"))
        if weight is not None:
            rec["weight"] = weight
            rec["width"] = round(1 + min(4.0, math.log1p(max(float(weight), 0.0))), 2)
        if nth:
            rec["curve"] = round(0.15 * nth, 2)
        return rec

    edge_records = [edge_record(f"e{i}", u, v, k, d) for i, (u, v, k, d) in enumerate(drawn_edges)]
    rel_counts.update(e["type"] for e in edge_records)
    # what the page does not draw is still in it, so search finds every entity and
    # selecting one brings it in with its neighbours
    more = _more(G, shown, [] if H is G else edges, vid, degree, evidence, evidence_index)

    n_nodes, n_edges = len(node_records), len(edge_records)
    options: dict[str, Any] = {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": 20240601},
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "font": {"size": 14, "face": "sans-serif"},
        },
        "edges": {
            "smooth": False,
            "color": {"inherit": False},
            "arrows": {"to": {"enabled": G.is_directed(), "scaleFactor": 0.5}},
            "selectionWidth": 2,
        },
        # Positions come from Python: no simulation at load.  "Relax layout"
        # switches it on for a bounded stabilisation, then off again.
        "physics": {
            "enabled": False,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                "centralGravity": 0.005,
                "springLength": 100,
                "springConstant": 0.08,
                "avoidOverlap": 0.3,
            },
            "minVelocity": 1,
            "stabilization": {"enabled": True, "iterations": 150 if n_nodes <= 1000 else 60, "updateInterval": 10, "fit": False},
        },
        "interaction": {
            "hover": n_nodes + n_edges <= 20000,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": n_edges > 3000,
            "hideEdgesOnZoom": n_edges > 3000,
            "multiselect": False,
        },
    }
    payload = {
        "summary": {
            "nodes_total": G.number_of_nodes(),
            "nodes_shown": n_nodes,
            "edges_total": G.number_of_edges(),
            "edges_shown": n_edges,
        },
        "nodes": node_records,
        "edges": edge_records,
        "colors": {"types": TYPE_COLORS, "other": OTHER_COLOR, "edges": EDGE_COLORS, "other_edge": OTHER_EDGE_COLOR},
        "evidence": evidence,
        "symmetric": sorted(SYMMETRIC_RELATIONS),
        "options": options,
    }
    return _Page(payload, more, type_counts, rel_counts, shown)


def _node_record(G: nx.Graph, n: Any, vid: dict[Any, str], degree: dict[Any, int]) -> dict[str, Any]:
    """What the page knows of an entity: name, type, colour, size and the panel's facts."""
    a = G.nodes[n]
    ntype = _text(a.get("type")) or "?"
    rec: dict[str, Any] = {
        "id": vid[n],
        "label": _text(a.get("label")) or vid[n],
        "type": ntype,
        "color": node_color(ntype),
        "size": node_size(degree.get(n, 0)),
        "degree": degree.get(n, 0),
    }
    for name in ("aliases", "docs", "posts"):
        if items := _items(a.get(name)):
            rec[name] = items
    mentions = _number(a.get("mentions"))
    if mentions is not None:
        rec["mentions"] = mentions
    for name in ("adcode", "level"):
        if value := _text(a.get(name)):
            rec[name] = value
    return rec


#: the short keys of an entity the page does not draw (colour and size follow from type and degree)
_SHORT_KEYS = {
    "id": "i",
    "label": "l",
    "type": "t",
    "degree": "g",
    "aliases": "a",
    "posts": "p",
    "mentions": "m",
    "adcode": "c",
    "level": "v",
}


def _more(
    G: nx.Graph,
    shown: list[Any],
    graph_edges: list[tuple[Any, Any, Any, dict[str, Any]]],
    vid: dict[Any, str],
    degree: dict[Any, int],
    evidence: list[str],
    evidence_index: dict[str, int],
) -> dict[str, Any]:
    """What the page does not draw, compactly: every other entity and every relation
    touching one, so that search finds every entity and selecting one brings it in with
    its neighbours. Nodes are short-keyed records (i id, l label, t type, g degree,
    a aliases, d document numbers, m mentions, c code, v level, p posts); edges are
    arrays [from, to, relation number, evidence number or -1, weight, title, document
    numbers]; documents and relation types are listed once. `graph_edges`: the graph's, sorted
    (:func:`sorted_edges`); none when the page draws every entity."""
    drawn = set(shown)
    docs: dict[str, int] = {}
    rels: dict[str, int] = {}

    def doc_numbers(names: list[str]) -> list[int]:
        return [docs.setdefault(d, len(docs)) for d in names]

    nodes = []
    for n in sorted_nodes(G):
        if n in drawn:
            continue
        full = _node_record(G, n, vid, degree)
        rec = {short: full[key] for key, short in _SHORT_KEYS.items() if key in full}
        if numbers := doc_numbers(full.get("docs", [])):
            rec["d"] = numbers
        nodes.append(rec)
    edges = []
    for u, v, k, d in graph_edges:
        if u in drawn and v in drawn:
            continue
        rel = _text(d.get("type")) or (k if isinstance(k, str) else "") or "?"
        ev = _text(d.get("evidence"))
        number = evidence_index.setdefault(ev, len(evidence)) if ev else -1
        if ev and number == len(evidence):
            evidence.append(ev)
        edges.append(
            [
                vid[u],
                vid[v],
                rels.setdefault(rel, len(rels)),
                number,
                _number(d.get("weight")) or 1.0,
                _text(d.get("title")),
                doc_numbers(_items(d.get("docs"))),
            ]
        )
    return {"rels": list(rels), "docs": list(docs), "nodes": nodes, "edges": edges}


def _legend(type_counts: Counter[str], rel_counts: Counter[str]) -> str:
    """Legend of colours; each entry is also the check box that shows/hides it."""
    types = [t for t in TYPE_COLORS if t in type_counts] + sorted(t for t in type_counts if t not in TYPE_COLORS)
    parts = ['<details id="kg-legend" open aria-label="legend and filters">', "<summary>Filters</summary>", "<b>Entities</b>"]
    for t in types:
        parts.append(
            f'<label class="kg-item"><input type="checkbox" checked data-kind="node" value="{html.escape(t, quote=True)}">'
            f'<span class="kg-dot" style="background:{node_color(t)}"></span>'
            f"{html.escape(t)} <small>({type_counts[t]})</small></label>"
        )
    if rel_counts:
        parts.append("<b>Relations</b>")
        rels = [r for r in EDGE_COLORS if r in rel_counts] + sorted(r for r in rel_counts if r not in EDGE_COLORS)
        for r in rels:
            style = "dashed" if r == "CO_MENTION" else "solid"
            parts.append(
                f'<label class="kg-item"><input type="checkbox" checked data-kind="edge" value="{html.escape(r, quote=True)}">'
                f'<span class="kg-line" style="border-top:3px {style} {edge_color(r)}"></span>'
                f"{html.escape(r)} <small>({rel_counts[r]})</small></label>"
            )
    parts.append("<b>Only</b>")
    parts.append('<label class="kg-item">document <input id="kg-doc" type="search" placeholder="file name" size="14"></label>')
    parts.append('<label class="kg-item">place <input id="kg-place" type="search" placeholder="and what lies in it" size="14"></label>')
    parts.append("</details>")
    return "\n".join(parts)


def _index(G: nx.Graph, shown: list[Any]) -> str:
    """A plain-HTML entity table: searchable with Ctrl-F, readable without JS."""
    nodes = sorted(shown, key=lambda n: (_text(G.nodes[n].get("type")), _text(G.nodes[n].get("label")) or str(n)))
    rows = []
    for n in nodes:
        a = G.nodes[n]
        rows.append(
            f"<tr><td>{_esc(a.get('label')) or _esc(n)}</td><td>{_esc(a.get('type'))}</td>"
            f"<td>{html.escape('、'.join(_items(a.get('aliases'))))}</td><td>{_esc(a.get('mentions'))}</td>"
            f"<td>{html.escape('、'.join(_items(a.get('docs'))))}</td></tr>"
        )
    return (
        f'<details id="kg-index"><summary>Entity index ({len(nodes)})</summary>\n'
        "<table><thead><tr><th>label</th><th>type</th><th>aliases</th><th>mentions</th>"
        "<th>documents</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table></details>"
    )


def _summary(s: dict[str, int]) -> tuple[str, str]:
    """Status line and, when nodes were left out, the notice saying so."""
    status = f"{s['nodes_shown']:,} entities, {s['edges_shown']:,} relations"
    left = s["nodes_total"] - s["nodes_shown"]
    if not left:
        return status, ""
    note = (
        f"Showing the {s['nodes_shown']:,} most connected of {s['nodes_total']:,} entities "
        f"({s['edges_shown']:,} of {s['edges_total']:,} relations): {left:,} entities are left out here. "
        "graph.graphml holds the whole graph."
    )
    return status, note


_STYLE = """
html, body { margin: 0; padding: 0; font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; }
header { padding: 6px 12px; border-bottom: 1px solid #ddd; display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; }
#kg-search { width: 260px; font-size: 14px; padding: 3px 6px; }
#kg-status { color: #555; font-size: 13px; }
#kg-note { background: #fff4d6; border-bottom: 1px solid #e8d49a; padding: 4px 12px; font-size: 13px; }
#kg-main { position: relative; }
#kg-network { width: 100%; height: calc(100vh - 56px); min-height: 480px; }
#kg-note + #kg-main #kg-network { height: calc(100vh - 84px); }
#kg-legend { position: absolute; top: 8px; left: 8px; background: rgba(255,255,255,0.92); max-height: calc(100% - 24px); overflow: auto;
  border: 1px solid #ccc; border-radius: 4px; padding: 6px 10px; font-size: 13px; z-index: 10; }
#kg-legend b { display: block; margin-top: 4px; }
#kg-legend summary { cursor: pointer; font-weight: bold; }
.kg-group summary { cursor: pointer; font-weight: bold; margin: 6px 0 2px; }
.kg-item { display: block; white-space: nowrap; line-height: 21px; cursor: pointer; }
.kg-item input { margin: 0 6px 0 0; vertical-align: middle; }
.kg-dot { display: inline-block; width: 12px; height: 12px; border-radius: 6px; margin-right: 6px; vertical-align: middle; }
.kg-line { display: inline-block; width: 22px; margin-right: 6px; vertical-align: middle; }
#kg-panel { position: absolute; top: 8px; right: 8px; width: 380px; max-width: 45%; max-height: calc(100% - 24px); overflow: auto;
  background: rgba(255,255,255,0.97); border: 1px solid #bbb; border-radius: 4px; padding: 8px 12px; font-size: 13px; z-index: 11;
  box-shadow: 0 2px 8px rgba(0,0,0,0.15); }
#kg-panel[hidden] { display: none; }
#kg-panel h2 { font-size: 17px; margin: 2px 24px 6px 0; word-break: break-word; }
#kg-panel h3 { font-size: 14px; margin: 10px 0 4px; border-bottom: 1px solid #eee; }
#kg-panel .kg-close { position: absolute; top: 4px; right: 6px; border: none; background: none; font-size: 18px; cursor: pointer; }
.kg-row { margin: 2px 0; word-break: break-word; }
.kg-key { color: #666; display: inline-block; min-width: 84px; }
.kg-rel { margin: 6px 0; padding-left: 6px; border-left: 3px solid #ccc; }
.kg-ev { color: #333; background: #f6f6f6; padding: 2px 4px; margin: 2px 0; word-break: break-word; }
.kg-docs { color: #777; font-size: 12px; }
.kg-link { border: none; background: none; padding: 0; color: #1a5fb4; cursor: pointer; font: inherit; text-decoration: underline; }
.kg-badge { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; font-size: 12px; }
div.vis-tooltip { white-space: normal !important; max-width: 480px; font-size: 13px; }
.kg-tip div { margin: 1px 0; word-break: break-word; }
#kg-index { padding: 8px 12px; font-size: 13px; }
#kg-index table { border-collapse: collapse; }
#kg-index td, #kg-index th { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
/* phones: filters folded, the panel a sheet at the bottom, nothing covering the whole graph */
@media (max-width: 700px) {
  header h1 { font-size: 15px; }
  #kg-search { width: 100%; }
  #kg-legend { font-size: 12px; max-height: 40%; }
  #kg-panel { top: auto; bottom: 0; left: 0; right: 0; width: auto; max-width: none; max-height: 45%;
    border-radius: 8px 8px 0 0; }
}
"""

# The page script.  Graph text is only ever assigned to textContent, DOM
# properties or vis-network labels (drawn on a canvas): never to innerHTML.
_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var MAX_LIST = 200, TIP_ALIASES = 8, HUB_LABELS = 30, HUB_PX = 13;
  var DIM_OPACITY = 0.15, FONT = "#343434", DIM_FONT = "#c8c8c8";
  var statusBox = document.getElementById("kg-status");
  var panel = document.getElementById("kg-panel");
  var panelBody = document.getElementById("kg-panel-body");
  var kg = { ready: false, readyAt: null, data: data };
  window.kg = kg;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function norm(s) { return String(s).normalize("NFKC").toLowerCase().replace(/\\s+/g, ""); }

  var nodeById = Object.create(null), edgeById = Object.create(null);
  data.nodes.forEach(function (n) { nodeById[n.id] = n; });
  data.edges.forEach(function (e) { edgeById[e.id] = e; });
  function evidence(e) { return typeof e.ev === "number" ? data.evidence[e.ev] : ""; }
  function nodeLabel(id) { return nodeById[id] ? nodeById[id].label : moreById[id] ? moreById[id].l : id; }

  function tipBox(rows) {
    var box = el("div", "kg-tip");
    rows.forEach(function (r) {
      if (!r[1]) { return; }
      var line = el("div");
      line.appendChild(el("b", null, r[0] + ": "));
      line.appendChild(document.createTextNode(r[1]));
      box.appendChild(line);
    });
    return box;
  }
  function nodeTip(n) {
    var al = (n.aliases || []).slice(0, TIP_ALIASES).join("、");
    if ((n.aliases || []).length > TIP_ALIASES) { al += " …"; }
    return tipBox([["name", n.label], ["type", n.type], ["aliases", al], ["level", n.level || ""]]);
  }
  function edgeTip(e) {
    return tipBox([["relation", e.type], ["from", nodeLabel(e.from)], ["to", nodeLabel(e.to)],
      ["title", e.title || ""], ["evidence", evidence(e)]]);
  }
  function visNode(n) {
    return { id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, color: n.color, title: nodeTip(n), font: { color: FONT } };
  }
  function visEdge(e) {
    var v = { id: e.id, from: e.from, to: e.to, color: e.color, title: edgeTip(e) };
    if (e.width) { v.width = e.width; }
    if (e.type === "CO_MENTION") { v.dashes = true; }
    if (data.symmetric.indexOf(e.type) >= 0) { v.arrows = { to: { enabled: false } }; }
    if (e.curve) { v.smooth = { enabled: true, type: "curvedCW", roundness: e.curve }; }
    return v;
  }

  var nodes = new vis.DataSet(data.nodes.map(visNode));
  var edges = new vis.DataSet(data.edges.map(visEdge));
  var network = new vis.Network(document.getElementById("kg-network"), { nodes: nodes, edges: edges }, data.options);
  kg.network = network; kg.nodes = nodes; kg.edges = edges;
  var fullSummary = statusBox.textContent, summary = fullSummary;

  // ---- the hubs' names stay readable however far the view is zoomed out: the most
  // connected entities, as many as fit without one name covering another, get a label
  // font of at least HUB_PX on screen
  var hubCandidates = data.nodes.slice().sort(function (a, b) {
    return b.degree - a.degree || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }).slice(0, 4 * HUB_LABELS).map(function (n) { return n.id; });
  var hubFont = Object.create(null), hubShown = [];
  function sizeHubLabels() {
    var scale = network.getScale(), want = Math.round(HUB_PX / Math.min(1, scale));
    var at = network.getPositions(hubCandidates), taken = [], chosen = Object.create(null);
    hubShown = [];
    hubCandidates.forEach(function (id) {
      if (hubShown.length >= HUB_LABELS || nodeHidden[id]) { return; }
      var n = nodeById[id], p = network.canvasToDOM(at[id]), w = n.label.length * HUB_PX + 6, r = n.size * scale;
      var b = { l: p.x - w / 2, r: p.x + w / 2, t: p.y + r, b: p.y + r + HUB_PX + 6 };
      if (taken.some(function (o) { return b.l < o.r && o.l < b.r && b.t < o.b && o.t < b.b; })) { return; }
      taken.push(b); chosen[id] = true; hubShown.push(id);
    });
    var changes = [];
    hubCandidates.forEach(function (id) {
      var size = chosen[id] ? want : 14;
      if (hubFont[id] === size || (hubFont[id] === undefined && size === 14)) { return; }
      hubFont[id] = size;
      var stroke = chosen[id] ? Math.max(2, want / 6) : 0;
      changes.push({ id: id, font: { size: size, color: FONT, strokeWidth: stroke, strokeColor: "#ffffff" } });
    });
    if (changes.length) {
      nodes.update(changes);
      if (keep) { paint(); }  // updated items got their options re-parsed
    }
  }
  kg.hubLabels = function () { return hubShown.slice(); };

  network.once("afterDrawing", function () {
    kg.ready = true;
    kg.readyAt = performance.now();
    document.body.setAttribute("data-kg-ready", "1");
  });
  network.fit({ animation: false });
  // resized after every change of zoom, by the user or by a focus on a selection
  var sizedAt = 0, zoomTimer = null;
  network.on("afterDrawing", function () {
    var scale = network.getScale();
    if (Math.abs(scale - sizedAt) > 0.01 * sizedAt) {
      sizedAt = scale;
      clearTimeout(zoomTimer);
      zoomTimer = setTimeout(sizeHubLabels, 60);
    }
  });

  // ---- relax: a bounded simulation that always ends with physics off
  var relaxing = false;
  document.getElementById("kg-relax").addEventListener("click", function () {
    if (relaxing) { return; }
    relaxing = true;
    statusBox.textContent = "relaxing layout …";
    network.setOptions({ physics: { enabled: true } });
    network.stabilize(data.options.physics.stabilization.iterations);
  });
  network.on("stabilizationIterationsDone", function () {
    network.setOptions({ physics: { enabled: false } });
    relaxing = false;
    statusBox.textContent = summary;
  });

  // ---- filters: one check box per entity type and per relation type
  var hiddenType = Object.create(null), hiddenRel = Object.create(null);
  var nodeHidden = Object.create(null), edgeHidden = Object.create(null);
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#kg-legend input[type=checkbox]"));
  if (window.matchMedia && window.matchMedia("(max-width: 700px)").matches) { document.getElementById("kg-legend").open = false; }
  // document: entities and relations read in a document whose name holds the text;
  // place: a place, the places under it (PART_OF), what lies in them (LOCATED_IN) and
  // who holds a post there (HOLDS_POSITION)
  var docBox = document.getElementById("kg-doc"), placeBox = document.getElementById("kg-place");
  function inDoc(docs, q) { return !!docs && docs.some(function (d) { return d.indexOf(q) >= 0; }); }
  function placeScope(q) {
    var roots = data.nodes.filter(function (n) {
      return n.type === "PLACE" && (norm(n.label) === q || (n.aliases || []).some(function (a) { return norm(a) === q; }));
    });
    if (!roots.length) { return null; }
    var scope = Object.create(null), queue = roots.map(function (n) { return n.id; });
    queue.forEach(function (id) { scope[id] = true; });
    var into = Object.create(null);  // place -> what points at it by PART_OF or LOCATED_IN
    data.edges.forEach(function (e) {
      if (e.type === "PART_OF" || e.type === "LOCATED_IN") { (into[e.to] = into[e.to] || []).push(e.from); }
    });
    for (var k = 0; k < queue.length; k++) {
      (into[queue[k]] || []).forEach(function (m) { if (!scope[m]) { scope[m] = true; queue.push(m); } });
    }
    data.edges.forEach(function (e) { if (e.type === "HOLDS_POSITION" && scope[e.to]) { scope[e.from] = true; } });
    return scope;
  }
  function applyFilters() {
    boxes.forEach(function (b) { (b.getAttribute("data-kind") === "node" ? hiddenType : hiddenRel)[b.value] = !b.checked; });
    var docQ = docBox.value.trim(), placeQ = norm(placeBox.value), scope = placeQ ? placeScope(placeQ) : null;
    placeBox.setCustomValidity(placeQ && !scope ? "no such place" : "");
    var nu = [], eu = [];
    data.nodes.forEach(function (n) {
      var h = !!hiddenType[n.type] || (docQ && !inDoc(n.docs, docQ)) || (scope !== null && !scope[n.id]);
      if (h !== !!nodeHidden[n.id]) { nodeHidden[n.id] = h; nu.push({ id: n.id, hidden: h }); }
    });
    data.edges.forEach(function (e) {
      var h = !!(hiddenRel[e.type] || nodeHidden[e.from] || nodeHidden[e.to] || (docQ && !inDoc(e.docs, docQ)));
      if (h !== !!edgeHidden[e.id]) { edgeHidden[e.id] = h; eu.push({ id: e.id, hidden: h }); }
    });
    if (nu.length) { nodes.update(nu); }
    if (eu.length) { edges.update(eu); }
    var shownNodes = data.nodes.filter(function (n) { return !nodeHidden[n.id]; }).length;
    var shownEdges = data.edges.filter(function (e) { return !edgeHidden[e.id]; }).length;
    summary = shownNodes === data.nodes.length && shownEdges === data.edges.length ? fullSummary
      : shownNodes.toLocaleString("en") + " of " + data.nodes.length.toLocaleString("en") + " entities, " +
        shownEdges.toLocaleString("en") + " of " + data.edges.length.toLocaleString("en") + " relations shown";
    statusBox.textContent = summary;
    if (selected && ((selected.node && nodeHidden[selected.node]) || (selected.edge && edgeHidden[selected.edge]))) { clearSelection(); }
    else if (keep) { paint(); }  // updated items got their options re-parsed
  }
  boxes.forEach(function (b) { b.addEventListener("change", applyFilters); });
  [docBox, placeBox].forEach(function (b) {
    b.addEventListener("change", applyFilters);
    b.addEventListener("keydown", function (ev) { if (ev.key === "Enter" && !ev.isComposing) { applyFilters(); } });
  });
  kg.applyFilters = applyFilters;

  // ---- export what is shown: the picture, and the entities and relations for Gephi
  // (the selection's neighbourhood when one is selected, else everything the filters leave)
  function shownGraph() {
    var ns = data.nodes.filter(function (n) { return !nodeHidden[n.id] && nodeById[n.id] && (!keep || keep.nodes[n.id]); });
    var ids = Object.create(null);
    ns.forEach(function (n) { ids[n.id] = true; });
    var es = data.edges.filter(function (e) { return !edgeHidden[e.id] && ids[e.from] && ids[e.to] && (!keep || keep.edges[e.id]); });
    return { nodes: ns, edges: es };
  }
  function xml(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function graphml() {
    var g = shownGraph(), at = network.getPositions(g.nodes.map(function (n) { return n.id; }));
    var keys = [["n_label", "node", "label"], ["n_type", "node", "type"], ["n_aliases", "node", "aliases"], ["n_docs", "node", "docs"],
      ["n_x", "node", "x", "double"], ["n_y", "node", "y", "double"], ["e_type", "edge", "type"], ["e_title", "edge", "title"],
      ["e_evidence", "edge", "evidence"], ["e_docs", "edge", "docs"]];
    var out = ['<?xml version="1.0" encoding="UTF-8"?>', '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'];
    keys.forEach(function (k) {
      out.push('  <key id="' + k[0] + '" for="' + k[1] + '" attr.name="' + k[2] + '" attr.type="' + (k[3] || "string") + '"/>');
    });
    function put(key, value) { return '<data key="' + key + '">' + xml(value) + "</data>"; }
    out.push('  <graph edgedefault="directed">');
    g.nodes.forEach(function (n) {
      out.push('    <node id="' + xml(n.id) + '">' + put("n_label", n.label) + put("n_type", n.type) +
        put("n_aliases", (n.aliases || []).join("|")) + put("n_docs", (n.docs || []).join("|")) +
        put("n_x", at[n.id].x) + put("n_y", -at[n.id].y) + "</node>");
    });
    g.edges.forEach(function (e) {  // the kind as Gephi reads it: one per relation type, per title for posts
      var kind = e.type === "HOLDS_POSITION" && e.title ? e.type + ":" + e.title : e.type;
      out.push('    <edge source="' + xml(e.from) + '" target="' + xml(e.to) + '" label="' + xml(kind) + '">' +
        put("e_type", e.type) + put("e_title", e.title || "") + put("e_evidence", evidence(e)) +
        put("e_docs", (e.docs || []).join("|")) + "</edge>");
    });
    out.push("  </graph>", "</graphml>");
    return out.join("\\n") + "\\n";
  }
  function download(name, href) {
    var a = document.createElement("a");
    a.href = href; a.download = name;
    document.body.appendChild(a); a.click(); document.body.removeChild(a);
  }
  kg.graphml = graphml;
  kg.png = function () { return network.canvas.frame.canvas.toDataURL("image/png"); };
  document.getElementById("kg-png").addEventListener("click", function () { download("graph-view.png", kg.png()); });
  document.getElementById("kg-graphml").addEventListener("click", function () {
    download("graph-view.graphml", URL.createObjectURL(new Blob([graphml()], { type: "application/xml" })));
  });

  // ---- neighbourhood highlight
  // Dimming writes the opacity and label colour straight into vis-network's
  // node and edge option objects (the bundled 9.1.2): a DataSet.update would
  // re-parse every item, about 0.6 s for 2,000 nodes and 10,000 edges, where
  // this takes a few milliseconds plus one redraw.
  var keep = null, selected = null;
  function paint() {
    var body = network.body;
    data.nodes.forEach(function (n) {
      var v = body.nodes[n.id];
      if (!v) { return; }
      var on = !keep || !!keep.nodes[n.id];
      v.options.opacity = on ? 1 : DIM_OPACITY;
      var label = v.labelModule;
      if (label && label.fontOptions && label.fontOptions.color !== (on ? FONT : DIM_FONT)) {
        label.fontOptions.color = on ? FONT : DIM_FONT;
        label.labelDirty = true;  // text blocks cache their colour
      }
    });
    data.edges.forEach(function (e) {
      var v = body.edges[e.id];
      if (v && v.options.color) { v.options.color.opacity = !keep || keep.edges[e.id] ? 1 : DIM_OPACITY; }
    });
    network.body.emitter.emit("_requestRedraw");  // one redraw in the next frame, not one per call
  }
  function highlight(keepNodes, keepEdges) { keep = { nodes: keepNodes, edges: keepEdges }; paint(); }
  function clearSelection() {
    selected = null;
    network.unselectAll();
    if (keep) { keep = null; paint(); }
    panel.hidden = true;
  }
  kg.clearSelection = clearSelection;
  kg.isDimmed = function (id) { var v = network.body.nodes[id]; return !!v && v.options.opacity < 1; };

  // ---- side panel
  function row(parent, key, value) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) { return; }
    var r = el("div", "kg-row");
    r.appendChild(el("span", "kg-key", key));
    r.appendChild(document.createTextNode(Array.isArray(value) ? value.join("、") : String(value)));
    parent.appendChild(r);
  }
  // each document name links to its input file, by the path from this page to it
  function docHref(d) {
    var url = Object.prototype.hasOwnProperty.call(data.links.urls, d) ? data.links.urls[d]
      : data.links.base === null ? null : data.links.base + d.split("/").map(encodeURIComponent).join("/");
    return url !== null && /^([.][.]?[/]|file:[/][/])/.test(url) ? url : null;  // a file, never a script
  }
  function docList(docs) {
    var box = el("div", "kg-docs");
    docs.forEach(function (d, i) {
      if (i) { box.appendChild(document.createTextNode("、")); }
      var href = docHref(d);
      if (href === null) { box.appendChild(document.createTextNode(d)); return; }
      var a = el("a", null, d);
      a.href = href; a.target = "_blank"; a.rel = "noopener";
      box.appendChild(a);
    });
    return box;
  }
  function link(id) {
    var b = el("button", "kg-link", nodeLabel(id));
    b.type = "button";
    b.addEventListener("click", function () { selectNode(id, true); });
    return b;
  }
  function badge(text, color) {
    var b = el("span", "kg-badge", text);
    b.style.background = color;
    return b;
  }
  function openPanel(title) {
    while (panelBody.firstChild) { panelBody.removeChild(panelBody.firstChild); }
    panelBody.appendChild(el("h2", null, title));
    panel.hidden = false;
    panel.scrollTop = 0;
    return panelBody;
  }
  function relationItem(e, fromId) {
    var item = el("div", "kg-rel");
    item.style.borderLeftColor = e.color;
    var head = el("div");
    var outgoing = e.from === fromId;
    head.appendChild(badge(e.type, e.color === "#c7c7c7" ? "#999999" : e.color));
    head.appendChild(document.createTextNode(outgoing ? " → " : " ← "));
    head.appendChild(link(outgoing ? e.to : e.from));
    if (e.title) { head.appendChild(document.createTextNode("  (" + e.title + ")")); }
    item.appendChild(head);
    var ev = evidence(e);
    if (ev) { item.appendChild(el("div", "kg-ev", ev)); }
    if (e.docs) { item.appendChild(docList(e.docs)); }
    return item;
  }
  var REL_ORDER = ["HOLDS_POSITION", "PART_OF", "LOCATED_IN", "PROMOTES", "COOPERATES_WITH", "CO_MENTION"];
  function relRank(t) { var i = REL_ORDER.indexOf(t); return i < 0 ? REL_ORDER.length - 0.5 : i; }
  function showNode(id) {
    var n = nodeById[id];
    var body = openPanel(n.label);
    var t = el("div", "kg-row");
    t.appendChild(badge(n.type, n.color));
    body.appendChild(t);
    row(body, "id", n.id);
    row(body, "aliases", n.aliases);
    row(body, "division code", n.adcode);
    row(body, "level", n.level);
    if (n.posts) {
      row(body, "posts", n.posts.map(function (p) {
        var at = p.lastIndexOf("@");
        return at < 0 ? p : (p.slice(0, at) || "?") + " — " + p.slice(at + 1);
      }));
    }
    row(body, "mentions", n.mentions);
    row(body, "degree", n.degree);
    var rels = network.getConnectedEdges(id).map(function (eid) { return edgeById[eid]; }).filter(Boolean);
    rels.sort(function (a, b) {
      return relRank(a.type) - relRank(b.type) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
    body.appendChild(el("h3", null, "Relations (" + rels.length + ")"));
    // one fold per relation type, stated relations open, co-mentions folded
    var groups = [];
    rels.forEach(function (e) {
      if (!groups.length || groups[groups.length - 1].type !== e.type) { groups.push({ type: e.type, items: [] }); }
      groups[groups.length - 1].items.push(e);
    });
    groups.forEach(function (g) {
      var fold = el("details", "kg-group");
      fold.open = g.type !== "CO_MENTION";
      fold.appendChild(el("summary", null, g.type + " (" + g.items.length + ")"));
      g.items.slice(0, MAX_LIST).forEach(function (e) { fold.appendChild(relationItem(e, id)); });
      if (g.items.length > MAX_LIST) { fold.appendChild(el("div", "kg-docs", "… " + (g.items.length - MAX_LIST) + " more not listed")); }
      body.appendChild(fold);
    });
    if (n.docs && n.docs.length) {
      var docs = el("details", "kg-group");
      docs.appendChild(el("summary", null, "Documents (" + n.docs.length + ")"));
      docs.appendChild(docList(n.docs));
      body.appendChild(docs);
    }
  }
  function showEdge(id) {
    var e = edgeById[id];
    var body = openPanel(e.type);
    var t = el("div", "kg-row");
    t.appendChild(badge(e.type, e.color === "#c7c7c7" ? "#999999" : e.color));
    body.appendChild(t);
    var ends = el("div", "kg-row");
    ends.appendChild(el("span", "kg-key", "from → to"));
    ends.appendChild(link(e.from));
    ends.appendChild(document.createTextNode(" → "));
    ends.appendChild(link(e.to));
    body.appendChild(ends);
    row(body, "title", e.title);
    var ev = evidence(e);
    if (ev) {
      body.appendChild(el("h3", null, "Evidence"));
      body.appendChild(el("div", "kg-ev", ev));
    }
    if (e.docs) {
      var r = el("div", "kg-row");
      r.appendChild(el("span", "kg-key", "documents"));
      r.appendChild(docList(e.docs));
      body.appendChild(r);
    }
    row(body, "weight", e.weight);
  }

  // ---- entities the page does not draw: found by search, brought in with their neighbours
  var more = null, moreById = Object.create(null), moreEdgesOf = null;
  function loadMore() {
    if (!more) {
      more = JSON.parse(document.getElementById("kg-more").textContent);
      more.nodes.forEach(function (r) { moreById[r.i] = r; });
    }
    return more;
  }
  function docNames(numbers) { return (numbers || []).map(function (k) { return more.docs[k]; }); }
  function fullNode(r) {  // a compact record as the drawn nodes' records read
    var n = { id: r.i, label: r.l, type: r.t, degree: r.g, color: data.colors.types[r.t] || data.colors.other,
      size: Math.round((8 + 4 * Math.sqrt(Math.max(r.g, 0))) * 100) / 100 };
    if (r.a) { n.aliases = r.a; }
    if (r.p) { n.posts = r.p; }
    if (r.d) { n.docs = docNames(r.d); }
    if (r.m !== undefined) { n.mentions = r.m; }
    if (r.c) { n.adcode = r.c; }
    if (r.v) { n.level = r.v; }
    return n;
  }
  function fullEdge(a, k) {
    var type = more.rels[a[2]];
    var e = { id: "m" + k, from: a[0], to: a[1], type: type, color: data.colors.edges[type] || data.colors.other_edge, weight: a[4],
      width: Math.round((1 + Math.min(4, Math.log1p(Math.max(a[4], 0)))) * 100) / 100 };
    if (a[3] >= 0) { e.ev = a[3]; }
    if (a[5]) { e.title = a[5]; }
    if (a[6].length) { e.docs = docNames(a[6]); }
    return e;
  }
  function moreEdges(id) {
    loadMore();
    if (!moreEdgesOf) {
      moreEdgesOf = Object.create(null);
      more.edges.forEach(function (a, k) {
        (moreEdgesOf[a[0]] = moreEdgesOf[a[0]] || []).push(k);
        if (a[1] !== a[0]) { (moreEdgesOf[a[1]] = moreEdgesOf[a[1]] || []).push(k); }
      });
    }
    return (moreEdgesOf[id] || []).map(function (k) { return fullEdge(more.edges[k], k); });
  }
  function bringIn(id) {
    loadMore();
    if (nodeById[id] || !moreById[id]) { return; }
    var es = moreEdges(id).slice(0, MAX_LIST), near = [], fresh = [];
    es.forEach(function (e) {
      var other = e.from === id ? e.to : e.from;
      if (nodeById[other]) { if (near.indexOf(other) < 0) { near.push(other); } }
      else if (moreById[other] && other !== id && fresh.indexOf(other) < 0) { fresh.push(other); }
    });
    var at = network.getPositions(near), cx = 0, cy = 0;
    if (near.length) {
      near.forEach(function (m) { cx += at[m].x; cy += at[m].y; });
      cx = cx / near.length + 80; cy = cy / near.length + 80;
    } else {
      var view = network.getViewPosition(); cx = view.x; cy = view.y;
    }
    var added = [];
    function place(r, x, y) { var n = fullNode(r); n.x = x; n.y = y; data.nodes.push(n); nodeById[n.id] = n; added.push(n); }
    place(moreById[id], cx, cy);
    fresh.forEach(function (m, i) {
      var a = 2 * Math.PI * i / fresh.length;
      place(moreById[m], cx + 180 * Math.cos(a), cy + 180 * Math.sin(a));
    });
    nodes.add(added.map(visNode));
    var links = es.filter(function (e) { return nodeById[e.from] && nodeById[e.to] && !edgeById[e.id]; });
    links.forEach(function (e) { data.edges.push(e); edgeById[e.id] = e; });
    edges.add(links.map(visEdge));
    kg.broughtIn = (kg.broughtIn || 0) + added.length;
  }
  kg.bringIn = bringIn;

  function selectNode(id, focus) {
    if (!nodeById[id]) { bringIn(id); }
    var n = nodeById[id];
    if (!n) { return; }
    if (hiddenType[n.type]) {
      boxes.forEach(function (b) { if (b.getAttribute("data-kind") === "node" && b.value === n.type) { b.checked = true; } });
      applyFilters();
    }
    selected = { node: id };
    network.selectNodes([id]);
    var keepNodes = Object.create(null), keepEdges = Object.create(null);
    keepNodes[id] = true;
    network.getConnectedNodes(id).forEach(function (m) { keepNodes[m] = true; });
    network.getConnectedEdges(id).forEach(function (e) { keepEdges[e] = true; });
    highlight(keepNodes, keepEdges);
    showNode(id);
    if (focus) { network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false }); }
  }
  function selectEdge(id) {
    var e = edgeById[id];
    if (!e) { return; }
    selected = { edge: id };
    network.selectEdges([id]);
    var keepNodes = Object.create(null), keepEdges = Object.create(null);
    keepNodes[e.from] = true; keepNodes[e.to] = true; keepEdges[id] = true;
    highlight(keepNodes, keepEdges);
    showEdge(id);
  }
  kg.selectNode = selectNode; kg.selectEdge = selectEdge;

  network.on("click", function (p) {
    if (p.nodes.length) { selectNode(p.nodes[0], false); }
    else if (p.edges.length) { selectEdge(p.edges[0]); }
    else { clearSelection(); }
  });
  document.getElementById("kg-close").addEventListener("click", clearSelection);
  // keyboard: Escape clears, / searches, f fits the view, + and - zoom
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { clearSelection(); return; }
    var typing = ev.target && (ev.target.tagName === "INPUT" || ev.target.tagName === "TEXTAREA");
    if (typing || ev.ctrlKey || ev.metaKey || ev.altKey) { return; }
    if (ev.key === "/") { ev.preventDefault(); box.focus(); box.select(); }
    else if (ev.key === "f") { network.fit({ animation: false }); }
    else if (ev.key === "+" || ev.key === "=" || ev.key === "-") {
      network.moveTo({ scale: network.getScale() * (ev.key === "-" ? 1 / 1.25 : 1.25), animation: false });
    }
  });

  // ---- search: canonical name or any alias; exact, then prefix, then substring
  var names = null;
  function allNames() {  // every entity's names, drawn or not: listed when search is first used
    if (!names) {
      names = data.nodes.map(function (n) {
        return { id: n.id, degree: n.degree, written: [n.label].concat(n.aliases || []) };
      }).concat(loadMore().nodes.map(function (r) {
        return { id: r.i, degree: r.g, written: [r.l].concat(r.a || []) };
      }));
      names.forEach(function (s) { s.keys = s.written.map(norm); });
    }
    return names;
  }
  function search(q) {
    q = norm(q);
    if (!q) { return []; }
    var hits = [];
    allNames().forEach(function (s) {
      var best = 3;
      s.keys.forEach(function (k) {
        var r = k === q ? 0 : k.indexOf(q) === 0 ? 1 : k.indexOf(q) >= 0 ? 2 : 3;
        if (r < best) { best = r; }
      });
      if (best < 3) { hits.push({ id: s.id, rank: best, degree: s.degree }); }
    });
    hits.sort(function (a, b) { return a.rank - b.rank || b.degree - a.degree || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0); });
    return hits;
  }
  kg.search = search;
  var box = document.getElementById("kg-search");
  function runSearch() {
    var hits = search(box.value);
    if (!box.value.trim()) { clearSelection(); statusBox.textContent = summary; return; }
    if (!hits.length) { statusBox.textContent = "no match"; return; }
    selectNode(hits[0].id, true);
    statusBox.textContent = hits.length === 1 ? "1 match" : hits.length + " matches";
    if (hits.length > 1) {
      panelBody.appendChild(el("h3", null, "Other matches (" + (hits.length - 1) + ")"));
      hits.slice(1, 31).forEach(function (h) {
        var d = el("div", "kg-row");
        d.appendChild(link(h.id));
        panelBody.appendChild(d);
      });
    }
  }
  var timer = null;
  box.addEventListener("input", function (ev) {
    if (ev.isComposing) { return; }
    clearTimeout(timer);
    timer = setTimeout(runSearch, 200);
  });
  box.addEventListener("compositionend", function () { clearTimeout(timer); timer = setTimeout(runSearch, 50); });
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.isComposing) { clearTimeout(timer); runSearch(); }
  });
  var list = document.getElementById("kg-names"), listed = false;
  function fillNames() {  // the search box's suggestions, filled when it is first used
    if (listed) { return; }
    listed = true;
    var seen = Object.create(null);
    allNames().forEach(function (entity) {
      entity.written.forEach(function (s) {
        if (seen[s] || list.childElementCount >= 5000) { return; }
        seen[s] = true;
        var o = document.createElement("option");
        o.value = s;
        list.appendChild(o);
      });
    });
  }
  box.addEventListener("focus", fillNames);
  sizeHubLabels();
})();
"""


def generate_html(
    G: nx.Graph,
    title: str = "Knowledge graph",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    positions: Mapping[Any, tuple[float, float]] | None = None,
    doc_links: Mapping[str, str] | None = None,
) -> str:
    """Render *G* as one self-contained HTML page (see module docstring).

    *max_nodes*: show at most this many entities, the most connected ones
    (``None`` or 0: all).  *positions*: node -> (x, y) to use instead of
    computing :func:`kg.layout.layout_positions` of the shown subgraph.
    *doc_links*: doc id -> where the page links that document ("/"-separated
    path relative to the page, or a file: URI); documents without one are plain text.
    """
    if max_nodes is not None and max_nodes < 0:
        raise ValueError(f"max_nodes must be >= 0, not {max_nodes}")
    page = _build(G, max_nodes, positions)
    page.payload["links"] = _compact_links(doc_links or {})
    head_title = html.escape(clean_text(title), quote=True)
    status, note = _summary(page.payload["summary"])
    vis_js = "\n" + _asset("vis-network.min.js") + "\n"
    csp = f"default-src 'none'; script-src {_csp_hash(vis_js)} {_csp_hash(_SCRIPT)}; style-src 'unsafe-inline'; img-src data:"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{head_title}</title>",
        f"<style>\n{_asset('vis-network.css')}\n</style>",
        f"<style>{_STYLE}</style>",
        f"<script>{vis_js}</script>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{head_title}</h1>",
        '<input id="kg-search" type="search" list="kg-names" placeholder="search name or alias" aria-label="search" autocomplete="off">',
        '<datalist id="kg-names"></datalist>',
        '<button id="kg-relax" type="button" title="run the force simulation for a moment, then stop">Relax layout</button>',
        '<button id="kg-png" type="button" title="the view as a picture">PNG</button>',
        '<button id="kg-graphml" type="button" title="the entities and relations shown, for Gephi">GraphML</button>',
        f'<span id="kg-status">{html.escape(status)}</span>',
        "</header>",
    ]
    if note:
        parts.append(f'<div id="kg-note" role="status">{html.escape(note)}</div>')
    parts += [
        '<div id="kg-main">',
        _legend(page.type_counts, page.rel_counts),
        '<div id="kg-network"></div>',
        '<aside id="kg-panel" hidden aria-label="details">'
        '<button id="kg-close" class="kg-close" type="button" aria-label="close">×</button>'
        '<div id="kg-panel-body"></div></aside>',
        "</div>",
        _index(G, page.shown),
        f'<script type="application/json" id="kg-data">{_script_json(page.payload)}</script>',
        # parsed on the first search: the page is drawn without reading it
        f'<script type="application/json" id="kg-more">{_script_json(page.more)}</script>',
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def write_html(
    G: nx.Graph,
    path: str | os.PathLike[str],
    title: str = "Knowledge graph",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    positions: Mapping[Any, tuple[float, float]] | None = None,
    doc_links: Mapping[str, str] | None = None,
) -> None:
    """Write the interactive, offline HTML view of *G* to *path* atomically."""
    atomic_write(path, generate_html(G, title=title, max_nodes=max_nodes, positions=positions, doc_links=doc_links).encode("utf-8"))


def _compact_links(doc_links: Mapping[str, str]) -> dict[str, Any]:
    """Document links as the page stores them: the commonest prefix that, followed by
    the percent-encoded doc id, gives the link (``base``; documents under one input
    folder) and the links it does not give (``urls``), so 3,000 documents cost one
    string, not 3,000."""

    encoded = {d: quote(d, safe="/") for d in doc_links}
    bases = Counter(link[: len(link) - len(encoded[d])] for d, link in doc_links.items() if d and link.endswith(encoded[d]))
    base = min(bases, key=lambda b: (-bases[b], b)) if bases else None
    urls = {d: link for d, link in sorted(doc_links.items()) if base is None or link != base + encoded[d]}
    return {"base": base, "urls": urls}
