"""Entity and relation tables as CSV (for spreadsheets, pandas and review).

UTF-8 without BOM (a BOM ends up inside the first column name for most CSV
readers), a header row, ``\\n`` line ends, every field quoted only when needed,
rows sorted like the GraphML output so that two builds of the same graph give
byte-identical files and readable diffs.  Missing attributes are empty cells.

Quoting is done here rather than by :mod:`csv`: with ``\\n`` line ends its
writer leaves a field holding a bare ``\\r`` unquoted, and every reader then
splits the row there.  A field is quoted when it holds a comma, a double
quote, ``\\n`` or ``\\r`` (RFC 4180), exactly as :mod:`csv` does otherwise.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from kg.atomic import atomic_write
from kg.readwrite.graphml import format_value, sorted_edges, sorted_nodes, to_scalar, unique_node_ids

__all__ = [
    "ENTITY_COLUMNS",
    "RELATION_COLUMNS",
    "write_entities_csv",
    "write_relations_csv",
]

ENTITY_COLUMNS: tuple[str, ...] = (
    "id",
    "label",
    "type",
    "aliases",
    "docs",
    "mentions",
    "adcode",
    "level",
)
RELATION_COLUMNS: tuple[str, ...] = (
    "source",
    "source_label",
    "target",
    "target_label",
    "type",
    "title",
    "docs",
    "evidence",
    "weight",
)


def _cell(value: Any) -> str:
    """Render one value; lists become "|"-joined, control characters go."""
    s = to_scalar(value)
    return "" if s is None else format_value(s, "string")


def _as_float(value: Any) -> Any:
    """Weights print as floats ("2.0", not "2") whatever type the builder used."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


def _field(cell: str) -> str:
    if any(c in cell for c in ',"\n\r'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _render(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [",".join(map(_field, header))]
    lines.extend(",".join(map(_field, row)) for row in rows)
    return "\n".join(lines) + "\n"


def write_entities_csv(G: nx.Graph, path: str | os.PathLike[str]) -> None:
    """One row per node: id, label, type, aliases, docs, mentions, adcode, level."""
    nodes = sorted_nodes(G)
    ids = unique_node_ids(nodes)  # the same ids as in the GraphML output
    rows = []
    for n in nodes:
        attrs = G.nodes[n]
        rows.append([ids[n]] + [_cell(attrs.get(c)) for c in ENTITY_COLUMNS[1:]])
    atomic_write(path, _render(ENTITY_COLUMNS, rows).encode("utf-8"))


def write_relations_csv(G: nx.Graph, path: str | os.PathLike[str]) -> None:
    """One row per edge (parallel edges included): source, source_label,
    target, target_label, type, title, docs, evidence, weight.

    ``type`` falls back to the multigraph key, which is the relation type by
    contract, so an edge that lost its ``type`` attribute is still labelled.
    """
    ids = unique_node_ids(sorted_nodes(G))  # the same ids as in the GraphML output
    rows = []
    for u, v, k, d in sorted_edges(G):
        rel = d.get("type")
        if rel is None and isinstance(k, str):
            rel = k
        rows.append(
            [
                ids[u],
                _cell(G.nodes[u].get("label")),
                ids[v],
                _cell(G.nodes[v].get("label")),
                _cell(rel),
                _cell(d.get("title")),
                _cell(d.get("docs")),
                _cell(d.get("evidence")),
                _cell(_as_float(d.get("weight"))),
            ]
        )
    atomic_write(path, _render(RELATION_COLUMNS, rows).encode("utf-8"))
