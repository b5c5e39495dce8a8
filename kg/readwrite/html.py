"""A single, self-contained, offline HTML view of the graph (vis-network via pyvis).

Why not ``pyvis.Network.write_html``:

* its template links Bootstrap (and, for some modes, vis-network and
  tom-select) from CDNs even with ``cdn_resources="in_line"``, so the page is
  blank without network;
* it embeds node data with Jinja's ``tojson``, which writes CJK as ``\\uXXXX``
  (labels are then not searchable in the file) and passes ``title`` strings
  through untouched;
* ``Network.add_node``/``add_edge`` check membership in Python lists, which is
  quadratic in the size of the graph.

So pyvis builds the node and edge records (``pyvis.node.Node`` /
``pyvis.edge.Edge``, the same dicts ``Network`` holds) and supplies the
vis-network JavaScript and CSS it bundles, and this module renders its own
small template around them, inlining both assets.

Safety: every piece of graph text reaches the page either HTML-escaped (legend,
entity index, heading) or inside one ``<script type="application/json">`` block
in which ``<``, ``>`` and ``&`` are written as JSON ``\\u003c`` escapes, so the
text can neither close the script element nor start a comment.  Tooltips are
built in the browser as DOM elements with ``textContent``, so they are inert
text whatever vis-network does with HTML (vis-network 9.1.2 renders string
titles with ``innerText``, older versions with ``innerHTML``).

Determinism: nodes and edges are emitted in sorted order, layout uses a fixed
random seed, and nothing time- or path-dependent is written, so equal graphs
give byte-identical files.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections import Counter
from collections.abc import Sequence
from importlib import resources
from typing import Any, NamedTuple

import networkx as nx

from kg.atomic import atomic_write
from kg.readwrite.graphml import (
    clean_text,
    sorted_edges,
    sorted_nodes,
    to_scalar,
    unique_node_ids,
)

__all__ = ["EDGE_COLORS", "TYPE_COLORS", "generate_html", "write_html"]

# Colour-blind-friendly Tableau-10 colours, one per entity type.
TYPE_COLORS: dict[str, str] = {
    "PLACE": "#4e79a7",
    "PERSON": "#f28e2b",
    "AGENCY": "#e15759",
    "ORG": "#76b7b2",
    "PROJECT": "#59a14f",
    "POLICY": "#b07aa1",
}
OTHER_COLOR = "#9d9d9d"
EDGE_COLORS: dict[str, str] = {
    "HOLDS_POSITION": "#f28e2b",
    "PART_OF": "#4e79a7",
    "LOCATED_IN": "#59a14f",
    "LEADS": "#e15759",
    "COOPERATES_WITH": "#b07aa1",
    "CO_MENTION": "#c7c7c7",
}
OTHER_EDGE_COLOR = "#8c8c8c"
_MAX_LIST = 25  # tooltip list items shown before "… (+N more)"
_VIS_DIR = "vis-9.1.2"


def _text(value: Any) -> str:
    """Any attribute value as display text (lists "|"-joined, controls removed)."""
    s = to_scalar(value)
    if s is None:
        return ""
    if isinstance(s, float):
        return repr(s) if math.isfinite(s) else ""
    return str(s)


def _list_text(value: Any) -> str:
    """A "|"-joined attribute as "a, b, c", capped so tooltips stay readable."""
    items = [s for s in _text(value).split("|") if s]
    more = len(items) - _MAX_LIST
    shown = "、".join(items[:_MAX_LIST])
    return f"{shown} … (+{more} more)" if more > 0 else shown


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


def _rows(pairs: Sequence[tuple[str, str]]) -> list[list[str]]:
    return [[k, v] for k, v in pairs if v]


class _Page(NamedTuple):
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    options: dict[str, Any]
    type_counts: Counter[str]
    rel_counts: Counter[str]


def _build(G: nx.Graph) -> _Page:
    """Node and edge records (built with pyvis), vis options, legend counts."""
    from pyvis.edge import Edge  # deferred: pyvis pulls in IPython (slow import)
    from pyvis.node import Node

    nodes = sorted_nodes(G)
    vid = unique_node_ids(nodes)  # vis.DataSet rejects duplicate ids
    degree = dict(G.degree())
    type_counts: Counter[str] = Counter()
    node_records: list[dict[str, Any]] = []
    for n in nodes:
        a = G.nodes[n]
        ntype = _text(a.get("type")) or "?"
        type_counts[ntype] += 1
        label = _text(a.get("label")) or vid[n]
        deg = degree.get(n, 0)
        tip = _rows(
            [
                ("label", label),
                ("type", ntype),
                ("id", vid[n]),
                ("aliases", _list_text(a.get("aliases"))),
                ("documents", _list_text(a.get("docs"))),
                ("mentions", _text(a.get("mentions"))),
                ("level", _text(a.get("level"))),
                ("adcode", _text(a.get("adcode"))),
                ("posts", _list_text(a.get("posts"))),
                ("degree", str(deg)),
            ]
        )
        color = TYPE_COLORS.get(ntype, OTHER_COLOR)
        node = Node(
            vid[n],
            "dot",
            label=label,
            color=color,
            size=round(8 + 4 * math.sqrt(deg), 2),
            tip=tip,
        )
        node_records.append(node.options)

    # Parallel edges (either direction) get increasingly curved arcs so each
    # one stays visible and hoverable.
    seen_pairs: Counter[tuple[str, str]] = Counter()
    rel_counts: Counter[str] = Counter()
    edge_records: list[dict[str, Any]] = []
    for i, (u, v, k, d) in enumerate(sorted_edges(G)):
        rel = _text(d.get("type")) or (k if isinstance(k, str) else "")
        rel_counts[rel or "?"] += 1
        pair = (vid[u], vid[v]) if vid[u] <= vid[v] else (vid[v], vid[u])
        nth = seen_pairs[pair]
        seen_pairs[pair] += 1
        weight = to_scalar(d.get("weight"))
        opts: dict[str, Any] = {
            "id": f"e{i}",
            "color": EDGE_COLORS.get(rel, OTHER_EDGE_COLOR),
            "tip": _rows(
                [
                    ("relation", rel),
                    ("from", _text(G.nodes[u].get("label")) or vid[u]),
                    ("to", _text(G.nodes[v].get("label")) or vid[v]),
                    ("title", _text(d.get("title"))),
                    ("evidence", _text(d.get("evidence"))),
                    ("documents", _list_text(d.get("docs"))),
                    ("weight", _text(d.get("weight"))),
                ]
            ),
        }
        if isinstance(weight, (int, float)) and not isinstance(weight, bool) and math.isfinite(weight):
            opts["width"] = round(1 + min(4.0, math.log1p(max(weight, 0.0))), 2)
        if rel == "CO_MENTION":
            opts["dashes"] = True
        if nth:
            opts["smooth"] = {
                "enabled": True,
                "type": "curvedCW",
                "roundness": round(0.15 * nth, 2),
            }
        edge_records.append(Edge(vid[u], vid[v], G.is_directed(), **opts).options)

    n_nodes = len(node_records)
    options: dict[str, Any] = {
        "autoResize": True,
        "layout": {"randomSeed": 20240601, "improvedLayout": n_nodes <= 150},
        "nodes": {
            "shape": "dot",
            "borderWidth": 1,
            "font": {"size": 14, "face": "sans-serif"},
        },
        "edges": {
            "smooth": False,
            "color": {"inherit": False},
            "arrows": {"to": {"enabled": G.is_directed(), "scaleFactor": 0.5}},
        },
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -60,
                "centralGravity": 0.01,
                "springLength": 110,
                "springConstant": 0.08,
                "avoidOverlap": 0.3,
            },
            "minVelocity": 1,
            "stabilization": {
                "enabled": True,
                "iterations": 1000 if n_nodes <= 1000 else 300,
                "updateInterval": 25,
                "fit": True,
            },
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": n_nodes > 1000,
        },
    }
    return _Page(node_records, edge_records, options, type_counts, rel_counts)


def _legend(type_counts: Counter[str], rel_counts: Counter[str]) -> str:
    known = list(TYPE_COLORS)
    types = [t for t in known if t in type_counts] + sorted(t for t in type_counts if t not in TYPE_COLORS)
    parts = ['<div id="kg-legend" aria-label="legend">', "<b>Entities</b>"]
    for t in types:
        color = TYPE_COLORS.get(t, OTHER_COLOR)
        parts.append(
            f'<div class="kg-item"><span class="kg-dot" style="background:{color}"></span>'
            f"{html.escape(t)} <small>({type_counts[t]})</small></div>"
        )
    if rel_counts:
        parts.append("<b>Relations</b>")
        rels = [r for r in EDGE_COLORS if r in rel_counts] + sorted(r for r in rel_counts if r not in EDGE_COLORS)
        for r in rels:
            color = EDGE_COLORS.get(r, OTHER_EDGE_COLOR)
            style = "dashed" if r == "CO_MENTION" else "solid"
            parts.append(
                f'<div class="kg-item"><span class="kg-line" style="border-top:3px {style} {color}"></span>'
                f"{html.escape(r)} <small>({rel_counts[r]})</small></div>"
            )
    parts.append("</div>")
    return "\n".join(parts)


def _index(G: nx.Graph) -> str:
    """A plain-HTML entity table: searchable with Ctrl-F, readable without JS."""
    nodes = sorted(
        sorted_nodes(G),
        key=lambda n: (
            _text(G.nodes[n].get("type")),
            _text(G.nodes[n].get("label")) or str(n),
        ),
    )
    rows = []
    for n in nodes:
        a = G.nodes[n]
        rows.append(
            f"<tr><td>{_esc(a.get('label')) or _esc(n)}</td><td>{_esc(a.get('type'))}</td>"
            f"<td>{html.escape(_list_text(a.get('aliases')))}</td><td>{_esc(a.get('mentions'))}</td>"
            f"<td>{html.escape(_list_text(a.get('docs')))}</td></tr>"
        )
    return (
        f'<details id="kg-index"><summary>Entity index ({len(nodes)})</summary>\n'
        "<table><thead><tr><th>label</th><th>type</th><th>aliases</th><th>mentions</th>"
        "<th>documents</th></tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table></details>"
    )


_CSP = "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:"

_STYLE = """
html, body { margin: 0; padding: 0; font-family: sans-serif; }
header { padding: 6px 12px; border-bottom: 1px solid #ddd; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; }
#kg-status { color: #666; font-size: 13px; }
#kg-main { position: relative; }
#kg-network { width: 100%; height: calc(100vh - 56px); min-height: 480px; }
#kg-legend { position: absolute; top: 8px; left: 8px; background: rgba(255,255,255,0.92);
  border: 1px solid #ccc; border-radius: 4px; padding: 6px 10px; font-size: 13px; z-index: 10; }
#kg-legend b { display: block; margin-top: 4px; }
.kg-item { white-space: nowrap; line-height: 20px; }
.kg-dot { display: inline-block; width: 12px; height: 12px; border-radius: 6px; margin-right: 6px; vertical-align: middle; }
.kg-line { display: inline-block; width: 22px; margin-right: 6px; vertical-align: middle; }
div.vis-tooltip { white-space: normal !important; max-width: 520px; font-size: 13px; }
.kg-tip div { margin: 1px 0; word-break: break-word; }
#kg-index { padding: 8px 12px; font-size: 13px; }
#kg-index table { border-collapse: collapse; }
#kg-index td, #kg-index th { border: 1px solid #ddd; padding: 2px 6px; text-align: left; vertical-align: top; }
"""

_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  function tip(rows) {
    var box = document.createElement("div");
    box.className = "kg-tip";
    rows.forEach(function (r) {
      var line = document.createElement("div");
      var key = document.createElement("b");
      key.textContent = r[0] + ": ";
      line.appendChild(key);
      line.appendChild(document.createTextNode(r[1]));
      box.appendChild(line);
    });
    return box;
  }
  function prepare(items) {
    items.forEach(function (it) { it.title = tip(it.tip || []); delete it.tip; });
    return items;
  }
  var searchable = data.nodes.map(function (n) {
    var text = n.label;
    (n.tip || []).forEach(function (r) { if (r[0] === "aliases") { text += " " + r[1]; } });
    return { id: n.id, text: text.toLowerCase() };
  });
  var nodes = new vis.DataSet(prepare(data.nodes));
  var edges = new vis.DataSet(prepare(data.edges));
  var container = document.getElementById("kg-network");
  var status = document.getElementById("kg-status");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  network.on("stabilizationProgress", function (p) {
    status.textContent = "laying out " + Math.round(100 * p.iterations / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", function () {
    // Stop the simulation once the layout has settled: a moving graph is
    // unreadable and burns CPU; dragged nodes then simply stay where dropped.
    network.setOptions({ physics: { enabled: false } });
    status.textContent = data.nodes.length + " entities, " + data.edges.length + " relations";
  });
  var box = document.getElementById("kg-search");
  box.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") { return; }
    var q = box.value.trim().toLowerCase();
    if (!q) { network.unselectAll(); return; }
    var hits = searchable.filter(function (s) { return s.text.indexOf(q) >= 0; })
      .map(function (s) { return s.id; });
    network.selectNodes(hits);
    if (hits.length) { network.focus(hits[0], { scale: 1.2, animation: false }); }
    status.textContent = hits.length + " match(es)";
  });
})();
"""


def generate_html(G: nx.Graph, title: str = "Knowledge graph") -> str:
    """Render *G* as one self-contained HTML page (see module docstring)."""
    node_records, edge_records, options, type_counts, rel_counts = _build(G)
    payload = {"nodes": node_records, "edges": edge_records, "options": options}
    head_title = html.escape(clean_text(title), quote=True)
    summary = f"{len(node_records)} entities, {len(edge_records)} relations"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{head_title}</title>",
        f"<style>\n{_asset('vis-network.css')}\n</style>",
        f"<style>{_STYLE}</style>",
        f"<script>\n{_asset('vis-network.min.js')}\n</script>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{head_title}</h1>",
        '<input id="kg-search" type="search" placeholder="search label or alias, Enter" aria-label="search">',
        f'<span id="kg-status">{summary}</span>',
        "</header>",
        '<div id="kg-main">',
        _legend(type_counts, rel_counts),
        '<div id="kg-network"></div>',
        "</div>",
        _index(G),
        f'<script type="application/json" id="kg-data">{_script_json(payload)}</script>',
        f"<script>{_SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def write_html(G: nx.Graph, path: str | os.PathLike[str], title: str = "Knowledge graph") -> None:
    """Write the interactive, offline HTML view of *G* to *path* atomically."""
    atomic_write(path, generate_html(G, title=title).encode("utf-8"))
